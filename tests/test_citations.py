"""GDPR rights cited by article or by name: the rule that floors a label's score."""

from __future__ import annotations

import pytest

from intake_bot.citations import FLOOR, cited_rights
from intake_bot.classify import default_classifier
from intake_bot.parse import parse_message
from intake_bot.scoring import score


@pytest.mark.parametrize("lang, text, label", [
    ("en", "I accordingly request erasure under Article 17(1)(a) GDPR.", "erasure"),
    ("de", "Auskunft nach Art. 15 DSGVO, bitte.", "access"),
    ("sv", "Jag invänder härmed, med stöd av artikel 21.1 i förordningen.", "objection"),
    ("fi", "Pyydän tietojen siirtoa tietosuoja-asetuksen 20 artiklan mukaisesti.", "portability"),
    ("nb", "Jeg viser til personvernforordningen artikkel 16.", "rectification"),
    ("da", "Jeg beder om begrænsning af behandlingen, til sagen er afklaret.", "restriction"),
    ("sv", "Jag åberopar rätten att bli bortglömd.", "erasure"),
    ("de", "Ich mache mein Recht auf Vergessenwerden geltend.", "erasure"),
    ("en", "I am exercising my right to object.", "objection"),
])
def test_citations_name_the_right(lang, text, label):
    assert label in cited_rights(text, lang)


@pytest.mark.parametrize("lang, text", [
    ("en", "I am not invoking Article 17, I only want a copy."),
    ("sv", "Jag begär inte radering enligt artikel 17."),
    ("de", "Es geht mir nicht um das Recht auf Löschung."),
    ("en", "Article 19 says you must tell recipients."),       # not one of the seven
    ("en", "See article 150 of the terms."),                  # a different number
    ("en", "Please pay 17 euros by the 21st."),                 # numbers without "article"
])
def test_negated_or_other_citations_do_not_count(lang, text):
    assert cited_rights(text, lang) == {}


def test_a_citation_floors_the_score_above_the_threshold():
    clf = default_classifier()
    subject = "Request – Article 17(1)(a) GDPR"
    body = ("Your reference: 6120447. The underlying claim was settled in full on 14 June 2022, as "
            "confirmed in your own closing letter. The personal data you hold about me is therefore no "
            "longer necessary for the purposes for which it was collected. I accordingly rely on "
            "Article 17(1)(a).")
    erasure = score(clf.nlp, [(subject, body, "en")])[0]["erasure"]
    assert erasure >= FLOOR > clf.thresholds["erasure"]


def test_explain_names_the_citation():
    raw = (b"From: a@example.org\r\nTo: dataprotection@example.com\r\nSubject: Art. 15 DSGVO\r\n"
           b"Message-ID: <c1@example.org>\r\n\r\nIch verlange Auskunft nach Art. 15 DSGVO.\r\n")
    result = default_classifier().classify(parse_message(raw), explain=True)
    assert "access" in result.request_types
    assert any(r.startswith("citation:") and r.endswith("-> access") for r in result.rules)
