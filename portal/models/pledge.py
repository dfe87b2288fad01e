"""The Pledge scorecard (Pledge point 8, "how your force is performing", and the closing promise "if we
fail to meet our Pledge we will always explain why").

The ten points and the catalogue of indicators come from a reviewed data file (`content/pledge/
indicators.toml`, loaded by `import-indicators`). Figures published by others (call handling, the MOPAC
survey, inspections) are imported as `Measure` rows; figures the portal computes from its own records
(meetings, priority reviews, updates, messages) are never stored, they are computed when asked.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, utcnow

# Where a figure exists. A survey neighbourhood is MOPAC's grouping of wards inside a borough.
LEVELS = ("force", "borough", "neighbourhood", "team")
DIRECTIONS = ("higher", "lower")  # which way is better
UNITS = {
    "percent": "%",
    "minutes": "minutes",
    "count": "",
    "rate": "per 10 officers or staff",
}
SOURCES = {
    "survey": "Survey of residents or victims",
    "call_handling": "Call handling and despatch records",
    "complaints": "Complaints records",
    "crime_records": "Crime records (the Crime Recording Information System)",
    "front_counter": "Front counter records",
    "workforce": "Duty and workforce records",
    "inspection": "Inspection or reality testing",
    "portal": "Computed by this portal from its own records",
}
GRADES = ("EXCELLENT", "GOOD", "FAIR", "POOR")


class PledgePoint(Base):
    __tablename__ = "pledge_point"

    number: Mapped[int] = mapped_column(Integer, primary_key=True)  # 1 to 10
    title: Mapped[str] = mapped_column(String(120))  # short form: "Respond to your messages in 24 hours"
    promise: Mapped[str] = mapped_column(Text)  # the Pledge's own words
    portal_does: Mapped[str] = mapped_column(Text)  # what this portal does for it
    inspection_grade: Mapped[str | None] = mapped_column(String(10))  # HMIC's grade for the Met, a GRADES
    inspection_source: Mapped[str | None] = mapped_column(String(300))  # "HMIC, October 2009"


class Indicator(Base):
    __tablename__ = "indicator"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)  # "P5-999-10S"
    pledge_point: Mapped[int] = mapped_column(ForeignKey("pledge_point.number"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)  # order within the catalogue
    name: Mapped[str] = mapped_column(String(200))  # plain English: "999 calls answered within 10 seconds"
    question: Mapped[str] = mapped_column(Text)  # what it answers: "How quickly is a 999 call answered?"
    unit: Mapped[str] = mapped_column(String(20))  # a key of UNITS
    target: Mapped[float | None] = mapped_column(Float)  # None: reported, no target
    target_source: Mapped[str | None] = mapped_column(String(300))  # who set the target
    tolerance: Mapped[float | None] = mapped_column(Float)  # "close" when short by no more than this
    direction: Mapped[str] = mapped_column(String(10))  # a DIRECTIONS value
    levels: Mapped[str] = mapped_column(String(60))  # comma-separated LEVELS where it exists
    source: Mapped[str] = mapped_column(String(20))  # a key of SOURCES
    calculation: Mapped[str] = mapped_column(Text)  # how it is calculated, in plain words
    met_promise: Mapped[str | None] = mapped_column(String(300))  # the Met Promise diagnostic it carries
    decimals: Mapped[int] = mapped_column(Integer, default=1)  # how it is shown

    @property
    def level_list(self) -> list[str]:
        return [level for level in self.levels.split(",") if level]


class SurveyNeighbourhood(Base):
    """A MOPAC Public Attitude Survey neighbourhood: a group of wards within one borough."""

    __tablename__ = "survey_neighbourhood"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)  # MPS sector code, "KG-KB"
    name: Mapped[str] = mapped_column(String(120))  # "Barking"
    borough_code: Mapped[str] = mapped_column(ForeignKey("borough.code"), index=True)


class Measure(Base):
    """One published figure: an indicator's value for an area and month. The month is the period's last
    month; `period` names a longer period ("2015-16 to 2020-21") when the figure covers one."""

    __tablename__ = "measure"
    __table_args__ = (UniqueConstraint("indicator_code", "area_code", "month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicator.code", ondelete="CASCADE"))
    level: Mapped[str] = mapped_column(String(15))  # a LEVELS value
    area_code: Mapped[str] = mapped_column(String(20), index=True)  # force id, E09, sector or E05 code
    month: Mapped[date] = mapped_column(Date)  # first day of the month
    period: Mapped[str | None] = mapped_column(String(60))
    value: Mapped[float] = mapped_column(Float)
    numerator: Mapped[float | None] = mapped_column(Float)
    denominator: Mapped[float | None] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(300))  # the document or data set, with its date
    source_file: Mapped[str] = mapped_column(String(300))  # the file it was imported from
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class Explanation(Base):
    """Why a target was missed, and what is being done about it: the closing promise of the Pledge."""

    __tablename__ = "pledge_explanation"
    __table_args__ = (UniqueConstraint("indicator_code", "area_code", "month"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicator.code", ondelete="CASCADE"))
    area_code: Mapped[str] = mapped_column(String(20), index=True)
    month: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)  # why it was missed
    action: Mapped[str] = mapped_column(Text)  # what will be done to improve
    recorded_by: Mapped[str] = mapped_column(String(120))  # a name and role, shown on the page
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # optimistic concurrency

    __mapper_args__ = {"version_id_col": version}
