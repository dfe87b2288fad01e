"""The real data shipped in geodata/ and content/, loaded on first run (and again only if a file changes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from portal import paths
from portal.db import make_sessionmaker, session_scope
from portal.importers.boundaries import import_boundaries
from portal.importers.common import ImportReport, sha256_of
from portal.importers.postcodes import import_postcodes
from portal.models import CURRENT_GENERATION, LEGACY_GENERATION
from portal.queries.system import loaded_datasets


@dataclass(frozen=True)
class Bundle:
    dataset: str
    path: Path
    load: Callable[[Session, Path], ImportReport]
    depends_on: tuple[str, ...] = ()


BUNDLES: tuple[Bundle, ...] = (
    Bundle(
        "boundaries-borough",
        paths.GEODATA / "london_boroughs.geojson",
        partial(import_boundaries, level="borough"),
    ),
    Bundle(
        f"boundaries-ward-{CURRENT_GENERATION}",
        paths.GEODATA / "london_wards_2024_wgs84.geojson",
        partial(import_boundaries, level="ward", generation=CURRENT_GENERATION),
        ("boundaries-borough",),
    ),
    Bundle(
        f"boundaries-ward-{LEGACY_GENERATION}",
        paths.GEODATA / "london_wards_2018_bng" / "London_Ward_27700.shp",
        partial(import_boundaries, level="ward", generation=LEGACY_GENERATION),
        ("boundaries-borough",),
    ),
    Bundle(
        "postcodes",
        paths.GEODATA / "london_postcodes_codepoint_2014.csv.gz",
        import_postcodes,
        (f"boundaries-ward-{CURRENT_GENERATION}",),
    ),
)


def pending(engine: Engine) -> list[Bundle]:
    """Bundles never loaded, whose file changed since, or that depend on one of those."""
    with session_scope(make_sessionmaker(engine)) as session:
        loaded = loaded_datasets(session)
    due: set[str] = set()
    for bundle in BUNDLES:
        if loaded.get(bundle.dataset) != sha256_of(bundle.path) or due.intersection(bundle.depends_on):
            due.add(bundle.dataset)
    return [b for b in BUNDLES if b.dataset in due]


def load_bundled(engine: Engine, echo: Callable[[str], None] = print) -> list[ImportReport]:
    """Load what is pending, each data set in its own transaction."""
    reports = []
    factory = make_sessionmaker(engine)
    for bundle in pending(engine):
        with session_scope(factory) as session:
            report = bundle.load(session, bundle.path)
        echo(report.summary())
        reports.append(report)
    return reports
