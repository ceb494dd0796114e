"""A school contact's list request: checked line by line, approved, applied per line."""

import re

from playwright.sync_api import expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.conftest import add_account, heading, log_in

TRAINER = "Praktijkopleider / werkbegeleider"
MEMBERS = ["lijst.een@zorgpartner.example", "lijst.twee@zorgpartner.example",
           "lijst.drie@zorgpartner.example"]


def roles_of(stack, addresses: list[str]) -> dict[str, str]:
    from app.services.accounts import find_account

    with stack.app_context():
        return {address: find_account(address).role.code for address in addresses}


def wait_for_state(page, state: str, seconds: int = 30) -> None:
    for _ in range(seconds):
        if page.locator("#ticket-state").inner_text() == state:
            return
        page.wait_for_timeout(1000)
        page.reload()
    expect(page.locator("#ticket-state")).to_have_text(state)


def test_list_request__applied_line_by_line(stack, people):
    from tests.factories import make_school

    with stack.app_context():
        school_id = make_school(name="ROC Lijstwijk").id
    add_account(stack, "contact@roc-lijstwijk.example", role="teacher", first_name="Carla",
                school_id=school_id)
    add_account(stack, "lijst.agent@roldesk.example", staff=("agent",), first_name="Lars")
    for number, address in enumerate(MEMBERS, start=1):
        add_account(stack, address, first_name=f"Lid {number}")

    contact = people("school-contact")
    log_in(contact, "contact@roc-lijstwijk.example")
    contact.goto("/verzoek")
    contact.get_by_role("link", name="Dien een lijst met accounts in").click()
    expect(heading(contact)).to_have_text("Lijst indienen")
    assert_accessible(contact)
    contact.get_by_label("De rol omzetten van bestaande accounts").check()
    contact.get_by_label("Gewenste rol").select_option(label=TRAINER)
    typo = "lijst.drei@zorgpartner.example"
    contact.get_by_label("Of plak de regels").fill("\n".join(["E-mailadres", *MEMBERS[:2], typo]))
    contact.get_by_role("button", name="Lijst controleren").click()

    expect(heading(contact)).to_have_text("Lijst controleren")
    expect(contact.locator("#regel-3")).to_contain_text("onbekend account")
    assert_accessible(contact)
    contact.locator("#regel-3-email").fill(MEMBERS[2])
    contact.get_by_role("button", name="Opslaan regel 3").click()
    expect(contact.get_by_text("Alle regels zijn in orde.")).to_be_visible()
    contact.get_by_role("button", name="Verzoek indienen").click()

    flash = contact.get_by_text(re.compile(r"Je verzoek RD-\d{4}-\d{5} is ingediend"))
    reference = re.search(r"RD-\d{4}-\d{5}", flash.inner_text()).group(0)
    assert_accessible(contact)

    agent = people("agent")
    log_in(agent, "lijst.agent@roldesk.example")
    agent.get_by_role("link", name=reference).click()
    expect(agent.get_by_role("table").filter(has_text=MEMBERS[0])).to_be_visible()
    agent.get_by_role("button", name="In behandeling nemen").click()
    first_line = agent.get_by_role("row", name=re.compile(re.escape(MEMBERS[0])))
    first_line.get_by_role("button", name="Goedkeuren").click()
    expect(agent.get_by_role("row", name=re.compile(re.escape(MEMBERS[0])))).to_contain_text("goedgekeurd")
    agent.get_by_role("button", name="Alle regels goedkeuren").click()
    agent.locator("#action-approve").get_by_role("button", name="Goedkeuren").click()
    wait_for_state(agent, "doorgevoerd")

    assert roles_of(stack, MEMBERS) == {address: "workplace_trainer" for address in MEMBERS}
    contact.reload()
    for address in MEMBERS:
        expect(contact.get_by_role("row", name=re.compile(re.escape(address)))).to_contain_text("doorgevoerd")
