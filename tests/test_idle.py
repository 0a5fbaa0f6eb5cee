"""IMAP IDLE in the run loop, against a real Dovecot and SMTP sink.

The poll interval is set to a minute, so an acknowledgement within seconds can
only come from the IDLE watcher waking the loop. A broken IDLE (the server kicks
the session, or restarts) reconnects and the next poll resyncs by UID. Where
there is no IDLE (a maildir here) the watcher ends and the loop polls.
"""

from __future__ import annotations

import email
import email.policy
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlmodel import Session, select

from intake_bot.classify import default_classifier
from intake_bot.config import settings_from_dict
from intake_bot.db import make_engine, upgrade
from intake_bot.ingest import poll_mailbox
from intake_bot.models import InboundMessage, MailboxState
from intake_bot.pipeline import Pipeline
from intake_bot.replies import make_env
from intake_bot.runner import Runner
from tests.servers import Dovecot

ROOT = Path(__file__).resolve().parent.parent
ACK_WITHIN = 5.0  # seconds from APPEND to the acknowledgement at the sink (target p95)
POLL_INTERVAL = 60.0  # far longer than ACK_WITHIN: only IDLE can be that quick


def request_mail(tag: str) -> bytes:
    """A real access request (it gets an acknowledgement) from its own sender."""
    msg = email.message_from_bytes((ROOT / "samples" / "01-nb-access.eml").read_bytes(),
                                   policy=email.policy.default)
    for h in ("Message-ID", "From"):
        del msg[h]
    msg["Message-ID"], msg["From"] = f"<idle-{tag}@example.org>", f"Person {tag} <idle-{tag}@example.org>"
    return msg.as_bytes()


def make_runner(tmp_path, mailbox: dict, smtp: dict, *, interval: float = POLL_INTERVAL, password: str = ""):
    url = f"sqlite:///{tmp_path / 'idle.db'}"
    settings = settings_from_dict({
        "database": {"url": url}, "mailboxes": [mailbox], "smtp": smtp,
        "workers": {"idle": True, "lease_ttl_seconds": 30},
        "digest": {"daily": False},  # after 07:30 Oslo it would reach the sink these tests read
    }, env={"PW": password})
    upgrade(url)
    engine = make_engine(url)
    now = lambda: datetime.now(timezone.utc)  # noqa: E731
    pipeline = Pipeline(settings, engine, default_classifier(), make_env(), now=now)
    return Runner(settings, engine, pipeline, make_env(), now=now, worker="idle-test", interval=interval), engine


def imap_box(dovecot, user: str, password: str) -> dict:
    return {"name": "info", "address": "info@alektumgroup.no", "host": dovecot.host, "port": dovecot.port,
            "security": "none", "username": user, "password_env": "PW", "timeout": 5}


def smtp_to(sink) -> dict:
    return {"host": sink.host, "port": sink.port, "security": "none", "timeout": 5}


class Running:
    """The runner in a thread; stopped (and its leases released) on exit."""

    def __init__(self, runner: Runner):
        self.runner = runner
        self.thread = threading.Thread(target=runner.run, name="runner", daemon=True)

    def __enter__(self) -> Runner:
        self.thread.start()
        deadline = time.monotonic() + 30
        while "info" not in self.runner._watching:  # first cycle done and the watcher is IDLE
            assert self.thread.is_alive() and time.monotonic() < deadline, "watcher never started"
            time.sleep(0.05)
        return self.runner

    def __exit__(self, *exc) -> None:
        self.runner.stop()
        self.thread.join(timeout=30)
        assert not self.thread.is_alive()


def append_and_time(dovecot, user: str, sink, tag: str) -> float:
    before = len(sink.messages)
    t = time.monotonic()
    dovecot.append(user, request_mail(tag))
    got = sink.wait_for(before + 1, timeout=ACK_WITHIN * 3)
    assert len(got) > before, f"no acknowledgement for {tag} within {ACK_WITHIN * 3:g} s"
    return time.monotonic() - t


@pytest.mark.timeout(120)
def test_append_is_acknowledged_within_seconds_and_survives_a_kick(tmp_path, dovecot, imap_user, smtp_sink):
    user, pw = imap_user
    runner, engine = make_runner(tmp_path, imap_box(dovecot, user, pw), smtp_to(smtp_sink), password=pw)
    with Running(runner):
        assert append_and_time(dovecot, user, smtp_sink, "first") < ACK_WITHIN
        dovecot.kick(user)  # the server drops the IDLE session
        assert append_and_time(dovecot, user, smtp_sink, "after-kick") < ACK_WITHIN
        assert append_and_time(dovecot, user, smtp_sink, "again") < ACK_WITHIN
    with Session(engine) as s:
        rows = list(s.exec(select(InboundMessage)))
        assert s.get(MailboxState, "info").lease_owner is None  # released on a clean stop
    assert sorted(r.message_id for r in rows) == sorted(
        f"idle-{t}@example.org" for t in ("first", "after-kick", "again"))
    assert dovecot.folder_uids(user, "INBOX") == []


@pytest.mark.timeout(120)
def test_idle_recovers_after_a_server_restart(tmp_path, smtp_sink):
    with Dovecot(users={"bot": "pw"}) as own:  # a private server: restarting it disturbs no other test
        runner, engine = make_runner(tmp_path, imap_box(own, "bot", "pw"), smtp_to(smtp_sink), password="pw")
        with Running(runner):
            assert append_and_time(own, "bot", smtp_sink, "r1") < ACK_WITHIN
            own.restart()
            # mail that lands while the bot reconnects is found by the resync
            own.append("bot", request_mail("r2"))
            assert len(smtp_sink.wait_for(2, timeout=ACK_WITHIN * 3)) == 2
            assert append_and_time(own, "bot", smtp_sink, "r3") < ACK_WITHIN
        with Session(engine) as s:
            assert len(list(s.exec(select(InboundMessage)))) == 3


@pytest.mark.timeout(60)
def test_without_idle_the_watcher_ends_and_the_loop_polls(tmp_path, smtp_sink):
    md = tmp_path / "md"
    for sub in ("cur", "new", "tmp"):
        (md / sub).mkdir(parents=True)
    box = {"name": "info", "address": "info@alektumgroup.no", "type": "maildir", "path": str(md)}
    runner, engine = make_runner(tmp_path, box, smtp_to(smtp_sink), interval=0.5)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while any(t.name == "watch-info" for t in threading.enumerate()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(t.name == "watch-info" for t in threading.enumerate())
        (md / "new" / "1.eml").write_bytes(request_mail("md"))
        assert len(smtp_sink.wait_for(1, timeout=10)) == 1
    finally:
        runner.stop()
        thread.join(timeout=30)


def test_a_long_poll_stops_when_the_lease_is_lost(tmp_path):
    md = tmp_path / "md"
    for sub in ("cur", "new", "tmp"):
        (md / sub).mkdir(parents=True)
    for i in range(5):
        (md / "new" / f"{i}.eml").write_bytes(request_mail(f"lease{i}"))
    box = {"name": "info", "address": "info@alektumgroup.no", "type": "maildir", "path": str(md),
           "batch_size": 2}
    runner, engine = make_runner(tmp_path, box, {"transport": "directory", "directory": str(tmp_path / "o")})
    calls = []
    report = poll_mailbox(runner.settings, engine, runner.pipeline, runner.settings.mailboxes[0],
                          now=runner.now, keep=lambda: calls.append(1) or False)
    assert report.lease_lost and report.fetched == 2 and calls == [1]
    assert len(list((md / "new").iterdir())) == 3  # the rest is left for the lease holder
