"""The plan held in memory and assessed as of a period, updated incrementally after each change.

The window keeps one workspace: a period switch reassesses every indicator from memory, and a
saved edit reloads only the entries it touched and rolls up only their ancestors.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import select

from desktop.models.database import Database
from desktop.models.errors import TargetMonitorError
from desktop.models.progress import (
    Assessment,
    Forecast,
    IndicatorRule,
    Rollup,
    Thresholds,
    assess_history,
    assess_milestone_history,
    leaf_input,
    node_input,
    parse_period,
    period_of,
    periods_in,
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


@dataclass(frozen=True, slots=True)
class DepartmentInfo:
    id: int
    name: str
    short_name: str


@dataclass(frozen=True, slots=True)
class PlanInfo:
    id: int
    code: str
    title: str
    year: int
    start: dt.date
    end: dt.date
    source: str


@dataclass(frozen=True, slots=True)
class NodeInfo:
    id: int
    code: str
    kind: NodeKind
    title: str
    department_id: int
    parent_id: int | None
    child_ids: tuple[int, ...]
    indicator_ids: tuple[int, ...]
    source: str
    quote: str


@dataclass(frozen=True, slots=True)
class IndicatorInfo:
    id: int
    measure_id: int
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
    department_id: int
    weight: float
    yellow_threshold: float | None
    red_threshold: float | None
    source: str
    quote: str
    note: str

    @property
    def is_milestone(self) -> bool:
        return self.kind is IndicatorKind.MILESTONE


@dataclass(frozen=True, slots=True)
class EntryInfo:
    """What the assessment needs of an entry; notes and provenance are read on demand."""

    value: float | None
    state: MilestoneState | None
    version: int

    @property
    def reported(self) -> float | MilestoneState | None:
        return self.state if self.state is not None else self.value


def _indicator_info(row: Indicator) -> IndicatorInfo:
    return IndicatorInfo(
        id=row.id,
        measure_id=row.measure_id,
        code=row.code,
        name=row.name,
        unit=row.unit,
        kind=row.kind,
        direction=row.direction,
        target=row.target,
        stretch_target=row.stretch_target,
        baseline=row.baseline,
        baseline_date=row.baseline_date,
        baseline_source=row.baseline_source,
        due=row.due_date,
        department_id=row.department_id,
        weight=row.weight,
        yellow_threshold=row.yellow_threshold,
        red_threshold=row.red_threshold,
        source=row.source,
        quote=row.quote,
        note=row.note,
    )


def default_period(start: dt.date, end: dt.date, today: dt.date) -> str:
    """The month to evaluate by default: this month, kept within the plan's months."""
    return min(max(period_of(today), period_of(start)), period_of(end))


def plan_clock_start(plan_start: dt.date) -> dt.date:
    """The "as of" date a plan's clock starts from: the day before its first day."""
    return plan_start - dt.timedelta(days=1)


class PlanWorkspace:
    """One plan, its entries and their assessments as of a period."""

    def __init__(
        self,
        database: Database,
        *,
        plan_code: str | None = None,
        as_of: str | None = None,
        thresholds: Thresholds | None = None,
        today: dt.date | None = None,
    ) -> None:
        self.database = database
        self._plan_code = plan_code
        self.thresholds = thresholds or Thresholds()
        self._load_structure()
        period = as_of or default_period(self.plan.start, self.plan.end, today or dt.date.today())
        parse_period(period)
        self.as_of = period
        self._load_entries(None)
        self._assess_all()

    # --- loading ---------------------------------------------------------------------------

    def _load_structure(self) -> None:
        with self.database.read() as session:
            query = select(Plan).order_by(Plan.id)
            if self._plan_code is not None:
                query = query.where(Plan.code == self._plan_code)
            plan = session.scalars(query).first()
            if plan is None:
                raise TargetMonitorError(
                    "the database holds no plan"
                    if self._plan_code is None
                    else f"no plan with code '{self._plan_code}'"
                )
            self.plan = PlanInfo(
                plan.id,
                plan.code,
                plan.title,
                plan.year,
                plan.start_date,
                plan.end_date,
                plan.source,
            )
            self.departments = {
                row.id: DepartmentInfo(row.id, row.name, row.short_name)
                for row in session.execute(
                    select(Department.id, Department.name, Department.short_name).order_by(
                        Department.id
                    )
                )
            }
            node_rows = session.execute(
                select(
                    Node.id,
                    Node.code,
                    Node.kind,
                    Node.title,
                    Node.department_id,
                    Node.parent_id,
                    Node.source,
                    Node.quote,
                )
                .where(Node.plan_id == plan.id)
                .order_by(Node.sort_order, Node.id)
            ).all()
            indicator_rows = (
                session.execute(
                    select(Indicator)
                    .join(Node, Indicator.measure_id == Node.id)
                    .where(Node.plan_id == plan.id)
                    .order_by(Indicator.sort_order, Indicator.id)
                )
                .scalars()
                .all()
            )
            self.indicators = {i.id: _indicator_info(i) for i in indicator_rows}
        children: dict[int | None, list[int]] = defaultdict(list)
        for row in node_rows:
            children[row.parent_id].append(row.id)
        own: dict[int, list[int]] = defaultdict(list)
        for indicator in self.indicators.values():
            own[indicator.measure_id].append(indicator.id)
        self.nodes = {
            row.id: NodeInfo(
                row.id,
                row.code,
                row.kind,
                row.title,
                row.department_id,
                row.parent_id,
                tuple(children[row.id]),
                tuple(own[row.id]),
                row.source,
                row.quote,
            )
            for row in node_rows
        }
        self.root_ids = tuple(children[None])
        self.months = tuple(periods_in(self.plan.start, self.plan.end))
        self._clock_start = plan_clock_start(self.plan.start)
        self._rules = {i.id: self._rule(i) for i in self.indicators.values() if not i.is_milestone}

    def _rule(self, indicator: IndicatorInfo) -> IndicatorRule:
        assert indicator.target is not None
        baseline, start = indicator.baseline, indicator.baseline_date
        if baseline is None or start is None:  # no documented baseline: zero at the start
            baseline, start = 0.0, self._clock_start
        return IndicatorRule(
            target=indicator.target,
            start=start,
            due=indicator.due,
            baseline=baseline,
            direction=indicator.direction,
            thresholds=self.thresholds.overridden(
                indicator.yellow_threshold, indicator.red_threshold
            ),
        )

    def _load_entries(self, indicator_ids: Iterable[int] | None) -> None:
        """(Re)load entries, of every indicator or of the given ones."""
        query = select(
            Entry.indicator_id, Entry.period, Entry.value, Entry.milestone_state, Entry.version
        )
        if indicator_ids is None:
            self.entries: dict[int, dict[str, EntryInfo]] = {i: {} for i in self.indicators}
            of_plan = (
                select(Indicator.id)
                .join(Node, Indicator.measure_id == Node.id)
                .where(Node.plan_id == self.plan.id)
            )
            query = query.where(Entry.indicator_id.in_(of_plan))
        else:
            ids = [i for i in indicator_ids if i in self.indicators]
            for indicator_id in ids:
                self.entries[indicator_id] = {}
            query = query.where(Entry.indicator_id.in_(ids))
        with self.database.read() as session:
            for indicator_id, period, value, state, version in session.execute(
                query.order_by(Entry.indicator_id, Entry.period)
            ):
                self.entries[indicator_id][period] = EntryInfo(value, state, version)

    # --- assessing -------------------------------------------------------------------------

    def assess(self, indicator_id: int, *, with_forecast: bool = False) -> Assessment:
        """An indicator's assessment as of the current month, with its forecast on request."""
        indicator = self.indicators[indicator_id]
        entries = self.entries[indicator_id]
        periods = sorted(entries)
        if indicator.is_milestone:
            reported = [(p, entries[p].state) for p in periods if entries[p].state is not None]
            return assess_milestone_history(
                self._clock_start,
                indicator.due,
                [p for p, _ in reported],
                [s for _, s in reported if s is not None],
                self.as_of,
            )
        values = [(p, entries[p].value) for p in periods if entries[p].value is not None]
        return assess_history(
            self._rules[indicator_id],
            [p for p, _ in values],
            [v for _, v in values if v is not None],
            self.as_of,
            with_forecast=with_forecast,
        )

    def _rollup_node(self, node_id: int) -> None:
        node = self.nodes[node_id]
        inputs = [node_input(self.rollups[child]) for child in node.child_ids]
        inputs += [
            leaf_input(self.assessments[i], self.indicators[i].weight) for i in node.indicator_ids
        ]
        self.rollups[node_id] = rollup(inputs)

    def _rollup_plan(self) -> None:
        self.plan_rollup = rollup([node_input(self.rollups[n]) for n in self.root_ids])

    def _assess_all(self) -> None:
        self.assessments = {i: self.assess(i) for i in self.indicators}
        self.rollups: dict[int, Rollup] = {}
        for node_id in self._post_order():
            self._rollup_node(node_id)
        self._rollup_plan()

    def _post_order(self) -> Iterator[int]:
        stack: list[tuple[int, bool]] = [(n, False) for n in reversed(self.root_ids)]
        while stack:
            node_id, expanded = stack.pop()
            if expanded:
                yield node_id
                continue
            stack.append((node_id, True))
            stack.extend((c, False) for c in reversed(self.nodes[node_id].child_ids))

    # --- changing the view -----------------------------------------------------------------

    def set_period(self, as_of: str) -> None:
        """Reassess everything as of another month (from memory, no database access)."""
        parse_period(as_of)
        self.as_of = as_of
        self._assess_all()

    def set_thresholds(self, thresholds: Thresholds) -> None:
        self.thresholds = thresholds
        self._rules = {i.id: self._rule(i) for i in self.indicators.values() if not i.is_milestone}
        self._assess_all()

    def reload(self) -> None:
        """Read everything again (another program may have changed the database)."""
        self._load_structure()
        self._load_entries(None)
        self._assess_all()

    def refresh(self, indicator_ids: Iterable[int]) -> set[int]:
        """Reload these indicators' entries and reassess them; returns the nodes that changed."""
        ids = {i for i in indicator_ids if i in self.indicators}
        if not ids:
            return set()
        self._load_entries(ids)
        touched: set[int] = set()
        for indicator_id in ids:
            self.assessments[indicator_id] = self.assess(indicator_id)
            touched.update(self.ancestors(self.indicators[indicator_id].measure_id))
        for node_id in sorted(touched, key=self.depth, reverse=True):  # children first
            self._rollup_node(node_id)
        self._rollup_plan()
        return touched

    # --- reading ---------------------------------------------------------------------------

    def entry(self, indicator_id: int, period: str) -> EntryInfo | None:
        return self.entries[indicator_id].get(period)

    def version(self, indicator_id: int, period: str) -> int:
        entry = self.entry(indicator_id, period)
        return 0 if entry is None else entry.version

    def latest(self, indicator_id: int) -> tuple[str, EntryInfo] | None:
        """The most recent report at or before the evaluated month."""
        for period in sorted(self.entries[indicator_id], reverse=True):
            entry = self.entries[indicator_id][period]
            if period <= self.as_of and entry.reported is not None:
                return period, entry
        return None

    def forecast(self, indicator_id: int) -> Forecast | None:
        return self.assess(indicator_id, with_forecast=True).forecast

    def ancestors(self, node_id: int) -> list[int]:
        """The node itself and every node above it, nearest first."""
        chain: list[int] = []
        current: int | None = node_id
        while current is not None:
            chain.append(current)
            current = self.nodes[current].parent_id
        return chain

    def depth(self, node_id: int) -> int:
        return len(self.ancestors(node_id))

    def indicators_under(self, node_id: int | None) -> list[int]:
        """Every indicator below a node (the whole plan for None), in tree order."""
        roots = self.root_ids if node_id is None else (node_id,)
        found: list[int] = []
        stack = list(reversed(roots))
        while stack:
            node = self.nodes[stack.pop()]
            found.extend(node.indicator_ids)
            stack.extend(reversed(node.child_ids))
        return found
