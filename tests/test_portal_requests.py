"""The request form behind "verzoek indienen" and "Stel een vraag", and "Mijn verzoeken"."""

import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import HistoryEvent, OutboxMail, Ticket
from app.services import intake
from app.services.workflow import fire_trigger
from tests.factories import make_account, make_agent, make_ticket, role


@pytest.fixture
def requester(app, auth):
    account = make_account(email="jan@school.example")
    auth.login("jan@school.example")
    return account


def post_request(client, topic="role_change", wanted="workplace_trainer", motivation="Ik begeleid stagiairs."):
    data = {"topic": topic, "motivation": motivation}
    if wanted:
        data["wanted_role"] = str(role(wanted).id)
    return client.post("/verzoek", data=data)


def own_tickets(account):
    return db.session.scalars(select(Ticket).where(Ticket.requester_id == account.id)).all()


def test_form__both_links_open_same_form(app, client, requester):
    role_page = client.get("/verzoek?onderwerp=rol").get_data(as_text=True)
    question_page = client.get("/verzoek?onderwerp=vraag").get_data(as_text=True)

    assert re.search(r'value="role_change"[^>]*checked|checked[^>]*value="role_change"', role_page)
    assert re.search(r'value="question"[^>]*checked|checked[^>]*value="question"', question_page)
    for page in (role_page, question_page):
        assert 'name="wanted_role"' in page
        assert 'name="motivation"' in page
        assert 'href="/verzoek/lijst/"' in page


def test_form__offers_active_roles_except_own(app, client, requester):
    role("teacher").active = False
    db.session.commit()

    page = client.get("/verzoek").get_data(as_text=True)
    offered = re.findall(r'<option[^>]*value="(\d+)"', page)

    assert str(role("workplace_trainer").id) in offered
    assert str(role("exam_committee").id) in offered
    assert str(role("student").id) not in offered
    assert str(role("teacher").id) not in offered


def test_role_change__submitted_with_reference_and_due_time(app, client, requester, monkeypatch):
    # Monday 9 March 2026, 14:00 in Amsterdam: due one working day later.
    monkeypatch.setattr(intake, "utcnow", lambda: datetime(2026, 3, 9, 13, 0, tzinfo=timezone.utc))

    response = post_request(client)
    [ticket] = own_tickets(requester)
    page = client.get(response.headers["Location"]).get_data(as_text=True)

    assert ticket.kind == "role_change"
    assert ticket.wanted_role.code == "workplace_trainer"
    assert ticket.motivation == "Ik begeleid stagiairs."
    assert ticket.reference in page
    assert "uiterlijk dinsdag 10 maart 14:00" in page
    mail = db.session.scalars(select(OutboxMail).where(OutboxMail.template == "request_received")).one()
    assert mail.to_address == "jan@school.example"
    assert ticket.reference in mail.subject
    assert "dinsdag 10 maart 14:00" in mail.body_text


def test_question__submitted_without_role(app, client, requester):
    response = post_request(client, topic="question", wanted=None, motivation="Hoe werkt Digibib?\nGroet")

    [ticket] = own_tickets(requester)
    assert response.status_code == 302
    assert ticket.kind == "question"
    assert ticket.wanted_role is None
    assert ticket.subject == "Hoe werkt Digibib?"


@pytest.mark.parametrize("data, message", [
    ({"topic": "role_change", "motivation": "x"}, "Kies de rol die je nodig hebt."),
    ({"topic": "role_change", "wanted_role": "9999", "motivation": "x"}, "Deze rol bestaat niet (meer)."),
    ({"motivation": "x"}, "Kies een onderwerp."),
    ({"topic": "question", "motivation": ""}, "Vul een toelichting in."),
    ({"topic": "question", "motivation": "   "}, "Vul een toelichting in."),
    ({"topic": "question", "motivation": "x" * 2001}, "Gebruik hoogstens 2000 tekens."),
])
def test_form__bad_input_explained(app, client, requester, data, message):
    response = client.post("/verzoek", data=data)

    assert message in response.get_data(as_text=True)
    assert own_tickets(requester) == []


def test_form__keeps_typed_motivation(app, client, requester):
    page = client.post("/verzoek", data={"topic": "role_change", "motivation": "Ik begeleid <b>stagiairs</b>."})
    text = page.get_data(as_text=True)

    assert "Ik begeleid &lt;b&gt;stagiairs&lt;/b&gt;." in text


def test_role_change__entree_account_refused(app, client, auth):
    make_account(email="entree@school.example", origin="entree")
    auth.login("entree@school.example")

    response = post_request(client)

    assert response.status_code == 422
    assert "Je logt in via Entree" in response.get_data(as_text=True)
    assert db.session.scalars(select(Ticket)).all() == []


def test_role_change__same_role_refused(app, client, auth):
    make_account(email="docent@school.example", role="teacher")
    auth.login("docent@school.example")

    response = post_request(client, wanted="teacher")

    assert response.status_code == 422
    assert "heeft de rol Docent al" in response.get_data(as_text=True)


def test_role_change__second_open_request_refused_with_link(app, client, requester):
    first = make_ticket(requester)

    response = post_request(client, wanted="teacher", motivation="Nog een keer")
    page = response.get_data(as_text=True)

    assert response.status_code == 422
    assert f"Je hebt al een open verzoek om je rol te wijzigen ({first.reference})" in page
    assert f'href="/verzoeken/{first.id}"' in page
    assert "Nog een keer</textarea>" in page
    assert len(own_tickets(requester)) == 1


def test_my_requests__dutch_labels_and_due_time(app, client, requester):
    agent = make_agent()
    open_ticket = make_ticket(requester)
    question = make_ticket(requester, kind="question")
    fire_trigger(question, "withdraw", requester)
    other = make_ticket(make_account())

    page = client.get("/verzoeken").get_data(as_text=True)

    assert open_ticket.reference in page
    assert question.reference in page
    assert other.reference not in page
    assert "ingediend" in page
    assert "ingetrokken" in page
    assert "rol omzetten" in page
    assert "Praktijkopleider / werkbegeleider" in page
    assert agent.email not in page


def test_detail__hides_internal_history_and_other_requesters(app, client, requester):
    ticket = make_ticket(requester)
    agent = make_agent()
    fire_trigger(ticket, "start_review", agent)
    db.session.add(HistoryEvent(ticket_id=ticket.id, actor_id=agent.id, kind="note",
                                reason="Geheime notitie", internal=True))
    db.session.add(HistoryEvent(ticket_id=ticket.id, actor_id=agent.id, kind="message",
                                reason="We kijken ernaar."))
    db.session.commit()
    stranger = make_ticket(make_account())

    page = client.get(f"/verzoeken/{ticket.id}").get_data(as_text=True)

    assert "in behandeling genomen" in page
    assert "We kijken ernaar." in page
    assert "Geheime notitie" not in page
    assert client.get(f"/verzoeken/{stranger.id}").status_code == 403
    assert client.get("/verzoeken/999999").status_code == 404


def test_reply__only_while_waiting_and_resumes(app, client, requester):
    ticket = make_ticket(requester)
    agent = make_agent()
    fire_trigger(ticket, "start_review", agent)
    assert "Antwoord versturen" not in client.get(f"/verzoeken/{ticket.id}").get_data(as_text=True)
    fire_trigger(ticket, "ask_requester", agent, "Welke school?")

    page = client.get(f"/verzoeken/{ticket.id}").get_data(as_text=True)
    assert "Welke school?" in page
    assert "Antwoord versturen" in page
    empty = client.post(f"/verzoeken/{ticket.id}/antwoord", data={"text": "", "version": ticket.version})
    assert "Schrijf eerst je antwoord." in empty.get_data(as_text=True)

    sent = client.post(f"/verzoeken/{ticket.id}/antwoord",
                       data={"text": "ROC Midden", "version": str(ticket.version)})

    db.session.refresh(ticket)
    assert sent.status_code == 302
    assert ticket.state == "in_review"
    assert "ROC Midden" in client.get(f"/verzoeken/{ticket.id}").get_data(as_text=True)


def test_withdraw__while_open_then_gone(app, client, requester):
    ticket = make_ticket(requester)
    page = client.get(f"/verzoeken/{ticket.id}").get_data(as_text=True)
    assert ">intrekken</button>" in page

    client.post(f"/verzoeken/{ticket.id}/intrekken", data={"version": str(ticket.version)})

    db.session.refresh(ticket)
    assert ticket.state == "withdrawn"
    assert ">intrekken</button>" not in client.get(f"/verzoeken/{ticket.id}").get_data(as_text=True)


def test_withdraw__outdated_page_refused(app, client, requester):
    ticket = make_ticket(requester)
    shown = ticket.version
    fire_trigger(ticket, "start_review", make_agent())

    response = client.post(f"/verzoeken/{ticket.id}/intrekken", data={"version": str(shown)})

    db.session.refresh(ticket)
    assert response.status_code == 409
    assert "intussen gewijzigd" in response.get_data(as_text=True)
    assert ticket.state == "in_review"


def test_withdraw__someone_elses_request_forbidden(app, client, requester):
    ticket = make_ticket(make_account())

    response = client.post(f"/verzoeken/{ticket.id}/intrekken", data={"version": str(ticket.version)})

    db.session.refresh(ticket)
    assert response.status_code == 403
    assert ticket.state == "submitted"


@pytest.mark.app_config({"WTF_CSRF_ENABLED": True})
def test_request_form__without_csrf_token_not_submitted(app, client, requester):
    response = post_request(client, motivation="Mijn motivatie")

    assert response.status_code == 400
    assert 'value="Mijn motivatie"' in response.get_data(as_text=True)
    assert own_tickets(requester) == []


def test_question__allowed_for_entree_account(app, client, auth):
    account = make_account(email="entree@school.example", origin="entree")
    auth.login("entree@school.example")

    response = post_request(client, topic="question", wanted=None, motivation="Waar vind ik mijn boeken?")

    assert response.status_code == 302
    [ticket] = own_tickets(account)
    assert ticket.kind == "question"
