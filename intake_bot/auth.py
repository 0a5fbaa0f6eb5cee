"""Sender authenticity from Authentication-Results (RFC 8601), pure.

Only headers stamped by our own, configured ``authserv-id`` count: anything
else could have been written by the sender. Receiving servers prepend their
header, so the topmost trusted one is ours. From it we take the DMARC, DKIM
and SPF results that concern the From domain.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from .parse import ParsedMessage

_RESULT = re.compile(r"\b(dmarc|dkim|spf)\s*=\s*([a-z]+)([^;]*)", re.I)
_PROP = re.compile(r"\b(header\.from|header\.d|header\.i|smtp\.mailfrom|smtp\.helo)\s*=\s*\"?([^\s;\"]+)", re.I)


@dataclass(frozen=True)
class AuthVerdict:
    trusted_header: bool
    dmarc: str | None
    dkim: str | None
    spf: str | None
    spoofing: bool
    reason: str

    def to_dict(self) -> dict:
        return asdict(self)


def _domain(value: str) -> str:
    return value.rsplit("@", 1)[-1].strip().strip(">").lower()


def _aligned(d: str, from_domain: str) -> bool:
    """Relaxed alignment: the same domain, or one a parent of the other (never a bare TLD)."""
    if "." not in d or "." not in from_domain:
        return d == from_domain and bool(d)
    return d == from_domain or d.endswith("." + from_domain) or from_domain.endswith("." + d)


def evaluate(msg: ParsedMessage, *, trusted_authserv_id: str | None, require_authentication: bool) -> AuthVerdict:
    from_domain = _domain(msg.from_addr or "")
    header = None
    if trusted_authserv_id:
        for value in msg.header_all("Authentication-Results"):
            serv = value.split(";", 1)[0].strip().split()[0].lower() if value.strip() else ""
            if serv == trusted_authserv_id.lower():
                header = value
                break
    if header is None:
        missing = "no Authentication-Results from our trusted server"
        return AuthVerdict(False, None, None, None, require_authentication,
                           missing + ("; authentication is required" if require_authentication else ""))
    results: dict[str, str] = {}
    for method, result, rest in _RESULT.findall(header):
        method, result = method.lower(), result.lower()
        props = {k.lower(): _domain(v) for k, v in _PROP.findall(rest)}
        domain = props.get("header.from") or props.get("header.d") or props.get("header.i") \
            or props.get("smtp.mailfrom") or from_domain
        if not _aligned(domain, from_domain):
            continue  # a result about some other domain says nothing about From
        if method not in results or result == "pass":
            results[method] = result
    dmarc, dkim, spf = results.get("dmarc"), results.get("dkim"), results.get("spf")
    if dmarc == "fail":
        return AuthVerdict(True, dmarc, dkim, spf, True, f"DMARC fail for the From domain {from_domain}")
    if require_authentication and dmarc != "pass" and dkim != "pass":
        return AuthVerdict(True, dmarc, dkim, spf, True,
                           f"no DMARC or DKIM pass for {from_domain} and authentication is required")
    return AuthVerdict(True, dmarc, dkim, spf, False,
                       f"dmarc={dmarc or 'none'} dkim={dkim or 'none'} spf={spf or 'none'}")
