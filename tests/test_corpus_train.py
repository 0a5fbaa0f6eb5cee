"""The committed corpus passes its checks, and training is reproducible (on a tiny config)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from intake_bot.corpus import Example, check, load_corpus, near_duplicates
from intake_bot.train import train, writing_round

ROOT = Path(__file__).resolve().parent.parent


def test_writing_round_comes_from_the_id():
    def ex(id_):
        return Example(id=id_, lang="nb", subject="", text="x", labels=(), automated=False)
    assert [writing_round(ex(i)) for i in ("nb-0121", "nb-2082", "nb-8005", "nb-10003", "nb-12025")] == [
        "*-0", "*-2", "*-8", "*-10", "*-12"]


def test_committed_corpus_has_no_problems():
    assert check(ROOT / "models/corpus") == []


def test_dev_set_is_apart_from_the_corpus():
    """models/dev is other writers' mail the model never trains on: no shared ids, no shared 8-word runs."""
    dev = load_corpus(ROOT / "models/dev")
    corpus = load_corpus(ROOT / "models/corpus")
    assert len(dev) >= 100 and {e.lang for e in dev} == {"nb", "sv", "da", "fi", "en", "de"}
    dev_ids = {e.id for e in dev}
    assert not dev_ids & {e.id for e in corpus}
    crossing = [(a, b) for a, b, _ in near_duplicates(dev + corpus) if (a in dev_ids) != (b in dev_ids)]
    assert crossing == []


def test_near_duplicate_check_catches_a_planted_copy(tmp_path):
    examples = load_corpus(ROOT / "models/corpus")[:50]
    lines = [json.dumps({"id": e.id, "lang": e.lang, "text": e.text, "labels": list(e.labels)}) for e in examples]
    source = next(e for e in examples if len(e.text.split()) >= 12)
    words = source.text.split()
    lines.append(json.dumps({"id": "planted", "lang": "nb", "labels": [],
                             "text": "Innledning her. " + " ".join(words[:8]) + " og noe annet."}))
    (tmp_path / "x.jsonl").write_text("\n".join(lines) + "\n")
    pairs = near_duplicates(load_corpus(tmp_path))
    assert any("planted" in (a, b) for a, b, _ in pairs)


def _tiny_models_dir(tmp_path: Path) -> Path:
    d = tmp_path / "models"
    (d / "corpus").mkdir(parents=True)
    cfg = (ROOT / "models/config.cfg").read_text()
    cfg = re.sub(r"(?m)^epochs = \d+", "epochs = 2", cfg).replace("folds = 5", "folds = 2")
    (d / "config.cfg").write_text(cfg)
    keep = []
    for e in load_corpus(ROOT / "models/corpus"):
        if e.lang in ("nb", "en") and len(keep) < 400:
            keep.append(json.dumps({"id": e.id, "lang": e.lang, "subject": e.subject, "text": e.text,
                                    "labels": list(e.labels), "automated": e.automated}, ensure_ascii=False))
    (d / "corpus" / "tiny.jsonl").write_text("\n".join(keep) + "\n")
    (d / "dev").mkdir()
    shutil.copy(ROOT / "models/dev/en-8.jsonl", d / "dev")
    return d


def test_training_is_reproducible(tmp_path):
    d1 = _tiny_models_dir(tmp_path / "a")
    d2 = tmp_path / "b" / "models"
    shutil.copytree(d1, d2)
    m1 = train(d1, log=lambda s: None)
    m2 = train(d2, log=lambda s: None)
    assert (d1 / "intake-textcat" / "meta.json").is_file()
    assert json.loads((d1 / "metrics.json").read_text())["summary"] == m1["summary"]
    assert m1["summary"] == m2["summary"]
    # the dev set is scored, never trained on
    assert m1["dev_other_writers"]["summary"]["examples"] == len(load_corpus(d1 / "dev"))
    assert m1["dev_other_writers"] == m2["dev_other_writers"]
    # per writing round: the dev round here is *-8, the held-out rounds add up to the split
    assert set(m1["dev_other_writers"]["rounds"]) == {"*-8"}
    assert sum(r["examples"] for r in m1["rounds"].values()) == m1["summary"]["examples"]
    meta1 = json.loads((d1 / "intake-textcat" / "meta.json").read_text())["intake_bot"]
    meta2 = json.loads((d2 / "intake-textcat" / "meta.json").read_text())["intake_bot"]
    assert meta1["thresholds"] == meta2["thresholds"]
    assert meta1["model_version"] == meta2["model_version"]
    # the held-out split never feeds threshold tuning: its ids are recorded and disjoint from training
    assert meta1["trained_on"] + len(meta1["test_ids"]) == 400


def test_e2e_set_is_complete_and_labelled():
    """models/e2e: every .eml has one expected line with valid labels, and every line has its file."""
    from intake_bot import REQUEST_TYPES

    rounds = [p for p in (Path(__file__).resolve().parent.parent / "models" / "e2e").iterdir() if p.is_dir()]
    assert len(rounds) >= 2
    for lang_dir in (d for r in rounds for d in r.iterdir() if d.is_dir()):
        assert lang_dir.name in {"da", "de", "en", "fi", "nb", "sv"}
        rows = [json.loads(line) for line in (lang_dir / "expected.jsonl").read_text(encoding="utf-8").splitlines()
                if line.strip()]
        assert sorted(r["file"] for r in rows) == sorted(p.name for p in lang_dir.glob("*.eml"))
        for r in rows:
            assert set(r["labels"]) <= set(REQUEST_TYPES) and r["labels"] == sorted(r["labels"]), r["file"]
            assert r["new_text"].strip() or r["automated"], r["file"]


def test_committed_model_version_matches_corpus_config_and_rules():
    """A change to the corpus, the config or a rule's words without retraining would leave
    classifications recorded under a version that no longer describes them."""
    from intake_bot.train import corpus_digest

    models = Path(__file__).resolve().parent.parent / "models"
    meta = json.loads((models / "intake-textcat" / "meta.json").read_text(encoding="utf-8"))
    digest = corpus_digest(load_corpus(models / "corpus"), (models / "config.cfg").read_text())
    assert meta["intake_bot"]["model_version"] == f"intake-textcat-{digest}"
