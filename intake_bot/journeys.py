"""What happens to a request: new cases, follow-ups, verification, unsubscribes.

Handlers receive the pipeline's ``Ctx`` and only touch the session; the
pipeline commits. Time-driven steps (reminders, expiry) are in :func:`tick`.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlmodel import Session, select

from . import cases, notices, screen, verification
from .cases import BOT, TERMINAL
from .models import Case, OutboxMessage, Suppression
from .replies import RenderedMail

if TYPE_CHECKING:  # pragma: no cover
    from .pipeline import Ctx

NO_VERIFICATION_TYPES = frozenset({"objection", "unsubscribe"})
_ON_BEHALF = re.compile(
    r"\b(on behalf of|acting for|my client|power of attorney|solicitor|lawyer|attorney|legal guardian|"
    r"debt (?:counsellor|adviser|advisor)|representing|"
    r"på vegne av|fullmakt|min klient|advokat|gjeldsrådgiver|økonomisk rådgiver|som verge|representerer|"
    r"för .{1,40} räkning|å .{1,30} vägnar|på uppdrag av|ombud\b|skuldrådgivare|god man\b|representerar|"
    r"på vegne af|fuldmagt|gældsrådgiver|som værge|repræsenterer|"
    r"puolesta|valtakirja|asiakkaani|talous- ja velkaneuv|edunvalvoja|edustan|"
    r"im namen|im auftrag|in vertretung|vollmacht|mandant|rechtsanwalt|schuldnerberat|betreuer)",
    re.IGNORECASE,
)
_MARKETING = re.compile(
    r"(marketing|markedsføring|reklam|newsletter|nyhetsbrev|nyhedsbrev|uutiskirje|markkinointi|werbung|direktmarknadsf|direct marketing)",
    re.IGNORECASE,
)


def normalise_address(addr: str) -> str:
    local, _, domain = addr.strip().rpartition("@")
    return f"{local}@{domain.lower()}" if local else addr.strip().lower()


# --------------------------------------------------------------------------- new requests
def new_request(ctx: "Ctx", *, related: Case | None = None) -> Case:
    msg, cls, settings, session, now = ctx.msg, ctx.cls, ctx.settings, ctx.session, ctx.now
    country = ctx.mailbox.country or settings.organisation.country
    case = cases.open_case(
        session=session, settings=settings, requester=normalise_address(msg.from_addr),
        requester_name=msg.from_name[:200], language=cls.language, request_types=cls.request_types,
        received_at=ctx.row.received_at, now=now, mailbox=ctx.mailbox.name, country=country,
        reason="data-protection request classified from email",
        data={"rules": list(cls.rules), "scores": {k: round(v, 4) for k, v in cls.scores.items()},
              "model_version": cls.model_version, "needs_review": cls.needs_review},
        message_id=ctx.row.id,
    )
    ctx.row.case_id = case.id
    ctx.outcome.disposition = "case_opened"
    ctx.outcome.case_ref = case.reference
    case.needs_review = cls.needs_review
    case.thread_ids = [m for m in [msg.message_id] if m]
    if related is not None:
        case.related_case_id = related.id
        cases.add_event(session=session, case=case, kind="linked", actor=BOT, now=now,
                        reason=f"follows up closed case {related.reference}")
    _flag_new_case(ctx, case)
    _link_possible_duplicate(session, case, now)
    fresh = _apply_unsubscribe(ctx, case, cls.request_types)

    today = now.astimezone(settings.organisation.tz).date()
    if case.due_date and case.due_date < today:
        case.needs_review = True
        cases.add_event(session=session, case=case, kind="late_backlog", actor=BOT, now=now,
                        reason=f"deadline {case.due_date} passed before the bot read the message: "
                               "no acknowledgement sent, staff must act")
        ctx.outcome.reason = "deadline already passed: left to staff"
        return case

    types = set(case.request_types)
    needs = types & set(settings.verification.required_for)
    if not types:
        case.needs_review = True
        cases.add_event(session=session, case=case, kind="needs_triage", actor=BOT, now=now,
                        reason="mail about a closed case with no recognised request type: no auto-reply, "
                               "staff decide (the deadline runs as for a request)")
        ctx.outcome.reason = "mail about a closed case: new case for staff"
        return case
    if types <= {"unsubscribe"}:
        _confirm_unsubscribe(ctx, case, fresh)
        cases.transition(session=session, case=case, to_status="completed", actor=BOT, now=now,
                         reason="unsubscribe carried out: address added to the suppression list")
        return case
    verif = None
    known = _known_and_authenticated(ctx) if needs else None
    if needs and known:
        case.verification_required = True
        case.verified_at = now
        cases.set_flag(session=session, case=case, flag="verified_by", value="known_address", now=now,
                       reason="address on file in the known-requesters directory, with an aligned "
                              "DMARC/DKIM pass from our server")
        cases.add_event(session=session, case=case, kind="known_requester", actor=BOT, now=now,
                        reason="the address is on file in the known-requesters directory",
                        data={"customer_number": known.customer_number, "case_numbers": list(known.case_numbers)})
        cases.transition(session=session, case=case, to_status="verified", actor=BOT, now=now,
                         reason="verified_by=known_address (policy allows it)")
    elif needs and not case.flags.get("possible_spoofing"):
        verif = start_verification(session, settings, case, now, minted=ctx.mint())
    elif needs:
        cases.add_event(session=session, case=case, kind="verification_blocked", actor=BOT, now=now,
                        reason="possible spoofing: identity cannot be verified by reply; staff must check")
        case.needs_review = True
    else:
        cases.transition(session=session, case=case, to_status="in_progress", actor=BOT, now=now,
                         reason="no identity check needed for " + ", ".join(sorted(types)))
    combine = settings.verification.combine_with_acknowledgement
    send(ctx, case, "acknowledgement", f"ack:{case.id}", verification=verif if combine else None)
    if verif and not combine:
        send(ctx, case, "verification_request", f"verify:{case.id}:1", verification=verif)
    if "unsubscribe" in types:
        _confirm_unsubscribe(ctx, case, fresh)
    return case


def _known_and_authenticated(ctx: "Ctx"):
    from .directory import authenticated, find

    policy = ctx.settings.verification
    if not (policy.trust_known_address and (policy.known_requesters_csv or policy.known_requesters_table)):
        return None
    if not authenticated((ctx.row.flags or {}).get("authentication")):
        return None
    return find(ctx.session, policy, ctx.msg.from_addr or "")


def _flag_new_case(ctx: "Ctx", case: Case) -> None:
    msg, now, session = ctx.msg, ctx.now, ctx.session
    if msg.reply_to and any(r.lower() != msg.from_addr.lower() for r in msg.reply_to):
        cases.set_flag(session=session, case=case, flag="reply_to_differs", value=True, now=now,
                       reason="Reply-To differs from From: we answer the From address only")
    if _ON_BEHALF.search(msg.new_text or ""):
        case.needs_review = True
        cases.set_flag(session=session, case=case, flag="on_behalf", value=True, now=now,
                       reason="may be written on behalf of someone else: mailbox control does not prove authority")
    if ctx.cls.special_categories:
        cases.set_flag(session=session, case=case, flag="special_categories",
                       value=list(ctx.cls.special_categories), now=now,
                       reason="the message mentions special categories of personal data")
    if ctx.cls.national_id_kinds:
        cases.set_flag(session=session, case=case, flag="national_id", value=True, now=now,
                       reason="the message contains a national identity number")
    if ctx.cls.needs_triage:
        case.needs_review = True
        cases.set_flag(session=session, case=case, flag="contact_form", value=True, now=now,
                       reason="web contact-form notification: the requester's address must be checked by staff")
    auth = (ctx.row.flags or {}).get("authentication")
    if auth and auth.get("spoofing"):
        case.needs_review = True
        cases.set_flag(session=session, case=case, flag="possible_spoofing", value=True, now=now,
                       reason=auth.get("reason", "sender authentication failed"))


def _link_possible_duplicate(session: Session, case: Case, now: datetime) -> None:
    since = case.received_at - timedelta(days=30)
    prior = session.exec(select(Case).where(
        Case.requester == case.requester, Case.id != case.id, Case.received_at >= since)
        .order_by(Case.id.desc())).all()
    for other in prior:
        if set(other.request_types) & set(case.request_types):
            case.duplicate_of_case_id = other.id
            cases.add_event(session=session, case=case, kind="possible_duplicate", actor=BOT, now=now,
                            reason=f"same requester and request type as {other.reference} within 30 days")
            return


# --------------------------------------------------------------------------- verification
def start_verification(session: Session, settings, case: Case, now: datetime,
                       *, minted: tuple[str, str, str] | None = None) -> dict:
    """``minted``: a (code, hash, salt) from :func:`verification.mint`, perhaps hashed ahead of time."""
    code, case.code_hash, case.code_salt = minted or verification.mint()
    case.verification_required = True
    case.verification_requested_at = now
    case.code_expires_at = now + timedelta(days=settings.verification.code_ttl_days)
    case.verification_attempts = 0
    cases.transition(session=session, case=case, to_status="awaiting_verification", actor=BOT, now=now,
                     reason="identity must be confirmed before anything is disclosed or changed")
    cases.start_pause(session=session, case=case, kind="verification", now=now)
    cases.refresh_deadline(session=session, settings=settings, case=case, now=now)
    tz = settings.organisation.tz
    return {"code": code, "expires": case.code_expires_at.astimezone(tz).date()}


def _try_verify(ctx: "Ctx", case: Case) -> None:
    session, now, settings = ctx.session, ctx.now, ctx.settings
    if case.verification_locked:
        cases.add_event(session=session, case=case, kind="verification_ignored", actor=BOT, now=now,
                        reason="verification is locked for staff review", message_id=ctx.row.id)
        return
    if case.flags.get("possible_spoofing"):
        cases.add_event(session=session, case=case, kind="verification_ignored", actor=BOT, now=now,
                        reason="possible spoofing: this case cannot be verified by reply", message_id=ctx.row.id)
        return
    reply_auth = (ctx.row.flags or {}).get("authentication") or {}
    if reply_auth.get("spoofing"):
        case.needs_review = True
        cases.add_event(session=session, case=case, kind="verification_ignored", actor=BOT, now=now,
                        reason=f"the reply failed sender authentication ({reply_auth.get('reason')}): "
                               "it cannot verify", message_id=ctx.row.id)
        return
    if case.code_expires_at and now > case.code_expires_at:
        cases.add_event(session=session, case=case, kind="verification_ignored", actor=BOT, now=now,
                        reason="the code has expired", message_id=ctx.row.id)
        return
    attempt = verification.check_text(ctx.msg.body_text, case.code_hash, case.code_salt)
    previous = (case.flags or {}).get("previous_code")
    if attempt.outcome == "wrong" and previous and previous[0]:
        again = verification.check_text(ctx.msg.body_text, previous[0], previous[1])
        if again.outcome == "verified":
            attempt = again
    if attempt.outcome == "verified":
        case.verified_at = now
        case.code_hash = None  # one-time
        case.flags = {k: v for k, v in (case.flags or {}).items() if k != "previous_code"}
        cases.set_flag(session=session, case=case, flag="verified_by", value="email_code", now=now,
                       reason="control of the requester's mailbox proven by replying with the code")
        cases.end_pause(session=session, case=case, now=now)
        cases.transition(session=session, case=case, to_status="verified", actor=BOT, now=now,
                         reason="verified_by=email_code: the requester replied from the original address "
                                "with the code", message_id=ctx.row.id)
        cases.refresh_deadline(session=session, settings=settings, case=case, now=now)
        send(ctx, case, "verified", f"verified:{case.id}")
        ctx.outcome.disposition = "verified"
    elif attempt.outcome == "wrong":
        case.verification_attempts += 1
        cases.add_event(session=session, case=case, kind="verification_failed", actor=BOT, now=now,
                        reason=f"wrong code (attempt {case.verification_attempts} of "
                               f"{settings.verification.max_attempts})", message_id=ctx.row.id)
        if case.verification_attempts >= settings.verification.max_attempts:
            case.verification_locked = True
            case.needs_review = True
            cases.add_event(session=session, case=case, kind="verification_locked", actor=BOT, now=now,
                            reason="too many wrong codes: locked for staff review")


# --------------------------------------------------------------------------- follow-ups
def follow_up(ctx: "Ctx", case: Case) -> None:
    session, now, msg, cls = ctx.session, ctx.now, ctx.msg, ctx.cls
    ctx.row.case_id = case.id
    ctx.outcome.case_ref = case.reference
    sender = normalise_address(msg.from_addr)
    if cls.automated:
        cases.add_event(session=session, case=case, kind="automated_reply", actor=BOT, now=now,
                        reason=f"automated mail on the thread ({cls.automated_reason}): ignored",
                        message_id=ctx.row.id)
        ctx.outcome.disposition = "automated"
        ctx.outcome.reason = cls.automated_reason
        return
    if sender != case.requester:
        case.needs_review = True
        cases.add_event(session=session, case=case, kind="follow_up_other_sender", actor=BOT, now=now,
                        reason="a reply from a different address: attached, it cannot verify or change the case",
                        message_id=ctx.row.id)
        ctx.outcome.disposition = "follow_up"
        return
    if case.status in TERMINAL:
        # mail about a closed case opens a new case linked to it, even when no request type
        # is recognised ("I never got the copy you promised"): it must not sit unseen on a
        # closed case. Without a type it gets no auto-reply and waits for staff.
        new = new_request(ctx, related=case)
        ctx.outcome.reason = f"new case linked to closed {case.reference}"
        ctx.outcome.case_ref = new.reference
        return
    cases.add_event(session=session, case=case, kind="follow_up", actor=BOT, now=now,
                    reason="reply from the requester attached", message_id=ctx.row.id)
    ctx.outcome.disposition = "follow_up"
    if case.status == "on_hold":
        # the clarification we asked for has arrived: the clock runs again from now (the
        # earlier reading of the deadline); staff judge whether it answers the question
        from .staff import resume_case

        case.needs_review = True
        resume_case(session=session, settings=ctx.settings, env=ctx.env, case=case, actor=BOT, now=now,
                    reason="the requester replied while the case was on hold: clock runs again, staff to review")
    if case.status == "awaiting_verification" and case.code_hash:
        _try_verify(ctx, case)
    added = cases.add_types(session=session, case=case, types=cls.request_types, now=now,
                            message_id=ctx.row.id)
    if "unsubscribe" in added:
        _confirm_unsubscribe(ctx, case, _apply_unsubscribe(ctx, case, ["unsubscribe"]))


# --------------------------------------------------------------------------- unsubscribe
REPEAT_UNSUBSCRIBE = timedelta(days=1)


def _apply_unsubscribe(ctx: "Ctx", case: Case, types) -> bool:
    """Suppress the sender's own address. False when it was already suppressed within the last
    day (mail clients send an RFC 2369 unsubscribe twice; one confirmation is enough)."""
    types = set(types)
    marketing_objection = "objection" in types and _MARKETING.search(ctx.msg.new_text or "")
    if "unsubscribe" not in types and not marketing_objection:
        return True
    address = normalise_address(ctx.msg.from_addr)
    earlier = ctx.session.get(Suppression, address)
    suppress(ctx.session, address, now=ctx.now,
             reason="unsubscribe" if "unsubscribe" in types else "objection to direct marketing",
             source_message_id=ctx.row.id, case_id=case.id)
    if earlier is not None:
        cases.add_event(session=ctx.session, case=case, kind="suppressed", actor=BOT, now=ctx.now,
                        reason=f"sender's own address was already on the suppression list (since "
                               f"{earlier.created_at:%Y-%m-%d %H:%M} UTC)")
    else:
        cases.add_event(session=ctx.session, case=case, kind="suppressed", actor=BOT, now=ctx.now,
                        reason="sender's own address added to the suppression list")
    others = {a.lower() for a in re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", ctx.msg.new_text or "")}
    others.discard(case.requester.lower())
    if others:
        case.needs_review = True
        cases.add_event(session=ctx.session, case=case, kind="other_addresses", actor=BOT, now=ctx.now,
                        reason=f"{len(others)} other address(es) named in the mail: not acted on, staff must check")
    return earlier is None or ctx.now - earlier.created_at >= REPEAT_UNSUBSCRIBE


def suppress(session: Session, address: str, *, now: datetime, reason: str,
             source_message_id: int | None = None, case_id: int | None = None) -> bool:
    """Add to the suppression list; idempotent. True if it is new."""
    address = normalise_address(address)
    if session.get(Suppression, address) is not None:
        return False
    session.add(Suppression(address=address, reason=reason, source_message_id=source_message_id,
                            case_id=case_id, created_at=now))
    return True


def _confirm_unsubscribe(ctx: "Ctx", case: Case, fresh: bool = True) -> None:
    if not ctx.settings.pipeline.unsubscribe_confirmation:
        return
    if not fresh:
        cases.add_event(session=ctx.session, case=case, kind="reply_suppressed", actor=BOT, now=ctx.now,
                        reason="unsubscribe_confirmation not sent: the address was unsubscribed less than a "
                               "day ago and confirmed then")
        return
    send(ctx, case, "unsubscribe_confirmation", f"unsub:{case.id}")


# --------------------------------------------------------------------------- outbound helpers
def send(ctx: "Ctx", case: Case, template: str, key: str, **kw) -> OutboxMessage | None:
    """Queue a reply to the requester unless a reply-gate rule stops it."""
    session, now = ctx.session, ctx.now
    if _gate_stops(session=session, settings=ctx.settings, to_addr=case.requester, now=now, template=template,
                   case=case, ctx=ctx):
        return None
    row = notices.queue_case_mail(session=session, settings=ctx.settings, env=ctx.env, case=case,
                                  template=template, now=now, dedupe_key=key, inbound=ctx.row, **kw)
    if row is not None:
        session.flush()
        ctx.outcome.queued.append(template)
        cases.add_event(session=session, case=case, kind="mail_queued", actor=BOT, now=now,
                        reason=f"{template} queued", data={"outbox_id": row.id})
        if template == "acknowledgement":
            case.acknowledged_at = now
    return row


def _gate_stops(*, session: Session, settings, to_addr: str, now: datetime, template: str, case: Case | None,
                ctx: "Ctx | None" = None, actor: str = BOT) -> bool:
    """Run the reply gate and record a stop: on the inbound message and the breaker alert
    when this answers one (``ctx``), and as a case event for staff when there is a case.

    Without ``ctx`` the mail answers no inbound message (a timer or staff notice), so the
    per-sender and per-case limits do not apply (``staff_triggered``)."""
    gate = screen.ReplyContext(session=session, settings=settings, to_addr=to_addr, now=now, kind=template,
                               staff_triggered=ctx is None, inbound=ctx.msg if ctx else None,
                               case_id=case.id if case else None)
    blocked = screen.blocked_by(gate)
    if not blocked:
        return False
    if ctx is not None:
        if "circuit-breaker" in blocked:
            _alert_breaker(ctx)
        ctx.row.rules = list(ctx.row.rules) + [f"reply-gate: {b}" for b in blocked]
    if case is not None:
        case.needs_review = True
        cases.add_event(session=session, case=case, kind="reply_suppressed", actor=actor, now=now,
                        reason=f"{template} not sent: rule {blocked[0]}", data={"rules": blocked})
    return True


def queue_notice(*, session: Session, settings, env, case: Case, template: str, now: datetime, dedupe_key: str,
                 actor: str = BOT, **kw) -> OutboxMessage | None:
    """A mail that answers no inbound message (a timer's reminder, a staff notice).

    It passes the reply-gate rules that protect everyone (our own addresses, the
    circuit breaker); the per-sender and per-case limits are for replies to inbound
    mail. A stopped notice is recorded on the case for staff."""
    if _gate_stops(session=session, settings=settings, to_addr=case.requester, now=now, template=template,
                   case=case, actor=actor):
        return None
    return notices.queue_case_mail(session=session, settings=settings, env=env, case=case, template=template,
                                   now=now, dedupe_key=dedupe_key, **kw)


def reply_not_request(ctx: "Ctx") -> OutboxMessage | None:
    """The optional short answer to mail that is not a request (``reply_to_non_requests``).

    It says the mail arrived and how to make a data-protection request; it never
    says whether we hold anything about the sender. The reply gate still applies."""
    to_addr = normalise_address(ctx.msg.from_addr)
    if _gate_stops(session=ctx.session, settings=ctx.settings, to_addr=to_addr, now=ctx.now,
                   template="not_request_reply", case=None, ctx=ctx):
        return None
    row = notices.queue_plain_reply(session=ctx.session, settings=ctx.settings, env=ctx.env, inbound=ctx.row,
                                    to_addr=to_addr, lang=ctx.cls.language, mailbox=ctx.mailbox.name,
                                    template="not_request_reply", now=ctx.now,
                                    dedupe_key=f"nonreq:{ctx.row.id}")
    if row is not None:
        ctx.outcome.queued.append("not_request_reply")
    return row


def _alert_breaker(ctx: "Ctx") -> None:
    """One staff alert per trip of the circuit breaker (keyed by when it tripped)."""
    from .models import Marker

    marker = ctx.session.get(Marker, screen.breaker_key(ctx.now))
    tripped = marker.created_at.isoformat() if marker else "unknown"
    lines = ["The auto-reply circuit breaker tripped: more than "
             f"{ctx.settings.security.circuit_breaker_limit} automatic replies in "
             f"{ctx.settings.security.circuit_breaker_window_minutes} minutes.",
             "All automatic replies are paused; incoming mail is still stored and shown to staff.",
             "Check for a mail loop, then resume with: intake-bot breaker reset"]
    rendered = RenderedMail(subject="[intake-bot] Auto-replies paused: circuit breaker tripped",
                            text="\n".join(lines) + "\n", html="<p>" + "<br>".join(_esc(x) for x in lines) + "</p>")
    notices.queue_staff_mail(session=ctx.session, settings=ctx.settings, kind="alert_circuit_breaker",
                             rendered=rendered, now=ctx.now, dedupe_key=f"alert:circuit-breaker:{tripped}")


def alert_staff(ctx: "Ctx", kind: str, title: str, case: Case | None = None) -> None:
    lines = [title, f"Mailbox: {ctx.mailbox.name}", f"Received: {ctx.row.received_at:%Y-%m-%d %H:%M} UTC",
             f"Subject: {ctx.msg.subject[:120]}", f"Inbound message id: {ctx.row.id}"]
    text = "\n".join(lines) + "\n"
    html = "<p>" + "<br>".join(_esc(line) for line in lines) + "</p>"
    rendered = RenderedMail(subject=f"[intake-bot] {title}", text=text, html=html)
    notices.queue_staff_mail(session=ctx.session, settings=ctx.settings, kind=f"alert_{kind}",
                             rendered=rendered, now=ctx.now, dedupe_key=f"alert:{kind}:{ctx.row.id}", case=case)


def _esc(s: str) -> str:
    from markupsafe import escape

    return str(escape(s))


def record_bounce(ctx: "Ctx", case: Case, ours: OutboxMessage) -> None:
    case.needs_review = True
    flags = dict(case.flags or {})
    flags["bounced"] = True
    case.flags = flags
    cases.add_event(session=ctx.session, case=case, kind="bounce", actor=BOT, now=ctx.now,
                    reason=f"our {ours.kind} could not be delivered ({ctx.cls.automated_reason})",
                    data={"outbox_id": ours.id}, message_id=ctx.row.id)


# --------------------------------------------------------------------------- time-driven
def tick(session: Session, settings, env, now: datetime) -> dict[str, int]:
    """Reminders and expiry for cases waiting for verification. Idempotent."""
    counts = {"reminded": 0, "expired": 0}
    waiting = session.exec(select(Case).where(Case.status == "awaiting_verification")).all()
    for case in waiting:
        if case.code_expires_at and now >= case.code_expires_at:
            cases.transition(session=session, case=case, to_status="closed_unverified", actor=BOT, now=now,
                             reason="the verification code expired without a valid reply")
            case.needs_review = True
            tz = settings.organisation.tz
            queue_notice(session=session, settings=settings, env=env, case=case,
                                    template="verification_expired", now=now, dedupe_key=f"expired:{case.id}",
                                    verification={"code": "", "expires": case.code_expires_at.astimezone(tz).date()})
            counts["expired"] += 1
        elif (case.verification_requested_at and case.verification_reminded_at is None
              and not case.verification_locked
              and now - case.verification_requested_at >= timedelta(days=settings.verification.reminder_days)):
            # a fresh code: the old one is only stored hashed, so it cannot be repeated
            code = verification.new_code()
            flags = dict(case.flags or {})
            flags["previous_code"] = [case.code_hash, case.code_salt]  # the first mail's code keeps working
            case.flags = flags
            case.code_hash, case.code_salt = verification.hash_code(code)
            case.verification_reminded_at = now
            tz = settings.organisation.tz
            queue_notice(session=session, settings=settings, env=env, case=case,
                                    template="verification_reminder", now=now, dedupe_key=f"remind:{case.id}",
                                    verification={"code": code,
                                                  "expires": case.code_expires_at.astimezone(tz).date()})
            cases.add_event(session=session, case=case, kind="verification_reminder", actor=BOT, now=now,
                            reason=f"no reply after {settings.verification.reminder_days} days: reminder sent "
                                   "with a new code (the first code still works too)")
            counts["reminded"] += 1
    return counts
