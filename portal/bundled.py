"""What `setup` loads on first run: the real data shipped in geodata/ and content/, then the demo content.

A data set is loaded when it never was, when its file (or, for generated content, its generator version)
changed, or when a data set it depends on is being loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from portal import paths
from portal.db import make_sessionmaker, session_scope
from portal.importers.common import ImportReport, sha256_of
from portal.models import CURRENT_GENERATION, LEGACY_GENERATION
from portal.queries.system import loaded_datasets


@dataclass(frozen=True)
class Bundle:
    dataset: str
    load: Callable[[Session], ImportReport]
    path: Path | None = None  # a shipped file, fingerprinted by its SHA-256
    version: Callable[[], str] | None = None  # or, for generated content, its fingerprint now
    depends_on: tuple[str, ...] = ()

    def fingerprint(self) -> str:
        return sha256_of(self.path) if self.path else self.version()


def _file(loader, path: Path, **kwargs) -> Callable[[Session], ImportReport]:
    return lambda session: loader(session, path, **kwargs)


def bundles() -> tuple[Bundle, ...]:
    from portal import demo
    from portal.importers.boundaries import import_boundaries
    from portal.importers.crime import import_crimes, import_ward_crime_counts
    from portal.importers.pledge import files_fingerprint, import_indicators, import_measure_files
    from portal.importers.population import import_population
    from portal.importers.postcodes import import_postcodes
    from portal.importers.stations import import_stations
    from portal.importers.survey import import_survey

    wards_now, wards_before = f"boundaries-ward-{CURRENT_GENERATION}", f"boundaries-ward-{LEGACY_GENERATION}"
    boroughs = paths.GEODATA / "london_boroughs.geojson"
    wards_2024 = paths.GEODATA / "london_wards_2024_wgs84.geojson"
    wards_2018 = paths.GEODATA / "london_wards_2018_bng" / "London_Ward_27700.shp"
    postcodes = paths.GEODATA / "london_postcodes_codepoint_2014.csv.gz"
    stations = paths.GEODATA / "met_front_counters_2013.csv"
    street = paths.CONTENT / "crime" / "2023-01-metropolitan-street-barking-and-dagenham.csv"
    counts = paths.CONTENT / "crime" / "mps_ward_level_crime_2024-03_to_2025-12.csv"
    profiles = paths.CONTENT / "reference" / "gla_ward_profiles_2015.csv"
    catalogue = paths.CONTENT / "pledge" / "indicators.toml"
    measures = sorted((paths.CONTENT / "pledge" / "measures").glob("*.csv"))
    surveys = [
        paths.CONTENT / "survey" / "2016-police-perceptions.csv",
        paths.CONTENT / "survey" / "2015-16_to_2020-21_inclusive_neighbourhood_indicators_final_221221.csv",
    ]
    return (
        Bundle("boundaries-borough", _file(import_boundaries, boroughs, level="borough"), boroughs),
        Bundle(
            wards_now,
            _file(import_boundaries, wards_2024, generation=CURRENT_GENERATION),
            wards_2024,
            depends_on=("boundaries-borough",),
        ),
        Bundle(
            wards_before,
            _file(import_boundaries, wards_2018, generation=LEGACY_GENERATION),
            wards_2018,
            depends_on=("boundaries-borough", wards_now),
        ),
        Bundle("postcodes", _file(import_postcodes, postcodes), postcodes, depends_on=(wards_now,)),
        Bundle(
            "stations",
            _file(import_stations, stations),
            stations,
            depends_on=("boundaries-borough", "postcodes"),
        ),
        Bundle(
            "street-crime", lambda session: import_crimes(session, [street]), street, depends_on=(wards_now,)
        ),
        Bundle("ward-crime-counts", _file(import_ward_crime_counts, counts), counts, depends_on=(wards_now,)),
        Bundle(
            "ward-population",
            _file(import_population, profiles),
            profiles,
            depends_on=(wards_now, wards_before),
        ),
        Bundle("pledge-indicators", _file(import_indicators, catalogue), catalogue),
        Bundle(
            "pledge-measures",
            lambda session: import_measure_files(session, measures),
            version=lambda: files_fingerprint(measures),
            depends_on=("pledge-indicators", "boundaries-borough"),
        ),
        Bundle(
            "survey",
            lambda session: import_survey(session, *surveys),
            version=lambda: files_fingerprint(surveys),
            depends_on=("boundaries-borough", "pledge-indicators"),
        ),
        Bundle(
            demo.DATASET,
            partial(demo.load_demo),
            version=demo.fingerprint,
            depends_on=(wards_now, "stations", "pledge-indicators"),
        ),
    )


def pending(engine: Engine) -> list[Bundle]:
    """Bundles never loaded, whose fingerprint changed since, or that depend on one of those."""
    with session_scope(make_sessionmaker(engine)) as session:
        loaded = loaded_datasets(session)
    due: set[str] = set()
    every = bundles()
    for bundle in every:
        if loaded.get(bundle.dataset) != bundle.fingerprint() or due.intersection(bundle.depends_on):
            due.add(bundle.dataset)
    return [b for b in every if b.dataset in due]


def load_bundled(engine: Engine, echo: Callable[[str], None] = print) -> list[ImportReport]:
    """Load what is pending, each data set in its own transaction."""
    reports = []
    factory = make_sessionmaker(engine)
    for bundle in pending(engine):
        with session_scope(factory) as session:
            report = bundle.load(session)
        echo(report.summary())
        reports.append(report)
    return reports
