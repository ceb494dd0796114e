"""Due times compared with a slow minute-by-minute walk over random calendars, 2025 to 2030.

The walk counts a minute as working time when its local wall-clock time lies in
one of the weekday's ranges and its local date is not closed. Ranges start at
03:00 or later, because Europe/Amsterdam changes its clocks between 02:00 and
03:00 and a range around a skipped or repeated local time has no single reading.
"""

from datetime import date, datetime, time, timedelta, timezone
from unittest import mock
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.models import Ticket
from app.services import clock
from workflows.calendar import WorkingCalendar, dutch_holidays

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MINUTE = timedelta(minutes=1)
FIRST_MINUTE = datetime(2025, 1, 1, tzinfo=timezone.utc)
LAST_MINUTE = datetime(2030, 12, 31, 23, 59, tzinfo=timezone.utc)
EARLIEST_OPENING = 3 * 60


@st.composite
def weekday_ranges(draw) -> tuple[tuple[time, time], ...]:
    """Zero, one or two ranges (a lunch break) of whole minutes from 03:00 to 23:59."""
    count = draw(st.integers(0, 2))
    points = sorted(draw(st.sets(st.integers(EARLIEST_OPENING, 23 * 60 + 59),
                                 min_size=2 * count, max_size=2 * count)))
    as_time = [time(point // 60, point % 60) for point in points]
    return tuple(zip(as_time[::2], as_time[1::2]))


@st.composite
def calendars(draw) -> tuple[WorkingCalendar, dict, object]:
    hours = {weekday: draw(weekday_ranges()) for weekday in range(7)}
    open_minutes = sum((closes.hour * 60 + closes.minute) - (opens.hour * 60 + opens.minute)
                       for ranges in hours.values() for opens, closes in ranges)
    assume(open_minutes >= 60)
    closing_days = frozenset(draw(st.sets(
        st.dates(date(2025, 1, 1), date(2030, 12, 31)), max_size=10)))
    disabled = frozenset(draw(st.sets(st.sampled_from(["Goede vrijdag", "Bevrijdingsdag"]))))
    use_holidays = draw(st.booleans())
    is_holiday = dutch_holidays(disabled) if use_holidays else (lambda day: False)

    def is_closed(day: date) -> bool:
        return day in closing_days or is_holiday(day)

    return WorkingCalendar(hours=hours, is_closed=is_closed), hours, is_closed


def minutes_between(first: datetime, last: datetime) -> st.SearchStrategy:
    span = int((last - first) / MINUTE)
    return st.integers(0, span).map(lambda offset: first + offset * MINUTE)


def is_open(minute: datetime, hours: dict, is_closed) -> bool:
    wall = minute.astimezone(AMSTERDAM)
    if is_closed(wall.date()):
        return False
    moment = wall.time()
    return any(opens <= moment < closes for opens, closes in hours.get(wall.weekday(), ()))


def walk(start: datetime, minutes: int, hours: dict, is_closed) -> datetime:
    """Step one minute at a time from ``start`` until ``minutes`` working minutes have passed."""
    moment = start.astimezone(timezone.utc)
    while minutes > 0:
        if is_open(moment, hours, is_closed):
            minutes -= 1
        moment += MINUTE
    # A due time that falls on a closed minute is the end of the last open minute.
    return moment


def count_open(start: datetime, end: datetime, hours: dict, is_closed) -> int:
    moment, count = start.astimezone(timezone.utc), 0
    while moment < end:
        count += is_open(moment, hours, is_closed)
        moment += MINUTE
    return count


def durations(hours: dict) -> st.SearchStrategy:
    """Up to three default working days, and at most two weeks of this calendar's time."""
    weekly = sum((closes.hour * 60 + closes.minute) - (opens.hour * 60 + opens.minute)
                 for ranges in hours.values() for opens, closes in ranges)
    return st.integers(0, min(3 * 510, 2 * weekly))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), calendar_parts=calendars(),
       start=minutes_between(FIRST_MINUTE, LAST_MINUTE - timedelta(days=60)))
def test_add_and_between__match_minute_walk(data, calendar_parts, start):
    calendar, hours, is_closed = calendar_parts
    minutes = data.draw(durations(hours), label="minutes")

    due = calendar.add(start, timedelta(minutes=minutes))

    expected = walk(start, minutes, hours, is_closed) if minutes else start
    assert due == expected
    assert calendar.between(start, due) == timedelta(minutes=minutes)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), calendar_parts=calendars(),
       start=minutes_between(FIRST_MINUTE, LAST_MINUTE - timedelta(days=90)))
def test_paused_clock__matches_minute_walk(data, calendar_parts, start):
    calendar, hours, is_closed = calendar_parts
    minutes = data.draw(durations(hours), label="minutes")
    assume(minutes > 0)
    ticket = Ticket(sla_minutes=minutes, waiting_seconds=0)
    ticket.due_at = calendar.add(start, timedelta(minutes=minutes))
    pause_at = data.draw(minutes_between(start, ticket.due_at), label="pause_at")
    resume_at = data.draw(minutes_between(pause_at, pause_at + timedelta(days=20)),
                          label="resume_at")

    with mock.patch.object(clock, "working_calendar", return_value=calendar):
        clock.pause(ticket, pause_at)
        clock.resume(ticket, resume_at)

    used = count_open(start, pause_at, hours, is_closed)
    expected = walk(resume_at, minutes - used, hours, is_closed) if minutes > used else resume_at
    assert ticket.due_at == expected
    assert ticket.waiting_seconds == 60 * count_open(pause_at, resume_at, hours, is_closed)
    assert ticket.paused_at is None
