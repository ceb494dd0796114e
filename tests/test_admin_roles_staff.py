"""Admin pages for platform roles and staff memberships."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import PlatformRole
from app.services.accounts import find_account
from tests.factories import make_account, make_agent


@pytest.fixture
def admin(app, auth):
    account = make_account(email="beheer@roldesk.example", staff=("admin",))
    auth.login("beheer@roldesk.example")
    return account


def test_admin_index__lists_areas(client, admin):
    page = client.get("/beheer/").get_data(as_text=True)
    assert "Gebruikersrollen" in page
    assert "Medewerkers" in page


def test_agent__gets_403_on_admin_pages(app, client, auth):
    make_agent(email="agent@roldesk.example")
    auth.login("agent@roldesk.example")
    assert client.get("/beheer/").status_code == 403
    assert client.get("/beheer/rollen").status_code == 403
    assert client.post("/beheer/medewerkers", data={"email": "x@roldesk.example", "kinds": "admin"}).status_code == 403
    assert find_account("x@roldesk.example") is None


def test_role__added_and_four_eyes_set(client, admin):
    response = client.post("/beheer/rollen/nieuw", data={
        "code": "mentor", "label_nl": "Mentor", "label_en": "Mentor", "four_eyes": "y", "active": "y"})
    assert response.status_code == 302
    mentor = db.session.scalars(select(PlatformRole).where(PlatformRole.code == "mentor")).one()
    assert mentor.four_eyes is True
    assert "Mentor" in client.get("/beheer/rollen").get_data(as_text=True)


@pytest.mark.parametrize("code, message", [
    ("", "Vul een code in."),
    ("Praktijk Opleider", "Gebruik kleine letters"),
    ("teacher", "Deze code bestaat al."),
])
def test_role__bad_code_keeps_input(client, admin, code, message):
    response = client.post("/beheer/rollen/nieuw", data={
        "code": code, "label_nl": "Mijn rol", "label_en": "My role"})
    page = response.get_data(as_text=True)
    assert message in page
    assert 'value="Mijn rol"' in page


def test_role__edit_keeps_code(client, admin):
    teacher = db.session.scalars(select(PlatformRole).where(PlatformRole.code == "teacher")).one()
    client.post(f"/beheer/rollen/{teacher.id}", data={
        "code": "hacked", "label_nl": "Leraar", "label_en": "Teacher", "active": "y"})
    db.session.refresh(teacher)
    assert teacher.code == "teacher"
    assert teacher.label_nl == "Leraar"


def test_staff__added_with_password_shown_once(client, admin):
    response = client.post("/beheer/medewerkers", data={
        "email": "nieuw@roldesk.example", "first_name": "Nina", "kinds": ["agent", "manager"]},
        follow_redirects=True)
    assert "is aangemaakt met het wachtwoord" in response.get_data(as_text=True)
    assert find_account("nieuw@roldesk.example").staff_kinds == {"agent", "manager"}


def test_staff__invalid_address_is_refused(client, admin):
    response = client.post("/beheer/medewerkers", data={"email": "geen-adres", "kinds": ["agent"]})
    assert response.status_code == 422
    assert "Dit e-mailadres is ongeldig." in response.get_data(as_text=True)


def test_staff__own_admin_right_cannot_be_removed(client, admin):
    client.post(f"/beheer/medewerkers/{admin.id}/taak/admin/verwijderen", follow_redirects=True)
    db.session.refresh(admin)
    assert admin.is_admin


def test_staff__membership_removed(client, admin):
    agent = make_agent()
    client.post(f"/beheer/medewerkers/{agent.id}/taak/agent/verwijderen")
    db.session.refresh(agent)
    assert not agent.is_agent
