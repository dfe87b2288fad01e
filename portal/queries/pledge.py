"""Named queries for the Pledge scorecard (issue 6): Pledge point 8's "information on how your force is
performing", and the closing promise "if we fail to meet our Pledge we will always explain why".

A scorecard is one area's figures (London, a borough or a team) for every indicator of the ten points, as
JSON-safe dicts: the pages' contexts. Figures come from two places:
- imported ones (`Measure` rows: call handling, the MOPAC survey, inspections), read as they were published;
- the ones this portal computes from its own records (meetings held, priority reviews on time, updates
  published), computed here for every team over the last 12 complete months (London time) from three
  column-only queries, then added up for a borough or London with `scorecard.total` (the share of all that
  was due, never a mean of shares).

Every rule (status, trend, grade) is `portal.services.scorecard`'s; nothing here decides a status itself.
A team's or borough's grade counts only figures for that area: a London figure shown on a team's card for
reference does not grade the team.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal.models import DEMO, MET, Borough, Force, Team
from portal.models.contact import DISSATISFACTION as CONTACT_DISSATISFACTION
from portal.models.contact import Submission
from portal.models.engagement import Meeting, Priority, PriorityReview, TeamUpdate
from portal.models.pledge import SOURCES, UNITS, Indicator, Measure, PledgePoint, SurveyNeighbourhood
from portal.queries.engagement import london_today
from portal.queries.explanations import explanations_for
from portal.services import scorecard as sc
from portal.services.compliance import add_months, last_complete_months, months
from portal.services.sla import LONDON as LONDON_TZ

TREND_MONTHS = 12
NO_EXPLANATION = "No explanation has been given yet."
LEVEL_NAMES = {
    "force": "London",
    "borough": "borough",
    "neighbourhood": "survey neighbourhood",
    "team": "team",
}
COUNTED = {  # what the numerator and denominator of a computed figure count
    sc.MEETINGS: "teams",
    sc.UPDATES: "teams",
    sc.REVIEWS: "reviews due",
}
ONE_TEAM = {  # a single team's month is 1 of 1 or 0 of 1: said in words
    sc.MEETINGS: ("Public meeting held", "No public meeting held"),
    sc.UPDATES: ("Update published", "No update published"),
}


# -- formatting --------------------------------------------------------------------------------------


def month_key(value: date) -> str:
    return f"{value:%Y-%m}"


def month_label(value: date) -> str:
    return f"{value:%B %Y}"


def day_label(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def utc_iso(value: datetime | str | None) -> str | None:
    """A stored instant as "2026-11-22T02:30:00Z" (naive values are UTC; SQLite gives naive, PostgreSQL
    aware ones)."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value.removesuffix("Z")
        value = datetime.fromisoformat(text)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="seconds") + "Z"


def number_text(value: float, decimals: int) -> str:
    return f"{value:,.{max(decimals, 0)}f}"


def value_text(value: float | None, unit: str, decimals: int) -> str:
    """73.5%, 12.0 minutes, 1,204, 1.2 per 10 officers or staff; "No data" for None."""
    if value is None:
        return "No data"
    number = number_text(value, decimals)
    suffix = UNITS.get(unit, unit)
    if suffix == "%":
        return f"{number}%"
    if unit == "minutes" and number in {"1", "1.0"}:
        return f"{number} minute"
    return f"{number} {suffix}".rstrip()


def target_text(target: float | None, unit: str, decimals: int, direction: str) -> str:
    if target is None:
        return "No target"
    words = "At least" if direction == "higher" else "No more than"
    return f"{words} {value_text(target, unit, decimals)}"


def fraction_text(
    numerator: float | None, denominator: float | None, counted: str | None = None
) -> str | None:
    if numerator is None or denominator is None:
        return None
    text = f"{numerator:,.0f} of {denominator:,.0f}"
    return f"{text} {counted}" if counted else text


# -- areas -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    level: str  # force, borough or team
    code: str
    name: str
    label: str  # "London", "Barking and Dagenham", "Chadwell Heath team"
    borough_code: str | None = None
    borough_name: str | None = None
    demo: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "code": self.code,
            "name": self.name,
            "label": self.label,
            "borough": {"code": self.borough_code, "name": self.borough_name} if self.borough_code else None,
            "demo": self.demo,
        }


def london_area(session: Session) -> Area:
    force = session.get(Force, MET)
    return Area("force", MET, force.name if force else "Metropolitan Police Service", "London")


def borough_area(session: Session, code: str) -> Area | None:
    """A London borough policed by the Met; None for an unknown code. (The City of London: see
    `met_team_count`.)"""
    row = session.execute(select(Borough.code, Borough.name).where(Borough.code == code)).first()
    return None if row is None else Area("borough", row[0], row[1], row[1], row[0], row[1])


def met_team_count(session: Session, borough_code: str) -> int:
    return len(session.scalars(select(Team.id).where(Team.borough_code == borough_code)).all())


def team_area(session: Session, code: str) -> Area | None:
    row = session.execute(
        select(Team.id, Team.name, Team.content_source, Borough.code, Borough.name)
        .join(Borough, Borough.code == Team.borough_code)
        .where(Team.id == code)
    ).first()
    if row is None:
        return None
    return Area("team", row[0], row[1], f"{row[1]} team", row[3], row[4], row[2] == DEMO)


def chain(session: Session, area: Area) -> list[Area]:
    """The area, then the areas it is part of: a team, its borough, London."""
    london = london_area(session)
    if area.level == "team":
        borough = Area("borough", area.borough_code, area.borough_name, area.borough_name)
        return [area, borough, london]
    if area.level == "borough":
        return [area, london]
    return [london]


# -- the catalogue -----------------------------------------------------------------------------------


def indicator_dict(ind: Indicator) -> dict[str, Any]:
    levels = ind.level_list
    return {
        "code": ind.code,
        "point": ind.pledge_point,
        "position": ind.position,
        "name": ind.name,
        "question": ind.question,
        "unit": ind.unit,
        "unit_label": UNITS.get(ind.unit, ind.unit),
        "decimals": ind.decimals,
        "target": ind.target,
        "target_text": target_text(ind.target, ind.unit, ind.decimals, ind.direction),
        "target_source": ind.target_source,
        "tolerance": ind.tolerance,
        "direction": ind.direction,
        "direction_text": "Higher is better" if ind.direction == "higher" else "Lower is better",
        "levels": levels,
        "levels_text": ", ".join(LEVEL_NAMES.get(level, level) for level in levels),
        "source": ind.source,
        "source_label": SOURCES.get(ind.source, ind.source),
        "calculation": ind.calculation,
        "met_promise": ind.met_promise,
        "computed": ind.code in sc.COMPUTED,
        "not_yet": sc.NOT_YET_COMPUTED.get(ind.code),
    }


def point_dict(point: PledgePoint) -> dict[str, Any]:
    inspection = None
    if point.inspection_grade:
        inspection = {
            "grade": point.inspection_grade,
            "label": sc.GRADE_LABELS.get(point.inspection_grade, point.inspection_grade.title()),
            "source": point.inspection_source,
        }
    return {
        "number": point.number,
        "title": point.title,
        "promise": point.promise,
        "portal_does": point.portal_does,
        "inspection": inspection,
    }


def catalogue(session: Session) -> list[dict[str, Any]]:
    """The ten points in order, each with its indicators in catalogue order."""
    points = [point_dict(p) for p in session.scalars(select(PledgePoint).order_by(PledgePoint.number))]
    indicators = session.scalars(
        select(Indicator).order_by(Indicator.pledge_point, Indicator.position, Indicator.code)
    ).all()
    by_point: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for ind in indicators:
        by_point[ind.pledge_point].append(indicator_dict(ind))
    for p in points:
        p["indicators"] = by_point.get(p["number"], [])
    return points


def get_indicator(session: Session, code: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(the indicator, its point) or None."""
    ind = session.get(Indicator, code)
    if ind is None:
        return None
    point = session.get(PledgePoint, ind.pledge_point)
    return indicator_dict(ind), point_dict(point) if point else {"number": ind.pledge_point}


def rules() -> dict[str, Any]:
    """How statuses and grades are decided: the service's own sentences, printed as they are."""
    return {
        "grades": [{"grade": g, "label": sc.GRADE_LABELS[g], "rule": rule} for g, rule in sc.GRADE_RULES],
        "statuses": [
            {"status": s, "label": sc.STATUS_LABELS[s], "rule": rule} for s, rule in sc.STATUS_RULES.items()
        ],
    }


# -- figures -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fig:
    """One figure of one indicator for one area and month."""

    month: date
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    period: str | None = None
    note: str | None = None
    source: str = ""
    loaded: datetime | date | None = None  # when it was imported, or the day it was computed
    computed: bool = False
    demo: bool = False
    fraction: str | None = None  # "672 of 679 teams", "No public meeting held"


def computed_fraction(code: str, count: sc.Count, one_team: bool) -> str | None:
    if one_team and code in ONE_TEAM and count.denominator == 1:
        return ONE_TEAM[code][0 if count.numerator else 1]
    if not count.denominator:
        return "Nothing was due" if code == sc.REVIEWS else None
    counted = COUNTED.get(code)
    if counted and count.denominator == 1:
        counted = counted.replace("teams", "team").replace("reviews", "review")
    return fraction_text(count.numerator, count.denominator, counted)


def as_of_text(fig: Fig) -> str:
    when = fig.period or month_label(fig.month)
    if fig.computed:
        day = fig.loaded if isinstance(fig.loaded, date) else None
        return f"Data as of {when}" + (f" (computed {day_label(day)})" if day else "")
    loaded = fig.loaded
    if isinstance(loaded, datetime):
        loaded = (loaded.astimezone(UTC) if loaded.tzinfo else loaded).date()
    return f"Data as of {when}" + (f" (loaded {day_label(loaded)})" if loaded else "")


@dataclass
class Computed:
    """Each team's computed figures over the window, by indicator: {indicator: {team: {month: Count}}}."""

    first: date
    last: date
    today: date
    teams: dict[str, tuple[str, str, bool]]  # id → (name, borough code, demo)
    counts: dict[str, dict[str, dict[date, sc.Count]]] = field(default_factory=dict)
    _figures: dict[tuple[str, str, str], list[Fig]] = field(default_factory=dict, repr=False)

    @property
    def months(self) -> list[date]:
        return months(self.first, self.last)

    def team_ids(self, area: Area) -> list[str]:
        if area.level == "team":
            return [area.code] if area.code in self.teams else []
        if area.level == "borough":
            return [t for t, (_n, borough, _d) in self.teams.items() if borough == area.code]
        return list(self.teams)

    def demo_count(self, area: Area) -> tuple[int, int]:
        ids = self.team_ids(area)
        return sum(1 for t in ids if self.teams[t][2]), len(ids)

    def figures(self, code: str, area: Area) -> list[Fig]:
        """Every month of the window, oldest first; a month with nothing due has value None. Kept: the
        same Computed serves every page of a content version."""
        key = (code, area.level, area.code)
        if key not in self._figures:
            self._figures[key] = self._add_up(code, area)
        return self._figures[key]

    def _add_up(self, code: str, area: Area) -> list[Fig]:
        ids = self.team_ids(area)
        per_team = self.counts.get(code, {})
        demo = any(self.teams[t][2] for t in ids)
        found = []
        for month in self.months:
            count = sc.total(per_team[t][month] for t in ids if t in per_team)
            found.append(
                Fig(
                    month,
                    count.value,
                    count.numerator,
                    count.denominator,
                    source=SOURCES["portal"],
                    loaded=self.today,
                    computed=True,
                    demo=demo,
                    fraction=computed_fraction(code, count, area.level == "team"),
                )
            )
        return found


def _window_instants(first: date, last: date) -> tuple[datetime, datetime]:
    """A UTC range safely wider than the London months first..last (a day either side)."""
    start = datetime(first.year, first.month, 1) - timedelta(days=1)
    end_month = add_months(last, 1)
    return start, datetime(end_month.year, end_month.month, 1) + timedelta(days=1)


def compute(session: Session, today: date | None = None) -> Computed:
    """Meetings held, priority reviews on time, updates published, messages answered and reports of
    dissatisfaction acknowledged within 24 hours, for every Met team, each of the last 12 complete months:
    four queries of the needed columns, then the scorecard's functions."""
    today = today or london_today()
    first, last = last_complete_months(today, TREND_MONTHS)
    start, end = _window_instants(first, last)
    teams = {
        tid: (name, borough, source == DEMO)
        for tid, name, borough, source in session.execute(
            select(Team.id, Team.name, Team.borough_code, Team.content_source).where(Team.force_id == MET)
        )
    }
    meetings: dict[str, list[Any]] = defaultdict(list)
    for row in session.execute(
        select(Meeting.team_id, Meeting.starts_at, Meeting.status).where(
            Meeting.starts_at >= start, Meeting.starts_at < end
        )
    ):
        meetings[row.team_id].append(row)
    updates: dict[str, list[Any]] = defaultdict(list)
    for row in session.execute(
        select(TeamUpdate.team_id, TeamUpdate.published_at, TeamUpdate.status).where(
            TeamUpdate.status == "published",
            TeamUpdate.published_at >= start,
            TeamUpdate.published_at < end,
        )
    ):
        updates[row.team_id].append(row)
    reviews: dict[str, list[Any]] = defaultdict(list)
    for row in session.execute(
        select(Priority.team_id, PriorityReview.due_on, PriorityReview.reviewed_on)
        .join(Priority, Priority.id == PriorityReview.priority_id)
        .where(PriorityReview.due_on >= first, PriorityReview.due_on < add_months(last, 1))
    ):
        reviews[row.team_id].append(row)
    # Messages and reports of dissatisfaction: only the team, kind and times (no personal data).
    now = datetime.now(UTC) if today == london_today() else datetime.combine(today, time(0), LONDON_TZ)
    messages: dict[str, list[Any]] = defaultdict(list)
    reports: dict[str, list[Any]] = defaultdict(list)
    for row in session.execute(
        select(
            Submission.team_id,
            Submission.kind,
            Submission.received_at,
            Submission.responded_at,
            Submission.acknowledged_at,
        ).where(
            Submission.team_id.is_not(None), Submission.received_at >= start, Submission.received_at < end
        )
    ):
        (reports if row.kind == CONTACT_DISSATISFACTION else messages)[row.team_id].append(row)
    result = Computed(first, last, today, teams)
    result.counts = {
        sc.MEETINGS: {t: sc.meeting_held_each_month(meetings.get(t, ()), first, last) for t in teams},
        sc.UPDATES: {t: sc.update_published_each_month(updates.get(t, ()), first, last) for t in teams},
        sc.REVIEWS: {t: sc.reviews_on_time_each_month(reviews.get(t, ()), first, last, today) for t in teams},
        sc.MESSAGES: {
            t: sc.messages_answered_each_month(messages.get(t, ()), first, last, now) for t in teams
        },
        sc.DISSATISFACTION: {
            t: sc.dissatisfaction_acknowledged_each_month(reports.get(t, ()), first, last, now) for t in teams
        },
    }
    return result


@dataclass
class Imported:
    """Imported figures: {(indicator, area code): [Fig, oldest first]}, and the survey neighbourhoods."""

    figures: dict[tuple[str, str], list[Fig]]
    neighbourhoods: dict[str, tuple[str, str]]  # code → (name, borough code)

    def of(self, code: str, area_code: str) -> list[Fig]:
        return self.figures.get((code, area_code), [])

    def neighbourhood_codes(self, borough_code: str | None = None) -> list[str]:
        return [
            c
            for c, (_name, borough) in sorted(self.neighbourhoods.items(), key=lambda kv: kv[1][0])
            if borough_code is None or borough == borough_code
        ]


def load_imported(session: Session, area_codes: Iterable[str], indicator: str | None = None) -> Imported:
    """The imported figures for these areas, and every survey neighbourhood's (for London's ranges)."""
    query = select(
        Measure.indicator_code,
        Measure.area_code,
        Measure.month,
        Measure.value,
        Measure.numerator,
        Measure.denominator,
        Measure.period,
        Measure.note,
        Measure.source,
        Measure.imported_at,
    ).where(or_(Measure.area_code.in_(list(area_codes)), Measure.level == "neighbourhood"))
    if indicator is not None:
        query = query.where(Measure.indicator_code == indicator)
    figures: dict[tuple[str, str], list[Fig]] = defaultdict(list)
    for code, area, month, value, num, den, period, note, source, loaded in session.execute(query):
        figures[(code, area)].append(Fig(month, value, num, den, period, note, source, loaded))
    for found in figures.values():
        found.sort(key=lambda f: f.month)
    neighbourhoods = {
        code: (name, borough)
        for code, name, borough in session.execute(
            select(SurveyNeighbourhood.code, SurveyNeighbourhood.name, SurveyNeighbourhood.borough_code)
        )
    }
    return Imported(dict(figures), neighbourhoods)


# -- one indicator for one area ------------------------------------------------------------------------


def fig_status(ind: dict[str, Any], fig: Fig | None) -> str:
    return sc.status(None if fig is None else fig.value, ind["target"], ind["direction"], ind["tolerance"])


def fig_dict(ind: dict[str, Any], fig: Fig | None) -> dict[str, Any] | None:
    if fig is None:
        return None
    status = fig_status(ind, fig)
    return {
        "month": month_key(fig.month),
        "month_label": month_label(fig.month),
        "short_label": f"{fig.month:%b %Y}",
        "period": fig.period,
        "value": None if fig.value is None else round(fig.value, 6),
        "value_text": value_text(fig.value, ind["unit"], ind["decimals"]),
        "numerator": fig.numerator,
        "denominator": fig.denominator,
        "fraction_text": fig.fraction if fig.computed else fraction_text(fig.numerator, fig.denominator),
        "status": status,
        "status_label": sc.STATUS_LABELS[status],
        "note": fig.note,
        "source": fig.source,
        "as_of": as_of_text(fig),
        "loaded_at": utc_iso(fig.loaded) if isinstance(fig.loaded, datetime) else None,
        "computed": fig.computed,
        "demo": fig.demo,
    }


def _with_values(figs: list[Fig]) -> list[Fig]:
    return [f for f in figs if f.value is not None]


def _at(figs: list[Fig], month: date) -> Fig | None:
    return next((f for f in figs if f.month == month), None)


class Scorecards:
    """Everything a scorecard or indicator page reads, loaded once, for one area and the areas above it."""

    def __init__(
        self,
        session: Session,
        area: Area,
        computed: Computed | None = None,
        indicator: str | None = None,
        today: date | None = None,
    ):
        self.area = area
        self.areas = chain(session, area)  # the area, its borough (a team's), London
        self.today = today or london_today()
        self.computed = computed or compute(session, self.today)
        codes = [a.code for a in self.areas]
        self.imported = load_imported(session, codes, indicator)
        self.borough_names = dict(session.execute(select(Borough.code, Borough.name)).all())
        self.explanations = {
            key: {**value, "recorded_at": utc_iso(value["recorded_at"])}
            for key, value in explanations_for(session, codes).items()
        }

    # where an indicator's figure for an area comes from
    def scope(self, ind: dict[str, Any], area: Area) -> tuple[str, Area | None]:
        """("own", area) when the indicator is measured for the area; ("higher", the nearest area above
        it that is measured); ("neighbourhoods", area) when only survey neighbourhoods are, for London or a
        borough; ("borough_pointer", borough) for a team; ("not_yet", None); ("none", None)."""
        if ind["computed"]:
            return "own", area
        if ind["not_yet"]:
            return "not_yet", None
        levels = ind["levels"]
        if area.level in levels:
            return "own", area
        if "neighbourhood" in levels:
            if area.level in ("force", "borough"):
                return "neighbourhoods", area
            return "borough_pointer", self.areas[1]
        above = self.areas[self.areas.index(area) + 1 :] if area in self.areas else []
        measured = [higher for higher in above if higher.level in levels]
        for higher in measured:  # the nearest with a figure, else the nearest measured at all
            if _with_values(self.imported.of(ind["code"], higher.code)):
                return "higher", higher
        return ("higher", measured[0]) if measured else ("none", None)

    def figures(self, ind: dict[str, Any], area: Area) -> list[Fig]:
        """The area's own figures, oldest first (computed: every month of the window)."""
        if ind["computed"]:
            return self.computed.figures(ind["code"], area)
        if ind["not_yet"] or area.level not in ind["levels"]:
            return []
        return self.imported.of(ind["code"], area.code)

    def neighbourhood_figures(self, ind: dict[str, Any], borough: str | None) -> list[tuple[str, str, Fig]]:
        """(code, name, latest figure) for each survey neighbourhood (of a borough) with a figure."""
        found = []
        for code in self.imported.neighbourhood_codes(borough):
            figs = _with_values(self.imported.of(ind["code"], code))
            if figs:
                found.append((code, self.imported.neighbourhoods[code][0], figs[-1]))
        return found

    def range_of(self, ind: dict[str, Any], area: Area) -> dict[str, Any] | None:
        """The spread of the latest survey figures across London's (or a borough's) neighbourhoods."""
        borough = area.code if area.level == "borough" else None
        found = self.neighbourhood_figures(ind, borough)
        if not found:
            return None
        month = max(f.month for _c, _n, f in found)
        latest = [(c, n, f) for c, n, f in found if f.month == month]
        low = min(latest, key=lambda item: (item[2].value, item[1]))
        high = min(latest, key=lambda item: (-item[2].value, item[1]))
        unit, decimals = ind["unit"], ind["decimals"]
        count = len(latest)
        places = f"{count} neighbourhood" + ("" if count == 1 else "s")

        def place(item: tuple[str, str, Fig]) -> str:  # names repeat across boroughs ("Central")
            if borough:
                return item[1]
            return f"{item[1]}, {self.borough_names.get(self.imported.neighbourhoods[item[0]][1], '')}".strip(
                ", "
            )

        if count == 1:
            text = f"{value_text(low[2].value, unit, decimals)} ({place(low)}), 1 neighbourhood"
        else:
            text = (
                f"from {value_text(low[2].value, unit, decimals)} ({place(low)}) to "
                f"{value_text(high[2].value, unit, decimals)} ({place(high)}), {places}"
            )
        met = None
        if ind["target"] is not None:
            met = sum(1 for _c, _n, f in latest if fig_status(ind, f) == sc.MET)
        sample = latest[0][2]
        return {
            "month": month_key(month),
            "month_label": month_label(month),
            "period": sample.period,
            "count": count,
            "low": {"code": low[0], "name": low[1], "value": low[2].value},
            "high": {"code": high[0], "name": high[1], "value": high[2].value},
            "text": text,
            "met": met,
            "met_text": None if met is None else f"{met} of {count} neighbourhoods met the target",
            "as_of": as_of_text(sample),
            "source": sample.source,
        }

    def neighbourhood_table(self, ind: dict[str, Any], borough: str) -> list[dict[str, Any]]:
        rows = []
        for code, name, fig in self.neighbourhood_figures(ind, borough):
            rows.append({"code": code, "name": name, **fig_dict(ind, fig)})
        return rows

    def explanation(self, ind: dict[str, Any], area: Area, month: date) -> dict[str, Any] | None:
        return self.explanations.get((ind["code"], area.code, month))

    def cell(self, ind: dict[str, Any], area: Area, month: date | None) -> dict[str, Any]:
        """One comparison cell: the area's figure for `month` (its latest when None)."""
        kind, where = self.scope(ind, area)
        base = {"level": area.level, "code": area.code, "label": area.label, "kind": kind}
        if kind == "own":
            figs = self.figures(ind, area)
            fig = _at(figs, month) if month else (_with_values(figs) or [None])[-1]
            if fig is None or fig.value is None:
                text = f"No figure for {month_label(month)}" if month else "No data"
                return {**base, "figure": None, "text": text, "status": sc.NO_DATA, "demo": False}
            figure = fig_dict(ind, fig)
            return {
                **base,
                "figure": figure,
                "text": figure["value_text"],
                "status": figure["status"],
                "demo": fig.demo,
            }
        if kind == "neighbourhoods":
            spread = self.range_of(ind, area)
            text = spread["text"] if spread else "No data"
            return {**base, "figure": None, "range": spread, "text": text, "status": None, "demo": False}
        if kind == "borough_pointer":
            text = f"Measured for survey neighbourhoods: see {where.label}"
            return {**base, "figure": None, "text": text, "status": None, "demo": False}
        if kind == "higher":
            return {
                **base,
                "figure": None,
                "text": f"Not measured for each {LEVEL_NAMES[area.level]}",
                "status": None,
                "demo": False,
            }
        if kind == "not_yet":
            return {**base, "figure": None, "text": "No data", "status": sc.NO_DATA, "demo": False}
        text = f"Not measured for each {LEVEL_NAMES[area.level]}"
        return {**base, "figure": None, "text": text, "status": None, "demo": False}

    def row(self, ind: dict[str, Any]) -> dict[str, Any]:
        """The indicator on this area's scorecard: its latest figure, status, trend, explanation, and the
        same month for the areas above."""
        area = self.area
        kind, where = self.scope(ind, area)
        row: dict[str, Any] = {
            "indicator": ind,
            "kind": kind,
            "scope": where.as_dict() if where else None,
            "latest": None,
            "status": sc.NO_DATA,
            "status_label": sc.STATUS_LABELS[sc.NO_DATA],
            "status_of": None,  # the area whose figure the status is for, when not this one
            "previous": None,
            "trend": None,
            "trend_label": None,
            "trend_text": None,
            "history": [],
            "explanation": None,
            "needs_explanation": False,
            "earlier_misses": [],
            "message": None,
            "range": None,
            "neighbourhoods": None,
            "demo": False,
        }
        if kind == "not_yet":
            row["message"] = ind["not_yet"]
        elif kind == "none":
            row["message"] = "Not measured for this area."
        elif kind == "borough_pointer":
            row["message"] = (
                f"Measured for the survey's neighbourhoods, not for each ward: see the {where.label} "
                "scorecard for its neighbourhoods."
            )
            row["status"] = row["status_label"] = None
        elif kind == "neighbourhoods":
            row["range"] = self.range_of(ind, area)
            if area.level == "borough":
                row["neighbourhoods"] = self.neighbourhood_table(ind, area.code)
            if row["range"] is None:
                row["message"] = "No survey figures for these neighbourhoods yet."
            elif ind["target"] is None:
                row["status"], row["status_label"] = sc.NO_TARGET, sc.STATUS_LABELS[sc.NO_TARGET]
            else:
                row["status"], row["status_label"] = None, row["range"]["met_text"]
        else:  # own or higher
            figs = _with_values(self.figures(ind, where))
            if kind == "higher":
                row["status_of"] = where.label
                row["message"] = (
                    f"Measured for {where.label} as a whole, not for each {LEVEL_NAMES[area.level]}."
                )
            if figs:
                latest = figs[-1]
                row["latest"] = fig_dict(ind, latest)
                row["status"] = row["latest"]["status"]
                row["status_label"] = row["latest"]["status_label"]
                row["demo"] = latest.demo
                row["history"] = [fig_status(ind, f) for f in reversed(figs)]
                found = sc.trend([(f.month, f.value) for f in figs], ind["direction"], ind["decimals"])
                if found:
                    before = figs[-2]
                    row["previous"] = fig_dict(ind, before)
                    row["trend"] = found
                    row["trend_label"] = sc.TREND_LABELS[found]
                    row["trend_text"] = (
                        f"{sc.TREND_LABELS[found]} (from "
                        f"{value_text(before.value, ind['unit'], ind['decimals'])} in "
                        f"{before.period or month_label(before.month)})"
                    )
                if row["status"] in (sc.MISSED, sc.CLOSE):
                    row["needs_explanation"] = True
                    row["explanation"] = self.explanation(ind, where, latest.month)
                row["earlier_misses"] = [  # newest first: each has its explanation on the indicator page
                    {
                        "month": month_key(f.month),
                        "month_label": f.period or month_label(f.month),
                        "status": fig_status(ind, f),
                        "explained": self.explanation(ind, where, f.month) is not None,
                    }
                    for f in reversed(figs[:-1])
                    if fig_status(ind, f) in (sc.MISSED, sc.CLOSE)
                ]
        if row["trend_text"] is None and row["latest"] is not None:
            row["trend_text"] = "No earlier figure, so no trend yet"
        month = None
        if row["latest"] is not None:
            month = date.fromisoformat(row["latest"]["month"] + "-01")
        row["cells"] = [self.cell(ind, a, month) for a in self.areas]
        return row

    def graded(self, rows: list[dict[str, Any]]) -> str:
        """The point's grade from the histories of its targeted indicators measured for this area."""
        histories = [
            r["history"] for r in rows if r["kind"] == "own" and r["indicator"]["target"] is not None
        ]
        return sc.grade(histories)

    def scorecard(self, points: list[dict[str, Any]]) -> dict[str, Any]:
        result = []
        for point in points:
            rows = [self.row(ind) for ind in point["indicators"]]
            grade = self.graded(rows)
            result.append(
                {
                    **{k: v for k, v in point.items() if k != "indicators"},
                    "grade": grade,
                    "grade_label": sc.GRADE_LABELS[grade],
                    "rows": rows,
                }
            )
        demo, teams = self.computed.demo_count(self.area)
        return {
            "area": self.area.as_dict(),
            "columns": [a.as_dict() for a in self.areas],
            "parts": self.parts(),
            "points": result,
            "summary": summary(result),
            "computed": self.window(),
            "demo": demo_note(demo, teams, self.area),
            "rules": rules(),
            "no_explanation": NO_EXPLANATION,
        }

    def parts(self) -> list[dict[str, Any]]:
        """The areas within this one, each with a scorecard: London's boroughs, a borough's teams."""
        teams = self.computed.teams
        if self.area.level == "force":
            codes = {borough for _name, borough, _demo in teams.values()}
            found = [{"level": "borough", "code": c, "name": self.borough_names.get(c, c)} for c in codes]
        elif self.area.level == "borough":
            ids = self.computed.team_ids(self.area)
            found = [{"level": "team", "code": t, "name": teams[t][0]} for t in ids]
        else:
            return []
        return sorted(found, key=lambda part: (part["name"], part["code"]))

    def window(self) -> dict[str, Any]:
        c = self.computed
        return {
            "from": month_key(c.first),
            "to": month_key(c.last),
            "from_label": month_label(c.first),
            "to_label": month_label(c.last),
            "computed_on": c.today.isoformat(),
        }

    # -- the indicator page --------------------------------------------------------------------------

    def indicator_page(self, ind: dict[str, Any], point: dict[str, Any]) -> dict[str, Any]:
        row = self.row(ind)
        kind, where = row["kind"], self.scope(ind, self.area)[1]
        table: list[dict[str, Any]] = []
        series_areas = self.areas
        if kind in ("own", "higher"):
            own = self.figures(ind, where)
            if not ind["computed"]:
                own = _with_values(own)
            others = [a for a in series_areas if a != where and self.scope(ind, a)[0] == "own"]
            for fig in own:
                figure = fig_dict(ind, fig)
                missed = figure["status"] in (sc.MISSED, sc.CLOSE)
                explanation = self.explanation(ind, where, fig.month) if missed else None
                comparisons = []
                for other in others:
                    other_fig = _at(self.figures(ind, other), fig.month)
                    comparisons.append(
                        {
                            "level": other.level,
                            "label": other.label,
                            "value": None if other_fig is None else other_fig.value,
                            "text": value_text(
                                None if other_fig is None else other_fig.value, ind["unit"], ind["decimals"]
                            ),
                            "fraction_text": None
                            if other_fig is None
                            else fig_dict(ind, other_fig)["fraction_text"],
                        }
                    )
                table.append(
                    {
                        **figure,
                        "needs_explanation": missed,
                        "explanation": explanation,
                        "explained": explanation is not None,
                        "comparisons": comparisons,
                    }
                )
            series = [where, *others]
        else:
            series = []
        missed = [r for r in table if r["needs_explanation"]]
        with_values = [r for r in table if r["value"] is not None]
        neighbourhoods = None
        if kind == "neighbourhoods":
            borough = self.area.code if self.area.level == "borough" else None
            neighbourhoods = [
                {"code": code, "name": name, "borough": self._borough_name(code), **fig_dict(ind, fig)}
                for code, name, fig in self.neighbourhood_figures(ind, borough)
            ]
        return {
            "area": self.area.as_dict(),
            "columns": [a.as_dict() for a in self.areas],
            "indicator": ind,
            "point": point,
            "row": row,
            "scope": where.as_dict() if where else None,
            "table": list(reversed(table)),  # newest first
            "series": [a.as_dict() for a in series],
            "missed": list(reversed(missed)),
            "trend_possible": len(with_values) >= 2,
            "figure_count": len(with_values),
            "neighbourhoods": neighbourhoods,
            "computed": self.window() if ind["computed"] else None,
            "demo": demo_note(*self.computed.demo_count(self.area), self.area) if ind["computed"] else None,
            "rules": rules(),
            "no_explanation": NO_EXPLANATION,
        }

    def _borough_name(self, neighbourhood: str) -> str | None:
        return self.borough_names.get(self.imported.neighbourhoods[neighbourhood][1])


def summary(points: list[dict[str, Any]]) -> dict[str, Any]:
    """How many indicators met, missed… their target, for the page's opening sentence."""
    counts: dict[str, int] = defaultdict(int)
    for point in points:
        for row in point["rows"]:
            if row["kind"] == "own":
                counts[row["status"]] += 1
    return {
        "met": counts[sc.MET],
        "close": counts[sc.CLOSE],
        "missed": counts[sc.MISSED],
        "no_data": counts[sc.NO_DATA],
        "no_target": counts[sc.NO_TARGET],
        "indicators": sum(len(p["rows"]) for p in points),
    }


def demo_note(demo: int, teams: int, area: Area) -> dict[str, Any] | None:
    """When computed figures include demo content: say so, with how much."""
    if not demo:
        return None
    if area.level == "team":
        text = (
            "The meetings, priority reviews and updates this team's figures are computed from are "
            "demonstration content, not real records."
        )
    else:
        text = (
            f"The meeting, priority review and update figures are computed from demonstration content for "
            f"{demo:,} of the {teams:,} teams, not from real records."
        )
    return {"teams": demo, "of": teams, "text": text}


def scorecard(session: Session, area: Area, computed: Computed | None = None) -> dict[str, Any]:
    """The whole scorecard page for an area, JSON-safe."""
    return Scorecards(session, area, computed).scorecard(catalogue(session))


def indicator_page(
    session: Session, area: Area, code: str, computed: Computed | None = None
) -> dict[str, Any] | None:
    found = get_indicator(session, code)
    if found is None:
        return None
    ind, point = found
    today = london_today()
    if not ind["computed"]:  # nothing to compute: skip the teams' records
        computed = Computed(*last_complete_months(today, TREND_MONTHS), today, {})
    return Scorecards(session, area, computed, indicator=code, today=today).indicator_page(ind, point)


# -- explanations, for the API -------------------------------------------------------------------------


def explanation_list(session: Session, area_code: str) -> list[dict[str, Any]]:
    """Every explanation recorded for an area, newest month first."""
    names = dict(session.execute(select(Indicator.code, Indicator.name)).all())
    found = explanations_for(session, [area_code])
    newest_first = sorted(found.items(), key=lambda kv: (-kv[0][2].toordinal(), kv[0][0]))
    return [
        {
            "indicator": code,
            "indicator_name": names.get(code, code),
            "area": area,
            "month": month_key(month),
            **{**value, "recorded_at": utc_iso(value["recorded_at"])},
        }
        for (code, area, month), value in newest_first
    ]


def explanation_dict(row: Any) -> dict[str, Any]:
    return {
        "indicator": row.indicator_code,
        "area": row.area_code,
        "month": month_key(row.month),
        "reason": row.reason,
        "action": row.action,
        "recorded_by": row.recorded_by,
        "recorded_at": utc_iso(row.updated_at),
        "demo": bool(row.is_demo),
    }
