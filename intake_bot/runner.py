"""`intake-bot run`: the long-running loop. Poll, send, timed jobs; back off on outages."""

from __future__ import annotations

import asyncio
import logging
import random
import threading
from datetime import datetime
from typing import Callable

from sqlmodel import Session

from . import journeys
from .errors import IntakeBotError, StorageError
from .ingest import poll_mailbox
from .outbox import recover_own, send_due

log = logging.getLogger(__name__)


class Runner:
    def __init__(self, settings, engine, pipeline, env, *, now: Callable[[], datetime], worker: str,
                 interval: float | None = None):
        self.settings, self.engine, self.pipeline, self.env = settings, engine, pipeline, env
        self.now, self.worker = now, worker
        self.interval = interval if interval is not None else settings.pipeline.poll_interval_seconds
        self._stop = threading.Event()
        self.failures = 0

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run(self, *, max_cycles: int | None = None) -> None:
        recover_own(self.engine, worker=self.worker)
        cycles = 0
        while not self.stopping:
            ok = self.cycle()
            cycles += 1
            if max_cycles is not None and cycles >= max_cycles:
                break
            self._stop.wait(self.delay(ok))

    def delay(self, ok: bool) -> float:
        """The interval, or exponential backoff with jitter after failures (never a busy loop)."""
        if ok:
            self.failures = 0
            return self.interval
        self.failures += 1
        ceiling = min(300.0, max(1.0, self.interval) * 2 ** min(self.failures, 8))
        return ceiling / 2 + random.uniform(0, ceiling / 2)

    def cycle(self) -> bool:
        ok = True
        for cfg in self.settings.mailboxes:
            if self.stopping:
                break
            try:
                report = poll_mailbox(self.settings, self.engine, self.pipeline, cfg, now=self.now)
                ok &= report.error is None
            except StorageError as exc:
                log.error("database: %s; will retry", exc)
                ok = False
        for step in (self.send, self.timed_jobs):
            try:
                step()
            except IntakeBotError as exc:
                log.error("%s: %s; will retry", step.__name__, exc)
                ok = False
            except Exception as exc:  # keep running; the error is logged with its type
                log.exception("%s failed: %s", step.__name__, type(exc).__name__)
                ok = False
        return ok

    def send(self) -> None:
        rep = asyncio.run(send_due(self.engine, self.settings.smtp, worker=self.worker, now=self.now))
        if rep.claimed:
            log.info("outbox: sent %d, to retry %d, failed %d", rep.sent, rep.retried, rep.failed)

    def timed_jobs(self) -> None:
        """Verification reminders/expiry, staff reminders, and the digest (each idempotent)."""
        from .digest import queue_staff_reminders, run_digest_job

        with Session(self.engine, expire_on_commit=False) as session:
            counts = journeys.tick(session, self.settings, self.env, self.now())
            session.commit()
        if any(counts.values()):
            log.info("verification: %s", counts)
        from .hooks import run_pending

        with Session(self.engine, expire_on_commit=False) as session:
            hooks = run_pending(session, self.settings)
            session.commit()
        if any(hooks.values()):
            log.info("suppression hooks: %s", hooks)
        with Session(self.engine, expire_on_commit=False) as session:
            alerts = queue_staff_reminders(session, self.settings, self.env, now=self.now())
            session.commit()
        if alerts:
            log.info("staff reminders queued: %d", alerts)
        key = run_digest_job(self.engine, self.settings, self.env, now=self.now())
        if key:
            log.info("digest queued: %s", key)
