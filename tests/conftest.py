"""Shared fixtures: real servers on loopback ports (Dovecot, an SMTP sink, PostgreSQL).

Servers are session-scoped and started on first use, so a test run that needs none
of them starts none. Per-test isolation comes from fresh IMAP users, a reset SMTP
sink and a fresh database per test.
"""

from __future__ import annotations

import itertools
import os
import secrets
import shutil
import sys
import uuid
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
for _p in (str(REPO_ROOT), str(REPO_ROOT / "tests")):
    if _p not in sys.path:
        sys.path.insert(0, _p)

from tests.servers import REQUIRE_PG_ENV, Dovecot, Postgres, SmtpSink, openssl_available  # noqa: E402

_user_counter = itertools.count(1)


def pytest_configure(config):
    # aiosmtpd warns about its own deprecated attribute whenever AUTH succeeds
    config.addinivalue_line("filterwarnings", "ignore:Session.login_data is deprecated")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def dovecot():
    """A Dovecot IMAP server for the whole session; with TLS (STARTTLS + implicit) if openssl exists."""
    if shutil.which("dovecot") is None:
        pytest.fail("dovecot is not installed: run scripts/test.sh (apt-get install dovecot-imapd)")
    server = Dovecot(tls=openssl_available())
    server.start()
    yield server
    server.cleanup()


@pytest.fixture
def imap_user(dovecot) -> tuple[str, str]:
    """A fresh Dovecot user with an empty mailbox: (username, password)."""
    name = f"user{next(_user_counter)}-{uuid.uuid4().hex[:6]}"
    password = "pw-" + secrets.token_hex(8)
    dovecot.add_user(name, password)
    return name, password


@pytest.fixture
def imap_config(dovecot, imap_user):
    """A MailboxConfig for imap_user on the session Dovecot (plain IMAP on loopback)."""
    from intake_bot.config import MailboxConfig, Secret

    name, password = imap_user
    return MailboxConfig(name="test-inbox", address="dataprotection@example.org", type="imap",
                         host=dovecot.host, port=dovecot.port, security="none", username=name,
                         password=Secret(password), timeout=10.0, batch_size=10)


@pytest.fixture(scope="session")
def smtp_sink_server():
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.cleanup()


@pytest.fixture
def smtp_sink(smtp_sink_server) -> SmtpSink:
    """The session SMTP sink, running, with no messages and no failures queued."""
    smtp_sink_server.reset()
    yield smtp_sink_server
    smtp_sink_server.reset()


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL cluster; skipped when missing unless INTAKE_BOT_REQUIRE_PG is set."""
    if not Postgres.available():
        if os.environ.get(REQUIRE_PG_ENV):
            pytest.fail(f"PostgreSQL binaries not found and {REQUIRE_PG_ENV} is set")
        pytest.skip("PostgreSQL binaries not found (set INTAKE_BOT_PG_BINDIR or install postgresql)")
    server = Postgres()
    server.start()
    yield server
    server.cleanup()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    """A fresh, empty database URL per test, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    pg = request.getfixturevalue("postgres")
    return pg.create_database(f"t_{uuid.uuid4().hex[:16]}")


def pytest_collection_modifyitems(config, items):
    """Mark tests by the servers they use, so `-m "not postgres"` and friends work."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if "dovecot" in names:
            item.add_marker(pytest.mark.dovecot)
        if "postgres" in names:
            item.add_marker(pytest.mark.postgres)
