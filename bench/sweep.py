"""Benchmark: the working-day sweep with 10,000 and with 100,000 open requests.

Both sizes hold the same 100 requests that crossed a point since the last run (50
at risk, 50 breached); the other open requests are either not yet at risk or already
notified, about a third of them breached long ago. The sweep's time should follow
the 100 crossings, not the open total, so the target is the time at 100,000 divided
by the time at 10,000. Each run records the 100 notifications and queues their mails;
the notifications, history rows and mails are removed again before the next run.

Run: .venv/bin/python -m bench.sweep [--quick] [--repeats N]
"""

import random
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench.common import (Result, at_most, bench_app, format_times, median_seconds, migrate,
                          parse_args, print_results, private_database)
from bench.seed import copy_tickets, seed_people, ticket_row

NOW = datetime(2026, 12, 2, 11, 0, tzinfo=timezone.utc)
CROSSING = 100


def _background_rows(rng, people, count: int, first_number: int):
    """Yield open requests that the sweep must pass over: before the at-risk point, or notified."""
    for offset in range(count):
        if rng.random() < 0.35:
            submitted = NOW - timedelta(days=rng.randint(5, 200))
        else:
            submitted = NOW - timedelta(minutes=rng.randint(0, 600))
        state = rng.choice(("submitted", "in_review", "approved", "waiting_for_requester"))
        yield ticket_row(rng, people, submitted, state, first_number + offset)


def _crossing_rows(rng, people, first_number: int):
    """Yield the requests that crossed a point: half past 75% of their time, half past due."""
    for offset in range(CROSSING):
        due = NOW + timedelta(hours=2) if offset % 2 else NOW - timedelta(minutes=30)
        row = list(ticket_row(rng, people, due - timedelta(hours=24), "in_review", first_number + offset))
        row[0] = f"RD-X-{offset:08d}"
        row[14] = row[15] = due  # original_due_at, due_at
        row[16] = due - timedelta(hours=6)  # at_risk_at
        yield tuple(row)


def _mark_background_notified(database_url: str) -> None:
    import psycopg

    naive_now = NOW.replace(tzinfo=None)
    with psycopg.connect(database_url) as conn:
        conn.execute("UPDATE ticket SET at_risk_notified_at = at_risk_at WHERE at_risk_at <= %s "
                     "AND reference LIKE 'RD-B-%%'", (naive_now,))
        conn.execute("UPDATE ticket SET breach_notified_at = due_at WHERE due_at < %s "
                     "AND reference LIKE 'RD-B-%%'", (naive_now,))
        conn.execute("ANALYZE ticket")


def _reset_crossing(database_url: str) -> None:
    import psycopg

    with psycopg.connect(database_url) as conn:
        conn.execute("UPDATE ticket SET at_risk_notified_at = NULL, breach_notified_at = NULL "
                     "WHERE reference LIKE 'RD-X-%'")
        conn.execute("DELETE FROM history_event")
        conn.execute("DELETE FROM outbox_mail")


def _time_sweeps(database_url: str, repeats: int) -> tuple[float, list[float], list[int]]:
    from app.extensions import db
    from app.services.sla_sweep import sweep

    marked_counts = []

    def one_sweep():
        marked_counts.append(sweep(NOW))
        db.session.remove()

    times = []
    for _ in range(repeats):
        _reset_crossing(database_url)
        times.append(median_seconds(one_sweep, 1)[0])
    return sorted(times)[len(times) // 2], times, marked_counts


def run(argv: list[str] | None = None) -> list[Result]:
    args = parse_args(__doc__.splitlines()[0], argv)
    small, large = (1_000, 5_000) if args.quick else (10_000, 100_000)
    repeats = args.repeats or (2 if args.quick else 5)
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder, private_database() as database_url:
        instance = Path(folder)
        migrate(database_url, instance)
        app = bench_app(database_url, instance)
        with app.app_context():
            people = seed_people()
            copy_tickets(database_url, _background_rows(rng, people, small - CROSSING, 0))
            copy_tickets(database_url, _crossing_rows(rng, people, 0))
            _mark_background_notified(database_url)
            small_median, small_times, small_marked = _time_sweeps(database_url, repeats)

            copy_tickets(database_url, _background_rows(rng, people, large - small, small))
            _mark_background_notified(database_url)
            large_median, large_times, large_marked = _time_sweeps(database_url, repeats)
    details = [
        f"{CROSSING} requests crossing a point among {small:,} and {large:,} open requests, {repeats} runs each",
        f"{small:,} open: {format_times(small_times)}, requests marked per run: {small_marked}",
        f"{large:,} open: {format_times(large_times)}, requests marked per run: {large_marked}",
    ]
    return [at_most("Working-day sweep: time at 100,000 / at 10,000 open", large_median / small_median,
                    1.5, details)]


if __name__ == "__main__":
    print_results(run())
