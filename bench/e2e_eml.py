"""The whole path on raw mail: ``models/e2e/<round>/<lang>/*.eml`` -> parse -> classify.

Three rounds of 72 messages (12 per language), written on 2026-11-27 by helper
sessions that saw neither the code nor the corpus, as mail clients produce them: Gmail,
Outlook, Apple Mail and Thunderbird replies quoting our letters, HTML-only and
multipart/alternative bodies, non-UTF-8 charsets, quoted-printable and base64,
attachments, forwards, company signatures with confidentiality notices, and one
automated mail without headers (round 2 also: interleaved and bottom-posted
answers, two-level threads, GMX/Yahoo/Outlook for Mac, requests in a P.S.,
replies to our register extract). ``expected.jsonl`` gives each
file's labels, whether it is automated, and the text the person newly wrote.

Each message is scored twice: from its ``.eml`` bytes, and from the writer's
``new_text`` alone (written out by ``evaluate.example_to_eml``). The difference
is what parsing (quotes, signatures, notices, automated-mail detection) costs;
the rest is the classifier's.

Run:  .venv/bin/python bench/e2e_eml.py [-v]
Writes bench/results/e2e_eml.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv: list[str]) -> int:
    from intake_bot.classify import Classifier

    verbose = "-v" in argv
    clf = Classifier.load(None)
    result = {"model_version": clf.version, "rounds": {}}
    for round_dir in sorted(p for p in (ROOT / "models" / "e2e").iterdir() if p.is_dir()):
        row = _score_round(clf, round_dir)
        result["rounds"][round_dir.name] = row
        print(f"{round_dir.name}: {row['messages']} messages, automated right {row['automated_right']}; "
              f"{row['scored']} scored")
        for name in ("from_eml", "from_new_text"):
            print(f"  {name}: macro-F1 {row[name]['macro_f1']}, exact-set {row[name]['exact_set']}")
        print(f"  parsing changed the labels of {row['parsing_changed']} messages")
        if verbose:
            for wrong in row["wrong"]:
                print("   ", wrong)
    (ROOT / "bench" / "results" / "e2e_eml.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


def _score_round(clf, round_dir: Path) -> dict:
    from intake_bot.corpus import Example
    from intake_bot.evaluate import example_to_eml, prf
    from intake_bot.parse import parse_message

    gold, from_eml, from_text, rows = [], [], [], []
    automated_right = automated_total = 0
    for expected in sorted(round_dir.glob("*/expected.jsonl")):
        for line in expected.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            want = json.loads(line)
            msg = parse_message((expected.parent / want["file"]).read_bytes())
            got = clf.classify(msg)
            automated_total += 1
            automated_right += got.automated == want["automated"]
            if want["automated"] or got.automated:
                if got.automated != want["automated"]:
                    rows.append({"file": want["file"], "automated": got.automated, "want_automated": want["automated"],
                                 "reason": got.automated_reason})
                continue
            alone = Example(id=want["file"], lang=expected.parent.name, text=want["new_text"], labels=(),
                            subject=msg.subject)
            text = clf.classify(parse_message(example_to_eml(alone)))
            g = tuple(sorted(want["labels"]))
            gold.append(g)
            from_eml.append(tuple(sorted(got.request_types)))
            from_text.append(tuple(sorted(text.request_types)))
            if from_eml[-1] != g or from_text[-1] != g:
                rows.append({"file": want["file"], "labels": list(g), "from_eml": list(from_eml[-1]),
                             "from_new_text": list(from_text[-1])})
    out = {"messages": automated_total, "scored": len(gold), "automated_right": automated_right,
           "parsing_changed": sum(a != b for a, b in zip(from_eml, from_text))}
    for name, pred in (("from_eml", from_eml), ("from_new_text", from_text)):
        scores = prf(gold, pred)
        out[name] = {"macro_f1": scores["macro_f1"],
                     "exact_set": round(sum(a == b for a, b in zip(gold, pred)) / len(gold), 3),
                     "f1": {k: v["f1"] for k, v in scores["per_label"].items()}}
    out["wrong"] = rows
    return out


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
