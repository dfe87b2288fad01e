import pytest


def test_a_team_name_lists_matching_teams_with_their_borough(client):
    page = client.get("/find", params={"q": "chadwel heath"})
    assert page.status_code == 200 and "Search results for" in page.text
    assert 'href="/teams/E05014058">Chadwell Heath</a>' in page.text and "Barking and Dagenham" in page.text


def test_a_borough_name_links_to_the_borough_page(client):
    page = client.get("/find", params={"q": "Redbridge"})
    assert 'href="/boroughs/E09000026">Redbridge (borough)</a>' in page.text


def test_no_match_says_so_and_offers_the_index(client):
    page = client.get("/find", params={"q": "xyzzyqwv"})
    assert page.status_code == 200 and "We could not find a team, ward or borough called" in page.text
    assert 'href="/teams"' in page.text


def test_search_results_as_json(client):
    data = client.get("/find.json", params={"q": "chadwel heath"}).json()
    assert data["result"] == "search" and data["found"] is True
    assert data["results"][0] == {
        "kind": "team",
        "code": "E05014058",
        "name": "Chadwell Heath",
        "borough": {"code": "E09000002", "name": "Barking and Dagenham"},
        "url": "/teams/E05014058",
    }


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Enter a postcode, or the name of a place or team"),
        ("   ", "Enter a postcode, or the name of a place or team"),
        ("RM6 4A", "Enter a full UK postcode, like SW1A 2AA"),
    ],
)
def test_empty_or_broken_postcode_is_a_400_with_the_error_summary(client, query, message):
    page = client.get("/find", params={"q": query})
    assert page.status_code == 400 and "There is a problem" in page.text and message in page.text


def test_query_syntax_is_just_words(client):
    for query in ['"unclosed', "AND OR", "name:foo", "*", "a~b", "((((", "héllo wörld", "日本"]:
        assert client.get("/find", params={"q": query}).status_code == 200
