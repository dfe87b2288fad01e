"""GeoIndex on tiny hand-made polygons: every lookup rule, without a database."""

import pytest
from shapely.geometry import box

from portal.models import CITY, MET
from portal.services.geo import INVALID_POSTCODE, GeoIndex, WardInfo

MET_URL = "https://www.met.police.uk/"
CITY_URL = "https://www.cityoflondon.police.uk/"


def ward(code, name, borough="E09000002", force=MET):
    force_name = "Metropolitan Police Service" if force == MET else "City of London Police"
    return WardInfo(code, name, borough, "Borough", force, force_name, MET_URL if force == MET else CITY_URL)


@pytest.fixture(scope="module")
def geo():
    wards = [
        ward("E05000001", "West"),
        ward("E05000002", "East"),
        ward("E05000003", "Old Bank", "E09000001", CITY),
    ]
    polygons = [box(0.0, 51.0, 0.1, 51.1), box(0.1, 51.0, 0.2, 51.1), box(0.2, 51.0, 0.3, 51.1)]
    postcodes = {
        "AB12CD": (0, 51.05, 0.05),
        "AB12CE": (0, 51.05, 0.06),
        "AB13XY": (1, 51.05, 0.15),
        "AB97ZZ": (2, 51.05, 0.25),
        "AB98NW": (-1, 51.5, 1.0),
    }
    return GeoIndex(wards, polygons, postcodes)


@pytest.mark.parametrize("query", ["ab1 2cd", "AB12CD", " Ab1  2CD "])
def test_postcode_in_any_case_and_spacing(geo, query):
    result = geo.lookup_postcode(query)
    assert result.kind == "ward" and result.ward.code == "E05000001"
    assert result.postcode == "AB1 2CD" and result.exit_code == 0 and result.http_status == 200


@pytest.mark.parametrize("query", ["", "hello", "AB1 2C", "123"])
def test_not_a_postcode(geo, query):
    result = geo.lookup_postcode(query)
    assert (result.kind, result.message, result.exit_code, result.http_status) == (
        "invalid",
        INVALID_POSTCODE,
        2,
        400,
    )


def test_valid_postcode_we_do_not_have(geo):
    result = geo.lookup_postcode("AB1 9QQ")
    assert result.kind == "not_found" and result.exit_code == 1 and result.http_status == 404
    assert "We could not find the postcode AB1 9QQ" in result.message


def test_postcode_outside_london_points_to_police_uk(geo):
    result = geo.lookup_postcode("M1 1AE")
    assert result.kind == "outside" and "outside London" in result.message
    assert "police.uk" in result.link and result.exit_code == 1


def test_city_of_london_postcode(geo):
    result = geo.lookup_postcode("AB9 7ZZ")
    assert result.kind == "city" and result.found and result.link == CITY_URL
    assert "policed by the City of London Police" in result.message
    assert result.as_dict()["ward"]["team"] is None


def test_postcode_with_no_ward(geo):
    assert geo.lookup_postcode("AB9 8NW").kind == "not_found"


def test_outcode_lists_its_wards_most_postcodes_first(geo):
    result = geo.lookup_postcode("ab1")
    assert result.kind == "wards"
    assert [(w.code, n) for w, n in result.wards] == [("E05000001", 2), ("E05000002", 1)]


def test_sector_lists_its_wards(geo):
    result = geo.lookup_postcode("AB1 3")
    assert result.kind == "wards" and [w.code for w, _ in result.wards] == ["E05000002"]


def test_unknown_outcode_is_outside_london(geo):
    assert geo.lookup_postcode("ZZ9").kind == "outside"


def test_point_inside_ward(geo):
    result = geo.lookup_point(51.05, 0.15)
    assert result.kind == "ward" and result.ward.name == "East" and result.point == (51.05, 0.15)


def test_point_on_a_shared_boundary_takes_one_ward(geo):
    assert geo.lookup_point(51.05, 0.1).kind == "ward"


def test_point_outside_every_ward(geo):
    result = geo.lookup_point(55.95, -3.19)
    assert result.kind == "outside" and result.exit_code == 1


def test_point_in_the_city(geo):
    assert geo.lookup_point(51.05, 0.25).kind == "city"


@pytest.mark.parametrize(("lat", "lng"), [(91, 0), (0, 181), (-95, -200)])
def test_impossible_point(geo, lat, lng):
    assert geo.lookup_point(lat, lng).kind == "invalid"


@pytest.mark.parametrize(
    ("query", "kind"), [("51.05,0.05", "ward"), (" 51.05 , 0.25 ", "city"), ("AB1 2CD", "ward")]
)
def test_locate_takes_postcode_or_lat_lng(geo, query, kind):
    assert geo.locate(query).kind == kind
