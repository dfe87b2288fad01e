"""`load-demo`: seeded, documented demo content for every Met team (being written for issue 3)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from portal.importers.common import ImportReport
from portal.models import DataLoad

DATASET = "demo-content"
VERSION = "demo-v0"
SEED = 20091001


def load_demo(session: Session, *, seed: int = SEED) -> ImportReport:
    report = ImportReport(dataset=DATASET, source=f"generator {VERSION}, seed {seed}")
    session.add(
        DataLoad(
            dataset=DATASET, source=report.source, sha256=VERSION, rows_read=0, rows_stored=0, rows_rejected=0
        )
    )
    return report
