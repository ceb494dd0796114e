"""In Chromium: a school contact submits a Dutch-Excel list, and a user redeems an activation code."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Account, Ticket
from app.models.types import utcnow
from app.services import apply
from app.services.accounts import role_by_code
from app.services.codes import CodeRequest, issue_code
from app.services.workflow import fire_trigger
from tests.factories import PASSWORD, make_account, make_agent, make_school
from tests.fixtures.browser import on_postgresql

# As in production: every form carries a CSRF token and the rate limits apply.
production_guards = pytest.mark.app_config({"WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": True})

# Saved from Dutch Excel as "CSV (puntkomma-gescheiden)": Windows-1252, CRLF, empty rows at the end.
DUTCH_EXCEL_CSV = ("E-mailadres;Voornaam;Achternaam\r\n"
                   "jose@roc-midden.nl;José;Bruïn\r\n"
                   "anouk@roc-midden.nl;Anouk;Smit\r\n"
                   "piet@roc-midden.nk;Piet;Jansen\r\n"
                   ";;\r\n;;\r\n").encode("cp1252")


def _log_in(page, live_server, address):
    page.goto(live_server + "/inloggen")
    page.get_by_label("E-mailadres").fill(address)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen met e-mailadres").click()


@on_postgresql
@production_guards
def test_list__upload_fix_submit_apply(app, live_server, page):
    school = make_school(name="ROC Midden")
    make_account(email="contact@roc-midden.nl", school=school)
    listed = ["jose@roc-midden.nl", "anouk@roc-midden.nl", "piet@roc-midden.nl"]
    for address in listed:
        make_account(email=address, school=school)

    _log_in(page, live_server, "contact@roc-midden.nl")
    page.goto(live_server + "/verzoek/lijst/")
    page.get_by_label("De rol omzetten van bestaande accounts").check()
    page.get_by_label("Gewenste rol").select_option(label="Docent")
    page.get_by_label("Bestand (CSV of Excel)").set_input_files(
        files=[{"name": "docenten.csv", "mimeType": "text/csv", "buffer": DUTCH_EXCEL_CSV}])
    page.get_by_role("button", name="Lijst controleren").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Lijst controleren")
    expect(page.get_by_text("1 regel is nog niet in orde")).to_be_visible()
    expect(page.locator("#regel-3")).to_contain_text("onbekend account")
    page.locator("#regel-3-email").fill("piet@roc-midden.nl")
    page.get_by_role("button", name="Opslaan regel 3").click()
    expect(page.get_by_text("Alle regels zijn in orde.")).to_be_visible()
    page.get_by_role("button", name="Verzoek indienen").click()
    expect(page.get_by_text("is ingediend")).to_be_visible()

    db.session.expire_all()
    ticket = db.session.scalars(select(Ticket)).one()
    agent = make_agent()
    fire_trigger(ticket, "start_review", agent)
    fire_trigger(db.session.get(Ticket, ticket.id), "approve", agent)
    assert apply.apply_ticket(ticket.id) == apply.DONE

    db.session.expire_all()
    for address in listed:
        account = db.session.scalars(select(Account).where(Account.email_normalized == address)).one()
        assert account.role.code == "teacher", address


@on_postgresql
@production_guards
def test_code__redeemed_in_browser(app, live_server, page):
    school = make_school(name="ROC Midden")
    make_account(email="begeleider@bedrijf.example", school=school)
    now = utcnow()
    _, plain = issue_code(make_account(staff=("admin",)), CodeRequest(
        role_id=role_by_code("workplace_trainer").id, school_id=school.id,
        valid_from=now - timedelta(hours=1), valid_until=now + timedelta(days=7), max_uses=10))

    _log_in(page, live_server, "begeleider@bedrijf.example")
    page.goto(live_server + "/profiel/activatiecode")
    page.get_by_label("Activatiecode").fill(plain.lower())
    page.get_by_role("button", name="Code gebruiken").click()

    expect(page.get_by_text("Je rol is nu Praktijkopleider / werkbegeleider.")).to_be_visible()
    expect(page.get_by_text("Je huidige rol: Praktijkopleider / werkbegeleider")).to_be_visible()
    db.session.expire_all()
    account = db.session.scalars(select(Account).where(
        Account.email_normalized == "begeleider@bedrijf.example")).one()
    assert account.role.code == "workplace_trainer"
