"""Commands that run the bot: poll, send, run, demo, status."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys

import click



def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def register(main: click.Group, pass_app, utcnow) -> None:
    @main.command()
    @click.option("--once", is_flag=True, required=True, help="Poll every mailbox once and exit.")
    @click.option("--progress/--no-progress", default=None, help="Progress on stderr (default: on a terminal).")
    @pass_app
    def poll(app, once, progress):
        """Fetch new mail from every mailbox, store it, decide, and queue replies.

        Example: intake-bot poll --once
        """
        from .lease import SingleProcessGuard

        from .ingest import PollReport, poll_mailbox
        from .lease import acquire, release

        reports = []
        with SingleProcessGuard(app.settings.database.url):
            pipeline = app.pipeline()
            for cfg in app.settings.mailboxes:
                if not acquire(app.engine, cfg.name, worker=worker_id(), now=utcnow(),
                               ttl_seconds=app.settings.workers.lease_ttl_seconds):
                    reports.append(PollReport(cfg.name, error="held by another running worker; skipped"))
                    continue
                try:
                    reports.append(poll_mailbox(app.settings, app.engine, pipeline, cfg, now=utcnow,
                                                progress=bool(progress), keep=lambda name=cfg.name: acquire(
                                                    app.engine, name, worker=worker_id(), now=utcnow(),
                                                    ttl_seconds=app.settings.workers.lease_ttl_seconds)))
                finally:
                    release(app.engine, cfg.name, worker=worker_id())
        failed = False
        for r in reports:
            if r.error:
                failed = True
                click.echo(f"{r.mailbox}: FAILED: {r.error}")
            else:
                parts = ", ".join(f"{k} {v}" for k, v in sorted(r.dispositions.items())) or "nothing new"
                click.echo(f"{r.mailbox}: {r.fetched} fetched ({parts})")
        sys.exit(1 if failed else 0)

    @main.command()
    @click.option("--once", is_flag=True, required=True, help="Send what is due once and exit.")
    @pass_app
    def send(app, once):
        """Send due outbox messages over one SMTP connection.

        Example: intake-bot send --once
        """
        from .lease import SingleProcessGuard
        from .outbox import recover_own, send_due

        total = {"sent": 0, "retried": 0, "failed": 0}
        with SingleProcessGuard(app.settings.database.url):  # released on return, not only at exit
            recover_own(app.engine, worker=worker_id())
            while True:
                rep = asyncio.run(send_due(app.engine, app.settings.smtp, worker=worker_id(), now=utcnow))
                for k in total:
                    total[k] += getattr(rep, k)
                if rep.claimed < app.settings.smtp.batch_size or rep.retried or rep.failed:
                    break
        click.echo(f"sent {total['sent']}, to retry {total['retried']}, failed {total['failed']}")

    @main.command()
    @click.option("--interval", type=float, default=None, help="Seconds between polls (default from config).")
    @click.option("--max-cycles", type=int, default=None, hidden=True)
    @pass_app
    def run(app, interval, max_cycles):
        """Poll, send and run timed jobs until SIGTERM/SIGINT, then stop cleanly.

        Example: intake-bot run
        """
        from .lease import SingleProcessGuard
        from .runner import Runner

        with SingleProcessGuard(app.settings.database.url):
            runner = Runner(app.settings, app.engine, app.pipeline(), app.env, now=utcnow, worker=worker_id(),
                            interval=interval)
            signal.signal(signal.SIGTERM, lambda *_: runner.stop())
            signal.signal(signal.SIGINT, lambda *_: runner.stop())
            runner.run(max_cycles=max_cycles)
        click.echo("stopped cleanly", err=True)

    @main.command()
    @click.option("--dir", "workdir", default="demo-out", show_default=True, type=click.Path(file_okay=False),
                  help="Where the demo's database, maildir and written replies go.")
    def demo(workdir):
        """Run the bot over ~20 sample messages with no servers: SQLite, a maildir, and
        replies written as .eml files. Shows what it did.

        Example: intake-bot demo
        """
        from .demo import run_demo

        run_demo(workdir, now=utcnow, echo=click.echo)

    @main.command()
    @click.option("--json", "as_json", is_flag=True)
    @pass_app
    def status(app, as_json):
        """Each mailbox's health and last successful poll, the outbox backlog, the last error.

        Example: intake-bot status
        """
        from .health import status_report

        report = status_report(app.settings, app.engine, now=utcnow())
        if as_json:
            click.echo(json.dumps(report, indent=2, default=str))
            return
        for m in report["mailboxes"]:
            click.echo(f"mailbox {m['name']}: {m['health']}; last success {m['last_success_at'] or 'never'}"
                       + (f"; last error {m['last_error']}" if m["last_error"] else ""))
        click.echo("outbox: " + (", ".join(f"{k} {v}" for k, v in report["outbox"].items()) or "empty"))
        err = report.get("outbox_last_error")
        if err:
            state = "failed for good" if err["status"] == "failed" else f"will retry, {err['attempts']} attempt(s)"
            click.echo(f"outbox last error ({err['kind']}, {state}): {err['error']}")
        if report.get("circuit_breaker"):
            click.echo("circuit breaker: TRIPPED, auto-replies paused")


def register_breaker(main: click.Group, pass_app) -> None:
    @main.group()
    def breaker():
        """The auto-reply circuit breaker.

        Example: intake-bot breaker reset
        """

    @breaker.command("reset")
    @pass_app
    def reset(app):
        """Resume auto-replies after the circuit breaker tripped (audited in the log).

        Example: intake-bot breaker reset
        """
        from sqlmodel import Session

        from .models import Marker
        from .screen import breaker_key

        with Session(app.engine) as session:
            marker = session.get(Marker, breaker_key(None))
            if marker is None:
                click.echo("the circuit breaker is not tripped")
                return
            session.delete(marker)
            session.commit()
        click.echo("circuit breaker reset: auto-replies resume")
