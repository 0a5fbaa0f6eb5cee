"""Deadline engine: GDPR Art. 12(3), Reg. 1182/71, EDPB Guidelines 01/2022 paras. 159-161."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake_bot.deadlines import (
    Deadline,
    DeadlinePolicy,
    _holiday_table,
    add_months,
    check_extension,
    compute_deadline,
    days_left,
    explain,
    is_working_day,
    roll_forward,
    working_days_before,
)
from intake_bot.errors import DeadlineError, IntakeBotError

OSLO = ZoneInfo("Europe/Oslo")
BERLIN = ZoneInfo("Europe/Berlin")
NORWAY = DeadlinePolicy()


def oslo(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=OSLO)


# --------------------------------------------------------------------------- the table
TABLE = [
    # received, policy, due, extended due (None = not asserted)
    (date(2026, 1, 31), NORWAY, date(2026, 3, 2), date(2026, 4, 30)),
    (date(2026, 3, 31), NORWAY, date(2026, 4, 30), date(2026, 6, 30)),
    (date(2026, 12, 24), NORWAY, date(2027, 1, 25), date(2027, 3, 24)),
    (date(2028, 4, 17), NORWAY, date(2028, 5, 18), date(2028, 7, 17)),
    (date(2028, 1, 31), NORWAY, date(2028, 2, 29), date(2028, 5, 2)),
    (date(2026, 5, 4), DeadlinePolicy(country="DE", subdivision="BY", timezone="Europe/Berlin"), date(2026, 6, 5), None),
    (date(2026, 5, 4), DeadlinePolicy(country="DE", subdivision="BE", timezone="Europe/Berlin"), date(2026, 6, 4), None),
]


@pytest.mark.parametrize(("received", "policy", "due", "ext"), TABLE, ids=lambda v: str(v))
def test_table(received: date, policy: DeadlinePolicy, due: date, ext: date | None) -> None:
    at = datetime.combine(received, time(11, 0), tzinfo=ZoneInfo(policy.timezone))
    result = compute_deadline(at, policy)
    assert result.received == received
    assert result.due == due
    assert result.original_due == due
    assert not result.extended
    if ext is not None:
        extended = compute_deadline(at, policy, extended=True)
        assert extended.due == ext
        assert extended.original_due == due
        assert extended.extended


def test_table_weekdays_are_as_stated() -> None:
    # Guards the table itself: the weekday names in the brief.
    assert [d.strftime("%a") for d in (date(2026, 3, 2), date(2027, 1, 25), date(2028, 5, 18), date(2028, 5, 2))] == [
        "Mon", "Mon", "Thu", "Tue"
    ]


def test_explanation_steps_for_clamp_and_weekend_roll() -> None:
    steps = compute_deadline(oslo(2026, 1, 31), NORWAY).steps
    assert steps[0] == "received 2026-01-31 (Saturday) in Europe/Oslo"
    assert any("2026-02-31 does not exist, clamped to 2026-02-28" in s for s in steps)
    assert "2026-02-28 is a Saturday -> next working day 2026-03-02" in steps
    assert any("receipt on a Saturday still starts the period" in s for s in steps)


def test_holiday_roll_names_the_holiday() -> None:
    steps = compute_deadline(oslo(2028, 4, 17), NORWAY).steps
    assert "2028-05-17 is a public holiday (Constitution Day) -> next working day 2028-05-18" in steps


def test_bavaria_rolls_over_corpus_christi_berlin_does_not() -> None:
    _, by_steps = roll_forward(date(2026, 6, 4), country="DE", subdivision="BY")
    assert by_steps == ["2026-06-04 is a public holiday (Corpus Christi) -> next working day 2026-06-05"]
    assert roll_forward(date(2026, 6, 4), country="DE", subdivision="BE") == (date(2026, 6, 4), [])


# --------------------------------------------------------------------------- time zone
def test_receipt_late_utc_is_next_day_in_oslo() -> None:
    at = datetime(2026, 1, 31, 23, 30, tzinfo=timezone.utc)  # 00:30 on 1 February in Oslo
    result = compute_deadline(at, NORWAY)
    assert result.received == date(2026, 2, 1)
    # 1 March 2026 is a Sunday -> Monday 2 March; 2026-02-28 would come from the UTC date.
    assert result.due == date(2026, 3, 2)
    assert result.steps[0] == "received 2026-02-01 (Sunday) in Europe/Oslo"
    assert any("local date counts" in s for s in result.steps)


def test_receipt_late_utc_changes_due_date() -> None:
    at = datetime(2026, 3, 30, 22, 30, tzinfo=timezone.utc)  # 00:30 on 31 March in Oslo (CEST)
    assert compute_deadline(at, NORWAY).due == date(2026, 4, 30)
    assert compute_deadline(at, DeadlinePolicy(timezone="UTC")).due == date(2026, 4, 30)
    at_utc_day = datetime(2026, 4, 29, 22, 30, tzinfo=timezone.utc)  # 30 April in Oslo
    assert compute_deadline(at_utc_day, DeadlinePolicy(timezone="UTC")).received == date(2026, 4, 29)
    assert compute_deadline(at_utc_day, NORWAY).received == date(2026, 4, 30)


def test_naive_receipt_rejected() -> None:
    with pytest.raises(DeadlineError, match="timezone-aware"):
        compute_deadline(datetime(2026, 1, 31, 12, 0), NORWAY)


# --------------------------------------------------------------------------- roll
def test_roll_disabled_keeps_weekend_date() -> None:
    result = compute_deadline(oslo(2026, 1, 31), DeadlinePolicy(roll=False))
    assert result.due == date(2026, 2, 28)
    assert any("not moved (roll disabled)" in s for s in result.steps)


def test_roll_forward_over_a_run_of_days() -> None:
    day, steps = roll_forward(date(2026, 5, 1), country="NO")
    assert day == date(2026, 5, 4)
    assert steps == ["2026-05-01 is a public holiday (Labor Day) -> next working day 2026-05-04"]
    day, steps = roll_forward(date(2026, 4, 2), country="NO")
    assert day == date(2026, 4, 7)
    assert steps == [
        "2026-04-02 is a public holiday (Maundy Thursday) -> next working day 2026-04-07 "
        "(also skipping Good Friday 2026-04-03, Easter Sunday 2026-04-05, Easter Monday 2026-04-06)"
    ]


def test_is_working_day() -> None:
    assert is_working_day(date(2026, 3, 2), country="NO")
    assert not is_working_day(date(2026, 2, 28), country="NO")  # Saturday
    assert not is_working_day(date(2026, 5, 17), country="NO")  # Constitution Day
    assert not is_working_day(date(2026, 6, 4), country="DE", subdivision="BY")
    assert is_working_day(date(2026, 6, 4), country="DE", subdivision="BE")
    assert is_working_day(date(2026, 6, 4), country="de", subdivision="be")  # case-insensitive


def test_working_days_before() -> None:
    # Thu 18 May 2028: 17 May holiday, Tue 16 (1), Mon 15 (2), weekend, Fri 12 (3).
    assert working_days_before(date(2028, 5, 18), 3, country="NO") == date(2028, 5, 12)
    assert working_days_before(date(2026, 6, 5), 1, country="DE", subdivision="BY") == date(2026, 6, 3)
    assert working_days_before(date(2026, 6, 5), 1, country="DE", subdivision="BE") == date(2026, 6, 4)
    assert working_days_before(date(2026, 3, 2), 0, country="NO") == date(2026, 3, 2)
    with pytest.raises(DeadlineError):
        working_days_before(date(2026, 3, 2), -1, country="NO")


def test_add_months_clamps() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 1, 31), 3) == date(2026, 4, 30)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)
    assert add_months(date(2026, 5, 15), 0) == date(2026, 5, 15)


# --------------------------------------------------------------------------- stop the clock
# Worked example: received Mon 2 March 2026; identity asked for on 4 March, it
# arrives on 10 March (6 calendar days). The plain month ends Thu 2 April 2026,
# which is Maundy Thursday: Good Friday, the weekend and Easter Monday follow.
RECEIVED = oslo(2026, 3, 2)
PAUSE = (oslo(2026, 3, 4, 9), oslo(2026, 3, 10, 15))


def test_stop_clock_none_ignores_pauses() -> None:
    result = compute_deadline(RECEIVED, DeadlinePolicy(stop_clock="none"), pauses=[PAUSE])
    assert result.due == date(2026, 4, 7)  # 2 April rolled over Easter
    assert result.paused_days == 0
    assert not result.clock_stopped
    assert any("'none'" in s for s in result.steps)


def test_stop_clock_suspend_adds_paused_days_before_rolling() -> None:
    result = compute_deadline(RECEIVED, DeadlinePolicy(stop_clock="suspend"), pauses=[PAUSE])
    assert result.paused_days == 6
    # Unrolled 2 April + 6 = Wed 8 April (a working day). Rolling first would give 7 + 6 = 13 April.
    assert result.due == date(2026, 4, 8)
    assert any("6 calendar day(s)" in s for s in result.steps)
    assert not result.clock_stopped


def test_stop_clock_suspend_with_extension() -> None:
    result = compute_deadline(RECEIVED, NORWAY, pauses=[PAUSE], extended=True)
    assert result.due == date(2026, 6, 8)  # 2 June + 6 days
    assert result.original_due == date(2026, 4, 8)


def test_stop_clock_restart_counts_a_new_month_from_resumption() -> None:
    result = compute_deadline(RECEIVED, DeadlinePolicy(stop_clock="restart"), pauses=[PAUSE])
    assert result.due == date(2026, 4, 10)  # 10 March + one month
    assert result.paused_days == 0
    extended = compute_deadline(RECEIVED, DeadlinePolicy(stop_clock="restart"), pauses=[PAUSE], extended=True)
    assert extended.due == date(2026, 6, 10)


def test_same_day_pause_costs_nothing() -> None:
    pause = (oslo(2026, 3, 4, 9), oslo(2026, 3, 4, 16))
    assert compute_deadline(RECEIVED, NORWAY, pauses=[pause]).due == date(2026, 4, 7)


def test_open_pause_reports_clock_stopped_and_due_as_of_now() -> None:
    now = oslo(2026, 3, 20, 12)
    result = compute_deadline(RECEIVED, NORWAY, pauses=[(oslo(2026, 3, 4, 9), None)], now=now)
    assert result.clock_stopped
    assert result.paused_days == 16
    assert result.due == date(2026, 4, 20)  # 2 April + 16 = Sat 18 April -> Mon 20 April
    assert any("clock is stopped" in s for s in result.steps)
    with pytest.raises(DeadlineError, match="now="):
        compute_deadline(RECEIVED, NORWAY, pauses=[(oslo(2026, 3, 4, 9), None)])


def test_overlapping_pauses_are_merged() -> None:
    pauses = [(oslo(2026, 3, 8), oslo(2026, 3, 12)), PAUSE]  # 4..12 March = 8 days
    result = compute_deadline(RECEIVED, NORWAY, pauses=pauses)
    assert result.paused_days == 8
    assert result.due == date(2026, 4, 10)


def test_pause_after_deadline_is_ignored() -> None:
    late = (oslo(2026, 4, 10), oslo(2026, 4, 15))
    result = compute_deadline(RECEIVED, NORWAY, pauses=[late])
    assert result.due == date(2026, 4, 7)
    assert result.paused_days == 0
    assert any("ignored" in s for s in result.steps)


def test_pause_in_the_extended_period_counts_only_when_extended() -> None:
    late = (oslo(2026, 4, 10), oslo(2026, 4, 15))  # after 7 April, before the extended 2 June
    extended = compute_deadline(RECEIVED, NORWAY, pauses=[late], extended=True)
    assert extended.paused_days == 5
    assert extended.due == date(2026, 6, 8)  # Tue 2 June + 5 = Sun 7 June -> Mon 8 June
    assert extended.original_due == date(2026, 4, 7)


def test_pause_ending_before_it_starts_rejected() -> None:
    with pytest.raises(DeadlineError, match="ends before it starts"):
        compute_deadline(RECEIVED, NORWAY, pauses=[(oslo(2026, 3, 10), oslo(2026, 3, 4))])


# --------------------------------------------------------------------------- extension
def test_extension_on_the_last_day_allowed() -> None:
    result = check_extension(oslo(2026, 1, 31), NORWAY, now=oslo(2026, 3, 2, 23, 59), reason="complex request")
    assert result.extended
    assert result.due == date(2026, 4, 30)
    assert result.original_due == date(2026, 3, 2)
    assert result.extension_reason == "complex request"
    assert "reason recorded" in result.steps[-1]


def test_extension_after_the_deadline_rejected() -> None:
    with pytest.raises(DeadlineError, match="too late to extend: the original deadline was 2026-03-02"):
        check_extension(oslo(2026, 1, 31), NORWAY, now=oslo(2026, 3, 3, 0, 1), reason="complex request")


def test_extension_deadline_is_end_of_day_in_org_time_zone() -> None:
    late_utc = datetime(2026, 3, 2, 23, 30, tzinfo=timezone.utc)  # already 3 March in Oslo
    with pytest.raises(DeadlineError):
        check_extension(oslo(2026, 1, 31), NORWAY, now=late_utc, reason="many requests")


@pytest.mark.parametrize("reason", ["", "   "])
def test_extension_needs_a_reason(reason: str) -> None:
    with pytest.raises(DeadlineError, match="reason"):
        check_extension(oslo(2026, 1, 31), NORWAY, now=oslo(2026, 2, 10), reason=reason)


def test_extension_respects_paused_days() -> None:
    # Without the pause the deadline would be 7 April; with it, 8 April, so 8 April is still in time.
    result = check_extension(RECEIVED, NORWAY, now=oslo(2026, 4, 8, 20), reason="x", pauses=[PAUSE])
    assert result.due == date(2026, 6, 8)


# --------------------------------------------------------------------------- internal target
def test_internal_target_default_twenty_days() -> None:
    assert compute_deadline(oslo(2026, 1, 31), NORWAY).internal_target == date(2026, 2, 20)


def test_internal_target_rolled_and_configurable() -> None:
    # 2 March + 20 = Sun 22 March -> Mon 23 March.
    assert compute_deadline(RECEIVED, NORWAY).internal_target == date(2026, 3, 23)
    assert compute_deadline(RECEIVED, DeadlinePolicy(internal_target_days=10)).internal_target == date(2026, 3, 12)
    # Suspended days push the internal target as well.
    assert compute_deadline(RECEIVED, NORWAY, pauses=[PAUSE]).internal_target == date(2026, 3, 30)


def test_internal_target_never_after_due() -> None:
    result = compute_deadline(RECEIVED, DeadlinePolicy(internal_target_days=40))
    assert result.internal_target == result.due == date(2026, 4, 7)


def test_days_left() -> None:
    assert days_left(date(2026, 3, 2), date(2026, 2, 28)) == 2
    assert days_left(date(2026, 3, 2), date(2026, 3, 2)) == 0
    assert days_left(date(2026, 3, 2), date(2026, 3, 5)) == -3


# --------------------------------------------------------------------------- configuration
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"country": "XX"}, "no public-holiday calendar for XX"),
        ({"country": "DE", "subdivision": "ZZ"}, "DE-ZZ"),
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"stop_clock": "pause"}, "stop-the-clock policy"),
        ({"internal_target_days": -1}, "internal_target_days"),
    ],
)
def test_bad_policy_rejected(kwargs: dict, match: str) -> None:
    with pytest.raises(DeadlineError, match=match):
        DeadlinePolicy(**kwargs)


def test_unknown_country_in_helpers() -> None:
    with pytest.raises(IntakeBotError):
        is_working_day(date(2026, 1, 1), country="XX")


def test_holiday_tables_are_cached() -> None:
    compute_deadline(oslo(2026, 1, 31), NORWAY)
    before = _holiday_table.cache_info()
    for day in range(200):
        compute_deadline(oslo(2026, 1, 1) + timedelta(days=day), NORWAY)
    after = _holiday_table.cache_info()
    assert after.misses - before.misses <= 2  # 2026 and 2027 at most
    assert after.hits > before.hits


# --------------------------------------------------------------------------- CLI lines
def test_explain_first_line_is_iso_due_date() -> None:
    lines = explain("2026-01-31")
    assert lines[0] == "2026-03-02"
    assert "received 2026-01-31 (Saturday) in Europe/Oslo" in lines
    assert explain("2026-01-31", extended=True)[0] == "2026-04-30"
    assert explain("2026-05-04", "DE", "BY")[0] == "2026-06-05"
    assert explain("2026-05-04", "DE", "BE")[0] == "2026-06-04"


def test_explain_accepts_iso_datetimes() -> None:
    assert explain("2026-01-31T23:30:00+00:00")[0] == "2026-03-02"
    naive = explain("2026-01-31T23:30:00")
    assert naive[0] == "2026-03-02"
    assert any("read as local time" in line for line in naive)


def test_explain_rejects_garbage() -> None:
    with pytest.raises(DeadlineError, match="cannot read"):
        explain("31.01.2026")


# --------------------------------------------------------------------------- properties
POLICIES = [
    NORWAY,
    DeadlinePolicy(country="SE", timezone="Europe/Stockholm"),
    DeadlinePolicy(country="DK", timezone="Europe/Copenhagen"),
    DeadlinePolicy(country="FI", timezone="Europe/Helsinki"),
    DeadlinePolicy(country="DE", subdivision="BY", timezone="Europe/Berlin"),
]
receipts = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2040, 12, 31), timezones=st.just(timezone.utc)
)
policies = st.sampled_from(POLICIES)


@settings(max_examples=150, deadline=None)
@given(receipts, policies)
def test_property_due_at_least_one_month_and_working_day(at: datetime, policy: DeadlinePolicy) -> None:
    result = compute_deadline(at, policy)
    assert result.due >= add_months(result.received, 1)
    assert is_working_day(result.due, country=policy.country, subdivision=policy.subdivision)
    extended = compute_deadline(at, policy, extended=True)
    assert extended.due >= result.due
    assert extended.due >= add_months(result.received, 3)
    assert is_working_day(extended.due, country=policy.country, subdivision=policy.subdivision)
    assert result.received <= result.internal_target <= result.due


@settings(max_examples=150, deadline=None)
@given(receipts, receipts, policies)
def test_property_monotonic_in_receipt(a: datetime, b: datetime, policy: DeadlinePolicy) -> None:
    early, late = sorted((a, b))
    assert compute_deadline(early, policy).due <= compute_deadline(late, policy).due
    assert compute_deadline(early, policy, extended=True).due <= compute_deadline(late, policy, extended=True).due


@settings(max_examples=100, deadline=None)
@given(receipts, st.integers(0, 20), st.integers(0, 30))
def test_property_suspend_never_shortens(at: datetime, offset: int, length: int) -> None:
    start = at + timedelta(days=offset)
    plain = compute_deadline(at, NORWAY)
    paused = compute_deadline(at, NORWAY, pauses=[(start, start + timedelta(days=length))])
    assert paused.due >= plain.due
    assert paused.due >= add_months(paused.received, 1) + timedelta(days=paused.paused_days)


def test_result_is_frozen() -> None:
    result = compute_deadline(oslo(2026, 1, 31), NORWAY)
    assert isinstance(result, Deadline)
    with pytest.raises(AttributeError):
        result.due = date(2030, 1, 1)  # type: ignore[misc]
