"""The lookup on the real bundled data: 181,563 Code-Point postcodes and the December 2024 wards."""

import random

import pytest
import shapely
from sqlalchemy import select

from portal.models import CURRENT_GENERATION, Postcode, Ward


@pytest.fixture(scope="module")
def geo(app, client):
    return app.state.geo


@pytest.fixture(scope="module")
def polygons(loaded_db):
    with loaded_db.sessions() as session:
        rows = session.execute(select(Ward.code, Ward.geometry).where(Ward.generation == CURRENT_GENERATION))
        return {code: shapely.from_wkb(wkb) for code, wkb in rows}


@pytest.fixture(scope="module")
def sample(loaded_db):
    """200 real postcodes: 6 from each of the 33 boroughs (by the file's district code), then 2 more."""
    rng = random.Random(2024)
    with loaded_db.sessions() as session:
        rows = session.execute(
            select(Postcode.postcode, Postcode.district_code, Postcode.latitude, Postcode.longitude).order_by(
                Postcode.postcode
            )
        ).all()
    by_district = {}
    for row in rows:
        by_district.setdefault(row.district_code, []).append(row)
    assert len(by_district) == 33
    chosen = [r for district in sorted(by_district) for r in rng.sample(by_district[district], 6)]
    return chosen + rng.sample(rows, 2)


def test_the_whole_real_data_set_is_loaded(geo):
    assert len(geo.postcodes) == 181_563
    assert len(geo.wards) == 704
    assert sum(1 for w in geo.wards if w.has_met_team) == 679


def test_200_real_postcodes_resolve_to_the_ward_that_contains_them(geo, polygons, sample):
    assert len(sample) == 200
    for postcode, _district, lat, lng in sample:
        variant = random.Random(postcode).choice(
            [postcode.lower(), postcode.replace(" ", ""), f"  {postcode} "]
        )
        result = geo.lookup_postcode(variant)
        assert result.found, (postcode, result.message)
        point = shapely.Point(lng, lat)
        ward_polygon = polygons[result.ward.code]
        if not ward_polygon.intersects(point):
            # just outside every (generalised) polygon: the nearest ward, within 1 km
            assert not any(p.intersects(point) for p in polygons.values()), postcode
            assert ward_polygon.distance(point) < 0.015, postcode


def test_real_points_inside_wards_resolve_by_location(geo, polygons):
    for code in sorted(polygons)[::25]:
        inside = polygons[code].representative_point()
        assert geo.lookup_point(inside.y, inside.x).ward.code == code


@pytest.mark.parametrize(
    ("query", "kind", "ward", "borough"),
    [
        ("SW1A 2AA", "ward", "St James's", "Westminster"),  # 10 Downing Street
        ("sw1a2aa", "ward", "St James's", "Westminster"),
        ("EC2V 7HH", "city", "Bassishaw", "City of London"),  # Guildhall
        ("51.5834,0.1386", "ward", "Chadwell Heath", "Barking and Dagenham"),
        ("51.5155,-0.0922", "city", None, "City of London"),
    ],
)
def test_known_places(geo, query, kind, ward, borough):
    result = geo.locate(query)
    assert result.kind == kind and result.ward.borough_name == borough
    if ward:
        assert result.ward.name == ward


def test_outcode_lists_the_wards_it_covers(geo):
    result = geo.lookup_postcode("RM6")
    names = [w.name for w, _ in result.wards]
    assert result.kind == "wards" and "Chadwell Heath" in names and len(names) >= 3
    assert sum(n for _, n in result.wards) == sum(1 for k in geo.postcodes if k[:-3] == "RM6")


@pytest.mark.parametrize("query", ["M1 1AE", "EH1 1YZ", "CF10 1EP", "M1"])
def test_places_outside_london(geo, query):
    result = geo.locate(query)
    assert result.kind == "outside" and "police.uk" in result.link


def test_london_postcode_we_do_not_have(geo):
    assert "SW1A9ZZ" not in geo.postcodes
    result = geo.lookup_postcode("SW1A 9ZZ")
    assert result.kind == "not_found" and "We could not find the postcode SW1A 9ZZ" in result.message
