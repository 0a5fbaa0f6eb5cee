"""Turn a RenderedMail into the bytes of a MIME message (pure).

multipart/alternative with a text/plain and a text/html part, both UTF-8.
Replies thread under the requester's message (In-Reply-To, References) and
carry the headers that keep auto-responders from answering us (RFC 3834
Auto-Submitted, Microsoft's X-Auto-Response-Suppress). The requester's address
is only ever the To; no Reply-To pointing at them is written.
"""

from __future__ import annotations

import binascii
import hashlib
import secrets
from datetime import datetime, timezone
from email.generator import BytesGenerator
from email.header import Header
from email.headerregistry import Address
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.policy import compat32
from email.utils import format_datetime, formataddr
from io import BytesIO
from itertools import groupby
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

    Built with the stdlib's compat32 message classes: the same MIME as the
    ``EmailMessage`` API, without parsing back every header we write (that API
    cost ~1 ms a mail on the ingest path). Non-ASCII headers are RFC 2047-encoded,
    non-ASCII or long-lined bodies quoted-printable, so the bytes are 7-bit.
    """
    if date.tzinfo is None:
        date = date.replace(tzinfo=timezone.utc)
    sender, rcpt = _address(from_addr, from_name), _address(to_addr)
    msg = MIMEMultipart("alternative", policy=_WIRE)
    del msg["MIME-Version"]  # written below, after our own headers
    content_type = msg["Content-Type"]
    del msg["Content-Type"]
    msg["From"] = formataddr((sender.display_name, sender.addr_spec), charset="utf-8")
    msg["To"] = rcpt.addr_spec
    msg["Subject"] = _header("Subject", _one_line(rendered.subject))
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = _bracket(message_id)
    refs = [_bracket(r) for r in references if r and r.strip()]
    if in_reply_to:
        msg["In-Reply-To"] = _header("In-Reply-To", _bracket(in_reply_to))
        if _bracket(in_reply_to) not in refs:
            refs.append(_bracket(in_reply_to))
    if refs:
        seen: list[str] = []
        for r in refs:
            if r not in seen:
                seen.append(r)
        msg["References"] = _header("References", " ".join(seen))
    if auto_submitted:
        msg["Auto-Submitted"] = auto_submitted
    msg["X-Auto-Response-Suppress"] = "All"
    for key, value in (extra_headers or {}).items():
        if key.lower() in _OWN_HEADERS:
            raise UserError(f"header {key} is set by compose itself")
        msg[key] = _header(key, _one_line(value))
    msg["MIME-Version"] = "1.0"
    msg["Content-Type"] = content_type
    msg.attach(_text_part(rendered.text, "plain"))
    msg.attach(_text_part(rendered.html, "html"))
    out = BytesIO()
    BytesGenerator(out, mangle_from_=False, policy=_WIRE).flatten(msg)
    return out.getvalue()


# CRLF, folded at 78 columns; compat32 stores what we set instead of parsing it back
_WIRE = compat32.clone(linesep="\r\n", max_line_length=78)


def _one_line(value: str) -> str:
    return value.replace("\r", " ").replace("\n", " ")


def _header(name: str, value: str) -> str | Header:
    """The value folded at spaces, its non-ASCII words as RFC 2047 encoded words (ASCII words such
    as ``[DSR-2026-000042]`` stay readable, as EmailMessage wrote them). A word too long for a
    78-column line cannot be folded (SMTP refuses lines over 998): then all of it is encoded."""
    if any(len(word) + len(name) + 2 > _WIRE.max_line_length for word in value.split()):
        return Header(value, "utf-8", header_name=name)
    if value.isascii():
        return value
    header = Header(header_name=name)
    for ascii_run, words in groupby(value.split(" "), key=str.isascii):
        header.append(" ".join(words), "us-ascii" if ascii_run else "utf-8")
    return header


def _text_part(text: str, subtype: str) -> MIMENonMultipart:
    """A UTF-8 text part: 7bit when it is ASCII with short lines, else quoted-printable."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    body = "\n".join(lines) + "\n"
    part = MIMENonMultipart("text", subtype, charset="utf-8", policy=_WIRE)
    del part["MIME-Version"]  # once, at the top
    if body.isascii() and max((len(line) for line in lines), default=0) <= _WIRE.max_line_length:
        part["Content-Transfer-Encoding"] = "7bit"
        part.set_payload(body)
    else:
        part["Content-Transfer-Encoding"] = "quoted-printable"
        part.set_payload(binascii.b2a_qp(body.encode("utf-8"), istext=True).decode("ascii"))
    return part
