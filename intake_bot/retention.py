"""Retention: purge message bodies that are no longer needed; keep metadata and the audit trail.

A message's raw bytes and new text go when its case has been closed for longer
than ``retention_days`` (or, for mail with no case, when it is that old).
Quarantined mail is kept until staff have triaged it. The bodies of our own
sent mail go by the same rule (they quote the requester and may carry a
verification code); the outbox row, its Message-ID and status stay.

The runner calls :func:`run_daily` from its timed jobs: once per local day,
across all workers (a marker row decides who does it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from .models import Case, InboundMessage, Marker, OutboxMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PurgeItem:
    message_id: int
    mailbox: str
    received_at: datetime
    case_reference: str | None
    size: int


def due_for_purge(session: Session, *, now: datetime, retention_days: int) -> list[PurgeItem]:
    """Inbound bodies past retention (columns only: the bodies themselves are not loaded)."""
    cutoff = now - timedelta(days=retention_days)
    q = (select(InboundMessage.id, InboundMessage.mailbox, InboundMessage.received_at, Case.reference,
                InboundMessage.size)
         .join(Case, InboundMessage.case_id == Case.id, isouter=True)
         .where(InboundMessage.purged_at.is_(None))
         .where(or_(InboundMessage.disposition != "quarantined", InboundMessage.triaged == True))  # noqa: E712
         .where(or_(and_(InboundMessage.case_id.is_not(None), Case.closed_at.is_not(None), Case.closed_at <= cutoff),
                    and_(InboundMessage.case_id.is_(None), InboundMessage.received_at <= cutoff)))
         .order_by(InboundMessage.id))
    return [PurgeItem(*row) for row in session.exec(q)]


def purge(session: Session, items: list[PurgeItem], *, now: datetime) -> int:
    """Drop bodies of ``items``; the caller commits. Returns the number purged."""
    ids = [item.message_id for item in items]
    for start in range(0, len(ids), 500):
        session.execute(update(InboundMessage).where(InboundMessage.id.in_(ids[start:start + 500]))
                        .values(raw=None, new_text=None, purged_at=now))
    return len(ids)


def _outbox_past_retention(cutoff: datetime):
    closed = select(Case.id).where(Case.closed_at.is_not(None), Case.closed_at <= cutoff)
    return and_(OutboxMessage.status.in_(("sent", "failed")), func.length(OutboxMessage.raw) > 0,
                or_(OutboxMessage.case_id.in_(closed),
                    and_(OutboxMessage.case_id.is_(None), OutboxMessage.created_at <= cutoff)))


def outbox_due_for_purge(session: Session, *, now: datetime, retention_days: int) -> int:
    cutoff = now - timedelta(days=retention_days)
    return session.exec(select(func.count()).select_from(OutboxMessage)
                        .where(_outbox_past_retention(cutoff))).one()


def purge_outbox(session: Session, *, now: datetime, retention_days: int) -> int:
    """Empty the stored bodies of our sent (or failed) mail past retention; the caller commits."""
    cutoff = now - timedelta(days=retention_days)
    res = session.execute(update(OutboxMessage).where(_outbox_past_retention(cutoff)).values(raw=b"")
                          .execution_options(synchronize_session=False))
    return res.rowcount or 0


def run_daily(engine, settings, *, now: datetime) -> dict[str, int] | None:
    """Purge once per local day; None when it already ran today (here or on another worker)."""
    day = now.astimezone(settings.organisation.tz).date().isoformat()
    keep = settings.pipeline.retention_days
    with Session(engine) as session:
        key = f"purge:{day}"
        if session.get(Marker, key) is not None:
            return None
        try:
            session.add(Marker(key=key, created_at=now))
            session.flush()
        except IntegrityError:
            session.rollback()
            return None
        counts = {"inbound": purge(session, due_for_purge(session, now=now, retention_days=keep), now=now),
                  "outbox": purge_outbox(session, now=now, retention_days=keep)}
        session.get(Marker, key).data = counts
        session.commit()
    if any(counts.values()):
        log.info("retention (%d days): purged %d inbound and %d outbound bodies", keep, counts["inbound"],
                 counts["outbox"])
    return counts
