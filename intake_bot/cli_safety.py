"""`intake-bot purge`: retention of stored mail."""

from __future__ import annotations

import click


def register(main: click.Group, pass_app, utcnow) -> None:
    @main.command()
    @click.option("--dry-run", is_flag=True, help="Only show what would be purged.")
    @click.option("--days", type=int, default=None, help="Retention in days (default from [pipeline] retention_days).")
    @pass_app
    def purge(app, dry_run, days):
        """Purge message bodies of cases closed longer ago than the retention period.

        Metadata and the audit trail stay.

        Example: intake-bot purge --dry-run
        """
        from sqlmodel import Session

        from .retention import due_for_purge, outbox_due_for_purge, purge as do_purge, purge_outbox

        keep = days if days is not None else app.settings.pipeline.retention_days
        now = utcnow()
        with Session(app.engine) as session:
            items = due_for_purge(session, now=now, retention_days=keep)
            for it in items:
                click.echo(f"#{it.message_id}\t{it.mailbox}\t{it.received_at:%Y-%m-%d}\t"
                           f"{it.case_reference or '-'}\t{it.size} bytes")
            if dry_run:
                outbound = outbox_due_for_purge(session, now=now, retention_days=keep)
                click.echo(f"{len(items)} message bodies would be purged, and {outbound} bodies of our "
                           f"sent mail (retention {keep} days)")
                return
            n = do_purge(session, items, now=now)
            outbound = purge_outbox(session, now=now, retention_days=keep)
            session.commit()
        click.echo(f"{n} message bodies and {outbound} bodies of our sent mail purged (retention {keep} days); "
                   "metadata and audit trail kept")
