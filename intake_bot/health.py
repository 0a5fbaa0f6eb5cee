"""check-config and status: plain-words health of every connection."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import datetime
from pathlib import Path

from sqlmodel import Session, select

from .config import Settings
from .errors import IntakeBotError


_REFUSED = re.compile(r"(?:Error connecting to \S+ on port \d+: )?\[Errno 111\][^;]*|"
                      r"\[Errno 111\] Connection refused", re.I)


def plain(detail: str) -> str:
    """Low-level socket wording in plain words (the rest of the message is kept)."""
    return _REFUSED.sub("connection refused: nothing is listening on that port, or a firewall blocks it",
                        detail)


def missing_secrets(path, env=None) -> list[tuple[str, str]]:
    """(section, variable) for every password_env in the file whose variable is not set."""
    import os
    import tomllib

    env = os.environ if env is None else env
    try:
        data = tomllib.loads(open(path, encoding="utf-8").read())
    except (OSError, ValueError):
        return []
    tables = [("[database]", data.get("database")), ("[smtp]", data.get("smtp"))]
    tables += [(f"mailbox {b.get('name', i + 1)!r}", b) for i, b in enumerate(data.get("mailboxes") or [])
               if isinstance(b, dict)]
    return [(where, t["password_env"]) for where, t in tables
            if isinstance(t, dict) and isinstance(t.get("password_env"), str) and t["password_env"] not in env]


def check_all(settings: Settings) -> list[tuple[str, bool, str]]:
    """(name, ok, detail) for the database, each mailbox and the SMTP server."""
    from .mailbox import check_mailbox

    results = [("configuration", True, f"{settings.source or 'settings'} is valid")]
    results.append(_check_db(settings))
    for box in settings.mailboxes:
        name = f"mailbox {box.name}"
        try:
            results.append((name, True, check_mailbox(box).removeprefix("ok: ")))
        except IntakeBotError as exc:
            results.append((name, False, plain(str(exc)).removeprefix(f"{name}: ")))
    results.append(_check_smtp(settings))
    return results


def _check_db(settings: Settings) -> tuple[str, bool, str]:
    from sqlalchemy import text

    from .db import current_revision, make_engine

    alembic_log = logging.getLogger("alembic")
    level = alembic_log.level
    alembic_log.setLevel(logging.WARNING)  # its INFO lines would bury the answer
    if settings.database.is_sqlite:
        path = settings.database.url.removeprefix("sqlite:///")
        if path and path != ":memory:" and not Path(path).exists():
            # do not leave an empty file behind: `db upgrade` (or the first run) creates it
            folder = Path(path).parent
            if not folder.is_dir():
                return ("database", False, f"the folder {folder} for the SQLite file does not exist")
            return ("database", False, f"{path} does not exist yet: run `intake-bot db upgrade` to create it")
    try:
        engine = make_engine(settings.database.url)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        rev = current_revision(engine)
        engine.dispose()
    except Exception as exc:  # any driver error: report it in plain words
        msg = str(getattr(exc, "orig", exc)).splitlines()[0]
        return ("database", False, f"cannot connect: {plain(msg)}")
    finally:
        alembic_log.setLevel(level)
    if rev is None:
        return ("database", False, "reachable, but has no schema: run `intake-bot db upgrade`")
    return ("database", True, f"reachable, schema revision {rev}")


def _check_smtp(settings: Settings) -> tuple[str, bool, str]:
    cfg = settings.smtp
    if cfg.transport == "directory":
        return ("smtp", True, f"shadow mode: messages are written to {cfg.directory}")
    from .outbox import SmtpTransport

    async def probe():
        async with SmtpTransport(cfg):
            return None

    try:
        asyncio.run(probe())
    except IntakeBotError as exc:
        return ("smtp", False, plain(str(exc)))
    return ("smtp", True, f"connected to {cfg.host}:{cfg.port} ({cfg.security})"
            + (" and logged in" if cfg.username else ""))


def status_report(settings: Settings, engine, *, now: datetime) -> dict:
    from .identifiers import redact
    from .models import MailboxState, Marker, OutboxMessage
    from .outbox import backlog

    boxes = []
    with Session(engine) as session:
        for box in settings.mailboxes:
            st = session.get(MailboxState, box.name)
            if st is None:
                health = "never polled"
            elif st.consecutive_failures:
                health = f"FAILING ({st.consecutive_failures} failed poll(s) in a row)"
            else:
                health = "ok"
            boxes.append({
                "name": box.name, "health": health,
                "last_poll_at": st.last_poll_at if st else None,
                "last_success_at": st.last_success_at if st else None,
                "last_error": st.last_error if st and st.consecutive_failures else None,
                "last_error_at": st.last_error_at if st else None,
                "lease_owner": st.lease_owner if st else None,
            })
        breaker = session.get(Marker, "circuit-breaker") is not None
        # the latest SMTP error on a mail not yet sent (retrying or failed for good)
        last = session.exec(select(OutboxMessage).where(OutboxMessage.last_error.is_not(None),
                                                        OutboxMessage.status.in_(("queued", "failed")))
                            .order_by(OutboxMessage.id.desc()).limit(1)).first()
        outbox_error = ({"status": last.status, "kind": last.kind, "attempts": last.attempts,
                         "error": redact(" ".join(last.last_error.split()))[:300]} if last else None)
    return {"mailboxes": boxes, "outbox": backlog(engine), "outbox_last_error": outbox_error,
            "circuit_breaker": breaker}
