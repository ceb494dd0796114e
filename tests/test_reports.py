"""The manager dashboard: figures of a hand-worked month, filters, and access."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.extensions import db
from app.models import Ticket
from app.services.reports import Period, compute_dashboard, default_period, working_time_before
from app.services.reports_queries import ReportFilters
from tests.reports_seed import EXPECTED, EXPECTED_AGENTS, EXPECTED_SCHOOLS, EXPECTED_WEEKS, NOW, PERIOD, seed_month
from workflows.calendar import WorkingCalendar


@pytest.fixture
def month(app, monkeypatch):
    return seed_month(monkeypatch)


def test_seed__workflow_wrote_the_clock_fields(month):
    tickets = {name: db.session.get(Ticket, ticket.id) for name, ticket in month["tickets"].items()}
    assert tickets["paused"].waiting_seconds == 3.5 * 3600
    assert tickets["paused"].handling_seconds == 7 * 3600
    assert tickets["reopened"].reopened_count == 1
    assert tickets["reopened"].handling_seconds == 4.5 * 3600
    assert tickets["on_due"].closed_at == tickets["on_due"].due_at
    assert tickets["on_due"].sla_met is True
    assert tickets["late"].sla_met is False
    assert tickets["withdrawn"].sla_met is None
    assert tickets["late"].first_response_seconds == 9.5 * 3600


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_dashboard__hand_worked_figures(month, name):
    dashboard = compute_dashboard(PERIOD, now=NOW)
    assert getattr(dashboard, name) == EXPECTED[name]


def test_dashboard__weekly_trend(month):
    dashboard = compute_dashboard(PERIOD, now=NOW)
    weeks = {week.first_day: (week.received, week.closed, week.within, week.share_within)
             for week in dashboard.weeks}
    assert weeks == EXPECTED_WEEKS


def test_dashboard__per_agent(month):
    dashboard = compute_dashboard(PERIOD, now=NOW)
    agents = {row.name: (row.closed, row.within, row.median_hours, row.open_now, row.breached_now)
              for row in dashboard.agents}
    assert agents == EXPECTED_AGENTS


def test_dashboard__per_school(month):
    dashboard = compute_dashboard(PERIOD, now=NOW)
    schools = {row.name: (row.received, row.closed, row.within, row.median_hours,
                          row.open_now, row.breached_now) for row in dashboard.schools}
    assert schools == EXPECTED_SCHOOLS


def _calendar():
    return WorkingCalendar(is_closed=lambda day: False)


@pytest.mark.parametrize("end, hours, expected", [
    # Monday 10:00 minus one working day: 1.5 h on Monday, 7 h on Friday.
    (datetime(2026, 11, 9, 10, 0), 8.5, datetime(2026, 11, 6, 10, 0)),
    # Saturday counts back from Friday's closing time.
    (datetime(2026, 11, 7, 12, 0), 8.5, datetime(2026, 11, 6, 8, 30)),
    # Across the October 2025 clock change, as in the working-day promise.
    (datetime(2025, 10, 27, 16, 0), 8.5, datetime(2025, 10, 24, 16, 0)),
    (datetime(2026, 11, 9, 10, 0), 17, datetime(2026, 11, 5, 10, 0)),
])
def test_working_time_before__counts_back_business_hours(end, hours, expected):
    zone = ZoneInfo("Europe/Amsterdam")
    moment = working_time_before(_calendar(), end.replace(tzinfo=zone), timedelta(hours=hours))
    assert moment == expected.replace(tzinfo=zone)


def test_period__default_is_four_full_weeks():
    assert default_period(date(2026, 12, 4)) == Period(date(2026, 11, 2), date(2026, 11, 29))
    assert default_period(date(2026, 11, 30)) == Period(date(2026, 11, 2), date(2026, 11, 29))


def test_period__weeks_start_on_monday():
    period = Period(date(2026, 11, 4), date(2026, 11, 17))
    assert period.week_starts() == [date(2026, 11, 4), date(2026, 11, 9), date(2026, 11, 16)]


def test_dashboard__filters_by_agent_and_school(month):
    bert = compute_dashboard(PERIOD, ReportFilters(assignee_id=month["agents"]["bert"].id), now=NOW)
    assert bert.closed == 2
    assert bert.within == 1
    lyceum = compute_dashboard(PERIOD, ReportFilters(school_id=month["schools"]["lyceum"].id), now=NOW)
    assert lyceum.received == 1
    assert lyceum.self_service_changes == 0
    assert lyceum.backlog_total == 0
