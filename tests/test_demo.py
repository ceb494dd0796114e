"""``roldesk demo``: a fresh database filled like a working helpdesk."""

from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.models import Account, OutboxMail, School, Ticket
from app.models.types import utcnow
from app.services.accounts import find_account, verify_password
from workflows.ticket_machine import APPLIED, OPEN_STATES, REJECTED

PASSWORD = "demo-wachtwoord"


def run_demo(app, *args):
    return app.test_cli_runner().invoke(args=["demo", "--password", PASSWORD, *args])


def test_demo__fills_schools_staff_and_requests(app):
    result = run_demo(app, "--requests", "30", "--weeks", "3")

    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(School.id))) == 8
    assert db.session.scalar(select(func.count(Ticket.id))) == 30
    assert f"password {PASSWORD}" in result.output
    assert "anouk.de.vries@roldesk.example" in result.output


def test_demo__printed_staff_logins_work(app):
    run_demo(app, "--requests", "3")

    agent = find_account("anouk.de.vries@roldesk.example")
    assert verify_password(agent, PASSWORD)
    assert agent.is_agent
    assert find_account("esther.smit@roldesk.example").is_manager
    assert find_account("frank.meijer@roldesk.example").is_admin


def test_demo__history_looks_like_a_working_helpdesk(app):
    run_demo(app, "--requests", "60", "--weeks", "4")

    tickets = db.session.scalars(select(Ticket)).all()
    states = {ticket.state for ticket in tickets}
    oldest = min(ticket.submitted_at for ticket in tickets)
    assert states & set(OPEN_STATES)
    assert {APPLIED, REJECTED} <= states
    assert utcnow() - timedelta(weeks=4, days=1) < oldest < utcnow() - timedelta(weeks=2)
    for ticket in tickets:
        moments = [event.at for event in ticket.events]
        assert ticket.events[0].trigger == "submit", ticket.reference
        assert moments == sorted(moments), ticket.reference
        assert moments[-1] <= utcnow(), ticket.reference
        if ticket.closed_at is not None:
            assert ticket.handling_seconds is not None, ticket.reference
        if ticket.state == APPLIED:
            assert ticket.requester.role_id == ticket.wanted_role_id, ticket.reference


def test_demo__sends_no_mail_for_the_history(app):
    run_demo(app, "--requests", "10")

    assert db.session.scalar(select(func.count(OutboxMail.id))) == 0


def test_demo__refuses_a_database_with_requests(app):
    run_demo(app, "--requests", "3")
    accounts = db.session.scalar(select(func.count(Account.id)))

    second = run_demo(app, "--requests", "3")

    assert second.exit_code != 0
    assert "already has 3 requests" in second.output
    assert db.session.scalar(select(func.count(Account.id))) == accounts
