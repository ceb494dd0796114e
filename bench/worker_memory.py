"""Benchmark: resident memory of a Celery worker after 100,000 tasks against after 1,000.

A real worker process (``celery -A tasks.worker worker --pool=solo``) takes tasks
from a Redis queue of its own and works on a private PostgreSQL database. The tasks
come in batches of 1,000 ``tasks.mail.deliver_mail`` calls over 1,000 outbox rows:
before each batch the last 100 rows are set pending again, so each batch writes 100
real mails (as .eml files, no SMTP host) and skips 900 already-sent ones, as
duplicate deliveries do. Those 100 come last in the batch, so once they are sent,
the worker has finished the whole batch. RSS is read from /proc after each batch.

Run: .venv/bin/python -m bench.worker_memory [--quick]
"""

import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench.common import (REDIS_URL, Result, Server, bench_app, cpu_seconds, migrate, parse_args,
                          print_results, private_database, rss_kib, sqlalchemy_url)

BATCH = 1_000
REAL_PER_BATCH = 100
BATCH_TIMEOUT = 120.0
# The run stops after this many seconds even short of 100,000 tasks, and the result states that.
TIME_LIMIT = 900.0


def _worker_environment(database_url: str, queue: str, instance: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ROLDESK_")}
    env.update({
        "ROLDESK_DATABASE_URL": sqlalchemy_url(database_url),
        "ROLDESK_BROKER_URL": REDIS_URL,
        "ROLDESK_CELERY_QUEUE": queue,
        "ROLDESK_MAIL_DIR": str(instance / "mail"),
        "ROLDESK_INSTANCE_PATH": str(instance),
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
    })
    return env


def _pending_reset(database_url: str, ids: list[int]) -> None:
    import psycopg

    with psycopg.connect(database_url) as conn:
        conn.execute("UPDATE outbox_mail SET status = 'pending', claimed_at = NULL, claim_token = NULL, "
                     "attempts = 0 WHERE id = ANY(%s)", (ids,))


def _wait_sent(database_url: str, ids: list[int], worker: Server) -> None:
    import psycopg

    deadline = time.monotonic() + BATCH_TIMEOUT
    with psycopg.connect(database_url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            pending = conn.execute("SELECT count(*) FROM outbox_mail WHERE id = ANY(%s) AND status <> 'sent'",
                                   (ids,)).fetchone()[0]
            if pending == 0:
                return
            if worker.process.poll() is not None:
                raise RuntimeError(f"the worker exited with {worker.process.returncode}:\n{worker.log()[-3000:]}")
            time.sleep(0.05)
    raise RuntimeError(f"a batch was not done within {BATCH_TIMEOUT}s:\n{worker.log()[-3000:]}")


def _insert_mails(count: int) -> list[int]:
    from email.utils import make_msgid

    from sqlalchemy import insert, select

    from app.extensions import db
    from app.models import OutboxMail

    db.session.execute(insert(OutboxMail), [
        {"template": "request_received", "to_address": f"ontvanger{number}@school.example",
         "to_name": f"Ontvanger {number}", "subject": f"Verzoek RD-2026-{number:05d} ontvangen",
         "body_text": "Je verzoek is ontvangen.\n" * 20, "body_html": "<p>Je verzoek is ontvangen.</p>" * 20,
         "message_id": make_msgid(domain="roldesk.example"), "status": "sent"}
        for number in range(count)
    ])
    db.session.commit()
    return list(db.session.scalars(select(OutboxMail.id).order_by(OutboxMail.id)))


def run(argv: list[str] | None = None) -> list[Result]:
    args = parse_args(__doc__.splitlines()[0], argv)
    batches = 5 if args.quick else 100
    import redis

    queue = f"roldesk-bench-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as folder, private_database() as database_url:
        instance = Path(folder)
        migrate(database_url, instance)
        app = bench_app(database_url, instance, {"BROKER_URL": REDIS_URL, "CELERY_QUEUE": queue})
        celery = app.extensions["celery"]
        with app.app_context():
            ids = _insert_mails(BATCH)
        real_ids = ids[-REAL_PER_BATCH:]
        worker = Server([str(Path(sys.executable).parent / "celery"), "-A", "tasks.worker", "worker",
                         "--pool=solo", "--loglevel=WARNING", "-Q", queue, "-n", f"{queue}@%h",
                         "--without-gossip", "--without-mingle", "--without-heartbeat"],
                        _worker_environment(database_url, queue, instance), instance / "worker.log")
        samples: list[tuple[int, int]] = []
        started = time.monotonic()
        try:
            time.sleep(1)
            for batch in range(batches):
                if time.monotonic() - started > TIME_LIMIT:
                    break
                _pending_reset(database_url, real_ids)
                for mail_id in ids:
                    celery.send_task("tasks.mail.deliver_mail", args=[mail_id])
                _wait_sent(database_url, real_ids, worker)
                samples.append(((batch + 1) * BATCH, rss_kib(worker.pid)))
            worker_cpu = cpu_seconds(worker.pid)
        finally:
            worker.stop()
            redis.Redis.from_url(REDIS_URL).delete(queue)
            celery.close()
    elapsed = time.monotonic() - started
    after_first = samples[0][1]
    after_last = samples[-1][1]
    growth = (after_last - after_first) / after_first * 100
    curve = ", ".join(f"{tasks:,}: {kib / 1024:.1f}" for tasks, kib in samples[:: max(1, len(samples) // 10)])
    details = [
        f"{samples[-1][0]:,} tasks in {elapsed:.0f} s ({samples[-1][0] / elapsed:,.0f} tasks/s), "
        f"solo pool, Redis queue {queue}; the worker used {worker_cpu:.0f} s of CPU "
        f"({worker_cpu / samples[-1][0] * 1000:.2f} ms a task)",
        f"RSS after {samples[0][0]:,} tasks: {after_first / 1024:.1f} MiB; "
        f"after {samples[-1][0]:,}: {after_last / 1024:.1f} MiB",
        f"RSS in MiB by tasks done: {curve}",
    ]
    if samples[-1][0] < batches * BATCH:
        details.append(f"stopped after {TIME_LIMIT:.0f} s, short of {batches * BATCH:,} tasks")
    name = f"Worker memory: growth from {samples[0][0]:,} to {samples[-1][0]:,} tasks, %"
    complete = samples[-1][0] == batches * BATCH
    return [Result(name, growth, "under 10", complete and growth < 10, details)]


if __name__ == "__main__":
    print_results(run())
