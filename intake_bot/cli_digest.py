"""`intake-bot digest`: preview the staff digest or queue it now. A thin wrapper over digest.py."""

from __future__ import annotations

from pathlib import Path

import click

from .digest import STAFF_LANGUAGES


def register(main: click.Group, pass_app, utcnow) -> None:
    @main.command()
    @click.option("--preview", "preview_file", type=click.Path(dir_okay=False, writable=True),
                  help="Write the HTML version to FILE (open it in a browser); the text is printed.")
    @click.option("--send", "send_now", is_flag=True,
                  help="Queue today's digest for the staff recipients now (once per day; the outbox sends it).")
    @click.option("--weekly", is_flag=True, help="The weekly digest (last 7 days) instead of the daily one.")
    @click.option("--lang", type=click.Choice(STAFF_LANGUAGES), default=None,
                  help="Staff language (default: [digest] language in the configuration).")
    @pass_app
    def digest(app, preview_file, send_now, weekly, lang):
        """Show the staff digest, or queue it with --send. It never names requesters.

        Without options the plain-text digest is printed.

        Example: intake-bot digest --preview /tmp/digest.html

        Example: intake-bot digest --send --lang nb
        """
        from datetime import timedelta

        from sqlalchemy.exc import IntegrityError
        from sqlmodel import Session

        from .digest import already_sent, build_digest, digest_key, previous_digest_at, queue_digest, render_digest

        settings, now = app.settings, utcnow()
        kind = "weekly" if weekly else "daily"
        lang = lang or settings.digest.language
        with Session(app.engine, expire_on_commit=False) as session:
            if send_now:
                key = digest_key(settings, now, kind)
                if already_sent(session, settings, now=now, kind=kind):
                    click.echo(f"the {kind} digest for this period was already queued ({key}); nothing to do")
                    return
                try:
                    rows = queue_digest(session, settings, app.env, now=now, kind=kind, lang=lang)
                    session.commit()
                except IntegrityError:
                    session.rollback()
                    click.echo(f"the {kind} digest for this period was just queued by another worker ({key})")
                    return
                click.echo(f"queued {key} for {len(rows)} recipient(s); `intake-bot send --once` sends it")
                return
            since = (now - timedelta(days=7) if weekly
                     else previous_digest_at(session, before=now, period="daily"))
            rendered = render_digest(app.env, build_digest(session, settings, now=now, since=since, period=kind),
                                     lang)
        if preview_file:
            Path(preview_file).write_text(rendered.html, encoding="utf-8")
            click.echo(f"HTML written to {preview_file}", err=True)
        click.echo(f"Subject: {rendered.subject}\n")
        click.echo(rendered.text, nl=False)
