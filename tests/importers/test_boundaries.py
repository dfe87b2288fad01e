import geopandas as gpd
import pytest
import shapely
from shapely.geometry import box
from sqlalchemy import func, select

from portal.importers.boundaries import import_boundaries
from portal.importers.common import ImportFailed
from portal.models import CITY, MET, Borough, DataLoad, Team, Ward
from tests.factories import WARDS, ward_feature, wards_file, write_geojson


def count(db, model):
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def run(db, path, **kwargs):
    with db.sessions.begin() as session:
        return import_boundaries(session, path, **kwargs)


def test_wards_boroughs_and_teams_are_created(empty_db, tmp_path):
    report = run(empty_db, wards_file(tmp_path), generation=2024)
    assert (report.rows_read, report.rows_stored, report.rows_rejected) == (3, 3, 0)
    with empty_db.sessions() as session:
        wards = {w.code: w for w in session.scalars(select(Ward))}
        assert set(wards) == {"E05900001", "E05900002", "E05900003"}
        assert wards["E05900001"].force_id == MET and wards["E05900003"].force_id == CITY
        assert wards["E05900001"].generation == 2024
        assert 0.6e6 < wards["E05900001"].area_m2 < 0.8e6  # 0.01° x 0.01° at London's latitude
        assert {b.code: b.force_id for b in session.scalars(select(Borough))} == {
            "E09000033": MET,
            "E09000001": CITY,
        }
        teams = {t.id: t for t in session.scalars(select(Team))}
        assert set(teams) == {"E05900001", "E05900002"}  # no Met team for the City ward
        assert teams["E05900001"].name == "Alpha" and teams["E05900001"].ward.code == "E05900001"
    assert "City of London Police wards (no Met team): 1" in report.summary()


def test_reimport_is_idempotent_and_keeps_team_names(empty_db, tmp_path):
    path = wards_file(tmp_path)
    run(empty_db, path, generation=2024)
    with empty_db.sessions.begin() as session:
        session.get(Team, "E05900001").name = "Alpha and Beyond"
    run(empty_db, path, generation=2024)
    assert (count(empty_db, Ward), count(empty_db, Team), count(empty_db, Borough)) == (3, 2, 2)
    with empty_db.sessions() as session:
        assert session.get(Team, "E05900001").name == "Alpha and Beyond"


def test_legacy_generation_sits_beside_current_and_gets_no_teams(empty_db, tmp_path):
    run(empty_db, wards_file(tmp_path), generation=2024)
    run(empty_db, wards_file(tmp_path), generation=2018)
    assert count(empty_db, Ward) == 6 and count(empty_db, Team) == 2


def test_shapefile_in_british_national_grid_is_reprojected(empty_db, tmp_path):
    frame = gpd.GeoDataFrame(
        {
            "GSS_CODE": ["E05900009"],
            "NAME": ["Grid"],
            "LAGSSCODE": ["E09000033"],
            "DISTRICT": ["Westminster"],
        },
        geometry=[box(529000, 180000, 530000, 181000)],
        crs="EPSG:27700",
    )
    path = tmp_path / "wards.shp"
    frame.to_file(path)
    run(empty_db, path, generation=2018)
    with empty_db.sessions() as session:
        ward = session.scalar(select(Ward))
        minx, miny, maxx, maxy = shapely.from_wkb(ward.geometry).bounds
        assert 51.49 < miny < maxy < 51.52 and -0.16 < minx < maxx < -0.12
        assert ward.area_m2 == pytest.approx(1e6, rel=1e-3)


def test_geometry_collection_keeps_its_polygons(empty_db, tmp_path):
    feature = ward_feature(*WARDS[0])
    feature["geometry"] = {
        "type": "GeometryCollection",
        "geometries": [
            feature["geometry"],
            {"type": "LineString", "coordinates": [[-0.13, 51.50], [-0.12, 51.51]]},
        ],
    }
    run(empty_db, write_geojson(tmp_path / "w.geojson", [feature]), generation=2024)
    with empty_db.sessions() as session:
        assert shapely.from_wkb(session.scalar(select(Ward.geometry))).geom_type == "Polygon"


def test_dry_run_stores_nothing(empty_db, tmp_path):
    report = run(empty_db, wards_file(tmp_path), generation=2024, dry_run=True)
    assert report.rows_stored == 3 and "dry run" in report.summary()
    assert count(empty_db, Ward) == 0 and count(empty_db, DataLoad) == 0


def bad(feature_changes=None, geometry="keep"):
    features = [ward_feature(*w) for w in WARDS]
    if feature_changes:
        features[1]["properties"].update(feature_changes)
    if geometry != "keep":
        features[1]["geometry"] = geometry
    return features


@pytest.mark.parametrize(
    ("features", "expected"),
    [
        (bad({"WD24CD": "X123"}), "feature 2: WD24CD 'X123' is not a ward GSS code"),
        (bad({"WD24CD": "E05900001"}), "feature 2 (E05900001): the code appears more than once"),
        (bad({"WD24NM": ""}), "feature 2 (E05900002): WD24NM is empty"),
        (bad(geometry=None), "feature 2 (E05900002): no polygon geometry"),
        (bad({"LAD24CD": "Westminster"}), "borough code 'Westminster' is not an E09 code"),
        ([], "the file has no features"),
    ],
)
def test_malformed_file_is_refused_whole(empty_db, tmp_path, features, expected):
    path = write_geojson(tmp_path / "bad.geojson", features)
    with pytest.raises(ImportFailed) as refused:
        run(empty_db, path, generation=2024)
    assert str(path) in str(refused.value) and expected in str(refused.value)
    assert "nothing was stored" in str(refused.value)
    assert count(empty_db, Ward) == 0 and count(empty_db, Team) == 0 and count(empty_db, Borough) == 0


def test_missing_columns_are_named(empty_db, tmp_path):
    features = [ward_feature(*w) for w in WARDS]
    for f in features:
        f["properties"] = {"code": f["properties"]["WD24CD"]}
    with pytest.raises(
        ImportFailed, match=r"(?s)no code column \(expected one of WDnnCD, GSS_CODE\).*no name column"
    ):
        run(empty_db, write_geojson(tmp_path / "w.geojson", features), generation=2024)


def test_file_with_no_crs_is_refused(empty_db, tmp_path):
    frame = gpd.GeoDataFrame(
        {"GSS_CODE": ["E05900009"], "NAME": ["X"], "LAGSSCODE": ["E09000033"], "DISTRICT": ["W"]},
        geometry=[box(0, 0, 1, 1)],
    )
    path = tmp_path / "nocrs.shp"
    with pytest.warns(UserWarning, match="crs"):
        frame.to_file(path)
    with pytest.raises(ImportFailed, match="no coordinate reference system"):
        run(empty_db, path, generation=2018)


@pytest.mark.parametrize("content", ["not json at all", '{"type": "FeatureCollection", "features": [', ""])
def test_unreadable_file_is_refused(empty_db, tmp_path, content):
    path = tmp_path / "broken.geojson"
    path.write_text(content)
    with pytest.raises(ImportFailed, match=r"broken\.geojson: refused"):
        run(empty_db, path, generation=2024)


def test_missing_file(empty_db, tmp_path):
    with pytest.raises(ImportFailed, match="no such file"):
        run(empty_db, tmp_path / "nope.geojson")


def test_borough_level_import(empty_db, tmp_path):
    features = [
        {
            "type": "Feature",
            "properties": {"GSS_CODE": "E09000033", "NAME": "Westminster"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[-0.2, 51.4], [-0.1, 51.4], [-0.1, 51.5], [-0.2, 51.5], [-0.2, 51.4]]],
            },
        }
    ]
    run(empty_db, write_geojson(tmp_path / "b.geojson", features), level="borough")
    with empty_db.sessions() as session:
        borough = session.get(Borough, "E09000033")
        assert borough.force_id == MET and borough.geometry and '"Polygon"' in borough.display_geojson
