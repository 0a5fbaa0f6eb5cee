"""The outbox: the only code that sends mail.

Rows are queued inside the same transaction as the decision that caused them.
The sender claims due rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), sends
them over one SMTP connection, and commits each row's result right after its
DATA is accepted. A row left in ``sending`` by a crash is sent again with the
same Message-ID, so "once" means one distinct Message-ID at the recipient; the
remaining at-least-once window is the time between the server's 250 reply to
DATA and our commit of that row (one small UPDATE).
"""

from __future__ import annotations

import logging
import os
import random
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from .config import SmtpConfig
from .errors import SendError
from .identifiers import redact_address
from .models import OutboxMessage

log = logging.getLogger(__name__)
FAULT_ENV = "INTAKE_BOT_FAULT"
STALE_SENDING = timedelta(minutes=5)


def fault_point(name: str) -> None:
    """Crash here (like kill -9) when INTAKE_BOT_FAULT names this point. For crash tests."""
    if os.environ.get(FAULT_ENV) == name:
        os._exit(137)


def backoff(attempts: int, cfg: SmtpConfig, rng: random.Random | None = None) -> timedelta:
    """Exponential backoff with full jitter, capped."""
    rng = rng or random.Random()
    ceiling = min(cfg.backoff_max_seconds, cfg.backoff_base_seconds * (2 ** max(0, attempts - 1)))
    return timedelta(seconds=ceiling / 2 + rng.uniform(0, ceiling / 2))


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    claimed: int = 0


def claim(engine: Engine, *, worker: str, now: datetime, limit: int) -> list[OutboxMessage]:
    """Mark up to ``limit`` due rows as ``sending`` by this worker and return them."""
    with Session(engine, expire_on_commit=False) as session:
        stale = now - STALE_SENDING
        q = (
            select(OutboxMessage)
            .where(
                or_(
                    (OutboxMessage.status == "queued") & (OutboxMessage.next_attempt_at <= now),
                    (OutboxMessage.status == "sending") & (OutboxMessage.claimed_at < stale),
                )
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
        if engine.dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)
        rows = list(session.exec(q))
        for row in rows:
            row.status = "sending"
            row.claimed_by = worker
            row.claimed_at = now
        session.commit()
        return rows


def recover_own(engine: Engine, *, worker: str) -> int:
    """At start-up, rows left in ``sending`` by a crash become due again (same Message-ID).

    On SQLite the bot is single-process, so every such row is ours from a previous
    run; on PostgreSQL other live workers may hold rows, so only this worker's are
    reset and a dead worker's rows are taken over by ``claim`` once they are stale.
    """
    with Session(engine) as session:
        q = update(OutboxMessage).where(OutboxMessage.status == "sending")
        if engine.dialect.name != "sqlite":
            q = q.where(OutboxMessage.claimed_by == worker)
        res = session.execute(q.values(status="queued"))
        session.commit()
        return res.rowcount or 0


def _finish(engine: Engine, row_id: int, **values) -> None:
    with Session(engine) as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(**values))
        session.commit()


class _Transport:
    async def __aenter__(self): return self
    async def __aexit__(self, *exc): return None
    async def send(self, row: OutboxMessage) -> str: raise NotImplementedError


class DirectoryTransport(_Transport):
    """Shadow mode: write each message as an .eml file instead of sending it."""

    def __init__(self, directory: str):
        self.dir = Path(directory)

    async def send(self, row: OutboxMessage) -> str:
        self.dir.mkdir(parents=True, exist_ok=True)
        name = f"{row.id:08d}-{row.kind}.eml"
        tmp = self.dir / (name + ".tmp")
        tmp.write_bytes(row.raw)
        os.replace(tmp, self.dir / name)  # same name on a resend: still one file
        return f"written {name}"


class SmtpTransport(_Transport):
    def __init__(self, cfg: SmtpConfig):
        self.cfg = cfg
        self.client = None

    async def __aenter__(self):
        import aiosmtplib

        cfg = self.cfg
        context = ssl.create_default_context()
        self.client = aiosmtplib.SMTP(
            hostname=cfg.host, port=cfg.port, timeout=cfg.timeout,
            use_tls=cfg.security == "tls",
            start_tls=True if cfg.security == "starttls" else False,
            tls_context=context if cfg.security != "none" else None,
        )
        try:
            await self.client.connect()
            if cfg.username and cfg.password:
                await self.client.login(cfg.username, cfg.password.get())
        except aiosmtplib.SMTPAuthenticationError as exc:
            raise SendError(f"SMTP login to {cfg.host}:{cfg.port} failed: {exc.message}", permanent=False,
                            code=exc.code) from None
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise SendError(f"cannot connect to SMTP {cfg.host}:{cfg.port}: {exc}") from None
        return self

    async def __aexit__(self, *exc):
        if self.client is not None:
            try:
                await self.client.quit()
            except Exception:  # the connection may already be gone
                self.client.close()

    async def send(self, row: OutboxMessage) -> str:
        import aiosmtplib

        try:
            errors, reply = await self.client.sendmail(row.from_addr, [row.to_addr], row.raw)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            first = exc.recipients[0] if exc.recipients else None
            code = first.code if first else 550
            raise SendError(f"recipient refused: {code}", permanent=code >= 500, code=code) from None
        except aiosmtplib.SMTPResponseException as exc:
            raise SendError(f"{exc.code} {exc.message}", permanent=exc.code >= 500, code=exc.code) from None
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise SendError(f"SMTP connection failed: {exc}") from None
        return reply


def transport_for(cfg: SmtpConfig) -> _Transport:
    if cfg.transport == "directory":
        return DirectoryTransport(cfg.directory or "outbox")
    return SmtpTransport(cfg)


async def send_due(
    engine: Engine,
    cfg: SmtpConfig,
    *,
    worker: str,
    now: Callable[[], datetime],
    limit: int | None = None,
    on_permanent_failure: Callable[[OutboxMessage, str], None] | None = None,
) -> SendReport:
    """Send every due row once over one connection. Never raises for one bad row."""
    report = SendReport()
    rows = claim(engine, worker=worker, now=now(), limit=limit or cfg.batch_size)
    report.claimed = len(rows)
    if not rows:
        return report
    pending = list(rows)
    try:
        async with transport_for(cfg) as transport:
            while pending:
                row = pending[0]
                try:
                    reply = await transport.send(row)
                except SendError as exc:
                    if not exc.permanent and exc.code is None:
                        raise  # the connection broke: the rest are retried below
                    pending.pop(0)
                    _fail(engine, cfg, row, exc, now(), report, on_permanent_failure)
                    continue
                fault_point("after_smtp_data_before_commit")
                _finish(engine, row.id, status="sent", sent_at=now(), smtp_reply=str(reply)[:500],
                        attempts=row.attempts + 1, last_error=None)
                pending.pop(0)
                report.sent += 1
    except SendError as exc:
        log.warning("outbox: %s; %d message(s) will be retried", exc, len(pending))
        for row in pending:
            _fail(engine, cfg, row, SendError(str(exc)), now(), report, on_permanent_failure)
    return report


def _fail(engine, cfg, row, exc: SendError, at: datetime, report: SendReport, on_permanent) -> None:
    attempts = row.attempts + 1
    if exc.permanent or attempts >= cfg.max_attempts:
        _finish(engine, row.id, status="failed", attempts=attempts, last_error=str(exc)[:500])
        report.failed += 1
        log.error("outbox: message %s to %s failed permanently: %s", row.id,
                  redact_address(row.to_addr), exc)
        if on_permanent:
            on_permanent(row, str(exc))
    else:
        _finish(engine, row.id, status="queued", attempts=attempts, last_error=str(exc)[:500],
                next_attempt_at=at + backoff(attempts, cfg))
        report.retried += 1


def backlog(engine: Engine) -> dict[str, int]:
    from sqlalchemy import func

    with Session(engine) as session:
        rows = session.exec(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
        return {status: n for status, n in rows}
