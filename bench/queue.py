"""Benchmark: the helpdesk queue page with 100,000 tickets against its own SQL run directly.

Loads 100,000 tickets (about a fifth of them open) with COPY, starts gunicorn with
2 workers on 127.0.0.1 and logs in as an agent. For the default view and for a
filtered view, the page is fetched over HTTP one request at a time. The SQL
statements that one such page sends (captured in-process with the same agent and
query string) are then replayed with psycopg on one connection, with the same
parameters. The target compares the median page time with the median replay time.

Run: .venv/bin/python -m bench.queue [--quick] [--repeats N]
"""

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench.common import (REDIS_URL, Result, Server, at_most, bench_app, free_port, migrate, parse_args,
                          print_results, private_database, sqlalchemy_url, wait_for_port)
from bench.intake import Browser
from bench.seed import copy_tickets, random_state, seed_people, ticket_row

AGENT_EMAIL = "medewerker0@bench.example"


def _ticket_rows(rng, people, count: int, now: datetime):
    for number in range(count):
        state = random_state(rng, open_share=0.2)
        if state in ("submitted", "in_review", "waiting_for_requester", "approved"):
            submitted = now - timedelta(minutes=rng.randint(0, 7 * 24 * 60))
        else:
            submitted = now - timedelta(days=rng.randint(7, 365))
        yield ticket_row(rng, people, submitted, state, number)


def _capture_statements(app, path: str) -> list[tuple[str, object]]:
    """Return the SQL statements and parameters of one GET of ``path`` by the agent, in order."""
    import re

    from sqlalchemy import event

    from app.extensions import db
    from bench.seed import PASSWORD

    client = app.test_client()
    page = client.get("/inloggen").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/inloggen", data={"email": AGENT_EMAIL, "password": PASSWORD, "csrf_token": token})
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} returned {response.status_code}:\n{response.get_data(as_text=True)[:2000]}")
    return statements


def _replay(connection, statements) -> None:
    with connection.cursor() as cursor:
        for statement, parameters in statements:
            cursor.execute(statement, parameters)
            if cursor.description is not None:
                cursor.fetchall()
    connection.rollback()


def run(argv: list[str] | None = None) -> list[Result]:
    args = parse_args(__doc__.splitlines()[0], argv)
    count = 3_000 if args.quick else 100_000
    requests_per_view = 5 if args.quick else (args.repeats or 30)
    rng = random.Random(11)
    now = datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory() as folder, private_database() as database_url:
        instance = Path(folder)
        migrate(database_url, instance)
        app = bench_app(database_url, instance)
        with app.app_context():
            people = seed_people()
        copy_tickets(database_url, _ticket_rows(rng, people, count, now))
        views = {
            "default view": "/helpdesk/",
            "filtered view (role change, one school, at risk)":
                f"/helpdesk/?kind=role_change&school={people.school_ids[3]}&sla=at_risk",
        }
        port = free_port()
        env = {key: value for key, value in os.environ.items() if not key.startswith("ROLDESK_")}
        env.update({"ROLDESK_DATABASE_URL": sqlalchemy_url(database_url), "ROLDESK_BROKER_URL": REDIS_URL,
                    "ROLDESK_INSTANCE_PATH": str(instance), "PYTHONPATH": str(Path(__file__).resolve().parent.parent)})
        web = Server([str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}",
                      "--workers", "2", "app:create_app()"], env, instance / "gunicorn.log")
        try:
            wait_for_port(port, web)
            browser = Browser(port)
            browser.login(AGENT_EMAIL)
            return [_measure_view(app, database_url, browser, name, path, requests_per_view, count)
                    for name, path in views.items()]
        finally:
            web.stop()


def _measure_view(app, database_url: str, browser, name: str, path: str, requests: int, count: int) -> Result:
    import psycopg

    for _ in range(2):  # warm the caches of both sides
        browser.request("GET", path)
    statements = _capture_statements(app, path)
    kinds = [statement.split(None, 1)[0].upper() for statement, _ in statements]
    page_times, sql_times = [], []
    with psycopg.connect(database_url) as connection:
        for _ in range(2):
            _replay(connection, statements)
        for _ in range(requests):
            started = time.perf_counter()
            status, page = browser.request("GET", path)
            page_times.append(time.perf_counter() - started)
            if status != 200:
                raise RuntimeError(f"GET {path} returned {status}:\n{page[:2000]}")
            started = time.perf_counter()
            _replay(connection, statements)
            sql_times.append(time.perf_counter() - started)
    page_median = statistics.median(page_times)
    sql_median = statistics.median(sql_times)
    details = [
        f"{count:,} tickets, {requests} requests, alternating page and replay; path {path}",
        f"page over HTTP: median {page_median * 1000:.1f} ms "
        f"(min {min(page_times) * 1000:.1f}, max {max(page_times) * 1000:.1f})",
        f"its {len(statements)} SQL statements ({', '.join(kinds)}) replayed with psycopg: median {sql_median * 1000:.1f} ms "
        f"(min {min(sql_times) * 1000:.1f}, max {max(sql_times) * 1000:.1f})",
    ]
    return at_most(f"Queue page, {name}: page time / SQL time", page_median / sql_median, 2, details)


if __name__ == "__main__":
    print_results(run())
