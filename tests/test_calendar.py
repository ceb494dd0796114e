"""The working-day calendar: the examples of the working-day rule, holidays and lunch breaks."""

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from workflows.calendar import DEFAULT_HOURS, CalendarError, WorkingCalendar, dutch_holidays

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
ONE_WORKING_DAY = timedelta(minutes=510)


def local(*parts) -> datetime:
    return datetime(*parts, tzinfo=AMSTERDAM)


@pytest.fixture
def calendar() -> WorkingCalendar:
    return WorkingCalendar()


@pytest.mark.parametrize(("submitted", "due"), [
    # Monday 14:00 is due Tuesday 14:00.
    (local(2025, 3, 10, 14, 0), local(2025, 3, 11, 14, 0)),
    # Friday 16:00 is due Monday 16:00.
    (local(2025, 3, 14, 16, 0), local(2025, 3, 17, 16, 0)),
    # Saturday, any time, is due Monday 17:00.
    (local(2025, 3, 15, 11, 20), local(2025, 3, 17, 17, 0)),
    # Before opening counts from opening: Monday 07:00 is due Monday 17:00.
    (local(2025, 3, 10, 7, 0), local(2025, 3, 10, 17, 0)),
    # After closing counts from the next opening: Monday 18:00 is due Tuesday 17:00.
    (local(2025, 3, 10, 18, 0), local(2025, 3, 11, 17, 0)),
    # Hemelvaartsdag (Thursday 29 May 2025) is closed: Wednesday 14:00 is due Friday 14:00.
    (local(2025, 5, 28, 14, 0), local(2025, 5, 30, 14, 0)),
    # Christmas: Wednesday 24 December 2025 10:00 is due Monday 29 December 10:00.
    (local(2025, 12, 24, 10, 0), local(2025, 12, 29, 10, 0)),
])
def test_add_one_working_day__matches_rule(calendar, submitted, due):
    assert calendar.add(submitted, ONE_WORKING_DAY) == due
    assert calendar.between(submitted.astimezone(timezone.utc), due) <= ONE_WORKING_DAY


def test_add__across_october_2025_clock_change(calendar):
    submitted = local(2025, 10, 24, 16, 0)

    due = calendar.add(submitted, ONE_WORKING_DAY)

    assert due == local(2025, 10, 27, 16, 0)
    assert due.astimezone(timezone.utc) == datetime(2025, 10, 27, 15, 0, tzinfo=timezone.utc)
    assert calendar.between(submitted, due) == ONE_WORKING_DAY


def test_add__across_march_2026_clock_change(calendar):
    submitted = local(2026, 3, 27, 16, 0)

    due = calendar.add(submitted, ONE_WORKING_DAY)

    assert due.astimezone(timezone.utc) == datetime(2026, 3, 30, 14, 0, tzinfo=timezone.utc)


def test_add__keeps_the_start_time_zone(calendar):
    submitted = datetime(2025, 3, 10, 13, 0, tzinfo=timezone.utc)

    due = calendar.add(submitted, ONE_WORKING_DAY)

    assert due.tzinfo == timezone.utc
    assert due == local(2025, 3, 11, 14, 0)


def test_add__ending_at_closing_time_ends_then(calendar):
    assert calendar.add(local(2025, 3, 10, 8, 30), ONE_WORKING_DAY) == local(2025, 3, 10, 17, 0)


def test_add__zero_duration_returns_start(calendar):
    saturday = local(2025, 3, 15, 11, 0)

    assert calendar.add(saturday, timedelta(0)) == saturday


def test_add__naive_start_is_rejected(calendar):
    with pytest.raises(ValueError, match="aware"):
        calendar.add(datetime(2025, 3, 10, 14, 0), ONE_WORKING_DAY)


def test_lunch_break__is_not_working_time():
    hours = {day: ((time(8, 30), time(12, 0)), (time(12, 30), time(17, 0))) for day in range(5)}
    calendar = WorkingCalendar(hours=hours)

    assert calendar.add(local(2025, 3, 10, 11, 30), timedelta(hours=1)) == local(2025, 3, 10, 13, 0)
    assert calendar.between(local(2025, 3, 10, 11, 0), local(2025, 3, 10, 13, 0)) == timedelta(
        hours=1, minutes=30)
    # One working day of this calendar is 8 hours.
    assert calendar.add(local(2025, 3, 10, 14, 0), timedelta(hours=8)) == local(2025, 3, 11, 14, 0)


def test_between__weekend_and_reverse_order(calendar):
    friday = local(2025, 3, 14, 16, 0)
    monday = local(2025, 3, 17, 9, 0)

    assert calendar.between(friday, monday) == timedelta(hours=1, minutes=30)
    assert calendar.between(monday, friday) == timedelta(0)


@pytest.mark.parametrize(("name", "day"), [
    ("Goede vrijdag", date(2025, 4, 18)),
    ("Bevrijdingsdag", date(2025, 5, 5)),
])
def test_holiday_switched_off__is_a_working_day(name, day):
    closed = WorkingCalendar(is_closed=dutch_holidays())
    opened = WorkingCalendar(is_closed=dutch_holidays(frozenset({name})))

    assert closed.is_closed(day)
    assert not opened.is_closed(day)
    assert opened.day_intervals(day)


def test_extra_closing_day__moves_due_time():
    closing_day = date(2025, 3, 11)
    calendar = WorkingCalendar(is_closed=lambda day: day == closing_day)

    assert calendar.add(local(2025, 3, 10, 14, 0), ONE_WORKING_DAY) == local(2025, 3, 12, 14, 0)


def test_calendar_without_open_hours__raises():
    calendar = WorkingCalendar(hours={day: () for day in range(7)}, is_closed=lambda day: False)

    with pytest.raises(CalendarError, match="no business hours"):
        calendar.add(local(2025, 3, 10, 14, 0), ONE_WORKING_DAY)


def test_range_closing_before_it_opens__raises():
    with pytest.raises(CalendarError, match="open before it closes"):
        WorkingCalendar(hours={0: ((time(17, 0), time(8, 30)),)})


def test_default_hours__are_monday_to_friday():
    assert sorted(DEFAULT_HOURS) == [0, 1, 2, 3, 4]


def test_overlapping_ranges__raise():
    with pytest.raises(CalendarError, match="must not overlap"):
        WorkingCalendar(hours={0: ((time(8, 0), time(12, 30)), (time(12, 0), time(17, 0)))})


def test_add__far_apart_moments_any_order(calendar):
    # A result must not depend on earlier calls. The table of open ranges grows forwards
    # for a far due time and is rebuilt for an earlier moment.
    cases = [
        (local(2026, 6, 1, 9, 0), ONE_WORKING_DAY * 200),
        (local(2025, 1, 6, 9, 0), ONE_WORKING_DAY),
        (local(2028, 3, 6, 9, 0), ONE_WORKING_DAY),
        (local(2024, 12, 30, 9, 0), ONE_WORKING_DAY * 3),
    ]
    due_times = [calendar.add(start, duration) for start, duration in cases]

    for (start, duration), due in zip(cases, due_times):
        assert WorkingCalendar().add(start, duration) == due
        assert calendar.between(start, due) == duration
    # 200 working days from Monday 1 June 2026: 40 weeks less the closed public holidays.
    assert due_times[0].date() > date(2027, 3, 1)
    assert calendar.between(local(2024, 12, 30, 9, 0), local(2028, 3, 7, 9, 0)) > ONE_WORKING_DAY * 700
