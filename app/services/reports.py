"""The manager dashboard: how well the one-working-day promise is kept.

``compute_dashboard`` is the entry point for the web page, the exports and
benchmarks alike. It runs a fixed number of aggregate queries (see
``reports_queries``) whatever the number of tickets, and does only arithmetic on
their results in Python.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

from app.models import Ticket
from app.models.types import utcnow
from app.services import reports_queries as queries
from app.services.calendar import calendar_settings, working_calendar
from app.services.reports_queries import ReportFilters, Window
from app.services.sla_status import AT_RISK, BREACHED
from workflows.calendar import MAX_SEARCH_DAYS, WorkingCalendar
from workflows.ticket_machine import OPEN_STATES

# Age bands of the backlog, as the working days at which each next band starts.
AGE_BAND_DAYS = (1, 2, 5)
DEFAULT_PERIOD_WEEKS = 4
MAX_PERIOD_DAYS = 366


@dataclass(frozen=True)
class Period:
    """Calendar days in the calendar's time zone, both ends included."""

    first_day: date
    last_day: date

    def window(self, zone: ZoneInfo) -> Window:
        return Window(_local_midnight(self.first_day, zone),
                      _local_midnight(self.last_day + timedelta(days=1), zone))

    def week_starts(self) -> list[date]:
        """Return the first day of each week in the period: the first day, then every Monday."""
        starts = [self.first_day]
        day = self.first_day + timedelta(days=7 - self.first_day.weekday())
        while day <= self.last_day:
            starts.append(day)
            day += timedelta(days=7)
        return starts


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def default_period(today: date) -> Period:
    """Return the last four full weeks, Monday to Sunday, before the week of ``today``."""
    this_monday = today - timedelta(days=today.weekday())
    return Period(this_monday - timedelta(weeks=DEFAULT_PERIOD_WEEKS), this_monday - timedelta(days=1))


def working_time_before(calendar: WorkingCalendar, end: datetime, duration: timedelta) -> datetime:
    """Return the latest moment from which ``duration`` of business time has passed at ``end``."""
    remaining = duration
    last_day = end.astimezone(calendar.tz).date()
    for offset in range(MAX_SEARCH_DAYS):
        for opens, closes in reversed(calendar.day_intervals(last_day - timedelta(days=offset))):
            if opens >= end:
                continue
            # In UTC, so a range that spans a clock change still has its real length.
            start, stop = opens.astimezone(UTC), min(closes, end).astimezone(UTC)
            if remaining <= stop - start:
                return stop - remaining
            remaining -= stop - start
    return datetime.min.replace(tzinfo=UTC)


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def _share(within: int, closed: int) -> float | None:
    """Return the percentage within the promise, or None when nothing counts."""
    return None if closed == 0 else round(100 * within / closed, 1)


@dataclass
class WeekRow:
    first_day: date
    received: int
    closed: int
    within: int

    @property
    def share_within(self) -> float | None:
        return _share(self.within, self.closed)


@dataclass
class GroupRow:
    """Figures of one agent or school; ``key`` is None for the unassigned or school-less ones."""

    key: int | None
    name: str
    received: int = 0
    closed: int = 0
    within: int = 0
    median_hours: float | None = None
    open_now: int = 0
    breached_now: int = 0

    @property
    def share_within(self) -> float | None:
        return _share(self.within, self.closed)


@dataclass
class Dashboard:
    period: Period
    filters: ReportFilters
    generated_at: datetime
    received: int = 0
    closed: int = 0
    withdrawn: int = 0
    within: int = 0
    handling_median_hours: float | None = None
    handling_p90_hours: float | None = None
    first_response_median_hours: float | None = None
    backlog_by_state: dict[str, int] = field(default_factory=dict)
    backlog_by_age: list[int] = field(default_factory=list)
    at_risk_now: int = 0
    breached_now: int = 0
    weeks: list[WeekRow] = field(default_factory=list)
    agents: list[GroupRow] = field(default_factory=list)
    schools: list[GroupRow] = field(default_factory=list)
    self_service_changes: int = 0

    @property
    def share_within(self) -> float | None:
        return _share(self.within, self.closed)

    @property
    def backlog_total(self) -> int:
        return sum(self.backlog_by_state.values())


def compute_dashboard(period: Period, filters: ReportFilters = ReportFilters(),
                      now: datetime | None = None) -> Dashboard:
    """Compute every dashboard figure for ``period`` and ``filters``; "now" figures use ``now``.

    Needs an application context. Runs about twenty aggregate queries.
    """
    now = now or utcnow()
    zone = ZoneInfo(current_app.config["TIMEZONE"])
    window = period.window(zone)
    dashboard = Dashboard(period=period, filters=filters, generated_at=now)

    dashboard.received = queries.received_count(window, filters)
    counts = queries.closed_counts(window, filters)
    dashboard.closed, dashboard.withdrawn, dashboard.within = (
        counts["closed"], counts["withdrawn"], counts["within"])
    median, p90 = queries.handling_percentiles(window, filters).get(None, [None, None])
    dashboard.handling_median_hours, dashboard.handling_p90_hours = _hours(median), _hours(p90)
    dashboard.first_response_median_hours = _hours(queries.first_response_median(window, filters))
    dashboard.self_service_changes = queries.self_service_changes(window, filters.school_id)

    _fill_backlog(dashboard, now)
    dashboard.weeks = _weeks(period, zone, filters)
    dashboard.agents = _groups(Ticket.assignee_id, queries.agent_names, window, filters, now)
    dashboard.schools = _groups(Ticket.school_id, queries.school_names, window, filters, now)
    return dashboard


def _fill_backlog(dashboard: Dashboard, now: datetime) -> None:
    calendar = working_calendar()
    day_length = timedelta(minutes=calendar_settings().sla_minutes)
    cutoffs = [working_time_before(calendar, now, day_length * days) for days in AGE_BAND_DAYS]
    by_state = {state: 0 for state in OPEN_STATES}
    by_age = [0] * (len(AGE_BAND_DAYS) + 1)
    for state, band, count in queries.backlog(dashboard.filters, cutoffs):
        by_state[state] += count
        by_age[band] += count
    dashboard.backlog_by_state, dashboard.backlog_by_age = by_state, by_age
    statuses = queries.sla_status_counts(dashboard.filters, now)
    dashboard.at_risk_now, dashboard.breached_now = statuses[AT_RISK], statuses[BREACHED]


def _weeks(period: Period, zone: ZoneInfo, filters: ReportFilters) -> list[WeekRow]:
    starts = period.week_starts()
    boundaries = [_local_midnight(day, zone) for day in starts]
    boundaries.append(_local_midnight(period.last_day + timedelta(days=1), zone))
    received = queries.weekly_received(boundaries, filters)
    closed = queries.weekly_closed(boundaries, filters)
    return [
        WeekRow(day, received.get(index, 0), *closed.get(index, (0, 0)))
        for index, day in enumerate(starts)
    ]


def _groups(column, names_for, window: Window, filters: ReportFilters, now: datetime) -> list[GroupRow]:
    received = queries.received_by(column, window, filters)
    closed = queries.closed_by(column, window, filters)
    medians = queries.handling_percentiles(window, filters, group=column)
    open_now = queries.open_by(column, filters, now)
    keys = set(received) | set(closed) | set(open_now)
    names = names_for(key for key in keys if key is not None)
    rows = []
    for key in keys:
        row = GroupRow(key=key, name=names.get(key, ""), received=received.get(key, 0))
        row.closed, row.within = closed.get(key, (0, 0))
        row.median_hours = _hours(medians.get(key, [None])[0])
        row.open_now, row.breached_now = open_now.get(key, (0, 0))
        rows.append(row)
    # Named groups alphabetically, the unassigned or school-less row last.
    return sorted(rows, key=lambda row: (row.key is None, row.name.lower()))
