"""Mail that thanks for our register extract and then asks about the debt is no new access request."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake_bot.classify import default_classifier
from intake_bot.corpus import load_corpus
from intake_bot.parse import parse_message
from intake_bot.receipts import receipt_sentences, without

MODELS = Path(__file__).resolve().parent.parent / "models"


@pytest.mark.parametrize(
    "sentence",
    [
        "Tack för utdraget, det kom fram och jag har gått igenom det.",
        "Tak, jeg har fået udtrækket og det ser fint ud.",
        "Hei igjen, takk for oversikten, jeg har fått den og lest gjennom.",
        "Thanks for sending that through, it all arrived fine.",
        "Vielen Dank für die Unterlagen, ist alles angekommen.",
        "Kiitos rekisteriotteesta, se tuli tänään postissa.",
        "Registerutdraget kom fram igår, tack för det.",
    ],
)
def test_a_plain_receipt_is_found(sentence: str):
    assert receipt_sentences(sentence) == [sentence]


@pytest.mark.parametrize(
    "sentence",
    [
        "Jeg har fået udtrækket, men samtalenotaterne mangler.",  # but something is missing
        "Jag har inte fått något registerutdrag än.",  # not received
        "En ole vieläkään saanut vastausta.",  # Finnish: not yet received
        "När jag har fått utdraget ska ni radera allt.",  # when I have it: a request
        "Ich möchte eine Kopie bekommen.",  # "bekommen" is "to get"
        "Thanks in advance for a copy of my data.",  # thanks in advance asks
        "Takk for svar, men hvor har dere fått adressen min fra?",  # asks where from
    ],
)
def test_a_sentence_that_asks_or_complains_is_no_receipt(sentence: str):
    assert receipt_sentences(sentence) == []


def test_without_takes_out_only_the_receipts():
    text = "Tack för utdraget, det kom fram.\nVad är det som har tillkommit på skulden?"
    assert without(text, receipt_sentences(text)) == "Vad är det som har tillkommit på skulden?"


def test_few_access_examples_have_a_receipt():
    examples = load_corpus(MODELS / "corpus") + load_corpus(MODELS / "dev") + load_corpus(MODELS / "probes")
    found = sorted(e.id for e in examples if "access" in e.labels and receipt_sentences(e.input_text))
    # read one by one: "Thanks for reading this far" (en-0129), a confirmation from a gym (sv-19004) and
    # seven thanks for our extract or answer before a new question (probe rounds *-28 and *-29); in all
    # of them the access request is in another sentence, which still counts
    assert found == ["da-28011", "en-0129", "en-29011", "fi-28007", "fi-29006", "nb-29008", "sv-19004",
                     "sv-28007", "sv-29006"]


def _mail(subject: str, body: str) -> bytes:
    return (f"From: Kjell <kjell@example.se>\nTo: info@alektumgroup.no\nSubject: {subject}\n"
            "Content-Type: text/plain; charset=utf-8\n\n" + body).encode()


def test_thanks_for_the_extract_then_a_debt_question_is_no_request():
    body = ("Hej,\n\nTack för utdraget, det kom fram och jag har gått igenom det.\n\nEn sak förstår jag dock inte. "
            "På kravet jag fick i oktober stod det 3 890 kr, nu står det 4 312 kr. Vad är det som har tillkommit? "
            "Går det att dela upp resten på tre månader?\n\nKjell\n")
    result = default_classifier().classify(parse_message(_mail("Re: Ditt registerutdrag", body)), explain=True)
    assert result.request_types == ()
    assert any(rule.startswith("receipt:") for rule in result.rules)


def test_thanks_for_the_extract_then_a_new_access_request_keeps_access():
    body = ("Hej,\n\nTack för utdraget, det kom fram.\n\nJag vill också veta vilka ni har lämnat ut mina "
            "uppgifter till och hur länge ni sparar dem.\n\nKjell\n")
    result = default_classifier().classify(parse_message(_mail("Re: Ditt registerutdrag", body)))
    assert "access" in result.request_types
