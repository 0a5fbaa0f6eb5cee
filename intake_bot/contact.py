"""Rule evidence: the person tells us to stop phoning or texting them (pure).

Being contacted by phone, SMS or WhatsApp, at work or at all, is something a
person may object to (Art. 21, and the labelling guide): "Ring inte till mitt
jobb igen", "keine SMS mehr auf mein Handy", "please stop sending me text
messages", "älkää soittako enää tähän numeroon". The bag-of-words model misses
it when it is one sentence beside a payment, a correction or an unsubscribe,
so such a sentence sets a floor under objection (``citations.FLOOR``).

Only a stop or a ban aimed at our calls or messages counts. "Call me back
tomorrow", "I couldn't get through on the phone", "don't hesitate to call me"
and "stop the reminders" do not.
"""

from __future__ import annotations

import re

from .features import sentences

_CALLS = r"(?:calls?|calling|ring(?:ing)?|phon(?:e|ing)|texts?|texting|text\s+messages?|sms(?:es)?|whatsapp\w*)"
_STOP_CONTACT = re.compile(
    rf"""
    \b(?:stop|quit|cease)\s+(?:\w+\s+){{0,2}}?(?:calling|ringing|phoning|texting|contacting|sending\s+(?:me\s+)?(?:texts|text\s+messages|sms))
    | \b(?:don'?t|do\s+not|never|please\s+don'?t)\s+(?:\w+\s+)?(?:call|ring|phone|text|sms|whatsapp)\s+(?:me|my|us|her|him|this)\b
    | \b(?:don'?t|do\s+not|never)\s+contact\s+me\s+(?:at|on|by)\s+(?:work|my\s+work|the\s+phone|phone|my\s+mobile|text)
    | \bno\s+(?:more\s+)?{_CALLS}\b(?!\s+(?:needed|necessary|required))
    | \bring\s+(?:meg\s+|mig\s+|mej\s+)?(?:ikke|ikkje|inte|int|aldri|aldrig)\b
    | \b(?:ikke|ikkje|inte|int|aldri|aldrig)\s+ring\b
    | \b(?:ikke|ikkje|inte|int|aldri|aldrig)\s+(?:\w+\s+)?(?:ringe|ringa|sms\w*)\s+(?:\w+\s+)?
      (?:meg|mig|mej|til\s+(?:meg|mig)|till\s+(?:mig|mej)|min\w*|mitt|mina|hit|hjem|hem|
         på\s+(?:jobben|jobbet|arbeidet|arbetet|arbejdet|mobilen|telefonen|kvelden|kvällen|kvällarna|aftenen))\b
    | \b(?:slutt|slutte|stopp|sluta|hold\s+op|holde\s+op|stop)\s+(?:\w+\s+){{0,2}}?(?:å\s+|at\s+|med\s+(?:at\s+)?)?
      (?:ringe|ringa|ringer|ringandet|sms\w*|sende\s+sms|skicka\s+sms|kontakte|kontakta|oppringning\w*|opringning\w*|samtal\w*|opkald\w*)
    | \blad\s+være\s+med\s+at\s+(?:ringe|sms|skrive\s+sms|kontakte)
    | \b(?:ingen|inga|ikke\s+flere|ikke\s+fler|inte\s+fler|inga\s+fler|inte\s+mer|ikke\s+mer)\s+(?:\w+\s+)?
      (?:samtal|opkald|oppringninger|anrop|telefonsamtal\w*|sms|sms:?er|tekstmeldinger|whatsapp\w*|säljsamtal|salgsopkald|telefoner)
    | \bälkää\s+(?:\w+\s+){{0,2}}?(?:soitta\w*|tekstaa\w*|lähettäkö\s+tekstiviest\w*|ottako\s+yhteyttä)
    | \b(?:lopettakaa|lopettaa)\s+(?:\w+\s+)?(?:soit\w*|tekstiviest\w*|viestittely\w*|yhteydenot\w*)
    | \b(?:ei|en|ettette|ettei)\s+(?:\w+\s+){{0,2}}?enää\s+(?:\w+\s+)?(?:soit\w*|puhel\w*|tekstiviest\w*|whatsapp\w*)
    | \bkiellän\b.{{0,40}}\b(?:soit\w*|puhel\w*|tekstiviest\w*|numero\w*)
    | \brufen\s+sie\s+(?:mich|uns|meine\w*|diese\s+nummer|hier)\s+(?:\w+\s+){{0,3}}?(?:nicht|nie)\b
    | \b(?:keine|kein)\s+(?:\w+\s+)?(?:anrufe|sms|whatsapp\w*|telefonate|werbeanrufe|nachrichten\s+aufs?\s+handy)\b
    | \b(?:hören|hört)\s+(?:sie|ihr)\s+auf\b.{{0,30}}\b(?:anzurufen|zu\s+simsen|sms|zu\s+schreiben)
    | \b(?:untersage|verbiete|verbitte)\b.{{0,40}}\b(?:anruf\w*|sms|telefon\w*|kontakt\w*|whatsapp)
    """,
    re.I | re.X,
)
# "don't hesitate to call me", "I couldn't get through", "call me back"; and restriction
_NOT_A_STOP = re.compile(
    # a list of what to stop until a dispute is settled ("until then: no letters, no calls") is restriction
    r"\b(?:until|till\s+dess|tills|indtil|inntil|kunnes|solange|so\s+lange|pending|arkiver\w*|archiv\w*)\b|"
    r"hesitate|zögern\s+sie\s+nicht|tveka\s+inte|nøl\s+ikke|nøl\w*\s+ikke|epäröi|get\s+through|"
    r"kom\s+ikke\s+igjennem|kom\s+ikke\s+gjennom|kom\s+inte\s+fram|nicht\s+durchgekommen|en\s+päässyt\s+läpi|"
    r"call\s+me\s+back|ring\s+(?:mig|meg|mej)\s+(?:op|tilbake|tilbage|upp)|rufen\s+sie\s+(?:mich\s+)?zurück",
    re.I,
)


def contact_objection(text: str) -> str | None:
    """The words telling us to stop calling or texting, or None."""
    for sentence in sentences(text):
        match = _STOP_CONTACT.search(sentence)
        if match and not _NOT_A_STOP.search(sentence):
            return match.group(0)
    return None


def signature() -> list:
    """What the rule decides by, for the model version (``train.corpus_digest``)."""
    return [_STOP_CONTACT.pattern, _NOT_A_STOP.pattern]
