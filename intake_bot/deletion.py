"""Rule evidence: the person asks us to delete some of their personal data (pure).

"Delete that number from my file", "radera de inspelningar som redan finns",
"Kredittopplysningene … vil jeg også ha slettet", "Poistakaa tilinumero
järjestelmästänne", "Any recordings you've already got of me, bin them": the
model reads the objection or access request beside such a sentence and lets it
outweigh the deletion. So a sentence that asks for deletion *and* names
personal data (a number, a recording, a copy of an ID, payslips, "my data",
"everything about me", or a pronoun for data named just before) sets a floor
under erasure (``citations.FLOOR``).

It does not count when the thing to delete is part of the debt (a fee, a
reminder, an invoice, a payment plan, a co-debtor entry, a credit-register or
court entry: LABELLING.md calls those not-a-request), when the deletion is
negated ("do NOT delete anything"), already done ("thanks for deleting", "I
deleted your letter by mistake") or about something of the writer's own ("I
deleted the app").
"""

from __future__ import annotations

import re

from .features import sentences, unwrap
from .lexicon import concepts_of

# asking for deletion: an imperative, a wish ("I want it deleted"), or a demand ("verlange die Löschung")
_DELETE = re.compile(
    r"""
    \b(?:delete|erase|remove|destroy|shred|wipe|purge)\b | \b(?:bin|scrap|ditch)\s+(?:it|them|that|those|these|the\s+lot)\b
    | \b(?:chuck|throw|toss)\s+(?:\w+\s+){0,3}(?:out|away)\b | \bget\s+rid\s+of\b
    | \b(?:want|like|need|expect|ask|request|demand|insist)\w*\b.{0,60}\b(?:deleted|erased|removed|destroyed|shredded|wiped|gone)\b
    | \b(?:erasure|deletion)\s+of\s+(?:my|all\s+my|all\s+the\s+data|any)\b
    | (?<!rett\sog\s)\bslett(?:e|es|a|ar|er)?\b | \bha\s+(?:\w+\s+){0,5}slett(?:et|a)\b | \bfjern(?:e|es)?\b | \bslet\b | \bslettes?\b | \bkast(?:e|es)?\b
    | \bskil(?:le)?\s+(?:jer|dere|dykk)\s+(?:af|av|ved)\s+med\b | \bkvitt\b | \bmakuler\w* | \bdestruer\w*
    | \bradera(?:s|r|d)?\b | \bta\s+(?:\w+\s+){0,3}bort\b | \b(?:tas|tar)\s+bort\b | \bstrimla\w* | \bsläng\w* | \bförstör\w* | \brensa\w*
    | \bpoista\w* | \bpoiste(?:taan|ttava\w*)\b | \bhävit\w* | \btuhot\w* | \bheittäkää\b | \beroon\b | \bpyyh\w*
    | \blösch(?:en|e|t|ung)\b | \bentfern(?:en|e|t|ung)\b | \bvernicht(?:en|e|t|ung)\b | \bweg\s+damit\b | \bschmei(?:ß|ss)\w* | \braus(?:werfen|nehmen|löschen)\b
    """,
    re.I | re.X,
)
# a wish and a past participle: "vil jeg ha slettet", "ønsker … slettet", "soll … gelöscht werden", "haluan … poistetaan"
_WISHED = re.compile(
    r"\b(?:ønsk|vil|vill|önsk|want|will|möcht|soll|skal|ska|haluan|pitää|expect|verlang|would\s+like)\w*\b.{0,80}?"
    r"\b(?:slettet|slettede|sletta|slettes|fjernet|fjernes|raderade|raderas|raderad|borttagen|borttagna|poistetaan|"
    r"hävitetään|gelöscht|entfernt|vernichtet|deleted|removed|erased|destroyed)\b",
    re.I,
)
# personal data to delete (besides the lexicon's data, contact-detail and recording words)
_DATA = re.compile(
    r"numm|numb|numer|numret|numero|adress|adresse|address|osoit|bankverbindung|bankkonto|iban|"
    r"opplysning|oplysning|uppgift|henkilötie|daten\b|"
    r"photo|foto|bilde|bilete|billede|kuva|\bbild|passport|\bpass\b|passi|ausweis|legitimation|\bid\b|körkort|"
    r"førerkort|kørekort|ajokort|führerschein|sundhedskort|payslip|lønnsslipp|lønseddel|lönespec|palkka|gehalts|"
    r"kontoutskrift|kontoutdrag|kontoudtog|kontoauszug|tiliote|statement|kontonummer|tilinum|account\s+n|"
    r"notes?\b|noter\b|notat|anteckning|notiz|muistiinpan|arbeitgeber|employer|arbeidsgiver|arbetsgivare|arbejdsgiver|työnanta|"
    r"inspelning|opptak|optagelse|tallenne|aufnahme|aufzeichnung|recording",
    re.I,
)
# "everything about me", "nothing of me left", "alt om meg"
_ALL_OF_ME = re.compile(
    r"\b(?:everything|anything|all|nothing|alt|allt|alles|sämtliche|kaikki)\b.{0,30}\b(?:about|on|of|om|über|von)\s+"
    r"(?:me|meg|mig|mej|mir|mich)\b|\bdet\s+hele\b|\bdet\s+hela\b|\balt\s+sammen\b|\ballt\s+ihop\b|\bthe\s+lot\b|"
    r"\bkaikki\s+(?:minusta|minua)\b|\balles\s+(?:über|von)\s+mir\b|\bnix\s+mehr\s+von\s+mir\b|\bnichts\s+mehr\s+von\s+mir\b",
    re.I,
)
# part of the debt, not personal data: a fee, a reminder, an invoice, a plan, a co-debtor, a register or court entry
_DEBT_THING = re.compile(
    r"\bfee|gebyr|avgift|gebühr|kulu|charge|surcharge|interest|\brente|ränta|zinsen|korko|reminder|purring|påminnelse|"
    r"rykker|mahnung|muistutus|invoice|faktura|rechnung|lasku|payment\s+plan|betalingsplan|avbetalningsplan|afdragsordning|"
    r"ratenplan|maksusuunnitelma|co-?debtor|guarant|medskyldner|medsökande|borgen|bürg|takaaja|rki\b|kreditregister|"
    r"credit\s+(?:register|file|record)|betalingsanmerkning|betalningsanmärkning|schufa|maksuhäiriö|kronofog|foged|"
    r"bailiff|court|gericht|domstol|ulosott|käräjä|app\b|appen|konto\s+(?:i|på|hos)|account\s+(?:at|with)|duplicate|dublett|"
    r"remark|anmärkning|anmerkning|bemærkning|merkintä|"
    # the case itself as what to delete ("slett saken", "radera hela ärendet", "den ene saken")
    r"(?:slett\w*|slet\w*|radera\w*|bort|delete|remove|lösch\w*|poista\w*)\s+(?:\w+\s+){0,2}(?:saken|sagen|ärendet|case|"
    r"den\s+ene|det\s+ena|vorgang|verfahren|asian)\b|(?:saken|sagen|ärendet|the\s+case|vorgang)\s+(?:\w+\s+){0,2}"
    r"(?:slett\w*|slet\w*|raderas|deleted|removed|gelöscht|poistetaan)|"
    # a mailing list is an unsubscribe ("remove me from your e-mail list"), not erasure
    r"e-?postlist|mailing\s*list|maillist|mejllist|sähköpostilist|postituslist|verteiler|distribution|sändlist|"
    r"nyhetsbrev|nyhedsbrev|newsletter|uutiskir|utskick|udsendelse|utsendelse|"
    r"\bloan|\blån\b|laina|darlehen|"
    # replacing is rectification ("delete the old one and use the new"); a vendor offering deletion is no request
    r"ersetz|replace|erstatt|ersätt|korvat|instead|i\s+stedet|istället|tilalle|durch\s+die\s+neue|"
    r"bietet|offers?\b|tilbyr|erbjuder|tarjoa",
    re.I,
)
# negated, reported, done already, or the writer's own doing
_NEGATION = re.compile(
    r"\b(?:not|don'?t|doesn'?t|never|no|nothing|neither|nor|ikke|ikkje|inte|ingen|ingenting|inget|intet|aldri|aldrig|"
    r"heller|nicht|nichts|kein\w*|weder|nie|ei|en|etten|ettei|ettette|emme|eikä|enkä|älä|älkää|mitään|ab)\b",
    re.I,
)
_CLAUSE = re.compile(r"[,;:–—]")
_THAT = re.compile(r"^\s*(?:that|dass|att|at|että|so\s+that)\b", re.I)
_NOT_ASKED = re.compile(
    r"""
    \bi\s+(?:\w+\s+)?(?:deleted|removed|erased|threw)\b | \b(?:jeg|eg|jag|ich)\s+(?:har|hab|habe)\s+(?:\w+\s+){0,3}(?:slettet|sletta|raderat|gelöscht|smidt|kastet)
    | \bolen\s+(?:\w+\s+)?poistanut\b | \bråkade\b | \bkom\s+åt\s+att\b | \bkom\s+(?:(?:jeg|jag)\s+)?(?:til\s+at|att|åt)\b | \bI\s+could\b
    | \b(?:braucht|brauchen)\s+(?:ihr|sie)\b | \bneeds?\s+your\b | \btarvitseeko\b | \bved\s+et\s+uhell\b | \bby\s+mistake\b | \bved\s+en\s+fe[ij]l\b | \bav\s+misstag\b | \bversehentlich\b | \bvahingossa\b
    | \b(?:thanks?\s+for|thank\s+you\s+for|takk\s+for|tack\s+för|tak\s+for|kiitos\s+(?:että|kun|siitä)|danke\s+für)\b
    | \bconfirm\w* | \bbekreft\w* | \bbekräft\w* | \bvahvist\w* | \bbestätig\w*
    | \b(?:have|has|been|er|blev|blitt|ble|har|hat|ist|wurde)\s+(?:\w+\s+)?(?:deleted|removed|slettet|sletta|raderats|raderade|gelöscht|poistettu)\b
    | \byou\s+(?:wrote|write|say|said)\b | \b(?:dere|de|ni|i)\s+(?:skriver|skrev|sier|sa|säger|sade|siger|sagde)\b
    | \bkirjoit(?:itte|atte)\b | \bsie\s+(?:schreiben|schrieben)\b | \benligt\s+ert\b | \bifølge\s+(?:dere|jer)\b | \baccording\s+to\s+you
    """,
    re.I | re.X,
)
_POINTER = re.compile(r"\b(?:it|them|those|these|that|det|den|dem|dom|dei|das|die|diese|sie|ne|se|sen|niitä|sitä|ihn|damit)\b",
                      re.I)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def _names_data(sent: str) -> bool:
    if _DATA.search(sent) or _ALL_OF_ME.search(sent):
        return True
    return any({"pdata", "contact_detail", "recording"} & set(concepts_of(w)) for w in _WORD.findall(sent.lower()))


def _negated(sent: str, ask: re.Match) -> bool:
    """A negation in the delete word's clause ("löschen Sie aber nichts", "not wipe it"), or in the clause
    before when this one hangs on it ("Ich verlange nicht, dass Sie irgendetwas löschen")."""
    cuts = [0, *(m.end() for m in _CLAUSE.finditer(sent)), len(sent) + 1]
    k = max(i for i, c in enumerate(cuts) if c <= ask.start())
    clause = sent[cuts[k]:cuts[k + 1]]
    if _NEGATION.search(clause):
        return True
    return k > 0 and bool(_THAT.search(clause)) and bool(_NEGATION.search(sent[cuts[k - 1]:cuts[k]]))


def deletion_request(text: str) -> str | None:
    """The words that ask us to delete some of the writer's personal data, or None."""
    flat = unwrap(text)
    if not (_DELETE.search(flat) or _WISHED.search(flat)):
        return None  # most mail: one pass over the whole text
    sents = sentences(flat)
    for i, sent in enumerate(sents):
        ask = _DELETE.search(sent) or _WISHED.search(sent)
        if not ask or _NOT_ASKED.search(sent) or _DEBT_THING.search(sent) or _negated(sent, ask):
            continue
        # "Any recordings you've already got of me, bin them." / "… Den skal fjernes.": data named just before
        pointed = i > 0 and _POINTER.search(sent) and _names_data(sents[i - 1]) and not _DEBT_THING.search(sents[i - 1])
        if _names_data(sent) or pointed:
            return ask.group(0)
    return None


def signature() -> list:
    """What the rule decides by, for the model version (``train.corpus_digest``)."""
    return [_DELETE.pattern, _WISHED.pattern, _DATA.pattern, _ALL_OF_ME.pattern, _DEBT_THING.pattern, _NOT_ASKED.pattern,
            _NEGATION.pattern, _CLAUSE.pattern, _THAT.pattern, _POINTER.pattern]
