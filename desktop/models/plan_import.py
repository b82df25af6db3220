"""A plan read from outside (a plan workbook) inserted as a new draft plan.

A `PlanDraft` is a plan source (`PlanSpec`, with the plan source's checks) and what the
database keeps beyond it: the stored source texts (a node's "cited §section", a baseline's
"cited: quote") and an indicator's own light thresholds, so that a plan exported and imported
again is the same plan, field for field. `import_plan` writes it with the plan source's
`populate` as a new plan in state draft, in one transaction, with one audit event. No Qt here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from desktop.models.errors import PlanSourceError, TargetMonitorError
from desktop.models.kinds import ParentLight, PlanState
from desktop.models.plan_source import PlanSpec, SourceDocument, check_consistency, populate
from desktop.models.records import IndicatorFacts
from desktop.models.schema import AuditEvent, Department, Entry, Indicator, Node, Plan
from desktop.models.status_rule import Thresholds
from desktop.models.store import Database

CODE_MAX = 32  # plans.code (desktop/models/schema.py)


DEFAULT_THRESHOLDS = Thresholds()


class PlanImportRefused(TargetMonitorError):
    """The plan cannot be inserted (its code exists, a department disagrees); nothing changed."""


def plan_document(source: str, start: dt.date) -> SourceDocument:
    """The plan's source as a plan source's document: the text the database stores (its
    `cited_as`); it has no file, and `published` is the plan's start only to fill the field
    (nothing reads or stores it)."""
    return SourceDocument("plan", "", source, start, source)


@dataclass(frozen=True)
class IndicatorTexts:
    """What the database keeps of an indicator beyond its plan source's fields."""

    source: str
    baseline_source: str | None  # as stored: "cited: quote"
    yellow_threshold: float | None
    red_threshold: float | None


@dataclass(frozen=True)
class PlanDraft:
    """A plan as read from a workbook: its spec (departments by short name, the nodes'
    sections empty, no baseline source keys) and the texts and thresholds stored beside it."""

    spec: PlanSpec
    node_sources: Mapping[str, str]  # code → stored source
    indicator_texts: Mapping[str, IndicatorTexts]  # code → …
    # how the plan's lights are set (a plan added from the workbook takes them)
    thresholds: Thresholds = DEFAULT_THRESHOLDS
    parent_light: ParentLight = ParentLight.ROLLUP


@dataclass(frozen=True)
class PlanPreview:
    """What importing a draft adds, for a person to see before it is applied."""

    projects: int
    tasks: int
    measures: int
    indicators: int
    new_departments: tuple[tuple[str, str], ...]

    def lines(self) -> list[str]:
        text = [
            f"{self.projects} 个工程、{self.tasks} 项重点任务、{self.measures} 项具体举措、"
            f"{self.indicators} 个指标"
        ]
        if self.new_departments:
            names = "、".join(f"{name}({short})" for name, short in self.new_departments)
            text.append(f"新增单位 {len(self.new_departments)} 个:{names}")
        return text


def known_departments(database: Database) -> dict[str, str]:
    """The database's departments: full name → short name."""
    with database.read() as session:
        return {d.name: d.short_name for d in session.scalars(select(Department))}


def preview(database: Database, draft: PlanDraft) -> PlanPreview:
    """What importing `draft` into `database` adds."""
    spec, known = draft.spec, known_departments(database)
    shape = tuple(sum(1 for n in spec.nodes if n.depth == depth) for depth in (1, 2, 3))
    return PlanPreview(
        projects=shape[0],
        tasks=shape[1],
        measures=shape[2],
        indicators=len(spec.indicators),
        new_departments=tuple(d for d in spec.departments if d[0] not in known),
    )


def check_plan(spec: PlanSpec) -> None:
    """The plan source's consistency checks (codes, parents, departments, measures with
    indicators, due dates, the announced shape); PlanSourceError names the first problem."""
    check_consistency(spec, {short for _, short in spec.departments})


def import_plan(
    database: Database,
    draft: PlanDraft,
    user: str,
    *,
    as_code: str,
    clock: Callable[[], dt.datetime] | None = None,
) -> int:
    """Insert `draft` as a new plan `as_code` in state draft, in one transaction, audited by
    one AuditEvent (entity "plan", field "created", new value the code); departments are
    matched by full name and the ones the database lacks are added. Returns the plan's id.

    Refused (PlanImportRefused, nothing written) when the code exists, or a department's short
    name disagrees with the database's."""
    code = _checked(draft, as_code)
    now = (clock or dt.datetime.now)()
    with database.write_plans() as session:
        if session.scalar(select(Plan.id).where(Plan.code == code)) is not None:
            raise PlanImportRefused(f"计划 {code} 已存在")
        plan = _insert(session, draft, code)
        _audit(
            session,
            AuditEvent(at=now, user=user, entity_id=plan.id, field="created", new_value=code),
        )
        return plan.id


def replace_draft(
    database: Database,
    draft: PlanDraft,
    user: str,
    *,
    code: str,
    clock: Callable[[], dt.datetime] | None = None,
) -> DraftChanges:
    """Put the plan of `draft` in place of draft plan `code`'s content (its projects, tasks,
    measures, indicators, title, dates and lead), in one transaction, audited; the plan keeps
    its code, id and light settings. Only a draft is replaced: it holds no figures, so nothing
    is lost. Returns what changed."""
    code = _checked(draft, code)
    now = (clock or dt.datetime.now)()
    with database.write_plans() as session:
        plan = session.scalar(select(Plan).where(Plan.code == code))
        if plan is None:
            raise PlanImportRefused(f"没有计划 {code}")
        if plan.state is not PlanState.DRAFT:
            raise PlanImportRefused(f"计划 {code} 不是草稿,只能导入为新计划")
        figures = session.scalar(
            select(Entry.id)
            .join(Indicator, Entry.indicator_id == Indicator.id)
            .where(Indicator.plan_id == plan.id)
            .limit(1)
        )
        if figures is not None:
            raise PlanImportRefused(f"计划 {code} 已有填报数据,不能整体替换")
        changes = _changes(session, plan.id, draft.spec)
        session.execute(delete(Indicator).where(Indicator.plan_id == plan.id))
        session.execute(delete(Node).where(Node.plan_id == plan.id))
        session.flush()
        made = _insert(session, draft, f"~{plan.id}")  # beside it, then moved in
        session.execute(update(Node).where(Node.plan_id == made.id).values(plan_id=plan.id))
        session.execute(
            update(Indicator).where(Indicator.plan_id == made.id).values(plan_id=plan.id)
        )
        for name in _REPLACED:
            setattr(plan, name, getattr(made, name))
        session.flush()
        session.execute(delete(Plan).where(Plan.id == made.id))
        _audit(
            session,
            AuditEvent(
                at=now, user=user, entity_id=plan.id, field="replaced", new_value=changes.summary()
            ),
        )
    return changes


@dataclass(frozen=True)
class DraftChanges:
    """What replacing a draft with a workbook's plan adds, changes and removes, by code."""

    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]

    def summary(self) -> str:
        return (
            f"新增 {len(self.added)} 项、修改 {len(self.changed)} 项、删除 {len(self.removed)} 项"
        )

    def lines(self) -> list[str]:
        """For a person to read before the draft is replaced."""
        found = []
        for word, codes in (("新增", self.added), ("修改", self.changed), ("删除", self.removed)):
            if codes:
                shown = "、".join(codes[:12]) + (f" 等 {len(codes)} 项" if len(codes) > 12 else "")
                found.append(f"{word} {len(codes)} 项:{shown}")
        return found or ["与当前草稿相同"]


def draft_changes(database: Database, code: str, draft: PlanDraft) -> DraftChanges:
    """What replacing draft plan `code` with `draft` would change (nothing is written)."""
    with database.read() as session:
        plan = session.scalar(select(Plan.id).where(Plan.code == code))
        if plan is None:
            raise PlanImportRefused(f"没有计划 {code}")
        return _changes(session, plan, draft.spec)


# The plan's own fields a replacement takes from the workbook (its code, state and light
# settings stay the plan's).
_REPLACED = (
    "title",
    "year",
    "start",
    "end",
    "source",
    "lead_department_id",
    "declared_projects",
    "declared_tasks",
    "declared_measures",
)
_COMPARED_NODE = ("title", "quote", "note", "editor_title")
_COMPARED_INDICATOR = tuple(f.name for f in fields(IndicatorFacts) if f.name not in ("code",))


def _changes(session: Session, plan_id: int, spec: PlanSpec) -> DraftChanges:
    departments = {d.id: d.short_name for d in session.scalars(select(Department))}
    rows = session.scalars(select(Node).where(Node.plan_id == plan_id)).all()
    codes = {row.id: row.code for row in rows}
    old: dict[str, tuple[object, ...]] = {
        row.code: (
            *(getattr(row, f) for f in _COMPARED_NODE),
            departments[row.department_id],
            codes.get(row.parent_id) if row.parent_id is not None else None,
        )
        for row in rows
    }
    for stored in session.scalars(select(Indicator).where(Indicator.plan_id == plan_id)):
        old[stored.code] = (
            *(getattr(stored, f) for f in _COMPARED_INDICATOR),
            departments[stored.department_id],
        )
    new: dict[str, tuple[object, ...]] = {
        wanted.code: (
            *(getattr(wanted, f) for f in _COMPARED_NODE),
            wanted.department,
            wanted.parent_code,
        )
        for wanted in spec.nodes
    }
    for read in spec.indicators:
        new[read.code] = (*(getattr(read, f) for f in _COMPARED_INDICATOR), read.department)
    return DraftChanges(
        added=tuple(c for c in new if c not in old),
        changed=tuple(c for c in new if c in old and old[c] != new[c]),
        removed=tuple(c for c in old if c not in new),
    )


def _checked(draft: PlanDraft, code: str) -> str:
    code = code.strip()
    if not code:
        raise PlanImportRefused("计划编码不能为空")
    if len(code) > CODE_MAX:
        raise PlanImportRefused(f"计划编码“{code}”超过 {CODE_MAX} 个字符")
    try:
        check_plan(draft.spec)
    except PlanSourceError as error:
        raise PlanImportRefused(f"计划 {code} 未导入:{error}") from None
    return code


def _insert(session: Session, draft: PlanDraft, code: str) -> Plan:
    """The draft's plan inserted as plan `code`, a draft, with the texts it stored."""
    taken = {d.short_name: d.name for d in session.scalars(select(Department))}
    for name, short in draft.spec.departments:
        if taken.get(short, name) != name:
            raise PlanImportRefused(f"单位 {name} 的简称“{short}”已是 {taken[short]} 的简称")
    try:
        plan = populate(session, draft.spec)
    except PlanSourceError as error:
        raise PlanImportRefused(f"计划 {code} 未导入:{error}") from None
    plan.code, plan.state, plan.source = code, PlanState.DRAFT, draft.spec.source.cited_as
    plan.yellow_points, plan.red_points = draft.thresholds.yellow, draft.thresholds.red
    plan.parent_light = draft.parent_light
    for node in plan.nodes:
        node.source = draft.node_sources[node.code]
        for indicator in node.indicators:
            texts = draft.indicator_texts[indicator.code]
            indicator.source = texts.source
            indicator.baseline_source = texts.baseline_source
            indicator.yellow_threshold = texts.yellow_threshold
            indicator.red_threshold = texts.red_threshold
    session.flush()
    return plan


def _audit(session: Session, event: AuditEvent) -> None:
    """A plan's audit event (entity "plan")."""
    event.entity = "plan"
    session.add(event)
