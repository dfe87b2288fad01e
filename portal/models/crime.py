"""Recorded crime: police.uk street-level rows and the London Datastore's ward-level monthly counts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, utcnow

# police.uk's crime categories: "Crime type" as published -> the API's slug
CATEGORIES = {
    "Anti-social behaviour": "anti-social-behaviour",
    "Bicycle theft": "bicycle-theft",
    "Burglary": "burglary",
    "Criminal damage and arson": "criminal-damage-arson",
    "Drugs": "drugs",
    "Other crime": "other-crime",
    "Other theft": "other-theft",
    "Possession of weapons": "possession-of-weapons",
    "Public order": "public-order",
    "Robbery": "robbery",
    "Shoplifting": "shoplifting",
    "Theft from the person": "theft-from-the-person",
    "Vehicle crime": "vehicle-crime",
    "Violence and sexual offences": "violent-crime",
}
MET_FORCE_NAME = "Metropolitan Police Service"


class StreetCrime(Base):
    """One police.uk street-level row. The ward is assigned at import from the point (not the 2011 LSOA)."""

    __tablename__ = "street_crime"
    __table_args__ = (
        Index("ix_street_crime_ward_month", "ward_code", "month"),
        Index("ix_street_crime_month_category", "month", "category"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[date] = mapped_column(Date)  # first day of the month
    crime_id: Mapped[str | None] = mapped_column(String(64))  # empty for anti-social behaviour
    reported_by: Mapped[str] = mapped_column(String(80))
    falls_within: Mapped[str] = mapped_column(String(80))
    longitude: Mapped[float | None] = mapped_column(Float)
    latitude: Mapped[float | None] = mapped_column(Float)
    location: Mapped[str | None] = mapped_column(String(200))  # "On or near …"
    lsoa_code: Mapped[str | None] = mapped_column(String(9))
    lsoa_name: Mapped[str | None] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(40))  # slug, a value of CATEGORIES
    crime_type: Mapped[str] = mapped_column(String(80))  # as published
    outcome: Mapped[str | None] = mapped_column(String(160))  # "Last outcome category"
    context: Mapped[str | None] = mapped_column(Text)
    ward_code: Mapped[str | None] = mapped_column(String(9))  # None: no location, or outside every Met ward


class CrimeImport(Base):
    """What each imported street-level month held, including the rows that could not be mapped."""

    __tablename__ = "crime_import"
    __table_args__ = (UniqueConstraint("month", "falls_within", name="uq_crime_import_month_falls_within"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[date] = mapped_column(Date)
    falls_within: Mapped[str] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(String(300))
    rows: Mapped[int] = mapped_column(Integer)
    stored: Mapped[int] = mapped_column(Integer)
    no_location: Mapped[int] = mapped_column(Integer)
    out_of_area: Mapped[int] = mapped_column(Integer)
    other_force: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class WardCrimeCount(Base):
    """London Datastore "MPS recorded crime by ward": a monthly count per minor category."""

    __tablename__ = "ward_crime_count"
    __table_args__ = (
        UniqueConstraint("ward_code", "month", "major", "minor", name="uq_ward_crime_count_key"),
        Index("ix_ward_crime_count_month_major", "month", "major"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ward_code: Mapped[str] = mapped_column(String(9), index=True)
    month: Mapped[date] = mapped_column(Date)
    major: Mapped[str] = mapped_column(String(80))
    minor: Mapped[str] = mapped_column(String(120))
    count: Mapped[int] = mapped_column(Integer)


class WardPopulation(Base):
    """Residents per current ward, estimated from the GLA 2015 ward profiles (see `method`)."""

    __tablename__ = "ward_population"

    ward_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    population: Mapped[int] = mapped_column(Integer)
    year: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(Text)
