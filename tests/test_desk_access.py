"""Who reaches the desk: requesters never, agents for every request, admin pages for admins."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import HistoryEvent, OutboxMail, Ticket
from tests.factories import make_account, make_agent, make_ticket

DESK_POSTS = [
    ("actie/start_review", {"start_review-version": "1"}),
    ("actie/approve", {"approve-version": "1"}),
    ("actie/reject", {"reject-version": "1", "reject-text": "Nee."}),
    ("bericht", {"message-version": "1", "message-text": "Hallo"}),
    ("notitie", {"note-version": "1", "note-text": "Intern"}),
    ("toewijzen", {"version": "1", "assignee": "0"}),
    ("opnieuw-doorvoeren", {"retry-version": "1"}),
]


def _snapshot(ticket_id: int) -> tuple:
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket_id)
    events = db.session.scalar(select(func.count()).select_from(HistoryEvent))
    mails = db.session.scalar(select(func.count()).select_from(OutboxMail))
    return ticket.state, ticket.version, ticket.assignee_id, events, mails


def test_desk__requester_gets_403_not_redirect(client, auth):
    requester = make_account()
    ticket = make_ticket(requester)
    auth.login(requester.email)

    for path in ("/helpdesk/", f"/helpdesk/verzoek/{ticket.id}"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "Geen toegang" in response.get_data(as_text=True)


@pytest.mark.parametrize(("action", "data"), DESK_POSTS)
def test_desk__requester_posting_action_is_refused(client, auth, action, data):
    requester = make_account()
    ticket = make_ticket(requester)
    before = _snapshot(ticket.id)
    auth.login(requester.email)

    response = client.post(f"/helpdesk/verzoek/{ticket.id}/{action}", data=data)

    assert response.status_code == 403
    assert _snapshot(ticket.id) == before


def test_desk__anonymous_goes_to_login(client):
    response = client.get("/helpdesk/")

    assert response.status_code == 302
    assert "/inloggen" in response.headers["Location"]


def test_desk__manager_without_agent_role_gets_403(client, auth):
    manager = make_account(staff=("manager",))
    auth.login(manager.email)

    assert client.get("/helpdesk/").status_code == 403


def test_desk__agent_sees_every_request(client, auth):
    tickets = [make_ticket(), make_ticket(), make_ticket()]
    agent = make_agent()
    auth.login(agent.email)

    page = client.get("/helpdesk/").get_data(as_text=True)

    for ticket in tickets:
        assert ticket.reference in page
        assert client.get(f"/helpdesk/verzoek/{ticket.id}").status_code == 200


def test_admin_pages__agent_gets_403(client, auth):
    agent = make_agent()
    auth.login(agent.email)

    assert client.get("/beheer/").status_code == 403
    assert client.get("/beheer/redenen").status_code == 403
