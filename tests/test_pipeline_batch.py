"""The per-batch preparation of ingest: one "already stored?" read, parse and classify together."""

from __future__ import annotations

import mailbox as std_mailbox
from datetime import datetime, timezone
from email.message import EmailMessage

from sqlmodel import Session, select

from intake_bot.classify import default_classifier
from intake_bot.config import load_settings
from intake_bot.db import make_engine, upgrade
from intake_bot.ingest import poll_mailbox
from intake_bot.models import Case, InboundMessage
from intake_bot.pipeline import Pipeline, stored_keys
from intake_bot.replies import make_env

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def test_stored_keys_prefers_the_uid_then_the_content_and_the_first_row():
    # (id, UIDVALIDITY, UID, content hash, disposition, Message-ID, INTERNALDATE), as the batch query reads them
    rows = [(3, 7, "10", "h-a", "case_opened", None, None), (1, 7, "11", "h-b", "not_request", None, None),
            (2, 5, "12", "h-c", "quarantined", None, None), (4, 9, "13", "h-c", "duplicate", None, None)]
    got = stored_keys(rows, 7, ["10", "11", "12", "99", "98"], ["h-x", "h-a", "h-c", "h-b", "h-z"])
    # by UID (this UIDVALIDITY only), else by content hash (lowest id first), else not stored
    assert got == ["case_opened", "not_request", "quarantined", "not_request", None]


def _mail(i: int, *, body: str = "Jeg ber om innsyn i alle personopplysninger dere har om meg.") -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Kari {i} <kari{i}@example.no>"
    msg["To"] = "info@alektumgroup.no"
    msg["Subject"] = "Innsyn"
    msg["Message-ID"] = f"<batch-{i}@example.no>"
    msg["Date"] = "Mon, 02 Mar 2026 08:00:00 +0000"
    msg.set_content(body)
    return msg.as_bytes()


def test_a_batch_with_repeated_bytes_and_a_broken_mail(tmp_path):
    box = std_mailbox.Maildir(tmp_path / "md", create=True)
    raws = [_mail(1), _mail(2), _mail(1), b"no headers at all, just bytes\r\n", _mail(3)]
    for raw in raws:
        box.add(raw)
    url = f"sqlite:///{tmp_path / 'b.db'}"
    (tmp_path / "c.toml").write_text(
        f'[database]\nurl = "{url}"\n\n[[mailboxes]]\nname = "box"\naddress = "info@alektumgroup.no"\n'
        f'type = "maildir"\npath = "{tmp_path / "md"}"\nbatch_size = 10\n\n'
        '[smtp]\nhost = "127.0.0.1"\nport = 2525\nsecurity = "none"\n')
    settings = load_settings(tmp_path / "c.toml")
    upgrade(url)
    engine = make_engine(url)
    pipeline = Pipeline(settings, engine, default_classifier(), make_env(), now=lambda: NOW)
    report = poll_mailbox(settings, engine, pipeline, settings.mailboxes[0], now=lambda: NOW)
    assert report.fetched == 5 and report.already == 1 and report.quarantined == 1  # the same bytes: stored once
    with Session(engine) as s:
        rows = list(s.exec(select(InboundMessage)))
        assert len(rows) == 4 and len(list(s.exec(select(Case)))) == 3
        assert {r.disposition for r in rows} == {"case_opened", "quarantined"}
    # everything was filed away: a second poll finds nothing new
    again = poll_mailbox(settings, engine, pipeline, settings.mailboxes[0], now=lambda: NOW)
    assert again.stored == 0
    engine.dispose()
