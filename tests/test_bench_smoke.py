"""Tiny runs of the benchmarks' own checks, so a broken benchmark shows up in the suite.

The benchmarks themselves (python -m bench) are not part of the suite; these tests
only check that their reference implementations agree with Roldesk on small data.
"""

import random
from datetime import datetime, timedelta, timezone

import psycopg
import pytest
from sqlalchemy.engine import make_url

from bench import calendar as calendar_bench
from bench import reports as reports_bench
from bench.common import Result, at_least, at_most
from bench.seed import copy_tickets, seed_people


def test_calendar_bench__walk_agrees_with_working_calendar():
    rng = random.Random(1)
    specs = [calendar_bench.CalendarSpec(rng) for _ in range(4)]
    cases = calendar_bench.make_cases(40, specs, rng)
    calendars = [spec.roldesk() for spec in specs]

    mismatches = calendar_bench._check_walk(specs, calendars, cases, walk_count=40)

    assert mismatches == []


def test_calendar_bench__workclock_agrees_with_working_calendar():
    pytest.importorskip("workclock", reason="workclock comes with the optional bench extra")
    rng = random.Random(2)
    specs = [calendar_bench.CalendarSpec(rng) for _ in range(4)]
    cases = calendar_bench.make_cases(200, specs, rng)
    calendars = [spec.roldesk() for spec in specs]
    schedules = [calendar_bench.workclock_schedule(spec) for spec in specs]

    for index, start, duration in cases:
        assert schedules[index].add(start, duration) == calendars[index].add(start, duration)


@pytest.mark.parametrize(("result", "met"), [
    (at_least("rate share", 0.5, 0.5, []), True),
    (at_least("rate share", 0.49, 0.5, []), False),
    (at_most("time factor", 2.0, 2, []), True),
    (at_most("time factor", 2.01, 2, []), False),
])
def test_result__verdict_follows_target(result: Result, met: bool):
    assert result.met is met
    assert ("NOT met" in result.row()) is not met


def test_reports_bench__hand_written_sql_matches_dashboard(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if not url.startswith("postgresql"):
        pytest.skip("the hand-written dashboard SQL is PostgreSQL's")
    from app.services.reports import Period, compute_dashboard

    libpq_url = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    now = datetime(2026, 12, 4, 11, 0, tzinfo=timezone.utc)
    people = seed_people(requesters=20, schools=3, agents=2)
    copy_tickets(libpq_url, reports_bench._ticket_rows(random.Random(3), people, 800, now))
    period = Period(now.date() - timedelta(days=120), now.date() - timedelta(days=1))

    with psycopg.connect(libpq_url) as connection:
        expected = reports_bench._comparable(
            reports_bench.hand_written(connection, reports_bench._parameters(period, now)))
    actual = reports_bench.roldesk_figures(compute_dashboard(period, now=now))

    assert actual["received"] > 0
    for name in expected:
        assert actual[name] == expected[name], name
