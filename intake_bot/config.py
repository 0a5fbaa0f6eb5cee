"""Settings: one TOML file, read once in the CLI and passed down.

Secrets never live in the file: ``password_env`` names an environment variable,
``password_file`` a file, and ``oauth2_token_command`` a command that prints an
XOAUTH2 access token. Secrets are wrapped in :class:`Secret` so that printing a
settings object never shows them.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shlex
import subprocess
import tomllib
from dataclasses import dataclass, field, replace
from datetime import time as dtime
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import REQUEST_TYPES
from .errors import ConfigError

CONFIG_ENV = "INTAKE_BOT_CONFIG"
SECURITY_MODES = ("tls", "starttls", "none")
STOP_CLOCK_POLICIES = ("none", "suspend", "restart")
_ADDR = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Secret:
    """A string that does not print itself."""

    __slots__ = ("_value",)

    def __init__(self, value: str):
        self._value = value

    def get(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class Organisation:
    name: str = "Alektum Group"
    country: str = "NO"
    timezone: str = "Europe/Oslo"
    reply_from: str = "dataprotection@alektumgroup.com"
    dpo_address: str = "dataprotection@alektumgroup.com"
    subdivision: str | None = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def message_id_domain(self) -> str:
        return self.reply_from.rsplit("@", 1)[-1].lower()


@dataclass(frozen=True)
class MailboxConfig:
    name: str
    address: str
    type: str = "imap"  # imap | maildir
    host: str = ""
    port: int = 993
    security: str = "tls"
    username: str = ""
    password: Secret | None = None
    oauth2_token_command: str | None = None
    folder: str = "INBOX"
    processed_folder: str = "Processed"
    quarantine_folder: str = "Quarantine"
    path: str | None = None  # maildir root
    country: str | None = None
    reply_from: str | None = None
    batch_size: int = 50
    idle: bool = True
    idle_renew_seconds: int = 29 * 60
    timeout: float = 30.0

    def oauth2_token(self) -> str:
        """Run the token command (at connect time, never at load time)."""
        if not self.oauth2_token_command:
            raise ConfigError(f"mailbox {self.name!r}: no oauth2_token_command")
        try:
            out = subprocess.run(
                shlex.split(self.oauth2_token_command), capture_output=True, text=True, timeout=30
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ConfigError(f"mailbox {self.name!r}: oauth2_token_command failed: {exc}") from None
        if out.returncode != 0 or not out.stdout.strip():
            raise ConfigError(
                f"mailbox {self.name!r}: oauth2_token_command exited {out.returncode} without a token"
            )
        return out.stdout.strip()


@dataclass(frozen=True)
class SmtpConfig:
    transport: str = "smtp"  # smtp | directory
    host: str = ""
    port: int = 587
    security: str = "starttls"
    username: str | None = None
    password: Secret | None = None
    directory: str | None = None  # for transport = "directory" (shadow mode)
    timeout: float = 30.0
    batch_size: int = 100
    max_attempts: int = 8
    backoff_base_seconds: float = 30.0
    backoff_max_seconds: float = 3600.0


@dataclass(frozen=True)
class DatabaseConfig:
    # may carry the password from password_env/password_file: never printed
    url: str = field(default="sqlite:///intake-bot.db", repr=False)

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")


@dataclass(frozen=True)
class DigestConfig:
    recipients: tuple[str, ...] = ()
    time: dtime = dtime(7, 30)
    weekly: bool = False
    weekly_day: int = 0  # Monday
    language: str = "en"
    due_within_days: int = 7
    daily: bool = True  # false: no daily digest (staff reminders and alerts still go out)


@dataclass(frozen=True)
class DeadlineConfig:
    stop_clock: str = "suspend"
    roll: bool = True
    internal_target_days: int = 20
    reminder_working_days: int = 3


_DEFAULT_NEEDS_VERIFICATION = ("access", "portability", "rectification", "erasure", "restriction")


@dataclass(frozen=True)
class VerificationConfig:
    code_ttl_days: int = 14
    max_attempts: int = 5
    reminder_days: int = 7
    required_for: tuple[str, ...] = _DEFAULT_NEEDS_VERIFICATION
    combine_with_acknowledgement: bool = True
    known_requesters_csv: str | None = None  # address,customer_number,case_numbers
    known_requesters_table: bool = False  # also look in the known_requester SQL table
    trust_known_address: bool = False  # verify known addresses with an aligned DMARC/DKIM pass


@dataclass(frozen=True)
class SecurityConfig:
    trusted_authserv_id: str | None = None
    require_authentication: bool = False
    own_domains: tuple[str, ...] = ()
    max_replies_per_sender_per_day: int = 3
    circuit_breaker_limit: int = 100
    circuit_breaker_window_minutes: int = 10


@dataclass(frozen=True)
class PipelineConfig:
    reply_to_non_requests: bool = False
    poll_interval_seconds: float = 60.0
    max_message_bytes: int = 25 * 1024 * 1024
    review_margin: float = 0.15
    unsubscribe_confirmation: bool = True
    list_unsubscribe_address: str | None = None
    retention_days: int = 365
    suppression_hook_command: str | None = None  # run once per new suppression, address on stdin
    suppression_hook_url: str | None = None  # or POSTed as JSON


@dataclass(frozen=True)
class WorkersConfig:
    lease_ttl_seconds: float = 120.0  # a dead worker's mailboxes are taken over after this
    idle: bool = True  # wait for new mail with IMAP IDLE where the server has it


@dataclass(frozen=True)
class Settings:
    organisation: Organisation
    database: DatabaseConfig
    mailboxes: tuple[MailboxConfig, ...]
    smtp: SmtpConfig
    digest: DigestConfig = field(default_factory=DigestConfig)
    deadlines: DeadlineConfig = field(default_factory=DeadlineConfig)
    verification: VerificationConfig = field(default_factory=VerificationConfig)
    security: SecurityConfig = field(default_factory=SecurityConfig)
    pipeline: PipelineConfig = field(default_factory=PipelineConfig)
    workers: WorkersConfig = field(default_factory=WorkersConfig)
    source: str | None = None

    @property
    def own_addresses(self) -> frozenset[str]:
        addrs = {self.organisation.reply_from, self.organisation.dpo_address}
        addrs.update(m.address for m in self.mailboxes)
        addrs.update(m.reply_from for m in self.mailboxes if m.reply_from)
        return frozenset(a.lower() for a in addrs if a)

    @property
    def own_domains(self) -> frozenset[str]:
        doms = {a.rsplit("@", 1)[-1] for a in self.own_addresses}
        doms.update(d.lower() for d in self.security.own_domains)
        return frozenset(doms)

    def mailbox(self, name: str) -> MailboxConfig:
        for m in self.mailboxes:
            if m.name == name:
                return m
        raise ConfigError(f"no mailbox named {name!r} in the configuration")


# --------------------------------------------------------------------------- loading


def find_config_path(explicit: str | None, env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    raw = explicit or env.get(CONFIG_ENV)
    if not raw:
        raise ConfigError(f"no configuration: pass --config FILE or set {CONFIG_ENV}")
    path = Path(raw)
    if not path.is_file():
        raise ConfigError(f"configuration file {path} does not exist")
    return path


def load_settings(path: str | Path, env: Mapping[str, str] | None = None) -> Settings:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    settings = settings_from_dict(data, env=env, base_dir=path.parent)
    return replace(settings, source=str(path))


def settings_from_dict(
    data: Mapping[str, Any], *, env: Mapping[str, str] | None = None, base_dir: Path | None = None
) -> Settings:
    env = os.environ if env is None else env
    base_dir = base_dir or Path.cwd()
    for required in ("mailboxes", "smtp", "database"):
        if required not in data:
            raise ConfigError(f"missing required section [{required}]" if required != "mailboxes"
                              else "missing required section [[mailboxes]]")
    known = {"organisation", "database", "mailboxes", "smtp", "digest", "deadlines",
             "verification", "security", "pipeline", "workers"}
    unknown = set(data) - known
    if unknown:
        raise ConfigError(f"unknown section(s): {', '.join(sorted(unknown))}")

    org_table = _table(data, "organisation")
    given = {k for k in ("reply_from", "dpo_address") if k in org_table}
    org = _organisation(org_table)
    db = _database(_table(data, "database"), base_dir, env)
    raw_boxes = data["mailboxes"]
    if not isinstance(raw_boxes, list) or not raw_boxes:
        raise ConfigError("[[mailboxes]] must list at least one mailbox")
    boxes = tuple(_mailbox(b, i, env, base_dir) for i, b in enumerate(raw_boxes))
    if "reply_from" not in given:  # default: answer from the first mailbox we read
        org = replace(org, reply_from=boxes[0].address)
    if "dpo_address" not in given:
        org = replace(org, dpo_address=org.reply_from)
    names = [b.name for b in boxes]
    if len(set(names)) != len(names):
        raise ConfigError(f"mailbox names must be unique, got {names}")
    verification = _verification(_table(data, "verification"))
    if verification.known_requesters_csv and not Path(verification.known_requesters_csv).is_absolute():
        verification = replace(verification,
                               known_requesters_csv=str((base_dir / verification.known_requesters_csv).resolve()))
    return Settings(
        organisation=org,
        database=db,
        mailboxes=boxes,
        smtp=_smtp(_table(data, "smtp"), env, base_dir),
        digest=_digest(_table(data, "digest")),
        deadlines=_deadlines(_table(data, "deadlines")),
        verification=verification,
        security=_security(_table(data, "security")),
        pipeline=_pipeline(_table(data, "pipeline")),
        workers=_workers(_table(data, "workers")),
    )


def _table(data: Mapping[str, Any], name: str) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"[{name}] must be a table")
    return dict(value)


def _take(table: dict, where: str, key: str, kind: type | tuple[type, ...], default: Any) -> Any:
    if key not in table:
        return default
    value = table.pop(key)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise ConfigError(f"{where}: {key} must be a {names}, got {value!r}")
    return value


def _no_leftovers(table: dict, where: str) -> None:
    if table:
        raise ConfigError(f"{where}: unknown key(s): {', '.join(sorted(table))}")


def _address(value: str, where: str, key: str) -> str:
    if not _ADDR.match(value):
        raise ConfigError(f"{where}: {key} {value!r} is not an email address")
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def _organisation(t: dict) -> Organisation:
    w = "[organisation]"
    d = Organisation()
    org = Organisation(
        name=_take(t, w, "name", str, d.name),
        country=_take(t, w, "country", str, d.country).upper(),
        timezone=_take(t, w, "timezone", str, d.timezone),
        reply_from=_address(_take(t, w, "reply_from", str, d.reply_from), w, "reply_from"),
        dpo_address=_address(_take(t, w, "dpo_address", str, d.dpo_address), w, "dpo_address"),
        subdivision=(_take(t, w, "subdivision", str, "") or None),
    )
    _no_leftovers(t, w)
    try:
        ZoneInfo(org.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{w}: timezone {org.timezone!r} is not a known IANA time zone") from None
    _check_country(org.country, org.subdivision, w)
    return org


def _check_country(country: str, subdivision: str | None, where: str) -> None:
    import holidays

    # holidays raises NotImplementedError for an unknown country *and* an unknown
    # subdivision, so check the country alone first to name the right key.
    try:
        holidays.country_holidays(country, years=2026)
    except (NotImplementedError, KeyError, ValueError):
        raise ConfigError(f"{where}: country {country!r} is not known to the holidays package") from None
    if subdivision is None:
        return
    try:
        holidays.country_holidays(country, subdiv=subdivision, years=2026)
    except (KeyError, ValueError, NotImplementedError) as exc:
        raise ConfigError(f"{where}: subdivision {subdivision!r} is not valid for {country}: {exc}") from None


def _database(t: dict, base_dir: Path, env: Mapping[str, str]) -> DatabaseConfig:
    w = "[database]"
    url = _take(t, w, "url", str, "sqlite:///intake-bot.db")
    secret = _secret(t, w, env, base_dir)
    _no_leftovers(t, w)
    if not (url.startswith("sqlite") or url.startswith("postgresql")):
        raise ConfigError(f"{w}: url must start with sqlite:/// or postgresql+psycopg://")
    if secret is not None:
        if not url.startswith("postgresql"):
            raise ConfigError(f"{w}: password_env/password_file are for PostgreSQL; SQLite has no password")
        from sqlalchemy.engine import make_url

        url = make_url(url).set(password=secret.get()).render_as_string(hide_password=False)
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        rel = url[len("sqlite:///"):]
        if rel and rel != ":memory:":
            url = "sqlite:///" + str((base_dir / rel).resolve())
    return DatabaseConfig(url=url)


def _secret(t: dict, where: str, env: Mapping[str, str], base_dir: Path) -> Secret | None:
    env_name = _take(t, where, "password_env", str, None)
    file_name = _take(t, where, "password_file", str, None)
    if "password" in t:
        raise ConfigError(f"{where}: put secrets in password_env or password_file, not in the file")
    if env_name and file_name:
        raise ConfigError(f"{where}: give password_env or password_file, not both")
    if env_name:
        if env_name not in env:
            raise ConfigError(f"{where}: environment variable {env_name} (password_env) is not set")
        return Secret(env[env_name])
    if file_name:
        p = Path(file_name)
        p = p if p.is_absolute() else base_dir / p
        try:
            return Secret(p.read_text(encoding="utf-8").strip())
        except OSError as exc:
            raise ConfigError(f"{where}: cannot read password_file {p}: {exc.strerror}") from None
    return None


def _security_mode(value: str, host: str, where: str) -> str:
    if value not in SECURITY_MODES:
        raise ConfigError(f"{where}: security must be one of {', '.join(SECURITY_MODES)}, got {value!r}")
    if value == "none" and not _is_loopback(host):
        raise ConfigError(f"{where}: security = \"none\" is only allowed on loopback, not {host!r}")
    return value


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _mailbox(raw: Any, index: int, env: Mapping[str, str], base_dir: Path) -> MailboxConfig:
    if not isinstance(raw, dict):
        raise ConfigError(f"[[mailboxes]] #{index + 1} must be a table")
    t = dict(raw)
    name = _take(t, f"[[mailboxes]] #{index + 1}", "name", str, None)
    if not name:
        raise ConfigError(f"[[mailboxes]] #{index + 1}: name is required")
    w = f"mailbox {name!r}"
    address = _take(t, w, "address", str, None)
    if not address:
        raise ConfigError(f"{w}: address is required")
    kind = _take(t, w, "type", str, "imap")
    if kind not in ("imap", "maildir"):
        raise ConfigError(f"{w}: type must be imap or maildir, got {kind!r}")
    d = MailboxConfig(name=name, address=address)
    host = _take(t, w, "host", str, "")
    path = _take(t, w, "path", str, None)
    if kind == "imap" and not host:
        raise ConfigError(f"{w}: host is required for an IMAP mailbox")
    if kind == "maildir":
        if not path:
            raise ConfigError(f"{w}: path is required for a maildir mailbox")
        p = Path(path)
        path = str(p if p.is_absolute() else (base_dir / p).resolve())
    security = _take(t, w, "security", str, d.security)
    password = _secret(t, w, env, base_dir)
    oauth = _take(t, w, "oauth2_token_command", str, None)
    if kind == "imap" and password is None and oauth is None:
        raise ConfigError(f"{w}: give password_env, password_file or oauth2_token_command")
    box = MailboxConfig(
        name=name,
        address=_address(address, w, "address"),
        type=kind,
        host=host,
        port=_take(t, w, "port", int, 993 if security == "tls" else 143),
        security=_security_mode(security, host, w) if kind == "imap" else security,
        username=_take(t, w, "username", str, address),
        password=password,
        oauth2_token_command=oauth,
        folder=_take(t, w, "folder", str, d.folder),
        processed_folder=_take(t, w, "processed_folder", str, d.processed_folder),
        quarantine_folder=_take(t, w, "quarantine_folder", str, d.quarantine_folder),
        path=path,
        country=(_take(t, w, "country", str, "") or None),
        reply_from=(_take(t, w, "reply_from", str, "") or None),
        batch_size=_take(t, w, "batch_size", int, d.batch_size),
        idle=_take(t, w, "idle", bool, d.idle),
        idle_renew_seconds=_take(t, w, "idle_renew_seconds", int, d.idle_renew_seconds),
        timeout=_take(t, w, "timeout", float, d.timeout),
    )
    _no_leftovers(t, w)
    if box.reply_from:
        _address(box.reply_from, w, "reply_from")
    if box.country:
        _check_country(box.country.upper(), None, w)
        box = replace(box, country=box.country.upper())
    if box.batch_size < 1:
        raise ConfigError(f"{w}: batch_size must be at least 1")
    return box


def _smtp(t: dict, env: Mapping[str, str], base_dir: Path) -> SmtpConfig:
    w = "[smtp]"
    d = SmtpConfig()
    transport = _take(t, w, "transport", str, d.transport)
    if transport not in ("smtp", "directory"):
        raise ConfigError(f"{w}: transport must be smtp or directory, got {transport!r}")
    host = _take(t, w, "host", str, "")
    directory = _take(t, w, "directory", str, None)
    if transport == "smtp" and not host:
        raise ConfigError(f"{w}: host is required (or set transport = \"directory\" for shadow mode)")
    if transport == "directory":
        if not directory:
            raise ConfigError(f"{w}: directory is required when transport = \"directory\"")
        p = Path(directory)
        directory = str(p if p.is_absolute() else (base_dir / p).resolve())
    security = _take(t, w, "security", str, d.security)
    cfg = SmtpConfig(
        transport=transport,
        host=host,
        port=_take(t, w, "port", int, {"tls": 465, "starttls": 587, "none": 25}.get(security, 587)),
        security=_security_mode(security, host, w) if transport == "smtp" else security,
        username=_take(t, w, "username", str, None),
        password=_secret(t, w, env, base_dir),
        directory=directory,
        timeout=_take(t, w, "timeout", float, d.timeout),
        batch_size=_take(t, w, "batch_size", int, d.batch_size),
        max_attempts=_take(t, w, "max_attempts", int, d.max_attempts),
        backoff_base_seconds=_take(t, w, "backoff_base_seconds", float, d.backoff_base_seconds),
        backoff_max_seconds=_take(t, w, "backoff_max_seconds", float, d.backoff_max_seconds),
    )
    _no_leftovers(t, w)
    return cfg


def _digest(t: dict) -> DigestConfig:
    w = "[digest]"
    d = DigestConfig()
    recipients = _take(t, w, "recipients", list, [])
    raw_time = _take(t, w, "time", str, "07:30")
    try:
        hh, mm = raw_time.split(":")
        at = dtime(int(hh), int(mm))
    except ValueError:
        raise ConfigError(f"{w}: time must look like 07:30, got {raw_time!r}") from None
    lang = _take(t, w, "language", str, d.language)
    if lang not in ("en", "nb"):
        raise ConfigError(f"{w}: language must be en or nb, got {lang!r}")
    cfg = DigestConfig(
        recipients=tuple(_address(r, w, "recipients") for r in recipients),
        time=at,
        weekly=_take(t, w, "weekly", bool, d.weekly),
        weekly_day=_take(t, w, "weekly_day", int, d.weekly_day),
        language=lang,
        due_within_days=_take(t, w, "due_within_days", int, d.due_within_days),
        daily=_take(t, w, "daily", bool, d.daily),
    )
    _no_leftovers(t, w)
    return cfg


def _deadlines(t: dict) -> DeadlineConfig:
    w = "[deadlines]"
    d = DeadlineConfig()
    cfg = DeadlineConfig(
        stop_clock=_take(t, w, "stop_clock", str, d.stop_clock),
        roll=_take(t, w, "roll", bool, d.roll),
        internal_target_days=_take(t, w, "internal_target_days", int, d.internal_target_days),
        reminder_working_days=_take(t, w, "reminder_working_days", int, d.reminder_working_days),
    )
    _no_leftovers(t, w)
    if cfg.stop_clock not in STOP_CLOCK_POLICIES:
        raise ConfigError(f"{w}: stop_clock must be one of {', '.join(STOP_CLOCK_POLICIES)}")
    return cfg


def _verification(t: dict) -> VerificationConfig:
    w = "[verification]"
    d = VerificationConfig()
    required = tuple(_take(t, w, "required_for", list, list(d.required_for)))
    bad = [r for r in required if r not in REQUEST_TYPES]
    if bad:
        raise ConfigError(f"{w}: required_for has unknown request types {bad}")
    cfg = VerificationConfig(
        code_ttl_days=_take(t, w, "code_ttl_days", int, d.code_ttl_days),
        max_attempts=_take(t, w, "max_attempts", int, d.max_attempts),
        reminder_days=_take(t, w, "reminder_days", int, d.reminder_days),
        required_for=required,
        combine_with_acknowledgement=_take(t, w, "combine_with_acknowledgement", bool,
                                           d.combine_with_acknowledgement),
        known_requesters_csv=_take(t, w, "known_requesters_csv", str, None),
        known_requesters_table=_take(t, w, "known_requesters_table", bool, d.known_requesters_table),
        trust_known_address=_take(t, w, "trust_known_address", bool, d.trust_known_address),
    )
    _no_leftovers(t, w)
    return cfg


def _security(t: dict) -> SecurityConfig:
    w = "[security]"
    d = SecurityConfig()
    cfg = SecurityConfig(
        trusted_authserv_id=_take(t, w, "trusted_authserv_id", str, None),
        require_authentication=_take(t, w, "require_authentication", bool, d.require_authentication),
        own_domains=tuple(x.lower() for x in _take(t, w, "own_domains", list, [])),
        max_replies_per_sender_per_day=_take(t, w, "max_replies_per_sender_per_day", int,
                                             d.max_replies_per_sender_per_day),
        circuit_breaker_limit=_take(t, w, "circuit_breaker_limit", int, d.circuit_breaker_limit),
        circuit_breaker_window_minutes=_take(t, w, "circuit_breaker_window_minutes", int,
                                             d.circuit_breaker_window_minutes),
    )
    _no_leftovers(t, w)
    return cfg


def _pipeline(t: dict) -> PipelineConfig:
    w = "[pipeline]"
    d = PipelineConfig()
    cfg = PipelineConfig(
        reply_to_non_requests=_take(t, w, "reply_to_non_requests", bool, d.reply_to_non_requests),
        poll_interval_seconds=_take(t, w, "poll_interval_seconds", float, d.poll_interval_seconds),
        max_message_bytes=_take(t, w, "max_message_bytes", int, d.max_message_bytes),
        review_margin=_take(t, w, "review_margin", float, d.review_margin),
        unsubscribe_confirmation=_take(t, w, "unsubscribe_confirmation", bool, d.unsubscribe_confirmation),
        list_unsubscribe_address=_take(t, w, "list_unsubscribe_address", str, None),
        retention_days=_take(t, w, "retention_days", int, d.retention_days),
        suppression_hook_command=_take(t, w, "suppression_hook_command", str, None),
        suppression_hook_url=_take(t, w, "suppression_hook_url", str, None),
    )
    _no_leftovers(t, w)
    return cfg


def _workers(t: dict) -> WorkersConfig:
    w = "[workers]"
    d = WorkersConfig()
    cfg = WorkersConfig(
        lease_ttl_seconds=_take(t, w, "lease_ttl_seconds", float, d.lease_ttl_seconds),
        idle=_take(t, w, "idle", bool, d.idle),
    )
    _no_leftovers(t, w)
    if cfg.lease_ttl_seconds < 5:
        raise ConfigError(f"{w}: lease_ttl_seconds must be at least 5")
    return cfg
