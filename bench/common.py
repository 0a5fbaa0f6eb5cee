"""Shared bench helpers: realistic messages, configs, a child-process runner that reports peak RSS."""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EXE = str(ROOT / ".venv" / "bin" / "intake-bot")


def messages(n: int, *, tag: str = "b") -> list[bytes]:
    """n realistic mails, each with its own sender and Message-ID.

    One in ten is one of the hand-written samples (samples/*.eml: HTML-only, attachments,
    quoted replies, out-of-office ...); the rest are the labelled corpus written out as
    mail by :func:`intake_bot.evaluate.example_to_eml`, as the classifier is evaluated.
    """
    from email import message_from_bytes, policy

    from intake_bot.corpus import load_corpus
    from intake_bot.evaluate import example_to_eml

    corpus = [example_to_eml(ex) for ex in load_corpus(ROOT / "models" / "corpus")]
    samples = [p.read_bytes() for p in sorted((ROOT / "samples").glob("*.eml"))]
    rng = random.Random(11)
    out = []
    for i in range(n):
        pool = samples if samples and i % 10 == 0 else corpus
        msg = message_from_bytes(pool[rng.randrange(len(pool))], policy=policy.default)
        for name, value in (("From", f"Person {i} <p{i}.{tag}@example.org>"),
                            ("Message-ID", f"<{tag}-{i}@example.org>"),
                            ("Date", format_datetime(datetime.now(timezone.utc)))):
            del msg[name]
            msg[name] = value
        out.append(msg.as_bytes())
    return out


def append_all(dovecot, user: str, raws: list[bytes]) -> None:
    """Load a backlog over one IMAP connection."""
    import imaplib

    imap = imaplib.IMAP4(dovecot.host, dovecot.port)
    imap.login(user, dovecot.users[user])
    for raw in raws:
        imap.append("INBOX", None, None, raw)
    imap.logout()


def write_config(path: Path, *, db_url: str, dovecot, users: list[str], smtp_port: int, extra: str = "") -> Path:
    boxes = "".join(
        f'[[mailboxes]]\nname = "box{i}"\naddress = "box{i}@alektumgroup.no"\nhost = "127.0.0.1"\n'
        f'port = {dovecot.port}\nsecurity = "none"\nusername = "{u}"\npassword_env = "PW_{i}"\nbatch_size = 100\n\n'
        for i, u in enumerate(users))
    path.write_text(f'[database]\nurl = "{db_url}"\n\n{boxes}[smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\n'
                    f'security = "none"\nbatch_size = 200\n\n[security]\nmax_replies_per_sender_per_day = 100\n'
                    f'circuit_breaker_limit = 1000000\n\n{extra}')
    return path


def env_for(config: Path, dovecot, users: list[str]) -> dict:
    env = dict(os.environ, INTAKE_BOT_CONFIG=str(config))
    for i, u in enumerate(users):
        env[f"PW_{i}"] = dovecot.users[u]
    return env


_RSS_WRAPPER = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
                "r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
                "print(r.returncode, time.perf_counter() - t, "
                "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, flush=True); "
                "sys.stderr.write(r.stderr[-3000:] if r.returncode else '')")


def timed(cmd: list[str], env: dict) -> tuple[float, float]:
    """Run cmd in a fresh wrapper process: (wall seconds, peak RSS MB of that command alone)."""
    out = subprocess.run([sys.executable, "-c", _RSS_WRAPPER, *cmd], env=env, capture_output=True, text=True)
    code, wall, rss = out.stdout.split()
    if code != "0":
        raise SystemExit(f"{' '.join(cmd)} failed: {out.stderr}")
    return float(wall), int(rss) / 1024


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model}"


def save(name: str, result: dict) -> Path:
    out = ROOT / "bench" / "results" / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    return out


median = statistics.median
