"""Reply gate: small named rules that can stop an automatic reply.

The order lives in one table, :data:`REPLY_RULES`. The first rule that fires
decides (as in a Mailman chain) and is returned, so the caller records it on
the message and the case. A tripped circuit breaker stays tripped until staff
run ``intake-bot breaker reset``. Notices that answer no inbound mail (staff
notices such as extensions and refusals, verification reminders and expiry
notices; ``journeys.queue_notice``) skip the per-sender and per-case limits but
not the own-address or circuit-breaker rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import func
from sqlmodel import Session, select

from .config import Settings
from .models import Marker, OutboxMessage
from .parse import ParsedMessage

AUTO_MARKERS = ("auto-replied", "auto-generated", "auto-notified")


@dataclass(frozen=True)
class ReplyContext:
    session: Session
    settings: Settings
    to_addr: str
    now: datetime
    kind: str
    staff_triggered: bool
    inbound: ParsedMessage | None
    case_id: int | None


@dataclass(frozen=True)
class Counts:
    """What the counting rules look at, read in one statement (see :func:`gate_counts`)."""

    breaker_tripped: bool = False
    replies_in_window: int = 0  # automatic replies to anyone in the breaker window (at most the limit)
    replies_to_sender: int = 0  # automatic replies to this address in 24 h
    acks_for_case: int = 0  # acknowledgements already queued for this case


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    check: Callable[[ReplyContext, Counts], bool]
    exempt_staff: bool = False
    counts: bool = False  # needs :func:`gate_counts` (a database read)


def _own_address(ctx: ReplyContext, _counts: Counts) -> bool:
    addr = ctx.to_addr.lower()
    return addr in ctx.settings.own_addresses or addr.rsplit("@", 1)[-1] in ctx.settings.own_domains


def _auto_reply_to_us(ctx: ReplyContext, _counts: Counts) -> bool:
    msg = ctx.inbound
    if msg is None:
        return False
    domain = ctx.settings.organisation.message_id_domain
    refs = list(msg.references) + ([msg.in_reply_to] if msg.in_reply_to else [])
    ours = any(r.lower().endswith("@" + domain) for r in refs)
    marker = (msg.header("Auto-Submitted") or "").strip().lower()
    return ours and any(m in marker for m in AUTO_MARKERS)


def _counting_acks(ctx: ReplyContext) -> bool:
    return ctx.kind == "acknowledgement" and ctx.case_id is not None


def gate_counts(ctx: ReplyContext) -> Counts:
    """The breaker marker and the three counts as scalar subqueries of one SELECT (one round trip).

    Each subquery is the statement the rule used to run on its own, so each keeps its index;
    the per-sender and per-case counts are left out for staff-triggered mail (those rules do not apply).
    """
    def count(*where):
        return select(func.count()).select_from(OutboxMessage).where(*where).scalar_subquery()

    window = timedelta(minutes=ctx.settings.security.circuit_breaker_window_minutes)
    # counted up to the limit only: the rule needs to know whether it is reached, and a busy
    # window (a backlog of thousands) would otherwise be counted row by row for every reply
    in_window = (select(OutboxMessage.id)
                 .where(OutboxMessage.staff_triggered.is_(False), OutboxMessage.created_at >= ctx.now - window)
                 .limit(ctx.settings.security.circuit_breaker_limit).subquery())
    cols = [
        select(func.count()).select_from(Marker).where(Marker.key == breaker_key(ctx.now)).scalar_subquery(),
        select(func.count()).select_from(in_window).scalar_subquery(),
    ]
    if not ctx.staff_triggered:
        cols.append(count(func.lower(OutboxMessage.to_addr) == ctx.to_addr.lower(),
                          OutboxMessage.staff_triggered.is_(False),
                          OutboxMessage.created_at >= ctx.now - timedelta(hours=24)))
        if _counting_acks(ctx):
            cols.append(count(OutboxMessage.case_id == ctx.case_id, OutboxMessage.kind == "acknowledgement"))
    row = ctx.session.exec(select(*cols)).one()
    values = list(row) + [0] * (4 - len(row))
    return Counts(breaker_tripped=values[0] > 0, replies_in_window=values[1], replies_to_sender=values[2],
                  acks_for_case=values[3])


def _per_sender_limit(ctx: ReplyContext, counts: Counts) -> bool:
    return counts.replies_to_sender >= ctx.settings.security.max_replies_per_sender_per_day


def _one_ack_per_case(ctx: ReplyContext, counts: Counts) -> bool:
    return _counting_acks(ctx) and counts.acks_for_case >= 1


def breaker_key(now: datetime) -> str:
    return "circuit-breaker"


def _circuit_breaker(ctx: ReplyContext, counts: Counts) -> bool:
    if counts.breaker_tripped:
        return True
    n = counts.replies_in_window
    if n >= ctx.settings.security.circuit_breaker_limit:
        ctx.session.add(Marker(key=breaker_key(ctx.now), created_at=ctx.now,
                               data={"replies_in_window": n}))
        return True
    return False


REPLY_RULES: tuple[Rule, ...] = (
    Rule("own-address", "never reply to our own addresses or domains", _own_address),
    Rule("auto-reply-to-us", "an auto-submitted mail that references one of our messages", _auto_reply_to_us),
    Rule("circuit-breaker", "too many auto-replies in the window: all auto-replies paused", _circuit_breaker,
         counts=True),
    Rule("per-sender-limit", "at most N auto-replies per address per 24 h", _per_sender_limit, exempt_staff=True,
         counts=True),
    Rule("one-ack-per-case", "one acknowledgement per case", _one_ack_per_case, exempt_staff=True, counts=True),
)


def blocked_by(ctx: ReplyContext) -> list[str]:
    """Names of the rules that stop this reply (empty: send it)."""
    hits = []
    counts: Counts | None = None
    for rule in REPLY_RULES:
        if ctx.staff_triggered and rule.exempt_staff:
            continue
        if rule.counts and counts is None:
            counts = gate_counts(ctx)  # once, and only if the pure rules let the reply through
        if rule.check(ctx, counts or Counts()):
            hits.append(rule.name)
            break  # first hit decides, like a Mailman chain
    return hits
