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
from intake_bot.models import InboundMessage, Marker, OutboxMessage
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
    assert acks == 5 and tripped is not None
    assert alerts >= 1
