"""A small multilingual concept lexicon: word prefixes -> shared concept tags.

The bag-of-words model sees, besides the words, a stream of concept tags
(``c_delete c_my c_pdata``). "slett opplysningene mine", "radera mina
uppgifter" and "poistakaa tietoni" then share features, so evidence written
in one language helps the other five. Prefixes are lower-case word starts.
"""

from __future__ import annotations

CONCEPTS: dict[str, tuple[str, ...]] = {
    "delete": (
        "delet", "erase", "erasu", "remov", "wipe", "forget", "slett", "slette", "fjern", "radera", "radér",
        "raderi", "glöm", "glem", "sletn", "slett", "slet", "poist", "unohd", "lösch", "losch", "entfern",
        "vergess", "tilintar", "destroy", "makul", "anonymi", "anonymis",
        "hävit", "tuhot", "tuhoa", "förstör", "stryk", "destru", "vernicht", "kasser", "makuler", "shred",
        "purge", "ødeleg", "ødelæg", "utplån", "streich",
        # "get rid of / throw out / clean out" ways of asking for deletion
        "kvitt", "släng", "slæng", "smid", "rensa", "rydd", "siivo", "roskiin", "heittäk", "wegwerf",
        "schmeiß", "schmeiss", "rauslösch", "rauswerf", "rausnehm", "bortplock", "bortskaff", "rid",
    ),
    # "off / out of your records", "nothing kept about me": erasure asked for without a delete verb
    "away": ("off", "out", "away", "ud", "ut", "bort", "pois", "weg", "raus", "væk", "vekk", "borte"),
    "storage": (
        "system", "databas", "datenbank", "kartotek", "kartei", "akte", "akten", "unterlag", "arkiv", "archiv",
        "järjestelm", "tiedoist", "tiedoissa", "tietokan", "register", "rekister", "files", "records",
        "systeem", "verzeichn", "kundenkart", "papiere", "papirer", "mapp",
    ),
    "keep": ("keep", "behold", "behåll", "beholde", "lagr", "gemme", "gemt", "säilyt", "säilö", "aufbewahr",
             "speicher", "store", "retain", "bevar", "spar", "kept", "holding", "hold"),
    "pdata": (
        "personopplys", "personuppg", "personoplys", "henkilötie", "henkilötie", "personenbez", "personal",
        "personlig", "persondata", "personupp", "opplysning", "uppgift", "oplysning", "tieto", "tiedo",
        "tietoja", "tietoni", "daten", "data", "informa", "info", "registr", "gdpr", "dsgvo", "personvern",
        "dataskydd", "databeskyt", "tietosuoj", "datenschutz", "privacy", "integritet", "rekister",
        "record", "profil", "kundendat", "kundeopply",
    ),
    "my": ("my", "mine", "mina", "mitt", "mig", "meg", "me", "min", "minun", "minua", "minusta",
           "meine", "meiner", "meinen", "mich", "mir", "myself", "meinem"),
    "access": (
        "innsyn", "insyn", "indsigt", "auskunft", "kopi", "kopia", "kopie", "copy", "utdrag", "access",
        "tarkast", "overview", "oversikt", "översikt", "oversigt", "yhteenv", "übersicht", "uebersicht",
        "what", "hva", "vad", "hvad", "mitä", "welche", "which", "hvilke", "vilka", "mistä",
        "hvor", "varifrån", "where", "woher", "wem", "hvem", "vem", "kenelle",
        "rekisteriot", "registerutdr", "auszug", "ote",
    ),
    "see": ("see", "se", "få", "receiv", "send", "skick", "lähet", "zusend", "erhalt", "saada", "saan"),
    "correct": (
        "correct", "rectif", "korrig", "korjat", "korjau", "berichtig", "oppdat", "uppdat", "opdat",
        "update", "päivit", "aktualis", "ändr", "endr", "ænd", "rett", "rätt", "ret", "fix",
        "change", "muutt", "änder",
        "byt", "bytt", "skift", "vaihd", "vaihta", "korjaa", "oikais", "ersätt", "erstatt", "replace",
        "amend", "richtigstell", "anpass", "eintrag", "hinterleg", "berigtig", "rättel",
    ),
    "wrong": ("wrong", "feil", "felakt", "fel", "forkert", "väär", "virhe", "falsch", "incorr", "inkorr",
              "outdat", "utdater", "föråld", "forælde", "vanhentu", "veraltet", "mistake", "misspel",
              "stavet", "stavat", "stavet", "gammel", "gamla", "gamle", "alte", "vanha", "old",
              "fejl", "fehler", "unrichtig", "uriktig", "urigtig", "error", "typo", "förväx", "forveksl",
              "verwechs", "sekoit"),
    "contact_detail": (
        "adress", "addres", "osoit", "anschrift", "navn", "namn", "name", "nimi", "nachname",
        "telefon", "phone", "puhelin", "mobil", "handy", "e-post", "epost", "email", "mail",
        "sähköp", "postnum", "postinum", "efternavn", "etternavn", "efternamn", "sukunimi",
    ),
    "restrict": (
        "restrict", "begrens", "begräns", "begræns", "rajoit", "einschränk", "einschraenk", "sperr",
        "pause", "frys", "freez", "jäädy", "suspend", "stans", "blokk", "block", "spärr", "spær",
        "innstill", "aussetz", "midlertid", "tillfäll", "midlerti", "väliaik", "vorübergeh",
        "temporar", "meanwhile", "solange", "inntil", "tills", "indtil", "kunnes", "until", "while",
        "parked", "låse", "einfrier", "einfrie", "friert", "keskeyt", "pausa", "pauser",
    ),
    "object": (
        "object", "protest", "innsig", "invänd", "indsigel", "vastust", "widersp", "motsett", "motsätt",
        "reserv", "opt-out", "optout", "samtykke", "samtycke", "consent", "suostum", "einwillig",
        "kiellä", "kiellän", "kieltä", "unterwerf", "einwände", "einwendung",
        "unterworf", "motsatt", "verbitt",
    ),
    "profiling": ("profil", "kredittvurd", "kreditvärd", "kreditvurd", "luottoluok", "bonität",
                  "bonitaet", "scoring", "score", "kredittsjekk", "kreditupplys", "automat",
                  "poängs", "poangs", "risikow", "riskvärd", "pistey", "kreditværd"),
    "recording": ("opptak", "inspel", "optag", "nauhoit", "aufzeichn", "aufnahm", "record", "tallenn",
                  "spela in", "tas opp", "lydopptak", "mitschn",
                  "aufgezeichn", "mitgeschn", "tallent", "inspeln", "optaget", "optagel"),
    "phone_contact": ("ring", "call", "soit", "anruf", "telefon", "sms", "tekstmeld", "textmedd",
                      "tekstbesk", "viest", "phone", "kontakt", "contact", "yhteyd", "tekstiv", "tekstar",
                      "samtal", "puhel", "opkald", "oppring", "whatsapp", "anzuruf", "phon", "ringes",
                      "textmed", "mejl",
                      "smsa", "smse", "sms'", "smsä", "texts", "texting", "anrief", "angeruf", "ringt"),
    "marketing": ("markedsfør", "marknadsför", "markkinoin", "werbung", "marketing", "reklam",
                  "mainos", "advert", "promot", "tilbud", "erbjud", "tarjou", "angebot", "offer", "kampanj",
                  "werbe"),
    "portable": (
        "portab", "maskinles", "maskinläs", "maskinlæs", "koneluet", "maschinenles", "machine",
        "csv", "json", "xml", "excel", "struktur", "rakentei", "format", "overfør", "överför", "siirt",
        "übertrag", "uebertrag", "transfer", "flytt", "export", "ekspor", "vie", "digital",
        "elektron", "sähköi", "file", "fil", "datei", "tiedost",
    ),
    "newsletter": (
        "nyhetsbrev", "nyhedsbrev", "newsletter", "uutiskir", "utskick", "utsendel", "udsend",
        "invitasjon", "inbjud", "invitation", "kutsu", "einladung", "webinar", "seminar", "mailing",
        "e-postlist", "epostlist", "maillist", "sähköpostilist", "verteiler", "infomail", "nyhetsmail",
        "tiedote", "rundskriv", "kampanjmail", "marketing-mail", "arrangement", "event",
        "nyhedsmail", "rundschreib", "webbinar", "mainospost", "empfängerlist",
        "reklammejl", "reklammail", "reklamemail", "reklamepost", "tilbudsmail", "mainosviest", "mainosmeil",
        "mainoks", "werbemail", "werbe-mail", "werbepost", "promo", "spam", "spämm", "kampanjmejl",
        "markedsføringsmail", "marketingmail", "nyhetsmejl", "kundebrev", "asiakaskirje", "kundnyhet",
    ),
    "unsubscribe": (
        "unsub", "avmeld", "avregist", "afmeld", "avprenum", "abbestell", "abmeld", "abonn", "prenum",
        "tilaus", "tilaa", "subscri", "austrag", "opt", "uitschrijv", "udmeld", "utmeld",
    ),
    # generic "stop / cancel": also said of a collection case, a plan or calls
    "stop": ("stopp", "stop", "sluta", "slutt", "lopet", "aufhör", "aufhoer", "einstell", "avsluta", "peru",
             "slippa", "slippe", "holde op", "hold op", "lakat", "quit", "cease"),

    "debt": (
        "gjeld", "skuld", "gæld", "velka", "schuld", "debt", "faktur", "invoice", "lasku", "rechnung",
        "betal", "pay", "maks", "zahl", "beløp", "belopp", "beløb", "summa", "betrag", "amount",
        "inkasso", "collect", "perint", "purring", "påminn", "rykk", "muistut", "mahnung", "reminder",
        "avbetal", "afdrag", "osamaks", "ratenz", "raten", "instal", "kontonum", "tilinum", "kravet",
        "krav", "claim", "forderung", "saatava", "fordring", "kredit", "credit", "gebühr", "gebyr",
        "avgift", "fee", "kulu", "renter", "ränta", "interest", "korko", "zinsen", "fogd", "kronofog",
        "ulosott", "gericht", "domstol", "oikeus",
    ),
    "thanks": ("takk", "tack", "tak", "kiitos", "danke", "thank", "thanks"),
    "job": ("stilling", "tjänst", "job", "työpaik", "stelle", "bewerb", "søknad", "ansök", "ansøg",
            "hakemus", "cv", "application", "applicat", "lebenslauf", "rekrytt", "recruit"),
    # request verbs and politeness markers: pairs like p_delete+want mark a stated request
    "want": (
        "want", "wish", "please", "request", "ask", "demand", "requir", "insist", "vil", "ønsk",
        "ønsker", "ber", "krev", "vennligst", "gjerne", "vill", "önsk", "begär", "kräv", "vänligen",
        "gärna", "beder", "anmod", "kræv", "venligst", "gerne", "halua", "pyydä", "pyydän", "pyyd",
        "vaadi", "vaatii", "toivo", "möchte", "bitte", "verlang", "ersuch", "wünsch", "bitt",
        "fordere",
    ),
}

# Prefixes shorter than this must match the whole word, so "se", "fil" or "me"
# do not swallow unrelated words.
_EXACT_BELOW = 4
_BY_HEAD: dict[str, list[tuple[str, str]]] = {}
_EXACT: dict[str, list[str]] = {}
for _concept, _prefixes in CONCEPTS.items():
    for _p in _prefixes:
        if " " in _p:
            continue
        if len(_p) < _EXACT_BELOW:
            _EXACT.setdefault(_p, []).append(_concept)
        else:
            _BY_HEAD.setdefault(_p[:3], []).append((_p, _concept))


def concepts_of(word: str) -> list[str]:
    """The concepts a lower-case word belongs to (possibly several)."""
    found = list(_EXACT.get(word, ()))
    for prefix, concept in _BY_HEAD.get(word[:3], ()):
        if word.startswith(prefix) and concept not in found:
            found.append(concept)
    return found
