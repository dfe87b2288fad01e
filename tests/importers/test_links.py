"""Neighbours and legacy-ward succession, on tiny hand-made wards."""

from sqlalchemy import select

from portal.importers.boundaries import import_boundaries
from portal.models import Ward, WardNeighbour, WardSuccession
from tests.factories import WARDS, ward_feature, write_geojson

# Legacy wards over the three current tiny wards (Alpha -0.13..-0.12, Bravo -0.12..-0.11, City -0.11..-0.10):
LEGACY = [
    (
        "E05800001",
        "Old West",
        "E09000033",
        "Westminster",
        (-0.13, 51.50, -0.117, 51.51),
    ),  # 10/13 Alpha, 3/13 Bravo
    (
        "E05800002",
        "Old Middle",
        "E09000033",
        "Westminster",
        (-0.126, 51.50, -0.103, 51.51),
    ),  # 6/23, 10/23, 7/23
]


def load(db, tmp_path):
    with db.sessions.begin() as session:
        import_boundaries(
            session,
            write_geojson(tmp_path / "now.geojson", [ward_feature(*w) for w in WARDS]),
            generation=2024,
        )
        import_boundaries(
            session,
            write_geojson(tmp_path / "old.geojson", [ward_feature(*w) for w in LEGACY]),
            generation=2018,
        )


def codes(session, ward_id):
    return session.get(Ward, ward_id).code


def test_touching_wards_are_neighbours(empty_db, tmp_path):
    load(empty_db, tmp_path)
    with empty_db.sessions() as session:
        pairs = {
            (codes(session, n.ward_id), codes(session, n.neighbour_id))
            for n in session.scalars(select(WardNeighbour))
        }
    assert ("E05900001", "E05900002") in pairs and ("E05900002", "E05900001") in pairs
    assert ("E05900002", "E05900003") in pairs
    assert ("E05900001", "E05900003") not in pairs  # 1 km apart: not neighbours
    assert ("E05800001", "E05800002") in pairs  # the legacy generation has its own
    assert ("E05800001", "E05900001") not in pairs  # never across generations


def test_succession_shares_add_up(empty_db, tmp_path):
    load(empty_db, tmp_path)
    with empty_db.sessions() as session:
        shares = {
            (codes(session, s.old_ward_id), codes(session, s.new_ward_id)): s.share
            for s in session.scalars(select(WardSuccession))
        }
    assert abs(shares[("E05800001", "E05900001")] - 10 / 13) < 0.01
    assert abs(shares[("E05800001", "E05900002")] - 3 / 13) < 0.01
    middle = {new: share for (old, new), share in shares.items() if old == "E05800002"}
    assert set(middle) == {"E05900001", "E05900002", "E05900003"} and abs(sum(middle.values()) - 1) < 0.01
    assert max(middle.values()) < 0.5  # no current ward holds most of it


def test_reimport_does_not_duplicate_links(empty_db, tmp_path):
    load(empty_db, tmp_path)
    load(empty_db, tmp_path)
    with empty_db.sessions() as session:
        assert len(session.scalars(select(WardSuccession)).all()) == 5
        assert len(session.scalars(select(WardNeighbour)).all()) == 6
