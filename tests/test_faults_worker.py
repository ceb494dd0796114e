"""Faults a real Celery worker on Redis must survive, with a real SMTP server on loopback.

The requeue sweep, which Celery beat runs every minute, is called by the tests
themselves so they need not wait for beat.
"""

import shutil
import subprocess
import time
from collections import Counter

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import MAIL_PENDING, MAIL_SENT, OutboxMail
from app.services import delivery
from tests.factories import make_agent, make_ticket
from tests.fixtures.smtp import free_port
from tests.fixtures.worker import WorkerProcess, use_broker

pytestmark = pytest.mark.worker

# Short delays so a test sees a retry or an expired claim within seconds.
FAST_RETRIES = pytest.mark.app_config({"MAIL_RETRY_SECONDS": 1, "MAIL_CLAIM_SECONDS": 2})


def statuses() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMail.status).order_by(OutboxMail.id)))


def wait_until(condition, timeout: float = 30.0, every: float = 0.2, sweep: bool = False):
    """Poll ``condition`` until it is true; with ``sweep``, run the requeue sweep each time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sweep:
            delivery.requeue_unsent()
        db.session.expire_all()
        if condition():
            return
        time.sleep(every)
    pytest.fail(f"condition not met within {timeout}s; outbox statuses: {statuses()}")


def message_ids(server) -> Counter:
    return Counter(str(message["Message-ID"]) for message in server.messages)


class PrivateRedis:
    """A redis-server of this test alone, on a free loopback port, stopped by its pid."""

    def __init__(self, folder):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.folder = folder
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        import redis

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping()
                return
            except redis.RedisError:
                time.sleep(0.1)
        pytest.fail(f"redis-server on port {self.port} did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def private_redis(tmp_path):
    from tests.conftest import unavailable

    if shutil.which("redis-server") is None:
        unavailable("redis-server is not installed")
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@FAST_RETRIES
def test_redis_down__mails_arrive_when_back(app, smtp_server, private_redis, celery_queue,
                                            tmp_path):
    app.config.update(SMTP_HOST=smtp_server.host, SMTP_PORT=smtp_server.port, SMTP_TLS="none")
    use_broker(app, private_redis.url, celery_queue)
    worker = WorkerProcess(app, tmp_path)
    worker.start()
    try:
        make_agent(email="agent@school.example")
        private_redis.stop()

        tickets, durations = [], []
        for _ in range(3):
            started = time.monotonic()
            tickets.append(make_ticket())
            durations.append(time.monotonic() - started)

        assert all(ticket.reference for ticket in tickets)
        # One broker connection timeout (2 s) at most, not one per mail.
        assert max(durations) < 5, durations
        assert statuses() == [MAIL_PENDING] * 6

        private_redis.start()
        wait_until(lambda: statuses() == [MAIL_SENT] * 6, timeout=60, every=1, sweep=True)
        smtp_server.wait_for(6)
        assert len(smtp_server.messages) == 6
        assert set(message_ids(smtp_server).values()) == {1}
    finally:
        worker.stop()


@FAST_RETRIES
def test_smtp_down__mails_arrive_once_when_back(app, smtp_server, celery_worker):
    make_agent(email="agent@school.example")
    smtp_server.stop()

    ticket = make_ticket()
    wait_until(lambda: all(mail.attempts >= 1 and mail.last_error
                           for mail in db.session.scalars(select(OutboxMail))))
    assert statuses() == [MAIL_PENDING, MAIL_PENDING]

    smtp_server.start()
    wait_until(lambda: statuses() == [MAIL_SENT, MAIL_SENT], sweep=True)
    smtp_server.wait_for(2)
    time.sleep(1)
    assert len(smtp_server.messages) == 2
    assert set(message_ids(smtp_server).values()) == {1}
    assert ticket.reference in str(smtp_server.messages[0]["Subject"])


@FAST_RETRIES
def test_worker_killed_mid_delivery__delivered_once(app, smtp_server, celery_worker):
    smtp_server.hold()

    ticket = make_ticket()
    assert smtp_server.sender_waiting.wait(30), celery_worker.log()
    celery_worker.kill()
    smtp_server.release()
    celery_worker.start()

    wait_until(lambda: statuses() == [MAIL_SENT], sweep=True)
    smtp_server.wait_for(1)
    time.sleep(1)
    assert len(smtp_server.messages) == 1
    assert ticket.reference in str(smtp_server.messages[0]["Subject"])
    mail = db.session.scalars(select(OutboxMail)).one()
    assert mail.attempts == 2


def test_same_task_twice__one_mail(app, smtp_server, celery_worker):
    make_ticket()
    mail = db.session.scalars(select(OutboxMail)).one()
    celery = app.extensions["celery"]

    celery.send_task(delivery.DELIVER_TASK, args=[mail.id])
    celery.send_task(delivery.DELIVER_TASK, args=[mail.id])

    # Three runs: the batch task queued after the commit and the two sent here. Whichever
    # runs first sends the mail, and the other two find it sent.
    wait_until(lambda: celery_worker.log().count("succeeded") >= 3)
    assert statuses() == [MAIL_SENT]
    assert len(smtp_server.wait_for(1)) == 1
    log = celery_worker.log()
    assert log.count("'skipped'") + log.count("'sent': 0") == 2
