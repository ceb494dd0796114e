"""Account-creation lists: free-mail and school-domain checks, applying, and the set-password link."""

import io
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Account, FreeMailDomain, OutboxMail, RequestLine, School, Ticket
from app.services import apply
from app.services.accounts import role_by_code
from app.services.errors import InvalidInput, NotAllowed
from app.services.list_requests import decide_all_lines, decide_line
from app.services.workflow import fire_trigger
from tests.factories import make_account, make_agent, make_school

HEADINGS = "Voornaam;Tussenvoegsel;Achternaam;E-mailadres;School\r\n"


@pytest.fixture
def contact(app, auth):
    school = make_school(name="ROC Test", brin="99XX", mail_domains="roc-test.nl")
    account = make_account(email="contact@roc-test.nl", school=school)
    auth.login("contact@roc-test.nl")
    return account


def _upload(client, rows: str, encoding="cp1252", role="workplace_trainer"):
    data = (HEADINGS + rows).encode(encoding)
    return client.post("/verzoek/lijst/", data={
        "kind": "account_creation", "wanted_role_id": str(role_by_code(role).id),
        "upload": (io.BytesIO(data), "accounts.csv")},
        content_type="multipart/form-data", follow_redirects=True)


def _submit(client) -> Ticket:
    client.post("/verzoek/lijst/indienen")
    return db.session.scalars(select(Ticket)).one()


def _approve_and_apply(ticket: Ticket) -> Ticket:
    agent = make_agent()
    fire_trigger(ticket, "start_review", agent)
    fire_trigger(db.session.get(Ticket, ticket.id), "approve", agent)
    apply.apply_ticket(ticket.id)
    db.session.expire_all()
    return db.session.get(Ticket, ticket.id)


@pytest.mark.parametrize("address", ["piet@gmail.com", "piet@hotmail.nl", "piet@ziggo.nl",
                                     "piet@kpnmail.nl"])
def test_review__free_mail_is_refused(app, client, contact, address):
    page = _upload(client, f"Piet;;Smit;{address};ROC Test\r\n").get_data(as_text=True)

    assert "gratis e-maildienst" in page
    assert "Gebruik het e-mailadres van het werk" in page


def test_review__admin_added_free_mail_domain(app, client, contact):
    db.session.add(FreeMailDomain(domain="gratismail.example"))
    db.session.commit()

    page = _upload(client, "Piet;;Smit;piet@gratismail.example;ROC Test\r\n").get_data(as_text=True)

    assert "gratis e-maildienst" in page


def test_submit__outside_school_domains_flags_line(app, client, contact):
    _upload(client, "Piet;;Smit;piet@bedrijf.example;ROC Test\r\n")

    ticket = _submit(client)

    assert ticket.lines[0].flag == "Adres valt buiten de e-maildomeinen van ROC Test."


def test_submit__existing_account_flagged_with_role(app, client, contact):
    make_account(email="docent@roc-test.nl", role="teacher")
    _upload(client, "Dina;;Docent;docent@roc-test.nl;ROC Test\r\n")

    ticket = _submit(client)

    assert ticket.lines[0].flag == "Heeft al een account met de rol Docent."


@pytest.mark.parametrize("row, verdict", [
    ("Piet;;Smit;piet@roc-test.nl;Onbekende School\r\n", "onbekende school"),
    (";;Smit;piet@roc-test.nl;ROC Test\r\n", "naam ontbreekt"),
    ("Piet;;Smit;piet@@roc-test.nl;ROC Test\r\n", "ongeldig e-mailadres"),
])
def test_review__bad_person_lines(app, client, contact, row, verdict):
    page = _upload(client, row).get_data(as_text=True)

    assert verdict in page


def test_review__entree_address_is_refused(app, client, contact):
    make_account(email="entree@roc-test.nl", origin="entree")

    page = _upload(client, "Eva;;Entree;entree@roc-test.nl;ROC Test\r\n").get_data(as_text=True)

    assert "Entree-account" in page


def test_submit__windows1252_names_keep_diacritics(app, client, contact):
    _upload(client, "Zoë;van der;Brüggen-Çelik;zoe@roc-test.nl;99XX\r\n;;;;\r\n", encoding="cp1252")

    line = _submit(client).lines[0]

    assert (line.first_name, line.tussenvoegsel, line.last_name) == ("Zoë", "van der", "Brüggen-Çelik")
    assert line.school.name == "ROC Test"


def test_apply__creates_confirmed_accounts_and_mails_link(app, client, contact):
    _upload(client, "Zoë;;Jansen;zoe@roc-test.nl;ROC Test\r\nAli;;Yilmaz;ali@roc-test.nl;\r\n")
    ticket = _approve_and_apply(_submit(client))

    accounts = db.session.scalars(select(Account).where(
        Account.email_normalized.in_(["zoe@roc-test.nl", "ali@roc-test.nl"]))).all()
    mails = db.session.scalars(select(OutboxMail).where(OutboxMail.template == "set_password")).all()
    assert ticket.state == "applied"
    assert [line.state for line in ticket.lines] == ["applied", "applied"]
    assert len(accounts) == 2
    for account in accounts:
        assert account.role.code == "workplace_trainer"
        assert account.confirmed_at is not None
        assert account.school.name == "ROC Test"
        assert account.password_hash is None
    assert sorted(mail.to_address for mail in mails) == ["ali@roc-test.nl", "zoe@roc-test.nl"]


def test_set_password_link__works_once(app, client, contact):
    _upload(client, "Zoë;;Jansen;zoe@roc-test.nl;ROC Test\r\n")
    _approve_and_apply(_submit(client))
    mail = db.session.scalars(select(OutboxMail).where(OutboxMail.template == "set_password")).one()
    path = re.search(r"https?://[^/\s]+(/wachtwoord-instellen/\S+)", mail.body_text).group(1)
    client.post("/uitloggen")

    form = client.get(path)
    done = client.post(path, data={"password": "nieuw-geheim", "repeat": "nieuw-geheim"},
                       follow_redirects=True)
    again = client.get(path)
    login = client.post("/inloggen", data={"email": "zoe@roc-test.nl", "password": "nieuw-geheim"})

    assert form.status_code == 200
    assert "Je wachtwoord is ingesteld" in done.get_data(as_text=True)
    assert again.status_code == 410
    assert "Deze link is verlopen of al gebruikt" in again.get_data(as_text=True)
    assert login.status_code == 302


@pytest.mark.parametrize("password, repeat, expected", [
    ("kort", "kort", "Kies een wachtwoord van minimaal 6 tekens."),
    ("lang-genoeg", "anders-dan", "De twee wachtwoorden zijn niet gelijk."),
])
def test_set_password__bad_input_messages(app, client, contact, password, repeat, expected):
    from app.services.account_creation import make_password_token

    account = make_account(email="nieuw@roc-test.nl", password_hash=None)
    path = f"/wachtwoord-instellen/{make_password_token(account)}"

    response = client.post(path, data={"password": password, "repeat": repeat})

    assert expected in response.get_data(as_text=True)


def test_set_password__tampered_link_is_refused(app, client):
    response = client.get("/wachtwoord-instellen/not-a-real-token")

    assert response.status_code == 410


def _ticket_in_review(client):
    _upload(client, "Zoë;;Jansen;zoe@roc-test.nl;\r\nAli;;Yilmaz;ali@roc-test.nl;\r\n")
    ticket = _submit(client)
    agent = make_agent()
    fire_trigger(ticket, "start_review", agent)
    return db.session.get(Ticket, ticket.id), agent


def test_decide_line__rejected_line_is_not_applied(app, client, contact):
    ticket, agent = _ticket_in_review(client)

    decide_line(ticket.lines[1], agent, approve=False, reason="Geen praktijkopleider")
    fire_trigger(db.session.get(Ticket, ticket.id), "approve", agent)
    apply.apply_ticket(ticket.id)

    db.session.expire_all()
    lines = db.session.scalars(select(RequestLine).order_by(RequestLine.position)).all()
    assert [line.state for line in lines] == ["applied", "rejected"]
    assert lines[1].outcome == "Geen praktijkopleider"
    assert db.session.scalars(select(Account).where(
        Account.email_normalized == "ali@roc-test.nl")).first() is None


def test_decide_line__reject_needs_reason(app, client, contact):
    ticket, agent = _ticket_in_review(client)

    with pytest.raises(InvalidInput):
        decide_line(ticket.lines[0], agent, approve=False, reason=" ")


def test_decide_line__requester_may_not(app, client, contact):
    ticket, _agent = _ticket_in_review(client)

    with pytest.raises(NotAllowed):
        decide_line(ticket.lines[0], contact, approve=True)


def test_decide_all_lines__approves_pending(app, client, contact):
    ticket, agent = _ticket_in_review(client)

    decided = decide_all_lines(ticket, agent, approve=True)

    assert decided == 2
    assert [line.state for line in ticket.lines] == ["approved", "approved"]


def test_admin__school_mail_domains(app, client, auth):
    make_account(email="beheer@roldesk.example", staff=("admin",))
    school = make_school(name="ROC Domeinen")
    auth.login("beheer@roldesk.example")

    bad = client.post(f"/beheer/scholen/{school.id}", data={"name": "ROC Domeinen",
                                                           "mail_domains": "roc.nl niet_goed"})
    client.post(f"/beheer/scholen/{school.id}", data={"name": "ROC Domeinen",
                                                     "mail_domains": "@ROC.nl, student.roc.nl"})

    db.session.expire_all()
    assert "Geen geldig domein: niet_goed." in bad.get_data(as_text=True)
    assert db.session.get(School, school.id).mail_domains == "roc.nl student.roc.nl"


def test_admin__free_mail_domain_added_once(app, client, auth):
    make_account(email="beheer@roldesk.example", staff=("admin",))
    auth.login("beheer@roldesk.example")

    client.post("/beheer/gratis-maildomeinen", data={"domain": "@Gratis.example"})
    again = client.post("/beheer/gratis-maildomeinen", data={"domain": "gratis.example"})
    packaged = client.post("/beheer/gratis-maildomeinen", data={"domain": "gmail.com"})

    assert db.session.scalars(select(FreeMailDomain.domain)).all() == ["gratis.example"]
    assert "Dit domein staat al op de lijst." in again.get_data(as_text=True)
    assert "Dit domein staat al op de lijst." in packaged.get_data(as_text=True)


def test_applied_mail__lists_each_line_outcome(app, client, contact):
    ticket, agent = _ticket_in_review(client)
    decide_line(ticket.lines[1], agent, approve=False, reason="Geen praktijkopleider")
    fire_trigger(db.session.get(Ticket, ticket.id), "approve", agent)

    apply.apply_ticket(ticket.id)

    mail = db.session.scalars(select(OutboxMail).where(OutboxMail.template == "role_applied")).one()
    assert "1. zoe@roc-test.nl: doorgevoerd" in mail.body_text
    assert "2. ali@roc-test.nl: afgewezen (Geen praktijkopleider)" in mail.body_text
    assert "Je nieuwe rol is" not in mail.body_text
    assert "ali@roc-test.nl: afgewezen (Geen praktijkopleider)" in mail.body_html
