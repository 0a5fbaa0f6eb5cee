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
