"""Asking our marketing mail to stop, and the mail that only looks like it."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake_bot.classify import default_classifier
from intake_bot.corpus import load_corpus
from intake_bot.optout import optout_request
from intake_bot.parse import parse_message

MODELS = Path(__file__).resolve().parent.parent / "models"


@pytest.mark.parametrize(
    "text",
    [
        "Jag vill inte ha ert nyhetsbrev.",
        "Ei enää uutiskirjeitä, kiitos.",
        "Og så kan de økonomitips-e-postane deres få bli slutt.",
        "ta bort mig från mejllistan tack",
        "Eg vil ikkje ha fleire nyheitsbrev frå dykk, ta meg av e-postlista.",
        "Jeg ønsker ikke at modtage flere tilbud på mail fra jer.",
        "Ich möchte Ihren Newsletter nicht mehr bekommen.",
        "Bitte melden Sie mich vom Newsletter ab.",
        "Lopettakaa mainosten lähettäminen minulle.",
        "I no longer wish to receive marketing emails from you.",
        "Betalingen kommer fredag. Ert kundmagasin kommer varje månad. Det vill jag slippa.",
        "please unsubscribe me from the newsletter",
    ],
)
def test_a_request_to_stop_our_marketing_mail_is_found(text: str):
    assert optout_request(text)


@pytest.mark.parametrize(
    "text",
    [
        "Don't want these emails? Unsubscribe here.",
        "Vil du ikke lenger motta nyhetsbrev? Meld deg av her.",
        "Wenn Sie ihn nicht mehr erhalten möchten, können Sie sich hier abmelden.",
        "Avregistrera dig från våra kampanjutskick via länken i ditt konto.",
        "Ikke meld meg av nyhetsbrevet, jeg leser det gjerne.",
        "Avregistrera mig INTE från nyhetsbrevet.",
        "I already unsubscribed from your newsletter last month, thanks. How much do I owe?",
        "Stop sending me reminders about this debt, I am disputing it.",
        "Jeg har ikke fået jeres nyhedsbrev i marts. Er det blevet stoppet?",
        "Ich will nicht, dass meine Daten jetzt gelöscht werden, denn ich brauche sie eventuell als Beweis.",
    ],
)
def test_a_footer_a_wish_to_keep_it_or_a_debt_matter_is_not_one(text: str):
    assert optout_request(text) is None


def test_no_not_a_request_example_in_the_corpus_dev_set_or_probes_asks_it_but_one():
    examples = load_corpus(MODELS / "corpus") + load_corpus(MODELS / "dev") + load_corpus(MODELS / "probes")
    asked = [e.id for e in examples if not e.automated and "unsubscribe" not in e.labels
             and optout_request(e.input_text)]
    # nb-0070: "I don't want to be contacted for marketing, by phone or e-mail" is labelled objection
    assert asked == ["nb-0070"]


def test_a_buried_opt_out_makes_the_mail_an_unsubscribe_request():
    raw = ("From: Sara <sara@example.se>\nTo: info@alektumgroup.no\nSubject: Avbetalning\n\n"
           "Hej! Jag betalar resterande 1 200 kr den 25:e som vi sa i telefon. Kan ni skicka en ny "
           "OCR-avi?\n\nOch en sak till: jag vill inte ha ert nyhetsbrev om sparande varje vecka.\n\n"
           "Tack, Sara\n").encode()
    result = default_classifier().classify(parse_message(raw))
    assert "unsubscribe" in result.request_types
    assert any(r.startswith("opt-out: ") for r in result.rules)
