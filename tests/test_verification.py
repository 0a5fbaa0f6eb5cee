"""Verification codes: entropy, salted hashing, and finding the code in a reply."""

from __future__ import annotations

import math
import re
from math import comb

import pytest

from intake_bot import verification as v

CODE_SHAPE = re.compile(r"^[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}$")


def shaped_code_count() -> int:
    """How many 10-symbol strings pass the shape rule (>= 2 digits and >= 2 letters)."""
    digits = sum(c.isdigit() for c in v.ALPHABET)
    letters = len(v.ALPHABET) - digits
    return sum(comb(v.CODE_LEN, k) * digits**k * letters ** (v.CODE_LEN - k)
               for k in range(2, v.CODE_LEN - 1))


def test_alphabet_has_32_unambiguous_symbols():
    assert len(v.ALPHABET) == len(set(v.ALPHABET)) == 32
    assert not set("01OI") & set(v.ALPHABET)
    assert v.CODE_LEN == 10


def test_codes_have_at_least_40_bits_of_entropy():
    bits = math.log2(shaped_code_count())
    assert bits >= 40
    # the shape rule costs little: less than one bit off the raw 50
    assert 49 <= bits < 50


def test_new_codes_are_shaped_and_distinct():
    codes = [v.new_code() for _ in range(300)]
    assert all(CODE_SHAPE.match(c) for c in codes)
    for c in codes:
        flat = c.replace("-", "")
        assert sum(ch.isdigit() for ch in flat) >= 2
        assert sum(ch.isalpha() for ch in flat) >= 2
    assert len(set(codes)) == len(codes)


def test_hashing_is_salted():
    code = "ABCDE-23456"
    h1, s1 = v.hash_code(code)
    h2, s2 = v.hash_code(code)
    assert s1 != s2 and h1 != h2
    assert code not in h1 and "ABCDE23456" not in h1
    # same salt: same hash, and normalisation makes case/hyphen irrelevant
    assert v.hash_code("abcde23456", s1) == (h1, s1)
    assert v.code_matches("abcde 23456", h1, s1)
    assert not v.code_matches("ABCDE-23457", h1, s1)
    assert not v.code_matches(code, h1, s2)


@pytest.fixture(scope="module")
def stored():
    code = "ABCDE-23456"
    code_hash, salt = v.hash_code(code)
    return code_hash, salt


@pytest.mark.parametrize("text", [
    "ABCDE-23456",
    "> Your code is ABCDE-23456",
    "Thanks!\n\nOn Monday Alektum wrote:\n> Hello,\n> your code is ABCDE-23456.\n> Reply with it.",
    "my code: abcde-23456",
    "koden er ABCDE23456 takk",
    "Code (ABCDE-23456), regards",
])
def test_check_text_finds_the_code(stored, text):
    outcome = v.check_text(text, *stored)
    assert outcome.outcome == "verified"
    assert outcome.tokens >= 1


def test_a_wrong_code_shaped_token_is_wrong(stored):
    res = v.check_text("Here it is: ABCDE-23457", *stored)
    assert res == v.Attempt("wrong", 1)
    # the right code anywhere among several tokens still verifies
    assert v.check_text("ZZZZZ-22222 or maybe ABCDE-23456", *stored).outcome == "verified"


@pytest.mark.parametrize("text", [
    "",
    "Please delete all my personal data.",
    "Case DSR-2026-000123 is still open",
    "I wrote on 2026-03-02 already",
    "Call me on +47 22 33 44 55",
    "My customer number is 12345678",
    "Reference 1234567890 and account 9876543210",
    "BUSINESSES everywhere",          # ten letters, no digits
    "HELLOWORLD and PRIVACYLAW",
    "XABCDE-23456Y",                  # embedded in a longer token
])
def test_ordinary_text_is_none(stored, text):
    assert v.check_text(text, *stored) == v.Attempt("none", 0)


def test_code_tokens_are_normalised_and_unique():
    text = "abcde-23456\n> ABCDE-23456\n> ABCDE23456 and FGHJK-78923"
    assert v.code_tokens(text) == ["ABCDE23456", "FGHJK78923"]
