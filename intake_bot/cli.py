"""`intake-bot`: thin commands over the library. Errors become one readable line here."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path

import click

from .errors import IntakeBotError, SystemFailure, UserError


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class App:
    """Built once per invocation and passed down: settings, engine, model."""

    def __init__(self, config_path: str | None):
        self.config_path = config_path

    @cached_property
    def settings(self):
        from .config import find_config_path, load_settings

        return load_settings(find_config_path(self.config_path))

    @cached_property
    def engine(self):
        from .db import ensure_schema, make_engine

        engine = make_engine(self.settings.database.url)
        ensure_schema(engine)
        return engine

    @cached_property
    def classifier(self):
        from .classify import default_classifier

        return default_classifier(None, self.settings.pipeline.review_margin)

    @cached_property
    def env(self):
        from .replies import make_env

        return make_env()

    def pipeline(self):
        from .pipeline import Pipeline

        return Pipeline(self.settings, self.engine, self.classifier, self.env, now=utcnow)


class Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except UserError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        except SystemFailure as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        except IntakeBotError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        except Exception as exc:
            from sqlalchemy.exc import DBAPIError  # not imported at start-up: `classify` stays fast

            if not isinstance(exc, DBAPIError):
                raise
            # the database is down, locked or refused us: one line, no traceback
            from .health import plain

            text = str(exc.orig or exc).strip()
            detail = text.splitlines()[0] if text else type(exc).__name__
            click.echo(f"error: database unavailable: {plain(detail)} (check [database] url; "
                       "`intake-bot check-config` tests the connection)", err=True)
            sys.exit(1)


pass_app = click.make_pass_decorator(App)


@click.group(cls=Group)
@click.option("--config", "config_path", envvar="INTAKE_BOT_CONFIG", type=click.Path(dir_okay=False),
              help="The TOML configuration file (or set INTAKE_BOT_CONFIG).")
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
@click.pass_context
def main(ctx, config_path, verbose):
    """Take in data-protection requests by email, answer them on time, never lose one.

    Example: intake-bot --config intake-bot.toml run
    """
    from .logs import setup_logging

    setup_logging(verbose)
    ctx.obj = App(config_path)


# --------------------------------------------------------------------------- classify
def _eml_paths(paths: tuple[str, ...]):
    for p in paths:
        if p == "-":
            yield "-"
            continue
        path = Path(p)
        if path.is_dir():
            yield from (str(x) for x in sorted(path.rglob("*.eml")))
        else:
            yield p


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--explain", is_flag=True, help="Add the evidence: sentences per label and the rules that fired.")
@click.option("--progress/--no-progress", default=None, help="Progress bar on stderr (default: when stderr is a terminal).")
def classify(paths, explain, progress):
    """Classify .eml files, directories of them (recursively) or - for stdin.

    Prints one JSON object per message per line.

    Example: intake-bot classify samples/ --explain
    """
    from .classify import default_classifier
    from .parse import parse_message

    clf = default_classifier()
    files = list(_eml_paths(paths))
    show = progress if progress is not None else sys.stderr.isatty()
    failures = 0
    with click.progressbar(length=len(files), label="classifying", file=sys.stderr) if show and len(files) > 1 \
            else _NoBar() as bar:
        for path in files:
            try:
                raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
                msg = parse_message(raw)
                result = clf.classify(msg, explain=explain)
                out = {"path": path, "message_id": msg.message_id, **result.to_json(explain=explain)}
            except (OSError, IntakeBotError) as exc:
                failures += 1
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                out = {"path": path, "error": f"{type(exc).__name__}: {reason}"}
            click.echo(json.dumps(out, ensure_ascii=False))
            bar.update(1)
    if failures:
        click.echo(f"{failures} of {len(files)} input(s) could not be classified", err=True)
        sys.exit(1)


class _NoBar:
    def __enter__(self): return self
    def __exit__(self, *exc): return None
    def update(self, n): pass


@main.command()
@click.option("--models-dir", default="models", show_default=True, type=click.Path(file_okay=False))
def train(models_dir):
    """Rebuild the classifier from models/corpus (fixed seed) and write models/metrics.json.

    Example: intake-bot train
    """
    from .train import train as do_train

    metrics = do_train(Path(models_dir), log=lambda s: click.echo(s, err=True))
    click.echo(json.dumps(metrics["summary"], indent=2))


# --------------------------------------------------------------------------- deadline
@main.command()
@click.argument("received")
@click.option("--country", default="NO", show_default=True)
@click.option("--subdivision", default=None, help="e.g. BY for Bavaria")
@click.option("--extended", is_flag=True, help="The date after the two-month extension.")
@click.option("--timezone", "tz", default="Europe/Oslo", show_default=True)
def deadline(received, country, subdivision, extended, tz):
    """Print the statutory due date (first line, ISO) and how it was reached.

    Example: intake-bot deadline 2026-01-31 --extended
    """
    from .deadlines import explain

    for line in explain(received, country, subdivision, extended, timezone=tz):
        click.echo(line)


# --------------------------------------------------------------------------- config & db
@main.command("check-config")
@pass_app
def check_config(app):
    """Validate the configuration and try every connection. Secrets are never printed.

    Example: intake-bot --config intake-bot.toml check-config
    """
    from .config import ConfigError, find_config_path
    from .health import check_all, missing_secrets

    try:
        settings = app.settings
    except ConfigError as exc:
        click.echo(f"FAIL configuration: {exc}")
        # a missing secret stops loading at the first one: name all of them at once
        for where, var in missing_secrets(find_config_path(app.config_path)):
            if var not in str(exc):
                click.echo(f"FAIL configuration: {where}: environment variable {var} (password_env) is not set")
        sys.exit(2)
    ok = True
    for name, good, detail in check_all(settings):
        ok &= good
        click.echo(f"{'ok  ' if good else 'FAIL'} {name}: {detail}")
    sys.exit(0 if ok else 1)


@main.group()
def db():
    """Database schema commands.

    Example: intake-bot db upgrade
    """


@db.command("upgrade")
@pass_app
def db_upgrade(app):
    """Create or migrate the schema (Alembic).

    Example: intake-bot db upgrade
    """
    from .db import upgrade

    upgrade(app.settings.database.url)
    click.echo("database is at the latest schema")


from . import cli_cases, cli_run  # noqa: E402  (commands register themselves)

cli_cases.register(main, pass_app)
cli_run.register(main, pass_app, utcnow)
cli_run.register_breaker(main, pass_app)

from . import cli_digest, cli_safety  # noqa: E402

cli_digest.register(main, pass_app, utcnow)
cli_safety.register(main, pass_app, utcnow)
