"""Migrations: upgrade creates every table (SQLite file 0600), is idempotent, and is required."""

from __future__ import annotations

import stat

import pytest
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from intake_bot.db import current_revision, ensure_schema, make_engine, session_scope, upgrade
from intake_bot.errors import IntakeBotError, StorageError

EXPECTED_TABLES = {"inbound_message", "dsr_case", "case_event", "case_pause", "outbox", "mailbox_state", "known_requester",
                   "suppression", "marker", "alembic_version"}


def test_model_tables_are_the_expected_ones():
    assert set(SQLModel.metadata.tables) | {"alembic_version"} == EXPECTED_TABLES


def test_upgrade_creates_a_private_sqlite_file_with_all_tables(tmp_path):
    path = tmp_path / "sub" / "bot.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    engine = make_engine(url)
    try:
        assert set(inspect(engine).get_table_names()) == EXPECTED_TABLES
        ensure_schema(engine)  # does not raise
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        engine.dispose()
    for side in tmp_path.joinpath("sub").iterdir():  # -wal/-shm files must be private too
        assert stat.S_IMODE(side.stat().st_mode) & 0o077 == 0, side.name


def test_make_engine_creates_a_new_sqlite_file_0600(tmp_path):
    path = tmp_path / "fresh.db"
    make_engine(f"sqlite:///{path}").dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_ensure_schema_refuses_an_empty_database(db_url):
    engine = make_engine(db_url)
    try:
        with pytest.raises(StorageError) as info:
            ensure_schema(engine)
        assert "intake-bot db upgrade" in str(info.value)
        assert isinstance(info.value, IntakeBotError)
        assert current_revision(engine) is None
    finally:
        engine.dispose()


def test_upgrade_twice_is_a_no_op(db_url):
    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        rev = current_revision(engine)
        assert rev is not None
        assert EXPECTED_TABLES <= set(inspect(engine).get_table_names())
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO marker (key, created_at, data) "
                              "VALUES ('keep-me', CURRENT_TIMESTAMP, '{}')"))
        upgrade(db_url)
        assert current_revision(engine) == rev
        ensure_schema(engine)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM marker WHERE key = 'keep-me'")).scalar() == 1
            assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    finally:
        engine.dispose()


def test_migrations_match_the_models(db_url):
    """No drift: autogenerate against the migrated schema finds nothing to do."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    upgrade(db_url)
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
        assert diff == []
    finally:
        engine.dispose()


def test_session_scope_rolls_back_on_error(tmp_path):
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with pytest.raises(RuntimeError):
            with session_scope(engine) as s:
                s.execute(text("INSERT INTO marker (key, created_at, data) VALUES ('x', CURRENT_TIMESTAMP, '{}')"))
                raise RuntimeError("boom")
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM marker")).scalar() == 0
    finally:
        engine.dispose()


def test_upgrade_to_an_unusable_sqlite_path_is_a_storage_error(tmp_path):
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where a directory should be")
    with pytest.raises(StorageError, match="cannot create the SQLite database"):
        upgrade(f"sqlite:///{blocked / 'bot.db'}")


def test_upgrade_to_an_unreachable_postgresql_is_a_storage_error():
    from tests.servers import free_port

    with pytest.raises(StorageError, match="database upgrade failed"):
        upgrade(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nothing?connect_timeout=2")
