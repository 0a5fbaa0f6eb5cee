"""Training-time augmentation: requests buried in debt mail (pure, seeded).

Mail from other writers often states its request in one sentence among many
about a debt ("…and drop me from the promo mails…" inside a payment plan). A
bag-of-words model trained only on the corpus's mostly single-topic mails lets
the debt talk drown such a sentence. So, for a share of the request examples,
training also sees that example's text placed between two sentences of a
not-a-request mail in the same language, with the request's labels.

Both parts are written corpus examples; nothing is filled in from a template.
Only training folds are augmented: thresholds are tuned on untouched folds and
the held-out split is never augmented. Nothing here is written to the corpus.
"""

from __future__ import annotations

import dataclasses
import random
from typing import Sequence

from .corpus import Example
from .features import sentences


def buried(examples: Sequence[Example], share: float, seed: int) -> list[Example]:
    """Extra training examples: each request example, with probability ``share``,
    inside a randomly chosen not-a-request example of its language.

    Deterministic for a given seed and input order (training passes the split,
    which is sorted by id, or seeded folds)."""
    if share <= 0:
        return []
    rng = random.Random(seed)
    hosts: dict[str, list[Example]] = {}
    for ex in examples:
        if not ex.labels and not ex.automated:
            hosts.setdefault(ex.lang, []).append(ex)
    out = []
    for ex in sorted(examples, key=lambda e: e.id):
        if not ex.labels or ex.automated or rng.random() >= share or not hosts.get(ex.lang):
            continue
        host = rng.choice(hosts[ex.lang])
        parts = sentences(host.text)
        at = rng.randint(0, len(parts))
        text = " ".join([*parts[:at], " ".join(ex.text.split()), *parts[at:]])
        subject = host.subject if rng.random() < 0.5 else ex.subject
        out.append(dataclasses.replace(ex, id=f"{ex.id}+{host.id}", text=text, subject=subject))
    return out
