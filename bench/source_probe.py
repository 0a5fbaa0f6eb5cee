"""The source-of-data rule (``intake_bot/sources.py``) on independently written probes.

``models/probes/source-*.jsonl``: three rounds of mail written by writers who
never saw the rule or the corpus, each with people asking where we got their
data (access, Art. 15(1)(g)) and debt questions that look like it (not a
request). For each round: the rule's hits, and access F1 and exact-set accuracy
of the whole classifier with and without the rule.

Run:  .venv/bin/python bench/source_probe.py
Writes bench/results/source_probe.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    from intake_bot import scoring
    from intake_bot.classify import Classifier
    from intake_bot.corpus import load_corpus
    from intake_bot.evaluate import example_to_eml
    from intake_bot.parse import parse_message
    from intake_bot.sources import source_question

    from intake_bot.train import writing_round

    clf = Classifier.load(None)
    results = {}
    probes = load_corpus(ROOT / "models" / "probes")
    for key in sorted({writing_round(e) for e in probes}):
        examples = [e for e in probes if writing_round(e) == key]
        gold = ["access" in e.labels for e in examples]
        hits = [bool(source_question(e.input_text)) for e in examples]
        row = {"messages": len(examples), "asking": sum(gold),
               "rule": {"true_hits": sum(h and g for h, g in zip(hits, gold)),
                        "false_hits": sum(h and not g for h, g in zip(hits, gold))}}
        msgs = [parse_message(example_to_eml(e)) for e in examples]
        for name, rule in (("with_rule", source_question), ("without_rule", lambda text: None)):
            scoring.source_question = rule
            try:
                out = clf.classify_many(msgs)
            finally:
                scoring.source_question = source_question
            pred = ["access" in c.request_types for c in out]
            tp = sum(p and g for p, g in zip(pred, gold))
            fp = sum(p and not g for p, g in zip(pred, gold))
            fn = sum(g and not p for p, g in zip(pred, gold))
            row[name] = {"access_f1": round(2 * tp / (2 * tp + fp + fn), 3) if tp else 0.0,
                         "access_fp": fp, "access_fn": fn,
                         "exact_set": round(sum(set(c.request_types) == set(e.labels)
                                                for c, e in zip(out, examples)) / len(examples), 3)}
        results[key] = row
        print(f"round {key}: {row['messages']} messages, {row['asking']} ask; rule {row['rule']['true_hits']} "
              f"right, {row['rule']['false_hits']} wrong; access F1 {row['without_rule']['access_f1']} -> "
              f"{row['with_rule']['access_f1']}, exact-set {row['without_rule']['exact_set']} -> "
              f"{row['with_rule']['exact_set']}", flush=True)
    out_path = ROOT / "bench" / "results" / "source_probe.json"
    out_path.write_text(json.dumps({"model_version": clf.version, "probes": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
