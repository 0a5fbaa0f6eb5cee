"""Every requester-facing mail in every language, rendered from the real templates."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from markupsafe import escape

from intake_bot import LANGUAGES, REQUEST_TYPES
from intake_bot.authorities import (
    AUTHORITY_DOMAINS,
    GENERIC,
    GERMAN_LAENDER,
    GERMANY_GENERIC,
    NATIONAL,
    authority_for,
    is_authority_address,
)
from intake_bot.errors import UserError
from intake_bot.replies import CASELESS, TEMPLATE_NAMES, format_date, make_env, render, type_names

REPO = Path(__file__).resolve().parent.parent
REFERENCE = "AG-2026-00042"
ORG_NAME = "Alektum <b>& Co"
CODE = "K7QM-4ZTR"
RECEIVED = date(2026, 1, 5)
DUE = date(2026, 2, 5)
EXPIRES = date(2026, 1, 19)
NEW_DUE = date(2026, 4, 7)
REASONS = "Reason <one> & \"two\""

DUE_TEXT = {"nb": "5. februar 2026", "sv": "5 februari 2026", "da": "5. februar 2026", "fi": "5.2.2026",
            "en": "5 February 2026", "de": "5. Februar 2026"}
NEW_DUE_TEXT = {"nb": "7. april 2026", "sv": "7 april 2026", "da": "7. april 2026", "fi": "7.4.2026",
                "en": "7 April 2026", "de": "7. April 2026"}
EXPIRES_TEXT = {"nb": "19. januar 2026", "sv": "19 januari 2026", "da": "19. januar 2026", "fi": "19.1.2026",
                "en": "19 January 2026", "de": "19. Januar 2026"}
DEBT_WORDS = ("debt", "gjeld", "skuld", "gæld", "velka", "schulden", "forderung")
WITH_CODE = ("acknowledgement", "verification_request", "verification_reminder")
WITH_DUE = ("acknowledgement", "verified")
WITH_REASONS = ("extension_notice", "hold_notice", "refusal_notice")
WITH_AUTHORITY_CONTACT = ("acknowledgement", "extension_notice", "refusal_notice")


@pytest.fixture(scope="module")
def env():
    return make_env()


def context(lang: str, *, verification: bool = True, reasons: str | None = REASONS,
            new_due: date | None = NEW_DUE, authority=None, types=("access", "erasure")) -> dict:
    return {
        "org": {"name": ORG_NAME, "dpo_address": "dataprotection@alektumgroup.com",
                "reply_from": "info@alektumgroup.no"},
        "case": {"reference": REFERENCE, "received": RECEIVED, "due": DUE, "request_types": list(types)},
        "lang": lang,
        "authority": authority or authority_for(lang, "NO", None),
        "verification": {"code": CODE, "expires": EXPIRES} if verification else None,
        "reasons": reasons,
        "new_due": new_due,
    }


def _all_parts(mail) -> str:
    return "\n".join((mail.subject, mail.text, mail.html))


# --- templates on disk ----------------------------------------------------------
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_template_has_three_files_and_one_line_subject(lang):
    for name in TEMPLATE_NAMES:
        for kind in ("subject", "txt", "html"):
            assert (REPO / "templates" / lang / f"{name}.{kind}.j2").is_file(), (lang, name, kind)
        subject = (REPO / "templates" / lang / f"{name}.subject.j2").read_text(encoding="utf-8")
        assert subject.startswith("[{{ case.reference }}] ") != (name in CASELESS)
        assert len(subject.strip().splitlines()) == 1


# --- every template, every language ---------------------------------------------
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_render_full_context(env, name, lang):
    mail = render(env, name, lang, context(lang))
    assert mail.subject.startswith(f"[{REFERENCE}] ") != (name in CASELESS)
    assert "\n" not in mail.subject and len(mail.subject) > 15
    for part in (mail.subject, mail.text, mail.html):
        assert "{{" not in part and "{%" not in part and "}}" not in part
        assert "None" not in part
    if name in WITH_DUE:
        assert DUE_TEXT[lang] in mail.text and DUE_TEXT[lang] in mail.html
    if name in WITH_CODE:
        assert CODE in mail.text and CODE in mail.html
        assert EXPIRES_TEXT[lang] in mail.text
    if name in WITH_REASONS:
        assert REASONS in mail.text
        assert str(escape(REASONS)) in mail.html and REASONS not in mail.html
    if name in ("extension_notice", "hold_notice", "resume_notice"):
        assert NEW_DUE_TEXT[lang] in mail.text and NEW_DUE_TEXT[lang] in mail.html
    # the org name is escaped in HTML, verbatim in text
    assert ORG_NAME in mail.text
    assert str(escape(ORG_NAME)) in mail.html and ORG_NAME not in mail.html
    # no remote images or resources, no scripts
    html = mail.html.lower()
    assert "<img" not in html and "<script" not in html and "url(" not in html
    assert not re.search(r"src\s*=", html) and "<link" not in html
    assert html.startswith("<!doctype html>") and f'lang="{lang}"' in html
    assert mail.text.strip() and not mail.text.lstrip().startswith("<")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_acknowledgement_says_nothing_about_debts(env, lang):
    for verification in (True, False):
        mail = render(env, "acknowledgement", lang, context(lang, verification=verification))
        lowered = _all_parts(mail).lower()
        for word in DEBT_WORDS:
            assert word not in lowered, (lang, word)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_acknowledgement_without_verification(env, lang):
    with_code = render(env, "acknowledgement", lang, context(lang))
    mail = render(env, "acknowledgement", lang, context(lang, verification=False))
    assert CODE not in _all_parts(mail)
    assert EXPIRES_TEXT[lang] not in mail.text
    assert DUE_TEXT[lang] in mail.text and DUE_TEXT[lang] in mail.html
    assert mail.subject == with_code.subject
    assert len(mail.text) < len(with_code.text)
    assert "{{" not in mail.html and "None" not in _all_parts(mail)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", ("acknowledgement", "refusal_notice"))
def test_authority_named_with_contact_details(env, name, lang):
    authority = authority_for(lang, "NO", None)
    mail = render(env, name, lang, context(lang))
    assert authority.name in mail.text and str(escape(authority.name)) in mail.html
    assert authority.website in mail.text and authority.website in mail.html
    assert authority.email in mail.text and authority.phone in mail.text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_completed_notice_names_authority(env, lang):
    mail = render(env, "completed_notice", lang, context(lang))
    assert authority_for(lang, "NO", None).name in mail.text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_authority_with_missing_fields(env, lang):
    # e.g. a German Land without a published phone number, or the generic fallback
    mail = render(env, "refusal_notice", lang, context(lang, authority=GENERIC))
    assert GENERIC.website in mail.text
    assert "None" not in _all_parts(mail)
    as_dict = {"name": "Some Authority", "website": "https://example.invalid", "email": None,
               "phone": None, "address": None}
    mail = render(env, "acknowledgement", lang, context(lang, authority=as_dict))
    assert "Some Authority" in mail.text and "None" not in _all_parts(mail)


def test_german_reply_for_a_foreign_org_carries_the_note(env):
    authority = authority_for("de", "SE", None)
    assert authority.name == NATIONAL["SE"].name and authority.note
    mail = render(env, "acknowledgement", "de", context("de", authority=authority))
    assert authority.note in mail.text and authority.note in mail.html


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", WITH_REASONS)
def test_reasons_and_new_due_may_be_missing(env, name, lang):
    full = render(env, name, lang, context(lang))
    bare = render(env, name, lang, context(lang, reasons=None, new_due=None))
    for part in (bare.subject, bare.text, bare.html):
        assert "None" not in part and "{{" not in part
    assert REASONS not in bare.text and NEW_DUE_TEXT[lang] not in bare.text
    assert bare.text != full.text
    # the reasons box still says something
    assert len(bare.text) > 200


@pytest.mark.parametrize("lang", LANGUAGES)
def test_verification_expired_with_and_without_date(env, lang):
    mail = render(env, "verification_expired", lang, context(lang))
    assert EXPIRES_TEXT[lang] in mail.text
    bare = render(env, "verification_expired", lang, context(lang, verification=False))
    assert EXPIRES_TEXT[lang] not in bare.text and "None" not in _all_parts(bare)


@pytest.mark.parametrize("name", ("verification_request", "verification_reminder"))
def test_code_templates_refuse_to_render_without_a_code(env, name):
    with pytest.raises(UserError):
        render(env, name, "nb", context("nb", verification=False))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_never_asks_for_identity_documents_positively(env, lang):
    # the ID-document sentence exists only as a "do not send" instruction
    mail = render(env, "acknowledgement", lang, context(lang))
    words = {"nb": "Ikke send", "sv": "Skicka inte", "da": "Send os ikke", "fi": "Älä lähetä",
             "en": "do not send", "de": "keine Kopien"}
    assert words[lang] in mail.text


def test_types_text_filled_in_the_mail_language(env):
    mail = render(env, "acknowledgement", "nb", context("nb", types=("erasure", "access")))
    assert "innsyn i personopplysninger og sletting" in mail.text
    mail = render(env, "acknowledgement", "fi", context("fi", types=("unsubscribe",)))
    assert "uutiskirjeen tilauksen peruminen" in mail.text


def test_context_is_not_mutated(env):
    ctx = context("en")
    render(env, "acknowledgement", "en", ctx)
    assert "types_text" not in ctx["case"]


# --- language fallback -------------------------------------------------------------
def test_unknown_language_falls_back_to_english(env):
    mail = render(env, "acknowledgement", "pl", context("pl"))
    english = render(env, "acknowledgement", "en", context("en"))
    assert mail.subject == english.subject
    assert DUE_TEXT["en"] in mail.text


def test_nynorsk_is_answered_in_bokmal(env):
    mail = render(env, "verified", "nn", context("nn"))
    assert mail.subject == render(env, "verified", "nb", context("nb")).subject
    assert DUE_TEXT["nb"] in mail.text


def test_unknown_template_name_raises(env):
    with pytest.raises(UserError):
        render(env, "payment_plan", "en", context("en"))


def test_fallback_when_a_language_directory_lacks_a_template(tmp_path):
    for lang in ("en", "sv"):
        (tmp_path / lang).mkdir()
    for kind, body in (("subject", "[{{ case.reference }}] EN"), ("txt", "en {{ case.types_text }}"),
                       ("html", "<p>{{ org.name }}</p>")):
        (tmp_path / "en" / f"verified.{kind}.j2").write_text(body)
    env = make_env(tmp_path)
    mail = render(env, "verified", "sv", context("sv"))
    assert mail.subject == f"[{REFERENCE}] EN"
    assert mail.text == "en access to personal data and erasure"
    assert mail.html == f"<p>{escape(ORG_NAME)}</p>"


def test_env_escapes_html_only(env):
    assert env.from_string("{{ x }}").render(x="<b>") == "<b>"
    assert env.autoescape("en/verified.html.j2") is True
    assert env.autoescape("en/verified.txt.j2") is False
    assert env.autoescape("en/verified.subject.j2") is False
    strict = make_env()
    with pytest.raises(Exception):
        strict.get_template("en/verified.txt.j2").render({})


# --- dates and request types ----------------------------------------------------
@pytest.mark.parametrize("lang,expected", [
    ("nb", "31. januar 2026"), ("sv", "31 januari 2026"), ("da", "31. januar 2026"),
    ("fi", "31.1.2026"), ("en", "31 January 2026"), ("de", "31. Januar 2026"),
])
def test_format_date(lang, expected):
    assert format_date(date(2026, 1, 31), lang) == expected
    assert format_date(datetime(2026, 1, 31, 23, 59), lang) == expected


def test_format_date_months():
    assert format_date(date(2026, 3, 1), "de") == "1. März 2026"
    assert format_date(date(2026, 5, 17), "nb") == "17. mai 2026"
    assert format_date(date(2026, 12, 24), "da") == "24. december 2026"
    assert format_date(date(2026, 12, 24), "fi") == "24.12.2026"
    assert format_date(date(2026, 8, 2), "sv") == "2 augusti 2026"


def test_type_names_join():
    assert type_names(["access"], "nb") == "innsyn i personopplysninger"
    assert type_names(["erasure", "access"], "nb") == "innsyn i personopplysninger og sletting"
    assert type_names(["access", "erasure", "objection"], "en") == (
        "access to personal data, erasure and objection to processing")
    assert type_names(["access", "access"], "sv") == "tillgång till personuppgifter (registerutdrag)"
    assert type_names(["rectification", "portability"], "fi") == (
        "tietojen oikaiseminen ja tietojen siirtäminen järjestelmästä toiseen")
    assert type_names(["erasure", "restriction"], "de") == "Löschung und Einschränkung der Verarbeitung"
    assert type_names(["unsubscribe"], "da") == "afmelding af nyhedsbreve"


def test_type_names_cover_every_type_in_every_language():
    for lang in LANGUAGES:
        words = [type_names([t], lang) for t in REQUEST_TYPES]
        assert len(set(words)) == len(REQUEST_TYPES), lang


def test_type_names_empty_and_unknown():
    assert type_names([], "en") == "your data protection rights"
    with pytest.raises(UserError):
        type_names(["payment_plan"], "en")


# --- authorities ------------------------------------------------------------------
def test_authority_by_language():
    assert authority_for("nb", "SE", None).name == "Datatilsynet"
    assert authority_for("nb", "SE", None).website == "https://www.datatilsynet.no"
    assert authority_for("sv", "NO", None).website == "https://www.imy.se"
    assert authority_for("da", "NO", None).website == "https://www.datatilsynet.dk"
    assert authority_for("fi", "NO", None).website == "https://tietosuoja.fi"
    assert authority_for("en", "SE", None) == NATIONAL["SE"]
    assert authority_for("en", "GB", None) == GENERIC


def test_german_land_authorities():
    by = authority_for("de", "DE", "BY")
    assert "BayLDA" in by.name and "Ansbach" in by.address and by.note is None
    assert authority_for("de", "DE", "BE").website == "https://www.datenschutz-berlin.de"
    assert authority_for("de", "DE", "DE-NW") == GERMAN_LAENDER["NW"]
    assert authority_for("de", "DE", None) == GERMANY_GENERIC
    assert authority_for("en", "DE", "HH") == GERMAN_LAENDER["HH"]
    assert len(GERMAN_LAENDER) == 16
    for key in ("BY", "BE", "NW", "HE", "BW", "HH", "NI"):
        a = GERMAN_LAENDER[key]
        assert a.email and a.phone and a.address and a.website.startswith("https://"), key
    for a in GERMAN_LAENDER.values():
        assert a.name and a.website.startswith("https://")


def test_every_national_authority_is_complete():
    for a in NATIONAL.values():
        assert a.name and a.website.startswith("https://") and "@" in a.email and a.phone.startswith("+")
        assert a.address


@pytest.mark.parametrize("addr", [
    "postkasse@datatilsynet.no", "Saksbehandler <ola@datatilsynet.no>", "x@imy.se", "dt@datatilsynet.dk",
    "a@tietosuoja.fi", "poststelle@lda.bayern.de", "mailbox@datenschutz-berlin.de", "a@ldi.nrw.de",
    "someone@edpb.europa.eu", "case@ico.org.uk", "x@mail.datatilsynet.no", "X@DATATILSYNET.NO",
])
def test_is_authority_address(addr):
    assert is_authority_address(addr)


@pytest.mark.parametrize("addr", [
    "someone@notdatatilsynet.no", "datatilsynet.no@gmail.com", "x@datatilsynet.no.evil.example",
    "x@bayern.de", "", "not an address", "x@europa.eu",
])
def test_is_not_authority_address(addr):
    assert not is_authority_address(addr)


def test_authority_domains_cover_the_named_ones():
    for d in ("datatilsynet.no", "imy.se", "datatilsynet.dk", "tietosuoja.fi", "edpb.europa.eu", "ico.org.uk",
              "lda.bayern.de", "datenschutz-berlin.de", "ldi.nrw.de", "datenschutz.hessen.de", "lfdi.bwl.de",
              "datenschutz.hamburg.de", "lfd.niedersachsen.de"):
        assert d in AUTHORITY_DOMAINS


def test_authority_is_frozen():
    a = NATIONAL["NO"]
    with pytest.raises(Exception):
        a.name = "x"  # type: ignore[misc]
    assert replace(a, note="n").note == "n" and a.note is None
