"""The test servers themselves: they must behave like the real thing, or the tests lie."""

from __future__ import annotations

import asyncio
import ssl

import pytest

from tests.servers import Dovecot, SmtpSink, free_port, openssl_available


def test_postgres_fixture_answers_select_1(postgres):
    import sqlalchemy as sa

    engine = sa.create_engine(postgres.create_database("smoke_select"))
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT 1")).scalar() == 1
            assert conn.execute(sa.text("SHOW fsync")).scalar() == "off"
    finally:
        engine.dispose()


def test_dovecot_restart_keeps_mail_and_uidvalidity():
    with Dovecot(users={"a": "pw-a"}) as server:
        uid = server.append("a", b"Subject: keep\r\n\r\nx\r\n")
        validity = server.uidvalidity("a")
        server.restart()
        assert server.folder_uids("a") == [uid]
        assert server.uidvalidity("a") == validity
    assert not server.dir.exists()  # its own temp dir is removed


def test_dovecot_new_user_can_log_in_at_once(dovecot):
    for i in range(3):  # several within one second: each has its own passwd-file
        dovecot.add_user(f"burst{i}", f"pw{i}")
        assert dovecot.folder_uids(f"burst{i}") == []


def _send(sink: SmtpSink, **kw):
    import aiosmtplib

    return asyncio.run(aiosmtplib.send(b"Subject: t\r\nMessage-ID: <t@x>\r\n\r\nt\r\n", sender="a@example.org",
                                       recipients=["b@example.org"], hostname=sink.host, port=sink.port,
                                       timeout=10, **kw))


def test_smtp_sink_fail_all_is_permanent(smtp_sink):
    import aiosmtplib

    smtp_sink.fail_all(550)
    for _ in range(2):
        with pytest.raises(aiosmtplib.SMTPResponseException) as err:
            _send(smtp_sink)
        assert err.value.code == 550
    assert smtp_sink.messages == [] and smtp_sink.attempts == 2


@pytest.mark.skipif(not openssl_available(), reason="openssl not installed")
def test_smtp_sink_with_starttls_and_auth(tmp_path):
    import aiosmtplib

    with SmtpSink(auth={"bot": "s3cret"}, starttls=True, tmpdir=tmp_path) as sink:
        ctx = ssl.create_default_context(cafile=str(sink.cert_path))
        _send(sink, start_tls=True, tls_context=ctx, username="bot", password="s3cret")
        assert [m.message_id for m in sink.messages] == ["<t@x>"]
        with pytest.raises(aiosmtplib.SMTPAuthenticationError):
            _send(sink, start_tls=True, tls_context=ctx, username="bot", password="wrong")
        assert len(sink.messages) == 1


def test_free_port_is_bindable():
    import socket

    port = free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
        assert s.getsockname()[1] == port
