"""Frozen snapshots of the evaluated plan (every indicator assessed, every node rolled up).

The command line and the reports read these; the window reads the live `PlanWorkspace`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from desktop.models.database import Database
from desktop.models.progress import Assessment, Rollup, Thresholds
from desktop.models.schema import Direction, IndicatorKind, MilestoneState, NodeKind
from desktop.models.workspace import PlanWorkspace


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


def _indicator_view(workspace: PlanWorkspace, indicator_id: int) -> IndicatorView:
    info = workspace.indicators[indicator_id]
    latest = workspace.latest(indicator_id)
    department = workspace.departments[info.department_id]
    return IndicatorView(
        id=info.id,
        code=info.code,
        name=info.name,
        unit=info.unit,
        kind=info.kind,
        direction=info.direction,
        target=info.target,
        stretch_target=info.stretch_target,
        baseline=info.baseline,
        baseline_date=info.baseline_date,
        baseline_source=info.baseline_source,
        due=info.due,
        department=DepartmentView(department.id, department.name, department.short_name),
        weight=info.weight,
        source=info.source,
        quote=info.quote,
        latest=None
        if latest is None
        else LatestReport(latest[0], latest[1].value, latest[1].state),
        assessment=workspace.assess(indicator_id, with_forecast=True),
    )


def _node_view(workspace: PlanWorkspace, node_id: int) -> NodeView:
    node = workspace.nodes[node_id]
    department = workspace.departments[node.department_id]
    return NodeView(
        node.id,
        node.code,
        node.kind,
        node.title,
        DepartmentView(department.id, department.name, department.short_name),
        tuple(_node_view(workspace, child) for child in node.child_ids),
        tuple(_indicator_view(workspace, i) for i in node.indicator_ids),
        workspace.rollups[node_id],
    )


def plan_view(workspace: PlanWorkspace) -> PlanView:
    """A frozen snapshot of a workspace, with forecasts, for reports and `tree --json`."""
    plan = workspace.plan
    return PlanView(
        id=plan.id,
        code=plan.code,
        title=plan.title,
        year=plan.year,
        start=plan.start,
        end=plan.end,
        source=plan.source,
        as_of=workspace.as_of,
        departments=tuple(
            DepartmentView(d.id, d.name, d.short_name) for d in workspace.departments.values()
        ),
        projects=tuple(_node_view(workspace, n) for n in workspace.root_ids),
        rollup=workspace.plan_rollup,
    )


def evaluate_plan(
    database: Database,
    *,
    as_of: str | None = None,
    thresholds: Thresholds | None = None,
    today: dt.date | None = None,
    plan_code: str | None = None,
) -> PlanView:
    """Assess every indicator of a plan (the first one unless `plan_code`) as of `as_of`."""
    workspace = PlanWorkspace(
        database, plan_code=plan_code, as_of=as_of, thresholds=thresholds, today=today
    )
    return plan_view(workspace)
