"""Ward population from the GLA 2015 ward profiles, carried to today's wards (issue 5: being written)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from portal.importers.common import ImportReport, record_load


def import_population(session: Session, path: Path, *, dry_run: bool = False) -> ImportReport:
    report = ImportReport(dataset="ward-population", source=str(path), dry_run=dry_run)
    record_load(session, "ward-population", path, report)
    return report
