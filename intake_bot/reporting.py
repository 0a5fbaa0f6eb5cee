"""Case exports for staff and auditors."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from sqlmodel import Session, select

from .cases import refresh_paused_deadlines
from .models import Case

FIELDS = ["reference", "status", "request_types", "language", "channel", "received", "due", "extended",
          "closed", "on_time", "assignee"]


def export_cases(engine, settings, *, fmt: str, now: datetime) -> str:
    tz = settings.organisation.tz
    today = now.astimezone(tz).date()
    rows = []
    with Session(engine) as session:
        refresh_paused_deadlines(session=session, settings=settings, now=now)
        for c in session.exec(select(Case).order_by(Case.id)):
            closed = c.closed_at.astimezone(tz).date() if c.closed_at else None
            if closed is not None:
                on_time = closed <= c.due_date if c.due_date else None
            else:
                on_time = None if (c.due_date is None or c.due_date >= today) else False
            rows.append({
                "reference": c.reference, "status": c.status, "request_types": " ".join(c.request_types),
                "language": c.language, "channel": c.channel,
                "received": c.received_at.astimezone(tz).date().isoformat(),
                "due": c.due_date.isoformat() if c.due_date else "", "extended": c.extended,
                "closed": closed.isoformat() if closed else "", "on_time": on_time,
                "assignee": c.assignee or "",
            })
    decided = [r for r in rows if r["on_time"] is not None]
    rate = sum(bool(r["on_time"]) for r in decided) / len(decided) if decided else None
    if fmt == "json":
        return json.dumps({"cases": rows, "on_time_rate": rate}, indent=2) + "\n"
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=FIELDS)
    w.writeheader()
    w.writerows(rows)
    buf.write(f"# on_time_rate,{'' if rate is None else f'{rate:.3f}'},{len(decided)} decided cases\n")
    return buf.getvalue()
