"""Classifier speed and memory (issue: classifier targets).

* throughput: .eml bytes -> Classification, one process pinned to one core,
  after the model is loaded; median of several runs;
* cold start: wall time of `intake-bot classify ONE.eml` from process start;
* peak RSS of that cold process and of the throughput process.

Run:  .venv/bin/python bench/bench_classify.py [--runs 5] [--messages 2000]
Prints a table and writes bench/results/classify.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def corpus_emls(n: int) -> list[bytes]:
    from intake_bot.corpus import load_corpus
    from intake_bot.evaluate import example_to_eml

    examples = load_corpus(ROOT / "models" / "corpus")
    emls = [example_to_eml(e) for e in examples]
    emls += [p.read_bytes() for p in sorted((ROOT / "samples").glob("*.eml"))]
    out = []
    while len(out) < n:
        out.extend(emls)
    return out[:n]


def throughput(runs: int, n: int) -> dict:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    from intake_bot.classify import default_classifier
    from intake_bot.parse import parse_message

    clf = default_classifier()
    emls = corpus_emls(n)
    clf.classify_many([parse_message(e) for e in emls[:50]])  # warm-up
    rates = []
    for _ in range(runs):
        t = time.perf_counter()
        for i in range(0, len(emls), 64):  # batches of 64, as the pipeline would
            clf.classify_many([parse_message(e) for e in emls[i:i + 64]])
        rates.append(len(emls) / (time.perf_counter() - t))
    one = []
    for _ in range(runs):  # one message at a time, as the live mail loop does
        t = time.perf_counter()
        for e in emls[:500]:
            clf.classify(parse_message(e))
        one.append(500 / (time.perf_counter() - t))
    return {"batched_msgs_per_s": rates, "single_msgs_per_s": one,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def cold_start(runs: int) -> dict:
    sample = sorted((ROOT / "samples").glob("*.eml"))[0]
    exe = ROOT / ".venv" / "bin" / "intake-bot"
    walls = []
    for _ in range(runs):
        t = time.perf_counter()
        proc = subprocess.run([str(exe), "classify", str(sample)], capture_output=True, text=True)
        walls.append(time.perf_counter() - t)
        if proc.returncode != 0:
            raise SystemExit(f"classify failed: {proc.stderr[-500:]}")
    # the largest resident set of any child so far: every child is one cold classify
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"wall_s": walls, "peak_rss_mb": [rss]}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--messages", type=int, default=2000)
    args = ap.parse_args()
    cold = cold_start(args.runs)
    thr = throughput(args.runs, args.messages)
    med = statistics.median
    result = {
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        "messages": args.messages, "runs": args.runs,
        "throughput_batched_median": round(med(thr["batched_msgs_per_s"])),
        "throughput_single_median": round(med(thr["single_msgs_per_s"])),
        "cold_start_median_s": round(med(cold["wall_s"]), 2),
        "cold_peak_rss_median_mb": round(med(cold["peak_rss_mb"])),
        "warm_process_peak_rss_mb": round(thr["peak_rss_mb"]),
        "raw": {"throughput": thr, "cold": cold},
    }
    out = ROOT / "bench" / "results" / "classify.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{'metric':<40} {'median':>10} {'target':>10}")
    print(f"{'msgs/s, .eml -> result, 1 core, batched':<40} {result['throughput_batched_median']:>10} {'>= 300':>10}")
    print(f"{'msgs/s, one at a time':<40} {result['throughput_single_median']:>10} {'>= 300':>10}")
    print(f"{'cold classify of 1 message (s)':<40} {result['cold_start_median_s']:>10} {'<= 3':>10}")
    print(f"{'peak RSS, cold CLI (MB)':<40} {result['cold_peak_rss_median_mb']:>10} {'<= 400':>10}")
    print(f"{'peak RSS, throughput process (MB)':<40} {result['warm_process_peak_rss_mb']:>10} {'<= 400':>10}")
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
