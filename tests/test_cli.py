"""The `intake-bot` command line against real servers, with a TOML file and secrets in env vars.

Also the docs check (as sqlite-utils' test_docs): every command and group has
help text with an "Example:".
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from intake_bot.cli import main
from tests.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent / "intake-bot"
IMAP_PW_ENV = "CLI_TEST_IMAP_PASSWORD"


def write_config(tmp_path: Path, db_url: str, dovecot, user: str, smtp_port: int) -> Path:
    path = tmp_path / "intake-bot.toml"
    path.write_text(f"""
[organisation]
name = "Alektum Group"
country = "NO"
timezone = "Europe/Oslo"
reply_from = "dataprotection@alektumgroup.com"
dpo_address = "dataprotection@alektumgroup.com"

[database]
url = "{db_url}"

[[mailboxes]]
name = "dataprotection"
address = "dataprotection@alektumgroup.no"
host = "{dovecot.host}"
port = {dovecot.port}
security = "none"
username = "{user}"
password_env = "{IMAP_PW_ENV}"

[smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "none"

[digest]
recipients = ["privacy-team@alektumgroup.com"]
""")
    return path


def request_mail(sender: str = "kari.nordmann@example.no") -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Kari Nordmann <{sender}>"
    msg["To"] = "dataprotection@alektumgroup.no"
    msg["Subject"] = "Innsyn"
    msg["Date"] = format_datetime(datetime.now(timezone.utc))
    msg["Message-ID"] = make_msgid(domain="example.net")
    msg.set_content("Hei,\n\nJeg ber om innsyn i alle personopplysninger dere har registrert om meg.\n\n"
                    "Med vennlig hilsen\nKari Nordmann\n")
    return msg.as_bytes()


class Cli:
    def __init__(self, config: Path, password: str):
        self.config, self.password = config, password
        self.env = {"INTAKE_BOT_CONFIG": str(config), IMAP_PW_ENV: password}

    def __call__(self, *args: str, code: int | None = 0):
        result = CliRunner().invoke(main, list(args), env=self.env, catch_exceptions=False)
        if code is not None:
            assert result.exit_code == code, f"{args}: exit {result.exit_code}\n{result.output}"
        return result


@pytest.fixture
def cli(tmp_path, db_url, dovecot, imap_user, smtp_sink):
    user, password = imap_user
    c = Cli(write_config(tmp_path, db_url, dovecot, user, smtp_sink.port), password)
    c.dovecot, c.user, c.sink = dovecot, user, smtp_sink
    return c


# --------------------------------------------------------------------------- the loop by hand
def test_db_upgrade_poll_send_and_cases(cli):
    r = cli("db", "upgrade")
    assert "latest schema" in r.output
    cli("db", "upgrade")  # idempotent
    cli.dovecot.append(cli.user, request_mail())
    cli.dovecot.append(cli.user, (ROOT / "samples/18-en-out-of-office-auto-submitted.eml").read_bytes())
    r = cli("poll", "--once")
    assert "dataprotection: 2 fetched" in r.output and "case_opened 1" in r.output
    assert "kari.nordmann" not in r.output  # no personal data in the summary
    r = cli("send", "--once")
    assert r.stdout.strip().startswith("sent 1,")
    assert [m.rcpt_tos for m in cli.sink.messages] == [["kari.nordmann@example.no"]]
    r = cli("poll", "--once")  # after send --once in the same process: the SQLite guard was released
    assert "nothing new" in r.output

    rows = [json.loads(line) for line in cli("cases", "list", "--json").stdout.splitlines()]
    assert len(rows) == 1
    ref = rows[0]["reference"]
    assert re.fullmatch(r"DSR-\d{4}-\d{6}", ref)
    shown = json.loads(cli("cases", "show", ref, "--json").stdout)
    assert shown["reference"] == ref and "access" in shown["types"]
    assert [o["kind"] for o in shown["outbox"]] and shown["outbox"][0]["status"] == "sent"
    assert shown["messages"][0]["disposition"] == "case_opened"

    r = cli("cases", "new", "--from", "ola@example.no", "--type", "access", "--received", "2026-11-20",
            "--by", "tester")
    m = re.match(r"(DSR-\d{4}-\d{6}) due (\d{4}-\d{2}-\d{2})", r.stdout)
    assert m, r.output
    assert m.group(2) >= "2026-12-20"  # one month (and to a working day) after 20 Nov 2026
    refs = [json.loads(line)["reference"] for line in cli("cases", "list", "--json").stdout.splitlines()]
    assert refs == [ref, m.group(1)]
    r = cli("cases", "show", "DSR-1999-000001", "--json", code=None)
    assert r.exit_code != 0 and "Traceback" not in r.output


def test_check_config_passes_and_reports_failures_in_plain_words(cli, tmp_path, db_url, dovecot):
    cli("db", "upgrade")
    r = cli("check-config")
    assert r.output.count("ok  ") >= 4 and "FAIL" not in r.output
    # a wrong IMAP password and a closed SMTP port
    closed = free_port()
    (tmp_path / "bad").mkdir()
    bad = write_config(tmp_path / "bad", db_url, dovecot, cli.user, closed)
    wrong = "wrong-" + cli.password
    r = Cli(bad, wrong)("check-config", code=1)
    out = r.output
    assert "FAIL mailbox dataprotection" in out
    assert re.search(r"FAIL mailbox dataprotection: .*(password|login|authenticat)", out, re.I), out
    assert re.search(rf"FAIL smtp: .*(connect|refused).*{closed}|FAIL smtp: .*{closed}.*(connect|refused)", out,
                     re.I), out
    assert "connection refused" in out.lower()
    assert "mailbox dataprotection: mailbox dataprotection" not in out  # said once
    assert wrong not in out and cli.password not in out
    assert "Traceback" not in out
    # a secret missing from the environment: one line naming the variable, not the value
    r = CliRunner().invoke(main, ["--config", str(bad), "check-config"], env={IMAP_PW_ENV: None})
    assert r.exit_code == 2 and IMAP_PW_ENV in r.output and "Traceback" not in r.output


def test_check_config_names_every_missing_secret_and_creates_no_database(tmp_path):
    cfg = tmp_path / "intake-bot.toml"
    cfg.write_text((ROOT / "examples" / "intake-bot.toml").read_text())
    r = CliRunner().invoke(main, ["--config", str(cfg), "check-config"], env={
        "INFO_IMAP_PASSWORD": None, "DPO_IMAP_PASSWORD": None, "SMTP_PASSWORD": None})
    assert r.exit_code == 2 and "Traceback" not in r.output
    for var in ("INFO_IMAP_PASSWORD", "DPO_IMAP_PASSWORD", "SMTP_PASSWORD"):
        assert r.output.count(var) == 1, r.output
    assert not (tmp_path / "intake-bot.db").exists()


def test_missing_config_is_one_readable_line(tmp_path):
    r = CliRunner().invoke(main, ["--config", str(tmp_path / "nope.toml"), "check-config"], env={})
    assert r.exit_code != 0
    assert "Traceback" not in r.output and "error:" in r.output


@pytest.mark.parametrize("args", [["status"], ["poll", "--once"], ["cases", "list"]])
def test_unreachable_database_is_one_readable_line(tmp_path, args):
    port = free_port()  # nothing listens there
    cfg = tmp_path / "down.toml"
    cfg.write_text(f"""
[organisation]
name = "X"
reply_from = "dataprotection@alektumgroup.com"
[database]
url = "postgresql+psycopg://bot:s3cret-pw@127.0.0.1:{port}/intake"
[[mailboxes]]
name = "info"
type = "maildir"
address = "info@alektumgroup.no"
path = "{tmp_path / 'md'}"
[smtp]
transport = "directory"
directory = "{tmp_path / 'out'}"
""")
    r = subprocess.run([str(BIN), "--config", str(cfg), *args], capture_output=True, text=True, timeout=60)
    assert r.returncode == 1, r.stderr
    err = r.stderr.strip().splitlines()
    assert "Traceback" not in r.stderr and "s3cret-pw" not in r.stderr + r.stdout
    assert err[-1].startswith("error: database unavailable:") and str(port) in err[-1]


# --------------------------------------------------------------------------- docs
def _commands(group: click.Group, prefix=()):
    for name, cmd in group.commands.items():
        if getattr(cmd, "hidden", False):
            continue
        yield prefix + (name,), cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, prefix + (name,))


ALL = sorted(_commands(main))


@pytest.mark.parametrize("path", [(), *[p for p, _ in ALL]], ids=lambda p: " ".join(p) or "intake-bot")
def test_every_command_has_help_with_an_example(path):
    r = CliRunner().invoke(main, [*path, "--help"])
    assert r.exit_code == 0, r.output
    assert "Example:" in r.output, f"`intake-bot {' '.join(path)} --help` has no Example:"


def test_the_docs_check_sees_the_commands():
    names = {" ".join(p) for p, _ in ALL}
    assert {"poll", "send", "run", "demo", "check-config", "db upgrade", "cases list", "cases show",
            "cases new"} <= names


# --------------------------------------------------------------------------- run and SIGTERM
def test_run_stops_cleanly_on_sigterm(cli):
    cli("db", "upgrade")
    cli.dovecot.append(cli.user, request_mail("sigterm@example.no"))
    env = {**os.environ, **cli.env}
    proc = subprocess.Popen([str(BIN), "run", "--interval", "1"], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert len(cli.sink.wait_for(1, timeout=30)) == 1, "the running bot did not acknowledge"
        time.sleep(0.5)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
        took = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err.decode()[-2000:]
    assert took < 5, f"took {took:.1f}s to stop"
    assert b"stopped cleanly" in err
    assert b"Traceback" not in err
    assert b"sigterm@example.no" not in err + out  # no addresses in the logs
