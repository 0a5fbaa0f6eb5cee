"""Personal data never reaches a log handler."""

from __future__ import annotations

import io
import logging

import pytest

from intake_bot.logs import setup_logging

ADDRESSES = ("kari.nordmann@example.no", "per.hansen@example.com", "ola@example.no")
FNR = "15038540189"  # a valid Norwegian fødselsnummer (checksums hold)


class Capture(logging.Handler):
    """A handler that is not ours and has no filter of its own: what reaches it is what any handler gets."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def logged():
    stream, capture = io.StringIO(), Capture()
    other = logging.getLogger("some.library")
    other.addHandler(capture)
    factory = logging.getLogRecordFactory()
    ours = setup_logging(stream=stream)
    try:
        log = logging.getLogger("intake_bot.test")
        log.info("mail from %s about %s", ADDRESSES[0], f"fnr {FNR}")
        other.warning("library says: rejected <%s>", ADDRESSES[0])
        try:
            raise ValueError(f"bad sender {ADDRESSES[1]}")
        except ValueError:
            log.exception("failed for %s", ADDRESSES[2])
    finally:
        logging.getLogger().removeHandler(ours)
        other.removeHandler(capture)
        logging.setLogRecordFactory(factory)  # leave other tests' logging as it was
    return stream.getvalue(), capture.records


def test_addresses_and_id_numbers_never_reach_our_handler(logged):
    out, _ = logged
    for secret in (*ADDRESSES, FNR):
        assert secret not in out
    assert "mail from" in out and "ValueError" in out and "library says" in out  # the rest survives


def test_nor_a_handler_someone_else_installed(logged):
    _, records = logged
    assert [r.name for r in records] == ["some.library"]
    seen = records[0].getMessage() + str(records[0].args)
    assert "library says: rejected" in seen and ADDRESSES[0] not in seen
