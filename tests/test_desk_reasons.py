"""The admin list of standard rejection reasons, and agents choosing from it."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import RejectionReason
from tests.factories import make_account, make_agent, make_ticket


@pytest.fixture
def admin(auth):
    admin = make_account(staff=("admin",))
    auth.login(admin.email)
    return admin


def test_reasons__admin_adds_reason(client, admin):
    response = client.post("/beheer/redenen/nieuw", data={
        "label": "Geen bevestiging", "text_nl": "Je school heeft je rol niet bevestigd.",
        "text_en": "", "position": "1", "active": "y"}, follow_redirects=True)

    assert "De reden ‘Geen bevestiging’ is toegevoegd." in response.get_data(as_text=True)
    reason = db.session.scalars(select(RejectionReason)).one()
    assert reason.text_nl == "Je school heeft je rol niet bevestigd."
    assert reason.active


@pytest.mark.parametrize(("field", "value", "message"), [
    ("label", "", "Vul een korte naam in"),
    ("text_nl", "", "Vul de tekst in die de aanvrager leest."),
    ("label", "x" * 81, "Gebruik hoogstens 80 tekens."),
    ("position", "-3", "Vul een getal van 0 tot 999 in."),
])
def test_reasons__invalid_input_keeps_form(client, admin, field, value, message):
    data = {"label": "Dubbel", "text_nl": "Je hebt al een verzoek.", "position": "0", "active": "y"}
    data[field] = value

    response = client.post("/beheer/redenen/nieuw", data=data)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert "Je hebt al een verzoek." in page or field == "text_nl"
    assert db.session.scalars(select(RejectionReason)).first() is None


def test_reasons__retired_reason_is_not_offered(client, admin, auth):
    reason = RejectionReason(label="Oud", text_nl="Oude reden.", active=True)
    db.session.add_all([reason, RejectionReason(label="Actueel", text_nl="Actuele reden.")])
    db.session.commit()
    make_ticket()
    client.post(f"/beheer/redenen/{reason.id}", data={
        "label": "Oud", "text_nl": "Oude reden.", "position": "0"})
    agent = make_agent()
    auth.logout()
    auth.login(agent.email)

    page = client.get("/helpdesk/").get_data(as_text=True)

    assert db.session.get(RejectionReason, reason.id).active is False
    assert ">Actueel</option>" in page
    assert ">Oud</option>" not in page


def test_reasons__agent_gets_403(client, auth):
    agent = make_agent()
    auth.login(agent.email)

    assert client.get("/beheer/redenen").status_code == 403
    assert client.post("/beheer/redenen/nieuw", data={"label": "x", "text_nl": "y"}).status_code == 403
