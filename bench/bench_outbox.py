"""c) Outbox: send 5,000 queued acknowledgements to aiosmtpd over one reused connection per
batch, and compare with opening one connection per message, in the same run.

Run:  .venv/bin/python bench/bench_outbox.py [--messages 5000] [--per-message 1000] [--runs 3]
(--per-message: how many the slow one-connection-per-message mode sends; its rate is what is compared)
Writes bench/results/outbox.json.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

from common import ROOT, machine, median, save

sys.path.insert(0, str(ROOT / "tests"))
from tests.servers import SmtpSink  # noqa: E402


def queue(engine, n: int) -> None:
    from email.message import EmailMessage

    from sqlmodel import Session

    from intake_bot.models import OutboxMessage

    now = datetime.now(timezone.utc)
    with Session(engine) as s:
        for i in range(n):
            msg = EmailMessage()
            mid = f"{uuid.uuid4().hex}@alektumgroup.com"
            msg["From"], msg["To"], msg["Subject"], msg["Message-ID"] = (
                "dataprotection@alektumgroup.com", f"p{i}@example.org", f"[DSR-2026-{i:06d}] Vi har mottatt", f"<{mid}>")
            msg.set_content("Takk for henvendelsen. " * 40)
            s.add(OutboxMessage(kind="acknowledgement", from_addr="dataprotection@alektumgroup.com",
                                to_addr=f"p{i}@example.org", message_id=mid, raw=msg.as_bytes(), created_at=now,
                                next_attempt_at=now))
        s.commit()


def run_once(n: int, per_message: bool, sink, work: Path) -> float:
    from intake_bot.config import SmtpConfig
    from intake_bot.db import make_engine, upgrade
    from intake_bot.outbox import send_due

    url = f"sqlite:///{work / f'o-{uuid.uuid4().hex[:8]}.db'}"
    upgrade(url)
    engine = make_engine(url)
    queue(engine, n)
    cfg = SmtpConfig(host="127.0.0.1", port=sink.port, security="none", batch_size=1 if per_message else 500)
    before = len(sink.messages)
    t = time.perf_counter()
    now = lambda: datetime.now(timezone.utc)  # noqa: E731
    while True:
        rep = asyncio.run(send_due(engine, cfg, worker="bench", now=now))
        if rep.claimed == 0:
            break
    dt = time.perf_counter() - t
    assert len(sink.messages) - before == n, "not every message arrived"
    return n / dt


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=5000)
    ap.add_argument("--per-message", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    import tempfile

    work = Path(tempfile.mkdtemp(prefix="intake-outbox-"))
    with SmtpSink() as sink:
        reused, fresh = [], []
        for _ in range(args.runs):  # alternate, so drift in machine load hits both alike
            reused.append(run_once(args.messages, False, sink, work))
            fresh.append(run_once(args.per_message, True, sink, work))
    result = {"machine": machine(), "messages": args.messages, "per_message_messages": args.per_message,
              "runs": args.runs,
              "reused_connection_msgs_per_s": round(median(reused), 1),
              "connection_per_message_msgs_per_s": round(median(fresh), 1),
              "ratio": round(median(reused) / median(fresh), 2), "raw": {"reused": reused, "per_message": fresh}}
    print(f"{'mode':<34} {'msg/s (median)':>15}")
    print(f"{'one connection per batch of 500':<34} {result['reused_connection_msgs_per_s']:>15}")
    print(f"{'one claim + connection per message':<34} {result['connection_per_message_msgs_per_s']:>15}")
    print(f"ratio {result['ratio']}  (target >= 200 msg/s)")
    print(f"wrote {save('outbox', result).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
