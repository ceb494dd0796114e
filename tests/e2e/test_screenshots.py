"""Screenshots of the main pages, on a stack filled by ``roldesk demo``.

``make screenshots`` writes them to docs/screenshots/ (ROLDESK_SCREENSHOT_DIR), where
the READMEs show them; an ordinary test run writes them under test-artifacts/.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import add_account, heading, log_in, run_stack
from tests.fixtures.browser import ARTIFACTS

SCREENSHOT_DIR = Path(os.environ.get("ROLDESK_SCREENSHOT_DIR") or ARTIFACTS / "screenshots")
DEMO_PASSWORD = "demo-wachtwoord"
AGENT = "anouk.de.vries@roldesk.example"
MANAGER = "esther.smit@roldesk.example"
ADMIN = "frank.meijer@roldesk.example"


@pytest.fixture(scope="module")
def demo_stack(browser, tmp_path_factory):
    """A web app on a database filled by ``roldesk demo``; no worker, since nothing is sent."""
    # A full helpdesk for the READMEs' pictures; a smaller one keeps the ordinary test run quick.
    requests = "200" if os.environ.get("ROLDESK_SCREENSHOT_DIR") else "40"
    demo = ["demo", "--requests", requests, "--password", DEMO_PASSWORD]
    with run_stack(browser, tmp_path_factory.mktemp("demo"), with_worker=False,
                   setup_commands=(demo,)) as running:
        yield running


def shoot(page, name: str) -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}.png"
    page.screenshot(path=str(path), animations="disabled", caret="hide")
    return path


def open_page(stack, label: str, email: str | None = None, password: str = DEMO_PASSWORD):
    page = stack.new_page(label)
    if email:
        log_in(page, email, password)
    return page


def test_screenshots__of_the_main_pages(demo_stack):
    from app.extensions import db
    from app.models import School

    with demo_stack.app_context():
        school_id = db.session.query(School.id).order_by(School.id).first()[0]
    add_account(demo_stack, "sanne.bos@zorgpartner.example", first_name="Sanne",
                last_name="Bos", school_id=school_id)
    shots = []

    visitor = open_page(demo_stack, "visitor")
    visitor.goto("/inloggen")
    shots.append(shoot(visitor, "01-inloggen"))
    visitor.goto("/account-aanmaken")
    visitor.get_by_label("E-mailadres").fill("sanne.bos@zorgpartner.example")
    shots.append(shoot(visitor, "02-account-aanmaken"))

    from tests.e2e.conftest import PASSWORD

    requester = open_page(demo_stack, "requester", "sanne.bos@zorgpartner.example", PASSWORD)
    expect(heading(requester)).to_have_text("Welkom, Sanne")
    shots.append(shoot(requester, "03-welkom"))
    requester.get_by_role("link", name="verzoek indienen").click()
    requester.get_by_label("Gewenste rol").select_option(label="Praktijkopleider / werkbegeleider")
    requester.get_by_label("Toelichting").fill("Ik begeleid stagiairs van de opleiding Zorg.")
    shots.append(shoot(requester, "04-verzoek-indienen"))
    requester.get_by_role("button", name="Verzoek versturen").click()
    expect(heading(requester)).to_have_text("Verzoek ontvangen")
    shots.append(shoot(requester, "05-verzoek-ontvangen"))

    agent = open_page(demo_stack, "agent", AGENT)
    expect(heading(agent)).to_have_text("Werkvoorraad")
    shots.append(shoot(agent, "06-werkvoorraad"))
    agent.get_by_role("link", name=re.compile(r"^RD-\d{4}-\d{5}$")).first.click()
    expect(heading(agent)).to_contain_text("Verzoek RD-")
    shots.append(shoot(agent, "07-verzoek-behandelen"))

    manager = open_page(demo_stack, "manager", MANAGER)
    manager.goto("/rapportage/")
    shots.append(shoot(manager, "08-rapportage"))

    admin = open_page(demo_stack, "admin", ADMIN)
    admin.goto("/beheer/activatiecodes")
    shots.append(shoot(admin, "09-activatiecodes"))

    for path in shots:
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", path
