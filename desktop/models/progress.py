"""Progress and status rules (DESIGN §4) as pure functions: 序时进度, completion, lights, roll-up.

Nothing here touches the database; callers pass plain values. Completions and expected
progress are fractions (1.0 = 100 %); "points" are percentage points.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class Assessment:
    """An indicator's standing as of a period."""

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
    as_of_day = period_end(as_of)
    expected = elapsed_fraction(rule.start, rule.due, as_of_day)
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
        months_left = months_between(as_of, period_of(rule.due))
        status = light(done, expected, months_left, rule.thresholds)
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


@dataclass(frozen=True)
class Rollup:
    """A parent's weighted completion and 序时进度, its worst status and the count per status."""

    completion: float
    expected: float
    status: Status
    counts: Mapping[Status, int]


def worst(statuses: Iterable[Status]) -> Status:
    """The most severe status; 已完成 for none."""
    return max(statuses, key=lambda s: s.severity, default=Status.COMPLETED)


def weighted_mean(pairs: Iterable[tuple[float, float]]) -> float:
    """Mean of the values weighted by the weights, over (weight, value) pairs; 0 for none."""
    items = list(pairs)
    total = math.fsum(weight for weight, _ in items)
    if total <= 0:
        return 0.0
    return math.fsum(weight * value for weight, value in items) / total


@dataclass(frozen=True)
class RollupInput:
    """One child's contribution to its parent's roll-up."""

    weight: float
    completion: float  # capped
    expected: float
    status: Status
    counts: Mapping[Status, int]


def rollup(children: Sequence[RollupInput]) -> Rollup:
    """Weighted mean of the children's capped completion and 序时进度; worst status; counts."""
    counts: Counter[Status] = Counter()
    for child in children:
        counts.update(child.counts)
    return Rollup(
        completion=weighted_mean((c.weight, capped(c.completion)) for c in children),
        expected=weighted_mean((c.weight, c.expected) for c in children),
        status=worst(c.status for c in children),
        counts=dict(counts),
    )


def leaf_input(assessment: Assessment, weight: float) -> RollupInput:
    """An indicator's assessment as a roll-up child."""
    return RollupInput(
        weight=weight,
        completion=assessment.rollup_completion,
        expected=assessment.expected,
        status=assessment.status,
        counts={assessment.status: 1},
    )


def node_input(result: Rollup, weight: float = 1.0) -> RollupInput:
    """A node's roll-up as a child of its parent; nodes weigh equally unless told otherwise."""
    return RollupInput(weight, result.completion, result.expected, result.status, result.counts)
