"""What the printed documents say: the status sheet (进度情况表) and supervision notice (督办单).

Only content lives here (no Qt); `desktop.ui.printing` lays it out on A4 pages. The words on
the paper are Chinese whatever the window's language, like the Excel report: these are the
city's documents.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

from desktop.models.figures import format_figure
from desktop.models.kinds import DepartmentBasis, MilestoneState, NodeKind, ParentLight
from desktop.models.records import DepartmentInfo
from desktop.models.status_rule import Rollup, Status, Thresholds, rollup_leaves
from desktop.models.text import clean
from desktop.models.workspace import PlanWorkspace
from desktop.presentation.wording import month_text, parts_counted, source_text, target_text

if TYPE_CHECKING:
    from desktop.models.history import EntryDetails

NOTICE_STATUSES = (Status.RED, Status.YELLOW)


class RowKind(Enum):
    PROJECT = "project"
    TASK = "task"
    INDICATOR = "indicator"


@dataclass(frozen=True)
class SheetRow:
    """One line of the status sheet: a project or task heading, or an indicator."""

    kind: RowKind
    code: str
    name: str
    department: str
    target: str
    latest: str
    completion: float | None
    expected: float | None
    status: Status
    progress_note: str = ""
    problems: str = ""
    parts: str = ""  # a heading's red and yellow parts counted, "(红 2 · 黄 3)"
    department_inferred: bool = False  # the source names no department: the editor's reading

    @property
    def points_behind(self) -> float | None:
        """How many percentage points the completion trails the 序时进度."""
        if self.completion is None or self.expected is None:
            return None
        return max(0.0, (self.expected - self.completion) * 100.0)


@dataclass(frozen=True)
class StatusSheet:
    """进度情况表 for the plan, one node or one department, as of a month."""

    plan_title: str
    subject: str  # the plan's title, "2 产业链供应链…工程" or a department's full name
    as_of: str
    generated_at: dt.datetime
    summary: Rollup
    rows: tuple[SheetRow, ...]
    thresholds: Thresholds
    reporting_unit: str  # the department that signs, when the sheet is a department's
    source: str
    demo: bool = False  # generated demo figures: every page says so
    parent_light: ParentLight = ParentLight.ROLLUP  # where the headings' lights come from
    # The subject's red and yellow parts by name (a department's sheet: its indicators').
    lagging: Mapping[Status, tuple[str, ...]] = field(default_factory=dict)

    @property
    def indicator_rows(self) -> list[SheetRow]:
        return [row for row in self.rows if row.kind is RowKind.INDICATOR]


@dataclass(frozen=True)
class SupervisionNotice:
    """督办单: one department's red and yellow indicators, to be answered in writing."""

    plan_title: str
    department: DepartmentInfo
    as_of: str
    number: str
    generated_at: dt.datetime
    items: tuple[SheetRow, ...]  # indicator rows
    thresholds: Thresholds
    demo: bool = False


Document = StatusSheet | SupervisionNotice


def latest_report(
    workspace: PlanWorkspace, indicator_id: int
) -> tuple[str, str | MilestoneState] | None:
    """The month of the latest report at or before the evaluated one, and what it said: a
    milestone's state, or the figure with its unit."""
    latest = workspace.latest(indicator_id)
    if latest is None:
        return None
    period, entry = latest
    if entry.state is not None:
        return period, entry.state
    assert entry.value is not None
    unit = workspace.indicators[indicator_id].unit
    return period, f"{format_figure(entry.value)} {unit}".strip()


def latest_text(workspace: PlanWorkspace, indicator_id: int) -> str:
    """The latest report, with its month when it is an older one than the evaluated month."""
    latest = latest_report(workspace, indicator_id)
    if latest is None:
        return ""
    period, shown = latest
    text = shown.value if isinstance(shown, MilestoneState) else shown
    return text if period == workspace.as_of else f"{text}({month_text(period)})"


def _latest_details(workspace: PlanWorkspace, indicator_ids: list[int]) -> dict[int, EntryDetails]:
    """Each indicator's notes from its latest report (one query per month that occurs)."""
    from desktop.models.history import entries_details  # noqa: PLC0415 (when first used)

    by_period: dict[str, list[int]] = defaultdict(list)
    for indicator_id in indicator_ids:
        latest = workspace.latest(indicator_id)
        if latest is not None:
            by_period[latest[0]].append(indicator_id)
    details: dict[int, EntryDetails] = {}
    for period, ids in by_period.items():
        details.update(entries_details(workspace.database, ids, period))
    return details


def _indicator_row(
    workspace: PlanWorkspace, indicator_id: int, details: Mapping[int, EntryDetails]
) -> SheetRow:
    indicator = workspace.indicators[indicator_id]
    assessment = workspace.assessments[indicator_id]
    detail = details.get(indicator_id)
    return SheetRow(
        RowKind.INDICATOR,
        indicator.code,
        indicator.name,
        workspace.departments[indicator.department_id].short_name,
        target_text(indicator),
        latest_text(workspace, indicator_id),
        assessment.completion,
        assessment.expected,
        assessment.status,
        clean(detail.progress_note).strip() if detail else "",
        clean(detail.problems).strip() if detail else "",
        department_inferred=indicator.department_basis is DepartmentBasis.INFERRED,
    )


def _leaves_rollup(workspace: PlanWorkspace, indicator_ids: list[int]) -> Rollup:
    """A weighted roll-up of some indicators directly (a department's share of the plan)."""
    return rollup_leaves(
        [(workspace.indicators[i].weight, workspace.assessments[i]) for i in indicator_ids],
        thresholds=workspace.thresholds,
        parent_light=workspace.light_settings.parent_light,
    )


def build_status_sheet(
    workspace: PlanWorkspace,
    *,
    node_id: int | None = None,
    department: DepartmentInfo | None = None,
    now: dt.datetime | None = None,
) -> StatusSheet:
    """The status sheet of the plan, of one node, or of one department's indicators.

    Indicators are grouped under their project and task headings; a department's sheet
    keeps only the headings above its own indicators, and their figures are its own share.
    """
    in_scope = [
        i
        for i in workspace.indicators_under(node_id)
        if department is None or workspace.indicators[i].department_id == department.id
    ]
    wanted = set(in_scope)
    details = _latest_details(workspace, sorted(wanted))
    rows: list[SheetRow] = []

    def heading(node_id: int, kind: RowKind, owned: list[int]) -> None:
        node = workspace.nodes[node_id]
        if department is None:
            figures = workspace.rollups[node_id]
        else:
            figures = _leaves_rollup(workspace, owned)
        rows.append(
            SheetRow(
                kind,
                node.code,
                node.title,
                workspace.departments[node.department_id].short_name,
                "",
                "",
                figures.completion,
                figures.expected,
                figures.status,
                parts=parts_counted(figures),
            )
        )

    def visit(node_id: int) -> None:
        node = workspace.nodes[node_id]
        owned = [i for i in workspace.indicators_under(node_id) if i in wanted]
        if not owned:
            return
        if node.kind is NodeKind.PROJECT:
            heading(node_id, RowKind.PROJECT, owned)
        elif node.kind is NodeKind.TASK:
            heading(node_id, RowKind.TASK, owned)
        rows.extend(
            _indicator_row(workspace, i, details) for i in node.indicator_ids if i in wanted
        )
        for child in node.child_ids:
            visit(child)

    for root in workspace.root_ids if node_id is None else (node_id,):
        visit(root)
    if department is not None:
        summary = _leaves_rollup(workspace, in_scope)
        subject = department.name
        lagging = workspace.lagging_indicators(in_scope)
    elif node_id is not None:
        summary = workspace.rollups[node_id]
        node = workspace.nodes[node_id]
        subject = f"{node.code} {node.title}"
        lagging = workspace.lagging_children(node_id)
    else:
        summary = workspace.plan_rollup
        subject = workspace.plan.title
        lagging = workspace.lagging_children(None)
    return StatusSheet(
        plan_title=workspace.plan.title,
        subject=subject,
        as_of=workspace.as_of,
        generated_at=now or dt.datetime.now().replace(microsecond=0),
        summary=summary,
        rows=tuple(rows),
        thresholds=workspace.thresholds,
        reporting_unit=department.name if department is not None else "",
        source=source_text(workspace.plan.source),
        demo=workspace.demo,
        parent_light=workspace.light_settings.parent_light,
        lagging={status: tuple(names) for status, names in lagging.items() if names},
    )


def build_notices(
    workspace: PlanWorkspace,
    *,
    node_id: int | None = None,
    department: DepartmentInfo | None = None,
    now: dt.datetime | None = None,
) -> list[SupervisionNotice]:
    """One 督办单 for each department with red or yellow indicators (in the scope), red first."""
    scope = workspace.indicators_under(node_id)
    lagging: dict[int, list[int]] = defaultdict(list)
    for indicator_id in scope:
        indicator = workspace.indicators[indicator_id]
        if department is not None and indicator.department_id != department.id:
            continue
        if workspace.assessments[indicator_id].status in NOTICE_STATUSES:
            lagging[indicator.department_id].append(indicator_id)
    details = _latest_details(workspace, [i for ids in lagging.values() for i in ids])
    generated = now or dt.datetime.now().replace(microsecond=0)
    notices = []
    for department_id, indicator_ids in sorted(lagging.items()):
        items = [_indicator_row(workspace, i, details) for i in indicator_ids]
        items.sort(key=lambda item: NOTICE_STATUSES.index(item.status))  # stable: tree order
        notices.append(
            SupervisionNotice(
                plan_title=workspace.plan.title,
                department=workspace.departments[department_id],
                as_of=workspace.as_of,
                number=f"{workspace.as_of.replace('-', '')}-{department_id:02d}",
                generated_at=generated,
                items=tuple(items),
                thresholds=workspace.thresholds,
                demo=workspace.demo,
            )
        )
    return notices


def build_documents(
    workspace: PlanWorkspace,
    *,
    node_id: int | None = None,
    department: DepartmentInfo | None = None,
    sheet: bool = True,
    notices: bool = True,
    now: dt.datetime | None = None,
) -> list[Document]:
    """The status sheet and/or the supervision notices of one scope, in printing order."""
    now = now or dt.datetime.now().replace(microsecond=0)
    documents: list[Document] = []
    if sheet:
        documents.append(
            build_status_sheet(workspace, node_id=node_id, department=department, now=now)
        )
    if notices:
        documents.extend(build_notices(workspace, node_id=node_id, department=department, now=now))
    return documents
