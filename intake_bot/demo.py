"""`intake-bot demo`: the whole bot on sample mail, with no servers.

SQLite, a maildir seeded from ``samples/``, and the directory transport
(shadow mode) so every reply is written as an .eml file to look at.
"""

from __future__ import annotations

import asyncio
import mailbox as stdlib_mailbox
import os
import shutil
from datetime import datetime, timedelta
from email import message_from_bytes
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Callable

from sqlmodel import Session, select

from .resources import shipped

SAMPLES = shipped("samples")


def demo_settings(workdir: Path):
    from .config import settings_from_dict

    return settings_from_dict({
        "organisation": {"name": "Alektum Group", "country": "NO", "timezone": "Europe/Oslo",
                         "reply_from": "dataprotection@alektumgroup.com",
                         "dpo_address": "dataprotection@alektumgroup.com"},
        "database": {"url": f"sqlite:///{workdir / 'intake-bot.db'}"},
        "mailboxes": [{"name": "info", "address": "info@alektumgroup.no", "type": "maildir",
                       "path": str(workdir / "maildir")}],
        "smtp": {"transport": "directory", "directory": str(workdir / "sent")},
        "digest": {"recipients": ["privacy-team@alektumgroup.com"]},
    }, env={})


def seed_maildir(path: Path, samples: Path, now: datetime) -> int:
    box = stdlib_mailbox.Maildir(str(path), create=True)
    n = 0
    for i, eml in enumerate(sorted(samples.glob("*.eml"))):
        raw = eml.read_bytes()
        key = box.add(raw)
        # delivery time: the sample's Date header if it is recent, else spread over the last hours
        try:
            sent = parsedate_to_datetime(message_from_bytes(raw)["Date"])
            when = sent if now - timedelta(days=20) < sent <= now else now - timedelta(hours=len(raw) % 48 + i)
        except (TypeError, ValueError, IndexError):
            when = now - timedelta(hours=i)
        file = Path(path) / "new" / key
        os.utime(file, (when.timestamp(), when.timestamp()))
        n += 1
    return n


def run_demo(workdir: str, *, now: Callable[[], datetime], echo=print, samples: Path = SAMPLES) -> dict:
    from .classify import default_classifier
    from .db import make_engine, upgrade
    from .ingest import poll_all
    from .models import Case, InboundMessage, OutboxMessage
    from .outbox import send_due
    from .pipeline import Pipeline
    from .replies import make_env

    work = Path(workdir).resolve()
    _clear_workdir(work)
    settings = demo_settings(work)
    if not any(Path(samples).glob("*.eml")):
        from .errors import UserError

        raise UserError(f"no sample messages (*.eml) in {samples}: run the demo from a checkout of the repository")
    n = seed_maildir(work / "maildir", samples, now())
    echo(f"demo: {n} sample messages delivered to {work / 'maildir'}")
    upgrade(settings.database.url)
    engine = make_engine(settings.database.url)
    echo("demo: loading the classifier ...")
    pipeline = Pipeline(settings, engine, default_classifier(), make_env(), now=now)
    reports = poll_all(settings, engine, pipeline, now=now)
    rep = asyncio.run(send_due(engine, settings.smtp, worker="demo", now=now, limit=1000))

    with Session(engine) as session:
        msgs = session.exec(select(InboundMessage).order_by(InboundMessage.id)).all()
        case_list = session.exec(select(Case).order_by(Case.id)).all()
        outbox = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        echo("")
        echo(f"{'#':>3}  {'disposition':<13} {'lang':<4} {'types':<28} subject")
        for m in msgs:
            types = ",".join(m.request_types) or "-"
            echo(f"{m.id:>3}  {m.disposition:<13} {m.language or '-':<4} {types:<28} {m.subject[:50]}")
        echo("")
        echo(f"cases opened: {len(case_list)}")
        for c in case_list:
            echo(f"  {c.reference}  {c.status:<22} {','.join(c.request_types):<28} due {c.due_date}  [{c.language}]")
        skipped = [m for m in msgs if m.disposition not in ("case_opened", "follow_up", "verified")]
        echo("")
        echo(f"mail with no reply: {len(skipped)}")
        for m in skipped:
            why = m.quarantine_reason or m.automated_reason or {
                "not_request": "not a data-protection request: left for staff triage",
                "duplicate": "same message already received in another mailbox",
                "authority": "from a supervisory authority: staff alerted",
            }.get(m.disposition, m.disposition)
            echo(f"  #{m.id} {m.subject[:45]!r}: {why}")
        echo("")
        echo(f"replies written to {settings.smtp.directory}: {rep.sent}")
        for o in outbox:
            echo(f"  {o.kind:<26} -> {o.to_addr:<32} {o.subject[:60]}")
    echo("")
    echo(f"Look at the replies: ls {settings.smtp.directory}   "
         f"Cases: intake-bot --config {work / 'demo.toml'} cases list")
    _write_config(work, settings)
    return {"messages": len(msgs), "cases": len(case_list), "sent": rep.sent,
            "reports": [r.__dict__ for r in reports]}


_DEMO_ENTRIES = ("intake-bot.db", "intake-bot.db-wal", "intake-bot.db-shm", "intake-bot.db-journal",
                 "intake-bot.db.lock", "maildir", "sent", "demo.toml")


def _clear_workdir(work: Path) -> None:
    """Start over in ``work``, removing only what an earlier demo made there.

    A directory that holds anything else is refused, so `--dir ~` cannot wipe a home directory.
    """
    from .errors import UserError

    if work.exists():
        if not work.is_dir():
            raise UserError(f"demo: {work} exists and is not a directory")
        others = [p.name for p in work.iterdir() if p.name not in _DEMO_ENTRIES]
        if others:
            raise UserError(f"demo: {work} is not empty and was not made by the demo "
                            f"(it holds {len(others)} other entr{'y' if len(others) == 1 else 'ies'}); "
                            "choose an empty or new directory with --dir")
        for name in _DEMO_ENTRIES:
            p = work / name
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            elif p.exists() or p.is_symlink():
                p.unlink()
    work.mkdir(parents=True, exist_ok=True)


def _write_config(work: Path, settings) -> None:
    (work / "demo.toml").write_text(
        "[organisation]\nname = \"Alektum Group\"\ncountry = \"NO\"\n\n"
        f"[database]\nurl = \"{settings.database.url}\"\n\n"
        "[[mailboxes]]\nname = \"info\"\naddress = \"info@alektumgroup.no\"\ntype = \"maildir\"\n"
        f"path = \"{work / 'maildir'}\"\n\n"
        f"[smtp]\ntransport = \"directory\"\ndirectory = \"{work / 'sent'}\"\n\n"
        "[digest]\nrecipients = [\"privacy-team@alektumgroup.com\"]\n"
    )
