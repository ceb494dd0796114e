"""Accessibility checks with axe-core, which axe-playwright-python ships as axe.min.js.

The script is injected into the page under test, so the scan needs no network.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

# Impact levels that fail a test; "moderate" and "minor" are reported by axe but allowed.
BLOCKING_IMPACTS = ("serious", "critical")

_axe = Axe()


def blocking_violations(page) -> list[dict]:
    """Run axe-core on the page as it is now; return the serious and critical violations."""
    results = _axe.run(page)
    return [violation for violation in results.response["violations"]
            if violation.get("impact") in BLOCKING_IMPACTS]


def describe(violations: list[dict]) -> str:
    """Format violations as one line per rule with the elements that break it."""
    lines = []
    for violation in violations:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]][:5]
        lines.append(f"{violation['impact']} {violation['id']}: {violation['help']} at {targets}")
    return "\n".join(lines)


def assert_accessible(page) -> None:
    """Fail the test when axe-core finds a serious or critical violation on the page."""
    violations = blocking_violations(page)
    if violations:
        pytest.fail(f"axe-core found {len(violations)} serious or critical violations on "
                    f"{page.url}:\n{describe(violations)}", pytrace=False)
