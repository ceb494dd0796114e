"""Sign-up wizard, confirmation link and the rules on addresses, names and passwords."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Account, OutboxMail
from tests.factories import PASSWORD, make_account

GOOD_PASSWORD = "Zonnebloem-42"


def sign_up(client, email="jan@school.example", first="Jan", last="Jansen", password=GOOD_PASSWORD,
            tussenvoegsel=""):
    client.post("/account-aanmaken/e-mailadres", data={"email": email})
    client.post("/account-aanmaken/voornaam", data={"first_name": first})
    client.post("/account-aanmaken/achternaam", data={"tussenvoegsel": tussenvoegsel, "last_name": last})
    return client.post("/account-aanmaken/wachtwoord", data={"password": password, "privacy": "y"})


def mails(template):
    return db.session.scalars(select(OutboxMail).where(OutboxMail.template == template)
                              .order_by(OutboxMail.id)).all()


def confirm_link(mail) -> str:
    return re.search(r"http\S+/account-bevestigen/\S+", mail.body_text).group(0)


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def account_for(address):
    return db.session.scalars(select(Account).where(Account.email_normalized == address)).one_or_none()


def test_wizard__creates_unconfirmed_student_and_mails_link(app, client):
    response = sign_up(client)

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account-aanmaken/verstuurd")
    account = account_for("jan@school.example")
    assert account.role.code == "student"
    assert account.origin == "email"
    assert account.confirmed_at is None
    assert account.password_hash.startswith("$argon2")
    [mail] = mails("confirm_account")
    assert mail.to_address == "jan@school.example"
    assert "Bevestig je account" in mail.body_html


def test_wizard__one_field_a_step_in_order(app, client):
    first = client.get("/account-aanmaken").headers["Location"]
    assert first.endswith("/account-aanmaken/e-mailadres")
    page = client.get(first).get_data(as_text=True)
    assert "Volgende stap" in page
    assert 'name="first_name"' not in page
    assert "school of organisatie" in page

    skipped = client.get("/account-aanmaken/wachtwoord")
    assert skipped.headers["Location"].endswith("/account-aanmaken/e-mailadres")


def test_wizard__going_back_keeps_typed_values(app, client):
    client.post("/account-aanmaken/e-mailadres", data={"email": "eva@school.example"})
    client.post("/account-aanmaken/voornaam", data={"first_name": "Éva"})

    email_page = client.get("/account-aanmaken/e-mailadres").get_data(as_text=True)
    name_page = client.get("/account-aanmaken/voornaam").get_data(as_text=True)

    assert 'value="eva@school.example"' in email_page
    assert 'value="Éva"' in name_page


def test_wizard__password_never_stored_in_session(app, client):
    sign_up(client, password=GOOD_PASSWORD)
    with client.session_transaction() as session:
        assert GOOD_PASSWORD not in repr(dict(session))


@pytest.mark.parametrize("password, message", [
    ("", "Kies een wachtwoord."),
    ("kort", "Kies een wachtwoord van minimaal 6 tekens."),
    ("welkom123", "Dit wachtwoord wordt veel gebruikt"),
    ("Wachtwoord", "Dit wachtwoord wordt veel gebruikt"),
    ("jan@school.example", "mag niet gelijk zijn aan je e-mailadres"),
    ("JAN@School.Example", "mag niet gelijk zijn aan je e-mailadres"),
    ("x" * 201, "Gebruik hoogstens 200 tekens."),
])
def test_password_rules__rejected_with_message(app, client, password, message):
    page = sign_up(client, password=password).get_data(as_text=True)

    assert message in page
    assert account_for("jan@school.example") is None


@pytest.mark.app_config({"PASSWORD_MIN_LENGTH": 10})
def test_password_min_length__from_config(app, client):
    page = sign_up(client, password="Zonne-42").get_data(as_text=True)
    assert "minimaal 10 tekens" in page


def test_privacy_tick__required(app, client):
    sign_up(client)
    client.post("/account-aanmaken/e-mailadres", data={"email": "piet@school.example"})
    response = client.post("/account-aanmaken/wachtwoord", data={"password": GOOD_PASSWORD})

    assert "Vink aan dat je akkoord gaat met het privacy statement." in response.get_data(as_text=True)
    assert account_for("piet@school.example") is None


@pytest.mark.parametrize("step, data, message", [
    ("e-mailadres", {"email": ""}, "Vul je e-mailadres in."),
    ("e-mailadres", {"email": "   "}, "Vul je e-mailadres in."),
    ("e-mailadres", {"email": "jan.school.example"}, "Dit is geen geldig e-mailadres."),
    ("e-mailadres", {"email": "jan@"}, "Dit is geen geldig e-mailadres."),
    ("e-mailadres", {"email": "jan@@school.example"}, "Dit is geen geldig e-mailadres."),
    ("e-mailadres", {"email": "a" * 250 + "@school.nl"}, "Gebruik hoogstens 254 tekens."),
    ("voornaam", {"first_name": ""}, "Vul je voornaam in."),
    ("voornaam", {"first_name": "J" * 101}, "Gebruik hoogstens 100 tekens."),
    ("achternaam", {"last_name": ""}, "Vul je achternaam in."),
    ("achternaam", {"last_name": "J" * 101}, "Gebruik hoogstens 100 tekens."),
    ("achternaam", {"last_name": "Hof", "tussenvoegsel": "v" * 31}, "Gebruik hoogstens 30 tekens."),
])
def test_wizard_step__bad_input_keeps_value_and_explains(app, client, step, data, message):
    client.post("/account-aanmaken/e-mailadres", data={"email": "jan@school.example"})
    client.post("/account-aanmaken/voornaam", data={"first_name": "Jan"})

    response = client.post(f"/account-aanmaken/{step}", data=data)
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert message in page
    assert 'aria-invalid="true"' in page
    for value in data.values():
        if value.strip():
            assert f'value="{value}"' in page


def test_internationalised_address__stored_with_idna_domain(app, client):
    sign_up(client, email="jan@bücher.nl")

    account = account_for("jan@xn--bcher-kva.nl")
    assert account is not None
    assert account.email == "jan@bücher.nl"
    [mail] = mails("confirm_account")
    assert mail.to_address == "jan@xn--bcher-kva.nl"


def test_registered_address__page_does_not_reveal_it(app, client):
    make_account(email="bestaand@school.example")
    fresh = app.test_client()

    taken = sign_up(client, email="bestaand@school.example")
    new = sign_up(fresh, email="nieuw@school.example")
    taken_page = client.get(taken.headers["Location"]).get_data(as_text=True)
    new_page = fresh.get(new.headers["Location"]).get_data(as_text=True)

    assert taken.headers["Location"] == new.headers["Location"]
    assert taken_page.replace("bestaand@", "X@") == new_page.replace("nieuw@", "X@")
    [notice] = mails("already_registered")
    assert notice.to_address == "bestaand@school.example"
    assert len(db.session.scalars(select(Account).where(
        Account.email_normalized == "bestaand@school.example")).all()) == 1


def test_confirm_link__confirms_once_then_login(app, client):
    sign_up(client)
    link = confirm_link(mails("confirm_account")[0])

    first = client.get(path_of(link))
    replay = client.get(path_of(link))

    assert first.status_code == 302
    assert first.headers["Location"].endswith("/inloggen")
    assert account_for("jan@school.example").confirmed_at is not None
    assert replay.status_code == 400
    assert "Deze link is al gebruikt" in replay.get_data(as_text=True)


def test_confirm_link__expired_after_configured_hours(app, client, monkeypatch):
    import time

    from itsdangerous import TimestampSigner

    sign_up(client)
    account = account_for("jan@school.example")
    made = time.time() - 25 * 3600
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(made))
    from app.services.signup import confirmation_token

    with app.test_request_context():
        token = confirmation_token(account)
    monkeypatch.undo()

    response = client.get(f"/account-bevestigen/{token}")

    assert response.status_code == 400
    assert "Deze link is verlopen" in response.get_data(as_text=True)
    assert account_for("jan@school.example").confirmed_at is None


def test_confirm_link__tampered_is_invalid(app, client):
    sign_up(client)
    link = path_of(confirm_link(mails("confirm_account")[0]))

    response = client.get(link[:-3] + "abc")

    assert response.status_code == 400
    assert "Deze link is ongeldig" in response.get_data(as_text=True)


def test_login__before_confirming_shows_waiting_page(app, client, auth):
    sign_up(client)
    client.post("/uitloggen")

    response = client.post("/inloggen", data={"email": "jan@school.example", "password": GOOD_PASSWORD})

    assert response.headers["Location"].endswith("/account-aanmaken/verstuurd")
    assert "/welkom" not in client.get("/").headers.get("Location", "")


def test_resend__queues_a_new_link(app, client):
    sign_up(client)
    page = client.get("/account-aanmaken/verstuurd").get_data(as_text=True)
    assert "Verstuur opnieuw" in page
    assert "Wijzig je e-mailadres" in page

    client.post("/account-aanmaken/opnieuw-versturen")

    assert len(mails("confirm_account")) == 2


@pytest.mark.app_config({"RATELIMIT_ENABLED": True})
def test_resend__rate_limited(app, client):
    sign_up(client)
    statuses = [client.post("/account-aanmaken/opnieuw-versturen").status_code for _ in range(4)]

    assert statuses[:3] == [302, 302, 302]
    assert statuses[3] == 429
    assert len(mails("confirm_account")) == 4


def test_change_address__voids_old_link(app, client):
    sign_up(client, email="typo@scool.example")
    old_link = path_of(confirm_link(mails("confirm_account")[0]))

    page = client.get("/account-aanmaken/e-mailadres").get_data(as_text=True)
    assert 'value="typo@scool.example"' in page
    sign_up(client, email="jan@school.example")

    assert account_for("typo@scool.example") is None
    assert account_for("jan@school.example") is not None
    assert "intussen is gewijzigd" in client.get(old_link).get_data(as_text=True)
    new_link = path_of(confirm_link(mails("confirm_account")[-1]))
    assert client.get(new_link).status_code == 302


@pytest.mark.parametrize("first, tussenvoegsel, last", [
    ("<script>alert(1)</script>", "", "Jansen"),
    ("Éva", "", "Özdemir"),
    ("Jan", "van 't", "Hof"),
])
def test_names__stored_as_typed_and_shown_escaped(app, client, first, tussenvoegsel, last):
    sign_up(client, first=first, tussenvoegsel=tussenvoegsel, last=last)
    account = account_for("jan@school.example")
    assert (account.first_name, account.tussenvoegsel, account.last_name) == (first, tussenvoegsel, last)

    [mail] = mails("confirm_account")
    assert "<script>" not in mail.body_html
    back = client.get("/account-aanmaken/voornaam").get_data(as_text=True)
    assert "<script>alert" not in back


@pytest.mark.app_config({"WTF_CSRF_ENABLED": True})
def test_form_without_csrf_token__friendly_page_keeps_input(app, client):
    response = client.post("/account-aanmaken/e-mailadres", data={"email": "jan@school.example"})
    page = response.get_data(as_text=True)

    assert response.status_code == 400
    assert "Formulier verlopen" in page
    assert 'value="jan@school.example"' in page
    with client.session_transaction() as session:
        assert "signup_draft" not in session


@pytest.mark.app_config({"WTF_CSRF_ENABLED": True})
def test_two_open_tabs__both_post(app, client):
    def token_of(page):
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    first_tab = token_of(client.get("/account-aanmaken/e-mailadres").get_data(as_text=True))
    second_tab = token_of(client.get("/account-aanmaken/e-mailadres").get_data(as_text=True))

    one = client.post("/account-aanmaken/e-mailadres",
                      data={"email": "een@school.example", "csrf_token": second_tab})
    two = client.post("/account-aanmaken/e-mailadres",
                      data={"email": "twee@school.example", "csrf_token": first_tab})

    assert one.status_code == 302
    assert two.status_code == 302


def test_staff_login__still_works(app, auth):
    make_account(email="agent@school.example", staff=("agent",))
    assert auth.login("agent@school.example", PASSWORD).status_code == 302


@pytest.mark.app_config({"WTF_CSRF_ENABLED": True, "WTF_CSRF_TIME_LIMIT": 3600})
def test_expired_csrf_token__friendly_page_resends_input(app, client, monkeypatch):
    import time

    from flask import g
    from itsdangerous import TimestampSigner

    def token_of(page):
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    two_hours_ago = int(time.time()) - 2 * 3600
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: two_hours_ago)
    old_token = token_of(client.get("/account-aanmaken/e-mailadres").get_data(as_text=True))
    monkeypatch.undo()
    # The test's app context outlives each request, so drop the token Flask-WTF cached
    # in ``g``; a real server starts every request with an empty ``g``.
    g.pop("csrf_token", None)

    expired = client.post("/account-aanmaken/e-mailadres",
                          data={"email": "jan@school.example", "csrf_token": old_token})
    page = expired.get_data(as_text=True)
    assert expired.status_code == 400
    assert "Formulier verlopen" in page
    assert 'value="jan@school.example"' in page

    again = client.post("/account-aanmaken/e-mailadres",
                        data={"email": "jan@school.example", "csrf_token": token_of(page)})
    assert again.status_code == 302
    assert again.headers["Location"].endswith("/account-aanmaken/voornaam")


@pytest.mark.app_config({"RATELIMIT_ENABLED": True})
def test_login__rate_limited(app, client):
    make_account(email="jan@school.example")
    statuses = [client.post("/inloggen", data={"email": "jan@school.example", "password": "fout"}).status_code
                for _ in range(11)]

    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    assert "Te veel pogingen" in client.post("/inloggen", data={"email": "x@y.nl", "password": "z"}).get_data(as_text=True)


@pytest.mark.app_config({"RATELIMIT_ENABLED": True})
def test_login__correct_logins_not_counted(app, client):
    # A whole class behind one school address logs in at the start of a lesson.
    for number in range(12):
        make_account(email=f"leerling{number}@school.example")
    statuses = []
    for number in range(12):
        statuses.append(client.post("/inloggen", data={"email": f"leerling{number}@school.example",
                                                       "password": PASSWORD}).status_code)
        client.post("/uitloggen")

    assert statuses == [302] * 12
