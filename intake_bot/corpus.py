"""The labelled training corpus: loading and the committed quality checks.

The corpus lives in ``models/corpus/<lang>.jsonl``, one example per line::

    {"id": "nb-0001", "lang": "nb", "subject": "...", "text": "...",
     "labels": ["erasure"], "automated": false}

``text`` is what the classifier sees: the new text of a message, without quoted
replies. ``labels`` is a subset of REQUEST_TYPES; empty means "not a request".
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import LANGUAGES, REQUEST_TYPES
from .errors import UserError

NEAR_DUP_WORDS = 8
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Example:
    id: str
    lang: str
    text: str
    labels: tuple[str, ...]
    subject: str = ""
    automated: bool = False
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def input_text(self) -> str:
        """Subject and text joined the way the classifier sees a message."""
        return f"{self.subject}\n{self.text}" if self.subject else self.text


def load_corpus(directory: Path, pattern: str = "*.jsonl") -> list[Example]:
    examples: list[Example] = []
    files = sorted(Path(directory).glob(pattern))
    if not files:
        raise UserError(f"no {pattern} corpus files in {directory}")
    for path in files:
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path.name}:{lineno}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise UserError(f"{where}: not valid JSON ({exc.msg})") from None
            examples.append(_example(obj, where))
    return examples


def _example(obj: dict, where: str) -> Example:
    for key in ("id", "lang", "text", "labels"):
        if key not in obj:
            raise UserError(f"{where}: missing key {key!r}")
    if obj["lang"] not in LANGUAGES:
        raise UserError(f"{where}: unknown lang {obj['lang']!r}")
    bad = [label for label in obj["labels"] if label not in REQUEST_TYPES]
    if bad:
        raise UserError(f"{where}: unknown labels {bad}")
    known = {"id", "lang", "text", "labels", "subject", "automated"}
    return Example(
        id=str(obj["id"]),
        lang=obj["lang"],
        text=obj["text"],
        labels=tuple(sorted(set(obj["labels"]))),
        subject=obj.get("subject", "") or "",
        automated=bool(obj.get("automated", False)),
        extra={k: v for k, v in obj.items() if k not in known},
    )


def _shingles(text: str, n: int) -> set[tuple[str, ...]]:
    words = [w.lower() for w in _WORD.findall(text)]
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def near_duplicates(examples: list[Example], n: int = NEAR_DUP_WORDS) -> list[tuple[str, str, str]]:
    """Pairs of examples sharing ``n`` or more consecutive words: (id_a, id_b, shared run)."""
    seen: dict[tuple[str, ...], str] = {}
    pairs: list[tuple[str, str, str]] = []
    reported: set[tuple[str, str]] = set()
    for ex in examples:
        for sh in _shingles(ex.text, n):
            other = seen.get(sh)
            if other is None:
                seen[sh] = ex.id
            elif other != ex.id and (other, ex.id) not in reported:
                reported.add((other, ex.id))
                pairs.append((other, ex.id, " ".join(sh)))
    return pairs


def coverage(examples: list[Example]) -> dict[str, dict[str, int]]:
    """Counts per language: each label, the empty set, and automated examples."""
    table: dict[str, dict[str, int]] = {}
    for ex in examples:
        row = table.setdefault(ex.lang, {k: 0 for k in (*REQUEST_TYPES, "none", "automated")})
        for label in ex.labels:
            row[label] += 1
        if not ex.labels:
            row["none"] += 1
        if ex.automated:
            row["automated"] += 1
    return table


def check(directory: Path) -> list[str]:
    """Problems that make the corpus unfit: near-duplicates, duplicate ids, thin coverage."""
    examples = load_corpus(directory)
    problems = []
    ids: set[str] = set()
    for ex in examples:
        if ex.id in ids:
            problems.append(f"duplicate id {ex.id}")
        ids.add(ex.id)
        if ex.automated and ex.labels:
            problems.append(f"{ex.id}: automated examples must have no labels")
    for a, b, run in near_duplicates(examples):
        problems.append(f"near-duplicate {a} ~ {b}: '{run}'")
    cov = coverage(examples)
    for lang in LANGUAGES:
        row = cov.get(lang)
        if row is None:
            problems.append(f"{lang}: no examples")
            continue
        for label in REQUEST_TYPES:
            if row[label] < 10:
                problems.append(f"{lang}: only {row[label]} examples of {label} (need 10)")
    total_none = sum(row["none"] for row in cov.values())
    if total_none < 300:
        problems.append(f"only {total_none} not-a-request examples (need 300)")
    return problems


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    directory = Path(argv[1] if len(argv) > 1 else "models/corpus")
    examples = load_corpus(directory)
    for lang, row in sorted(coverage(examples).items()):
        print(lang, " ".join(f"{k}={v}" for k, v in row.items()))
    problems = check(directory)
    for p in problems:
        print(p)
    print(f"{len(examples)} examples, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
