import pytest

from portal.services.geo import INVALID_POSTCODE


def test_home_page_has_the_postcode_form(client):
    page = client.get("/")
    assert page.status_code == 200
    assert '<label class="govuk-label govuk-label--m" for="q">' in page.text
    assert 'action="/find"' in page.text and "govuk-error-summary" not in page.text


@pytest.mark.parametrize("query", ["SW1A 2AA", "sw1a2aa", "  Sw1A   2aA "])
def test_postcode_goes_to_the_team_page(client, query):
    response = client.get("/find", params={"q": query})
    assert response.status_code == 303
    assert response.headers["location"].endswith("/teams/E05013806")
    team = client.get(response.headers["location"])
    assert team.status_code == 200 and "St James&#39;s Safer Neighbourhood Team" in team.text


@pytest.mark.parametrize("query", ["RM6 4A", "12345", "SW1A <script>alert(1)</script>"])
def test_bad_postcode_shows_the_error_summary_and_keeps_what_was_typed(client, query):
    page = client.get("/find", params={"q": query})
    assert page.status_code == 400
    assert "There is a problem" in page.text and page.text.count(INVALID_POSTCODE) == 2
    assert '<a href="#q">' in page.text and 'aria-describedby="q-hint q-error"' in page.text
    assert "<title>Error: " in page.text
    assert "<script>alert(1)</script>" not in page.text
    assert 'value="' + query.replace("<", "&lt;").replace(">", "&gt;") + '"' in page.text


def test_partial_postcode_lists_wards(client):
    page = client.get("/find", params={"q": "rm6"})
    assert page.status_code == 200 and "Wards for RM6" in page.text
    assert 'href="/teams/E05014058"' in page.text  # Chadwell Heath


def test_city_of_london_postcode_points_to_city_police(client):
    page = client.get("/find", params={"q": "EC2V 7HH"})
    assert page.status_code == 200
    assert "policed by the City of London Police" in page.text
    assert 'href="https://www.cityoflondon.police.uk/"' in page.text


def test_postcode_outside_london_points_to_police_uk(client):
    page = client.get("/find", params={"q": "M1 1AE"})
    assert page.status_code == 404 and "M1 1AE is outside London" in page.text
    assert "police.uk" in page.text


def test_unknown_london_postcode(client):
    page = client.get("/find", params={"q": "SW1A 9ZZ"})
    assert page.status_code == 404 and "We could not find the postcode SW1A 9ZZ" in page.text


def test_location_finds_the_team(client):
    response = client.get("/find", params={"lat": "51.5834", "lng": "0.1386"})
    assert response.status_code == 303 and response.headers["location"].endswith("/teams/E05014058")


@pytest.mark.parametrize("params", [{"lat": "abc", "lng": "0.1"}, {"lat": "51.5"}, {"lat": "99", "lng": "0"}])
def test_bad_location_is_a_clear_400(client, params):
    page = client.get("/find", params=params)
    assert page.status_code == 400 and "There is a problem" in page.text


def test_overlong_query_is_refused_cleanly(client):
    assert client.get("/find", params={"q": "A" * 10_000}).status_code == 400


@pytest.mark.parametrize(
    ("query", "status", "result"),
    [
        ("RM6 4AB", 200, "ward"),
        ("RM6", 200, "wards"),
        ("EC2V 7HH", 200, "city"),
        ("M1 1AE", 404, "outside"),
        ("SW1A 9ZZ", 404, "not_found"),
        ("nonsense1", 400, "invalid"),
    ],
)
def test_json_twin_of_the_finder(client, query, status, result):
    for response in (
        client.get("/find.json", params={"q": query}),
        client.get("/find", params={"q": query}, headers={"accept": "application/json"}),
    ):
        assert response.status_code == status
        data = response.json()
        assert data["result"] == result and data["query"] == query
    if result == "ward":
        assert data["ward"]["team"] == data["ward"]["code"] and data["team_url"].endswith(
            data["ward"]["code"]
        )
    if result == "invalid":
        assert data["message"] == INVALID_POSTCODE
