"""Delivering outbox mails: .eml files, SMTP, retries, permanent failures and duplicates."""

import socket
import threading
from datetime import timedelta
from email import message_from_string, policy
from pathlib import Path

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.models import MAIL_FAILED, MAIL_PENDING, MAIL_SENT, HistoryEvent, OutboxMail
from app.models.types import utcnow
from app.services import delivery
from tests.factories import make_account, make_agent, make_ticket


def outbox(template: str | None = None) -> list[OutboxMail]:
    query = select(OutboxMail).order_by(OutboxMail.id)
    if template:
        query = query.where(OutboxMail.template == template)
    return list(db.session.scalars(query))


def use_smtp(app, server) -> None:
    app.config.update(SMTP_HOST=server.host, SMTP_PORT=server.port, SMTP_TLS="none")


def make_due(mail: OutboxMail) -> None:
    """Move a retry into the past, as if its delay had passed."""
    db.session.execute(update(OutboxMail).where(OutboxMail.id == mail.id)
                       .values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


NAMES = [
    ("Éva", "Özdemir", "eva@school.example", "Éva Özdemir"),
    ("P.", "Jansen", "jansen@school.example", "Jansen, P."),
    ("Jan", "van 't Hof", "jan@bücher.example", "Jan van 't Hof"),
]


@pytest.mark.parametrize(("first", "last", "address", "display"), NAMES)
def test_smtp__names_and_idn_arrive_intact(app, smtp_server, first, last, address, display):
    use_smtp(app, smtp_server)
    make_ticket(requester=make_account(first_name=first, last_name=last, email=address))
    mail = outbox("request_received")[0]
    # Address books write some names surname first, with a comma.
    db.session.execute(update(OutboxMail).where(OutboxMail.id == mail.id).values(to_name=display))
    db.session.commit()

    assert delivery.deliver(mail.id) == "sent"

    received = smtp_server.wait_for(1)[0]
    recipient = received["To"].addresses[0]
    assert recipient.display_name == display
    assert recipient.addr_spec == address
    assert received.envelope_to == [address]
    assert received["Message-ID"] == mail.message_id


@pytest.fixture
def submitted(app):
    """A request by Éva Özdemir at an internationalised domain, with one agent to notify."""
    make_agent(email="agent@school.example")
    requester = make_account(first_name="Éva", last_name="Özdemir", email="eva@bücher.example")
    return make_ticket(requester=requester)


def test_eml_file__written_without_smtp(app, submitted):
    mail = outbox("request_received")[0]

    assert delivery.deliver(mail.id) == "sent"

    files = sorted(Path(app.config["MAIL_DIR"]).glob("*.eml"))
    assert [path.name for path in files] == [f"{mail.id:08d}-request_received.eml"]
    # The address is internationalised, so the file has UTF-8 headers (RFC 6532).
    message = message_from_string(files[0].read_bytes().decode("utf-8"), policy=policy.default)
    assert message["To"].addresses[0].display_name == "Éva Özdemir"
    assert message["To"].addresses[0].domain == "bücher.example"
    assert submitted.reference in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert submitted.reference in text
    assert "uiterlijk" in text
    assert submitted.reference in html
    assert db.session.get(OutboxMail, mail.id).status == MAIL_SENT


def test_smtp__request_mails_arrive(app, smtp_server, submitted):
    use_smtp(app, smtp_server)

    results = [delivery.deliver(mail.id) for mail in outbox()]

    assert results == ["sent", "sent"]
    received = smtp_server.wait_for(2)
    assert sorted(message.envelope_to[0] for message in received) == [
        "agent@school.example", "eva@bücher.example"]


def test_deliver_twice__sends_one_mail(app, smtp_server, submitted):
    use_smtp(app, smtp_server)
    mail = outbox("request_received")[0]

    first = delivery.deliver(mail.id)
    second = delivery.deliver(mail.id)

    assert (first, second) == ("sent", "skipped")
    assert len(smtp_server.wait_for(1)) == 1
    assert db.session.get(OutboxMail, mail.id).attempts == 1


def test_temporary_failure__retried_after_delay(app, smtp_server, submitted):
    use_smtp(app, smtp_server)
    smtp_server.reject("eva@bücher.example", "450 4.2.1 Mailbox busy, try later")
    mail = outbox("request_received")[0]

    assert delivery.deliver(mail.id) == "retry"

    db.session.refresh(mail)
    assert mail.status == MAIL_PENDING
    assert "450" in mail.last_error
    assert mail.next_attempt_at > utcnow()
    assert delivery.deliver(mail.id) == "skipped"

    smtp_server.accept("eva@bücher.example")
    make_due(mail)
    assert delivery.requeue_unsent() >= 1
    assert delivery.deliver(mail.id) == "sent"
    assert len(smtp_server.wait_for(1)) == 1


def test_permanent_failure__marks_failed_and_spares_others(app, smtp_server, submitted):
    use_smtp(app, smtp_server)
    smtp_server.reject("eva@bücher.example", "550 5.1.1 No such user")

    results = {mail.template: delivery.deliver(mail.id) for mail in outbox()}

    assert results == {"request_received": "failed", "new_request": "sent"}
    assert [message.envelope_to for message in smtp_server.wait_for(1)] == [["agent@school.example"]]
    failed = delivery.failed_mails(submitted.id)
    assert [mail.template for mail in failed] == ["request_received"]
    assert failed[0].status == MAIL_FAILED
    assert "550" in failed[0].last_error
    history = db.session.scalars(select(HistoryEvent).where(
        HistoryEvent.ticket_id == submitted.id, HistoryEvent.kind == "mail_failed")).all()
    assert len(history) == 1
    assert history[0].internal
    assert delivery.requeue_unsent() == 0


def test_smtp_down__retried_then_sent_once(app, smtp_server, submitted):
    use_smtp(app, smtp_server)
    smtp_server.stop()
    mails = outbox()

    assert [delivery.deliver(mail.id) for mail in mails] == ["retry", "retry"]

    smtp_server.start()
    for mail in mails:
        make_due(mail)
    delivery.requeue_unsent()
    assert [delivery.deliver(mail.id) for mail in mails] == ["sent", "sent"]
    assert [delivery.deliver(mail.id) for mail in mails] == ["skipped", "skipped"]
    assert len(smtp_server.wait_for(2)) == 2


@pytest.fixture
def dropping_server():
    """A TCP server on loopback that closes every connection at once, as a crashed MTA would."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    running = threading.Event()
    running.set()

    def serve():
        while running.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()
    running.clear()
    thread.join(timeout=5)
    listener.close()


def test_dropped_connection__is_retried(app, submitted, dropping_server):
    host, port = dropping_server
    app.config.update(SMTP_HOST=host, SMTP_PORT=port, SMTP_TLS="none")
    mail = outbox("request_received")[0]

    assert delivery.deliver(mail.id) == "retry"

    db.session.refresh(mail)
    assert mail.status == MAIL_PENDING
    assert "SMTPServerDisconnected" in mail.last_error


def test_retry_delay__doubles_up_to_an_hour(app):
    delays = [delivery._retry_delay(attempt) for attempt in (1, 2, 3, 10)]

    assert delays == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4),
                      timedelta(hours=1)]


def test_mail__in_recipient_language_as_text_and_html(app, smtp_server):
    use_smtp(app, smtp_server)
    requester = make_account(language="en", email="student@school.example")
    make_ticket(requester=requester)
    mail = outbox("request_received")[0]

    delivery.deliver(mail.id)

    received = smtp_server.wait_for(1)[0]
    assert received["Content-Language"] == "en"
    assert received.get_body(("plain",)) is not None
    assert received.get_body(("html",)).get_content_type() == "text/html"


def test_smtp__non_ascii_subject_and_body_arrive_intact(app, smtp_server):
    use_smtp(app, smtp_server)
    make_ticket(requester=make_account(email="zoe@school.example"))
    mail = outbox("request_received")[0]
    subject = "Verzoek ontvangen: één werkdag — Zoë’s rol"
    body = "Beste Zoë,\n\nWe behandelen je verzoek binnen één werkdag.\n"
    db.session.execute(update(OutboxMail).where(OutboxMail.id == mail.id).values(
        subject=subject, body_text=body, body_html=f"<p>{body}</p>"))
    db.session.commit()

    assert delivery.deliver(mail.id) == "sent"

    received = smtp_server.wait_for(1)[0]
    assert received["Subject"] == subject
    assert received.get_body(("plain",)).get_content() == body
    assert received.get_body(("html",)).get_content() == f"<p>{body}</p>"
    assert received["Content-Language"] == "nl"
