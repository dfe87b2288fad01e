"""The accessibility statement: a real page, linked from every page's footer."""

import pytest


def test_statement_page_has_the_required_sections(client):
    page = client.get("/accessibility")
    assert page.status_code == 200
    assert "<title>Accessibility statement – Neighbourhood Pledge Portal</title>" in page.text
    for part in [
        "How accessible this website is",
        "Feedback and contact information",
        "Enforcement procedure",
        "Equality and Human Rights Commission",
        "Equality Advisory and Support Service",
        "Technical information about this website",
        "Web Content Accessibility Guidelines version 2.2",
        "partially compliant",
        "table or list",  # the map's alternative, as a stated limitation
        "axe-core",
        "320 pixels",
        "400%",
        "Lighthouse",
        "This statement was prepared on 4 December 2026",
    ]:
        assert part in page.text, part
    assert 'href="/contact/problem"' in page.text  # how to report a problem


@pytest.mark.parametrize("path", ["/", "/teams/E05014058", "/no/such/page", "/accessibility"])
def test_every_page_footer_links_to_the_statement(client, path):
    page = client.get(path)
    assert '<a class="govuk-footer__link" href="/accessibility">Accessibility statement</a>' in page.text
