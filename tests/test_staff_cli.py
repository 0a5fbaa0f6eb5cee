"""Staff commands on a real database through the CLI: all audited, the requester told."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from click.testing import CliRunner

from intake_bot.cli import main

ROOT = Path(__file__).resolve().parent.parent


def _config(tmp_path: Path, db_url: str, **smtp) -> Path:
    smtp_toml = "\n".join(f'{k} = {json.dumps(v)}' for k, v in smtp.items()) or \
        f'transport = "directory"\ndirectory = "{tmp_path / "out"}"'
    cfg = tmp_path / "bot.toml"
    cfg.write_text(f'[database]\nurl = "{db_url}"\n\n[[mailboxes]]\nname = "info"\naddress = "info@alektumgroup.no"\n'
                   f'type = "maildir"\npath = "{tmp_path / "md"}"\n\n[smtp]\n{smtp_toml}\n\n'
                   '[digest]\nrecipients = ["privacy-team@alektumgroup.com"]\n')
    return cfg


def run(cfg, *args):
    res = CliRunner().invoke(main, ["--config", str(cfg), *args])
    return res


def test_staff_actions_are_audited_and_notify(tmp_path, db_url):
    cfg = _config(tmp_path, db_url)
    assert run(cfg, "db", "upgrade").exit_code == 0
    today = datetime.now(timezone.utc).date()
    res = run(cfg, "cases", "new", "--from", "kari@example.no", "--type", "access", "--received",
              today.isoformat(), "--channel", "post", "--by", "ingrid")
    assert res.exit_code == 0, res.output
    ref = res.output.split()[0]
    assert run(cfg, "cases", "assign", ref, "--to", "ola", "--by", "ingrid").exit_code == 0
    assert run(cfg, "cases", "note", ref, "Called the requester", "--by", "ingrid").exit_code == 0
    res = run(cfg, "cases", "extend", ref, "--reason", "Records spread over four systems", "--by", "ingrid")
    assert res.exit_code == 0, res.output
    res = run(cfg, "cases", "extend", ref, "--reason", "again", "--by", "ingrid")
    assert res.exit_code == 2 and "already extended" in res.output
    res = run(cfg, "cases", "close", ref, "--outcome", "refused", "--note", "Manifestly unfounded: third request "
              "this month", "--by", "ingrid")
    assert res.exit_code == 0, res.output
    res = run(cfg, "cases", "close", ref, "--outcome", "completed", "--note", "x", "--by", "ingrid")
    assert res.exit_code == 2 and "cannot go from refused" in res.output  # illegal transition, clear error
    shown = json.loads(run(cfg, "cases", "show", ref, "--json").output)
    assert shown["status"] == "refused" and shown["extended"] is True
    kinds = [(e["kind"], e["actor"]) for e in shown["events"]]
    assert ("assigned", "staff:ingrid") in kinds and ("note", "staff:ingrid") in kinds
    assert ("extended", "staff:ingrid") in kinds
    assert [o["kind"] for o in shown["outbox"]] == ["extension_notice", "refusal_notice"]
    listed = [json.loads(line) for line in run(cfg, "cases", "list", "--json", "--status", "refused").output.splitlines()]
    assert [c["reference"] for c in listed] == [ref]
    export = run(cfg, "cases", "export", "--format", "csv").output
    assert ref in export and "on_time_rate" in export


def test_extension_after_the_deadline_is_rejected(tmp_path, db_url):
    cfg = _config(tmp_path, db_url)
    run(cfg, "db", "upgrade")
    old = (datetime.now(timezone.utc) - timedelta(days=60)).date().isoformat()
    ref = run(cfg, "cases", "new", "--from", "a@example.no", "--type", "erasure", "--received", old,
              "--by", "ingrid").output.split()[0]
    res = run(cfg, "cases", "extend", ref, "--reason", "too late", "--by", "ingrid")
    assert res.exit_code == 2 and "error:" in res.output


def test_hold_pauses_and_tells_the_requester(tmp_path, db_url):
    cfg = _config(tmp_path, db_url)
    run(cfg, "db", "upgrade")
    ref = run(cfg, "cases", "new", "--from", "a@example.no", "--type", "objection", "--received",
              datetime.now(timezone.utc).date().isoformat(), "--by", "ingrid").output.split()[0]
    assert run(cfg, "cases", "hold", ref, "--reason", "Which phone number do you mean?", "--by", "ingrid").exit_code == 0
    shown = json.loads(run(cfg, "cases", "show", ref, "--json").output)
    assert shown["status"] == "on_hold" and shown["pauses"] and shown["pauses"][0]["end"] is None
    assert shown["outbox"][-1]["kind"] == "hold_notice"
    assert run(cfg, "cases", "resume", ref, "--reason", "answered by phone", "--by", "ingrid").exit_code == 0
    shown = json.loads(run(cfg, "cases", "show", ref, "--json").output)
    assert shown["pauses"][0]["end"] is not None and shown["status"] == "in_progress"
    # the hold notice promised the new date: the resume notice gives it
    assert shown["outbox"][-1]["kind"] == "resume_notice"


def test_check_config_names_the_failure_and_never_prints_secrets(tmp_path, dovecot):
    closed_port = 1  # nothing listens on port 1
    cfg = tmp_path / "bot.toml"
    cfg.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "x.db"}"\n\n[[mailboxes]]\nname = "info"\n'
                   f'address = "info@alektumgroup.no"\nhost = "127.0.0.1"\nport = {dovecot.port}\nsecurity = "none"\n'
                   'username = "nosuchuser"\npassword_env = "T_IMAP_PW"\n\n'
                   f'[smtp]\nhost = "127.0.0.1"\nport = {closed_port}\nsecurity = "none"\n')
    env = {"T_IMAP_PW": "s3cret-Value-42"}
    res = CliRunner(env=env).invoke(main, ["--config", str(cfg), "check-config"])
    assert res.exit_code == 1
    assert "s3cret-Value-42" not in res.output
    assert "FAIL mailbox info" in res.output and "login failed" in res.output
    assert "FAIL smtp" in res.output and "cannot connect" in res.output
    assert "FAIL database" in res.output and "db upgrade" in res.output


def test_run_stops_cleanly_on_sigterm(tmp_path):
    cfg = _config(tmp_path, f"sqlite:///{tmp_path / 'r.db'}")
    env = dict(os.environ, INTAKE_BOT_CONFIG=str(cfg))
    exe = str(Path(sys.executable).parent / "intake-bot")
    subprocess.run([exe, "db", "upgrade"], env=env, check=True, capture_output=True)
    proc = subprocess.Popen([exe, "run", "--interval", "0.5"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    time.sleep(4)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err.decode()[-2000:]
    assert b"stopped cleanly" in err
