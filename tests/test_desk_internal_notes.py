"""Internal notes and assignments never reach the requester: not on a page, not in a mail."""

from flask import url_for
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMail
from tests.factories import make_account, make_agent, make_ticket

NOTE = "Intern: de teamleider twijfelt aan deze aanvraag."


def _requester_pages(app, ticket_id: int) -> list[str]:
    """Return every GET page a requester can open, with the ticket id filled in where asked."""
    paths = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            if rule.arguments == {"ticket_id"}:
                paths.append(url_for(rule.endpoint, ticket_id=ticket_id))
            elif not rule.arguments:
                paths.append(url_for(rule.endpoint))
    return paths


def test_note__never_shown_or_mailed_to_requester(app, client, auth):
    requester = make_account()
    ticket = make_ticket(requester)
    agent = make_agent(last_name="Geheimcollega")
    auth.login(agent.email)
    client.post(f"/helpdesk/verzoek/{ticket.id}/notitie",
                data={"note-version": ticket.version, "note-text": NOTE})
    db.session.expire_all()
    client.post(f"/helpdesk/verzoek/{ticket.id}/toewijzen",
                data={"version": ticket.version, "assignee": agent.id})
    db.session.expire_all()
    client.post(f"/helpdesk/verzoek/{ticket.id}/bericht",
                data={"message-version": ticket.version, "message-text": "We nemen contact op met je school."})
    auth.logout()
    auth.login(requester.email)

    pages_checked = 0
    for path in _requester_pages(app, ticket.id):
        response = client.get(path, follow_redirects=True)
        page = response.get_data(as_text=True)
        assert NOTE not in page, path
        pages_checked += 1
    detail = client.get(f"/verzoeken/{ticket.id}").get_data(as_text=True)
    mails = db.session.scalars(select(OutboxMail).where(
        OutboxMail.to_address == requester.email_normalized)).all()

    assert pages_checked > 3
    assert "We nemen contact op met je school." in detail
    assert NOTE not in detail
    assert "Geheimcollega" not in detail
    assert mails, "the requester should have had mail"
    for mail in mails:
        assert NOTE not in mail.body_text
        assert NOTE not in mail.body_html
    assert any("We nemen contact op met je school." in mail.body_text for mail in mails)
