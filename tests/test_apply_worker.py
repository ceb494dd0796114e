"""The apply task on a real Celery worker with Redis, against a directory that fails at first."""

import time

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import HistoryEvent, OutboxMail, Ticket
from app.services.workflow import APPLY_TASK, fire_trigger
from tests.factories import make_agent, make_ticket

pytestmark = pytest.mark.worker

WAIT_SECONDS = 60


def _wait_for(check, timeout: float = WAIT_SECONDS):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        result = check()
        if result:
            return result
        time.sleep(0.3)
    return check()


@pytest.fixture
def flaky_worker(app, celery_worker, monkeypatch):
    """Restart the worker with a directory that fails its first two calls."""
    from tests.fixtures import worker as worker_module

    monkeypatch.setitem(worker_module._ENV_FROM_CONFIG, "ACCOUNT_DIRECTORY",
                        "ROLDESK_ACCOUNT_DIRECTORY")
    monkeypatch.setenv("FLAKY_DIRECTORY_FAILURES", "2")
    app.config["ACCOUNT_DIRECTORY"] = "tests.flaky_directory:FlakyDirectory"
    celery_worker.stop()
    celery_worker.start()
    return celery_worker


def test_worker__failing_directory_recovers_on_retry(app, flaky_worker):
    ticket = make_ticket(wanted_role="teacher")
    agent = make_agent()
    fire_trigger(ticket, "start_review", agent)

    fire_trigger(ticket, "approve", agent)

    applied = _wait_for(lambda: db.session.get(Ticket, ticket.id).state == "applied")
    assert applied, flaky_worker.log()
    ticket = db.session.get(Ticket, ticket.id)
    assert ticket.requester.role.code == "teacher"
    assert ticket.apply_attempts == 3
    assert ticket.apply_error is None
    failures = db.session.scalars(select(HistoryEvent).where(
        HistoryEvent.ticket_id == ticket.id, HistoryEvent.kind == "apply_failed")).all()
    assert len(failures) == 2
    assert all(event.internal for event in failures)
    assert "Retry in" in flaky_worker.log()
    mails = db.session.scalars(select(OutboxMail).where(OutboxMail.template == "role_applied")).all()
    assert [mail.to_address for mail in mails] == [ticket.requester.email_normalized]


def test_worker__applying_twice_changes_nothing(app, celery_worker):
    ticket = make_ticket(wanted_role="teacher")
    agent = make_agent()
    fire_trigger(ticket, "start_review", agent)
    fire_trigger(ticket, "approve", agent)
    assert _wait_for(lambda: db.session.get(Ticket, ticket.id).state == "applied"), celery_worker.log()
    version = db.session.get(Ticket, ticket.id).version
    events = len(db.session.get(Ticket, ticket.id).events)

    app.extensions["celery"].send_task(APPLY_TASK, args=[ticket.id])

    assert _wait_for(lambda: "'already_applied'" in celery_worker.log()), celery_worker.log()
    ticket = db.session.get(Ticket, ticket.id)
    assert ticket.version == version
    assert len(ticket.events) == events
    assert ticket.apply_attempts == 1
