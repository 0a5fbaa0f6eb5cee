"""Suppression hooks: tell the newsletter system about each new suppression.

Either a command (the address on stdin, never on argv) or an HTTP POST of JSON.
A failure is recorded on the row and retried on the next run; it never stops
the loop. When both are configured and only one fails, only that one is
retried: the status remembers which part already went through.
"""

from __future__ import annotations

import json
import re
import logging
import shlex
import subprocess
import urllib.error
import urllib.request

from datetime import datetime, timedelta

from sqlmodel import Session, or_, select

from .models import Suppression

log = logging.getLogger(__name__)


_COMMAND_DONE = "command ok"


class _Partial(RuntimeError):
    """The command went through, the HTTP call did not."""


def _call(settings, row: Suppression) -> None:
    payload = {"address": row.address, "reason": row.reason, "created_at": row.created_at.isoformat()}
    cmd, url = settings.pipeline.suppression_hook_command, settings.pipeline.suppression_hook_url
    if cmd and _COMMAND_DONE not in (row.hook_status or ""):
        res = subprocess.run(shlex.split(cmd), input=row.address + "\n", capture_output=True, text=True, timeout=30)
        if res.returncode != 0:
            raise RuntimeError(f"command exited {res.returncode}")
        if url:
            try:
                _post(url, payload)
            except (OSError, RuntimeError, urllib.error.URLError, ValueError) as exc:
                raise _Partial(f"{type(exc).__name__}: {exc}") from exc
        return
    if url:
        _post(url, payload)


def _post(url: str, payload: dict) -> None:
    req = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 (configured by the operator)
        if resp.status >= 300:
            raise RuntimeError(f"HTTP {resp.status}")


def _failures(status: str | None) -> int:
    m = re.match(r"failed \((\d+)", status or "")
    return int(m.group(1)) if m else (1 if (status or "").startswith("failed") else 0)


def _scrub(text: str, address: str) -> str:
    """An error text must not carry the address into the database status or the logs."""
    return text.replace(address, "<address>")


RETRY_BASE = timedelta(minutes=1)
RETRY_MAX = timedelta(hours=1)
_not_before: dict[str, datetime] = {}  # address -> earliest next try (this process; a restart retries at once)


def run_pending(session: Session, settings, now: datetime | None = None) -> dict[str, int]:
    """Call the hook for every suppression not yet delivered; the caller commits.

    A failing hook is retried with exponential backoff (1 minute doubling to 1 hour)
    when ``now`` is given, so a dead endpoint is not called on every loop cycle."""
    counts = {"ok": 0, "failed": 0, "waiting": 0}
    if not (settings.pipeline.suppression_hook_command or settings.pipeline.suppression_hook_url):
        return counts
    rows = session.exec(select(Suppression).where(or_(Suppression.hook_status.is_(None),
                                                      Suppression.hook_status.like("failed%"))))
    for row in rows:
        if now is not None and now < _not_before.get(row.address, now):
            counts["waiting"] += 1
            continue
        try:
            _call(settings, row)
            row.hook_status = "ok"
            counts["ok"] += 1
        except (OSError, RuntimeError, subprocess.SubprocessError, urllib.error.URLError, ValueError) as exc:
            tries = _failures(row.hook_status) + 1
            done = _COMMAND_DONE in (row.hook_status or "") or isinstance(exc, _Partial)
            what = str(exc) if isinstance(exc, _Partial) else f"{type(exc).__name__}: {exc}"
            row.hook_status = (f"failed ({tries}{'; ' + _COMMAND_DONE if done else ''}): "
                               f"{_scrub(what, row.address)[:200]}")
            counts["failed"] += 1
            if now is not None:
                _not_before[row.address] = now + min(RETRY_BASE * 2 ** (tries - 1), RETRY_MAX)
            log.warning("suppression hook failed (%s); will retry", type(exc).__name__)
        else:
            _not_before.pop(row.address, None)
    return counts
