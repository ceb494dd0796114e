"""The requester's portal: first login, welcome page and "Profiel"."""

import pytest

from app.extensions import db
from tests.factories import make_account, make_school


def first_login_account(**overrides):
    return make_account(email="nieuw@school.example", school_id=None, profile_completed_at=None,
                        student_number=None, **overrides)


def test_first_login__asks_school_then_profile(app, client, auth):
    school = make_school(name="ROC Midden")
    account = first_login_account()
    auth.login("nieuw@school.example")

    to_school = client.get("/welkom")
    assert to_school.headers["Location"].endswith("/school")
    page = client.get("/school").get_data(as_text=True)
    assert "Kies je school" in page
    assert "Verder" in page

    chosen = client.post("/school", data={"school": str(school.id)})
    assert chosen.headers["Location"].endswith("/profiel/aanvullen")
    form = client.get("/profiel/aanvullen").get_data(as_text=True)
    assert "Bevestigen" in form
    assert "Digitaal Examineren" in form
    assert "Velden met een * zijn verplicht." in form

    done = client.post("/profiel/aanvullen", data={
        "first_name": "Jan", "last_name": "Jansen", "school": str(school.id),
        "student_number": "", "language": "nl"})
    assert done.headers["Location"].endswith("/welkom")
    assert account.profile_completed_at is not None
    assert account.school_id == school.id
    assert client.get("/welkom").status_code == 200


def test_choose_school__required(app, client, auth):
    make_school()
    first_login_account()
    auth.login("nieuw@school.example")

    page = client.post("/school", data={"school": ""}).get_data(as_text=True)

    assert "Kies je school of organisatie." in page
    assert 'aria-invalid="true"' in page


def test_request_form__waits_for_profile(app, client, auth):
    first_login_account()
    auth.login("nieuw@school.example")

    assert client.get("/verzoek").headers["Location"].endswith("/school")


@pytest.mark.parametrize("data, message", [
    ({"first_name": ""}, "Vul je voornaam in."),
    ({"last_name": ""}, "Vul je achternaam in."),
    ({"first_name": "J" * 101}, "Gebruik hoogstens 100 tekens."),
    ({"student_number": "1" * 41}, "Gebruik hoogstens 40 tekens."),
    ({"school": ""}, "Kies je school of organisatie."),
])
def test_profile__bad_input_explained_and_kept(app, client, auth, data, message):
    school = make_school()
    make_account(email="jan@school.example", school_id=school.id)
    auth.login("jan@school.example")
    values = {"first_name": "Jan", "last_name": "Jansen", "school": str(school.id),
              "student_number": "S123", "language": "nl", **data}

    response = client.post("/profiel", data=values)
    page = response.get_data(as_text=True)

    assert message in page
    assert 'value="S123"' in page or "student_number" in data


def test_profile__saves_student_number_and_language(app, client, auth):
    school = make_school()
    account = make_account(email="jan@school.example", school_id=school.id)
    auth.login("jan@school.example")

    client.post("/profiel", data={"first_name": "Jan", "last_name": "Jansen", "school": str(school.id),
                                  "student_number": "123456", "language": "en"})

    assert account.student_number == "123456"
    assert account.language == "en"
    client.post("/uitloggen")
    auth.login("jan@school.example")
    assert '<html lang="en">' in client.get("/profiel").get_data(as_text=True)


def test_profile__links_activation_code_page(app, client, auth):
    make_account(email="jan@school.example")
    auth.login("jan@school.example")

    page = client.get("/profiel").get_data(as_text=True)

    assert 'href="/profiel/activatiecode"' in page


@pytest.mark.parametrize("origin, role, sees_notice", [
    ("email", "student", True),
    ("entree", "student", False),
    ("email", "workplace_trainer", False),
    ("email", "teacher", False),
])
def test_welcome__role_notice_only_for_email_students(app, client, auth, origin, role, sees_notice):
    make_account(email="jan@school.example", origin=origin, role=role)
    auth.login("jan@school.example")

    page = client.get("/welkom").get_data(as_text=True)

    assert ("verzoek indienen" in page) is sees_notice
    assert ("Dan moet je gebruikersrol worden omgezet" in page) is sees_notice
    assert "Stel een vraag" in page


@pytest.mark.parametrize("first, tussenvoegsel, last", [
    ("<script>alert(1)</script>", "", "Jansen"),
    ("Éva", "", "Özdemir"),
    ("Jan", "van 't", "Hof"),
])
def test_names__escaped_on_welcome_and_profile(app, client, auth, first, tussenvoegsel, last):
    make_account(email="jan@school.example", first_name=first, tussenvoegsel=tussenvoegsel, last_name=last)
    auth.login("jan@school.example")

    welcome = client.get("/welkom").get_data(as_text=True)
    profile = client.get("/profiel").get_data(as_text=True)

    for page in (welcome, profile):
        assert "<script>alert" not in page
    assert "&lt;script&gt;" in welcome or first in welcome
    if tussenvoegsel:
        assert "van &#39;t" in profile


def test_profile__needs_login(app, client):
    assert "/inloggen" in client.get("/profiel").headers["Location"]


def test_profile__saved_names_reach_database_unchanged(app, client, auth):
    school = make_school()
    account = make_account(email="jan@school.example", school_id=school.id)
    auth.login("jan@school.example")

    client.post("/profiel", data={"first_name": "Éva", "tussenvoegsel": "van 't", "last_name": "Özdemir",
                                  "school": str(school.id), "language": "nl"})
    db.session.refresh(account)

    assert account.full_name == "Éva van 't Özdemir"
