"""Composed messages parse back to the headers and parts we meant to write."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from email import policy
from email.parser import BytesParser
from email.utils import parsedate_to_datetime

import pytest

from intake_bot.authorities import authority_for
from intake_bot.compose import compose, make_message_id
from intake_bot.errors import UserError
from intake_bot.replies import RenderedMail, make_env, render

WHEN = datetime(2026, 1, 5, 9, 30, tzinfo=timezone(timedelta(hours=1)))
RENDERED = RenderedMail(
    subject="[AG-2026-00042] Vi har mottatt henvendelsen din – æøå",
    text="Hei,\n\nVi svarer senest 5. februar 2026.\n\nVennlig hilsen\nAlektum Group\n",
    html="<!DOCTYPE html><html><body><p>Hei,</p><p>Vi svarer senest <b>5. februar 2026</b>.</p></body></html>\n",
)


def parse(raw: bytes):
    return BytesParser(policy=policy.default).parsebytes(raw)


def build(**kw) -> bytes:
    args = dict(from_addr="info@alektumgroup.no", from_name="Alektum Group", to_addr="kari@example.no",
                message_id="<ack.abc@alektumgroup.no>", date=WHEN)
    args.update(kw)
    return compose(RENDERED, **args)


def test_headers_round_trip():
    raw = build(in_reply_to="<orig-2@mail.example.no>", references=["<orig-1@mail.example.no>",
                                                                     "<orig-2@mail.example.no>"])
    msg = parse(raw)
    assert msg["From"].addresses[0].addr_spec == "info@alektumgroup.no"
    assert msg["From"].addresses[0].display_name == "Alektum Group"
    assert msg["To"].addresses[0].addr_spec == "kari@example.no"
    assert str(msg["Subject"]) == RENDERED.subject
    assert parsedate_to_datetime(msg["Date"]) == WHEN
    assert msg["Message-ID"] == "<ack.abc@alektumgroup.no>"
    assert msg["In-Reply-To"] == "<orig-2@mail.example.no>"
    assert msg["References"].split() == ["<orig-1@mail.example.no>", "<orig-2@mail.example.no>"]
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["X-Auto-Response-Suppress"] == "All"
    assert msg["MIME-Version"] == "1.0"
    assert msg["Reply-To"] is None
    for name in ("From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Auto-Submitted"):
        assert len(msg.get_all(name)) == 1, name


def test_two_utf8_parts():
    msg = parse(build())
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    assert parts[0].get_content().replace("\r\n", "\n") == RENDERED.text
    assert parts[1].get_content().replace("\r\n", "\n") == RENDERED.html
    assert msg.get_body(("html",)) is parts[1]


def test_wire_format_is_smtp_safe():
    raw = build()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    raw.decode("ascii")  # 8-bit text is transfer-encoded, headers RFC 2047-encoded


def test_references_from_in_reply_to_alone():
    msg = parse(build(in_reply_to="orig@mail.example.no"))
    assert msg["In-Reply-To"] == "<orig@mail.example.no>"
    assert msg["References"] == "<orig@mail.example.no>"


def test_no_threading_headers_for_a_fresh_mail():
    msg = parse(build())
    assert msg["In-Reply-To"] is None and msg["References"] is None


def test_auto_submitted_variants():
    assert parse(build(auto_submitted="auto-generated"))["Auto-Submitted"] == "auto-generated"
    msg = parse(build(auto_submitted=None))
    assert msg["Auto-Submitted"] is None
    assert msg["X-Auto-Response-Suppress"] == "All"


def test_extra_headers():
    msg = parse(build(extra_headers={"X-Intake-Case": "AG-2026-00042"}))
    assert msg["X-Intake-Case"] == "AG-2026-00042"
    with pytest.raises(UserError):
        build(extra_headers={"Reply-To": "kari@example.no"})
    with pytest.raises(UserError):
        build(extra_headers={"message-id": "<x@y>"})


def test_header_injection_is_neutralised():
    evil = RenderedMail(subject="Hi\r\nBcc: victim@example.com", text="t", html="<p>h</p>")
    msg = parse(compose(evil, from_addr="info@alektumgroup.no", from_name="A", to_addr="kari@example.no",
                        message_id="<a@b>", date=WHEN))
    assert msg["Bcc"] is None and "victim" in str(msg["Subject"])
    with pytest.raises(UserError):
        build(to_addr="kari@example.no\r\nBcc: x@y.z")
    with pytest.raises(UserError):
        build(to_addr="a@b@c")


def test_naive_date_is_utc():
    msg = parse(build(date=datetime(2026, 1, 5, 8, 30)))
    assert parsedate_to_datetime(msg["Date"]) == datetime(2026, 1, 5, 8, 30, tzinfo=timezone.utc)


def test_from_name_with_non_ascii_and_specials():
    msg = parse(build(from_name="Alektum Group, Sverige – Dataskydd"))
    assert msg["From"].addresses[0].display_name == "Alektum Group, Sverige – Dataskydd"
    assert msg["From"].addresses[0].addr_spec == "info@alektumgroup.no"


# --- Message-IDs --------------------------------------------------------------------
def test_message_id_format_and_randomness():
    a, b = make_message_id("alektumgroup.no"), make_message_id("alektumgroup.no")
    assert re.fullmatch(r"<[0-9a-f]{32}@alektumgroup\.no>", a)
    assert a != b


def test_message_id_from_token_is_deterministic():
    a = make_message_id("alektumgroup.no", token="acknowledgement.abc123")
    assert a == make_message_id("alektumgroup.no", token="acknowledgement.abc123")
    assert a != make_message_id("alektumgroup.no", token="acknowledgement.abc124")
    assert a.startswith("<acknowledgem") and a.endswith("@alektumgroup.no>")
    assert make_message_id("alektumgroup.no", token="x" * 12 + ".1") != make_message_id(
        "alektumgroup.no", token="x" * 12 + ".2")
    odd = make_message_id("alektumgroup.no", token="ack:<weird> token@x")
    assert odd.count("@") == 1 and " " not in odd and odd.count("<") == 1


def test_token_message_id_header_is_not_folded():
    mid = make_message_id("alektumgroup.com", token="verification_reminder.0123456789abcdef01234567")
    raw = build(message_id=mid)
    assert f"Message-ID: {mid}\r\n".encode() in raw
    assert parse(raw)["Message-ID"] == mid


@pytest.mark.parametrize("domain", ["", "a b.no", "x@y.no", "<y.no>x>"])
def test_message_id_rejects_bad_domain(domain):
    with pytest.raises(UserError):
        make_message_id(domain)


# --- a real template through compose ------------------------------------------------
def test_rendered_acknowledgement_composes():
    env = make_env()
    ctx = {
        "org": {"name": "Alektum Group", "dpo_address": "dataprotection@alektumgroup.com",
                "reply_from": "info@alektumgroup.no"},
        "case": {"reference": "AG-2026-00042", "received": date(2026, 1, 5), "due": date(2026, 2, 5),
                 "request_types": ["access"]},
        "lang": "sv", "authority": authority_for("sv", "SE", None),
        "verification": {"code": "K7QM-4ZTR", "expires": date(2026, 1, 19)}, "reasons": None, "new_due": None,
    }
    mail = render(env, "acknowledgement", "sv", ctx)
    msg = parse(compose(mail, from_addr="info@alektumgroup.se", from_name="Alektum Group",
                        to_addr="anna@example.se", message_id=make_message_id("alektumgroup.se", token="ack.1"),
                        date=WHEN, in_reply_to="<in@example.se>", references=["<in@example.se>"]))
    assert str(msg["Subject"]).startswith("[AG-2026-00042] ")
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "K7QM-4ZTR" in text and "K7QM-4ZTR" in html
    assert "5 februari 2026" in text and "Integritetsskyddsmyndigheten" in html


def test_reference_tag_stays_readable_in_a_non_ascii_subject():
    rendered = RenderedMail(subject="[DSR-2026-000003] Din begäran är färdigbehandlad", text="t", html="<p>h</p>")
    raw = compose(rendered, from_addr="info@alektumgroup.no", from_name="A", to_addr="kari@example.no",
                  message_id="<a@b>", date=WHEN)
    assert b"[DSR-2026-000003]" in raw.split(b"\r\n\r\n", 1)[0]  # staff and tests grep for it
    assert str(parse(raw)["Subject"]) == rendered.subject


def test_long_headers_stay_within_the_line_limit_and_round_trip():
    subject = "Vi har mottatt henvendelsen din – æøå " * 6
    long_id = "<" + "y" * 2000 + "@example.dk>"
    raw = compose(RenderedMail(subject=subject.strip(), text="x" * 300 + "\n", html="<p>h</p>"),
                  from_addr="info@alektumgroup.no", from_name="Alektum Group, Sverige – Dataskydd",
                  to_addr="kari@example.no", message_id="<a@b>", date=WHEN, in_reply_to=long_id,
                  references=[f"<r{i}@example.dk>" for i in range(400)])
    assert max(len(line) for line in raw.split(b"\r\n")) <= 78
    msg = parse(raw)
    assert str(msg["Subject"]) == subject.strip()
    assert str(msg["In-Reply-To"]) == long_id
    assert len(str(msg["References"]).split()) == 401
    assert msg.get_body(("plain",)).get_content().replace("\r\n", "\n") == "x" * 300 + "\n"
