"""Logging set-up: every record passes a redaction filter before any handler sees it.

Addresses, national identity numbers and phone numbers are masked
(intake_bot.identifiers.redact) in every record, at creation, before any handler. Secrets are never passed to
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


_FILTER = RedactingFilter()


def _redacting_factory(base):
    def factory(*args, **kwargs) -> logging.LogRecord:
        record = base(*args, **kwargs)
        _FILTER.filter(record)
        return record

    factory._intake_bot = True  # type: ignore[attr-defined]
    return factory


def install_record_redaction() -> None:
    """Redact every record as it is created, so no handler anywhere (ours, a library's,
    pytest's) ever sees an address or ID number. Idempotent."""
    current = logging.getLogRecordFactory()
    if not getattr(current, "_intake_bot", False):
        logging.setLogRecordFactory(_redacting_factory(current))


def setup_logging(verbose: bool = False, stream=None) -> logging.Handler:
    """Redact every log record at creation and install one stderr handler on the root logger
    (with the filter and a redacting formatter as well, for records made before set-up)."""
    install_record_redaction()
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
    for noisy in ("aiosmtplib", "asyncio", "imap_tools", "urllib3", "alembic"):
        logging.getLogger(noisy).setLevel(logging.DEBUG if verbose and noisy == "alembic" else logging.WARNING)
    return handler
