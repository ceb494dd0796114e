"""The working-day sweep run as a Celery task by a real worker, with mail over SMTP."""

import time
from datetime import timedelta

import pytest
from sqlalchemy import update

from app.extensions import db
from app.models import Ticket
from app.models.types import utcnow
from tests.factories import make_account, make_agent, make_ticket

pytestmark = pytest.mark.worker

SWEEP_TASK = "tasks.sla.sweep"


def move_clock(ticket: Ticket, at_risk_in: timedelta, due_in: timedelta) -> None:
    now = utcnow()
    db.session.execute(update(Ticket).where(Ticket.id == ticket.id)
                       .values(at_risk_at=now + at_risk_in, due_at=now + due_in))
    db.session.commit()


def subjects(server) -> list[str]:
    return sorted(str(message["Subject"]) for message in server.messages)


def test_sweep_task__mails_at_risk_and_breach_once_each(app, smtp_server, celery_worker):
    make_agent(email="agent@school.example")
    make_account(staff=("manager",), email="teamleider@school.example")
    ticket = make_ticket()
    smtp_server.wait_for(2)
    celery = app.extensions["celery"]

    move_clock(ticket, at_risk_in=-timedelta(minutes=1), due_in=timedelta(hours=1))
    celery.send_task(SWEEP_TASK)
    celery.send_task(SWEEP_TASK)
    smtp_server.wait_for(3, timeout=30)
    move_clock(ticket, at_risk_in=-timedelta(hours=2), due_in=-timedelta(minutes=1))
    celery.send_task(SWEEP_TASK)
    celery.send_task(SWEEP_TASK)
    smtp_server.wait_for(4, timeout=30)
    time.sleep(2)

    assert subjects(smtp_server) == sorted([
        f"Je verzoek {ticket.reference} is ontvangen",
        f"Nieuw verzoek {ticket.reference}",
        f"Verzoek {ticket.reference} dreigt te laat te worden",
        f"Verzoek {ticket.reference} is te laat",
    ])
    recipients = {str(message["Subject"]): message.envelope_to for message in smtp_server.messages}
    assert recipients[f"Verzoek {ticket.reference} is te laat"] == ["teamleider@school.example"]
