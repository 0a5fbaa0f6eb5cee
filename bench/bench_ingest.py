"""a) Ingest: N realistic messages in Dovecot, `poll --once` until done, one commit per message.

Reports msg/s end to end on SQLite and PostgreSQL, and, in the same run, the rate
of a bare imap-tools bulk fetch of the same messages (the ceiling), the ratio,
and the peak RSS of the poll process for each N.

Run:  .venv/bin/python bench/bench_ingest.py [--n 1000 10000] [--runs 3] [--runs-big 1] [--db sqlite postgresql]
(--runs-big: runs for N >= 10,000, which take minutes each)
Writes bench/results/ingest.json.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from pathlib import Path

from common import ROOT, EXE, append_all, env_for, machine, median, messages, save, timed, write_config

sys.path.insert(0, str(ROOT / "tests"))
from tests.servers import Dovecot, Postgres, SmtpSink  # noqa: E402


def bare_fetch(dovecot, user: str) -> float:
    from imap_tools import MailBoxUnencrypted

    t = time.perf_counter()
    n = 0
    with MailBoxUnencrypted(dovecot.host, dovecot.port).login(user, dovecot.users[user]) as box:
        for _msg in box.fetch(mark_seen=False, bulk=100):
            n += 1
    return n / (time.perf_counter() - t)


def one_run(n: int, db: str, dovecot, sink, pg, raws: list[bytes]) -> dict:
    user = f"ing{uuid.uuid4().hex[:8]}"
    dovecot.add_user(user, "pw")
    append_all(dovecot, user, raws)
    work = Path(dovecot.dir) / f"bench-{user}"
    work.mkdir()
    url = f"sqlite:///{work / 'b.db'}" if db == "sqlite" else pg.create_database(f"b_{uuid.uuid4().hex[:12]}")
    cfg = write_config(work / "b.toml", db_url=url, dovecot=dovecot, users=[user], smtp_port=sink.port)
    env = env_for(cfg, dovecot, [user])
    timed([EXE, "db", "upgrade"], env)
    fetch_rate = bare_fetch(dovecot, user)  # the same messages, before ingest moves them
    wall, rss = timed([EXE, "poll", "--once"], env)
    left = dovecot.folder_uids(user, "INBOX")
    if left:
        raise SystemExit(f"{len(left)} messages were not ingested")
    return {"n": n, "db": db, "ingest_msgs_per_s": n / wall, "wall_s": wall, "bare_fetch_msgs_per_s": fetch_rate,
            "ratio": (n / wall) / fetch_rate, "peak_rss_mb": rss}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--runs-big", type=int, default=1)
    ap.add_argument("--db", nargs="+", default=["sqlite", "postgresql"])
    args = ap.parse_args()
    rows = []
    with Dovecot() as dovecot, SmtpSink() as sink, Postgres() as pg:
        for n in args.n:
            raws = messages(n, tag=f"n{n}")
            for db in args.db:
                runs = [one_run(n, db, dovecot, sink, pg, raws)
                        for _ in range(args.runs_big if n >= 10000 else args.runs)]
                row = {"n": n, "db": db, "runs": runs}
                for k in ("ingest_msgs_per_s", "bare_fetch_msgs_per_s", "ratio", "peak_rss_mb"):
                    row[k] = round(median(r[k] for r in runs), 3 if k == "ratio" else 1)
                rows.append(row)
                print(f"N={n:<6} {db:<10} ingest {row['ingest_msgs_per_s']:>7.1f} msg/s   bare fetch "
                      f"{row['bare_fetch_msgs_per_s']:>7.1f} msg/s   ratio {row['ratio']:.2f}   "
                      f"peak RSS {row['peak_rss_mb']:.0f} MB", flush=True)
    path = save("ingest", {"machine": machine(), "runs_per_point": args.runs, "runs_for_n_10000": args.runs_big,
                           "results": rows})
    print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
