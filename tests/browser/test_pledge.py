"""A resident's journey through the Pledge scorecard (issue 6), on the real data: London's scorecard → a
borough's → a team's → its monthly-meeting row, missed in some month → the indicator page → why it was
missed (or the plain sentence that nobody has said yet) → that month's row in the table of figures."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.models import Explanation, Team
from portal.queries import pledge as queries
from portal.services.scorecard import MEETINGS

NO_EXPLANATION = "No explanation has been given yet."


@dataclass(frozen=True)
class Missed:
    team: str
    team_name: str
    borough: str
    borough_name: str
    month: date
    latest: bool  # the scorecard's own figure (else an earlier month, linked from the row)
    reason: str | None


@pytest.fixture(scope="module")
def missed(loaded_db) -> Missed:
    """A team that missed a month of public meetings: one with an explanation when the demo content has
    one (an earlier month), else the latest month (a team with no meetings recorded, unexplained)."""
    with loaded_db.sessions() as session:
        computed = queries.compute(session)
        reasons = {
            (e.area_code, e.month): e.reason
            for e in session.scalars(select(Explanation).where(Explanation.indicator_code == MEETINGS))
        }
        months = sorted(
            (team, month)
            for team, by_month in computed.counts[MEETINGS].items()
            for month, count in by_month.items()
            if count.denominator and not count.numerator
        )
        assert months, "no team missed a month: nothing to explain"
        explained = [(t, m) for t, m in months if (t, m) in reasons and m != computed.last]
        team, month = explained[0] if explained else next((t, m) for t, m in months if m == computed.last)
        area = queries.team_area(session, team)
        assert session.get(Team, team) is not None
    return Missed(
        team,
        area.name,
        area.borough_code,
        area.borough_name,
        month,
        month == computed.last,
        reasons.get((team, month)),
    )


def test_from_london_to_why_a_team_missed_a_meeting(page, missed):
    page.goto("/pledge")
    expect(page.get_by_role("heading", level=1)).to_have_text("Policing Pledge scorecard for London")
    expect(page.locator("#how-we-grade")).to_be_visible()

    boroughs = page.locator("#parts + ul")
    boroughs.get_by_role("link", name=missed.borough_name, exact=True).click()
    page.wait_for_url(f"**/boroughs/{missed.borough}/pledge")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Policing Pledge scorecard for {missed.borough_name}"
    )

    link = page.locator(f'#parts + ul a[href="/teams/{missed.team}/pledge"]')
    link.focus()
    page.keyboard.press("Enter")  # keyboard, not mouse
    page.wait_for_url(f"**/teams/{missed.team}/pledge")
    expect(page.get_by_role("heading", level=1)).to_contain_text(missed.team_name)

    row = page.locator(f'tr[id="{MEETINGS}"]')
    expect(row).to_be_visible()
    label = f"{missed.month:%B %Y}"
    if missed.latest:
        expect(row.locator(".govuk-tag").first).to_have_text("Missed")
        explanation = page.locator(f'tr[id="{MEETINGS}-explanation"]')
        expect(explanation).to_contain_text(missed.reason or NO_EXPLANATION)
        row.get_by_role("link").first.click()
    else:
        expect(row).to_contain_text("Also missed in")
        row.get_by_role("link", name=re.compile(re.escape(label))).click()
    page.wait_for_url(re.compile(rf".*/teams/{missed.team}/pledge/{MEETINGS}(#.*)?$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    block = page.locator(f"#explanation-{missed.month:%Y-%m}")
    expect(block).to_contain_text(label)
    expect(block).to_contain_text(missed.reason or NO_EXPLANATION)
    if missed.reason:
        expect(block).to_contain_text("What is being done")

    table = page.get_by_role("table", name=re.compile("newest first"))
    month_row = table.locator(f"#month-{missed.month:%Y-%m}")
    expect(month_row.get_by_role("rowheader")).to_have_text(label)
    expect(month_row).to_contain_text("Missed")
    expect(month_row.locator("td").nth(3)).to_contain_text("Yes" if missed.reason else "No")
    expect(page.locator("svg.portal-chart")).to_have_attribute("role", "img")  # and the chart beside it
