"""Postcode and point → ward/team lookup, held in memory.

Built once when a process starts (`GeoIndex.load`), from tables the importers prepared: an STRtree over the
current wards' full-precision polygons, and a postcode → ward table. No request reads a file or builds
geometry.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely import STRtree
from sqlalchemy import Engine, select

from portal.models import CITY, CURRENT_GENERATION, MET, Borough, Force, Postcode, Ward
from portal.services.postcode import ParsedPostcode, compact, parse

INVALID_POSTCODE = "Enter a full UK postcode, like SW1A 2AA"
POLICE_UK_FORCE_FINDER = "https://www.police.uk/pu/contact-us/"
_LATLNG = re.compile(r"^\s*(-?\d{1,3}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class WardInfo:
    code: str
    name: str
    borough_code: str
    borough_name: str
    force_id: str
    force_name: str
    force_url: str

    @property
    def has_met_team(self) -> bool:
        return self.force_id == MET

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "borough": {"code": self.borough_code, "name": self.borough_name},
            "force": {"id": self.force_id, "name": self.force_name, "url": self.force_url},
            "team": self.code if self.has_met_team else None,
        }


@dataclass(frozen=True)
class LookupResult:
    """What a lookup found. `kind` is one of: ward, wards, city, outside, not_found, invalid."""

    kind: str
    query: str
    message: str = ""
    ward: WardInfo | None = None
    wards: tuple[tuple[WardInfo, int], ...] = ()  # for a partial postcode: (ward, postcodes in it)
    postcode: str | None = None
    point: tuple[float, float] | None = None
    link: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        return self.kind in {"ward", "wards", "city"}

    @property
    def http_status(self) -> int:
        return {"invalid": 400, "not_found": 404, "outside": 404}.get(self.kind, 200)

    @property
    def exit_code(self) -> int:
        return 2 if self.kind == "invalid" else (0 if self.found else 1)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"query": self.query, "result": self.kind, "found": self.found}
        if self.message:
            data["message"] = self.message
        if self.postcode:
            data["postcode"] = self.postcode
        if self.point:
            data["location"] = {"latitude": self.point[0], "longitude": self.point[1]}
        if self.ward:
            data["ward"] = self.ward.as_dict()
        if self.kind == "wards":
            data["wards"] = [dict(w.as_dict(), postcodes=n) for w, n in self.wards]
        if self.link:
            data["link"] = self.link
        return data


class GeoIndex:
    def __init__(self, wards: list[WardInfo], polygons: list, postcodes: dict[str, tuple[int, float, float]]):
        self.wards = wards
        self.by_code = {w.code: i for i, w in enumerate(wards)}
        self.tree = STRtree(polygons)
        self.polygons = polygons
        shapely.prepare(polygons)
        self.postcodes = postcodes  # compact postcode -> (ward index or -1, lat, lng)
        self.districts: dict[str, Counter[int]] = {}
        self.sectors: dict[str, Counter[int]] = {}
        for key, (ward, _lat, _lng) in postcodes.items():
            outcode, sector = key[:-3], key[:-2]
            self.districts.setdefault(outcode, Counter())[ward] += 1
            self.sectors.setdefault(sector, Counter())[ward] += 1

    @classmethod
    def load(cls, engine: Engine) -> GeoIndex:
        with engine.connect() as conn:
            rows = conn.execute(
                select(
                    Ward.code,
                    Ward.name,
                    Ward.borough_code,
                    Borough.name,
                    Ward.force_id,
                    Force.name,
                    Force.url,
                    Ward.geometry,
                )
                .join(Borough, Borough.code == Ward.borough_code)
                .join(Force, Force.id == Ward.force_id)
                .where(Ward.generation == CURRENT_GENERATION)
                .order_by(Ward.code)
            ).all()
            wards = [WardInfo(*row[:7]) for row in rows]
            polygons = list(shapely.from_wkb([row[7] for row in rows])) if rows else []
            index = {w.code: i for i, w in enumerate(wards)}
            postcodes = {
                pc.replace(" ", ""): (index.get(ward, -1) if ward else -1, lat, lng)
                for pc, ward, lat, lng in conn.execute(
                    select(Postcode.postcode, Postcode.ward_code, Postcode.latitude, Postcode.longitude)
                )
            }
        return cls(wards, polygons, postcodes)

    @property
    def ready(self) -> bool:
        return bool(self.wards)

    # -- lookups ---------------------------------------------------------------------------------

    def locate(self, query: str) -> LookupResult:
        """A postcode (full or partial) or 'lat,lng'."""
        if match := _LATLNG.match(query or ""):
            return self.lookup_point(float(match.group(1)), float(match.group(2)), query=query)
        return self.lookup_postcode(query)

    def lookup_postcode(self, query: str) -> LookupResult:
        query = (query or "").strip()
        parsed = parse(query)
        if parsed is None:
            return LookupResult("invalid", query, INVALID_POSTCODE)
        if parsed.kind != "full":
            return self._lookup_partial(query, parsed)
        entry = self.postcodes.get(compact(parsed.text))
        if entry is None:
            if parsed.outcode not in self.districts:
                return _outside(query, parsed.text, postcode=parsed.text)
            return LookupResult(
                "not_found",
                query,
                postcode=parsed.text,
                message=f"We could not find the postcode {parsed.text}. Check it and try again. Postcodes "
                "created since 2014 are not in our data yet: try a neighbour's postcode instead.",
            )
        ward_index, lat, lng = entry
        if ward_index < 0:
            return LookupResult(
                "not_found",
                query,
                postcode=parsed.text,
                point=(lat, lng),
                message=f"We know {parsed.text} but could not place it in a London ward.",
            )
        return self._ward_result(query, self.wards[ward_index], postcode=parsed.text, point=(lat, lng))

    def lookup_point(self, lat: float, lng: float, *, query: str | None = None) -> LookupResult:
        query = query if query is not None else f"{lat},{lng}"
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            return LookupResult(
                "invalid",
                query,
                "Enter a latitude between -90 and 90 and a longitude "
                "between -180 and 180, like 51.5014,-0.1419",
            )
        hits = self.tree.query(shapely.Point(lng, lat), predicate="intersects")
        if len(hits) == 0:
            return _outside(query, "That place", point=(lat, lng))
        ward = self.wards[int(np.min(hits))]
        return self._ward_result(query, ward, point=(lat, lng))

    def ward(self, code: str) -> WardInfo | None:
        i = self.by_code.get(code)
        return None if i is None else self.wards[i]

    def _lookup_partial(self, query: str, parsed: ParsedPostcode) -> LookupResult:
        table = self.districts if parsed.kind == "outcode" else self.sectors
        counts = table.get(parsed.text.replace(" ", ""))
        if not counts:
            if parsed.outcode not in self.districts:
                return _outside(query, parsed.text, postcode=parsed.text)
            return LookupResult(
                "not_found",
                query,
                postcode=parsed.text,
                message=f"We could not find any postcodes starting {parsed.text}.",
            )
        wards = tuple((self.wards[i], n) for i, n in counts.most_common() if i >= 0)
        return LookupResult(
            "wards",
            query,
            postcode=parsed.text,
            wards=wards,
            message=f"Postcodes starting {parsed.text} are in {_wards(len(wards))}. "
            "Enter your full postcode to find your team.",
        )

    @staticmethod
    def _ward_result(query: str, ward: WardInfo, **where: Any) -> LookupResult:
        if ward.force_id == CITY:
            place = where.get("postcode") or "That place"
            return LookupResult(
                "city",
                query,
                ward=ward,
                link=ward.force_url,
                message=f"{place} is in the City of London, which is policed by the City of London Police, "
                "not the Metropolitan Police.",
                **where,
            )
        return LookupResult("ward", query, ward=ward, **where)


def _wards(n: int) -> str:
    return f"{n} ward" if n == 1 else f"{n} wards"


def _outside(query: str, place: str, **where: Any) -> LookupResult:
    return LookupResult(
        "outside",
        query,
        link=POLICE_UK_FORCE_FINDER,
        message=f"{place} is outside London. This portal covers the Metropolitan Police's Safer "
        "Neighbourhood Teams in London: find your local police force on police.uk.",
        **where,
    )
