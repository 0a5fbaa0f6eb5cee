"""Rule evidence: the person asks who gets their data or how long we keep it (pure).

"How long will you keep my details once I've paid?", "Hvem har dere gitt
opplysningene mine videre til?", "Hur länge sparar ni mina uppgifter?",
"Kuinka pitkään tietoni jäävät rekisteriinne?", "An wen haben Sie meine Daten
weitergegeben?" ask for the recipients (Art. 15(1)(c)) or the storage period
(Art. 15(1)(d)), which are part of the right of access. Like a question about
the source of the data (``sources.py``), such a question is often one sentence
of a mail about paying, and the bag-of-words model misses it; it sets a floor
under access (``citations.FLOOR``).

The sentence must name personal data ("my details", "the number", "everything
about me") or point back at it ("it", "them"), and must not be about a credit
register ("how long will the payment remark stay?" is a debt question); "how
long will the case stay open?" names no data.
"""

from __future__ import annotations

import re

from .features import sentences
from .lexicon import concepts_of

_RETENTION = re.compile(
    r"""
    \bhow\s+long\b.{0,40}\b(?:keep|kept|store|stored|hold|held|retain|retained|hang\s+on|save|saved|stay|remain)
    | \b(?:hvor|kor)\s+lenge\b.{0,50}\b(?:beholde|lagre|lagra|oppbevare|ta\s+vare|holde\s+på|sitte\s+på|spare|ligge|bli\s+liggende|lagret|oppbevart|ha\b)
    | \bhvor\s+længe\b.{0,50}\b(?:gemme|gemt|opbevare|opbevarer|beholde|beholder|ligge|have\b|har\b|gemmer)
    | \bhur\s+länge\b.{0,50}\b(?:spara|sparar|sparas|behålla|behåller|lagra|lagrar|lagras|ha\s+kvar|har\s+kvar|ligga|finnas\s+kvar|kommer\s+ni)
    | \bwie\s+lange\b.{0,60}\b(?:speicher\w*|gespeichert|behalt\w*|aufbewahr\w*|bleib\w*|vorhalt\w*|liegen)
    | \b(?:kuinka|kauanko|miten)\s+(?:kauan|pitkään)?\b.{0,60}\b(?:säilyt\w*|säily\w*|pidätte|pidetään|jäävät|jää|tallessa|rekisteriin\w*)
    | \bkauanko\b | \bmihin\s+asti\b.{0,40}\bsäilyt\w*
    | \b(?:retention|storage)\s+period\b | \boppbevaringstid\w* | \blagringstid\w* | \bopbevaringsperiode\w* | \bopbevaringstid\w*
    | \bspeicherdauer\b | \baufbewahrungsfrist\w* | \bsäilytysai\w*
    """,
    re.I | re.X,
)
_RECIPIENTS = re.compile(
    r"""
    \bwho\s+(?:have|did|do|has)\s+(?:you|u)\s+(?:\w+\s+){0,3}?(?:shared|share|passed|pass|given|give|sent|send|disclosed|disclose|sold|sell|forwarded)\b
    | \bwho\s+else\s+(?:has|have|had|got)\b | \bwhich\s+(?:companies|parties|firms|organisations|organizations|third\s+parties)\b.{0,40}\b(?:shared|passed|given|sent|disclosed|sold)
    | \b(?:shared|passed|given|disclosed|sold|forwarded)\s+(?:it|them|my\s+\w+(?:\s+\w+)?)\s+(?:on\s+)?(?:to|with)\s+(?:anyone|anybody|someone|other|third|whom)
    | \bhvem\s+(?:har\s+)?(?:dere|de|dykk|i)\s+(?:\w+\s+){0,3}?(?:delt|gitt|givet|sendt|videreformidlet|videregitt|videregivet|utlevert|udleveret|solgt|solgt)\b
    | \bhvem\s+(?:andre|ellers|der|som)\s+(?:\w+\s+){0,2}?(?:fått|fået|har\s+fått|har\s+fået|sett|set)\b
    | \b(?:gitt|givet|gett|delt|delat|sendt|solgt|sålt)\s+(?:\w+\s+){0,3}?(?:videre|vidare)\s+til\s+(?:noen|nogen|andre)
    | \bvem\s+(?:har\s+)?ni\s+(?:\w+\s+){0,3}?(?:delat|lämnat|gett|gav|skickat|sålt|lämnade)\b | \bvilka\s+ni\s+(?:har\s+)?(?:\w+\s+){0,3}?(?:lämnat|delat|gett|skickat|sålt)
    | \b(?:lämnat|gett|delat|skickat|sålt)\s+(?:\w+\s+){0,3}?(?:vidare|ut)\s+till\s+(?:någon|andra|nån)
    | \ban\s+wen\b | \bwem\b.{0,40}\b(?:gegeben|weitergegeben|übermittelt|mitgeteilt)\b
    | \bwer\s+(?:\w+\s+){0,3}?(?:bekommen|erhalten|gesehen)\s+hat\b
    | \b(?:haben|hat|wurden|wurde|ob)\b.{0,60}\b(?:weitergegeben|weitergeleitet)\b
    | \bkenelle\b | \b(?:luovutettu|luovuttaneet|luovutitte|myyneet|välittäneet|jakaneet)\b
    """,
    re.I | re.X,
)
_ASKS = re.compile(
    r"\?|\b(?:know|tell|wonder\w*|ask\w*|inform|wissen|mitteil\w*|erfahren|frage|vite|veta|vide|lurer|undrar|"
    r"spør\w*|spørg\w*|fråga\w*|tietää|kerto\w*|kerro\w*|kysy\w*|ilmoit\w*|opplys\w*|oplys\w*|upplys\w*|"
    r"ob|om|whether|if|onko|ovatko|jos|who|whom|hvem|vem|kven|wer|wen|wem|kenelle|kuka|which|hvilke\w*|vilka|"
    r"welche\w*|mitkä|please|bitte|ber|beder|begär\w*|pyydä\w*|pyydän|want|vil|vill|möchte|haluan|würde)\b",
    re.I,
)
_NOT_DATA = re.compile(
    r"\b(?:rki|betalningsanmärkning\w*|betalingsanmerkning\w*|kronofogden\w*|maksuhäiriö\w*|schufa|luottotiedo\w*|"
    r"kredittopplys\w*|kreditupplys\w*|credit\s+(?:file|record|register|report)|debt\s+register|skyldnerregister\w*|"
    r"ulosot\w*|inkassoregister\w*|forderung\w*|"
    # telling the recipients about a correction (Art. 19) is part of rectification, not a question
    r"oikaisu\w*|correction|rettelse\w*|rättelse\w*|berichtigung\w*|korrigering\w*)\b",
    re.I,
)
_POINTERS = frozenset("it them den det dem die diese das sen niitä sitä ne es everything alt alles allt kaikki".split())
_ABOUT_ME = re.compile(r"\b(?:about|on)\s+me\b|\bom\s+(?:meg|mig|mej)\b|\büber\s+mich\b|\bminusta\b|\bmeine\w*\b|\bmy\b|\bmine?\b|\bmina\b|\bmitt\b|\btietoni\b", re.I)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _names_data(sentence: str) -> bool:
    words = [w.lower() for w in _WORD.findall(sentence)]
    return (any({"contact_detail", "pdata"} & set(concepts_of(w)) for w in words)
            or (bool(_ABOUT_ME.search(sentence)) and any(w in _POINTERS for w in words))
            or any(p in w for w in words for p in ("numm", "numb", "numer", "adress", "addres", "osoit", "anschrift", "details")))


def recipients_question(text: str) -> str | None:
    """The sentence asking who gets the data or how long it is kept, or None."""
    for sentence in sentences(text):
        # "how long" asks by itself, also in "it doesn't say how long you keep it"
        asks = _RETENTION.search(sentence) or (_RECIPIENTS.search(sentence) and _ASKS.search(sentence))
        if asks and _names_data(sentence) and not _NOT_DATA.search(sentence):
            return sentence
    return None


def signature() -> list:
    """What the rule decides by, for the model version (``train.corpus_digest``)."""
    return [_RETENTION.pattern, _RECIPIENTS.pattern, _ASKS.pattern, _NOT_DATA.pattern, _ABOUT_ME.pattern]
