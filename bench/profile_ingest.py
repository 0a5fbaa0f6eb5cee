"""Ingest in-process, for profiling: N bench messages from a Maildir into a fresh database.

No servers and no process start-up: `ingest.poll_mailbox` over a Maildir (the same
pipeline as IMAP; the fetch is a file read), so what is left is the pipeline's own
cost. Prints msg/s (wall and CPU), SQL statements per message, and with
--profile writes a pyinstrument report (text and HTML) next to --out.

Run:  .venv/bin/python bench/profile_ingest.py [--n 600] [--db URL] [--profile] [--out /tmp/ingest-profile]
(default database: a new SQLite file in a temporary directory)
"""

from __future__ import annotations

import argparse
import mailbox as std_mailbox
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from common import messages


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=600)
    ap.add_argument("--db", default=None, help="database URL (default: a new SQLite file)")
    ap.add_argument("--profile", action="store_true", help="run under pyinstrument")
    ap.add_argument("--out", default=None, help="report path prefix (default: in the temporary directory)")
    args = ap.parse_args()

    from sqlalchemy import event

    from intake_bot.classify import default_classifier
    from intake_bot.config import load_settings
    from intake_bot.db import ensure_schema, make_engine, upgrade
    from intake_bot.ingest import poll_mailbox
    from intake_bot.pipeline import Pipeline
    from intake_bot.replies import make_env

    work = Path(tempfile.mkdtemp(prefix="intake-profile-"))
    box = std_mailbox.Maildir(work / "md", create=True)
    for raw in messages(args.n, tag="prof"):
        box.add(raw)
    url = args.db or f"sqlite:///{work / 'p.db'}"
    (work / "c.toml").write_text(
        f'[database]\nurl = "{url}"\n\n[[mailboxes]]\nname = "box0"\naddress = "box0@alektumgroup.no"\n'
        f'type = "maildir"\npath = "{work / "md"}"\nbatch_size = 100\n\n'
        '[smtp]\nhost = "127.0.0.1"\nport = 2525\nsecurity = "none"\n\n'
        '[security]\nmax_replies_per_sender_per_day = 100\ncircuit_breaker_limit = 1000000\n')
    settings = load_settings(work / "c.toml")
    upgrade(url)
    engine = make_engine(url)
    ensure_schema(engine)
    now = lambda: datetime.now(timezone.utc)  # noqa: E731
    pipeline = Pipeline(settings, engine, default_classifier(None, settings.pipeline.review_margin), make_env(),
                        now=now)
    statements = 0

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_args):
        nonlocal statements
        statements += 1

    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
    wall, cpu = time.perf_counter(), time.process_time()
    report = poll_mailbox(settings, engine, pipeline, settings.mailboxes[0], now=now)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if profiler is not None:
        profiler.stop()
        out = Path(args.out or work / "ingest-profile")
        out.with_suffix(".txt").write_text(profiler.output_text(unicode=False, color=False))
        out.with_suffix(".html").write_text(profiler.output_html())
        print(f"profile: {out.with_suffix('.txt')}")
    print(f"{args.n} messages: {args.n / wall:.1f} msg/s wall, {args.n / cpu:.1f} msg/s of CPU; "
          f"{statements / args.n:.1f} SQL statements a message; {report.dispositions}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
