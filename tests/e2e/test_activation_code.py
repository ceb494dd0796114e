"""An admin issues an activation code and a user redeems it under "Profiel"."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.e2e.a11y import assert_accessible
from tests.e2e.conftest import add_account, heading, log_in

TRAINER = "Praktijkopleider / werkbegeleider"


def test_activation_code__issued_and_redeemed(stack, people):
    from tests.factories import make_school

    with stack.app_context():
        make_school(name="ROC Codeburg")
    add_account(stack, "beheer@roldesk.example", staff=("admin",), first_name="Bea")
    add_account(stack, "trainer.met.code@zorgpartner.example", first_name="Tamara")
    today = datetime.now(ZoneInfo("Europe/Amsterdam")).date()

    admin = people("admin")
    log_in(admin, "beheer@roldesk.example")
    admin.goto("/beheer/activatiecodes/nieuw")
    expect(heading(admin)).to_have_text("Code uitgeven")
    assert_accessible(admin)
    admin.get_by_label("Rol die de code geeft").select_option(label=TRAINER)
    admin.get_by_label("School", exact=True).select_option(label="ROC Codeburg")
    admin.get_by_label("Geldig vanaf").fill(today.isoformat())
    admin.get_by_label("Geldig tot en met").fill((today + timedelta(days=30)).isoformat())
    admin.get_by_label("Maximaal aantal keer te gebruiken").fill("5")
    admin.get_by_label("Notitie").fill("Cursus praktijkopleiders najaar")
    admin.get_by_role("button", name="Code uitgeven").click()
    code = admin.get_by_test_id("issued-code").inner_text()
    assert_accessible(admin)

    user = people("user")
    log_in(user, "trainer.met.code@zorgpartner.example")
    user.goto("/profiel")
    user.get_by_role("link", name="Activatiecode invoeren").click()
    expect(user.get_by_text("Je huidige rol: Student")).to_be_visible()
    assert_accessible(user)
    user.get_by_label("Activatiecode").fill(code.lower())
    user.get_by_role("button", name="Code gebruiken").click()

    expect(user.get_by_text(f"De code is verwerkt. Je rol is nu {TRAINER}.")).to_be_visible()
    user.goto("/profiel")
    expect(user.get_by_text(f"Je rol is nu: {TRAINER}.")).to_be_visible()
    admin.reload()
    expect(admin.get_by_role("cell", name="Tamara", exact=False)).to_be_visible()
