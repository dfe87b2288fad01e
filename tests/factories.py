"""Small hand-made data files for importer and lookup tests."""

from __future__ import annotations

import csv
import gzip
import itertools
import json
from pathlib import Path

from shapely.geometry import box, mapping

from portal.importers.crime import STREET_COLUMNS
from portal.models.pledge import Explanation, Indicator, Measure, PledgePoint, SurveyNeighbourhood

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


# -- crime: police.uk street-level rows and London Datastore ward counts --------------------------------

STREET_HEADER = STREET_COLUMNS  # the police.uk street-level columns, as the importer expects
MET_NAME = "Metropolitan Police Service"
_CRIME_IDS = itertools.count(1)


def street_row(
    lng, lat, crime_type="Burglary", month="2023-01", crime_id="auto", force=MET_NAME, **changes
) -> list[str]:
    """One police.uk row; lng/lat None: "No location"; crime_id "auto": a made-up id (none for ASB)."""
    if crime_id == "auto":
        crime_id = "" if crime_type == "Anti-social behaviour" else f"{next(_CRIME_IDS):064x}"
    row = {
        "Crime ID": crime_id,
        "Month": month,
        "Reported by": force,
        "Falls within": force,
        "Longitude": "" if lng is None else str(lng),
        "Latitude": "" if lat is None else str(lat),
        "Location": "No location" if lng is None else "On or near Test Street",
        "LSOA code": "" if lng is None else "E01004736",
        "LSOA name": "" if lng is None else "Westminster 018C",
        "Crime type": crime_type,
        "Last outcome category": "" if crime_type == "Anti-social behaviour" else "Under investigation",
        "Context": "",
        **changes,
    }
    return [row[c] for c in STREET_HEADER]


STREET_CRIMES = [
    street_row(-0.125, 51.505),  # Alpha
    street_row(-0.115, 51.505, "Anti-social behaviour"),  # Bravo, no crime id
    street_row(-0.115, 51.505, "Anti-social behaviour"),  # the same again: a second, identical ASB report
    street_row(-0.105, 51.505, "Robbery"),  # in the City ward: outside every Met ward
    street_row(-2.0, 53.0, "Drugs"),  # outside London
    street_row(None, None, "Vehicle crime"),  # no location
    street_row(-0.125, 51.505, force="British Transport Police"),  # another force: skipped
]


def write_street_crimes(path: Path, rows=STREET_CRIMES, header=STREET_HEADER, encoding="utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


COUNT_HEADER = ["MajorText", "MinorText", "WardName", "WardCode", "LookUp_BoroughName"]


def count_row(ward="E05900001", major="BURGLARY", minor="DOMESTIC BURGLARY", counts=(1, 2)) -> list[str]:
    names = {"E05900001": "Alpha", "E05900002": "Bravo"}
    return [major, minor, names.get(ward, "Elsewhere"), ward, "Westminster", *[str(c) for c in counts]]


def write_ward_counts(path: Path, rows, months=("202401", "202402"), header=None) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header or [*COUNT_HEADER, *months])
        writer.writerows(rows)
    return path


# -- the Pledge scorecard: points, indicators, published figures, explanations ------------------------------

PLEDGE_TITLES = {
    1: "Treat you fairly, with dignity and respect",
    2: "Tell you who your neighbourhood team is",
    3: "Keep your team on your patch",
    4: "Answer your messages within 24 hours",
    5: "Answer 999 calls quickly",
    6: "Answer other calls promptly",
    7: "Meet you at least once a month",
    8: "Tell you every month what is happening",
    9: "Keep victims informed",
    10: "Answer when you are unhappy",
}


def pledge_point(number: int, **changes) -> PledgePoint:
    """One of the ten points, with made-up words unless given."""
    values = {
        "number": number,
        "title": PLEDGE_TITLES.get(number, f"Point {number}"),
        "promise": f"The words of promise {number}.",
        "portal_does": f"What the portal does for point {number}.",
        "inspection_grade": None,
        "inspection_source": None,
        **changes,
    }
    return PledgePoint(**values)


def indicator(code: str, point: int, **changes) -> Indicator:
    """An indicator; by default a percentage with a target of 100, higher is better, for every level."""
    values = {
        "code": code,
        "pledge_point": point,
        "position": 0,
        "name": f"Indicator {code}",
        "question": f"What does {code} measure?",
        "unit": "percent",
        "target": 100.0,
        "target_source": "Test target setter",
        "tolerance": None,
        "direction": "higher",
        "levels": "force,borough,team",
        "source": "portal",
        "calculation": f"How {code} is calculated.",
        "met_promise": None,
        "decimals": 1,
        **changes,
    }
    return Indicator(**values)


def measure(code: str, area: str, month, value: float, level: str = "force", **changes) -> Measure:
    """One published figure of an indicator for an area and month."""
    values = {
        "indicator_code": code,
        "level": level,
        "area_code": area,
        "month": month,
        "value": value,
        "source": "Test source, 2009",
        "source_file": "test.csv",
        **changes,
    }
    return Measure(**values)


def survey_neighbourhood(code: str, name: str, borough_code: str) -> SurveyNeighbourhood:
    return SurveyNeighbourhood(code=code, name=name, borough_code=borough_code)


def explanation(code: str, area: str, month, reason: str, action: str = "We are acting.", **changes):
    values = {
        "indicator_code": code,
        "area_code": area,
        "month": month,
        "reason": reason,
        "action": action,
        "recorded_by": "Sgt Test, Test team",
        **changes,
    }
    return Explanation(**values)
