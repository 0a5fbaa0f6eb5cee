"""`intake-bot cases ...` and `intake-bot suppressions ...`."""

from __future__ import annotations

import csv
import getpass
import io
import json
from datetime import date, datetime, time, timezone

import click
from sqlmodel import Session, select

from . import REQUEST_TYPES


def _default_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user database in a container
        return "staff"


def _case_row(c, today: date, tz) -> dict:
    return {
        "reference": c.reference, "status": c.status, "types": list(c.request_types),
        "language": c.language, "received": c.received_at.astimezone(tz).date().isoformat(),
        "due": c.due_date.isoformat() if c.due_date else None,
        "target": c.internal_target.isoformat() if c.internal_target else None,
        "days_left": (c.due_date - today).days if c.due_date else None,
        "extended": c.extended, "assignee": c.assignee, "needs_review": c.needs_review,
        "flags": c.flags or {},
    }


def _table(rows: list[dict], cols: list[str]) -> str:
    if not rows:
        return "(no cases)"
    cells = [[("" if r[c] is None else ",".join(r[c]) if isinstance(r[c], list) else str(r[c])) for c in cols]
             for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in cells)) for i, c in enumerate(cols)]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(cols, widths))]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths)) for row in cells]
    return "\n".join(lines)


def case_json(session, case, settings) -> dict:
    from .cases import events, pauses
    from .models import InboundMessage, OutboxMessage

    today = datetime.now(timezone.utc).astimezone(settings.organisation.tz).date()
    msgs = session.exec(select(InboundMessage).where(InboundMessage.case_id == case.id)
                        .order_by(InboundMessage.id)).all()
    out = session.exec(select(OutboxMessage).where(OutboxMessage.case_id == case.id)
                       .order_by(OutboxMessage.id)).all()
    return {
        **_case_row(case, today, settings.organisation.tz),
        "requester": case.requester,
        "channel": case.channel,
        "mailbox": case.mailbox,
        "received_at": case.received_at.isoformat(),
        "original_due": case.original_due_date.isoformat() if case.original_due_date else None,
        "internal_target": case.internal_target.isoformat() if case.internal_target else None,
        "related_case_id": case.related_case_id,
        "duplicate_of_case_id": case.duplicate_of_case_id,
        "verification": {
            "required": case.verification_required,
            "requested_at": case.verification_requested_at.isoformat() if case.verification_requested_at else None,
            "verified_at": case.verified_at.isoformat() if case.verified_at else None,
            "expires_at": case.code_expires_at.isoformat() if case.code_expires_at else None,
            "attempts": case.verification_attempts,
            "locked": case.verification_locked,
            "verified_by": (case.flags or {}).get("verified_by"),
            "reminded_at": case.verification_reminded_at.isoformat() if case.verification_reminded_at else None,
        },
        "pauses": [{"start": a.isoformat(), "end": b.isoformat() if b else None}
                   for a, b in pauses(session=session, case=case)],
        "events": [{"at": e.at.isoformat(), "actor": e.actor, "kind": e.kind, "from": e.from_status,
                    "to": e.to_status, "reason": e.reason, "data": e.data} for e in events(session=session, case=case)],
        "messages": [{"id": m.id, "mailbox": m.mailbox, "received_at": m.received_at.isoformat(),
                      "subject": m.subject, "disposition": m.disposition, "language": m.language,
                      "request_types": m.request_types, "scores": m.scores, "rules": m.rules,
                      "automated": m.automated} for m in msgs],
        "outbox": [{"id": o.id, "kind": o.kind, "status": o.status, "message_id": o.message_id,
                    "created_at": o.created_at.isoformat(), "sent_at": o.sent_at.isoformat() if o.sent_at else None,
                    "attempts": o.attempts, "last_error": o.last_error} for o in out],
    }


def register(main: click.Group, pass_app) -> None:
    @main.group()
    def cases():
        """List, show and act on cases. Every action is audited.

        Example: intake-bot cases list --open
        """

    @cases.command("list")
    @click.option("--json", "as_json", is_flag=True)
    @click.option("--status", "statuses", multiple=True, help="Only these statuses (repeatable).")
    @click.option("--type", "types", multiple=True, type=click.Choice(REQUEST_TYPES))
    @click.option("--due-before", type=click.DateTime(["%Y-%m-%d"]))
    @click.option("--open", "only_open", is_flag=True, help="Only open cases.")
    @pass_app
    def list_cases(app, as_json, statuses, types, due_before, only_open):
        """Cases as a table (or JSON lines).

        Example: intake-bot cases list --status awaiting_verification --due-before 2026-12-31
        """
        from .cases import OPEN, refresh_paused_deadlines
        from .models import Case

        now = datetime.now(timezone.utc)
        tz = app.settings.organisation.tz
        today = now.astimezone(tz).date()
        with Session(app.engine) as session:
            refresh_paused_deadlines(session=session, settings=app.settings, now=now)  # shown live, not stored
            q = select(Case).order_by(Case.id)
            if statuses:
                q = q.where(Case.status.in_(statuses))
            if only_open:
                q = q.where(Case.status.in_(sorted(OPEN)))
            if due_before:
                q = q.where(Case.due_date < due_before.date())
            rows = [_case_row(c, today, tz) for c in session.exec(q)
                    if not types or set(types) & set(c.request_types)]
        if as_json:
            for r in rows:
                click.echo(json.dumps(r, ensure_ascii=False))
        else:
            click.echo(_table(rows, ["reference", "status", "types", "language", "received", "target", "due",
                                     "days_left", "assignee"]))

    @cases.command("show")
    @click.argument("reference")
    @click.option("--json", "as_json", is_flag=True)
    @pass_app
    def show(app, reference, as_json):
        """One case: status, deadline, verification, timeline of events, messages, replies.

        Example: intake-bot cases show DSR-2026-000123 --json
        """
        from .cases import get_case

        with Session(app.engine) as session:
            data = case_json(session, get_case(session=session, reference=reference), app.settings)
        if as_json:
            click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
            return
        click.echo(f"{data['reference']}  {data['status']}  types: {', '.join(data['types'])}  "
                   f"language: {data['language']}")
        click.echo(f"received {data['received_at']}  internal target {data['target']}  "
                   f"due {data['due']} ({data['days_left']} days left)"
                   + ("  EXTENDED" if data["extended"] else ""))
        v = data["verification"]
        if v["required"]:
            click.echo(f"verification: requested {v['requested_at']}, verified {v['verified_at']}, "
                       f"attempts {v['attempts']}, locked {v['locked']}")
        if data["flags"]:
            click.echo("flags: " + ", ".join(f"{k}={v}" for k, v in data["flags"].items()))
        click.echo("timeline:")
        for e in data["events"]:
            move = f" {e['from']}->{e['to']}" if e["to"] else ""
            click.echo(f"  {e['at'][:19]}  {e['actor']:<14} {e['kind']}{move}: {e['reason'] or ''}")
        click.echo("messages:")
        for m in data["messages"]:
            click.echo(f"  #{m['id']} {m['received_at'][:19]} [{m['disposition']}] {m['subject'][:60]}")
        click.echo("replies:")
        for o in data["outbox"]:
            click.echo(f"  #{o['id']} {o['kind']} {o['status']} {o['message_id']}")

    def _act(app, reference, fn, **kw):
        from .cases import get_case

        now = datetime.now(timezone.utc)
        with Session(app.engine, expire_on_commit=False) as session:
            case = get_case(session=session, reference=reference)
            fn(session=session, case=case, now=now, **kw)
            session.commit()
            return case

    by = click.option("--by", "actor", default=_default_actor, show_default="$USER",
                      help="The staff member doing this (audited).")

    @cases.command("new")
    @click.option("--from", "requester", required=True, help="The requester's email address.")
    @click.option("--type", "types", multiple=True, required=True, type=click.Choice(REQUEST_TYPES))
    @click.option("--received", required=True, type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M"]))
    @click.option("--language", default="nb", type=click.Choice(["nb", "sv", "da", "fi", "en", "de"]))
    @click.option("--channel", default="post", type=click.Choice(["post", "phone", "forwarded", "email"]))
    @by
    @pass_app
    def new(app, requester, types, received, language, channel, actor):
        """Record a request that came by post or phone, or that staff forward in.

        Example: intake-bot cases new --from kari@example.no --type access --received 2026-11-20
        """
        from . import staff

        tz = app.settings.organisation.tz
        received_at = (received if received.hour or received.minute else datetime.combine(received.date(), time(12)))
        received_at = received_at.replace(tzinfo=tz)
        now = datetime.now(timezone.utc)
        with Session(app.engine, expire_on_commit=False) as session:
            case = staff.new_case(session=session, settings=app.settings, requester=requester, types=list(types),
                                  received_at=received_at, language=language, channel=channel, actor=actor, now=now)
            session.commit()
        click.echo(f"{case.reference} due {case.due_date}")

    @cases.command("extend")
    @click.argument("reference")
    @click.option("--reason", required=True, help="Why (told to the requester).")
    @by
    @pass_app
    def extend(app, reference, reason, actor):
        """Extend by two further months (Art. 12(3)); only before the original deadline.

        Example: intake-bot cases extend DSR-2026-000123 --reason "Large volume of records across systems"
        """
        from . import staff

        case = _act(app, reference, staff.extend, settings=app.settings, env=app.env, reason=reason, actor=actor)
        click.echo(f"{case.reference} extended to {case.due_date}; the requester will be told")

    @cases.command("close")
    @click.argument("reference")
    @click.option("--outcome", required=True, type=click.Choice(["completed", "refused", "withdrawn"]))
    @click.option("--note", required=True, help="What was done; for a refusal, the reasons (sent to the requester).")
    @by
    @pass_app
    def close(app, reference, outcome, note, actor):
        """Close a case. A refusal sends the Art. 12(4) notice with the reasons.

        Example: intake-bot cases close DSR-2026-000123 --outcome completed --note "Copy sent by post"
        """
        from . import staff

        case = _act(app, reference, staff.close, settings=app.settings, env=app.env, outcome=outcome, note=note,
                    actor=actor)
        click.echo(f"{case.reference} {case.status}")

    @cases.command("hold")
    @click.argument("reference")
    @click.option("--reason", required=True, help="The clarification needed (told to the requester).")
    @by
    @pass_app
    def hold(app, reference, reason, actor):
        """Put a case on hold for clarification; the clock stops under the configured policy.

        Example: intake-bot cases hold DSR-2026-000123 --reason "Which of the two accounts do you mean?"
        """
        from . import staff

        case = _act(app, reference, staff.hold, settings=app.settings, env=app.env, reason=reason, actor=actor)
        click.echo(f"{case.reference} on hold")

    @cases.command("resume")
    @click.argument("reference")
    @click.option("--reason", required=True)
    @by
    @pass_app
    def resume(app, reference, reason, actor):
        """Take a case off hold; the clock runs again.

        Example: intake-bot cases resume DSR-2026-000123 --reason "Requester clarified by phone"
        """
        from . import staff

        case = _act(app, reference, staff.resume, settings=app.settings, env=app.env, reason=reason, actor=actor)
        click.echo(f"{case.reference} {case.status}, due {case.due_date}")

    @cases.command("verify")
    @click.argument("reference")
    @click.option("--reason", required=True, help="How identity was confirmed.")
    @by
    @pass_app
    def verify(app, reference, reason, actor):
        """Mark identity as verified by other means (unlocks a locked case).

        Example: intake-bot cases verify DSR-2026-000123 --reason "Known customer, confirmed by phone"
        """
        from . import staff

        case = _act(app, reference, staff.mark_verified, settings=app.settings, reason=reason, actor=actor)
        click.echo(f"{case.reference} verified")

    @cases.command("assign")
    @click.argument("reference")
    @click.option("--to", "to", required=True)
    @by
    @pass_app
    def assign(app, reference, to, actor):
        """Assign a case to a staff member.

        Example: intake-bot cases assign DSR-2026-000123 --to ingrid
        """
        from . import staff

        case = _act(app, reference, staff.assign, to=to, actor=actor)
        click.echo(f"{case.reference} assigned to {case.assignee}")

    @cases.command("note")
    @click.argument("reference")
    @click.argument("text")
    @by
    @pass_app
    def note(app, reference, text, actor):
        """Add a note to a case's audit trail.

        Example: intake-bot cases note DSR-2026-000123 "Called the requester"
        """
        from . import staff

        case = _act(app, reference, staff.note, text=text, actor=actor)
        click.echo(f"note added to {case.reference}")

    @cases.command("export")
    @click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
    @pass_app
    def export(app, fmt):
        """Export all cases, with the on-time rate.

        Example: intake-bot cases export --format csv > cases.csv
        """
        from .reporting import export_cases

        click.echo(export_cases(app.engine, app.settings, fmt=fmt, now=datetime.now(timezone.utc)), nl=False)

    @main.group("known-requesters")
    def known_requesters():
        """The known-requesters directory as an SQL table ([verification] known_requesters_table).

        Example: intake-bot known-requesters import customers.csv --replace
        """

    @known_requesters.command("import")
    @click.argument("csv_file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--replace", "replace_all", is_flag=True, help="Remove addresses not in the file.")
    @pass_app
    def known_import(app, csv_file, replace_all):
        """Load address,customer_number,case_numbers rows from a CSV file into the table.

        Example: intake-bot known-requesters import customers.csv
        """
        from .directory import import_rows, read_csv

        rows = read_csv(csv_file)
        with Session(app.engine) as session:
            n = import_rows(session, rows, now=datetime.now(timezone.utc), replace_all=replace_all)
            session.commit()
        click.echo(f"{n} known requester(s) imported" + (" (others removed)" if replace_all else ""))

    @main.group()
    def suppressions():
        """The newsletter suppression list (unsubscribes and marketing objections).

        Example: intake-bot suppressions list
        """

    def _suppression_rows(app) -> list[dict]:
        from .models import Suppression

        with Session(app.engine) as session:
            return [{"address": s.address, "reason": s.reason, "created_at": s.created_at.isoformat(),
                     "hook": s.hook_status or ""}
                    for s in session.exec(select(Suppression).order_by(Suppression.created_at))]

    def _emit(rows: list[dict], fmt: str) -> None:
        if fmt == "json":
            click.echo(json.dumps(rows, indent=2))
        elif fmt == "csv":
            buf = io.StringIO()
            w = csv.DictWriter(buf, fieldnames=["address", "reason", "created_at", "hook"])
            w.writeheader()
            w.writerows(rows)
            click.echo(buf.getvalue(), nl=False)
        else:
            for r in rows:
                click.echo(f"{r['address']}\t{r['reason']}\t{r['created_at']}\t{r['hook'] or '-'}")

    @suppressions.command("list")
    @click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
                  show_default=True)
    @pass_app
    def supp_list(app, fmt):
        """Show suppressed addresses (and whether the newsletter hook took them).

        Example: intake-bot suppressions list --format csv
        """
        _emit(_suppression_rows(app), fmt)

    @suppressions.command("export")
    @click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
    @pass_app
    def supp_export(app, fmt):
        """Export the suppression list for the newsletter system.

        Example: intake-bot suppressions export --format json
        """
        _emit(_suppression_rows(app), fmt)
