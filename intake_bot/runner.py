"""`intake-bot run`: the long-running loop. Poll, send, timed jobs; back off on outages.

New mail wakes the loop at once: one watcher thread per mailbox this worker
holds waits with IMAP IDLE (re-issued every ``idle_renew_seconds``; a broken
IDLE reconnects and the poll it triggers resyncs by UID). Where the server has
no IDLE the watcher ends and the loop polls at its interval. Each mailbox is
polled only by the worker holding its lease, renewed every cycle and every
batch of a long poll.
"""

from __future__ import annotations

import asyncio
import logging
import random
import socket
import threading
from datetime import datetime
from typing import Callable

from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from . import journeys
from .errors import IntakeBotError, StorageError
from .ingest import poll_mailbox
from .lease import acquire, release
from .mailbox import open_mailbox
from .outbox import recover_own, send_due

log = logging.getLogger(__name__)


class Runner:
    def __init__(self, settings, engine, pipeline, env, *, now: Callable[[], datetime], worker: str,
                 interval: float | None = None):
        self.settings, self.engine, self.pipeline, self.env = settings, engine, pipeline, env
        self.now, self.worker = now, worker
        self.interval = interval if interval is not None else settings.pipeline.poll_interval_seconds
        self._stop = threading.Event()
        self._wake = threading.Event()
        self.failures = 0
        self.held: set[str] = set()
        self._watching: dict[str, object] = {}  # mailbox name -> its open watcher connection

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        for box in list(self._watching.values()):
            _interrupt(box)

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def run(self, *, max_cycles: int | None = None) -> None:
        recover_own(self.engine, worker=self.worker)
        if self.settings.workers.idle:
            for cfg in self.settings.mailboxes:
                threading.Thread(target=self._watch, args=(cfg,), name=f"watch-{cfg.name}", daemon=True).start()
        cycles = 0
        try:
            while not self.stopping:
                self._wake.clear()  # before the poll: mail arriving during it wakes the next one
                ok = self.cycle()
                cycles += 1
                if max_cycles is not None and cycles >= max_cycles:
                    break
                self._wake.wait(self.delay(ok))
        finally:
            if not self.stopping:  # max_cycles reached: the watchers end too
                self.stop()
            for name in list(self.held):
                try:
                    release(self.engine, name, worker=self.worker)
                except Exception:  # the database may be gone; the lease then simply expires
                    log.warning("could not release the lease on %s; it expires by itself", name)

    def _watch(self, cfg) -> None:
        """Wake the main loop when mail arrives in ``cfg`` while this worker holds it (IMAP IDLE).

        Returns where the server has no IDLE: the loop's interval is the polling then.
        A broken IDLE reconnects (inside ``wait_for_change``, or here with backoff) and
        wakes the loop, whose poll resyncs by UID.
        """
        failures = 0
        while not self.stopping:
            if cfg.name not in self.held:  # another worker's mailbox: nothing to wait for
                self._stop.wait(1.0)
                continue
            try:
                with open_mailbox(cfg) as box:
                    if not box.supports_idle():
                        log.info("watcher %s: no IDLE on this server; polling every %g s",
                                 cfg.name, self.interval)
                        return
                    self._watching[cfg.name] = box
                    self._wake.set()  # mail may have come between the last poll and this IDLE
                    failures = 0
                    while not self.stopping and cfg.name in self.held:
                        if box.wait_for_change(timeout=float(cfg.idle_renew_seconds)):
                            self._wake.set()
            except IntakeBotError as exc:
                failures += 1
                if not self.stopping:
                    log.warning("watcher %s: %s", cfg.name, exc)
            except Exception as exc:  # never let a watcher die silently
                failures += 1
                if not self.stopping:
                    log.warning("watcher %s failed: %s", cfg.name, type(exc).__name__)
            finally:
                self._watching.pop(cfg.name, None)
            self._stop.wait(min(300.0, 2.0 ** min(failures, 8)) * random.uniform(0.5, 1.0))

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
                if not self.renew(cfg.name):
                    continue  # another live worker holds this mailbox
                report = poll_mailbox(self.settings, self.engine, self.pipeline, cfg, now=self.now,
                                      keep=lambda name=cfg.name: self.renew(name), stop=lambda: self.stopping)
                ok &= report.error is None
            except (StorageError, DBAPIError) as exc:
                log.error("database unavailable (%s); will retry", str(getattr(exc, "orig", exc)).splitlines()[0])
                ok = False
        for step in (self.send, self.timed_jobs):
            try:
                step()
            except (IntakeBotError, DBAPIError) as exc:
                log.error("%s: %s; will retry", step.__name__, str(getattr(exc, "orig", exc)).splitlines()[0])
                ok = False
            except Exception as exc:  # keep running; the error is logged with its type
                log.exception("%s failed: %s", step.__name__, type(exc).__name__)
                ok = False
        return ok

    def renew(self, name: str) -> bool:
        """Take or renew the lease on mailbox ``name``; False if another live worker has it."""
        mine = acquire(self.engine, name, worker=self.worker, now=self.now(),
                       ttl_seconds=self.settings.workers.lease_ttl_seconds)
        if mine and name not in self.held:
            log.info("worker %s now works mailbox %s", self.worker, name)
        (self.held.add if mine else self.held.discard)(name)
        return mine

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
            hooks = run_pending(session, self.settings, self.now())
            session.commit()
        if hooks["ok"] or hooks["failed"]:
            log.info("suppression hooks: %s", hooks)
        with Session(self.engine, expire_on_commit=False) as session:
            alerts = queue_staff_reminders(session, self.settings, self.env, now=self.now())
            session.commit()
        if alerts:
            log.info("staff reminders queued: %d", alerts)
        key = run_digest_job(self.engine, self.settings, self.env, now=self.now())
        if key:
            log.info("digest queued: %s", key)
        from .retention import run_daily

        run_daily(self.engine, self.settings, now=self.now())


def _interrupt(box) -> None:
    """Break a watcher's blocking IDLE from another thread (shutting its socket down)."""
    try:
        box._client.sock.shutdown(socket.SHUT_RDWR)
    except Exception:  # noqa: BLE001 - already closed or never connected
        pass
