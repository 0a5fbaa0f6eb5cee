"""Identity verification by email round trip: codes, hashing, matching (pure).

A code is 10 characters from a 32-symbol alphabet without look-alikes
(about 49 bits after the shape rule below), shown as ``ABCDE-12345``.
Only a salted scrypt hash is stored; comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 symbols: no 0/O, 1/I
CODE_LEN = 10
# code-shaped: 10 symbols, optional hyphen in the middle, at least two digits
_TOKEN = re.compile(r"(?<![A-Za-z0-9])([2-9A-HJ-NP-Za-hj-np-z]{5})-?([2-9A-HJ-NP-Za-hj-np-z]{5})(?![A-Za-z0-9])")
# n=2**11: ~3 ms per hash here; a 49-bit code still costs ~10^10 core-hours to brute-force offline
_SCRYPT = {"n": 2**11, "r": 8, "p": 1, "dklen": 32}


def _shaped(code: str) -> bool:
    return sum(c.isdigit() for c in code) >= 2 and sum(c.isalpha() for c in code) >= 2


def new_code() -> str:
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LEN))
        if _shaped(code):
            return f"{code[:5]}-{code[5:]}"


def mint() -> tuple[str, str, str]:
    """A fresh code with its hash and salt: ``(code, code_hash, salt)``. The code itself is only
    ever mailed, never stored; hashlib.scrypt releases the GIL, so this can run on a worker thread."""
    code = new_code()
    code_hash, salt = hash_code(code)
    return code, code_hash, salt


def normalise(code: str) -> str:
    return code.replace("-", "").replace(" ", "").upper()


def hash_code(code: str, salt: str | None = None) -> tuple[str, str]:
    salt = salt or secrets.token_hex(16)
    digest = hashlib.scrypt(normalise(code).encode(), salt=bytes.fromhex(salt), **_SCRYPT)
    return digest.hex(), salt


def code_matches(code: str, code_hash: str, salt: str) -> bool:
    candidate, _ = hash_code(code, salt)
    return hmac.compare_digest(candidate, code_hash)


def code_tokens(text: str) -> list[str]:
    """Every code-shaped token in ``text`` (quoted copies included), normalised, unique."""
    seen: list[str] = []
    for a, b in _TOKEN.findall(text or ""):
        tok = (a + b).upper()
        if _shaped(tok) and tok not in seen:
            seen.append(tok)
    return seen


@dataclass(frozen=True)
class Attempt:
    outcome: str  # "verified" | "wrong" | "none"
    tokens: int


def check_text(text: str, code_hash: str, salt: str) -> Attempt:
    """Does the reply contain our code? A code-shaped token that does not match is a wrong attempt."""
    tokens = code_tokens(text)
    if not tokens:
        return Attempt("none", 0)
    for tok in tokens[:20]:
        if code_matches(tok, code_hash, salt):
            return Attempt("verified", len(tokens))
    return Attempt("wrong", len(tokens))
