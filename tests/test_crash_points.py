"""Crash safety at the named fault points: the bot process dies (os._exit(137), like kill -9)

- after a message's commit but before the IMAP MOVE: the restart finds the message
  already stored, moves it, and stores no second record;
- after the SMTP server accepted DATA but before the outbox commit: the restart
  resends under the *same* Message-ID (the remaining at-least-once window, one
  delivery per crash), never a second acknowledgement with a new Message-ID.

Each point gets one real subprocess run against real Dovecot and an SMTP sink.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.servers import Dovecot, SmtpSink

ROOT = Path(__file__).resolve().parent.parent
EXE = str(Path(sys.executable).parent / "intake-bot")
REF = re.compile(rb"\[(DSR-\d{4}-\d+)\]")
SAMPLES = ["01-nb-access.eml", "02-da-erasure.eml", "03-sv-rectification.eml", "05-de-access-portability.eml"]


def backlog() -> list[bytes]:
    out = []
    for i, name in enumerate(SAMPLES):
        msg = email.message_from_bytes((ROOT / "samples" / name).read_bytes(), policy=email.policy.default)
        for h in ("Message-ID", "From"):
            del msg[h]
        msg["Message-ID"] = f"<point-{i}@example.org>"
        msg["From"] = f"Person {i} <point{i}@example.org>"
        out.append(msg.as_bytes())
    return out


@pytest.fixture
def rig(tmp_path):
    with Dovecot(users={"bot": "pw"}) as dovecot, SmtpSink() as sink:
        db = tmp_path / "bot.db"
        cfg = tmp_path / "bot.toml"
        cfg.write_text(
            f'[database]\nurl = "sqlite:///{db}"\n\n'
            '[[mailboxes]]\nname = "info"\naddress = "info@alektumgroup.no"\n'
            f'host = "127.0.0.1"\nport = {dovecot.port}\nsecurity = "none"\nusername = "bot"\n'
            'password_env = "POINT_PW"\nbatch_size = 2\nidle = false\n\n'
            f'[smtp]\nhost = "127.0.0.1"\nport = {sink.port}\nsecurity = "none"\n')
        env = dict(os.environ, INTAKE_BOT_CONFIG=str(cfg), POINT_PW="pw")
        env.pop("INTAKE_BOT_FAULT", None)
        subprocess.run([EXE, "db", "upgrade"], env=env, check=True, capture_output=True)
        mails = backlog()
        for raw in mails:
            dovecot.append("bot", raw)

        def bot(*args: str, fault: str | None = None) -> int:
            e = dict(env, INTAKE_BOT_FAULT=fault) if fault else env
            return subprocess.run([EXE, *args], env=e, capture_output=True, timeout=120).returncode

        yield dovecot, sink, db, bot, len(mails)


def check_invariants(dovecot, sink, db, n):
    con = sqlite3.connect(db)
    per_mid = Counter(r[0] for r in con.execute("SELECT message_id FROM inbound_message"))
    assert per_mid == Counter({f"point-{i}@example.org": 1 for i in range(n)})  # one record each, none lost
    assert dovecot.folder_uids("bot", "INBOX") == []
    assert len(dovecot.folder_uids("bot", "Processed")) == n
    assert con.execute("SELECT COUNT(*) FROM outbox WHERE status != 'sent'").fetchone()[0] == 0
    acks = con.execute("SELECT COUNT(*) FROM outbox WHERE kind = 'acknowledgement'").fetchone()[0]
    cases = con.execute("SELECT COUNT(*) FROM dsr_case").fetchone()[0]
    assert cases >= 3 and acks == cases
    ids_per_case: dict[bytes, set[str]] = {}
    for m in sink.messages:
        ref = REF.search(m.raw.split(b"\r\n\r\n", 1)[0])
        if ref and m.message_id.lstrip("<").startswith("ack"):
            ids_per_case.setdefault(ref.group(1), set()).add(m.message_id)
    assert len(ids_per_case) == cases and all(len(ids) == 1 for ids in ids_per_case.values())
    return Counter(m.message_id for m in sink.messages)


def test_crash_after_commit_before_move(rig):
    dovecot, sink, db, bot, n = rig
    assert bot("poll", "--once", fault="after_commit_before_move") == 137
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*) FROM inbound_message").fetchone()[0] == 1  # committed...
    assert len(dovecot.folder_uids("bot", "INBOX")) == n  # ...but not moved
    assert bot("poll", "--once") == 0
    assert bot("send", "--once") == 0
    deliveries = check_invariants(dovecot, sink, db, n)
    assert max(deliveries.values()) == 1  # nothing was sent twice


def test_crash_after_smtp_data_before_commit(rig):
    dovecot, sink, db, bot, n = rig
    assert bot("poll", "--once") == 0
    assert bot("send", "--once", fault="after_smtp_data_before_commit") == 137
    assert len(sink.messages) == 1  # the server has it; our row still says "sending"
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*) FROM outbox WHERE status = 'sending'").fetchone()[0] >= 1
    assert bot("send", "--once") == 0
    deliveries = check_invariants(dovecot, sink, db, n)
    # the at-least-once window: exactly the one in-flight mail is delivered again, same Message-ID
    assert sorted(deliveries.values(), reverse=True)[:2] == [2, 1]
    assert sum(deliveries.values()) == len(deliveries) + 1
