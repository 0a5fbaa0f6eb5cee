"""Outages: IMAP down and back, a wrong password, the database gone and back.

The run loop never crashes, never busy-loops (its delay grows, with jitter, up
to a cap), records a plain-words error for `intake-bot status`, and recovers
without a restart; a message seen during a database outage is not quarantined
and ends up stored exactly once.
"""

from __future__ import annotations

from datetime import datetime, timezone
from email.message import EmailMessage

from click.testing import CliRunner
from sqlmodel import Session, select

from intake_bot.classify import default_classifier
from intake_bot.cli import main
from intake_bot.config import settings_from_dict
from intake_bot.db import make_engine, upgrade
from intake_bot.models import InboundMessage, MailboxState
from intake_bot.pipeline import Pipeline
from intake_bot.replies import make_env
from intake_bot.runner import Runner
from tests.servers import Dovecot, Postgres


def mail(i: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"p{i}@example.org"
    msg["To"] = "info@alektumgroup.no"
    msg["Subject"] = "Faktura"
    msg["Message-ID"] = f"<out-{i}@example.org>"
    msg.set_content("Hei, jeg har betalt fakturaen. Mvh")
    return msg.as_bytes()


def runner_for(url, dovecot, password="pw", smtp_dir="out"):
    settings = settings_from_dict({
        "database": {"url": url},
        "mailboxes": [{"name": "info", "address": "info@alektumgroup.no", "host": "127.0.0.1", "port": dovecot.port,
                       "security": "none", "username": "bot", "password_env": "PW", "timeout": 5}],
        "smtp": {"transport": "directory", "directory": smtp_dir},
        "workers": {"idle": False},
    }, env={"PW": password})
    upgrade(url)
    engine = make_engine(url)
    now = lambda: datetime.now(timezone.utc)  # noqa: E731
    pipeline = Pipeline(settings, engine, default_classifier(), make_env(), now=now)
    return Runner(settings, engine, pipeline, make_env(), now=now, worker="w", interval=1.0), engine


def state(engine) -> MailboxState:
    with Session(engine) as s:
        return s.get(MailboxState, "info")


def test_imap_down_then_back_and_backoff_is_capped(tmp_path):
    with Dovecot(users={"bot": "pw"}) as dovecot:
        runner, engine = runner_for(f"sqlite:///{tmp_path / 'a.db'}", dovecot, smtp_dir=str(tmp_path / "o"))
        dovecot.append("bot", mail(1))
        dovecot.stop()
        assert runner.cycle() is False
        st = state(engine)
        assert st.consecutive_failures == 1 and "cannot connect" in st.last_error
        delays = [runner.delay(False) for _ in range(12)]
        assert delays[0] >= 1.0 and max(delays) <= 300.0 and delays[-1] > delays[0]  # grows, capped
        assert len({round(d, 3) for d in delays[-4:]}) > 1  # jitter: no thundering herd
        dovecot.start()
        assert runner.cycle() is True
        assert state(engine).consecutive_failures == 0
        with Session(engine) as s:
            assert len(list(s.exec(select(InboundMessage)))) == 1


def test_wrong_password_is_reported_in_plain_words_and_status_shows_it(tmp_path):
    with Dovecot(users={"bot": "pw"}) as dovecot:
        url = f"sqlite:///{tmp_path / 'b.db'}"
        runner, engine = runner_for(url, dovecot, password="wrong-secret-123", smtp_dir=str(tmp_path / "o"))
        assert runner.cycle() is False
        st = state(engine)
        assert "login failed" in st.last_error and "wrong-secret-123" not in st.last_error
        cfg = tmp_path / "c.toml"
        cfg.write_text(f'[database]\nurl = "{url}"\n[[mailboxes]]\nname = "info"\naddress = "info@alektumgroup.no"\n'
                       f'host = "127.0.0.1"\nport = {dovecot.port}\nsecurity = "none"\nusername = "bot"\n'
                       f'password_env = "PW"\n[smtp]\ntransport = "directory"\ndirectory = "{tmp_path / "o"}"\n')
        res = CliRunner(env={"PW": "x"}).invoke(main, ["--config", str(cfg), "status"])
        assert res.exit_code == 0, res.output
        assert "FAILING" in res.output and "login failed" in res.output and "outbox" in res.output


def test_database_unreachable_then_back_stores_once_and_quarantines_nothing(tmp_path):
    with Dovecot(users={"bot": "pw"}) as dovecot, Postgres() as pg:
        url = pg.create_database("outage")
        runner, engine = runner_for(url, dovecot, smtp_dir=str(tmp_path / "o"))
        dovecot.append("bot", mail(2))
        pg.stop()
        assert runner.cycle() is False  # the database is gone: logged, retried, nothing lost
        assert dovecot.folder_uids("bot", "INBOX")  # still in the inbox
        pg.start()
        engine.dispose()
        assert runner.cycle() is True
        with Session(engine) as s:
            rows = list(s.exec(select(InboundMessage)))
        assert len(rows) == 1 and rows[0].disposition != "quarantined"
        assert dovecot.folder_uids("bot", "INBOX") == []
