"""d) Scaling: 1 worker, then 3 workers, on PostgreSQL with 4 mailboxes; throughput ratio.

Each run loads M messages into each of 4 mailboxes, starts K `intake-bot run`
workers and times until every message is stored. Model load is excluded by
starting the workers first and appending once they are up.

Run:  .venv/bin/python bench/bench_scaling.py [--per-mailbox 300] [--runs 2]
Writes bench/results/scaling.json.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

from common import EXE, ROOT, append_all, env_for, machine, median, messages, save, write_config

sys.path.insert(0, str(ROOT / "tests"))
from tests.servers import Dovecot, Postgres, SmtpSink  # noqa: E402


def one(k: int, m: int, dovecot, sink, pg, batches) -> float:
    from sqlalchemy import create_engine, text

    users = []
    for i in range(4):
        u = f"sc{uuid.uuid4().hex[:8]}"
        dovecot.add_user(u, "pw")
        users.append(u)
    work = Path(dovecot.dir) / f"scale-{uuid.uuid4().hex[:6]}"
    work.mkdir()
    url = pg.create_database(f"s_{uuid.uuid4().hex[:12]}")
    cfg = write_config(work / "s.toml", db_url=url, dovecot=dovecot, users=users, smtp_port=sink.port,
                       extra="[workers]\nlease_ttl_seconds = 30\n")
    env = env_for(cfg, dovecot, users)
    subprocess.run([EXE, "db", "upgrade"], env=env, check=True, capture_output=True)
    procs = [subprocess.Popen([EXE, "run", "--interval", "0.2"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True) for _ in range(k)]
    engine = create_engine(url)
    try:
        time.sleep(5)  # model load
        t = time.perf_counter()
        loaders = [threading.Thread(target=append_all, args=(dovecot, u, batches[i])) for i, u in enumerate(users)]
        for th in loaders:
            th.start()
        for th in loaders:
            th.join()
        while True:
            with engine.connect() as c:
                n = c.execute(text("SELECT count(*) FROM inbound_message")).scalar()
            if n >= 4 * m:
                break
            if time.perf_counter() - t > 900:
                raise SystemExit(f"only {n} of {4 * m} stored after 900 s")
            time.sleep(0.2)
        return 4 * m / (time.perf_counter() - t)
    finally:
        for p in procs:
            os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            p.wait(timeout=60)
        engine.dispose()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-mailbox", type=int, default=300)
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    m = args.per_mailbox
    batches = [messages(m, tag=f"s{i}") for i in range(4)]
    with Dovecot() as dovecot, SmtpSink() as sink, Postgres() as pg:
        one_worker, three_workers = [], []
        for _ in range(args.runs):  # alternate, so drift in machine load hits both alike
            one_worker.append(one(1, m, dovecot, sink, pg, batches))
            three_workers.append(one(3, m, dovecot, sink, pg, batches))
            print(f"  1 worker {one_worker[-1]:.1f} msg/s, 3 workers {three_workers[-1]:.1f} msg/s", flush=True)
    result = {"machine": machine(), "mailboxes": 4, "messages": 4 * m, "runs": args.runs,
              "one_worker_msgs_per_s": round(median(one_worker), 1),
              "three_workers_msgs_per_s": round(median(three_workers), 1),
              "ratio": round(median(three_workers) / median(one_worker), 2),
              "raw": {"one": one_worker, "three": three_workers}}
    print(f"1 worker {result['one_worker_msgs_per_s']} msg/s, 3 workers {result['three_workers_msgs_per_s']} msg/s, "
          f"ratio {result['ratio']} (2 cores)")
    print(f"wrote {save('scaling', result).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
