"""Every page type, in the states a resident meets, has no WCAG 2.2 A or AA violation (axe-core)."""

import pytest

from tests.browser.axe import assert_accessible, violations

PAGES = [
    "/",
    "/find?q=RM6+4A",  # error summary shown
    "/find?q=RM6",
    "/find?q=EC2V+7HH",
    "/find?q=M1+1AE",
    "/find?q=SW1A+9ZZ",
    "/find?q=chadwel+heath",
    "/find?q=xyzzyqwv",  # no results
    "/teams/E05014058",  # the real police.uk record
    "/teams/E05011237",  # demo content with its banner
    "/teams/E05000347",  # an old ward split between today's wards
    "/teams",
    "/boroughs",
    "/boroughs/E09000002",
    "/boroughs/E09000001",
    "/about/data",
    "/map",
    "/api/",
    "/no/such/page",
    "/search",
    "/search?q=",  # error summary shown
    "/search?q=ward+panel",  # pages of results
    "/search?q=burglery",  # corrected
    "/search?q=xyzzyqwv",  # no results
    "/search?q=drug+dealing&type=meeting&borough=E09000012&page=2",
]


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_wcag_violations(page, path):
    page.goto(path)
    assert_accessible(page)


def test_the_check_can_fail(page):
    page.set_content('<html lang="en"><body><main><img src="data:,"><a href="#"></a></main></body></html>')
    found = violations(page)
    assert any(v.startswith("image-alt") for v in found) and any(v.startswith("link-name") for v in found)
