"""Who gets my data, how long do you keep it: access, also as one sentence of a payment mail."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake_bot.classify import default_classifier
from intake_bot.corpus import load_corpus
from intake_bot.parse import parse_message
from intake_bot.recipients import recipients_question

MODELS = Path(__file__).resolve().parent.parent / "models"


@pytest.mark.parametrize(
    "text",
    [
        "Quick one – when I've cleared the last payment, how long do you hang on to my details?",
        "Hvor lenge kommer dere til å beholde opplysningene om meg etter at saken er betalt?",
        "Jeg vil også vide, hvem I har givet mine oplysninger videre til.",
        "Hur länge sparar ni mina uppgifter när skulden är betald?",
        "Siitä ei käy ilmi, kuinka pitkään tietoni jäävät rekisteriinne maksun jälkeen.",
        "Bitte teilen Sie mir mit, an wen Sie meine Daten weitergegeben haben.",
        "Have you shared my phone number with anyone else?",
    ],
)
def test_a_recipients_or_retention_question_is_found(text: str):
    assert recipients_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "How long will the payment remark stay on my credit file?",  # a credit register: a debt question
        "Hur länge ligger betalningsanmärkningen kvar hos UC?",
        "How long will the case stay open?",  # names no data
        "Wer hat meine Forderung an Sie verkauft?",  # the debt was sold, not the data
        "Jeg har ikke givet nogen mit nummer.",  # no question about recipients
        "Pyydän ilmoittamaan oikaisusta myös niille, joille tietoja on luovutettu.",  # Art. 19, rectification
    ],
)
def test_a_debt_question_is_not_one(text: str):
    assert recipients_question(text) is None


def test_no_false_hit_in_the_labelled_sets():
    examples = load_corpus(MODELS / "corpus") + load_corpus(MODELS / "dev") + load_corpus(MODELS / "probes")
    wrong = sorted(e.id for e in examples if not e.automated and "access" not in e.labels
                   and recipients_question(e.input_text))
    assert wrong == []


def test_a_retention_question_in_a_payment_mail_is_access():
    raw = ("From: Leena <leena@example.fi>\nTo: info@alektumgroup.no\nSubject: Asia 55609183\n"
           "Content-Type: text/plain; charset=utf-8\n\nHei,\n\nmaksoin viimeisen erän eilen. Kuinka pitkään "
           "säilytätte tietojani sen jälkeen, kun velka on maksettu?\n\nTerveisin Leena\n").encode()
    result = default_classifier().classify(parse_message(raw), explain=True)
    assert "access" in result.request_types
    assert any(rule.startswith("recipients:") for rule in result.rules)
