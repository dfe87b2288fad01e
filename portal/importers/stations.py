"""`import-stations`: Met front counters (being written for issue 3)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from portal.importers.common import ImportReport, sha256_of
from portal.models import DataLoad


def import_stations(session: Session, path: Path, *, dry_run: bool = False) -> ImportReport:
    report = ImportReport(dataset="stations", source=str(path), dry_run=dry_run)
    if not dry_run:
        session.add(
            DataLoad(
                dataset="stations",
                source=path.name,
                sha256=sha256_of(path),
                rows_read=0,
                rows_stored=0,
                rows_rejected=0,
            )
        )
    return report
