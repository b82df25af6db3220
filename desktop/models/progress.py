"""Progress and status rules (DESIGN §4) as pure functions: 序时进度, completion, lights, roll-up.

Nothing here touches the database; callers pass plain values. Completions and expected
progress are fractions (1.0 = 100 %); "points" are percentage points.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from desktop.models.schema import Direction, MilestoneState


class Status(enum.StrEnum):
    """The three-colour light (三色预警) plus 已完成 and 未填报; values are stable codes."""

    COMPLETED = "completed"
    NOT_REPORTED = "not_reported"
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def label(self) -> str:
        """The Chinese word users read next to the light."""
        return _STATUS_LABELS[self]

    @property
    def severity(self) -> int:
        """Higher is worse; a parent shows the worst status among its children."""
        return _SEVERITY[self]


_STATUS_LABELS = {
    Status.COMPLETED: "已完成",
    Status.NOT_REPORTED: "未填报",
    Status.GREEN: "正常",
    Status.YELLOW: "滞后",
    Status.RED: "严重滞后",
}
_SEVERITY = {
    Status.COMPLETED: 0,
    Status.GREEN: 1,
    Status.NOT_REPORTED: 2,
    Status.YELLOW: 3,
    Status.RED: 4,
}

# A milestone "in progress" counts half towards roll-ups; only "done" counts fully.
MILESTONE_COMPLETION: Mapping[MilestoneState, float] = {
    MilestoneState.NOT_STARTED: 0.0,
    MilestoneState.IN_PROGRESS: 0.5,
    MilestoneState.DONE: 1.0,
}

# Fewer months than this before the deadline turn a yellow light red (DESIGN §4).
FINAL_STRETCH_MONTHS = 3
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
        return Thresholds(
            self.yellow if yellow is None else yellow, self.red if red is None else red
        )


# --- periods -------------------------------------------------------------------------------


@functools.cache
def parse_period(period: str) -> tuple[int, int]:
    """(year, month) of a period "YYYY-MM"; ValueError with the offending text otherwise."""
    try:
        year_text, month_text = period.split("-")
        year, month = int(year_text), int(month_text)
    except ValueError:
        raise ValueError(f"'{period}' is not a month of the form YYYY-MM") from None
    if len(year_text) != 4 or len(month_text) != 2 or not 1 <= month <= 12:
        raise ValueError(f"'{period}' is not a month of the form YYYY-MM")
    return year, month


def period_of(day: dt.date) -> str:
    """The period "YYYY-MM" that contains `day`."""
    return f"{day.year:04d}-{day.month:02d}"


@functools.cache
def period_end(period: str) -> dt.date:
    """The last day of the period."""
    year, month = parse_period(period)
    first_of_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - dt.timedelta(days=1)


def months_between(earlier: str, later: str) -> int:
    """Whole months from `earlier` to `later` (negative when `later` comes first)."""
    y1, m1 = parse_period(earlier)
    y2, m2 = parse_period(later)
    return (y2 * 12 + m2) - (y1 * 12 + m1)


def periods_in(start: dt.date, end: dt.date) -> list[str]:
    """Every period from the one containing `start` to the one containing `end`."""
    first, last = period_of(start), period_of(end)
    year, month = parse_period(first)
    return [
        f"{year + (month - 1 + i) // 12:04d}-{(month - 1 + i) % 12 + 1:02d}"
        for i in range(months_between(first, last) + 1)
    ]


# --- the rules for one indicator -----------------------------------------------------------


def elapsed_fraction(start: dt.date, due: dt.date, as_of: dt.date) -> float:
    """Share of the time from `start` to `due` that has passed on `as_of`, clamped to [0, 1].

    All three are "as of the end of that day" dates.
    """
    if due <= start:
        return 1.0 if as_of >= due else 0.0
    fraction = (as_of - start).days / (due - start).days
    return min(1.0, max(0.0, fraction))


def expected_value(
    baseline: float, target: float, start: dt.date, due: dt.date, as_of: dt.date
) -> float:
    """序时进度 as a value: E(t) = B + (T − B) × clamp((t − t0) / (t1 − t0), 0, 1)."""
    return baseline + (target - baseline) * elapsed_fraction(start, due, as_of)


def meets_target(actual: float, target: float, direction: Direction) -> bool:
    """Whether the actual value reaches the target in the indicator's direction."""
    if direction is Direction.AT_MOST:
        return actual <= target
    return actual >= target


def completion(actual: float, baseline: float, target: float, direction: Direction) -> float:
    """(A − B) / (T − B), uncapped; where T = B, 100 % once A meets T, else 0 %."""
    if target == baseline:
        return 1.0 if meets_target(actual, target, direction) else 0.0
    return (actual - baseline) / (target - baseline)


def capped(value: float) -> float:
    """A completion limited to [0, 1], as roll-ups use it."""
    return min(1.0, max(0.0, value))


def light(
    completion_fraction: float,
    expected_fraction: float,
    months_left: int,
    thresholds: Thresholds,
) -> Status:
    """Green, yellow or red from the points behind the 序时进度 and the time left."""
    behind = (expected_fraction - completion_fraction) * 100.0
    if behind <= thresholds.yellow:
        return Status.GREEN
    if behind > thresholds.red or months_left < FINAL_STRETCH_MONTHS:
        return Status.RED
    return Status.YELLOW


@dataclass(frozen=True)
class IndicatorRule:
    """What the rules need to know of a numeric indicator."""

    target: float
    start: dt.date
    due: dt.date
    baseline: float = 0.0
    direction: Direction = Direction.AT_LEAST
    thresholds: Thresholds = field(default_factory=Thresholds)


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

    @property
    def rollup_completion(self) -> float:
        """The completion as a roll-up counts it: capped, and 0 while nothing is reported."""
        return 0.0 if self.completion is None else capped(self.completion)


def forecast(rule: IndicatorRule, reported: Sequence[tuple[dt.date, float]]) -> Forecast | None:
    """Least-squares line through the reported values, read at the due date.

    None with fewer than three reports, or when they all fall on one day.
    """
    if len(reported) < FORECAST_MIN_POINTS:
        return None
    xs = [(day - rule.start).days for day, _ in reported]
    ys = [value for _, value in reported]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    projected = mean_y + slope * ((rule.due - rule.start).days - mean_x)
    return Forecast(
        value=projected,
        completion=completion(projected, rule.baseline, rule.target, rule.direction),
        misses_target=not meets_target(projected, rule.target, rule.direction),
    )


@functools.lru_cache(maxsize=4096)
def _expected_fraction(start: dt.date, due: dt.date, as_of: str) -> float:
    return elapsed_fraction(start, due, period_end(as_of))


@functools.lru_cache(maxsize=4096)
def _months_left(as_of: str, due: dt.date) -> int:
    return months_between(as_of, period_of(due))


def assess_numeric(
    rule: IndicatorRule, reported: Mapping[str, float], as_of: str, *, with_forecast: bool = True
) -> Assessment:
    """Status of a cumulative or level indicator from its values by period, as of `as_of`."""
    periods = sorted(reported)
    return assess_history(
        rule, periods, [reported[p] for p in periods], as_of, with_forecast=with_forecast
    )


def assess_history(
    rule: IndicatorRule,
    periods: Sequence[str],
    values: Sequence[float],
    as_of: str,
    *,
    with_forecast: bool = True,
) -> Assessment:
    """As `assess_numeric`, from reports already sorted by period (the fast path).

    Order (DESIGN §4): 已完成 · 未填报 · green · yellow · red.
    """
    expected = _expected_fraction(rule.start, rule.due, as_of)
    count = bisect_right(periods, as_of)
    if count == 0:
        return Assessment(Status.NOT_REPORTED, None, expected)
    latest_period, latest_value = periods[count - 1], values[count - 1]
    done = completion(latest_value, rule.baseline, rule.target, rule.direction)
    prediction = None
    if with_forecast:
        prediction = forecast(
            rule, [(period_end(p), v) for p, v in zip(periods[:count], values[:count], strict=True)]
        )
    if meets_target(latest_value, rule.target, rule.direction):
        status = Status.COMPLETED
    elif latest_period != as_of:
        status = Status.NOT_REPORTED
    else:
        status = light(done, expected, _months_left(as_of, rule.due), rule.thresholds)
    return Assessment(status, done, expected, latest_period, prediction)


def assess_milestone(
    states: Mapping[str, MilestoneState], start: dt.date, planned: dt.date, as_of: str
) -> Assessment:
    """Status of a milestone from its states by period, as of `as_of`."""
    periods = sorted(states)
    return assess_milestone_history(start, planned, periods, [states[p] for p in periods], as_of)


def assess_milestone_history(
    start: dt.date,
    planned: dt.date,
    periods: Sequence[str],
    states: Sequence[MilestoneState],
    as_of: str,
) -> Assessment:
    """Milestone status: 已完成; red once its planned date has passed; else green.

    As for numeric indicators, a month without a report is 未填报.
    """
    as_of_day = period_end(as_of)
    expected = elapsed_fraction(start, planned, as_of_day)
    count = bisect_right(periods, as_of)
    latest_period, state = (periods[count - 1], states[count - 1]) if count else (None, None)
    done = None if state is None else MILESTONE_COMPLETION[state]
    if state is MilestoneState.DONE:
        status = Status.COMPLETED
    elif as_of_day > planned:
        status = Status.RED
    elif latest_period != as_of:
        status = Status.NOT_REPORTED
    else:
        status = Status.GREEN
    return Assessment(status, done, expected, latest_period)


# --- roll-up -------------------------------------------------------------------------------


class Rollup(NamedTuple):
    """A parent's weighted completion and 序时进度, its worst status and the count per status."""

    completion: float
    expected: float
    status: Status
    counts: Mapping[Status, int]


def worst(statuses: Iterable[Status]) -> Status:
    """The most severe status; 已完成 for none."""
    return max(statuses, key=lambda s: s.severity, default=Status.COMPLETED)


def rollup(nodes: Iterable[Rollup] = (), leaves: Iterable[tuple[float, Assessment]] = ()) -> Rollup:
    """A parent's roll-up from its child nodes (equal weights) and its own indicators
    ((weight, assessment) pairs): weighted mean of capped completion and of 序时进度, the worst
    status, and the count of indicators per status.

    Written as plain loops: a period switch rolls up thousands of nodes.
    """
    counts: dict[Status, int] = {}
    total = done = expected = 0.0
    status, severity = Status.COMPLETED, -1
    for node in nodes:
        total += 1.0
        done += min(1.0, max(0.0, node.completion))
        expected += node.expected
        if _SEVERITY[node.status] > severity:
            status, severity = node.status, _SEVERITY[node.status]
        for key, count in node.counts.items():
            counts[key] = counts.get(key, 0) + count
    for weight, assessment in leaves:
        total += weight
        if assessment.completion is not None:
            done += weight * min(1.0, max(0.0, assessment.completion))
        expected += weight * assessment.expected
        leaf_status = assessment.status
        if _SEVERITY[leaf_status] > severity:
            status, severity = leaf_status, _SEVERITY[leaf_status]
        counts[leaf_status] = counts.get(leaf_status, 0) + 1
    if total <= 0:
        return Rollup(0.0, 0.0, status, counts)
    return Rollup(done / total, expected / total, status, counts)


# --- many indicators at once ---------------------------------------------------------------
# The same rules as above, on arrays: the window reassesses ten thousand indicators and rolls
# up thousands of nodes whenever the month changes. Tests hold both forms to the same results.

# Status codes in arrays are their severities: the worst of several is their maximum.
STATUS_BY_CODE: tuple[Status, ...] = tuple(sorted(Status, key=lambda s: s.severity))
_COMPLETED, _GREEN, _NOT_REPORTED, _YELLOW, _RED = (s.severity for s in STATUS_BY_CODE)
# Milestone states as numbers in the figures matrix (0 would be "no report").
STATE_CODES: Mapping[MilestoneState, int] = {
    MilestoneState.NOT_STARTED: 1,
    MilestoneState.IN_PROGRESS: 2,
    MilestoneState.DONE: 3,
}
STATE_BY_CODE: Mapping[int, MilestoneState] = {code: state for state, code in STATE_CODES.items()}
_STATE_COMPLETION = np.array([np.nan] + [MILESTONE_COMPLETION[s] for s in STATE_CODES])


def month_number(period: str) -> int:
    """A period as a count of months (for differences between periods)."""
    year, month = parse_period(period)
    return year * 12 + month - 1


@dataclass(frozen=True)
class IndicatorArrays:
    """The fixed facts of many indicators, one position per indicator.

    Days are proleptic ordinals of "as of" dates; a milestone's start is the plan's clock
    start and its due date its planned date.
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


@dataclass(frozen=True)
class AssessedArrays:
    """Assessments of many indicators: status codes, completion (NaN: nothing reported)."""

    status: npt.NDArray[np.int64]
    completion: npt.NDArray[np.float64]
    expected: npt.NDArray[np.float64]


def assess_arrays(
    facts: IndicatorArrays,
    latest: npt.NDArray[np.float64],
    latest_month: npt.NDArray[np.int64],
    as_of: str,
) -> AssessedArrays:
    """`assess_history` and `assess_milestone_history` for many indicators at once.

    `latest` is each indicator's latest figure at or before `as_of` (a milestone's state
    code, NaN for none) and `latest_month` its month number (-1 for none).
    """
    as_of_month = month_number(as_of)
    as_of_day = period_end(as_of).toordinal()
    has = latest_month >= 0
    reported_now = latest_month == as_of_month
    span = facts.due - facts.start
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        expected = np.where(
            span > 0,
            np.clip((as_of_day - facts.start) / np.where(span > 0, span, 1), 0.0, 1.0),
            (as_of_day >= facts.due).astype(np.float64),
        )
        meets = has & np.where(facts.at_most, latest <= facts.target, latest >= facts.target)
        flat = facts.target == facts.baseline
        numeric_done = np.where(
            flat,
            meets.astype(np.float64),
            (latest - facts.baseline) / np.where(flat, 1.0, facts.target - facts.baseline),
        )
    numeric_done = np.where(has, numeric_done, np.nan)
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
    )


@dataclass(frozen=True)
class RolledUpArrays:
    """Roll-ups of many nodes: completion, 序时进度, status code, count per status code."""

    completion: npt.NDArray[np.float64]
    expected: npt.NDArray[np.float64]
    status: npt.NDArray[np.int64]
    counts: npt.NDArray[np.int64]  # nodes × status codes


def rollup_arrays(
    parent: npt.NDArray[np.int64],
    depth: npt.NDArray[np.int64],
    owner: npt.NDArray[np.int64],
    weight: npt.NDArray[np.float64],
    assessed: AssessedArrays,
) -> RolledUpArrays:
    """`rollup` for a whole tree: node i's parent is parent[i] (-1 for the root) at depth
    depth[i]; indicator j belongs to node owner[j] with weight weight[j]. Nodes weigh equally
    in their parent."""
    nodes = len(parent)
    codes = len(STATUS_BY_CODE)
    done = np.nan_to_num(np.clip(assessed.completion, 0.0, 1.0), nan=0.0)
    total = np.bincount(owner, weights=weight, minlength=nodes)
    done_sum = np.bincount(owner, weights=weight * done, minlength=nodes)
    expected_sum = np.bincount(owner, weights=weight * assessed.expected, minlength=nodes)
    severity = np.full(nodes, -1, dtype=np.int64)
    np.maximum.at(severity, owner, assessed.status)
    counts = np.bincount(owner * codes + assessed.status, minlength=nodes * codes)
    counts = counts.reshape(nodes, codes).astype(np.int64)
    completion = np.zeros(nodes)
    expected = np.zeros(nodes)
    for level in range(int(depth.max(initial=0)), -1, -1):
        members = np.flatnonzero(depth == level)
        weights = total[members]
        with np.errstate(invalid="ignore", divide="ignore"):
            completion[members] = np.where(weights > 0, done_sum[members] / weights, 0.0)
            expected[members] = np.where(weights > 0, expected_sum[members] / weights, 0.0)
        severity[members] = np.maximum(severity[members], _COMPLETED)
        above = parent[members]
        pushed = members[above >= 0]
        targets = parent[pushed]
        np.add.at(total, targets, 1.0)
        np.add.at(done_sum, targets, completion[pushed])
        np.add.at(expected_sum, targets, expected[pushed])
        np.maximum.at(severity, targets, severity[pushed])
        np.add.at(counts, targets, counts[pushed])
    return RolledUpArrays(completion, expected, severity, counts)
