"""Two agents acting on one request at the same moment: one wins, the other is told it changed."""

import threading

from sqlalchemy import func, select

from app.extensions import db
from app.models import Account, HistoryEvent, Ticket
from app.services.errors import TicketChanged
from app.services.workflow import fire_trigger
from tests.factories import PASSWORD, make_agent, make_ticket

TIMEOUT = 30


def _in_review() -> Ticket:
    ticket = make_ticket(wanted_role="teacher")
    fire_trigger(ticket, "start_review", make_agent())
    return ticket


def _approve_in_thread(app, ticket_id: int, agent_id: int, barrier, outcomes: dict) -> None:
    # Each thread has its own app context, so its own session and database connection.
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        agent = db.session.get(Account, agent_id)
        version = ticket.version
        barrier.wait(timeout=TIMEOUT)
        try:
            fire_trigger(ticket, "approve", agent, expected_version=version)
            outcomes[agent_id] = "approved"
        except TicketChanged as error:
            outcomes[agent_id] = str(error.message)
        finally:
            db.session.remove()


def test_approve__same_moment_one_wins(app):
    ticket = _in_review()
    agents = [make_agent(), make_agent()]
    barrier = threading.Barrier(2)
    outcomes: dict = {}
    threads = [threading.Thread(target=_approve_in_thread,
                                args=(app, ticket.id, agent.id, barrier, outcomes))
               for agent in agents]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)

    results = list(outcomes.values())
    assert len(results) == 2
    assert results.count("approved") == 1
    assert any("intussen gewijzigd" in result for result in results)
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).state == "approved"
    approvals = db.session.scalar(select(func.count()).select_from(HistoryEvent).where(
        HistoryEvent.ticket_id == ticket.id, HistoryEvent.trigger == "approve"))
    assert approvals == 1


def _post_in_thread(app, email: str, path: str, data: dict, barrier, responses: dict) -> None:
    client = app.test_client()
    client.post("/inloggen", data={"email": email, "password": PASSWORD})
    barrier.wait(timeout=TIMEOUT)
    response = client.post(path, data=data, follow_redirects=True)
    responses[email] = (response.status_code, response.get_data(as_text=True))


def test_approve__two_browsers_one_told_changed(app):
    ticket = _in_review()
    agents = [make_agent(), make_agent()]
    barrier = threading.Barrier(2)
    responses: dict = {}
    path = f"/helpdesk/verzoek/{ticket.id}/actie/approve"
    data = {"approve-version": ticket.version}
    threads = [threading.Thread(target=_post_in_thread,
                                args=(app, agent.email, path, data, barrier, responses))
               for agent in agents]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)

    statuses = sorted(status for status, _page in responses.values())
    pages = [page for _status, page in responses.values()]
    assert statuses == [200, 409]
    assert any("Het verzoek is goedgekeurd." in page for page in pages)
    assert any("intussen gewijzigd" in page for page in pages)
    db.session.expire_all()
    assert db.session.get(Ticket, ticket.id).state == "approved"
