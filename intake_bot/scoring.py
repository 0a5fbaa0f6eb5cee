"""How the model's outputs become one score per label (shared by training and use).

A long mail often states its request in one sentence among many about a debt.
The whole-text score alone lets the debt talk drown that sentence, so each
label's score weighs the whole-text score (``WHOLE_WEIGHT``) against the best
score of any window of two consecutive sentences. "automated" uses the whole
text only. Weighting the best window at 0.7 rather than 0.5 was neutral in
cross-validation and raised macro-F1 on other writers' mail (``models/dev``).
Access is scored once more without the sentences that only say "thanks, I
got the extract" (``receipts.py``) and the lower score kept. Restriction is
capped unless the text says what should stop or until when
(``gates.py``), objection when the mail only looks like one (``lookalikes.py``).
Then floors: a GDPR right cited by article or by name floors its label
(``citations.py``), a question about where we got the writer's data floors
access (``sources.py``), and so does one about who gets it or how long it is
kept (``recipients.py``), one telling us to stop calling or texting floors
objection (``contact.py``), a sentence asking our marketing mail to stop floors
unsubscribe (``optout.py``) and one asking to delete personal data floors
erasure (``deletion.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from . import REQUEST_TYPES
from .citations import FLOOR, cited_rights
from .contact import contact_objection
from .deletion import deletion_request
from .features import featurize, sentences
from .gates import CAP, restriction_cue
from .lookalikes import objection_lookalike
from .optout import optout_request
from .receipts import receipt_sentences, without
from .recipients import recipients_question
from .sources import source_question

LABELS = (*REQUEST_TYPES, "automated")
WINDOW = 2
WHOLE_WEIGHT = 0.3
MAX_WINDOWS = 40


@dataclass(frozen=True)
class Rules:
    """What the rule stages found in one message's whole text (``--explain`` shows it)."""

    cited: dict[str, str]  # label -> the citation that names it (citations.py)
    cue: str | None  # the word that can carry a restriction request (gates.py)
    source: str | None  # the words asking where we got the writer's data (sources.py)
    optout: str | None  # the words asking our marketing mail to stop (optout.py)
    deletion: str | None  # the words asking to delete the writer's personal data (deletion.py)
    lookalike: str | None  # the words that only look like an objection (lookalikes.py)
    receipts: list[str]  # sentences that only say "thanks, I got it" (receipts.py)
    recipients: str | None  # the words asking who gets the data or how long it is kept (recipients.py)
    contact: str | None  # the words telling us to stop calling or texting (contact.py)


_REPLY_SUBJECT = re.compile(r"^\s*(?:(?:re|sv|vs|aw|antw|vl|fw|fwd|wg)\s*:\s*)+", re.I)


def asked_text(whole: str) -> str:
    """``whole`` without a reply's subject, which repeats the earlier mail ("Re: where did you get my
    number?", "Re: Auskunft nach Art. 15"): the rules for what the person asks read this."""
    first, newline, rest = whole.partition("\n")
    return rest if newline and _REPLY_SUBJECT.match(first) else whole


def find_rules(whole: str, lang: str) -> Rules:
    asked = asked_text(whole)
    return Rules(cited_rights(asked, lang), restriction_cue(whole), source_question(asked), optout_request(whole),
                 deletion_request(whole), objection_lookalike(whole, lang), receipt_sentences(whole),
                 recipients_question(asked), contact_objection(asked))


def windows(subject: str, text: str) -> list[str]:
    """Two-sentence windows, each with the subject in front, unless it is a reply's subject: that one
    repeats the earlier mail's ("Re: Your request for access") and would lend every window its words."""
    sents = sentences(text)
    if len(sents) <= 1:
        return []
    spans = [" ".join(sents[i:i + WINDOW]) for i in range(len(sents) - WINDOW + 1)][:MAX_WINDOWS]
    if _REPLY_SUBJECT.match(subject):
        subject = ""
    return [f"{subject}\n{s}" if subject else s for s in spans]


def score(nlp, items: Sequence[tuple[str, str, str]], batch_size: int = 256,
          rules: Sequence[Rules] | None = None,
          whole_features: Sequence[str] | None = None) -> list[dict[str, float]]:
    """``items`` are (subject, text, lang); returns one score dict per item.

    ``rules`` and ``whole_features``: each item's :func:`find_rules` and
    :func:`featurize` text of its whole text, when the caller has them already
    (the classifier reports the rules); else worked out here."""
    feats: list[str] = []
    owners: list[tuple[int, str]] = []  # (item index, "whole" | "window" | "rest whole" | "rest window")
    wholes = [f"{subject}\n{text}" if subject else text for subject, text, _ in items]
    if rules is None:
        rules = [find_rules(whole, lang) for whole, (_, _, lang) in zip(wholes, items)]
    for i, ((subject, text, lang), whole) in enumerate(zip(items, wholes)):
        feats.append(whole_features[i] if whole_features is not None else featurize(whole, lang).text)
        owners.append((i, "whole"))
        for w in windows(subject, text):
            feats.append(featurize(w, lang).text)
            owners.append((i, "window"))
        if rules[i].receipts:
            # the subject goes too: it names what arrived ("Re: Your register extract", "Utdraget")
            rest = without(whole, rules[i].receipts, skip_first_line=bool(subject))
            rest_windows = windows("", rest)
            feats.append(featurize(rest, lang).text)
            owners.append((i, "rest whole"))
            for w in rest_windows:
                feats.append(featurize(w, lang).text)
                owners.append((i, "rest window"))
    whole_scores: list[dict[str, float]] = [{} for _ in items]
    best: list[dict[str, float]] = [{} for _ in items]
    rest_whole: dict[int, float] = {}
    rest_best: dict[int, float] = {}
    for (i, kind), doc in zip(owners, nlp.pipe(feats, batch_size=batch_size)):
        cats = doc.cats
        if kind == "whole":
            whole_scores[i] = {label: float(cats.get(label, 0.0)) for label in LABELS}
        elif kind == "window":
            b = best[i]
            for label in REQUEST_TYPES:
                v = float(cats.get(label, 0.0))
                if v > b.get(label, -1.0):
                    b[label] = v
        elif kind == "rest whole":
            rest_whole[i] = float(cats.get("access", 0.0))
        else:
            rest_best[i] = max(rest_best.get(i, -1.0), float(cats.get("access", 0.0)))
    out = []
    for i, (w, b, found) in enumerate(zip(whole_scores, best, rules)):
        combined = {label: WHOLE_WEIGHT * w[label] + (1 - WHOLE_WEIGHT) * b[label] if label in b else w[label]
                    for label in REQUEST_TYPES}
        combined["automated"] = w.get("automated", 0.0)
        if i in rest_whole:  # rule gate (receipts.py): access from the rest of the mail
            rest = WHOLE_WEIGHT * rest_whole[i] + (1 - WHOLE_WEIGHT) * rest_best[i] if i in rest_best else rest_whole[i]
            combined["access"] = min(combined["access"], rest)
        if found.cue is None:  # rule gate (gates.py)
            combined["restriction"] = min(combined["restriction"], CAP)
        if found.lookalike:  # rule gate (lookalikes.py)
            combined["objection"] = min(combined["objection"], CAP)
        for label in found.cited:  # rule evidence (citations.py)
            combined[label] = max(combined[label], FLOOR)
        if found.source or found.recipients:  # rule evidence (sources.py, recipients.py)
            combined["access"] = max(combined["access"], FLOOR)
        if found.contact:  # rule evidence (contact.py)
            combined["objection"] = max(combined["objection"], FLOOR)
        if found.optout:  # rule evidence (optout.py)
            combined["unsubscribe"] = max(combined["unsubscribe"], FLOOR)
        if found.deletion:  # rule evidence (deletion.py)
            combined["erasure"] = max(combined["erasure"], FLOOR)
        out.append(combined)
    return out
