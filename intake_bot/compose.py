"""Turn a RenderedMail into the bytes of a MIME message (pure).

multipart/alternative with a text/plain and a text/html part, both UTF-8.
Replies thread under the requester's message (In-Reply-To, References) and
carry the headers that keep auto-responders from answering us (RFC 3834
Auto-Submitted, Microsoft's X-Auto-Response-Suppress). The requester's address
is only ever the To; no Reply-To pointing at them is written.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timezone
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import Mapping, Sequence

from .errors import UserError
from .replies import RenderedMail

# Headers compose() owns; extra_headers may not override them.
_OWN_HEADERS = frozenset(h.lower() for h in (
    "From", "To", "Cc", "Bcc", "Subject", "Date", "Message-ID", "In-Reply-To", "References",
    "Auto-Submitted", "X-Auto-Response-Suppress", "MIME-Version", "Content-Type",
    "Content-Transfer-Encoding", "Reply-To",
))


def make_message_id(domain: str, *, token: str | None = None) -> str:
    """``<local@domain>``: random, or derived from ``token`` so a resend reuses the same ID."""
    domain = domain.strip().strip("<>@ ")
    if not domain or any(c in domain for c in "<>@ \r\n"):
        raise UserError("message-id domain must be a plain domain name")
    if token is None:
        local = secrets.token_hex(16)
    else:
        # short enough that "Message-ID: <...>" stays on one 78-column line for usual domains
        safe = "".join(c for c in token if c.isalnum() or c in "_-")[:12]
        digest = hashlib.sha256(token.encode("utf-8")).hexdigest()
        local = f"{safe}.{digest[:24]}" if safe else digest[:32]
    return f"<{local}@{domain}>"


def _bracket(mid: str) -> str:
    mid = mid.strip()
    return mid if mid.startswith("<") else f"<{mid}>"


def _address(addr: str, name: str = "") -> Address:
    addr = addr.strip()
    if "\n" in addr or "\r" in addr or addr.count("@") != 1:
        raise UserError("not a single email address")
    local, _, domain = addr.rpartition("@")
    return Address(display_name=name, username=local, domain=domain)


def compose(
    rendered: RenderedMail,
    *,
    from_addr: str,
    from_name: str,
    to_addr: str,
    message_id: str,
    date: datetime,
    in_reply_to: str | None = None,
    references: Sequence[str] = (),
    auto_submitted: str | None = "auto-replied",
    extra_headers: Mapping[str, str] | None = None,
) -> bytes:
    """The whole message as bytes with CRLF line ends, ready for SMTP or a .eml file.

    ``references`` is the original message's References plus its Message-ID; when it
    is empty but ``in_reply_to`` is set, References is just ``in_reply_to``.
    """
    if date.tzinfo is None:
        date = date.replace(tzinfo=timezone.utc)
    msg = EmailMessage(policy=SMTP)
    msg["From"] = _address(from_addr, from_name)
    msg["To"] = _address(to_addr)
    msg["Subject"] = rendered.subject.replace("\r", " ").replace("\n", " ")
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = _bracket(message_id)
    refs = [_bracket(r) for r in references if r and r.strip()]
    if in_reply_to:
        msg["In-Reply-To"] = _bracket(in_reply_to)
        if _bracket(in_reply_to) not in refs:
            refs.append(_bracket(in_reply_to))
    if refs:
        seen: list[str] = []
        for r in refs:
            if r not in seen:
                seen.append(r)
        msg["References"] = " ".join(seen)
    if auto_submitted:
        msg["Auto-Submitted"] = auto_submitted
    msg["X-Auto-Response-Suppress"] = "All"
    for key, value in (extra_headers or {}).items():
        if key.lower() in _OWN_HEADERS:
            raise UserError(f"header {key} is set by compose itself")
        msg[key] = value.replace("\r", " ").replace("\n", " ")
    msg["MIME-Version"] = "1.0"
    msg.set_content(rendered.text, subtype="plain", charset="utf-8")
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8")
    return msg.as_bytes(policy=SMTP)
