"""The plan evaluated as of a period: every indicator assessed and every node rolled up.

This is the read side that the command line, the window and the reports share.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.errors import TargetMonitorError
from desktop.models.progress import (
    Assessment,
    IndicatorRule,
    Rollup,
    Thresholds,
    assess_milestone,
    assess_numeric,
    leaf_input,
    node_input,
    parse_period,
    period_of,
    rollup,
)
from desktop.models.schema import (
    Department,
    Direction,
    Entry,
    Indicator,
    IndicatorKind,
    MilestoneState,
    Node,
    NodeKind,
    Plan,
)


@dataclass(frozen=True)
class DepartmentView:
    id: int
    name: str
    short_name: str


@dataclass(frozen=True)
class LatestReport:
    """The most recent report at or before the evaluated period."""

    period: str
    value: float | None
    state: MilestoneState | None


@dataclass(frozen=True)
class IndicatorView:
    id: int
    code: str
    name: str
    unit: str
    kind: IndicatorKind
    direction: Direction
    target: float | None
    stretch_target: float | None
    baseline: float | None
    baseline_date: dt.date | None
    baseline_source: str | None
    due: dt.date
    department: DepartmentView
    weight: float
    source: str
    quote: str
    latest: LatestReport | None
    assessment: Assessment


@dataclass(frozen=True)
class NodeView:
    id: int
    code: str
    kind: NodeKind
    title: str
    department: DepartmentView
    children: tuple[NodeView, ...]
    indicators: tuple[IndicatorView, ...]
    rollup: Rollup

    def walk(self) -> Iterator[NodeView]:
        """This node and every node below it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class PlanView:
    id: int
    code: str
    title: str
    year: int
    start: dt.date
    end: dt.date
    source: str
    as_of: str
    departments: tuple[DepartmentView, ...]
    projects: tuple[NodeView, ...]
    rollup: Rollup

    def nodes(self) -> Iterator[NodeView]:
        for project in self.projects:
            yield from project.walk()

    def indicators(self) -> Iterator[IndicatorView]:
        for node in self.nodes():
            yield from node.indicators


def default_period(start: dt.date, end: dt.date, today: dt.date) -> str:
    """The month to evaluate by default: this month, kept within the plan's months."""
    return min(max(period_of(today), period_of(start)), period_of(end))


def plan_clock_start(plan_start: dt.date) -> dt.date:
    """The "as of" date a plan's clock starts from: the day before its first day."""
    return plan_start - dt.timedelta(days=1)


def _assess(
    indicator: Indicator,
    entries: Sequence[Entry],
    clock_start: dt.date,
    as_of: str,
    thresholds: Thresholds,
) -> Assessment:
    if indicator.kind is IndicatorKind.MILESTONE:
        states = {e.period: e.milestone_state for e in entries if e.milestone_state is not None}
        return assess_milestone(states, clock_start, indicator.due_date, as_of)
    assert indicator.target is not None
    baseline, baseline_date = indicator.baseline, indicator.baseline_date
    if baseline is None or baseline_date is None:  # no documented baseline: zero at the start
        baseline, baseline_date = 0.0, clock_start
    rule = IndicatorRule(
        target=indicator.target,
        start=baseline_date,
        due=indicator.due_date,
        baseline=baseline,
        direction=indicator.direction,
        thresholds=thresholds.overridden(indicator.yellow_threshold, indicator.red_threshold),
    )
    values = {e.period: e.value for e in entries if e.value is not None}
    return assess_numeric(rule, values, as_of)


def _latest(indicator: Indicator, entries: Sequence[Entry], as_of: str) -> LatestReport | None:
    milestone = indicator.kind is IndicatorKind.MILESTONE
    for entry in reversed(entries):
        reported = entry.milestone_state if milestone else entry.value
        if entry.period <= as_of and reported is not None:
            return LatestReport(entry.period, entry.value, entry.milestone_state)
    return None


def evaluate_plan(
    session: Session,
    *,
    as_of: str | None = None,
    thresholds: Thresholds | None = None,
    today: dt.date | None = None,
    plan_code: str | None = None,
) -> PlanView:
    """Assess every indicator of a plan (the first one unless `plan_code`) as of `as_of`."""
    query = select(Plan).order_by(Plan.id)
    if plan_code is not None:
        query = query.where(Plan.code == plan_code)
    plan = session.scalars(query).first()
    if plan is None:
        raise TargetMonitorError(
            "the database holds no plan"
            if plan_code is None
            else f"no plan with code '{plan_code}'"
        )
    period = as_of or default_period(plan.start_date, plan.end_date, today or dt.date.today())
    parse_period(period)
    thresholds = thresholds or Thresholds()
    clock_start = plan_clock_start(plan.start_date)

    departments = {
        d.id: DepartmentView(d.id, d.name, d.short_name)
        for d in session.scalars(select(Department).order_by(Department.id))
    }
    nodes = session.scalars(
        select(Node).where(Node.plan_id == plan.id).order_by(Node.sort_order, Node.id)
    ).all()
    indicators = session.scalars(
        select(Indicator)
        .join(Node, Indicator.measure_id == Node.id)
        .where(Node.plan_id == plan.id)
        .order_by(Indicator.sort_order, Indicator.id)
    ).all()
    entries_by_indicator: dict[int, list[Entry]] = defaultdict(list)
    for entry in session.scalars(
        select(Entry)
        .join(Indicator)
        .join(Node, Indicator.measure_id == Node.id)
        .where(Node.plan_id == plan.id, Entry.period <= period)
        .order_by(Entry.period)
    ):
        entries_by_indicator[entry.indicator_id].append(entry)

    indicator_views: dict[int, list[IndicatorView]] = defaultdict(list)
    for indicator in indicators:
        entries = entries_by_indicator[indicator.id]
        indicator_views[indicator.measure_id].append(
            IndicatorView(
                id=indicator.id,
                code=indicator.code,
                name=indicator.name,
                unit=indicator.unit,
                kind=indicator.kind,
                direction=indicator.direction,
                target=indicator.target,
                stretch_target=indicator.stretch_target,
                baseline=indicator.baseline,
                baseline_date=indicator.baseline_date,
                baseline_source=indicator.baseline_source,
                due=indicator.due_date,
                department=departments[indicator.department_id],
                weight=indicator.weight,
                source=indicator.source,
                quote=indicator.quote,
                latest=_latest(indicator, entries, period),
                assessment=_assess(indicator, entries, clock_start, period, thresholds),
            )
        )

    children_of: dict[int | None, list[Node]] = defaultdict(list)
    for node in nodes:
        children_of[node.parent_id].append(node)

    def build(node: Node) -> NodeView:
        children = tuple(build(child) for child in children_of[node.id])
        own = tuple(indicator_views[node.id])
        inputs = [node_input(child.rollup) for child in children]
        inputs += [leaf_input(view.assessment, view.weight) for view in own]
        return NodeView(
            node.id,
            node.code,
            node.kind,
            node.title,
            departments[node.department_id],
            children,
            own,
            rollup(inputs),
        )

    projects = tuple(build(node) for node in children_of[None])
    return PlanView(
        id=plan.id,
        code=plan.code,
        title=plan.title,
        year=plan.year,
        start=plan.start_date,
        end=plan.end_date,
        source=plan.source,
        as_of=period,
        departments=tuple(departments.values()),
        projects=projects,
        rollup=rollup([node_input(p.rollup) for p in projects]),
    )
