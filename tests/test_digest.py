"""The staff digest and the staff reminder alerts, on a seeded database.

Golden files: tests/golden/digest-en.{txt,html}. After a deliberate change,
regenerate them with INTAKE_BOT_UPDATE_GOLDEN=1 and read the diff before committing.
"""

from __future__ import annotations

import os
import re
import threading
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from intake_bot import digest as dg
from intake_bot.config import settings_from_dict
from intake_bot.db import make_engine, upgrade
from intake_bot.models import Case, InboundMessage, Marker, OutboxMessage, Suppression
from intake_bot.replies import make_env

REPO = Path(__file__).resolve().parent.parent
GOLDEN = REPO / "tests" / "golden"
UPDATE_ENV = "INTAKE_BOT_UPDATE_GOLDEN"
UTC = timezone.utc
# Tuesday 10 March 2026, 08:00 in Oslo
NOW = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)
PREVIOUS_DIGEST = datetime(2026, 3, 9, 6, 30, tzinfo=UTC)
RECIPIENTS = ["privacy-team@alektumgroup.com", "dpo-backup@alektumgroup.com"]
REQUESTER = "kari.nordmann@example.no"
OTHER_ADDRESSES = ("ola.nordmann@example.no", "per@example.se", "sender@example.com")
NATIONAL_ID = "01019012345"
ELEVEN_DIGITS = re.compile(r"(?<!\d)\d{11}(?!\d)")
EN_HEADINGS = ("Overdue", "Due within 7 days", "New since the last digest", "Awaiting identity verification",
               "Verification locked or expired", "Newsletter unsubscribes processed",
               "Mail needing manual triage", "Counts", "Median time to acknowledge (last 30 days)",
               "Quarantined", "From a supervisory authority", "Our replies that bounced",
               "Our replies the mail server refused (not delivered)", "Low-confidence classification", "Not a request, sent to the data-protection address")
NB_HEADINGS = ("På overtid", "Frist innen 7 dager", "Nye siden forrige oversikt", "Venter på identitetsbekreftelse",
               "Bekreftelse sperret eller utløpt", "Avmeldinger fra nyhetsbrev behandlet",
               "E-post til manuell gjennomgang", "Tall", "Median tid til kvittering",
               "I karantene", "Fra en tilsynsmyndighet", "Svar fra oss som kom i retur",
               "Svar fra oss som e-posttjeneren avviste (ikke levert)", "Usikker klassifisering", "Ikke en henvendelse, sendt til personvernadressen")


def make_settings(tmp_path: Path, url: str, **digest):
    return settings_from_dict({
        "organisation": {"name": "Alektum Group", "country": "NO", "timezone": "Europe/Oslo",
                         "reply_from": "dataprotection@alektumgroup.com",
                         "dpo_address": "dataprotection@alektumgroup.com"},
        "database": {"url": url},
        "mailboxes": [
            {"name": "dataprotection", "address": "dataprotection@alektumgroup.com", "type": "maildir",
             "path": str(tmp_path / "md1")},
            {"name": "se-inbox", "address": "gdpr@alektum.se", "type": "maildir", "path": str(tmp_path / "md2"),
             "country": "SE"},
        ],
        "smtp": {"transport": "directory", "directory": str(tmp_path / "out")},
        "digest": {"recipients": RECIPIENTS, "time": "07:30", **digest},
    }, env={})


@pytest.fixture
def env():
    return make_env(REPO / "templates")


def _utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _case(session, ref_no: int, **kw) -> Case:
    received = kw.pop("received_at")
    c = Case(reference=f"DSR-2026-{ref_no:06d}", requester=kw.pop("requester", REQUESTER),
             requester_name="Kari Nordmann", received_at=received, created_at=kw.pop("created_at", received),
             updated_at=received, **kw)
    session.add(c)
    session.flush()
    return c


_uid = iter(range(1, 10_000))


def _mail(session, **kw) -> InboundMessage:
    n = next(_uid)
    m = InboundMessage(mailbox=kw.pop("mailbox", "dataprotection"), uid=str(n), content_hash=f"{n:064d}",
                       from_addr=kw.pop("from_addr", OTHER_ADDRESSES[0]),
                       new_text=f"Mitt fødselsnummer er {NATIONAL_ID}. Skriv til {REQUESTER}.", **kw)
    session.add(m)
    session.flush()
    return m


def _outbox(session, case: Case, status: str, created: datetime, error: str | None) -> None:
    n = next(_uid)
    session.add(OutboxMessage(case_id=case.id, kind="acknowledgement", from_addr="dataprotection@alektumgroup.com",
                              to_addr=case.requester, message_id=f"<{n}@alektumgroup.com>",
                              subject=f"[{case.reference}] We have received your request", raw=b"x",
                              status=status, last_error=error, created_at=created))


def seed(session) -> dict[str, Case]:
    """At least one row for every digest section."""
    c = {}
    c["overdue"] = _case(session, 1, language="nb", request_types=["access", "erasure"], status="in_progress",
                         mailbox="dataprotection", received_at=_utc(2026, 1, 20, 9), due_date=date(2026, 2, 20),
                         internal_target=date(2026, 2, 9))
    c["due_soon"] = _case(session, 2, language="sv", request_types=["rectification"], status="verified",
                          mailbox="se-inbox", country="SE", received_at=_utc(2026, 2, 12, 10),
                          due_date=date(2026, 3, 12), acknowledged_at=_utc(2026, 2, 12, 13))
    c["new"] = _case(session, 3, language="en", request_types=["objection"], status="received",
                     mailbox="dataprotection", received_at=_utc(2026, 3, 9, 12), due_date=date(2026, 4, 9),
                     acknowledged_at=_utc(2026, 3, 9, 13, 30))
    c["awaiting"] = _case(session, 4, language="da", request_types=["portability"], status="awaiting_verification",
                          mailbox="dataprotection", received_at=_utc(2026, 3, 2, 8), due_date=date(2026, 4, 2),
                          verification_requested_at=_utc(2026, 3, 2, 9), acknowledged_at=_utc(2026, 3, 2, 9))
    c["locked"] = _case(session, 5, language="fi", request_types=["access"], status="awaiting_verification",
                        mailbox="dataprotection", received_at=_utc(2026, 3, 6, 8), due_date=date(2026, 4, 6),
                        verification_requested_at=_utc(2026, 3, 6, 8), verification_locked=True)
    c["expired"] = _case(session, 6, language="de", request_types=["erasure"], status="closed_unverified",
                         mailbox="dataprotection", received_at=_utc(2026, 2, 20, 8), due_date=date(2026, 3, 20),
                         closed_at=_utc(2026, 3, 9, 23))
    c["unsub"] = _case(session, 7, language="nb", request_types=["unsubscribe"], status="completed",
                       mailbox="dataprotection", received_at=_utc(2026, 3, 9, 14), due_date=date(2026, 4, 9),
                       closed_at=_utc(2026, 3, 9, 14, 5), requester="ola.nordmann@example.no")
    c["bounced"] = _case(session, 8, language="en", request_types=["access"], status="received",
                         mailbox="se-inbox", received_at=_utc(2026, 3, 5, 8), due_date=date(2026, 4, 7),
                         flags={"bounced": True, "special_categories": ["health"], "possible_spoofing": True})
    c["old_closed"] = _case(session, 9, language="en", request_types=["access"], status="completed",
                            received_at=_utc(2025, 11, 1, 8), due_date=date(2025, 12, 1),
                            closed_at=_utc(2025, 11, 20, 8), requester="per@example.se")
    session.add(Suppression(address="ola.nordmann@example.no", case_id=c["unsub"].id,
                            created_at=_utc(2026, 3, 9, 14, 5)))
    session.add(Suppression(address="old@example.no", created_at=_utc(2026, 1, 5, 14)))  # before `since`
    _mail(session, received_at=_utc(2026, 3, 9, 9, 15), disposition="not_request",
          to_addrs=["dataprotection@alektumgroup.com"],
          subject="Question about invoice 4471 from ola.nordmann@example.no")
    _mail(session, received_at=_utc(2026, 3, 9, 10), disposition="follow_up", needs_review=True,
          request_types=["erasure"], subject=f"Slett meg? fnr {NATIONAL_ID}", case_id=c["overdue"].id)
    _mail(session, received_at=_utc(2026, 3, 9, 11), disposition="quarantined", mailbox="se-inbox",
          quarantine_reason="possible spoofing: DMARC fail for example.se", subject="Begäran om registerutdrag",
          to_addrs=["gdpr@alektum.se"])
    _mail(session, received_at=_utc(2026, 3, 9, 13, 45), disposition="bounce", case_id=c["new"].id,
          from_addr="MAILER-DAEMON@example.no", subject="Undelivered Mail Returned to Sender")
    _mail(session, received_at=_utc(2026, 3, 9, 15), disposition="authority", from_addr="post@datatilsynet.no",
          subject="Klage fra Datatilsynet, sak 26/01234")
    # not in any triage list: already triaged / an ordinary request / not sent to the DPO address
    _mail(session, received_at=_utc(2026, 3, 9, 9), disposition="not_request", triaged=True,
          to_addrs=["dataprotection@alektumgroup.com"], subject="Triaged already")
    _mail(session, received_at=_utc(2026, 3, 9, 12), disposition="case_opened", case_id=c["new"].id,
          from_addr=REQUESTER, subject=f"Objection from {REQUESTER}")
    _mail(session, received_at=_utc(2026, 3, 9, 16), disposition="not_request", mailbox="se-inbox",
          to_addrs=["faktura@alektum.se"], subject="Faktura 778")
    # our acknowledgement refused for good (5xx) on an open case; an old failure on a closed case is not listed
    _outbox(session, c["awaiting"], "failed", _utc(2026, 3, 2, 9),
            "550 5.1.1 <kari.nordmann@example.no>: Recipient address rejected")
    _outbox(session, c["old_closed"], "failed", _utc(2025, 11, 1, 9), "550 no such user")
    _outbox(session, c["due_soon"], "sent", _utc(2026, 2, 12, 13), None)
    session.add(Marker(key="digest:daily:2026-03-09", created_at=PREVIOUS_DIGEST))
    session.flush()
    return c


@pytest.fixture
def seeded(tmp_path):
    url = f"sqlite:///{tmp_path / 'digest.db'}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as s:
        cases = seed(s)
        s.commit()
    yield engine, make_settings(tmp_path, url), cases
    engine.dispose()


def _build(engine, settings, now=NOW):
    with Session(engine) as s:
        since = dg.previous_digest_at(s, before=now)
        return dg.build_digest(s, settings, now=now, since=since)


def _refs(lines) -> list[str]:
    return [line.reference for line in lines]


# --------------------------------------------------------------------------- builder
def test_sections_hold_the_right_cases(seeded):
    engine, settings, _ = seeded
    d = _build(engine, settings)
    assert d.since == PREVIOUS_DIGEST.astimezone(settings.organisation.tz)
    assert _refs(d.overdue) == ["DSR-2026-000001"]
    assert d.overdue[0].days_left == -18
    assert _refs(d.due_soon) == ["DSR-2026-000002"]
    assert _refs(d.new_cases) == ["DSR-2026-000003", "DSR-2026-000007"]
    assert _refs(d.awaiting_verification) == ["DSR-2026-000004"]
    assert d.awaiting_verification[0].days_waiting == 8
    assert [(line.reference, line.problem) for line in d.verification_problems] == [
        ("DSR-2026-000005", "locked"), ("DSR-2026-000006", "expired")]
    assert d.unsubscribes == [(date(2026, 3, 9), "unsubscribe", "DSR-2026-000007")]
    assert [(t.kind, t.reference) for t in d.triage] == [
        ("quarantined", None), ("authority", None), ("bounce", "DSR-2026-000003"), ("bounce", "DSR-2026-000008"),
        ("send_failed", "DSR-2026-000004"), ("low_confidence", "DSR-2026-000001"), ("dpo_not_request", None)]
    assert d.by_type == {"access": 3, "objection": 1, "portability": 1, "rectification": 1, "erasure": 1}
    assert [(m.mailbox, m.mail, m.open_cases) for m in d.by_mailbox] == [("dataprotection", 6, 4), ("se-inbox", 2, 2)]
    assert d.open_count == 6
    # acknowledged within 30 days: 3 h, 1.5 h, 1 h -> median 1.5 h
    assert (d.median_ack, d.ack_count) == (timedelta(minutes=90), 3)


def test_a_stopped_clock_is_not_overdue(seeded):
    """A stored due date goes stale while the clock is stopped; the digest and the
    reminders bring it up to date instead of calling the case overdue."""
    from intake_bot.models import CasePause

    engine, settings, _ = seeded
    with Session(engine, expire_on_commit=False) as s:
        c = _case(s, 20, language="nb", request_types=["access"], status="on_hold", mailbox="dataprotection",
                  received_at=_utc(2026, 1, 5, 9), due_date=date(2026, 2, 5), internal_target=date(2026, 1, 23))
        s.add(CasePause(case_id=c.id, kind="clarification", started_at=_utc(2026, 1, 6, 9)))
        s.commit()
    d = _build(engine, settings)
    assert "DSR-2026-000020" not in _refs(d.overdue) + _refs(d.due_soon)
    with Session(engine) as s:
        dg.queue_staff_reminders(s, settings, make_env(REPO / "templates"), now=NOW)
        s.commit()
        case = s.exec(select(Case).where(Case.reference == "DSR-2026-000020")).one()
        alerts = s.exec(select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.like(f"remind:%:{case.id}%")))
        assert list(alerts) == []
        due, target = case.due_date, case.internal_target
    # one day ran before the pause; 30 remain from 10 March: 9 April 2026 (a Thursday)
    assert due == date(2026, 4, 9) and target > NOW.date()


def test_since_defaults_to_24_hours(seeded):
    engine, settings, _ = seeded
    with Session(engine) as s:
        d = dg.build_digest(s, settings, now=NOW, since=None)
    assert d.since == (NOW - timedelta(days=1)).astimezone(settings.organisation.tz)
    assert _refs(d.new_cases) == ["DSR-2026-000003", "DSR-2026-000007"]


# --------------------------------------------------------------------------- rendering
def _check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get(UPDATE_ENV) == "1" or not path.exists():
        if not os.environ.get(UPDATE_ENV) == "1":
            pytest.fail(f"{path} is missing: run with {UPDATE_ENV}=1 and check the output by eye")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs; regenerate with {UPDATE_ENV}=1 if intended"


def _no_personal_data(text: str) -> None:
    for addr in (REQUESTER, *OTHER_ADDRESSES):
        assert addr not in text
    assert "@example." not in text
    assert not ELEVEN_DIGITS.search(text)
    assert "Mitt fødselsnummer" not in text  # message text
    assert "health" not in text and "special" not in text.lower()
    assert "Kari" not in text


def test_render_matches_golden_files(seeded, env):
    engine, settings, _ = seeded
    mail = dg.render_digest(env, _build(engine, settings), "en")
    assert mail.subject == ("[intake-bot] Data protection requests: daily digest 2026-03-10: "
                            "1 overdue, 1 due soon, 7 to triage")
    _check_golden("digest-en.txt", mail.text)
    _check_golden("digest-en.html", mail.html)


def test_html_is_mail_client_safe_and_private(seeded, env):
    engine, settings, _ = seeded
    mail = dg.render_digest(env, _build(engine, settings), "en")
    html = mail.html
    for banned in ("http://", "https://", "<img", "<style", "<link", "<script", "class=", "href=", "url("):
        assert banned not in html.lower()
    assert html.count("<table") == html.count("</table>") > 5
    for table in re.findall(r"<table[^>]*>", html):
        assert 'width="' in table and "style=" in table and "border=" in table
    # the summary line comes before every section
    summary = "1 overdue, 1 due within 7 days, 2 new, 7 to triage, 6 open in total."
    assert html.index(summary) < html.index(">Overdue (1)<")
    assert mail.text.splitlines()[1] == summary
    for heading in EN_HEADINGS:
        assert heading in html and heading in mail.text
    for text in (mail.subject, mail.text, html):
        _no_personal_data(text)
    assert "&lt;email&gt;" in html and "<email>" in mail.text  # the subject was redacted, and escaped in HTML
    assert "<id-number>" in mail.text


def test_norwegian_rendering(seeded, env):
    engine, settings, _ = seeded
    mail = dg.render_digest(env, _build(engine, settings), "nb")
    assert mail.subject.startswith("[intake-bot] Personvernhenvendelser: daglig oversikt 2026-03-10")
    assert mail.text.splitlines()[1].startswith("1 på overtid, 1 med frist innen 7 dager, 2 nye")
    for heading in NB_HEADINGS:
        assert heading in mail.html and heading in mail.text
    for english in ("Overdue", "Awaiting identity", "Reference", "Days left", "in progress", "None."):
        assert english not in mail.text and english not in mail.html
    assert "under behandling" in mail.text and "sletting" in mail.text
    assert 'lang="nb"' in mail.html
    _no_personal_data(mail.text + mail.html)


def test_empty_digest_renders(tmp_path, env):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    upgrade(url)
    engine = make_engine(url)
    settings = make_settings(tmp_path, url)
    with Session(engine) as s:
        d = dg.build_digest(s, settings, now=NOW, since=None)
    mail = dg.render_digest(env, d, "en")
    assert "0 overdue, 0 due within 7 days, 0 new, 0 to triage, 0 open in total." in mail.text
    assert "No case was acknowledged in the last 30 days." in mail.html
    with pytest.raises(dg.UserError):
        dg.render_digest(env, d, "sv")
    engine.dispose()


# --------------------------------------------------------------------------- timing and keys
def test_digest_due_and_keys(tmp_path):
    settings = make_settings(tmp_path, "sqlite:///x.db")
    before = datetime(2026, 3, 10, 6, 29, tzinfo=UTC)  # 07:29 in Oslo
    after = datetime(2026, 3, 10, 6, 30, tzinfo=UTC)
    assert not dg.digest_due(settings, before, None)
    assert dg.digest_due(settings, after, None)
    assert dg.digest_due(settings, after, PREVIOUS_DIGEST)
    assert not dg.digest_due(settings, after, after - timedelta(minutes=5))
    # 23:30 UTC on the 9th is already the 10th in Oslo
    assert dg.digest_key(settings, datetime(2026, 3, 9, 23, 30, tzinfo=UTC)) == "digest:daily:2026-03-10"
    assert dg.digest_key(settings, NOW, "weekly") == "digest:weekly:2026-W11"
    with pytest.raises(dg.UserError):
        dg.digest_key(settings, NOW, "hourly")


def _digest_rows(engine) -> list[OutboxMessage]:
    with Session(engine) as s:
        return list(s.exec(select(OutboxMessage).where(OutboxMessage.kind.startswith("digest"))
                           .order_by(OutboxMessage.id)))


def test_run_digest_job_sends_once_per_period(db_url, tmp_path, env):
    upgrade(db_url)
    engine = make_engine(db_url)
    settings = make_settings(tmp_path, db_url, weekly=True, weekly_day=1)  # Tuesday
    with Session(engine) as s:
        seed(s)
        s.commit()
    assert dg.run_digest_job(engine, settings, env, now=NOW - timedelta(hours=1)) is None  # 07:00: not yet
    assert _digest_rows(engine) == []
    assert dg.run_digest_job(engine, settings, env, now=NOW) == "digest:daily:2026-03-10"
    assert dg.run_digest_job(engine, settings, env, now=NOW) is None
    assert dg.run_digest_job(engine, settings, env, now=NOW + timedelta(hours=5)) is None
    rows = _digest_rows(engine)
    assert sorted((r.kind, r.to_addr) for r in rows) == sorted(
        [("digest_daily", a) for a in RECIPIENTS] + [("digest_weekly", a) for a in RECIPIENTS])
    daily = [r for r in rows if r.kind == "digest_daily"]
    assert all(r.staff_triggered and r.status == "queued" for r in rows)
    assert daily[0].subject.startswith("[intake-bot] Data protection requests: daily digest 2026-03-10")
    raw = daily[0].raw.decode("utf-8", "replace")
    assert REQUESTER not in raw and NATIONAL_ID not in raw
    with Session(engine) as s:
        marker = s.get(Marker, "digest:daily:2026-03-10")
        assert marker is not None and marker.created_at == NOW
        # the next day's digest covers what happened since this one
        assert dg.previous_digest_at(s, before=NOW + timedelta(days=1)) == NOW
    assert dg.run_digest_job(engine, settings, env, now=NOW + timedelta(days=1)) == "digest:daily:2026-03-11"
    assert len([r for r in _digest_rows(engine) if r.kind == "digest_daily"]) == 4
    # daily = false: no daily digest (the weekly one is its own switch)
    quiet = make_settings(tmp_path, db_url, daily=False)
    assert dg.run_digest_job(engine, quiet, env, now=NOW + timedelta(days=2)) is None
    assert len([r for r in _digest_rows(engine) if r.kind == "digest_daily"]) == 4
    engine.dispose()


@pytest.mark.postgres
def test_concurrent_workers_queue_the_digest_once(postgres, tmp_path, env, caplog):
    """A second worker that decides "due" before the first commits fails on the unique key and sends nothing."""
    import uuid

    url = postgres.create_database(f"t_{uuid.uuid4().hex[:16]}")
    upgrade(url)
    engine = make_engine(url)
    settings = make_settings(tmp_path, url)
    caplog.set_level("INFO", logger="intake_bot.digest")
    first = Session(engine, expire_on_commit=False)
    assert len(dg.queue_digest(first, settings, env, now=NOW)) == 2  # flushed, not committed
    result = {}
    worker = threading.Thread(target=lambda: result.update(r=dg.run_digest_job(engine, settings, env, now=NOW)))
    worker.start()
    time.sleep(0.5)  # the second worker is now blocked on the unique index
    first.commit()
    first.close()
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert result == {"r": None}
    assert "already queued by another worker" in caplog.text  # it really raced, and lost
    assert len(_digest_rows(engine)) == 2
    engine.dispose()


# --------------------------------------------------------------------------- staff reminders
def _alerts(engine) -> list[OutboxMessage]:
    with Session(engine) as s:
        return list(s.exec(select(OutboxMessage).where(OutboxMessage.kind.startswith("remind_"))
                           .order_by(OutboxMessage.id)))


def test_staff_reminders_once_and_rearmed_by_a_new_due_date(db_url, tmp_path, env):
    upgrade(db_url)
    engine = make_engine(db_url)
    settings = make_settings(tmp_path, db_url)
    with Session(engine, expire_on_commit=False) as s:
        case = _case(s, 1, language="nb", request_types=["access"], status="in_progress",
                     received_at=_utc(2026, 2, 13, 9), due_date=date(2026, 3, 13),  # Friday
                     internal_target=date(2026, 3, 5))
        _case(s, 2, language="en", request_types=["erasure"], status="completed", received_at=_utc(2026, 2, 1, 9),
              due_date=date(2026, 3, 2), internal_target=date(2026, 2, 20), closed_at=_utc(2026, 2, 25))
        s.commit()

    def tick(now) -> int:
        with Session(engine) as s:
            n = dg.queue_staff_reminders(s, settings, env, now=now)
            s.commit()
            return n

    # Thursday 5 March: on the target day, nothing is due yet
    assert tick(_utc(2026, 3, 5, 12)) == 0
    # Monday 9 March: past the target (alert); 3 working days before Friday is Tuesday: not yet
    assert tick(_utc(2026, 3, 9, 12)) == 1
    assert [(a.kind, a.to_addr) for a in _alerts(engine)] == [("remind_target", a) for a in RECIPIENTS]
    # Tuesday 10 March: the due-date alert, once
    assert tick(NOW) == 1
    assert tick(NOW + timedelta(hours=3)) == 0
    alerts = _alerts(engine)
    assert [a.kind for a in alerts] == ["remind_target"] * 2 + ["remind_due"] * 2
    assert "DSR-2026-000001" in alerts[0].subject and "2026-03-05" in alerts[0].subject
    assert alerts[2].subject == ("[intake-bot] DSR-2026-000001 is due 2026-03-13: "
                                 "3 working days or less left")
    assert REQUESTER not in alerts[2].raw.decode("utf-8", "replace")
    # an extension to Wednesday 13 May re-arms the due alert (3 working days before: Friday 8 May)
    with Session(engine) as s:
        c = s.get(Case, case.id)
        c.due_date, c.extended = date(2026, 5, 13), True
        s.commit()
    assert tick(_utc(2026, 5, 7, 12)) == 0
    assert tick(_utc(2026, 5, 8, 12)) == 1
    assert tick(_utc(2026, 5, 11, 12)) == 0
    assert [a.kind for a in _alerts(engine)].count("remind_due") == 4
    assert [a.kind for a in _alerts(engine)].count("remind_target") == 2
    engine.dispose()


def test_alert_renders_in_both_languages(seeded, env):
    engine, settings, cases = seeded
    with Session(engine) as s:
        c = s.get(Case, cases["overdue"].id)
        line = dg.case_line(c, settings, date(2026, 3, 10))
    ctx = {"kind": "target", "c": line, "target": c.internal_target, "working_days": 3, "org_name": "Alektum Group"}
    en = dg._render(env, "alert", "en", ctx)
    nb = dg._render(env, "alert", "nb", ctx)
    assert en.subject == "[intake-bot] DSR-2026-000001 passed its internal target 2026-02-09 (due 2026-02-20)"
    assert "har passert den interne målfristen 2026-02-09" in nb.subject
    assert "Intern målfrist" in nb.html and "innsyn, sletting" in nb.text and "-18" in nb.text
    for mail in (en, nb):
        assert "<style" not in mail.html and "http" not in mail.html
        assert REQUESTER not in mail.text + mail.html


# --------------------------------------------------------------------------- CLI
def test_cli_preview_and_send(seeded, tmp_path, env, monkeypatch):
    import click

    from intake_bot import cli_digest

    engine, settings, _ = seeded

    class App:
        pass

    app = App()
    app.settings, app.engine, app.env = settings, engine, env

    @click.group()
    @click.pass_context
    def main(ctx):
        ctx.obj = app

    cli_digest.register(main, click.make_pass_decorator(App), lambda: NOW)
    runner = CliRunner()
    out = tmp_path / "preview.html"
    res = runner.invoke(main, ["digest", "--preview", str(out), "--lang", "nb"])
    assert res.exit_code == 0, res.output
    assert "På overtid (1)" in res.output and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert _digest_rows(engine) == []  # a preview queues nothing
    res = runner.invoke(main, ["digest", "--send"])
    assert res.exit_code == 0 and "queued digest:daily:2026-03-10 for 2 recipient(s)" in res.output
    res = runner.invoke(main, ["digest", "--send"])
    assert res.exit_code == 0 and "already queued" in res.output
    assert len(_digest_rows(engine)) == 2
    res = runner.invoke(main, ["digest", "--help"])
    assert "Example: intake-bot digest --preview" in res.output
