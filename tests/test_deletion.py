"""Asking to delete an item of one's personal data, and the debt matters that look like it."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake_bot.classify import default_classifier
from intake_bot.corpus import load_corpus
from intake_bot.deletion import deletion_request
from intake_bot.parse import parse_message

MODELS = Path(__file__).resolve().parent.parent / "models"


@pytest.mark.parametrize(
    "text",
    [
        "Stop calling my workplace, and delete that number from my file.",
        "Kredittopplysningene dere hentet inn om meg i april vil jeg også ha slettet.",
        "Notera att jag invänder mot inspelning och radera de inspelningar som redan finns.",
        "Poistakaa tilinumero järjestelmästänne, sille ei ole enää käyttöä.",
        "Any recordings you've already got of me. Bin them.",
        "Når sagen er lukket, ønsker jeg alle mine oplysninger slettet hos jer.",
        "Sobald alles erledigt ist, sollen sämtliche Daten über mich bei Ihnen gelöscht werden.",
        "Ni har ett gammalt kontonummer till mig. Det vill jag att ni tar bort ur era system.",
        "And chuck my email address out of your systems while you're at it.",
    ],
)
def test_a_request_to_delete_personal_data_is_found(text: str):
    assert deletion_request(text)


@pytest.mark.parametrize(
    "text",
    [
        "Please remove the reminder fee, I never got the first letter.",
        "Kan dere slette den ene saken så jeg ikke betaler dobbelt?",
        "Radera gärna det mejlet och titta på den här bilagan i stället.",
        "Jeg kom til at slette jeres mail. Kan I sende den igen?",
        "Löschen Sie aber nichts, ich brauche die Unterlagen als Beweismittel.",
        "Ich verlange nicht, dass Sie irgendetwas löschen.",
        "En pyydä poistamaan mitään, haluan vain tietää, mitä tietoja teillä on.",
        "Thanks for confirming that my old number has been deleted.",
        "Could you remove this address from the distribution list manually?",
        "Jeg lurer rett og slett på hvor lenge dere lagrer opplysningene.",
        "Bitte die alte E-Mail-Adresse löschen und durch die neue ersetzen.",
    ],
)
def test_a_debt_matter_a_negation_or_something_done_is_not_one(text: str):
    assert deletion_request(text) is None


def test_few_examples_outside_erasure_ask_it():
    examples = load_corpus(MODELS / "corpus") + load_corpus(MODELS / "dev") + load_corpus(MODELS / "probes")
    asked = sorted(e.id for e in examples if not e.automated and "erasure" not in e.labels
                   and deletion_request(e.input_text))
    # read one by one: "Ich weiß, dass Sie Daten … löschen", "Ich lehne eine Löschung jedoch ab, …" (restriction),
    # a company asking to remove its accounts@ address from product mail (unsubscribe), and two of the
    # unread probe round *-23's look-alikes
    assert len(asked) <= 5, asked


def test_a_deletion_beside_an_objection_makes_the_mail_an_erasure_request_too():
    raw = ("From: Sigrid <sigrid@example.no>\nTo: info@alektumgroup.no\nSubject: Calls to my work\n\n"
           "Hello, you keep calling the reception at my workplace and asking for me. I object to it, so no "
           "more calls there.\n\nAnd delete that work number from my file.\n\nBest regards Sigrid\n").encode()
    result = default_classifier().classify(parse_message(raw))
    assert {"erasure", "objection"} <= set(result.request_types)
    assert any(r.startswith("deletion: ") for r in result.rules)
