"""Rule evidence: the person wants our marketing mail to stop (pure).

"Jag vill inte ha ert nyhetsbrev", "Ei enää uutiskirjeitä", "those money-tips
emails can stop", "ta bort mig från mejllistan": the negation scope that keeps
"do NOT unsubscribe me" right (``features.py``) also marks the newsletter word
in "I don't want your newsletter" as negated, and a request made in one
sentence of a debt mail is easily outweighed. So a sentence that names our
newsletter or marketing mail *and* says it should stop sets a floor under
unsubscribe (``citations.FLOOR``).

It does not count when the sentence
* is a sender's footer ("Don't want these emails? Unsubscribe here", "Vil du
  ikke lenger motta nyhetsbrev? Meld deg av her"): addressed to "you", or
  pointing at a link;
* keeps or wants the newsletter ("do NOT unsubscribe me", "I still want it");
* says it already happened ("I unsubscribed last month").
"""

from __future__ import annotations

import re

from .features import sentences, unwrap
from .lexicon import concepts_of

# what is to stop: our newsletter, or marketing words next to a mail word ("offers in my inbox")
_MAIL = re.compile(
    r"mail|mejl|e-?post|epost|inbox|indbakke|innboks|sähköpost|posti|postlåda|indbox|postfach|zusendung|"
    r"aussendung|utskick|udsend|magazin|magasin|lehti|lehte|tips|tipps|vinkk|list|"
    # or received / sent to me: "modtage flere tilbud", "receive marketing", "mainosten lähettäminen"
    r"modtag|motta|receiv|erhalt|bekomm|vastaanot|ta\s+emot|schick|sende|send|lähet|zusend",
    re.I,
)
# the sentence says it should stop
_STOP = re.compile(
    r"""
    \bi\s+(?:do\s+not|don'?t|no\s+longer)\s+(?:\w+\s+)?(?:want|wish|need|read|care)
    | \b(?:no|ingen|inget|kein|keine)\s+interest\w* | \bingen\s+interesse\b | \binget\s+intresse\b | \bkein\s+interesse\b
    | \bei\s+kiinnosta\b | \bfrabe(?:d|de|der)\b | \bslipp(?:a|e)\b | \bslepp(?:e)?\b | \bsich\s+(?:\w+\s+)?sparen\b
    | \bwiderruf\w* | \bwithdraw\w* | \btilbakekall\w* | \båterkall\w* | \btilbagekald\w* | \bperuutan\b
    | \bi\s+(?:would\s+rather\s+not|'?d\s+rather\s+not)\b | \bnot\s+interested\b
    | \b(?:jeg|eg|jag|ich|vi|wir)\s+(?:vil|ønsker|onsker|vill|önskar|onskar|will|möchte|wünsche|want)\s+(?:\w+\s+){0,3}?(?:ikke|ikkje|inte|nicht|kein\w*)\b
    | \b(?:vil|ønsker|vill|önskar|will|möchte|brauche|trenger|treng|behöver|behøver)\s+(?:jeg|eg|jag|ich)\s+(?:\w+\s+){0,4}?(?:ikke|ikkje|inte|nicht|kein\w*)\b
    | \b(?:jeg|eg|jag)\s+(?:ikke|ikkje|inte)\s+(?:vil|ønsker|vill|önskar)\b | \bheller\s+ikke\b | \binte\s+heller\b
    | \b(?:tired|sick)\s+of\b | \b(?:lei|leid)\s+av\b | \btræt\s+af\b | \btrött\s+på\b | \bsatt\s+av\b
    | \b(?:en|enkä|emme)\s+(?:\w+\s+)?(?:halua|tarvitse|lue)\b | \bei\s+enää\b
    | \bno\s+more\b | \b(?:ikke|ikkje|inte)\s+(?:flere|fleire|fler|mere|mer|lenger|lengre|längre|længere)\b
    | \binga\s+fler\b | \bingen\s+flere\b | \bkeine\b.{0,40}\bmehr\b | \bnicht\s+mehr\b | \benää\b
    | \bstop\w* | \bslutt\w* | \bsluta\b | \bhold\s+op\b | \bophør | \blopett?a\w* | \bhör\w*\s+(?:sie\s+)?(?:damit\s+)?auf\b
    | \baufh(?:ö|oe)r\w*
    | \beinstellen\b | \beinzustellen\b | \bstellen\s+sie\b.{0,40}\bein\b | \bunterlassen\s+sie\b | \bcease\b | \benough\b | \bnok\s+nå\b | \bdet\s+räcker\b
    | \b(?:take|remove|delete|drop|strike)\s+me\s+(?:off|from|out)\b
    | \b(?:ta|tag|plocka)\s+(?:\w+\s+)?bort\s+mig\b | \bta\s+meg\s+(?:av|ut|bort)\b | \bfjern\s+(?:mig|meg)\b
    | \bstryk\s+(?:mig|meg)\b | \bslet\s+mig\b | \bpoista\w*\s+(?:minut|mut)\b | \b(?:streichen|nehmen|entfernen|löschen)\s+sie\s+mich\b
    | \bwhy\s+am\s+i\s+on\b | \bhvorfor\s+(?:er|får)\s+(?:jeg|eg)\b | \bvarför\s+(?:är|får)\s+jag\b | \bwarum\s+(?:bin|bekomme|erhalte)\s+ich\b
    """,
    re.I | re.X,
)
# unsubscribe verbs count only next to a first person: a sender's footer says "Unsubscribe" or "Afmeld her"
_UNSUB_VERB = re.compile(
    r"\bunsubscribe\b|\bopt\s*(?:me\s+)?out\b|\bavregistrer(?:a|e)?\b|\bavmelde?s?\b|\bafmelde?s?\b|\babmelden\b|\baustrag\w*|"
    r"\bmeld\s+(?:meg|mig)\s+(?:av|ud|ut)\b|\bmelden\s+sie\s+mich\b|\babbestellen\b|\bavsluta\b|\bperu(?:a|ttaa|kaa|utan)\b",
    re.I,
)
_FIRST_PERSON = re.compile(
    r"\b(?:me|my|jeg|eg|meg|mig|min|mitt|mine|jag|mej|mina|ich|mich|mein\w*|minä|mä|minut|minun|mun|"
    r"haluan|pyydän|toivon|minulle|mulle)\b|\w{3,}ni\b",
    re.I,
)
_ENGLISH_I = re.compile(r"\bI\b")  # case-sensitive: Scandinavian "i" is "in"
# a sender's footer or invitation, a wish to keep it, something already done or about the debt
_NOT_A_STOP = re.compile(
    r"""
    \b(?:click|klikk|klick|klik|napsauta|link|lenke|länk|linkki)\w* | \b(?:nederst|unten|below)\b
    | \b(?:here|her|här|hier)\s*[.!:]?\s*$ | \btästä\b
    | \b(?:you|du|sie|ihr|te)\s+(?:can|kan|können|voit|könnt)\s+(?:\w+\s+)?(?:unsub|opt|manage|change|afmeld|avmeld|meld|abmeld|ändra|ändern|endre|ændre|peru)
    | \b(?:do|don'?t|would)\s+you\b
    | \b(?:vil|vill|ønsker|önskar|möchten|wollen|wünschen)\s+(?:du|sie)\b | \bhaluatko\b | \bdu\s+(?:får|mottar|modtager)\b
    | \b(?:don'?t|do\s+not|ikke|ikkje|inte|nicht|nichts|nothing|ingenting|inget|intet|keinesfalls|älä|älkää|ei)\s+(?:\w+\s+){0,3}?(?:unsub|meld|avreg|afmeld|abmeld|abbestell|ab|peru|poista|stop|stopp|slutt|sluta|remove|take|ta|fjern|avsluta)
    | \b(?:avsluta|afmeld\w*|avmeld\w*|avregistrer\w*|unsubscribe|abbestell\w*|stopp?|fjern|peru\w*)\s+(?:\w+\s+)?(?:inte|ikke|ikkje|nicht|not|ei)\b
    | \b(?:wenn|falls)\s+sie\b | \bif\s+you\b | \bhvis\s+(?:du|dere|de)\b | \bom\s+(?:du|ni)\b | \bjos\s+(?:et|haluat)\b | \bhier\b
    | \b(?:stopped|stoppet|stoppat|gestoppt)\b | \bsavn\w* | \bsakna\w* | \bvermiss\w* | \bkaipa\w* | \bmiss\b
    | \b(?:lad|la|låt)\s+(?:være|vær|bli)\b | \bauf\s+keinen\s+fall\b
    | \bkeep\b | \bbehold\w* | \bbehåll\w* | \bweiterhin\b | \bedelleen\b | \bstill\s+(?:want|like|read)\b | \bfortsatt\b | \bfortsat\b | \bfortfarande\b
    | \bagain\b | \bigen\b | \bigjen\b | \bwieder\b | \btakaisin\b | \buudelleen\b
    | \balready\b | \ballerede\b | \ballereie\b | \bredan\b | \bbereits\b | \bschon\b
    | unsubscribed | avmeldt | afmeldt | abgemeldet | avregistrerad | avslutade | \bperuin | abmeldung | afmelding | avmelding
    | by\s+mistake | ved\s+en\s+fe[ij]l | av\s+misstag | versehentlich | vahingossa
    | \bsettlement\b | \bforlik\b | \bvergleich\b | \breminder\w* | \bpurring\w* | \brykker\w* | \bmahnung\w* | \bpåminnels\w*
    | \b(?:använd\w*|bruk(?:e|er|es)?|use|using|verwend\w*|nutz\w*|käyt\w*)\b
    """,
    re.I | re.X,
)
_POINTER = re.compile(r"\b(?:it|them|those|these|det|den|dem|dei|das|die|diese|sie|sitä|niitä|niistä|sen)\b", re.I)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


# promotional content that is mailed ("«økonomitips» e-postane", "partnererbjudanden i min inbox")
_PROMO = re.compile(r"tips|tipps|vinkk|ratschl|magazin|magasin|tidning|lehti|lehte|erbjud|angebot|offer|tilbud|tilbod|"
                    r"kampanj|partner|webinar|invit|einladung|kutsu|inbjud|"
                    r"survey|umfrage|kysely|enkät|suoramarkk", re.I)
_MAILING_LIST = re.compile(r"mejllist|maillist|mailingl|e-?postlist|sähköpostilist|postituslist|verteiler|utskickslist",
                           re.I)


def _names_our_mailing(sent: str) -> bool:
    words = _WORD.findall(sent.lower())
    found = {c for w in words if not w.startswith("eventu") for c in concepts_of(w)}  # "eventuell" is no event
    if "newsletter" in found or _MAILING_LIST.search(sent):
        return True
    return ("marketing" in found or bool(_PROMO.search(sent))) and bool(_MAIL.search(sent))


def optout_request(text: str) -> str | None:
    """The sentence part that asks for our marketing mail to stop, or None."""
    flat = unwrap(text)
    if not (_STOP.search(flat) or _UNSUB_VERB.search(flat)):
        return None  # most mail: one pass over the whole text
    sents = sentences(flat)
    for i, sent in enumerate(sents):
        first_person = _FIRST_PERSON.search(sent) or _ENGLISH_I.search(sent)
        stop = _STOP.search(sent) or (first_person and _UNSUB_VERB.search(sent))
        if not stop or _NOT_A_STOP.search(sent):
            continue
        # "... ert nyhetsbrev varje vecka. Det vill jag slippa.": the mailing named just before
        pointed = i > 0 and _POINTER.search(sent) and _names_our_mailing(sents[i - 1])
        if _names_our_mailing(sent) or pointed:
            return stop.group(0)
    return None


def signature() -> list:
    """What the rule decides by, for the model version (``train.corpus_digest``)."""
    return [_MAIL.pattern, _STOP.pattern, _UNSUB_VERB.pattern, _FIRST_PERSON.pattern, _ENGLISH_I.pattern,
            _NOT_A_STOP.pattern, _PROMO.pattern, _MAILING_LIST.pattern, _POINTER.pattern]
