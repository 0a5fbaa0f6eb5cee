"""Several `intake-bot run` workers on one PostgreSQL database, and one-worker SQLite.

Three worker processes share four mailboxes: every message is ingested once,
each mailbox is held by one live worker, and after a kill -9 another worker
takes the dead one's mailboxes over within the lease TTL plus a poll interval.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from intake_bot.db import make_engine, upgrade
from intake_bot.models import InboundMessage, MailboxState

EXE = str(Path(sys.executable).parent / "intake-bot")
TTL = 5


def mail(i: int, box: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"p{box}x{i}@example.org"
    msg["To"] = f"box{box}@alektumgroup.no"
    msg["Subject"] = "Betaling"
    msg["Message-ID"] = f"<w{box}-{i}-{time.time_ns()}@example.org>"
    msg.set_content(f"Hei, jeg har betalt faktura {i}. Mvh")
    return msg.as_bytes()


def config(path: Path, url: str, dovecot, users) -> Path:
    boxes = "".join(
        f'[[mailboxes]]\nname = "box{i}"\naddress = "box{i}@alektumgroup.no"\nhost = "127.0.0.1"\nport = {dovecot.port}\n'
        f'security = "none"\nusername = "{u}"\npassword_env = "PW{i}"\n\n' for i, (u, _) in enumerate(users))
    path.write_text(f'[database]\nurl = "{url}"\n\n{boxes}[smtp]\ntransport = "directory"\n'
                    f'directory = "{path.parent / "out"}"\n\n[workers]\nlease_ttl_seconds = {TTL}\n')
    return path


@pytest.mark.timeout(180)
def test_three_workers_four_mailboxes_and_takeover(tmp_path, dovecot, postgres):
    users = []
    for i in range(4):
        name, pw = f"wk{i}-{os.getpid()}-{time.time_ns() % 10**6}", "pw"
        dovecot.add_user(name, pw)
        users.append((name, pw))
    url = postgres.create_database(f"workers_{time.time_ns() % 10**9}")
    upgrade(url)
    cfg = config(tmp_path / "w.toml", url, dovecot, users)
    env = dict(os.environ, INTAKE_BOT_CONFIG=str(cfg), **{f"PW{i}": pw for i, (_, pw) in enumerate(users)})
    for b, (u, _) in enumerate(users):
        for i in range(10):
            dovecot.append(u, mail(i, b))
    procs = [subprocess.Popen([EXE, "run", "--interval", "0.5"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True) for _ in range(3)]
    engine = make_engine(url)
    try:
        owners_seen: dict[str, set[str]] = {f"box{i}": set() for i in range(4)}
        deadline = time.time() + 60
        while time.time() < deadline:
            with Session(engine) as s:
                for st in s.exec(select(MailboxState)):
                    if st.lease_owner:
                        owners_seen[st.name].add(st.lease_owner)
                n = s.exec(text("SELECT count(*) FROM inbound_message")).one()[0]
            if n >= 40:
                break
            time.sleep(0.2)
        with Session(engine) as s:
            ids = [m.message_id for m in s.exec(select(InboundMessage))]
            states = {st.name: st for st in s.exec(select(MailboxState))}
        assert len(ids) == 40 and len(set(ids)) == 40  # each message ingested exactly once
        live = {f"{os.uname().nodename}:{p.pid}" for p in procs}
        assert all(st.lease_owner in live for st in states.values())
        # while all workers live, a mailbox never changes hands: one holder each, seen every 0.2 s
        assert all(len(seen) == 1 for seen in owners_seen.values()), owners_seen
        first_owner = {name: next(iter(seen)) for name, seen in owners_seen.items()}
        # kill -9 the worker holding box0; its mailbox must move to another worker
        victim_id = states["box0"].lease_owner
        victim = next(p for p in procs if victim_id.endswith(f":{p.pid}"))
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait()
        killed_at = time.time()
        for i in range(5):
            dovecot.append(users[0][0], mail(100 + i, 0))
        after: dict[str, set[str]] = {name: set() for name in owners_seen}
        while time.time() - killed_at < TTL + 15:
            with Session(engine) as s:
                for row in s.exec(select(MailboxState)):
                    if row.lease_owner:
                        after[row.name].add(row.lease_owner)
                owners = {row.name: row.lease_owner for row in s.exec(select(MailboxState))}
                st = s.get(MailboxState, "box0")
                n = s.exec(text("SELECT count(*) FROM inbound_message")).one()[0]
            if n >= 45 and all(owners[b] and owners[b] != victim_id for b in owners):
                break
            time.sleep(0.2)
        took = time.time() - killed_at
        assert st.lease_owner != victim_id and n == 45, (st.lease_owner, n)
        assert took <= TTL + 5, took  # TTL + one poll interval, with slack for a loaded machine
        for name, seen in after.items():  # only the dead worker's mailboxes moved, each to one successor
            if first_owner[name] == victim_id:
                assert len(seen - {victim_id}) == 1, (name, seen)
            else:
                assert seen == {first_owner[name]}, (name, seen)
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            p.wait(timeout=30)


def test_sqlite_refuses_a_second_worker(tmp_path):
    cfg = tmp_path / "s.toml"
    cfg.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "s.db"}"\n\n[[mailboxes]]\nname = "info"\n'
                   f'address = "info@alektumgroup.no"\ntype = "maildir"\npath = "{tmp_path / "md"}"\n\n'
                   f'[smtp]\ntransport = "directory"\ndirectory = "{tmp_path / "out"}"\n')
    env = dict(os.environ, INTAKE_BOT_CONFIG=str(cfg))
    subprocess.run([EXE, "db", "upgrade"], env=env, check=True, capture_output=True)
    first = subprocess.Popen([EXE, "run", "--interval", "0.5"], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    try:
        time.sleep(3)
        second = subprocess.run([EXE, "run"], env=env, capture_output=True, text=True, timeout=60)
        assert second.returncode == 2
        assert "SQLite supports one worker" in second.stderr
        poll = subprocess.run([EXE, "poll", "--once"], env=env, capture_output=True, text=True, timeout=60)
        assert poll.returncode == 2 and "already working on this SQLite database" in poll.stderr
    finally:
        first.terminate()
        first.wait(timeout=30)


def test_lease_is_exclusive_renewable_and_expires(postgres):
    """The lease primitive on PostgreSQL: one holder; renewal; takeover only after expiry; release."""
    from datetime import datetime, timedelta, timezone

    from intake_bot.lease import acquire, release

    url = postgres.create_database(f"lease_{time.time_ns() % 10**9}")
    upgrade(url)
    engine = make_engine(url)
    t0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    assert acquire(engine, "info", worker="a", now=t0, ttl_seconds=10)
    assert not acquire(engine, "info", worker="b", now=t0 + timedelta(seconds=9), ttl_seconds=10)
    assert acquire(engine, "info", worker="a", now=t0 + timedelta(seconds=9), ttl_seconds=10)  # renewed
    assert not acquire(engine, "info", worker="b", now=t0 + timedelta(seconds=18), ttl_seconds=10)
    assert acquire(engine, "info", worker="b", now=t0 + timedelta(seconds=20), ttl_seconds=10)  # a expired
    assert not acquire(engine, "info", worker="a", now=t0 + timedelta(seconds=21), ttl_seconds=10)
    release(engine, "info", worker="a")  # not a's any more: no effect
    with Session(engine) as s:
        assert s.get(MailboxState, "info").lease_owner == "b"
    release(engine, "info", worker="b")
    assert acquire(engine, "info", worker="a", now=t0 + timedelta(seconds=22), ttl_seconds=10)
