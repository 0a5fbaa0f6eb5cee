"""Real servers on loopback ports for tests and benchmarks: Dovecot, an SMTP sink, PostgreSQL.

Each helper is a context manager with start()/stop(). Nothing here imports pytest, so
bench/ scripts can use it too. The servers run as this process's children and are
stopped by their own process id. See /work/shared/SERVERS.md for the measured setups.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.5):
                return
        except OSError:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"server exited with code {proc.returncode} before listening on {port}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"nothing listens on {LOOPBACK}:{port} after {timeout} s")
            time.sleep(0.05)


def _shared_tempdir(prefix: str) -> Path:
    """A fresh temp dir that unprivileged server users (nobody, dovecot, postgres) can traverse."""
    d = Path(tempfile.mkdtemp(prefix=prefix))
    d.chmod(0o755)
    return d


def _check_traversable(path: Path) -> None:
    """Dovecot and PostgreSQL drop privileges, so every ancestor must be world-traversable."""
    for p in [path, *path.parents]:
        if p.exists() and not (p.stat().st_mode & 0o001):
            raise ValueError(
                f"{p} is not traversable by other users (mode {oct(p.stat().st_mode & 0o777)}); "
                "pass tmpdir=None to get a suitable temp dir"
            )


class _Server:
    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def openssl_available() -> bool:
    return shutil.which("openssl") is not None


def make_self_signed_cert(directory: Path, host: str = LOOPBACK) -> tuple[Path, Path]:
    """Write cert.pem and key.pem (self-signed, valid for `host`) into directory."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    san = f"IP:{host}" if re.fullmatch(r"[\d.]+", host) else f"DNS:{host}"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", f"/CN={host}", "-addext", f"subjectAltName={san}",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    key.chmod(0o644)  # Dovecot reads it as root, but keep it readable for the test client
    return cert, key


# --- Dovecot -----------------------------------------------------------------------------
_DOVECOT_CONF = """\
instance_name = intake-test-{port}
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
protocols = imap
listen = {host}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:{d}/mail/%u
mail_max_userip_connections = 200
{ssl}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/users/%u
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={d}/mail/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
# no auth penalty: tests log in with wrong passwords on purpose, all from 127.0.0.1
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = {host}
    port = {port}
  }}
  inet_listener imaps {{
    address = {host}
    port = {tls_port}
  }}
}}
"""


class Dovecot(_Server):
    """A throwaway Dovecot IMAP server (maildir, passwd-file users) on a free loopback port.

    With tls=True it also offers STARTTLS on `port` and implicit TLS on `tls_port`, using a
    self-signed certificate at `cert_path` (trust it with SSL_CERT_FILE=cert_path).
    """

    def __init__(self, tmpdir: str | Path | None = None, users: dict[str, str] | None = None,
                 tls: bool = False, host: str = LOOPBACK):
        self._own_dir = tmpdir is None
        self.dir = _shared_tempdir("intake-dovecot-") if tmpdir is None else Path(tmpdir)
        self.host = host
        self.port = free_port()
        self.tls = tls
        self.tls_port = free_port() if tls else 0
        self.users: dict[str, str] = dict(users or {"bot": "testpass"})
        self.conf = self.dir / "dovecot.conf"
        self.cert_path: Path | None = None
        self._proc: subprocess.Popen | None = None

    # -- lifecycle --
    def start(self) -> "Dovecot":
        if self._proc is not None:
            return self
        if shutil.which("dovecot") is None:
            raise RuntimeError("dovecot is not installed (apt-get install dovecot-imapd)")
        self.dir.mkdir(parents=True, exist_ok=True)
        _check_traversable(self.dir)
        mail = self.dir / "mail"
        mail.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(mail, "nobody", "nogroup")
        ssl_conf = "ssl = no"
        if self.tls:
            if self.cert_path is None:
                self.cert_path, key = make_self_signed_cert(self.dir, self.host)
            ssl_conf = f"ssl = yes\nssl_cert = <{self.cert_path}\nssl_key = <{self.dir / 'key.pem'}"
        self.conf.write_text(_DOVECOT_CONF.format(
            d=self.dir, host=self.host, port=self.port, tls_port=self.tls_port, ssl=ssl_conf))
        self._write_users()
        self._proc = subprocess.Popen(
            ["dovecot", "-F", "-c", str(self.conf)], start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        try:
            wait_for_port(self.port, proc=self._proc)
            if self.tls:
                wait_for_port(self.tls_port, proc=self._proc)
        except RuntimeError as exc:
            self.stop()
            raise RuntimeError(f"dovecot did not start: {exc}\n{self.log_tail()}") from None
        return self

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        # What `doveadm stop` does (SIGTERM to the master), minus its fixed 3 s wait.
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        try:  # leftovers in the process group we created for this master (log, imap, auth)
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if proc.poll() is None:
            proc.wait(timeout=5)
        if proc.stderr:
            proc.stderr.close()

    def restart(self) -> None:
        self.stop()
        self.start()

    def cleanup(self) -> None:
        """Stop and, if the dir was made here, remove it."""
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __exit__(self, *exc) -> None:
        self.cleanup()

    def log_tail(self, lines: int = 20) -> str:
        p = self.dir / "dovecot.log"
        return "\n".join(p.read_text(errors="replace").splitlines()[-lines:]) if p.exists() else ""

    # -- users --
    # -- users: one passwd-file per user, because Dovecot re-reads a passwd-file at most
    # once a second, and a user added within that second would not be found --
    def _write_user(self, name: str) -> None:
        users = self.dir / "users"
        users.mkdir(exist_ok=True)
        users.chmod(0o755)
        tmp = users / f".{name}.tmp"
        tmp.write_text(f"{name}:{{PLAIN}}{self.users[name]}\n")
        tmp.chmod(0o644)
        tmp.replace(users / name)

    def _write_users(self) -> None:
        for name in self.users:
            self._write_user(name)

    def add_user(self, name: str, password: str) -> None:
        """Add a user (new names work at once; a changed password may take a second)."""
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", name):
            raise ValueError(f"user name {name!r} must be letters, digits, '.', '_' or '-'")
        if ":" in password or "\n" in password:
            raise ValueError("passwords must not contain ':' or newlines")
        self.users[name] = password
        self._write_user(name)

    def maildir(self, user: str) -> Path:
        return self.dir / "mail" / user

    # -- client helpers (real IMAP commands) --
    def client(self, user: str, folder: str | None = "INBOX"):
        from imap_tools import MailBoxUnencrypted

        box = MailBoxUnencrypted(self.host, self.port, timeout=10)
        return box.login(user, self.users[user], initial_folder=folder)

    def ensure_folder(self, user: str, folder: str) -> None:
        with self.client(user, None) as box:
            if not box.folder.exists(folder):
                box.folder.create(folder)

    def append(self, user: str, raw: bytes, folder: str = "INBOX", date: datetime | None = None,
               flags: tuple[str, ...] = ()) -> int | None:
        """APPEND raw bytes (with INTERNALDATE `date` if given); returns the new UID (APPENDUID)."""
        with self.client(user, None) as box:
            if folder != "INBOX" and not box.folder.exists(folder):
                box.folder.create(folder)
            _typ, data = box.append(raw, folder, dt=date, flag_set=flags or None)
        m = re.search(rb"APPENDUID \d+ (\d+)", data[0] or b"")
        return int(m.group(1)) if m else None

    def folder_uids(self, user: str, folder: str = "INBOX") -> list[int]:
        with self.client(user, folder) as box:
            return sorted(int(u) for u in box.uids("ALL"))

    def fetch_all(self, user: str, folder: str = "INBOX") -> list[bytes]:
        """Exact raw bytes of every message in the folder (BODY.PEEK[], UID order)."""
        with self.client(user, folder) as box:
            typ, data = box.client.uid("FETCH", "1:*", "(BODY.PEEK[])")
            if typ != "OK":
                raise RuntimeError(f"FETCH failed: {data!r}")
            return [part[1] for part in data if isinstance(part, tuple)]

    def flags(self, user: str, folder: str = "INBOX") -> dict[int, tuple[str, ...]]:
        with self.client(user, folder) as box:
            return {int(m.uid): m.flags for m in box.fetch("ALL", mark_seen=False, headers_only=True, bulk=True)}

    def folders(self, user: str) -> list[str]:
        with self.client(user, None) as box:
            return sorted(f.name for f in box.folder.list())

    def kick(self, user: str) -> None:
        """Disconnect the user's IMAP sessions from the server side (the client sees BYE/EOF)."""
        subprocess.run(["doveadm", "-c", str(self.conf), "kick", user],
                       check=True, capture_output=True, timeout=10)

    def uidvalidity(self, user: str, folder: str = "INBOX") -> int:
        with self.client(user, None) as box:
            return int(box.folder.status(folder, ["UIDVALIDITY"])["UIDVALIDITY"])

    def set_uidvalidity(self, user: str, folder: str = "INBOX", value: int | None = None) -> int:
        """Force a UIDVALIDITY change (as after a server migration); returns the new value."""
        new = value if value is not None else self.uidvalidity(user, folder) + 1
        subprocess.run(
            ["doveadm", "-c", str(self.conf), "mailbox", "update", "-u", user,
             "--uid-validity", str(new), folder],
            check=True, capture_output=True, timeout=10,
        )
        return new


# --- SMTP sink ---------------------------------------------------------------------------
@dataclass
class ReceivedMessage:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message_id: str | None


@dataclass
class _SinkState:
    received: list[ReceivedMessage] = field(default_factory=list)
    fail_next: int = 0
    fail_next_code: int = 451
    fail_all_code: int | None = None
    attempts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrived: threading.Condition | None = None


class _SinkHandler:
    def __init__(self, state: _SinkState):
        self.state = state

    async def handle_DATA(self, server, session, envelope):
        st = self.state
        with st.lock:
            st.attempts += 1
            if st.fail_all_code is not None:
                return f"{st.fail_all_code} 5.7.1 rejected by the test sink"
            if st.fail_next > 0:
                st.fail_next -= 1
                return f"{st.fail_next_code} 4.3.0 temporary failure from the test sink"
            raw = envelope.original_content or envelope.content
            raw = raw if isinstance(raw, bytes) else raw.encode()
            parsed = email.message_from_bytes(raw, policy=email.policy.compat32)
            mid = parsed.get("Message-ID")
            st.received.append(ReceivedMessage(envelope.mail_from, list(envelope.rcpt_tos), raw,
                                               mid.strip() if mid else None))
        with st.arrived:
            st.arrived.notify_all()
        return "250 OK queued by the test sink"


class SmtpSink(_Server):
    """An aiosmtpd server on 127.0.0.1 that keeps what it receives and can be told to fail."""

    def __init__(self, port: int | None = None, *, auth: dict[str, str] | None = None,
                 starttls: bool = False, tmpdir: str | Path | None = None):
        self.host = LOOPBACK
        self.port = port or free_port()
        self.auth = dict(auth) if auth else None
        self.starttls = starttls
        self.cert_path: Path | None = None
        self._tmpdir = Path(tmpdir) if tmpdir else None
        self._own_dir: Path | None = None  # made here for the certificate; removed on exit
        self._state = _SinkState()
        self._state.arrived = threading.Condition()
        self._controller = None

    @property
    def messages(self) -> list[ReceivedMessage]:
        with self._state.lock:
            return list(self._state.received)

    @property
    def attempts(self) -> int:
        """DATA commands seen, including the ones the sink failed."""
        return self._state.attempts

    @property
    def running(self) -> bool:
        return self._controller is not None

    def reset(self) -> None:
        """Forget messages and failure settings; make sure the server is up."""
        with self._state.lock:
            self._state.received.clear()
            self._state.fail_next, self._state.fail_all_code, self._state.attempts = 0, None, 0
        self.start()

    def fail_next(self, n: int, code: int = 451) -> None:
        with self._state.lock:
            self._state.fail_next, self._state.fail_next_code = n, code

    def fail_all(self, code: int = 550) -> None:
        with self._state.lock:
            self._state.fail_all_code = code

    def wait_for(self, n: int, timeout: float = 5.0) -> list[ReceivedMessage]:
        """Block until at least n messages arrived (or timeout); returns what arrived."""
        deadline = time.monotonic() + timeout
        with self._state.arrived:
            while len(self.messages) < n and time.monotonic() < deadline:
                self._state.arrived.wait(timeout=max(0.0, deadline - time.monotonic()))
        return self.messages

    def _tls_context(self) -> ssl.SSLContext:
        if self.cert_path is None:
            if self._tmpdir is None:
                self._tmpdir = self._own_dir = _shared_tempdir("intake-smtp-")
            d = self._tmpdir
            self.cert_path, _key = make_self_signed_cert(d)
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert_path, self.cert_path.parent / "key.pem")
        return ctx

    def _authenticator(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult, LoginPassword

        ok = (isinstance(auth_data, LoginPassword)
              and self.auth.get(auth_data.login.decode()) == auth_data.password.decode())
        return AuthResult(success=ok, handled=False)

    def start(self) -> "SmtpSink":
        if self._controller is not None:
            return self
        from aiosmtpd.controller import Controller

        kwargs: dict = {}
        if self.auth is not None:
            kwargs.update(authenticator=self._authenticator, auth_required=True,
                          auth_require_tls=self.starttls)
        if self.starttls:
            kwargs.update(tls_context=self._tls_context(), require_starttls=False)
        ctl = Controller(_SinkHandler(self._state), hostname=self.host, port=self.port, **kwargs)
        ctl.start()
        self._controller = ctl
        return self

    def stop(self) -> None:
        ctl, self._controller = self._controller, None
        if ctl is not None:
            ctl.stop()

    def cleanup(self) -> None:
        self.stop()
        if self._own_dir is not None:
            shutil.rmtree(self._own_dir, ignore_errors=True)
            self._own_dir = self._tmpdir = self.cert_path = None

    def __exit__(self, *exc) -> None:
        self.cleanup()


# --- PostgreSQL --------------------------------------------------------------------------
REQUIRE_PG_ENV = "INTAKE_BOT_REQUIRE_PG"


def find_pg_bindir() -> Path | None:
    env = os.environ.get("INTAKE_BOT_PG_BINDIR")
    if env:
        return Path(env)
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                   key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0)
    if found:
        return found[-1].parent
    which = shutil.which("initdb")
    return Path(which).parent if which else None


class Postgres(_Server):
    """A throwaway PostgreSQL cluster (trust auth, fsync off) on a free loopback port."""

    def __init__(self, tmpdir: str | Path | None = None, bindir: str | Path | None = None):
        self._own_dir = tmpdir is None
        self.dir = _shared_tempdir("intake-pg-") if tmpdir is None else Path(tmpdir)
        found = Path(bindir) if bindir else find_pg_bindir()
        self.bindir = found
        self.host = LOOPBACK
        self.port = free_port()
        self._running = False

    @staticmethod
    def available() -> bool:
        b = find_pg_bindir()
        return b is not None and (b / "initdb").exists() and (b / "pg_ctl").exists()

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        if res.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({res.returncode}): {res.stderr.strip() or res.stdout.strip()}")
        return res

    def start(self) -> "Postgres":
        if self._running:
            return self
        if self.bindir is None or not (self.bindir / "initdb").exists():
            raise RuntimeError("PostgreSQL binaries not found (apt-get install postgresql)")
        self.dir.mkdir(parents=True, exist_ok=True)
        _check_traversable(self.dir)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        data = self.dir / "data"
        if not (data / "PG_VERSION").exists():
            self._run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                      "--locale=C.UTF-8", "--no-sync")
        self._run("pg_ctl", "-D", str(data), "-l", str(self.dir / "log"), "-w", "-o",
                  f"-c listen_addresses={self.host} -p {self.port} -k {self.dir} -c fsync=off "
                  "-c full_page_writes=off -c synchronous_commit=off", "start")
        self._running = True
        return self

    def stop(self) -> None:
        if self._running:
            self._running = False
            self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")

    def cleanup(self) -> None:
        self.stop()
        if self._own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __exit__(self, *exc) -> None:
        self.cleanup()

    def url(self, name: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@{self.host}:{self.port}/{name}"

    def create_database(self, name: str) -> str:
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
            raise ValueError(f"unsafe database name {name!r}")
        import psycopg

        with psycopg.connect(host=self.host, port=self.port, user="postgres", dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)
