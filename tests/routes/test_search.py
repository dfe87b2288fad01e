"""Site search (issue 9) on the real and demo data: relevance, stemming, phrases, typos and "did you mean",
filters and pages, postcodes, odd and hostile queries, the JSON twin and the OpenSearch description."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from portal.db import session_scope
from portal.models import Explanation, Indicator, Meeting, Priority, Team, TeamMember, TeamUpdate
from portal.services.search import MAX_PAGE, PER_PAGE

CHADWELL_HEATH = "E05014058"


def found(client, q: str, **params) -> dict:
    response = client.get("/search.json", params={"q": q, **params})
    assert response.status_code == 200, response.text[:500]
    return response.json()["found"]


def urls(result: dict, n: int = 3) -> list[str]:
    return [r["url"] for r in result["results"][:n]]


# -- relevance ------------------------------------------------------------------------------------------


def test_a_prioritys_words_find_it_first(client, loaded_db):
    with session_scope(loaded_db.sessions) as session:
        # one whose title no other priority has (across the whole table), so that "first" is well defined
        unique = (
            select(Priority.title)
            .where(Priority.place.is_not(None))
            .group_by(Priority.title)
            .having(func.count() == 1)
            .order_by(Priority.title)
            .limit(1)
        )
        priority = session.scalars(select(Priority).where(Priority.title.in_(unique))).one()
        url, title = f"/teams/{priority.team_id}/priorities/{priority.id}", priority.title
    assert urls(found(client, title), 1) == [url]
    assert urls(found(client, title.lower()), 1) == [url]


def test_a_members_name_finds_their_team(client, loaded_db):
    assert urls(found(client, "Adam Wardle"), 1) == [f"/teams/{CHADWELL_HEATH}"]  # the real 2011 record
    with session_scope(loaded_db.sessions) as session:
        member = session.scalars(select(TeamMember).where(TeamMember.team_id != CHADWELL_HEATH)).first()
        name, team = member.name, member.team_id
    assert f"/teams/{team}" in [r["url"] for r in found(client, name)["results"] if r["type"] == "team"]


@pytest.mark.parametrize(
    ("query", "team"),
    [
        ("chadwel heath", CHADWELL_HEATH),
        ("Chadwell Heth", CHADWELL_HEATH),
        ("hackney centrl", "E05009372"),
        ("barkingsid", "E05011235"),
    ],
)
def test_a_typo_finds_the_right_team_first(client, query, team):
    result = found(client, query)
    assert result["results"][0]["url"] == f"/teams/{team}"
    assert result["typed"] == query or result["total"]  # corrected, or matched as typed by the finder


def test_a_corrected_query_says_so_and_offers_the_words_as_typed(client):
    page = client.get("/search", params={"q": "burglery"})
    assert page.status_code == 200
    assert "Showing results for <strong>burglary</strong>" in page.text
    assert "Search instead for “burglery”" in page.text
    exact = client.get("/search.json", params={"q": "burglery", "exact": "1"}).json()["found"]
    assert exact["typed"] is None and exact["total"] == 0 and exact["suggestion"] == "burglary"


def test_english_stemming_finds_other_forms_of_a_word(client):
    burglary = found(client, "burglary")["total"]
    assert burglary and found(client, "burglaries")["total"] == burglary
    assert found(client, "meetings")["total"] == found(client, "meeting")["total"] > 0


def test_a_quoted_phrase_must_appear_as_written(client):
    loose = found(client, "drinking street")  # both words, anywhere
    phrase = found(client, '"street drinking"')
    backwards = found(client, '"drinking street"')
    assert phrase["total"] > 0
    assert backwards["total"] < phrase["total"] <= loose["total"]
    for r in phrase["results"]:
        assert "street drink" in (r["title"] + " " + r["snippet_text"]).lower()


def test_each_kind_of_content_is_found_and_every_result_link_works(client, loaded_db):
    with session_scope(loaded_db.sessions) as session:
        meeting = session.scalars(select(Meeting).where(Meeting.venue_name.is_not(None))).first()
        update = session.scalars(select(TeamUpdate).where(TeamUpdate.status == "published")).first()
        indicator = session.get(Indicator, "P5-999-10S")
        explanation = session.scalars(select(Explanation)).first()
        queries = {
            "meeting": f"{meeting.title} {meeting.venue_name}",
            "update": update.title,
            "indicator": indicator.name,
            "explanation": explanation.reason[:60],
            "borough": "Havering",
            "page": "About the data",
        }
    for kind, query in queries.items():
        result = found(client, query, type=kind)
        assert result["total"] > 0, (kind, query)
        assert {r["type"] for r in result["results"]} == {kind}
        for r in result["results"][:5]:
            path = urlsplit(r["url"]).path
            assert client.get(path).status_code == 200, r["url"]


def test_results_carry_where_and_when(client):
    meeting = found(client, "ward panel", type="meeting")["results"][0]
    assert meeting["area"] and meeting["date"].endswith("Z")
    page = client.get("/search", params={"q": "ward panel", "type": "meeting"})
    assert ", 1" in page.text or ", 0" in page.text or ", 2" in page.text  # "Tuesday 3 March 2026, 19:00"


# -- filters and pages ----------------------------------------------------------------------------------


def test_counts_per_kind_and_the_type_filter(client):
    everything = found(client, "drug dealing")
    assert sum(everything["counts"].values()) == everything["total"]
    meetings = found(client, "drug dealing", type="meeting")
    assert meetings["total"] == everything["counts"]["meeting"]
    assert meetings["counts"] == everything["counts"]  # counts stay those of every kind
    assert {r["type"] for r in meetings["results"]} == {"meeting"}


def test_the_borough_filter(client, loaded_db):
    with session_scope(loaded_db.sessions) as session:
        hackney = set(session.scalars(select(Team.id).where(Team.borough_code == "E09000012")))
    result = found(client, "ward panel", borough="E09000012")
    assert 0 < result["total"] < found(client, "ward panel")["total"]
    for r in result["results"]:
        assert r["url"].split("/")[2] in hackney


def test_pages_of_results(client):
    first, second = found(client, "ward panel"), found(client, "ward panel", page="2")
    assert first["pages"] > 2 and len(first["results"]) == PER_PAGE
    assert not {r["url"] for r in first["results"]} & {r["url"] for r in second["results"]}
    page = client.get("/search", params={"q": "ward panel", "page": "2"})
    assert 'rel="next"' in page.text and 'rel="prev"' in page.text
    beyond = client.get("/search", params={"q": "Adam Wardle", "page": "2"})
    assert beyond.status_code == 404 and "There is only 1 page of results" in beyond.text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": "ward", "type": "spaceship"}, "Choose a type of result from the list"),
        ({"q": "ward", "borough": "E09999999"}, "Choose a borough from the list"),
        ({"q": "ward", "page": "0"}, f"Choose a page from 1 to {MAX_PAGE}"),
        ({"q": "ward", "page": "x"}, f"Choose a page from 1 to {MAX_PAGE}"),
        ({"q": "ward", "page": str(MAX_PAGE + 1)}, f"Choose a page from 1 to {MAX_PAGE}"),
        ({"q": ""}, "Enter a word or two to search for"),
        ({"q": "   "}, "Enter a word or two to search for"),
        ({"q": "x" * 201}, "Enter at most 200 characters"),
        ({"q": " ".join(["word"] * 30)}, "Enter at most 24 words"),
    ],
)
def test_bad_parameters_get_a_helpful_page(client, params, message):
    page = client.get("/search", params=params)
    assert page.status_code == 400
    assert "There is a problem" in page.text and message in page.text
    assert client.get("/search.json", params=params).status_code == 400


def test_the_search_page_before_any_search(client):
    page = client.get("/search")
    assert (
        page.status_code == 200 and "Search the portal" in page.text and "There is a problem" not in page.text
    )


@pytest.mark.parametrize(
    "query",
    ["((", ")", '"unclosed', "AND", "OR", "NOT", "AND OR NOT", "*", "-", ":", "title:ward", "~~", "a^2",
     "[a TO z]", "'", "<script>", "ward*", "' OR 1=1 --", "%00", "\\", "ward AND NOT panel",
     "(ward OR panel) AND NOT hackney"],
)  # fmt: skip
def test_any_query_gets_a_page_never_an_error(client, query):
    page = client.get("/search", params={"q": query})
    assert page.status_code in (200, 400), page.text[:300]
    assert "<script>" not in page.text.split("</header>", 1)[1]
    assert client.get("/search.json", params={"q": query}).status_code in (200, 400)


# -- postcodes --------------------------------------------------------------------------------------------


def test_a_postcode_goes_straight_to_its_team(client):
    response = client.get("/search", params={"q": "rm6 4ab"})
    assert response.status_code == 303 and response.headers["location"].startswith("/teams/E05")
    assert response.headers["location"] == client.get("/find", params={"q": "RM6 4AB"}).headers["location"]


def test_a_partial_postcode_lists_its_wards(client):
    response = client.get("/search", params={"q": "RM6"})
    assert response.status_code == 200 and "Chadwell Heath" in response.text


# -- the JSON twin and OpenSearch -------------------------------------------------------------------------


def test_the_json_twin(client):
    body = client.get("/search.json", params={"q": "street drinking"}).json()
    result = body["found"]["results"][0]
    assert set(result) >= {"type", "type_label", "title", "url", "area", "date", "snippet", "snippet_text"}
    assert "<mark>" in result["snippet"] and "<mark>" not in result["snippet_text"]


def test_the_opensearch_description(client):
    response = client.get("/opensearch.xml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/opensearchdescription+xml")
    root = ET.fromstring(response.text)
    ns = {"os": "http://a9.com/-/spec/opensearch/1.1/"}
    assert len(root.find("os:ShortName", ns).text) <= 16
    templates = {u.get("type"): u.get("template") for u in root.findall("os:Url", ns)}
    assert templates["text/html"].endswith("/search?q={searchTerms}")
    assert templates["application/json"].endswith("/search.json?q={searchTerms}")
    home = client.get("/")
    assert 'rel="search" type="application/opensearchdescription+xml"' in home.text


def test_every_page_has_the_header_search_box(client):
    for path in ("/", f"/teams/{CHADWELL_HEATH}", "/pledge", "/about/data"):
        page = client.get(path)
        assert 'role="search"' in page.text and 'id="site-search"' in page.text, path
