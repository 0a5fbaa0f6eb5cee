"""End to end on real servers: Dovecot in, the pipeline, aiosmtpd out, SQLite and PostgreSQL.

Covers the mail-loop and journeys "done when" lists: one case and one
acknowledgement per request, nothing for automated mail, verification by reply
(with the code, or by only quoting our mail), wrong codes lock, expiry closes,
unsubscribe, threading by tag or by In-Reply-To, and another address cannot verify.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest
from sqlmodel import Session, select

from intake_bot import journeys
from intake_bot.classify import default_classifier
from intake_bot.config import settings_from_dict
from intake_bot.db import make_engine, upgrade
from intake_bot.ingest import poll_all
from intake_bot.models import Case, InboundMessage, Suppression
from intake_bot.outbox import send_due
from intake_bot.pipeline import Pipeline
from intake_bot.replies import make_env

ROOT = Path(__file__).resolve().parent.parent
CODE = re.compile(r"\b([2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5})\b")


class Clock:
    def __init__(self):
        self.t = datetime.now(timezone.utc)

    def __call__(self) -> datetime:
        return self.t


class Bot:
    def __init__(self, db_url, dovecot, user, password, sink, **extra):
        data = {
            "organisation": {"name": "Alektum Group", "country": "NO", "timezone": "Europe/Oslo",
                             "reply_from": "dataprotection@alektumgroup.com",
                             "dpo_address": "dataprotection@alektumgroup.com"},
            "database": {"url": db_url},
            "mailboxes": [{"name": "info", "address": "info@alektumgroup.no", "host": dovecot.host,
                           "port": dovecot.port, "security": "none", "username": user,
                           "password_env": "E2E_IMAP_PW"}],
            "smtp": {"host": "127.0.0.1", "port": sink.port, "security": "none"},
            "digest": {"recipients": ["privacy-team@alektumgroup.com"]},
        }
        for section, values in extra.items():
            data.setdefault(section, {}).update(values)
        self.settings = settings_from_dict(data, env={"E2E_IMAP_PW": password})
        upgrade(db_url)
        self.engine = make_engine(db_url)
        self.clock = Clock()
        self.env = make_env()
        self.pipeline = Pipeline(self.settings, self.engine, default_classifier(), self.env, now=self.clock)
        self.dovecot, self.user, self.sink = dovecot, user, sink

    def deliver(self, raw: bytes, date: datetime | None = None) -> None:
        self.dovecot.append(self.user, raw, date=date)

    def cycle(self):
        reports = poll_all(self.settings, self.engine, self.pipeline, now=self.clock)
        asyncio.run(send_due(self.engine, self.settings.smtp, worker="e2e", now=self.clock))
        return reports

    def tick(self):
        with Session(self.engine, expire_on_commit=False) as s:
            counts = journeys.tick(s, self.settings, self.env, self.clock())
            s.commit()
        asyncio.run(send_due(self.engine, self.settings.smtp, worker="e2e", now=self.clock))
        return counts

    def cases(self) -> list[Case]:
        with Session(self.engine) as s:
            return list(s.exec(select(Case).order_by(Case.id)))

    def case(self, ref: str) -> Case:
        with Session(self.engine) as s:
            return s.exec(select(Case).where(Case.reference == ref)).one()

    def sent(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(m.raw, policy=email.policy.default) for m in self.sink.messages]


def mail(sender: str, subject: str, body: str, *, to: str = "info@alektumgroup.no", reply_to: str | None = None,
         in_reply_to: str | None = None, headers: dict | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime.now(timezone.utc))
    msg["Message-ID"] = make_msgid(domain="example.net")
    if reply_to:
        msg["Reply-To"] = reply_to
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    for k, v in (headers or {}).items():
        msg[k] = v
    msg.set_content(body)
    return msg.as_bytes()


ACCESS_NB = ("Hei,\n\nJeg ønsker innsyn i alle personopplysninger dere har registrert om meg, "
             "og hvor dere har fått dem fra.\n\nMed vennlig hilsen\nKari Nordmann\n")


def text_of(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def bot(db_url, dovecot, imap_user, smtp_sink):
    user, password = imap_user
    return Bot(db_url, dovecot, user, password, smtp_sink)


def test_request_gets_one_case_and_one_acknowledgement_automated_gets_none(bot):
    bot.deliver(mail("Kari Nordmann <kari@example.no>", "Innsyn", ACCESS_NB, reply_to="evil@example.com"))
    bot.deliver((ROOT / "samples/18-en-out-of-office-auto-submitted.eml").read_bytes())
    bot.deliver((ROOT / "samples/19-nb-out-of-office-no-header.eml").read_bytes())
    bot.deliver((ROOT / "samples/12-nb-payment-plan.eml").read_bytes())
    bot.cycle()
    cases = bot.cases()
    assert len(cases) == 1
    case = cases[0]
    assert re.fullmatch(r"DSR-\d{4}-\d{6}", case.reference)
    assert case.status == "awaiting_verification" and case.flags.get("reply_to_differs")
    sent = bot.sent()
    assert len(sent) == 1
    ack = sent[0]
    assert ack["To"] == "kari@example.no"  # the From address, never Reply-To
    assert ack["Subject"].startswith(f"[{case.reference}]")
    assert ack["Auto-Submitted"] == "auto-replied" and ack["X-Auto-Response-Suppress"] == "All"
    assert ack["Message-ID"].endswith("@alektumgroup.com>")
    assert ack["In-Reply-To"]
    assert "Datatilsynet" in text_of(ack)
    assert "registrert om meg" not in text_of(ack)  # never echoes the message
    assert CODE.search(text_of(ack))
    with Session(bot.engine) as s:
        dispositions = sorted(m.disposition for m in s.exec(select(InboundMessage)))
    assert dispositions == ["automated", "automated", "case_opened", "not_request"]
    assert bot.dovecot.folder_uids(bot.user, "INBOX") == []
    assert len(bot.dovecot.folder_uids(bot.user, "Processed")) == 4
    # a restart (new pipeline, same database) stores nothing twice and sends nothing again
    bot.deliver(mail("Kari Nordmann <kari@example.no>", "Innsyn", ACCESS_NB))  # same text, new Message-ID
    bot.pipeline = Pipeline(bot.settings, bot.engine, default_classifier(), bot.env, now=bot.clock)
    bot.cycle()
    assert len(bot.cases()) == 2  # a second mail is a second request (linked as a possible duplicate)
    assert bot.cases()[1].duplicate_of_case_id == case.id
    assert len(bot.sent()) == 2


def _reply_to_ack(bot, ack, body: str, sender="Kari Nordmann <kari@example.no>", subject=None):
    return mail(sender, subject or ("Re: " + ack["Subject"]), body, in_reply_to=ack["Message-ID"])


def test_reply_with_code_verifies_and_wrong_codes_lock(bot):
    bot.deliver(mail("Kari Nordmann <kari@example.no>", "Innsyn", ACCESS_NB))
    bot.deliver(mail("Per Hansen <per@example.no>", "Sletting",
                     "Hei, slett alle opplysningene dere har om meg. Mvh Per"))
    bot.cycle()
    acks = {m["To"]: m for m in bot.sent()}
    kari_ack, per_ack = acks["kari@example.no"], acks["per@example.no"]
    code = CODE.search(text_of(kari_ack)).group(1)
    # an out-of-office reply quoting our challenge never verifies and is not an attempt
    bot.deliver(mail("Kari Nordmann <kari@example.no>", "Automatisk svar: " + kari_ack["Subject"],
                     "Jeg er på ferie til 3. januar.\n\n> " + text_of(kari_ack).replace("\n", "\n> "),
                     in_reply_to=kari_ack["Message-ID"], headers={"Auto-Submitted": "auto-replied"}))
    # another address cannot verify, even with the right code
    bot.deliver(_reply_to_ack(bot, kari_ack, f"Her er koden: {code}", sender="Mallory <mallory@example.com>"))
    bot.cycle()
    kari = [c for c in bot.cases() if c.requester == "kari@example.no"][0]
    assert kari.status == "awaiting_verification" and kari.verification_attempts == 0
    bot.deliver(_reply_to_ack(bot, kari_ack, f"Hei, koden er {code.lower()}. Mvh Kari"))
    for i in range(5):
        bot.deliver(_reply_to_ack(bot, per_ack, f"Koden min er ABCDE-2345{i + 2}", sender="Per <per@example.no>"))
    bot.cycle()
    kari = bot.case(kari.reference)
    assert kari.status == "verified" and kari.verified_at is not None
    per = [c for c in bot.cases() if c.requester == "per@example.no"][0]
    assert per.verification_locked and per.verification_attempts == 5 and per.status == "awaiting_verification"
    verified_mail = [m for m in bot.sent() if m["To"] == "kari@example.no" and m is not kari_ack]
    assert any(kari.reference in m["Subject"] for m in verified_mail)


def test_plain_reply_quoting_our_mail_verifies_and_tag_alone_threads(bot):
    bot.deliver(mail("Kari Nordmann <kari@example.no>", "Innsyn", ACCESS_NB))
    bot.cycle()
    ack = bot.sent()[0]
    quoted = "\n".join("> " + line for line in text_of(ack).splitlines())
    # no In-Reply-To: the [DSR-…] tag in the subject alone threads it
    bot.deliver(mail("Kari Nordmann <kari@example.no>", "SV: " + ack["Subject"], "Ja, det var meg.\n\n" + quoted))
    bot.cycle()
    case = bot.cases()[0]
    assert len(bot.cases()) == 1
    assert case.status == "verified"


def test_in_reply_to_alone_threads_and_adds_types(bot):
    bot.deliver(mail("Kari Nordmann <kari@example.no>", "Innsyn", ACCESS_NB))
    bot.cycle()
    ack = bot.sent()[0]
    bot.deliver(mail("Kari Nordmann <kari@example.no>", "Et spørsmål til",
                     "Og så vil jeg at dere sletter telefonnummeret mitt når dere er ferdige.",
                     in_reply_to=ack["Message-ID"]))
    bot.cycle()
    cases = bot.cases()
    assert len(cases) == 1
    assert "erasure" in cases[0].request_types


def test_expiry_closes_unverified_after_a_reminder(bot):
    bot.deliver(mail("Kari Nordmann <kari@example.no>", "Innsyn", ACCESS_NB))
    bot.cycle()
    bot.clock.t += timedelta(days=8)
    assert bot.tick()["reminded"] == 1
    assert bot.tick()["reminded"] == 0  # once
    bot.clock.t += timedelta(days=7)
    assert bot.tick()["expired"] == 1
    case = bot.cases()[0]
    assert case.status == "closed_unverified"
    subjects = [m["Subject"] for m in bot.sent()]
    assert len(subjects) == 3 and all(s.startswith(f"[{case.reference}]") for s in subjects)


def test_unsubscribe_is_suppressed_and_confirmed(bot):
    bot.deliver((ROOT / "samples/11-sv-newsletter-unsubscribe.eml").read_bytes())
    bot.cycle()
    with Session(bot.engine) as s:
        rows = list(s.exec(select(Suppression)))
    assert len(rows) == 1
    case = bot.cases()[0]
    assert case.status == "completed" and case.request_types == ["unsubscribe"]
    sent = bot.sent()
    assert len(sent) == 1 and sent[0]["Subject"].startswith(f"[{case.reference}]")


def test_authority_mail_alerts_staff_and_old_backlog_is_left_to_staff(bot):
    bot.deliver(mail("Saksbehandler <post@datatilsynet.no>", "Klage på behandling",
                     "Vi har mottatt en klage og ber om en redegjørelse."))
    bot.deliver(mail("Kari Nordmann <kari@example.no>", "Innsyn", ACCESS_NB),
                date=datetime.now(timezone.utc) - timedelta(days=45))
    bot.cycle()
    sent = bot.sent()
    assert [m["To"] for m in sent] == ["privacy-team@alektumgroup.com"]  # only the staff alert
    case = bot.cases()[0]
    assert case.needs_review and case.acknowledged_at is None


TRUSTED = "mx.alektumgroup.com"


def _auth_bot(db_url, dovecot, imap_user, smtp_sink, tmp_path, **verification):
    user, password = imap_user
    known = tmp_path / "known.csv"
    known.write_text("address,customer_number,case_numbers\nKari@Example.no,C-1001,40511287\n")
    return Bot(db_url, dovecot, user, password, smtp_sink,
               security={"trusted_authserv_id": TRUSTED},
               verification={"known_requesters_csv": str(known), **verification})


def test_known_requester_with_dmarc_pass_is_verified_without_a_code(db_url, dovecot, imap_user, smtp_sink, tmp_path):
    bot = _auth_bot(db_url, dovecot, imap_user, smtp_sink, tmp_path, trust_known_address=True)
    ok = {"Authentication-Results": f"{TRUSTED}; dkim=pass header.d=example.no; spf=pass "
                                    f"smtp.mailfrom=example.no; dmarc=pass header.from=example.no"}
    bot.deliver(mail("Kari Nordmann <kari@example.no>", "Innsyn", ACCESS_NB, headers=ok))
    # the same address without a trusted pass gets the ordinary code challenge
    forged = {"Authentication-Results": "evil.example; dmarc=pass header.from=example.no"}
    bot.deliver(mail("Kari Nordmann <kari@example.no>", "Innsyn igjen", "Hei, jeg vil også ha en kopi av "
                     "alle opplysningene dere har om meg. Kari", headers=forged))
    bot.cycle()
    first, second = bot.cases()
    assert first.status == "verified" and first.flags.get("verified_by") == "known_address"
    assert second.status == "awaiting_verification" and "verified_by" not in second.flags
    acks = {m["Subject"][:17]: text_of(m) for m in bot.sent()}
    assert not CODE.search(acks[f"[{first.reference}]"])
    assert CODE.search(acks[f"[{second.reference}]"])


def test_dmarc_fail_is_flagged_and_cannot_verify_by_reply(db_url, dovecot, imap_user, smtp_sink, tmp_path):
    bot = _auth_bot(db_url, dovecot, imap_user, smtp_sink, tmp_path)
    fail = {"Authentication-Results": f"{TRUSTED}; dkim=fail header.d=example.no; dmarc=fail header.from=example.no"}
    bot.deliver(mail("Kari Nordmann <kari@example.no>", "Slett meg",
                     "Slett alle opplysningene dere har om meg med en gang. Kari", headers=fail))
    bot.cycle()
    case = bot.cases()[0]
    assert case.flags.get("possible_spoofing") and case.needs_review
    assert case.status == "received"  # no code challenge is issued
    ack = bot.sent()[0]
    assert not CODE.search(text_of(ack))


def test_first_code_still_works_after_the_reminder(bot):
    bot.deliver(mail("Kari Nordmann <kari@example.no>", "Innsyn", ACCESS_NB))
    bot.cycle()
    ack = bot.sent()[0]
    first_code = CODE.search(text_of(ack)).group(1)
    bot.clock.t += timedelta(days=8)
    bot.tick()
    reminder = bot.sent()[-1]
    assert CODE.search(text_of(reminder)).group(1) != first_code
    bot.deliver(_reply_to_ack(bot, ack, f"Koden: {first_code}"))
    bot.cycle()
    assert bot.cases()[0].status == "verified"


def test_list_unsubscribe_mailto_and_suppression_hooks(db_url, dovecot, imap_user, smtp_sink, tmp_path):
    import http.server
    import threading

    from intake_bot.hooks import run_pending

    posted = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            posted.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *a):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    seen = tmp_path / "hook.txt"
    user, password = imap_user
    bot = Bot(db_url, dovecot, user, password, smtp_sink, pipeline={
        "list_unsubscribe_address": "unsubscribe@alektumgroup.com",
        "suppression_hook_command": f"sh -c 'cat >> {seen}'",
        "suppression_hook_url": f"http://127.0.0.1:{server.server_port}/suppress"})
    try:
        bot.deliver(mail("Ola <Ola@Example.NO>", "unsubscribe", "", to="unsubscribe@alektumgroup.com"))
        bot.deliver(mail("Ola <Ola@Example.NO>", "unsubscribe", "", to="unsubscribe@alektumgroup.com"))
        bot.cycle()
        with Session(bot.engine) as s:
            rows = list(s.exec(select(Suppression)))
            assert [r.address for r in rows] == ["Ola@example.no"]  # domain case-folded, idempotent
            assert run_pending(s, bot.settings) == {"ok": 1, "failed": 0, "waiting": 0}
            s.commit()
            assert run_pending(s, bot.settings) == {"ok": 0, "failed": 0, "waiting": 0}
        assert seen.read_text().strip() == "Ola@example.no"
        assert b"Ola@example.no" in posted[0]
    finally:
        server.shutdown()
