"""The plan held in memory and assessed as of a period, updated incrementally after each change.

The window keeps one workspace: a period switch reassesses every indicator from memory, and a
saved edit reloads only the entries it touched and rolls up only their ancestors.
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import fields, replace
from typing import Any

import numpy as np

from desktop.models.array_cache import (
    EntryArrays,
    StructureRows,
    forget_structure,
    keep_arrays,
    keep_structure,
    kept_arrays,
    kept_structure,
)
from desktop.models.errors import UNREADABLE, DatabaseReadError, TargetMonitorError
from desktop.models.kinds import PlanState
from desktop.models.periods import (
    month_number,
    month_numbers,
    parse_period,
    period_end,
    period_numbered,
    period_of,
    periods_in,
)
from desktop.models.records import (
    DepartmentInfo,
    EntryInfo,
    IndicatorInfo,
    NodeInfo,
    PlanInfo,
    archived_subtrees,
    as_boolean,
    choose_plan,
    plan_span_problem,
    records_from_rows,
    stored_fields,
    typed_rows,
)
from desktop.models.status_rule import (
    STATE_BY_CODE,
    STATUS_BY_CODE,
    AssessedArrays,
    Assessment,
    Forecast,
    IndicatorArrays,
    IndicatorRule,
    LightSettings,
    RolledUpArrays,
    Rollup,
    Status,
    Thresholds,
    assess_arrays,
    forecast,
    forecast_arrays,
    rollup_arrays,
)
from desktop.models.store import Database, FileFacts

# An entry as read into the arrays (its period followed by PERIOD_END: "U9" holds any period
# whole, and a longer text, cut, is still no period).
_ENTRY_ROW = np.dtype(
    [("indicator", np.int64), ("period", "U9"), ("figure", np.float64), ("version", np.int64)]
)


class _AssessmentView(Mapping[int, Assessment]):
    """workspace.assessments[indicator_id]: built from the arrays when asked for."""

    def __init__(self, workspace: PlanWorkspace) -> None:
        self._workspace = workspace

    def __getitem__(self, indicator_id: int) -> Assessment:
        workspace = self._workspace
        return workspace.assessment_at(workspace._position[indicator_id])

    def __iter__(self) -> Iterator[int]:
        return iter(self._workspace._order)

    def __len__(self) -> int:
        return len(self._workspace._order)


class _RollupView(Mapping[int, Rollup]):
    """workspace.rollups[node_id]: built from the arrays when asked for."""

    def __init__(self, workspace: PlanWorkspace) -> None:
        self._workspace = workspace

    def __getitem__(self, node_id: int) -> Rollup:
        workspace = self._workspace
        return workspace.rollup_at(workspace._node_position[node_id])

    def __iter__(self) -> Iterator[int]:
        return iter(self._workspace._node_order)

    def __len__(self) -> int:
        return len(self._workspace._node_order)


_PLAN_FIELDS = len(stored_fields(PlanInfo))  # then its light settings (plan_reads.PLAN_COLUMNS)

# Where a node's id and its parent's stand in the row a NodeInfo is made of.
_NODE_FIELDS = [f.name for f in fields(NodeInfo)]
NODE_ID, NODE_PARENT = _NODE_FIELDS.index("id"), _NODE_FIELDS.index("parent_id")


def default_period(start: dt.date, end: dt.date, today: dt.date) -> str:
    """The month to evaluate by default: this month, kept within the plan's months."""
    return min(max(period_of(today), period_of(start)), period_of(end))


def plan_clock_start(plan_start: dt.date) -> dt.date:
    """The "as of" date a plan's clock starts from: the day before its first day."""
    return plan_start - dt.timedelta(days=1)


class PlanWorkspace:
    """One plan, its entries and their assessments as of a period.

    The lights follow the plan's own settings (`light_settings`, stored in the database so
    every PC colours the same data the same way); `thresholds` given here override the plan's
    (a what-if that is never stored, a test)."""

    def __init__(
        self,
        database: Database,
        *,
        plan_code: str | None = None,
        as_of: str | None = None,
        thresholds: Thresholds | None = None,
        today: dt.date | None = None,
        last_plan: str | None = None,
    ) -> None:
        self.database = database
        self._plan_code = plan_code
        self._last_plan = last_plan  # shown last: chosen when no code is, if still there
        self._thresholds_given = thresholds
        self._today = today or dt.date.today()
        with self._reading():
            facts = self._load_structure()
            period = as_of or default_period(
                self.plan.start, self.plan.end, today or dt.date.today()
            )
        parse_period(period)
        self.as_of = period
        with self._reading():
            self._load_entries(None, facts)
            self._assess_all()

    # --- loading ---------------------------------------------------------------------------

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Reading and assessing the plan: a value or a link in the file that this program
        cannot make sense of (a date that is no date, text where a number belongs, a row
        pointing nowhere) is one DatabaseReadError naming the file, not a traceback."""
        try:
            yield
        except UNREADABLE as error:
            detail = str(error) if isinstance(error, ValueError) else repr(error)
            raise self._unreadable(
                f"the database holds data this program cannot read ({detail})"
            ) from error

    def _unreadable(self, what: str) -> DatabaseReadError:
        return DatabaseReadError(
            f"{self.database.name}: {what}; `target-monitor check` lists what is wrong"
        )

    def _load_structure(self) -> FileFacts:
        """Read the plans, the departments and the chosen plan's nodes and indicators: as kept
        at the structure's revision by an earlier start (`desktop.models.array_cache`, no
        query at all), else from the file, in one transaction with the revision, and kept for
        the next start. The file's facts it read, for the entries (a load reads them once)."""
        facts = self.database.facts()
        kept = kept_structure(facts.structure_revision)
        if kept is not None:
            try:
                plan = self._choose(kept.plans)
                if plan.id in kept.parts:  # else: kept for other plans
                    self._build_structure(kept, plan, facts.demo)
                    return facts
            except (*UNREADABLE, DatabaseReadError, TargetMonitorError):
                forget_structure(facts.structure_revision)  # only ever right or passed over
        from desktop.models import plan_reads  # noqa: PLC0415 (the database layer, when needed)

        revision, plan, rows, demo = plan_reads.read_structure(
            self.database, self._choose, self._unreadable
        )
        self._build_structure(rows, plan, demo)
        keep_structure(revision, rows)
        return facts

    def _choose(self, plan_rows: list[list[Any]]) -> PlanInfo:
        """The plan to show of these rows (each a plan's record and its light settings)."""
        plans = tuple(records_from_rows(PlanInfo, [row[:_PLAN_FIELDS] for row in plan_rows]))
        if not plans:
            raise TargetMonitorError(f"{self.database.name}: the database holds no plan")
        self.plans = plans
        code = self._plan_code
        if code is None and any(plan.code == self._last_plan for plan in plans):
            code = self._last_plan
        return choose_plan(plans, code, self._today)

    def _build_structure(self, rows: StructureRows, plan: PlanInfo, demo: str | None) -> None:
        """The plan (`plan`, chosen from `rows.plans` by `_choose`) from its rows."""
        self.plan = plan
        node_rows, indicator_rows = rows.parts[plan.id]
        self.light_settings = LightSettings.stored(
            *next(row[_PLAN_FIELDS:] for row in rows.plans if row[0] == plan.id)
        )
        self.thresholds = self._thresholds_given or self.light_settings.thresholds
        # Demo figures (`target-monitor demo`) are labelled as such wherever they show.
        self.demo = demo is not None
        self.departments = {d.id: d for d in records_from_rows(DepartmentInfo, rows.departments)}
        # What the plan editor archived leaves the plan, with everything below it.
        hidden = archived_subtrees(
            [(as_boolean(row[-1]), row[NODE_ID], row[NODE_PARENT]) for row in node_rows]
        )
        shown = [row[:-1] for row in node_rows if row[NODE_ID] not in hidden]
        self._pruned = bool(hidden)  # indicators below archived nodes are left out too
        infos = records_from_rows(IndicatorInfo, indicator_rows)
        self.indicators = {info.id: info for info in infos if info.measure_id not in hidden}
        children: dict[int | None, list[int]] = defaultdict(list)
        for row in shown:
            children[row[NODE_PARENT]].append(row[NODE_ID])
        own: dict[int, list[int]] = defaultdict(list)
        for indicator in self.indicators.values():
            own[indicator.measure_id].append(indicator.id)
        # The row fills the stored fields; the computed ones, the links, come last.
        self.nodes = {
            row[NODE_ID]: NodeInfo(*(*row, tuple(children[row[NODE_ID]]), tuple(own[row[NODE_ID]])))
            for row in typed_rows(NodeInfo, shown)
        }
        self.root_ids = tuple(children[None])
        self._check_links()
        # The city's departments that have a part in this plan (another plan may have others).
        taking_part = {n.department_id for n in self.nodes.values()} | {
            i.department_id for i in self.indicators.values()
        }
        self.departments = {k: d for k, d in self.departments.items() if k in taking_part}
        self._arrange()

    def _check_links(self) -> None:
        """Refuse links the tree and the roll-up cannot follow: to a department or a parent
        that is not there, or round in a circle (which would never end); and a plan whose
        months run backwards."""
        backwards = plan_span_problem(self.plan.code, self.plan.start, self.plan.end)
        if backwards is not None:
            raise self._unreadable(backwards)
        for node in self.nodes.values():
            if node.department_id not in self.departments:
                raise self._unreadable(f"node {node.code} belongs to no department")
            if node.parent_id is not None and node.parent_id not in self.nodes:
                raise self._unreadable(f"node {node.code}: its parent is not in the plan")
        for node in self.nodes.values():
            above, steps = node.parent_id, 0
            while above is not None:
                steps += 1
                if steps > len(self.nodes):
                    raise self._unreadable(f"node {node.code} is its own ancestor")
                above = self.nodes[above].parent_id
        for indicator in self.indicators.values():
            if indicator.department_id not in self.departments:
                raise self._unreadable(f"indicator {indicator.code} belongs to no department")
            pending = self.plan.state is PlanState.DRAFT  # a draft's targets may be 待定
            if not indicator.is_milestone and indicator.target is None and not pending:
                raise self._unreadable(f"indicator {indicator.code} has no target")

    def _arrange(self) -> None:
        self.months = tuple(periods_in(self.plan.start, self.plan.end))
        self._month_of = {period: i for i, period in enumerate(self.months)}
        self._clock_start = plan_clock_start(self.plan.start)
        self._rules = {i.id: self._rule(i) for i in self.indicators.values()}
        self._build_arrays()

    def _build_arrays(self) -> None:
        """Positions of indicators and nodes in the arrays the rules work on."""
        self._order = list(self.indicators)
        self._position = {indicator_id: i for i, indicator_id in enumerate(self._order)}
        # for placing entries read from the database (an edit's few, or all of them)
        self._order_ids = np.array(self._order, dtype=np.int64)
        self._order_sorter = np.argsort(self._order_ids)
        self._milestones = np.array([self.indicators[i].is_milestone for i in self._order], bool)
        self._node_order = list(self.nodes)
        self._node_position = {node_id: i for i, node_id in enumerate(self._node_order)}
        plan = len(self._node_order)  # the plan itself is the last node, the root of all
        parents = [self.nodes[n].parent_id for n in self._node_order]
        self._node_parent = np.array(
            [plan if p is None else self._node_position[p] for p in parents] + [-1],
            dtype=np.int64,
        )
        self._node_depth = np.array([self.depth(n) for n in self._node_order] + [0], dtype=np.int64)
        self._owner = np.array(
            [self._node_position[self.indicators[i].measure_id] for i in self._order],
            dtype=np.int64,
        )
        self._weight = np.array([self.indicators[i].weight for i in self._order])
        self._first_month = month_number(self.months[0])
        self._facts = IndicatorArrays.of([self._rules[i] for i in self._order])

    def _rule(self, indicator: IndicatorInfo) -> IndicatorRule:
        thresholds = self.thresholds.overridden(indicator.yellow_threshold, indicator.red_threshold)
        if indicator.is_milestone or indicator.target is None:
            # a milestone's 序时进度 runs from the plan's start to its planned date; a draft's
            # indicator whose target is still 待定 has no figures to judge (a draft takes none)
            return IndicatorRule(None, self._clock_start, indicator.due, thresholds=thresholds)
        baseline, start = indicator.baseline, indicator.baseline_date
        if baseline is None or start is None:  # no documented baseline: zero at the start
            baseline, start = 0.0, self._clock_start
        return IndicatorRule(
            target=indicator.target,
            start=start,
            due=indicator.due,
            baseline=baseline,
            direction=indicator.direction,
            thresholds=thresholds,
        )

    def rule(self, indicator_id: int) -> IndicatorRule:
        """What the status rule knows of an indicator: its target, baseline, dates, thresholds."""
        return self._rules[indicator_id]

    def _load_entries(
        self, indicator_ids: Iterable[int] | None, facts: FileFacts | None = None
    ) -> None:
        """(Re)load entries, of every indicator or of the given ones, into two matrices
        (indicators × plan months): the figure (a value, or a milestone's state code; NaN for
        none) and the entry's version (0 for no entry). All of them: those kept at the file's
        revision, if any, else the rows, kept for the next start.

        Rows are read as plain driver tuples and placed with array operations: a plan of ten
        thousand indicators has hundreds of thousands of entries.
        """
        shape = (len(self._order), len(self.months))
        positions: list[int] | None = None
        ids: list[int] | None = None
        if indicator_ids is None:
            self._figures = np.full(shape, np.nan)
            self._versions = np.zeros(shape, dtype=np.int64)
            # the revision read with the structure (`facts`: a load reads them once); a
            # change since then is one any later read finds, as after the arrays were read
            revision = (facts or self.database.facts()).entries_revision
            kept = kept_arrays(revision, self.plan.id, self._entry_arrays())
            if kept is not None:
                self._figures, self._versions = kept.figures, kept.versions
                self._revision = revision
                self._fill_forward(None)
                return
        else:
            ids = [i for i in indicator_ids if i in self.indicators]
            positions = [self._position[i] for i in ids]
            self._figures[positions, :] = np.nan
            self._versions[positions, :] = 0
        from desktop.models import plan_reads  # noqa: PLC0415 (the database layer, when needed)

        revision, rows = plan_reads.read_entries(self.database, self.plan.id, ids)
        if rows:
            self._place(rows)
        if positions is None:  # the arrays are now the entries at `revision`
            self._revision = revision
            keep_arrays(revision, self.plan.id, self._entry_arrays())
        self._fill_forward(positions)

    def keep_arrays(self) -> bool:
        """Keep the entries' arrays for the next start (a window closing), if they are still
        the file's entries: read at a revision that only this program's own writes, each
        followed by a refresh of what it wrote, have changed since. Whether they were kept."""
        if self._revision is None:
            return False
        try:
            now = self.database.facts().entries_revision
        except DatabaseReadError:
            return False
        if now is None or self.database.own_revision(self._revision) != now:
            return False  # someone else wrote: the next start reads the rows
        keep_arrays(now, self.plan.id, self._entry_arrays())
        return True

    def _entry_arrays(self) -> EntryArrays:
        return EntryArrays(
            ids=self._order_ids,
            milestones=self._milestones,
            first_month=self._first_month,
            figures=self._figures,
            versions=self._versions,
        )

    def _place(self, rows: Sequence[Any]) -> None:
        # The driver's tuples go into columns in one pass in C (a NULL figure becomes NaN;
        # text where a number belongs is a ValueError, reported as unreadable).
        entries = np.fromiter(rows, dtype=_ENTRY_ROW, count=len(rows))
        order, sorter = self._order_ids, self._order_sorter
        if self._pruned:  # figures of archived parts stay in the file
            entries = entries[np.isin(entries["indicator"], order)]
            if not len(entries):
                return
        row = sorter[np.searchsorted(order, entries["indicator"], sorter=sorter)]
        number, is_period = month_numbers(entries["period"])
        column = number - month_number(self.months[0])
        # An entry outside the plan's months is for `check` to report, not to show.
        inside = is_period & (column >= 0) & (column < len(self.months))
        figure = np.abs(entries["figure"])  # -code → code
        version = entries["version"]
        self._refuse_impossible(row, column, figure, version, inside)
        self._figures[row[inside], column[inside]] = figure[inside]
        self._versions[row[inside], column[inside]] = version[inside]

    def _refuse_impossible(
        self,
        row: np.ndarray[Any, Any],
        column: np.ndarray[Any, Any],
        figure: np.ndarray[Any, Any],
        version: np.ndarray[Any, Any],
        inside: np.ndarray[Any, Any],
    ) -> None:
        """Refuse entries no save writes, which the arrays would misread: a version below 1
        (the arrays' "no entry") and a milestone's figure that is no state's code."""
        milestone = self._milestones[row]
        state = np.isnan(figure) | np.isin(figure, list(STATE_BY_CODE))
        for bad, what in (
            (inside & (version < 1), "version {version}, which no save writes"),
            (inside & milestone & ~state, "{figure} is no milestone state"),
        ):
            if bad.any():
                at = int(np.argmax(bad))
                code = self.indicators[self._order[row[at]]].code
                said = what.format(version=version[at], figure=figure[at])
                raise self._unreadable(f"entry {code} {self.months[column[at]]}: {said}")

    def _fill_forward(self, positions: list[int] | None = None) -> None:
        """For each month, each indicator's latest figure so far and the month it came from
        (for every indicator, or only for those at the given positions)."""
        if positions is None:
            shape = self._figures.shape
            self._latest_month_index = np.empty(shape, dtype=np.int64)
            self._latest_figure = np.empty(shape)
            positions = list(range(shape[0]))
        figures = self._figures[positions]
        source = np.where(np.isnan(figures), -1, np.arange(figures.shape[1]))
        index = np.maximum.accumulate(source, axis=1)
        latest = np.take_along_axis(figures, np.maximum(index, 0), axis=1)
        self._latest_month_index[positions] = index
        self._latest_figure[positions] = np.where(index >= 0, latest, np.nan)

    # --- assessing -------------------------------------------------------------------------

    def reported(self, indicator_id: int) -> tuple[list[str], list[float]]:
        """An indicator's reported months and figures (a milestone's as state codes)."""
        return self._reported(indicator_id)

    def monthly_rollups(self, node_ids: list[int | None]) -> dict[int | None, list[Rollup]]:
        """Each node's roll-up (None: the plan) for every plan month up to the current one,
        computed aside: the workspace's own month does not change."""
        history: dict[int | None, list[Rollup]] = {n: [] for n in node_ids}
        plan = len(self._node_order)
        positions = {n: plan if n is None else self._node_position[n] for n in node_ids}
        for column, month in enumerate(self.months):
            if month > self.as_of:
                break
            index = self._latest_month_index[:, column]
            assessed = assess_arrays(
                self._facts,
                self._latest_figure[:, column],
                np.where(index >= 0, index + self._first_month, -1),
                month,
            )
            rolled = self._rollup(assessed)
            for node_id, position in positions.items():
                history[node_id].append(rolled.at(position))
        return history

    def _reported(self, indicator_id: int) -> tuple[list[str], list[float]]:
        """An indicator's reported months and figures, in order."""
        figures = self._figures[self._position[indicator_id]]
        months = np.flatnonzero(~np.isnan(figures))
        return [self.months[m] for m in months], [float(figures[m]) for m in months]

    def assess(self, indicator_id: int, *, with_forecast: bool = False) -> Assessment:
        """One indicator's assessment as of the current month, with its forecast on request."""
        assessment = self.assessments[indicator_id]
        rule = self._rules[indicator_id]
        if not with_forecast or rule.is_milestone:
            return assessment
        periods, figures = self._reported(indicator_id)
        count = bisect_right(periods, self.as_of)  # later reports are not seen
        reported = [
            (period_end(p), v) for p, v in zip(periods[:count], figures[:count], strict=True)
        ]
        return assessment._replace(forecast=forecast(rule, reported))

    def forecasts(self) -> dict[int, Forecast | None]:
        """Every indicator's forecast as of the current month (as `assess` gives one), computed
        for all at once."""
        seen = bisect_right(self.months, self.as_of)  # later reports are not seen
        days = np.array([period_end(m).toordinal() for m in self.months[:seen]], dtype=np.int64)
        found = forecast_arrays(self._facts, self._figures[:, :seen], days)
        return dict(zip(self._order, found, strict=True))

    def _assess_all(self) -> None:
        """Every indicator and node as of the current month, with the array rules."""
        count = len(self.months)
        month = month_number(self.as_of) - self._first_month
        if month < 0 or count == 0:
            latest = np.full(len(self._order), np.nan)
            latest_month = np.full(len(self._order), -1, dtype=np.int64)
        else:
            column = min(month, count - 1)
            latest = self._latest_figure[:, column]
            index = self._latest_month_index[:, column]
            latest_month = np.where(index >= 0, index + self._first_month, -1)
        self._assessed = assess_arrays(self._facts, latest, latest_month, self.as_of)
        self._rolled = self._rollup(self._assessed)
        self.assessments: Mapping[int, Assessment] = _AssessmentView(self)
        self.rollups: Mapping[int, Rollup] = _RollupView(self)

    def _rollup(self, assessed: AssessedArrays) -> RolledUpArrays:
        return rollup_arrays(
            self._node_parent,
            self._node_depth,
            self._owner,
            self._weight,
            assessed,
            thresholds=self.thresholds,
            parent_light=self.light_settings.parent_light,
        )

    def lagging_children(self, node_id: int | None) -> dict[Status, list[str]]:
        """A node's (None: the plan's) red and yellow children, red first, as people name them:
        "1.2 title" for a child node, "code name" for one of its own indicators."""
        child_ids: tuple[int, ...]
        indicator_ids: tuple[int, ...]
        if node_id is None:
            child_ids, indicator_ids = self.root_ids, ()
        else:
            node = self.nodes[node_id]
            child_ids, indicator_ids = node.child_ids, node.indicator_ids
        named: dict[Status, list[str]] = {Status.RED: [], Status.YELLOW: []}
        for child in child_ids:
            status = self.rollups[child].status
            if status in named:
                named[status].append(f"{self.nodes[child].code} {self.nodes[child].title}")
        for status, names in self.lagging_indicators(indicator_ids).items():
            named[status] += names
        return named

    def lagging_indicators(self, indicator_ids: Iterable[int]) -> dict[Status, list[str]]:
        """Which of these indicators are red and which yellow, as "code name"."""
        named: dict[Status, list[str]] = {Status.RED: [], Status.YELLOW: []}
        for indicator_id in indicator_ids:
            status = self.status_of(indicator_id)
            if status in named:
                indicator = self.indicators[indicator_id]
                named[status].append(f"{indicator.code} {indicator.name}")
        return named

    @property
    def plan_rollup(self) -> Rollup:
        return self.rollup_at(len(self._node_order))

    def rollup_at(self, position: int) -> Rollup:
        """The roll-up of the node at an array position (the plan is the last one)."""
        return self._rolled.at(position)

    def assessment_at(self, position: int) -> Assessment:
        """The assessment of the indicator at an array position."""
        return self._assessed.at(position)

    @property
    def indicator_order(self) -> Sequence[int]:
        """The indicators' ids in the order of the workspace's arrays (`status_codes`)."""
        return self._order

    def status_codes(self) -> np.ndarray[Any, np.dtype[np.int64]]:
        """Every indicator's status as of the current month, as its index in STATUS_BY_CODE,
        in `indicator_order` (read only)."""
        return self._assessed.status

    def status_of(self, indicator_id: int) -> Status:
        """An indicator's status as of the current month (faster than its assessment)."""
        return STATUS_BY_CODE[int(self._assessed.status[self._position[indicator_id]])]

    # --- changing the view -----------------------------------------------------------------

    def set_period(self, as_of: str) -> None:
        """Reassess everything as of another month (from memory, no database access)."""
        parse_period(as_of)
        self.as_of = as_of
        self._assess_all()

    def set_thresholds(self, thresholds: Thresholds) -> None:
        """Assess with other thresholds than the plan's, in memory only (kept over reloads)."""
        self._thresholds_given = thresholds
        self._apply_thresholds(thresholds)

    def _apply_thresholds(self, thresholds: Thresholds) -> None:
        self.thresholds = thresholds
        self._rules = {i.id: self._rule(i) for i in self.indicators.values()}
        self._facts = IndicatorArrays.of([self._rules[i] for i in self._order])
        self._assess_all()

    def reload_lights(self) -> None:
        """Read the plan's light settings and the indicators' own thresholds again (a manager
        changed them) and reassess."""
        from desktop.models import plan_reads  # noqa: PLC0415 (the database layer, when needed)

        with self._reading():
            self.light_settings, own = plan_reads.read_lights(self.database, self.plan.id)
            self.indicators = self._with_own_thresholds(own)
            self._apply_thresholds(self._thresholds_given or self.light_settings.thresholds)

    def _with_own_thresholds(
        self, own: Sequence[tuple[int, float | None, float | None]]
    ) -> dict[int, IndicatorInfo]:
        """The indicators' records with their own thresholds as read."""
        found = {indicator_id: (yellow, red) for indicator_id, yellow, red in own}
        records = {}
        for indicator_id, info in self.indicators.items():
            yellow, red = found.get(indicator_id, (None, None))
            records[indicator_id] = replace(info, yellow_threshold=yellow, red_threshold=red)
        return records

    def reload(self) -> None:
        """Read everything again (another program may have changed the database)."""
        with self._reading():
            self._load_entries(None, self._load_structure())
            self._assess_all()

    def refresh(self, indicator_ids: Iterable[int]) -> set[int]:
        """Reload these indicators' entries and reassess; returns the nodes that changed."""
        ids = {i for i in indicator_ids if i in self.indicators}
        if not ids:
            return set()
        with self._reading():
            self._load_entries(ids)
            self._assess_all()  # the array rules are fast enough to redo everything
        touched: set[int] = set()
        for indicator_id in ids:
            touched.update(self.ancestors(self.indicators[indicator_id].measure_id))
        return touched

    # --- reading ---------------------------------------------------------------------------

    def entry(self, indicator_id: int, period: str) -> EntryInfo | None:
        month = self._month_of.get(period)
        if month is None:
            return None
        position = self._position[indicator_id]
        figure, version = self._figures[position, month], self._versions[position, month]
        return self._entry_info(indicator_id, float(figure), int(version))

    def _entry_info(self, indicator_id: int, figure: float, version: int) -> EntryInfo | None:
        """An entry as the arrays hold it: its figure (NaN: none) and version (0: no entry)."""
        if version == 0:
            return None
        if math.isnan(figure):
            return EntryInfo(None, None, version)
        if self.indicators[indicator_id].is_milestone:
            return EntryInfo(None, STATE_BY_CODE[int(figure)], version)
        return EntryInfo(figure, None, version)

    def version(self, indicator_id: int, period: str) -> int:
        entry = self.entry(indicator_id, period)
        return 0 if entry is None else entry.version

    def latest(self, indicator_id: int) -> tuple[str, EntryInfo] | None:
        """The most recent report at or before the evaluated month."""
        month = int(self._assessed.latest_month[self._position[indicator_id]])
        if month < 0:
            return None
        period = period_numbered(month)
        entry = self.entry(indicator_id, period)
        assert entry is not None
        return period, entry

    def every_latest(self) -> dict[int, tuple[str, EntryInfo] | None]:
        """Every indicator's `latest`, at once (for a snapshot of the whole plan)."""
        months = self._assessed.latest_month
        rows = np.arange(len(self._order))
        columns = np.where(months >= 0, months - self._first_month, 0)
        found: dict[int, tuple[str, EntryInfo] | None] = {}
        for indicator_id, month, figure, version in zip(
            self._order,
            months.tolist(),
            self._figures[rows, columns].tolist(),
            self._versions[rows, columns].tolist(),
            strict=True,
        ):
            entry = self._entry_info(indicator_id, figure, version) if month >= 0 else None
            found[indicator_id] = None if entry is None else (period_numbered(month), entry)
        return found

    def every_assessment(self) -> dict[int, Assessment]:
        """Every indicator's assessment (as `assessments` gives each), at once."""
        return dict(zip(self._order, self._assessed.every(), strict=True))

    def reported_before(self, indicator_id: int, period: str) -> tuple[str, float] | None:
        """The last report strictly before a month (a milestone's state as its code)."""
        periods, figures = self._reported(indicator_id)
        count = bisect_left(periods, period)
        return (periods[count - 1], figures[count - 1]) if count else None

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

    def department_named(self, name: str) -> DepartmentInfo:
        """A department by its full or short name; a clear error listing the names otherwise."""
        wanted = name.strip()
        for department in self.departments.values():
            if wanted in (department.name, department.short_name):
                return department
        known = "、".join(d.name for d in self.departments.values())
        raise TargetMonitorError(f"no department '{name}' (known: {known})")

    def node_coded(self, code: str) -> NodeInfo:
        """A project, task or measure by its code ("2", "2.1", "2.1.3"); a clear error otherwise."""
        wanted = code.strip()
        for node in self.nodes.values():
            if node.code == wanted:
                return node
        known = "、".join(self.nodes[n].code for n in self.root_ids)
        raise TargetMonitorError(f"no project, task or measure '{code}' (projects: {known})")

    def department_indicators(self, department_id: int) -> list[int]:
        """The indicators a department owns, in tree order."""
        return [
            i
            for i in self.indicators_under(None)
            if self.indicators[i].department_id == department_id
        ]

    def nodes_in_tree_order(self) -> list[int]:
        """The plan's nodes, each before its children (depth first, in their order)."""
        order: list[int] = []
        stack = list(reversed(self.root_ids))
        while stack:
            node_id = stack.pop()
            order.append(node_id)
            stack.extend(reversed(self.nodes[node_id].child_ids))
        return order

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
