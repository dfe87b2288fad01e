"""Name search over teams, wards and boroughs with whoosh (being written for issue 3)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from portal.importers.common import ImportReport


def rebuild(engine: Engine, var_dir: Path) -> ImportReport:
    return ImportReport(dataset="search-index", source=str(var_dir / "index"))
