"""The scorecard's rules at their boundaries, and the computed indicators on constructed months."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from portal.services import scorecard
from portal.services.scorecard import (
    CLOSE,
    EXCELLENT,
    FAIR,
    GOOD,
    IMPROVING,
    MET,
    MISSED,
    NO_DATA,
    NO_TARGET,
    NOT_GRADED,
    POOR,
    STEADY,
    WORSENING,
    Count,
    grade,
    status,
    total,
    trend,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (90.0, MET),  # exactly on the target
        (99.9, MET),
        (89.99, CLOSE),
        (85.5, CLOSE),  # 5% of 90 = 4.5 short: the edge of close
        (85.49, MISSED),
        (0.0, MISSED),
        (None, NO_DATA),
    ],
)
def test_status_where_higher_is_better(value, expected):
    assert status(value, 90, "higher") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(20.0, MET), (0.0, MET), (21.0, CLOSE), (21.01, MISSED), (None, NO_DATA)],
)
def test_status_where_lower_is_better(value, expected):
    # The abstraction rate: at most 20% of time off the patch; close within 1 percentage point of it.
    assert status(value, 20, "lower", tolerance=1) == expected


def test_an_explicit_tolerance_replaces_the_default():
    assert status(95, 100, "higher") == CLOSE  # 5% of 100
    assert status(95, 100, "higher", tolerance=2) == MISSED
    assert status(98, 100, "higher", tolerance=2) == CLOSE
    assert status(99, 100, "higher", tolerance=0) == MISSED


def test_a_figure_without_a_target_is_reported_not_judged():
    assert status(12.5, None, "higher") == NO_TARGET
    assert status(None, None, "higher") == NO_DATA


def test_the_real_june_2009_figures_get_the_statuses_the_rules_give():
    assert status(87.1, 90, "higher") == CLOSE  # 999 calls answered in 10 s: 2.9 points short
    assert status(70.5, 75, "higher") == MISSED  # urgent attendance in 12 min: 4.5 short, over 3.75


def test_every_status_and_grade_has_a_label_and_a_written_rule():
    for code in (MET, CLOSE, MISSED, NO_DATA, NO_TARGET):
        assert scorecard.STATUS_LABELS[code] and scorecard.STATUS_RULES[code]
    assert [g for g, _rule in scorecard.GRADE_RULES] == [EXCELLENT, GOOD, FAIR, POOR, NOT_GRADED]
    assert set(scorecard.GRADE_LABELS) == {g for g, _rule in scorecard.GRADE_RULES}


def test_trend_compares_the_latest_figure_with_the_one_before_in_the_better_direction():
    may, june, july = date(2026, 5, 1), date(2026, 6, 1), date(2026, 7, 1)
    assert trend([(june, 80.0), (july, 82.0)], "higher") == IMPROVING
    assert trend([(july, 82.0), (june, 80.0)], "higher") == IMPROVING  # any order
    assert trend([(june, 80.0), (july, 78.0)], "higher") == WORSENING
    assert trend([(june, 20.0), (july, 18.0)], "lower") == IMPROVING
    assert trend([(may, 10.0), (june, 80.0), (july, 80.04)], "higher") == STEADY  # same when shown
    assert trend([(june, 80.0), (july, 80.06)], "higher") == IMPROVING
    assert trend([(july, 80.0)], "higher") is None
    assert trend([], "higher") is None


@pytest.mark.parametrize(
    ("histories", "expected"),
    [
        ([[MET, MET, MET], [MET, MET, MET]], EXCELLENT),
        ([[MET, MET, MET], [MET, MET]], GOOD),  # too few figures to call it consistent
        ([[MET, MET, CLOSE], [MET, MET, MET]], GOOD),  # a dip two figures ago
        ([[MET], [CLOSE]], GOOD),  # half met, none missed
        ([[CLOSE], [CLOSE], [MET]], FAIR),  # none missed, but fewer than half met
        ([[MISSED], [MET]], FAIR),  # half missed
        ([[MISSED], [MET], [CLOSE]], FAIR),
        ([[MISSED], [MISSED], [MET]], POOR),  # more than half missed
        ([[MISSED]], POOR),
        ([[NO_DATA], [NO_TARGET]], NOT_GRADED),
        ([], NOT_GRADED),
        ([[MET, NO_DATA, MET, MET], [NO_TARGET]], EXCELLENT),  # gaps and untargeted figures are ignored
    ],
)
def test_grade_boundaries(histories, expected):
    assert grade(histories) == expected


def test_counts_add_up_as_shares_of_everything_due_not_as_a_mean_of_shares():
    assert Count(3, 4).value == 75.0
    assert Count(0, 0).value is None  # nothing due is no figure, not 0%
    assert total([Count(1, 1), Count(0, 1), Count(1, 2)]) == Count(2, 4)
    assert total([Count(1, 1), Count(0, 1), Count(1, 2)]).value == 50.0
    assert total([]).value is None


def _meeting(starts_at: datetime, status: str = "scheduled") -> dict:
    return {"starts_at": starts_at, "status": status}


def test_a_month_with_no_meeting_is_missed_and_a_cancelled_meeting_does_not_count():
    meetings = [
        _meeting(datetime(2026, 1, 14, 18, 0)),
        _meeting(datetime(2026, 2, 11, 18, 0), status="cancelled"),
        _meeting(datetime(2026, 3, 4, 18, 0)),
        _meeting(datetime(2026, 3, 25, 18, 0)),
    ]
    held = scorecard.meeting_held_each_month(meetings, date(2026, 1, 1), date(2026, 4, 1))
    assert held == {
        date(2026, 1, 1): Count(1, 1),
        date(2026, 2, 1): Count(0, 1),
        date(2026, 3, 1): Count(1, 1),  # two meetings still count once
        date(2026, 4, 1): Count(0, 1),
    }


def test_a_meeting_at_2330_on_the_last_day_of_a_bst_month_counts_in_that_month():
    # 23:30 on 31 August 2026 in London (BST) is 22:30 UTC; 00:30 on 1 October (BST) is 23:30 UTC on
    # 30 September, which is October's meeting, not September's.
    august = _meeting(datetime(2026, 8, 31, 22, 30))
    october = _meeting(datetime(2026, 9, 30, 23, 30))
    held = scorecard.meeting_held_each_month([august, october], date(2026, 8, 1), date(2026, 10, 1))
    assert held[date(2026, 8, 1)] == Count(1, 1)
    assert held[date(2026, 9, 1)] == Count(0, 1)
    assert held[date(2026, 10, 1)] == Count(1, 1)


def test_meeting_times_given_as_iso_text_with_z_are_read_as_utc():
    held = scorecard.meeting_held_each_month(
        [_meeting("2026-03-31T22:30:00Z")], date(2026, 3, 1), date(2026, 4, 1)
    )
    assert held[date(2026, 3, 1)] == Count(1, 1)  # 23:30 BST on 31 March
    assert held[date(2026, 4, 1)] == Count(0, 1)


def test_only_published_updates_count_in_the_london_month_they_were_published():
    updates = [
        {"status": "published", "published_at": datetime(2026, 6, 30, 23, 15)},  # 00:15 on 1 July BST
        {"status": "draft", "published_at": None},
        {"status": "draft", "published_at": datetime(2026, 8, 3, 9, 0)},
    ]
    published = scorecard.update_published_each_month(updates, date(2026, 6, 1), date(2026, 8, 1))
    assert published == {
        date(2026, 6, 1): Count(0, 1),
        date(2026, 7, 1): Count(1, 1),
        date(2026, 8, 1): Count(0, 1),
    }


def test_reviews_on_time_counts_what_fell_due_in_each_month():
    today = date(2026, 5, 20)
    reviews = [
        {"due_on": date(2026, 3, 10), "reviewed_on": date(2026, 3, 10)},  # on the day: on time
        {"due_on": date(2026, 3, 20), "reviewed_on": date(2026, 3, 21)},  # a day late
        {"due_on": date(2026, 4, 5), "reviewed_on": date(2026, 3, 30)},  # early
        {"due_on": date(2026, 4, 30), "reviewed_on": None},  # due date passed, not done: late
        {"due_on": date(2026, 5, 20), "reviewed_on": None},  # due today: not late yet, not counted
        {"due_on": date(2026, 5, 25), "reviewed_on": date(2026, 5, 19)},  # done ahead: counts on time
    ]
    result = scorecard.reviews_on_time_each_month(reviews, date(2026, 2, 1), date(2026, 5, 1), today)
    assert result == {
        date(2026, 2, 1): Count(0, 0),  # nothing due: no figure
        date(2026, 3, 1): Count(1, 2),
        date(2026, 4, 1): Count(1, 2),
        date(2026, 5, 1): Count(1, 1),
    }
    assert result[date(2026, 2, 1)].value is None
    assert result[date(2026, 3, 1)].value == 50.0


def test_the_computed_and_pending_indicator_codes_are_distinct():
    assert set(scorecard.COMPUTED).isdisjoint(scorecard.NOT_YET_COMPUTED)
    assert len(set(scorecard.COMPUTED)) == 5
    assert {scorecard.MESSAGES, scorecard.DISSATISFACTION} <= set(scorecard.COMPUTED)
