"""The full transition table: every allowed (state, trigger, actor) works, all others are refused."""

import itertools

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import HistoryEvent, Ticket
from app.services.errors import InvalidInput, NotAllowed, TransitionRefused
from app.services.workflow import allowed_triggers, fire_trigger
from tests.factories import make_account, make_agent, make_ticket
from workflows import ticket_machine as machine

ACTORS = [machine.AGENT, machine.REQUESTER, machine.SYSTEM, "stranger"]


def _expected(kind, state, trigger, actor):
    """Return the destination the table allows, or None."""
    for name, sources, dest, who in machine.TRANSITION_TABLES[kind]:
        if name == trigger and state in sources and who == actor:
            return dest
    return None


def _all_triggers():
    return sorted({row[0] for table in machine.TRANSITION_TABLES.values() for row in table})


def _force_state(ticket, state):
    # Test set-up only: put a ticket in a state without walking the workflow.
    db.session.execute(
        Ticket.__table__.update().where(Ticket.id == ticket.id).values(state=state)
    )
    db.session.commit()
    db.session.expire_all()


def _account_for(actor, ticket, agent, stranger):
    return {machine.AGENT: agent, machine.REQUESTER: ticket.requester,
            machine.SYSTEM: None, "stranger": stranger}[actor]


def _fresh_ticket(requester, kind, state):
    wanted = None if kind == "question" else "workplace_trainer"
    ticket = make_ticket(requester, kind=kind, wanted_role=wanted)
    _force_state(ticket, state)
    return db.session.get(Ticket, ticket.id)


def _history_count():
    return db.session.scalar(select(func.count()).select_from(HistoryEvent))


@pytest.mark.parametrize("kind", machine.TRANSITION_TABLES)
def test_transition_table__every_combination(app, kind):
    agent = make_agent()
    stranger = make_account()
    requester = make_account()
    for state in machine.STATES:
        refused_on = _fresh_ticket(requester, kind, state)
        for trigger, actor in itertools.product(_all_triggers(), ACTORS):
            expected = _expected(kind, state, trigger, actor)
            if expected is not None:
                ticket = _fresh_ticket(requester, kind, state)
                fire_trigger(ticket, trigger, _account_for(actor, ticket, agent, stranger),
                             text="Toelichting")
                assert db.session.get(Ticket, ticket.id).state == expected, (state, trigger, actor)
                continue
            events_before = _history_count()
            with pytest.raises((NotAllowed, TransitionRefused)):
                fire_trigger(refused_on, trigger, _account_for(actor, refused_on, agent, stranger),
                             text="Toelichting")
            db.session.expire_all()
            assert db.session.get(Ticket, refused_on.id).state == state, (state, trigger, actor)
            assert _history_count() == events_before, (state, trigger, actor)


def test_fire__writes_history_row(app):
    agent = make_agent()
    ticket = make_ticket()
    fire_trigger(ticket, "start_review", agent)
    event = db.session.scalars(select(HistoryEvent).where(HistoryEvent.trigger == "start_review")).one()
    assert event.from_state == "submitted"
    assert event.to_state == "in_review"
    assert event.actor_id == agent.id
    assert ticket.assignee_id == agent.id


def test_reject__without_reason_is_refused(app):
    agent = make_agent()
    ticket = make_ticket()
    with pytest.raises(InvalidInput):
        fire_trigger(ticket, "reject", agent, text="  ")
    assert db.session.get(Ticket, ticket.id).state == "submitted"


def test_four_eyes__needs_two_agents(app):
    first, second = make_agent(), make_agent()
    ticket = make_ticket(wanted_role="exam_committee")
    fire_trigger(ticket, "start_review", first)
    fire_trigger(ticket, "approve", first)
    assert ticket.state == "in_review"
    assert ticket.first_approver_id == first.id
    with pytest.raises(NotAllowed):
        fire_trigger(ticket, "approve", first)
    assert db.session.get(Ticket, ticket.id).state == "in_review"
    fire_trigger(ticket, "approve", second)
    assert ticket.state == "approved"


def test_allowed_triggers__for_buttons(app):
    agent = make_agent()
    ticket = make_ticket()
    assert allowed_triggers(ticket, agent) == ["start_review", "reject"]
    assert allowed_triggers(ticket, ticket.requester) == ["withdraw"]
    assert allowed_triggers(ticket, make_account()) == []


def test_agent_own_request__cannot_be_handled(app):
    agent = make_agent()
    ticket = make_ticket(agent)
    assert allowed_triggers(ticket, agent) == ["withdraw"]
    with pytest.raises(NotAllowed):
        fire_trigger(ticket, "start_review", agent)
    assert db.session.get(Ticket, ticket.id).state == "submitted"
    fire_trigger(ticket, "withdraw", agent)
    assert ticket.state == "withdrawn"


def test_calendar_settings__one_select_per_transaction(app):
    from sqlalchemy import event

    from app.services.calendar import calendar_settings

    calendar_settings()
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        for _ in range(20):
            calendar_settings()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert statements == []
