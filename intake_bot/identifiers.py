"""Identifiers and sensitive data in mail text (pure; nothing here logs anything).

* :func:`extract_case_numbers` -- our own case / reference numbers, which staff need;
* :func:`find_national_ids` -- Nordic national identity numbers, validated by their
  check digits and dates; only the kind and the span are returned, never the value;
* :func:`find_special_categories` -- GDPR art. 9 data (health, union, ...) that
  people send in and that staff must handle with care;
* :func:`redact` / :func:`redact_address` -- safe text for logs and digests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# --- case numbers -------------------------------------------------------------
_CASE_KEYWORDS = r"""
    saksnummer(?:et)? | saksnr | sak\s*nr | sak | referansenummer(?:et)? | referansen? | refnr
  | ärendenummer | ärendenumret | ärendenr | ärende | referensnummer | referensnumret | referens(?:en)?
  | sagsnummer(?:et)? | sagsnr | sag\s*nr | sag | referencenummer(?:et)? | referencen
  | asianumero(?:ni|nne)? | asiano | asiakasnumero(?:ni)? | viitenumero(?:ni|nne)? | viitenro | viite
  | aktenzeichen | az | kundennummer | kundennr | kundnummer | kundenummer
  | case\s*(?:number|no|nr)? | reference\s*(?:number|no|nr)? | ref
"""
_CASE_NUMBER = re.compile(
    r"\b(?:" + _CASE_KEYWORDS + r")\b\.?"
    r"(?P<gap>(?:[\s:#.]*(?:nr|no|nummer|number|numero)?\.?[\s:#]*"
    r"(?:[^\W\d_]+[\s:#.,]+){0,3}?)?)"
    r"(?<![\d+])(?P<num>\d{6,10})(?![\d])(?![-+]\d)",
    re.IGNORECASE | re.VERBOSE | re.UNICODE,
)
_MORE_NUMBERS = re.compile(
    r"\s*(?:,|og|and|och|und|ja|&|/)\s*(?<![\d+])(\d{6,10})(?!\d)(?![-+]\d)", re.IGNORECASE
)
_PHONE_WORDS = re.compile(
    r"\b(?:tlf|telefon\w*|mobil\w*|phone|tel|puh|puhelin\w*|handy|fax|ring|call|soita)\b",
    re.IGNORECASE,
)


def _case_number_spans(text: str) -> list[tuple[int, int]]:
    ids = [(n.start, n.end) for n in find_national_ids(text)]
    spans: list[tuple[int, int]] = []
    for m in _CASE_NUMBER.finditer(text):
        if _PHONE_WORDS.search(m.group("gap") or ""):
            continue
        found = [(m.start("num"), m.end("num"))]
        pos = m.end()
        while more := _MORE_NUMBERS.match(text, pos):
            found.append((more.start(1), more.end(1)))
            pos = more.end()
        spans.extend(s for s in found if not any(s[0] < e and b < s[1] for b, e in ids))
    return spans


def extract_case_numbers(text: str) -> list[str]:
    """6-10 digit numbers a few words after a case/reference keyword, deduplicated, in order.

    >>> extract_case_numbers("Saksnummer: 4418230. Ref #99120044 og 99120045")
    ['4418230', '99120044', '99120045']
    """
    out: list[str] = []
    for start, end in _case_number_spans(text):
        num = text[start:end]
        if num not in out:
            out.append(num)
    return out


# --- national identity numbers ------------------------------------------------
@dataclass(frozen=True)
class NationalId:
    kind: str  # fodselsnummer, d-nummer, personnummer, samordningsnummer, cpr, hetu
    country: str  # NO, SE, DK, FI
    start: int
    end: int
    checksum_ok: bool = True  # False only for Danish CPR numbers that fail the old mod-11 rule


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _valid_any_century(yy: int, month: int, day: int) -> bool:
    return _valid_date(1900 + yy, month, day) or _valid_date(2000 + yy, month, day)


def _mod11_digit(digits: str, weights: tuple[int, ...]) -> int | None:
    rest = sum(int(d) * w for d, w in zip(digits, weights)) % 11
    check = (11 - rest) % 11
    return None if check == 10 else check


_NO_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_NO_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def norwegian_id_kind(digits: str) -> str | None:
    """'fodselsnummer' or 'd-nummer' when the 11 digits are valid, else None."""
    if len(digits) != 11 or not digits.isdigit():
        return None
    if _mod11_digit(digits[:9], _NO_K1) != int(digits[9]):
        return None
    if _mod11_digit(digits[:10], _NO_K2) != int(digits[10]):
        return None
    day, month, yy = int(digits[:2]), int(digits[2:4]), int(digits[4:6])
    kind = "fodselsnummer"
    if day > 40:
        day, kind = day - 40, "d-nummer"
    return kind if _valid_any_century(yy, month, day) else None


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def swedish_id_kind(digits10: str, century: int | None = None) -> str | None:
    """'personnummer' or 'samordningsnummer' for a valid YYMMDDNNNC, else None."""
    if len(digits10) != 10 or not digits10.isdigit() or not luhn_ok(digits10):
        return None
    yy, month, day = int(digits10[:2]), int(digits10[2:4]), int(digits10[4:6])
    kind = "personnummer"
    if day > 60:
        day, kind = day - 60, "samordningsnummer"
    if century is not None:
        ok = _valid_date(century * 100 + yy, month, day)
    else:
        ok = _valid_any_century(yy, month, day)
    return kind if ok else None


_CPR_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)


def cpr_date_ok(digits10: str) -> bool:
    day, month, yy = int(digits10[:2]), int(digits10[2:4]), int(digits10[4:6])
    return _valid_any_century(yy, month, day)


def cpr_mod11_ok(digits10: str) -> bool:
    return sum(int(d) * w for d, w in zip(digits10, _CPR_WEIGHTS)) % 11 == 0


HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_HETU_CENTURY = {"+": 1800, **{c: 1900 for c in "-UVWXY"}, **{c: 2000 for c in "ABCDEF"}}


def hetu_ok(hetu: str) -> bool:
    hetu = hetu.upper()
    if len(hetu) != 11 or hetu[6] not in _HETU_CENTURY:
        return False
    head, serial, check = hetu[:6], hetu[7:10], hetu[10]
    if not (head.isdigit() and serial.isdigit()):
        return False
    if HETU_CHECK[int(head + serial) % 31] != check:
        return False
    day, month, yy = int(head[:2]), int(head[2:4]), int(head[4:6])
    return _valid_date(_HETU_CENTURY[hetu[6]] + yy, month, day)


_HETU = re.compile(r"(?<![\w+-])\d{6}[-+A-FU-Y]\d{3}[0-9A-Y](?![\w])", re.IGNORECASE)
_SE_LONG = re.compile(r"(?<![\w+-])(19|20)(\d{6})[-+]?(\d{4})(?![\w])")
_SIX_FOUR = re.compile(r"(?<![\w+-])(\d{6})(?P<sep>[-+ ]?)(\d{4})(?![\w])")
_NO_ELEVEN = re.compile(r"(?<![\w+-])(\d{6}) ?(\d{5})(?![\w])")
_CPR_CONTEXT = re.compile(r"\bcpr\b", re.IGNORECASE)
_SE_CONTEXT = re.compile(r"\b(?:personnummer|personnr|pnr|samordningsnummer)\b", re.IGNORECASE)
CONTEXT_CHARS = 30


def _near(pattern: re.Pattern, text: str, start: int) -> bool:
    return bool(pattern.search(text, max(0, start - CONTEXT_CHARS), start))


def find_national_ids(text: str) -> list[NationalId]:
    """Valid Norwegian, Swedish, Danish and Finnish ID numbers, by span (no values kept)."""
    found: list[NationalId] = []

    def free(start: int, end: int) -> bool:
        return not any(start < n.end and n.start < end for n in found)

    for m in _HETU.finditer(text):
        digit_only = m.group()[10].isdigit() and m.group()[6] in "-+"
        if digit_only and (_near(_SE_CONTEXT, text, m.start()) or _near(_CPR_CONTEXT, text, m.start())):
            continue  # shaped like a personnummer/CPR too, and the context says which
        if hetu_ok(m.group()):
            found.append(NationalId("hetu", "FI", m.start(), m.end()))
    for m in _SE_LONG.finditer(text):
        kind = swedish_id_kind(m.group(2) + m.group(3), century=int(m.group(1)))
        if kind and free(m.start(), m.end()):
            found.append(NationalId(kind, "SE", m.start(), m.end()))
    for m in _NO_ELEVEN.finditer(text):
        kind = norwegian_id_kind(m.group(1) + m.group(2))
        if kind and free(m.start(), m.end()):
            found.append(NationalId(kind, "NO", m.start(), m.end()))
    for m in _SIX_FOUR.finditer(text):
        if not free(m.start(), m.end()):
            continue
        digits, sep = m.group(1) + m.group(3), m.group("sep")
        cpr_context = _near(_CPR_CONTEXT, text, m.start())
        se_kind = swedish_id_kind(digits) if sep in "-+" else None
        if se_kind and sep == "" and not _near(_SE_CONTEXT, text, m.start()):
            se_kind = None  # ten bare digits: too often an account or case number
        if se_kind and not cpr_context:
            found.append(NationalId(se_kind, "SE", m.start(), m.end()))
        elif cpr_date_ok(digits) and (sep == "-" or cpr_context):
            found.append(NationalId("cpr", "DK", m.start(), m.end(), checksum_ok=cpr_mod11_ok(digits)))
    return sorted(found, key=lambda n: n.start)


# --- special categories (GDPR art. 9) ----------------------------------------
SPECIAL_KINDS = ("health", "ethnicity", "politics", "religion", "union", "sexual_orientation",
                 "biometric_genetic")
# Regex fragments, matched case-insensitively between word boundaries. Bare
# words that are often used loosely ("sick of waiting", "Angst") are left out
# or guarded.
_SPECIAL_TERMS: dict[str, str] = {
    "health": r"""
        syk | sjuk | syg | sykdom\w* | sjukdom\w* | sygdom\w* | sykmeld\w* | sykemeld\w*
      | sjukmeld\w* | sjukskriv\w* | sygemeld\w* | sygeorlov | kreft\w* | kræft\w* | cancer\w*
      | depresjon\w* | deprimert | depression\w* | deprimeret | deprimerad | diagnose\w* | diagnos
      | diagnosen | sykehus\w* | sjukehus\w* | sjukhus\w* | sygehus\w* | hospital\w*
      | innlagt | indlagt | inlagd | legeerklæring\w* | legen | fastlege\w* | lægeerklæring\w*
      | læge\w* | läkare\w* | läkarintyg\w* | psykisk\w* | psykiatri\w* | psykolog\w*
      | uføretrygd\w* | uføre | førtidspension\w* | sjukersättning | gravid\w* | graviditet\w*
      | svangerskap\w* | helseproblem\w* | helseopplysning\w* | helsetilstand\w* | helsa | helse
      | helsen | hälsa | hälsan | hälsoproblem\w* | helbred\w* | funksjonshemm\w* | handicap\w*
      | funktionsnedsättning\w* | cellegift | kjemoterapi | kemoterapi | rusavhengig\w*
      | alkoholiker | sairas | sairaa\w* | sairau\w* | sairaala\w* | syöpä\w* | syöv\w*
      | masennu\w* | masentunut | diagnoosi\w* | lääkäri\w* | raskaana | työkyvytön\w*
      | mielenterve\w* | terveydentila\w* | terveysongelm\w* | krank\w* | diagnose\w*
      | krebs\w* | depressiv\w* | arzt | ärztin | ärztlich\w* | schwanger\w* | behinderung\w*
      | psychisch\w* | gesundheit\w* | illness\w* | sickness | sick\s+(?:leave|note|pay)
      | sick(?!\s+(?:of|and\s+tired|leave|note|pay)\b) | diagnosis | diagnosed | pregnan\w*
      | disabilit\w* | disabled | mental\s+health | medical\s+condition\w* | chemotherapy
      | surgery | doctor'?s\s+note | hiv(?:-\w+)?
    """,
    "ethnicity": r"""
        etnisk\w* | etnicitet\w* | ethnic\w* | ethnisch\w* | ethnizität | etni\w* | etninen
      | rasisme | rasism | racism | racist\w* | rassismus | rassistisch\w* | rasismi | rasistinen
      | hudfarge | hudfärg | hudfarve | hautfarbe | ihonväri | skin\s+colou?r | racial\w*
      | samisk\w* | saamelai\w* | romani\w* | innvandrerbakgrunn | invandrarbakgrund
    """,
    "politics": r"""
        politisk\w* | political\w* | politisch\w* | poliittis\w* | partimedlem\w*
      | parteimitglied\w* | party\s+member\w* | puoluee\w* | puolueen\w* | puoluejäsen\w*
      | politiske\s+parti\w* | political\s+part\w* | politisches?\s+part\w*
    """,
    "religion": r"""
        religi\w* | uskonto\w* | uskonnolli\w* | trossamfunn\w* | trossamfund\w* | trosamfund\w*
      | kirkemedlem\w* | kirchenmitglied\w* | muslim\w* | islam\w* | jøde | jødisk\w* | judisk\w*
      | jüdisch\w* | jewish | jew | hindu\w* | buddhis\w* | katolsk\w* | katholisch\w* | catholic\w*
      | ateist\w* | atheist\w* | moské\w* | moske\w* | moschee\w* | mosque\w* | synagog\w*
      | kirkeskatt | kirchensteuer | church\s+tax | kirkollisvero
    """,
    "union": r"""
        fagforening\w* | fagforbund\w* | fackförbund\w* | fackförening\w* | facket
      | ammattiliit\w* | ammattiyhdistys\w* | gewerkschaft\w* | trade\s+union\w* | labou?r\s+union\w*
      | union\s+member\w* | tillitsvalgt\w* | tillidsrepræsentant\w* | luottamusmies\w*
      | fagligt\s+medlem | a-kasse\w* | a-kassa\w*
    """,
    "sexual_orientation": r"""
        homofil\w* | homoseksu\w* | homosexu\w* | lesbisk\w* | lesbian\w* | lesbe\w* | bifil\w*
      | biseksu\w* | bisexu\w* | schwul\w* | gay | lhbt\w* | lgbt\w* | hbtq\w* | lhbtiq\w*
      | seksuell\s+orientering | sexuell\s+läggning | seksuel\s+orientering
      | seksuaalinen\s+suuntautuminen | sexuelle\s+orientierung | sexual\s+orientation
      | sex\s+life | sexliv\w* | seksualliv\w*
    """,
    "biometric_genetic": r"""
        biometri\w* | biometric\w* | biometrisch\w* | fingeravtrykk\w* | fingeraftryk\w*
      | fingeravtryck\w* | sormenjälj\w* | sormenjälki\w* | fingerabdr\w* | fingerprint\w*
      | ansiktsgjenkjenning\w* | ansigtsgenkendelse\w* | ansiktsigenkänning\w*
      | kasvojentunnistu\w* | gesichtserkennung\w* | facial\s+recognition | dna
      | genetisk\w* | genetic\w* | genetisch\w* | geneettis\w* | gentest\w* | stemmeavtrykk\w*
      | voice\s?print\w* | röstavtryck\w* | stemmeaftryk\w*
    """,
}
_SPECIAL = {
    kind: re.compile(r"(?<![\w-])(?:" + terms + r")(?![\w-])", re.IGNORECASE | re.VERBOSE | re.UNICODE)
    for kind, terms in _SPECIAL_TERMS.items()
}


@dataclass(frozen=True)
class SpecialCategory:
    kind: str  # one of SPECIAL_KINDS
    start: int  # span of the matched term in the text
    end: int


def find_special_categories(text: str) -> list[SpecialCategory]:
    """Mentions of special-category data, in text order (overlaps keep the first)."""
    hits = [
        SpecialCategory(kind, m.start(), m.end())
        for kind, pattern in _SPECIAL.items()
        for m in pattern.finditer(text)
    ]
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    out: list[SpecialCategory] = []
    for h in hits:
        if not out or h.start >= out[-1].end:
            out.append(h)
    return out


# --- redaction ----------------------------------------------------------------
EMAIL_TOKEN, ID_TOKEN, PHONE_TOKEN = "<email>", "<id-number>", "<phone>"
SPECIAL_TOKEN = "<special-category>"
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Anything shaped like an ID number is redacted even when its check digits fail:
# a typo in someone's fødselsnummer is still their fødselsnummer.
_ID_SHAPES = re.compile(
    r"(?<![\w+-])(?:\d{6}[-+A-FU-Y]\d{3}[0-9A-Y]|(?:19|20)?\d{6}[-+]\d{4}|(?:19|20)\d{10}|\d{11}|\d{6} \d{5})(?![\w])"
)
_PHONES = (
    # international: +47 987 65 432, 0046 70-123 45 67, +49 (0)30 1234567
    re.compile(r"(?<![\w+])(?:\+|00)\d{1,3}[\s.-]?(?:\(0\)[\s.-]?)?(?:\d[\s.-]?){5,12}\d(?!\w)"),
    # national trunk prefix: 070-123 45 67, (040) 123 4567, 0171/1234567
    re.compile(r"(?<![\w+])\(?0\d{1,4}\)?[\s/-]?(?:\d[\s-]?){4,9}\d(?!\w)"),
    # Norwegian and Danish 8-digit numbers: 98765432, 987 65 432, 98 76 54 32
    re.compile(r"(?<![\w+])[2-9]\d(?:\d\s?\d{2}\s?\d{3}|(?:\s?\d{2}){3})(?![\w])"),
)


def _spans(pattern: re.Pattern, text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def redact(text: str) -> str:
    """Text safe for logs and digests: e-mail addresses, ID numbers, phone numbers and
    mentions of special-category data (health, religion, union membership ...) masked.

    Case numbers that follow a case keyword are kept: staff need them.
    """
    chosen: list[tuple[int, int, str]] = []

    def add(spans: list[tuple[int, int]], token: str) -> None:
        for start, end in spans:
            if not any(start < e and s < end for s, e, _ in chosen):
                chosen.append((start, end, token))

    add(_spans(_EMAIL, text), EMAIL_TOKEN)
    add([(n.start, n.end) for n in find_national_ids(text)], ID_TOKEN)
    add(_spans(_ID_SHAPES, text), ID_TOKEN)
    add([(h.start, h.end) for h in find_special_categories(text)], SPECIAL_TOKEN)
    keep = _case_number_spans(text)
    for pattern in _PHONES:
        add([s for s in _spans(pattern, text) if not any(s[0] < b and a < s[1] for a, b in keep)],
            PHONE_TOKEN)
    out, pos = [], 0
    for start, end, token in sorted(chosen):
        out.append(text[pos:start])
        out.append(token)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def redact_address(addr: str) -> str:
    """'kari.nordmann@example.no' -> 'k***@example.no' (for logs)."""
    addr = (addr or "").strip()
    local, at, domain = addr.rpartition("@")
    if not at or not domain:
        return "***"
    return f"{local[:1]}***@{domain}" if local else f"***@{domain}"


__all__ = [
    "NationalId",
    "SpecialCategory",
    "SPECIAL_KINDS",
    "extract_case_numbers",
    "find_national_ids",
    "find_special_categories",
    "redact",
    "redact_address",
    "norwegian_id_kind",
    "swedish_id_kind",
    "hetu_ok",
    "luhn_ok",
    "cpr_date_ok",
    "cpr_mod11_ok",
]
