"""The staff digest and the staff reminder alerts.

Three layers, each testable alone:

* :func:`build_digest` reads the database and returns a :class:`Digest` (plain
  dataclasses, no personal data: no requester addresses, no message text, no ID
  numbers, no special-category details; mail subjects pass through ``redact``).
* :func:`render_digest` turns a digest into a :class:`~intake_bot.replies.RenderedMail`
  with the ``templates/staff/<lang>/digest.*`` templates.
* :func:`queue_digest`, :func:`run_digest_job` and :func:`queue_staff_reminders`
  queue outbox rows. "Once per period" rests on unique keys: the outbox
  ``dedupe_key`` and the :class:`Marker` primary key. A second worker's insert
  fails with ``IntegrityError``; :func:`run_digest_job` rolls back and sends nothing.

Time is always a parameter (``now``, tz-aware); dates shown are in the
organisation's time zone.
"""

from __future__ import annotations

import logging
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from . import notices
from .cases import OPEN, refresh_paused_deadlines
from .config import Settings
from .deadlines import days_left, working_days_before
from .errors import UserError
from .identifiers import redact
from .models import Case, InboundMessage, Marker, OutboxMessage, Suppression
from .replies import RenderedMail

log = logging.getLogger(__name__)

STAFF_LANGUAGES = ("en", "nb")
KINDS = ("daily", "weekly")
TRIAGE_KINDS = ("quarantined", "authority", "bounce", "send_failed", "low_confidence", "dpo_not_request")
ACK_WINDOW = timedelta(days=30)
SUBJECT_MAX = 80
DPO_LOCAL_PART = "dataprotection"


# --------------------------------------------------------------------------- data
@dataclass(frozen=True)
class CaseLine:
    """One case as staff see it. ``note`` carries a section-specific detail key/number."""

    reference: str
    types: tuple[str, ...]
    language: str
    received: date
    due: date | None
    target: date | None
    days_left: int | None
    status: str
    days_waiting: int | None = None
    problem: str | None = None  # "locked" | "expired" in the verification-problem section


@dataclass(frozen=True)
class TriageLine:
    """Mail (or a case flag) that needs a person. ``subject`` is already redacted."""

    kind: str  # one of TRIAGE_KINDS
    received: datetime | None  # local time
    mailbox: str
    subject: str
    detail: str = ""
    reference: str | None = None


@dataclass(frozen=True)
class MailboxCount:
    mailbox: str
    mail: int
    open_cases: int


@dataclass
class Digest:
    org_name: str
    period: str  # daily | weekly
    generated_at: datetime  # local
    since: datetime  # local
    today: date
    due_within_days: int
    overdue: list[CaseLine] = field(default_factory=list)
    due_soon: list[CaseLine] = field(default_factory=list)
    new_cases: list[CaseLine] = field(default_factory=list)
    awaiting_verification: list[CaseLine] = field(default_factory=list)
    verification_problems: list[CaseLine] = field(default_factory=list)
    unsubscribes: list[tuple[date, str, str | None]] = field(default_factory=list)  # (day, reason, reference)
    triage: list[TriageLine] = field(default_factory=list)
    by_type: dict[str, int] = field(default_factory=dict)
    by_mailbox: list[MailboxCount] = field(default_factory=list)
    open_count: int = 0
    median_ack: timedelta | None = None
    ack_count: int = 0

    @property
    def triage_count(self) -> int:
        return len(self.triage)


# --------------------------------------------------------------------------- building
def _local(dt: datetime, settings: Settings) -> datetime:
    if dt.tzinfo is None:
        raise UserError("naive datetime given to the digest")
    return dt.astimezone(settings.organisation.tz)


def case_line(case: Case, settings: Settings, today: date, **extra) -> CaseLine:
    return CaseLine(
        reference=case.reference or f"#{case.id}",
        types=tuple(case.request_types or ()),
        language=case.language,
        received=_local(case.received_at, settings).date(),
        due=case.due_date,
        target=case.internal_target,
        days_left=days_left(case.due_date, today) if case.due_date else None,
        status=case.status,
        **extra,
    )


def _is_dpo_mail(msg: InboundMessage, settings: Settings) -> bool:
    dpo = settings.organisation.dpo_address.lower()
    for addr in msg.to_addrs or ():
        a = str(addr).lower()
        if a == dpo or a.split("@", 1)[0] == DPO_LOCAL_PART:
            return True
    for box in settings.mailboxes:
        if box.name == msg.mailbox:
            return DPO_LOCAL_PART in box.name.lower() or box.address.lower().split("@", 1)[0] == DPO_LOCAL_PART
    return DPO_LOCAL_PART in (msg.mailbox or "").lower()


def triage_kind(msg: InboundMessage, settings: Settings) -> str | None:
    """Which triage list a message belongs on, or None. One list per message."""
    if msg.disposition == "quarantined":
        return "quarantined"
    if msg.disposition == "authority":
        return "authority"
    if msg.disposition == "bounce":
        return "bounce"
    if msg.needs_review:
        return "low_confidence"
    if msg.disposition == "not_request" and _is_dpo_mail(msg, settings):
        return "dpo_not_request"
    return None


def _triage_line(kind: str, msg: InboundMessage, settings: Settings, refs: dict[int, str]) -> TriageLine:
    subject = redact(" ".join((msg.subject or "").split()))
    if len(subject) > SUBJECT_MAX:
        subject = subject[: SUBJECT_MAX - 1] + "…"
    if kind == "quarantined":
        detail = redact(msg.quarantine_reason or "")
    elif kind == "low_confidence":
        detail = ", ".join(msg.request_types or ()) or "-"
    else:
        detail = ""
    return TriageLine(kind=kind, received=_local(msg.received_at, settings), mailbox=msg.mailbox,
                      subject=subject, detail=detail, reference=refs.get(msg.case_id) if msg.case_id else None)


def _failed_sends(session: Session, settings: Settings, *, open_ids: set[int], refs: dict[int, str],
                  since: datetime, now: datetime) -> list[TriageLine]:
    """Our mails that the SMTP server refused for good (5xx): the person never got them.

    Listed while their case is open, and for one period when they have no open case."""
    lines = []
    for o in session.exec(select(OutboxMessage).where(OutboxMessage.status == "failed")
                          .order_by(OutboxMessage.created_at, OutboxMessage.id)):
        if o.case_id not in open_ids and not since <= o.created_at < now:
            continue
        error = redact(" ".join((o.last_error or "").split()))
        detail = f"{o.kind}: {error}" if error else o.kind
        if len(detail) > SUBJECT_MAX:
            detail = detail[: SUBJECT_MAX - 1] + "…"
        subject = redact(" ".join((o.subject or "").split()))[:SUBJECT_MAX]
        lines.append(TriageLine(kind="send_failed", received=_local(o.created_at, settings), mailbox="outbox",
                                subject=subject, detail=detail, reference=refs.get(o.case_id)))
    return lines


def previous_digest_at(session: Session, *, before: datetime, period: str = "daily") -> datetime | None:
    """When the last ``period`` digest was queued (its Marker), or None."""
    row = session.exec(
        select(Marker).where(Marker.key.startswith(f"digest:{period}:"), Marker.created_at < before)
        .order_by(Marker.created_at.desc())
    ).first()
    return row.created_at if row else None


def build_digest(session: Session, settings: Settings, *, now: datetime, since: datetime | None,
                 period: str = "daily") -> Digest:
    """Everything staff need to see, read at ``now``; ``since`` defaults to 24 hours back."""
    tz = settings.organisation.tz
    local_now = _local(now, settings)
    today = local_now.date()
    since = since if since is not None else now - timedelta(days=1)
    horizon = today + timedelta(days=settings.digest.due_within_days)
    d = Digest(org_name=settings.organisation.name, period=period, generated_at=local_now,
               since=since.astimezone(tz), today=today, due_within_days=settings.digest.due_within_days)

    refresh_paused_deadlines(session=session, settings=settings, now=now)
    all_cases = sorted(session.exec(select(Case)).all(),
                       key=lambda c: (c.due_date is None, c.due_date or today, c.id))
    refs = {c.id: c.reference or f"#{c.id}" for c in all_cases}
    open_cases = [c for c in all_cases if c.status in OPEN]
    d.open_count = len(open_cases)
    for c in open_cases:
        if c.due_date is not None and c.due_date < today:
            d.overdue.append(case_line(c, settings, today))
        elif c.due_date is not None and c.due_date <= horizon:
            d.due_soon.append(case_line(c, settings, today))
        if c.status == "awaiting_verification" and not c.verification_locked:
            started = c.verification_requested_at or c.received_at
            d.awaiting_verification.append(
                case_line(c, settings, today, days_waiting=(today - _local(started, settings).date()).days))
        if c.verification_locked:
            d.verification_problems.append(case_line(c, settings, today, problem="locked"))
        for t in c.request_types or ():
            d.by_type[t] = d.by_type.get(t, 0) + 1
    for c in sorted(all_cases, key=lambda c: (c.created_at, c.id)):
        if since <= c.created_at < now:
            d.new_cases.append(case_line(c, settings, today))
        if c.status == "closed_unverified" and c.closed_at and since <= c.closed_at < now:
            d.verification_problems.append(case_line(c, settings, today, problem="expired"))

    for s in session.exec(select(Suppression).where(Suppression.created_at >= since, Suppression.created_at < now)
                          .order_by(Suppression.created_at)):
        d.unsubscribes.append((_local(s.created_at, settings).date(), s.reason,
                               refs.get(s.case_id) if s.case_id else None))

    # Mail needing a person: everything not yet triaged, however old.
    pending = session.exec(select(InboundMessage).where(InboundMessage.triaged == False)  # noqa: E712
                           .where(InboundMessage.received_at < now)
                           .order_by(InboundMessage.received_at, InboundMessage.id)).all()
    bounced_cases: set[int] = set()
    for msg in pending:
        kind = triage_kind(msg, settings)
        if kind is None:
            continue
        d.triage.append(_triage_line(kind, msg, settings, refs))
        if kind == "bounce" and msg.case_id:
            bounced_cases.add(msg.case_id)
    for c in open_cases:
        if (c.flags or {}).get("bounced") and c.id not in bounced_cases:
            d.triage.append(TriageLine(kind="bounce", received=None, mailbox=c.mailbox or "-", subject="",
                                       detail="case_flag", reference=refs[c.id]))
    d.triage.extend(_failed_sends(session, settings, open_ids={c.id for c in open_cases}, refs=refs,
                                  since=since, now=now))
    d.triage.sort(key=lambda t: (TRIAGE_KINDS.index(t.kind), t.received or local_now, t.reference or ""))

    mail_counts: dict[str, int] = {}
    for box in session.exec(select(InboundMessage.mailbox).where(InboundMessage.received_at >= since,
                                                                 InboundMessage.received_at < now)).all():
        mail_counts[box] = mail_counts.get(box, 0) + 1
    case_counts: dict[str, int] = {}
    for c in open_cases:
        key = c.mailbox or "-"
        case_counts[key] = case_counts.get(key, 0) + 1
    names = [m.name for m in settings.mailboxes]
    names += sorted((set(mail_counts) | set(case_counts)) - set(names))
    d.by_mailbox = [MailboxCount(n, mail_counts.get(n, 0), case_counts.get(n, 0)) for n in names]
    d.by_type = {t: d.by_type[t] for t in sorted(d.by_type, key=lambda t: (-d.by_type[t], t))}

    acked = [(c.acknowledged_at - c.received_at).total_seconds() for c in all_cases
             if c.acknowledged_at and now - ACK_WINDOW <= c.acknowledged_at <= now]
    d.ack_count = len(acked)
    d.median_ack = timedelta(seconds=round(statistics.median(acked))) if acked else None
    return d


# --------------------------------------------------------------------------- rendering
def _split(td: timedelta | None) -> dict[str, int] | None:
    if td is None:
        return None
    minutes = int(td.total_seconds() // 60)
    return {"days": minutes // 1440, "hours": minutes % 1440 // 60, "minutes": minutes % 60}


def _staff_lang(lang: str) -> str:
    if lang not in STAFF_LANGUAGES:
        raise UserError(f"staff mail language must be one of {', '.join(STAFF_LANGUAGES)}, got {lang!r}")
    return lang


def _render(env, name: str, lang: str, ctx: dict) -> RenderedMail:
    base = f"staff/{_staff_lang(lang)}/{name}"
    ctx = {**ctx, "lang": lang}
    subject = " ".join(env.get_template(f"{base}.subject.j2").render(ctx).split())
    text = env.get_template(f"{base}.txt.j2").render(ctx).rstrip() + "\n"
    html = env.get_template(f"{base}.html.j2").render(ctx).strip() + "\n"
    return RenderedMail(subject=subject, text=text, html=html)


def triage_groups(digest: Digest) -> list[tuple[str, list[TriageLine]]]:
    return [(k, [t for t in digest.triage if t.kind == k]) for k in TRIAGE_KINDS]


def render_digest(env, digest: Digest, lang: str) -> RenderedMail:
    """HTML (inline CSS, tables, no images or links) and plain text, in ``lang`` (en|nb)."""
    ctx = {"d": digest, "lang": lang, "triage_groups": triage_groups(digest), "ack": _split(digest.median_ack)}
    return _render(env, "digest", lang, ctx)


# --------------------------------------------------------------------------- queueing
def digest_key(settings: Settings, now: datetime, kind: str = "daily") -> str:
    local = _local(now, settings)
    if kind == "daily":
        return f"digest:daily:{local.date().isoformat()}"
    if kind == "weekly":
        year, week, _ = local.isocalendar()
        return f"digest:weekly:{year}-W{week:02d}"
    raise UserError(f"digest kind must be daily or weekly, got {kind!r}")


def digest_due(settings: Settings, now: datetime, last_sent: datetime | None) -> bool:
    """True after the configured local time today if no digest went out today yet."""
    local = _local(now, settings)
    if local.time() < settings.digest.time:
        return False
    return last_sent is None or _local(last_sent, settings).date() < local.date()


def weekly_due(settings: Settings, now: datetime) -> bool:
    local = _local(now, settings)
    return (settings.digest.weekly and local.weekday() == settings.digest.weekly_day
            and local.time() >= settings.digest.time)


def already_sent(session: Session, settings: Settings, *, now: datetime, kind: str = "daily") -> bool:
    return session.get(Marker, digest_key(settings, now, kind)) is not None


def queue_digest(session: Session, settings: Settings, env, *, now: datetime, kind: str = "daily",
                 lang: str | None = None) -> list[OutboxMessage]:
    """Queue this period's digest to every staff recipient; [] when it was already queued.

    Writes a Marker with the period key and flushes, so a concurrent worker's
    duplicate surfaces here as ``IntegrityError``: the caller rolls back.
    """
    key = digest_key(settings, now, kind)
    if session.get(Marker, key) is not None:
        return []
    if kind == "daily":
        since = previous_digest_at(session, before=now, period="daily")
    else:
        since = now - timedelta(days=7)
    digest = build_digest(session, settings, now=now, since=since, period=kind)
    rendered = render_digest(env, digest, lang or settings.digest.language)
    rows = notices.queue_staff_mail(session=session, settings=settings, kind=f"digest_{kind}",
                                    rendered=rendered, now=now, dedupe_key=key)
    session.add(Marker(key=key, created_at=now, data={"recipients": len(rows)}))
    session.flush()
    log.info("digest queued: %s to %d recipient(s)", key, len(rows))
    return rows


def run_digest_job(engine, settings: Settings, env, *, now: datetime) -> str | None:
    """Queue the daily (and on ``weekly_day`` the weekly) digest if due; commits.

    Returns the key of the first digest queued, or None when nothing was due or
    another worker got there first. Safe to call as often as you like.
    """
    queued: list[str] = []
    for kind in KINDS:
        with Session(engine, expire_on_commit=False) as session:
            if kind == "daily":
                if not settings.digest.daily:
                    continue
                last = previous_digest_at(session, before=now + timedelta(seconds=1), period="daily")
                if not digest_due(settings, now, last):
                    continue
            elif not weekly_due(settings, now):
                continue
            try:
                rows = queue_digest(session, settings, env, now=now, kind=kind)
                session.commit()
            except IntegrityError:
                session.rollback()
                log.info("digest %s already queued by another worker", digest_key(settings, now, kind))
                continue
            if rows:
                queued.append(digest_key(settings, now, kind))
    return queued[0] if queued else None


# --------------------------------------------------------------------------- staff reminders
def _where(case: Case, settings: Settings) -> tuple[str, str | None]:
    org = settings.organisation
    country = (case.country or org.country).upper()
    return country, (org.subdivision if country == org.country else None)


def reminder_day(case: Case, settings: Settings) -> date | None:
    """The day the "deadline is near" alert is due: N working days before the due date."""
    if case.due_date is None:
        return None
    country, subdivision = _where(case, settings)
    return working_days_before(case.due_date, settings.deadlines.reminder_working_days,
                               country=country, subdivision=subdivision)


def _alert(session: Session, settings: Settings, env, *, case: Case, kind: str, key: str, now: datetime,
           today: date) -> bool:
    if session.get(Marker, key) is not None:
        return False
    ctx = {"kind": kind, "c": case_line(case, settings, today), "target": case.internal_target,
           "working_days": settings.deadlines.reminder_working_days, "org_name": settings.organisation.name}
    rendered = _render(env, "alert", settings.digest.language, ctx)
    notices.queue_staff_mail(session=session, settings=settings, kind=f"remind_{kind}", rendered=rendered,
                             now=now, dedupe_key=key, case=case)
    session.add(Marker(key=key, created_at=now, data={"case_id": case.id}))
    return True


def queue_staff_reminders(session: Session, settings: Settings, env, *, now: datetime) -> int:
    """Alert staff once when an open case passes its internal target, and once when it is
    ``reminder_working_days`` working days from its due date (re-armed by a new due date).

    Returns the number of alerts queued. The caller commits.
    """
    today = _local(now, settings).date()
    count = 0
    refresh_paused_deadlines(session=session, settings=settings, now=now)
    for case in session.exec(select(Case).where(Case.status.in_(sorted(OPEN))).order_by(Case.id)).all():
        if case.internal_target is not None and today > case.internal_target:
            count += _alert(session, settings, env, case=case, kind="target", key=f"remind:target:{case.id}",
                            now=now, today=today)
        remind_on = reminder_day(case, settings)
        if remind_on is not None and today >= remind_on:
            count += _alert(session, settings, env, case=case, kind="due",
                            key=f"remind:due:{case.id}:{case.due_date.isoformat()}", now=now, today=today)
    if count:
        session.flush()
        log.info("staff reminders queued: %d", count)
    return count
