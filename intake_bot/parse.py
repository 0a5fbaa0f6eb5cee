"""bytes -> ParsedMessage. Pure, and it never crashes on bad input.

The standard library parser (``email.policy.default``) does the MIME structure.
Everything that real mail gets wrong is repaired here, and every repair is
written down in ``ParsedMessage.defects`` so staff can see what the bot guessed:

* header values are decoded by hand from the raw value (raw 8-bit bytes, RFC 2047
  words in unknown or wrong charsets, NUL bytes);
* body charsets are tried in order: declared, utf-8, cp1252, latin-1; a body
  labelled latin-1 that is valid non-ASCII utf-8 is read as utf-8;
* broken base64 / quoted-printable is decoded as far as it goes;
* HTML is turned into text by a small regex tokenizer with a size cap and a
  nesting cap, so an HTML bomb stays fast;
* if the default policy raises, the mail is re-parsed with ``compat32``, and if
  that raises too, the raw bytes are split into headers and body by hand.

:class:`~intake_bot.errors.ParseError` is raised only when nothing usable
remains: the mail is over ``max_size``, or it has neither a sender nor any text.
"""

from __future__ import annotations

import codecs
import email.header
import email.policy
import email.utils
import html
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from email.message import Message
from email.parser import BytesParser

from .errors import ParseError
from .quotes import split_quoted

__all__ = ["Attachment", "ParsedMessage", "parse_message"]

MAX_HTML_CHARS = 2_000_000  # HTML beyond this is cut before conversion
MAX_HTML_DEPTH = 50  # block nesting beyond this is flattened
MAX_TEXT_CHARS = 1_000_000  # body text beyond this is cut
MAX_PART_DEPTH = 50  # MIME nesting beyond this is not walked
MAX_PARTS = 500  # MIME parts beyond this are not walked

_FALLBACK_CHARSETS = ("utf-8", "cp1252", "latin-1")
_LATIN_LABELS = {"iso8859-1", "latin-1", "cp1252", "iso8859-15", "us-ascii", "ascii"}


@dataclass(frozen=True)
class Attachment:
    filename: str | None
    content_type: str
    size: int  # decoded bytes; the content is never opened or interpreted


@dataclass(frozen=True)
class ParsedMessage:
    message_id: str | None
    subject: str
    from_addr: str | None
    from_name: str
    reply_to: tuple[str, ...]
    to: tuple[str, ...]
    cc: tuple[str, ...]
    in_reply_to: str | None
    references: tuple[str, ...]
    date: datetime | None
    headers: tuple[tuple[str, str], ...]
    content_type: str
    report_type: str | None
    body_text: str
    body_from_html: bool
    new_text: str
    quoted_text: str
    attachments: tuple[Attachment, ...]
    defects: tuple[str, ...]
    size: int
    report_message_ids: tuple[str, ...]

    def header(self, name: str) -> str | None:
        """First value of header ``name`` (case-insensitive), or None."""
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return None

    def header_all(self, name: str) -> list[str]:
        """Every value of header ``name`` (case-insensitive), in order."""
        wanted = name.lower()
        return [value for key, value in self.headers if key.lower() == wanted]


# --------------------------------------------------------------------------- text decoding
def _codec(charset: str | None) -> str | None:
    """Python codec name for a MIME charset label, or None if unknown."""
    if not charset:
        return None
    label = charset.strip().strip('"').lower()
    if label in ("unknown-8bit", "x-unknown", "8bit", "binary"):
        return None
    try:
        return codecs.lookup(label).name
    except (LookupError, ValueError):
        return None


def decode_bytes(data: bytes, charset: str | None, defects: list[str], where: str) -> str:
    """Decode ``data`` trying the declared charset, then utf-8, cp1252, latin-1."""
    codec = _codec(charset)
    if charset and codec is None:
        label = charset[:40].encode("ascii", "replace").decode("ascii")
        defects.append(f"{where}: unknown charset {label!r}, guessed")
    if codec and data.isascii():
        return data.decode("ascii")
    if codec in _LATIN_LABELS and not data.isascii():
        # Mislabelled utf-8 is far more common than latin-1 that happens to be valid utf-8.
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if codec not in ("us-ascii", "ascii"):
                defects.append(f"{where}: labelled {charset} but is utf-8")
            else:
                defects.append(f"{where}: 8-bit data without charset, read as utf-8")
            return text
        if codec in ("us-ascii", "ascii"):
            codec = None
            defects.append(f"{where}: 8-bit data without charset, guessed")
    tried = [codec] if codec else []
    tried += [c for c in _FALLBACK_CHARSETS if c != codec]
    for candidate in tried:
        try:
            text = data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
        if codec and candidate != codec:
            defects.append(f"{where}: not valid {charset}, read as {candidate}")
        return text
    return data.decode("latin-1")  # unreachable: latin-1 never fails


def _clean(text: str, defects: list[str], where: str) -> str:
    if "\x00" in text:
        defects.append(f"{where}: NUL bytes removed")
        text = text.replace("\x00", "")
    return text


# --------------------------------------------------------------------------- headers
_WS = re.compile(r"\s+")
_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?")


def _header_to_str(raw_value: object, defects: list[str], name: str) -> str:
    """Decode one raw header value: 8-bit bytes, RFC 2047 words, folding."""
    if isinstance(raw_value, email.header.Header):
        raw_value = str(raw_value)
    value = str(raw_value)
    where = f"header {name[:40]}"
    try:
        raw = value.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        raw = None  # already real unicode (non-ASCII str from a str source)
    if raw is not None and not raw.isascii():
        defects.append(f"{where}: raw 8-bit bytes")
        value = decode_bytes(raw, None, [], where)
    value = _WS.sub(" ", value.replace("\r", "").replace("\n", " ")).strip()
    if _ENCODED_WORD.search(value):
        try:
            chunks = email.header.decode_header(value)
        except Exception:  # noqa: BLE001 - any malformed word: keep the raw text
            defects.append(f"{where}: malformed encoded word kept raw")
            chunks = [(value, None)]
        parts = []
        for chunk, charset in chunks:
            if isinstance(chunk, bytes):
                parts.append(decode_bytes(chunk, charset, defects, where))
            else:
                parts.append(chunk)
        value = _WS.sub(" ", "".join(parts)).strip()
    return _clean(value, defects, where)


def _split_raw_headers(raw: bytes) -> tuple[list[tuple[str, str]], bytes]:
    """Last-resort header/body split for mail that no email policy can parse."""
    head, sep, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    items: list[tuple[str, str]] = []
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t") and items:
            name, value = items[-1]
            items[-1] = (name, value + " " + line.decode("ascii", "surrogateescape"))
        elif b":" in line:
            name, _, value = line.partition(b":")
            items.append((name.decode("ascii", "replace").strip(), value.decode("ascii", "surrogateescape")))
    return items, body if sep else b""


_ANGLE_ID = re.compile(r"<([^<>\s]+)>")


def _msg_id(value: str | None) -> str | None:
    if not value:
        return None
    match = _ANGLE_ID.search(value)
    if match:
        return match.group(1)
    token = value.strip().split()
    return token[0].strip("<>") or None if token else None


_HEADER_END = re.compile(rb"\r?\n\r?\n")
_MESSAGE_ID_HEADER = re.compile(r"^message-id[ \t]*:(.*(?:\n[ \t].*)*)", re.I | re.M)


def message_id_of(raw: bytes) -> str | None:
    """The Message-ID from the header block alone, cheaply (no MIME parse), as parse_message
    stores it; None unless it is a well-formed ``<id>`` (odd ones are not worth matching on)."""
    end = _HEADER_END.search(raw, 0, 65536)
    head = raw[: end.start() if end else 65536].decode("latin-1").replace("\r\n", "\n")
    found = _MESSAGE_ID_HEADER.search(head)
    if not found or not found.group(1).isascii():
        return None
    match = _ANGLE_ID.search(" ".join(found.group(1).split()))  # only a well-formed <id>: else None
    return match.group(1) if match else None


def _msg_ids(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    found = _ANGLE_ID.findall(value)
    return tuple(found) if found else tuple(t.strip("<>") for t in value.split() if t.strip("<>"))


_ADDR = re.compile(r"^[^@\s<>(),;:\"]+@[^@\s<>(),;:\"]+\.[^@\s<>(),;:\"]+$")


def _norm_addr(addr: str) -> str | None:
    addr = addr.strip().strip("<>").strip()
    if not _ADDR.match(addr):
        return None
    local, _, domain = addr.rpartition("@")
    return f"{local}@{domain.lower().rstrip('.')}"


def _addresses(values: list[str]) -> list[tuple[str, str | None]]:
    """(display name, normalised address or None) for each address in ``values``."""
    try:
        pairs = email.utils.getaddresses(values)
    except Exception:  # noqa: BLE001 - hostile address lists
        pairs = [("", v) for v in values]
    return [(name.strip(), _norm_addr(addr)) for name, addr in pairs if name or addr]


def _addr_tuple(values: list[str]) -> tuple[str, ...]:
    return tuple(a for _, a in _addresses(values) if a)


def _parse_date(value: str | None, defects: list[str]) -> datetime | None:
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        defects.append("header Date: unparseable, ignored")
        return None
    if when.tzinfo is None:
        defects.append("header Date: no time zone, taken as UTC")
        when = when.replace(tzinfo=timezone.utc)
    return when


# --------------------------------------------------------------------------- HTML -> text
_HTML_TOKEN = re.compile(
    r"<!--.*?(?:-->|\Z)|<!\[CDATA\[.*?(?:\]\]>|\Z)|<[!?][^>]*>?|<(/?)([a-zA-Z][a-zA-Z0-9:-]*)([^>]*)>?",
    re.S,
)
_BLOCK = frozenset(
    "address article aside blockquote dd div dl dt fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody thead tfoot tr ul".split()
)
_SKIP = frozenset(("script", "style", "head", "title", "template", "noscript", "xml"))
_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*){2,}")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


def html_to_text(markup: str, defects: list[str]) -> str:
    """Plain text from HTML: blocks become lines, blockquotes become '> ' lines."""
    if len(markup) > MAX_HTML_CHARS:
        defects.append(f"html: cut to {MAX_HTML_CHARS} characters before conversion")
        markup = markup[:MAX_HTML_CHARS]
    out: list[str] = []
    pos = 0
    skip = 0
    quote = 0
    depth = 0
    depth_noted = False

    def emit(text: str) -> None:
        text = _SPACES.sub(" ", html.unescape(text.replace("\n", " ")))
        if text.strip() or (out and not out[-1].endswith("\n")):
            out.append(text)

    for match in _HTML_TOKEN.finditer(markup):
        if not skip and match.start() > pos:
            emit(markup[pos : match.start()])
        pos = match.end()
        tag = match.group(2)
        if tag is None:
            continue
        tag = tag.lower()
        closing = bool(match.group(1))
        if tag in _SKIP:
            if not match.group(3).rstrip().endswith("/"):
                skip = max(0, skip - 1) if closing else skip + 1
            continue
        if skip:
            continue
        if tag == "br":
            out.append("\n")
        elif tag in _BLOCK or tag == "td" or tag == "th":
            if tag in ("td", "th"):
                out.append(" ")
                continue
            if tag != "hr":
                if closing:
                    depth = max(0, depth - 1)
                elif depth >= MAX_HTML_DEPTH:
                    if not depth_noted:
                        defects.append(f"html: nesting deeper than {MAX_HTML_DEPTH} flattened")
                        depth_noted = True
                    continue
                else:
                    depth += 1
            if tag == "blockquote":
                quote = max(0, quote - 1) if closing else quote + 1
            out.append("\n\x01%d\x01" % quote)
    if not skip and pos < len(markup):
        emit(markup[pos:])
    return _finish_html_text("".join(out))


_QUOTE_MARK = re.compile(r"\x01(\d+)\x01")


def _finish_html_text(text: str) -> str:
    lines = []
    level = 0
    for line in text.split("\n"):
        marks = _QUOTE_MARK.findall(line)
        if marks:
            level = int(marks[-1])
            line = _QUOTE_MARK.sub("", line)
        line = line.strip()
        if level and line:
            line = "> " * level + line
        lines.append(line)
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


# --------------------------------------------------------------------------- MIME walking
_MESSAGE_ID_LINE = re.compile(r"^[ \t>]*(?:Original-)?Message-ID:[ \t]*<?([^\s<>]+@[^\s<>]+?)>?[ \t\r]*$", re.I | re.M)


def _payload_bytes(part: Message, defects: list[str], where: str) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - broken transfer encodings of every kind
        defects.append(f"{where}: transfer encoding undecodable, raw bytes used")
        data = None
    if data is None:
        payload = part.get_payload()
        data = payload.encode("ascii", "surrogateescape") if isinstance(payload, str) else b""
    for defect in getattr(part, "defects", ()):
        name = type(defect).__name__
        if "Base64" in name or "Padding" in name:
            defects.append(f"{where}: {name}")
    cte = str(_safe(lambda: part.get("content-transfer-encoding", ""), "")).strip().lower()
    if cte and cte not in _KNOWN_CTES:
        defects.append(f"{where}: unknown transfer encoding {cte[:40]!r}, raw bytes used")
    return data


_KNOWN_CTES = {"7bit", "8bit", "binary", "base64", "quoted-printable", "x-uuencode", "uuencode", "uue", "x-uue"}
_STRUCTURE_DEFECTS = {"NoBoundaryInMultipartDefect", "StartBoundaryNotFoundDefect", "CloseBoundaryNotFoundDefect",
                      "FirstHeaderLineIsContinuationDefect", "MissingHeaderBodySeparatorDefect",
                      "MisplacedEnvelopeHeaderDefect", "MultipartConversionError"}
_DELIMITER_LINE = re.compile(rb"^--([^\s\"\\]{1,70}?)[ \t]*\r?$", re.M)


def _guess_boundary(data: bytes) -> bytes | None:
    """The boundary a multipart body actually uses: its first ``--delimiter`` line."""
    match = _DELIMITER_LINE.search(data)
    return match.group(1) if match else None


def _mime_view(part: Message) -> Message:
    """A compat32 copy of just the MIME headers of ``part``.

    compat32 reads Content-Type parameters with plain string operations, which is
    several times faster than the default policy's header registry and never raises.
    """
    view = Message(policy=email.policy.compat32)
    for name, value in part.raw_items():
        if name.lower() in ("content-type", "content-disposition"):
            view[name] = value
    return view


def _safe(call, default):
    try:
        return call()
    except Exception:  # noqa: BLE001 - header objects can raise on hostile input
        return default


def _few_breaks(text: str) -> bool:
    """Long text with hardly a line break: a webmail's one-line rendering of its HTML part."""
    return len(text) >= 300 and text.count("\n") <= len(text) // 400


class _Walker:
    """Collects body text, attachments and report Message-IDs from one message tree."""

    def __init__(self, defects: list[str]):
        self.defects = defects
        self.plain: list[str] = []
        self.html: list[str] = []
        self.attachments: list[Attachment] = []
        self.report_ids: list[str] = []
        self.parts = 0
        self.depth_noted = False

    def walk(self, part: Message, depth: int = 0, in_report: bool = False) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            if self.parts == MAX_PARTS + 1:
                self.defects.append(f"mime: more than {MAX_PARTS} parts, rest ignored")
            return
        if depth > MAX_PART_DEPTH:
            if not self.depth_noted:
                self.defects.append(f"mime: nesting deeper than {MAX_PART_DEPTH}, rest ignored")
                self.depth_noted = True
            return
        view = _mime_view(part)
        ctype = _safe(view.get_content_type, "text/plain")
        maintype = ctype.split("/")[0]
        for defect in getattr(part, "defects", ()):
            if type(defect).__name__ in _STRUCTURE_DEFECTS:
                self.defects.append(f"mime: {type(defect).__name__}")
        if part.is_multipart() and maintype == "multipart":
            report = ctype == "multipart/report"
            for index, sub in enumerate(_safe(part.get_payload, []) or []):
                if isinstance(sub, Message):
                    self.walk(sub, depth + 1, in_report=report and index > 0)
            return
        if maintype == "multipart":
            self._broken_multipart(part, ctype, depth, in_report)
            return
        filename = _safe(view.get_filename, None)
        if filename is not None:
            filename = _header_to_str(filename, self.defects, "filename") or None
        disposition = _safe(view.get_content_disposition, None)
        where = f"part {ctype}"
        if maintype == "message":
            self._message_part(part, ctype, disposition, filename, in_report, depth)
            return
        if ctype == "text/rfc822-headers" or (in_report and maintype == "text"):
            data = _payload_bytes(part, self.defects, where)
            self.report_ids += _MESSAGE_ID_LINE.findall(decode_bytes(data, None, [], where))
            return
        if maintype == "text" and disposition != "attachment" and not filename and ctype in ("text/plain", "text/html"):
            data = _payload_bytes(part, self.defects, where)
            charset = _safe(view.get_content_charset, None)
            if charset is None and not data.isascii():
                charset = "us-ascii"  # lets decode_bytes note the missing charset
            text = _clean(decode_bytes(data, charset, self.defects, where), self.defects, where)
            (self.plain if ctype == "text/plain" else self.html).append(text)
            return
        data = _payload_bytes(part, self.defects, where)
        self.attachments.append(Attachment(filename=filename, content_type=ctype, size=len(data)))

    def _broken_multipart(self, part: Message, ctype: str, depth: int, in_report: bool) -> None:
        """A multipart whose boundary is missing or never used: split on the delimiter the
        body does use, or failing that read the whole body as plain text."""
        data = _safe(lambda: part.get_payload(decode=True), None)
        if not isinstance(data, bytes):
            payload = _safe(part.get_payload, "")
            data = payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""
        guess = _guess_boundary(data)
        if guess is not None:
            head = b"Content-Type: " + ctype.encode() + b'; boundary="' + guess + b'"\r\n\r\n'
            sub = _safe(lambda: BytesParser(policy=email.policy.compat32).parsebytes(head + data), None)
            if sub is not None and sub.is_multipart():
                self.defects.append(f"mime: {ctype} boundary missing or unused, guessed from the body")
                self.walk(sub, depth + 1, in_report)
                return
        self.defects.append(f"mime: {ctype} without usable parts, read as text")
        self.plain.append(_clean(decode_bytes(data, None, self.defects, f"part {ctype}"), self.defects, ctype))

    def _message_part(self, part, ctype, disposition, filename, in_report, depth) -> None:
        inner = _safe(part.get_payload, None)
        inner = inner if isinstance(inner, list) else [inner] if isinstance(inner, Message) else []
        if in_report or ctype in ("message/delivery-status", "message/disposition-notification"):
            for block in inner:
                if isinstance(block, Message):
                    for key in ("Message-ID", "Original-Message-ID"):
                        value = _safe(lambda b=block, k=key: b.get(k), None)
                        ident = _msg_id(str(value)) if value else None
                        if ident:
                            self.report_ids.append(ident)
            if not inner:
                text = decode_bytes(_payload_bytes(part, self.defects, f"part {ctype}"), None, [], "")
                self.report_ids += _MESSAGE_ID_LINE.findall(text)
            return
        size = 0
        for block in inner:
            size += len(_safe(lambda b=block: b.as_bytes(), b""))
        self.attachments.append(Attachment(filename=filename, content_type=ctype, size=size))


# --------------------------------------------------------------------------- entry point
def _parse_tree(raw: bytes, defects: list[str]) -> Message | None:
    for policy in (email.policy.default, email.policy.compat32):
        try:
            msg = BytesParser(policy=policy).parsebytes(raw)
            list(msg.raw_items())
            return msg
        except (Exception, RecursionError):  # noqa: BLE001 - stdlib parser bugs on hostile input
            defects.append(f"mime: parser ({'default' if policy is email.policy.default else 'compat32'}) failed")
    return None


def parse_message(raw: bytes, *, max_size: int | None = None) -> ParsedMessage:
    """Parse one raw RFC 5322 message. Raises ParseError only when nothing usable remains."""
    if max_size is not None and len(raw) > max_size:
        raise ParseError(f"message is {len(raw)} bytes, over the limit of {max_size}")
    defects: list[str] = []
    tree = _parse_tree(raw, defects)
    if tree is not None:
        raw_items = list(tree.raw_items())
    else:
        raw_items, _ = _split_raw_headers(raw)
    headers = tuple((str(name), _header_to_str(value, defects, str(name))) for name, value in raw_items)

    def first(name: str) -> str | None:
        values = [v for k, v in headers if k.lower() == name]
        if len(values) > 1 and name in ("from", "subject", "date", "message-id"):
            defects.append(f"header {name}: {len(values)} copies, first used")
        return values[0] if values else None

    def every(name: str) -> list[str]:
        return [v for k, v in headers if k.lower() == name]

    walker = _Walker(defects)
    content_type = "text/plain"
    report_type = None
    if tree is not None:
        view = _mime_view(tree)
        content_type = _safe(view.get_content_type, "text/plain")
        if content_type == "multipart/report":
            report_type = _safe(lambda: view.get_param("report-type"), None)
            report_type = str(report_type).lower() if isinstance(report_type, str) else None
        try:
            walker.walk(tree)
        except RecursionError:
            defects.append("mime: structure too deep, partly read")
    else:
        _, body = _split_raw_headers(raw)
        walker.plain.append(_clean(decode_bytes(body, None, defects, "body"), defects, "body"))

    body_from_html = False
    body_text = "\n\n".join(t.strip("\n") for t in walker.plain if t.strip())
    if walker.html and (not body_text.strip() or _few_breaks(body_text)):
        html_text = "\n\n".join(html_to_text(h, defects) for h in walker.html)
        # a text/plain part that lost its line breaks (and with them the quote's markers) loses to
        # its text/html twin
        if not body_text.strip() or html_text.count("\n") > 3 * body_text.count("\n") + 3:
            body_text, body_from_html = html_text, True
    body_text = body_text.replace("\r\n", "\n").replace("\r", "\n")
    if len(body_text) > MAX_TEXT_CHARS:
        defects.append(f"body: cut to {MAX_TEXT_CHARS} characters")
        body_text = body_text[:MAX_TEXT_CHARS]
    new_text, quoted_text = split_quoted(body_text)

    from_pairs = _addresses(every("from")[:1])
    if first("from") is None:
        defects.append("header From: missing")
    from_name = from_pairs[0][0] if from_pairs else ""
    from_addr = next((a for _, a in from_pairs if a), None)
    if from_addr is None and every("from"):
        defects.append("header From: no usable address")
    report_ids = list(walker.report_ids)
    if not report_ids and content_type != "multipart/report":
        report_ids = _MESSAGE_ID_LINE.findall(quoted_text or body_text)
    own_id = _msg_id(first("message-id"))
    report_ids = [i for i in dict.fromkeys(report_ids) if i != own_id]

    if from_addr is None and not body_text.strip():
        raise ParseError("message has no usable sender and no text")
    return ParsedMessage(
        message_id=own_id,
        subject=first("subject") or "",
        from_addr=from_addr,
        from_name=from_name,
        reply_to=_addr_tuple(every("reply-to")),
        to=_addr_tuple(every("to")),
        cc=_addr_tuple(every("cc")),
        in_reply_to=_msg_id(first("in-reply-to")),
        references=_msg_ids(" ".join(every("references"))),
        date=_parse_date(first("date"), defects),
        headers=headers,
        content_type=content_type,
        report_type=report_type,
        body_text=body_text,
        body_from_html=body_from_html,
        new_text=new_text,
        quoted_text=quoted_text,
        attachments=tuple(walker.attachments),
        defects=tuple(dict.fromkeys(defects)),
        size=len(raw),
        report_message_ids=tuple(report_ids),
    )
