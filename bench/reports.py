"""Benchmark: the SLA dashboard over 1,000,000 tickets against the same figures in hand-written SQL.

Loads 1,000,000 tickets spread over two years (about 3% still open) with COPY, then
computes the dashboard for the last 52 full weeks, as a manager opening a year of
figures does. Roldesk side: ``app.services.reports.compute_dashboard``, the function
behind the page and the exports. Baseline: eight PostgreSQL queries written by hand
with FILTER clauses, percentile_cont and width_bucket, given the same window, week
boundaries and age cutoffs. Both sides run alternately in one process; their figures
are compared before anything is timed.

Run: .venv/bin/python -m bench.reports [--quick] [--repeats N]
"""

import random
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import (Result, at_most, bench_app, format_times, median_seconds, migrate, parse_args,
                          print_results, private_database)
from bench.seed import copy_tickets, random_state, seed_people, ticket_row

OPEN = ("submitted", "in_review", "waiting_for_requester", "approved")
SLA_FINAL = ("applied", "rejected", "answered")
# The window filter shared by the queries below; %(start)s and %(end)s are the period's UTC bounds.
IN_WINDOW = "{column} >= %(start)s AND {column} < %(end)s"
BREACHED = ("((paused_at IS NULL AND due_at < %(now)s) "
            "OR (paused_at IS NOT NULL AND remaining_seconds <= 0))")
AT_RISK_OR_BREACHED = ("((paused_at IS NULL AND at_risk_at <= %(now)s) "
                       "OR (paused_at IS NOT NULL AND remaining_seconds <= sla_minutes * 15))")


def _ticket_rows(rng, people, count: int, now: datetime):
    for number in range(count):
        state = random_state(rng, open_share=0.03)
        if state in OPEN:
            submitted = now - timedelta(minutes=rng.randint(0, 10 * 24 * 60))
        else:
            submitted = now - timedelta(minutes=rng.randint(0, 730 * 24 * 60))
        yield ticket_row(rng, people, submitted, state, number)


def hand_written(connection, params: dict) -> dict:
    """Compute the dashboard's figures with hand-written SQL; return them in the dashboard's shape."""
    submitted_in = IN_WINDOW.format(column="submitted_at")
    closed_in = IN_WINDOW.format(column="closed_at")
    final = "state IN ('applied', 'rejected', 'answered')"
    figures = {}
    row = connection.execute(
        f"SELECT count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY first_response_seconds) "
        f"FROM ticket WHERE {submitted_in}", params).fetchone()
    figures["received"], figures["first_response"] = row

    row = connection.execute(
        f"SELECT count(*) FILTER (WHERE {final}), count(*) FILTER (WHERE state = 'withdrawn'), "
        f"count(*) FILTER (WHERE {final} AND sla_met), "
        f"percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY handling_seconds) FILTER (WHERE {final}) "
        f"FROM ticket WHERE {closed_in}", params).fetchone()
    figures["closed"], figures["withdrawn"], figures["within"], percentiles = row
    figures["median"], figures["p90"] = percentiles or (None, None)

    rows = connection.execute(
        "SELECT state, CASE WHEN submitted_at > %(cutoff_0)s THEN 0 WHEN submitted_at > %(cutoff_1)s THEN 1 "
        "WHEN submitted_at > %(cutoff_2)s THEN 2 ELSE 3 END, count(*), "
        f"count(*) FILTER (WHERE {BREACHED}), count(*) FILTER (WHERE {AT_RISK_OR_BREACHED} AND NOT {BREACHED}) "
        "FROM ticket WHERE state IN ('submitted', 'in_review', 'waiting_for_requester', 'approved') "
        "GROUP BY 1, 2", params).fetchall()
    figures["backlog_by_state"] = {state: sum(row[2] for row in rows if row[0] == state) for state in OPEN}
    figures["backlog_by_age"] = [sum(row[2] for row in rows if row[1] == band) for band in range(4)]
    figures["breached_now"] = sum(row[3] for row in rows)
    figures["at_risk_now"] = sum(row[4] for row in rows)

    weekly_received = dict(connection.execute(
        "SELECT width_bucket(submitted_at, %(weeks)s) - 1, count(*) FROM ticket "
        "WHERE submitted_at >= %(first_week)s AND submitted_at < %(end)s GROUP BY 1", params).fetchall())
    weekly_closed = {week: (closed, within) for week, closed, within in connection.execute(
        f"SELECT width_bucket(closed_at, %(weeks)s) - 1, count(*), count(*) FILTER (WHERE sla_met) FROM ticket "
        f"WHERE closed_at >= %(first_week)s AND closed_at < %(end)s AND {final} GROUP BY 1", params).fetchall()}
    figures["weeks"] = [(weekly_received.get(index, 0), *weekly_closed.get(index, (0, 0)))
                        for index in range(len(params["weeks"]) - 1)]

    for group in ("assignee_id", "school_id"):
        figures[group] = {row[0]: tuple(row[1:]) for row in connection.execute(
            f"SELECT {group}, count(*) FILTER (WHERE {submitted_in}), "
            f"count(*) FILTER (WHERE {closed_in} AND {final}), "
            f"count(*) FILTER (WHERE {closed_in} AND {final} AND sla_met), "
            f"percentile_cont(0.5) WITHIN GROUP (ORDER BY handling_seconds) FILTER (WHERE {closed_in} AND {final}), "
            f"count(*) FILTER (WHERE state IN ('submitted', 'in_review', 'waiting_for_requester', 'approved')), "
            f"count(*) FILTER (WHERE state IN ('submitted', 'in_review', 'waiting_for_requester', 'approved') "
            f"AND {BREACHED}) "
            f"FROM ticket WHERE ({submitted_in}) OR ({closed_in}) "
            f"OR state IN ('submitted', 'in_review', 'waiting_for_requester', 'approved') GROUP BY 1",
            params).fetchall()}

    figures["self_service"] = connection.execute(
        "SELECT count(*) FROM history_event WHERE kind = 'code_redeemed' AND ticket_id IS NULL AND "
        + IN_WINDOW.format(column="at"), params).fetchone()[0]
    return figures


def _hours(seconds) -> float | None:
    return None if seconds is None else round(seconds / 3600, 2)


def roldesk_figures(dashboard) -> dict:
    """Return the dashboard's figures in the shape ``hand_written`` returns them."""
    figures = {
        "received": dashboard.received, "first_response": dashboard.first_response_median_hours,
        "closed": dashboard.closed, "withdrawn": dashboard.withdrawn, "within": dashboard.within,
        "median": dashboard.handling_median_hours, "p90": dashboard.handling_p90_hours,
        "backlog_by_state": dashboard.backlog_by_state, "backlog_by_age": dashboard.backlog_by_age,
        "breached_now": dashboard.breached_now, "at_risk_now": dashboard.at_risk_now,
        "weeks": [(week.received, week.closed, week.within) for week in dashboard.weeks],
        "self_service": dashboard.self_service_changes,
    }
    for group, rows in (("assignee_id", dashboard.agents), ("school_id", dashboard.schools)):
        figures[group] = {row.key: (row.received, row.closed, row.within, row.median_hours,
                                    row.open_now, row.breached_now) for row in rows}
    return figures


def _comparable(figures: dict) -> dict:
    """Round the hand-written seconds to hours as the dashboard shows them."""
    result = dict(figures)
    for name in ("first_response", "median", "p90"):
        result[name] = _hours(figures[name])
    for group in ("assignee_id", "school_id"):
        result[group] = {key: (*values[:3], _hours(values[3]), *values[4:])
                         for key, values in figures[group].items()}
    return result


def _parameters(period, now: datetime) -> dict:
    from app.services.calendar import calendar_settings, working_calendar
    from app.services.reports import AGE_BAND_DAYS, _local_midnight, working_time_before

    zone = ZoneInfo("Europe/Amsterdam")
    window = period.window(zone)
    calendar = working_calendar()
    day_length = timedelta(minutes=calendar_settings().sla_minutes)
    cutoffs = [working_time_before(calendar, now, day_length * days) for days in AGE_BAND_DAYS]
    weeks = [_local_midnight(day, zone) for day in period.week_starts()]
    weeks.append(_local_midnight(period.last_day + timedelta(days=1), zone))

    def naive(moment: datetime) -> datetime:
        return moment.astimezone(timezone.utc).replace(tzinfo=None)

    params = {"start": naive(window.start), "end": naive(window.end), "now": naive(now),
              "weeks": [naive(moment) for moment in weeks], "first_week": naive(weeks[0])}
    params.update({f"cutoff_{index}": naive(cutoff) for index, cutoff in enumerate(cutoffs)})
    return params


def run(argv: list[str] | None = None) -> list[Result]:
    args = parse_args(__doc__.splitlines()[0], argv)
    count = 20_000 if args.quick else 1_000_000
    repeats = args.repeats or (1 if args.quick else 5)
    rng = random.Random(13)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    with tempfile.TemporaryDirectory() as folder, private_database() as database_url:
        instance = Path(folder)
        migrate(database_url, instance)
        app = bench_app(database_url, instance)
        with app.app_context():
            people = seed_people()
            started = time.monotonic()
            copy_tickets(database_url, _ticket_rows(rng, people, count, now))
            load_seconds = time.monotonic() - started
            return [_measure(database_url, now, count, repeats, load_seconds)]


def _measure(database_url: str, now: datetime, count: int, repeats: int, load_seconds: float) -> Result:
    import psycopg

    from app.extensions import db
    from app.services.reports import Period, compute_dashboard

    today = now.astimezone(ZoneInfo("Europe/Amsterdam")).date()
    this_monday = today - timedelta(days=today.weekday())
    period = Period(this_monday - timedelta(weeks=52), this_monday - timedelta(days=1))
    params = _parameters(period, now)
    with psycopg.connect(database_url) as connection:
        expected = _comparable(hand_written(connection, params))
        actual = roldesk_figures(compute_dashboard(period, now=now))
        db.session.remove()
        differences = [name for name in expected if expected[name] != actual[name]]

        def roldesk():
            compute_dashboard(period, now=now)
            db.session.remove()

        roldesk_times, sql_times = [], []
        for _ in range(repeats):
            roldesk_times.append(median_seconds(roldesk, 1)[0])
            sql_times.append(median_seconds(lambda: hand_written(connection, params), 1)[0])
    roldesk_median = sorted(roldesk_times)[len(roldesk_times) // 2]
    sql_median = sorted(sql_times)[len(sql_times) // 2]
    details = [
        f"{count:,} tickets loaded with COPY in {load_seconds:.0f} s; period {period.first_day} to "
        f"{period.last_day} ({actual['received']:,} received, {actual['closed']:,} closed in it), {repeats} runs each",
        "figures that differ between the two sides: " + (", ".join(differences) or "none"),
        *(f"  {name}: Roldesk {actual[name]!r:.200}, SQL {expected[name]!r:.200}" for name in differences[:3]),
        f"Roldesk compute_dashboard: {format_times(roldesk_times)}",
        f"hand-written SQL (8 queries): {format_times(sql_times)}",
    ]
    ratio = roldesk_median / sql_median
    result = at_most("SLA dashboard, a year over 1,000,000 tickets: time / hand-written SQL", ratio, 1.5, details)
    result.met = result.met and not differences
    return result


if __name__ == "__main__":
    print_results(run())
