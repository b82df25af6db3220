"""The progress and status rules of DESIGN §4: tables of cases, then properties."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from desktop.models.progress import (
    Assessment,
    IndicatorRule,
    Status,
    Thresholds,
    assess_milestone,
    assess_numeric,
    completion,
    elapsed_fraction,
    expected_value,
    forecast,
    period_end,
    periods_in,
    rollup,
    worst,
)
from desktop.models.schema import Direction, MilestoneState

YEAR_START = dt.date(2024, 12, 31)  # "as of" the day before the plan's first day
YEAR_END = dt.date(2025, 12, 31)


def rule(target: float = 300, baseline: float = 0.0, **kwargs: object) -> IndicatorRule:
    return IndicatorRule(target=target, start=YEAR_START, due=YEAR_END, baseline=baseline, **kwargs)  # type: ignore[arg-type]


# --- 序时进度 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "fraction"),
    [
        (dt.date(2024, 6, 30), 0.0),  # before the plan: clamped
        (YEAR_START, 0.0),
        (dt.date(2025, 1, 31), 31 / 365),
        (dt.date(2025, 6, 30), 181 / 365),
        (YEAR_END, 1.0),
        (dt.date(2026, 3, 31), 1.0),  # after the deadline: clamped
    ],
)
def test_elapsed_fraction_is_linear_and_clamped(as_of: dt.date, fraction: float) -> None:
    assert elapsed_fraction(YEAR_START, YEAR_END, as_of) == pytest.approx(fraction)


def test_expected_value_runs_from_baseline_to_target() -> None:
    start, due = dt.date(2025, 6, 30), YEAR_END  # 184 days
    assert expected_value(9000, 11000, start, due, start) == 9000
    assert expected_value(9000, 11000, start, due, due) == 11000
    halfway = dt.date(2025, 9, 30)  # 92 days in
    assert expected_value(9000, 11000, start, due, halfway) == pytest.approx(10000)


# --- completion --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actual", "baseline", "target", "direction", "expected"),
    [
        (150, 0, 300, Direction.AT_LEAST, 0.5),
        (330, 0, 300, Direction.AT_LEAST, 1.1),  # over-fulfilment shows
        (10000, 9000, 11000, Direction.AT_LEAST, 0.5),  # measured from the baseline
        (8800, 9000, 11000, Direction.AT_LEAST, -0.1),  # fell below the baseline
        (90, 100, 80, Direction.AT_MOST, 0.5),  # "at most": going down is progress
        (75, 75, 75, Direction.AT_LEAST, 1.0),  # T = B: done once met
        (74, 75, 75, Direction.AT_LEAST, 0.0),
        (76, 75, 75, Direction.AT_MOST, 0.0),
    ],
)
def test_completion_table(
    actual: float, baseline: float, target: float, direction: Direction, expected: float
) -> None:
    assert completion(actual, baseline, target, direction) == pytest.approx(expected)


# --- the light of a numeric indicator ----------------------------------------------------

JUNE_EXPECTED = 181 / 365 * 100  # 序时进度 at the end of June, in points ≈ 49.6


@pytest.mark.parametrize(
    ("reported", "as_of", "status"),
    [
        ({"2025-06": 300}, "2025-06", Status.COMPLETED),
        ({"2025-03": 310}, "2025-06", Status.COMPLETED),  # met earlier: still done
        ({}, "2025-06", Status.NOT_REPORTED),
        ({"2025-05": 100}, "2025-06", Status.NOT_REPORTED),  # June is due, May is not June
        ({"2025-06": 150}, "2025-06", Status.GREEN),  # on the line
        ({"2025-06": 120}, "2025-06", Status.GREEN),  # 9.6 points behind
        ({"2025-06": 118}, "2025-06", Status.YELLOW),  # 10.3 points behind
        ({"2025-06": 60}, "2025-06", Status.YELLOW),  # 29.6 points behind
        ({"2025-06": 58}, "2025-06", Status.RED),  # 30.3 points behind
        ({"2025-09": 180}, "2025-09", Status.YELLOW),  # 15 behind, 3 months left
        ({"2025-10": 210}, "2025-10", Status.RED),  # 13 behind, under 3 months left
        ({"2025-10": 230}, "2025-10", Status.GREEN),  # 6 behind in the final stretch
    ],
)
def test_numeric_status_table(reported: dict[str, float], as_of: str, status: Status) -> None:
    assert assess_numeric(rule(), reported, as_of).status is status


def test_later_reports_do_not_leak_into_an_earlier_period() -> None:
    assessment = assess_numeric(rule(), {"2025-06": 150, "2025-07": 300}, "2025-06")
    assert assessment.status is Status.GREEN
    assert assessment.completion == pytest.approx(0.5)
    assert assessment.latest_period == "2025-06"


def test_thresholds_are_settings() -> None:
    strict = rule(thresholds=Thresholds(yellow=5, red=15))
    assert assess_numeric(strict, {"2025-06": 120}, "2025-06").status is Status.YELLOW
    assert assess_numeric(strict, {"2025-06": 90}, "2025-06").status is Status.RED
    with pytest.raises(ValueError, match="thresholds"):
        Thresholds(yellow=30, red=10)


def test_an_indicator_can_override_one_threshold() -> None:
    assert Thresholds().overridden(5, None) == Thresholds(5, 30)


# --- milestones --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("states", "as_of", "status"),
    [
        ({"2025-06": MilestoneState.DONE}, "2025-06", Status.COMPLETED),
        ({"2025-03": MilestoneState.DONE}, "2025-06", Status.COMPLETED),
        ({"2025-06": MilestoneState.IN_PROGRESS}, "2025-06", Status.GREEN),
        ({"2025-06": MilestoneState.NOT_STARTED}, "2025-06", Status.GREEN),
        ({}, "2025-06", Status.NOT_REPORTED),
        ({"2025-12": MilestoneState.IN_PROGRESS}, "2025-12", Status.GREEN),  # due today
        ({"2025-12": MilestoneState.IN_PROGRESS}, "2026-01", Status.RED),  # date passed
        ({}, "2026-01", Status.RED),
    ],
)
def test_milestone_status_table(
    states: dict[str, MilestoneState], as_of: str, status: Status
) -> None:
    assert assess_milestone(states, YEAR_START, YEAR_END, as_of).status is status


def test_milestone_in_progress_counts_half() -> None:
    assessment = assess_milestone(
        {"2025-05": MilestoneState.IN_PROGRESS}, YEAR_START, YEAR_END, "2025-05"
    )
    assert assessment.rollup_completion == 0.5


# --- roll-up -----------------------------------------------------------------------------


def leaf(
    completion_: float | None, status: Status, weight: float = 1.0, expected: float = 0.5
) -> tuple[float, Assessment]:
    return weight, Assessment(status, completion_, expected)


def test_rollup_is_a_weighted_mean_of_capped_completions() -> None:
    result = rollup(leaves=[leaf(1.4, Status.COMPLETED, weight=1), leaf(0.2, Status.RED, weight=3)])
    assert result.completion == pytest.approx((1.0 + 3 * 0.2) / 4)  # 140 % counts as 100 %
    assert result.status is Status.RED
    assert result.counts == {Status.COMPLETED: 1, Status.RED: 1}


def test_rollup_of_nodes_weighs_each_child_node_equally() -> None:
    measure = rollup(leaves=[leaf(0.9, Status.GREEN), leaf(None, Status.NOT_REPORTED)])
    assert measure.completion == pytest.approx(0.45)  # nothing reported counts as 0
    task = rollup(nodes=[measure, rollup(leaves=[leaf(0.1, Status.YELLOW, weight=5)])])
    assert task.completion == pytest.approx((0.45 + 0.1) / 2)
    assert task.status is Status.YELLOW
    assert task.counts == {Status.GREEN: 1, Status.NOT_REPORTED: 1, Status.YELLOW: 1}


def test_worst_status_order() -> None:
    assert worst([Status.GREEN, Status.NOT_REPORTED]) is Status.NOT_REPORTED
    assert worst([Status.YELLOW, Status.NOT_REPORTED, Status.GREEN]) is Status.YELLOW
    assert worst([Status.COMPLETED, Status.COMPLETED]) is Status.COMPLETED
    assert worst([Status.COMPLETED, Status.GREEN, Status.RED]) is Status.RED


# --- forecast ----------------------------------------------------------------------------


def test_forecast_projects_a_straight_line_to_the_due_date() -> None:
    points = [(period_end(p), v) for p, v in (("2025-01", 25), ("2025-02", 48), ("2025-03", 74))]
    result = forecast(rule(), points)
    assert result is not None
    assert result.value == pytest.approx(300, rel=0.03)
    slow = forecast(rule(), [(d, v / 2) for d, v in points])
    assert slow is not None and slow.misses_target
    assert slow.completion == pytest.approx(0.5, rel=0.05)


def test_forecast_needs_three_reports() -> None:
    assert forecast(rule(), [(period_end("2025-01"), 10), (period_end("2025-02"), 20)]) is None


def test_periods_of_the_plan() -> None:
    months = periods_in(dt.date(2025, 1, 1), YEAR_END)
    assert months[0] == "2025-01" and months[-1] == "2025-12" and len(months) == 12
    assert periods_in(dt.date(2024, 11, 5), dt.date(2025, 2, 1)) == [
        "2024-11",
        "2024-12",
        "2025-01",
        "2025-02",
    ]


# --- properties --------------------------------------------------------------------------

values = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)
months = st.sampled_from([f"2025-{m:02d}" for m in range(1, 13)])


@given(
    actual=values, increase=values, baseline=values, gain=st.floats(min_value=1e-3, max_value=1e6)
)
def test_completion_grows_with_the_actual_value(
    actual: float, increase: float, baseline: float, gain: float
) -> None:
    target = baseline + gain
    low = completion(actual, baseline, target, Direction.AT_LEAST)
    high = completion(actual + increase, baseline, target, Direction.AT_LEAST)
    assert low <= high


@given(
    share=st.floats(min_value=0, max_value=1, exclude_max=True),
    target=st.floats(min_value=1, max_value=1e6),
    as_of=months,
)
def test_nothing_below_target_is_ever_completed(share: float, target: float, as_of: str) -> None:
    actual = share * target
    assume(actual < target)
    assert assess_numeric(rule(target=target), {as_of: actual}, as_of).status is not (
        Status.COMPLETED
    )


@given(
    st.lists(
        st.tuples(
            st.floats(min_value=0.1, max_value=10),
            st.floats(min_value=-1, max_value=3),
            st.sampled_from(list(Status)),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_rollup_lies_between_the_childrens_extremes(
    children: list[tuple[float, float, Status]],
) -> None:
    result = rollup(leaves=[leaf(c, s, weight=w) for w, c, s in children])
    capped = [min(1.0, max(0.0, c)) for _, c, _ in children]
    assert min(capped) - 1e-9 <= result.completion <= max(capped) + 1e-9
    assert result.status.severity == max(s.severity for _, _, s in children)
    assert sum(result.counts.values()) == len(children)


@given(baseline=values, gain=st.floats(min_value=1, max_value=1e5), actual=values, as_of=months)
def test_at_most_mirrors_at_least(baseline: float, gain: float, actual: float, as_of: str) -> None:
    """An "at most" indicator behaves as the "at least" one with every value negated."""
    up = rule(target=baseline + gain, baseline=baseline)
    down = rule(target=-(baseline + gain), baseline=-baseline, direction=Direction.AT_MOST)
    assessed_up = assess_numeric(up, {as_of: actual}, as_of)
    assessed_down = assess_numeric(down, {as_of: -actual}, as_of)
    assert assessed_down.status is assessed_up.status
    assert assessed_down.completion == pytest.approx(assessed_up.completion)
