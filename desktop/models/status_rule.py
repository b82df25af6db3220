"""The status rule: 序时进度 (expected progress), completion, the three-colour light, roll-up and
forecast, as docs/guide.md ("Progress rules") states them for users.

The rule exists once, on arrays: the window assesses ten thousand indicators and rolls up
thousands of nodes whenever the month changes; one indicator or one parent is the same rule on
arrays of one. Completions and 序时进度 are fractions (1.0 = 100 %); "points" are percentage points.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from desktop.models.kinds import Direction, MilestoneState, ParentLight
from desktop.models.periods import month_number, period_end, period_numbered, period_of


class Status(enum.StrEnum):
    """The three-colour light (三色预警) plus 已完成 and 未填报; values are stable codes."""

    COMPLETED = "completed"
    NOT_REPORTED = "not_reported"
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def severity(self) -> int:
        """Higher is worse (under the worst-child rule a parent shows its children's worst)."""
        return _SEVERITY[self]


_SEVERITY = {
    Status.COMPLETED: 0,
    Status.GREEN: 1,
    Status.NOT_REPORTED: 2,
    Status.YELLOW: 3,
    Status.RED: 4,
}
# Status codes in arrays are their severities: the worst of several is their maximum.
STATUS_BY_CODE: tuple[Status, ...] = tuple(sorted(Status, key=lambda s: s.severity))
_COMPLETED, _GREEN, _NOT_REPORTED, _YELLOW, _RED = (s.severity for s in STATUS_BY_CODE)

# A milestone "in progress" counts half towards roll-ups; only "done" counts fully.
MILESTONE_COMPLETION: Mapping[MilestoneState, float] = {
    MilestoneState.NOT_STARTED: 0.0,
    MilestoneState.IN_PROGRESS: 0.5,
    MilestoneState.DONE: 1.0,
}
# Milestone states as numbers in the figures matrix (0 would be "no report").
STATE_CODES: Mapping[MilestoneState, int] = {
    MilestoneState.NOT_STARTED: 1,
    MilestoneState.IN_PROGRESS: 2,
    MilestoneState.DONE: 3,
}
STATE_BY_CODE: Mapping[int, MilestoneState] = {code: state for state, code in STATE_CODES.items()}
_STATE_COMPLETION = np.array([np.nan] + [MILESTONE_COMPLETION[s] for s in STATE_CODES])

# Fewer months than this before the deadline turn a yellow light red.
FINAL_STRETCH_MONTHS = 3
# The most points behind the 序时进度 a plan's threshold can be set to.
POINTS_MAX = 100.0
# A forecast needs at least this many reported months.
FORECAST_MIN_POINTS = 3


@dataclass(frozen=True)
class Thresholds:
    """How many points behind the 序时进度 turn a light yellow, and red."""

    yellow: float = 10.0
    red: float = 30.0

    def __post_init__(self) -> None:
        if not 0 <= self.yellow <= self.red:
            raise ValueError(f"thresholds need 0 ≤ yellow ≤ red, got {self.yellow}, {self.red}")

    def overridden(self, yellow: float | None, red: float | None) -> Thresholds:
        """These thresholds with an indicator's own overrides applied."""
        if yellow is None and red is None:  # most indicators: the plan's own
            return self
        return Thresholds(
            self.yellow if yellow is None else yellow, self.red if red is None else red
        )


@dataclass(frozen=True)
class LightSettings:
    """How a plan's lights are set, as its row stores them (schema 3): the default thresholds,
    where a parent's light comes from, and the version a change is checked against."""

    thresholds: Thresholds = field(default_factory=Thresholds)
    parent_light: ParentLight = ParentLight.ROLLUP
    version: int = 1

    @classmethod
    def stored(
        cls, yellow: float, red: float, parent_light: ParentLight | str, version: int
    ) -> LightSettings:
        """As a plan's row holds them (yellow_points, red_points, parent_light as its member
        or its stored value, settings_version); a value of no ParentLight raises ValueError."""
        return cls(Thresholds(yellow, red), ParentLight(parent_light), version)


@dataclass(frozen=True)
class IndicatorRule:
    """What the rule needs to know of an indicator. A milestone has no target: its 序时进度
    runs from `start` (the plan's clock start) to `due` (its planned date).

    Dates are "as of the end of that day".
    """

    target: float | None
    start: dt.date
    due: dt.date
    baseline: float = 0.0
    direction: Direction = Direction.AT_LEAST
    thresholds: Thresholds = field(default_factory=Thresholds)

    @property
    def is_milestone(self) -> bool:
        return self.target is None


@dataclass(frozen=True)
class Forecast:
    """A straight-line projection of the reported values to the due date."""

    value: float
    completion: float
    misses_target: bool


class Assessment(NamedTuple):
    """An indicator's standing as of a period (a tuple: thousands are made per period switch)."""

    status: Status
    completion: float | None  # uncapped, None while nothing has been reported
    expected: float  # 序时进度 as a fraction of the way from baseline to target
    latest_period: str | None = None
    forecast: Forecast | None = None


class Rollup(NamedTuple):
    """A parent's weighted completion and 序时进度, its light, the count of the indicators below
    it per status, and the count of its direct children (nodes and own indicators) per light."""

    completion: float
    expected: float
    status: Status
    counts: Mapping[Status, int]
    children: Mapping[Status, int]


# --- the arrays the rule works on ----------------------------------------------------------


@dataclass(frozen=True)
class IndicatorArrays:
    """The fixed facts of many indicators, one position per indicator.

    Days are proleptic ordinals of "as of" dates; a milestone's target is NaN.
    """

    milestone: npt.NDArray[np.bool_]
    baseline: npt.NDArray[np.float64]
    target: npt.NDArray[np.float64]
    start: npt.NDArray[np.int64]
    due: npt.NDArray[np.int64]
    due_month: npt.NDArray[np.int64]
    at_most: npt.NDArray[np.bool_]
    yellow: npt.NDArray[np.float64]
    red: npt.NDArray[np.float64]

    @classmethod
    def of(cls, rules: Sequence[IndicatorRule]) -> IndicatorArrays:
        """The facts of these indicators, in their order."""
        return cls(
            milestone=np.array([rule.is_milestone for rule in rules], dtype=np.bool_),
            baseline=np.array([rule.baseline for rule in rules], dtype=np.float64),
            target=np.array(
                [np.nan if rule.target is None else rule.target for rule in rules],
                dtype=np.float64,
            ),
            start=np.array([rule.start.toordinal() for rule in rules], dtype=np.int64),
            due=np.array([rule.due.toordinal() for rule in rules], dtype=np.int64),
            due_month=np.array(
                [month_number(period_of(rule.due)) for rule in rules], dtype=np.int64
            ),
            at_most=np.array(
                [rule.direction is Direction.AT_MOST for rule in rules], dtype=np.bool_
            ),
            yellow=np.array([rule.thresholds.yellow for rule in rules], dtype=np.float64),
            red=np.array([rule.thresholds.red for rule in rules], dtype=np.float64),
        )


@dataclass(frozen=True)
class AssessedArrays:
    """Assessments of many indicators: status codes, completion (NaN: nothing reported), 序时进度
    and the month number of the latest report (-1: none)."""

    status: npt.NDArray[np.int64]
    completion: npt.NDArray[np.float64]
    expected: npt.NDArray[np.float64]
    latest_month: npt.NDArray[np.int64]

    @classmethod
    def of(cls, assessments: Sequence[Assessment]) -> AssessedArrays:
        """Assessments already made, as arrays (to roll them up)."""
        return cls(
            status=np.array([a.status.severity for a in assessments], dtype=np.int64),
            completion=np.array(
                [np.nan if a.completion is None else a.completion for a in assessments],
                dtype=np.float64,
            ),
            expected=np.array([a.expected for a in assessments], dtype=np.float64),
            latest_month=np.array(
                [
                    -1 if a.latest_period is None else month_number(a.latest_period)
                    for a in assessments
                ],
                dtype=np.int64,
            ),
        )

    def every(self) -> list[Assessment]:
        """Every indicator's assessment, in position order (as `at` gives each)."""
        months = self.latest_month.tolist()
        periods = {month: period_numbered(month) for month in set(months) if month >= 0}
        return [
            _assessment(status, completion, expected, periods.get(month))
            for status, completion, expected, month in zip(
                self.status.tolist(),
                self.completion.tolist(),
                self.expected.tolist(),
                months,
                strict=True,
            )
        ]

    def at(self, position: int) -> Assessment:
        """The assessment of the indicator at a position (without a forecast)."""
        month = int(self.latest_month[position])
        return _assessment(
            int(self.status[position]),
            float(self.completion[position]),
            float(self.expected[position]),
            None if month < 0 else period_numbered(month),
        )


def _assessment(status: int, completion: float, expected: float, period: str | None) -> Assessment:
    """An assessment as the arrays hold it: status code, completion (NaN: none), 序时进度 and
    the latest report's month."""
    return Assessment(
        STATUS_BY_CODE[status], None if math.isnan(completion) else completion, expected, period
    )


@dataclass(frozen=True)
class RolledUpArrays:
    """Roll-ups of many nodes: completion, 序时进度, status code, count of the indicators below
    per status code, count of the direct children per status code."""

    completion: npt.NDArray[np.float64]
    expected: npt.NDArray[np.float64]
    status: npt.NDArray[np.int64]
    counts: npt.NDArray[np.int64]  # nodes × status codes
    children: npt.NDArray[np.int64]  # nodes × status codes

    def at(self, position: int) -> Rollup:
        """The roll-up of the node at a position."""
        return Rollup(
            float(self.completion[position]),
            float(self.expected[position]),
            STATUS_BY_CODE[int(self.status[position])],
            _by_status(self.counts[position]),
            _by_status(self.children[position]),
        )


def _by_status(counts: npt.NDArray[np.int64]) -> dict[Status, int]:
    # tolist(): plain ints, several times faster to walk than numpy scalars (rows are read
    # for every visible tree row whenever the lights change)
    return {STATUS_BY_CODE[code]: n for code, n in enumerate(counts.tolist()) if n}


# --- the rule ------------------------------------------------------------------------------


_Numbers = npt.NDArray[np.float64] | float


def _meets_and_completion(
    value: _Numbers, baseline: _Numbers, target: _Numbers, at_most: npt.NDArray[np.bool_] | bool
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.float64]]:
    """Whether each value reaches its target in the indicator's direction, and its completion
    (A − B) / (T − B), uncapped; where T = B, 100 % once the value meets T, else 0 %.

    Element by element, for arrays or for one value (then as arrays of no dimension). Nothing
    divides by zero, and NaN (no figure, a milestone's target) passes through quietly.
    """
    meets = np.where(at_most, value <= target, value >= target)
    flat = target == baseline
    # A target a hair's breadth from its baseline (no plan has one) overflows to ±inf: an
    # infinite completion, which meets or misses the target as the figure does.
    with np.errstate(over="ignore"):
        done = np.where(flat, meets, (value - baseline) / np.where(flat, 1.0, target - baseline))
    return meets, done


def _expected(facts: IndicatorArrays, as_of_day: int) -> npt.NDArray[np.float64]:
    """序时进度: the share of the time from start to due that has passed, clamped to [0, 1]
    (E(t) = B + (T − B) × that share, as a fraction of the way from B to T)."""
    span = facts.due - facts.start
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(
            span > 0,
            np.clip((as_of_day - facts.start) / np.where(span > 0, span, 1), 0.0, 1.0),
            (as_of_day >= facts.due).astype(np.float64),
        )


def assess_arrays(
    facts: IndicatorArrays,
    latest: npt.NDArray[np.float64],
    latest_month: npt.NDArray[np.int64],
    as_of: str,
) -> AssessedArrays:
    """Every indicator's standing as of `as_of`.

    `latest` is each indicator's latest figure at or before `as_of` (a milestone's state
    code, NaN for none) and `latest_month` its month number (-1 for none). A numeric
    indicator is, in this order: 已完成 once its latest figure meets the target; 未填报 without
    a report for `as_of`; green up to the yellow threshold's points behind the 序时进度; red
    beyond the red threshold, or beyond the yellow one in the final stretch; else yellow. A
    milestone is 已完成 when done, red once its planned date has passed, 未填报 without a
    report for `as_of`, else green.
    """
    as_of_month = month_number(as_of)
    as_of_day = period_end(as_of).toordinal()
    has = latest_month >= 0
    reported_now = latest_month == as_of_month
    expected = _expected(facts, as_of_day)
    meets, numeric_done = _meets_and_completion(latest, facts.baseline, facts.target, facts.at_most)
    meets = has & meets
    numeric_done = np.where(has, numeric_done, np.nan)
    with np.errstate(over="ignore"):  # an infinite completion (above) is infinitely ahead
        behind = (expected - numeric_done) * 100.0
    months_left = facts.due_month - as_of_month
    numeric_status = np.select(
        [
            meets,
            ~reported_now,
            behind <= facts.yellow,
            (behind > facts.red) | (months_left < FINAL_STRETCH_MONTHS),
        ],
        [_COMPLETED, _NOT_REPORTED, _GREEN, _RED],
        _YELLOW,
    )
    state = np.where(has, latest, 0).astype(np.int64)
    milestone_status = np.select(
        [state == STATE_CODES[MilestoneState.DONE], as_of_day > facts.due, ~reported_now],
        [_COMPLETED, _RED, _NOT_REPORTED],
        _GREEN,
    )
    milestone_done = _STATE_COMPLETION[np.clip(state, 0, len(_STATE_COMPLETION) - 1)]
    return AssessedArrays(
        status=np.where(facts.milestone, milestone_status, numeric_status).astype(np.int64),
        completion=np.where(facts.milestone, milestone_done, numeric_done),
        expected=expected,
        latest_month=latest_month,
    )


def rollup_arrays(
    parent: npt.NDArray[np.int64],
    depth: npt.NDArray[np.int64],
    owner: npt.NDArray[np.int64],
    weight: npt.NDArray[np.float64],
    assessed: AssessedArrays,
    *,
    thresholds: Thresholds | None = None,
    parent_light: ParentLight = ParentLight.ROLLUP,
) -> RolledUpArrays:
    """Roll-ups of a whole tree: node i's parent is parent[i] (-1 for a root) at depth
    depth[i]; indicator j belongs to node owner[j] with weight weight[j].

    A node's completion and 序时进度 are the weighted means over its own indicators (completion
    capped to [0, 1], 0 while nothing is reported) and its child nodes (each weighing 1). Its
    light (`own_lights`) is its own completion against its own 序时进度 with the plan's
    `thresholds`, or, under `ParentLight.WORST`, the worst light among its indicators (已完成 for
    none). It counts the indicators below it per status, and its direct children per light.
    """
    thresholds = thresholds or Thresholds()
    nodes = len(parent)
    codes = len(STATUS_BY_CODE)
    done = np.nan_to_num(np.clip(assessed.completion, 0.0, 1.0), nan=0.0)
    total = np.bincount(owner, weights=weight, minlength=nodes)
    done_sum = np.bincount(owner, weights=weight * done, minlength=nodes)
    expected_sum = np.bincount(owner, weights=weight * assessed.expected, minlength=nodes)
    worst = np.full(nodes, -1, dtype=np.int64)
    np.maximum.at(worst, owner, assessed.status)
    counts = np.bincount(owner * codes + assessed.status, minlength=nodes * codes)
    counts = counts.reshape(nodes, codes).astype(np.int64)
    children = counts.copy()  # so far: each node's own indicators
    status = np.zeros(nodes, dtype=np.int64)
    completion = np.zeros(nodes)
    expected = np.zeros(nodes)
    for level in range(int(depth.max(initial=0)), -1, -1):
        members = np.flatnonzero(depth == level)
        weights = total[members]
        with np.errstate(invalid="ignore", divide="ignore"):
            completion[members] = np.where(weights > 0, done_sum[members] / weights, 0.0)
            expected[members] = np.where(weights > 0, expected_sum[members] / weights, 0.0)
        worst[members] = np.maximum(worst[members], _COMPLETED)
        if parent_light is ParentLight.WORST:
            status[members] = worst[members]
        else:
            status[members] = own_lights(
                completion[members], expected[members], counts[members], thresholds
            )
        above = parent[members]
        pushed = members[above >= 0]
        targets = parent[pushed]
        np.add.at(total, targets, 1.0)
        np.add.at(done_sum, targets, completion[pushed])
        np.add.at(expected_sum, targets, expected[pushed])
        np.maximum.at(worst, targets, worst[pushed])
        np.add.at(counts, targets, counts[pushed])
        np.add.at(children, (targets, status[pushed]), 1)
    return RolledUpArrays(completion, expected, status, counts, children)


def own_lights(
    completion: npt.NDArray[np.float64],
    expected: npt.NDArray[np.float64],
    counts: npt.NDArray[np.int64],
    thresholds: Thresholds,
) -> npt.NDArray[np.int64]:
    """Parents' own lights, from their roll-up completion against their roll-up 序时进度 and the
    count of the indicators below each per status (parents × status codes), in this order:
    已完成 once every indicator below is (or there is none); 未填报 while none below has a
    report for the month; green up to the yellow threshold's points behind; red beyond the red
    threshold; else yellow. (A parent has no deadline of its own: no final stretch.)"""
    total = counts.sum(axis=1)
    # Points as shown (40.0 % against 50.0 % is 10 points, not 10.000000000000009).
    behind = np.round((expected - completion) * 100.0, 9)
    return np.select(
        [
            counts[:, _COMPLETED] == total,
            counts[:, _NOT_REPORTED] == total,
            behind <= thresholds.yellow,
            behind > thresholds.red,
        ],
        [_COMPLETED, _NOT_REPORTED, _GREEN, _RED],
        _YELLOW,
    ).astype(np.int64)


# --- one indicator, one parent ---------------------------------------------------------------


def assess(
    rule: IndicatorRule, reported: Mapping[str, float | MilestoneState], as_of: str
) -> Assessment:
    """One indicator's standing as of `as_of`, from its reports by period (a milestone's are
    states; later reports are not seen): `assess_arrays` on arrays of one."""
    latest_period = max((period for period in reported if period <= as_of), default=None)
    figure, month = np.nan, -1
    if latest_period is not None:
        shown = reported[latest_period]
        figure = float(STATE_CODES[shown]) if isinstance(shown, MilestoneState) else float(shown)
        month = month_number(latest_period)
    assessed = assess_arrays(
        IndicatorArrays.of([rule]),
        np.array([figure], dtype=np.float64),
        np.array([month], dtype=np.int64),
        as_of,
    )
    return assessed.at(0)


def rollup_leaves(
    leaves: Sequence[tuple[float, Assessment]],
    *,
    thresholds: Thresholds | None = None,
    parent_light: ParentLight = ParentLight.ROLLUP,
) -> Rollup:
    """One parent's roll-up of some indicators directly ((weight, assessment) pairs):
    `rollup_arrays` on a tree of one node."""
    rolled = rollup_arrays(
        np.array([-1], dtype=np.int64),
        np.zeros(1, dtype=np.int64),
        np.zeros(len(leaves), dtype=np.int64),
        np.array([weight for weight, _ in leaves], dtype=np.float64),
        AssessedArrays.of([assessment for _, assessment in leaves]),
        thresholds=thresholds,
        parent_light=parent_light,
    )
    return rolled.at(0)


def forecast_arrays(
    facts: IndicatorArrays, figures: npt.NDArray[np.float64], days: npt.NDArray[np.int64]
) -> list[Forecast | None]:
    """`forecast` for many indicators at once: `figures` holds each indicator's reported
    figures month by month (NaN: none; only the months seen so far), `days` the ordinal day
    each month's figure is dated (its last day). The same line as `forecast`, computed with
    array operations (a plan of ten thousand indicators is seconds one by one)."""
    seen = ~np.isnan(figures)
    count = seen.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        x = np.where(seen, days.astype(np.float64), 0.0)
        y = np.where(seen, figures, 0.0)
        mean_x = x.sum(axis=1) / count
        mean_y = y.sum(axis=1) / count
        dx = np.where(seen, x - mean_x[:, None], 0.0)
        spread = (dx * dx).sum(axis=1)
        slope = (dx * np.where(seen, y - mean_y[:, None], 0.0)).sum(axis=1) / spread
        projected = mean_y + slope * (facts.due - mean_x)
    usable = (count >= FORECAST_MIN_POINTS) & (spread != 0) & ~np.isnan(facts.target)
    meets, done = _meets_and_completion(projected, facts.baseline, facts.target, facts.at_most)
    return [
        Forecast(value=float(projected[i]), completion=float(done[i]), misses_target=not meets[i])
        if usable[i]
        else None
        for i in range(len(usable))
    ]


def forecast(rule: IndicatorRule, reported: Sequence[tuple[dt.date, float]]) -> Forecast | None:
    """Least-squares line through the reported values, read at the due date, and what that
    value would complete (`forecast_arrays` for one indicator).

    None for a milestone, with fewer than three reports, or when they all fall on one day.
    """
    figures = np.array([[value for _, value in reported]], dtype=np.float64).reshape(1, -1)
    days = np.array([day.toordinal() for day, _ in reported], dtype=np.int64)
    return forecast_arrays(IndicatorArrays.of([rule]), figures, days)[0]
