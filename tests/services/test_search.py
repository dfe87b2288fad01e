"""The finder (name search for "find your team"): relevance on the real data, typo tolerance. Rebuilds and
sync: test_search_sync; site search: tests/routes/test_search."""

import pytest

from portal.services.search import edit_distance


@pytest.fixture(scope="module")
def index(app, client):
    return app.state.search


def names(hits, n=3):
    return [h.name for h in hits[:n]]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("Chadwell Heath", "Chadwell Heath"),
        ("chadwel heath", "Chadwell Heath"),
        ("CHADWELL HEATH", "Chadwell Heath"),
        ("hackney centrl", "Hackney Central"),
        ("St James's", "St James's"),
        ("westminstr", "Westminster"),
        ("redbridge", "Redbridge"),
        ("Barkingside", "Barkingside"),
    ],
)
def test_the_right_place_comes_first(index, query, first):
    assert index.search(query)[0].name == first


def test_a_borough_name_finds_the_borough_and_its_teams(index):
    hits = index.search("Havering")
    assert (hits[0].kind, hits[0].code) == ("borough", "E09000016")
    assert {h.borough for h in hits[1:]} == {"Havering"}


def test_results_carry_their_borough(index):
    hit = index.search("Chadwell Heath")[0]
    assert (hit.kind, hit.code, hit.borough, hit.borough_code) == (
        "team",
        "E05014058",
        "Barking and Dagenham",
        "E09000002",
    )


def test_a_member_name_finds_their_team(index):
    hits = index.search("Adam Wardle")  # the real 2011 police.uk record for Chadwell Heath
    assert hits and hits[0].code == "E05014058"


@pytest.mark.parametrize("query", ["", "   ", "!!!", "xyzzyqwv", '"unclosed', "AND OR NOT", "*"])
def test_nothing_found_is_an_empty_list_not_an_error(index, query):
    assert index.search(query) == [] or query == "AND OR NOT"


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("heath", "heath", 0),
        ("chadwel", "chadwell", 1),
        ("centrl", "central", 1),
        ("kitten", "sitting", 3),
        ("scohol", "school", 1),
    ],
)
def test_edit_distance(a, b, distance):
    assert edit_distance(a, b, 5) == distance
    assert edit_distance(a, b, 0) == (0 if distance == 0 else 1)
