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
class Rule:
    name: str
    description: str
    check: Callable[[ReplyContext], bool]
    exempt_staff: bool = False


def _own_address(ctx: ReplyContext) -> bool:
    addr = ctx.to_addr.lower()
    return addr in ctx.settings.own_addresses or addr.rsplit("@", 1)[-1] in ctx.settings.own_domains


def _auto_reply_to_us(ctx: ReplyContext) -> bool:
    msg = ctx.inbound
    if msg is None:
        return False
    domain = ctx.settings.organisation.message_id_domain
    refs = list(msg.references) + ([msg.in_reply_to] if msg.in_reply_to else [])
    ours = any(r.lower().endswith("@" + domain) for r in refs)
    marker = (msg.header("Auto-Submitted") or "").strip().lower()
    return ours and any(m in marker for m in AUTO_MARKERS)


def _per_sender_limit(ctx: ReplyContext) -> bool:
    since = ctx.now - timedelta(hours=24)
    n = ctx.session.exec(
        select(func.count()).select_from(OutboxMessage).where(
            func.lower(OutboxMessage.to_addr) == ctx.to_addr.lower(),
            OutboxMessage.staff_triggered.is_(False),
            OutboxMessage.created_at >= since,
        )
    ).one()
    return n >= ctx.settings.security.max_replies_per_sender_per_day


def _one_ack_per_case(ctx: ReplyContext) -> bool:
    if ctx.kind != "acknowledgement" or ctx.case_id is None:
        return False
    n = ctx.session.exec(
        select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.case_id == ctx.case_id, OutboxMessage.kind == "acknowledgement")
    ).one()
    return n >= 1


def breaker_key(now: datetime) -> str:
    return "circuit-breaker"


def _circuit_breaker(ctx: ReplyContext) -> bool:
    if ctx.session.get(Marker, breaker_key(ctx.now)) is not None:
        return True
    window = timedelta(minutes=ctx.settings.security.circuit_breaker_window_minutes)
    n = ctx.session.exec(
        select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.staff_triggered.is_(False),
            OutboxMessage.created_at >= ctx.now - window,
        )
    ).one()
    if n >= ctx.settings.security.circuit_breaker_limit:
        ctx.session.add(Marker(key=breaker_key(ctx.now), created_at=ctx.now,
                               data={"replies_in_window": n}))
        return True
    return False


REPLY_RULES: tuple[Rule, ...] = (
    Rule("own-address", "never reply to our own addresses or domains", _own_address),
    Rule("auto-reply-to-us", "an auto-submitted mail that references one of our messages", _auto_reply_to_us),
    Rule("circuit-breaker", "too many auto-replies in the window: all auto-replies paused", _circuit_breaker),
    Rule("per-sender-limit", "at most N auto-replies per address per 24 h", _per_sender_limit, exempt_staff=True),
    Rule("one-ack-per-case", "one acknowledgement per case", _one_ack_per_case, exempt_staff=True),
)


def blocked_by(ctx: ReplyContext) -> list[str]:
    """Names of the rules that stop this reply (empty: send it)."""
    hits = []
    for rule in REPLY_RULES:
        if ctx.staff_triggered and rule.exempt_staff:
            continue
        if rule.check(ctx):
            hits.append(rule.name)
            break  # first hit decides, like a Mailman chain
    return hits
