"""parse_message: golden .eml files (tests/messages + tests/messages_data) and hostile input."""

from __future__ import annotations

import json
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from intake_bot.errors import IntakeBotError, ParseError
from intake_bot.parse import MAX_HTML_CHARS, Attachment, ParsedMessage, parse_message

HERE = Path(__file__).parent
GOLDEN = sorted((HERE / "messages").glob("*.eml"))
SCALAR_FIELDS = (
    "subject", "from_addr", "from_name", "message_id", "content_type", "report_type",
    "body_from_html", "new_text", "in_reply_to",
)


def expected_for(eml: Path) -> dict:
    return json.loads((HERE / "messages_data" / f"{eml.stem}.json").read_text(encoding="utf-8"))


def test_golden_set_is_complete():
    assert len(GOLDEN) >= 25
    for eml in GOLDEN:
        assert (HERE / "messages_data" / f"{eml.stem}.json").is_file(), eml.name


@pytest.mark.parametrize("eml", GOLDEN, ids=lambda p: p.stem)
def test_golden_parse(eml: Path):
    expected = expected_for(eml)
    raw = eml.read_bytes()
    if "parse_error" in expected:
        with pytest.raises(ParseError, match=expected["parse_error"]):
            parse_message(raw)
        return
    msg = parse_message(raw)
    assert msg.size == len(raw)
    fields = expected.get("parse", {})
    for name in SCALAR_FIELDS:
        if name in fields:
            assert getattr(msg, name) == fields[name], name
    if "date" in fields:
        assert msg.date is not None and msg.date.isoformat() == fields["date"]
    if "attachments" in fields:
        assert [[a.filename, a.content_type, a.size] for a in msg.attachments] == fields["attachments"]
    if "report_message_ids" in fields:
        assert list(msg.report_message_ids) == fields["report_message_ids"]
    for text in expected.get("new_text_contains", []):
        assert text in msg.new_text, text
    for text in expected.get("new_text_not_contains", []):
        assert text not in msg.new_text, text
    for text in expected.get("quoted_text_contains", []):
        assert text in msg.quoted_text, text
    for text in expected.get("body_text_contains", []):
        assert text in msg.body_text, text
    for text in expected.get("body_text_not_contains", []):
        assert text not in msg.body_text, text
    for note in expected.get("defects_contains", []):
        assert any(note in d for d in msg.defects), (note, msg.defects)


def test_clean_mail_has_no_defects_and_all_fields():
    raw = (
        b"From: \"Nordmann, Kari\" <Kari@Example.NO>\r\nTo: info@alektumgroup.no, Dpo <dataprotection@alektumgroup.com>\r\n"
        b"Cc: kopi@example.no\r\nReply-To: svar@example.no\r\nSubject:   Slett\r\n   meg  \r\n"
        b"Message-ID: <abc@example.no>\r\nIn-Reply-To: <ack-1@intake>\r\nReferences: <r1@x> <ack-1@intake>\r\n"
        b"Date: Tue, 03 Mar 2026 10:02:00 +0100\r\nX-Custom: one\r\nx-custom: two\r\n\r\nSlett meg.\r\n"
    )
    msg = parse_message(raw)
    assert msg.defects == ()
    assert msg.from_addr == "Kari@example.no" and msg.from_name == "Nordmann, Kari"
    assert msg.to == ("info@alektumgroup.no", "dataprotection@alektumgroup.com")
    assert msg.cc == ("kopi@example.no",) and msg.reply_to == ("svar@example.no",)
    assert msg.subject == "Slett meg"
    assert msg.in_reply_to == "ack-1@intake" and msg.references == ("r1@x", "ack-1@intake")
    assert msg.date == datetime(2026, 3, 3, 9, 2, tzinfo=timezone.utc)
    assert msg.header("X-CUSTOM") == "one" and msg.header_all("x-custom") == ["one", "two"]
    assert msg.header("missing") is None and msg.header_all("missing") == []
    assert [name for name, _ in msg.headers][:2] == ["From", "To"]
    assert isinstance(msg, ParsedMessage) and msg.attachments == () and msg.report_message_ids == ()


def test_over_max_size_is_a_parse_error():
    raw = b"From: a@example.no\r\n\r\n" + b"x" * 1000
    with pytest.raises(ParseError, match="over the limit"):
        parse_message(raw, max_size=500)
    assert parse_message(raw, max_size=5000).size == len(raw)
    assert issubclass(ParseError, IntakeBotError)


def test_unusable_from_is_none_but_text_kept():
    msg = parse_message(b"From: not an address\r\nSubject: x\r\n\r\nSlett meg\r\n")
    assert msg.from_addr is None and msg.new_text == "Slett meg"
    assert any("no usable address" in d for d in msg.defects)


def test_date_without_zone_and_garbage_date():
    naive = parse_message(b"From: a@example.no\r\nDate: Tue, 03 Mar 2026 10:02:00 -0000\r\n\r\nx\r\n")
    assert naive.date is not None and naive.date.tzinfo is not None
    bad = parse_message(b"From: a@example.no\r\nDate: yesterday-ish\r\n\r\nx\r\n")
    assert bad.date is None and any("Date" in d for d in bad.defects)


def test_duplicate_from_uses_first_and_notes_it():
    msg = parse_message(b"From: first@example.no\r\nFrom: second@example.no\r\n\r\nhei\r\n")
    assert msg.from_addr == "first@example.no"
    assert any("2 copies" in d for d in msg.defects)


def test_html_bomb_is_fast_and_noted():
    bomb = b"<div>" * 2_000_000 + b"Slett meg" + b"</div>" * 2_000_000  # about 22 MB
    raw = b"From: a@example.no\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + bomb
    start = time.perf_counter()
    msg = parse_message(raw)
    elapsed = time.perf_counter() - start
    assert elapsed < 5.0, elapsed
    assert msg.body_from_html
    assert any(str(MAX_HTML_CHARS) in d for d in msg.defects)
    assert any("nesting deeper" in d for d in msg.defects)
    assert "<" not in msg.body_text


def test_deep_multipart_nesting_does_not_crash():
    raw = b"From: a@example.no\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
    depth = 200
    for i in range(depth):
        raw += b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (i, i + 1)
    raw += b"--b%d\r\nContent-Type: text/plain\r\n\r\ndeep text\r\n" % depth
    msg = parse_message(raw)
    assert msg.from_addr == "a@example.no"
    assert any("nesting deeper" in d for d in msg.defects)


def test_html_blockquote_becomes_quoted_text():
    html = (
        "<div>Jeg vil ha innsyn.</div><div class=gmail_quote><div>Den 3. mars 2026 kl. 10:02 skrev A &lt;a@b.no&gt;:</div>"
        "<blockquote class=gmail_quote><div>Gammel tekst</div></blockquote></div>"
    )
    raw = b"From: a@example.no\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html.encode()
    msg = parse_message(raw)
    assert msg.new_text == "Jeg vil ha innsyn."
    assert "> Gammel tekst" in msg.quoted_text


def test_forwarded_message_attachment_is_listed():
    raw = (
        b"From: a@example.no\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\n"
        b"Se vedlagt.\r\n--x\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n"
        b"From: b@example.no\r\nSubject: inner\r\nMessage-ID: <inner@x>\r\n\r\ninner body\r\n--x--\r\n"
    )
    msg = parse_message(raw)
    assert msg.new_text == "Se vedlagt."
    assert [a.content_type for a in msg.attachments] == ["message/rfc822"]
    assert msg.attachments[0].size > 0 and "inner body" not in msg.body_text


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\x00\x00",
        b"From: a@example.no",
        b"From: a@example.no\r\nContent-Type: multipart/mixed\r\n\r\nno boundary here\r\n",
        b"From: a@example.no\r\nContent-Type: text/plain; charset=\"\xff\xfe\"\r\n\r\nhei\r\n",
        b"From: =?utf-8?B?broken?= <a@example.no>\r\nSubject: =?bogus-charset?Q?x=FF?= =?utf-8?q?=E2=82?=\r\n\r\nhei\r\n",
        b"From: a@example.no\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=ZZ=\r\n=C3=\r\n",
        b"From: a@example.no\r\nMessage-ID: <<<>>>\r\nReferences: <\r\nDate: Mon, 99 Foo 99999 99:99:99 +9999\r\n\r\nx",
        b"From: a@example.no\r\nContent-Type: message/rfc822\r\n\r\nnot really a message",
        b"Subject: only\r\n\r\n" + bytes(range(256)) * 10,
        b"From: a@example.no\r\nTo: ,,,,<>,@,\"\r\nCc: \"unterminated <x@y\r\n\r\nhei",
    ],
)
def test_hostile_input_never_crashes(raw: bytes):
    try:
        msg = parse_message(raw)
    except ParseError:
        return  # the one allowed outcome besides a ParsedMessage
    assert isinstance(msg, ParsedMessage)
    assert "\x00" not in msg.body_text and all("\x00" not in v for _, v in msg.headers)
    assert all(isinstance(a, Attachment) for a in msg.attachments)


def test_typical_mail_parses_quickly():
    raw = (HERE / "messages" / "12-quote-thunderbird-de.eml").read_bytes()
    raw = raw + b"\r\n" + b"> noch mehr zitierter Text aus der alten Nachricht\r\n" * 80  # about 5 KB
    parse_message(raw)
    runs = 200
    start = time.perf_counter()
    for _ in range(runs):
        parse_message(raw)
    per_mail = (time.perf_counter() - start) / runs
    assert per_mail < 0.01, per_mail  # generous bound for slow CI; typical is far below 1 ms


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PIECES = st.sampled_from([
    b"From: a@example.no\r\n", b"Subject: =?utf-8?b?w6Y=?=\r\n", b"Content-Type: multipart/mixed; boundary=q\r\n",
    b"Content-Type: text/html; charset=x\r\n", b"Content-Transfer-Encoding: base64\r\n", b"\r\n", b"--q\r\n", b"--q--\r\n",
    b"<div><blockquote>", b"\xff\xfe\x00", b"> quoted\r\n", b"On 3 Mar 2026 10:02 X wrote:\r\n", b"=?", b"\t folded\r\n",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.binary(max_size=40)), max_size=30))
def test_fuzz_never_crashes(chunks):
    try:
        msg = parse_message(b"".join(chunks))
    except ParseError:
        return
    assert msg.size == len(b"".join(chunks))
    assert isinstance(msg.body_text, str) and isinstance(msg.defects, tuple)


def test_encoded_word_with_wrong_charset_is_repaired():
    raw = b"From: a@example.no\r\nSubject: =?utf-8?q?Sl=F8tt_meg?=\r\n\r\nx\r\n"
    msg = parse_message(raw)
    assert msg.subject == "Sløtt meg"
    assert any("not valid utf-8" in d for d in msg.defects)


def test_a_plain_part_that_lost_its_line_breaks_gives_way_to_the_html_part():
    """Some webmails send text/plain as one long line: the quote's attribution and markers are lost."""
    new = "Hei Mikko, kiitos vahvistuksesta. Voisitteko poistaa puhelun nauhoitteen nyt kun asia on hoidettu?"
    quote = " ".join(["Hei Katja, vahvistan, että asia on nyt suljettu ja saatava on maksettu kokonaan."] * 6)
    plain = f"{new} Katja to 12.11.2026 klo 15.02 Mikko Laine <mikko@alektum.example> kirjoitti: {quote}"
    html = (f"<div>{new}</div><div>Katja</div><div>to 12.11.2026 klo 15.02 Mikko Laine "
            f"&lt;mikko@alektum.example&gt; kirjoitti:</div><blockquote><p>{quote}</p><p>Mikko</p></blockquote>")
    raw = ("From: Katja <katja@example.fi>\nTo: info@alektum.example\nSubject: Re: Asia\nMIME-Version: 1.0\n"
           'Content-Type: multipart/alternative; boundary="b"\n\n--b\nContent-Type: text/plain; charset=utf-8\n\n'
           f"{plain}\n--b\nContent-Type: text/html; charset=utf-8\n\n{html}\n--b--\n").encode()
    msg = parse_message(raw)
    assert msg.body_from_html
    assert "nauhoitteen" in msg.new_text and "vahvistan" not in msg.new_text
    assert "vahvistan" in msg.quoted_text
