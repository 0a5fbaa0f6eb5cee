"""The mailbox edge: list, fetch and file away messages over IMAP (imap-tools) or in a maildir.

Both edges have the same interface (:class:`Mailbox`). Nothing here parses mail: a
message leaves as :class:`FetchedMessage` with its exact bytes. Messages are fetched
with BODY.PEEK (they stay unseen) and are moved or flagged only when the caller says
so, after its database commit. Errors come out as :class:`MailboxError` in plain
words; log lines name the mailbox, never an address or a password.
"""

from __future__ import annotations

import imaplib
import logging
import mailbox as std_mailbox
import os
import re
import select
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator, Protocol, Sequence

from imap_tools import MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.errors import ImapToolsError, MailboxLoginError, MailboxStarttlsError
from imap_tools.utils import encode_folder

from .config import MailboxConfig
from .errors import ConfigError, MailboxError

log = logging.getLogger(__name__)

PROCESSED_KEYWORD = "$IntakeProcessed"
QUARANTINE_KEYWORD = "$IntakeQuarantined"
_UID_CHUNK = 500
_POLL_SECONDS = 1.0
_EXISTS = re.compile(rb"^\* \d+ EXISTS")
_META_UID = re.compile(rb"UID (\d+)")
_META_DATE = re.compile(rb'INTERNALDATE "([^"]+)"')
_META_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


@dataclass(frozen=True)
class FetchedMessage:
    key: str  # IMAP UID as a decimal string; the maildir key
    uidvalidity: int  # 0 for maildir
    internaldate: datetime  # tz-aware: IMAP INTERNALDATE, or the maildir file's mtime (UTC)
    raw: bytes
    size: int


class Mailbox(Protocol):
    name: str

    def __enter__(self) -> "Mailbox": ...
    def __exit__(self, *exc) -> None: ...
    def uidvalidity(self) -> int: ...
    def pending_keys(self) -> list[str]: ...
    def fetch(self, keys: Sequence[str], *, batch_size: int) -> Iterator[FetchedMessage]: ...
    def mark_processed(self, keys: Sequence[str]) -> None: ...
    def quarantine(self, keys: Sequence[str]) -> None: ...
    def supports_idle(self) -> bool: ...
    def wait_for_change(self, timeout: float) -> bool: ...
    def message_count(self) -> int: ...
    def location(self) -> str: ...


def open_mailbox(cfg: MailboxConfig) -> Mailbox:
    """The edge for one configured mailbox; use it as a context manager to connect."""
    if cfg.type == "maildir":
        return MaildirMailbox(cfg)
    if cfg.type == "imap":
        return ImapMailbox(cfg)
    raise ConfigError(f"mailbox {cfg.name!r}: unknown type {cfg.type!r}")


def check_mailbox(cfg: MailboxConfig) -> str:
    """Connect, log in and open the folder; a short status line or a plain-words MailboxError."""
    with open_mailbox(cfg) as box:
        return f"ok: {box.message_count()} messages in {box.location()}"


# --- helpers --------------------------------------------------------------------------
def redact_user(user: str) -> str:
    """`info@example.no` -> `info@...`: enough to recognise the account, no domain."""
    return user.split("@", 1)[0] + "@..." if "@" in user else user


def parse_internaldate(text: str) -> datetime:
    """`17-Jul-1996 02:44:25 -0700` -> tz-aware datetime (month names are always English)."""
    months = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
    m = re.fullmatch(r"\s*(\d{1,2})-(\w{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)\s*", text)
    if not m or m.group(2).lower() not in months:
        raise MailboxError(f"unreadable INTERNALDATE {text!r}")
    d, mon, y, hh, mm, ss, sign, oh, om = m.groups()
    offset = (int(oh) * 60 + int(om)) * (1 if sign == "+" else -1)
    return datetime(int(y), months.index(mon.lower()) + 1, int(d), int(hh), int(mm), int(ss),
                    tzinfo=timezone(timedelta(minutes=offset)))


def parse_fetch_response(data: list) -> list[tuple[int, datetime | None, int | None, bytes]]:
    """imaplib UID FETCH (UID INTERNALDATE RFC822.SIZE BODY.PEEK[]) data -> (uid, date, size, raw).

    Items may come before or after the literal, so the text after it is read too.
    Unsolicited FETCH lines without a body (flag updates) are skipped.
    """
    records: list[list] = []
    for part in data:
        if isinstance(part, tuple):
            records.append([part[0], part[1], b""])
        elif isinstance(part, bytes) and records and not records[-1][2]:
            records[-1][2] = part
    out = []
    for head, raw, tail in records:
        meta = head + b" " + tail
        uid = _META_UID.search(head) or _META_UID.search(tail)
        if uid is None:
            continue
        date = _META_DATE.search(meta)
        size = _META_SIZE.search(meta)
        out.append((int(uid.group(1)), parse_internaldate(date.group(1).decode()) if date else None,
                    int(size.group(1)) if size else None, raw))
    return out


def _chunks(items: Sequence[str], n: int) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


def _ok(result: tuple, what: str) -> list:
    typ, data = result
    if typ != "OK":
        text = b" ".join(d for d in data if isinstance(d, bytes)).decode(errors="replace")
        raise MailboxError(f"{what}: server said {typ} {text}".strip())
    return data


def _describe(exc: BaseException, cfg: MailboxConfig) -> str:
    """Plain words for a connection-level failure. Never includes the password."""
    where = f"{cfg.host}:{cfg.port}"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS handshake failed with {where}: certificate not trusted ({exc.verify_message})"
    if isinstance(exc, ssl.SSLError):
        return f"TLS handshake failed with {where}: {exc.reason or exc}"
    if isinstance(exc, MailboxStarttlsError):
        return f"STARTTLS refused by {where}"
    if isinstance(exc, ConnectionRefusedError):
        return f"cannot connect to {where}: connection refused"
    if isinstance(exc, socket.gaierror):
        return f"cannot connect to {where}: host name not found"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return f"cannot connect to {where}: timed out after {cfg.timeout:g} s"
    if isinstance(exc, imaplib.IMAP4.abort):
        return f"connection to {where} dropped: {exc}"
    if isinstance(exc, OSError):
        return f"cannot connect to {where}: {exc.strerror or exc}"
    return f"{where}: {type(exc).__name__}: {exc}"


def _scrub(text: str, cfg: MailboxConfig) -> str:
    secret = cfg.password.get() if cfg.password else ""
    return text.replace(secret, "***") if secret else text


# --- IMAP -----------------------------------------------------------------------------
class ImapMailbox:
    """One IMAP folder over one connection (imap-tools + imaplib)."""

    def __init__(self, cfg: MailboxConfig):
        self.cfg = cfg
        self.name = cfg.name
        self.capabilities: frozenset[str] = frozenset()
        self._box = None
        self._uidvalidity = 0
        self._exists = 0
        self._folders: set[str] = set()

    # -- connection --
    def __enter__(self) -> "ImapMailbox":
        self.connect()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def connect(self) -> None:
        cfg = self.cfg
        try:
            box = self._open_connection()
        except (OSError, ImapToolsError, imaplib.IMAP4.error) as exc:
            raise MailboxError(f"mailbox {cfg.name}: {_scrub(_describe(exc, cfg), cfg)}") from None
        try:
            self._login(box)
            caps = box.client.capability()[1][-1].decode().upper().split()
            box.client.capabilities = tuple(caps)  # imap-tools uses real MOVE only if it sees it
            self.capabilities = frozenset(caps)
            self._box = box
            self._select()
        except BaseException:
            self._box = None
            _quiet_logout(box)
            raise

    def _open_connection(self):
        cfg = self.cfg
        if cfg.security == "tls":
            return MailBox(cfg.host, cfg.port, timeout=cfg.timeout, ssl_context=ssl.create_default_context())
        if cfg.security == "starttls":
            return MailBoxStartTls(cfg.host, cfg.port, timeout=cfg.timeout,
                                   ssl_context=ssl.create_default_context())
        if cfg.security == "none":
            return MailBoxUnencrypted(cfg.host, cfg.port, timeout=cfg.timeout)
        raise ConfigError(f"mailbox {cfg.name!r}: unknown security mode {cfg.security!r}")

    def _login(self, box) -> None:
        cfg = self.cfg
        user = cfg.username or cfg.address
        try:
            if cfg.oauth2_token_command:
                box.xoauth2(user, cfg.oauth2_token(), initial_folder=None)
            else:
                box.login(user, cfg.password.get() if cfg.password else "", initial_folder=None)
        except MailboxLoginError:
            raise MailboxError(
                f"mailbox {cfg.name}: login failed for user {redact_user(user)}: authentication failed"
            ) from None
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailboxError(f"mailbox {cfg.name}: login to {cfg.host}:{cfg.port} failed: "
                               f"{_scrub(_describe(exc, cfg), cfg)}") from None

    def _select(self) -> None:
        folder = self.cfg.folder
        with self._guard(f"open folder {folder}"):
            typ, data = self._client.select(encode_folder(folder))
            if typ != "OK":
                text = b" ".join(d for d in data if isinstance(d, bytes)).decode(errors="replace")
                if "NONEXISTENT" in text.upper() or "exist" in text.lower():
                    raise MailboxError(f"mailbox {self.name}: folder {folder} does not exist")
                raise MailboxError(f"mailbox {self.name}: cannot open folder {folder}: {text}")
            self._exists = int(data[0]) if data and data[0] else 0
            validity = self._client.untagged_responses.get("UIDVALIDITY", [b"0"])
            self._uidvalidity = int(validity[-1])

    def close(self) -> None:
        box, self._box = self._box, None
        if box is not None:
            _quiet_logout(box)

    def reconnect(self) -> None:
        self.close()
        self._folders.clear()
        self.connect()

    @property
    def _client(self) -> imaplib.IMAP4:
        if self._box is None:
            raise MailboxError(f"mailbox {self.name}: not connected")
        return self._box.client

    def _guard(self, what: str):
        return _Guard(self, what)

    # -- queries --
    def uidvalidity(self) -> int:
        return self._uidvalidity

    def message_count(self) -> int:
        return self._exists

    def location(self) -> str:
        return self.cfg.folder

    def pending_keys(self) -> list[str]:
        with self._guard("search"):
            # SEARCH only sees messages the server has announced; NOOP makes it announce new ones
            _ok(self._client.noop(), "NOOP")
            self._client.untagged_responses.clear()
            data = _ok(self._client.uid(
                "SEARCH", f"UNDELETED UNKEYWORD {PROCESSED_KEYWORD} UNKEYWORD {QUARANTINE_KEYWORD}"),
                "UID SEARCH")
        uids = sorted(int(u) for u in (data[0] or b"").split())
        return [str(u) for u in uids]

    def fetch(self, keys: Sequence[str], *, batch_size: int) -> Iterator[FetchedMessage]:
        """Fetch in batches of batch_size, in the order given; vanished messages are skipped."""
        for batch in _chunks([str(int(k)) for k in keys], max(1, batch_size)):
            with self._guard("fetch"):
                data = _ok(self._client.uid("FETCH", ",".join(batch),
                                            "(UID INTERNALDATE RFC822.SIZE BODY.PEEK[])"), "UID FETCH")
            found = {uid: (date, size, raw) for uid, date, size, raw in parse_fetch_response(data)}
            for key in batch:
                if int(key) not in found:
                    continue
                date, size, raw = found[int(key)]
                yield FetchedMessage(key=key, uidvalidity=self._uidvalidity,
                                     internaldate=date or datetime.now(timezone.utc),
                                     raw=raw, size=size if size is not None else len(raw))

    # -- filing --
    def mark_processed(self, keys: Sequence[str]) -> None:
        self._file_away(keys, self.cfg.processed_folder, PROCESSED_KEYWORD)

    def quarantine(self, keys: Sequence[str]) -> None:
        self._file_away(keys, self.cfg.quarantine_folder, QUARANTINE_KEYWORD)

    def _file_away(self, keys: Sequence[str], folder: str, keyword: str) -> None:
        keys = [str(int(k)) for k in keys]
        if not keys:
            return
        self._ensure_folder(folder)
        target = encode_folder(folder)
        c = self._client
        for batch in _chunks(keys, _UID_CHUNK):
            uidset = ",".join(batch)
            with self._guard(f"move to {folder}"):
                if "MOVE" in self.capabilities:
                    _ok(c.uid("MOVE", uidset, target), "UID MOVE")
                    continue
                _ok(c.uid("COPY", uidset, target), "UID COPY")
                if "UIDPLUS" in self.capabilities:
                    _ok(c.uid("STORE", uidset, "+FLAGS.SILENT", f"({keyword} \\Deleted)"), "UID STORE")
                    _ok(c.uid("EXPUNGE", uidset), "UID EXPUNGE")
                else:  # a plain EXPUNGE would also remove other clients' \Deleted mail
                    _ok(c.uid("STORE", uidset, "+FLAGS.SILENT", f"({keyword})"), "UID STORE")
        log.info("mailbox %s: filed %d message(s) in %s", self.name, len(keys), folder)

    def _ensure_folder(self, folder: str) -> None:
        if folder in self._folders:
            return
        with self._guard(f"create folder {folder}"):
            typ, data = self._client.create(encode_folder(folder))
            text = b" ".join(d for d in data if isinstance(d, bytes)).decode(errors="replace")
            if typ != "OK" and "ALREADYEXISTS" not in text.upper() and "exists" not in text.lower():
                raise MailboxError(f"mailbox {self.name}: cannot create folder {folder}: {text}")
            if typ == "OK":
                self._client.subscribe(encode_folder(folder))
        self._folders.add(folder)

    # -- waiting --
    def supports_idle(self) -> bool:
        return "IDLE" in self.capabilities

    def wait_for_change(self, timeout: float) -> bool:
        """IDLE until new mail (True) or timeout (False). If IDLE breaks: reconnect, return True."""
        deadline = time.monotonic() + max(0.0, timeout)
        try:
            if not self.supports_idle():
                return self._poll_for_change(deadline)
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                if self._idle_once(min(left, float(self.cfg.idle_renew_seconds))):
                    return True
        except (OSError, imaplib.IMAP4.error, ImapToolsError, MailboxError) as exc:
            log.warning("mailbox %s: waiting for mail broke (%s); reconnecting", self.name,
                        type(exc).__name__)
            self.reconnect()
            return True

    def _idle_once(self, seconds: float) -> bool:
        """One IDLE ... DONE round. Reads whole lines (blocking) once the socket is readable."""
        c = self._client
        tag = c._command("IDLE")
        c.untagged_responses.pop("EXISTS", None)
        while c._get_response() is not None:  # until the "+ idling" continuation
            if c.tagged_commands.get(tag):
                raise MailboxError(f"mailbox {self.name}: IDLE refused: {c.tagged_commands.pop(tag)}")
        # mail that arrived between the last DONE and this IDLE is announced before "+ idling"
        changed = bool(c.untagged_responses.get("EXISTS"))
        end = time.monotonic() + seconds
        while not changed:
            left = end - time.monotonic()
            if left <= 0:
                break
            pending = (isinstance(c.sock, ssl.SSLSocket) and c.sock.pending()) or _buffered(c)
            if not pending and not select.select([c.sock], [], [], left)[0]:
                break
            line = c._get_line()
            if line.startswith(b"* BYE"):
                raise imaplib.IMAP4.abort("server said BYE during IDLE")
            changed = bool(_EXISTS.match(line))
        c.send(b"DONE\r\n")
        while not c.tagged_commands.get(tag):
            resp = c._get_response()
            if resp is not None and _EXISTS.match(resp):
                changed = True
        _ok(c.tagged_commands.pop(tag), "IDLE")
        c.untagged_responses.clear()
        return changed

    def _poll_for_change(self, deadline: float) -> bool:
        before = set(self.pending_keys())
        while time.monotonic() < deadline:
            time.sleep(min(_POLL_SECONDS, max(0.0, deadline - time.monotonic())))
            with self._guard("noop"):
                _ok(self._client.noop(), "NOOP")
            if set(self.pending_keys()) - before:
                return True
        return False


def _buffered(c: imaplib.IMAP4) -> bool:
    """True if imaplib already read bytes select() cannot see (e.g. EXISTS in the '+ idling' packet)."""
    timeout = c.sock.gettimeout()
    try:
        c.sock.settimeout(0)  # peek returns what is buffered, or b"" instead of blocking
        return bool(c.file.peek(1))
    except (OSError, ValueError):  # nothing buffered (TLS raises want-read instead of b"")
        return False
    finally:
        c.sock.settimeout(timeout)


class _Guard:
    """Turns imaplib/socket/imap-tools failures inside a block into MailboxError."""

    def __init__(self, box: ImapMailbox, what: str):
        self.box, self.what = box, what

    def __enter__(self) -> None:
        return None

    def __exit__(self, typ, exc, tb) -> bool:
        if exc is None or isinstance(exc, MailboxError):
            return False
        if isinstance(exc, (OSError, imaplib.IMAP4.error, ImapToolsError)):
            reason = _scrub(_describe(exc, self.box.cfg), self.box.cfg)
            raise MailboxError(f"mailbox {self.box.name}: {self.what} failed: {reason}") from None
        return False


def _quiet_logout(box) -> None:
    try:
        box.logout()
    except Exception:  # noqa: BLE001 - logging out of a broken connection may fail any way
        try:
            box.client.shutdown()
        except Exception:  # noqa: BLE001
            pass


# --- maildir --------------------------------------------------------------------------
class MaildirMailbox:
    """A local Maildir++ folder: processed/quarantine are subfolders like `.Processed`."""

    def __init__(self, cfg: MailboxConfig):
        self.cfg = cfg
        self.name = cfg.name
        self.root = Path(cfg.path or "")
        self._md: std_mailbox.Maildir | None = None

    def __enter__(self) -> "MaildirMailbox":
        if not self.cfg.path or not (self.root / "cur").is_dir() or not (self.root / "new").is_dir():
            raise MailboxError(f"mailbox {self.name}: {self.root} is not a maildir (no cur/ and new/)")
        self._md = std_mailbox.Maildir(self.root, factory=None, create=False)
        return self

    def __exit__(self, *exc) -> None:
        self._md = None

    @property
    def md(self) -> std_mailbox.Maildir:
        if self._md is None:
            raise MailboxError(f"mailbox {self.name}: not opened")
        return self._md

    def uidvalidity(self) -> int:
        return 0

    def message_count(self) -> int:
        return len(self.md.keys())

    def location(self) -> str:
        return f"maildir {self.root.name}"

    def _path(self, key: str) -> Path:
        return self.root / self.md._lookup(key)  # stdlib-internal, stable since Python 2.6

    def _mtime(self, key: str) -> float:
        try:
            return self._path(key).stat().st_mtime
        except (KeyError, OSError):
            return 0.0

    def pending_keys(self) -> list[str]:
        try:
            keys = list(self.md.keys())
        except OSError as exc:
            raise MailboxError(f"mailbox {self.name}: cannot list {self.root}: {exc.strerror}") from None
        return sorted(keys, key=lambda k: (self._mtime(k), k))

    def fetch(self, keys: Sequence[str], *, batch_size: int) -> Iterator[FetchedMessage]:
        for key in keys:
            try:
                path = self._path(key)
                raw = path.read_bytes()
                mtime = path.stat().st_mtime
            except (KeyError, FileNotFoundError):
                continue
            except OSError as exc:
                raise MailboxError(f"mailbox {self.name}: cannot read a message: {exc.strerror}") from None
            yield FetchedMessage(key=key, uidvalidity=0, raw=raw, size=len(raw),
                                 internaldate=datetime.fromtimestamp(mtime, timezone.utc))

    def mark_processed(self, keys: Sequence[str]) -> None:
        self._file_away(keys, self.cfg.processed_folder)

    def quarantine(self, keys: Sequence[str]) -> None:
        self._file_away(keys, self.cfg.quarantine_folder)

    def _file_away(self, keys: Sequence[str], folder: str) -> None:
        if not keys:
            return
        try:
            target = (self.md.get_folder(folder) if folder in self.md.list_folders()
                      else self.md.add_folder(folder))
            for key in keys:
                try:
                    sub = self.md._lookup(key)
                except KeyError:
                    continue
                src = self.root / sub
                os.rename(src, Path(target._path) / sub)  # same name, same subdir, mtime kept
            self.md._refresh()
        except OSError as exc:
            raise MailboxError(f"mailbox {self.name}: cannot move to {folder}: {exc.strerror}") from None
        log.info("mailbox %s: filed %d message(s) in %s", self.name, len(keys), folder)

    def supports_idle(self) -> bool:
        return False

    def _listing(self) -> frozenset[str]:
        try:
            return frozenset(os.listdir(self.root / "new")) | frozenset(os.listdir(self.root / "cur"))
        except OSError as exc:
            raise MailboxError(f"mailbox {self.name}: cannot list {self.root}: {exc.strerror}") from None

    def wait_for_change(self, timeout: float) -> bool:
        """Poll new/ and cur/ until a file appears or timeout."""
        before = self._listing()
        deadline = time.monotonic() + max(0.0, timeout)
        while time.monotonic() < deadline:
            time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))
            if self._listing() - before:
                return True
        return False
