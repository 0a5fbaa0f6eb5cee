"""The outbox against a real SMTP server (aiosmtpd sink) and real databases."""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import textwrap
import uuid
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage

import aiosmtplib
import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from intake_bot import outbox
from intake_bot.config import SmtpConfig
from intake_bot.db import make_engine, upgrade
from intake_bot.models import OutboxMessage

UTC = timezone.utc
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FROM = "dataprotection@alektumgroup.com"


@pytest.fixture
def engine(db_url):
    upgrade(db_url)
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


def smtp_cfg(sink, **kw) -> SmtpConfig:
    return SmtpConfig(host=sink.host, port=sink.port, security="none", timeout=5.0, **kw)


def raw_message(to: str, message_id: str, subject: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = FROM
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{message_id}>"
    msg["Auto-Submitted"] = "auto-replied"
    msg.set_content(f"Body of {subject}\n")
    return msg.as_bytes()


def queue(engine, n: int, *, at: datetime = T0, kind: str = "acknowledgement", **kw) -> list[OutboxMessage]:
    rows = []
    with Session(engine, expire_on_commit=False) as s:
        for i in range(n):
            mid = f"test.{uuid.uuid4().hex}@alektumgroup.com"
            to = f"requester{i}@example.net"
            row = OutboxMessage(kind=kind, from_addr=FROM, to_addr=to, message_id=mid,
                                subject=f"message {i}", raw=raw_message(to, mid, f"message {i}"),
                                next_attempt_at=at, created_at=at, **kw)
            s.add(row)
            rows.append(row)
        s.commit()
    return rows


def rows_by_id(engine) -> dict[int, OutboxMessage]:
    with Session(engine) as s:
        return {r.id: r for r in s.exec(select(OutboxMessage))}


def send(engine, cfg, *, at: datetime = T0, worker: str = "w1", **kw) -> outbox.SendReport:
    return asyncio.run(outbox.send_due(engine, cfg, worker=worker, now=lambda: at, **kw))


@pytest.fixture
def connections(monkeypatch) -> list[int]:
    """Count real SMTP connections opened by aiosmtplib (a spy; the protocol still runs)."""
    opened: list[int] = []
    real_connect = aiosmtplib.SMTP.connect

    async def counting_connect(self, *args, **kwargs):
        opened.append(1)
        return await real_connect(self, *args, **kwargs)

    monkeypatch.setattr(aiosmtplib.SMTP, "connect", counting_connect)
    return opened


# --------------------------------------------------------------------------- happy path
def test_queued_rows_are_sent_once_over_one_connection(engine, smtp_sink, connections):
    rows = queue(engine, 5)
    report = send(engine, smtp_cfg(smtp_sink))
    assert (report.claimed, report.sent, report.retried, report.failed) == (5, 5, 0, 0)
    assert len(connections) == 1

    received = smtp_sink.messages
    assert sorted(m.message_id for m in received) == sorted(f"<{r.message_id}>" for r in rows)
    assert {m.rcpt_tos[0] for m in received} == {r.to_addr for r in rows}
    assert all(m.mail_from == FROM for m in received)
    stored = rows_by_id(engine)
    assert all(r.status == "sent" and r.attempts == 1 and r.sent_at == T0 for r in stored.values())
    assert all("250" in (r.smtp_reply or "") or "OK" in (r.smtp_reply or "") for r in stored.values())

    # a second run finds nothing due and sends nothing again
    again = send(engine, smtp_cfg(smtp_sink), at=T0 + timedelta(hours=1))
    assert again.claimed == 0 and len(smtp_sink.messages) == 5
    assert outbox.backlog(engine) == {"sent": 5}


def test_rows_not_yet_due_are_left_alone(engine, smtp_sink):
    queue(engine, 2, at=T0 + timedelta(minutes=5))
    assert send(engine, smtp_cfg(smtp_sink)).claimed == 0
    assert smtp_sink.messages == []
    assert send(engine, smtp_cfg(smtp_sink), at=T0 + timedelta(minutes=5)).sent == 2


# --------------------------------------------------------------------------- failures
def test_451_retries_later_and_the_rest_still_go(engine, smtp_sink, connections):
    first, second = queue(engine, 2, at=T0)
    with Session(engine) as s:  # make the order certain: first is due earlier
        s.get(OutboxMessage, first.id).next_attempt_at = T0 - timedelta(seconds=1)
        s.commit()
    smtp_sink.fail_next(1, 451)
    report = send(engine, smtp_cfg(smtp_sink))
    assert (report.sent, report.retried, report.failed) == (1, 1, 0)
    assert len(connections) == 1

    stored = rows_by_id(engine)
    retry = stored[first.id]
    assert retry.status == "queued" and retry.attempts == 1
    assert "451" in retry.last_error
    assert T0 + timedelta(seconds=15) <= retry.next_attempt_at <= T0 + timedelta(seconds=30)
    assert stored[second.id].status == "sent"
    assert [m.message_id for m in smtp_sink.messages] == [f"<{second.message_id}>"]

    # not due yet a moment later; due after the backoff
    assert send(engine, smtp_cfg(smtp_sink), at=T0 + timedelta(seconds=1)).claimed == 0
    later = send(engine, smtp_cfg(smtp_sink), at=retry.next_attempt_at)
    assert later.sent == 1
    after = rows_by_id(engine)[first.id]
    assert (after.status, after.attempts, after.last_error) == ("sent", 2, None)
    assert sorted(m.message_id for m in smtp_sink.messages) == sorted(
        [f"<{first.message_id}>", f"<{second.message_id}>"])


def test_backoff_has_jitter_grows_and_is_capped():
    cfg = SmtpConfig(backoff_base_seconds=30, backoff_max_seconds=600)
    samples = {outbox.backoff(1, cfg, random.Random(seed)) for seed in range(20)}
    assert len(samples) > 10  # jitter: not one fixed delay
    assert all(timedelta(seconds=15) <= d <= timedelta(seconds=30) for d in samples)
    # grows: the shortest wait at attempt n+1 is the longest at attempt n
    for n in range(1, 5):
        longest = max(outbox.backoff(n, cfg, random.Random(s)) for s in range(20))
        shortest_next = min(outbox.backoff(n + 1, cfg, random.Random(s)) for s in range(20))
        assert shortest_next >= longest
    capped = [outbox.backoff(30, cfg, random.Random(s)) for s in range(20)]
    assert all(timedelta(seconds=300) <= d <= timedelta(seconds=600) for d in capped)


def test_550_marks_the_row_failed(engine, smtp_sink):
    (row,) = queue(engine, 1)
    smtp_sink.fail_all(550)
    failures: list[tuple[int, str]] = []
    report = send(engine, smtp_cfg(smtp_sink),
                  on_permanent_failure=lambda r, err: failures.append((r.id, err)))
    assert (report.sent, report.retried, report.failed) == (0, 0, 1)
    stored = rows_by_id(engine)[row.id]
    assert stored.status == "failed" and stored.attempts == 1 and "550" in stored.last_error
    assert failures == [(row.id, stored.last_error)]
    assert smtp_sink.messages == []
    # a failed row is never claimed again
    smtp_sink.reset()
    assert send(engine, smtp_cfg(smtp_sink), at=T0 + timedelta(days=1)).claimed == 0


def test_max_attempts_turns_a_temporary_failure_permanent(engine, smtp_sink):
    (row,) = queue(engine, 1)
    smtp_sink.fail_next(5, 451)
    cfg = smtp_cfg(smtp_sink, max_attempts=2)
    assert send(engine, cfg).retried == 1
    at = rows_by_id(engine)[row.id].next_attempt_at
    assert send(engine, cfg, at=at).failed == 1
    stored = rows_by_id(engine)[row.id]
    assert (stored.status, stored.attempts) == ("failed", 2)


def test_smtp_down_keeps_rows_queued_then_sends_them(engine, smtp_sink):
    rows = queue(engine, 3)
    smtp_sink.stop()
    try:
        report = send(engine, smtp_cfg(smtp_sink))
        assert (report.claimed, report.sent, report.retried, report.failed) == (3, 0, 3, 0)
        stored = rows_by_id(engine)
        for r in stored.values():
            assert r.status == "queued" and r.attempts == 1
            assert "cannot connect to SMTP" in r.last_error
            assert r.next_attempt_at > T0
    finally:
        smtp_sink.reset()  # back up
    later = max(r.next_attempt_at for r in rows_by_id(engine).values())
    report = send(engine, smtp_cfg(smtp_sink), at=later)
    assert report.sent == 3
    assert sorted(m.message_id for m in smtp_sink.messages) == sorted(f"<{r.message_id}>" for r in rows)
    assert outbox.backlog(engine) == {"sent": 3}


# --------------------------------------------------------------------------- crashes
def test_recover_own_resends_with_the_same_message_id(engine, smtp_sink):
    (row,) = queue(engine, 1)
    claimed = outbox.claim(engine, worker="w1", now=T0, limit=10)
    assert [r.id for r in claimed] == [row.id]
    # "crash": the row stays in sending; another worker does not take a fresh claim
    assert outbox.claim(engine, worker="w2", now=T0 + timedelta(minutes=1), limit=10) == []
    if engine.dialect.name == "sqlite":
        # single-process on SQLite: whoever starts next owns every row left in sending
        assert outbox.recover_own(engine, worker="w2") == 1
    else:
        assert outbox.recover_own(engine, worker="w2") == 0
        assert outbox.recover_own(engine, worker="w1") == 1
    stored = rows_by_id(engine)[row.id]
    assert stored.status == "queued" and stored.message_id == row.message_id
    assert send(engine, smtp_cfg(smtp_sink), worker="w1").sent == 1
    assert [m.message_id for m in smtp_sink.messages] == [f"<{row.message_id}>"]


def test_stale_sending_row_is_reclaimed_by_another_worker(engine, smtp_sink):
    (row,) = queue(engine, 1)
    outbox.claim(engine, worker="dead", now=T0, limit=10)
    not_yet = T0 + outbox.STALE_SENDING - timedelta(seconds=1)
    assert outbox.claim(engine, worker="w2", now=not_yet, limit=10) == []
    report = send(engine, smtp_cfg(smtp_sink), worker="w2", at=T0 + outbox.STALE_SENDING + timedelta(seconds=1))
    assert report.sent == 1
    assert [m.message_id for m in smtp_sink.messages] == [f"<{row.message_id}>"]
    assert rows_by_id(engine)[row.id].claimed_by == "w2"


_CRASHING_WORKER = textwrap.dedent("""
    import asyncio, sys
    from datetime import datetime, timezone
    from intake_bot import outbox
    from intake_bot.config import SmtpConfig
    from intake_bot.db import make_engine
    engine = make_engine(sys.argv[1])
    cfg = SmtpConfig(host="127.0.0.1", port=int(sys.argv[2]), security="none", timeout=5.0)
    now = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    asyncio.run(outbox.send_due(engine, cfg, worker="w1", now=lambda: now))
""")


def test_crash_after_data_resends_the_same_message_id(tmp_path, smtp_sink):
    """A real kill between the server's 250 and our commit: the resend reuses the Message-ID."""
    url = f"sqlite:///{tmp_path / 'crash.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        (row,) = queue(engine, 1)
        env = dict(os.environ, **{outbox.FAULT_ENV: "after_smtp_data_before_commit"})
        proc = subprocess.run([sys.executable, "-c", _CRASHING_WORKER, url, str(smtp_sink.port)],
                              env=env, capture_output=True, timeout=60)
        assert proc.returncode == 137, proc.stderr.decode(errors="replace")[-2000:]
        assert [m.message_id for m in smtp_sink.messages] == [f"<{row.message_id}>"]
        assert rows_by_id(engine)[row.id].status == "sending"

        assert outbox.recover_own(engine, worker="w1") == 1
        assert send(engine, smtp_cfg(smtp_sink), worker="w1").sent == 1
        ids = [m.message_id for m in smtp_sink.messages]
        assert ids == [f"<{row.message_id}>"] * 2  # delivered twice, one distinct Message-ID
        assert rows_by_id(engine)[row.id].status == "sent"
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- shadow mode
def test_directory_transport_writes_one_file_per_row(engine, tmp_path):
    shadow = tmp_path / "shadow"
    cfg = SmtpConfig(transport="directory", directory=str(shadow))
    rows = queue(engine, 3)
    assert send(engine, cfg).sent == 3
    files = sorted(p.name for p in shadow.iterdir())
    assert files == [f"{r.id:08d}-acknowledgement.eml" for r in rows]
    assert (shadow / files[0]).read_bytes() == rows[0].raw

    # a resend (e.g. after a crash) overwrites the same file
    with Session(engine) as s:
        s.get(OutboxMessage, rows[0].id).status = "queued"
        s.commit()
    assert send(engine, cfg, at=T0 + timedelta(minutes=1)).sent == 1
    assert sorted(p.name for p in shadow.iterdir()) == files
    assert (shadow / files[0]).read_bytes() == rows[0].raw


# --------------------------------------------------------------------------- concurrency
def test_claim_on_postgresql_skips_locked_rows(postgres):
    url = postgres.create_database(f"t_{uuid.uuid4().hex[:16]}")
    upgrade(url)
    engine = make_engine(url)
    try:
        rows = queue(engine, 6)
        all_ids = {r.id for r in rows}
        with engine.connect() as holder:
            tx = holder.begin()
            locked = {r[0] for r in holder.execute(text(
                "SELECT id FROM outbox WHERE status = 'queued' ORDER BY id LIMIT 3 "
                "FOR UPDATE SKIP LOCKED"))}
            assert len(locked) == 3
            # while those rows are locked, another session's claim takes only the others
            other = {r.id for r in outbox.claim(engine, worker="w2", now=T0, limit=10)}
            assert other == all_ids - locked
            assert not (other & locked)
            tx.rollback()
        # once released, the first worker gets exactly the rest
        first = {r.id for r in outbox.claim(engine, worker="w1", now=T0, limit=10)}
        assert first == locked
        with Session(engine) as s:
            owners = {r.id: r.claimed_by for r in s.exec(select(OutboxMessage))}
        assert owners == {**{i: "w1" for i in locked}, **{i: "w2" for i in other}}
    finally:
        engine.dispose()


def test_concurrent_claims_on_postgresql_are_disjoint(postgres):
    """Two claim() calls racing in threads never hand out the same row."""
    import threading

    url = postgres.create_database(f"t_{uuid.uuid4().hex[:16]}")
    upgrade(url)
    engine = make_engine(url)
    try:
        queue(engine, 40)
        results: dict[str, set[int]] = {}
        barrier = threading.Barrier(4)

        def worker(name: str) -> None:
            barrier.wait()
            got: set[int] = set()
            for _ in range(5):
                got |= {r.id for r in outbox.claim(engine, worker=name, now=T0, limit=3)}
            results[name] = got

        threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        claimed = [i for got in results.values() for i in got]
        assert len(results) == 4
        assert len(claimed) == len(set(claimed))
        assert len(claimed) > 12
    finally:
        engine.dispose()
