"""Outages, against real servers: IMAP down at start and restarted mid-fetch, a wrong
password, SMTP down / 4xx / 5xx, SQLite locked, PostgreSQL stopped and started.

The run loop never crashes, never busy-loops (its delay grows, with jitter, up
to a cap), records a plain-words error for `intake-bot status`, and recovers
without a restart; a message seen during a database outage is not quarantined
and ends up stored exactly once.
"""

from __future__ import annotations

import email
import email.policy
import logging
import sqlite3
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from pathlib import Path

from sqlalchemy import event

from click.testing import CliRunner
from sqlmodel import Session, select

from intake_bot.classify import default_classifier
from intake_bot.cli import main
from intake_bot.config import settings_from_dict
from intake_bot.db import make_engine, upgrade
from intake_bot.models import InboundMessage, MailboxState, OutboxMessage
from intake_bot.pipeline import Pipeline
from intake_bot.replies import make_env
from intake_bot.runner import Runner
from tests.servers import Dovecot, Postgres, SmtpSink

ROOT = Path(__file__).resolve().parent.parent


def mail(i: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"p{i}@example.org"
    msg["To"] = "info@alektumgroup.no"
    msg["Subject"] = "Faktura"
    msg["Message-ID"] = f"<out-{i}@example.org>"
    msg.set_content("Hei, jeg har betalt fakturaen. Mvh")
    return msg.as_bytes()


def request_mail(i: int) -> bytes:
    """A real access request (it gets an acknowledgement), from its own sender."""
    msg = email.message_from_bytes((ROOT / "samples" / "01-nb-access.eml").read_bytes(), policy=email.policy.default)
    for h in ("Message-ID", "From"):
        del msg[h]
    msg["Message-ID"], msg["From"] = f"<req-{i}@example.org>", f"Person {i} <req{i}@example.org>"
    return msg.as_bytes()


def naive(t: datetime) -> datetime:  # SQLite hands back naive UTC, PostgreSQL aware
    return t.replace(tzinfo=None)


class Clock:
    def __init__(self):
        self.t = datetime.now(timezone.utc)

    def __call__(self) -> datetime:
        return self.t


def runner_for(url, dovecot, password="pw", smtp_dir="out", smtp=None, busy_ms=None, clock=None, batch_size=50):
    smtp = smtp or {"transport": "directory", "directory": smtp_dir}
    settings = settings_from_dict({
        "database": {"url": url},
        "mailboxes": [{"name": "info", "address": "info@alektumgroup.no", "host": "127.0.0.1", "port": dovecot.port,
                       "security": "none", "username": "bot", "password_env": "PW", "timeout": 5,
                       "batch_size": batch_size}],
        "smtp": smtp,
        "workers": {"idle": False},
        "digest": {"daily": False},  # after 07:30 Oslo it would join the outbox these tests count
    }, env={"PW": password})
    upgrade(url)
    engine = make_engine(url)
    if busy_ms is not None:  # the bot waits 30 s on a lock; a test cannot
        event.listen(engine, "connect", lambda c, _r: c.execute(f"PRAGMA busy_timeout={busy_ms}"))
    now = clock or (lambda: datetime.now(timezone.utc))
    pipeline = Pipeline(settings, engine, default_classifier(), make_env(), now=now)
    return Runner(settings, engine, pipeline, make_env(), now=now, worker="w", interval=1.0), engine


def smtp_for(sink):
    return {"host": "127.0.0.1", "port": sink.port, "security": "none", "timeout": 5,
            "backoff_base_seconds": 60, "max_attempts": 5}


def stored(engine) -> list[InboundMessage]:
    with Session(engine) as s:
        return list(s.exec(select(InboundMessage)))


def outbox(engine) -> list[OutboxMessage]:
    with Session(engine) as s:
        return list(s.exec(select(OutboxMessage)))


def state(engine) -> MailboxState:
    with Session(engine) as s:
        return s.get(MailboxState, "info")


def test_imap_down_then_back_and_backoff_is_capped(tmp_path):
    with Dovecot(users={"bot": "pw"}) as dovecot:
        runner, engine = runner_for(f"sqlite:///{tmp_path / 'a.db'}", dovecot, smtp_dir=str(tmp_path / "o"))
        dovecot.append("bot", mail(1))
        dovecot.stop()
        assert runner.cycle() is False
        st = state(engine)
        assert st.consecutive_failures == 1 and "cannot connect" in st.last_error
        delays = [runner.delay(False) for _ in range(12)]
        assert delays[0] >= 1.0 and max(delays) <= 300.0 and delays[-1] > delays[0]  # grows, capped
        assert len({round(d, 3) for d in delays[-4:]}) > 1  # jitter: no thundering herd
        dovecot.start()
        assert runner.cycle() is True
        assert state(engine).consecutive_failures == 0
        with Session(engine) as s:
            assert len(list(s.exec(select(InboundMessage)))) == 1


def test_wrong_password_is_reported_in_plain_words_and_status_shows_it(tmp_path):
    with Dovecot(users={"bot": "pw"}) as dovecot:
        url = f"sqlite:///{tmp_path / 'b.db'}"
        runner, engine = runner_for(url, dovecot, password="wrong-secret-123", smtp_dir=str(tmp_path / "o"))
        assert runner.cycle() is False
        st = state(engine)
        assert "login failed" in st.last_error and "wrong-secret-123" not in st.last_error
        cfg = tmp_path / "c.toml"
        cfg.write_text(f'[database]\nurl = "{url}"\n[[mailboxes]]\nname = "info"\naddress = "info@alektumgroup.no"\n'
                       f'host = "127.0.0.1"\nport = {dovecot.port}\nsecurity = "none"\nusername = "bot"\n'
                       f'password_env = "PW"\n[smtp]\ntransport = "directory"\ndirectory = "{tmp_path / "o"}"\n')
        res = CliRunner(env={"PW": "x"}).invoke(main, ["--config", str(cfg), "status"])
        assert res.exit_code == 0, res.output
        assert "FAILING" in res.output and "login failed" in res.output and "outbox" in res.output


def test_database_unreachable_then_back_stores_once_and_quarantines_nothing(tmp_path):
    with Dovecot(users={"bot": "pw"}) as dovecot, Postgres() as pg:
        url = pg.create_database("outage")
        runner, engine = runner_for(url, dovecot, smtp_dir=str(tmp_path / "o"))
        dovecot.append("bot", mail(2))
        pg.stop()
        assert runner.cycle() is False  # the database is gone: logged, retried, nothing lost
        assert dovecot.folder_uids("bot", "INBOX")  # still in the inbox
        pg.start()
        engine.dispose()
        assert runner.cycle() is True
        with Session(engine) as s:
            rows = list(s.exec(select(InboundMessage)))
        assert len(rows) == 1 and rows[0].disposition != "quarantined"
        assert dovecot.folder_uids("bot", "INBOX") == []


def test_imap_restart_in_the_middle_of_a_fetch(tmp_path, caplog):
    with Dovecot(users={"bot": "pw"}) as dovecot:
        runner, engine = runner_for(f"sqlite:///{tmp_path / 'm.db'}", dovecot, smtp_dir=str(tmp_path / "o"),
                                    batch_size=5)
        n = 30
        for i in range(n):
            dovecot.append("bot", mail(100 + i))
        process, calls = runner.pipeline.process, []

        def process_then_restart(cfg, fetched):  # the server goes away after the 12th message
            out = process(cfg, fetched)
            calls.append(fetched.key)
            if len(calls) == 12:
                dovecot.restart()
            return out

        runner.pipeline.process = process_then_restart
        with caplog.at_level(logging.WARNING):
            assert runner.cycle() is False
        assert 12 <= len(calls) < n and len(stored(engine)) == len(calls)
        assert 0 < len(dovecot.folder_uids("bot", "INBOX")) < n  # the first batches were moved
        assert state(engine).consecutive_failures == 1 and state(engine).last_error
        assert runner.delay(False) >= 1.0  # backs off instead of spinning
        assert "@example.org" not in caplog.text  # clear lines, no addresses
        assert runner.cycle() is True  # recovers without a restart
        rows = stored(engine)
        assert sorted(r.message_id for r in rows) == sorted(f"out-{100 + i}@example.org" for i in range(n))
        assert dovecot.folder_uids("bot", "INBOX") == [] and len(dovecot.folder_uids("bot", "Processed")) == n


def test_smtp_down_then_back_sends_each_mail_once(tmp_path):
    with Dovecot(users={"bot": "pw"}) as dovecot, SmtpSink() as sink:
        clock = Clock()
        runner, engine = runner_for(f"sqlite:///{tmp_path / 's.db'}", dovecot, smtp=smtp_for(sink), clock=clock)
        for i in range(3):
            dovecot.append("bot", request_mail(i))
        sink.stop()
        runner.cycle()
        rows = outbox(engine)
        assert len(rows) == 3 and {r.status for r in rows} == {"queued"}
        assert all("cannot connect" in r.last_error and naive(r.next_attempt_at) > naive(clock.t)
                   for r in rows)
        runner.cycle()  # still inside the backoff: no new attempt, no busy loop
        assert {r.attempts for r in outbox(engine)} == {1}
        sink.start()
        clock.t += timedelta(hours=2)
        runner.cycle()
        assert {r.status for r in outbox(engine)} == {"sent"}
        got = [m.message_id.strip("<>") for m in sink.messages]
        assert sorted(got) == sorted(r.message_id for r in rows)  # each once


def test_smtp_4xx_retries_with_backoff_and_5xx_fails_for_staff(tmp_path):
    with Dovecot(users={"bot": "pw"}) as dovecot, SmtpSink() as sink:
        clock = Clock()
        url = f"sqlite:///{tmp_path / 'x.db'}"
        runner, engine = runner_for(url, dovecot, smtp=smtp_for(sink), clock=clock)
        dovecot.append("bot", request_mail(1))
        sink.fail_next(1, 451)
        runner.cycle()
        (row,) = outbox(engine)
        assert row.status == "queued" and row.attempts == 1 and row.last_error.startswith("451")
        wait = naive(row.next_attempt_at) - naive(clock.t)
        assert timedelta(seconds=30) <= wait <= timedelta(seconds=60)  # base 60 s, jittered
        runner.cycle()
        assert sink.attempts == 1  # not retried before its time
        clock.t += timedelta(seconds=61)
        runner.cycle()
        assert outbox(engine)[0].status == "sent" and len(sink.messages) == 1

        sink.fail_all(550)
        dovecot.append("bot", request_mail(2))
        runner.cycle()
        failed = [r for r in outbox(engine) if r.status == "failed"]
        assert len(failed) == 1 and failed[0].last_error.startswith("550")
        before = sink.attempts
        clock.t += timedelta(days=1)
        runner.cycle()
        assert sink.attempts == before  # a permanent failure is not retried
        cfg = tmp_path / "c.toml"
        cfg.write_text(f'[database]\nurl = "{url}"\n[[mailboxes]]\nname = "info"\naddress = "info@alektumgroup.no"\n'
                       f'host = "127.0.0.1"\nport = {dovecot.port}\nsecurity = "none"\nusername = "bot"\n'
                       f'password_env = "PW"\n[smtp]\nhost = "127.0.0.1"\nport = {sink.port}\nsecurity = "none"\n')
        res = CliRunner(env={"PW": "pw"}).invoke(main, ["--config", str(cfg), "status"])
        assert res.exit_code == 0, res.output
        assert "mailbox info: ok; last success 20" in res.output and "failed 1" in res.output
        assert "outbox last error (acknowledgement, failed for good): 550" in res.output


def test_sqlite_locked_is_transient_not_quarantined(tmp_path):
    with Dovecot(users={"bot": "pw"}) as dovecot:
        db = tmp_path / "l.db"
        runner, engine = runner_for(f"sqlite:///{db}", dovecot, smtp_dir=str(tmp_path / "o"), busy_ms=300)
        dovecot.append("bot", mail(3))
        with engine.connect():  # a running bot's pooled connection (WAL already set: no 30 s connect wait)
            pass
        other = sqlite3.connect(db, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")  # held from the start: even the lease cannot be written
        assert runner.cycle() is False
        other.execute("ROLLBACK")
        process = runner.pipeline.process

        def lock_then_process(cfg, fetched):  # locked between the fetch and the commit
            other.execute("BEGIN EXCLUSIVE")
            return process(cfg, fetched)

        runner.pipeline.process = lock_then_process
        assert runner.cycle() is False
        assert stored(engine) == [] and len(dovecot.folder_uids("bot", "INBOX")) == 1
        other.execute("ROLLBACK")
        runner.pipeline.process = process
        assert runner.cycle() is True
        rows = stored(engine)
        assert len(rows) == 1 and rows[0].disposition != "quarantined"
        assert dovecot.folder_uids("bot", "INBOX") == [] and "Quarantine" not in dovecot.folders("bot")


def test_postgres_stopped_between_fetch_and_commit(tmp_path):
    with Dovecot(users={"bot": "pw"}) as dovecot, Postgres() as pg:
        url = pg.create_database("midway")
        runner, engine = runner_for(url, dovecot, smtp_dir=str(tmp_path / "o"))
        dovecot.append("bot", mail(4))
        process = runner.pipeline.process

        def stop_then_process(cfg, fetched):
            pg.stop()
            return process(cfg, fetched)

        runner.pipeline.process = stop_then_process
        assert runner.cycle() is False
        pg.start()
        runner.pipeline.process = process
        assert runner.cycle() is True
        rows = stored(engine)
        assert len(rows) == 1 and rows[0].disposition != "quarantined"
        assert dovecot.folder_uids("bot", "INBOX") == []
