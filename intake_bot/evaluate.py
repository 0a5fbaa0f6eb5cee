"""Metrics for a trained model on labelled examples, next to the keyword baseline.

Each example is turned into a real RFC 5322 message and run through the same
parse -> classify path as live mail, so the figures measure the product.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from email.message import EmailMessage
from email.utils import format_datetime
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Sequence

from . import LANGUAGES, REQUEST_TYPES
from .baseline import keyword_labels
from .corpus import Example


def example_to_eml(ex: Example) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Test Person <person@example.org>"
    msg["To"] = "info@alektumgroup.no"
    msg["Subject"] = ex.subject
    msg["Date"] = format_datetime(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
    msg["Message-ID"] = f"<{ex.id}@corpus.example.org>"
    msg.set_content(ex.text or " ")
    return msg.as_bytes()


def prf(gold: Sequence[tuple[str, ...]], pred: Sequence[tuple[str, ...]]) -> dict:
    per_label = {}
    for label in REQUEST_TYPES:
        tp = sum(label in g and label in p for g, p in zip(gold, pred))
        fp = sum(label not in g and label in p for g, p in zip(gold, pred))
        fn = sum(label in g and label not in p for g, p in zip(gold, pred))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[label] = {"precision": round(precision, 4), "recall": round(recall, 4),
                            "f1": round(f1, 4), "support": tp + fn}
    macro = sum(v["f1"] for v in per_label.values()) / len(per_label)
    return {"per_label": per_label, "macro_f1": round(macro, 4)}


def exact_by_language(examples: Sequence[Example], pred: Sequence[tuple[str, ...]]) -> dict:
    hits: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for ex, p in zip(examples, pred):
        hits[ex.lang][0] += set(p) == set(ex.labels)
        hits[ex.lang][1] += 1
    table = {lang: round(h / n, 4) for lang, (h, n) in sorted(hits.items())}
    total_hits = sum(h for h, _ in hits.values())
    total = sum(n for _, n in hits.values())
    table["all"] = round(total_hits / total, 4) if total else 0.0
    return table


def evaluate(model_path: Path, examples: Sequence[Example],
             group: Callable[[Example], str] | None = None) -> dict:
    """Score the model at ``model_path`` on ``examples``; ``group`` adds the same
    headline figures per group (e.g. per writing round of the dev set)."""
    from .classify import Classifier
    from .parse import parse_message

    clf = Classifier.load(model_path)
    msgs = [parse_message(example_to_eml(ex)) for ex in examples]
    results = clf.classify_many(msgs)
    gold = [ex.labels for ex in examples]
    pred = [r.request_types for r in results]
    base = [keyword_labels(ex.input_text) for ex in examples]

    autos = [(ex, r) for ex, r in zip(examples, results) if ex.automated]
    humans = [(ex, r) for ex, r in zip(examples, results) if not ex.automated]
    lang_ok = sum(r.language == ex.lang for ex, r in zip(examples, results))
    confusion = Counter((ex.lang, r.language) for ex, r in zip(examples, results) if r.language != ex.lang)
    nb_da = [(ex, r) for ex, r in zip(examples, results) if ex.lang in ("nb", "da")]
    model = prf(gold, pred)
    baseline = prf(gold, base)
    summary = {
        "examples": len(examples),
        "macro_f1": model["macro_f1"],
        "exact_set_accuracy": exact_by_language(examples, pred)["all"],
        "automated_recall": round(sum(r.automated for _, r in autos) / len(autos), 4) if autos else None,
        "automated_false_positive_rate": round(sum(r.automated for _, r in humans) / len(humans), 4)
        if humans else None,
        "language_accuracy": round(lang_ok / len(examples), 4) if examples else None,
        "nb_da_accuracy": round(sum(r.language == ex.lang for ex, r in nb_da) / len(nb_da), 4)
        if nb_da else None,
        "baseline_macro_f1": baseline["macro_f1"],
        "baseline_exact_set_accuracy": exact_by_language(examples, base)["all"],
    }
    groups = {}
    for key in sorted({group(ex) for ex in examples} if group else ()):
        picked = [(ex, p) for ex, p in zip(examples, pred) if group(ex) == key]
        groups[key] = {"examples": len(picked),
                       "macro_f1": prf([ex.labels for ex, _ in picked], [p for _, p in picked])["macro_f1"],
                       "exact_set_accuracy": exact_by_language([ex for ex, _ in picked],
                                                               [p for _, p in picked])["all"]}
    return {
        "summary": summary,
        **({"groups": groups} if group else {}),
        "model": {**model, "exact_set_accuracy_by_language": exact_by_language(examples, pred)},
        "keyword_baseline": {**baseline, "exact_set_accuracy_by_language": exact_by_language(examples, base)},
        "language": {
            "accuracy": summary["language_accuracy"],
            "confusions": {f"{g}->{p}": n for (g, p), n in sorted(confusion.items())},
            "per_language": {
                lang: round(
                    sum(r.language == lang for ex, r in zip(examples, results) if ex.lang == lang)
                    / max(1, sum(ex.lang == lang for ex in examples)), 4)
                for lang in LANGUAGES
            },
        },
        "errors": [
            {"id": ex.id, "gold": list(ex.labels), "pred": list(r.request_types),
             "automated": r.automated}
            for ex, r in zip(examples, results)
            if set(r.request_types) != set(ex.labels) or r.automated != ex.automated
        ][:200],
    }
