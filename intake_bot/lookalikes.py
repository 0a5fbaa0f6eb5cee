"""Rule gate: mail that only looks like an objection (pure).

Two kinds of debt mail read as objection to the bag-of-words model, which has
learned that calls, "object" and "protest" mean Art. 21:

* the person asks to *be* called ("Kan I ringe mig op i morgen?", "Soittakaa
  neljän jälkeen", "ring me tomorrow morning");
* the person objects to the *debt* ("Vastustan saatavaa", "Jeg protesterer mot
  salæret", "I object to the fee").

When one of these is found and nothing else in the text points to an objection
(profiling, recording or marketing words; stopping or refusing contact; "letters
only"; objecting to the processing of data), objection's score is capped at
``gates.CAP``. A cited right still sets its floor afterwards (``citations.py``).
"""

from __future__ import annotations

import re

from .features import featurize, sentences

_CALL_ME = re.compile(
    r"""
    \bcall\s+me\b | \bring\s+(?:me|mig|meg|mej)\b | \bringe\s+(?:mig|meg)\b | \bringa\s+(?:mig|mej)\b
    | \bring(?:er)?\s+(?:du|dere|i|ni)\s+(?:mig|meg|mej)\b | \bring\s+(?:mig|meg)\s+op\b | \bring\s+tilbage\b
    | \bringe\s+tilbake\b | \bcall\s+back\b | \bsoitta(?:kaa|isitte|isiko)\b | \bvoisi(?:ko|tteko)\s+(?:joku\s+)?soittaa\b
    | \brufen\s+sie\s+mich\b.{0,30}\ban\b | \bzurückrufen\b
    """,
    re.I | re.X,
)
_DEBT_OBJECTION = re.compile(
    r"""
    \b(?:object|objects|objecting|protest\w*|vastust\w*|invänd\w*|widersp\w*|indsigelse|innsigelse)\b.{0,50}
    \b(?:claim|fee|fees|amount|charge|debt|salær\w*|gebyr\w*|saatava\w*|kulu\w*|korko\w*|forderung\w*|gebühr\w*|
       krav\w*|beløp\w*|belopp\w*|avgift\w*|rente\w*|summa\w*|perint\w*|lasku\w*|faktura\w*|rechnung\w*|skuld\w*|
       gjeld\w*|gæld\w*|velka\w*|inkasso\w*)
    """,
    re.I | re.X,
)
_LETTERS_ONLY = re.compile(
    r"\b(?:only|kun|bara|vain|nur|ainoastaan)\b.{0,30}\b(?:letters?|post|brev|breve|kirje\w*|schriftlich|writing|"
    r"e-?mail|e-?post)\b|\b(?:letters?|brev|breve|kirjeitse|schriftlich|skriftlig\w*|in\s+writing)\s+only\b",
    re.I,
)
_OBJECTION_CONCEPTS = frozenset({"profiling", "recording", "marketing", "neg_phone_contact"})


def _concepts(text: str, lang: str) -> set[str]:
    return {t[2:] for t in featurize(text, lang).text.split() if t.startswith("c_")}


def _objection_cue(text: str, lang: str) -> bool:
    if _concepts(text, lang) & _OBJECTION_CONCEPTS or _LETTERS_ONLY.search(text):
        return True
    for sent in sentences(text):  # sentences() unwraps
        found = _concepts(sent, lang)
        if "phone_contact" in found and found & {"stop", "neg_want", "neg_stop", "neg_phone_contact"}:
            return True  # "hold op med at ringe", "stop calling"
        if "object" in found and "pdata" in found and not _DEBT_OBJECTION.search(sent):
            return True  # objecting to the processing of data
    return False


def objection_lookalike(text: str, lang: str = "xx") -> str | None:
    """The words that make the mail look like an objection when it is not one, or None."""
    match = _CALL_ME.search(text) or _DEBT_OBJECTION.search(text)
    if not match or _objection_cue(text, lang):
        return None
    return match.group(0)


def signature() -> list:
    """What the gate decides by, for the model version (``train.corpus_digest``)."""
    return [_CALL_ME.pattern, _DEBT_OBJECTION.pattern, _LETTERS_ONLY.pattern, sorted(_OBJECTION_CONCEPTS)]
