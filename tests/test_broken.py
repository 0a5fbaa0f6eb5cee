"""A corpus of broken mail through the real poll loop (a Maildir mailbox, SQLite).

tests/broken/*.eml are kept with their expected outcome in tests/broken/expected.json;
deep nesting, an HTML bomb, an oversized mail and a message whose processing raises
are generated here. Repaired mail is processed with its defects recorded; only mail
with no usable sender (or neither sender nor text), over the size limit, or that
raised is quarantined, with a reason; and one poll gets through all of it.
"""

from __future__ import annotations

import json
import mailbox as std_mailbox
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlmodel import Session, select

from intake_bot.classify import default_classifier
from intake_bot.config import settings_from_dict
from intake_bot.db import make_engine, upgrade
from intake_bot.digest import build_digest
from intake_bot.ingest import poll_all
from intake_bot.models import InboundMessage
from intake_bot.pipeline import Pipeline
from intake_bot.replies import make_env

HERE = Path(__file__).parent / "broken"
EXPECTED = {k: v for k, v in json.loads((HERE / "expected.json").read_text()).items() if not k.startswith("_")}
MAX_BYTES = 200_000
HEAD = "From: Generated <gen{n}@example.no>\nTo: info@alektumgroup.no\nMessage-ID: <gen{n}@example.no>\n"


def deep_nesting(levels: int = 300) -> bytes:
    body = "Content-Type: text/plain\n\nbottom\n"
    for i in reversed(range(levels)):
        body = (f"Content-Type: multipart/mixed; boundary=\"b{i}\"\n\n--b{i}\n"
                + ("Content-Type: text/plain\n\nHei, jeg ber om innsyn i mine personopplysninger.\n--b{i}\n".format(i=i)
                   if i == 0 else "") + body + f"\n--b{i}--\n")
    return (HEAD.format(n=1) + "Subject: deep\nMIME-Version: 1.0\n" + body).encode()


def html_bomb() -> bytes:
    markup = "<html><body><p>Please erase my data.</p>" + "<div><table><tr><td>" * 7000 + "x"
    return (HEAD.format(n=2) + "Subject: bomb\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n"
            + markup).encode()


def oversized() -> bytes:
    return (HEAD.format(n=3) + "Subject: big\n\n" + "Slett meg. " * (MAX_BYTES // 10)).encode()


def exploding() -> bytes:
    return (HEAD.format(n=4) + "Subject: EXPLODE\n\nJeg ber om innsyn.\n").encode()


GENERATED = {
    "gen-deep-nesting": (deep_nesting(), {"outcome": "processed", "defects": ["nesting deeper than"],
                                          "text": "innsyn"}),
    "gen-html-bomb": (html_bomb(), {"outcome": "processed", "defects": ["html: nesting deeper than"],
                                    "text": "erase my data"}),
    "gen-oversized": (oversized(), {"outcome": "quarantined", "reason": f"over the limit of {MAX_BYTES}"}),
    "gen-exploding": (exploding(), {"outcome": "quarantined", "reason": "internal error: RuntimeError"}),
}


class ExplodingClassifier:
    """The real classifier, except that it raises on one message: the loop must go on."""

    def __init__(self, inner):
        self.inner = inner

    def classify(self, msg):
        if msg.subject == "EXPLODE":
            raise RuntimeError("classifier blew up")
        return self.inner.classify(msg)


@pytest.fixture(scope="module")
def polled(tmp_path_factory):
    d = tmp_path_factory.mktemp("broken")
    md = std_mailbox.Maildir(d / "md", create=True)
    names: dict[str, str] = {}
    for path in sorted(HERE.glob("*.eml")):
        names[md.add(path.read_bytes())] = path.name
    for name, (raw, _) in GENERATED.items():
        names[md.add(raw)] = name
    url = f"sqlite:///{d / 'broken.db'}"
    settings = settings_from_dict({
        "database": {"url": url},
        "mailboxes": [{"name": "info", "address": "info@alektumgroup.no", "type": "maildir", "path": str(d / "md")}],
        "smtp": {"transport": "directory", "directory": str(d / "out")},
        "pipeline": {"max_message_bytes": MAX_BYTES},
    }, env={})
    upgrade(url)
    engine = make_engine(url)
    now = lambda: datetime.now(timezone.utc)  # noqa: E731
    pipeline = Pipeline(settings, engine, ExplodingClassifier(default_classifier()), make_env(), now=now)
    reports = poll_all(settings, engine, pipeline, now=now)
    again = poll_all(settings, engine, pipeline, now=now)
    with Session(engine) as s:
        rows = {names[r.uid]: r for r in s.exec(select(InboundMessage))}
        digest = build_digest(s, settings, now=now() + timedelta(minutes=1), since=None)
    return {"md": md, "names": names, "report": reports[0], "again": again[0], "rows": rows, "digest": digest}


def test_corpus_has_an_expectation_for_every_file():
    assert sorted(p.name for p in HERE.glob("*.eml")) == sorted(EXPECTED)
    assert len(EXPECTED) >= 15


def test_one_poll_gets_through_everything_and_files_it(polled):
    report, names = polled["report"], polled["names"]
    expected = {**EXPECTED, **{k: v for k, (_, v) in GENERATED.items()}}
    quarantined = {n for n, e in expected.items() if e["outcome"] == "quarantined"}
    assert report.error is None
    assert report.fetched == report.stored == len(names)
    assert report.quarantined == len(quarantined)
    md = polled["md"]
    md._refresh()
    assert list(md.keys()) == []  # the inbox is empty: nothing stuck, nothing skipped
    assert {names[k] for k in md.get_folder("Quarantine").keys()} == quarantined
    assert {names[k] for k in md.get_folder("Processed").keys()} == set(names.values()) - quarantined
    assert polled["again"].fetched == 0


@pytest.mark.parametrize("name", sorted(EXPECTED) + sorted(GENERATED))
def test_each_message_is_repaired_or_quarantined_with_its_reason(polled, name):
    want = EXPECTED.get(name) or GENERATED[name][1]
    row = polled["rows"][name]
    if want["outcome"] == "quarantined":
        assert row.disposition == "quarantined"
        assert want["reason"] in row.quarantine_reason
        assert row.raw is not None  # kept whole for staff
        return
    assert row.disposition not in ("quarantined", "pending"), row.quarantine_reason
    assert row.quarantine_reason is None
    for defect in want["defects"]:
        assert any(defect in d for d in row.defects), (defect, row.defects)
    assert want["text"].lower() in (row.new_text or "").lower()
    if "not_text" in want:
        assert want["not_text"] not in row.new_text
    if "from" in want:
        assert row.from_addr == want["from"]
    if "subject" in want:
        assert want["subject"] in row.subject and "\x00" not in row.subject


def test_staff_digest_lists_every_quarantined_message_with_its_reason(polled):
    lines = [t for t in polled["digest"].triage if t.kind == "quarantined"]
    quarantined = [r for r in polled["rows"].values() if r.disposition == "quarantined"]
    assert len(lines) == len(quarantined) >= 5
    assert all(t.detail for t in lines)
    assert any("over the limit" in t.detail for t in lines)
