"""`import-crimes` and `import-ward-crime-counts` (issue 5: being written)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from portal.importers.common import ImportReport, record_load


def import_crimes(session: Session, paths: list[Path], *, dry_run: bool = False) -> ImportReport:
    report = ImportReport(dataset="street-crime", source=", ".join(str(p) for p in paths), dry_run=dry_run)
    for path in paths:
        record_load(session, "street-crime", path, report)
    return report


def import_ward_crime_counts(session: Session, path: Path, *, dry_run: bool = False) -> ImportReport:
    report = ImportReport(dataset="ward-crime-counts", source=str(path), dry_run=dry_run)
    record_load(session, "ward-crime-counts", path, report)
    return report
