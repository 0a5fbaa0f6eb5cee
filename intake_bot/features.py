"""Text -> the feature string the bag-of-words classifier sees (pure).

Two rule stages run before the statistical model:

* **Negation scope** (Das & Chen style): after a negation cue, words up to the
  end of the clause are prefixed ``neg_`` so that "do NOT unsubscribe me" and
  "unsubscribe me" give different features. Cues and clause breakers are listed
  for all six languages.
* **Prefix stems**: each longer word also contributes its first five letters
  (``~slett``), a cheap language-neutral stemmer that lets "sletting",
  "slettet" and "slette" share evidence. It matters most for Finnish.

Digits are folded to ``0`` so case numbers and amounts do not become features,
and tokens that mix letters and digits (verification codes, case references,
invoice numbers) become one ``xcode`` token, so a random code cannot tip a label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .lexicon import concepts_of

_CUES = {
    "en": "not no never dont don't doesnt doesn't didnt didn't isnt isn't cannot can't wont won't neither nor",
    "nb": "ikke ikkje aldri ingen inga ingenting verken",
    "sv": "inte icke aldrig ej ingen inget inga varken",
    "da": "ikke aldrig ingen intet hverken",
    "fi": "ei en emme ette eivät älä älkää",
    "de": "nicht kein keine keinen keinem keiner nie niemals weder",
}
NEGATION_CUES: dict[str, frozenset[str]] = {k: frozenset(v.split()) for k, v in _CUES.items()}
# Finnish "et" is left out: in written mail it is far more often colloquial "että"
# ("mä haluun et te poistatte") than the 2nd-person-singular negation.
# Finnish cues double as Scandinavian articles ("en faktura", "et brev", "ei bok"),
# so when the language is unknown only the unambiguous cues count.
_AMBIGUOUS = frozenset({"en", "et", "ei"})
NEGATION_CUES["xx"] = frozenset().union(*NEGATION_CUES.values()) - _AMBIGUOUS
# languages where the finite verb precedes the negation ("jeg sletter ikke")
_VERB_SECOND = frozenset({"nb", "sv", "da", "de"})
# contrastive words end a negation's scope: "not X, but Y"
SCOPE_BREAKERS = frozenset(
    """
    but only just instead rather however
    men bare kun derimot heller
    men bara utan istället däremot
    men kun blot derimod hellere
    mutta vaan vain ainoastaan sen sijaan
    aber sondern nur jedoch stattdessen
    """.split()
)
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|\d+|[.!?;:,()\n]", re.UNICODE)
_PUNCT = frozenset(".!?;:,()\n")
# separable-verb particles that end a German clause ("rufen Sie mich nicht mehr an")
_PARTICLES = frozenset("ab an auf aus ein zu zurück weg fest vor nach mit".split())
# "ABCDE-23452", "DSR-2026-000123", "INV4471": letters and digits in one hyphenated chunk
_MIXED = re.compile(r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[^\W\d_])\w+(?:-\w+)*(?![\w-])", re.UNICODE)
_OBJECT_PRONOUNS = frozenset("meg deg mig dig mej dej oss os dem mich dich uns euch ihn".split())
PREFIX_LEN = 5
MAX_NEG_SCOPE = 6


@dataclass(frozen=True)
class Featurized:
    text: str
    negated: tuple[str, ...]  # words that fell inside a negation scope (for --explain)


_WRAPPED = re.compile(r"(?<=\S)[ \t]*\n(?=[ \t]*[^\s\-*•>])")


def unwrap(text: str) -> str:
    """Join hard-wrapped lines (a single newline inside a paragraph) with a space.

    Mail clients wrap at ~72 columns, so a newline is usually not a sentence end;
    blank lines and list items still separate."""
    return _WRAPPED.sub(" ", text)


# "Re:", "SV:", "AW:", "VS:", "WG:", "Fwd:" ... at the start of a subject say nothing about the request;
# as words they became evidence ("sv" from Swedish replies weighed against erasure)
_REPLY_PREFIXES = re.compile(r"^(?:\s*(?:re|sv|aw|vs|wg|fw|fwd|vb|vl|antw|tr)\s*:)+", re.IGNORECASE)


def featurize(text: str, lang: str = "xx") -> Featurized:
    """``text`` is the subject line and body joined by a newline (or either alone)."""
    cues = NEGATION_CUES.get(lang, NEGATION_CUES["xx"])
    text = _REPLY_PREFIXES.sub("", text, count=1)
    tokens = _TOKEN.findall(_MIXED.sub(" xcode ", unwrap(text)).lower())
    words: list[str] = []
    tags: list[str] = []
    negated: list[str] = []
    scope = 0
    sentence: set[str] = set()
    pairs: set[str] = set()
    prev = ""
    clause: list[str] = []
    clause_negated = False

    def particle_verb() -> None:
        # German separable verbs: "melden Sie mich (nicht) vom Newsletter ab" -> abmelden
        if lang != "de" or len(clause) < 2 or clause[-1] not in _PARTICLES:
            return
        for verb in clause[:4]:
            found = concepts_of(clause[-1] + verb)
            if found:
                mark = "neg_" if clause_negated else ""
                words.append(mark + clause[-1] + verb)
                tags.extend("c_" + mark + c for c in found)
                sentence.update(mark + c for c in found)
                return

    for tok in tokens:
        if tok in _PUNCT:
            particle_verb()
            clause, clause_negated = [], False
            scope = 0
            prev = ""
            if tok in ".!?\n":
                pairs.update(_pairs(sentence))
                sentence = set()
            continue
        if tok.isdigit():
            words.append("0" * min(len(tok), 6))
            continue
        tok = tok.replace("’", "'")
        if tok in cues:
            words.append(tok)
            clause_negated = True
            scope = MAX_NEG_SCOPE
            if lang in _VERB_SECOND and prev:
                # V2 order: "ring inte", "slett ikke", "rufen Sie nicht an": the verb comes first,
                # and an object pronoun may stand between ("afmeld mig ikke", "ring meg ikke")
                before = [prev]
                if prev in _OBJECT_PRONOUNS and len(clause) >= 2:
                    before.append(clause[-2])
                for word in before:
                    words.append("neg_" + word)
                    negs = ["neg_" + c for c in concepts_of(word)]
                    tags.extend("c_" + c for c in negs)
                    sentence.update(negs)
            continue
        if tok in SCOPE_BREAKERS:
            scope = 0
            words.append(tok)
            continue
        prev = tok
        clause.append(tok)
        mark = ""
        if scope:
            scope -= 1
            negated.append(tok)
            mark = "neg_"
        words.append(mark + tok)
        if len(tok) > PREFIX_LEN:
            words.append(mark + "~" + tok[:PREFIX_LEN])
        found = [mark + c for c in concepts_of(tok)]
        tags.extend("c_" + c for c in found)
        sentence.update(found)
    particle_verb()
    pairs.update(_pairs(sentence))
    if not PAIRS:
        pairs = set()
    return Featurized(" ".join(words) + " | " + " ".join(tags) + " | " + " ".join(sorted(pairs)),
                      tuple(negated))


PAIRS = True
# bump when featurize() changes: it is part of the model version
FEATURES_VERSION = "11"


def _pairs(concepts: set[str]) -> list[str]:
    """Concepts that occur in the same sentence, as order-free pair tokens."""
    ordered = sorted(concepts)
    return [f"p_{a}+{b}" for i, a in enumerate(ordered) for b in ordered[i + 1:]]


_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def sentences(text: str) -> list[str]:
    """Split into sentences/lines for per-sentence evidence."""
    return [s.strip() for s in _SENTENCE.split(unwrap(text)) if s and len(s.strip()) > 2]
