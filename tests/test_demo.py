"""`intake-bot demo`: the whole bot on the samples, with no config and no servers."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import create_engine
from sqlmodel import Session, select

from intake_bot.cli import main
from intake_bot.models import Case, InboundMessage

ROOT = Path(__file__).resolve().parent.parent


def _run(workdir: Path):
    # no INTAKE_BOT_CONFIG and a cwd with no config file: the demo needs neither
    r = CliRunner().invoke(main, ["demo", "--dir", str(workdir)], env={"INTAKE_BOT_CONFIG": ""},
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return r


def test_demo_opens_cases_writes_replies_skips_out_of_office_and_runs_twice(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    work = tmp_path / "demo"
    first = _run(work)
    out = first.stdout
    assert re.search(r"cases opened: [1-9]\d*", out), out
    sent = sorted((work / "sent").glob("*.eml"))
    assert sent, "no replies written"
    for path in sent:
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert re.match(r"\[DSR-\d{4}-\d{6}\]", msg["Subject"]) or msg["To"].endswith("@alektumgroup.com")
        assert msg["Auto-Submitted"]

    engine = create_engine(f"sqlite:///{work / 'intake-bot.db'}")
    with Session(engine) as s:
        rows = s.exec(select(InboundMessage)).all()
        cases = s.exec(select(Case)).all()
    engine.dispose()
    assert len(rows) == len(list((ROOT / "samples").glob("*.eml")))
    by_subject_file = {r.message_id: r for r in rows}
    ooo_ids = {email.message_from_bytes((ROOT / "samples" / f).read_bytes())["Message-ID"].strip().strip("<>")
               for f in ("18-en-out-of-office-auto-submitted.eml", "19-nb-out-of-office-no-header.eml")}
    ooo = [r for r in rows if (r.message_id or "").strip("<>") in ooo_ids]
    assert len(ooo) == 2 and {r.disposition for r in ooo} == {"automated"}, [r.disposition for r in ooo]
    assert all(r.case_id is None for r in ooo)
    ooo_senders = {r.from_addr for r in ooo}
    acks_to = {email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["To"].addresses[0].addr_spec
               for p in sent}
    assert not ooo_senders & acks_to, "an out-of-office mail got a reply"
    assert len(cases) >= 5 and len(by_subject_file) == len(rows)
    assert (work / "demo.toml").exists()

    # twice: starts over in the same directory, same result
    second = _run(work)
    assert re.search(r"cases opened: (\d+)", second.stdout).group(1) == str(len(cases))
    assert len(list((work / "sent").glob("*.eml"))) == len(sent)


def test_demo_config_it_writes_works_with_cases_list(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    work = tmp_path / "d"
    _run(work)
    r = CliRunner().invoke(main, ["--config", str(work / "demo.toml"), "cases", "list", "--json"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert len([line for line in r.stdout.splitlines() if line.startswith("{")]) >= 5


def test_demo_refuses_a_directory_it_did_not_make(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    precious = tmp_path / "home" / "thesis.txt"
    precious.parent.mkdir()
    precious.write_text("years of work")
    r = CliRunner().invoke(main, ["demo", "--dir", str(precious.parent)], env={"INTAKE_BOT_CONFIG": ""})
    assert r.exit_code == 2 and "not empty" in r.output
    assert precious.read_text() == "years of work"
