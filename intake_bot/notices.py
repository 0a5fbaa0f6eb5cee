"""Queue a requester- or staff-facing mail: render, compose, add an outbox row.

Pure apart from ``session.add``: the row commits with the caller's decision.
A ``dedupe_key`` makes queueing idempotent (one acknowledgement per case, one
digest per period); the Message-ID is derived from it, so a resend after a
crash carries the same Message-ID.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from typing import Any, Mapping

from sqlmodel import Session, select

from .authorities import authority_for
from .compose import compose, make_message_id
from .config import Settings
from .models import Case, InboundMessage, OutboxMessage
from .replies import render

STAFF_TRIGGERED_KINDS = frozenset({"extension_notice", "refusal_notice", "hold_notice", "completed_notice",
                                   "resume_notice"})


def case_context(settings: Settings, case: Case, *, lang: str) -> dict[str, Any]:
    org = settings.organisation
    return {
        "org": {"name": org.name, "dpo_address": org.dpo_address, "reply_from": org.reply_from},
        "case": {
            "reference": case.reference,
            "received": case.received_at.astimezone(org.tz).date(),
            "due": case.due_date,
            "request_types": list(case.request_types),
        },
        "lang": lang,
        "authority": authority_for(lang, case.country or org.country, org.subdivision),
        "verification": None,
        "reasons": None,
        "new_due": None,
    }


def existing(session: Session, dedupe_key: str) -> OutboxMessage | None:
    return session.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)).first()


def queue_case_mail(
    *,
    session: Session,
    settings: Settings,
    env,
    case: Case,
    template: str,
    now: datetime,
    dedupe_key: str,
    inbound: InboundMessage | None = None,
    verification: Mapping[str, Any] | None = None,
    reasons: str | None = None,
    new_due: date | None = None,
    staff_triggered: bool | None = None,
) -> OutboxMessage | None:
    """Queue ``template`` to the case's requester (always the From address we recorded)."""
    if existing(session, dedupe_key) is not None:
        return None
    lang = case.language
    ctx = case_context(settings, case, lang=lang)
    ctx.update(verification=dict(verification) if verification else None, reasons=reasons, new_due=new_due)
    rendered = render(env, template, lang, ctx)
    reply_from = settings.organisation.reply_from
    if case.mailbox:
        box = next((m for m in settings.mailboxes if m.name == case.mailbox), None)
        reply_from = (box.reply_from if box and box.reply_from else reply_from)
    staff = template in STAFF_TRIGGERED_KINDS if staff_triggered is None else staff_triggered
    in_reply_to = inbound.message_id if inbound else None
    refs = (list(inbound.references or []) + ([inbound.message_id] if inbound.message_id else [])) if inbound else []
    return _queue(
        session=session, settings=settings, kind=template, to_addr=case.requester, from_addr=reply_from,
        subject=rendered.subject, rendered=rendered, now=now, dedupe_key=dedupe_key, case=case,
        inbound=inbound, in_reply_to=in_reply_to, references=refs,
        auto_submitted="auto-generated" if staff else "auto-replied", staff_triggered=staff,
    )


def queue_plain_reply(
    *, session: Session, settings: Settings, env, inbound: InboundMessage, to_addr: str, lang: str,
    mailbox: str | None, template: str, now: datetime, dedupe_key: str,
) -> OutboxMessage | None:
    """An auto-reply that belongs to no case (the reply to mail that is not a request)."""
    if existing(session, dedupe_key) is not None:
        return None
    org = settings.organisation
    ctx = {"org": {"name": org.name, "dpo_address": org.dpo_address, "reply_from": org.reply_from},
           "case": None, "lang": lang, "authority": None, "verification": None, "reasons": None, "new_due": None}
    rendered = render(env, template, lang, ctx)
    box = next((m for m in settings.mailboxes if m.name == mailbox), None)
    reply_from = box.reply_from if box and box.reply_from else org.reply_from
    refs = list(inbound.references or []) + ([inbound.message_id] if inbound.message_id else [])
    return _queue(
        session=session, settings=settings, kind=template, to_addr=to_addr, from_addr=reply_from,
        subject=rendered.subject, rendered=rendered, now=now, dedupe_key=dedupe_key, case=None,
        inbound=inbound, in_reply_to=inbound.message_id, references=refs,
        auto_submitted="auto-replied", staff_triggered=False,
    )


def queue_staff_mail(
    *, session: Session, settings: Settings, kind: str, rendered, now: datetime, dedupe_key: str,
    case: Case | None = None,
) -> list[OutboxMessage]:
    """A digest or an alert to every configured staff recipient."""
    rows = []
    for i, rcpt in enumerate(settings.digest.recipients or (settings.organisation.dpo_address,)):
        key = f"{dedupe_key}:{i}"
        if existing(session, key) is not None:
            continue
        row = _queue(session=session, settings=settings, kind=kind, to_addr=rcpt,
                     from_addr=settings.organisation.reply_from, subject=rendered.subject,
                     rendered=rendered, now=now, dedupe_key=key, case=case, inbound=None,
                     in_reply_to=None, references=[], auto_submitted="auto-generated",
                     staff_triggered=True)
        rows.append(row)
    return rows


def _queue(*, session, settings, kind, to_addr, from_addr, subject, rendered, now, dedupe_key, case,
           inbound, in_reply_to, references, auto_submitted, staff_triggered) -> OutboxMessage:
    domain = settings.organisation.message_id_domain
    token = hashlib.sha256(dedupe_key.encode()).hexdigest()[:24]
    message_id = make_message_id(domain, token=f"{kind}.{token}")
    raw = compose(
        rendered, from_addr=from_addr, from_name=settings.organisation.name, to_addr=to_addr,
        message_id=message_id, date=now, in_reply_to=in_reply_to, references=references,
        auto_submitted=auto_submitted,
    )
    row = OutboxMessage(
        case_id=case.id if case else None, inbound_id=inbound.id if inbound else None, kind=kind,
        dedupe_key=dedupe_key, staff_triggered=staff_triggered, from_addr=from_addr, to_addr=to_addr,
        message_id=message_id.strip("<>"), subject=subject, raw=raw, status="queued",
        next_attempt_at=now, created_at=now,
    )
    session.add(row)
    if case is not None and case.thread_ids is not None:
        case.thread_ids = list(case.thread_ids) + [row.message_id]
    return row
