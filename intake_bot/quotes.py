"""Split a mail body into the sender's new text and everything else.

``split_quoted(text) -> (new, quoted)``. "Quoted" is everything that is not the
sender's own new words: the quoted earlier mail (attribution line, Outlook
header block, "Original message" separator, forwarded message, ``>`` lines) and
the signature (``-- `` delimiter, "Sent from my iPhone" footers, legal
disclaimers and confidentiality notices, a company signature's address and phone
lines under a sign-off, and a mailing list's "Don't want these emails?
Unsubscribe here" footer in the last lines). Ordinary sign-offs such as "Mvh
Kari" stay in the new text, and so does a person's own "please unsubscribe me".

Covers nb, sv, da, fi, en and de in the Gmail, Outlook, Apple Mail and
Thunderbird styles. If the quote starts on the first line, the new text is "".
All patterns are precompiled and anchored to one line, so the work is linear.
"""

from __future__ import annotations

import re

__all__ = ["split_quoted"]

_VERB = r"(?:wrote|skrev|schrieb|kirjoitti|a écrit|escribió|schreef|scrisse)"
_CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b|\b(?:kl|klo|um|at|à)\.?\s*\d{1,2}[.:]\d{2}\b", re.I)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2}\b")

# "On Mon, 3 Mar 2026 at 10:02, X <x@y> wrote:" (Gmail, Apple Mail, Thunderbird)
_ATTR_EN = re.compile(r"^(?:On|Le|El)\s.{0,300}\b" + _VERB + r"\s*:$", re.I)
# "Am 03.03.2026 um 10:02 schrieb X:" / "Am Mo., 3. März 2026 um 10:02 Uhr schrieb X <x@y>:"
_ATTR_DE = re.compile(r"^Am\s.{0,200}\bschrieb\b.{0,200}:$", re.I)
# "Den 3. mars 2026 skrev Kari <k@x.no>:" (Scandinavian clients without a clock time)
_ATTR_DEN = re.compile(r"^Den\s.{0,200}\bskrev\b.{0,250}:$", re.I)
# "Den 3. mars 2026 kl. 10:02 skrev X:", "tir. 3. mars 2026 kl. 10:02 skrev X <x@y>:",
# "X kirjoitti 3.3.2026 klo 10.02:", "ti 3.3.2026 klo 10.02 X (x@y) kirjoitti:",
# "X schrieb am 03.03.2026 um 10:02:" -- these need a clock time on the line.
_ATTR_TIMED = re.compile(r"^.{0,250}\b" + _VERB + r"\b.{0,250}:$", re.I)
# "X <x@y> wrote:" with no date: only when '>' lines follow.
_ATTR_BARE = re.compile(r"^.{1,200}\b" + _VERB + r"\s*:$", re.I)

_SEPARATOR = re.compile(
    r"^[ \t]*-{2,}[ \t]*(?:Original Message|Opprinnelig melding|Original melding|"
    r"Ursprüngliche Nachricht|Originalnachricht|Ursprungligt meddelande|Originalmeddelande|"
    r"Alkuperäinen viesti|Oprindelig meddelelse|Original meddelelse|"
    r"Forwarded message|Videresendt melding|Videresendt meddelelse|Vidarebefordrat meddelande|"
    r"Weitergeleitete Nachricht|Välitetty viesti|Edelleenlähetetty viesti)[ \t]*-{2,}",
    re.I,
)
_FORWARD_INTRO = re.compile(
    r"^(?:Begin forwarded message|Start of forwarded message|Videresendt melding|Videresendt e-post|"
    r"Vidarebefordrat brev|Vidarebefordrat meddelande|Videresendt besked|"
    r"Anfang der weitergeleiteten Nachricht|Välitetty viesti|Alkaa välitetty viesti)\s*:\s*$",
    re.I,
)
_UNDERSCORES = re.compile(r"^[ \t]*_{10,}[ \t]*$")
_HEADER_PREFIX = r"^[ \t*_>]*"
_FROM_FIELD = re.compile(
    _HEADER_PREFIX + r"(?:From|Fra|Från|Von|Lähettäjä|De|Van)[ \t*_]*:[ \t*_]*\S", re.I
)
_OTHER_FIELD = re.compile(
    _HEADER_PREFIX + r"(?:Sent|Date|To|Cc|Subject|Sendt|Dato|Til|Kopi|Emne|Skickat|Datum|Till|Kopia|Ämne|"
    r"Gesendet|An|Betreff|Lähetetty|Päivämäärä|Vastaanottaja|Kopio|Aihe|Envoyé|Objet|À)[ \t*_]*:",
    re.I,
)
_SIG_DELIM = re.compile(r"^-- ?$")
_MOBILE_FOOTER = re.compile(
    r"^[ \t]*(?:(?:Sent from my|Sendt fra min|Skickat från min|Von meinem|Gesendet von meinem) ?(?:iPhone|iPad|"
    r"Android|Samsung|Galaxy|Huawei|Pixel|BlackBerry|Sony|mobile|phone|mobil|Handy|Smartphone|Mobiltelefon)|"
    r"Sent from Outlook|Sent from Mail for|Get Outlook for|Sent from Yahoo|"
    r"Sendt fra Outlook|Sendt fra E-post|Sendt fra Mail for|Hent Outlook for|Få Outlook for|"
    r"Skickat från Outlook|Skickat från E-post|Skickat från Mail för|Hämta Outlook för|"
    r"Gesendet von Outlook|Gesendet von Mail für|Outlook für (?:Android|iOS) (?:herunterladen|beziehen)|"
    r"Skaffa Outlook för|"
    r"Lähetetty (?:iPhonesta|iPadista|Android|Outlook|matkapuhelimesta|puhelimesta|Samsung)|"
    r"Hanki Outlook|Lähetetty laitteesta)",
    re.I,
)
_DISCLAIMER = re.compile(
    r"^[ \t*_]*(?:CONFIDENTIALITY NOTICE|DISCLAIMER\b|This e-?mail (?:and any attachments )?(?:is|may contain|contains) confidential|"
    r"The information (?:contained )?in this e-?mail is confidential|"
    r"Denne e-?posten (?:kan inneholde|er) konfidensiell|Denne e-?mail (?:kan indeholde|er) fortrolig|"
    r"Detta e-?(?:post)?meddelande (?:kan innehålla|är) konfidentiell|"
    r"Diese E-?Mail (?:enthält|kann) vertrauliche|Tämä (?:sähkö)?viesti (?:voi sisältää|sisältää) luottamuksellis)",
    re.I,
)
# A confidentiality notice without a known first line ("FORTROLIGHED: Denne e-mail og eventuelle
# vedhæftede filer er fortrolige ... Hvis du har modtaget e-mailen ved en fejl, bedes du ... slette
# e-mailen"): a paragraph that says both "confidential" and "sent to you in error / meant only for".
# It talks of deleting mail and of personal data, so left in it reads like a request.
_CONFIDENTIAL = re.compile(
    r"confidential|privileged|konfiden|fortrolig|vertraulich|luottamukselli|sekretess|"
    r"taushetsplikt|tavshedspligt|salassa pidettäv",
    re.I,
)
_MISDIRECTED = re.compile(
    r"in error|by mistake|intended (?:solely |only |exclusively )?for|meant only for|ved en (?:feil|fejl)|"
    r"av misstag|felaktigt|irrtümlich|versehentlich|fälschlicherweise|erehdyksessä|virheellisesti|"
    r"(?:kun|udelukkende|utelukkende) (?:ment|beregnet)|(?:enbart|endast) avsedd|ausschließlich für|"
    r"bestimmt für|(?:vain|ainoastaan) (?:\w+ )?tarkoitettu",
    re.I,
)


def _disclaimer_paragraph(lines: list[str]) -> int | None:
    """The first line of the first confidentiality paragraph after the opening one."""
    start, seen_text = None, False
    for i, line in enumerate([*lines, ""]):
        if line.strip() and start is None:
            start = i
        elif not line.strip() and start is not None:
            paragraph = " ".join(lines[start:i])
            if seen_text and _CONFIDENTIAL.search(paragraph) and _MISDIRECTED.search(paragraph):
                return start
            start, seen_text = None, True
    return None


# A business signature under a sign-off ("Med vänlig hälsning / Anneli K. / Redovisningsekonom /
# Industrigatan 7B | 652 21 Karlstad / Tel: 054-19 23 40"): its address and phone lines read like
# "my new address is". Cut from the sign-off when the lines under it hold two or more contact details
# and nothing a person adds on purpose (a question, a P.S., a "new" address or number).
_SIGN_OFF = re.compile(
    r"^[ \t]*(?:(?:med )?(?:vennlig|venlig|vänlig|vänliga|beste|bästa|de bedste|venleg) (?:hilsen|hälsning|"
    r"hälsningar|helsing|hilsner)|mvh|hilsen|hälsningar|helsing|(?:best |kind |warm )?regards|best wishes|"
    r"yours (?:sincerely|faithfully|truly)|sincerely|(?:many )?thanks|(?:ystävällisin |parhain )?terveisin|ystävällisesti|"
    r"mit freundlichen grüßen|(?:freundliche|viele|beste|liebe|herzliche) grüße|(?:danke und |viele )?gru(?:ß|ss)|"
    r"mfg|hochachtungsvoll)"
    r"[ \t,.!]*(?:/.*)?$",
    re.I,
)
_CONTACT_LINE = re.compile(
    r"\b(?:tel|tlf|telefon|phone|mobil|mobile|mob|puh|gsm|fax|handy|direkt|direct|vaihde|växel|sentralbord)\b"
    r"\.?[ \t]*:?[ \t]*\+?\d|^[ \t]*[DMTF][ \t]*:[ \t]*\+?\d|[\w.+-]+@[\w-]+\.\w|\bwww\.|https?://|"
    r"\b(?:org\.? ?nr|cvr|y-tunnus|ust-?idnr|vat no|company (?:number|no\b)|registered office|hr[ab] \d)|(?-i:\b(?:\d{4,5}|\d{3} \d{2}) [A-ZÄÖÅÆØ][a-zäöåæøü]+)",
    re.I,
)
_ON_PURPOSE = re.compile(r"\?\s*$|^[ \t]*(?:p\.? ?s\.?|nb)\b|\b(?:ny|nye|nya|nytt|new|neue[nr]?|uusi|uuden)\b", re.I)
_SIGNATURE_LINE_WORDS = 16
_SIGNATURE_MAX_LINES = 30  # a sign-off further up is the person's, not a signature's


def _business_signature(lines: list[str]) -> int | None:
    for i in range(max(1, len(lines) - _SIGNATURE_MAX_LINES), len(lines)):
        if not _SIGN_OFF.match(lines[i]):
            continue
        block = [b for b in lines[i + 1 :] if b.strip()]
        if (sum(bool(_CONTACT_LINE.search(b)) for b in block) >= 2
                and not any(_ON_PURPOSE.search(b) or (len(b.split()) > _SIGNATURE_LINE_WORDS
                                                      and not _CONTACT_LINE.search(b)) for b in block)):
            return i
    return None


# A bulk sender's footer that offers the *reader* a way out ("Unsubscribe here",
# "Vill du inte längre få våra utskick? Avregistrera dig här"). Cut only from the
# last few lines, so a vendor's mail with such a footer is not read as the
# sender asking to unsubscribe; a person asking to be removed rarely words it so.
_LIST_FOOTER = re.compile(
    r"(?:^|[.!?|]\s*)(?:"
    r"(?:click|tap) here to unsubscribe|unsubscribe (?:here|at any time)|manage (?:your )?(?:e-?mail )?preferences|"
    r"you (?:are )?receiv(?:e|ing) this (?:e-?mail|message|newsletter)|"
    r"don'?t want (?:to receive )?(?:these|our|more) (?:e-?mails|messages|newsletters)|"
    r"(?:meld deg|meld dig|avmeld deg|afmeld dig|avregistrera dig|avsluta prenumerationen|avprenumerera|"
    r"abmelden|newsletter abbestellen|abbestellen|peru tilaus|peruuta tilaus)\s+(?:her|här|hier|tästä|täältä|direkt|nedan)\b|"
    r"(?:ønsker|vil) du ikke (?:lenger )?(?:motta|ha|få)|ønsker du ikke flere|"
    r"vill du inte (?:längre )?(?:få|ha)|ønsker du ikke at modtage|vil du ikke (?:længere )?modtage|"
    r"möchten sie (?:diese|unseren|keine)|sie erhalten diese (?:e-?mail|nachricht|newsletter)|"
    r"et halua (?:enää )?(?:vastaanottaa|viestejä|uutiskirjettä)|"
    r"du (?:mottar|får|modtager) (?:denne|detta|dette) (?:e-?posten|e-?mailen|mejlet|meddelandet|nyhetsbrev|utskick)"
    r")",
    re.I,
)
_LIST_FOOTER_LINES = 4
_TRAILING_BLANK = re.compile(r"\s+\Z")


def _is_attribution(line: str, next_lines: list[str]) -> bool:
    if not line or line[-1] != ":" or len(line) > 500:
        return False
    dated = _YEAR.search(line) is not None
    if dated and (_ATTR_EN.match(line) or _ATTR_DE.match(line) or _ATTR_DEN.match(line)):
        return True
    if dated and _ATTR_TIMED.match(line) and _CLOCK.search(line):
        return True
    if _ATTR_BARE.match(line):
        following = next((n for n in next_lines if n.strip()), "")
        return following.lstrip().startswith(">")
    return False


def _is_header_block(lines: list[str], index: int) -> bool:
    if not _FROM_FIELD.match(lines[index]):
        return False
    window = lines[index + 1 : index + 8]
    return sum(1 for line in window if _OTHER_FIELD.match(line)) >= 2


def _attribution_len(lines: list[str], i: int) -> int:
    """1 or 2 if an attribution line (Gmail may wrap it over two lines) starts at i, else 0."""
    line = lines[i].strip()
    if line.endswith(":"):
        return 1 if _is_attribution(line, lines[i + 1 : i + 3]) else 0
    if i + 1 < len(lines) and len(line) < 300:
        joined = line + " " + lines[i + 1].strip()
        if joined.endswith(":") and _is_attribution(joined, lines[i + 2 : i + 4]):
            return 2
    return 0


def _is_hard_cut(lines: list[str], i: int) -> bool:
    """A line after which everything is the earlier mail (separators, header blocks)."""
    line = lines[i].strip()
    return bool(
        _SEPARATOR.match(line) or _FORWARD_INTRO.match(line) or _UNDERSCORES.match(line) or _is_header_block(lines, i)
        # GMX and web.de put the date first: "Gesendet: …" / "Von: …" / "An: …" / "Betreff: …"
        or (_OTHER_FIELD.match(line) and i + 1 < len(lines) and _is_header_block(lines, i + 1))
    )


def _next_is_quote(lines: list[str], index: int) -> bool:
    following = next((n for n in lines[index : index + 2] if n.strip()), "")
    return following.lstrip().startswith(">")


def _signature_start(lines: list[str]) -> int | None:
    filled = [i for i, line in enumerate(lines) if line.strip()]
    # a list footer only in the last lines, and never the first line: that is the message itself
    footer = next((i for i in filled[1:][-_LIST_FOOTER_LINES:] if _LIST_FOOTER.search(lines[i])), None)
    # a signature needs text above it: "Sent from my iPhone" on top belongs to a bottom-posted reply
    end = next((i for i, line in enumerate(lines[: footer]) if filled and i > filled[0]
                and (_SIG_DELIM.match(line) or _MOBILE_FOOTER.match(line) or _DISCLAIMER.match(line))), footer)
    notice = _disclaimer_paragraph(lines[: end])
    if notice is not None:
        end = notice
    signature = _business_signature(lines[: end])
    return signature if signature is not None else end


def split_quoted(text: str) -> tuple[str, str]:
    """Return (new text, quoted text + signature) for a plain-text mail body.

    An attribution followed by '>' lines quotes only those lines, so interleaved
    and bottom-posted answers keep their new text. An attribution followed by
    unprefixed text, a separator or an Outlook header block quotes the rest.
    """
    if not text:
        return "", ""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    new: list[str] = []
    quoted: list[str] = []
    tail: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            new.append(line)
            i += 1
            continue
        if line.lstrip().startswith(">"):
            quoted.append(line)
            i += 1
            continue
        span = _attribution_len(lines, i)
        if span and _next_is_quote(lines, i + span):
            quoted.extend(lines[i : i + span])
            i += span
            continue
        if span or _is_hard_cut(lines, i):
            tail = lines[i:]
            break
        new.append(line)
        i += 1
    top = next((k for k, line in enumerate(new) if line.strip()), None)
    if top is not None and _MOBILE_FOOTER.match(new[top]):  # the footer above a bottom-posted reply
        quoted.insert(0, new[top])
        new[top] = ""
    sig = _signature_start(new)
    if sig is not None:
        quoted = new[sig:] + quoted
        new = new[:sig]
    new_text = _TRAILING_BLANK.sub("", "\n".join(new)).strip("\n")
    quoted_text = "\n".join(quoted + tail).strip("\n")
    return new_text, quoted_text
