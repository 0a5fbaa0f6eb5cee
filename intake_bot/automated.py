"""Is a parsed message from a machine? ParsedMessage -> AutomatedVerdict. Pure.

The rules are small named functions run in the order of ``RULES`` (Mailman
style); the first one that returns a verdict wins. Every verdict carries a
reason string for the case's audit trail. Reason strings never contain an
address or other personal data.

Two cases are deliberately *not* automated:

* a person answering an auto-reply ("SV: Autosvar: ...") with a real message:
  subject markers never decide on their own, body checks read only the new text;
* a web contact-form notification (no-reply sender, a person's message inside):
  ``automated=False, needs_triage=True, kind="contact-form"``.

An out-of-office phrase in the text with nothing else pointing to a machine
("Jeg er i permisjon", "olen vanhempainvapaalla") gives ``text_only=True``:
people on leave write real requests too, and the classifier reads such a
message as a person's when the model finds a request in it (``classify.py``).
If such a text also asks us a question ("I'm on sick leave ... can you lower my
payments?"), it is a person's message outright: auto-replies state, they don't ask.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from .parse import ParsedMessage

__all__ = ["HUMAN", "AutomatedVerdict", "RULES", "detect_automated"]

SCAN_CHARS = 4000  # body checks read at most this much of the new text


@dataclass(frozen=True)
class AutomatedVerdict:
    automated: bool
    reason: str | None
    kind: str | None
    needs_triage: bool = False
    # only a phrase in the person-written part says so (no header, sender or subject evidence):
    # "I'm on parental leave" also opens real requests, so the classifier may overrule it
    text_only: bool = False


HUMAN = AutomatedVerdict(automated=False, reason=None, kind=None, needs_triage=False)


def _auto(kind: str, reason: str) -> AutomatedVerdict:
    return AutomatedVerdict(automated=True, reason=reason, kind=kind, needs_triage=False)


def _local_part(msg: ParsedMessage) -> str:
    return (msg.from_addr or "").rpartition("@")[0].lower()


def _scan(msg: ParsedMessage) -> str:
    return msg.new_text[:SCAN_CHARS]


# --------------------------------------------------------------------------- patterns
_BOUNCE_SENDER = re.compile(r"^(?:mailer-daemon|postmaster|mail-daemon|mailerdaemon|bounces?)(?:[+.-].*)?$")
_NOREPLY_SENDER = re.compile(
    r"^(?:no[._-]?reply|do[._-]?not[._-]?reply|dont[._-]?reply|ne[._-]?pas[._-]?repondre|"
    r"ikke[._-]?svar|svara[._-]?inte|ikkesvar|noreply[._-].*|.*[._-]no[._-]?reply|"
    r"wordpress|notifications?|forms?|webform|automailer)$"
)
_BOUNCE_SUBJECT = re.compile(
    r"failure notice|undelivered mail returned to sender|undeliverable|delivery status notification \((?:failure|delay)\)|"
    r"mail delivery (?:failed|failure|subsystem)|returned mail|delivery (?:has )?failed|"
    r"unzustellbar|nicht zustellbar|olevererbar|ej levererat|kan ikke leveres|kunne ikke leveres|ikke levert|"
    r"kan ikke afleveres|kunne ikke leveres|onnistumaton|toimitus epäonnistui|ei voitu toimittaa",
    re.I,
)
_BOUNCE_BODY = re.compile(
    r"this is the qmail-send program|this is the mail system at host|"
    r"i'm afraid i wasn't able to deliver your message|message could not be delivered|"
    r"delivery to the following recipients? (?:failed|has failed)|"
    r"the following address(?:es)? had permanent fatal errors|your message (?:wasn't|was not|couldn't be) delivered|"
    r"diagnostic-code:|final-recipient:|"
    r"permanent error|550[ -]5\.\d\.\d|554[ -]5\.\d\.\d|"
    r"levering til følgende modtager(?:e)? mislykkedes|leveringen til følgende mottaker(?:e)? mislyktes|"
    r"det gick inte att leverera meddelandet|konnte nicht zugestellt werden|"
    r"viestiä ei voitu toimittaa|mottagarens brevlåda är full|modtagerens postkasse er fuld|"
    r"mottakerens postkasse er full|postfach (?:des empfängers )?ist voll|postilaatikko on täynnä|"
    r"kunne ikke levere|could not deliver|konnte (?:die nachricht )?nicht zustellen|exceeded (?:its|the) (?:storage )?quota|"
    r"overskredet sin kvote|kvoten er overskredet|speicherkontingent|ylittänyt (?:tallennus)?kiintiö",
    re.I,
)
_TICKET_NUMBER = re.compile(
    r"\[(?:ticket|case|sak|ärende|sag|tiketti|vorgang)\s*#?\s*:?\s*[\w-]*\d[\w-]*\]|"
    r"(?:ticket|case|request|sak|saksnummer|ärende|ärendenummer|sagsnummer|sag|tiketti|tikettinumero|"
    r"pyyntö|anfrage|ticketnummer|vorgangsnummer)\s*(?:number|nr\.?|no\.?|id)?\s*(?:is|er|är|ist|on)?\s*[#:(]?\s*\d{3,}|"
    r"(?:reference|referens|referanse|reference ?number|referencenummer|referansenummer|referensnummer|referenz|"
    r"viite(?:numero)?|vorgangsnummer|case id|ticket id|ärende-?id|tikettinumero\w*)\s*(?:number|nr\.?|no\.?)?\s*"
    r"[#:]?\s*[A-Z]{0,6}-?[A-Z0-9]*\d{3,}[\w-]*|#\d{4,}",
    re.I,
)
_TICKET_STRONG = re.compile(
    r"\[ticket#\d+\]|##- ?please type your reply above this line ?-##|"
    r"your request \(\d+\) has been received|"
    r"this is an automated (?:response|reply|message|email|e-mail)|"
    r"(?:do not|please don't) reply (?:to )?this (?:e-?mail|message)",
    re.I,
)
_TICKET_RECEIVED = re.compile(
    r"(?:we have|we've) received your (?:request|message|e-?mail|enquiry|inquiry)|"
    r"your (?:\w+ )?(?:request|message|e-?mail|enquiry|inquiry|query|ticket|case)(?: \(\d+\))? has been received|"
    r"(?:ist|sind) (?:bei (?:uns|unserem \w+)|hier) eingegangen|we aim to (?:answer|reply|respond)|"
    r"vi har fått (?:den|din|ditt|meldingen|e-?posten)|vi har modtaget|olemme vastaanottaneet|vastaamme yleensä|"
    r"vielen dank für ihre (?:kontaktaufnahme|nachricht|anfrage)|tack för ditt (?:mejl|mail|meddelande)|"
    r"takk for (?:e-?posten|henvendelsen|meldingen)|tak for din (?:mail|henvendelse|besked)|kiitos (?:viestistäsi|yhteydenotostasi)|"
    r"thank you for contacting|"
    r"vi har mottatt (?:din|ditt|henvendelsen)|henvendelsen (?:din )?er mottatt|"
    r"vi har (?:tagit emot|mottagit|fått) (?:ditt|din)|ditt ärende har registrerats|"
    r"vi har modtaget (?:din|dit)|din henvendelse er modtaget|"
    r"olemme vastaanottaneet|viestisi on vastaanotettu|pyyntösi on vastaanotettu|"
    r"wir haben ihre (?:anfrage|nachricht|e-mail) erhalten|ihre anfrage ist (?:bei uns )?eingegangen|"
    r"automatisk(?:t)? (?:generert|genererat|genereret)|automaattisesti luotu|automatisch (?:generiert|erstellt|erzeugt)|"
    r"(?:we|vi|wir) (?:bekræfter|bekrefter|bekräftar|bestätigen)(?: hermed)? (?:modtagelsen|mottaket|mottagandet|den eingang)|"
    r"vi bekrefter at vi har mottatt|has been registered (?:with|under)|wurde unter der referenz|"
    r"(?:viestisi|pyyntösi|yhteydenottosi) on (?:vastaanotettu|kirjattu)|"
    r"(?:handlägger|behandler|käsitellään) (?:det|den|dem)? ?(?:i turordning|i den rækkefølge|saapumisjärjestyksessä)",
    re.I,
)
_OOF_SUBJECT = re.compile(
    r"^(?:automatic reply|auto(?:matic)?[ -]?reply|autoreply|out of (?:the )?office|autosvar|automatisk svar|"
    r"fraværsmelding|frånvaro|frånvaromeddelande|fraværende|abwesenheitsnotiz|automatische antwort|abwesend|"
    r"poissaoloviesti|automaattinen vastaus|poissa)\b",
    re.I,
)
_OOF_BODY: dict[str, re.Pattern[str]] = {
    "en": re.compile(
        r"i am (?:currently )?(?:out of (?:the )?office|away from (?:the|my) office|on (?:annual )?(?:leave|vacation|holiday))|"
        r"i'm (?:currently )?(?:out of (?:the )?office|on (?:annual )?(?:leave|vacation|holiday))|"
        r"i will be (?:back|out of the office|away)|i will return (?:on|to the office)|"
        r"with (?:limited|no) access to (?:my )?e-?mail|this is an automatic reply|out of office until|"
        r"i(?:'m| am) (?:currently )?(?:on (?:parental|maternity|paternity|sick|study) leave|away (?:at|on|until)|travelling)|"
        r"(?:parental|maternity|paternity) leave until|i will (?:reply|respond) (?:when|after|on my return)|"
        r"i'?ll (?:get back to you|reply|respond) when i'?m (?:back|ashore|home|in the office|online)|with no signal|"
        r"away at a (?:conference|seminar|course|trade fair)",
        re.I,
    ),
    "nb": re.compile(
        r"jeg er på (?:ferie|kurs|reise)|jeg har ferie|jeg er (?:ikke )?tilbake|jeg er ikke på kontoret|"
        r"jeg er fraværende|er ute av kontoret|tilbake på kontoret|har begrenset tilgang til e-?post|"
        r"dette er et automatisk svar|(?:jeg|eg) er (?:i |på )?(?:foreldre)?permisjon|er i (?:foreldre|pappa|mamma)permisjon|"
        r"(?:jeg|eg) er (?:bortreist|på reise)|e-?posten (?:vert|blir) ikkje lese|"
        r"automatisk svar|(?:jeg|eg) (?:har|er på) (?:sommar|sommer|vinter|påske)?ferie|"
        r"(?:les|leser) (?:ikkje|ikke) e-?post",
        re.I,
    ),
    "sv": re.compile(
        r"jag är ledig (?:till|t\.o\.m\.?|fram till|från och med)|jag är (?:på semester|tjänstledig|föräldraledig|inte på kontoret|borta|tillbaka)|"
        r"jag har semester|åter (?:på kontoret|i tjänst)|begränsad tillgång till (?:e-?post|mejl)|"
        r"detta är ett automatiskt svar|jag är (?:föräldraledig|på tjänsteresa|på konferens)|"
        r"(?:läser|har) (?:inte|ej) (?:min |mina )?(?:e-?post|mejl)",
        re.I,
    ),
    "da": re.compile(
        r"jeg holder ferie|jeg er (?:tilbage|på barsel|fraværende)|er tilbage på kontoret|"
        r"jeg har ikke adgang til (?:min )?e-?mail|dette er et automatisk svar|jeg er (?:på )?(?:barsel|barselsorlov|orlov)|"
        r"jeg er (?:bortrejst|på ferie|væk)|læser ikke (?:min )?(?:e-?mail|mail)",
        re.I,
    ),
    "de": re.compile(
        r"ich bin (?:bis|vom|ab|derzeit|momentan|zurzeit|leider)\b.{0,60}?(?:nicht im büro|abwesend|im urlaub|nicht erreichbar|wieder)|"
        r"ich befinde mich (?:im urlaub|nicht im büro)|bin ich (?:nicht im büro|im urlaub|abwesend|nicht erreichbar)|"
        r"in dringenden fällen|dies ist eine automatische antwort|an einer konferenz|antworte nach meiner rückkehr|ich bin (?:bis .{0,30})?in elternzeit|"
        r"ich bin abwesend|wieder (?:im haus|im büro|erreichbar)|(?:ich bin|bin ich) .{0,30}in den ferien|"
        r"keinen zugriff auf (?:meine )?e-?mails|ihre (?:e-?mail|nachricht) wird nicht (?:automatisch )?weitergeleitet",
        re.I,
    ),
    "fi": re.compile(
        r"olen (?:lomalla|vuosilomalla|poissa|kesälomalla|talvilomalla|koulutuksessa)|"
        r"palaan (?:toimistolle|töihin)|olen (?:taas |jälleen |uudelleen )?tavoitettavissa (?:taas|jälleen|uudelleen|rajoitetusti|vasta)|"
        r"en ole tavoitettavissa|tämä on automaattinen vastaus|"
        r"olen (?:virkavapaalla|äitiysvapaalla|isyysvapaalla|vanhempainvapaalla|sairauslomalla|opintovapaalla|työmatkalla)",
        re.I,
    ),
}
# Words that mark a real data-protection request; an OOF phrase next to them is a person.
_REQUEST_WORDS = re.compile(
    r"gdpr|dsgvo|personal data|my data|delete|erase|personopplysning|personuppgift|personoplysning|"
    r"personbezogen|meine daten|henkilötie|slett|radera|ta bort|innsyn|registerutdrag|indsigt|auskunft|"
    r"löschen|poista|tietoni|unsubscribe|avmeld|avregistrer|abmelden",
    re.I,
)
_FORM_PHRASE = re.compile(
    r"contact form|web ?form|form submission|new submission|submitted (?:via|through|from) |"
    r"kontaktskjema|nettskjema|ny innsending|kontaktformulär|webbformulär|kontaktformular|"
    r"yhteydenottolomake|verkkolomake|lomakkeen kautta",
    re.I,
)
_FORM_EMAIL = re.compile(r"^[ \t*]*(?:e-?mail|e-?post|e-?mail-?adresse|sähköposti|epost|mail)[ \t*]*:", re.I | re.M)
# WordPress Contact Form 7's default layout: "From: Name <addr>" ... "Message Body:"
_FORM_FROM = re.compile(r"^[ \t*]*(?:from|fra|från|von|lähettäjä)[ \t*]*:[^\n]*@", re.I | re.M)
_ANY_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_FORM_MESSAGE = re.compile(
    r"^[ \t*]*(?:message|message body|your message|melding|meddelande|besked|nachricht|ihre nachricht|viesti|"
    r"henvendelse|ärende|comments?|kommentar|beskrivelse|beskrivning|anliegen)[ \t*]*:",
    re.I | re.M,
)
_READ_SUBJECT = re.compile(
    r"^(?:read|læst|lest|läst|gelesen|luettu|lu|delivered|zugestellt|levert|levererat|leveret|toimitettu)\s*:", re.I)
_READ_BODY = re.compile(
    r"was read on|blev læst|ble lest|lästes|wurde am .{0,40}gelesen|luettiin|"
    r"(?:has been|was) delivered to the following|zustellung an diese empfänger|ble levert til|"
    r"har levererats till|er (?:blevet )?leveret til|toimitettiin (?:seuraaville )?vastaanottajille|"
    r"your message .{0,200}(?:was|has been) (?:read|displayed)",
    re.I | re.S,
)
_SELF_DECLARED = re.compile(
    r"\b(?:this|dette|detta|dies|tämä|denne)\s+(?:is|er|är|ist|on)\s+(?:an?\s+|en\s+|ei\s+|ett\s+|eine\s+)?"
    r"(?:automat|autogenerat|auto-generat|computer-generat|maskinelt|maschinell)\w*|"
    r"automaattinen viesti|(?:älä|ei tarvitse) vastata? (?:tähän|siihen)",
    re.I,
)
_UNMONITORED = re.compile(
    r"(?:this|the) (?:mailbox|e-?mail address|address|inbox) is (?:not|no longer) (?:monitored|read|in use|used|active)|"
    r"(?:this|the) mailbox is closed|no longer works (?:at|for)|"
    r"diese (?:e-?mail-?)?adresse wird nicht mehr (?:verwendet|genutzt|gelesen)|"
    r"den här e-?postadressen (?:används|läses) inte (?:längre)?|"
    r"denne e-?postadressen? (?:er ikke (?:betjent|i bruk)|brukes ikke lenger)|"
    r"denne (?:e-?mail)?adresse (?:bruges ikke længere|er ikke i brug|er lukket)|"
    r"tämä sähköpostiosoite ei ole (?:enää )?käytössä|"
    r"messages sent to this address (?:will not|won't) be read|"
    r"denne (?:postkasse|indbakke|mailadresse|e-?mailadresse) (?:overvåges|læses) ikke|"
    r"denne (?:postkasse|indbakke|mailadresse|e-?mailadresse) bliver ikke (?:længere )?(?:læst|overvåget)|"
    r"denne (?:innboksen|e-?postadressen|postkassen) (?:overvåkes ikke|blir ikke (?:lenger )?(?:fulgt opp|lest))|"
    r"denna (?:brevlåda|e-?postadress|adress) (?:bevakas|läses) (?:inte|ej)|"
    r"dieses postfach wird nicht (?:überwacht|gelesen)|nachrichten an diese adresse werden nicht gelesen|"
    r"tätä (?:postilaatikkoa|sähköpostiosoitetta) ei (?:valvota|lueta)|viestiäsi ei lueta",
    re.I,
)
# words only a machine writes about itself: an out-of-office phrase next to them is never a person's
_MACHINE_MARK = re.compile(
    r"automat\w* (?:svar|reply|response|antwort|vastaus)|auto-?reply|autosvar|abwesenheitsnotiz|"
    r"fraværsmelding|frånvaromeddelande|poissaoloviesti|out[ -]of[ -]office",
    re.I,
)
_PRECEDENCE = {"bulk": "bulk", "junk": "bulk", "list": "list", "auto_reply": "auto-reply", "auto-reply": "auto-reply"}
_LIST_HEADERS = ("List-Id", "List-Unsubscribe", "List-Post", "List-Help", "List-Subscribe", "List-Owner", "List-Archive")
_AUTOREPLY_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Autogenerated", "X-Auto-Reply")


# --------------------------------------------------------------------------- rules
def multipart_report(msg: ParsedMessage) -> AutomatedVerdict | None:
    if msg.content_type != "multipart/report":
        return None
    if msg.report_type == "disposition-notification":
        return _auto("mdn", "multipart/report disposition-notification (MDN)")
    return _auto("bounce", f"multipart/report {msg.report_type or 'unknown'} (DSN)")


def bounce_sender(msg: ParsedMessage) -> AutomatedVerdict | None:
    local = _local_part(msg)
    if local and _BOUNCE_SENDER.match(local):
        return _auto("bounce", f"sender {local.upper() if 'daemon' in local else local}")
    return None


def bounce_text(msg: ParsedMessage) -> AutomatedVerdict | None:
    match = _BOUNCE_SUBJECT.search(msg.subject)
    if match and not msg.subject.lower().startswith(("re:", "sv:", "aw:", "vs:", "vs:", "fw:", "fwd:")):
        return _auto("bounce", f"bounce subject: {match.group(0)!r}")
    match = _BOUNCE_BODY.search(_scan(msg))
    if match:
        return _auto("bounce", f"bounce text: {match.group(0)!r}")
    return None


def contact_form(msg: ParsedMessage) -> AutomatedVerdict | None:
    body = msg.body_text[:SCAN_CHARS]
    if ":" not in body and "@" not in body:
        return None
    fields = bool((_FORM_EMAIL.search(body) or _FORM_FROM.search(body)) and _FORM_MESSAGE.search(body))
    lowered = body.lower()
    phrase = _FORM_PHRASE.search(lowered) or _FORM_PHRASE.search(msg.subject.lower())
    machine_sender = bool(_NOREPLY_SENDER.match(_local_part(msg))) or any(
        msg.header(h) for h in ("Auto-Submitted", "Precedence", "X-Auto-Response-Suppress")
    )
    # form fields plus either sign of a form; or, whatever the layout, a machine sender that
    # says it relays a form and carries a person's address: never dropped as automated
    if (fields and (phrase or machine_sender)) or (phrase and machine_sender and _ANY_ADDRESS.search(body)):
        return AutomatedVerdict(
            automated=False,
            reason=f"contact-form notification ({'phrase ' + repr(phrase.group(0)) if phrase else 'form fields'})",
            kind="contact-form",
            needs_triage=True,
        )
    return None


def auto_submitted(msg: ParsedMessage) -> AutomatedVerdict | None:
    value = (msg.header("Auto-Submitted") or "").strip()
    if value and value.split(";")[0].strip().lower() != "no":
        return _auto("auto-reply", f"header Auto-Submitted: {value[:40]}")
    return None


def auto_response_suppress(msg: ParsedMessage) -> AutomatedVerdict | None:
    value = (msg.header("X-Auto-Response-Suppress") or "").strip()
    if value and value.lower() != "none":
        return _auto("auto-reply", f"header X-Auto-Response-Suppress: {value[:40]}")
    return None


def autoreply_headers(msg: ParsedMessage) -> AutomatedVerdict | None:
    for name in _AUTOREPLY_HEADERS:
        value = msg.header(name)
        if value is not None and value.strip().lower() not in ("no", "false", "0"):
            return _auto("auto-reply", f"header {name}: {value.strip()[:40]}")
    return None


def precedence(msg: ParsedMessage) -> AutomatedVerdict | None:
    value = (msg.header("Precedence") or msg.header("X-Precedence") or "").strip().lower()
    if value in _PRECEDENCE:
        return _auto(_PRECEDENCE[value], f"header Precedence: {value}")
    return None


def list_headers(msg: ParsedMessage) -> AutomatedVerdict | None:
    for name in _LIST_HEADERS:
        if msg.header(name) is not None:
            return _auto("list", f"header {name}")
    return None


def null_return_path(msg: ParsedMessage) -> AutomatedVerdict | None:
    value = msg.header("Return-Path")
    if value is not None and value.replace(" ", "") == "<>":
        return _auto("auto-reply", "null Return-Path <>")
    return None


_RESPONSE_TIME = re.compile(
    r"(?:within|innen|inden|inom|innerhalb(?: von)?|kuluessa|normally|normalt|yleensä)\s+(?:\w+\s+){0,2}"
    r"(?:working|business|arbeids|virke|arbets|arbejds|werk|arki)|"
    r"handläggningstid|käsittelyaika|svartid|svartiden|bearbeitungszeit|response time|turnaround",
    re.I,
)


# A person writes "I": "Thanks for your mail. Case 12345678: I paid today, please confirm it has been
# received." A ticket system speaks as "we", so its receipt phrases only count in a text without "I".
# English "I" only before a verb: "I juli" (nb), "I har" (da: you have) are no person.
_PERSON_VOICE = re.compile(
    r"\b(?:I'm|I've|I'll|I'd|[Jj]eg|JEG|[Jj]ag|JAG|[Ee]g|[Ii]ch|ICH|[Mm]inä|[Mm]ä)\b|"
    r"\bI (?:have|had|am|was|will|would|can|could|did|do|don't|didn't|paid|sent|want|need|think|hope|"
    r"received|got|called|rang|wrote|made|just|already|also|transferred|cannot|can't|won't)\b"
)


def ticket_ack(msg: ParsedMessage) -> AutomatedVerdict | None:
    scan = _scan(msg)
    text = msg.subject + "\n" + scan
    strong = _TICKET_STRONG.search(text)
    if strong:
        return _auto("ticket-ack", f"ticket system text: {strong.group(0)!r}")
    if _PERSON_VOICE.search(scan):
        return None
    number = _TICKET_NUMBER.search(text)
    received = _TICKET_RECEIVED.search(scan)
    # Only phrases in the text say so, and a company paying its debt writes as "we" too ("Vi har
    # modtaget jeres rykker, sag 88140236 ..."): text-only, so a request the model reads wins (classify).
    if number and received:
        return replace(_auto("ticket-ack", f"ticket acknowledgement: {received.group(0)!r}"), text_only=True)
    # "thanks, we got it, we answer within N working days": no number, but a service promise
    if received and _RESPONSE_TIME.search(scan) and not _REQUEST_WORDS.search(scan):
        return replace(_auto("ticket-ack", f"receipt with a response-time promise: {received.group(0)!r}"),
                       text_only=True)
    return None


def read_receipt(msg: ParsedMessage) -> AutomatedVerdict | None:
    subject = _READ_SUBJECT.match(msg.subject.strip())
    body = _READ_BODY.search(_scan(msg))
    if subject and body:
        return _auto("mdn", f"read receipt text: {body.group(0)[:40].lower()!r}")
    return None


def self_declared(msg: ParsedMessage) -> AutomatedVerdict | None:
    match = _SELF_DECLARED.search(_scan(msg))
    if match:
        return _auto("auto-reply", f"says it is automatic: {match.group(0)[:50].lower()!r}")
    return None


def unmonitored_mailbox(msg: ParsedMessage) -> AutomatedVerdict | None:
    match = _UNMONITORED.search(_scan(msg))
    if match:
        return _auto("auto-reply", f"unmonitored-mailbox notice: {match.group(0)[:60].lower()!r}")
    return None


_REDIRECT = re.compile(
    r"please (?:write|send|contact|email|e-mail|forward)|write to|contact (?:my|our|the)|"
    r"bitte (?:an|schreiben|wenden|kontaktieren|senden)|wenden sie sich|schreiben sie (?:bitte )?an|"
    r"vennligst (?:kontakt|send|skriv)|kontakt(?:a|e)? (?:min|vår|oss|kollega)|skriv(?:e)? til|send(?:e)? til|"
    r"skicka till|vänligen kontakta|venligst kontakt|ota yhteyttä|lähetä .{0,30}osoitteeseen|"
    r"\S+@\S+\.\w+",
    re.I,
)
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")


def _request_words_outside_redirects(text: str) -> bool:
    """Request words count, except inside "for X, please write to ..." redirect sentences."""
    return any(_REQUEST_WORDS.search(s) and not _REDIRECT.search(s) for s in _SENTENCE_SPLIT.split(text))


# a question that sends the reader elsewhere ("Need help before then? Call the switchboard ...")
_REFERRAL = re.compile(r"\b(?:kontakt\w*|contact|call|ring|soita\w*|yhteyttä|anrufen|wenden)\b|@|\d\d[ \d]{6,}", re.I)


def _asks_a_question(text: str) -> bool:
    """A person asks us something ("can you lower the instalments until I'm back at work?").

    Auto-replies state. A short "Urgent?", and a question that it or the next
    sentence answers with someone else to contact, do not count."""
    sents = [s.strip() for s in _SENTENCE_SPLIT.split(text) if s.strip()]
    for i, s in enumerate(sents):
        if not s.endswith("?") or len(s.split()) < 5:
            continue
        if not any(_REDIRECT.search(t) or _REFERRAL.search(t) for t in sents[i:i + 2]):
            return True
    return False


def out_of_office(msg: ParsedMessage) -> AutomatedVerdict | None:
    text = _scan(msg)
    if _request_words_outside_redirects(text):
        return None  # a person mentioning a holiday next to a real request
    subject = _OOF_SUBJECT.match(msg.subject.strip())
    for lang, pattern in _OOF_BODY.items():
        match = pattern.search(text)
        if match:
            where = "subject and text" if subject else "text"
            verdict = _auto("out-of-office", f"out-of-office {where} ({lang}): {match.group(0)[:60].lower()!r}")
            if subject or _MACHINE_MARK.search(text):
                return verdict
            if _asks_a_question(text):
                return None  # "I'm on sick leave ... can you lower my payments?": a person
            return replace(verdict, text_only=True)
    if subject and not text.strip():
        return _auto("out-of-office", f"out-of-office subject with empty text: {subject.group(0)!r}")
    return None


def noreply_sender(msg: ParsedMessage) -> AutomatedVerdict | None:
    local = _local_part(msg)
    if local and _NOREPLY_SENDER.match(local):
        return _auto("no-reply-sender", f"sender local part {local[:40]!r}")
    return None


Rule = Callable[[ParsedMessage], "AutomatedVerdict | None"]
RULES: tuple[tuple[str, Rule], ...] = (
    ("multipart-report", multipart_report),
    ("bounce-sender", bounce_sender),
    ("bounce-text", bounce_text),
    ("contact-form", contact_form),
    ("auto-submitted", auto_submitted),
    ("auto-response-suppress", auto_response_suppress),
    ("autoreply-headers", autoreply_headers),
    ("precedence", precedence),
    ("list-headers", list_headers),
    ("null-return-path", null_return_path),
    ("read-receipt", read_receipt),
    ("unmonitored-mailbox", unmonitored_mailbox),
    ("self-declared", self_declared),
    ("out-of-office", out_of_office),
    ("ticket-ack", ticket_ack),
    ("noreply-sender", noreply_sender),
)


def detect_automated(msg: ParsedMessage) -> AutomatedVerdict:
    """Run RULES in order; the first verdict wins. No hit means a person wrote it."""
    for _name, rule in RULES:
        verdict = rule(msg)
        if verdict is not None:
            return verdict
    return HUMAN
