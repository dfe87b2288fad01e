"""The accessibility check every page type goes through: axe-core (bundled with axe-playwright-python,
nothing fetched) in Chromium, failing on any WCAG 2.0/2.1/2.2 A or AA violation."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
_axe = Axe()


def violations(page) -> list[str]:
    results = _axe.run(
        page, options={"runOnly": {"type": "tag", "values": WCAG_AA}, "resultTypes": ["violations"]}
    )
    found = []
    for violation in results.response["violations"]:
        targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
        found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return found


def assert_accessible(page) -> None:
    problems = violations(page)
    assert not problems, f"{page.url} has WCAG A/AA violations:\n" + "\n".join(problems)
