"""split_quoted: new text vs quoted reply and signature, six languages, four client styles."""

from __future__ import annotations

import time

import pytest

from intake_bot.quotes import split_quoted

NEW = "Hei, slett alle opplysninger om meg.\n\nMvh Kari"
OLD = "Gammel tekst fra Alektum om kravet."

ATTRIBUTIONS = [
    "On Mon, 3 Mar 2026 at 10:02, X <x@y.no> wrote:",
    "On 3 Mar 2026, at 10:02, X <x@y.no> wrote:",
    "On 03/03/2026 10:02, X wrote:",
    "Den 3. mars 2026 kl. 10:02 skrev X:",
    "tir. 3. mars 2026 kl. 10:02 skrev X <x@y.no>:",
    "Den mån 3 mars 2026 kl 10:02 skrev X:",
    "Den 03.03.2026 kl. 10.02 skrev X:",
    "Den man. 3. mar. 2026 kl. 10.02 skrev X <x@y.dk>:",
    "Den 3. mars 2026 skrev Kari <k@x.no>:",
    "Den 3 mars 2026 skrev X:",
    "Am 03.03.2026 um 10:02 schrieb X:",
    "Am Mo., 3. März 2026 um 10:02 Uhr schrieb X <x@y.de>:",
    "X kirjoitti 3.3.2026 klo 10.02:",
    "ti 3.3.2026 klo 10.02 X (x@y) kirjoitti:",
]


@pytest.mark.parametrize("attribution", ATTRIBUTIONS)
@pytest.mark.parametrize("prefix", ["", "> "], ids=["plain-quote", "gt-quote"])
def test_attribution_styles(attribution: str, prefix: str):
    body = f"{NEW}\n\n{attribution}\n\n{prefix}{OLD}\n"
    new, quoted = split_quoted(body)
    assert new == NEW
    assert attribution in quoted and OLD in quoted


HEADER_BLOCKS = [
    ("From: X <x@y.com>", "Sent: Tuesday, March 3, 2026 10:02 AM", "To: Kari", "Subject: Krav"),
    ("Fra: X <x@y.no>", "Sendt: 3. mars 2026 10:02", "Til: Kari", "Emne: Krav"),
    ("Från: X <x@y.se>", "Skickat: den 3 mars 2026 10:02", "Till: Kari", "Ämne: Krav"),
    ("Von: X <x@y.de>", "Gesendet: Dienstag, 3. März 2026 10:02", "An: Kari", "Betreff: Forderung"),
    ("Lähettäjä: X <x@y.fi>", "Lähetetty: tiistai 3. maaliskuuta 2026 10.02", "Vastaanottaja: Kari", "Aihe: Lasku"),
    ("**Fra:** X <x@y.dk>", "**Sendt:** 3. marts 2026 10:02", "**Til:** Kari", "**Emne:** Krav"),
]


@pytest.mark.parametrize("block", HEADER_BLOCKS, ids=lambda b: b[0].split(":")[0].strip("*"))
def test_outlook_header_blocks(block):
    body = NEW + "\n\n" + "\n".join(block) + "\n\n" + OLD
    new, quoted = split_quoted(body)
    assert new == NEW
    assert quoted.startswith(block[0]) and OLD in quoted


SEPARATORS = [
    "-----Original Message-----",
    "-----Opprinnelig melding-----",
    "-----Ursprüngliche Nachricht-----",
    "-----Ursprungligt meddelande-----",
    "-----Alkuperäinen viesti-----",
    "-----Oprindelig meddelelse-----",
    "---------- Forwarded message ---------",
    "Begin forwarded message:",
    "________________________________",
]


@pytest.mark.parametrize("separator", SEPARATORS)
def test_separators(separator: str):
    new, quoted = split_quoted(f"{NEW}\n\n{separator}\n{OLD}")
    assert new == NEW
    assert quoted == f"{separator}\n{OLD}"


FOOTERS = [
    "Sent from my iPhone",
    "Sendt fra min iPhone",
    "Skickat från min iPhone",
    "Lähetetty iPhonesta",
    "Von meinem iPhone gesendet",
    "Sendt fra Outlook for Android",
    "Hämta Outlook för Android",
    "Get Outlook for iOS",
]


@pytest.mark.parametrize("footer", FOOTERS)
def test_mobile_footers_are_cut(footer: str):
    new, quoted = split_quoted(f"{NEW}\n\n{footer}\n")
    assert new == NEW
    assert quoted == footer


def test_signature_delimiter_and_disclaimer():
    new, quoted = split_quoted(f"{NEW}\n-- \nKari Nordmann\nTlf 912 34 567\n")
    assert new == NEW and "912 34 567" in quoted
    new, quoted = split_quoted(f"{NEW}\n\nCONFIDENTIALITY NOTICE: This message is for the addressee only.\n")
    assert new == NEW and quoted.startswith("CONFIDENTIALITY")


def test_sign_off_stays_in_new_text():
    for body in ("Slett meg.\n\nMvh Kari", "Radera mig.\n\nMed vänliga hälsningar\nAnna", "Löschen Sie mich.\n\nViele Grüße\nMax"):
        assert split_quoted(body) == (body, "")


def test_everything_quoted_gives_empty_new_text():
    new, quoted = split_quoted("> hei\n> gammel tekst\n")
    assert new == "" and quoted == "> hei\n> gammel tekst"
    new, quoted = split_quoted("Den 3. mars 2026 kl. 10:02 skrev X:\nGammel tekst\n")
    assert new == "" and "Gammel tekst" in quoted
    assert split_quoted("") == ("", "")


def test_interleaved_reply_keeps_answers():
    body = "On 03/03/2026 10:02, X wrote:\n> Question one?\nAnswer one.\n> Question two?\nAnswer two.\n"
    new, quoted = split_quoted(body)
    assert new == "Answer one.\nAnswer two."
    assert quoted.splitlines() == ["On 03/03/2026 10:02, X wrote:", "> Question one?", "> Question two?"]


def test_gmail_wrapped_attribution():
    body = f"{NEW}\n\nOn Mon, 3 Mar 2026 at 10:02, Alektum Group <\ninfo@alektumgroup.com> wrote:\n\n> {OLD}\n"
    new, quoted = split_quoted(body)
    assert new == NEW and quoted.startswith("On Mon, 3 Mar 2026")


@pytest.mark.parametrize(
    "body",
    [
        "Jeg skrev til dere 12.03.2026 om dette:\nSlett dataene mine nå.",
        "I wrote to you on 3 March 2026 about this:\nPlease delete my data.",
        "From now on, do not call me.\nTo be clear: delete my data.",
        "Ich bin von meinem Anbieter gewechselt.\nVon meinem Konto wurden Daten abgebucht.",
        "Sendt fra min side: brev datert 3. mars.",
    ],
)
def test_ordinary_prose_is_not_taken_for_a_quote(body: str):
    assert split_quoted(body) == (body, "")


def test_crlf_input_and_linear_time():
    new, quoted = split_quoted("Slett meg\r\n\r\n> gammelt\r\n")
    assert (new, quoted) == ("Slett meg", "> gammelt")
    hostile = ("wrote skrev 12:30 " * 40)[:490] + ":\n" + ("a " * 240) + "wrote b:\n"
    big = hostile * 1000 + ":" * 5000
    start = time.perf_counter()
    split_quoted(big)
    assert time.perf_counter() - start < 2.0


LIST_FOOTERS = [
    "You are receiving this email because you attended one of our events. Unsubscribe here",
    "Don't want these emails? Unsubscribe | Manage preferences",
    "Ønsker du ikke flere nyhetsbrev? Meld deg av her.",
    "Vill du inte längre få våra utskick? Avregistrera dig här.",
    "Ønsker du ikke at modtage flere mails fra os, kan du afmelde dig nederst.",
    "Sie erhalten diese E-Mail, weil Sie Kunde sind. Newsletter abbestellen hier",
    "Et halua enää viestejä meiltä? Peru tilaus tästä.",
]
PITCH = "Hei Alektum!\n\nBook en gratis demo av FaktaFlyt i desember.\n\nHilsen Jonas, FaktaFlyt AS"


@pytest.mark.parametrize("footer", LIST_FOOTERS)
def test_list_footer_that_offers_the_reader_a_way_out_is_cut(footer: str):
    new, quoted = split_quoted(f"{PITCH}\n\n{footer}\nFaktaFlyt AS, Storgata 1, Oslo\n")
    assert new == PITCH
    assert quoted.startswith(footer)


@pytest.mark.parametrize(
    "text",
    [
        "Please unsubscribe me from your newsletter.\n\nThanks, Kari",
        "Avregistrera mig från nyhetsbrevet, tack.\n\nHälsningar\nEva",
        # footer wording only counts in the last lines, not in the body
        "Your mail said 'unsubscribe here' but the link is broken.\nA\nB\nC\nD\nE\nPlease take me off the list.",
        # a one-line message is the message, whatever it says
        "Don't want these emails anymore, take me off",
    ],
)
def test_a_persons_own_unsubscribe_is_kept(text: str):
    new, quoted = split_quoted(text)
    assert new == text and quoted == ""


PAYMENT = "Hei,\n\nVi har betalt fakturaen 3. november. Kan dere bekrefte at saken er avsluttet?"
COMPANY_SIGNATURE = ("Med vennlig hilsen\n\nTrude Haugland\nRegnskapsansvarlig\nFjordbygg AS\n"
                     "Industriveien 14, 5353 Straume\nMobil: +47 924 11 387\ntrude@fjordbygg.example")
NOTICES = [
    "KONFIDENSIALITET: Denne e-posten er kun ment for adressaten og kan inneholde personopplysninger. "
    "Har du mottatt den ved en feil, ber vi deg slette den fra dine systemer.",
    "Vertraulichkeitshinweis: Diese Nachricht ist vertraulich und ausschließlich für den Empfänger bestimmt. "
    "Sollten Sie sie irrtümlich erhalten haben, löschen Sie sie bitte.",
    "LUOTTAMUKSELLINEN: Viesti on tarkoitettu ainoastaan vastaanottajalle. Jos olet saanut sen erehdyksessä, "
    "poista viesti.",
    "Sekretess: meddelandet är konfidentiellt. Har du fått det av misstag, radera det och meddela avsändaren.",
]


@pytest.mark.parametrize("notice", NOTICES)
def test_confidentiality_notice_without_a_known_first_line_is_cut(notice: str):
    """It speaks of deleting mail and personal data; left in, it reads like an erasure request."""
    new, quoted = split_quoted(f"{PAYMENT}\n\nMvh Trude\n\n{notice}\n")
    assert new == f"{PAYMENT}\n\nMvh Trude"
    assert quoted.startswith(notice[:20])


def test_business_signature_under_a_sign_off_is_cut():
    """Its address and phone lines read like "my new address is"."""
    new, quoted = split_quoted(f"{PAYMENT}\n\n{COMPANY_SIGNATURE}\n")
    assert new == PAYMENT
    assert quoted.startswith("Med vennlig hilsen") and "Mobil: +47 924 11 387" in quoted


@pytest.mark.parametrize(
    "after",
    [
        "PS: Slett det gamle nummeret mitt, 22 33 44 55.",  # a P.S. is written on purpose
        "Ny adresse: Storgata 5, 0155 Oslo",  # so is a new address in the signature
        "Kan dere ringe meg på mobilen i stedet?",  # and a question
    ],
)
def test_a_signature_with_something_added_on_purpose_stays(after: str):
    body = f"{PAYMENT}\n\n{COMPANY_SIGNATURE}\n{after}"
    new, _ = split_quoted(body)
    assert new == body


def test_a_short_sign_off_stays():
    body = f"{PAYMENT}\n\nMvh\nKari Nordmann\n99 88 77 66"
    assert split_quoted(body) == (body, "")


def test_bottom_posted_reply_under_a_mobile_footer_is_kept():
    """iPhone puts "Sent from my iPhone" above the quote; a person who writes below the quote
    leaves it on top, and the text under the quote is the message."""
    body = "\n\nSkickat från min iPhone\n\n> 11 nov. 2026 kl. 16:52 skrev Alektum <info@a.example>:\n>\n" \
           "> Betala senast 24 november.\n\nVar har ni fått mitt nummer ifrån?\n\nAyşe"
    new, quoted = split_quoted(body)
    assert new == "Var har ni fått mitt nummer ifrån?\n\nAyşe"
    assert quoted.startswith("Skickat från min iPhone") and "> Betala senast 24 november." in quoted


def test_gmx_header_block_with_the_date_first():
    body = ("Ok, ich zahle am Freitag.\n\nGruß\nHeiko\n\n\nGesendet: Dienstag, 10. November 2026 um 13:40 Uhr\n"
            "Von: \"Alektum\" <info@a.example>\nAn: heiko@gmx.example\nBetreff: Hinweise zum Datenschutz\n"
            "Ihnen steht das Recht auf Löschung zu.")
    new, quoted = split_quoted(body)
    assert new == "Ok, ich zahle am Freitag.\n\nGruß\nHeiko"
    assert quoted.startswith("Gesendet: Dienstag") and "Löschung" in quoted


def test_swedish_postcode_and_outlook_for_ios_footer_count_as_signature():
    body = (f"{PAYMENT}\n\nMed vänlig hälsning\nGöran Wikström\nLeg. apotekare\nRingvägen 7 B\n582 25 Linköping\n"
            "Tel. 013-12 34 56")
    assert split_quoted(body)[0] == PAYMENT
    new, quoted = split_quoted(f"{PAYMENT}\n\nOutlook für iOS beziehen\n")
    assert new == PAYMENT and quoted == "Outlook für iOS beziehen"
