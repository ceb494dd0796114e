"""The stack itself: every service answers, and mail travels from outbox to SMTP."""

from tests.e2e.conftest import PASSWORD


def test_stack__login_page_served_by_gunicorn(stack):
    page = stack.new_page("visitor")
    page.goto("/inloggen")
    assert page.get_by_role("button", name="Inloggen met e-mailadres").is_visible()


def test_stack__first_admin_logs_in(stack):
    page = stack.new_page("admin")
    page.goto("/inloggen")
    page.get_by_label("E-mailadres").fill("admin@roldesk.example")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen met e-mailadres").click()
    assert page.get_by_role("button", name="Uitloggen").is_visible()


def test_stack__worker_delivers_mail_over_smtp(stack):
    from tests.factories import make_account, make_ticket

    with stack.app_context():
        requester = make_account(email="stack-check@school.example")
        reference = make_ticket(requester).reference
    message = stack.mail_to("stack-check@school.example", reference)
    assert reference in str(message["Subject"])


def test_stack__beat_is_running(stack):
    assert "beat: Starting" in (stack.instance / "beat.log").read_text()
