"""Mail that only looks like an objection: asking to be called, objecting to the debt."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake_bot.classify import default_classifier
from intake_bot.corpus import load_corpus
from intake_bot.lookalikes import objection_lookalike
from intake_bot.parse import parse_message

MODELS = Path(__file__).resolve().parent.parent / "models"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Jeg har prøvet at ringe til jer tre gange i dag. Kan I ringe mig op i morgen formiddag?", "da"),
        ("Hei, soittakaa minulle neljän jälkeen, niin sovitaan maksuaikataulusta.", "fi"),
        ("Jag vill gärna prata om en avbetalningsplan, ring mig i morgon förmiddag.", "sv"),
        ("Vastustan saatavaa sekä pääoman että perintäkulujen osalta.", "fi"),
        ("Jeg protesterer mot salæret på 700 kr.", "nb"),
        ("I object to the collection fee, the invoice was paid on time.", "en"),
    ],
)
def test_asking_to_be_called_or_objecting_to_the_debt_looks_like_an_objection(text: str, lang: str):
    assert objection_lookalike(text, lang)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Don't call me at work any more. Call my mobile after five instead.", "en"),
        ("Ring mig gerne på mobilen, men ring aldrig til min arbejdsplads.", "da"),
        ("Jag bestrider kravet, och jag invänder också mot att ni gör en kreditupplysning på mig.", "sv"),
        ("Rufen Sie mich bitte zurück, aber zeichnen Sie das Gespräch nicht auf.", "de"),
        ("Vastustan saatavaa. Lisäksi kiellän puhelinnumeroni käytön, hoitakaa asiat vain kirjeitse.", "fi"),
    ],
)
def test_a_real_objection_beside_it_is_kept(text: str, lang: str):
    assert objection_lookalike(text, lang) is None


def test_few_objection_examples_are_gated():
    examples = load_corpus(MODELS / "corpus") + load_corpus(MODELS / "dev") + load_corpus(MODELS / "probes")
    gated = sorted(e.id for e in examples if not e.automated and "objection" in e.labels
                   and objection_lookalike(e.input_text, e.lang))
    # 3 of 666, read one by one: "bed jeres sælgere om at holde op med at ringe mig op" (da-2079), a cited
    # Art. 21 whose citation floor still applies (de-3047) and "ni ska int ringa mej" (sv-6027)
    assert gated == ["da-2079", "de-3047", "sv-6027"]


def test_a_call_me_back_mail_is_not_an_objection():
    raw = ("From: Niels <niels@example.dk>\nTo: info@alektumgroup.no\nSubject: Ring mig op\n\n"
           "Goddag\n\nJeg har prøvet at ringe til jer tre gange i dag, men kom ikke igennem. Kan I ringe mig op "
           "i morgen formiddag? Det drejer sig om regningen fra maskinstationen.\n\nHilsen Niels\n").encode()
    result = default_classifier().classify(parse_message(raw))
    assert "objection" not in result.request_types
