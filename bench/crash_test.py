"""Crash safety: kill -9 the bot at random moments and at named fault points.

Claim: a kill at any moment during ingest or sending loses no message and sends
no acknowledgement under two Message-IDs. After each kill the bot is restarted;
at the end every appended message must have exactly one database record and be
in Processed or Quarantine, and every case exactly one acknowledgement
Message-ID at the SMTP sink. A resend of the *same* Message-ID (crash between
the server's 250 and our commit) is the remaining at-least-once window: it is
counted and reported, not hidden.

Run:  .venv/bin/python bench/crash_test.py [--messages 500] [--kills 20] [--seed 1]
Writes bench/results/crash.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from tests.servers import Dovecot, SmtpSink  # noqa: E402

EXE = str(ROOT / ".venv" / "bin" / "intake-bot")
FAULTS = ("after_commit_before_move", "after_smtp_data_before_commit")
REF = re.compile(r"\[(DSR-\d{4}-\d+)\]")


def backlog(n: int) -> list[bytes]:
    """samples/*.eml plus corpus mails (evaluate.example_to_eml), each with its own sender and Message-ID."""
    import email
    import email.policy

    from intake_bot.corpus import load_corpus
    from intake_bot.evaluate import example_to_eml

    examples = list(load_corpus(ROOT / "models" / "corpus"))
    random.Random(7).shuffle(examples)
    raws = [p.read_bytes() for p in sorted((ROOT / "samples").glob("*.eml"))]
    raws += [example_to_eml(ex) for ex in examples[: max(0, n - len(raws))]]
    out = []
    for i, raw in enumerate(raws[:n]):
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        for h in ("Message-ID", "From", "Date"):
            del msg[h]
        msg["From"] = f"Person {i} <person{i}@example.org>"  # one sender each: no per-sender limit
        msg["Message-ID"] = f"<crash-{i}@example.org>"
        msg["Date"] = format_datetime(datetime.now(timezone.utc))
        out.append(msg.as_bytes())
    return out


def write_config(path: Path, db: Path, dovecot: Dovecot, sink: SmtpSink) -> None:
    path.write_text(
        "[organisation]\nname = \"Alektum Group\"\n\n"
        f"[database]\nurl = \"sqlite:///{db}\"\n\n"
        "[[mailboxes]]\nname = \"info\"\naddress = \"info@alektumgroup.no\"\n"
        f"host = \"127.0.0.1\"\nport = {dovecot.port}\nsecurity = \"none\"\nusername = \"bot\"\n"
        "password_env = \"CRASH_IMAP_PW\"\nbatch_size = 20\nidle = false\n\n"
        f"[smtp]\nhost = \"127.0.0.1\"\nport = {sink.port}\nsecurity = \"none\"\nbatch_size = 20\n"
        "backoff_base_seconds = 0.1\n\n"
        "[security]\nmax_replies_per_sender_per_day = 10\ncircuit_breaker_limit = 100000\n\n"
        "[pipeline]\npoll_interval_seconds = 0.2\n"
    )


def run_bot(config: Path, *, kill_after: float | None, fault: str | None) -> str:
    env = dict(os.environ, INTAKE_BOT_CONFIG=str(config), CRASH_IMAP_PW="testpass")
    if fault:
        env["INTAKE_BOT_FAULT"] = fault
    proc = subprocess.Popen([EXE, "run", "--interval", "0.2"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        proc.wait(timeout=kill_after if kill_after is not None else 60)
        return f"exited {proc.returncode}"
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return "killed"


def drain(config: Path) -> None:
    """Restart cleanly until nothing is left: the inbox empty and the outbox sent."""
    env = dict(os.environ, INTAKE_BOT_CONFIG=str(config), CRASH_IMAP_PW="testpass")
    for _ in range(3):
        subprocess.run([EXE, "poll", "--once"], env=env, capture_output=True)
        subprocess.run([EXE, "send", "--once"], env=env, capture_output=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=500)
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    started = time.monotonic()
    with Dovecot() as dovecot, SmtpSink() as sink:
        work = dovecot.dir / "crash"
        work.mkdir()
        config, db = work / "bot.toml", work / "bot.db"
        write_config(config, db, dovecot, sink)
        env = dict(os.environ, INTAKE_BOT_CONFIG=str(config), CRASH_IMAP_PW="testpass")
        subprocess.run([EXE, "db", "upgrade"], env=env, check=True, capture_output=True)
        mails = backlog(args.messages)
        runs = [("fault", f) for f in FAULTS] + [("random", None)] * args.kills
        # the backlog arrives in waves, one before each run, so every kill lands in real work
        waves = [mails[i::len(runs)] for i in range(len(runs))]
        print(f"{len(mails)} messages in {len(runs)} waves; killing the bot {args.kills} times at random, "
              f"and once at each of {', '.join(FAULTS)}", file=sys.stderr)
        log = []
        for i, ((kind, fault), wave) in enumerate(zip(runs, waves)):
            for raw in wave:
                dovecot.append("bot", raw)
            after = 30 if fault else rng.uniform(1.5, 6.0)  # start-up (model load) takes ~1.5-3 s
            log.append((f"fault:{fault}" if fault else f"random {after:.2f}s",
                        run_bot(config, kill_after=after, fault=fault)))
            with sqlite3.connect(db) as c:
                stored = c.execute("SELECT COUNT(*) FROM inbound_message").fetchone()[0]
            print(f"  run {i + 1}/{len(runs)}: {log[-1][0]}: {log[-1][1]}; stored {stored}, "
                  f"sink has {len(sink.messages)}", file=sys.stderr)
        drain(config)
        inbox = dovecot.folder_uids("bot", "INBOX")
        processed = dovecot.folder_uids("bot", "Processed") if "Processed" in dovecot.folders("bot") else []
        quarantined = dovecot.folder_uids("bot", "Quarantine") if "Quarantine" in dovecot.folders("bot") else []
        con = sqlite3.connect(db)
        per_mid = Counter(r[0] for r in con.execute("SELECT message_id FROM inbound_message"))
        cases = con.execute("SELECT COUNT(*) FROM dsr_case").fetchone()[0]
        outbox_ack = con.execute("SELECT COUNT(*) FROM outbox WHERE kind IN ('acknowledgement', "
                                 "'unsubscribe_confirmation')").fetchone()[0]
        unsent = con.execute("SELECT COUNT(*) FROM outbox WHERE status != 'sent'").fetchone()[0]
        received = sink.messages
        deliveries = Counter(m.message_id for m in received)
        ack_ids_per_case: dict[str, set[str]] = {}
        for m in received:
            subject = m.raw.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
            ref = REF.search(subject)
            kind = (m.message_id or "<?").lstrip("<").split(".", 1)[0]  # Message-IDs start with the mail kind
            if ref:
                ack_ids_per_case.setdefault((ref.group(1), kind), set()).add(m.message_id)
    expected = {f"crash-{i}@example.org" for i in range(len(mails))}
    result = {
        "messages": len(mails),
        "kills": sum(1 for _, r in log if r in ("killed", "exited 137")),
        "random_kills": sum(1 for k, r in log if k.startswith("random") and r == "killed"),
        "fault_point_kills": sum(1 for k, r in log if k.startswith("fault") and r == "exited 137"),
        "runs": log,
        "records_missing": len(expected - set(per_mid)),
        "records_duplicated": sum(1 for k, v in per_mid.items() if v > 1),
        "left_in_inbox": len(inbox),
        "processed": len(processed),
        "quarantined": len(quarantined),
        "lost": len(mails) - len(processed) - len(quarantined),
        "cases": cases,
        "auto_replies_queued": outbox_ack,
        "outbox_not_sent": unsent,
        "case_mails_with_two_message_ids": sum(1 for ids in ack_ids_per_case.values() if len(ids) > 1),
        "deliveries": sum(deliveries.values()),
        "distinct_message_ids_delivered": len(deliveries),
        "same_message_id_delivered_twice": sum(1 for v in deliveries.values() if v > 1),
        "extra_deliveries": sum(v - 1 for v in deliveries.values()),
        "seconds": round(time.monotonic() - started, 1),
    }
    out = ROOT / "bench" / "results" / "crash.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    for key in ("messages", "kills", "random_kills", "fault_point_kills", "records_missing", "records_duplicated", "left_in_inbox", "processed",
                "quarantined", "lost", "cases", "auto_replies_queued", "outbox_not_sent",
                "case_mails_with_two_message_ids", "deliveries", "distinct_message_ids_delivered",
                "same_message_id_delivered_twice", "extra_deliveries", "seconds"):
        print(f"{key:<34} {result[key]}")
    ok = (result["records_missing"] == result["records_duplicated"] == result["lost"] == 0
          and result["case_mails_with_two_message_ids"] == 0 and result["left_in_inbox"] == 0
          and result["outbox_not_sent"] == 0 and result["fault_point_kills"] == len(FAULTS))
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
