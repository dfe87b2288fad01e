"""Geography: police forces, London boroughs, wards (by boundary generation) and postcodes."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base

MET = "metropolitan"
CITY = "city-of-london"
CURRENT_GENERATION = 2024
LEGACY_GENERATION = 2018
CITY_OF_LONDON_BOROUGH = "E09000001"


class Force(Base):
    __tablename__ = "force"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # police.uk force id
    name: Mapped[str] = mapped_column(String(120))
    url: Mapped[str] = mapped_column(String(300))


class Borough(Base):
    __tablename__ = "borough"

    code: Mapped[str] = mapped_column(String(9), primary_key=True)  # E09…
    name: Mapped[str] = mapped_column(String(120))
    force_id: Mapped[str] = mapped_column(ForeignKey("force.id"))
    geometry: Mapped[bytes | None] = mapped_column(LargeBinary)  # WKB, WGS84, full precision
    display_geojson: Mapped[str | None] = mapped_column(Text)  # simplified, for maps

    force: Mapped[Force] = relationship()


class Ward(Base):
    __tablename__ = "ward"
    __table_args__ = (UniqueConstraint("generation", "code", name="uq_ward_generation_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generation: Mapped[int] = mapped_column(Integer, index=True)  # boundary set: 2024 current, 2018 legacy
    code: Mapped[str] = mapped_column(String(9), index=True)  # GSS code E05…
    name: Mapped[str] = mapped_column(String(120))
    borough_code: Mapped[str] = mapped_column(ForeignKey("borough.code"), index=True)
    force_id: Mapped[str] = mapped_column(ForeignKey("force.id"))  # who polices it
    geometry: Mapped[bytes] = mapped_column(LargeBinary)  # WKB, WGS84, full precision for lookup
    display_geojson: Mapped[str] = mapped_column(Text)  # simplified for display
    centroid_lat: Mapped[float] = mapped_column(Float)
    centroid_lng: Mapped[float] = mapped_column(Float)
    area_m2: Mapped[float] = mapped_column(Float)

    borough: Mapped[Borough] = relationship()
    force: Mapped[Force] = relationship()


class WardNeighbour(Base):
    """Wards that share a boundary (within a few metres: the boundaries are generalised)."""

    __tablename__ = "ward_neighbour"

    ward_id: Mapped[int] = mapped_column(ForeignKey("ward.id", ondelete="CASCADE"), primary_key=True)
    neighbour_id: Mapped[int] = mapped_column(ForeignKey("ward.id", ondelete="CASCADE"), primary_key=True)


class WardSuccession(Base):
    """How an older ward's area is shared among today's wards: `share` of the old ward lies in the new."""

    __tablename__ = "ward_succession"

    old_ward_id: Mapped[int] = mapped_column(ForeignKey("ward.id", ondelete="CASCADE"), primary_key=True)
    new_ward_id: Mapped[int] = mapped_column(ForeignKey("ward.id", ondelete="CASCADE"), primary_key=True)
    share: Mapped[float] = mapped_column(Float)


class Postcode(Base):
    __tablename__ = "postcode"

    postcode: Mapped[str] = mapped_column(String(8), primary_key=True)  # normalised, e.g. "RM6 4AB"
    outcode: Mapped[str] = mapped_column(String(4), index=True)
    pqi: Mapped[int] = mapped_column(Integer)  # Code-Point positional quality indicator
    easting: Mapped[int] = mapped_column(Integer)
    northing: Mapped[int] = mapped_column(Integer)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    district_code: Mapped[str] = mapped_column(String(9))
    legacy_ward_code: Mapped[str | None] = mapped_column(String(9))  # 2014 ward, as published
    ward_code: Mapped[str | None] = mapped_column(String(9), index=True)  # current ward, assigned at import
    ward_distance_m: Mapped[float | None] = mapped_column(Float)  # 0 inside; >0 when nearest ward taken
