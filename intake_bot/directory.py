"""Known requesters: an optional directory of customer addresses with their customer and
case numbers, as a CSV file (address,customer_number,case_numbers) and/or the
``known_requester`` SQL table (filled by a CRM sync or ``known-requesters import``).

A request from an address on file may count as verified ("verified_by=known_address")
when the policy allows it and the message carries an aligned DMARC or DKIM pass
from our trusted authserv-id; mailbox control alone is never enough for that.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import ConfigError


@dataclass(frozen=True)
class KnownRequester:
    address: str
    customer_number: str
    case_numbers: tuple[str, ...]


def _norm(addr: str) -> str:
    local, _, domain = addr.strip().rpartition("@")
    return f"{local}@{domain.lower()}".lower()


@lru_cache(maxsize=8)
def _load(path: str, mtime: float) -> dict[str, KnownRequester]:
    out: dict[str, KnownRequester] = {}
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                addr = (row.get("address") or "").strip()
                if "@" not in addr:
                    continue
                cases = tuple(c for c in (row.get("case_numbers") or "").replace(";", " ").split() if c)
                out[_norm(addr)] = KnownRequester(addr, (row.get("customer_number") or "").strip(), cases)
    except OSError as exc:
        raise ConfigError(f"cannot read known_requesters_csv {path}: {exc.strerror}") from None
    return out


def lookup(path: str | None, address: str) -> KnownRequester | None:
    if not path:
        return None
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"known_requesters_csv {path} does not exist")
    return _load(str(p), p.stat().st_mtime).get(_norm(address))


def lookup_table(session, address: str) -> KnownRequester | None:
    from .models import KnownRequesterRow

    row = session.get(KnownRequesterRow, _norm(address))
    if row is None:
        return None
    return KnownRequester(row.address, row.customer_number, tuple(row.case_numbers.split()))


def find(session, policy, address: str) -> KnownRequester | None:
    """The CSV first, then the table, as the policy configures them."""
    found = lookup(policy.known_requesters_csv, address) if policy.known_requesters_csv else None
    if found is None and policy.known_requesters_table:
        found = lookup_table(session, address)
    return found


def read_csv(path: str) -> list[KnownRequester]:
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{path} does not exist")
    return list(_load(str(p), p.stat().st_mtime).values())


def import_rows(session, rows: list[KnownRequester], *, now, replace_all: bool = False) -> int:
    """Upsert ``rows`` into the table (all others removed with ``replace_all``); the caller commits."""
    from sqlmodel import delete

    from .models import KnownRequesterRow

    if replace_all:
        session.exec(delete(KnownRequesterRow))
    for r in rows:
        session.merge(KnownRequesterRow(address=_norm(r.address), customer_number=r.customer_number,
                                        case_numbers=" ".join(r.case_numbers), updated_at=now))
    return len(rows)


def authenticated(auth: dict | None) -> bool:
    """An aligned DMARC or DKIM pass from the trusted server (see auth.evaluate)."""
    return bool(auth and auth.get("trusted_header") and (auth.get("dmarc") == "pass" or auth.get("dkim") == "pass"))
