"""Retention purges bodies of long-closed cases and keeps metadata and the audit trail."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from click.testing import CliRunner
from sqlmodel import Session, select

from intake_bot.cli import main
from intake_bot.db import make_engine, upgrade
from intake_bot.config import settings_from_dict
from intake_bot.models import Case, CaseEvent, InboundMessage, Marker, OutboxMessage
from intake_bot.retention import due_for_purge, purge, run_daily

NOW = datetime(2026, 11, 26, 12, tzinfo=timezone.utc)


def _seed(url):
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as s:
        old = Case(requester="a@example.no", received_at=NOW - timedelta(days=500), status="completed",
                   closed_at=NOW - timedelta(days=400), reference="DSR-2025-000001")
        recent = Case(requester="b@example.no", received_at=NOW - timedelta(days=30), status="completed",
                      closed_at=NOW - timedelta(days=10), reference="DSR-2026-000002")
        open_ = Case(requester="c@example.no", received_at=NOW - timedelta(days=500), status="in_progress",
                     reference="DSR-2025-000003")
        s.add_all([old, recent, open_])
        s.flush()
        for i, case in enumerate([old, recent, open_, None, None]):
            s.add(InboundMessage(mailbox="info", uid=str(i), content_hash=f"h{i}", raw=b"x" * 10,
                                 new_text="body", received_at=NOW - timedelta(days=500 if i != 4 else 5),
                                 case_id=case.id if case else None,
                                 disposition="case_opened" if case else "not_request"))
        s.add(CaseEvent(case_id=old.id, at=NOW - timedelta(days=400), kind="status", reason="done"))
        # our mail: (case, status, age in days); the old case's sent mail and the old digest go
        for n, (case, status, age) in enumerate([(old, "sent", 450), (old, "queued", 450), (recent, "sent", 30),
                                                 (None, "sent", 400), (None, "sent", 5)]):
            s.add(OutboxMessage(case_id=case.id if case else None, kind="acknowledgement" if case else "digest_daily",
                                from_addr="dataprotection@alektumgroup.com", to_addr="x@example.no",
                                message_id=f"m{n}@alektumgroup.com", raw=b"code ABCDE-23456", status=status,
                                created_at=NOW - timedelta(days=age)))
        s.commit()
    return engine


def test_purge_keeps_metadata_and_audit(db_url):
    engine = _seed(db_url)
    with Session(engine) as s:
        items = due_for_purge(s, now=NOW, retention_days=365)
        assert sorted(i.message_id for i in items) == [1, 4]
        assert purge(s, items, now=NOW) == 2
        s.commit()
    with Session(engine) as s:
        rows = {m.id: m for m in s.exec(select(InboundMessage))}
        assert rows[1].raw is None and rows[1].new_text is None and rows[1].purged_at is not None
        assert rows[1].received_at is not None and rows[1].mailbox == "info"  # metadata stays
        assert rows[2].raw == b"x" * 10 and rows[3].raw is not None and rows[5].raw is not None
        assert len(list(s.exec(select(CaseEvent)))) == 1
        assert due_for_purge(s, now=NOW, retention_days=365) == []  # idempotent


def test_purge_dry_run_cli(tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    _seed(url)
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[database]\nurl = "{url}"\n[[mailboxes]]\nname = "info"\naddress = "info@alektumgroup.no"\n'
                   f'type = "maildir"\npath = "{tmp_path / "md"}"\n[smtp]\ntransport = "directory"\n'
                   f'directory = "{tmp_path / "out"}"\n[pipeline]\nretention_days = 365\n')
    res = CliRunner().invoke(main, ["--config", str(cfg), "purge", "--dry-run"])
    assert res.exit_code == 0, res.output
    assert "would be purged" in res.output
    assert res.output.count("\t") >= 8  # one line per message: id, mailbox, date, case, size
    engine = make_engine(url)
    with Session(engine) as s:
        assert all(m.raw is not None for m in s.exec(select(InboundMessage)))
    res = CliRunner().invoke(main, ["--config", str(cfg), "purge"])
    assert res.exit_code == 0, res.output
    assert "2 message bodies and 2 bodies of our sent mail purged" in res.output
    with Session(engine) as s:
        assert sum(m.raw is None for m in s.exec(select(InboundMessage))) == 2
        kept = {o.message_id: o.raw for o in s.exec(select(OutboxMessage))}
        assert kept == {"m0@alektumgroup.com": b"", "m1@alektumgroup.com": b"code ABCDE-23456",
                        "m2@alektumgroup.com": b"code ABCDE-23456", "m3@alektumgroup.com": b"",
                        "m4@alektumgroup.com": b"code ABCDE-23456"}


def test_the_runner_purges_once_a_day(db_url, tmp_path):
    engine = _seed(db_url)
    settings = settings_from_dict({
        "database": {"url": db_url},
        "mailboxes": [{"name": "info", "address": "info@alektumgroup.no", "type": "maildir",
                       "path": str(tmp_path / "md")}],
        "smtp": {"transport": "directory", "directory": str(tmp_path / "out")}}, env={})
    assert run_daily(engine, settings, now=NOW) == {"inbound": 2, "outbox": 2}
    assert run_daily(engine, settings, now=NOW + timedelta(hours=2)) is None  # same local day: not again
    assert run_daily(engine, settings, now=NOW + timedelta(days=1)) == {"inbound": 0, "outbox": 0}
    with Session(engine) as s:
        assert s.get(Marker, "purge:2026-11-26").data == {"inbound": 2, "outbox": 2}


# --------------------------------------------------------------------------- other stored-data safeguards
def test_sqlite_file_is_private_and_templates_escape_what_they_insert(tmp_path):
    """make_engine creates the SQLite file 0600; a hostile value reaches HTML mail escaped, text mail as is."""
    import stat
    from email import message_from_bytes, policy

    from intake_bot.classify import default_classifier
    from intake_bot.config import settings_from_dict
    from intake_bot.mailbox import FetchedMessage
    from intake_bot.models import OutboxMessage
    from intake_bot.pipeline import Pipeline
    from intake_bot.replies import make_env

    path = tmp_path / "private.db"
    url = f"sqlite:///{path}"
    make_engine(url).dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    upgrade(url)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    hostile = "Alektum <script>alert(1)</script>"
    settings = settings_from_dict({
        "organisation": {"name": hostile},
        "database": {"url": url},
        "mailboxes": [{"name": "info", "address": "info@alektumgroup.no", "type": "maildir", "path": str(tmp_path)}],
        "smtp": {"transport": "directory", "directory": str(tmp_path / "out")},
    }, env={})
    engine = make_engine(url)
    pipeline = Pipeline(settings, engine, default_classifier(), make_env(), now=lambda: NOW)
    raw = (b"From: Kari <kari@example.no>\r\nTo: info@alektumgroup.no\r\nSubject: Innsyn\r\n"
           b"Message-ID: <esc@example.no>\r\n\r\nHei, jeg ber om innsyn i alle personopplysninger dere har om meg.\r\n")
    out = pipeline.process(settings.mailboxes[0], FetchedMessage("1", 1, NOW, raw, len(raw)))
    assert out.disposition == "case_opened"
    with Session(engine) as s:
        ack = s.exec(select(OutboxMessage).where(OutboxMessage.kind == "acknowledgement")).one()
    mail = message_from_bytes(ack.raw, policy=policy.default)
    html = mail.get_body(("html",)).get_content()
    text = mail.get_body(("plain",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert hostile in text  # plain text is not HTML-escaped
