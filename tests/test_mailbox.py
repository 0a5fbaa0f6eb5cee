"""The mailbox edge against a real Dovecot and a real maildir; plus smoke tests of the
SMTP sink and PostgreSQL fixtures. No mocks: every IMAP command here reaches the server."""

from __future__ import annotations

import asyncio
import logging
import mailbox as std_mailbox
import os
import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from intake_bot.errors import MailboxError
from intake_bot.mailbox import (
    PROCESSED_KEYWORD,
    FetchedMessage,
    check_mailbox,
    open_mailbox,
    parse_fetch_response,
    parse_internaldate,
)
from tests.servers import free_port

OSLO_WINTER = timezone(timedelta(hours=1))


def make_mail(n: int) -> bytes:
    return (f"From: Kari Nordmann <kari{n}@example.no>\r\nTo: dataprotection@example.org\r\n"
            f"Subject: Innsyn {n}\r\nMessage-ID: <m{n}@example.no>\r\n\r\n"
            f"Jeg ber om innsyn i mine personopplysninger. ({n})\r\n").encode()


def append_n(dovecot, user: str, n: int) -> list[str]:
    return [str(dovecot.append(user, make_mail(i))) for i in range(1, n + 1)]


# --- pure parsing -----------------------------------------------------------------------
def test_parse_internaldate_keeps_offset():
    d = parse_internaldate(" 7-Mar-2024 09:05:01 +0100")
    assert d == datetime(2024, 3, 7, 9, 5, 1, tzinfo=OSLO_WINTER)
    assert d.utcoffset() == timedelta(hours=1)


def test_parse_fetch_response_reads_items_after_the_literal():
    data = [(b'1 (UID 7 RFC822.SIZE 3 BODY[] {3}', b"abc"), b' INTERNALDATE "01-Feb-2024 10:00:00 +0000")',
            b"2 (FLAGS (\\Seen))"]
    [(uid, date, size, raw)] = parse_fetch_response(data)
    assert (uid, size, raw) == (7, 3, b"abc")
    assert date == datetime(2024, 2, 1, 10, tzinfo=timezone.utc)


# --- IMAP against Dovecot -----------------------------------------------------------------
def test_pending_keys_lists_backlog_in_uid_order(dovecot, imap_user, imap_config):
    uids = append_n(dovecot, imap_user[0], 3)
    with open_mailbox(imap_config) as box:
        assert box.pending_keys() == uids
        assert box.uidvalidity() == dovecot.uidvalidity(imap_user[0])


def test_fetch_keeps_bytes_and_internaldate_and_leaves_mail_unseen(dovecot, imap_user, imap_config):
    user = imap_user[0]
    when = datetime(2024, 1, 15, 8, 30, 0, tzinfo=OSLO_WINTER)
    raws = [make_mail(i) for i in range(3)]
    for raw in raws:
        dovecot.append(user, raw, date=when)
    with open_mailbox(imap_config) as box:
        got = list(box.fetch(box.pending_keys(), batch_size=2))
    assert [m.raw for m in got] == raws
    assert all(isinstance(m, FetchedMessage) for m in got)
    assert all(m.internaldate == when and m.internaldate.tzinfo is not None for m in got)
    assert [m.size for m in got] == [len(r) for r in raws]
    assert all(m.uidvalidity == dovecot.uidvalidity(user) for m in got)
    assert all("\\Seen" not in flags for flags in dovecot.flags(user).values())


def test_fetch_skips_keys_that_vanished(dovecot, imap_user, imap_config):
    uids = append_n(dovecot, imap_user[0], 2)
    with open_mailbox(imap_config) as box:
        got = list(box.fetch([uids[0], "999", uids[1]], batch_size=10))
    assert [m.key for m in got] == uids


def test_mark_processed_moves_to_created_folder(dovecot, imap_user, imap_config):
    user = imap_user[0]
    uids = append_n(dovecot, user, 3)
    assert "Processed" not in dovecot.folders(user)
    with open_mailbox(imap_config) as box:
        assert "MOVE" in box.capabilities  # refreshed after login
        box.mark_processed(uids[:2])
        assert box.pending_keys() == uids[2:]
        box.mark_processed(uids[2:])
        assert box.pending_keys() == []
    assert "Processed" in dovecot.folders(user)
    assert dovecot.folder_uids(user, "INBOX") == []
    assert dovecot.fetch_all(user, "Processed") == [make_mail(i) for i in (1, 2, 3)]


def test_quarantine_moves_to_quarantine_folder(dovecot, imap_user, imap_config):
    user = imap_user[0]
    uids = append_n(dovecot, user, 2)
    with open_mailbox(imap_config) as box:
        box.quarantine(uids[:1])
        assert box.pending_keys() == uids[1:]
    assert dovecot.fetch_all(user, "Quarantine") == [make_mail(1)]
    assert "Processed" not in dovecot.folders(user)


def test_without_move_copy_then_uid_expunge_spares_other_deleted_mail(dovecot, imap_user, imap_config):
    user = imap_user[0]
    uids = append_n(dovecot, user, 2)
    other = dovecot.append(user, make_mail(9), flags=("\\Deleted",))  # another client's pending delete
    with open_mailbox(imap_config) as box:
        box.capabilities = box.capabilities - {"MOVE"}
        assert "UIDPLUS" in box.capabilities
        box.mark_processed(uids)
        assert box.pending_keys() == []
    assert dovecot.folder_uids(user, "INBOX") == [other]
    assert dovecot.fetch_all(user, "Processed") == [make_mail(1), make_mail(2)]


def test_without_move_or_uidplus_the_keyword_hides_processed_mail(dovecot, imap_user, imap_config):
    user = imap_user[0]
    uids = append_n(dovecot, user, 2)
    with open_mailbox(imap_config) as box:
        box.capabilities = box.capabilities - {"MOVE", "UIDPLUS"}
        box.mark_processed(uids[:1])
        assert box.pending_keys() == uids[1:]
    flags = dovecot.flags(user)
    assert PROCESSED_KEYWORD in flags[int(uids[0])] and "\\Deleted" not in flags[int(uids[0])]
    assert dovecot.fetch_all(user, "Processed") == [make_mail(1)]


def test_uidvalidity_change_is_observable(dovecot, imap_user, imap_config):
    user = imap_user[0]
    append_n(dovecot, user, 1)
    with open_mailbox(imap_config) as box:
        before = box.uidvalidity()
    new = dovecot.set_uidvalidity(user)
    with open_mailbox(imap_config) as box:
        assert box.uidvalidity() == new != before
        assert [m.uidvalidity for m in box.fetch(box.pending_keys(), batch_size=5)] == [new]


def _later(delay: float, fn, *args) -> threading.Thread:
    def run():
        time.sleep(delay)
        fn(*args)
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def test_idle_wakes_soon_after_an_append(dovecot, imap_user, imap_config):
    user = imap_user[0]
    with open_mailbox(imap_config) as box:
        assert box.supports_idle()
        assert box.pending_keys() == []
        t = _later(0.3, dovecot.append, user, make_mail(1))
        start = time.monotonic()
        assert box.wait_for_change(15) is True
        assert time.monotonic() - start < 5
        t.join()
        assert len(box.pending_keys()) == 1


def test_idle_times_out_quietly_without_mail(imap_config):
    with open_mailbox(imap_config) as box:
        start = time.monotonic()
        assert box.wait_for_change(0.5) is False
        assert 0.4 < time.monotonic() - start < 3
        assert box.pending_keys() == []  # the connection is still usable


def test_idle_broken_by_server_reconnects_and_asks_for_resync(dovecot, imap_user, imap_config):
    user = imap_user[0]
    with open_mailbox(imap_config) as box:
        t = _later(0.3, dovecot.kick, user)
        assert box.wait_for_change(10) is True
        t.join()
        dovecot.append(user, make_mail(1))
        assert len(box.pending_keys()) == 1  # reconnected


def test_polling_without_idle_sees_new_mail(dovecot, imap_user, imap_config):
    user = imap_user[0]
    with open_mailbox(imap_config) as box:
        box.capabilities = box.capabilities - {"IDLE"}
        assert not box.supports_idle()
        t = _later(0.2, dovecot.append, user, make_mail(1))
        assert box.wait_for_change(10) is True
        t.join()


# --- check_mailbox: plain words ---------------------------------------------------------
def test_check_mailbox_ok(dovecot, imap_user, imap_config):
    append_n(dovecot, imap_user[0], 2)
    assert check_mailbox(imap_config) == "ok: 2 messages in INBOX"


def test_check_mailbox_wrong_password(imap_config, caplog):
    from intake_bot.config import Secret

    cfg = replace(imap_config, username="info@alektum.example", password=Secret("s3cret-Wrong-pw"))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(MailboxError) as err:
        check_mailbox(cfg)
    msg = str(err.value)
    assert "login failed for user info@...: authentication failed" in msg
    assert "s3cret-Wrong-pw" not in msg and "alektum.example" not in msg
    assert err.value.__cause__ is None and err.value.__suppress_context__
    assert "s3cret-Wrong-pw" not in caplog.text and "alektum.example" not in caplog.text


def test_check_mailbox_closed_port(imap_config):
    port = free_port()
    with pytest.raises(MailboxError) as err:
        check_mailbox(replace(imap_config, port=port))
    assert f"cannot connect to 127.0.0.1:{port}: connection refused" in str(err.value)
    assert imap_config.password.get() not in str(err.value)


def test_check_mailbox_missing_folder(imap_config):
    with pytest.raises(MailboxError) as err:
        check_mailbox(replace(imap_config, folder="Nope"))
    assert "folder Nope does not exist" in str(err.value)
    assert imap_config.password.get() not in str(err.value)


def test_tls_with_untrusted_certificate_fails_in_plain_words(dovecot, imap_config, monkeypatch):
    if not dovecot.tls:
        pytest.skip("openssl not available, Dovecot runs without TLS")
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    with pytest.raises(MailboxError) as err:
        check_mailbox(replace(imap_config, security="tls", port=dovecot.tls_port))
    assert "TLS handshake failed" in str(err.value) and "certificate" in str(err.value)


@pytest.mark.parametrize("security", ["tls", "starttls"])
def test_tls_and_starttls_work_with_a_trusted_certificate(dovecot, imap_user, imap_config, monkeypatch,
                                                          security):
    if not dovecot.tls:
        pytest.skip("openssl not available, Dovecot runs without TLS")
    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot.cert_path))
    append_n(dovecot, imap_user[0], 1)
    port = dovecot.tls_port if security == "tls" else dovecot.port
    cfg = replace(imap_config, security=security, port=port)
    assert check_mailbox(cfg) == "ok: 1 messages in INBOX"
    with open_mailbox(cfg) as box:
        assert [m.raw for m in box.fetch(box.pending_keys(), batch_size=5)] == [make_mail(1)]


# --- maildir ----------------------------------------------------------------------------
@pytest.fixture
def maildir_config(tmp_path):
    from intake_bot.config import MailboxConfig

    root = tmp_path / "Maildir"
    std_mailbox.Maildir(root, create=True)
    return MailboxConfig(name="local", address="dataprotection@example.org", type="maildir", path=str(root))


def _deliver(root, raw: bytes, mtime: float) -> str:
    md = std_mailbox.Maildir(root, create=False)
    key = md.add(raw)
    path = os.path.join(root, md._lookup(key))
    os.utime(path, (mtime, mtime))
    return key


def test_maildir_lists_fetches_and_files_away(maildir_config):
    root = maildir_config.path
    t0 = datetime(2024, 5, 2, 10, 0, tzinfo=timezone.utc).timestamp()
    k_late = _deliver(root, make_mail(2), t0 + 60)
    k_early = _deliver(root, make_mail(1), t0)
    k_third = _deliver(root, make_mail(3), t0 + 120)
    with open_mailbox(maildir_config) as box:
        assert box.uidvalidity() == 0 and not box.supports_idle()
        assert box.pending_keys() == [k_early, k_late, k_third]
        got = list(box.fetch(box.pending_keys(), batch_size=2))
        assert [m.raw for m in got] == [make_mail(1), make_mail(2), make_mail(3)]
        assert got[0].internaldate == datetime(2024, 5, 2, 10, 0, tzinfo=timezone.utc)
        assert got[0].size == len(make_mail(1)) and got[0].key == k_early
        box.mark_processed([k_early])
        box.quarantine([k_late])
        assert box.pending_keys() == [k_third]
    processed = std_mailbox.Maildir(root, create=False).get_folder("Processed")
    quarantine = std_mailbox.Maildir(root, create=False).get_folder("Quarantine")
    assert [processed.get_bytes(k) for k in processed.keys()] == [make_mail(1)]
    assert [quarantine.get_bytes(k) for k in quarantine.keys()] == [make_mail(2)]
    assert os.path.isdir(os.path.join(root, ".Processed", "cur"))
    assert check_mailbox(maildir_config) == "ok: 1 messages in maildir Maildir"


def test_maildir_wait_for_change_sees_a_delivery(maildir_config):
    with open_mailbox(maildir_config) as box:
        assert box.wait_for_change(0.3) is False
        t = _later(0.2, _deliver, maildir_config.path, make_mail(1), time.time())
        assert box.wait_for_change(5) is True
        t.join()
        assert len(box.pending_keys()) == 1


def test_maildir_missing_path_is_a_mailbox_error(maildir_config, tmp_path):
    with pytest.raises(MailboxError, match="is not a maildir"):
        check_mailbox(replace(maildir_config, path=str(tmp_path / "nowhere")))


# --- the other servers ------------------------------------------------------------------
def test_smtp_sink_receives_and_can_fail_temporarily(smtp_sink):
    import aiosmtplib

    msg = b"From: bot@example.org\r\nTo: kari@example.no\r\nMessage-ID: <x1@example.org>\r\n\r\nHei\r\n"

    async def send():
        return await aiosmtplib.send(msg, sender="bot@example.org", recipients=["kari@example.no"],
                                     hostname=smtp_sink.host, port=smtp_sink.port, timeout=10)

    asyncio.run(send())
    [got] = smtp_sink.messages
    assert (got.mail_from, got.rcpt_tos, got.message_id) == ("bot@example.org", ["kari@example.no"],
                                                             "<x1@example.org>")
    assert got.raw.endswith(b"Hei\r\n")

    smtp_sink.fail_next(1, code=451)
    with pytest.raises(aiosmtplib.SMTPResponseException) as err:
        asyncio.run(send())
    assert 400 <= err.value.code < 500
    asyncio.run(send())
    assert len(smtp_sink.messages) == 2 and smtp_sink.attempts == 3


def test_smtp_sink_downtime_refuses_connections(smtp_sink):
    import aiosmtplib

    smtp_sink.stop()
    with pytest.raises(aiosmtplib.SMTPConnectError):
        asyncio.run(aiosmtplib.send(b"Subject: x\r\n\r\nx\r\n", sender="a@example.org",
                                    recipients=["b@example.org"], hostname=smtp_sink.host,
                                    port=smtp_sink.port, timeout=5))
    smtp_sink.start()
    asyncio.run(aiosmtplib.send(b"Subject: x\r\n\r\nx\r\n", sender="a@example.org",
                                recipients=["b@example.org"], hostname=smtp_sink.host,
                                port=smtp_sink.port, timeout=5))
    assert len(smtp_sink.wait_for(1)) == 1


def test_db_url_gives_a_working_empty_database(db_url):
    import sqlalchemy as sa

    engine = sa.create_engine(db_url)
    try:
        with engine.begin() as conn:
            assert conn.execute(sa.text("SELECT 1")).scalar() == 1
            assert sa.inspect(conn).get_table_names() == []
            conn.execute(sa.text("CREATE TABLE t (x INTEGER)"))
    finally:
        engine.dispose()
    assert db_url.startswith(("sqlite:///", "postgresql+psycopg://"))
