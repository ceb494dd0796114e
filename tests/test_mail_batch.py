"""Delivering a backlog of outbox mails in batches over one SMTP connection."""

import threading
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import MAIL_FAILED, MAIL_PENDING, MAIL_SENT, HistoryEvent, OutboxMail
from app.services import delivery
from app.services.delivery_batch import deliver_batch, drain
from tests.factories import make_account, make_agent, make_ticket


def use_smtp(app, server) -> None:
    app.config.update(SMTP_HOST=server.host, SMTP_PORT=server.port, SMTP_TLS="none")


def make_backlog(count: int) -> list[OutboxMail]:
    """Submit ``count`` requests; each queues one request_received mail (no agents to notify)."""
    for number in range(count):
        make_ticket(requester=make_account(email=f"leerling{number}@school.example"))
    return list(db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def status_of(mail: OutboxMail) -> OutboxMail:
    db.session.expire_all()
    return db.session.get(OutboxMail, mail.id)


@pytest.fixture
def connections(monkeypatch):
    """Count the SMTP connections delivery opens."""
    opened = []
    original = delivery.open_smtp

    def counting():
        opened.append(1)
        return original()

    monkeypatch.setattr(delivery, "open_smtp", counting)
    return opened


def test_batch__mails_arrive_once_over_one_connection(app, smtp_server, connections):
    use_smtp(app, smtp_server)
    mails = make_backlog(5)

    assert deliver_batch(limit=10) == {"sent": 5, "retry": 0, "failed": 0, "released": 0}

    received = smtp_server.wait_for(5)
    assert Counter(str(message["Message-ID"]) for message in received) == Counter(
        mail.message_id for mail in mails)
    assert len(connections) == 1
    assert {status_of(mail).status for mail in mails} == {MAIL_SENT}


def test_batch__sent_mail_is_not_picked_again(app, smtp_server):
    use_smtp(app, smtp_server)
    mails = make_backlog(3)
    deliver_batch(limit=10)

    assert deliver_batch(limit=10)["sent"] == 0
    assert delivery.deliver(mails[0].id) == "skipped"
    assert len(smtp_server.wait_for(3)) == 3


def test_batch__limit_leaves_rest_pending(app, smtp_server):
    use_smtp(app, smtp_server)
    mails = make_backlog(3)

    assert deliver_batch(limit=2)["sent"] == 2
    assert status_of(mails[2]).status == MAIL_PENDING
    assert deliver_batch(limit=2)["sent"] == 1
    assert len(smtp_server.wait_for(3)) == 3


def test_batch__permanent_refusal_fails_only_that_mail(app, smtp_server):
    use_smtp(app, smtp_server)
    mails = make_backlog(3)
    smtp_server.reject("leerling1@school.example", "550 5.1.1 No such user")

    assert deliver_batch(limit=10) == {"sent": 2, "retry": 0, "failed": 1, "released": 0}

    arrived = sorted(message.envelope_to[0] for message in smtp_server.wait_for(2))
    assert arrived == ["leerling0@school.example", "leerling2@school.example"]
    failed = status_of(mails[1])
    assert failed.status == MAIL_FAILED
    assert "550" in failed.last_error
    history = db.session.scalars(select(HistoryEvent).where(
        HistoryEvent.ticket_id == failed.ticket_id, HistoryEvent.kind == delivery.EVENT_MAIL_FAILED)).all()
    assert len(history) == 1
    assert history[0].internal


def test_batch__temporary_refusal_is_rescheduled(app, smtp_server):
    use_smtp(app, smtp_server)
    mails = make_backlog(2)
    smtp_server.reject("leerling0@school.example", "450 4.2.1 Mailbox busy, try later")

    assert deliver_batch(limit=10) == {"sent": 1, "retry": 1, "failed": 0, "released": 0}

    busy = status_of(mails[0])
    assert busy.status == MAIL_PENDING
    assert busy.next_attempt_at is not None
    assert "450" in busy.last_error
    # Not due yet, so the next batch leaves it alone.
    assert deliver_batch(limit=10)["retry"] == 0
    assert [message.envelope_to for message in smtp_server.wait_for(1)] == [["leerling1@school.example"]]


def test_batch__dropped_connection_reopened_once(app, smtp_server, connections, monkeypatch):
    use_smtp(app, smtp_server)
    make_backlog(3)
    original = delivery.send_over
    dropped = []

    def drop_once(smtp, mail):
        if not dropped:
            dropped.append(mail.id)
            smtp.close()
        return original(smtp, mail)

    monkeypatch.setattr(delivery, "send_over", drop_once)

    assert deliver_batch(limit=10)["sent"] == 3
    assert len(connections) == 2
    assert len(smtp_server.wait_for(3)) == 3


def test_batch__server_down_retries_every_mail(app, smtp_server):
    use_smtp(app, smtp_server)
    mails = make_backlog(3)
    smtp_server.stop()

    assert deliver_batch(limit=10) == {"sent": 0, "retry": 3, "failed": 0, "released": 0}
    assert {status_of(mail).status for mail in mails} == {MAIL_PENDING}


def _batch_in_thread(app, outcomes: list, start: threading.Barrier) -> None:
    with app.app_context():
        start.wait()
        try:
            outcomes.append(deliver_batch(limit=20))
        finally:
            db.session.remove()


def test_concurrent_batches__send_each_mail_once(app, smtp_server):
    use_smtp(app, smtp_server)
    mails = make_backlog(20)
    db.session.remove()
    outcomes: list = []
    start = threading.Barrier(2)
    threads = [threading.Thread(target=_batch_in_thread, args=(app, outcomes, start)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(outcome["sent"] for outcome in outcomes) == 20
    received = Counter(str(message["Message-ID"]) for message in smtp_server.wait_for(20))
    assert received == Counter(mail.message_id for mail in mails)


@pytest.mark.app_config({"MAIL_CLAIM_SECONDS": 0})
def test_batch__out_of_time_releases_mails(app, smtp_server):
    use_smtp(app, smtp_server)
    mails = make_backlog(2)

    # A lease of 0 s leaves the batch no time at all: every mail goes back, uncounted.
    assert deliver_batch(limit=10) == {"sent": 0, "retry": 0, "failed": 0, "released": 2}
    assert [(status_of(mail).status, status_of(mail).attempts) for mail in mails] == [
        (MAIL_PENDING, 0), (MAIL_PENDING, 0)]
    assert smtp_server.messages == []


def test_drain__sends_a_backlog_in_batches(app, smtp_server, connections):
    use_smtp(app, smtp_server)
    make_backlog(5)

    assert drain(limit=2) == 5
    assert len(connections) == 3
    assert len(smtp_server.wait_for(5)) == 5


def test_batch__without_smtp_writes_eml_files(app):
    mails = make_backlog(2)

    assert deliver_batch(limit=10)["sent"] == 2

    names = sorted(path.name for path in Path(app.config["MAIL_DIR"]).glob("*.eml"))
    assert names == [f"{mail.id:08d}-request_received.eml" for mail in mails]


def test_new_request__all_its_mails_in_one_task(app, monkeypatch):
    published = []
    monkeypatch.setattr(app.extensions["celery"], "send_task",
                        lambda name, args=None, **options: published.append((name, args)))
    make_agent(email="agent1@helpdesk.example")
    make_agent(email="agent2@helpdesk.example")

    make_ticket(requester=make_account(email="leerling@school.example"))

    mail_ids = list(db.session.scalars(select(OutboxMail.id).order_by(OutboxMail.id)))
    assert len(mail_ids) == 3
    assert published == [("tasks.mail.deliver_mails", [mail_ids])]


def test_deliver_batch__only_the_given_mails(app):
    mails = make_backlog(3)

    outcomes = deliver_batch(limit=10, mail_ids=[mails[0].id, mails[2].id])

    assert outcomes["sent"] == 2
    assert [status_of(mail).status for mail in mails] == [MAIL_SENT, MAIL_PENDING, MAIL_SENT]
