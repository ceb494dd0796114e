"""An agent takes a request from the queue to applied in a real browser, with a real worker."""

import pytest
from playwright.sync_api import expect

from app.extensions import db
from app.models import Account
from tests.factories import PASSWORD, make_account, make_agent, make_school, make_ticket
from tests.fixtures.browser import on_postgresql

pytestmark = pytest.mark.browser


@on_postgresql
@pytest.mark.app_config({"WTF_CSRF_ENABLED": True, "RATELIMIT_ENABLED": True})
def test_agent__queue_to_applied_in_browser(app, live_server, celery_worker, page):
    school = make_school(name="ROC Rivierenland")
    requester = make_account(first_name="Sanne", last_name="de Boer", school_id=school.id)
    ticket = make_ticket(requester, wanted_role="teacher", motivation="Ik geef les in de zorg.")
    agent = make_agent(last_name="Visser")

    page.goto(live_server + "/inloggen")
    page.get_by_label("E-mailadres").fill(agent.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen met e-mailadres").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Werkvoorraad")

    page.get_by_label("Zoeken op kenmerk, naam of e-mailadres").fill("de boer")
    page.get_by_role("button", name="Filteren").click()
    row = page.get_by_role("row").filter(has_text=ticket.reference)
    expect(row).to_contain_text("Sanne de Boer")
    expect(row).to_contain_text("ROC Rivierenland")
    expect(row).to_contain_text("Docent")
    row.get_by_role("link", name=ticket.reference).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(ticket.reference)
    expect(page.locator("#requester-role")).to_have_text("Student")
    expect(page.get_by_text("Ik geef les in de zorg.")).to_be_visible()
    expect(page.get_by_role("button", name="Goedkeuren")).to_have_count(0)
    page.get_by_role("button", name="In behandeling nemen").click()
    expect(page.get_by_role("status")).to_contain_text("in behandeling genomen")

    page.get_by_label("Interne notitie").fill("School gebeld: klopt.")
    page.get_by_role("button", name="Notitie opslaan").click()
    expect(page.locator("#timeline")).to_contain_text("School gebeld: klopt.")

    page.get_by_role("button", name="Goedkeuren").click()
    expect(page.get_by_role("status")).to_contain_text("goedgekeurd")

    # The worker applies the role after the commit; reload until the page shows it.
    for _attempt in range(60):
        if page.locator("#ticket-state").inner_text() == "doorgevoerd":
            break
        page.wait_for_timeout(500)
        page.reload()
    expect(page.locator("#ticket-state")).to_have_text("doorgevoerd")
    expect(page.locator("#requester-role")).to_have_text("Docent")
    expect(page.get_by_role("button", name="Goedkeuren")).to_have_count(0)

    db.session.expire_all()
    assert db.session.get(Account, requester.id).role.code == "teacher"
