"""What every importer shares: the failure type, the summary, file hashing and the upsert."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from tqdm import tqdm

MAX_PROBLEMS_SHOWN = 10


class ImportFailed(Exception):
    """The file was refused as a whole; nothing was stored."""

    def __init__(self, path: Path | str, problems: Sequence[str]):
        self.path = str(path)
        self.problems = list(problems)
        shown = "\n".join(f"  - {p}" for p in self.problems[:MAX_PROBLEMS_SHOWN])
        more = len(self.problems) - MAX_PROBLEMS_SHOWN
        if more > 0:
            shown += f"\n  … and {more} more"
        super().__init__(f"{self.path}: refused, nothing was stored:\n{shown}")


@dataclass
class ImportReport:
    dataset: str
    source: str
    rows_read: int = 0
    rows_stored: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def rows_rejected(self) -> int:
        return sum(self.rejected.values())

    def summary(self) -> str:
        verb = "would be stored (dry run)" if self.dry_run else "stored"
        lines = [
            f"{self.dataset} from {self.source}",
            f"  rows read:     {self.rows_read:,}",
            f"  rows {verb}:   {self.rows_stored:,}",
            f"  rows rejected: {self.rows_rejected:,}",
        ]
        lines += [f"    {count:,} {reason}" for reason, count in self.rejected.most_common()]
        lines += [f"  {note}" for note in self.notes]
        return "\n".join(lines)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def upsert(
    session: Session,
    table: Table,
    rows: Sequence[dict],
    key: Sequence[str],
    *,
    chunk: int = 5000,
    progress: str | None = None,
) -> None:
    """Insert rows, replacing those whose `key` columns already exist. Same code on SQLite and PostgreSQL."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}[dialect]
    columns = [c for c in rows[0] if c not in key]
    with tqdm(total=len(rows), desc=progress, unit="row", disable=progress is None or None) as bar:
        for start in range(0, len(rows), chunk):
            batch = rows[start : start + chunk]
            statement = insert(table)
            statement = statement.on_conflict_do_update(
                index_elements=list(key), set_={c: statement.excluded[c] for c in columns}
            )
            session.execute(statement, list(batch))
            bar.update(len(batch))


def progress(iterable: Iterable, desc: str, total: int | None = None) -> Iterable:
    return tqdm(iterable, desc=desc, total=total, unit="row", disable=None)


def record_load(session: Session, dataset: str, path: Path, report: ImportReport) -> None:
    """Note what was loaded from which file (setup compares the file's hash to decide what to reload)."""
    from portal.models import DataLoad

    session.add(
        DataLoad(
            dataset=dataset,
            source=path.name,
            sha256=sha256_of(path),
            rows_read=report.rows_read,
            rows_stored=report.rows_stored,
            rows_rejected=report.rows_rejected,
        )
    )
    session.flush()
