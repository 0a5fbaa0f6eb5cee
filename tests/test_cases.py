"""Case lifecycle: references, deadlines, every transition audited, pauses. SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlmodel import Session, select

from intake_bot import cases
from intake_bot.config import settings_from_dict
from intake_bot.db import make_engine, session_scope, upgrade
from intake_bot.errors import CaseNotFound, IllegalTransition
from intake_bot.models import Case, CaseEvent, CasePause

UTC = timezone.utc
RECEIVED = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)  # a Monday


def make_settings(stop_clock: str = "suspend"):
    return settings_from_dict({
        "database": {"url": "sqlite:///unused.db"},
        "mailboxes": [{"name": "dpo", "address": "dataprotection@alektumgroup.com", "type": "maildir",
                       "path": "/tmp/unused-maildir"}],
        "smtp": {"transport": "directory", "directory": "/tmp/unused-outbox"},
        "deadlines": {"stop_clock": stop_clock},
    }, env={})


@pytest.fixture
def engine(db_url):
    upgrade(db_url)
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


def new_case(session: Session, settings=None, received_at: datetime = RECEIVED, **kw) -> Case:
    return cases.open_case(session=session, settings=settings or make_settings(),
                           requester="kari.nordmann@example.no", language="nb",
                           request_types=kw.pop("request_types", ["erasure", "access", "erasure"]),
                           received_at=received_at, now=received_at + timedelta(minutes=1), **kw)


def test_open_case_assigns_reference_and_due_date(engine):
    with session_scope(engine) as s:
        first = new_case(s)
        second = new_case(s, received_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
        s.commit()
        ids = (first.id, second.id)

    with session_scope(engine) as s:
        first, second = s.get(Case, ids[0]), s.get(Case, ids[1])
        assert first.reference == f"DSR-2026-{first.id:06d}"
        assert second.reference == f"DSR-2026-{second.id:06d}"
        assert first.reference != second.reference
        assert first.status == "received"
        assert first.request_types == ["access", "erasure"]  # sorted, no duplicates
        assert first.due_date == date(2026, 2, 5)
        assert first.original_due_date == date(2026, 2, 5)
        assert first.internal_target is not None and first.internal_target <= first.due_date
        # 2 April 2026 is Maundy Thursday in Norway: rolled past Easter to Tuesday 7 April
        assert second.due_date == date(2026, 4, 7)
        assert cases.get_case(session=s, reference=" " + first.reference.lower()).id == first.id
        (opened,) = cases.events(session=s, case=first)
        assert (opened.kind, opened.actor, opened.to_status) == ("opened", cases.BOT, "received")
        with pytest.raises(CaseNotFound):
            cases.get_case(session=s, reference="DSR-2026-999999")


def test_every_legal_transition_works_and_is_audited(engine):
    pairs = [(a, b) for a, targets in cases.TRANSITIONS.items() for b in sorted(targets)]
    assert len(pairs) > 20
    now = RECEIVED + timedelta(days=2)
    with session_scope(engine) as s:
        case = new_case(s)
        for frm, to in pairs:
            case.status = frm  # set up the starting point directly
            case.closed_at = None
            ev = cases.transition(session=s, case=case, to_status=to, actor="staff:anna",
                                  reason=f"test {frm}->{to}", now=now, data={"note": "x"})
            assert case.status == to
            assert (case.closed_at == now) == (to in cases.TERMINAL)
            assert (ev.from_status, ev.to_status, ev.actor, ev.kind) == (frm, to, "staff:anna", "status")
        s.commit()
        case_id = case.id

    with session_scope(engine) as s:
        stored = list(s.exec(select(CaseEvent).where(CaseEvent.case_id == case_id,
                                                     CaseEvent.kind == "status").order_by(CaseEvent.id)))
        assert [(e.from_status, e.to_status) for e in stored] == pairs
        assert all(e.reason == f"test {e.from_status}->{e.to_status}" for e in stored)
        assert all(e.actor == "staff:anna" and e.data == {"note": "x"} for e in stored)
        assert all(e.at == now for e in stored)


def test_illegal_transition_raises_a_clear_error(engine):
    with session_scope(engine) as s:
        case = new_case(s)
        with pytest.raises(IllegalTransition) as info:
            cases.transition(session=s, case=case, to_status="closed_unverified", actor="bot",
                             reason="x", now=RECEIVED)
        msg = str(info.value)
        assert case.reference in msg and "cannot go from received to closed_unverified" in msg
        assert "allowed: " in msg and "awaiting_verification" in msg
        with pytest.raises(IllegalTransition, match="unknown status 'done'"):
            cases.transition(session=s, case=case, to_status="done", actor="bot", reason="x", now=RECEIVED)
        with pytest.raises(IllegalTransition, match="needs a reason"):
            cases.transition(session=s, case=case, to_status="in_progress", actor="bot", reason="  ",
                             now=RECEIVED)
        assert case.status == "received"
        assert [e.kind for e in cases.events(session=s, case=case)] == ["opened"]


def test_terminal_statuses_allow_nothing(engine):
    with session_scope(engine) as s:
        case = new_case(s)
        for terminal in sorted(cases.TERMINAL):
            assert cases.TRANSITIONS[terminal] == frozenset()
            case.status = terminal
            for target in sorted(cases.STATUSES):
                with pytest.raises(IllegalTransition, match=r"nothing \(the case is closed\)"):
                    cases.transition(session=s, case=case, to_status=target, actor="staff",
                                     reason="reopen", now=RECEIVED)
            assert case.status == terminal


def test_every_status_has_a_transition_row():
    assert set(cases.TRANSITIONS) == cases.STATUSES
    for targets in cases.TRANSITIONS.values():
        assert targets <= cases.STATUSES


def test_pause_moves_the_deadline_later_under_suspend(engine):
    settings = make_settings("suspend")
    with session_scope(engine) as s:
        case = new_case(s, settings)
        assert case.due_date == date(2026, 2, 5)
        p1 = cases.start_pause(session=s, case=case, kind="verification",
                               now=datetime(2026, 1, 10, 9, tzinfo=UTC))
        # a second start while one is open returns the open one
        assert cases.start_pause(session=s, case=case, kind="clarification",
                                 now=datetime(2026, 1, 11, tzinfo=UTC)).id == p1.id
        # while open, the due date is shown as if the clock resumed now
        dl = cases.refresh_deadline(session=s, settings=settings, case=case,
                                    now=datetime(2026, 1, 15, 9, tzinfo=UTC))
        assert dl.clock_stopped and case.due_date == date(2026, 2, 10)
        cases.end_pause(session=s, case=case, now=datetime(2026, 1, 20, 9, tzinfo=UTC))
        assert cases.open_pause(session=s, case=case) is None
        cases.refresh_deadline(session=s, settings=settings, case=case,
                               now=datetime(2026, 1, 21, tzinfo=UTC))
        # 10 paused days: 15 Feb is a Sunday, so Monday 16 Feb
        assert case.due_date == date(2026, 2, 16)
        assert case.original_due_date == date(2026, 2, 16)
        s.commit()
        case_id = case.id
    with session_scope(engine) as s:
        stored = s.get(Case, case_id)
        assert stored.due_date == date(2026, 2, 16)
        assert cases.pauses(session=s, case=stored) == [
            (datetime(2026, 1, 10, 9, tzinfo=UTC), datetime(2026, 1, 20, 9, tzinfo=UTC))]


def test_pause_is_ignored_under_stop_clock_none(engine):
    settings = make_settings("none")
    with session_scope(engine) as s:
        case = new_case(s, settings)
        cases.start_pause(session=s, case=case, kind="verification", now=datetime(2026, 1, 10, tzinfo=UTC))
        cases.end_pause(session=s, case=case, now=datetime(2026, 1, 20, tzinfo=UTC))
        cases.refresh_deadline(session=s, settings=settings, case=case, now=datetime(2026, 1, 21, tzinfo=UTC))
        assert case.due_date == date(2026, 2, 5)


def test_closing_a_case_ends_its_open_pause(engine):
    with session_scope(engine) as s:
        case = new_case(s)
        cases.transition(session=s, case=case, to_status="awaiting_verification", actor="bot",
                         reason="code sent", now=RECEIVED)
        cases.start_pause(session=s, case=case, kind="verification", now=RECEIVED)
        closed_at = RECEIVED + timedelta(days=30)
        cases.transition(session=s, case=case, to_status="closed_unverified", actor="bot",
                         reason="no reply", now=closed_at)
        s.commit()
        case_id = case.id
    with session_scope(engine) as s:
        (pause,) = s.exec(select(CasePause).where(CasePause.case_id == case_id)).all()
        assert pause.ended_at == closed_at
        assert s.get(Case, case_id).closed_at == closed_at


def test_add_types_and_set_flag_are_audited(engine):
    with session_scope(engine) as s:
        case = new_case(s, request_types=["access"])
        now = RECEIVED + timedelta(days=1)
        assert cases.add_types(session=s, case=case, types=["access", "erasure"], now=now) == ["erasure"]
        assert cases.add_types(session=s, case=case, types=["erasure"], now=now) == []
        assert case.request_types == ["access", "erasure"]
        cases.set_flag(session=s, case=case, flag="health_data", value=True, now=now, reason="keyword")
        cases.set_flag(session=s, case=case, flag="health_data", value=True, now=now, reason="again")
        s.commit()
        kinds = [e.kind for e in cases.events(session=s, case=case)]
        assert kinds == ["opened", "types_added", "flag"]
        assert case.flags == {"health_data": True}
