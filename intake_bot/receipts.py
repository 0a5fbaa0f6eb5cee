"""Rule stage: sentences that only say "thanks, I got it" (pure).

A person who has had our register extract, overview or reply often writes
back about the debt: "Tack för utdraget, det kom fram. Vad är det som har
tillkommit?", "Thanks for sending that through, it all arrived fine. Could you
tell me the balance?". The bag-of-words model has learned that "extract",
"overview" and "copy" mean access, and reads such mail as a new access
request. The labelling guide says it is none ("I received the register
extract" is not a request), and so does Art. 15: nothing new is asked for.

:func:`receipt_sentences` finds the sentences that thank for or confirm
receiving something we sent, without asking for anything in the same sentence.
``scoring.score`` scores access once more on the text without them (and without
the subject, which names what arrived) and keeps the lower score, so access must
come from the rest of the mail ("… but the call notes are missing, send them
too" still asks).
"""

from __future__ import annotations

import re

from .features import sentences

_THANKS = r"(?:takk|tack|tak|thanks|thank you|cheers|danke|dank|kiitos|kiitti)"
_GOT = (r"(?:fått|fick|fået|mottatt|mottagit|modtaget|received|got|arrived|came through|kom fram|kom i posten|"
        r"angekommen|(?:erhalten|bekommen) hab\w*|saanut|sain|saapui|tuli perille)")  # "bekommen" alone: to get
# what we sent: the extract, overview, documents, our reply or confirmation
_THING = (r"(?:\w*utdrag\w*|\w*udtræk\w*|\w*udskrift\w*|\w*utskrift\w*|ausdruck|tuloste\w*|printout|"
          r"oversikt\w*|översikt\w*|oversigt\w*|übersicht|extract|overview|copy|kopi\w*|kopie|"
          r"auszug|auskunft|unterlagen|aufstellung|\w*otte\w*|\w*ote|kooste\w*|yhteenveto\w*|svar|svaret|reply|"
          r"answer|antwort|vastau\w*|vastaukse\w*|bekräftelse\w*|bekreftelse\w*|bekræftelse\w*|confirmation|"
          r"bestätigung|vahvistu\w*|vahvistukse\w*|documents|papers|selvity\w*|explanation|redegørelse\w*|"
          r"recording|opptak\w*|lydfil\w*|inspelning\w*|optagelse\w*|lydfil\w*|aufnahme|aufzeichnung|nauhoit\w*|tallenne\w*)")
_PRONOUN = r"(?:it|that|this|det|den|dem|es|sie|diese|se|sen|ne|alles|all|allt|alt|kaikki|info\w*|daten)"
_RECEIPT = re.compile(
    rf"\b{_THANKS}\b\W+(?:\w+\W+){{0,3}}?(?:{_THING}|{_PRONOUN})\b"  # "Tack för utdraget", "Thanks for sending that"
    rf"|\b{_GOT}\b\W+(?:\w+\W+){{0,5}}?{_THING}\b"  # "I got the overview"
    rf"|\b{_THING}\W+(?:\w+\W+){{0,5}}?{_GOT}\b",  # "Registerutdraget kom fram igår"
    re.I,
)
# a sentence that also asks, wants to know, or says "but" / "not" is no plain receipt
_ASKS = re.compile(
    r"\?|\b(?:please|pls|bitte|vennligst|venligst|vänligen|send|sende|skicka|skick|lähettä\w*|lähetä|schicken|"
    r"ber|beder|begär\w*|anmod\w*|pyydä\w*|pyydän|request\w*|ask|asking|verlang\w*|ersuch\w*|zusenden|"
    r"vil|vill|will|want|wants|would|ønsk\w*|önsk\w*|möchte\w*|hätte|halua\w*|can|could|können|kan|voisi\w*|"
    r"voitte\w*|vite|veta|vide|know|wissen|tietää|where|hvor|hvorfra|var|varifrån|woher|mistä|kvar|who|hvem|"
    r"vem|wer|kuka|keneltä|what|hva|vad|hvad|kva|was|mitä|mikä|in advance|forhånd|förhand|voraus|etukäteen|"
    r"but|men|aber|mutta|missing|mangler|saknas|fehlt|fehlen|puuttu\w*|not|ikke|inte|nicht|ei|never|aldri|"
    r"aldrig|nie|koskaan|no|nei|nej|kein\w*|when|når|när|wenn|kun|once|efter|etter|after|nachdem)\b"
    r"|\b(?:en|et|ei|emme|ette|eivät) (?:ole|ol|oo)\b",  # Finnish "not yet received"
    re.I,
)


def _sentences(text: str) -> tuple[list[str], list[str]]:
    """The first line's sentences and the rest's. The first line (the subject, in ``scoring``) is
    split off so that "Re: Your request for access" does not run into "Thanks, the extract arrived."
    and make it look like a request."""
    first, _, rest = text.partition("\n")
    return sentences(first), sentences(rest)


def receipt_sentences(text: str) -> list[str]:
    """The sentences of ``text`` that only thank for or confirm receiving something we sent."""
    head, body = _sentences(text)
    return [s for s in [*head, *body] if _RECEIPT.search(s) and not _ASKS.search(s)]


def without(text: str, found: list[str], *, skip_first_line: bool = False) -> str:
    """``text`` with the ``found`` sentences taken out (and its first line, if asked)."""
    head, body = _sentences(text)
    return "\n".join(s for s in [*([] if skip_first_line else head), *body] if s not in found)


def signature() -> list:
    """What the rule decides by, for the model version (``train.corpus_digest``)."""
    return [_RECEIPT.pattern, _ASKS.pattern]
