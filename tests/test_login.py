"""The shared login page: Dutch by default, English on request, one error for any wrong pair."""

from app.services.accounts import ensure_first_admin
from tests.factories import PASSWORD, make_account


def test_login_page__is_dutch(client):
    page = client.get("/inloggen").get_data(as_text=True)
    assert '<html lang="nl">' in page
    assert "Inloggen met e-mailadres" in page
    assert "E-mailadres" in page


def test_first_admin__can_log_in(app, client, auth):
    password = ensure_first_admin("beheer@roldesk.example", None)
    response = auth.login("beheer@roldesk.example", password)
    assert response.status_code == 302
    assert client.get("/beheer/").status_code == 200


def test_login__same_message_for_unknown_address_and_wrong_password(app, auth):
    make_account(email="jan@school.example")
    unknown = auth.login("niemand@school.example", PASSWORD).get_data(as_text=True)
    wrong = auth.login("jan@school.example", "verkeerd").get_data(as_text=True)
    message = "Het e-mailadres of het wachtwoord klopt niet."
    assert message in unknown
    assert message in wrong


def test_login__address_in_other_case(app, client, auth):
    make_account(email="Jan.de.Vries@School.example", email_normalized="jan.de.vries@school.example")
    assert auth.login("JAN.DE.VRIES@school.EXAMPLE").status_code == 302


def test_requester__gets_403_on_desk(app, client, auth):
    make_account(email="student@school.example")
    auth.login("student@school.example")
    assert client.get("/helpdesk/").status_code == 403
    assert client.get("/rapportage/").status_code == 403
    assert client.get("/beheer/").status_code == 403


def test_upload_over_limit__gets_dutch_message(app, client, auth):
    make_account(email="contact@school.example")
    auth.login("contact@school.example")
    response = client.post("/verzoek/lijst/", data=b"x" * (9 * 1024 * 1024),
                           content_type="application/octet-stream")
    assert response.status_code == 413
    assert "groter dan 8 MB" in response.get_data(as_text=True)
