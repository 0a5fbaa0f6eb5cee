"""One worker per mailbox: lease rows with an expiry (PostgreSQL or SQLite), and the
single-process guard for SQLite.

A lease is taken with one atomic UPDATE ... WHERE (free OR expired OR mine), so two
workers can never both hold it; the holder renews it every cycle. A dead
worker's mailboxes are taken over once its lease expires (TTL + one poll).
"""

from __future__ import annotations

import fcntl
import os
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import false, or_, true, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from .errors import UserError
from .models import MailboxState


def acquire(engine, name: str, *, worker: str, now: datetime, ttl_seconds: float) -> bool:
    """Take or renew the lease on mailbox ``name``; True if this worker holds it now."""
    with Session(engine) as session:
        if session.get(MailboxState, name) is None:
            session.add(MailboxState(name=name))
            try:
                session.commit()
            except IntegrityError:  # another worker created it first
                session.rollback()
        res = session.execute(
            update(MailboxState)
            .where(MailboxState.name == name,
                   or_(MailboxState.lease_owner.is_(None), MailboxState.lease_owner == worker,
                       MailboxState.lease_expires_at < now,
                       # SQLite: SingleProcessGuard admits one process, so another owner is a dead one
                       true() if engine.dialect.name == "sqlite" else false()))
            .values(lease_owner=worker, lease_expires_at=now + timedelta(seconds=ttl_seconds))
        )
        session.commit()
        return (res.rowcount or 0) == 1


def release(engine, name: str, *, worker: str) -> None:
    with Session(engine) as session:
        session.execute(update(MailboxState)
                        .where(MailboxState.name == name, MailboxState.lease_owner == worker)
                        .values(lease_owner=None, lease_expires_at=None))
        session.commit()


class SingleProcessGuard:
    """SQLite allows one worker: an exclusive lock on ``<database>.lock`` for the process lifetime."""

    def __init__(self, database_url: str):
        self.path: Path | None = None
        self._fd: int | None = None
        if database_url.startswith("sqlite:///") and database_url[len("sqlite:///"):] not in ("", ":memory:"):
            self.path = Path(database_url[len("sqlite:///"):] + ".lock")

    def __enter__(self) -> "SingleProcessGuard":
        if self.path is None:
            return self
        fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise UserError(
                f"another intake-bot (pid {holder}) is already working on this SQLite database; "
                "SQLite supports one worker: stop it, or use PostgreSQL to run several") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
