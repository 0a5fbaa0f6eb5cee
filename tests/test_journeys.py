"""Requester journeys end to end: real Dovecot in, the pipeline, aiosmtpd out, SQLite and PostgreSQL.

Each test drives ``ingest.poll_all`` + ``outbox.send_due`` + ``journeys.tick`` with
an injectable clock and reads what the requester would see from the SMTP sink
(the verification code included), and what staff would see from the database
and ``intake-bot cases show --json``.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import http.server
import json
import re
import threading
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from functools import lru_cache
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import Session, select

from intake_bot import cases as lifecycle
from intake_bot import journeys, staff
from intake_bot.classify import default_classifier
from intake_bot.cli import main
from intake_bot.config import VerificationConfig, settings_from_dict
from intake_bot.db import make_engine, upgrade
from intake_bot.errors import IllegalTransition
from intake_bot.ingest import poll_all
from intake_bot.models import Case, CaseEvent, CasePause, OutboxMessage, Suppression
from intake_bot.outbox import send_due
from intake_bot.pipeline import Pipeline
from intake_bot.replies import make_env
from intake_bot.runner import Runner

ROOT = Path(__file__).resolve().parent.parent
CODE = re.compile(r"\b([2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5})\b")
KARI = "Kari Nordmann <kari@example.no>"
TRUSTED = "mx.alektumgroup.com"
ACCESS_NB = ("Hei,\n\nJeg ønsker innsyn i alle personopplysninger dere har registrert om meg, "
             "og hvor dere har fått dem fra.\n\nMed vennlig hilsen\nKari Nordmann\n")
ERASURE_NB = "Hei, slett alle opplysningene dere har om meg. Mvh Per"


@lru_cache(maxsize=1)
def classifier():
    return default_classifier()


class Clock:
    def __init__(self):
        self.t = datetime.now(timezone.utc).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self.t


class Bot:
    """The bot wired to the test servers; ``extra`` overrides config sections."""

    def __init__(self, db_url, dovecot, imap_user, sink, **extra):
        user, password = imap_user
        data = {
            "organisation": {"name": "Alektum Group", "country": "NO", "timezone": "Europe/Oslo",
                             "reply_from": "dataprotection@alektumgroup.com",
                             "dpo_address": "dataprotection@alektumgroup.com"},
            "database": {"url": db_url},
            "mailboxes": [{"name": "info", "address": "info@alektumgroup.no", "host": dovecot.host,
                           "port": dovecot.port, "security": "none", "username": user,
                           "password_env": "J_IMAP_PW"}],
            "smtp": {"host": "127.0.0.1", "port": sink.port, "security": "none"},
            "digest": {"recipients": ["privacy-team@alektumgroup.com"]},
        }
        for section, values in extra.items():
            data.setdefault(section, {}).update(values)
        self.db_url = db_url
        self.settings = settings_from_dict(data, env={"J_IMAP_PW": password})
        upgrade(db_url)
        self.engine = make_engine(db_url)
        self.clock = Clock()
        self.env = make_env()
        self.pipeline = Pipeline(self.settings, self.engine, classifier(), self.env, now=self.clock)
        self.dovecot, self.user, self.sink = dovecot, user, sink

    def deliver(self, raw: bytes, days_ago: float = 0) -> None:
        # INTERNALDATE is when we received it; Dovecot will not take a future one, so tests
        # move the clock forward only for the bot's own timers, or deliver into the past
        self.dovecot.append(self.user, raw, date=datetime.now(timezone.utc) - timedelta(days=days_ago))

    def send(self):
        return asyncio.run(send_due(self.engine, self.settings.smtp, worker="journeys", now=self.clock))

    def cycle(self):
        reports = poll_all(self.settings, self.engine, self.pipeline, now=self.clock)
        assert all(r.error is None for r in reports), [r.error for r in reports]
        self.send()
        return reports

    def tick(self) -> dict:
        with Session(self.engine, expire_on_commit=False) as s:
            counts = journeys.tick(s, self.settings, self.env, self.clock())
            s.commit()
        self.send()
        return counts

    def cases(self) -> list[Case]:
        with Session(self.engine) as s:
            return list(s.exec(select(Case).order_by(Case.id)))

    def case(self, requester: str) -> Case:
        with Session(self.engine) as s:
            return s.exec(select(Case).where(Case.requester == requester).order_by(Case.id.desc())).first()

    def events(self, case: Case) -> list[CaseEvent]:
        with Session(self.engine) as s:
            return list(s.exec(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)))

    def outbox_kinds(self, case: Case) -> list[str]:
        with Session(self.engine) as s:
            return [o.kind for o in s.exec(select(OutboxMessage).where(OutboxMessage.case_id == case.id)
                                           .order_by(OutboxMessage.id))]

    def sent(self, to: str | None = None) -> list[EmailMessage]:
        msgs = [email.message_from_bytes(m.raw, policy=email.policy.default) for m in self.sink.messages]
        return [m for m in msgs if to is None or m["To"] == to]


def mail(sender: str, subject: str, body: str, *, to: str = "info@alektumgroup.no",
         in_reply_to: str | None = None, headers: dict | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime.now(timezone.utc))
    msg["Message-ID"] = make_msgid(domain="example.net")
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    for k, v in (headers or {}).items():
        msg[k] = v
    msg.set_content(body)
    return msg.as_bytes()


def text_of(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def code_in(msg) -> str:
    m = CODE.search(text_of(msg))
    assert m, "no verification code in the mail"
    return m.group(1)


def quoted(msg) -> str:
    return "\n".join("> " + line for line in text_of(msg).splitlines())


def reply(ack, body: str, sender: str = KARI, *, tag: bool = True, thread: bool = True, headers=None) -> bytes:
    subject = "SV: " + ack["Subject"] if tag else "SV: spørsmålet mitt"
    return mail(sender, subject, body, in_reply_to=ack["Message-ID"] if thread else None, headers=headers)


@pytest.fixture
def make_bot(db_url, dovecot, imap_user, smtp_sink):
    return lambda **extra: Bot(db_url, dovecot, imap_user, smtp_sink, **extra)


@pytest.fixture
def bot(make_bot):
    return make_bot()


def write_cli_config(tmp_path: Path, db_url: str) -> Path:
    cfg = tmp_path / "bot.toml"
    cfg.write_text(f'[database]\nurl = "{db_url}"\n\n[[mailboxes]]\nname = "info"\naddress = "info@alektumgroup.no"\n'
                   f'type = "maildir"\npath = "{tmp_path / "md"}"\n\n'
                   f'[smtp]\ntransport = "directory"\ndirectory = "{tmp_path / "out"}"\n')
    return cfg


def cli(cfg: Path, *args: str) -> str:
    res = CliRunner().invoke(main, ["--config", str(cfg), *args])
    assert res.exit_code == 0, res.output
    return res.output


# --------------------------------------------------------------------------- verification
def test_code_in_acknowledgement_verifies_by_reply_and_cases_show_json(bot, tmp_path):
    bot.deliver(mail(KARI, "Innsyn", ACCESS_NB))
    bot.cycle()
    [ack] = bot.sent()
    code = code_in(ack)  # the acknowledgement carries the challenge: one mail does both
    case = bot.case("kari@example.no")
    assert ack["Subject"].startswith(f"[{case.reference}]") and ack["To"] == "kari@example.no"
    assert case.status == "awaiting_verification" and case.verification_requested_at == bot.clock.t
    assert case.code_hash and code.replace("-", "") not in case.code_hash  # stored hashed only
    due_before = case.due_date

    bot.clock.t += timedelta(days=3)
    bot.deliver(reply(ack, f"Hei, koden er {code.lower()}. Mvh Kari"))
    bot.cycle()
    case = bot.case("kari@example.no")
    assert len(bot.cases()) == 1
    assert case.status == "verified" and case.verified_at == bot.clock.t
    assert case.flags["verified_by"] == "email_code" and case.code_hash is None
    with Session(bot.engine) as s:
        pauses = list(s.exec(select(CasePause).where(CasePause.case_id == case.id)))
    assert len(pauses) == 1 and pauses[0].ended_at == bot.clock.t  # the clock runs again
    assert case.due_date > due_before  # recomputed: the three paused days are added
    assert bot.outbox_kinds(case) == ["acknowledgement", "verified"]
    confirmation = bot.sent()[-1]
    assert confirmation["Subject"].startswith(f"[{case.reference}]") and not CODE.search(text_of(confirmation))

    statuses = [(e.from_status, e.to_status, e.actor) for e in bot.events(case) if e.kind == "status"]
    assert statuses == [("received", "awaiting_verification", "bot"), ("awaiting_verification", "verified", "bot")]
    assert all(e.reason for e in bot.events(case))  # every event says why

    # the code is one-time: the same reply again changes nothing and sends nothing
    bot.deliver(reply(ack, f"koden er {code}"))
    bot.cycle()
    assert bot.case("kari@example.no").status == "verified" and len(bot.sent()) == 2

    cfg = write_cli_config(tmp_path, bot.db_url)
    shown = json.loads(cli(cfg, "cases", "show", case.reference, "--json"))
    assert shown["status"] == "verified"
    ver = shown["verification"]
    assert ver["required"] and ver["verified_by"] == "email_code" and ver["attempts"] == 0
    assert ver["requested_at"] and ver["verified_at"] and not ver["locked"]
    kinds = [e["kind"] for e in shown["events"]]
    assert kinds[0] == "opened" and "follow_up" in kinds and kinds.count("status") == 2
    assert shown["pauses"][0]["end"] is not None
    assert [o["kind"] for o in shown["outbox"]] == ["acknowledgement", "verified"]
    assert "scores" in shown["messages"][0] and shown["messages"][0]["rules"]  # why the bot did it


def test_plain_reply_quoting_our_mail_verifies(bot):
    bot.deliver(mail(KARI, "Innsyn", ACCESS_NB))
    bot.cycle()
    [ack] = bot.sent()
    # the code appears only in the "> " quoted copy of our mail; no In-Reply-To, the tag threads it
    bot.deliver(reply(ack, "Ja, det var jeg som sendte den.\n\n" + quoted(ack), thread=False))
    bot.cycle()
    [case] = bot.cases()
    assert case.status == "verified" and case.verified_at is not None


def test_wrong_codes_lock_and_out_of_office_never_counts(bot):
    bot.deliver(mail("Per Hansen <per@example.no>", "Sletting", ERASURE_NB))
    bot.cycle()
    [ack] = bot.sent()
    code = code_in(ack)
    per = "Per Hansen <per@example.no>"
    # two auto-replies quoting our challenge: one with Auto-Submitted, one recognised by its text
    bot.deliver(reply(ack, "Jeg er på ferie til 3. januar.\n\n" + quoted(ack), sender=per,
                      headers={"Auto-Submitted": "auto-replied"}))
    bot.deliver(mail(per, "Out of Office: " + ack["Subject"], "I am out of the office until 3 January with "
                     "no access to email.\n\n" + quoted(ack), in_reply_to=ack["Message-ID"]))
    bot.cycle()
    case = bot.case("per@example.no")
    assert case.status == "awaiting_verification" and case.verification_attempts == 0
    assert [e.kind for e in bot.events(case)].count("automated_reply") == 2

    for i in range(4):
        bot.deliver(reply(ack, f"Koden min er ABCDE-2345{i + 2}", sender=per))
    bot.cycle()
    case = bot.case("per@example.no")
    assert case.verification_attempts == 4 and not case.verification_locked
    bot.deliver(reply(ack, "Koden min er QQQQQ-22222", sender=per))
    bot.cycle()
    case = bot.case("per@example.no")
    assert case.verification_attempts == 5 and case.verification_locked and case.needs_review
    assert case.status == "awaiting_verification"
    # once locked, even the right code does not verify: staff decide
    bot.deliver(reply(ack, f"Beklager, her er den riktige: {code}", sender=per))
    bot.cycle()
    case = bot.case("per@example.no")
    assert case.status == "awaiting_verification" and case.verified_at is None
    kinds = [e.kind for e in bot.events(case)]
    assert kinds.count("verification_failed") == 5 and "verification_locked" in kinds
    assert kinds[-1] == "verification_ignored"
    assert len(bot.sent()) == 1  # nothing but the acknowledgement went out


def test_reminder_after_seven_days_first_code_still_works_and_expiry_closes(bot):
    bot.deliver(mail(KARI, "Innsyn", ACCESS_NB))
    bot.deliver(mail("Per Hansen <per@example.no>", "Sletting", ERASURE_NB))
    bot.cycle()
    acks = {m["To"]: m for m in bot.sent()}
    first_code = code_in(acks["per@example.no"])

    bot.clock.t += timedelta(days=6, hours=23)
    assert bot.tick() == {"reminded": 0, "expired": 0}
    bot.clock.t += timedelta(hours=1)
    assert bot.tick() == {"reminded": 2, "expired": 0}
    assert bot.tick() == {"reminded": 0, "expired": 0}  # once per case
    reminder = bot.sent("per@example.no")[-1]
    assert code_in(reminder) != first_code
    # Per answers the first mail after the reminder: its code still verifies
    bot.deliver(reply(acks["per@example.no"], f"Koden: {first_code}", sender="Per Hansen <per@example.no>"))
    bot.cycle()
    assert bot.case("per@example.no").status == "verified"

    bot.clock.t += timedelta(days=7)  # 14 days after the challenge: Kari never answered
    assert bot.tick() == {"reminded": 0, "expired": 1}
    assert bot.tick() == {"reminded": 0, "expired": 0}
    kari = bot.case("kari@example.no")
    assert kari.status == "closed_unverified" and kari.closed_at == bot.clock.t and kari.needs_review
    assert bot.outbox_kinds(kari) == ["acknowledgement", "verification_reminder", "verification_expired"]
    final = bot.sent("kari@example.no")[-1]
    assert final["Subject"].startswith(f"[{kari.reference}]") and not CODE.search(text_of(final))
    with Session(bot.engine) as s:
        assert all(p.ended_at for p in s.exec(select(CasePause).where(CasePause.case_id == kari.id)))
        # a closed case cannot be reopened by a transition; the error says why
        row = s.get(Case, kari.id)
        with pytest.raises(IllegalTransition, match="cannot go from closed_unverified"):
            staff.resume(session=s, settings=bot.settings, case=row, reason="x", actor="ingrid", now=bot.clock.t)
    # a late reply with the (expired) code does not verify
    sent_before = len(bot.sent("kari@example.no"))
    bot.deliver(reply(acks["kari@example.no"], "Hei, her er koden.\n\n" + quoted(acks["kari@example.no"])))
    bot.cycle()
    with Session(bot.engine) as s:
        assert s.get(Case, kari.id).status == "closed_unverified" and s.get(Case, kari.id).verified_at is None
    # it is not lost on the closed case: a new case, linked, waits for staff (no auto-reply)
    late = bot.case("kari@example.no")
    assert late.id != kari.id and late.related_case_id == kari.id and late.needs_review
    assert late.status == "received" and late.request_types == [] and late.verified_at is None
    assert "needs_triage" in [e.kind for e in bot.events(late)]
    assert len(bot.sent("kari@example.no")) == sent_before


def test_a_reply_to_a_hold_notice_resumes_the_clock_and_tells_the_new_date(bot):
    bot.deliver(mail(KARI, "Reklame", "Hei, jeg protesterer mot at dere bruker opplysningene mine "
                                      "til markedsføring og profilering. Mvh Kari"))
    bot.cycle()
    case = bot.case("kari@example.no")
    assert case.status == "in_progress"
    with Session(bot.engine, expire_on_commit=False) as s:
        staff.hold(session=s, settings=bot.settings, env=bot.env, case=s.get(Case, case.id),
                   reason="Gjelder det e-post, SMS eller begge deler?", actor="ingrid", now=bot.clock.t)
        s.commit()
    bot.send()
    hold = bot.sent("kari@example.no")[-1]
    assert "SMS" in text_of(hold)
    due_before = bot.case("kari@example.no").due_date

    bot.clock.t += timedelta(days=10)
    bot.deliver(reply(hold, "Hei, det gjelder både e-post og SMS.\n\n" + quoted(hold)))
    bot.cycle()
    case = bot.case("kari@example.no")
    assert case.status == "in_progress" and case.needs_review  # staff judge the answer
    with Session(bot.engine) as s:
        assert all(p.ended_at == bot.clock.t for p in s.exec(select(CasePause).where(CasePause.case_id == case.id)))
    assert case.due_date > due_before  # the ten paused days are added (suspend)
    notice = bot.sent("kari@example.no")[-1]
    assert notice["Subject"].startswith(f"[{case.reference}]") and bot.outbox_kinds(case)[-1] == "resume_notice"
    assert f"{case.due_date.day}. " in text_of(notice)  # the new date, in Norwegian
    last = [e for e in bot.events(case) if e.kind == "status"][-1]
    assert (last.from_status, last.to_status, last.actor) == ("on_hold", "in_progress", "bot")


def test_a_reply_from_another_address_cannot_verify(bot):
    bot.deliver(mail(KARI, "Innsyn", ACCESS_NB))
    bot.cycle()
    [ack] = bot.sent()
    code = code_in(ack)
    bot.deliver(reply(ack, f"Her er koden: {code}", sender="Mallory <mallory@example.com>"))
    bot.deliver(reply(ack, f"Koden: {code}", sender='"kari@example.no" <mallory@example.com>', thread=False))
    bot.cycle()
    [case] = bot.cases()
    assert case.status == "awaiting_verification" and case.verification_attempts == 0 and case.needs_review
    assert [e.kind for e in bot.events(case)].count("follow_up_other_sender") == 2
    assert [m["To"] for m in bot.sent()] == ["kari@example.no"]  # nothing went to the other address


# --------------------------------------------------------------------------- sender authentication
def test_dmarc_fail_is_flagged_and_cannot_verify_by_reply(make_bot, tmp_path):
    known = tmp_path / "known.csv"
    known.write_text("address,customer_number,case_numbers\nola@example.no,C-7,4051\n")
    bot = make_bot(security={"trusted_authserv_id": TRUSTED}, verification={"known_requesters_csv": str(known)})
    fail = {"Authentication-Results": f"{TRUSTED}; dkim=fail header.d=example.no; dmarc=fail header.from=example.no"}
    ok = {"Authentication-Results": f"{TRUSTED}; dkim=pass header.d=example.no; dmarc=pass header.from=example.no"}
    bot.deliver(mail(KARI, "Slett meg", "Slett alle opplysningene dere har om meg med en gang. Kari", headers=fail))
    bot.deliver(mail("Per Hansen <per@example.no>", "Sletting", ERASURE_NB, headers=ok))
    # on file and authenticated, but the policy (default) does not trust known addresses
    bot.deliver(mail("Ola <ola@example.no>", "Innsyn", ACCESS_NB, headers=ok))
    bot.cycle()
    kari = bot.case("kari@example.no")
    assert kari.flags.get("possible_spoofing") and kari.needs_review
    assert kari.status == "received" and kari.code_hash is None  # no challenge is issued
    assert not CODE.search(text_of(bot.sent("kari@example.no")[0]))
    assert bot.case("ola@example.no").status == "awaiting_verification"
    assert VerificationConfig().trust_known_address is False

    # a (passing) reply to the flagged case carries a code-shaped token: still not verified
    ack = bot.sent("kari@example.no")[0]
    bot.deliver(reply(ack, "Koden er ABCDE-23456", headers=ok))
    # Per's right code in a reply that fails DMARC does not verify either
    per_ack = bot.sent("per@example.no")[0]
    bot.deliver(reply(per_ack, f"Koden: {code_in(per_ack)}", sender="Per Hansen <per@example.no>", headers=fail))
    bot.cycle()
    kari, per = bot.case("kari@example.no"), bot.case("per@example.no")
    assert kari.status == "received" and kari.verified_at is None
    assert per.status == "awaiting_verification" and per.verified_at is None and per.verification_attempts == 0
    assert "verification_ignored" in [e.kind for e in bot.events(per)]


def test_known_requester_verified_only_with_policy_and_trusted_pass(make_bot, tmp_path):
    known = tmp_path / "known.csv"
    known.write_text("address,customer_number,case_numbers\nKari@Example.NO,C-1001,40511287\n"
                     "per@example.no,C-1002,\n")
    bot = make_bot(security={"trusted_authserv_id": TRUSTED},
                   verification={"known_requesters_csv": str(known), "trust_known_address": True})
    dkim_only = {"Authentication-Results": f"{TRUSTED}; dkim=pass header.d=example.no; spf=fail"}
    untrusted = {"Authentication-Results": "relay.example; dmarc=pass header.from=example.no"}
    bot.deliver(mail(KARI, "Innsyn", ACCESS_NB, headers=dkim_only))
    bot.deliver(mail("Per Hansen <per@example.no>", "Sletting", ERASURE_NB, headers=untrusted))
    bot.deliver(mail("Eva <eva@example.no>", "Innsyn", ACCESS_NB, headers=dkim_only))  # not on file
    bot.cycle()
    kari = bot.case("kari@example.no")
    assert kari.status == "verified" and kari.flags["verified_by"] == "known_address" and kari.verified_at
    assert not CODE.search(text_of(bot.sent("kari@example.no")[0]))
    audit = [e for e in bot.events(kari) if e.kind == "flag" and e.data.get("flag") == "verified_by"]
    assert audit and "known-requesters" in audit[0].reason
    for addr in ("per@example.no", "eva@example.no"):
        other = bot.case(addr)
        assert other.status == "awaiting_verification" and "verified_by" not in other.flags
        assert CODE.search(text_of(bot.sent(addr)[0]))
    # staff see which customer it is
    [on_file] = [e for e in bot.events(kari) if e.kind == "known_requester"]
    assert on_file.data == {"customer_number": "C-1001", "case_numbers": ["40511287"]}


def test_known_requesters_from_the_sql_table(make_bot, tmp_path):
    from intake_bot.directory import KnownRequester, import_rows

    bot = make_bot(security={"trusted_authserv_id": TRUSTED},
                   verification={"known_requesters_table": True, "trust_known_address": True})
    with Session(bot.engine) as s:
        import_rows(s, [KnownRequester("Kari@Example.NO", "C-1001", ("40511287",))], now=bot.clock.t)
        s.commit()
    dkim_only = {"Authentication-Results": f"{TRUSTED}; dkim=pass header.d=example.no; spf=fail"}
    bot.deliver(mail(KARI, "Innsyn", ACCESS_NB, headers=dkim_only))
    bot.deliver(mail("Eva <eva@example.no>", "Innsyn", ACCESS_NB, headers=dkim_only))  # not in the table
    bot.cycle()
    assert bot.case("kari@example.no").flags["verified_by"] == "known_address"
    assert bot.case("eva@example.no").status == "awaiting_verification"


# --------------------------------------------------------------------------- unsubscribe
def test_unsubscribe_is_suppressed_and_confirmed_other_addresses_only_flagged(bot, tmp_path):
    bot.deliver((ROOT / "samples/11-sv-newsletter-unsubscribe.eml").read_bytes())
    bot.deliver(mail("Erik Berg <Erik.Berg@Example.COM>", "Newsletter",
                     "Hi, please unsubscribe me from your newsletter, and also my wife anna.berg@example.com. "
                     "Thanks, Erik"))
    bot.cycle()
    with Session(bot.engine) as s:
        rows = {r.address: r for r in s.exec(select(Suppression))}
    assert len(rows) == 2 and "Erik.Berg@example.com" in rows  # domain case-folded, local part kept
    assert not any("anna" in a for a in rows)  # a third party is never suppressed automatically
    erik = bot.case("Erik.Berg@example.com")
    assert erik.status == "completed" and erik.needs_review
    assert "other_addresses" in [e.kind for e in bot.events(erik)]
    assert rows["Erik.Berg@example.com"].source_message_id and rows["Erik.Berg@example.com"].case_id == erik.id
    for c in bot.cases():
        assert bot.outbox_kinds(c) == ["unsubscribe_confirmation"]
    assert len(bot.sent()) == 2 and all(m["Subject"].startswith("[DSR-") for m in bot.sent())

    cfg = write_cli_config(tmp_path, bot.db_url)
    exported = json.loads(cli(cfg, "suppressions", "export", "--format", "json"))
    assert sorted(r["address"] for r in exported) == sorted(rows)
    csv_out = cli(cfg, "suppressions", "export", "--format", "csv").splitlines()
    assert csv_out[0] == "address,reason,created_at,hook" and len(csv_out) == 3
    assert "Erik.Berg@example.com" in cli(cfg, "suppressions", "list")
    listed = json.loads(cli(cfg, "suppressions", "list", "--format", "json"))
    assert listed == exported


class HookServer:
    """A tiny HTTP endpoint on 127.0.0.1 that fails the first ``fail`` POSTs with 503."""

    def __init__(self, fail: int):
        self.posted: list[dict] = []
        self.fail = fail
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if outer.fail > 0:
                    outer.fail -= 1
                    self.send_response(503)
                else:
                    outer.posted.append(json.loads(body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/suppressions"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_an_unsubscribe_sent_twice_is_confirmed_once_a_later_one_again(bot):
    text = "Hei, meld meg av nyhetsbrevet deres. Takk, Ola"
    bot.deliver(mail("Ola <ola@example.no>", "Avmelding", text))
    bot.deliver(mail("Ola <ola@example.no>", "Avmelding", text))  # the mail client sent it twice
    bot.cycle()
    assert [c.status for c in bot.cases()] == ["completed", "completed"]
    assert len(bot.sent("ola@example.no")) == 1
    second = bot.case("ola@example.no")
    assert "reply_suppressed" in [e.kind for e in bot.events(second)]
    bot.clock.t += timedelta(days=3)  # weeks later the newsletter (say) still came: confirm again
    bot.deliver(mail("Ola <ola@example.no>", "Avmelding", "Jeg får fortsatt nyhetsbrevet. Meld meg av! Ola"))
    bot.cycle()
    assert len(bot.sent("ola@example.no")) == 2


def s_status(bot) -> str:
    with Session(bot.engine) as s:
        return s.get(Suppression, "Ola@example.no").hook_status


def test_list_unsubscribe_mailto_without_confirmation_and_hooks_retry(make_bot, tmp_path):
    hook = HookServer(fail=1)
    seen = tmp_path / "hook.log"
    script = tmp_path / "hook.sh"
    script.write_text(f'#!/bin/sh\necho "argc=$#" >> {seen}\ncat >> {seen}\n')
    script.chmod(0o755)
    bot = make_bot(pipeline={"list_unsubscribe_address": "unsubscribe@alektumgroup.com",
                             "unsubscribe_confirmation": False,
                             "suppression_hook_command": str(script), "suppression_hook_url": hook.url})
    try:
        # RFC 2369 mailto: subject "unsubscribe", empty body, twice (mail clients do that)
        for _ in range(2):
            bot.deliver(mail("Ola <Ola@Example.NO>", "unsubscribe", "", to="unsubscribe@alektumgroup.com"))
        bot.cycle()
        with Session(bot.engine) as s:
            rows = list(s.exec(select(Suppression)))
        assert [r.address for r in rows] == ["Ola@example.no"]  # idempotent
        assert {c.status for c in bot.cases()} == {"completed"}
        assert bot.sent() == []  # confirmation switched off

        runner = Runner(bot.settings, bot.engine, bot.pipeline, bot.env, now=bot.clock, worker="j")
        runner.timed_jobs()  # the HTTP hook fails (503): recorded, the loop goes on
        with Session(bot.engine) as s:
            status = s.get(Suppression, "Ola@example.no").hook_status
        assert status.startswith("failed (1; command ok): HTTPError") and "Ola" not in status
        runner.timed_jobs()  # within the backoff (1 minute): not called again yet
        assert s_status(bot) == status
        bot.clock.t += timedelta(minutes=2)
        runner.timed_jobs()  # retried after the backoff, now delivered
        with Session(bot.engine) as s:
            assert s.get(Suppression, "Ola@example.no").hook_status == "ok"
        runner.timed_jobs()
        assert [p["address"] for p in hook.posted] == ["Ola@example.no"]  # delivered once
        # the command got the address on stdin, never on argv, once: only the HTTP call was retried
        assert seen.read_text().splitlines() == ["argc=0", "Ola@example.no"]
    finally:
        hook.close()


# --------------------------------------------------------------------------- follow-ups
def test_follow_ups_thread_by_tag_or_in_reply_to_add_types_and_link(bot):
    bot.deliver(mail(KARI, "Innsyn", ACCESS_NB))
    bot.cycle()
    [ack] = bot.sent()
    # the tag alone (no In-Reply-To), with a new request type
    bot.deliver(reply(ack, "Og så vil jeg at dere sletter telefonnummeret mitt når dere er ferdige.",
                      thread=False))
    # In-Reply-To alone (subject without the tag)
    bot.deliver(reply(ack, "Jeg lurer også på hvor lang tid dette tar?", tag=False))
    bot.cycle()
    [case] = bot.cases()
    assert "erasure" in case.request_types and "access" in case.request_types
    kinds = [e.kind for e in bot.events(case)]
    assert kinds.count("follow_up") == 2 and "types_added" in kinds

    # a second request of the same type within 30 days (not a reply): a new case, linked as a duplicate
    bot.deliver(mail(KARI, "Innsyn igjen", "Hei, jeg vil ha en kopi av alle opplysningene dere har om meg. Kari"))
    bot.cycle()
    second = bot.case("kari@example.no")
    assert second.id != case.id and second.duplicate_of_case_id == case.id
    assert "possible_duplicate" in [e.kind for e in bot.events(second)]

    # mail about a closed case opens a new case linked to the old one
    with Session(bot.engine) as s:
        row = s.get(Case, case.id)
        staff.close(session=s, settings=bot.settings, env=bot.env, case=row, outcome="withdrawn",
                    note="the requester withdrew the request by phone", actor="ingrid", now=bot.clock.t)
        s.commit()
    bot.deliver(reply(ack, "Hei igjen. Nå vil jeg at dere sletter alle opplysningene om meg.", thread=False))
    bot.cycle()
    third = bot.case("kari@example.no")
    assert third.id not in (case.id, second.id)
    assert third.related_case_id == case.id and "erasure" in third.request_types
    assert bot.case("kari@example.no").status != "withdrawn"
    closed_events = [e for e in bot.events(case) if e.kind == "status"]
    assert closed_events[-1].actor == "staff:ingrid" and closed_events[-1].to_status == "withdrawn"

    # received 35 and 3 days ago: more than 30 days apart, so not a duplicate
    bot.deliver(mail("Per Hansen <per@example.no>", "Sletting", ERASURE_NB), days_ago=35)
    bot.cycle()
    per_first = bot.case("per@example.no")
    bot.deliver(mail("Per Hansen <per@example.no>", "Sletting igjen", ERASURE_NB + " Igjen."), days_ago=3)
    bot.cycle()
    per_second = bot.case("per@example.no")
    assert per_second.id != per_first.id and per_second.duplicate_of_case_id is None
    assert (per_second.received_at - per_first.received_at).days == 32


ON_BEHALF = {
    "nb": ("Innsyn for min mor", "Hei,\n\nJeg skriver på vegne av min mor, Gerd Iversen, som har demens. Hun ønsker "
           "innsyn i alle personopplysninger dere har registrert om henne. Fullmakt er vedlagt.\n\nHilsen Trond"),
    "sv": ("Begäran om registerutdrag", "Hej,\n\nJag skriver å min fars vägnar. Han vill få ut en kopia av alla "
           "personuppgifter ni har registrerat om honom enligt artikel 15.\n\nMed vänlig hälsning\nAnna"),
    "da": ("Indsigt", "Hej,\n\nJeg skriver på vegne af min søn, som har givet mig fuldmagt. Han ønsker indsigt i alle "
           "de personoplysninger, I har registreret om ham.\n\nVenlig hilsen\nBirgitte"),
    "fi": ("Tietopyyntö", "Hei,\n\nKirjoitan äitini puolesta, olen hänen edunvalvojansa. Hän haluaa saada jäljennöksen "
           "kaikista henkilötiedoista, joita teillä on hänestä.\n\nTerveisin\nMatti"),
    "en": ("Subject access request", "Dear Sir or Madam,\n\nI am writing on behalf of my client, Mr John Smith. He "
           "requests a copy of all personal data you hold about him under Article 15 GDPR.\n\nYours faithfully\n"
           "Jane Doe, solicitor"),
    "de": ("Auskunftsersuchen", "Sehr geehrte Damen und Herren,\n\nim Namen und in Vollmacht meiner Mandantin, Frau "
           "Derya Aksoy, verlange ich Auskunft über alle zu ihr gespeicherten personenbezogenen Daten nach Art. 15 "
           "DSGVO.\n\nMit freundlichen Grüßen\nDr. Weber, Rechtsanwalt"),
}


def test_requests_on_behalf_of_someone_else_are_flagged_in_six_languages(bot):
    for lang, (subject, body) in ON_BEHALF.items():
        bot.deliver(mail(f"Writer <writer-{lang}@example.org>", subject, body))
    bot.deliver(mail(KARI, "Innsyn", ACCESS_NB))  # her own request: not flagged
    bot.cycle()
    for lang in ON_BEHALF:
        case = bot.case(f"writer-{lang}@example.org")
        assert case.flags.get("on_behalf") is True and case.needs_review, lang
        assert case.language == lang
    assert "on_behalf" not in bot.case("kari@example.no").flags


@pytest.mark.parametrize("text", [
    "Jag skriver på uppdrag av min bror", "Jeg skriver som verge for min far", "Olen äitini edunvalvoja",
    "in Vertretung meines Vaters", "Jeg har fuldmagt fra min mor", "I am his legal guardian",
])
def test_on_behalf_phrases(text):
    assert journeys._ON_BEHALF.search(text)


@pytest.mark.parametrize("text", [
    "Jeg vil vite hva dere har lagret om meg", "Ich möchte Auskunft nach Art. 15",
    "I have complained to the ombudsman", "Haluan tietää mitä tietoja teillä on minusta",
])
def test_own_requests_are_not_on_behalf(text):
    assert not journeys._ON_BEHALF.search(text)


def test_illegal_transitions_are_rejected_with_a_clear_error(bot):
    bot.deliver(mail(KARI, "Innsyn", ACCESS_NB))
    bot.cycle()
    with Session(bot.engine) as s:
        case = s.exec(select(Case)).one()
        with pytest.raises(IllegalTransition, match="cannot go from awaiting_verification to completed"):
            lifecycle.transition(session=s, case=case, to_status="completed", actor="staff:ingrid",
                                 reason="done", now=bot.clock.t)
        with pytest.raises(IllegalTransition, match="unknown status"):
            lifecycle.transition(session=s, case=case, to_status="archived", actor="bot", reason="x", now=bot.clock.t)
        with pytest.raises(IllegalTransition, match="needs a reason"):
            lifecycle.transition(session=s, case=case, to_status="verified", actor="bot", reason=" ", now=bot.clock.t)
        assert case.status == "awaiting_verification"
        staff.mark_verified(session=s, settings=bot.settings, case=case, reason="confirmed by phone against the "
                            "customer file", actor="ingrid", now=bot.clock.t)
        s.commit()
    case = bot.case("kari@example.no")
    assert case.status == "verified" and case.flags["verified_by"] == "staff"
    last = [e for e in bot.events(case) if e.kind == "status"][-1]
    assert last.actor == "staff:ingrid" and "phone" in last.reason
