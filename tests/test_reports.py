"""The manager dashboard: figures of a hand-worked month, filters, and access."""

import pytest

from app.extensions import db
from app.models import Ticket
from app.services.reports import compute_dashboard
from app.services.reports_queries import ReportFilters
from tests.reports_seed import EXPECTED, EXPECTED_AGENTS, EXPECTED_SCHOOLS, EXPECTED_WEEKS, NOW, PERIOD, seed_month


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
