"""Fuzz the parser and the whole pipeline with structure-aware broken mail.

Every example must end stored (a row with a disposition) or quarantined with a
reason; nothing may escape ``Pipeline.process``. bench/fuzz_pipeline.py runs the
same property for 10,000+ examples.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from sqlmodel import Session, select

from intake_bot.classify import default_classifier
from intake_bot.config import settings_from_dict
from intake_bot.db import make_engine, upgrade
from intake_bot.errors import ParseError
from intake_bot.mailbox import FetchedMessage
from intake_bot.models import InboundMessage
from intake_bot.parse import parse_message
from intake_bot.pipeline import Pipeline
from intake_bot.replies import make_env
from tests.fuzzing.mime import messages

NOW = datetime(2026, 11, 26, 9, tzinfo=timezone.utc)


@given(messages())
@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
def test_parser_never_crashes(raw):
    try:
        msg = parse_message(raw, max_size=200_000)
    except ParseError as exc:
        assert str(exc)
        return
    assert isinstance(msg.body_text, str) and isinstance(msg.new_text, str)


def make_pipeline(tmp_path_factory):
    d = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{d / 'fuzz.db'}"
    cfg = settings_from_dict({
        "database": {"url": url},
        "mailboxes": [{"name": "info", "address": "info@alektumgroup.no", "type": "maildir", "path": str(d / "md")}],
        "smtp": {"transport": "directory", "directory": str(d / "out")},
        "pipeline": {"max_message_bytes": 300_000},
    }, env={})
    upgrade(url)
    engine = make_engine(url)
    return cfg, engine, Pipeline(cfg, engine, default_classifier(), make_env(), now=lambda: NOW)


@pytest.fixture(scope="module")
def fuzz_bot(tmp_path_factory):
    return make_pipeline(tmp_path_factory)


_counter = iter(range(10**9))


@given(messages())
@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
def test_pipeline_stores_or_quarantines_everything(fuzz_bot, raw):
    cfg, engine, pipeline = fuzz_bot
    key = str(next(_counter))
    outcome = pipeline.process(cfg.mailboxes[0], FetchedMessage(key, 1, NOW, raw, len(raw)))
    assert outcome.disposition and outcome.disposition != "pending"
    with Session(engine) as s:
        row = s.exec(select(InboundMessage).where(InboundMessage.uid == key)).first()
    if outcome.already_stored:
        return  # identical bytes drawn twice: stored once, by content hash
    assert row is not None and row.disposition == outcome.disposition
    if outcome.quarantined:
        assert row.quarantine_reason and not row.quarantine_reason.startswith("internal error"), \
            row.quarantine_reason


def test_every_golden_and_broken_message_is_stored_or_quarantined_with_a_reason(fuzz_bot):
    """The committed corpus of odd mail (tests/messages: bogus charsets, broken base64, NUL
    bytes, raw 8-bit headers, missing From, DSNs, HTML-only ...) plus generated extremes."""
    from pathlib import Path

    cfg, engine, pipeline = fuzz_bot
    corpus = sorted((Path(__file__).parent / "messages").glob("*.eml"))
    extremes = [
        b"From: a@example.org\r\nSubject: deep\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n"
        + b"--x\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n" * 500,
        b"From: a@example.org\r\nSubject: bomb\r\nContent-Type: text/html\r\n\r\n" + b"<div>" * 400_000,
        b"From: a@example.org\r\nSubject: big\r\n\r\n" + b"x" * 400_000,  # over max_message_bytes
        b"\x00\x00\x00",
    ]
    raws = [p.read_bytes() for p in corpus] + extremes
    for i, raw in enumerate(raws):
        key = f"golden-{i}"
        out = pipeline.process(cfg.mailboxes[0], FetchedMessage(key, 7, NOW, raw, len(raw)))
        with Session(engine) as s:
            row = s.exec(select(InboundMessage).where(InboundMessage.uid == key)).first()
        if out.already_stored:
            continue
        assert row is not None and row.disposition == out.disposition
        if out.quarantined:
            assert row.quarantine_reason and not row.quarantine_reason.startswith("internal error")
        else:
            assert row.defects is not None  # repaired mail is processed, with what was repaired recorded
    with Session(engine) as s:
        big = s.exec(select(InboundMessage).where(InboundMessage.uid == f"golden-{len(corpus) + 2}")).one()
    assert big.disposition == "quarantined" and "over the limit" in big.quarantine_reason
