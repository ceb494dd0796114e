"""Bulk actions from the queue: each ticket through the single-action path, with a result page."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMail, RejectionReason, Ticket
from app.services.workflow import fire_trigger
from tests.factories import make_account, make_agent, make_ticket


def _ticket(ticket_id: int) -> Ticket:
    db.session.expire_all()
    return db.session.get(Ticket, ticket_id)


def _new_ticket(**kwargs) -> Ticket:
    return make_ticket(make_account(password_hash=None), **kwargs)


def _selection(*tickets) -> list[str]:
    return [f"{ticket.id}:{ticket.version}" for ticket in tickets]


@pytest.fixture
def agent(auth):
    agent = make_agent()
    auth.login(agent.email)
    return agent


def test_bulk_claim__assigns_all(client, agent):
    tickets = [_new_ticket(), _new_ticket()]

    response = client.post("/helpdesk/selectie", data={
        "action": "start_review", "reason": "0", "tickets": _selection(*tickets)})

    page = response.get_data(as_text=True)
    assert "2 verzoeken gelukt" in page
    assert "0 verzoeken geweigerd" in page
    for ticket in tickets:
        assert _ticket(ticket.id).state == "in_review"
        assert _ticket(ticket.id).assignee_id == agent.id


def test_bulk_approve__lists_refusals_with_reason(client, agent):
    in_review = _new_ticket()
    fire_trigger(in_review, "start_review", agent)
    submitted = _new_ticket()

    response = client.post("/helpdesk/selectie", data={
        "action": "approve", "reason": "0",
        "tickets": _selection(_ticket(in_review.id), submitted)})

    page = response.get_data(as_text=True)
    assert "1 verzoek gelukt" in page
    assert "1 verzoek geweigerd" in page
    assert submitted.reference in page
    assert "past niet bij de huidige status" in page
    assert _ticket(in_review.id).state == "approved"
    assert _ticket(submitted.id).state == "submitted"


def test_bulk_reject__one_reason_for_all(client, agent):
    reason = RejectionReason(label="Entree", text_nl="Je school regelt je rol via Entree.")
    db.session.add(reason)
    db.session.commit()
    tickets = [_new_ticket(), _new_ticket()]

    client.post("/helpdesk/selectie", data={
        "action": "reject", "reason": str(reason.id), "text": "",
        "tickets": _selection(*tickets)})

    mails = db.session.scalars(select(OutboxMail).where(OutboxMail.template == "rejected")).all()
    assert len(mails) == 2
    assert all("Je school regelt je rol via Entree." in mail.body_text for mail in mails)
    assert {_ticket(ticket.id).state for ticket in tickets} == {"rejected"}


def test_bulk_reject__without_reason_changes_nothing(client, agent):
    ticket = _new_ticket()

    response = client.post("/helpdesk/selectie", data={
        "action": "reject", "reason": "0", "text": " ", "tickets": _selection(ticket)},
        follow_redirects=True)

    assert "Kies een standaardreden of schrijf een toelichting" in response.get_data(as_text=True)
    assert _ticket(ticket.id).state == "submitted"


def test_bulk__stale_row_is_refused(client, agent):
    ticket = _new_ticket()
    stale = _selection(ticket)
    fire_trigger(ticket, "start_review", make_agent(password_hash=None))

    response = client.post("/helpdesk/selectie", data={
        "action": "reject", "reason": "0", "text": "Dubbel.", "tickets": stale})

    assert "intussen gewijzigd" in response.get_data(as_text=True)
    assert _ticket(ticket.id).state == "in_review"


def test_bulk__nothing_selected_goes_back(client, agent):
    response = client.post("/helpdesk/selectie", data={"action": "approve", "view": "assignee=mine"})

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/helpdesk/?assignee=mine")


def test_bulk__four_eyes_first_approval_reported(client, agent):
    ticket = _new_ticket(wanted_role="exam_committee")
    fire_trigger(ticket, "start_review", agent)

    response = client.post("/helpdesk/selectie", data={
        "action": "approve", "reason": "0", "tickets": _selection(_ticket(ticket.id))})

    assert "Eerste goedkeuring vastgelegd" in response.get_data(as_text=True)
    assert _ticket(ticket.id).state == "in_review"


def test_bulk__requester_is_refused(client, auth):
    requester = make_account()
    ticket = make_ticket(requester)
    auth.login(requester.email)

    response = client.post("/helpdesk/selectie", data={
        "action": "approve", "tickets": _selection(ticket)})

    assert response.status_code == 403
    assert _ticket(ticket.id).state == "submitted"
