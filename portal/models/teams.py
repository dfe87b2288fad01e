"""Safer Neighbourhood Teams: one per Met ward, keyed by the ward's GSS code as police.uk does."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.areas import Borough, Force, Ward
from portal.models.base import Base


class Team(Base):
    __tablename__ = "team"

    id: Mapped[str] = mapped_column(String(9), primary_key=True)  # ward GSS code = police.uk neighbourhood id
    ward_id: Mapped[int] = mapped_column(ForeignKey("ward.id"), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    borough_code: Mapped[str] = mapped_column(ForeignKey("borough.code"), index=True)
    force_id: Mapped[str] = mapped_column(ForeignKey("force.id"))

    ward: Mapped[Ward] = relationship()
    borough: Mapped[Borough] = relationship()
    force: Mapped[Force] = relationship()
