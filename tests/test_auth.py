"""Authentication-Results: only our trusted server's topmost header counts."""

from __future__ import annotations

from intake_bot.auth import evaluate
from intake_bot.parse import parse_message

TRUSTED = "mx.alektumgroup.com"


def msg(*results: str, sender="kari@example.no"):
    head = "".join(f"Authentication-Results: {r}\r\n" for r in results)
    return parse_message((head + f"From: {sender}\r\nTo: info@alektumgroup.no\r\nSubject: x\r\n\r\nHei\r\n").encode())


def check(m, require=False):
    return evaluate(m, trusted_authserv_id=TRUSTED, require_authentication=require)


def test_dmarc_fail_from_trusted_server_is_spoofing():
    v = check(msg(f"{TRUSTED}; spf=pass smtp.mailfrom=example.no; dkim=fail header.d=example.no; "
                  "dmarc=fail header.from=example.no"))
    assert v.trusted_header and v.dmarc == "fail" and v.spoofing and "DMARC fail" in v.reason


def test_forged_header_from_an_untrusted_server_is_ignored():
    v = check(msg("mx.attacker.example; dmarc=pass header.from=example.no"))
    assert not v.trusted_header and v.dmarc is None and not v.spoofing


def test_topmost_trusted_header_wins():
    v = check(msg(f"{TRUSTED}; dmarc=pass header.from=example.no",
                  f"{TRUSTED}; dmarc=fail header.from=example.no"))
    assert v.dmarc == "pass" and not v.spoofing


def test_results_for_other_domains_are_ignored():
    v = check(msg(f"{TRUSTED}; dkim=pass header.d=mailer.example.com; dmarc=fail header.from=other.example"))
    assert v.dkim is None and v.dmarc is None and not v.spoofing


def test_missing_trusted_result_is_spoofing_only_when_required():
    assert not check(msg()).spoofing
    v = check(msg(), require=True)
    assert v.spoofing and "required" in v.reason
    v = check(msg(f"{TRUSTED}; spf=pass smtp.mailfrom=example.no"), require=True)
    assert v.spoofing  # SPF alone is not enough when authentication is required
    assert not check(msg(f"{TRUSTED}; dkim=pass header.d=example.no"), require=True).spoofing


def test_a_result_for_a_bare_top_level_domain_is_not_aligned():
    v = check(msg(f"{TRUSTED}; dkim=pass header.d=no"), require=True)
    assert v.dkim is None and v.spoofing


def test_subdomain_results_align_relaxed():
    v = check(msg(f"{TRUSTED}; dkim=pass header.d=mail.example.no; dmarc=pass header.from=example.no"),
              require=True)
    assert v.dkim == "pass" and v.dmarc == "pass" and not v.spoofing


def test_pipeline_flags_spoofing_on_the_stored_message(tmp_path):
    """End to end: the verdict is stored on the message and named in its rules."""
    from datetime import datetime, timezone

    from sqlmodel import Session, select

    from intake_bot.classify import default_classifier
    from intake_bot.config import settings_from_dict
    from intake_bot.db import make_engine, upgrade
    from intake_bot.mailbox import FetchedMessage
    from intake_bot.models import InboundMessage
    from intake_bot.pipeline import Pipeline
    from intake_bot.replies import make_env

    url = f"sqlite:///{tmp_path / 'a.db'}"
    settings = settings_from_dict({
        "database": {"url": url},
        "mailboxes": [{"name": "info", "address": "info@alektumgroup.no", "type": "maildir", "path": str(tmp_path)}],
        "smtp": {"transport": "directory", "directory": str(tmp_path / "out")},
        "security": {"trusted_authserv_id": TRUSTED},
    }, env={})
    upgrade(url)
    engine = make_engine(url)
    now = datetime(2026, 11, 26, 9, tzinfo=timezone.utc)
    pipeline = Pipeline(settings, engine, default_classifier(), make_env(), now=lambda: now)
    raw = (f"Authentication-Results: {TRUSTED}; dmarc=fail header.from=example.no\r\n"
           "Authentication-Results: mx.attacker.example; dmarc=pass header.from=example.no\r\n"
           "From: kari@example.no\r\nTo: info@alektumgroup.no\r\nSubject: Slett meg\r\nMessage-ID: <sp@x>\r\n\r\n"
           "Hei, jeg vil at dere sletter alle personopplysninger om meg.\r\n").encode()
    pipeline.process(settings.mailboxes[0], FetchedMessage("1", 1, now, raw, len(raw)))
    with Session(engine) as s:
        row = s.exec(select(InboundMessage)).one()
    assert row.flags["authentication"]["spoofing"] is True
    assert any("DMARC fail" in r for r in row.rules)
