"""Retention: purge message bodies that are no longer needed; keep metadata and the audit trail.

A message's raw bytes and new text go when its case has been closed for longer
than ``retention_days`` (or, for mail with no case, when it is that old).
Quarantined mail is kept until staff have triaged it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from .models import Case, InboundMessage


@dataclass(frozen=True)
class PurgeItem:
    message_id: int
    mailbox: str
    received_at: datetime
    case_reference: str | None
    size: int


def due_for_purge(session: Session, *, now: datetime, retention_days: int) -> list[PurgeItem]:
    cutoff = now - timedelta(days=retention_days)
    items: list[PurgeItem] = []
    rows = session.exec(select(InboundMessage, Case).join(Case, InboundMessage.case_id == Case.id, isouter=True)
                        .where(InboundMessage.purged_at.is_(None)).order_by(InboundMessage.id))
    for msg, case in rows:
        if msg.disposition == "quarantined" and not msg.triaged:
            continue
        if case is not None:
            if case.closed_at is None or case.closed_at > cutoff:
                continue
        elif msg.received_at > cutoff:
            continue
        items.append(PurgeItem(msg.id, msg.mailbox, msg.received_at, case.reference if case else None,
                               msg.size))
    return items


def purge(session: Session, items: list[PurgeItem], *, now: datetime) -> int:
    """Drop bodies of ``items``; the caller commits. Returns the number purged."""
    for item in items:
        msg = session.get(InboundMessage, item.message_id)
        msg.raw = None
        msg.new_text = None
        msg.purged_at = now
    return len(items)
