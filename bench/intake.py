"""Benchmark: submitting requests through HTTP against the same rows written by plain psycopg.

Roldesk side: gunicorn with 2 workers on 127.0.0.1, PostgreSQL, and Redis as the
Celery broker (a queue of this run that no worker reads, removed afterwards). Two
client threads each log in once and fetch the "Stel een vraag" form once, for its
CSRF token and session cookie, then post the form again and again, as a school
sending many requests from one open page does. The redirect after the post is not
followed, because the rows are committed by then. Each post writes a ticket, a
history row and one outbox mail for the requester and one for each agent, and queues
one delivery task for those mails. The target is measured on the posts; the same
run also times fetching the form before every post, as a browser tab opened anew does.

Baseline: two threads with a psycopg connection each insert the same rows (mail
bodies copied from Roldesk's) and commit once per request.

Run: .venv/bin/python -m bench.intake [--quick] [--repeats N]
"""

import http.client
import os
import re
import sys
import tempfile
import threading
import time
import uuid
from email.utils import make_msgid
from pathlib import Path
from urllib.parse import urlencode

from bench.common import (REDIS_URL, Result, Server, at_least, bench_app, format_times, free_port, migrate,
                          parse_args, print_results, private_database, sqlalchemy_url, wait_for_port)
from bench.seed import PASSWORD, seed_people

THREADS = 2
AGENTS = 3
# A run stops after this many seconds, whatever it has done by then.
RUN_TIME_LIMIT = 300.0
CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
QUESTION = "Hoe kan ik als praktijkopleider de voortgang van mijn stagiairs zien?\nAlvast bedankt."


class Browser:
    """A minimal HTTP client that keeps cookies, as a browser tab would, over http.client."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.token: str | None = None

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, value = header.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value
            return response.status, text
        finally:
            connection.close()

    def csrf_token(self, path: str) -> str:
        status, page = self.request("GET", path)
        match = CSRF_PATTERN.search(page)
        if status != 200 or match is None:
            raise RuntimeError(f"GET {path} returned {status} without a CSRF token:\n{page[:2000]}")
        return match.group(1) or match.group(2)

    def login(self, email: str) -> None:
        token = self.csrf_token("/inloggen")
        status, page = self.request("POST", "/inloggen", {"email": email, "password": PASSWORD,
                                                          "csrf_token": token})
        if status != 302:
            raise RuntimeError(f"login of {email} returned {status}, expected a redirect:\n{page[:2000]}")

    def submit_question(self, fetch_form: bool = False) -> None:
        if fetch_form or self.token is None:
            self.token = self.csrf_token("/verzoek?onderwerp=vraag")
        token = self.token
        status, page = self.request("POST", "/verzoek?onderwerp=vraag", {
            "topic": "question", "wanted_role": "", "motivation": QUESTION, "csrf_token": token})
        if status != 302:
            raise RuntimeError(f"POST /verzoek returned {status}, expected a redirect:\n{page[:2000]}")


def _in_threads(work, count: int) -> None:
    """Run ``work(thread_index, n)`` in THREADS threads, ``count`` calls in all, within RUN_TIME_LIMIT."""
    deadline = time.monotonic() + RUN_TIME_LIMIT
    errors: list[BaseException] = []

    def loop(index: int):
        try:
            for _ in range(count // THREADS):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"a run took longer than {RUN_TIME_LIMIT:.0f} s")
                work(index)
        except BaseException as error:  # noqa: BLE001 - re-raised in the main thread below
            errors.append(error)

    threads = [threading.Thread(target=loop, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


class RawWriter:
    """Insert a ticket, its history row and its mails with plain SQL, one commit a request."""

    def __init__(self, database_url: str, people, sample_mails: list[tuple]):
        import psycopg

        self.connections = [psycopg.connect(database_url) for _ in range(THREADS)]
        self.people = people
        self.sample_mails = sample_mails

    def write(self, index: int) -> None:
        connection = self.connections[index]
        requester = self.people.requester_ids[index]
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO ticket (kind, state, version, requester_id, school_id, subject, motivation, "
                "language, submitted_at, clock_started_at, sla_minutes, original_due_at, due_at, at_risk_at, "
                "waiting_seconds, reopened_count, apply_attempts, updated_at) VALUES ('question', 'submitted', "
                "1, %s, %s, %s, %s, 'nl', now(), now(), 510, now() + interval '1 day', now() + interval '1 day', "
                "now() + interval '18 hours', 0, 0, 0, now()) RETURNING id",
                (requester, self.people.school_ids[0], QUESTION.splitlines()[0], QUESTION))
            ticket_id = cursor.fetchone()[0]
            cursor.execute("UPDATE ticket SET reference = %s WHERE id = %s", (f"RD-R-{ticket_id:07d}", ticket_id))
            cursor.execute(
                "INSERT INTO history_event (ticket_id, actor_id, kind, trigger, to_state, at, reason, internal) "
                "VALUES (%s, %s, 'transition', 'submit', 'submitted', now(), '', false)", (ticket_id, requester))
            cursor.executemany(
                "INSERT INTO outbox_mail (ticket_id, template, to_address, to_name, language, subject, body_text, "
                "body_html, message_id, status, attempts, last_error, created_at) "
                "VALUES (%s, %s, %s, %s, 'nl', %s, %s, %s, %s, 'pending', 0, '', now())",
                [(ticket_id, *mail, make_msgid(domain="roldesk.example")) for mail in self.sample_mails])
        connection.commit()

    def close(self) -> None:
        for connection in self.connections:
            connection.close()


def _row_counts(database_url: str) -> tuple[int, int, int]:
    import psycopg

    with psycopg.connect(database_url) as conn:
        return tuple(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                     for table in ("ticket", "history_event", "outbox_mail"))


def _sample_mails(database_url: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(database_url) as conn:
        ticket_id = conn.execute("SELECT max(ticket_id) FROM outbox_mail").fetchone()[0]
        return conn.execute("SELECT template, to_address, to_name, subject, body_text, body_html "
                            "FROM outbox_mail WHERE ticket_id = %s ORDER BY id", (ticket_id,)).fetchall()


def _web_environment(database_url: str, queue: str, instance: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ROLDESK_")}
    env.update({
        "ROLDESK_DATABASE_URL": sqlalchemy_url(database_url),
        "ROLDESK_BROKER_URL": REDIS_URL,
        "ROLDESK_CELERY_QUEUE": queue,
        "ROLDESK_INSTANCE_PATH": str(instance),
        "ROLDESK_MAIL_DIR": str(instance / "mail"),
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
    })
    return env


def run(argv: list[str] | None = None) -> list[Result]:
    args = parse_args(__doc__.splitlines()[0], argv)
    count = 40 if args.quick else 600
    repeats = args.repeats or (1 if args.quick else 3)
    import redis

    queue = f"roldesk-bench-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as folder, private_database() as database_url:
        instance = Path(folder)
        migrate(database_url, instance)
        app = bench_app(database_url, instance)
        with app.app_context():
            people = seed_people(requesters=THREADS, schools=2, agents=AGENTS)
        port = free_port()
        web = Server([str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}",
                      "--workers", "2", "app:create_app()"],
                     _web_environment(database_url, queue, instance), instance / "gunicorn.log")
        try:
            wait_for_port(port, web)
            return [_measure(database_url, port, people, count, repeats)]
        finally:
            web.stop()
            redis.Redis.from_url(REDIS_URL).delete(queue)


def _measure(database_url: str, port: int, people, count: int, repeats: int) -> Result:
    browsers = [Browser(port) for _ in range(THREADS)]
    emails = [f"aanvrager{number}@bench.example" for number in range(THREADS)]
    for browser, email in zip(browsers, emails):
        browser.login(email)
    browsers[0].submit_question()  # one request first, so the baseline can copy its mails
    writer = RawWriter(database_url, people, _sample_mails(database_url))
    sides = {
        "post": lambda index: browsers[index].submit_question(),
        "form and post": lambda index: browsers[index].submit_question(fetch_form=True),
        "raw": writer.write,
    }
    times: dict[str, list[float]] = {name: [] for name in sides}
    rows: dict[str, list[tuple]] = {name: [] for name in sides}
    try:
        for _ in range(repeats):
            for name, work in sides.items():
                before = _row_counts(database_url)
                times[name].append(_timed(lambda: _in_threads(work, count)))
                rows[name].append(tuple(b - a for a, b in zip(before, _row_counts(database_url))))
    finally:
        writer.close()
    median = {name: sorted(values)[len(values) // 2] for name, values in times.items()}
    details = [
        f"{count:,} requests a run in {THREADS} threads, {repeats} runs each, gunicorn 2 workers on port {port}",
        f"Roldesk over HTTP, POST of the form: {format_times(times['post'])}; "
        f"rows added per run (tickets, history, mails): {rows['post']}",
        f"Roldesk over HTTP, GET of the form before each POST: {format_times(times['form and post'])}; "
        f"rows added per run: {rows['form and post']}",
        f"plain psycopg: {format_times(times['raw'])}; rows added per run: {rows['raw']}",
        f"median rate: Roldesk {count / median['post']:,.0f} requests/s posting, "
        f"{count / median['form and post']:,.0f} requests/s with the form fetched each time; "
        f"psycopg {count / median['raw']:,.0f} requests/s",
        f"share of the raw rate with the form fetched before each post: "
        f"{median['raw'] / median['form and post']:.2f}",
    ]
    return at_least("Submitting requests over HTTP (POST): share of the raw insert rate",
                    median["raw"] / median["post"], 0.5, details)


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


if __name__ == "__main__":
    print_results(run())
