"""Engine, sessions and migrations. The one place that knows the database URL."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine

from . import models  # noqa: F401  (registers the tables)
from .errors import StorageError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _sqlite_path(url: str) -> Path | None:
    if not url.startswith("sqlite:///"):
        return None
    rest = url[len("sqlite:///"):]
    return None if rest in ("", ":memory:") else Path(rest)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine; a new SQLite file is created with mode 0600 first."""
    path = _sqlite_path(url)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not path.exists():
                fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
                os.close(fd)
        except OSError as exc:
            raise StorageError(f"cannot create the SQLite database {path}: {exc.strerror}") from None
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session; the caller commits. Rolls back on error."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with Alembic (``intake-bot db upgrade``)."""
    from alembic import command

    path = _sqlite_path(url)
    if path is not None and not path.exists():
        make_engine(url).dispose()  # creates the file with mode 0600
    try:
        command.upgrade(alembic_config(url), revision)
    except OperationalError as exc:
        raise StorageError(f"database upgrade failed: {exc.orig}") from None


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def ensure_schema(engine: Engine) -> None:
    """Refuse to run on a database that was never migrated."""
    if not inspect(engine).has_table("alembic_version") or current_revision(engine) is None:
        raise StorageError("the database has no schema yet: run `intake-bot db upgrade`")
