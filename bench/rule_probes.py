"""Four rules on independently written probes (``models/probes/``).

* ``source-*.jsonl`` (rounds ``*-17`` to ``*-19``): the source-of-data rule
  (``intake_bot/sources.py``), which floors access;
* ``optout-*.jsonl`` (rounds ``*-20``, ``*-21``): the marketing opt-out rule
  (``intake_bot/optout.py``), which floors unsubscribe;
* ``deletion-*.jsonl`` (rounds ``*-22``, ``*-23``): the deletion rule
  (``intake_bot/deletion.py``), which floors erasure;
* ``objection-*.jsonl`` (round ``*-24``): the look-alike gate
  (``intake_bot/lookalikes.py``), which caps objection. A gate is right when it
  fires on a look-alike and wrong when it fires on a real objection;
* ``receipt-*.jsonl`` (round ``*-28``): the receipt rule (``intake_bot/receipts.py``),
  which scores access again without "thanks, the extract arrived" sentences. It
  counts as a gate: right when it fires in mail that asks for no access;
* ``access-*.jsonl`` (rounds ``*-26``, ``*-29``): the recipients and retention
  rule (``intake_bot/recipients.py``), which floors access;
* ``contact-*.jsonl`` (round ``*-31``): the stop-calling rule
  (``intake_bot/contact.py``), which floors objection.

Each round was written by a helper who saw neither the corpus nor the rule,
about half of it hard negatives. For each round: the rule's right and wrong
hits, and the whole classifier's F1 for the rule's label and exact-set accuracy
with and without the rule.

Run:  .venv/bin/python bench/rule_probes.py
Writes bench/results/rule_probes.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# probe file prefix -> (the scoring module's name for the rule, its label, True for a gate that caps it)
RULES = {"source": ("source_question", "access", False), "optout": ("optout_request", "unsubscribe", False),
         "deletion": ("deletion_request", "erasure", False), "objection": ("objection_lookalike", "objection", True),
         "receipt": ("receipt_sentences", "access", True), "access": ("recipients_question", "access", False),
         "contact": ("contact_objection", "objection", False)}
TAKES_LANG = {"objection_lookalike"}


def main() -> int:
    from intake_bot import scoring
    from intake_bot.classify import Classifier
    from intake_bot.corpus import load_corpus
    from intake_bot.evaluate import example_to_eml
    from intake_bot.parse import parse_message
    from intake_bot.train import writing_round

    clf = Classifier.load(None)
    results = {}
    for prefix, (name, label, gate) in RULES.items():
        rule = getattr(scoring, name)
        probes = load_corpus(ROOT / "models" / "probes", pattern=f"{prefix}-*.jsonl")
        for key in sorted({writing_round(e) for e in probes}):
            examples = [e for e in probes if writing_round(e) == key]
            gold = [label in e.labels for e in examples]
            hits = [bool(rule(e.input_text, e.lang) if name in TAKES_LANG else rule(e.input_text)) for e in examples]
            row = {"rule": name, "label": label, "messages": len(examples), "asking": sum(gold),
                   "rule_right": sum(h and (g != gate) for h, g in zip(hits, gold)),
                   "rule_wrong": sum(h and (g == gate) for h, g in zip(hits, gold))}
            msgs = [parse_message(example_to_eml(e)) for e in examples]
            for variant, fn in (("with_rule", rule), ("without_rule", lambda text, lang=None: None)):
                setattr(scoring, name, fn)
                try:
                    out = clf.classify_many(msgs)
                finally:
                    setattr(scoring, name, rule)
                pred = [label in c.request_types for c in out]
                tp = sum(p and g for p, g in zip(pred, gold))
                fp = sum(p and not g for p, g in zip(pred, gold))
                fn_ = sum(g and not p for p, g in zip(pred, gold))
                row[variant] = {"f1": round(2 * tp / (2 * tp + fp + fn_), 3) if tp else 0.0, "fp": fp, "fn": fn_,
                                "exact_set": round(sum(set(c.request_types) == set(e.labels)
                                                       for c, e in zip(out, examples)) / len(examples), 3)}
            results[f"{prefix} {key}"] = row
            print(f"{prefix} round {key}: {row['messages']} messages, {row['asking']} ask; rule "
                  f"{row['rule_right']} right, {row['rule_wrong']} wrong; {label} F1 "
                  f"{row['without_rule']['f1']} -> {row['with_rule']['f1']}, exact-set "
                  f"{row['without_rule']['exact_set']} -> {row['with_rule']['exact_set']}", flush=True)
    out_path = ROOT / "bench" / "results" / "rule_probes.json"
    out_path.write_text(json.dumps({"model_version": clf.version, "probes": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
