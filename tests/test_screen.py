"""Reply gate: each named rule fires in a crafted situation; staff exemptions; the circuit breaker."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import Session

from intake_bot import screen
from intake_bot.config import settings_from_dict
from intake_bot.db import make_engine, upgrade
from intake_bot.models import Case, Marker, OutboxMessage
from intake_bot.parse import parse_message

UTC = timezone.utc
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
OURS = "dataprotection@alektumgroup.com"
REQUESTER = "kari.nordmann@example.no"


def make_settings(**security):
    return settings_from_dict({
        "organisation": {"reply_from": OURS, "dpo_address": OURS},
        "database": {"url": "sqlite:///unused.db"},
        "mailboxes": [{"name": "info", "address": "info@alektumgroup.no", "type": "maildir",
                       "path": "/tmp/unused-maildir"}],
        "smtp": {"transport": "directory", "directory": "/tmp/unused-outbox"},
        "security": {"own_domains": ["alektum.se"], "max_replies_per_sender_per_day": 3,
                     "circuit_breaker_limit": 6, "circuit_breaker_window_minutes": 10, **security},
    }, env={})


@pytest.fixture
def session(db_url):
    upgrade(db_url)
    engine = make_engine(db_url)
    with Session(engine, expire_on_commit=False) as s:
        yield s
    engine.dispose()


def ctx(session, *, to_addr=REQUESTER, kind="acknowledgement", staff=False, inbound=None,
        case_id=None, now=NOW, settings=None) -> screen.ReplyContext:
    return screen.ReplyContext(session=session, settings=settings or make_settings(), to_addr=to_addr,
                               now=now, kind=kind, staff_triggered=staff, inbound=inbound, case_id=case_id)


def sent(session, *, to_addr=REQUESTER, kind="acknowledgement", at=NOW, staff=False, case_id=None, n=1):
    for _ in range(n):
        mid = f"{kind}.{uuid.uuid4().hex}@alektumgroup.com"
        session.add(OutboxMessage(kind=kind, from_addr=OURS, to_addr=to_addr, message_id=mid, raw=b"x",
                                  staff_triggered=staff, case_id=case_id, created_at=at, next_attempt_at=at))
    session.flush()


def a_case(session) -> int:
    case = Case(requester=REQUESTER, received_at=NOW, reference=f"T-{uuid.uuid4().hex}")
    session.add(case)
    session.flush()
    return case.id


def inbound(headers: str):
    raw = (f"From: Someone <{REQUESTER}>\r\nTo: {OURS}\r\nSubject: Re: your request\r\n"
           f"Message-ID: <in.{uuid.uuid4().hex}@example.no>\r\n{headers}\r\nHello\r\n").encode()
    return parse_message(raw)


def test_rules_are_named_and_in_order():
    names = [r.name for r in screen.REPLY_RULES]
    assert names == ["own-address", "auto-reply-to-us", "circuit-breaker", "per-sender-limit",
                     "one-ack-per-case"]
    assert all(r.description for r in screen.REPLY_RULES)
    exempt = {r.name for r in screen.REPLY_RULES if r.exempt_staff}
    assert exempt == {"per-sender-limit", "one-ack-per-case"}


def test_a_plain_reply_passes(session):
    assert screen.blocked_by(ctx(session)) == []


@pytest.mark.parametrize("addr", [OURS, "DataProtection@AlektumGroup.com", "info@alektumgroup.no",
                                  "someone-else@alektumgroup.com", "x@alektum.se"])
def test_own_address(session, addr):
    assert screen.blocked_by(ctx(session, to_addr=addr)) == ["own-address"]
    # staff-triggered mail is not exempt
    assert screen.blocked_by(ctx(session, to_addr=addr, staff=True)) == ["own-address"]


def test_auto_reply_to_us(session):
    ours = "<acknowledgement.abc123@alektumgroup.com>"
    auto = inbound(f"In-Reply-To: {ours}\r\nReferences: {ours}\r\nAuto-Submitted: auto-replied\r\n")
    assert screen.blocked_by(ctx(session, inbound=auto)) == ["auto-reply-to-us"]
    only_refs = inbound(f"References: <x@example.no> {ours}\r\nAuto-Submitted: Auto-Generated (vacation)\r\n")
    assert screen.blocked_by(ctx(session, inbound=only_refs)) == ["auto-reply-to-us"]
    # a human reply to our mail, or an auto-reply to someone else's mail, passes
    human = inbound(f"In-Reply-To: {ours}\r\nAuto-Submitted: no\r\n")
    assert screen.blocked_by(ctx(session, inbound=human)) == []
    foreign = inbound("In-Reply-To: <abc@example.no>\r\nAuto-Submitted: auto-replied\r\n")
    assert screen.blocked_by(ctx(session, inbound=foreign)) == []


def test_per_sender_limit(session):
    sent(session, n=2)
    assert screen.blocked_by(ctx(session)) == []
    sent(session, n=1, kind="verification")
    assert screen.blocked_by(ctx(session)) == ["per-sender-limit"]
    # staff-triggered mail is exempt
    assert screen.blocked_by(ctx(session, staff=True)) == []
    # other addresses are not affected
    assert screen.blocked_by(ctx(session, to_addr="ola@example.no")) == []
    # 24 h later the window has moved on
    assert screen.blocked_by(ctx(session, now=NOW + timedelta(hours=24, seconds=1))) == []


def test_per_sender_limit_ignores_staff_mail(session):
    sent(session, n=5, staff=True)
    assert screen.blocked_by(ctx(session)) == []


def test_one_ack_per_case(session):
    case_id = a_case(session)
    assert screen.blocked_by(ctx(session, case_id=case_id)) == []
    sent(session, case_id=case_id, kind="acknowledgement")
    assert screen.blocked_by(ctx(session, case_id=case_id)) == ["one-ack-per-case"]
    # other kinds of mail on the case, other cases, and staff are not stopped
    assert screen.blocked_by(ctx(session, case_id=case_id, kind="verification")) == []
    assert screen.blocked_by(ctx(session, case_id=a_case(session))) == []
    assert screen.blocked_by(ctx(session, case_id=case_id, staff=True)) == []


def test_first_hit_decides(session):
    sent(session, to_addr=OURS, n=5)
    assert screen.blocked_by(ctx(session, to_addr=OURS)) == ["own-address"]


def test_circuit_breaker_trips_at_the_limit_and_stays_tripped(session):
    for i in range(5):
        sent(session, to_addr=f"r{i}@example.net", at=NOW - timedelta(minutes=i))
    sent(session, to_addr="staff-copy@example.net", staff=True, n=3)  # staff mail does not count
    assert screen.blocked_by(ctx(session)) == []
    assert session.get(Marker, screen.breaker_key(NOW)) is None

    sent(session, to_addr="r5@example.net")  # sixth auto-reply in 10 minutes: the limit
    assert screen.blocked_by(ctx(session)) == ["circuit-breaker"]
    session.commit()
    marker = session.get(Marker, screen.breaker_key(NOW))
    assert marker is not None and marker.data == {"replies_in_window": 6}

    # a day later the window is empty, but the breaker stays tripped until staff reset it
    later = NOW + timedelta(days=1)
    assert screen.blocked_by(ctx(session, now=later)) == ["circuit-breaker"]
    assert screen.blocked_by(ctx(session, now=later, staff=True)) == ["circuit-breaker"]
    session.delete(session.get(Marker, screen.breaker_key(later)))
    session.commit()
    assert screen.blocked_by(ctx(session, now=later)) == []


def test_circuit_breaker_window(session):
    for i in range(6):
        sent(session, to_addr=f"r{i}@example.net", at=NOW - timedelta(minutes=11 + i))
    assert screen.blocked_by(ctx(session)) == []


def test_timer_and_staff_notices_obey_the_breaker_and_own_address(session):
    """Reminders, expiry notices and staff notices answer no inbound mail, so the per-sender
    and per-case limits do not apply; the own-address rule and the circuit breaker do."""
    from intake_bot import journeys
    from intake_bot.replies import make_env

    settings = make_settings()
    case = session.get(Case, a_case(session))
    case.language = "en"
    env = make_env()
    sent(session, to_addr=REQUESTER, n=5)  # over the per-sender limit: a staff notice still goes
    row = journeys.queue_notice(session=session, settings=settings, env=env, case=case, template="hold_notice",
                                now=NOW, dedupe_key="t:hold", reasons="Which account?")
    assert row is not None and row.to_addr == REQUESTER

    session.add(Marker(key=screen.breaker_key(NOW), created_at=NOW, data={}))  # the breaker is tripped
    session.flush()
    assert journeys.queue_notice(session=session, settings=settings, env=env, case=case,
                                 template="resume_notice", now=NOW, dedupe_key="t:resume", new_due=NOW.date()) is None
    assert case.needs_review
    session.delete(session.get(Marker, screen.breaker_key(NOW)))
    case.requester = "post@alektum.se"  # one of our own domains
    assert journeys.queue_notice(session=session, settings=settings, env=env, case=case,
                                 template="resume_notice", now=NOW, dedupe_key="t:resume2", new_due=NOW.date()) is None
    from intake_bot.models import CaseEvent
    from sqlmodel import select

    reasons = [e.reason for e in session.exec(select(CaseEvent).where(CaseEvent.kind == "reply_suppressed"))]
    assert reasons == ["resume_notice not sent: rule circuit-breaker", "resume_notice not sent: rule own-address"]
