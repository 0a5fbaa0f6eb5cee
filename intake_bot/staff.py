"""Staff actions on cases. Each is audited with the staff member's name and reason.

Functions take ``session`` keyword-only and do not commit; the CLI commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from . import cases
from .deadlines import check_extension
from .errors import DeadlineError, IllegalTransition
from .models import Case, InboundMessage


def _notice(**kw):
    from .journeys import queue_notice  # the reply gate's own-address and circuit-breaker rules

    return queue_notice(**kw)


def _who(actor: str) -> str:
    if not actor or not actor.strip():
        raise IllegalTransition("staff actions need a name (--by or $USER)")
    return f"staff:{actor.strip()}"


def new_case(*, session: Session, settings, requester: str, types: list[str], received_at: datetime,
             language: str, channel: str, actor: str, now: datetime, note: str | None = None) -> Case:
    case = cases.open_case(session=session, settings=settings, requester=requester.strip(),
                           language=language, request_types=types, received_at=received_at, now=now,
                           channel=channel, actor=_who(actor),
                           reason=note or f"request received by {channel}, recorded by staff")
    return case


def extend(*, session: Session, settings, env, case: Case, reason: str, actor: str, now: datetime) -> Case:
    if case.status in cases.TERMINAL:
        raise IllegalTransition(f"{case.reference} is closed ({case.status}); it cannot be extended")
    if case.extended:
        raise DeadlineError(f"{case.reference} is already extended to {case.due_date}")
    policy = cases.deadline_policy(settings, case.country)
    dl = check_extension(case.received_at, policy, now=now, reason=reason,
                         pauses=cases.pauses(session=session, case=case))
    old = case.due_date
    case.extended = True
    case.extension_reason = reason.strip()
    case.due_date = dl.due
    cases.add_event(session=session, case=case, kind="extended", actor=_who(actor), now=now, reason=reason,
                    data={"old_due": str(old), "new_due": str(dl.due)})
    _notice(session=session, settings=settings, env=env, case=case, template="extension_notice",
                            now=now, dedupe_key=f"extension:{case.id}", reasons=reason.strip(), new_due=dl.due,
                            staff_triggered=True)
    return case


def close(*, session: Session, settings, env, case: Case, outcome: str, note: str, actor: str,
          now: datetime) -> Case:
    if outcome not in ("completed", "refused", "withdrawn"):
        raise IllegalTransition("outcome must be completed, refused or withdrawn")
    if not note or not note.strip():
        raise IllegalTransition("closing a case needs a note (for a refusal: the reasons)")
    cases.transition(session=session, case=case, to_status=outcome, actor=_who(actor), reason=note, now=now)
    case.outcome_note = note.strip()
    if outcome == "refused":
        _notice(session=session, settings=settings, env=env, case=case, template="refusal_notice",
                                now=now, dedupe_key=f"refusal:{case.id}", reasons=note.strip(),
                                staff_triggered=True)
    elif outcome == "completed":
        _notice(session=session, settings=settings, env=env, case=case,
                                template="completed_notice", now=now, dedupe_key=f"completed:{case.id}",
                                staff_triggered=True)
    return case


def hold(*, session: Session, settings, env, case: Case, reason: str, actor: str, now: datetime) -> Case:
    cases.transition(session=session, case=case, to_status="on_hold", actor=_who(actor), reason=reason, now=now)
    cases.start_pause(session=session, case=case, kind="clarification", now=now)
    dl = cases.refresh_deadline(session=session, settings=settings, case=case, now=now)
    _notice(session=session, settings=settings, env=env, case=case, template="hold_notice",
                            now=now, dedupe_key=f"hold:{case.id}:{now.isoformat()}", reasons=reason.strip(),
                            new_due=None if dl.clock_stopped else dl.due, staff_triggered=True)
    return case


def resume(*, session: Session, settings, case: Case, reason: str, actor: str, now: datetime, env=None) -> Case:
    return resume_case(session=session, settings=settings, env=env, case=case, reason=reason, actor=_who(actor),
                       now=now)


def resume_case(*, session: Session, settings, env, case: Case, reason: str, actor: str, now: datetime) -> Case:
    """Off hold: the clock runs again (unless identity is still unconfirmed), and the
    requester is told the new date, as the hold notice promised. ``actor`` is as recorded."""
    target = "verified" if case.verified_at else ("in_progress" if not case.verification_required
                                                  else "awaiting_verification")
    cases.transition(session=session, case=case, to_status=target, actor=actor, reason=reason, now=now)
    cases.end_pause(session=session, case=case, now=now)
    if target == "awaiting_verification":
        cases.start_pause(session=session, case=case, kind="verification", now=now)
    dl = cases.refresh_deadline(session=session, settings=settings, case=case, now=now)
    if env is not None and not dl.clock_stopped:
        _notice(session=session, settings=settings, env=env, case=case, template="resume_notice",
                                now=now, dedupe_key=f"resume:{case.id}:{now.isoformat()}", new_due=dl.due,
                                staff_triggered=True)
    return case


def assign(*, session: Session, case: Case, to: str, actor: str, now: datetime) -> Case:
    old = case.assignee
    case.assignee = to.strip()
    cases.add_event(session=session, case=case, kind="assigned", actor=_who(actor), now=now,
                    reason=f"assigned to {case.assignee}", data={"from": old, "to": case.assignee})
    return case


def note(*, session: Session, case: Case, text: str, actor: str, now: datetime) -> Case:
    if not text.strip():
        raise IllegalTransition("a note cannot be empty")
    cases.add_event(session=session, case=case, kind="note", actor=_who(actor), now=now, reason=text.strip())
    return case


def mark_verified(*, session: Session, settings, case: Case, reason: str, actor: str, now: datetime) -> Case:
    """Staff confirm identity by other means (e.g. a known requester); unlocks a locked case."""
    case.verification_locked = False
    case.verified_at = now
    case.code_hash = None
    cases.set_flag(session=session, case=case, flag="verified_by", value="staff", now=now, actor=_who(actor),
                   reason=reason)
    cases.end_pause(session=session, case=case, now=now)
    cases.transition(session=session, case=case, to_status="verified", actor=_who(actor), reason=reason, now=now)
    cases.refresh_deadline(session=session, settings=settings, case=case, now=now)
    return case


def triage(*, session: Session, message: InboundMessage, actor: str, now: datetime) -> None:
    message.triaged = True
