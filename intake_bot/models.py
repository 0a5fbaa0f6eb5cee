"""Tables (SQLModel). Every timestamp is stored as UTC and read back tz-aware.

Status and event vocabularies are plain strings; cases.py owns the lifecycle.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Optional

from sqlalchemy import JSON, Column, Index, LargeBinary, String, Text, UniqueConstraint, func
from sqlalchemy.types import DateTime, TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _ts(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _json(default: Any) -> Any:
    return Field(default_factory=lambda: type(default)(default), sa_column=Column(JSON, nullable=False))


class InboundMessage(SQLModel, table=True):
    __tablename__ = "inbound_message"
    __table_args__ = (UniqueConstraint("mailbox", "uidvalidity", "uid", name="uq_inbound_mailbox_uid"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    mailbox: str = Field(sa_column=Column(String(100), nullable=False, index=True))
    uidvalidity: int = 0
    uid: str = Field(sa_column=Column(String(255), nullable=False))
    message_id: Optional[str] = Field(default=None, sa_column=Column(String(998), index=True))
    content_hash: str = Field(sa_column=Column(String(64), nullable=False, index=True))
    raw: Optional[bytes] = Field(default=None, sa_column=Column(LargeBinary))
    size: int = 0
    received_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    date_header: Optional[datetime] = _ts()
    from_addr: Optional[str] = Field(default=None, sa_column=Column(String(320), index=True))
    from_name: str = ""
    reply_to: list = _json([])
    to_addrs: list = _json([])
    subject: str = Field(default="", sa_column=Column(Text, nullable=False))
    in_reply_to: Optional[str] = Field(default=None, sa_column=Column(String(998)))
    references: list = _json([])
    new_text: Optional[str] = Field(default=None, sa_column=Column(Text))
    attachments: list = _json([])
    defects: list = _json([])
    language: Optional[str] = None
    request_types: list = _json([])
    scores: dict = _json({})
    automated: bool = False
    automated_reason: Optional[str] = None
    needs_review: bool = False
    model_version: Optional[str] = None
    disposition: str = Field(default="pending", sa_column=Column(String(40), nullable=False, index=True))
    rules: list = _json([])
    flags: dict = _json({})
    quarantine_reason: Optional[str] = Field(default=None, sa_column=Column(Text))
    case_id: Optional[int] = Field(default=None, foreign_key="dsr_case.id", index=True)
    duplicate_of_id: Optional[int] = Field(default=None, foreign_key="inbound_message.id")
    triaged: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    purged_at: Optional[datetime] = _ts()


class Case(SQLModel, table=True):
    __tablename__ = "dsr_case"

    id: Optional[int] = Field(default=None, primary_key=True)
    reference: Optional[str] = Field(default=None, sa_column=Column(String(40), unique=True, index=True))
    requester: str = Field(sa_column=Column(String(320), nullable=False, index=True))
    requester_name: str = ""
    language: str = "en"
    request_types: list = _json([])
    status: str = Field(default="received", sa_column=Column(String(40), nullable=False, index=True))
    channel: str = "email"  # email | post | phone | forwarded
    mailbox: Optional[str] = None
    country: Optional[str] = None
    received_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    due_date: Optional[date] = Field(default=None, index=True)
    original_due_date: Optional[date] = None
    internal_target: Optional[date] = None
    extended: bool = False
    extension_reason: Optional[str] = Field(default=None, sa_column=Column(Text))
    outcome_note: Optional[str] = Field(default=None, sa_column=Column(Text))
    assignee: Optional[str] = None
    needs_review: bool = False
    flags: dict = _json({})
    thread_ids: list = _json([])
    # identity verification
    verification_required: bool = False
    code_hash: Optional[str] = None
    code_salt: Optional[str] = None
    code_expires_at: Optional[datetime] = _ts()
    verification_attempts: int = 0
    verification_requested_at: Optional[datetime] = _ts()
    verification_reminded_at: Optional[datetime] = _ts()
    verified_at: Optional[datetime] = _ts()
    verification_locked: bool = False
    related_case_id: Optional[int] = Field(default=None, foreign_key="dsr_case.id")
    duplicate_of_case_id: Optional[int] = Field(default=None, foreign_key="dsr_case.id")
    acknowledged_at: Optional[datetime] = _ts()
    closed_at: Optional[datetime] = _ts()
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class CaseEvent(SQLModel, table=True):
    __tablename__ = "case_event"

    id: Optional[int] = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="dsr_case.id", index=True)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    actor: str = "bot"
    kind: str = Field(sa_column=Column(String(60), nullable=False))
    from_status: Optional[str] = None
    to_status: Optional[str] = None
    reason: Optional[str] = Field(default=None, sa_column=Column(Text))
    data: dict = _json({})
    message_id: Optional[int] = Field(default=None, foreign_key="inbound_message.id")


class CasePause(SQLModel, table=True):
    __tablename__ = "case_pause"

    id: Optional[int] = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="dsr_case.id", index=True)
    kind: str = "verification"  # verification | clarification
    started_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    ended_at: Optional[datetime] = _ts()


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox"

    id: Optional[int] = Field(default=None, primary_key=True)
    case_id: Optional[int] = Field(default=None, foreign_key="dsr_case.id", index=True)
    inbound_id: Optional[int] = Field(default=None, foreign_key="inbound_message.id")
    kind: str = Field(sa_column=Column(String(40), nullable=False))
    dedupe_key: Optional[str] = Field(default=None, sa_column=Column(String(200), unique=True))
    staff_triggered: bool = False
    from_addr: str = Field(sa_column=Column(String(320), nullable=False))
    to_addr: str = Field(sa_column=Column(String(320), nullable=False, index=True))
    message_id: str = Field(sa_column=Column(String(998), nullable=False, unique=True))
    subject: str = Field(default="", sa_column=Column(Text, nullable=False))
    raw: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    status: str = Field(default="queued", sa_column=Column(String(20), nullable=False, index=True))
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True))
    claimed_by: Optional[str] = None
    claimed_at: Optional[datetime] = _ts()
    last_error: Optional[str] = Field(default=None, sa_column=Column(Text))
    smtp_reply: Optional[str] = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False, index=True))
    sent_at: Optional[datetime] = _ts()


class MailboxState(SQLModel, table=True):
    __tablename__ = "mailbox_state"

    name: str = Field(primary_key=True)
    uidvalidity: Optional[int] = None
    last_poll_at: Optional[datetime] = _ts()
    last_success_at: Optional[datetime] = _ts()
    last_error: Optional[str] = Field(default=None, sa_column=Column(Text))
    last_error_at: Optional[datetime] = _ts()
    consecutive_failures: int = 0
    lease_owner: Optional[str] = None
    lease_expires_at: Optional[datetime] = _ts()


class KnownRequesterRow(SQLModel, table=True):
    """The known-requesters directory as a table (filled by a CRM sync or `known-requesters import`)."""

    __tablename__ = "known_requester"

    address: str = Field(primary_key=True)  # lower-cased
    customer_number: str = ""
    case_numbers: str = ""  # space-separated
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))


class Suppression(SQLModel, table=True):
    __tablename__ = "suppression"

    address: str = Field(primary_key=True)
    reason: str = "unsubscribe"
    source_message_id: Optional[int] = Field(default=None, foreign_key="inbound_message.id")
    case_id: Optional[int] = Field(default=None, foreign_key="dsr_case.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    hook_status: Optional[str] = None


class Marker(SQLModel, table=True):
    """Once-only markers: digests sent per period, alerts sent, circuit-breaker trips."""

    __tablename__ = "marker"

    key: str = Field(primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False))
    data: dict = _json({})


# the per-sender reply limit compares addresses case-insensitively, once per message
Index("ix_outbox_lower_to_addr", func.lower(OutboxMessage.__table__.c.to_addr))
