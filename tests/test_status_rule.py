"""The status rule (docs/guide.md, "Progress rules"): tables of cases, then properties.

Every case runs through the one implementation: one indicator or one parent is the array rule
on arrays of one.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from desktop.models.kinds import Direction, MilestoneState, ParentLight
from desktop.models.periods import month_number, period_end, periods_in
from desktop.models.status_rule import (
    STATE_CODES,
    STATUS_BY_CODE,
    AssessedArrays,
    Assessment,
    IndicatorArrays,
    IndicatorRule,
    Rollup,
    Status,
    Thresholds,
    assess,
    assess_arrays,
    forecast,
    own_lights,
    rollup_arrays,
    rollup_leaves,
)

YEAR_START = dt.date(2024, 12, 31)  # "as of" the day before the plan's first day
YEAR_END = dt.date(2025, 12, 31)


def rule(target: float = 300, baseline: float = 0.0, **kwargs: object) -> IndicatorRule:
    return IndicatorRule(target=target, start=YEAR_START, due=YEAR_END, baseline=baseline, **kwargs)  # type: ignore[arg-type]


def milestone(due: dt.date = YEAR_END) -> IndicatorRule:
    """A milestone planned for `due`; its clock starts with the plan's."""
    return IndicatorRule(target=None, start=YEAR_START, due=due)


# --- 序时进度 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "fraction"),
    [
        ("2024-06", 0.0),  # before the plan: clamped
        ("2024-12", 0.0),  # the plan's clock start
        ("2025-01", 31 / 365),
        ("2025-06", 181 / 365),
        ("2025-12", 1.0),
        ("2026-03", 1.0),  # after the deadline: clamped
    ],
)
def test_expected_progress_is_linear_in_time_and_clamped(as_of: str, fraction: float) -> None:
    assert assess(rule(), {}, as_of).expected == pytest.approx(fraction)


def test_expected_progress_runs_from_baseline_to_target() -> None:
    start = dt.date(2025, 6, 30)  # 184 days before the due date
    level = IndicatorRule(target=11000, start=start, due=YEAR_END, baseline=9000)

    def expected_value(as_of: str) -> float:
        return 9000 + (11000 - 9000) * assess(level, {}, as_of).expected

    assert expected_value("2025-06") == 9000
    assert expected_value("2025-12") == 11000
    assert expected_value("2025-09") == pytest.approx(10000)  # 92 days in


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
    indicator = rule(target, baseline, direction=direction)
    assert assess(indicator, {"2025-06": actual}, "2025-06").completion == pytest.approx(expected)


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
    assert assess(rule(), reported, as_of).status is status


def test_later_reports_do_not_leak_into_an_earlier_period() -> None:
    assessment = assess(rule(), {"2025-06": 150, "2025-07": 300}, "2025-06")
    assert assessment.status is Status.GREEN
    assert assessment.completion == pytest.approx(0.5)
    assert assessment.latest_period == "2025-06"


def test_thresholds_are_settings() -> None:
    strict = rule(thresholds=Thresholds(yellow=5, red=15))
    assert assess(strict, {"2025-06": 120}, "2025-06").status is Status.YELLOW
    assert assess(strict, {"2025-06": 90}, "2025-06").status is Status.RED
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
    assert assess(milestone(), states, as_of).status is status


def test_milestone_in_progress_counts_half() -> None:
    assessment = assess(milestone(), {"2025-05": MilestoneState.IN_PROGRESS}, "2025-05")
    assert rollup_leaves([(1.0, assessment)]).completion == 0.5


# --- roll-up -----------------------------------------------------------------------------


def leaf(
    completion_: float | None, status: Status, weight: float = 1.0, expected: float = 0.5
) -> tuple[float, Assessment]:
    return weight, Assessment(status, completion_, expected)


def rollup_tree(
    parents: list[int],
    indicators: list[tuple[int, tuple[float, Assessment]]],
    parent_light: ParentLight = ParentLight.ROLLUP,
) -> list[Rollup]:
    """Every node's roll-up: node i's parent is parents[i] (-1 for the root, an earlier node
    otherwise); each indicator is (its node, (weight, assessment))."""
    depth = [0] * len(parents)
    for node, parent in enumerate(parents):
        depth[node] = 0 if parent < 0 else depth[parent] + 1
    rolled = rollup_arrays(
        np.array(parents, dtype=np.int64),
        np.array(depth, dtype=np.int64),
        np.array([owner for owner, _ in indicators], dtype=np.int64),
        np.array([weight for _, (weight, _) in indicators], dtype=np.float64),
        AssessedArrays.of([assessment for _, (_, assessment) in indicators]),
        parent_light=parent_light,
    )
    return [rolled.at(node) for node in range(len(parents))]


def worst(statuses: list[Status]) -> Status:
    """The status a parent of indicators with these statuses shows under the worst-child rule."""
    leaves = [leaf(None, status) for status in statuses]
    return rollup_leaves(leaves, parent_light=ParentLight.WORST).status


def test_rollup_is_a_weighted_mean_of_capped_completions() -> None:
    result = rollup_leaves([leaf(1.4, Status.COMPLETED, weight=1), leaf(0.2, Status.RED, weight=3)])
    assert result.completion == pytest.approx((1.0 + 3 * 0.2) / 4)  # 140 % counts as 100 %
    # 40 % against 50 %: exactly 10 points behind, still green (a red child does not decide).
    assert result.status is Status.GREEN
    assert result.counts == {Status.COMPLETED: 1, Status.RED: 1}
    assert result.children == {Status.COMPLETED: 1, Status.RED: 1}


@pytest.mark.parametrize(
    ("completion", "expected", "thresholds", "status"),
    [
        (0.605, 0.583, Thresholds(), Status.GREEN),  # ahead of the 序时进度: not 严重滞后
        (0.605, 0.75, Thresholds(), Status.YELLOW),  # 14.5 points behind
        (0.605, 0.75, Thresholds(15, 30), Status.GREEN),  # the plan's own thresholds
        (0.40, 0.75, Thresholds(), Status.RED),  # 35 points behind
        (0.40, 0.75, Thresholds(10, 40), Status.YELLOW),
    ],
)
def test_a_parents_light_is_its_own_completion_against_its_own_planned_progress(
    completion: float, expected: float, thresholds: Thresholds, status: Status
) -> None:
    """A red child and a completed one, weighted so that the parent's own completion and 序时进度
    are the given ones: the parent's light follows those, not its worst child."""
    red = leaf(completion - 0.05, Status.RED, weight=1.0, expected=expected)
    ahead = leaf(completion + 0.05, Status.GREEN, weight=1.0, expected=expected)
    rolled = rollup_leaves([red, ahead], thresholds=thresholds)
    assert rolled.completion == pytest.approx(completion)
    assert rolled.status is status
    assert rollup_leaves([red, ahead], parent_light=ParentLight.WORST).status is Status.RED


def test_a_parent_with_nothing_reported_below_is_not_reported_and_all_done_is_completed() -> None:
    unreported = [leaf(None, Status.NOT_REPORTED), leaf(None, Status.NOT_REPORTED)]
    assert rollup_leaves(unreported).status is Status.NOT_REPORTED
    done = [leaf(1.2, Status.COMPLETED), leaf(1.0, Status.COMPLETED)]
    assert rollup_leaves(done).status is Status.COMPLETED
    assert rollup_leaves([]).status is Status.COMPLETED  # nothing to do


def test_rollup_of_nodes_weighs_each_child_node_equally() -> None:
    task, measure, _ = rollup_tree(
        [-1, 0, 0],  # a task with two measures
        [
            (1, leaf(0.9, Status.GREEN)),
            (1, leaf(None, Status.NOT_REPORTED)),
            (2, leaf(0.1, Status.YELLOW, weight=5)),
        ],
    )
    assert measure.completion == pytest.approx(0.45)  # nothing reported counts as 0
    assert task.completion == pytest.approx((0.45 + 0.1) / 2)
    assert task.status is Status.YELLOW  # its own 27.5 % against 50 %: 22.5 points behind
    assert task.counts == {Status.GREEN: 1, Status.NOT_REPORTED: 1, Status.YELLOW: 1}
    assert measure.status is Status.GREEN  # 45 % against 50 %
    assert task.children == {Status.GREEN: 1, Status.RED: 1}  # the second measure: 10 % vs 50 %


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


# --- properties --------------------------------------------------------------------------

values = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)
months = st.sampled_from([f"2025-{m:02d}" for m in range(1, 13)])
directions = st.sampled_from(list(Direction))


def sloped(baseline: float, gain: float, direction: Direction, **kwargs: object) -> IndicatorRule:
    """An indicator whose target lies `gain` beyond its baseline in its direction."""
    target = baseline - gain if direction is Direction.AT_MOST else baseline + gain
    return rule(target, baseline, direction=direction, **kwargs)


@settings(deadline=None)
@given(
    actual=values,
    increase=values,
    baseline=values,
    gain=st.floats(min_value=1e-3, max_value=1e6),
    direction=directions,
)
def test_completion_rises_with_the_actual_value_and_falls_for_at_most(
    actual: float, increase: float, baseline: float, gain: float, direction: Direction
) -> None:
    indicator = sloped(baseline, gain, direction)
    low = assess(indicator, {"2025-06": actual}, "2025-06").completion
    high = assess(indicator, {"2025-06": actual + increase}, "2025-06").completion
    assert low is not None and high is not None
    assert low <= high if direction is Direction.AT_LEAST else low >= high


@settings(deadline=None)
@given(
    share=st.floats(min_value=0, max_value=1, exclude_max=True),
    target=st.floats(min_value=1, max_value=1e6),
    as_of=months,
)
def test_nothing_below_target_is_ever_completed(share: float, target: float, as_of: str) -> None:
    actual = share * target
    assume(actual < target)
    assert assess(rule(target=target), {as_of: actual}, as_of).status is not (Status.COMPLETED)


@settings(deadline=None)
@given(
    figures=st.tuples(values, values),
    slope=st.tuples(values, st.floats(min_value=1e-3, max_value=1e6), directions),
    thresholds=st.sampled_from([(10.0, 30.0), (5.0, 15.0), (0.0, 0.0), (20.0, 20.0)]),
    as_of=st.sampled_from(periods_in(dt.date(2024, 11, 1), dt.date(2026, 2, 1))),
)
def test_a_light_never_gets_better_further_behind(
    figures: tuple[float, float],
    slope: tuple[float, float, Direction],
    thresholds: tuple[float, float],
    as_of: str,
) -> None:
    ahead, shortfall = figures
    baseline, gain, direction = slope
    indicator = sloped(baseline, gain, direction, thresholds=Thresholds(*thresholds))
    behind = shortfall if direction is Direction.AT_LEAST else -shortfall
    better = assess(indicator, {as_of: ahead}, as_of).status
    worse = assess(indicator, {as_of: ahead - behind}, as_of).status
    assert worse.severity >= better.severity


@settings(deadline=None)
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
    result = rollup_leaves([leaf(c, s, weight=w) for w, c, s in children])
    capped = [min(1.0, max(0.0, c)) for _, c, _ in children]
    assert min(capped) - 1e-9 <= result.completion <= max(capped) + 1e-9
    worst_child = rollup_leaves(
        [leaf(c, s, weight=w) for w, c, s in children], parent_light=ParentLight.WORST
    )
    assert worst_child.status.severity == max(s.severity for _, _, s in children)
    assert sum(result.counts.values()) == len(children)


@settings(deadline=None)
@given(baseline=values, gain=st.floats(min_value=1, max_value=1e5), actual=values, as_of=months)
def test_at_most_mirrors_at_least(baseline: float, gain: float, actual: float, as_of: str) -> None:
    """An "at most" indicator behaves as the "at least" one with every value negated."""
    up = rule(target=baseline + gain, baseline=baseline)
    down = rule(target=-(baseline + gain), baseline=-baseline, direction=Direction.AT_MOST)
    assessed_up = assess(up, {as_of: actual}, as_of)
    assessed_down = assess(down, {as_of: -actual}, as_of)
    assert assessed_down.status is assessed_up.status
    assert assessed_down.completion == pytest.approx(assessed_up.completion)


# --- many at once are each one alone -------------------------------------------------------

MONTHS = periods_in(dt.date(2025, 1, 1), YEAR_END)
numeric_indicators = st.tuples(
    st.floats(0, 500),  # baseline
    st.floats(0, 500),  # target
    directions,
    st.dictionaries(st.sampled_from(MONTHS), st.floats(0, 1000), max_size=12),
    st.sampled_from([(10.0, 30.0), (5.0, 15.0), (0.0, 0.0)]),
    st.sampled_from([YEAR_END, dt.date(2025, 6, 30)]),
)
milestones = st.tuples(
    st.dictionaries(st.sampled_from(MONTHS), st.sampled_from(list(MilestoneState)), max_size=12),
    st.sampled_from([YEAR_END, dt.date(2025, 6, 30)]),
)


def latest_of(history: dict[str, float], as_of: str) -> tuple[float, int]:
    past = sorted(p for p in history if p <= as_of)
    if not past:
        return np.nan, -1
    return history[past[-1]], month_number(past[-1])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(numeric_indicators, min_size=1, max_size=8),
    st.lists(milestones, max_size=4),
    st.sampled_from([*MONTHS, "2024-11", "2026-02"]),
)
def test_many_indicators_at_once_are_assessed_as_each_alone(
    numerics: list[tuple[float, float, Direction, dict[str, float], tuple[float, float], dt.date]],
    planned: list[tuple[dict[str, MilestoneState], dt.date]],
    as_of: str,
) -> None:
    rules: list[IndicatorRule] = []
    histories: list[dict[str, float]] = []
    alone: list[Assessment] = []
    for baseline, target, drawn, history, (yellow, red), due in numerics:
        valid = drawn is Direction.AT_LEAST or target < baseline
        direction = drawn if valid else Direction.AT_LEAST
        rules.append(
            IndicatorRule(target, YEAR_START, due, baseline, direction, Thresholds(yellow, red))
        )
        histories.append(history)
        alone.append(assess(rules[-1], history, as_of))
    for states, due in planned:
        rules.append(milestone(due))
        histories.append({p: float(STATE_CODES[s]) for p, s in states.items()})
        alone.append(assess(rules[-1], states, as_of))
    latest = [latest_of(history, as_of) for history in histories]
    together = assess_arrays(
        IndicatorArrays.of(rules),
        np.array([figure for figure, _ in latest], dtype=np.float64),
        np.array([month for _, month in latest], dtype=np.int64),
        as_of,
    )
    assert [together.at(i) for i in range(len(rules))] == alone


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_a_node_rolls_up_its_child_nodes_and_its_own_indicators(data: st.DataObject) -> None:
    """Rolled up as a tree, each node equals the roll-up of its own indicators and of its
    child nodes, each child weighing 1."""
    count = data.draw(st.integers(1, 12))
    parents = [-1] + [data.draw(st.integers(0, i - 1)) for i in range(1, count)]
    drawn = data.draw(
        st.lists(
            st.tuples(
                st.integers(0, count - 1),
                st.floats(0.1, 5),
                st.sampled_from(list(Status)),
                st.one_of(st.none(), st.floats(-1, 2)),
                st.floats(0, 1),
            ),
            max_size=20,
        )
    )
    indicators = [
        (owner, (weight, Assessment(status, done, expected)))
        for owner, weight, status, done, expected in drawn
    ]
    rolled = rollup_tree(parents, indicators)
    worst_rolled = rollup_tree(parents, indicators, ParentLight.WORST)
    for node in range(count):
        children = [rolled[c] for c in range(count) if parents[c] == node]
        own = [pair for owner, pair in indicators if owner == node]
        alone = rollup_leaves(
            [(1.0, Assessment(c.status, c.completion, c.expected)) for c in children] + own
        )
        assert rolled[node].completion == pytest.approx(alone.completion)
        assert rolled[node].expected == pytest.approx(alone.expected)
        # Its own light: its own figures against the thresholds, given what lies below it.
        below = np.array([[rolled[node].counts.get(s, 0) for s in STATUS_BY_CODE]])
        own_light = own_lights(
            np.array([rolled[node].completion]),
            np.array([rolled[node].expected]),
            below,
            Thresholds(),
        )
        assert rolled[node].status is STATUS_BY_CODE[int(own_light[0])]
        children_lights = [c.status for c in children] + [a.status for _, a in own]
        assert rolled[node].children == {
            s: children_lights.count(s) for s in Status if s in children_lights
        }
        # Under the worst-child rule: the worst light of its children.
        worst_children = [
            (1.0, Assessment(worst_rolled[c].status, 0.0, 0.0))
            for c in range(count)
            if parents[c] == node
        ]
        worst_alone = rollup_leaves(worst_children + own, parent_light=ParentLight.WORST)
        assert worst_rolled[node].status is worst_alone.status
        counts = {s: sum(c.counts.get(s, 0) for c in children) for s in Status}
        for _, assessment in own:
            counts[assessment.status] += 1
        assert rolled[node].counts == {s: n for s, n in counts.items() if n}
