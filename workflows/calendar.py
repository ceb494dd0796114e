"""The working-day calendar: business hours, closed days, and business-time arithmetic.

All inputs and outputs are aware datetimes. Opening hours are local times in the
calendar's zone, so a clock change moves the UTC time of opening, not its local time.

A calendar keeps a table of its open ranges over a span of days, as UTC datetimes,
with the open time counted up to each range. Finding a due time is then two binary
searches instead of a walk over the days, whatever the duration (bench/calendar.py
times ``add`` against other business-time libraries). Aware datetimes that share one
tzinfo compare and subtract without a UTC-offset lookup, which keeps each step cheap.
"""

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

Ranges = tuple[tuple[time, time], ...]

DEFAULT_HOURS: dict[int, Ranges] = {
    weekday: ((time(8, 30), time(17, 0)),) for weekday in range(5)
}
# A duration that does not end within this many days of its start is an error: the
# calendar is then misconfigured, for example without any open hour.
MAX_SEARCH_DAYS = 3 * 366
# The table grows by at least this many days at a time.
TABLE_CHUNK_DAYS = 64
ZERO = timedelta(0)
ONE_DAY = timedelta(days=1)
UTC = timezone.utc


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


class _Table:
    """The open ranges of consecutive local days, with the open time counted up to each.

    ``before[i]`` is the open time from the first day up to ``opens[i]``, and
    ``through[i]`` the open time up to ``closes[i]``. Both only grow. ``starts`` and
    ``ends`` are the UTC moments at which the first day and the day after the last begin.
    A table is never changed once built: a calendar swaps in a larger one instead, so
    threads reading the old one are not disturbed.
    """

    __slots__ = ("first_day", "end_day", "starts", "ends", "opens", "closes", "before", "through", "total")

    def __init__(self, first_day: date, end_day: date, starts: datetime, ends: datetime,
                 opens: list[datetime], closes: list[datetime], before: list[timedelta],
                 through: list[timedelta]):
        self.first_day = first_day
        self.end_day = end_day
        self.starts = starts
        self.ends = ends
        self.opens = opens
        self.closes = closes
        self.before = before
        self.through = through
        self.total = through[-1] if through else ZERO

    def worked_until(self, moment: datetime) -> timedelta:
        """Return the open time from the table's start up to ``moment`` (UTC, inside the table)."""
        index = bisect_right(self.closes, moment)
        if index == len(self.closes):
            return self.total
        opens = self.opens[index]
        if moment > opens:
            return self.before[index] + (moment - opens)
        return self.before[index]


class WorkingCalendar:
    """Business hours per weekday plus closed days, in one time zone.

    One instance may be shared by threads: its table is replaced, never changed in place.
    """

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
            for (_, closes), (opens, _) in zip(ranges, ranges[1:]):
                if opens < closes:
                    raise CalendarError(f"invalid business hours: a range opens at {opens}, before the previous "
                                        f"range closes at {closes}. Ranges of one day must not overlap.")
        self.tz = ZoneInfo(timezone)
        self._is_closed = is_closed or dutch_holidays()
        self._intervals = lru_cache(maxsize=4096)(self._compute_day_intervals)
        self._table: _Table | None = None
        self._lock = threading.Lock()

    def is_closed(self, day: date) -> bool:
        return self._is_closed(day)

    def _compute_day_intervals(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        if self._is_closed(day):
            return ()
        return tuple(
            (
                datetime.combine(day, opens, tzinfo=self.tz).astimezone(UTC),
                datetime.combine(day, closes, tzinfo=self.tz).astimezone(UTC),
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
        zone = start.tzinfo
        if zone is None:
            raise ValueError(f"expected an aware datetime, got naive {start!r}")
        if duration <= ZERO:
            return start
        moment = start if zone is UTC else start.astimezone(UTC)
        table = self._table
        if table is None or not table.starts <= moment < table.ends:
            table = self._covering(moment, moment)
        # Table.worked_until, inlined: this is the hot path of every due time.
        closes = table.closes
        index = bisect_right(closes, moment)
        if index < len(closes):
            target = table.before[index] + duration
            opens = table.opens[index]
            if moment > opens:
                target += moment - opens
        else:
            target = table.total + duration
        if target > table.total:
            table, target = self._reaching(moment, duration)
            closes = table.closes
            index = 0
        through = table.through
        index = bisect_left(through, target, index)
        due = closes[index] - (through[index] - target)
        return due if zone is UTC else due.astimezone(zone)

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Return the business time from ``start`` to ``end``; zero if ``end`` is not later."""
        if end <= start:
            return ZERO
        start = start.astimezone(UTC)
        end = end.astimezone(UTC)
        table = self._table
        if table is None or start < table.starts or end >= table.ends:
            table = self._covering(start, end)
        return table.worked_until(end) - table.worked_until(start)

    def _local_day(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def _day_start(self, day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=self.tz).astimezone(UTC)

    def _covering(self, first: datetime, last: datetime) -> _Table:
        """Return a table that covers the UTC moments ``first`` to ``last``, growing it if needed."""
        with self._lock:
            table = self._table
            if table is not None and table.starts <= first and last < table.ends:
                return table
            first_day = self._local_day(first)
            end_day = max(self._local_day(last), first_day) + timedelta(days=TABLE_CHUNK_DAYS)
            if table is not None:
                first_day = min(first_day, table.first_day)
                end_day = max(end_day, table.end_day)
            self._table = self._grown(table, first_day, end_day)
            return self._table

    def _reaching(self, moment: datetime, duration: timedelta) -> tuple[_Table, timedelta]:
        """Grow the table until ``duration`` from ``moment`` ends inside it, and return it with the count at that end."""
        limit_day = self._local_day(moment) + timedelta(days=MAX_SEARCH_DAYS)
        while True:
            with self._lock:
                table = self._table
                target = table.worked_until(moment) + duration
                if target <= table.total:
                    return table, target
                if table.end_day >= limit_day:
                    raise CalendarError(f"no business hours within {MAX_SEARCH_DAYS} days after "
                                        f"{moment.isoformat()}")
                span = (table.end_day - table.first_day).days
                end_day = min(limit_day, table.end_day + timedelta(days=max(span, TABLE_CHUNK_DAYS)))
                self._table = self._grown(table, table.first_day, end_day)

    def _grown(self, table: _Table | None, first_day: date, end_day: date) -> _Table:
        """Build the table for ``first_day`` up to ``end_day``, reusing ``table`` if it starts on the same day."""
        if table is not None and table.first_day == first_day:
            opens, closes = list(table.opens), list(table.closes)
            before, through = list(table.before), list(table.through)
            day, total = table.end_day, table.total
        else:
            opens, closes, before, through = [], [], [], []
            day, total = first_day, ZERO
        while day < end_day:
            for range_opens, range_closes in self._intervals(day):
                opens.append(range_opens)
                closes.append(range_closes)
                before.append(total)
                total += range_closes - range_opens
                through.append(total)
            day += ONE_DAY
        return _Table(first_day, end_day, self._day_start(first_day), self._day_start(end_day),
                      opens, closes, before, through)
