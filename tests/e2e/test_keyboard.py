"""The sign-up wizard and the request form, completed with the keyboard alone.

Focus moves only with Tab; text is typed, a tick box is ticked with Space, a
choice list is set by typing the start of an option, and buttons are pressed
with Enter. A field that Tab cannot reach fails the test.
"""

import re

from playwright.sync_api import expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.conftest import PASSWORD, add_account, heading, link_in, log_in

MAX_TABS = 40


def tab_to(page, target) -> None:
    """Press Tab until ``target`` has the focus; fail when it is not reached."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{target} was not reached with {MAX_TABS} presses of Tab")


def type_into(page, target, text: str) -> None:
    tab_to(page, target)
    page.keyboard.type(text)


def press(page, target, key: str = "Enter") -> None:
    tab_to(page, target)
    page.keyboard.press(key)


def test_signup__by_keyboard_only(stack, people):
    page = people("keyboard-signup")
    page.goto("/account-aanmaken")

    type_into(page, page.get_by_label("E-mailadres"), "toetsenbord@zorgpartner.example")
    press(page, page.get_by_role("button", name="Volgende stap"))
    type_into(page, page.get_by_label("Voornaam"), "Kim")
    press(page, page.get_by_role("button", name="Volgende stap"))
    type_into(page, page.get_by_label("Achternaam"), "de Toets")
    press(page, page.get_by_role("button", name="Volgende stap"))
    type_into(page, page.get_by_label("Wachtwoord"), PASSWORD)
    press(page, page.get_by_label("Ik ga akkoord met het privacy statement"), "Space")
    press(page, page.get_by_role("button", name="Account aanmaken"))

    expect(heading(page)).to_have_text("Bevestig je account")
    confirmation = stack.mail_to("toetsenbord@zorgpartner.example", "Bevestig je account")
    page.goto(link_in(confirmation, r"/account-bevestigen/"))
    expect(page.get_by_text("Je account is bevestigd.")).to_be_visible()


def test_request_form__by_keyboard_only(stack, people):
    add_account(stack, "toetsen.aanvrager@zorgpartner.example", first_name="Toos")
    page = people("keyboard-request")
    log_in(page, "toetsen.aanvrager@zorgpartner.example")
    page.goto("/welkom")

    press(page, page.get_by_role("link", name="verzoek indienen"))
    expect(page.get_by_label("Mijn gebruikersrol laten omzetten")).to_be_checked()
    tab_to(page, page.get_by_label("Gewenste rol"))
    page.keyboard.type("Prak")
    expect(page.get_by_label("Gewenste rol")).to_have_value(re.compile(r"\d+"))
    type_into(page, page.get_by_label("Toelichting"), "Ik begeleid twee stagiairs in de thuiszorg.")
    press(page, page.get_by_role("button", name="Verzoek versturen"))

    expect(heading(page)).to_have_text("Verzoek ontvangen")
    assert_accessible(page)
    reference = re.search(r"RD-\d{4}-\d{5}", page.locator("main").inner_text()).group(0)
    assert wanted_role_of(stack, reference) == "workplace_trainer"


def wanted_role_of(stack, reference: str) -> str:
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Ticket

    with stack.app_context():
        return db.session.scalars(select(Ticket).where(Ticket.reference == reference)).one().wanted_role.code
