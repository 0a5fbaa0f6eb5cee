"""The restriction gate: restriction needs a word about using, passing on, pausing or a time limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake_bot.classify import default_classifier
from intake_bot.corpus import load_corpus
from intake_bot.gates import CAP, restriction_cue
from intake_bot.parse import parse_message

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("text, cue", [
    ("Please don't use my data until the complaint is decided.", "use"),
    ("Bruk ikke opplysningene mine mens saken pågår.", "bruk"),
    ("Använd inte mina uppgifter tills vidare.", "använd"),
    ("Lad være med at dele mine oplysninger med nogen.", "dele"),
    ("Laittakaa tietoni jäihin, kunnes asia on ratkaistu.", "jäihin"),
    ("Bitte mit meinen Daten erstmal gar nichts machen.", "erstmal"),
    ("Freeze my file.", "freeze"),
    ("Säilyttäkää tiedot, mutta vain tätä tarkoitusta varten.", "tarkoitusta"),
])
def test_words_that_can_carry_a_restriction_request(text, cue):
    assert restriction_cue(text) == cue


@pytest.mark.parametrize("text", [
    "I am in a dispute and need the records. Please do not delete anything. Send me a copy.",
    "Slett ikke noe, jeg trenger det som bevis. Send meg en kopi.",  # "slett", never "dele"
    "Please delete my old phone number.",
])
def test_no_cue_without_a_word_about_use_or_time(text):
    assert restriction_cue(text) is None


def test_every_restriction_example_has_a_cue():
    """The gate must never cap a request the corpus or the dev set calls restriction."""
    examples = load_corpus(ROOT / "models/corpus") + load_corpus(ROOT / "models/dev")
    missing = [e.id for e in examples if "restriction" in e.labels and restriction_cue(e.input_text) is None]
    assert missing == []


def _classify(body: str, subject: str = "Saken min"):
    raw = (f"From: Kari <kari@example.no>\nTo: info@alektumgroup.no\nSubject: {subject}\n\n{body}\n").encode()
    return default_classifier().classify(parse_message(raw))


def test_keep_it_for_my_dispute_and_send_a_copy_is_capped():
    c = _classify("I am taking the creditor to court and need what you hold on me as evidence. "
                  "Do not delete or throw away anything about me. Please send me a copy of all of it.",
                  subject="Records for court")
    assert c.scores["restriction"] <= CAP
    assert "restriction" not in c.request_types and "access" in c.request_types
    assert any(r.startswith("gate:") for r in c.rules) == (c.scores["restriction"] == CAP)


def test_a_request_to_stop_using_is_not_capped():
    c = _classify("I have complained to the ombudsman. Until they decide, do not use my personal data "
                  "for anything and do not pass it on. Do not delete it either.", subject="Freeze my data")
    assert c.scores["restriction"] > CAP and "restriction" in c.request_types
    assert not any(r.startswith("gate:") for r in c.rules)
