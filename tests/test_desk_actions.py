"""Every desk action through the web client, as an agent would take it."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import HistoryEvent, OutboxMail, RejectionReason, Ticket
from tests.factories import make_account, make_agent, make_ticket


def _ticket(ticket_id: int) -> Ticket:
    db.session.expire_all()
    return db.session.get(Ticket, ticket_id)


def _act(client, ticket, trigger, **data):
    fields = {f"{trigger}-version": ticket.version}
    fields.update({f"{trigger}-{name}": value for name, value in data.items()})
    return client.post(f"/helpdesk/verzoek/{ticket.id}/actie/{trigger}", data=fields,
                       follow_redirects=True)


def _in_review(client, agent):
    ticket = make_ticket()
    _act(client, ticket, "start_review")
    return _ticket(ticket.id)


@pytest.fixture
def agent(auth):
    agent = make_agent(last_name="Agent")
    auth.login(agent.email)
    return agent


def test_ticket_page__shows_account_and_buttons(client, agent):
    ticket = make_ticket(motivation="Ik begeleid stagiairs in de zorg.")

    page = client.get(f"/helpdesk/verzoek/{ticket.id}").get_data(as_text=True)

    assert ticket.reference in page
    assert "Ik begeleid stagiairs in de zorg." in page
    assert "Huidige rol" in page
    assert "Student" in page
    assert "bevestigd" in page
    assert "In behandeling nemen" in page
    assert "Goedkeuren" not in page


def test_claim__assigns_to_self(client, agent):
    ticket = make_ticket()

    response = _act(client, ticket, "start_review")

    assert "Je hebt het verzoek in behandeling genomen." in response.get_data(as_text=True)
    ticket = _ticket(ticket.id)
    assert ticket.state == "in_review"
    assert ticket.assignee_id == agent.id


def test_ask_requester__pauses_and_mails(client, agent):
    ticket = _in_review(client, agent)

    _act(client, ticket, "ask_requester", text="Op welke school begeleid je stagiairs?")

    ticket = _ticket(ticket.id)
    assert ticket.state == "waiting_for_requester"
    assert ticket.paused_at is not None
    mails = db.session.scalars(select(OutboxMail).where(
        OutboxMail.template == "question_from_helpdesk")).all()
    assert [mail.to_address for mail in mails] == [ticket.requester.email_normalized]
    assert "Op welke school" in mails[0].body_text


def test_ask_requester__without_text_keeps_form(client, agent):
    ticket = _in_review(client, agent)

    response = _act(client, ticket, "ask_requester", text="  ")

    assert response.status_code == 422
    assert "Vul een toelichting in" in response.get_data(as_text=True)
    assert _ticket(ticket.id).state == "in_review"


def test_approve__moves_to_approved(client, agent):
    ticket = _in_review(client, agent)

    response = _act(client, ticket, "approve")

    assert "Het verzoek is goedgekeurd." in response.get_data(as_text=True)
    assert _ticket(ticket.id).state == "approved"


def test_reject__with_standard_reason_and_text(client, agent):
    reason = RejectionReason(text_nl="Je school heeft deze rol niet bevestigd.", label="School")
    db.session.add(reason)
    db.session.commit()
    ticket = _in_review(client, agent)

    _act(client, ticket, "reject", reason=reason.id, text="Vraag je teamleider om een mail.")

    ticket = _ticket(ticket.id)
    assert ticket.state == "rejected"
    mail = db.session.scalars(select(OutboxMail).where(OutboxMail.template == "rejected")).one()
    assert "Je school heeft deze rol niet bevestigd." in mail.body_text
    assert "Vraag je teamleider om een mail." in mail.body_text


def test_reject__without_reason_is_refused(client, agent):
    ticket = _in_review(client, agent)

    response = _act(client, ticket, "reject", reason=0, text="")

    assert response.status_code == 422
    assert _ticket(ticket.id).state == "in_review"


def test_reopen__rejected_goes_back_to_review(client, agent):
    ticket = _in_review(client, agent)
    _act(client, ticket, "reject", text="Onvoldoende motivatie.")
    ticket = _ticket(ticket.id)

    response = _act(client, ticket, "reopen")

    assert "Het verzoek is heropend" in response.get_data(as_text=True)
    assert _ticket(ticket.id).state == "in_review"


def test_answer__question_is_answered(client, agent):
    ticket = make_ticket(kind="question", subject="Wachtwoord vergeten")
    _act(client, ticket, "start_review")
    ticket = _ticket(ticket.id)

    _act(client, ticket, "answer", text="Gebruik 'Wachtwoord vergeten' op de inlogpagina.")

    assert _ticket(ticket.id).state == "answered"


def test_assign__to_colleague(client, agent):
    colleague = make_agent(last_name="Collega")
    ticket = make_ticket()

    response = client.post(f"/helpdesk/verzoek/{ticket.id}/toewijzen",
                           data={"version": ticket.version, "assignee": colleague.id},
                           follow_redirects=True)

    assert "De toewijzing is gewijzigd." in response.get_data(as_text=True)
    assert _ticket(ticket.id).assignee_id == colleague.id
    event = db.session.scalars(select(HistoryEvent).where(HistoryEvent.kind == "assign")).one()
    assert event.internal


def test_assign__to_requester_is_refused(client, agent):
    ticket = make_ticket()

    response = client.post(f"/helpdesk/verzoek/{ticket.id}/toewijzen",
                           data={"version": ticket.version, "assignee": ticket.requester_id})

    assert response.status_code == 422
    assert _ticket(ticket.id).assignee_id is None


def test_message__shown_and_mailed(client, agent):
    ticket = make_ticket()

    response = client.post(f"/helpdesk/verzoek/{ticket.id}/bericht",
                           data={"message-version": ticket.version,
                                 "message-text": "We kijken er morgen naar."},
                           follow_redirects=True)

    assert "We kijken er morgen naar." in response.get_data(as_text=True)
    mail = db.session.scalars(select(OutboxMail).where(
        OutboxMail.template == "message_from_helpdesk")).one()
    assert mail.to_address == ticket.requester.email_normalized
    assert "We kijken er morgen naar." in mail.body_text


def test_note__shown_as_internal(client, agent):
    ticket = make_ticket()

    response = client.post(f"/helpdesk/verzoek/{ticket.id}/notitie",
                           data={"note-version": ticket.version, "note-text": "Bel de school eerst."},
                           follow_redirects=True)

    page = response.get_data(as_text=True)
    assert "Bel de school eerst." in page
    assert "intern, niet zichtbaar voor de aanvrager" in page


def test_action__stale_version_is_told_changed(client, agent):
    ticket = make_ticket()
    stale_version = ticket.version
    _act(client, ticket, "start_review")

    response = client.post(f"/helpdesk/verzoek/{ticket.id}/actie/reject",
                           data={"reject-version": stale_version, "reject-text": "Dubbel verzoek."})

    assert response.status_code == 409
    assert "intussen gewijzigd" in response.get_data(as_text=True)
    assert "Dubbel verzoek." in response.get_data(as_text=True)
    assert _ticket(ticket.id).state == "in_review"


def test_action__not_allowed_in_state_is_refused(client, agent):
    ticket = make_ticket()

    response = _act(client, ticket, "approve")

    assert response.status_code == 409
    assert _ticket(ticket.id).state == "submitted"


def test_four_eyes__same_agent_cannot_approve_twice(client, agent):
    ticket = make_ticket(wanted_role="exam_committee")
    _act(client, ticket, "start_review")
    ticket = _ticket(ticket.id)

    first = _act(client, ticket, "approve")
    ticket = _ticket(ticket.id)
    page = first.get_data(as_text=True)
    second = _act(client, ticket, "approve")

    assert "Eerste goedkeuring vastgelegd" in page
    assert 'id="action-approve"' not in page
    assert second.status_code == 403
    assert "tweede goedkeuring" in second.get_data(as_text=True)
    assert _ticket(ticket.id).state == "in_review"


def test_four_eyes__second_agent_approves(client, agent, auth):
    ticket = make_ticket(wanted_role="exam_committee")
    _act(client, ticket, "start_review")
    _act(client, _ticket(ticket.id), "approve")
    colleague = make_agent(last_name="Tweede")
    auth.logout()
    auth.login(colleague.email)

    page = client.get(f"/helpdesk/verzoek/{ticket.id}").get_data(as_text=True)
    response = _act(client, _ticket(ticket.id), "approve")

    assert "Eerste goedkeuring door Anna Agent" in page
    assert "Het verzoek is goedgekeurd." in response.get_data(as_text=True)
    assert _ticket(ticket.id).state == "approved"


def test_retry_apply__queues_again(client, agent, app):
    ticket = _in_review(client, agent)
    _act(client, ticket, "approve")
    ticket = _ticket(ticket.id)

    response = client.post(f"/helpdesk/verzoek/{ticket.id}/opnieuw-doorvoeren",
                           data={"retry-version": ticket.version}, follow_redirects=True)

    assert "opnieuw geprobeerd" in response.get_data(as_text=True)
    kinds = db.session.scalars(select(HistoryEvent.kind).where(HistoryEvent.ticket_id == ticket.id))
    assert "apply_retry" in list(kinds)


def test_unknown_ticket__is_404(client, agent):
    assert client.get("/helpdesk/verzoek/999999").status_code == 404
    assert client.post("/helpdesk/verzoek/999999/actie/approve",
                       data={"approve-version": 1}).status_code == 404


def test_ticket_page__shows_apply_error_and_retry(client, agent):
    ticket = _in_review(client, agent)
    _act(client, ticket, "approve")
    ticket = _ticket(ticket.id)
    ticket.apply_error = "de accountdirectory reageert niet"
    ticket.apply_attempts = 2
    db.session.commit()

    page = client.get(f"/helpdesk/verzoek/{ticket.id}").get_data(as_text=True)

    assert "Doorvoeren is mislukt" in page
    assert "de accountdirectory reageert niet" in page
    assert "2 pogingen" in page
    assert "Opnieuw doorvoeren" in page


def _timeline_items(page: str) -> list[str]:
    timeline = page[page.index('id="timeline"'):]
    timeline = timeline[:timeline.index("</ol>")]
    return timeline.split("<li")[1:]


def test_ticket_page__shows_message_and_internal_note_apart(client, agent):
    ticket = make_ticket()
    client.post(f"/helpdesk/verzoek/{ticket.id}/notitie",
                data={"note-version": ticket.version, "note-text": "Alleen voor collega's."})
    ticket = _ticket(ticket.id)
    client.post(f"/helpdesk/verzoek/{ticket.id}/bericht",
                data={"message-version": ticket.version, "message-text": "Voor de aanvrager."})

    page = client.get(f"/helpdesk/verzoek/{ticket.id}").get_data(as_text=True)

    items = _timeline_items(page)
    note_item = next(item for item in items if "Alleen voor collega" in item)
    message_item = next(item for item in items if "Voor de aanvrager." in item)
    assert "intern, niet zichtbaar voor de aanvrager" in note_item
    assert "internal" in note_item
    assert "intern, niet zichtbaar voor de aanvrager" not in message_item
