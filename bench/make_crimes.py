"""`python -m bench.make_crimes OUT.csv [--rows N] [--month YYYY-MM] [--seed S]`: a police.uk street file.

Random points inside the Met wards' bounding boxes (from the bundled 2024 ward GeoJSON, no database needed),
fixed seed, with a realistic mix: crime types weighted like a Met month (anti-social behaviour ~20%, with
no Crime ID), ~2% with no location, ~1% from another force. Rows are in the standard 12 columns.
"""

import argparse
import csv
import random
from pathlib import Path

from bench.common import ROOT
from portal.importers.crime import STREET_COLUMNS

WARDS = ROOT / "geodata" / "london_wards_2024_wgs84.geojson"
HEADER = STREET_COLUMNS  # the police.uk street-level columns, as the importer expects
MET = "Metropolitan Police Service"
# roughly a Met month's mix (police.uk, 2023): crime type -> weight
TYPES = {
    "Violence and sexual offences": 24,
    "Anti-social behaviour": 20,
    "Other theft": 11,
    "Vehicle crime": 10,
    "Theft from the person": 6,
    "Burglary": 6,
    "Shoplifting": 5,
    "Criminal damage and arson": 5,
    "Public order": 4,
    "Robbery": 3,
    "Drugs": 3,
    "Bicycle theft": 1.5,
    "Other crime": 1,
    "Possession of weapons": 0.5,
}
OUTCOMES = [
    "Under investigation",
    "Investigation complete; no suspect identified",
    "Unable to prosecute suspect",
]
STREETS = ["High Street", "Station Road", "Church Lane", "Park Avenue", "Victoria Road", "Green Lane"]


def ward_boxes() -> list[tuple[float, float, float, float]]:
    import geopandas as gpd

    wards = gpd.read_file(WARDS)
    met = wards[wards["LAD24CD"] != "E09000001"] if "LAD24CD" in wards else wards
    return [tuple(b) for b in met.geometry.bounds.itertuples(index=False)]


def write(path: Path, rows: int, month: str = "2024-01", seed: int = 20240101, boxes=None) -> Path:
    rng = random.Random(f"{seed}:{month}")
    boxes = boxes or ward_boxes()
    types, weights = list(TYPES), list(TYPES.values())
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for _ in range(rows):
            kind = rng.choices(types, weights)[0]
            force = MET if rng.random() >= 0.01 else "British Transport Police"
            crime_id = "" if kind == "Anti-social behaviour" else f"{rng.getrandbits(256):064x}"
            if rng.random() < 0.02:
                lng = lat = ""
                location, lsoa_code, lsoa_name = "No location", "", ""
            else:
                west, south, east, north = rng.choice(boxes)
                lng, lat = f"{rng.uniform(west, east):.6f}", f"{rng.uniform(south, north):.6f}"
                location = f"On or near {rng.choice(STREETS)}"
                lsoa_code, lsoa_name = (
                    f"E0100{rng.randrange(1000, 5000)}",
                    f"Somewhere {rng.randrange(1, 40):03d}A",
                )
            outcome = "" if kind == "Anti-social behaviour" else rng.choice(OUTCOMES)
            writer.writerow(
                [crime_id, month, force, force, lng, lat, location, lsoa_code, lsoa_name, kind, outcome, ""]
            )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.make_crimes", description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--month", default="2024-01")
    parser.add_argument("--seed", type=int, default=20240101)
    args = parser.parse_args()
    write(args.out, args.rows, args.month, args.seed)
    print(f"wrote {args.rows:,} rows to {args.out}")


if __name__ == "__main__":
    main()
