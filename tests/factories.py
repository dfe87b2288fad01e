"""Small hand-made data files for importer and lookup tests."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

from shapely.geometry import box, mapping

# Three tiny wards in a row near Trafalgar Square (each 0.01° wide): two Met, one in the City.
WARDS = [
    ("E05900001", "Alpha", "E09000033", "Westminster", (-0.13, 51.50, -0.12, 51.51)),
    ("E05900002", "Bravo", "E09000033", "Westminster", (-0.12, 51.50, -0.11, 51.51)),
    ("E05900003", "Cheapside Test", "E09000001", "City of London", (-0.11, 51.50, -0.10, 51.51)),
]


def ward_feature(code, name, borough_code, borough_name, bounds, **extra) -> dict:
    properties = {"WD24CD": code, "WD24NM": name, "LAD24CD": borough_code, "LAD24NM": borough_name, **extra}
    return {"type": "Feature", "properties": properties, "geometry": mapping(box(*bounds))}


def write_geojson(
    path: Path, features: list[dict], crs: str | None = "urn:ogc:def:crs:OGC:1.3:CRS84"
) -> Path:
    collection: dict = {"type": "FeatureCollection", "features": features}
    if crs:
        collection["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(collection))
    return path


def wards_file(folder: Path, wards=WARDS) -> Path:
    return write_geojson(folder / "wards.geojson", [ward_feature(*w) for w in wards])


POSTCODE_HEADER = [
    "postcode",
    "pqi",
    "easting",
    "northing",
    "latitude",
    "longitude",
    "district_code_2014",
    "ward_code_2014",
]


def postcode_row(postcode, lat, lng, pqi="10", legacy="E05000644") -> list[str]:
    return [postcode, pqi, "530000", "180000", str(lat), str(lng), "E09000033", legacy]


POSTCODES = [
    postcode_row("WC2N 5DN", 51.505, -0.125),  # inside Alpha
    postcode_row("WC2N 5DU", 51.505, -0.115),  # inside Bravo
    postcode_row("EC4M 7AA", 51.505, -0.105),  # inside the City ward
    postcode_row("SE1 7PB", 51.4990, -0.125),  # ~110 m south of Alpha: nearest within 1 km
    postcode_row("SE11 4AA", 51.48, -0.125),  # ~2.2 km south: no ward within 1 km
]


def write_postcodes(path: Path, rows=POSTCODES, header=POSTCODE_HEADER, gz: bool = False) -> Path:
    opener = gzip.open if gz else open
    with opener(path, "wt", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path
