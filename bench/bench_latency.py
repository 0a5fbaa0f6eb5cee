"""b) Latency: with IMAP IDLE, append a request and time until its acknowledgement
reaches the SMTP sink; 50 messages, one at a time, against a running `intake-bot run`.

Run:  .venv/bin/python bench/bench_latency.py [--messages 50] [--db sqlite|postgresql]
Writes bench/results/latency.json.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import uuid
from pathlib import Path

from common import EXE, ROOT, append_all, env_for, machine, save, write_config

sys.path.insert(0, str(ROOT / "tests"))
from tests.servers import Dovecot, Postgres, SmtpSink  # noqa: E402

REQUEST = ("Hei,\n\nJeg ønsker innsyn i alle personopplysningene dere har om meg.\n\nMvh {n}\n")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=50)
    ap.add_argument("--db", default="sqlite", choices=["sqlite", "postgresql"])
    args = ap.parse_args()
    from email.message import EmailMessage

    with Dovecot() as dovecot, SmtpSink() as sink, Postgres() as pg:
        user = "lat"
        dovecot.add_user(user, "pw")
        work = Path(dovecot.dir) / "latency"
        work.mkdir()
        url = f"sqlite:///{work / 'l.db'}" if args.db == "sqlite" else pg.create_database("lat")
        # poll interval 60 s: anything faster than that is IDLE's doing
        cfg = write_config(work / "l.toml", db_url=url, dovecot=dovecot, users=[user], smtp_port=sink.port,
                           extra="[pipeline]\npoll_interval_seconds = 60\n")
        env = env_for(cfg, dovecot, [user])
        subprocess.run([EXE, "db", "upgrade"], env=env, check=True, capture_output=True)
        proc = subprocess.Popen([EXE, "run"], env=env, stdout=subprocess.DEVNULL, stderr=open(work / "bot.log", "w"))
        try:
            time.sleep(4)  # model load and the first (empty) cycle
            lat = []
            for i in range(args.messages):
                msg = EmailMessage()
                msg["From"] = f"p{i}@example.org"
                msg["To"] = "info@alektumgroup.no"
                msg["Subject"] = "Innsyn"
                msg["Message-ID"] = f"<lat-{uuid.uuid4().hex}@example.org>"
                msg.set_content(REQUEST.format(n=i))
                before = len(sink.messages)
                t = time.perf_counter()
                append_all(dovecot, user, [msg.as_bytes()])
                while len(sink.messages) <= before:
                    if time.perf_counter() - t > 30:
                        raise SystemExit(f"message {i}: no acknowledgement within 30 s; log: {(work / 'bot.log').read_text()[-3000:]}")
                    time.sleep(0.01)
                lat.append(time.perf_counter() - t)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    lat.sort()
    p50, p95 = lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.95))]
    result = {"machine": machine(), "messages": len(lat), "db": args.db, "p50_s": round(p50, 3),
              "p95_s": round(p95, 3), "max_s": round(lat[-1], 3), "raw": lat}
    print(f"append -> acknowledgement at the sink, {len(lat)} messages ({args.db}): "
          f"p50 {p50:.2f} s (target <= 2), p95 {p95:.2f} s (target <= 5), max {lat[-1]:.2f} s")
    print(f"wrote {save('latency', result).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
