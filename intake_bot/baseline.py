"""A helpdesk-style keyword trigger set: the baseline the model must beat.

It matches lower-cased substrings in the whole text, as a typical helpdesk
"trigger" would. It is deliberately what a team would write in an afternoon,
so metrics.json shows what the statistical model adds.
"""

from __future__ import annotations

KEYWORDS: dict[str, tuple[str, ...]] = {
    "access": (
        "innsyn", "registerutdrag", "kopi av mine opplysninger", "what data", "access request",
        "subject access", "copy of my data", "personal data you hold", "registerutdrag",
        "vilka uppgifter", "indsigt", "hvilke oplysninger", "tarkastusoikeus", "tietopyyntö",
        "mitä tietoja", "auskunft", "welche daten", "art. 15", "artikkel 15", "artikel 15",
    ),
    "rectification": (
        "rett", "korriger", "feil adresse", "rectif", "correct my", "wrong address", "update my",
        "rätta", "felaktig", "fel adress", "ret min", "forkert", "korjat", "väärä osoite",
        "berichtig", "falsche adresse", "korrigier",
    ),
    "erasure": (
        "slett", "delete", "erase", "remove my", "radera", "ta bort", "slet ", "slette",
        "poista", "löschen", "lösch", "forget me", "glemt", "bli glemt",
    ),
    "restriction": (
        "begrens", "restrict", "begräns", "rajoit", "einschränk", "sperr",
    ),
    "objection": (
        "protest", "innsigelse", "object to", "objection", "invänd", "motsätter",
        "indsigelse", "gør indsigelse", "vastust", "widerspr", "don't call", "ikke ring",
        "ring ikke", "ring inte", "soittaa", "anrufen",
    ),
    "portability": (
        "portab", "dataportabilitet", "machine-readable", "maskinlesbar", "maskinläsbar",
        "maskinlæsbar", "koneluettav", "csv", "json", "übertrag", "siirt",
    ),
    "unsubscribe": (
        "unsubscribe", "nyhetsbrev", "newsletter", "avmeld", "avregistr", "avsluta prenumeration",
        "nyhedsbrev", "afmeld", "uutiskirje", "abbestell", "abmelden", "peruuta tilaus",
    ),
}


def keyword_labels(text: str) -> tuple[str, ...]:
    low = text.lower()
    return tuple(label for label, words in KEYWORDS.items() if any(w in low for w in words))
