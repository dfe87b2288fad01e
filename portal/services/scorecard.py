"""The Pledge scorecard's rules, as pure functions: the status of a figure against its target, the trend,
the grade of a Pledge point, and the indicators this portal computes from its own records.

Every rule the public sees is written here once, in `STATUS_RULES` and `GRADE_RULES`, and the pages print
those sentences, so the page and the code cannot disagree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from portal.services.compliance import local_month, months

# Statuses of one figure against its target.
MET, CLOSE, MISSED, NO_DATA, NO_TARGET = "met", "close", "missed", "no_data", "no_target"
STATUS_LABELS = {
    MET: "Met",
    CLOSE: "Close",
    MISSED: "Missed",
    NO_DATA: "No data",
    NO_TARGET: "No target",
}
DEFAULT_TOLERANCE_SHARE = 0.05  # "close" when short of the target by no more than 5% of it
STATUS_RULES = {
    MET: "Met: the figure reaches the target (at or above it where higher is better, at or below it where "
    "lower is better).",
    CLOSE: "Close: the target is missed by no more than the indicator's tolerance (5% of the target unless "
    "the indicator says otherwise).",
    MISSED: "Missed: the target is missed by more than the tolerance.",
    NO_DATA: "No data: there is no figure for this area yet.",
    NO_TARGET: "No target: the figure is published for information; nobody has set a target for it.",
}

# Grades of a Pledge point, HMIC's four words, with the rule that gives each.
EXCELLENT, GOOD, FAIR, POOR, NOT_GRADED = "EXCELLENT", "GOOD", "FAIR", "POOR", "NOT GRADED"
GRADE_RULES = (
    (
        EXCELLENT,
        "Every indicator with a target met it in each of its last three figures: consistently beyond "
        "the standard.",
    ),
    (
        GOOD,
        "No indicator missed its target in its latest figure, and at least half met it: meets the "
        "standard, with minor dips.",
    ),
    (
        FAIR,
        "Some indicators missed their target but no more than half of them, or none missed but fewer "
        "than half met it: variable, short of the standard.",
    ),
    (POOR, "More than half of the indicators missed their target: fails to meet an acceptable level."),
    (NOT_GRADED, "No indicator with a target has a figure for this area yet."),
)
GRADE_LABELS = {EXCELLENT: "Excellent", GOOD: "Good", FAIR: "Fair", POOR: "Poor", NOT_GRADED: "Not graded"}

IMPROVING, WORSENING, STEADY = "improving", "worsening", "steady"
TREND_LABELS = {IMPROVING: "Improving", WORSENING: "Getting worse", STEADY: "No change"}


def tolerance_of(target: float, tolerance: float | None) -> float:
    """How far short of the target still counts as close, in the indicator's unit."""
    return abs(target) * DEFAULT_TOLERANCE_SHARE if tolerance is None else tolerance


def status(value: float | None, target: float | None, direction: str, tolerance: float | None = None) -> str:
    """MET, CLOSE, MISSED, NO_DATA or NO_TARGET for one figure."""
    if value is None:
        return NO_DATA
    if target is None:
        return NO_TARGET
    shortfall = target - value if direction == "higher" else value - target
    if shortfall <= 0:
        return MET
    # A hair's width of float error must not turn a figure exactly on the edge into a miss.
    return CLOSE if shortfall <= tolerance_of(target, tolerance) + 1e-9 else MISSED


def trend(figures: Sequence[tuple[date, float]], direction: str, decimals: int = 1) -> str | None:
    """The latest figure against the one before it (both as shown, rounded to `decimals`); None with
    fewer than two figures. `figures` are (month, value), in any order."""
    if len(figures) < 2:
        return None
    ordered = sorted(figures)
    before, latest = round(ordered[-2][1], decimals), round(ordered[-1][1], decimals)
    if latest == before:
        return STEADY
    better = latest > before if direction == "higher" else latest < before
    return IMPROVING if better else WORSENING


def grade(histories: Iterable[Sequence[str]]) -> str:
    """The grade of a Pledge point from its targeted indicators. Each history is one indicator's statuses,
    newest first, of its figures for the area (NO_DATA and NO_TARGET entries are ignored)."""
    graded = [[s for s in history if s in (MET, CLOSE, MISSED)] for history in histories]
    graded = [history for history in graded if history]
    if not graded:
        return NOT_GRADED
    latest = [history[0] for history in graded]
    missed = latest.count(MISSED)
    if missed == 0:
        if all(len(h) >= 3 and all(s == MET for s in h[:3]) for h in graded):
            return EXCELLENT
        if latest.count(MET) * 2 >= len(latest):
            return GOOD
        return FAIR
    return FAIR if missed * 2 <= len(latest) else POOR


@dataclass(frozen=True)
class Count:
    """A computed figure: `numerator` of `denominator` (a percentage when shown). A zero denominator means
    nothing was due, which is no data, not 0%."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return 100.0 * self.numerator / self.denominator if self.denominator else None

    def __add__(self, other: Count) -> Count:
        return Count(self.numerator + other.numerator, self.denominator + other.denominator)


def total(counts: Iterable[Count]) -> Count:
    """Teams' figures added up for a borough or London: the share of all that was due, not a mean of
    shares."""
    result = Count(0, 0)
    for count in counts:
        result = result + count
    return result


def _get(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, Mapping) else getattr(row, name)


def _instant(value: Any) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value


def meeting_held_each_month(meetings: Iterable[Any], first: date, last: date) -> dict[date, Count]:
    """P7: for one team, each month from `first` to `last` is 1 of 1 when at least one public meeting that
    was not cancelled started in it (London local time), else 0 of 1."""
    held = {
        local_month(_instant(_get(m, "starts_at")))
        for m in meetings
        if (_get(m, "status") or "scheduled") != "cancelled"
    }
    return {month: Count(int(month in held), 1) for month in months(first, last)}


def update_published_each_month(updates: Iterable[Any], first: date, last: date) -> dict[date, Count]:
    """P8: for one team, 1 of 1 for each month in which it published at least one update (London time);
    drafts do not count."""
    published = {
        local_month(_instant(_get(u, "published_at")))
        for u in updates
        if _get(u, "status") == "published" and _get(u, "published_at") is not None
    }
    return {month: Count(int(month in published), 1) for month in months(first, last)}


def reviews_on_time_each_month(
    reviews: Iterable[Any], first: date, last: date, today: date
) -> dict[date, Count]:
    """P7: of the priority reviews that fell due in each month, how many were done on or before their due
    date. A review not yet done counts as late once its due date has passed; one due today or later that
    is not yet done is not counted. A month with nothing due has no figure (0 of 0)."""
    due: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for review in reviews:
        due_on, reviewed_on = _get(review, "due_on"), _get(review, "reviewed_on")
        if reviewed_on is None and due_on >= today:
            continue
        bucket = due[date(due_on.year, due_on.month, 1)]
        bucket[1] += 1
        bucket[0] += int(reviewed_on is not None and reviewed_on <= due_on)
    return {month: Count(*due.get(month, (0, 0))) for month in months(first, last)}


def _within_24_hours_each_month(
    items: Iterable[Any], answered_field: str, first: date, last: date, now: datetime
) -> dict[date, Count]:
    """Of what was received in each month (London time), how many were answered within 24 hours. One
    still unanswered counts as missed once its 24 hours are up; one not yet due and unanswered is not
    counted yet. A month with nothing received has no figure (0 of 0)."""
    from portal.services import sla

    counts: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    now = sla.aware(now)
    for item in items:
        received = _instant(_get(item, "received_at"))
        answered = _get(item, answered_field)
        answered = _instant(answered) if answered is not None else None
        if answered is None and now <= sla.due_at(received):
            continue
        bucket = counts[local_month(received)]
        bucket[1] += 1
        bucket[0] += int(bool(sla.within_24_hours(received, answered)))
    return {month: Count(*counts.get(month, (0, 0))) for month in months(first, last)}


def messages_answered_each_month(
    messages: Iterable[Any], first: date, last: date, now: datetime
) -> dict[date, Count]:
    """P4: for one team, of the messages received in each month (London time), how many were answered
    (their first reply, `responded_at`) within 24 hours."""
    return _within_24_hours_each_month(messages, "responded_at", first, last, now)


def dissatisfaction_acknowledged_each_month(
    reports: Iterable[Any], first: date, last: date, now: datetime
) -> dict[date, Count]:
    """P10: for one team, of the reports of dissatisfaction received in each month (London time), how many
    were acknowledged by a person (`acknowledged_at`) within 24 hours."""
    return _within_24_hours_each_month(reports, "acknowledged_at", first, last, now)


# The indicators this portal computes, by catalogue code.
MEETINGS = "P7-MEETING-MONTHLY"
REVIEWS = "P7-PRIORITIES-REVIEWED"
UPDATES = "P8-UPDATE-MONTHLY"
MESSAGES = "P4-MESSAGES-24H"
DISSATISFACTION = "P10-DISSATISFACTION-24H"
COMPUTED = (MEETINGS, REVIEWS, UPDATES, MESSAGES, DISSATISFACTION)
NOT_YET_COMPUTED: dict[str, str] = {}
