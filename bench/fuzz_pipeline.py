"""Fuzz the whole pipeline with 10,000+ structure-aware broken messages (hypothesis).

Every example must end stored or quarantined with a reason; no exception may
escape and no message may be quarantined as an "internal error".

Hypothesis repeats some inputs byte for byte (they end "already stored" without
reaching the parser), so the run goes on until ``--distinct`` different messages
have been through the pipeline, and reports both counts. Messages that differ
but share a Message-ID take the pipeline's "duplicate" route: that is a real
path under test, not a repeat.

Run:  .venv/bin/python bench/fuzz_pipeline.py [--distinct 10000]
Writes bench/results/fuzz.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import re
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402

from tests.fuzzing.mime import messages  # noqa: E402

NOW = datetime(2026, 11, 26, 9, tzinfo=timezone.utc)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--distinct", type=int, default=10_000, help="different messages to process")
    args = ap.parse_args()
    from intake_bot.classify import default_classifier
    from intake_bot.config import settings_from_dict
    from intake_bot.db import make_engine, upgrade
    from intake_bot.mailbox import FetchedMessage
    from intake_bot.pipeline import Pipeline
    from intake_bot.replies import make_env

    logging.getLogger("intake_bot").setLevel(logging.ERROR)  # 10,000 quarantine lines are noise; errors still show
    work = Path(tempfile.mkdtemp(prefix="intake-fuzz-"))
    url = f"sqlite:///{work / 'fuzz.db'}"
    cfg = settings_from_dict({
        "database": {"url": url},
        "mailboxes": [{"name": "info", "address": "info@alektumgroup.no", "type": "maildir", "path": str(work / "md")}],
        "smtp": {"transport": "directory", "directory": str(work / "out")},
        "pipeline": {"max_message_bytes": 300_000},
    }, env={})
    upgrade(url)
    pipeline = Pipeline(cfg, make_engine(url), default_classifier(), make_env(), now=lambda: NOW)
    stats: Counter = Counter()
    crashes: list[str] = []
    reasons: Counter = Counter()
    seen: set[bytes] = set()

    class Enough(Exception):
        pass

    @given(messages())
    @settings(max_examples=args.distinct * 3, deadline=None, suppress_health_check=list(HealthCheck),
              database=None, phases=[Phase.generate])  # no shrinking: "enough" is not a failure
    def one(raw):
        if len(seen) >= args.distinct:
            raise Enough
        stats["examples"] += 1
        seen.add(hashlib.sha256(raw).digest())
        try:
            out = pipeline.process(cfg.mailboxes[0], FetchedMessage(str(stats["examples"]), 1, NOW, raw, len(raw)))
        except Exception as exc:  # the property under test: nothing escapes
            crashes.append(f"{type(exc).__name__}: {exc}"[:200])
            return
        stats["already stored" if out.already_stored else out.disposition] += 1
        if out.quarantined and not out.already_stored:
            reasons[re.sub(r"\d+", "N", (out.reason or "").split(":")[0])[:60]] += 1
            if not out.reason or out.reason.startswith("internal error"):
                crashes.append(out.reason or "quarantined without a reason")
        if stats["examples"] % 1000 == 0:
            print(f"  {stats['examples']} examples, {len(crashes)} crashes", file=sys.stderr)

    started = time.monotonic()
    try:
        one()
    except Enough:
        pass
    result = {"examples": stats.pop("examples"), "distinct_examples": len(seen), "crashes": len(crashes), "crash_samples": crashes[:10],
              "dispositions": dict(stats), "quarantine_reasons": dict(reasons),
              "seconds": round(time.monotonic() - started, 1)}
    out = ROOT / "bench" / "results" / "fuzz.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0 if not crashes else 1


if __name__ == "__main__":
    raise SystemExit(main())
