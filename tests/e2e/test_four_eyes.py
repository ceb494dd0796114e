"""An exam-committee request, which takes the approval of two different agents."""

from playwright.sync_api import expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.conftest import add_account, heading, log_in

EXAM_COMMITTEE = "Lid examencommissie"


def submit_exam_committee_request(stack, requester_id: int) -> tuple[int, str]:
    from app.extensions import db
    from app.models import Account
    from tests.factories import make_ticket

    with stack.app_context():
        ticket = make_ticket(db.session.get(Account, requester_id), wanted_role="exam_committee",
                             motivation="Ik ben benoemd in de examencommissie Zorg.")
        return ticket.id, ticket.reference


def open_ticket(page, email: str, reference: str) -> None:
    log_in(page, email)
    page.get_by_label("Zoeken op kenmerk, naam of e-mailadres").fill(reference)
    page.get_by_role("button", name="Filteren").click()
    page.get_by_role("link", name=reference).click()
    expect(heading(page)).to_have_text(f"Verzoek {reference}")


def test_exam_committee__needs_two_different_agents(stack, people):
    requester = add_account(stack, "examen.lid@roc-rivierstad.example", first_name="Wilma")
    add_account(stack, "eerste.agent@roldesk.example", staff=("agent",), first_name="Eerste")
    add_account(stack, "tweede.agent@roldesk.example", staff=("agent",), first_name="Tweede")
    _, reference = submit_exam_committee_request(stack, requester)

    first = people("first-agent")
    open_ticket(first, "eerste.agent@roldesk.example", reference)
    first.get_by_role("button", name="In behandeling nemen").click()
    first.get_by_role("button", name="Goedkeuren").click()
    expect(first.locator("#first-approval")).to_contain_text("Eerste goedkeuring door Eerste")
    expect(first.locator("#ticket-state")).to_have_text("in behandeling")
    assert_accessible(first)

    second = people("second-agent")
    open_ticket(second, "tweede.agent@roldesk.example", reference)
    second.get_by_role("button", name="Goedkeuren").click()
    for _ in range(30):
        if second.locator("#ticket-state").inner_text() == "doorgevoerd":
            break
        second.wait_for_timeout(1000)
        second.reload()
    expect(second.locator("#ticket-state")).to_have_text("doorgevoerd")
    expect(second.locator("#requester-role")).to_have_text(EXAM_COMMITTEE)


def test_exam_committee__same_agent_cannot_approve_twice(stack, people):
    requester = add_account(stack, "examen.lid2@roc-rivierstad.example", first_name="Wim")
    add_account(stack, "enige.agent@roldesk.example", staff=("agent",), first_name="Enige")
    _, reference = submit_exam_committee_request(stack, requester)

    page = people("agent")
    open_ticket(page, "enige.agent@roldesk.example", reference)
    page.get_by_role("button", name="In behandeling nemen").click()
    page.get_by_role("button", name="Goedkeuren").click()
    expect(page.locator("#first-approval")).to_be_visible()
    approve_again = page.get_by_role("button", name="Goedkeuren")
    if approve_again.count():
        approve_again.click()
        expect(page.get_by_text("Je hebt dit verzoek al goedgekeurd.", exact=False)).to_be_visible()
    page.goto(page.url)
    expect(page.locator("#ticket-state")).to_have_text("in behandeling")
