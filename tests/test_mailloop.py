"""The mail loop end to end: real Dovecot in, the real pipeline, real aiosmtpd out.

Every test runs on SQLite and on PostgreSQL (the ``db_url`` fixture). Nothing is
mocked: mail is APPENDed to Dovecot, fetched by ``ingest.poll_all``, stored and
decided by ``Pipeline``, and sent by ``outbox.send_due`` to the SMTP sink.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import threading
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid
from pathlib import Path

import pytest
from sqlmodel import Session, select

from intake_bot.classify import default_classifier
from intake_bot.config import settings_from_dict
from intake_bot.db import make_engine, upgrade
from intake_bot.ingest import poll_all
from intake_bot.mailbox import open_mailbox
from intake_bot.models import Case, CaseEvent, InboundMessage, OutboxMessage
from intake_bot.outbox import send_due
from intake_bot.pipeline import Pipeline
from intake_bot.replies import format_date, make_env
from intake_bot.runner import Runner

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
OUR_DOMAIN = "alektumgroup.com"
STAFF = "privacy-team@alektumgroup.com"
REF_SUBJECT = re.compile(r"^\[DSR-\d{4}-\d{6}\]")
_CLASSIFIER = None


def classifier():
    global _CLASSIFIER
    if _CLASSIFIER is None:
        _CLASSIFIER = default_classifier()
    return _CLASSIFIER


class Clock:
    def __init__(self):
        self.t = datetime.now(timezone.utc)

    def __call__(self) -> datetime:
        return self.t


class Loop:
    """The bot wired to the fixture servers, one or more mailboxes (one Dovecot user each)."""

    def __init__(self, db_url, dovecot, sink, users: list[tuple[str, str]], pipeline_opts=None):
        env = {}
        boxes = []
        for i, (user, password) in enumerate(users):
            name = ["dataprotection", "info"][i] if i < 2 else f"box{i}"
            env[f"LOOP_PW_{i}"] = password
            boxes.append({"name": name, "address": f"{name}@alektumgroup.no", "host": dovecot.host,
                          "port": dovecot.port, "security": "none", "username": user,
                          "password_env": f"LOOP_PW_{i}", "batch_size": 3})
        data = {
            "organisation": {"name": "Alektum Group", "country": "NO", "timezone": "Europe/Oslo",
                             "reply_from": f"dataprotection@{OUR_DOMAIN}",
                             "dpo_address": f"dataprotection@{OUR_DOMAIN}"},
            "database": {"url": db_url},
            "mailboxes": boxes,
            "smtp": {"host": "127.0.0.1", "port": sink.port, "security": "none",
                     "backoff_base_seconds": 1.0, "backoff_max_seconds": 5.0},
            # the digest is tested elsewhere; on here it would join the outbox after 07:30
            "digest": {"recipients": [STAFF], "daily": False},
        }
        if pipeline_opts:
            data["pipeline"] = pipeline_opts
        self.settings = settings_from_dict(data, env=env)
        upgrade(db_url)
        self.engine = make_engine(db_url)
        self.clock = Clock()
        self.env = make_env()
        self.dovecot, self.sink, self.users = dovecot, sink, [u for u, _ in users]

    def pipeline(self) -> Pipeline:
        """A fresh pipeline, as after a restart."""
        return Pipeline(self.settings, self.engine, classifier(), self.env, now=self.clock)

    def deliver(self, raw: bytes, *, user: int = 0, date: datetime | None = None) -> None:
        self.dovecot.append(self.users[user], raw, date=date)

    def poll(self, pipeline: Pipeline | None = None):
        return poll_all(self.settings, self.engine, pipeline or self.pipeline(), now=self.clock)

    def send(self):
        return asyncio.run(send_due(self.engine, self.settings.smtp, worker="loop", now=self.clock))

    def rows(self, model, *where):
        with Session(self.engine) as s:
            return list(s.exec(select(model).where(*where).order_by(model.id)))

    def folder(self, name: str, user: int = 0) -> list[bytes]:
        return self.dovecot.fetch_all(self.users[user], name)

    def received(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(m.raw, policy=email.policy.default) for m in self.sink.messages]


def mail(sender: str, subject: str, body: str, *, to: str = "dataprotection@alektumgroup.no",
         reply_to: str | None = None, message_id: str | None = None, headers: dict | None = None) -> bytes:
    msg = EmailMessage()
    if sender:
        msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime.now(timezone.utc))
    msg["Message-ID"] = message_id or make_msgid(domain="example.net")
    if reply_to:
        msg["Reply-To"] = reply_to
    for k, v in (headers or {}).items():
        msg[k] = v
    msg.set_content(body)
    return msg.as_bytes(policy=email.policy.SMTP)  # CRLF, as Dovecot stores it


# One access request per language, each with a sentence that must never be echoed back.
REQUESTS = {
    "nb": ("kari.nordmann@example.no", "Innsyn",
           "Hei,\n\nJeg ber om innsyn i alle personopplysninger dere har registrert om meg, jf. "
           "personvernforordningen artikkel 15.\n\nMed vennlig hilsen\nKari Nordmann\n"),
    "sv": ("anna.svensson@example.se", "Registerutdrag",
           "Hej,\n\nJag begär ett registerutdrag enligt artikel 15 i dataskyddsförordningen, alltså "
           "tillgång till alla personuppgifter ni behandlar om mig.\n\nMed vänliga hälsningar\nAnna Svensson\n"),
    "da": ("jens.jensen@example.dk", "Indsigt",
           "Hej,\n\nJeg anmoder hermed om indsigt i alle de personoplysninger, I behandler om mig, "
           "jf. databeskyttelsesforordningens artikel 15.\n\nMed venlig hilsen\nJens Jensen\n"),
    "fi": ("matti.virtanen@example.fi", "Tarkastuspyyntö",
           "Hei,\n\nPyydän saada tarkastaa kaikki henkilötiedot, joita käsittelette minusta, "
           "tietosuoja-asetuksen 15 artiklan mukaisesti.\n\nYstävällisin terveisin\nMatti Virtanen\n"),
    "en": ("john.smith@example.co.uk", "Subject access request",
           "Hello,\n\nUnder Article 15 of the GDPR I request access to all personal data you hold "
           "about me and a copy of it.\n\nKind regards\nJohn Smith\n"),
    "de": ("max.mustermann@example.de", "Auskunftsersuchen",
           "Guten Tag,\n\nhiermit verlange ich gemäß Art. 15 DSGVO Auskunft über alle zu meiner Person "
           "gespeicherten personenbezogenen Daten.\n\nMit freundlichen Grüßen\nMax Mustermann\n"),
}
AUTHORITY = {"nb": "Datatilsynet", "sv": "Integritetsskyddsmyndigheten", "da": "Datatilsynet",
             "fi": "Tietosuojavaltuutetun toimisto", "en": "Datatilsynet",
             "de": "Datatilsynet"}  # a German reply names the organisation's own (Norwegian) authority
DEBT_WORDS = ("debt", "gjeld", "skyld", "skuld", "gæld", "velka", "velan", "schuld", "inkasso", "perintä",
              "betalingsplan", "ratenzahlung", "invoice", "faktura")


@pytest.fixture
def loop(db_url, dovecot, imap_user, smtp_sink):
    return Loop(db_url, dovecot, smtp_sink, [imap_user])


def text_of(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def html_of(msg) -> str:
    return msg.get_body(preferencelist=("html",)).get_content()


# --------------------------------------------------------------------------- backlog and new mail
def test_backlog_is_ingested_then_new_mail_while_the_runner_runs(loop):
    loop.deliver(mail(*REQUESTS["nb"][:1], REQUESTS["nb"][1], REQUESTS["nb"][2]))
    loop.deliver(mail(REQUESTS["en"][0], REQUESTS["en"][1], REQUESTS["en"][2]))
    runner = Runner(loop.settings, loop.engine, loop.pipeline(), loop.env, now=loop.clock, worker="t-runner",
                    interval=0.2)
    t = threading.Thread(target=runner.run, daemon=True)
    t.start()
    try:
        assert len(loop.sink.wait_for(2, timeout=20)) == 2  # the backlog, acknowledged
        loop.deliver(mail(REQUESTS["de"][0], REQUESTS["de"][1], REQUESTS["de"][2]))
        assert len(loop.sink.wait_for(3, timeout=20)) == 3  # new mail while it runs
    finally:
        runner.stop()
        t.join(10)
    assert not t.is_alive(), "the runner did not stop"
    assert len(loop.rows(Case)) == 3
    assert loop.folder("INBOX") == []
    assert len(loop.folder("Processed")) == 3
    assert sorted(m.mail_from for m in loop.sink.messages) == [f"dataprotection@{OUR_DOMAIN}"] * 3


def test_restart_does_not_ingest_twice(loop):
    loop.deliver(mail(REQUESTS["sv"][0], REQUESTS["sv"][1], REQUESTS["sv"][2]))
    loop.deliver((SAMPLES / "12-nb-payment-plan.eml").read_bytes())
    [rep] = loop.poll()
    assert (rep.fetched, rep.stored, rep.error) == (2, 2, None)
    counts = len(loop.rows(InboundMessage)), len(loop.rows(OutboxMessage))
    # a restart: a new pipeline, polling again, also after the processed mail is put back in the inbox
    [rep2] = loop.poll(loop.pipeline())
    assert rep2.fetched == 0
    for raw in loop.folder("Processed"):
        loop.deliver(raw)
    [rep3] = loop.poll(loop.pipeline())
    assert (rep3.fetched, rep3.already, rep3.stored) == (2, 2, 0)
    assert (len(loop.rows(InboundMessage)), len(loop.rows(OutboxMessage))) == counts
    assert loop.folder("INBOX") == []


def test_committed_but_not_moved_is_moved_next_poll_not_stored_twice(loop):
    loop.deliver(mail(REQUESTS["da"][0], REQUESTS["da"][1], REQUESTS["da"][2]))
    cfg = loop.settings.mailboxes[0]
    pipeline = loop.pipeline()
    with open_mailbox(cfg) as box:  # a crash between the commit and the MOVE
        keys = box.pending_keys()
        outcomes = [pipeline.process(cfg, f) for f in box.fetch(keys, batch_size=10)]
    assert [o.disposition for o in outcomes] == ["case_opened"]
    assert len(loop.folder("INBOX")) == 1
    outbox_before = len(loop.rows(OutboxMessage))
    [rep] = loop.poll(loop.pipeline())
    assert (rep.fetched, rep.already, rep.stored) == (1, 1, 0)
    assert loop.folder("INBOX") == [] and len(loop.folder("Processed")) == 1
    assert len(loop.rows(InboundMessage)) == 1 and len(loop.rows(Case)) == 1
    assert len(loop.rows(OutboxMessage)) == outbox_before == 1


def test_uidvalidity_change_resyncs_by_content_hash(loop):
    first = mail(REQUESTS["fi"][0], REQUESTS["fi"][1], REQUESTS["fi"][2])
    loop.deliver(first)
    loop.poll()
    loop.send()
    assert len(loop.sink.messages) == 1
    # a server migration: the old mail reappears in the inbox under new UIDs and a new UIDVALIDITY
    loop.deliver(first)
    loop.deliver(mail(REQUESTS["en"][0], REQUESTS["en"][1], REQUESTS["en"][2]))
    loop.dovecot.set_uidvalidity(loop.users[0])
    [rep] = loop.poll(loop.pipeline())
    loop.send()
    assert rep.uidvalidity_changed and rep.error is None
    assert (rep.fetched, rep.already, rep.stored) == (2, 1, 1)
    assert len(loop.rows(InboundMessage)) == 2 and len(loop.rows(Case)) == 2
    acks_to = [m.rcpt_tos for m in loop.sink.messages]
    assert acks_to == [[REQUESTS["fi"][0]], [REQUESTS["en"][0]]]  # the Finnish one not acknowledged again
    assert loop.folder("INBOX") == []
    # and the next poll with the new UIDVALIDITY reports no change
    [rep2] = loop.poll()
    assert not rep2.uidvalidity_changed and rep2.fetched == 0


def test_uidvalidity_change_with_rewritten_headers_resyncs_by_message_id(loop):
    """A migration that also rewrote the bytes (a header added): same Message-ID and
    INTERNALDATE, new UIDVALIDITY -> already stored, no second row, case or reply."""
    first = mail(REQUESTS["sv"][0], REQUESTS["sv"][1], REQUESTS["sv"][2])
    loop.deliver(first)
    loop.poll()
    loop.send()
    assert len(loop.sink.messages) == 1
    [stored] = loop.rows(InboundMessage)
    loop.deliver(b"X-Migrated-From: old-imap.example.net\r\n" + first, date=stored.received_at)  # imapsync keeps it
    loop.dovecot.set_uidvalidity(loop.users[0])
    [rep] = loop.poll(loop.pipeline())
    loop.send()
    assert rep.uidvalidity_changed and (rep.fetched, rep.already, rep.stored) == (1, 1, 0)
    assert len(loop.rows(InboundMessage)) == 1 and len(loop.rows(Case)) == 1 and len(loop.sink.messages) == 1
    # within one UIDVALIDITY, other bytes with the same Message-ID are a new delivery: kept, not acted on twice
    loop.deliver(b"X-Resent: yes\r\n" + first, date=stored.received_at + timedelta(hours=1))
    [rep] = loop.poll()
    loop.send()
    assert rep.stored == 1 and [r.disposition for r in loop.rows(InboundMessage)][-1] == "duplicate"
    assert len(loop.rows(Case)) == 1 and len(loop.sink.messages) == 1


# --------------------------------------------------------------------------- folders and quarantine
def test_processed_folder_created_and_broken_mail_quarantined(db_url, dovecot, imap_user, smtp_sink):
    loop = Loop(db_url, dovecot, smtp_sink, [imap_user], pipeline_opts={"max_message_bytes": 20_000})
    assert "Processed" not in loop.dovecot.folders(loop.users[0])
    assert "Quarantine" not in loop.dovecot.folders(loop.users[0])
    no_sender = b"To: dataprotection@alektumgroup.no\r\nSubject: \r\nMIME-Version: 1.0\r\n\r\n"
    huge = mail("big@example.no", "Innsyn", "Jeg ber om innsyn.\n" + "x" * 60 + "\n" * 0 + ("y" * 70 + "\n") * 400)
    good = mail(REQUESTS["nb"][0], REQUESTS["nb"][1], REQUESTS["nb"][2])
    for raw in (no_sender, huge, good):
        loop.deliver(raw)
    [rep] = loop.poll()
    assert rep.quarantined == 2 and rep.error is None
    folders = loop.dovecot.folders(loop.users[0])
    assert "Processed" in folders and "Quarantine" in folders
    assert loop.folder("Processed") == [good]
    assert sorted(loop.folder("Quarantine"), key=len) == [no_sender, huge]
    assert loop.folder("INBOX") == []
    quarantined = loop.rows(InboundMessage, InboundMessage.disposition == "quarantined")
    assert len(quarantined) == 2
    reasons = {r.size: r.quarantine_reason for r in quarantined}
    assert all(reasons.values())
    assert "sender" in reasons[len(no_sender)].lower() or "from" in reasons[len(no_sender)].lower()
    assert re.search(r"size|large|bytes", reasons[len(huge)], re.I)
    assert all(r.raw for r in quarantined)  # the bytes are kept for staff
    loop.send()
    assert [m.rcpt_tos for m in loop.sink.messages] == [[REQUESTS["nb"][0]]]
    # the next poll leaves the quarantined mail alone
    [rep2] = loop.poll()
    assert rep2.fetched == 0 and len(loop.rows(InboundMessage)) == 3


# --------------------------------------------------------------------------- the acknowledgement
def test_acknowledgement_in_every_language(loop):
    sent_ids = {}
    for lang, (sender, subject, body) in REQUESTS.items():
        reply_to = "someone.else@example.com" if lang == "nb" else None
        raw = mail(f"Requester <{sender}>", subject, body, reply_to=reply_to)
        sent_ids[lang] = email.message_from_bytes(raw)["Message-ID"]
        loop.deliver(raw)
    loop.poll()
    rep = loop.send()
    assert rep.sent == 6
    by_rcpt = {}
    for m in loop.sink.messages:
        assert len(m.rcpt_tos) == 1
        by_rcpt[m.rcpt_tos[0]] = email.message_from_bytes(m.raw, policy=email.policy.default)
    assert set(by_rcpt) == {s for s, _, _ in REQUESTS.values()}, "each To must be the From address"
    cases = {c.requester: c for c in loop.rows(Case)}
    for lang, (sender, subject, body) in REQUESTS.items():
        ack = by_rcpt[sender]
        case = cases[sender]
        assert case.language == lang, (lang, case.language)
        assert REF_SUBJECT.match(ack["Subject"]), ack["Subject"]
        assert ack["Subject"].startswith(f"[{case.reference}]")
        assert ack["In-Reply-To"] == sent_ids[lang]
        assert sent_ids[lang] in ack["References"]
        assert ack["Auto-Submitted"] == "auto-replied"
        assert ack["X-Auto-Response-Suppress"] == "All"
        assert ack["Message-ID"].strip("<>").endswith("@" + OUR_DOMAIN)
        assert [a for _, a in getaddresses([ack["To"]])] == [sender]
        assert ack.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in ack.iter_parts()] == ["text/plain", "text/html"]
        due = format_date(case.due_date, lang)
        for part in (text_of(ack), html_of(ack)):
            assert case.reference in part
            assert due in part.replace("&nbsp;", " "), (lang, due)
            assert AUTHORITY[lang] in part, (lang, AUTHORITY[lang])
            quoted = body.split("\n\n")[1][:40]
            assert quoted not in part, f"{lang}: the requester's text is echoed"
            lowered = part.lower()
            assert not [w for w in DEBT_WORDS if w in lowered], (lang, [w for w in DEBT_WORDS if w in lowered])
    assert "someone.else@example.com" not in {r for m in loop.sink.messages for r in m.rcpt_tos}


# --------------------------------------------------------------------------- no reply cases
def test_automated_and_not_request_mail_get_no_reply(loop):
    loop.deliver((SAMPLES / "18-en-out-of-office-auto-submitted.eml").read_bytes())
    loop.deliver((SAMPLES / "19-nb-out-of-office-no-header.eml").read_bytes())
    loop.deliver((SAMPLES / "12-nb-payment-plan.eml").read_bytes())
    loop.deliver((SAMPLES / "16-en-debt-question.eml").read_bytes())
    [rep] = loop.poll()
    loop.send()
    assert rep.fetched == 4 and rep.error is None
    assert loop.sink.messages == [] and loop.rows(OutboxMessage) == [] and loop.rows(Case) == []
    rows = loop.rows(InboundMessage)
    assert [r.disposition for r in rows] == ["automated", "automated", "not_request", "not_request"]
    assert all(r.automated_reason for r in rows[:2])
    triage = loop.rows(InboundMessage, InboundMessage.disposition == "not_request",
                       InboundMessage.triaged == False)  # noqa: E712
    assert len(triage) == 2 and all(r.raw and r.subject for r in triage)  # recorded for staff triage
    assert len(loop.folder("Processed")) == 4


def test_reply_to_non_requests_when_configured(db_url, dovecot, imap_user, smtp_sink):
    """`reply_to_non_requests = true`: a short answer in the sender's language, no case, no
    word about debts; automated mail still gets nothing; a second poll sends nothing twice."""
    loop = Loop(db_url, dovecot, smtp_sink, [imap_user], pipeline_opts={"reply_to_non_requests": True})
    loop.deliver((SAMPLES / "18-en-out-of-office-auto-submitted.eml").read_bytes())
    loop.deliver((SAMPLES / "12-nb-payment-plan.eml").read_bytes())
    loop.deliver((SAMPLES / "17-de-ratenzahlung.eml").read_bytes())
    loop.poll()
    loop.send()
    loop.poll()
    loop.send()
    assert loop.rows(Case) == []
    rows = loop.rows(InboundMessage)
    assert [r.disposition for r in rows] == ["automated", "not_request", "not_request"]
    got = loop.received()
    assert sorted(m["Subject"] for m in got) == ["Vi har mottatt e-posten din", "Wir haben Ihre E-Mail erhalten"]
    for m, row in zip(sorted(got, key=lambda m: m["Subject"]), rows[1:]):
        assert m["In-Reply-To"] == f"<{row.message_id}>" and m["Auto-Submitted"] == "auto-replied"
        assert m["To"].addresses[0].addr_spec == row.from_addr
        body = text_of(m).lower()
        assert not any(w in body for w in DEBT_WORDS), body
    # the triage list still shows them to staff
    assert all(not r.triaged for r in rows[1:])


def test_same_mail_to_two_mailboxes_makes_one_case_and_one_ack(db_url, dovecot, imap_user, smtp_sink):
    second = (f"info-{imap_user[0]}", "pw-second")
    dovecot.add_user(*second)
    loop = Loop(db_url, dovecot, smtp_sink, [imap_user, second])
    raw = mail(REQUESTS["nb"][0], "Innsyn", REQUESTS["nb"][2],
               to="dataprotection@alektumgroup.no, info@alektumgroup.no")
    loop.deliver(raw, user=0)
    loop.deliver(raw, user=1)
    reports = loop.poll()
    loop.send()
    assert [r.fetched for r in reports] == [1, 1]
    assert len(loop.rows(Case)) == 1
    assert len(loop.sink.messages) == 1
    rows = loop.rows(InboundMessage)
    assert sorted(r.disposition for r in rows) == ["case_opened", "duplicate"]
    assert rows[0].case_id == rows[1].case_id is not None
    assert loop.folder("INBOX", user=0) == [] and loop.folder("INBOX", user=1) == []
    # once more, as after a restart: still one
    loop.poll(loop.pipeline())
    loop.send()
    assert len(loop.sink.messages) == 1 and len(loop.rows(InboundMessage)) == 2


def test_mail_from_an_authority_alerts_staff_and_gets_no_auto_reply(loop):
    loop.deliver(mail("Saksbehandler <saksbehandler@datatilsynet.no>", "Klage - vår ref. 26/01234",
                      "Datatilsynet har mottatt en klage på manglende svar på en innsynsbegjæring. "
                      "Vi ber om en redegjørelse innen tre uker."))
    loop.poll()
    loop.send()
    [row] = loop.rows(InboundMessage)
    assert row.disposition == "authority"
    rcpts = [r for m in loop.sink.messages for r in m.rcpt_tos]
    assert "saksbehandler@datatilsynet.no" not in rcpts
    assert rcpts == [STAFF]
    [alert] = loop.rows(OutboxMessage)
    assert alert.kind == "alert_authority" and alert.status == "sent"
    assert "saksbehandler@datatilsynet.no" not in loop.received()[0].as_string()


def test_old_backlog_mail_gets_no_ack_and_is_flagged_for_staff(loop):
    old = loop.clock() - timedelta(days=38)
    loop.deliver(mail(REQUESTS["nb"][0], REQUESTS["nb"][1], REQUESTS["nb"][2]), date=old)
    loop.poll()
    loop.send()
    [case] = loop.rows(Case)
    assert case.needs_review
    assert case.due_date < loop.clock().date()
    kinds = [e.kind for e in loop.rows(CaseEvent, CaseEvent.case_id == case.id)]
    assert "late_backlog" in kinds
    assert not [o for o in loop.rows(OutboxMessage) if o.to_addr == REQUESTS["nb"][0]]
    assert REQUESTS["nb"][0] not in [r for m in loop.sink.messages for r in m.rcpt_tos]


# --------------------------------------------------------------------------- SMTP outage
def test_outbox_retries_while_smtp_is_down_nothing_lost_nothing_twice(loop):
    for lang in ("nb", "sv", "da"):
        loop.deliver(mail(REQUESTS[lang][0], REQUESTS[lang][1], REQUESTS[lang][2]))
    loop.poll()
    queued = loop.rows(OutboxMessage)
    assert len(queued) == 3
    loop.sink.stop()
    try:
        rep = loop.send()
        assert rep.sent == 0 and rep.retried == 3
        assert all(o.sent_at is None and o.attempts == 1 for o in loop.rows(OutboxMessage))
    finally:
        loop.sink.start()
    loop.send()  # not yet due: the backoff holds
    loop.clock.t += timedelta(minutes=10)
    loop.send()
    loop.clock.t += timedelta(minutes=10)
    loop.send()  # nothing left: no resend
    got = [m.message_id.strip("<>") for m in loop.sink.messages]
    assert sorted(got) == sorted(o.message_id.strip("<>") for o in queued)
    assert len(got) == len(set(got)) == 3
    assert {o.status for o in loop.rows(OutboxMessage)} == {"sent"}


# --------------------------------------------------------------------------- odd but valid mail
def test_overlong_headers_do_not_make_the_database_reject_a_request(loop):
    """PostgreSQL enforces column widths (SQLite does not): a 1,500-character Message-ID or
    In-Reply-To must not send a real request to quarantine on one database only."""
    long_id = "<" + "x" * 1500 + "@example.no>"
    loop.deliver(mail(REQUESTS["nb"][0], "Innsyn", REQUESTS["nb"][2], message_id=long_id))
    loop.deliver(mail(REQUESTS["da"][0], "Indsigt", REQUESTS["da"][2],
                      headers={"In-Reply-To": "<" + "y" * 2000 + "@example.dk>",
                               "References": " ".join(f"<r{i}@example.dk>" for i in range(400))}))
    loop.deliver(mail(REQUESTS["sv"][0], "Registerutdrag", REQUESTS["sv"][2].replace("artikel", "artikel\x00")))
    [rep] = loop.poll()
    loop.send()
    assert rep.quarantined == 0, [(r.disposition, r.quarantine_reason) for r in loop.rows(InboundMessage)]
    assert len(loop.rows(Case)) == 3 and len(loop.sink.messages) == 3
    # the same long Message-ID again (as to a second mailbox) is still recognised as one email
    loop.deliver(mail(REQUESTS["nb"][0], "Innsyn", REQUESTS["nb"][2] + "\n", message_id=long_id))
    loop.poll()
    assert loop.rows(InboundMessage)[-1].disposition == "duplicate"
    assert len(loop.rows(Case)) == 3


def test_a_stop_request_ends_a_long_poll_between_messages(loop):
    """SIGTERM during a big backlog: stop after the current message, not after the whole inbox."""
    from intake_bot.ingest import poll_mailbox

    for i in range(7):
        loop.deliver(mail(f"person{i}@example.no", "Innsyn", REQUESTS["nb"][2]))
    seen = []
    cfg = loop.settings.mailboxes[0]
    rep = poll_mailbox(loop.settings, loop.engine, loop.pipeline(), cfg, now=loop.clock,
                       stop=lambda: len(seen.append(1) or seen) > 2)
    assert rep.stopped and rep.fetched == 2 and rep.error is None
    assert len(loop.folder("Processed")) == 2 and len(loop.folder("INBOX")) == 5
    [rep2] = loop.poll()
    assert (rep2.fetched, rep2.stored, rep2.already) == (5, 5, 0)
    assert len(loop.rows(Case)) == 7 and len(loop.rows(InboundMessage)) == 7
