"""Mail loops: a real auto-responder in another process answers everything we send.

The exchange must stop within the limits: auto-submitted and out-of-office
replies are never answered, and even a responder that looks human is cut off by
the per-sender limit (3 replies per address per 24 h).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest
from sqlmodel import Session, func, select

from intake_bot.classify import default_classifier
from intake_bot.config import settings_from_dict
from intake_bot.db import make_engine, upgrade
from intake_bot.ingest import poll_all
from intake_bot.models import Case, CaseEvent, InboundMessage, Marker, OutboxMessage
from intake_bot.outbox import send_due
from intake_bot.pipeline import Pipeline
from intake_bot.replies import make_env
from tests.servers import free_port

ROOT = Path(__file__).resolve().parent.parent


def first_mail() -> bytes:
    msg = EmailMessage()
    msg["From"] = "Responder <auto@responder.example>"
    msg["To"] = "info@alektumgroup.no"
    msg["Subject"] = "Delete my data"
    msg["Date"] = format_datetime(datetime.now(timezone.utc))
    msg["Message-ID"] = make_msgid(domain="responder.example")
    msg.set_content("Please delete all personal data you hold about me.")
    return msg.as_bytes()


@pytest.mark.parametrize("mode,limit", [("header", 1), ("text", 1), ("request", 3)])
def test_exchange_with_a_real_autoresponder_stops(mode, limit, tmp_path, dovecot, imap_user):
    user, password = imap_user
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "autoresponder.py"), "--smtp-port", str(port),
                             "--imap-port", str(dovecot.port), "--imap-user", user, "--imap-password", password,
                             "--mode", mode], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        url = f"sqlite:///{tmp_path / 'loop.db'}"
        settings = settings_from_dict({
            "database": {"url": url},
            "mailboxes": [{"name": "info", "address": "info@alektumgroup.no", "host": "127.0.0.1",
                           "port": dovecot.port, "security": "none", "username": user, "password_env": "PW"}],
            "smtp": {"host": "127.0.0.1", "port": port, "security": "none"},
        }, env={"PW": password})
        upgrade(url)
        engine = make_engine(url)
        now = lambda: datetime.now(timezone.utc)  # noqa: E731
        pipeline = Pipeline(settings, engine, default_classifier(), make_env(), now=now)
        dovecot.append(user, first_mail())
        sent_per_cycle = []
        for _ in range(10):
            poll_all(settings, engine, pipeline, now=now)
            rep = asyncio.run(send_due(engine, settings.smtp, worker="loop", now=now))
            sent_per_cycle.append(rep.sent)
            time.sleep(0.3)  # let the responder APPEND its answer
        with Session(engine) as s:
            total = s.exec(select(func.count()).select_from(OutboxMessage)
                           .where(OutboxMessage.to_addr == "auto@responder.example")).one()
            inbound = s.exec(select(func.count()).select_from(InboundMessage)).one()
            rules = [r for m in s.exec(select(InboundMessage)) for r in m.rules]
        assert total <= limit, sent_per_cycle
        assert sum(sent_per_cycle[-5:]) == 0  # the exchange has stopped
        assert inbound == 1 + total  # every one of our replies got exactly one answer, which we stored
        if mode == "request":
            assert any("per-sender-limit" in r for r in rules)
        print(f"{mode}: replies sent {total}, per cycle {sent_per_cycle}")
    finally:
        proc.kill()
        proc.wait()


def test_circuit_breaker_trips_and_alerts(tmp_path):
    from intake_bot import screen

    url = f"sqlite:///{tmp_path / 'cb.db'}"
    settings = settings_from_dict({
        "database": {"url": url},
        "mailboxes": [{"name": "info", "address": "info@alektumgroup.no", "type": "maildir", "path": str(tmp_path / "m")}],
        "smtp": {"transport": "directory", "directory": str(tmp_path / "out")},
        "security": {"circuit_breaker_limit": 5},
    }, env={})
    upgrade(url)
    engine = make_engine(url)
    now = datetime.now(timezone.utc)
    pipeline = Pipeline(settings, engine, default_classifier(), make_env(), now=lambda: now)
    from intake_bot.mailbox import FetchedMessage

    for i in range(8):
        msg = EmailMessage()
        msg["From"] = f"p{i}@example.org"
        msg["To"] = "info@alektumgroup.no"
        msg["Subject"] = "Innsyn"
        msg["Message-ID"] = f"<cb{i}@example.org>"
        msg.set_content("Hei, jeg vil ha innsyn i alle personopplysningene dere har om meg.")
        raw = msg.as_bytes()
        pipeline.process(settings.mailboxes[0], FetchedMessage(str(i), 1, now, raw, len(raw)))
    with Session(engine) as s:
        acks = s.exec(select(func.count()).select_from(OutboxMessage)
                      .where(OutboxMessage.kind == "acknowledgement")).one()
        tripped = s.get(Marker, screen.breaker_key(now))
        alerts = s.exec(select(func.count()).select_from(OutboxMessage)
                        .where(OutboxMessage.kind == "alert_circuit_breaker")).one()
    assert acks == 5 and tripped is not None  # at most N auto-replies, then paused
    assert alerts == 1  # one staff alert per trip, not one per blocked reply


def test_bounce_of_our_reply_is_recorded_on_its_case_and_never_answered(tmp_path, dovecot, imap_user):
    """The responder answers our acknowledgement with a real DSN (multipart/report) naming its Message-ID."""
    from intake_bot.digest import build_digest

    user, password = imap_user
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "autoresponder.py"), "--smtp-port", str(port),
                             "--imap-port", str(dovecot.port), "--imap-user", user, "--imap-password", password,
                             "--mode", "bounce"], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        url = f"sqlite:///{tmp_path / 'bounce.db'}"
        settings = settings_from_dict({
            "database": {"url": url},
            "mailboxes": [{"name": "info", "address": "info@alektumgroup.no", "host": "127.0.0.1",
                           "port": dovecot.port, "security": "none", "username": user, "password_env": "PW"}],
            "smtp": {"host": "127.0.0.1", "port": port, "security": "none"},
        }, env={"PW": password})
        upgrade(url)
        engine = make_engine(url)
        now = lambda: datetime.now(timezone.utc)  # noqa: E731
        pipeline = Pipeline(settings, engine, default_classifier(), make_env(), now=now)
        dovecot.append(user, first_mail())
        sent = []
        for _ in range(6):
            poll_all(settings, engine, pipeline, now=now)
            sent.append(asyncio.run(send_due(engine, settings.smtp, worker="loop", now=now)).sent)
            time.sleep(0.3)
        with Session(engine) as s:
            ack = s.exec(select(OutboxMessage).where(OutboxMessage.kind == "acknowledgement")).one()
            replies = s.exec(select(OutboxMessage).where(OutboxMessage.kind.not_like("alert_%"))).all()
            bounce = s.exec(select(InboundMessage).where(InboundMessage.disposition == "bounce")).one()
            case = s.get(Case, ack.case_id)
            events = s.exec(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == "bounce")).all()
            digest = build_digest(s, settings, now=now(), since=None)
        assert sum(sent) == 1 and len(replies) == 1  # the acknowledgement; the DSN got no answer
        assert ack.message_id.strip("<>") in bounce.raw.decode()  # it really named our Message-ID
        assert bounce.case_id == case.id and case.flags.get("bounced") and case.needs_review
        assert len(events) == 1 and events[0].message_id == bounce.id
        assert any(t.kind == "bounce" and t.reference == case.reference for t in digest.triage)  # shown to staff
        print(f"bounce: replies sent {sum(sent)}, per cycle {sent}")
    finally:
        proc.kill()
        proc.wait()
