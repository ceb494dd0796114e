"""The requester's journey in a real browser: Debian's Chromium driven by Playwright."""

from tests.fixtures.browser import on_postgresql


@on_postgresql
def test_login_page__opens_in_browser(app, live_server, page):
    page.goto(live_server + "/inloggen")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.get_by_role("button", name="Inloggen met e-mailadres").is_visible()
