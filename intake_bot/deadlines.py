"""Statutory deadlines for data-subject requests: pure date arithmetic.

GDPR Art. 12(3): the controller answers "without undue delay and in any event
within one month of receipt", extendable "by two further months where
necessary", provided the data subject is told within the first month.
The month is counted as Reg. (EEC, Euratom) No 1182/71 says (and as EDPB
Guidelines 01/2022 on the right of access, paragraphs 159-161, read it):

* the period starts on the day of receipt, whatever day of the week that is;
* it ends on the same date one month later; where that date does not exist,
  on the last day of that month (31 Jan -> 28/29 Feb);
* where the last day is a Saturday, Sunday or public holiday, the period ends
  at the end of the next working day (configurable with ``roll``).

Stop-the-clock (waiting for identity verification or clarification) follows
the configured policy: ``none`` (the clock never stops), ``suspend`` (EDPB
para. 159: the deadline moves later by the paused calendar days) or
``restart`` (the ICO reading: the month restarts when the answer arrives).

Everything here is pure: time is always a parameter, nothing is read from the
clock, and every result carries human-readable explanation steps so staff can
see why a date is what it is. Holiday tables are cached per
(country, subdivision, year) because bulk recomputation is common.
"""

from __future__ import annotations

import calendar
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from intake_bot.errors import DeadlineError

__all__ = [
    "STOP_CLOCK_POLICIES",
    "DeadlinePolicy",
    "Deadline",
    "add_months",
    "is_working_day",
    "roll_forward",
    "working_days_before",
    "compute_deadline",
    "check_extension",
    "days_left",
    "explain",
]

STOP_CLOCK_POLICIES: tuple[str, ...] = ("none", "suspend", "restart")

#: One month, plus two further months when extended (Art. 12(3)).
BASE_MONTHS = 1
EXTENDED_MONTHS = 3

# Longest run of non-working days we accept before assuming the holiday data is
# broken (real calendars top out around 5: Easter, Christmas + weekend).
_MAX_ROLL_DAYS = 14


# --------------------------------------------------------------------------- policy
@dataclass(frozen=True)
class DeadlinePolicy:
    """How the organisation counts deadlines. Validated on construction."""

    country: str = "NO"
    subdivision: str | None = None
    timezone: str = "Europe/Oslo"
    roll: bool = True
    stop_clock: str = "suspend"
    internal_target_days: int = 20

    def __post_init__(self) -> None:
        object.__setattr__(self, "country", _norm_country(self.country))
        object.__setattr__(self, "subdivision", _norm_subdivision(self.subdivision))
        if self.stop_clock not in STOP_CLOCK_POLICIES:
            raise DeadlineError(
                f"unknown stop-the-clock policy {self.stop_clock!r}; "
                f"expected one of {', '.join(STOP_CLOCK_POLICIES)}"
            )
        if not isinstance(self.internal_target_days, int) or self.internal_target_days < 0:
            raise DeadlineError(
                f"internal_target_days must be a non-negative integer, got {self.internal_target_days!r}"
            )
        _zone(self.timezone)  # raises DeadlineError for an unknown zone
        _holiday_table(self.country, self.subdivision, 2000)  # unknown country/subdivision


@dataclass(frozen=True)
class Deadline:
    """The answer to "when is this request due?" plus the reasoning behind it.

    ``due`` is the date that applies (the extended one when ``extended``);
    ``original_due`` is always the one-month deadline, which is also the last
    day on which an extension may be declared. The period ends at the end of
    ``due`` in the organisation's time zone.
    """

    received: date
    due: date
    extended: bool
    steps: tuple[str, ...]
    paused_days: int
    clock_stopped: bool
    internal_target: date
    original_due: date
    extension_reason: str | None = None


# --------------------------------------------------------------------------- holidays
def _norm_country(country: str) -> str:
    if not isinstance(country, str) or not country.strip():
        raise DeadlineError(f"country must be an ISO 3166-1 alpha-2 code, got {country!r}")
    return country.strip().upper()


def _norm_subdivision(subdivision: str | None) -> str | None:
    if subdivision is None:
        return None
    if not isinstance(subdivision, str):
        raise DeadlineError(f"subdivision must be a string or None, got {subdivision!r}")
    return subdivision.strip().upper() or None


def _where(country: str, subdivision: str | None) -> str:
    return f"{country}-{subdivision}" if subdivision else country


@functools.lru_cache(maxsize=512)
def _holiday_table(country: str, subdivision: str | None, year: int) -> Mapping[date, str]:
    """Public holidays of one country/subdivision/year as a read-only date -> name map."""
    try:
        table = holidays.country_holidays(country, subdiv=subdivision, years=year, language="en_US")
    except (NotImplementedError, KeyError, ValueError) as exc:
        raise DeadlineError(
            f"no public-holiday calendar for {_where(country, subdivision)}: {exc}"
        ) from None
    return MappingProxyType(dict(table.items()))


def _holiday_name(d: date, country: str, subdivision: str | None) -> str | None:
    return _holiday_table(_norm_country(country), _norm_subdivision(subdivision), d.year).get(d)


def _non_working_reason(d: date, country: str, subdivision: str | None) -> str | None:
    """Why ``d`` is not a working day ("a Saturday", "a public holiday (X)"), or None."""
    name = _holiday_name(d, country, subdivision)
    if name is not None:
        return f"a public holiday ({name})"
    if d.weekday() >= 5:
        return f"a {d:%A}"
    return None


def is_working_day(d: date, *, country: str, subdivision: str | None = None) -> bool:
    """True unless ``d`` is a Saturday, Sunday or public holiday there."""
    return _non_working_reason(d, country, subdivision) is None


def roll_forward(d: date, *, country: str, subdivision: str | None = None) -> tuple[date, list[str]]:
    """The first working day on or after ``d``, with one explanation step if it moved.

    The step names why ``d`` is not a working day and any further public
    holidays skipped on the way (weekends in between go without saying).
    """
    day = d
    first: str | None = None
    also: list[str] = []
    for _ in range(_MAX_ROLL_DAYS + 1):
        reason = _non_working_reason(day, country, subdivision)
        if reason is None:
            if first is None:
                return day, []
            step = f"{d.isoformat()} is {first} -> next working day {day.isoformat()}"
            if also:
                step += f" (also skipping {', '.join(also)})"
            return day, [step]
        if first is None:
            first = reason
        else:
            name = _holiday_name(day, country, subdivision)
            if name is not None:
                also.append(f"{name} {day.isoformat()}")
        day += timedelta(days=1)
    raise DeadlineError(
        f"more than {_MAX_ROLL_DAYS} non-working days in a row after {d.isoformat()} "
        f"in {_where(_norm_country(country), _norm_subdivision(subdivision))}; holiday data looks wrong"
    )


def working_days_before(day: date, n: int, *, country: str, subdivision: str | None = None) -> date:
    """The date ``n`` working days before ``day`` (``day`` itself not counted).

    ``working_days_before(due, 3, ...)`` is the "3 working days left" reminder
    date. ``n == 0`` returns ``day`` unchanged.
    """
    if not isinstance(n, int) or n < 0:
        raise DeadlineError(f"n must be a non-negative integer, got {n!r}")
    current = day
    remaining = n
    while remaining:
        current -= timedelta(days=1)
        if is_working_day(current, country=country, subdivision=subdivision):
            remaining -= 1
    return current


# --------------------------------------------------------------------------- months
def add_months(d: date, months: int) -> date:
    """Same day-of-month ``months`` later (or earlier), clamped to the month's last day."""
    return _add_months_explained(d, months)[0]


def _add_months_explained(d: date, months: int) -> tuple[date, str]:
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise DeadlineError(f"{d.isoformat()} plus {months} month(s) is out of range")
    last = calendar.monthrange(year, month)[1]
    if d.day <= last:
        result = date(year, month, d.day)
        return result, result.isoformat()
    result = date(year, month, last)
    return result, (
        f"{year:04d}-{month:02d}-{d.day:02d} does not exist, clamped to {result.isoformat()}"
    )


def _months_phrase(months: int) -> str:
    if months == BASE_MONTHS:
        return "one calendar month"
    if months == EXTENDED_MONTHS:
        return "three calendar months (one month plus two further months, Art. 12(3))"
    return f"{months} calendar months"


# --------------------------------------------------------------------------- time zone
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise DeadlineError(f"unknown time zone {name!r}") from None


def _require_aware(dt: datetime, what: str) -> None:
    if not isinstance(dt, datetime):
        raise DeadlineError(f"{what} must be a datetime, got {type(dt).__name__}")
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise DeadlineError(f"{what} must be timezone-aware (got naive {dt.isoformat()})")


def _local_date(dt: datetime, tz: ZoneInfo, what: str) -> date:
    _require_aware(dt, what)
    return dt.astimezone(tz).date()


def _receipt_steps(received_at: datetime, tz: ZoneInfo, policy: DeadlinePolicy) -> tuple[date, list[str]]:
    _require_aware(received_at, "received_at")
    local = received_at.astimezone(tz)
    received = local.date()
    steps = [f"received {received.isoformat()} ({received:%A}) in {policy.timezone}"]
    if received_at.date() != received:
        steps.append(
            f"the receipt time {received_at.isoformat(timespec='minutes')} is "
            f"{local.isoformat(timespec='minutes')} in {policy.timezone}, so the local date counts"
        )
    reason = _non_working_reason(received, policy.country, policy.subdivision)
    if reason is not None:
        steps.append(f"receipt on {reason} still starts the period (Reg. 1182/71)")
    return received, steps


# --------------------------------------------------------------------------- pauses
@dataclass(frozen=True)
class _Pause:
    start: date
    end: date
    open: bool


def _local_pauses(
    pauses: Sequence[tuple[datetime, datetime | None]],
    tz: ZoneInfo,
    received: date,
    now: datetime | None,
) -> list[_Pause]:
    """Pauses as local dates, clipped to receipt, sorted and merged where they overlap."""
    spans: list[_Pause] = []
    for i, pause in enumerate(pauses):
        try:
            start_at, end_at = pause
        except (TypeError, ValueError):
            raise DeadlineError(f"pause #{i + 1} must be a (start, end-or-None) pair") from None
        start = _local_date(start_at, tz, f"pause #{i + 1} start")
        is_open = end_at is None
        if is_open:
            if now is None:
                raise DeadlineError(f"pause #{i + 1} is still open; pass now= to compute the deadline")
            end_at = now
        end = _local_date(end_at, tz, f"pause #{i + 1} end" if not is_open else "now")
        if end_at < start_at:
            raise DeadlineError(
                f"pause #{i + 1} starts after now" if is_open else f"pause #{i + 1} ends before it starts"
            )
        if end < received:
            continue  # entirely before receipt: irrelevant
        spans.append(_Pause(max(start, received), end, is_open))
    spans.sort(key=lambda p: (p.start, p.end))
    merged: list[_Pause] = []
    for span in spans:
        if merged and span.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = _Pause(last.start, max(last.end, span.end), last.open or span.open)
        else:
            merged.append(span)
    return merged


# --------------------------------------------------------------------------- core
def _roll(d: date, policy: DeadlinePolicy) -> tuple[date, list[str]]:
    if policy.roll:
        rolled, steps = roll_forward(d, country=policy.country, subdivision=policy.subdivision)
        if not steps:
            steps = [f"{d.isoformat()} is a working day in {_where(policy.country, policy.subdivision)}"]
        return rolled, steps
    reason = _non_working_reason(d, policy.country, policy.subdivision)
    if reason is None:
        return d, []
    return d, [f"{d.isoformat()} is {reason}; not moved (roll disabled)"]


def _period_end(anchor: date, months: int, extra_days: int, policy: DeadlinePolicy) -> tuple[date, list[str]]:
    """anchor + months (clamped) + extra calendar days, then rolled; with steps."""
    base, how = _add_months_explained(anchor, months)
    steps = [f"{_months_phrase(months)} from {anchor.isoformat()}: {how}"]
    if extra_days:
        base += timedelta(days=extra_days)
        steps.append(f"plus {extra_days} paused day(s): {base.isoformat()}")
    rolled, roll_steps = _roll(base, policy)
    return rolled, steps + roll_steps


@dataclass(frozen=True)
class _Clock:
    anchor: date
    paused_days: int
    clock_stopped: bool
    steps: tuple[str, ...]


def _run_clock(received: date, pauses: list[_Pause], policy: DeadlinePolicy, months: int) -> _Clock:
    """Apply the stop-the-clock policy: where the period effectively starts and how many days it is paused."""
    if not pauses:
        return _Clock(received, 0, False, ())
    if policy.stop_clock == "none":
        return _Clock(
            received, 0, False,
            (f"stop-the-clock policy 'none': {len(pauses)} pause(s) ignored",),
        )
    anchor, paused, stopped = received, 0, False
    steps: list[str] = []
    for pause in pauses:
        # A pause only matters if the clock was still running when it began.
        running_due, _ = _period_end(anchor, months, paused, policy)
        if pause.start > running_due:
            steps.append(
                f"pause from {pause.start.isoformat()} began after the deadline {running_due.isoformat()}; ignored"
            )
            continue
        ended = "still waiting" if pause.open else f"resumed {pause.end.isoformat()}"
        if pause.open:
            stopped = True
        if policy.stop_clock == "suspend":
            days = (pause.end - pause.start).days
            paused += days
            steps.append(
                f"clock stopped {pause.start.isoformat()}, {ended}: {days} calendar day(s) "
                f"(suspend, EDPB 01/2022 para. 159)"
            )
        else:  # restart
            anchor = pause.end
            steps.append(
                f"clock stopped {pause.start.isoformat()}, {ended}: the month restarts from "
                f"{anchor.isoformat()} (restart policy)"
            )
    if stopped:
        steps.append("the clock is stopped now; dates are shown as if it resumed today")
    return _Clock(anchor, paused, stopped, tuple(steps))


def compute_deadline(
    received_at: datetime,
    policy: DeadlinePolicy,
    *,
    extended: bool = False,
    pauses: Sequence[tuple[datetime, datetime | None]] = (),
    now: datetime | None = None,
    extension_reason: str | None = None,
) -> Deadline:
    """The statutory deadline for a request received at ``received_at``.

    ``received_at`` is the aware receipt time (IMAP INTERNALDATE). ``pauses``
    are (start, end) stop-the-clock intervals; an end of ``None`` means the
    clock is still stopped and ``now`` is required to show a due date as if it
    resumed at ``now``. ``extended=True`` gives the Art. 12(3) extended date; use
    :func:`check_extension` to decide whether an extension is still allowed.
    """
    tz = _zone(policy.timezone)
    received, steps = _receipt_steps(received_at, tz, policy)
    if now is not None:
        _require_aware(now, "now")
    local_pauses = _local_pauses(pauses, tz, received, now)
    base_clock = _run_clock(received, local_pauses, policy, BASE_MONTHS)
    # Extended, the clock runs longer, so a pause within the two further months counts too.
    clock = _run_clock(received, local_pauses, policy, EXTENDED_MONTHS) if extended else base_clock
    steps.extend(clock.steps)

    original_due, original_steps = _period_end(base_clock.anchor, BASE_MONTHS, base_clock.paused_days, policy)
    if extended:
        steps.extend(f"original deadline: {s}" for s in original_steps)
        due, extended_steps = _period_end(clock.anchor, EXTENDED_MONTHS, clock.paused_days, policy)
        steps.extend(extended_steps)
        steps.append(f"extended deadline {due.isoformat()} (original {original_due.isoformat()})")
    else:
        due = original_due
        steps.extend(original_steps)
        steps.append(f"deadline {due.isoformat()} ({due:%A})")

    # The internal target runs on the one-month clock and never passes the original deadline.
    target_base = base_clock.anchor + timedelta(days=policy.internal_target_days + base_clock.paused_days)
    target, _ = _roll(target_base, policy)
    if target > original_due:
        target = original_due
        steps.append(f"internal target capped at the deadline {original_due.isoformat()}")
    else:
        steps.append(
            f"internal target {target.isoformat()}: {policy.internal_target_days} calendar days"
            f" after {base_clock.anchor.isoformat()}"
            + (f" plus {base_clock.paused_days} paused day(s)" if base_clock.paused_days else "")
            + (", moved to a working day" if target != target_base else "")
        )

    return Deadline(
        received=received,
        due=due,
        extended=extended,
        steps=tuple(steps),
        paused_days=clock.paused_days,
        clock_stopped=clock.clock_stopped,
        internal_target=target,
        original_due=original_due,
        extension_reason=extension_reason if extended else None,
    )


def check_extension(
    received_at: datetime,
    policy: DeadlinePolicy,
    *,
    now: datetime,
    reason: str,
    pauses: Sequence[tuple[datetime, datetime | None]] = (),
) -> Deadline:
    """Extend by two further months, if still allowed; returns the extended deadline.

    Art. 12(3) lets the controller extend only by telling the data subject
    within the first month, with reasons. So ``now`` (in the organisation's
    time zone) must be no later than the end of the original deadline day and
    ``reason`` must be non-empty. Raises :class:`DeadlineError` otherwise.
    """
    if not isinstance(reason, str) or not reason.strip():
        raise DeadlineError("an extension needs a reason (Art. 12(3): the data subject must be told why)")
    _require_aware(now, "now")
    original = compute_deadline(received_at, policy, pauses=pauses, now=now)
    today = now.astimezone(_zone(policy.timezone)).date()
    if today > original.due:
        raise DeadlineError(
            f"too late to extend: the original deadline was {original.due.isoformat()} "
            f"and it is now {today.isoformat()} in {policy.timezone}; an extension must be "
            f"declared within the first month (Art. 12(3))"
        )
    result = compute_deadline(
        received_at, policy, extended=True, pauses=pauses, now=now, extension_reason=reason.strip()
    )
    step = f"extension declared {today.isoformat()}, within the original deadline {original.due.isoformat()}; reason recorded"
    return replace(result, steps=result.steps + (step,))


def days_left(due: date, today: date) -> int:
    """Calendar days from ``today`` to ``due``: 0 on the due day, negative when overdue."""
    return (due - today).days


# --------------------------------------------------------------------------- CLI helper
def _parse_received(text: str, tz: ZoneInfo, tz_name: str) -> tuple[datetime, str | None]:
    text = text.strip()
    try:
        if len(text) == 10:
            d = date.fromisoformat(text)
            return datetime.combine(d, time(12, 0), tzinfo=tz), None
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise DeadlineError(
            f"cannot read {text!r} as a date; use YYYY-MM-DD or an ISO datetime such as 2026-01-31T23:30:00+00:00"
        ) from None
    if dt.tzinfo is None:
        return dt.replace(tzinfo=tz), f"no UTC offset given; read as local time in {tz_name}"
    return dt, None


def explain(
    date_str: str,
    country: str = "NO",
    subdivision: str | None = None,
    extended: bool = False,
    *,
    timezone: str = "Europe/Oslo",
) -> list[str]:
    """Lines for ``intake-bot deadline DATE``: the ISO due date first, then the reasoning."""
    policy = DeadlinePolicy(country=country, subdivision=subdivision, timezone=timezone)
    received_at, note = _parse_received(date_str, _zone(policy.timezone), policy.timezone)
    result = compute_deadline(received_at, policy, extended=extended)
    lines = [result.due.isoformat()]
    if note:
        lines.append(note)
    lines.extend(result.steps)
    return lines
