"""Settings: the contract TOML loads, defaults apply, and every mistake is one clear message."""

from __future__ import annotations

import os
from datetime import time as dtime
from pathlib import Path

import pytest

from intake_bot.config import (
    DeadlineConfig,
    DigestConfig,
    PipelineConfig,
    SecurityConfig,
    VerificationConfig,
    load_settings,
    settings_from_dict,
)
from intake_bot.errors import ConfigError, IntakeBotError

MAILBOX_SECRET = "imap-Sup3r-s3cret-value"
SMTP_SECRET = "smtp-An0ther-s3cret-value"
ENV = {"INTAKE_DPO_PASSWORD": MAILBOX_SECRET, "INTAKE_SMTP_PASSWORD": SMTP_SECRET}

CONTRACT_TOML = """\
[organisation]
name = "Alektum Group"
country = "NO"
timezone = "Europe/Oslo"
reply_from = "dataprotection@alektumgroup.com"
dpo_address = "dataprotection@alektumgroup.com"
subdivision = ""

[database]
url = "sqlite:///data/intake-bot.db"

[[mailboxes]]
name = "dpo"
address = "dataprotection@alektumgroup.com"
host = "imap.example.net"
port = 993
security = "tls"
username = "dataprotection@alektumgroup.com"
password_env = "INTAKE_DPO_PASSWORD"
folder = "INBOX"
processed_folder = "Processed"
quarantine_folder = "Quarantine"

[smtp]
host = "smtp.example.net"
port = 587
security = "starttls"
username = "dataprotection@alektumgroup.com"
password_env = "INTAKE_SMTP_PASSWORD"

[digest]
recipients = ["privacy-team@alektumgroup.com", "dpo@alektumgroup.com"]
time = "07:30"

[deadlines]
stop_clock = "suspend"

[verification]
code_ttl_days = 14

[security]
trusted_authserv_id = "mx.alektumgroup.com"
require_authentication = true
"""


def minimal(**overrides) -> dict:
    """The smallest valid settings dict; sections in ``overrides`` replace or add."""
    data = {
        "database": {"url": "sqlite:///bot.db"},
        "mailboxes": [{"name": "dpo", "address": "dataprotection@alektumgroup.com",
                       "host": "imap.example.net", "password_env": "INTAKE_DPO_PASSWORD"}],
        "smtp": {"host": "smtp.example.net", "password_env": "INTAKE_SMTP_PASSWORD"},
    }
    data.update(overrides)
    return data


def load_error(data: dict, env=ENV, base_dir: Path | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        settings_from_dict(data, env=env, base_dir=base_dir)
    message = str(info.value)
    assert "\n" not in message, "one clear line per error"
    assert MAILBOX_SECRET not in message and SMTP_SECRET not in message
    return message


def write_contract(tmp_path: Path) -> Path:
    path = tmp_path / "intake-bot.toml"
    path.write_text(CONTRACT_TOML, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- the contract file
def test_contract_toml_loads(tmp_path):
    path = write_contract(tmp_path)
    s = load_settings(path, env=ENV)

    assert s.source == str(path)
    org = s.organisation
    assert (org.name, org.country, org.timezone) == ("Alektum Group", "NO", "Europe/Oslo")
    assert org.reply_from == org.dpo_address == "dataprotection@alektumgroup.com"
    assert org.subdivision is None  # "" means none

    (box,) = s.mailboxes
    assert (box.name, box.type, box.host, box.port, box.security) == (
        "dpo", "imap", "imap.example.net", 993, "tls")
    assert box.username == "dataprotection@alektumgroup.com"
    assert box.password.get() == MAILBOX_SECRET
    assert (box.folder, box.processed_folder, box.quarantine_folder) == ("INBOX", "Processed", "Quarantine")

    assert (s.smtp.transport, s.smtp.host, s.smtp.port, s.smtp.security) == (
        "smtp", "smtp.example.net", 587, "starttls")
    assert s.smtp.password.get() == SMTP_SECRET
    assert s.digest.recipients == ("privacy-team@alektumgroup.com", "dpo@alektumgroup.com")
    assert s.digest.time == dtime(7, 30)
    assert s.deadlines.stop_clock == "suspend"
    assert s.verification.code_ttl_days == 14
    assert s.security.trusted_authserv_id == "mx.alektumgroup.com"
    assert s.security.require_authentication is True


def test_relative_sqlite_path_is_resolved_against_the_config_folder(tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the working directory must not matter
    conf_dir = tmp_path / "conf"
    conf_dir.mkdir()
    s = load_settings(write_contract(conf_dir), env=ENV)
    assert s.database.url == f"sqlite:///{(conf_dir / 'data' / 'intake-bot.db').resolve()}"
    assert s.database.is_sqlite


def test_absolute_sqlite_and_postgres_urls_are_kept(tmp_path):
    absolute = f"sqlite:///{tmp_path / 'abs.db'}"
    assert settings_from_dict(minimal(database={"url": absolute}), env=ENV).database.url == absolute
    pg = "postgresql+psycopg://bot@db.internal/intake"
    assert settings_from_dict(minimal(database={"url": pg}), env=ENV).database.url == pg
    msg = load_error(minimal(database={"url": "mysql://x/y"}))
    assert "[database]" in msg and "url" in msg


def test_database_password_from_env_goes_into_the_url_but_never_prints():
    pg = "postgresql+psycopg://bot@db.internal:5432/intake"
    s = settings_from_dict(minimal(database={"url": pg, "password_env": "DB_PW"}), env={**ENV, "DB_PW": "p@ss/w0rd"})
    assert s.database.url == "postgresql+psycopg://bot:p%40ss%2Fw0rd@db.internal:5432/intake"
    assert "w0rd" not in repr(s) and "w0rd" not in repr(s.database)
    assert "DB_PW" in load_error(minimal(database={"url": pg, "password_env": "DB_PW"}))
    assert "SQLite" in load_error(minimal(database={"url": "sqlite:////tmp/x.db", "password_env": "INTAKE_DPO_PASSWORD"}))
    assert "password_env" in load_error(minimal(database={"url": pg, "password": "x"}))


def test_secrets_never_in_repr(tmp_path):
    s = load_settings(write_contract(tmp_path), env=ENV)
    for text in (repr(s), str(s), repr(s.mailboxes[0]), repr(s.smtp)):
        assert MAILBOX_SECRET not in text
        assert SMTP_SECRET not in text
    assert "Secret('***')" in repr(s.smtp)


# --------------------------------------------------------------------------- defaults
def test_defaults_for_omitted_sections():
    s = settings_from_dict(minimal(), env=ENV)
    assert s.organisation.country == "NO" and s.organisation.timezone == "Europe/Oslo"
    # no [organisation]: we answer from, and the DPO is, the first mailbox we read
    assert s.organisation.reply_from == s.organisation.dpo_address == s.mailboxes[0].address
    assert s.digest == DigestConfig()
    assert s.deadlines == DeadlineConfig()
    assert s.verification == VerificationConfig()
    assert s.security == SecurityConfig()
    assert s.pipeline == PipelineConfig()
    box = s.mailboxes[0]
    assert (box.security, box.port, box.folder, box.username) == (
        "tls", 993, "INBOX", "dataprotection@alektumgroup.com")
    assert (s.smtp.security, s.smtp.port, s.smtp.username) == ("starttls", 587, None)


def test_default_ports_follow_the_security_mode():
    s = settings_from_dict(minimal(
        mailboxes=[{"name": "a", "address": "a@example.org", "host": "imap.example.net",
                    "security": "starttls", "password_env": "INTAKE_DPO_PASSWORD"}],
        smtp={"host": "smtp.example.net", "security": "tls"}), env=ENV)
    assert s.mailboxes[0].port == 143
    assert s.smtp.port == 465


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize("section", ["smtp", "database"])
def test_missing_required_section(section):
    data = minimal()
    del data[section]
    assert load_error(data) == f"missing required section [{section}]"


def test_missing_mailboxes():
    data = minimal()
    del data["mailboxes"]
    assert "[[mailboxes]]" in load_error(data)
    assert "at least one" in load_error(minimal(mailboxes=[]))


def test_unknown_section_and_unknown_key():
    assert "unknown section(s): smpt" in load_error(minimal(smpt={}))
    msg = load_error(minimal(digest={"recipients": [], "tiem": "07:30"}))
    assert msg == "[digest]: unknown key(s): tiem"
    box = dict(minimal()["mailboxes"][0], pasword=MAILBOX_SECRET)  # a typo must not leak the value
    msg = load_error(minimal(mailboxes=[box]))
    assert "mailbox 'dpo'" in msg and "pasword" in msg


def test_wrong_type_names_section_and_key():
    msg = load_error(minimal(verification={"code_ttl_days": "14"}))
    assert msg.startswith("[verification]: code_ttl_days must be a int")


def test_bad_security_mode():
    box = dict(minimal()["mailboxes"][0], security="ssl")
    msg = load_error(minimal(mailboxes=[box]))
    assert "mailbox 'dpo'" in msg and "security must be one of tls, starttls, none" in msg
    msg = load_error(minimal(smtp={"host": "smtp.example.net", "security": "plain"}))
    assert msg.startswith("[smtp]: security must be one of")


def test_security_none_only_on_loopback():
    box = dict(minimal()["mailboxes"][0], security="none")
    msg = load_error(minimal(mailboxes=[box]))
    assert "mailbox 'dpo'" in msg and 'security = "none"' in msg and "imap.example.net" in msg
    msg = load_error(minimal(smtp={"host": "smtp.example.net", "security": "none"}))
    assert msg.startswith("[smtp]") and "loopback" in msg
    for host in ("127.0.0.1", "localhost", "::1"):
        s = settings_from_dict(minimal(
            mailboxes=[dict(minimal()["mailboxes"][0], host=host, security="none")],
            smtp={"host": host, "security": "none"}), env=ENV)
        assert s.mailboxes[0].security == s.smtp.security == "none"
        assert s.smtp.port == 25


def test_password_env_not_set():
    msg = load_error(minimal(), env={"INTAKE_SMTP_PASSWORD": SMTP_SECRET})
    assert msg == "mailbox 'dpo': environment variable INTAKE_DPO_PASSWORD (password_env) is not set"
    msg = load_error(minimal(), env={"INTAKE_DPO_PASSWORD": MAILBOX_SECRET})
    assert msg.startswith("[smtp]") and "INTAKE_SMTP_PASSWORD" in msg


def test_password_in_file_is_refused_without_echo():
    box = dict(minimal()["mailboxes"][0], password=MAILBOX_SECRET)
    del box["password_env"]
    msg = load_error(minimal(mailboxes=[box]))
    assert "password_env or password_file" in msg


def test_imap_mailbox_needs_some_credential():
    box = {"name": "dpo", "address": "dataprotection@alektumgroup.com", "host": "imap.example.net"}
    msg = load_error(minimal(mailboxes=[box]))
    assert "mailbox 'dpo'" in msg and "oauth2_token_command" in msg


def test_password_file_is_read_relative_to_the_config(tmp_path):
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "imap.pw").write_text(MAILBOX_SECRET + "\n", encoding="utf-8")
    box = {"name": "dpo", "address": "dataprotection@alektumgroup.com", "host": "imap.example.net",
           "password_file": "secrets/imap.pw"}
    s = settings_from_dict(minimal(mailboxes=[box]), env=ENV, base_dir=tmp_path)
    assert s.mailboxes[0].password.get() == MAILBOX_SECRET  # trailing newline stripped
    assert MAILBOX_SECRET not in repr(s)

    missing = dict(box, password_file="secrets/nope.pw")
    msg = load_error(minimal(mailboxes=[missing]), base_dir=tmp_path)
    assert "mailbox 'dpo'" in msg and "cannot read password_file" in msg and "nope.pw" in msg

    both = dict(box, password_env="INTAKE_DPO_PASSWORD")
    assert "not both" in load_error(minimal(mailboxes=[both]), base_dir=tmp_path)


def test_unknown_timezone():
    msg = load_error(minimal(organisation={"timezone": "Europe/Atlantis"}))
    assert msg == "[organisation]: timezone 'Europe/Atlantis' is not a known IANA time zone"


def test_unknown_country_and_subdivision():
    msg = load_error(minimal(organisation={"country": "XX"}))
    assert msg == "[organisation]: country 'XX' is not known to the holidays package"
    msg = load_error(minimal(organisation={"country": "DE", "subdivision": "ZZ"}))
    assert msg.startswith("[organisation]: subdivision 'ZZ' is not valid for DE")
    s = settings_from_dict(minimal(organisation={"country": "de", "subdivision": "BY",
                                                 "timezone": "Europe/Berlin"}), env=ENV)
    assert (s.organisation.country, s.organisation.subdivision) == ("DE", "BY")
    box = dict(minimal()["mailboxes"][0], country="QQ")
    assert load_error(minimal(mailboxes=[box])) == (
        "mailbox 'dpo': country 'QQ' is not known to the holidays package")


@pytest.mark.parametrize("bad", ["7.30", "25:00", "07:61", "noon", "07:30:00"])
def test_bad_digest_time(bad):
    msg = load_error(minimal(digest={"time": bad}))
    assert msg == f"[digest]: time must look like 07:30, got {bad!r}"


def test_other_value_errors_name_their_key():
    assert load_error(minimal(deadlines={"stop_clock": "pause"})).startswith("[deadlines]: stop_clock")
    assert "required_for" in load_error(minimal(verification={"required_for": ["delete"]}))
    assert "reply_from" in load_error(minimal(organisation={"reply_from": "not-an-address"}))
    assert load_error(minimal(digest={"recipients": ["nobody"]})).startswith("[digest]: recipients")


def test_config_error_is_an_intake_bot_error():
    assert issubclass(ConfigError, IntakeBotError)


def test_invalid_toml_is_one_clear_error(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[smtp\nhost = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        load_settings(path, env=ENV)


# --------------------------------------------------------------------------- per-mailbox options
def test_per_mailbox_country_and_reply_from():
    boxes = [
        dict(minimal()["mailboxes"][0]),
        {"name": "se", "address": "info@alektum.se", "host": "imap.example.net", "country": "se",
         "reply_from": "dataskydd@alektum.se", "password_env": "INTAKE_DPO_PASSWORD"},
    ]
    s = settings_from_dict(minimal(mailboxes=boxes), env=ENV)
    se = s.mailbox("se")
    assert (se.country, se.reply_from) == ("SE", "dataskydd@alektum.se")
    assert s.mailbox("dpo").country is None and s.mailbox("dpo").reply_from is None
    assert "dataskydd@alektum.se" in s.own_addresses and "alektum.se" in s.own_domains
    with pytest.raises(ConfigError, match="no mailbox named 'fi'"):
        s.mailbox("fi")

    bad = dict(boxes[1], reply_from="dataskydd")
    assert "reply_from" in load_error(minimal(mailboxes=[bad]))
    dup = [boxes[0], dict(boxes[0])]
    assert "unique" in load_error(minimal(mailboxes=dup))


def test_maildir_mailbox(tmp_path):
    box = {"name": "local", "address": "dpo@example.org", "type": "maildir", "path": "Maildir"}
    s = settings_from_dict(minimal(mailboxes=[box]), env=ENV, base_dir=tmp_path)
    m = s.mailboxes[0]
    assert m.type == "maildir" and m.password is None
    assert m.path == str((tmp_path / "Maildir").resolve())
    no_path = {"name": "local", "address": "dpo@example.org", "type": "maildir"}
    assert load_error(minimal(mailboxes=[no_path])) == "mailbox 'local': path is required for a maildir mailbox"
    odd = dict(box, type="pop3")
    assert "type must be imap or maildir" in load_error(minimal(mailboxes=[odd]))


def test_directory_transport(tmp_path):
    s = settings_from_dict(minimal(smtp={"transport": "directory", "directory": "shadow"}),
                           env=ENV, base_dir=tmp_path)
    assert s.smtp.transport == "directory"
    assert s.smtp.directory == str((tmp_path / "shadow").resolve())
    assert s.smtp.host == ""
    msg = load_error(minimal(smtp={"transport": "directory"}))
    assert msg == '[smtp]: directory is required when transport = "directory"'
    msg = load_error(minimal(smtp={"port": 25}))
    assert msg.startswith("[smtp]: host is required")


def test_load_settings_uses_process_environment_by_default(tmp_path, monkeypatch):
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    s = load_settings(write_contract(tmp_path))
    assert s.smtp.password.get() == os.environ["INTAKE_SMTP_PASSWORD"]
