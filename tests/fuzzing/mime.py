"""Hypothesis strategies for structure-aware broken mail: MIME trees, headers, charsets, encodings."""

from __future__ import annotations

import base64
import quopri

from hypothesis import strategies as st

CHARSETS = ["utf-8", "iso-8859-1", "windows-1252", "iso-8859-15", "utf-16", "x-unknown", "", "us-ascii",
            "koi8-r", "shift_jis", "utf-8; format=flowed", "\"utf-8\"", "utf8", "latin1", "bogus\x00set"]
ENCODINGS = ["7bit", "8bit", "base64", "quoted-printable", "binary", "x-uuencode", "", "BASE64 "]
TEXTS = ["Hei, jeg vil ha innsyn i personopplysningene mine.", "Slett meg takk! Ærlig talt, øøø åå",
         "Jag vill att ni raderar mina uppgifter.", "Poistakaa tietoni. Kiitos. äöå", "Bitte löschen Sie meine Daten ß",
         "Please send me a copy of my data.", "Jeg er på ferie til 3. januar.", "", " ", "\x00\x00NUL",
         "<html><body><p>Hei<div><div><b>slett</b></div></div></p></body></html>", "> quoted\n> more\n"]
LEAF_TYPES = ["text/plain", "text/html", "application/octet-stream", "image/png", "text/calendar",
              "application/pdf", "message/delivery-status", "text/rfc822-headers", "text/x-weird", ""]
MULTI_TYPES = ["multipart/mixed", "multipart/alternative", "multipart/related", "multipart/report",
               "multipart/signed", "multipart/digest"]

header_text = st.one_of(
    st.sampled_from(TEXTS),
    st.text(max_size=80),
    st.binary(max_size=60).map(lambda b: b.decode("latin-1")),
    st.builds(lambda cs, t: f"=?{cs}?B?{base64.b64encode(t.encode('utf-8')).decode()}?=",
              st.sampled_from(CHARSETS), st.sampled_from(TEXTS)),
    st.builds(lambda cs, t: f"=?{cs}?Q?{t}?=", st.sampled_from(CHARSETS), st.text(max_size=30)),
    st.just("x" * 5000),
)
senders = st.sampled_from(["Kari Nordmann <kari@example.no>", "sven@example.se", "=?utf-8?q?J=C3=B8rn?= <j@example.dk>",
                           "Pekka <pekka@example.fi>", "hans@example.de", "x@alektumgroup.no",
                           "MAILER-DAEMON@example.net", "\"Ødegård, Åse\" <aase@example.no>"])
addresses = st.one_of(st.just("Kari Nordmann <kari@example.no>"), st.just("<>"), st.just(""),
                      st.just("MAILER-DAEMON@example.net"), st.just("noreply@example.com"),
                      st.just("\"Ødegård, Åse\" <aase@example.no>"), st.just("broken@@example"),
                      st.just("a@b.c, d@e.f"), header_text)


def _encode(text: str, charset: str, cte: str, broken: bool) -> bytes:
    try:
        raw = text.encode(charset.split(";")[0].strip('" ') or "utf-8")
    except (LookupError, UnicodeEncodeError, ValueError):
        raw = text.encode("utf-8", "replace")
    cte = cte.strip().lower()
    if cte == "base64":
        out = base64.encodebytes(raw)
        return out[:-3] + b"!!*" if broken and len(out) > 3 else out
    if cte == "quoted-printable":
        return quopri.encodestring(raw) + (b"=Z9=" if broken else b"")
    return raw


@st.composite
def leaf(draw) -> bytes:
    ctype = draw(st.sampled_from(LEAF_TYPES))
    charset = draw(st.sampled_from(CHARSETS))
    cte = draw(st.sampled_from(ENCODINGS))
    text = draw(st.one_of(st.sampled_from(TEXTS), st.text(max_size=300)))
    body = draw(st.one_of(st.just(_encode(text, charset, cte, draw(st.booleans()))), st.binary(max_size=200)))
    head = b""
    if ctype:
        head += f"Content-Type: {ctype}; charset={charset}\r\n".encode("utf-8", "replace")
    if cte:
        head += f"Content-Transfer-Encoding: {cte}\r\n".encode()
    if draw(st.booleans()):
        head += b"Content-Disposition: attachment; filename=\"=?utf-8?q?f=C3=B8r.pdf?=\"\r\n"
    return head + b"\r\n" + body


def tree(depth: int):
    if depth <= 0:
        return leaf()
    return st.one_of(leaf(), _multi(depth))


@st.composite
def _multi(draw, depth: int) -> bytes:
    boundary = draw(st.sampled_from(["b1", "=_x", "", "a" * 80, "same"]))
    parts = draw(st.lists(tree(depth - 1), min_size=0, max_size=3))
    ctype = draw(st.sampled_from(MULTI_TYPES))
    head = f"Content-Type: {ctype}; boundary=\"{boundary}\"\r\n\r\n".encode()
    body = b"preamble\r\n"
    for p in parts:
        body += f"--{boundary}\r\n".encode() + p + b"\r\n"
    if draw(st.booleans()):
        body += f"--{boundary}--\r\n".encode()
    return head + body


@st.composite
def messages(draw) -> bytes:
    lines = []
    for name in ("From", "To", "Subject", "Date", "Message-ID", "Reply-To", "In-Reply-To", "References",
                 "Auto-Submitted", "Authentication-Results", "List-Id", "Return-Path"):
        count = draw(st.sampled_from([1, 1, 1, 1, 0, 2]))
        for _ in range(count):
            if name == "Message-ID":  # mostly unique, so most examples are not routed as duplicates
                value = draw(st.one_of(st.uuids().map(lambda u: f"<{u}@example.org>"), header_text))
            elif name == "From":  # mostly a usable sender, so most examples get past the parser
                value = draw(senders if draw(st.sampled_from([True, True, True, False])) else addresses)
            else:
                value = draw(addresses if name in ("To", "Reply-To", "Return-Path") else header_text)
            lines.append(f"{name}: {value}")
    if draw(st.booleans()):
        lines.append(draw(st.text(max_size=40)))  # a line that is not a header at all
    head = "\r\n".join(lines).encode("utf-8", "surrogateescape") + b"\r\nMIME-Version: 1.0\r\n"
    if draw(st.booleans()):
        head += "Subject: raw 8bit Ødegård \x00\r\n".encode("latin-1")
    body = draw(tree(draw(st.integers(min_value=0, max_value=4))))
    extreme = draw(st.sampled_from(["none"] * 17 + ["deep", "deep-distinct", "html-bomb", "oversized"]))
    if extreme == "deep":  # one boundary reused at every level
        level = b"--d\r\nContent-Type: multipart/mixed; boundary=\"d\"\r\n\r\n"
        body = b"Content-Type: multipart/mixed; boundary=\"d\"\r\n\r\n" + level * 200
    elif extreme == "deep-distinct":  # 300 levels, each with its own boundary, text at the bottom
        body = b"Content-Type: text/plain\r\n\r\nSlett meg.\r\n"
        for i in range(300):
            body = (f"Content-Type: multipart/mixed; boundary=\"n{i}\"\r\n\r\n--n{i}\r\n".encode() + body
                    + f"\r\n--n{i}--\r\n".encode())
    elif extreme == "html-bomb":  # deep nesting under the size limit, so the converter has to cope
        depth = draw(st.sampled_from([5_000, 20_000]))
        body = (b"Content-Type: text/html\r\n\r\n<p>Slett meg</p>" + b"<div><span>" * depth
                + draw(st.sampled_from([b"", b"</div>" * 1000, b"<!--" + b"x" * 1000])))
    elif extreme == "oversized":
        body = b"Content-Type: text/plain\r\n\r\n" + b"x" * 500_000
    return head + body
