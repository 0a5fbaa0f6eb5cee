"""The shipped model on golden messages, and the `classify` command's contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from intake_bot import REQUEST_TYPES
from intake_bot.classify import default_classifier
from intake_bot.cli import main
from intake_bot.parse import parse_message

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = {k: v for k, v in json.loads((ROOT / "tests/classify_data/expected.json").read_text()).items()
            if not k.startswith("_")}
OVERALL_FLOOR = 0.85  # share of all golden messages whose whole expectation must hold


def _check(path: str, want: dict) -> list[str]:
    result = default_classifier().classify(parse_message((ROOT / path).read_bytes()))
    problems = []
    if sorted(result.request_types) != sorted(want["request_types"]):
        problems.append(f"types {list(result.request_types)} != {want['request_types']}")
    if result.automated != want["automated"]:
        problems.append(f"automated {result.automated} ({result.automated_reason})")
    if "language" in want and result.language != want["language"]:
        problems.append(f"language {result.language} != {want['language']}")
    return problems


@pytest.mark.parametrize("path", sorted(k for k, v in EXPECTED.items() if v.get("critical")))
def test_critical_golden_messages(path):
    assert _check(path, EXPECTED[path]) == []


def test_overall_golden_accuracy():
    failures = {p: _check(p, w) for p, w in EXPECTED.items()}
    wrong = {p: f for p, f in failures.items() if f}
    assert 1 - len(wrong) / len(EXPECTED) >= OVERALL_FLOOR, wrong


def test_negated_unsubscribe_is_rectification_only():
    raw = ("From: Kari <kari@example.no>\nTo: info@alektumgroup.no\nSubject: Adresse\n\n"
           "Hei! Ikke meld meg av nyhetsbrevet, det er fint. Men adressen min er feil, "
           "jeg har flyttet til Storgata 5, 0155 Oslo. Kan dere rette den?\n\nMvh Kari\n").encode()
    result = default_classifier().classify(parse_message(raw))
    assert "unsubscribe" not in result.request_types
    assert "rectification" in result.request_types


def test_a_person_on_leave_with_a_request_is_not_an_out_of_office_reply():
    raw = ("From: Ingrid <ingrid@example.no>\nTo: info@alektumgroup.no\nSubject: Hei\n\n"
           "Hei, jeg er i foreldrepermisjon og samler gjelda i ett lån i banken min. Send "
           "betalingshistorikken min som en CSV-fil rett til banken.\n\nMvh Ingrid\n").encode()
    result = default_classifier().classify(parse_message(raw))
    assert not result.automated and result.needs_review
    assert "portability" in result.request_types
    assert any(r.startswith("person: out-of-office text") for r in result.rules)


def test_an_out_of_office_phrase_without_a_request_stays_automated():
    raw = ("From: Ingrid <ingrid@example.no>\nTo: info@alektumgroup.no\nSubject: Hei\n\n"
           "Jeg er i foreldrepermisjon til 1. mars. Hilsen Ingrid\n").encode()
    result = default_classifier().classify(parse_message(raw))
    assert result.automated and result.request_types == ()


NEGATED_UNSUBSCRIBE = {
    "nb": "Ikke meld meg av nyhetsbrevet. Men adressen min er feil, den riktige er Storgata 5, 0155 Oslo.",
    "sv": "Avregistrera mig inte från nyhetsbrevet. Men min adress är fel, rätt adress är Storgatan 5, Umeå.",
    "da": "Afmeld mig ikke nyhedsbrevet. Men min adresse er forkert, den rigtige er Østergade 5, Aarhus.",
    "fi": "Älkää poistako minua uutiskirjeen tilaajista. Mutta osoitteeni on väärin, oikea on Kauppakatu 5, Oulu.",
    "en": "Please do not unsubscribe me from the newsletter. But my address is wrong, it is now 5 High Street, Leeds.",
    # a German separable verb: the negation sits between "melden" and "ab"
    "de": "Bitte melden Sie mich NICHT vom Newsletter ab, korrigieren Sie nur meine Adresse: Hauptstr. 5, Köln.",
}


@pytest.mark.parametrize("lang", sorted(NEGATED_UNSUBSCRIBE))
def test_negated_unsubscribe_in_every_language(lang):
    raw = (f"From: A <a@example.com>\nTo: info@alektumgroup.no\nSubject: Adresse\n\n"
           f"{NEGATED_UNSUBSCRIBE[lang]}\n").encode()
    result = default_classifier().classify(parse_message(raw))
    assert result.language == lang
    assert "unsubscribe" not in result.request_types and "rectification" in result.request_types, result.scores


def test_quoted_request_does_not_count():
    raw = ("From: Per <per@example.no>\nTo: info@alektumgroup.no\nSubject: Re: Sletting\n\n"
           "Takk for svaret, da betaler jeg fakturaen i morgen.\n\n"
           "Den 3. mars 2026 kl. 10:02 skrev Alektum <info@alektumgroup.no>:\n"
           "> Du ba oss slette alle personopplysningene dine.\n> Vi har mottatt kravet ditt.\n").encode()
    result = default_classifier().classify(parse_message(raw))
    assert result.request_types == ()


def test_model_version_is_recorded():
    result = default_classifier().classify(parse_message((ROOT / "samples/01-nb-access.eml").read_bytes()))
    assert result.model_version.startswith("intake-textcat-")
    assert set(result.scores) == set(REQUEST_TYPES)


def test_cli_json_lines_directory_and_error(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ("01-nb-access.eml", "18-en-out-of-office-auto-submitted.eml"):
        (tmp_path / "sub" / name).write_bytes((ROOT / "samples" / name).read_bytes())
    missing = tmp_path / "nope.eml"
    res = CliRunner().invoke(main, ["classify", str(tmp_path), str(missing)])
    lines = [json.loads(line) for line in res.stdout.splitlines()]
    assert res.exit_code == 1  # one unreadable input: the others are still processed
    by_name = {Path(d["path"]).name: d for d in lines}
    access = by_name["01-nb-access.eml"]
    for key in ("path", "message_id", "language", "request_types", "scores", "automated", "automated_reason",
                "needs_review"):
        assert key in access
    assert access["request_types"] == ["access"]
    ooo = by_name["18-en-out-of-office-auto-submitted.eml"]
    assert ooo["automated"] is True and ooo["request_types"] == [] and ooo["automated_reason"]
    assert "error" in by_name["nope.eml"]


def test_cli_stdin_and_explain():
    raw = (ROOT / "samples/09-en-negation-access-not-erasure.eml").read_bytes()
    res = CliRunner().invoke(main, ["classify", "--explain", "-"], input=raw)
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout.splitlines()[0])
    assert out["path"] == "-"
    assert out["request_types"] == ["access"]
    assert any(e["label"] == "access" for e in out["evidence"])
    assert any(r.startswith("negation") for r in out["rules"])
