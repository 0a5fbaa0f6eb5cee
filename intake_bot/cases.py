"""Case lifecycle and the audit trail. Data-access functions take ``session``
keyword-only and never commit: the caller's transaction is the unit of work.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Sequence

from sqlmodel import Session, select

from .config import Settings
from .deadlines import Deadline, DeadlinePolicy, compute_deadline
from .errors import CaseNotFound, IllegalTransition
from .models import Case, CaseEvent, CasePause

BOT = "bot"
TERMINAL = frozenset({"completed", "refused", "withdrawn", "closed_unverified"})
OPEN = frozenset({"received", "awaiting_verification", "verified", "in_progress", "on_hold"})
STATUSES = OPEN | TERMINAL

# The lifecycle in one table: status -> statuses it may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    "received": frozenset({"awaiting_verification", "verified", "in_progress", "on_hold",
                           "completed", "refused", "withdrawn"}),
    "awaiting_verification": frozenset({"verified", "on_hold", "closed_unverified", "refused",
                                        "withdrawn"}),
    "verified": frozenset({"in_progress", "on_hold", "completed", "refused", "withdrawn"}),
    "in_progress": frozenset({"on_hold", "completed", "refused", "withdrawn"}),
    "on_hold": frozenset({"awaiting_verification", "verified", "in_progress", "completed",
                          "refused", "withdrawn"}),
    **{t: frozenset() for t in TERMINAL},
}


def deadline_policy(settings: Settings, country: str | None = None) -> DeadlinePolicy:
    org = settings.organisation
    return DeadlinePolicy(
        country=country or org.country,
        subdivision=org.subdivision if not country or country == org.country else None,
        timezone=org.timezone,
        roll=settings.deadlines.roll,
        stop_clock=settings.deadlines.stop_clock,
        internal_target_days=settings.deadlines.internal_target_days,
    )


def reference_for(case: Case, tz=None) -> str:
    """DSR-<year of receipt in the organisation's time zone>-<id>."""
    year = (case.received_at.astimezone(tz) if tz else case.received_at).year
    return f"DSR-{year}-{case.id:06d}"


def open_case(
    *,
    session: Session,
    settings: Settings,
    requester: str,
    requester_name: str = "",
    language: str,
    request_types: Sequence[str],
    received_at: datetime,
    now: datetime,
    mailbox: str | None = None,
    country: str | None = None,
    channel: str = "email",
    actor: str = BOT,
    reason: str = "request received",
    data: dict | None = None,
    message_id: int | None = None,
) -> Case:
    case = Case(
        requester=requester,
        requester_name=requester_name,
        language=language,
        request_types=sorted(set(request_types)),
        status="received",
        channel=channel,
        mailbox=mailbox,
        country=country,
        received_at=received_at,
        created_at=now,
        updated_at=now,
    )
    # a new case has no pauses and no extension yet: its deadline needs no pause lookup and
    # goes into the INSERT (refresh_deadline would flush and SELECT the pauses)
    _set_deadline(case, compute_deadline(case.received_at, deadline_policy(settings, case.country),
                                         extended=case.extended, pauses=(), now=now))
    session.add(case)
    session.flush()
    case.reference = reference_for(case, settings.organisation.tz)
    add_event(session=session, case=case, kind="opened", actor=actor, reason=reason, now=now,
              data=data or {}, to_status="received", message_id=message_id)
    return case


def add_event(
    *,
    session: Session,
    case: Case,
    kind: str,
    actor: str,
    now: datetime,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    message_id: int | None = None,
) -> CaseEvent:
    ev = CaseEvent(case_id=case.id, at=now, actor=actor, kind=kind, reason=reason, data=data or {},
                   from_status=from_status, to_status=to_status, message_id=message_id)
    session.add(ev)
    case.updated_at = now
    return ev


def transition(
    *,
    session: Session,
    case: Case,
    to_status: str,
    actor: str,
    reason: str,
    now: datetime,
    data: dict | None = None,
    message_id: int | None = None,
) -> CaseEvent:
    if to_status not in STATUSES:
        raise IllegalTransition(f"unknown status {to_status!r}")
    if to_status not in TRANSITIONS[case.status]:
        allowed = ", ".join(sorted(TRANSITIONS[case.status])) or "nothing (the case is closed)"
        raise IllegalTransition(
            f"{case.reference}: cannot go from {case.status} to {to_status}; allowed: {allowed}"
        )
    if not reason or not reason.strip():
        raise IllegalTransition(f"{case.reference}: a transition needs a reason")
    previous = case.status
    case.status = to_status
    if to_status in TERMINAL:
        case.closed_at = now
        _end_pauses(session=session, case=case, now=now)
    return add_event(session=session, case=case, kind="status", actor=actor, reason=reason, now=now,
                     data=data, from_status=previous, to_status=to_status, message_id=message_id)


def start_pause(*, session: Session, case: Case, kind: str, now: datetime) -> CasePause:
    current = open_pause(session=session, case=case)
    if current is not None:
        return current
    pause = CasePause(case_id=case.id, kind=kind, started_at=now)
    session.add(pause)
    session.flush()
    return pause


def open_pause(*, session: Session, case: Case) -> CasePause | None:
    return session.exec(
        select(CasePause).where(CasePause.case_id == case.id, CasePause.ended_at.is_(None))
    ).first()


def _end_pauses(*, session: Session, case: Case, now: datetime) -> None:
    for pause in session.exec(
        select(CasePause).where(CasePause.case_id == case.id, CasePause.ended_at.is_(None))
    ):
        pause.ended_at = now


def end_pause(*, session: Session, case: Case, now: datetime) -> None:
    _end_pauses(session=session, case=case, now=now)
    session.flush()


def pauses(*, session: Session, case: Case) -> list[tuple[datetime, datetime | None]]:
    rows = session.exec(select(CasePause).where(CasePause.case_id == case.id).order_by(CasePause.id))
    return [(p.started_at, p.ended_at) for p in rows]


def compute_case_deadline(*, session: Session, settings: Settings, case: Case, now: datetime) -> Deadline:
    policy = deadline_policy(settings, case.country)
    return compute_deadline(case.received_at, policy, extended=case.extended,
                            pauses=pauses(session=session, case=case), now=now)


def refresh_deadline(*, session: Session, settings: Settings, case: Case, now: datetime) -> Deadline:
    session.flush()
    dl = compute_case_deadline(session=session, settings=settings, case=case, now=now)
    _set_deadline(case, dl)
    return dl


def _set_deadline(case: Case, dl: Deadline) -> None:
    case.due_date = dl.due
    case.original_due_date = dl.original_due
    case.internal_target = dl.internal_target


def refresh_paused_deadlines(*, session: Session, settings: Settings, now: datetime) -> int:
    """Bring the stored due date of every open case whose clock is stopped up to ``now``.

    While a pause is open the deadline keeps moving (``suspend``) or is not yet
    known (``restart``), so a due date stored when the pause began goes stale:
    views that read ``due_date`` (digest, reminders, lists, export) call this
    first. Returns how many cases changed."""
    paused = session.exec(select(Case).join(CasePause, CasePause.case_id == Case.id)
                          .where(CasePause.ended_at.is_(None), Case.status.in_(sorted(OPEN)))).unique().all()
    changed = 0
    for case in paused:
        before = case.due_date
        refresh_deadline(session=session, settings=settings, case=case, now=now)
        changed += case.due_date != before
    return changed


def get_case(*, session: Session, reference: str) -> Case:
    case = session.exec(select(Case).where(Case.reference == reference.strip().upper())).first()
    if case is None:
        raise CaseNotFound(f"no case {reference!r}")
    return case


def events(*, session: Session, case: Case) -> list[CaseEvent]:
    return list(session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)))


def add_types(*, session: Session, case: Case, types: Iterable[str], now: datetime,
              actor: str = BOT, message_id: int | None = None) -> list[str]:
    new = sorted(set(types) - set(case.request_types))
    if new:
        case.request_types = sorted(set(case.request_types) | set(new))
        add_event(session=session, case=case, kind="types_added", actor=actor, now=now,
                  reason="new request types in a follow-up", data={"added": new}, message_id=message_id)
    return new


def set_flag(*, session: Session, case: Case, flag: str, value: Any, now: datetime, reason: str,
             actor: str = BOT) -> None:
    flags = dict(case.flags or {})
    if flags.get(flag) == value:
        return
    flags[flag] = value
    case.flags = flags
    add_event(session=session, case=case, kind="flag", actor=actor, now=now, reason=reason,
              data={"flag": flag, "value": value})
