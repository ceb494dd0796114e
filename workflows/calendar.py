"""The working-day calendar: business hours, closed days, and business-time arithmetic.

All inputs and outputs are aware datetimes. Opening hours are local times in the
calendar's zone, so a clock change moves the UTC time of opening, not its local time.
Each open range is cached as a pair of UTC datetimes, because aware datetimes that
share one tzinfo compare and subtract without a UTC-offset lookup (bench/calendar.py
times ``add`` against other business-time libraries).
"""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

Ranges = tuple[tuple[time, time], ...]

DEFAULT_HOURS: dict[int, Ranges] = {
    weekday: ((time(8, 30), time(17, 0)),) for weekday in range(5)
}
# A calendar with no open hour in this many days is treated as misconfigured.
MAX_SEARCH_DAYS = 3 * 366


class CalendarError(Exception):
    """The calendar has no open time in which a duration could run."""


def dutch_holidays(disabled_names: frozenset[str] = frozenset()) -> Callable[[date], bool]:
    """Return a test for Dutch public holidays, leaving out the holidays named in ``disabled_names``.

    Names are those of the ``holidays`` package for NL, such as "Goede Vrijdag".
    """
    calendar = holidays.country_holidays("NL", language="nl")

    def is_holiday(day: date) -> bool:
        names = calendar.get_list(day)
        return any(name not in disabled_names for name in names)

    return is_holiday


class WorkingCalendar:
    """Business hours per weekday plus closed days, in one time zone."""

    def __init__(
        self,
        hours: dict[int, Ranges] | None = None,
        is_closed: Callable[[date], bool] | None = None,
        timezone: str = "Europe/Amsterdam",
    ):
        self.hours = {day: tuple(sorted(ranges)) for day, ranges in (hours or DEFAULT_HOURS).items()}
        for ranges in self.hours.values():
            for opens, closes in ranges:
                if not opens < closes:
                    raise CalendarError(f"a range must open before it closes, got {opens} to {closes}")
        self.tz = ZoneInfo(timezone)
        self._is_closed = is_closed or dutch_holidays()
        self._intervals = lru_cache(maxsize=4096)(self._compute_day_intervals)

    def is_closed(self, day: date) -> bool:
        return self._is_closed(day)

    def _compute_day_intervals(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        if self._is_closed(day):
            return ()
        return tuple(
            (
                datetime.combine(day, opens, tzinfo=self.tz).astimezone(timezone.utc),
                datetime.combine(day, closes, tzinfo=self.tz).astimezone(timezone.utc),
            )
            for opens, closes in self.hours.get(day.weekday(), ())
        )

    def day_intervals(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """Return the open ranges of one local day in the calendar's zone, as UTC datetimes."""
        return self._intervals(day)

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """Return the moment ``duration`` of business time after ``start``.

        A zero duration from a closed moment returns ``start`` itself. A duration
        that ends exactly at closing time ends then, not at the next opening.
        """
        if start.tzinfo is None:
            raise ValueError(f"expected an aware datetime, got naive {start!r}")
        remaining = duration
        if remaining <= timedelta(0):
            return start
        moment = start.astimezone(timezone.utc)
        day = moment.astimezone(self.tz).date()
        one_day = timedelta(days=1)
        for _ in range(MAX_SEARCH_DAYS):
            for opens, closes in self._intervals(day):
                if closes <= moment:
                    continue
                opens = max(opens, moment)
                available = closes - opens
                if remaining <= available:
                    return (opens + remaining).astimezone(start.tzinfo)
                remaining -= available
            day += one_day
        raise CalendarError(f"no business hours within {MAX_SEARCH_DAYS} days after {start.isoformat()}")

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Return the business time from ``start`` to ``end``; zero if ``end`` is not later."""
        if end <= start:
            return timedelta(0)
        total = timedelta(0)
        start = start.astimezone(timezone.utc)
        end = end.astimezone(timezone.utc)
        day = start.astimezone(self.tz).date()
        last_day = end.astimezone(self.tz).date()
        while day <= last_day:
            for opens, closes in self._intervals(day):
                overlap = min(closes, end) - max(opens, start)
                if overlap > timedelta(0):
                    total += overlap
            day += timedelta(days=1)
        return total
