"""ParsedMessage -> Classification: language, request types, scores, automated.

The model is loaded once per process (:func:`default_classifier`). Everything
here is pure given the model: no I/O, no logging of message content.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

from . import REQUEST_TYPES
from .automated import HUMAN, AutomatedVerdict, detect_automated
from .gates import CAP as GATE_CAP
from .errors import ModelError
from .features import featurize, sentences
from .identifiers import extract_case_numbers, find_national_ids, find_special_categories
from .language import detect_language
from .parse import ParsedMessage
from .resources import shipped
from .scoring import Rules, find_rules, score

MODEL_ENV = "INTAKE_BOT_MODEL"
MODEL_DIRNAME = "intake-textcat"
DEFAULT_REVIEW_MARGIN = 0.15
# The model's "automated" opinion only counts when it is this sure, on this much text:
# the rules in automated.py carry the weight; the model is a second opinion.
STATISTICAL_AUTO_MIN = 0.85
STATISTICAL_AUTO_MIN_WORDS = 15


def default_model_path() -> Path:
    env = os.environ.get(MODEL_ENV)
    if env:
        return Path(env)
    return shipped("models", MODEL_DIRNAME)


@dataclass(frozen=True)
class Evidence:
    label: str
    sentence: str
    score: float


@dataclass(frozen=True)
class Classification:
    language: str
    language_confidence: float
    request_types: tuple[str, ...]
    scores: dict[str, float]
    automated: bool
    automated_reason: str | None
    automated_kind: str | None
    needs_review: bool
    needs_triage: bool
    model_version: str
    rules: tuple[str, ...] = ()
    case_numbers: tuple[str, ...] = ()
    national_id_kinds: tuple[str, ...] = ()
    special_categories: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = field(default=())

    def to_json(self, *, explain: bool = False) -> dict:
        out = {
            "language": self.language,
            "request_types": list(self.request_types),
            "scores": {k: round(v, 4) for k, v in self.scores.items()},
            "automated": self.automated,
            "automated_reason": self.automated_reason,
            "needs_review": self.needs_review,
            "needs_triage": self.needs_triage,
            "model_version": self.model_version,
            "case_numbers": list(self.case_numbers),
            "national_ids": list(self.national_id_kinds),
            "special_categories": list(self.special_categories),
        }
        if explain:
            out["language_confidence"] = round(self.language_confidence, 3)
            out["automated_kind"] = self.automated_kind
            out["rules"] = list(self.rules)
            out["evidence"] = [
                {**asdict(e), "score": round(e.score, 4)} for e in self.evidence
            ]
        return out


class Classifier:
    def __init__(self, nlp, thresholds: dict[str, float], version: str,
                 review_margin: float = DEFAULT_REVIEW_MARGIN):
        self.nlp = nlp
        self.thresholds = {label: float(thresholds.get(label, 0.5)) for label in (*REQUEST_TYPES, "automated")}
        self.version = version
        self.review_margin = review_margin

    @classmethod
    def load(cls, path: Path | None = None, *, review_margin: float = DEFAULT_REVIEW_MARGIN) -> "Classifier":
        path = Path(path) if path else default_model_path()
        if not (path / "meta.json").is_file():
            raise ModelError(
                f"no trained model at {path}: run `intake-bot train` (or set {MODEL_ENV})"
            )
        import spacy

        try:
            nlp = spacy.load(path)
        except Exception as exc:  # spaCy raises many kinds; all mean "unusable model"
            raise ModelError(f"the model at {path} does not load: {exc}") from None
        meta = nlp.meta.get("intake_bot") or json.loads((path / "meta.json").read_text()).get("intake_bot", {})
        return cls(nlp, meta.get("thresholds", {}), meta.get("model_version", "unknown"), review_margin)

    # -- scoring ---------------------------------------------------------------
    def score_texts(self, texts: Sequence[str], langs: Sequence[str]) -> list[dict[str, float]]:
        """Whole-text scores per label (used for per-sentence evidence)."""
        feats = [featurize(t, lang).text for t, lang in zip(texts, langs)]
        return [
            {label: float(doc.cats.get(label, 0.0)) for label in (*REQUEST_TYPES, "automated")}
            for doc in self.nlp.pipe(feats, batch_size=256)
        ]

    def decide(self, scores: dict[str, float]) -> tuple[tuple[str, ...], bool]:
        labels = tuple(label for label in REQUEST_TYPES if scores[label] >= self.thresholds[label])
        near = any(abs(scores[label] - self.thresholds[label]) < self.review_margin for label in REQUEST_TYPES)
        return labels, near

    # -- messages --------------------------------------------------------------
    def classify(self, msg: ParsedMessage, *, explain: bool = False) -> Classification:
        return self.classify_many([msg], explain=explain)[0]

    def classify_many(self, msgs: Iterable[ParsedMessage], *, explain: bool = False) -> list[Classification]:
        msgs = list(msgs)
        texts, items, verdicts, guesses = [], [], [], []
        for msg in msgs:
            body = msg.new_text.strip()
            guess = detect_language(body or msg.body_text[:2000], subject=msg.subject)
            verdicts.append(detect_automated(msg))
            guesses.append(guess)
            texts.append(f"{msg.subject}\n{body}" if msg.subject else body)
            items.append((msg.subject, body, guess.code))
        found = [find_rules(text, guess.code) for text, guess in zip(texts, guesses)]
        feats = [featurize(text, guess.code) for text, guess in zip(texts, guesses)]
        all_scores = score(self.nlp, items, rules=found, whole_features=[f.text for f in feats])
        return [
            self._one(msg, text, lang_guess, verdict, scores, rules, feat.negated, explain)
            for msg, text, lang_guess, verdict, scores, rules, feat
            in zip(msgs, texts, guesses, verdicts, all_scores, found, feats)
        ]

    def _one(self, msg, text, guess, verdict, all_scores, found: Rules, negated, explain) -> Classification:
        auto_score = all_scores.get("automated", 0.0)
        scores = {label: all_scores[label] for label in REQUEST_TYPES}
        labels, near = self.decide(scores)
        if not verdict.automated and not verdict.needs_triage and self._statistical_auto(auto_score, scores, msg):
            verdict = AutomatedVerdict(True, f"machine-written text (model score {auto_score:.2f})",
                                       "auto-reply", False)
        rules: list[str] = []
        review = False
        if verdict.automated and verdict.text_only and labels:
            rules.append(f"person: {verdict.reason} beside a request the model reads; kept for review")
            verdict, review = HUMAN, True
        if verdict.automated:
            rules.append(f"automated: {verdict.reason}")
            labels = ()
        if verdict.needs_triage:
            rules.append(f"triage: {verdict.reason}")
        if found.cue is None and scores["restriction"] == GATE_CAP:  # the gate lowered it (scoring.py)
            rules.append(f"gate: nothing said about using, passing on or pausing -> restriction capped at {GATE_CAP}")
        if found.lookalike and scores["objection"] == GATE_CAP:
            rules.append(f"gate: {found.lookalike!r} only looks like an objection -> objection capped at {GATE_CAP}")
        if found.receipts:
            rules.append(f"receipt: {found.receipts[0]!r} only says it arrived -> access scored without it")
        for label, cite in found.cited.items():
            rules.append(f"citation: {cite!r} -> {label}")
        if found.source:
            rules.append(f"source: {found.source!r} asks where the data came from -> access")
        if found.recipients:
            rules.append(f"recipients: {found.recipients!r} asks who gets the data or how long it is kept -> access")
        if found.contact:
            rules.append(f"contact: {found.contact!r} tells us to stop calling or texting -> objection")
        if found.optout:
            rules.append(f"opt-out: {found.optout!r} asks our marketing mail to stop -> unsubscribe")
        if found.deletion:
            rules.append(f"deletion: {found.deletion!r} asks to delete personal data -> erasure")
        if negated:
            rules.append(f"negation: {len(negated)} word(s) in a negated clause")
        rules.append(f"language: {guess.reason}")
        evidence: tuple[Evidence, ...] = ()
        if explain and labels:
            evidence = self._evidence(text, guess.code, labels)
        return Classification(
            language=guess.code,
            language_confidence=guess.confidence,
            request_types=labels,
            scores=scores,
            automated=verdict.automated,
            automated_reason=verdict.reason if (verdict.automated or verdict.needs_triage) else None,
            automated_kind=verdict.kind,
            needs_review=bool(near and not verdict.automated) or verdict.needs_triage or review,
            needs_triage=verdict.needs_triage,
            model_version=self.version,
            rules=tuple(rules),
            case_numbers=tuple(extract_case_numbers(text)),
            national_id_kinds=tuple(sorted({n.kind for n in find_national_ids(text)})),
            special_categories=tuple(sorted({s.kind for s in find_special_categories(text)})),
            evidence=evidence,
        )

    def _statistical_auto(self, auto_score: float, scores: dict[str, float], msg: ParsedMessage) -> bool:
        """The model's opinion counts only when it is confident and no request is clearly stated.

        A reply in a thread (Re:/SV:/AW:) from a person is the common false positive,
        so the model alone never marks a message that quotes an earlier mail below it
        (a short signature or footer in ``quoted_text`` does not count).
        """
        threshold = max(self.thresholds.get("automated", 0.5), STATISTICAL_AUTO_MIN)
        if auto_score < threshold or len(msg.quoted_text.strip()) > 300:
            return False
        if len(msg.new_text.split()) < STATISTICAL_AUTO_MIN_WORDS:
            return False  # short human replies ("the code is ABCDE-23456") look machine-like to a BOW model
        return max(scores.values()) < auto_score

    def _evidence(self, text: str, lang: str, labels: Sequence[str]) -> tuple[Evidence, ...]:
        sents = sentences(text)
        if not sents:
            return ()
        per = self.score_texts(sents, [lang] * len(sents))
        out = []
        for label in labels:
            best = max(range(len(sents)), key=lambda i: per[i][label])
            out.append(Evidence(label, sents[best], per[best][label]))
        return tuple(out)


@lru_cache(maxsize=4)
def default_classifier(path: str | None = None, review_margin: float = DEFAULT_REVIEW_MARGIN) -> Classifier:
    """The process-wide classifier: loaded once."""
    return Classifier.load(Path(path) if path else None, review_margin=review_margin)
