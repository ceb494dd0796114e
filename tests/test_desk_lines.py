"""The desk ticket page: deciding per line, failed mails and a moved due time."""

import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.formatting import local_datetime
from app.models import HistoryEvent, OutboxMail, RequestLine, Ticket
from app.models.mail import MAIL_FAILED
from app.services.accounts import role_by_code
from app.services.delivery import EVENT_MAIL_FAILED
from app.services.intake import submit_request
from app.services.workflow import fire_trigger
from tests.factories import make_account, make_agent, make_ticket


def _reload(ticket_id: int) -> Ticket:
    db.session.expire_all()
    return db.session.get(Ticket, ticket_id)


def _list_in_review(agent) -> tuple[Ticket, str]:
    """Return a list request of two lines in review, and its requester's address."""
    requester = make_account(email="contact@roc-test.nl")
    accounts = [make_account(email="anna@roc-test.nl"), make_account(email="bert@roc-test.nl")]
    lines = [RequestLine(account_id=account.id, email=account.email, position=index)
             for index, account in enumerate(accounts)]
    ticket = submit_request(requester, "role_change", wanted_role=role_by_code("workplace_trainer"),
                            text={"motivation": "Onze praktijkopleiders."}, lines=lines)
    fire_trigger(ticket, "start_review", agent)
    return _reload(ticket.id), requester.email


def _decide(client, ticket, line, decision, reason=""):
    return client.post(f"/helpdesk/verzoek/{ticket.id}/regel/{line.id}/besluit",
                       data={"decision": decision, f"line-{line.id}-text": reason},
                       follow_redirects=True)


def _outcome_row(page: str, email: str) -> str:
    """Return the table row of the line for ``email``."""
    row = rf"<tr>(?:(?!</tr>).)*{re.escape(email)}(?:(?!</tr>).)*</tr>"
    return re.search(row, page, re.S).group(0)


def test_decide_line__agent_approves_one_and_rejects_other(app, client, auth):
    agent = make_agent()
    ticket, requester_email = _list_in_review(agent)
    auth.login(agent.email)

    page = client.get(f"/helpdesk/verzoek/{ticket.id}").get_data(as_text=True)
    assert "Alle regels goedkeuren" in page
    assert "Alle regels afwijzen" in page
    _decide(client, ticket, ticket.lines[0], "approve")
    response = _decide(client, ticket, ticket.lines[1], "reject", "Geen praktijkopleider")

    assert "De regel is afgewezen." in response.get_data(as_text=True)
    ticket = _reload(ticket.id)
    assert [line.state for line in ticket.lines] == ["approved", "rejected"]
    auth.logout()
    auth.login(requester_email)
    detail = client.get(f"/verzoeken/{ticket.id}").get_data(as_text=True)
    assert "goedgekeurd" in _outcome_row(detail, "anna@roc-test.nl")
    bert = _outcome_row(detail, "bert@roc-test.nl")
    assert "afgewezen" in bert
    assert "Geen praktijkopleider" in bert


def test_decide_all_lines__approves_every_open_line(app, client, auth):
    agent = make_agent()
    ticket, _ = _list_in_review(agent)
    auth.login(agent.email)

    response = client.post(f"/helpdesk/verzoek/{ticket.id}/regels/besluit",
                           data={"decision": "approve"}, follow_redirects=True)

    assert "2 regels goedgekeurd." in response.get_data(as_text=True)
    assert [line.state for line in _reload(ticket.id).lines] == ["approved", "approved"]


@pytest.mark.parametrize("route", ["regel/{line}/besluit", "regels/besluit"])
def test_decide_line__by_requester_is_refused(app, client, auth, route):
    ticket, requester_email = _list_in_review(make_agent())
    auth.login(requester_email)
    line = ticket.lines[0]

    response = client.post(f"/helpdesk/verzoek/{ticket.id}/" + route.format(line=line.id),
                           data={"decision": "approve"})

    assert response.status_code == 403
    assert [line.state for line in _reload(ticket.id).lines] == ["pending", "pending"]
    assert not HistoryEvent.query.filter_by(ticket_id=ticket.id, kind="line_decision").count()


@pytest.mark.parametrize("route,field", [("regel/{line}/besluit", "line-{line}-text"),
                                         ("regels/besluit", "lines-text")])
def test_reject_line__without_reason_is_refused(app, client, auth, route, field):
    agent = make_agent()
    ticket, _ = _list_in_review(agent)
    auth.login(agent.email)
    line = ticket.lines[0]

    response = client.post(f"/helpdesk/verzoek/{ticket.id}/" + route.format(line=line.id),
                           data={"decision": "reject", field.format(line=line.id): "  "})

    assert response.status_code == 422
    assert "Vul een reden in" in response.get_data(as_text=True)
    assert [line.state for line in _reload(ticket.id).lines] == ["pending", "pending"]


def test_decide_line__error_keeps_typed_reason(app, client, auth):
    agent = make_agent()
    ticket, _ = _list_in_review(agent)
    auth.login(agent.email)
    line = ticket.lines[0]
    fire_trigger(ticket, "ask_requester", agent, "Welke school?")

    response = _decide(client, ticket, line, "reject", "Onbekende school")

    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Onbekende school" in page
    assert _reload(ticket.id).lines[0].state == "pending"


def test_line_buttons__hidden_when_not_in_review(app, client, auth):
    agent = make_agent()
    ticket, _ = _list_in_review(agent)
    fire_trigger(ticket, "ask_requester", agent, "Welke school?")
    auth.login(agent.email)

    page = client.get(f"/helpdesk/verzoek/{ticket.id}").get_data(as_text=True)

    assert "Alle regels goedkeuren" not in page


def test_ticket_page__shows_failed_mail(app, client, auth):
    agent = make_agent()
    ticket = make_ticket(requester=make_account(email="weg@roc-test.nl"))
    mail = OutboxMail.query.filter_by(ticket_id=ticket.id).first()
    mail.status, mail.last_error = MAIL_FAILED, "550 mailbox unavailable"
    db.session.add(HistoryEvent(ticket_id=ticket.id, kind=EVENT_MAIL_FAILED, reason="550"))
    db.session.commit()
    auth.login(agent.email)

    page = client.get(f"/helpdesk/verzoek/{ticket.id}").get_data(as_text=True)

    box = page[page.index('id="failed-mails"'):]
    box = box[:box.index("</section>")]
    assert "E-mail niet afgeleverd" in box
    assert "weg@roc-test.nl" in box
    assert "550 mailbox unavailable" in box
    assert "event-mail_failed" in page
    assert page.count("E-mail niet afgeleverd") == 2


def test_failed_mails__box_hidden_when_delivered(app, client, auth):
    agent = make_agent()
    ticket = make_ticket()
    auth.login(agent.email)

    page = client.get(f"/helpdesk/verzoek/{ticket.id}").get_data(as_text=True)

    assert "E-mail niet afgeleverd" not in page


def _moved_due(ticket: Ticket) -> Ticket:
    ticket.due_at = ticket.original_due_at + timedelta(days=2)
    db.session.commit()
    return ticket


def test_due_time__both_shown_after_it_moved(app, client, auth):
    agent = make_agent()
    requester = make_account()
    ticket = _moved_due(make_ticket(requester=requester))
    with app.test_request_context():
        original, current = local_datetime(ticket.original_due_at), local_datetime(ticket.due_at)

    auth.login(agent.email)
    desk = client.get(f"/helpdesk/verzoek/{ticket.id}").get_data(as_text=True)
    auth.logout()
    auth.login(requester.email)
    portal = client.get(f"/verzoeken/{ticket.id}").get_data(as_text=True)

    for page in (desk, portal):
        assert "Oorspronkelijke termijn" in page
        assert original in page
        assert "Huidige termijn" in page
        assert current in page


def test_due_time__original_hidden_when_unchanged(app, client, auth):
    agent = make_agent()
    ticket = make_ticket()
    auth.login(agent.email)

    page = client.get(f"/helpdesk/verzoek/{ticket.id}").get_data(as_text=True)

    assert "Oorspronkelijke termijn" not in page
