"""Rule evidence: a GDPR right cited by article number or by its name (pure).

"I request erasure under Article 17(1)(a)", "Auskunft nach Art. 15 DSGVO",
"rätten att bli bortglömd" and "tietosuoja-asetuksen 20 artiklan" name the
right outright. The bag-of-words model sometimes lets the surrounding legal
prose outweigh such a sentence, so a citation that is not negated in its clause
sets a floor under that label's score (:data:`FLOOR`, above every tuned threshold).
"""

from __future__ import annotations

import re

from .features import NEGATION_CUES, unwrap

FLOOR = 0.8
ARTICLES = {"15": "access", "16": "rectification", "17": "erasure", "18": "restriction",
            "20": "portability", "21": "objection"}
# "Art. 17", "Article 17(1)(a)", "artikel 15", "Artikel 21 Abs. 2", "artikla 16"
_ARTICLE = re.compile(
    r"\b(?:art|arts|article|artikel|artikkel|artikla|artiklan)\b\.?\s*(1[5-8]|2[01])(?!\d)", re.I)
# Finnish puts the number first: "15 artiklan mukainen", "17. artikla"
_ARTICLE_FI = re.compile(r"\b(1[5-8]|2[01])\.?\s*(?:artikla|artiklan|artiklassa|artiklaan)\b", re.I)

NAMED = {
    "erasure": r"""
        right\s+to\s+(?:be\s+forgotten|erasure|deletion)
        | rett(?:en)?\s+til\s+(?:å\s+bli\s+glemt|sletting)
        | rätt(?:en)?\s+(?:att\s+bli\s+(?:bort)?glömd|till\s+radering)
        | ret(?:ten)?\s+til\s+(?:at\s+blive\s+glemt|sletning)
        | oikeu\w*\s+tulla\s+unohdetuksi | oikeu\w*\s+(?:tietojen\s+)?poist\w*
        | recht\s+auf\s+(?:vergessenwerden|vergessen\s+werden|löschung)
    """,
    "rectification": r"""
        right\s+to\s+rectification | rett(?:en)?\s+til\s+retting
        | rätt(?:en)?\s+till\s+rättelse | ret(?:ten)?\s+til\s+berigtigelse
        | oikaisuoikeu\w* | recht\s+auf\s+berichtigung
    """,
    "restriction": r"""
        (?:right\s+to\s+)?restriction\s+of\s+processing
        | begrensning\s+av\s+behandling\w* | begränsning\s+av\s+behandling\w*
        | begrænsning\s+af\s+behandling\w* | käsittelyn\s+rajoittami\w*
        | einschränkung\s+der\s+verarbeitung
    """,
    "objection": r"""
        right\s+to\s+object | innsigelsesrett\w* | indsigelsesret\w*
        | rätt(?:en)?\s+att\s+(?:göra\s+invändning\w*|invända)
        | vastustamisoikeu\w* | widerspruchsrecht\w*
    """,
    "portability": r"""
        (?:data|dataen)?\s*portabilit\w* | dataportabilitet\w* | datenübertragbarkeit
        | siirto-oikeu\w* | siirrettävyy\w* | rett(?:en)?\s+til\s+dataportabilitet
    """,
}
_NAMED_RX = {label: re.compile(rx, re.I | re.X) for label, rx in NAMED.items()}
_CLAUSE_END = re.compile(r"[.!?;:\n]")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
NEGATION_WINDOW = 6


def _negated(text: str, start: int, cues: frozenset[str]) -> bool:
    """A negation cue among the few words before ``start`` in the same clause."""
    before = text[:start]
    cut = max((m.end() for m in _CLAUSE_END.finditer(before)), default=0)
    words = [w.lower().replace("’", "'") for w in _WORD.findall(before[cut:])][-NEGATION_WINDOW:]
    return any(w in cues for w in words)


def cited_rights(text: str, lang: str = "xx") -> dict[str, str]:
    """Labels whose right the text cites, each with the citation as written."""
    cues = NEGATION_CUES.get(lang, NEGATION_CUES["xx"])
    text = unwrap(text)
    found: dict[str, str] = {}
    for rx in (_ARTICLE, _ARTICLE_FI):
        for m in rx.finditer(text):
            label = ARTICLES.get(m.group(1))
            if label and label not in found and not _negated(text, m.start(), cues):
                found[label] = m.group(0)
    for label, rx in _NAMED_RX.items():
        if label in found:
            continue
        for m in rx.finditer(text):
            if not _negated(text, m.start(), cues):
                found[label] = m.group(0).strip()
                break
    return found
