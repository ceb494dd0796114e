"""New-request mails to agents: one per request, or an hourly digest by setting."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMail
from app.services import digest
from tests.factories import make_agent, make_ticket

DIGEST = pytest.mark.app_config({"NEW_REQUEST_MAIL": "digest"})


def templates() -> list[str]:
    return list(db.session.scalars(select(OutboxMail.template).order_by(OutboxMail.id)))


def submitted_in_hour(hour: datetime, minute: int):
    ticket = make_ticket()
    ticket.submitted_at = hour + timedelta(minutes=minute)
    db.session.commit()
    return ticket


def test_immediate__each_agent_gets_a_mail_per_request(app):
    make_agent()
    make_agent()

    make_ticket()

    assert templates().count("new_request") == 2
    assert digest.send_digests() == 0


@DIGEST
def test_digest__lists_the_hour_once_per_agent(app):
    agent = make_agent()
    hour = datetime(2025, 3, 10, 9, 0, tzinfo=timezone.utc)
    first = submitted_in_hour(hour, 5)
    second = submitted_in_hour(hour, 50)
    submitted_in_hour(hour + timedelta(hours=1), 10)

    queued = digest.send_digests(hour + timedelta(hours=1, minutes=1))
    again = digest.send_digests(hour + timedelta(hours=1, minutes=2))

    assert (queued, again) == (1, 0)
    assert "new_request" not in templates()
    mail = db.session.scalars(select(OutboxMail).where(
        OutboxMail.template == "new_request_digest")).one()
    assert mail.to_address == agent.email_normalized
    assert "2 nieuwe verzoeken tussen 10:00 en 11:00" == mail.subject
    assert first.reference in mail.body_text
    assert second.reference in mail.body_text
    assert second.reference in mail.body_html


@DIGEST
def test_digest__missed_hours_are_sent_late(app):
    make_agent()
    hour = datetime(2025, 3, 10, 9, 0, tzinfo=timezone.utc)
    submitted_in_hour(hour, 5)

    assert digest.send_digests(hour + timedelta(hours=4)) == 1
    assert digest.send_digests(hour + timedelta(hours=5)) == 0
