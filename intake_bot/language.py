"""Text -> which of our six languages it is in (pure, apart from one lazy model load).

Two kinds of evidence are combined:

* **lingua** (``lingua-language-detector``) restricted to the seven languages
  we can meet (Bokmål, Nynorsk, Swedish, Danish, Finnish, English, German),
  in *low-accuracy mode* with the models preloaded. Measured on this machine
  (fresh process, see ``tests/test_language.py`` docstring): low mode builds
  in ~0.03 s at ~32 MB peak RSS; high mode needs ~0.65 s and ~265 MB, which
  together with spaCy (~0.9 s, ~95 MB) would put the classify CLI near the
  400 MB ceiling. Whole ``intake-bot classify samples/`` cold start: low mode
  1.4-1.8 s / 151 MB, high mode 2.6 s / 393 MB. The lexical evidence below
  recovers what low mode loses.
* **Marker words**: short function words and spellings that belong to one or
  a few of the languages (``gjerne``/``gerne``, ``meg``/``mig``, ``ikkje``).
  They decide very short texts ("Takk!", "Tak!") and the hard Norwegian vs
  Danish pair, where character n-grams alone are unreliable.

Nynorsk is reported as ``nb``: the bot answers Norwegian in Bokmål.
Nothing is logged, and the ``reason`` only quotes words from the fixed
marker lists, never arbitrary text from the message.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from . import LANGUAGES

DEFAULT_LANGUAGE = "en"
SHORT_TEXT_WORDS = 3  # at most this many words: lingua alone is guesswork
SUBJECT_HELPS_BELOW = 8  # bodies shorter than this borrow the subject's words
MAX_SAMPLE_CHARS = 3000
LEXICAL_WEIGHT = 0.08  # per marker word, added to lingua's confidence
LEXICAL_CAP = 6.0  # at most this many marker words count
MARKER_OVERRIDE_MIN = 3.0  # marker words needed to overrule lingua ...
MARKER_OVERRIDE_RATIO = 3.0  # ... and how many times the markers of lingua's pick
LINGUA_PAIR_WEIGHT = 1.5  # nb vs da: lingua counts like 1.5 marker words
HIGH_ACCURACY = False  # see the module docstring for the measurement

# word -> languages it marks. Words shared by all Scandinavian languages
# (og/på/det/har) are left out: they do not discriminate.
_MARKERS: dict[str, str] = {
    # --- Norwegian (Bokmål and Nynorsk) vs Danish -------------------------
    "nb": """meg deg seg hva nå etter gjerne vennlig vennligst vennleg takk dere deres
        noe noen mye fått vært bli hjelp tilbake uke gjøre gjør spørsmål kjøpt kjøp
        innsyn opplysninger opplysningene personopplysninger personopplysningene
        opplysningar personopplysningar sletting slett saksnummer saksnr sak saken
        hei mer våre vår nyhetsbrev nyhetsbrevet ikkje eg kva korleis kvifor frå
        berre vere ønskjer meir dykk dykkar ho dei eit noko nokon mykje sjølv
        helsing skjønner gjeld gjelden stopp regninga aldri betale nei
        avmeld avmelde avmelding å sa opp mottatt mottok bekreftelse bekrefter bekrefte
        forespørsel saksbehandler foreldet""",
    "da": """mig dig sig hvad nu efter gerne venlig venligst tak jer jeres noget nogen
        meget fået været blive hjælp tilbage uge gøre gør spørgsmål købt køb
        indsigt oplysninger oplysningerne personoplysninger personoplysningerne
        sletning slet sagsnummer sagsnr sag sagen hej mere vores nyhedsbrev
        nyhedsbrevet af bedes anmoder stop aldrig betale nej
        afmeld afmelde afmelding op modtaget modtog bekræftelse bekræfter bekræfte
        forespørgsel sagsbehandler forældet""",
    "sv": """jag inte och är att vänliga vänlig hälsningar hälsning tack från också
        uppgifter personuppgifter mina mig dig sig mej dej hur varför vad radera
        ärende ärendet nyhetsbrev nyhetsbrevet sluta någon något några nu efter
        hej ska av stopp fakturan betala skuld aldrig nej avsluta
        avregistrera prenumeration""",
    "fi": """minä minun olen että ei kiitos terveisin ystävällisin haluan tietoni
        henkilötietoni tietoja tiedot pyydän poistamaan ole moi hei te teidän
        lasku laskun maksu maksanut voitteko kanssa tämä tämän mitä miksi
        kiitti uutiskirje poista peruuta""",
    "en": """the and my you your please thanks thank regards with this that have would
        not is are of from dear hello hi kind best request delete information
        stop be do don't i'm cheers hey newsletter unsubscribe what why""",
    "de": """und ich nicht die der das ist bitte meine mein ihre sie wir auf für zu von
        eine einen danke grüßen freundlichen daten mich mir sehr geehrte geehrter
        damen herren auskunft löschung keine kein habe haben bei dass werden
        ihnen ihr es noch gruß gerne bzw mfg viele grüße vielen dank
        nein löschen abmelden abbestellen""",
}
MARKERS: dict[str, frozenset[str]] = {}
for _lang, _words in _MARKERS.items():
    for _w in _words.split():
        MARKERS[_w] = MARKERS.get(_w, frozenset()) | {_lang}

# Orthography that separates Norwegian from Danish (only used for that pair).
_NB_SHAPES = re.compile(r"(?:^opp.|kj|^gje|igjen|sjon(?:en|er|ene)?$|het(?:en|er|ene)?$)")
_DA_SHAPES = re.compile(r"(?:^op[^p].|tion(?:en|er|erne)?$|hed(?:en|er|erne)?$)")
# Nynorsk-only words: reported in the reason, the code stays nb.
NYNORSK = frozenset("ikkje eg kva korleis kvifor frå berre vere ønskjer meir dykk dykkar ho dei eit noko nokon mykje sjølv helsing vennleg".split())

_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)
_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|sv|vs|aw|wg|fw|fwd|vb|vl|antw)\s*:\s*)+", re.IGNORECASE)


@dataclass(frozen=True)
class LanguageGuess:
    code: str
    confidence: float
    reason: str


# --- the lingua detector: built once per process -----------------------------
_detector = None
_detector_lock = threading.Lock()


def _lingua_map():
    from lingua import Language

    return {
        Language.BOKMAL: "nb",
        Language.NYNORSK: "nb",
        Language.SWEDISH: "sv",
        Language.DANISH: "da",
        Language.FINNISH: "fi",
        Language.ENGLISH: "en",
        Language.GERMAN: "de",
    }


def build_detector(*, high_accuracy: bool = HIGH_ACCURACY):
    """A new lingua detector for our seven languages, models preloaded."""
    from lingua import LanguageDetectorBuilder

    builder = LanguageDetectorBuilder.from_languages(*_lingua_map())
    if not high_accuracy:
        builder = builder.with_low_accuracy_mode()
    return builder.with_preloaded_language_models().build()


def detector():
    """The process-wide detector (lazy; thread-safe)."""
    global _detector
    if _detector is None:
        with _detector_lock:
            if _detector is None:
                _detector = build_detector()
    return _detector


def lingua_scores(text: str, *, model=None) -> tuple[dict[str, float], float]:
    """lingua's confidence per code (Bokmål + Nynorsk summed) and the Nynorsk share."""
    model = model or detector()
    names = _lingua_map()
    scores = {code: 0.0 for code in LANGUAGES}
    nynorsk = 0.0
    for value in model.compute_language_confidence_values(text):
        code = names.get(value.language)
        if code is None:
            continue
        scores[code] += value.value
        if value.language.name == "NYNORSK":
            nynorsk = value.value
    return scores, nynorsk


# --- pure evidence ------------------------------------------------------------
def words_of(text: str) -> list[str]:
    return [w.replace("’", "'") for w in _WORD.findall(text.lower().replace("’", "'"))]


def marker_scores(words: list[str]) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Each marker word adds 1/k to each of the k languages it marks."""
    scores = {code: 0.0 for code in LANGUAGES}
    hits: dict[str, list[str]] = {code: [] for code in LANGUAGES}
    for w in words:
        langs = MARKERS.get(w)
        if not langs:
            continue
        for code in langs:
            scores[code] += 1.0 / len(langs)
            if w not in hits[code]:
                hits[code].append(w)
    return scores, hits


def nb_da_evidence(words: list[str]) -> tuple[int, int, list[str]]:
    """(Norwegian points, Danish points, the marker words that scored)."""
    nb = da = 0
    seen: list[str] = []
    for w in words:
        langs = MARKERS.get(w, frozenset())
        is_nb = "nb" in langs and "da" not in langs
        is_da = "da" in langs and "nb" not in langs
        if not (is_nb or is_da) and len(w) > 3:
            is_nb = bool(_NB_SHAPES.search(w))
            is_da = bool(_DA_SHAPES.search(w))
        if is_nb and not is_da:
            nb += 1
        elif is_da and not is_nb:
            da += 1
        else:
            continue
        if w not in seen and len(seen) < 4:
            seen.append(w)
    return nb, da, seen


def _is_nynorsk(words: list[str], nynorsk: float, norwegian: float) -> bool:
    if any(w in NYNORSK for w in words):
        return True
    return len(words) >= SUBJECT_HELPS_BELOW and nynorsk > 0.6 * norwegian


def _sample(text: str, subject: str) -> str:
    body = (text or "").strip()[:MAX_SAMPLE_CHARS]
    subject = _REPLY_PREFIX.sub("", subject or "").strip()
    if subject and len(words_of(body)) < SUBJECT_HELPS_BELOW:
        return f"{subject}\n{body}".strip()
    return body


def detect_language(text: str, *, subject: str = "", model=None) -> LanguageGuess:
    """Guess the language of a mail body (the subject helps when the body is short).

    ``model`` overrides the process-wide lingua detector (tests, benchmarks).
    """
    sample = _sample(text, subject)
    words = words_of(sample)
    if not words:
        return LanguageGuess(DEFAULT_LANGUAGE, 0.0, f"no words: default {DEFAULT_LANGUAGE}")

    lex, hits = marker_scores(words)
    if len(words) <= SHORT_TEXT_WORDS:
        best = max(LANGUAGES, key=lambda c: lex[c])
        ties = [c for c in LANGUAGES if lex[c] == lex[best]]
        if lex[best] > 0 and len(ties) == 1:
            return LanguageGuess(best, 0.6, f"short text: marker words {', '.join(hits[best][:3])}")
        if lex[best] > 0 and set(ties) == {"nb", "da"}:
            nb, da, seen = nb_da_evidence(words)
            if nb != da:
                code = "nb" if nb > da else "da"
                return LanguageGuess(code, 0.55, f"short text: nb/da markers {', '.join(seen)}")

    ling, nynorsk = lingua_scores(sample, model=model)
    combined = {c: ling[c] + LEXICAL_WEIGHT * min(lex[c], LEXICAL_CAP) for c in LANGUAGES}
    best = max(LANGUAGES, key=lambda c: combined[c])
    reason = f"lingua {best}={ling[best]:.2f}"
    if hits[best]:
        reason += f"; markers {', '.join(hits[best][:3])}"

    by_markers = max(LANGUAGES, key=lambda c: lex[c])
    if (by_markers != best and lex[by_markers] >= MARKER_OVERRIDE_MIN
            and lex[by_markers] >= MARKER_OVERRIDE_RATIO * lex[best]
            and {best, by_markers} != {"nb", "da"}):
        # lingua is sometimes sure and wrong (a Danish street name in an English mail,
        # a short text in low-accuracy mode); many marker words of one language win
        reason = (f"markers {by_markers}={lex[by_markers]:g} vs {best}={lex[best]:g} "
                  f"overrule lingua {best}={ling[best]:.2f}; markers {', '.join(hits[by_markers][:3])}")
        best = by_markers
        ling[best] = max(ling[best], min(0.9, 0.5 + 0.05 * lex[best]))

    if len(words) <= SHORT_TEXT_WORDS and ling[best] < 0.5 and lex[best] == 0:
        return LanguageGuess(DEFAULT_LANGUAGE, 0.1, f"short text, nothing known: default {DEFAULT_LANGUAGE}")

    if best in ("nb", "da"):
        nb, da, seen = nb_da_evidence(words)
        if nb != da:
            # markers count one each; lingua's own nb-da difference counts up to 1.5
            pair = (nb - da) + LINGUA_PAIR_WEIGHT * (ling["nb"] - ling["da"])
            pair_best = "nb" if pair > 0 else "da" if pair < 0 else best
            margin = abs(pair)
            confidence = max(ling[pair_best], min(0.99, 0.5 + 0.1 * margin))
            reason = (f"lingua nb={ling['nb']:.2f} da={ling['da']:.2f}; nb/da markers "
                      f"nb:{nb} da:{da} ({', '.join(seen)})")
            best = pair_best
            if best == "nb" and _is_nynorsk(words, nynorsk, ling["nb"]):
                reason += "; Nynorsk"
            return LanguageGuess(best, round(confidence, 4), reason)
        if best == "nb" and _is_nynorsk(words, nynorsk, ling["nb"]):
            reason += "; Nynorsk"

    return LanguageGuess(best, round(min(1.0, ling[best]), 4), reason)


__all__ = [
    "LanguageGuess",
    "detect_language",
    "detector",
    "build_detector",
    "lingua_scores",
    "marker_scores",
    "nb_da_evidence",
    "DEFAULT_LANGUAGE",
]
