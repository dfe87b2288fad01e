"""Bookkeeping: which data sets have been loaded, from which file."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, utcnow


class DataLoad(Base):
    __tablename__ = "data_load"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset: Mapped[str] = mapped_column(String(60), index=True)
    source: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    rows_read: Mapped[int] = mapped_column(Integer)
    rows_stored: Mapped[int] = mapped_column(Integer)
    rows_rejected: Mapped[int] = mapped_column(Integer)
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContentChange(Base):
    """One row per change to published content (an import, demo content, a staff edit). The highest id is
    the site's content version: pages cached under an older version are stale."""

    __tablename__ = "content_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reason: Mapped[str] = mapped_column(String(200))
    # What search re-indexes for it: "team:<code>", "pledge", … or "load:<dataset>" for an import; None
    # (changes from before scopes) means everything.
    scope: Mapped[str | None] = mapped_column(String(60))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


def record_change(session, reason: str, scope: str | None = None) -> None:
    """Call in the same transaction as the change, so the version moves exactly when the content does."""
    session.add(ContentChange(reason=reason[:200], scope=scope))


@event.listens_for(DataLoad, "after_insert")
def _a_load_changes_content(_mapper, connection, target: DataLoad) -> None:
    connection.execute(
        ContentChange.__table__.insert().values(
            reason=f"loaded {target.dataset}", scope=f"load:{target.dataset}"[:60], changed_at=utcnow()
        )
    )
