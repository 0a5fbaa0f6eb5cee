"""Rule evidence: the person asks where we got their personal data (pure).

"Where did you get my number?", "Hvem har gitt dere adressen min?", "Varifrån
har ni fått mitt telefonnummer?", "Mistä olette saaneet osoitteeni?", "Woher
haben Sie meine Handynummer?" ask for the source of the data, which Art. 15(1)(g)
makes part of the right of access. The bag-of-words model misses such a
question when it is one sentence in a mail about something else, so a source
question sets a floor under access (``citations.FLOOR``, above every tuned
threshold).

A question about where a *debt*, fee or claim came from ("Woher kommt diese
Gebühr?", "who sold my debt to you?") is not one: the question's sentence must
name personal data (an address, a number, "my details"), or, if it names no
debt, the sentence before it must, or it must point back with a pronoun ("I
changed my number in June. Who gave it to you?"). "No idea where you got it"
and "I don't care where you got it" do not ask.
"""

from __future__ import annotations

import re

from .features import sentences, unwrap
from .lexicon import concepts_of

# asks outright how, where or from whom we got it
_QUESTION = re.compile(
    r"""
    \bwhere\s+(?:did|do|have|had)\s+you\s+(?:\w+\s+)?(?:get|got|find|found|obtain|buy|bought|source)
    | \bwho\s+(?:\w+\s+)?(?:gave|given|sold|passed|provided|shared|supplied|disclosed)\b | \bwho\s+(?:told|tipped)\s+(?:you|u)\b
    | \bhow\s+do\s+you\s+have\b | \b(?:was|var|war)\s+(?:it|det|es)\b.{0,50}\b(?:gave|given|passed|sold|ga|gav|gitt|givet|gett|gegeben|verkauft)\b
    | \bhow\s+(?:did|do|have|could)\s+(?:you|u)\s+(?:\w+\s+)?(?:get|got|obtain|find|found|come\s+by|know|learn|trace)
    | \bhow\s+did\s+.{0,40}\bend\s+up | \bwhere\s+.{0,50}\bfrom\s*\? | \bwhere\s+.{0,60}\bcame\s+from
    | \bhvor\s+(?:har|fikk|fik|fekk|kommer)\b.{0,60}\bfra\b | \bhvor\s*fra\b | \b(?:kvar|kor)\s+har\b.{0,60}\bfrå\b
    | \bhvordan\s+(?:har\s+|kan\s+)?(?:dere|de|dykk|i|du)\s+(?:\w+\s+)?(?:fikk|fått|fekk|funnet|fant|fann|visste|vet|fik|fået|fundet|fandt)
    | \bhvordan\s+(?:fikk|fekk|fik|har|kan|vet|ved)\s+(?:dere|de|dykk|i)\b
    | \bhvem\s+(?:\w+\s+){0,2}(?:gitt|givet|giver|ga|gav|gjeve|solgt|oppgitt|opgivet|oplyst|opplyst|levert|videregitt|videregivet|fortalt|fortalte|tipset|tippet)
    | \bhvem\s+har\s+(?:dere|dykk|i|de|du)\s+.{0,40}\bfr[aå]\b | \bkven\s+har\b.{0,40}\b(?:gitt|gjeve|frå)\b
    | \bvarifrån\b | \bvar\s+(?:har|kommer|fick|ni)\b.{0,60}\b(?:ifrån|från)\b | \bfrån\s+vem\b
    | \bvem\s+(?:\w+\s+){0,2}(?:gett|gav|gitt|lämnat|lämnade|sålt|berättat|berättade|tipsat|tipsade|uppgett)
    | \bhur\s+(?:fick|har|kom|vet|visste|kan|hittade)\s+ni\b | \bhur\s+ni\s+(?:\w+\s+)?(?:fick|fått|hittade|hittat|vet)\b | \bhur\s+(?:kommer\s+det\s+sig\s+att)\s+ni\b
    | \bmist[äa]\s+(?:olette|ootte|te|saitte|saatte|tiedätte|tiesitte|minun|mun|tietoni|tiedot|numeroni|osoitteeni|rekisteristä)\b
    | \bkeneltä\b | \bmiten\s+(?:olette|te|saitte|ootte|saatte)\b | \b(?:antoiko|luovuttiko|myikö|kertoiko)\b
    | \bkuka\b.{0,25}\b(?:antoi|antanut|luovutt\w*|myi|myynyt|kertoi|kertonut|välitt\w*)
    | \bwoher\b | \bvon\s+wem\b | \bwer\s+(?:hat\s+)?(?:ihnen|euch|dir)\b
    | \bwie\s+(?:haben\s+sie|habt(?:'s)?\s+ihr)\b.{0,40}\b(?:gefunden|g'funden|gekriegt|bekommen|erfahren|herausgefunden)
    | \bwer\s+hat\b.{0,40}\b(?:gegeben|gesagt|mitgeteilt|verraten|weitergegeben|verkauft)
    | \bwie\s+(?:sind|seid)\s+(?:sie|ihr)\s+an\b | \bwie\s+kommen\s+(?:sie|ihr)\s+(?:an|zu)\b
    """,
    re.I | re.X,
)
# names a source ("which company passed on", "the source of my data"): counts only in a sentence that
# names the data itself and asks (a question mark, or "I want to know", "tell me", "ber om" ...)
_SOURCE_WORDS = re.compile(
    r"""
    \bwhich\s+(?:company|firm|organi[sz]ation|business|party|register|third\s+party)\b | \b(?:source|origin|provenance)\b
    | \bhvilke[tn]?\s+(?:selskap|selskab|firma|foretak|virksomhet|virksomhed|kilde|register|instans)\b | \bkilden?\b
    | \bvilke[tn]?\s+(?:företag|bolag|källa|register|firma)\b | \bkällan?\b | \bursprung\w*
    | \bmik[äa]\s+(?:yritys|taho|rekisteri|lähde|firma)\b | \blähtee(?:stä|n|t|seen)?\b | \blähde\b | \bperäisin\b
    | \balkuperä\w* | \bwelche[rsm]?\s+(?:unternehmen|firma|stelle|quelle|auskunftei|register)\b | \bquelle\b | \bherkunft\b
    """,
    re.I | re.X,
)
_ASKS = re.compile(
    r"\?|\b(?:know|tell|inform|request|wissen|mitteil|auskunft|erfahren|vite|veta|vide|få\s+(?:vite|veta|oplyst|opplyst)|"
    r"opplys|oplys|upplys|tietää|kerto|kerro|ilmoit|pyydä|ber\s+om|begär|beder\s+om|verlange|bitte)",
    re.I,
)
_NOT_ASKING = re.compile(
    r"no\s+idea|don'?t\s+care|keine\s+ahnung|egal|aner\s+ikk|ingen\s+aning|ingen\s+anelse|"
    r"spiller\s+ingen\s+rolle|ligegyldig|ligeglad|ei\s+aavistusta|ihan\s+sama|sama\s+se|skiter|driter|"
    r"bryr\s+(?:mig|meg)\s+(?:inte|ikke)|bryr\s+(?:jeg|jag|eg)\s+(?:meg|mig)\s+(?:inte|ikke|ikkje)|"
    r"samma\s+för\s+mig|wurscht|whatever|never\s+mind|"
    # "you needn't explain how you found me"
    r"(?:trenger|treng|behöver|behøver)\s+(?:ikke|ikkje|inte)\s+(?:å\s+|at\s+)?(?:forklare|förklara)|"
    r"no\s+need\s+to\s+(?:explain|tell)|don'?t\s+(?:need|have)\s+to\s+(?:explain|tell)|"
    r"nicht\s+(?:zu\s+)?erklären|ei\s+tarvitse\s+selittää|"
    # a complaint to the authority about how we got it is not a question to us
    r"klage|klaget|klagat|complain|beschwer|valit",
    re.I,
)
# a pronoun pointing back at data named in the sentence before ("Who gave it to you?")
_POINTERS = frozenset(
    "it them den det dem die diese das sie meg mig mej me mich sen niitä sitä minut minusta mut mua es".split())
_ME = frozenset("me meg mig mej mich minut mut".split())
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# besides the lexicon's contact details and data words: numbers, e-mail, employer and workplace
_DATA_PARTS = ("numm", "numb", "numer", "mejl", "mail", "adress", "addres", "osoit", "anschrift", "arbeitg", "employer", "arbeidsg", "arbetsg", "arbejdsg",
               "työnanta", "työpaik", "arbeitsplatz", "workplace", "arbetsplats", "arbejdsplads", "arbeidsplass")
_DATA_WORDS = frozenset("work arbeite jobb töissä detaljer details".split())


def _names_data(words: list[str]) -> bool:
    return any(w in _DATA_WORDS or any(p in w for p in _DATA_PARTS)
               or {"contact_detail", "pdata"} & set(concepts_of(w)) for w in words)


def signature() -> list:
    """What the rule decides by, for the model version (``train.corpus_digest``)."""
    return [_QUESTION.pattern, _SOURCE_WORDS.pattern, _ASKS.pattern, _NOT_ASKING.pattern,
            sorted(_POINTERS), sorted(_ME), _DATA_PARTS, sorted(_DATA_WORDS)]


def source_question(text: str) -> str | None:
    """The words that ask where our data about the writer came from, or None."""
    flat = unwrap(text)  # what sentences() splits, so a sentence's match is a match here too
    if not (_QUESTION.search(flat) or _SOURCE_WORDS.search(flat)):
        return None  # most mail: one pass over the whole text instead of one per sentence
    sents = sentences(text)
    for i, sent in enumerate(sents):
        if _NOT_ASKING.search(sent):
            continue
        words = _WORD.findall(sent.lower())
        named = _SOURCE_WORDS.search(sent)
        if named and _ASKS.search(sent) and (_names_data(words) or _ME.intersection(words)):
            return named.group(0)
        match = _QUESTION.search(sent)
        if not match:
            continue
        if _names_data(words):
            return match.group(0)
        about_debt = any("debt" in concepts_of(w) for w in words)
        before = _WORD.findall(sents[i - 1].lower()) if i else []
        if not about_debt and (_names_data(before) or _POINTERS.intersection(words)):
            return match.group(0)
    return None
