"""Case numbers, national ID numbers, special categories and redaction.

Every ID number here is synthetic: built from the published check-digit rules,
and cross-checked by the independent implementations below.
"""

from __future__ import annotations

import logging
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake_bot.identifiers import (
    EMAIL_TOKEN,
    ID_TOKEN,
    PHONE_TOKEN,
    SPECIAL_KINDS,
    NationalId,
    extract_case_numbers,
    find_national_ids,
    find_special_categories,
    redact,
    redact_address,
)

# --- independent check-digit builders (the test's own arithmetic) -------------


def make_fnr(d: date, individual: int, *, d_number: bool = False) -> str | None:
    """A Norwegian fødselsnummer/D-nummer, or None when no valid one exists."""
    day = d.day + (40 if d_number else 0)
    base = f"{day:02d}{d.month:02d}{d.year % 100:02d}{individual:03d}"
    w1 = [3, 7, 6, 1, 8, 9, 4, 5, 2]
    k1 = 11 - sum(int(c) * w for c, w in zip(base, w1)) % 11
    k1 = 0 if k1 == 11 else k1
    if k1 == 10:
        return None
    w2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    k2 = 11 - sum(int(c) * w for c, w in zip(base + str(k1), w2)) % 11
    k2 = 0 if k2 == 11 else k2
    if k2 == 10:
        return None
    return f"{base}{k1}{k2}"


def luhn_digit(nine: str) -> str:
    total = 0
    for i, c in enumerate(nine):
        v = int(c) * (2 if i % 2 == 0 else 1)
        total += v // 10 + v % 10
    return str((10 - total % 10) % 10)


def make_personnummer(d: date, serial: int) -> str:
    nine = f"{d.year % 100:02d}{d.month:02d}{d.day:02d}{serial:03d}"
    return f"{nine[:6]}-{nine[6:]}{luhn_digit(nine)}"


def make_hetu(d: date | str, serial: int, sign: str) -> str:
    """From a date, or from a raw DDMMYY string (to build impossible dates)."""
    head = d if isinstance(d, str) else f"{d.day:02d}{d.month:02d}{d.year % 100:02d}"
    check = "0123456789ABCDEFHJKLMNPRSTUVWXY"[int(head + f"{serial:03d}") % 31]
    return f"{head}{sign}{serial:03d}{check}"


FNR = "15038540189"  # 15 March 1985, individual number 401
DNR = "55038540172"  # the same date as a D-number (day + 40)
PNR = "811218-9876"  # Skatteverket's published example
HETU = "131052-308T"  # DVV's published example


def test_fixed_examples_agree_with_the_builders():
    assert make_fnr(date(1985, 3, 15), 401) == FNR
    assert make_fnr(date(1985, 3, 15), 401, d_number=True) == DNR
    assert make_personnummer(date(1981, 12, 18), 987) == PNR
    assert make_hetu(date(1952, 10, 13), 308, "-") == HETU


# --- case numbers ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Saksnummer: 4418230", ["4418230"]),
        ("Gjelder saksnr. 44182301, se vedlegg", ["44182301"]),
        ("sak nr 123456 er betalt", ["123456"]),
        ("Ärendenummer #5512300", ["5512300"]),
        ("Mitt ärendenr är 5512301.", ["5512301"]),
        ("Vedr. sagsnummer 7788990", ["7788990"]),
        ("Sagsnr: 7788991", ["7788991"]),
        ("Asianumero 3344556", ["3344556"]),
        ("Viitenumero: 1234567890", ["1234567890"]),
        ("Ihr Aktenzeichen lautet 9988776", ["9988776"]),
        ("Az. 9988777/2024", ["9988777"]),
        ("Kundennummer: 10203040", ["10203040"]),
        ("Case no. 66554433", ["66554433"]),
        ("Your reference number is 66554434, thanks", ["66554434"]),
        ("REF#66554435", ["66554435"]),
        ("Referanse: 5566778 og 5566779", ["5566778", "5566779"]),
        ("Referens 4455667, referens 4455667 igen", ["4455667"]),
        ("Saksnummeret på brevet er 40511287.", ["40511287"]),
        ("Viitenumeroni on 5581204", ["5581204"]),
    ],
)
def test_case_numbers_found_after_keywords(text, expected):
    assert extract_case_numbers(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Jeg betalte 4418230 kroner i fjor",  # no keyword
        "saksnummer 12345",  # too short
        "Referanse 12345678901",  # too long (and fødselsnummer-shaped)
        f"Ref {PNR}",  # a personnummer, not a case number
        "Saksnr. har jeg ikke, ring meg på tlf 98765432",  # phone after the keyword
        "Case: call me on 98765432",
        "Referanse +4798765432",
        "Sak om noe helt annet og lang tekst før tallet kommer 1234567",  # too far away
    ],
)
def test_not_case_numbers(text):
    assert extract_case_numbers(text) == []


# --- national IDs ------------------------------------------------------------------


def kinds(text: str) -> list[tuple[str, str]]:
    return [(n.kind, n.country) for n in find_national_ids(text)]


def test_norwegian_fodselsnummer_and_d_number():
    text = f"Fødselsnummer {FNR}, D-nummer {DNR}, med mellomrom {FNR[:6]} {FNR[6:]}."
    found = find_national_ids(text)
    assert [(n.kind, n.country) for n in found] == [
        ("fodselsnummer", "NO"), ("d-nummer", "NO"), ("fodselsnummer", "NO")]
    assert text[found[0].start:found[0].end] == FNR
    assert not hasattr(found[0], "value")


@pytest.mark.parametrize("position", range(11))
def test_norwegian_number_with_one_wrong_digit_is_rejected(position):
    digit = str((int(FNR[position]) + 1) % 10)
    wrong = FNR[:position] + digit + FNR[position + 1:]
    assert kinds(f"fnr {wrong}") == []


@settings(max_examples=60, deadline=None)
@given(st.dates(date(1900, 1, 1), date(2039, 12, 31)), st.integers(0, 999), st.booleans())
def test_every_valid_norwegian_number_is_found(d, individual, d_number):
    fnr = make_fnr(d, individual, d_number=d_number)
    if fnr is None:
        return
    assert kinds(f"nr: {fnr}.") == [("d-nummer" if d_number else "fodselsnummer", "NO")]


def test_swedish_personnummer_forms():
    long = "19" + PNR.replace("-", "")
    text = f"pnr {PNR}; 100+: {PNR.replace('-', '+')}; långt {long}; med streck 19{PNR}"
    assert kinds(text) == [("personnummer", "SE")] * 4
    assert kinds("samordningsnummer 701063-1005") == [("samordningsnummer", "SE")]


def test_swedish_numbers_failing_luhn_or_date_are_rejected():
    assert kinds("pnr 811218-9877") == []  # Luhn fails; 81 is no day, so not a CPR either
    assert kinds("pnr 811318-9870") == []  # month 13
    assert kinds("pnr 198112189877") == []


@settings(max_examples=60, deadline=None)
@given(st.dates(date(1930, 1, 1), date(2029, 12, 31)), st.integers(0, 999))
def test_every_valid_personnummer_is_found(d, serial):
    pnr = make_personnummer(d, serial)
    found = find_national_ids(f"Personnummer: {pnr}")
    assert len(found) == 1 and found[0].country in ("SE", "DK")
    if d.day > 31 or d.year % 100 > 31:
        assert found[0].country == "SE"  # YYMMDD cannot be read as a DDMMYY date


def test_danish_cpr():
    found = find_national_ids("CPR-nr.: 070761-4285")
    assert [(n.kind, n.country, n.checksum_ok) for n in found] == [("cpr", "DK", True)]
    # modern CPR numbers need not satisfy mod 11: still found, flagged
    found = find_national_ids("mit cpr er 010190-1235")
    assert [(n.kind, n.checksum_ok) for n in found] == [("cpr", False)]
    assert kinds("CPR 0101901235") == [("cpr", "DK")]  # no separator, but near "CPR"
    assert kinds("kontonummer 0101901235") == []  # ten bare digits without context
    assert kinds("CPR 320190-1234") == []  # 32 January


def test_finnish_hetu():
    assert kinds(f"Henkilötunnus {HETU}") == [("hetu", "FI")]
    assert kinds("hetu 010594Y9021 ja 020304B123P") == [("hetu", "FI"), ("hetu", "FI")]
    assert kinds("hetu 131052-308U") == []  # wrong check character
    assert kinds(f"hetu {make_hetu('310252', 308, '-')}") == []  # 31 February, check char right
    assert kinds(f"hetu {make_hetu('130252', 308, 'G')}") == []  # G is no century sign


@settings(max_examples=60, deadline=None)
@given(st.dates(date(1900, 1, 1), date(2099, 12, 31)), st.integers(2, 899), st.data())
def test_every_valid_hetu_is_found(d, serial, data):
    sign = data.draw(st.sampled_from("-UVWXY" if d.year < 2000 else "ABCDEF"))
    assert kinds(f"hetu {make_hetu(d, serial, sign)}") == [("hetu", "FI")]


def test_dates_and_amounts_are_not_ids():
    text = "Betalt 2024-03-15, beløp 12 500,00 kr, konto 1234.56.78901, faktura 20240315."
    assert find_national_ids(text) == []


# --- special categories --------------------------------------------------------------


@pytest.mark.parametrize(
    "kind,text",
    [
        ("health", "Jeg er sykmeldt og klarer ikke å betale"),
        ("health", "Eg har vore sjuk heile vinteren"),
        ("health", "Min kone har kreft og jeg har depresjon"),
        ("health", "Jag är sjukskriven sedan mars"),
        ("health", "Jeg har været sygemeldt i tre måneder"),
        ("health", "Olen ollut sairauslomalla ja masennus vaivaa"),
        ("health", "Ich bin seit Wochen krankgeschrieben"),
        ("health", "I was in hospital after a cancer diagnosis"),
        ("health", "I'm on sick leave until May"),
        ("health", "She is pregnant and cannot work"),
        ("union", "Jeg har snakket med fagforeningen min"),
        ("union", "Mitt fackförbund hjälper mig"),
        ("union", "Olen ammattiliiton jäsen"),
        ("union", "Die Gewerkschaft hat mir geraten"),
        ("union", "My trade union rep told me to write"),
        ("religion", "Det er fordi jeg er muslim"),
        ("religion", "Ich zahle Kirchensteuer"),
        ("politics", "Mitt politiske engasjement angår ikke dere"),
        ("politics", "I am a party member and this is political"),
        ("ethnicity", "Dere diskriminerer meg på grunn av etnisk bakgrunn"),
        ("ethnicity", "Das ist Rassismus"),
        ("sexual_orientation", "Jeg er homofil og"),
        ("sexual_orientation", "my sexual orientation is none of your business"),
        ("biometric_genetic", "Slett fingeravtrykket mitt"),
        ("biometric_genetic", "Do you store biometric data or DNA?"),
    ],
)
def test_special_categories_found(kind, text):
    found = find_special_categories(text)
    assert kind in {s.kind for s in found}
    assert all(s.kind in SPECIAL_KINDS for s in found)
    assert all(0 <= s.start < s.end <= len(text) for s in found)


@pytest.mark.parametrize(
    "text",
    [
        "I am sick of waiting for your answer",
        "Venleg helsing Olav",
        "Med vänliga hälsningar, Anna",
        "Ystävällisin terveisin Matti",
        "Behandlingen av mine personopplysninger må stoppe",
        "Hilsen Christian Jensen",
        "Please delete my data, regards Jewel",
        "Jeg vil ha innsyn i saken min",
        "Kann ich eine Ratenzahlung vereinbaren?",
    ],
)
def test_ordinary_mail_has_no_special_categories(text):
    assert find_special_categories(text) == []


def test_special_category_span_points_at_the_term():
    text = "Hei. Jeg har vært sykmeldt lenge."
    (hit,) = find_special_categories(text)
    assert text[hit.start:hit.end] == "sykmeldt"


# --- redaction --------------------------------------------------------------------


def test_redact_masks_addresses_ids_and_phones_but_keeps_case_numbers():
    text = (
        f"Fra kari.nordmann@example.no: fnr {FNR}, ring 987 65 432 eller +47 412 34 567.\n"
        f"Sverige: {PNR}, Suomi: {HETU}, tel. 070-123 45 67. Saksnummer 44182301."
    )
    out = redact(text)
    assert out == (
        f"Fra {EMAIL_TOKEN}: fnr {ID_TOKEN}, ring {PHONE_TOKEN} eller {PHONE_TOKEN}.\n"
        f"Sverige: {ID_TOKEN}, Suomi: {ID_TOKEN}, tel. {PHONE_TOKEN}. Saksnummer 44182301."
    )


def test_redact_masks_id_shaped_numbers_even_with_bad_check_digits():
    out = redact("fnr 15038540188 (skrivefeil)")
    assert "15038540188" not in out and ID_TOKEN in out


@pytest.mark.parametrize("text, kept", [
    ("Innsyn: min kreftdiagnose og HIV-behandling", "Innsyn: min "),
    ("Jeg er medlem av fagforeningen og ber om sletting", "Jeg er medlem av "),
    ("Ich bin schwanger und bitte um Löschung", "Ich bin "),
])
def test_redact_masks_special_category_mentions(text, kept):
    out = redact(text)
    assert out.startswith(kept) and "<special-category>" in out
    assert not find_special_categories(out)


def test_redact_leaves_ordinary_text_alone():
    text = "Jeg betalte 1 500 kr den 15.03.2024. Takk!"
    assert redact(text) == text


def test_redact_address():
    assert redact_address("kari.nordmann@example.no") == "k***@example.no"
    assert redact_address("Kari <k@example.no>".split("<")[1].rstrip(">")) == "k***@example.no"
    assert redact_address("@example.no") == "***@example.no"
    assert redact_address("not an address") == "***"
    assert redact_address("") == "***"


def test_nothing_is_logged(caplog):
    caplog.set_level(logging.DEBUG)
    text = f"fnr {FNR}, jeg har kreft, saksnr 4418230, kari@example.no"
    find_national_ids(text), find_special_categories(text), extract_case_numbers(text), redact(text)
    assert caplog.records == []


def test_national_id_has_no_value_field():
    assert set(NationalId.__dataclass_fields__) == {"kind", "country", "start", "end", "checksum_ok"}


def test_leap_day_is_a_valid_date():
    fnr = make_fnr(date(2000, 2, 29), 500) or make_fnr(date(2000, 2, 29), 501)
    assert kinds(fnr) == [("fodselsnummer", "NO")]
    assert kinds(make_hetu(date(2000, 2, 29), 123, "A")) == [("hetu", "FI")]
    assert kinds(make_hetu("290201", 123, "A")) == []  # 2001 is no leap year
    assert kinds(make_hetu("290200", 123, "A")) == [("hetu", "FI")]


def test_hetu_and_personnummer_shapes_are_told_apart_by_context():
    both = "140813-4722"  # a valid HETU (1913) and a valid personnummer (2014)
    assert both == make_personnummer(date(2014, 8, 13), 472) == make_hetu(date(1913, 8, 14), 472, "-")
    assert kinds(f"Personnummer: {both}") == [("personnummer", "SE")]
    assert kinds(f"Henkilötunnus {both}") == [("hetu", "FI")]
