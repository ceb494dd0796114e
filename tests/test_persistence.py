"""Persistence pitfalls of a state machine on ORM rows, each ruled out by a test."""

import gc

import pytest
import transitions
from sqlalchemy import func, select

from app.extensions import db
from app.models import Account, HistoryEvent, Ticket
from app.services import workflow
from app.services.errors import TicketChanged
from app.services.workflow import fire_trigger
from tests.factories import make_account, make_agent, make_ticket
from workflows import ticket_machine


def test_loaded_ticket__keeps_stored_state(app):
    agent_id = make_agent().id
    ticket_id = make_ticket().id
    fire_trigger(db.session.get(Ticket, ticket_id), "start_review", db.session.get(Account, agent_id))
    db.session.remove()

    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        assert ticket.state == "in_review"
        fire_trigger(ticket, "approve", db.session.get(Account, agent_id))
        assert db.session.get(Ticket, ticket_id).state == "approved"


def _live(cls) -> int:
    return sum(1 for obj in gc.get_objects() if isinstance(obj, cls))


def test_many_tickets__leave_no_machines_behind(app):
    requester = make_account()
    agent_id = make_agent().id
    db.session.add_all(
        Ticket(kind="question", state="submitted", requester_id=requester.id, reference=f"T-{n}")
        for n in range(5000)
    )
    db.session.commit()
    db.session.remove()

    agent = db.session.get(Account, agent_id)
    tickets = db.session.scalars(select(Ticket)).all()
    assert len(tickets) == 5000
    for ticket in tickets[:50]:
        fire_trigger(ticket, "start_review", agent)
    del tickets, ticket, agent
    db.session.remove()
    gc.collect()

    assert _live(Ticket) == 0
    assert _live(transitions.Machine) == 0
    assert _live(ticket_machine._StateHolder) == 0


def test_two_sessions__second_gets_changed_error(app):
    first_agent_id, second_agent_id = make_agent().id, make_agent().id
    ticket_id = make_ticket().id
    db.session.remove()

    with app.app_context():  # a second session on a second connection
        stale = db.session.get(Ticket, ticket_id)
        assert stale.state == "submitted"

        with app.app_context():
            winner = db.session.get(Ticket, ticket_id)
            fire_trigger(winner, "start_review", db.session.get(Account, first_agent_id))

        with pytest.raises(TicketChanged):
            fire_trigger(stale, "reject", db.session.get(Account, second_agent_id),
                         text="Te laat")

    fresh = db.session.get(Ticket, ticket_id)
    assert fresh.state == "in_review"
    assert fresh.assignee_id == first_agent_id
    triggers = db.session.scalars(select(HistoryEvent.trigger).where(HistoryEvent.ticket_id == ticket_id))
    assert sorted(triggers) == ["start_review", "submit"]


def test_stale_page_version__is_refused(app):
    agent = make_agent()
    ticket = make_ticket()
    shown_version = ticket.version
    fire_trigger(ticket, "start_review", agent)
    with pytest.raises(TicketChanged):
        fire_trigger(ticket, "reject", agent, text="Reden", expected_version=shown_version)
    assert db.session.get(Ticket, ticket.id).state == "in_review"


def test_error_after_trigger__rolls_everything_back(app, monkeypatch):
    agent = make_agent()
    ticket = make_ticket()
    fire_trigger(ticket, "start_review", agent)
    events_before = db.session.scalar(select(func.count()).select_from(HistoryEvent))

    def broken_mail(*args, **kwargs):
        raise RuntimeError("mail template failed")

    monkeypatch.setattr(workflow, "queue_mail", broken_mail)
    with pytest.raises(RuntimeError):
        fire_trigger(ticket, "reject", agent, text="Geen praktijkopleider")

    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).state == "in_review"
    assert db.session.scalar(select(func.count()).select_from(HistoryEvent)) == events_before


def test_history__is_append_only(app):
    ticket = make_ticket()
    event = db.session.scalars(select(HistoryEvent).where(HistoryEvent.ticket_id == ticket.id)).first()
    event.reason = "changed"
    with pytest.raises(Exception, match="append-only"):
        db.session.commit()
    db.session.rollback()
