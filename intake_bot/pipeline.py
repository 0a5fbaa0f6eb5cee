"""One message: parse -> classify -> route -> case/replies, in one transaction.

Routing is a table of small named handlers (:data:`ROUTES`), tried in order;
the first that accepts the message decides. Every decision is recorded on the
inbound row (``disposition`` and ``rules``) and, where there is a case, as a
case event, so staff can see why the bot did what it did.
"""

from __future__ import annotations

import hashlib
import logging
import re
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Callable

from sqlalchemy import and_, or_
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, select

from . import auth, journeys, verification
from .authorities import is_authority_address
from .classify import Classification, Classifier
from .config import MailboxConfig, Settings
from .errors import ParseError, StorageError
from .models import Case, InboundMessage, OutboxMessage
from .parse import ParsedMessage, message_id_of, parse_message

log = logging.getLogger(__name__)
REF_TAG = re.compile(r"\[(DSR-\d{4}-\d{6,})\]", re.IGNORECASE)


@dataclass
class Outcome:
    disposition: str
    reason: str | None = None
    case_ref: str | None = None
    queued: list[str] = field(default_factory=list)
    quarantined: bool = False
    already_stored: bool = False


@dataclass
class Ctx:
    """What a routing handler sees."""

    session: Session
    settings: Settings
    mailbox: MailboxConfig
    row: InboundMessage
    msg: ParsedMessage
    cls: Classification
    now: datetime
    env: object
    outcome: Outcome
    mint: Callable[[], tuple[str, str, str]] = verification.mint  # a verification code + its hash


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class Prepared:
    """What can be worked out for a fetched message before its own transaction.

    ``stored``: True/False from the batch's one "already stored?" read, None when
    that read could not decide (the message then checks for itself, as before).
    ``parsed`` is the ParsedMessage or the exception parsing raised (re-raised
    inside the message's transaction, so it is quarantined exactly as before);
    ``cls`` its classification, None when it must be classified on its own.
    """

    raw: bytes
    digest: str
    stored: bool | None
    disposition: str | None = None
    parsed: object = None
    cls: Classification | None = None
    minted: Future | None = None  # a verification code hashed ahead, for a likely new request


def stored_keys(rows, uidvalidity: int, keys: list[str], digests: list[str],
                copies: list[tuple[str | None, datetime | None]] | None = None) -> list[str | None]:
    """Disposition of the stored copy of each message, or None (pure): by UID first, then by
    content, then -- a migrated copy whose headers were rewritten -- by Message-ID plus
    INTERNALDATE among rows from another UIDVALIDITY (``copies``: (Message-ID, INTERNALDATE))."""
    by_uid: dict[str, str] = {}
    by_hash: dict[str, str] = {}
    by_copy: dict[tuple, str] = {}
    for _id, row_validity, uid, digest, disposition, message_id, received in sorted(rows, key=lambda r: r[0]):
        if row_validity == uidvalidity:
            by_uid.setdefault(uid, disposition)
        elif message_id:
            by_copy.setdefault((message_id, received), disposition)
        by_hash.setdefault(digest, disposition)
    copies = copies or [(None, None)] * len(keys)
    return [by_uid.get(k, by_hash.get(d, by_copy.get(c) if c[0] else None))
            for k, d, c in zip(keys, digests, copies)]


class Pipeline:
    def __init__(self, settings: Settings, engine, classifier: Classifier, env,
                 *, now: Callable[[], datetime]):
        self.settings = settings
        self.engine = engine
        self.classifier = classifier
        self.env = env
        self.now = now
        self._prepared: dict[tuple[str, int, str], Prepared] = {}

    # -- a fetch batch ------------------------------------------------------------
    def prepare(self, mailbox: MailboxConfig, batch) -> None:
        """Work out, for a whole fetch batch, what needs no transaction of its own.

        One read answers "already stored?" for the batch (instead of two SELECTs a
        message); the new messages are parsed and classified together (spaCy
        ``nlp.pipe``). :meth:`process` then uses this and still commits once per
        message. Anything that fails here is simply redone by :meth:`process`.
        """
        batch = list(batch)
        digests = [content_hash(f.raw) for f in batch]
        seen: list[str | None] | None = None
        try:
            seen = self._stored_in_batch(mailbox, batch, digests)
        except Exception as exc:  # the DB is down, say: each message finds out for itself
            log.debug("pipeline: batch lookup failed (%s); checking message by message", type(exc).__name__)
        repeated = {d for d in digests if digests.count(d) > 1}  # a later copy must see the first one stored
        prepared: list[Prepared] = []
        for f, digest, disposition in zip(batch, digests, seen or [None] * len(batch)):
            if disposition is not None:
                prepared.append(Prepared(f.raw, digest, True, disposition))
                continue
            stored = None if (seen is None or digest in repeated) else False
            try:
                parsed: object = self._parse(f.raw)
            except Exception as exc:  # re-raised in process(), inside the message's own handling
                parsed = exc
            prepared.append(Prepared(f.raw, digest, stored, parsed=parsed))
        todo = [i for i, p in enumerate(prepared) if isinstance(p.parsed, ParsedMessage)]
        try:
            found = self.classifier.classify_many([prepared[i].parsed for i in todo])
        except Exception:  # one odd message: classify one by one in process(), where it is quarantined
            found = [None] * len(todo)
        required = set(self.settings.verification.required_for)
        for i, cls in zip(todo, found):
            # scrypt (~3 ms) releases the GIL: hash a code on the worker thread while earlier
            # messages are processed, for each message that will likely need one (unused ones are dropped)
            likely = cls is not None and not cls.automated and required & set(cls.request_types)
            prepared[i] = replace(prepared[i], cls=cls, minted=_minter().submit(verification.mint) if likely else None)
        # the previous batch of this mailbox is done (or abandoned): keep one batch per mailbox at most
        self._prepared = {k: v for k, v in self._prepared.items() if k[0] != mailbox.name}
        self._prepared.update({(mailbox.name, f.uidvalidity, f.key): p for f, p in zip(batch, prepared)})

    def _stored_in_batch(self, mailbox, batch, digests) -> list[str | None] | None:
        if not batch:
            return []
        validity = batch[0].uidvalidity
        if any(f.uidvalidity != validity for f in batch):
            return None  # never within one IMAP session; let each message check for itself
        keys = [f.key for f in batch]
        copies = [(message_id_of(f.raw), f.internaldate) for f in batch]
        cols = (InboundMessage.id, InboundMessage.uidvalidity, InboundMessage.uid, InboundMessage.content_hash,
                InboundMessage.disposition, InboundMessage.message_id, InboundMessage.received_at)
        with Session(self.engine) as session:
            rows = session.exec(select(*cols).where(
                InboundMessage.mailbox == mailbox.name,
                or_(and_(InboundMessage.uidvalidity == validity, InboundMessage.uid.in_(keys)),
                    InboundMessage.content_hash.in_(digests),
                    and_(InboundMessage.uidvalidity != validity,
                         InboundMessage.message_id.in_([m for m, _ in copies if m] or [""]))))).all()
        return stored_keys(rows, validity, keys, digests, copies)

    def _take_prepared(self, mailbox, fetched) -> Prepared | None:
        p = self._prepared.pop((mailbox.name, fetched.uidvalidity, fetched.key), None)
        return p if p is not None and p.raw is fetched.raw else None

    # -- entry point ------------------------------------------------------------
    def process(self, mailbox: MailboxConfig, fetched) -> Outcome:
        """Store and act on one fetched message; commits once. Transient DB errors raise."""
        prep = self._take_prepared(mailbox, fetched)
        digest = prep.digest if prep is not None else content_hash(fetched.raw)
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                if prep is not None and prep.stored:
                    return Outcome(prep.disposition, "already stored", already_stored=True,
                                   quarantined=prep.disposition == "quarantined")
                if prep is None or prep.stored is None:
                    seen = self._already_stored(session, mailbox, fetched, digest)
                    if seen is not None:
                        return Outcome(seen.disposition, "already stored", already_stored=True,
                                       quarantined=seen.disposition == "quarantined")
                try:
                    outcome = self._process(session, mailbox, fetched, digest, prep)
                except ParseError as exc:
                    session.rollback()
                    return self._quarantine(mailbox, fetched, digest, str(exc))
                session.commit()
                return outcome
        except IntegrityError as exc:
            # another worker stored the same message a moment ago (unique mailbox/UIDVALIDITY/UID)?
            with Session(self.engine) as session:
                if self._already_stored(session, mailbox, fetched, digest) is not None:
                    return Outcome("already stored", "stored concurrently by another worker", already_stored=True)
            # some other race (e.g. two workers queueing the same notice): retry on a later cycle
            raise StorageError(f"conflicting concurrent write, will retry: {exc.orig}") from None
        except DBAPIError as exc:
            if exc.connection_invalidated or _transient(exc):
                raise StorageError(f"database unavailable: {exc.orig}") from None
            return self._quarantine(mailbox, fetched, digest, f"database rejected the message: {exc.orig}")
        except StorageError:
            raise
        except Exception as exc:  # one bad message must never stop the loop
            log.exception("pipeline: message %s in %s failed", fetched.key, mailbox.name)
            return self._quarantine(mailbox, fetched, digest, f"internal error: {type(exc).__name__}: {exc}")

    def _already_stored(self, session, mailbox, fetched, digest) -> InboundMessage | None:
        row = session.exec(select(InboundMessage).where(
            InboundMessage.mailbox == mailbox.name, InboundMessage.uidvalidity == fetched.uidvalidity,
            InboundMessage.uid == fetched.key)).first()
        if row is not None:
            return row
        # after a UIDVALIDITY change the same bytes come back under new UIDs
        row = session.exec(select(InboundMessage).where(
            InboundMessage.mailbox == mailbox.name, InboundMessage.content_hash == digest)).first()
        if row is not None:
            return row
        # ... or, after a server migration that rewrote headers, the same Message-ID and
        # INTERNALDATE (migration tools keep it) in other bytes under another UIDVALIDITY
        mid = message_id_of(fetched.raw)
        if not mid:
            return None
        return session.exec(select(InboundMessage).where(
            InboundMessage.mailbox == mailbox.name, InboundMessage.message_id == mid,
            InboundMessage.uidvalidity != fetched.uidvalidity,
            InboundMessage.received_at == fetched.internaldate)).first()

    def _quarantine(self, mailbox, fetched, digest, reason: str) -> Outcome:
        with Session(self.engine) as session:
            row = InboundMessage(
                mailbox=mailbox.name, uidvalidity=fetched.uidvalidity, uid=fetched.key,
                content_hash=digest, raw=fetched.raw, size=len(fetched.raw),
                received_at=fetched.internaldate, disposition="quarantined",
                quarantine_reason=reason[:2000], created_at=self.now(),
            )
            session.add(row)
            session.commit()
        log.warning("pipeline: quarantined message %s in %s: %s", fetched.key, mailbox.name,
                    reason.split(":")[0])
        return Outcome("quarantined", reason, quarantined=True)

    # -- the work -----------------------------------------------------------------
    def _parse(self, raw: bytes) -> ParsedMessage:
        msg = parse_message(raw, max_size=self.settings.pipeline.max_message_bytes)
        if not msg.from_addr:
            raise ParseError("no usable sender address")
        if len(msg.from_addr) > MAX_ADDRESS:
            raise ParseError(f"sender address is longer than {MAX_ADDRESS} characters")
        return msg

    def _process(self, session: Session, mailbox: MailboxConfig, fetched, digest: str,
                 prep: Prepared | None = None) -> Outcome:
        now = self.now()
        if prep is not None and isinstance(prep.parsed, BaseException):
            raise prep.parsed
        msg = prep.parsed if prep is not None else self._parse(fetched.raw)
        cls = prep.cls if prep is not None and prep.cls is not None else self.classifier.classify(msg)
        row = InboundMessage(
            mailbox=mailbox.name, uidvalidity=fetched.uidvalidity, uid=fetched.key,
            message_id=_clip(msg.message_id, MAX_HEADER_ID), content_hash=digest, raw=fetched.raw,
            size=len(fetched.raw),
            received_at=fetched.internaldate, date_header=msg.date, from_addr=msg.from_addr,
            from_name=msg.from_name[:200], reply_to=list(msg.reply_to), to_addrs=list(msg.to + msg.cc),
            subject=msg.subject[:2000], in_reply_to=_clip(msg.in_reply_to, MAX_HEADER_ID),
            references=[r[:MAX_HEADER_ID] for r in msg.references][-200:],
            new_text=msg.new_text[:20000],
            attachments=[{"filename": a.filename, "content_type": a.content_type, "size": a.size}
                         for a in msg.attachments],
            defects=list(msg.defects)[:50], language=cls.language, request_types=list(cls.request_types),
            scores={k: round(v, 4) for k, v in cls.scores.items()}, automated=cls.automated,
            automated_reason=cls.automated_reason, needs_review=cls.needs_review,
            model_version=cls.model_version, rules=list(cls.rules), created_at=now,
            flags=_message_flags(msg, cls),
        )
        verdict = auth.evaluate(msg, trusted_authserv_id=self.settings.security.trusted_authserv_id,
                                require_authentication=self.settings.security.require_authentication)
        row.flags = {**row.flags, "authentication": verdict.to_dict()}
        if verdict.spoofing:
            row.rules = list(row.rules) + [f"authentication: {verdict.reason}"]
        session.add(row)
        session.flush()
        outcome = Outcome("pending")
        ctx = Ctx(session, self.settings, mailbox, row, msg, cls, now, self.env, outcome,
                  mint=_one_shot(prep.minted) if prep is not None and prep.minted is not None else verification.mint)
        for name, handler in ROUTES:
            if handler(ctx):
                row.rules = list(row.rules) + [f"route: {name}"]
                break
        row.disposition = outcome.disposition
        return outcome


_MINTER: ThreadPoolExecutor | None = None


def _minter() -> ThreadPoolExecutor:
    """One worker thread per process for verification-code hashing (see :meth:`Pipeline.prepare`)."""
    global _MINTER
    if _MINTER is None:
        _MINTER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="intake-mint")
    return _MINTER


def _one_shot(future: Future) -> Callable[[], tuple[str, str, str]]:
    """The pre-hashed code once; any further call (or a failed future) mints a fresh one inline."""
    taken = []

    def mint() -> tuple[str, str, str]:
        if not taken:
            taken.append(True)
            try:
                return future.result()
            except Exception:
                pass
        return verification.mint()
    return mint


# column widths (models.py): longer values must not make PostgreSQL reject a whole message
MAX_HEADER_ID = 998  # RFC 5322 line limit, the width of message_id / in_reply_to
MAX_ADDRESS = 320


def _clip(value: str | None, n: int) -> str | None:
    return value[:n] if value else value


def _transient(exc: DBAPIError) -> bool:
    text = str(exc.orig).lower()
    return any(s in text for s in ("database is locked", "could not connect", "connection refused",
                                   "server closed", "terminating connection", "timeout"))


def _message_flags(msg: ParsedMessage, cls: Classification) -> dict:
    flags = {}
    if cls.national_id_kinds:
        flags["national_ids"] = list(cls.national_id_kinds)
    if cls.special_categories:
        flags["special_categories"] = list(cls.special_categories)
    if msg.reply_to and any(r.lower() != (msg.from_addr or "").lower() for r in msg.reply_to):
        flags["reply_to_differs"] = True
    if cls.needs_triage:
        flags["contact_form"] = True
    return flags


# --------------------------------------------------------------------------- routes
def route_duplicate(ctx: Ctx) -> bool:
    """The same email reached another of our mailboxes: one case, not two."""
    if not ctx.row.message_id:
        return False
    first = ctx.session.exec(select(InboundMessage).where(
        InboundMessage.message_id == ctx.row.message_id, InboundMessage.id != ctx.row.id,
        InboundMessage.disposition != "quarantined").order_by(InboundMessage.id)).first()
    if first is None:
        return False
    ctx.row.duplicate_of_id = first.id
    ctx.row.case_id = first.case_id
    ctx.outcome.disposition = "duplicate"
    ctx.outcome.reason = f"same Message-ID as message {first.id} (mailbox {first.mailbox})"
    return True


def route_own_mail(ctx: Ctx) -> bool:
    addr = (ctx.msg.from_addr or "").lower()
    if addr in ctx.settings.own_addresses or addr.rsplit("@", 1)[-1] in ctx.settings.own_domains:
        ctx.outcome.disposition = "own_mail"
        ctx.outcome.reason = "sent from one of our own addresses"
        return True
    return False


def route_bounce(ctx: Ctx) -> bool:
    """A DSN/MDN naming one of our Message-IDs: record it on the case, never answer."""
    if not ctx.cls.automated or not ctx.msg.report_message_ids:
        return False
    ids = [m.strip("<>") for m in ctx.msg.report_message_ids]
    ours = ctx.session.exec(select(OutboxMessage).where(OutboxMessage.message_id.in_(ids))).first()
    if ours is None:
        return False
    ctx.outcome.disposition = "bounce"
    ctx.outcome.reason = f"{ctx.cls.automated_kind or 'report'} about our message {ours.id}"
    ctx.row.case_id = ours.case_id
    if ours.case_id:
        case = ctx.session.get(Case, ours.case_id)
        journeys.record_bounce(ctx, case, ours)
        ctx.outcome.case_ref = case.reference
    return True


def route_authority(ctx: Ctx) -> bool:
    if not is_authority_address(ctx.msg.from_addr or ""):
        return False
    ctx.outcome.disposition = "authority"
    ctx.outcome.reason = "mail from a supervisory authority: staff alerted, no auto-reply"
    journeys.alert_staff(ctx, "authority", "Mail from a supervisory authority needs attention")
    return True


_UNSUB_SUBJECT = re.compile(r"^\s*(?:unsubscribe|remove|avmeld|avregistrer|afmeld|abmelden|peruuta)\b", re.I)


def route_list_unsubscribe(ctx: Ctx) -> bool:
    """RFC 2369: a mail to our List-Unsubscribe mailto address is an unsubscribe, whatever it says."""
    target = (ctx.settings.pipeline.list_unsubscribe_address or "").lower()
    if not target or target not in [a.lower() for a in ctx.msg.to + ctx.msg.cc]:
        return False
    if not (_UNSUB_SUBJECT.match(ctx.msg.subject or "") or not ctx.msg.new_text.strip()):
        return False
    from dataclasses import replace

    ctx.cls = replace(ctx.cls, request_types=("unsubscribe",))
    ctx.row.request_types = ["unsubscribe"]
    ctx.row.rules = list(ctx.row.rules) + ["list-unsubscribe: mail to the List-Unsubscribe address"]
    journeys.new_request(ctx)
    return True


def route_follow_up(ctx: Ctx) -> bool:
    case = find_thread_case(ctx.session, ctx.msg)
    if case is None:
        return False
    journeys.follow_up(ctx, case)
    return True


def route_automated(ctx: Ctx) -> bool:
    if not ctx.cls.automated:
        return False
    ctx.outcome.disposition = "automated"
    ctx.outcome.reason = ctx.cls.automated_reason
    return True


def route_request(ctx: Ctx) -> bool:
    if not ctx.cls.request_types:
        return False
    journeys.new_request(ctx)
    return True


def route_not_request(ctx: Ctx) -> bool:
    ctx.outcome.disposition = "not_request"
    ctx.outcome.reason = "no data-protection request found: left for staff triage"
    if ctx.settings.pipeline.reply_to_non_requests and ctx.msg.from_addr:
        ctx.session.flush()  # the row id keys the reply, so a re-run cannot queue it twice
        journeys.reply_not_request(ctx)
    return True


ROUTES: tuple[tuple[str, Callable[[Ctx], bool]], ...] = (
    ("duplicate", route_duplicate),
    ("own-mail", route_own_mail),
    ("bounce", route_bounce),
    ("authority", route_authority),
    ("list-unsubscribe", route_list_unsubscribe),
    ("follow-up", route_follow_up),
    ("automated", route_automated),
    ("request", route_request),
    ("not-request", route_not_request),
)


def find_thread_case(session: Session, msg: ParsedMessage) -> Case | None:
    """The case a reply belongs to: by [DSR-…] tag, or by In-Reply-To/References to our mail."""
    m = REF_TAG.search(msg.subject or "")
    if m:
        case = session.exec(select(Case).where(Case.reference == m.group(1).upper())).first()
        if case is not None:
            return case
    ids = [i for i in [msg.in_reply_to, *msg.references] if i]
    if not ids:
        return None
    row = session.exec(select(OutboxMessage).where(OutboxMessage.message_id.in_(ids),
                                                  OutboxMessage.case_id.is_not(None))).first()
    if row is not None:
        return session.get(Case, row.case_id)
    inbound = session.exec(select(InboundMessage).where(InboundMessage.message_id.in_(ids),
                                                       InboundMessage.case_id.is_not(None))).first()
    return session.get(Case, inbound.case_id) if inbound else None
