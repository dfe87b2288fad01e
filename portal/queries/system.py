"""Named queries about the portal's own records."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import DataLoad


def list_data_loads(session: Session) -> list[dict[str, Any]]:
    """The latest load of each data set."""
    loads: dict[str, DataLoad] = {}
    for load in session.scalars(select(DataLoad).order_by(DataLoad.loaded_at)):
        loads[load.dataset] = load
    return [
        {
            "dataset": d.dataset,
            "source": d.source,
            "rows": d.rows_stored,
            "rejected": d.rows_rejected,
            "loaded_at": d.loaded_at.isoformat(),
            "sha256": d.sha256,
        }
        for d in sorted(loads.values(), key=lambda d: d.dataset)
    ]


def loaded_datasets(session: Session) -> dict[str, str]:
    """dataset -> sha256 of its latest load."""
    return {d["dataset"]: d["sha256"] for d in list_data_loads(session)}
