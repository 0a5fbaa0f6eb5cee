"""Personal data never reaches a log handler."""

from __future__ import annotations

import io
import logging

from intake_bot.logs import setup_logging


def test_addresses_and_id_numbers_are_redacted_before_any_handler():
    stream = io.StringIO()
    handler = setup_logging(stream=stream)
    try:
        log = logging.getLogger("intake_bot.test")
        log.info("mail from %s about %s", "kari.nordmann@example.no", "fnr 15038540189")
        try:
            raise ValueError("bad sender per.hansen@example.com")
        except ValueError:
            log.exception("failed for %s", "ola@example.no")
    finally:
        logging.getLogger().removeHandler(handler)
    out = stream.getvalue()
    assert "kari.nordmann@example.no" not in out and "per.hansen@example.com" not in out
    assert "ola@example.no" not in out
    assert "15038540189" not in out
    assert "mail from" in out and "ValueError" in out  # the rest of the record survives
