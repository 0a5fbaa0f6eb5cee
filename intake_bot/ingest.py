"""Poll each mailbox: fetch new mail by UID, run the pipeline, then move it.

The move (or keyword flag) happens only after the message's transaction has
committed, so a crash in between leaves the message in the inbox, where the
next poll finds it already stored and just moves it.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Callable, Iterable, Iterator

from sqlmodel import Session

from .config import MailboxConfig, Settings
from .errors import MailboxError
from .mailbox import open_mailbox
from .models import MailboxState
from .outbox import fault_point
from .pipeline import Pipeline

log = logging.getLogger(__name__)


@dataclass
class PollReport:
    mailbox: str
    fetched: int = 0
    stored: int = 0
    already: int = 0
    quarantined: int = 0
    dispositions: dict[str, int] = field(default_factory=dict)
    uidvalidity_changed: bool = False
    lease_lost: bool = False
    stopped: bool = False
    error: str | None = None


class Progress:
    """A one-line progress counter on stderr for long ingests (only on a terminal or when forced)."""

    def __init__(self, label: str, total: int, *, stream=None, force: bool = False):
        self.label, self.total, self.done = label, total, 0
        self.stream = stream or sys.stderr
        self.enabled = total >= 20 and (force or self.stream.isatty())

    def step(self, n: int = 1) -> None:
        self.done += n
        if self.enabled and (self.done == self.total or self.done % 10 == 0):
            pct = 100 * self.done // max(1, self.total)
            self.stream.write(f"\r{self.label}: {self.done}/{self.total} ({pct}%)")
            if self.done == self.total:
                self.stream.write("\n")
            self.stream.flush()


def _state(session: Session, name: str) -> MailboxState:
    st = session.get(MailboxState, name)
    if st is None:
        st = MailboxState(name=name)
        session.add(st)
    return st


def record_poll(engine, name: str, now: datetime, *, error: str | None = None,
                uidvalidity: int | None = None) -> None:
    with Session(engine) as session:
        st = _state(session, name)
        st.last_poll_at = now
        if uidvalidity is not None:
            st.uidvalidity = uidvalidity
        if error:
            st.last_error, st.last_error_at = error[:1000], now
            st.consecutive_failures += 1
        else:
            st.last_success_at = now
            st.consecutive_failures = 0
        session.commit()


def poll_mailbox(
    settings: Settings,
    engine,
    pipeline: Pipeline,
    cfg: MailboxConfig,
    *,
    now: Callable[[], datetime],
    progress: bool = False,
    limit: int | None = None,
    keep: Callable[[], bool] | None = None,
    stop: Callable[[], bool] | None = None,
) -> PollReport:
    """Ingest what is new in one mailbox, committing message by message.

    ``keep`` is called after each batch (it renews this worker's lease); when it
    returns False another worker has the mailbox, and the poll stops there.
    ``stop`` is asked before each message (the runner's SIGTERM flag): when it says
    True, what is done is filed away and the rest waits in the inbox for the next start.
    """
    report = PollReport(cfg.name)
    try:
        with open_mailbox(cfg) as box:
            validity = box.uidvalidity()
            with Session(engine) as session:
                known = _state(session, cfg.name).uidvalidity
            if known is not None and known != validity:
                report.uidvalidity_changed = True
                log.warning("mailbox %s: UIDVALIDITY changed %s -> %s; resyncing by content hash",
                            cfg.name, known, validity)
            keys = box.pending_keys()
            if limit:
                keys = keys[:limit]
            bar = Progress(f"{cfg.name}", len(keys), force=progress)
            done: list[str] = []
            bad: list[str] = []

            def flush() -> None:
                # MOVE after the commits, a batch at a time: a crash in between leaves mail
                # in the inbox, where the next poll finds it already stored and moves it
                if done:
                    box.mark_processed(list(done))
                    done.clear()
                if bad:
                    box.quarantine(list(bad))
                    bad.clear()

            for batch in _batches(box.fetch(keys, batch_size=cfg.batch_size), cfg.batch_size):
                pipeline.prepare(cfg, batch)  # one "already stored?" read, parse + classify together
                for fetched in batch:
                    if stop is not None and stop():  # SIGTERM: file away what is done, leave the rest
                        report.stopped = True
                        break
                    report.fetched += 1
                    outcome = pipeline.process(cfg, fetched)  # one commit per message
                    fault_point("after_commit_before_move")
                    (bad if outcome.quarantined else done).append(fetched.key)
                    if outcome.quarantined:
                        report.quarantined += 1
                    if outcome.already_stored:
                        report.already += 1
                    else:
                        report.stored += 1
                    report.dispositions[outcome.disposition] = report.dispositions.get(outcome.disposition, 0) + 1
                    bar.step()
                    if len(done) + len(bad) >= cfg.batch_size:
                        flush()
                        if keep is not None and not keep():
                            report.lease_lost = True
                            log.warning("mailbox %s: lease lost to another worker; stopping this poll", cfg.name)
                            break
                if report.stopped or report.lease_lost:
                    break
            flush()
        record_poll(engine, cfg.name, now(), uidvalidity=validity)
    except MailboxError as exc:
        report.error = str(exc)
        log.error("mailbox %s: %s", cfg.name, exc)
        record_poll(engine, cfg.name, now(), error=str(exc))
    return report


def _batches(items: Iterable, size: int) -> Iterator[list]:
    """The fetched messages in lists of ``size`` (one IMAP FETCH each)."""
    it = iter(items)
    while chunk := list(islice(it, max(1, size))):
        yield chunk


def poll_all(settings: Settings, engine, pipeline: Pipeline, *, now, progress: bool = False,
             mailboxes: list[MailboxConfig] | None = None) -> list[PollReport]:
    return [poll_mailbox(settings, engine, pipeline, cfg, now=now, progress=progress)
            for cfg in (mailboxes or settings.mailboxes)]
