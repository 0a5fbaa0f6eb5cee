"""Logging set-up: every record passes a redaction filter before any handler sees it.

Addresses become ``k***@example.no`` style, national identity numbers and phone
numbers are masked (intake_bot.identifiers.redact). Secrets are never passed to
the logger in the first place.
"""

from __future__ import annotations

import logging
import sys

from .identifiers import redact

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactingFilter(logging.Filter):
    """Rewrites the message (with its arguments applied) through identifiers.redact."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info:
            record.exc_text = redact(record.exc_text or logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class RedactingFormatter(logging.Formatter):
    """Redacts the finished line too, so nothing another layer cached can slip through."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def setup_logging(verbose: bool = False, stream=None) -> logging.Handler:
    """Install one stderr handler with the redaction filter on the root logger."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(RedactingFormatter(FORMAT))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_intake_bot", False):
            root.removeHandler(old)
    handler._intake_bot = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("aiosmtplib", "asyncio", "imap_tools", "urllib3", "alembic.runtime.migration"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler
