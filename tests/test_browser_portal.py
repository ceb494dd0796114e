"""The requester's journey in a real browser: Debian's Chromium driven by Playwright.

Mails go through a real Celery worker on Redis to the SMTP server fixture on loopback,
and the test reads the confirmation link from the mail that arrived there.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import make_school
from tests.fixtures.browser import on_postgresql

PASSWORD = "Zonnebloem-42"
# As in production: every form carries a CSRF token and the rate limits apply.
production_guards = pytest.mark.app_config({"WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": True})


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def mail_with_subject(smtp_server, count: int, part: str):
    messages = smtp_server.wait_for(count, timeout=20)
    matching = [message for message in messages if part in str(message["Subject"])]
    assert matching, f"no mail with {part!r} in its subject among {[str(m['Subject']) for m in messages]}"
    return matching[-1]


@on_postgresql
def test_login_page__opens_in_browser(app, live_server, page):
    page.goto(live_server + "/inloggen")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.get_by_role("button", name="Inloggen met e-mailadres").is_visible()


@on_postgresql
@production_guards
def test_journey__signup_to_submitted_request(app, smtp_server, live_server, celery_worker, page):
    make_school(name="ROC Midden")

    page.goto(live_server + "/inloggen")
    page.get_by_role("link", name="Een account aanmaken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Een account aanmaken")
    page.get_by_label("E-mailadres").fill("eva@bücher.nl")
    page.get_by_role("button", name="Volgende stap").click()
    page.get_by_label("Voornaam").fill("Éva")
    page.get_by_role("button", name="Volgende stap").click()

    page.get_by_role("link", name="Vorige stap").click()
    expect(page.get_by_label("Voornaam")).to_have_value("Éva")
    page.get_by_role("button", name="Volgende stap").click()

    page.get_by_label("Achternaam").fill("Özdemir")
    page.get_by_role("button", name="Volgende stap").click()
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_label("Ik ga akkoord met het privacy statement").check()
    page.get_by_role("button", name="Account aanmaken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bevestig je account")
    expect(page.get_by_role("button", name="Verstuur opnieuw")).to_be_visible()
    expect(page.get_by_role("link", name="Wijzig je e-mailadres")).to_be_visible()

    confirmation = mail_with_subject(smtp_server, 1, "Bevestig je account")
    assert confirmation.envelope_to == ["eva@xn--bcher-kva.nl"]
    link = re.search(r"http://127\.0\.0\.1:\d+/account-bevestigen/\S+", text_of(confirmation)).group(0)
    page.goto(link)

    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen")
    expect(page.get_by_text("Je account is bevestigd.")).to_be_visible()
    page.get_by_label("E-mailadres").fill("eva@bücher.nl")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen met e-mailadres").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Kies je school")
    page.get_by_label("School of organisatie").select_option(label="ROC Midden")
    page.get_by_role("button", name="Verder").click()
    expect(page.get_by_label("Achternaam")).to_have_value("Özdemir")
    page.get_by_label("Studentnummer").fill("")
    page.get_by_role("button", name="Bevestigen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Éva")
    page.get_by_role("link", name="verzoek indienen").click()
    expect(page.get_by_label("Mijn gebruikersrol laten omzetten")).to_be_checked()
    page.get_by_label("Gewenste rol").select_option(label="Praktijkopleider / werkbegeleider")
    page.get_by_label("Toelichting").fill("Ik begeleid stagiairs van ROC Midden.")
    page.get_by_role("button", name="Verzoek versturen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Verzoek ontvangen")
    body = page.locator("main").inner_text()
    reference = re.search(r"RD-\d{4}-\d{5}", body).group(0)
    due = re.search(r"uiterlijk (\w+ \d+ \w+ \d\d:\d\d)", body).group(1)

    received = mail_with_subject(smtp_server, 2, reference)
    assert received.envelope_to == ["eva@xn--bcher-kva.nl"]
    assert due in text_of(received)

    page.get_by_role("link", name="Mijn verzoeken").first.click()
    expect(page.get_by_role("row", name=re.compile(reference))).to_contain_text("ingediend")


@on_postgresql
@production_guards
def test_signup_step__usable_by_keyboard(app, live_server, page):
    page.goto(live_server + "/account-aanmaken")

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Naar de inhoud")).to_be_focused()
    page.get_by_label("E-mailadres").focus()
    page.keyboard.type("geen-adres")
    page.keyboard.press("Enter")

    error = page.get_by_text("Dit is geen geldig e-mailadres.", exact=False).last
    expect(error).to_be_visible()
    field = page.get_by_label("E-mailadres")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", re.compile("email-error"))
    expect(field).to_have_value("geen-adres")


@on_postgresql
@production_guards
def test_two_tabs__both_forms_post(app, live_server, page):
    second = page.context.new_page()
    page.goto(live_server + "/account-aanmaken/e-mailadres")
    second.goto(live_server + "/account-aanmaken/e-mailadres")

    second.get_by_label("E-mailadres").fill("tab2@school.example")
    second.get_by_role("button", name="Volgende stap").click()
    page.get_by_label("E-mailadres").fill("tab1@school.example")
    page.get_by_role("button", name="Volgende stap").click()

    expect(second.get_by_label("Voornaam")).to_be_visible()
    expect(page.get_by_label("Voornaam")).to_be_visible()
    page.get_by_role("link", name="Vorige stap").click()
    expect(page.get_by_label("E-mailadres")).to_have_value("tab1@school.example")
