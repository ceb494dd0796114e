"""The axe-core check itself: it runs offline and fails on a real violation."""

from tests.e2e.a11y import BLOCKING_IMPACTS, blocking_violations


def test_axe__reports_an_unlabelled_field(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_content('<html lang="nl"><head><title>Proef</title></head><body><main>'
                     '<h1>Proef</h1><input type="text" name="naam"></main></body></html>')

    violations = blocking_violations(page)
    context.close()

    assert [violation["id"] for violation in violations] == ["label"]
    assert violations[0]["impact"] in BLOCKING_IMPACTS
