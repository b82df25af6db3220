"""A plan's structure edited by a manager: projects, tasks, measures, indicators and departments
added, changed, moved and archived, each call one transaction, audited field by field and
checked against what the editor saw, like a figure (desktop.models.service).

A change is a list of `RecordEdit`s (fields set on existing records, each with the value the
editor saw there); its undo is the reversed list, so that moving, archiving, restoring,
renaming and merging are all the same write. A record added (`add`) is taken back by deleting
it (`take_back`, refused once it holds figures or children) and made again with the same id
(`make_again`). An indicator or a node is never deleted otherwise: archived, it leaves the
tree, the lights and the templates, and its figures and history stay in the file
(`archived_items` reads them). A closed plan (已结束) is not edited; a draft's and an active
plan's are, and every rule the plan source checks is checked here too, each refusal naming its
field (`PlanEditError.problems`). The plan's announced shape (its number of projects, tasks and
measures) follows the edits when it matched the tree before them, so that `check` stays clean.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.models.changes import NOTHING_CHANGED, Changes
from desktop.models.edits import audit_text
from desktop.models.errors import (
    EditProblem,
    InvalidEntryError,
    PlanEditError,
    StaleSettingsError,
)
from desktop.models.figures import FigureError, figure_in_range, format_figure
from desktop.models.integrity import plan_shape
from desktop.models.kinds import (
    DepartmentBasis,
    Direction,
    IndicatorKind,
    NodeKind,
    PlanState,
    TextBasis,
)
from desktop.models.plan_parts import DEPARTMENT, INDICATOR, NO_FIGURES, NODE, PLAN
from desktop.models.plan_source import FactProblem, fact_problems
from desktop.models.records import IndicatorInfo, NodeInfo, archived_subtrees, stored_fields
from desktop.models.schema import (
    AuditEvent,
    Base,
    Department,
    Entry,
    ImportBatch,
    Indicator,
    Node,
    Plan,
)
from desktop.models.service import Writer
from desktop.models.status_rule import POINTS_MAX, Thresholds
from desktop.models.store import Database

_TABLES: Mapping[str, type[Base]] = {
    NODE: Node,
    INDICATOR: Indicator,
    DEPARTMENT: Department,
    PLAN: Plan,
}

# The fields the editor sets, by entity: a node's and an indicator's stored fields (their
# records' but the id and a node's kind, set when it is added), where it stands among its
# siblings, and whether it is archived; a plan's only field here is its lead department, which
# a merge moves.
_PLACE = ("sort_order", "archived")
NODE_FIELDS = (*(name for name in stored_fields(NodeInfo) if name not in ("id", "kind")), *_PLACE)
INDICATOR_FIELDS = (*(name for name in stored_fields(IndicatorInfo) if name != "id"), *_PLACE)
DEPARTMENT_FIELDS = ("name", "short_name", "merged_into_id")
_FIELDS: Mapping[str, tuple[str, ...]] = {
    NODE: (*NODE_FIELDS, "kind", "plan_id"),
    INDICATOR: (*INDICATOR_FIELDS, "plan_id"),
    DEPARTMENT: DEPARTMENT_FIELDS,
    PLAN: ("lead_department_id",),
}
_ENUMS: Mapping[str, Mapping[str, type[enum.Enum]]] = {
    NODE: {"kind": NodeKind},
    INDICATOR: {
        "kind": IndicatorKind,
        "direction": Direction,
        "department_basis": DepartmentBasis,
        "done_when_basis": TextBasis,
    },
}
_PARENT_KIND = {
    NodeKind.PROJECT: None,
    NodeKind.TASK: NodeKind.PROJECT,
    NodeKind.MEASURE: NodeKind.TASK,
}
# A share (%) is read as it stands, never summed over the year.
_SHARE_UNIT = "%"


@dataclass(frozen=True)
class RecordEdit:
    """Fields of one record to set, and what the editor saw in each of them."""

    entity: str  # NODE, INDICATOR, DEPARTMENT or PLAN
    record_id: int
    fields: Mapping[str, object]
    expected: Mapping[str, object]

    def reversed(self) -> RecordEdit:
        """The edit that takes this one back (undo), expecting what this one wrote."""
        return RecordEdit(self.entity, self.record_id, self.expected, self.fields)


@dataclass(frozen=True)
class Made:
    """A record added: which, and every field it was made with (to make it again)."""

    entity: str
    record_id: int
    fields: Mapping[str, object]
    changes: Changes


@dataclass(frozen=True)
class ArchivedItem:
    """An archived node or indicator of a plan (or one below an archived node), with its
    figures as reported, and the archived record whose restoring brings it back."""

    entity: str
    record_id: int
    code: str
    name: str
    unit: str
    figures: tuple[tuple[str, str], ...]  # (month, the figure or milestone state)
    restored_with: tuple[str, int]  # (entity, id): itself, or the archived node above it


class PlanEditor(Writer):
    """Edits plans' structure on behalf of one user (a manager); every write is audited."""

    def add(self, entity: str, fields: Mapping[str, object]) -> Made:
        """Add a node (fields name its plan_id, kind and parent_id), an indicator (its
        measure_id) or a department; it goes after its siblings unless sort_order says."""
        values = {**_defaults(entity), **_coerced(entity, fields)}
        with self._database.write_plans() as session:
            plan = _plan_of(session, entity, values)
            if plan is not None:
                values["plan_id"] = plan.id
                _refuse_closed(plan)
                if "sort_order" not in fields:
                    values["sort_order"] = _next_sort_order(session, entity, values)
            _refuse(_problems(session, entity, None, values, plan))
            shape = _shape(session, plan)
            record = _TABLES[entity](**values)
            session.add(record)
            session.flush()
            record_id = int(record.id)  # type: ignore[attr-defined]
            self._event(
                session, entity, record_id, field="created", old=None, new=_name_of(entity, values)
            )
            self._keep_shape(session, plan, shape)
        return Made(entity, record_id, values, _changes_of(entity, [record_id]))

    def make_again(self, made: Made) -> Changes:
        """Add a record taken back again, with its id (redo of an add)."""
        values = dict(made.fields)
        with self._database.write_plans() as session:
            table = _TABLES[made.entity]
            if session.get(table, made.record_id) is not None:
                raise StaleSettingsError(
                    f"{_name_of(made.entity, values)} could not be made again: its place was "
                    "taken in the meantime. Nothing was changed."
                )
            plan = _plan_of(session, made.entity, values)
            if plan is not None:
                _refuse_closed(plan)
            _refuse(_problems(session, made.entity, None, values, plan))
            shape = _shape(session, plan)
            session.add(table(id=made.record_id, **values))
            session.flush()
            self._event(
                session,
                made.entity,
                made.record_id,
                field="created",
                old=None,
                new=_name_of(made.entity, values),
            )
            self._keep_shape(session, plan, shape)
        return _changes_of(made.entity, [made.record_id])

    def take_back(self, made: Made) -> Changes:
        """Delete a record that was added (undo of an add): refused when it holds figures,
        children or references, or was changed since."""
        with self._database.write_plans() as session:
            record = session.get(_TABLES[made.entity], made.record_id)
            name = _name_of(made.entity, made.fields)
            if record is None:
                raise StaleSettingsError(f"{name} no longer exists. Nothing was changed.")
            current = _values(record, made.entity)
            changed = [f for f in made.fields if not same_value(current[f], made.fields[f])]
            if changed:
                raise StaleSettingsError(
                    f"{name} was changed after it was added ({', '.join(changed)}): it is "
                    "kept. Nothing was changed."
                )
            plan = _plan_of(session, made.entity, current)
            if plan is not None:
                _refuse_closed(plan)
            holds = _holds(session, made.entity, made.record_id)
            if holds is not None:
                raise PlanEditError(
                    [
                        EditProblem(
                            "",
                            PlanEditError.HOLDS,
                            f"{name} holds {holds}: it is archived, not deleted",
                            {"what": holds, "name": name},
                        )
                    ]
                )
            shape = _shape(session, plan)
            session.delete(record)
            session.flush()
            self._event(session, made.entity, made.record_id, field="deleted", old=name, new=None)
            self._keep_shape(session, plan, shape)
        return _changes_of(made.entity, [made.record_id])

    def change(self, edits: Sequence[RecordEdit]) -> Changes:
        """Set the fields of existing records, as one transaction: refused (StaleSettingsError)
        when a field holds something else than the editor saw and than is wanted, and
        (PlanEditError) when a record would break a rule."""
        edits = [
            RecordEdit(
                e.entity, e.record_id, _coerced(e.entity, e.fields), _coerced(e.entity, e.expected)
            )
            for e in edits
        ]
        with self._database.write_plans() as session:
            rows = []
            for edit in edits:
                record = session.get(_TABLES[edit.entity], edit.record_id)
                if record is None:
                    raise StaleSettingsError(
                        f"{edit.entity} {edit.record_id} no longer exists. Nothing was changed."
                    )
                current = _values(record, edit.entity)
                stale = [
                    name
                    for name, wanted in edit.fields.items()
                    if not same_value(current[name], edit.expected.get(name))
                    and not same_value(current[name], wanted)
                ]
                if stale:
                    name = stale[0]
                    raise StaleSettingsError(
                        f"{_name_of(edit.entity, current)}: {name} was changed by someone else "
                        f"in the meantime: it is {_shown(current[name])} now, not "
                        f"{_shown(edit.expected.get(name))}. Nothing was overwritten."
                    )
                rows.append((edit, record, current))
            plans = {
                plan.id: plan
                for _, record, current in rows
                if (plan := _plan_of(session, _entity(record), current)) is not None
            }
            for plan in plans.values():
                _refuse_closed(plan)
            shapes = {plan_id: _shape(session, plan) for plan_id, plan in plans.items()}
            written, touched = 0, []
            for edit, record, current in rows:
                changed = [
                    (name, current[name], value)
                    for name, value in edit.fields.items()
                    if not same_value(current[name], value)
                ]
                if not changed:
                    continue
                _refuse_kind_change(session, edit, current, changed)
                self._write_audited(
                    session, record, changed, entity=edit.entity, entity_id=edit.record_id
                )
                written += len(changed)
                touched.append((edit.entity, record))
            if not written:
                return NOTHING_CHANGED
            with session.no_autoflush:
                problems = []
                for entity, record in touched:
                    values = _values(record, entity)
                    plan = _plan_of(session, entity, values)
                    problems += _problems(session, entity, int(record.id), values, plan)  # type: ignore[attr-defined]
                _refuse(problems)
            session.flush()
            for plan_id, plan in plans.items():
                self._keep_shape(session, plan, shapes[plan_id])
        ids = [int(r.id) for entity, r in touched if entity == INDICATOR]  # type: ignore[attr-defined]
        return Changes(frozenset(ids), cells=written, structure=True)

    def problems(
        self, entity: str, record_id: int | None, fields: Mapping[str, object]
    ) -> list[EditProblem]:
        """The rules these fields would break, for a form to show before it saves: of a new
        record (record_id None; fields as for `add`) or of an existing one changed."""
        with self._database.read() as session:
            current: dict[str, Any] = {}
            if record_id is None:
                values = {**_defaults(entity), **_coerced(entity, fields)}
            else:
                record = session.get(_TABLES[entity], record_id)
                if record is None:
                    return []
                current = _values(record, entity)
                values = {**current, **_coerced(entity, fields)}
            plan = _plan_of(session, entity, values)
            if plan is not None:
                values["plan_id"] = plan.id
            found = _problems(session, entity, record_id, values, plan)
            if (
                entity == INDICATOR
                and record_id is not None
                and not same_value(current["kind"], values["kind"])
                and _holds_figures(session, record_id)
            ):
                found.append(_kind_problem(current))
            return found

    # --- the audit trail and the plan's shape ---------------------------------------------

    def _event(
        self, session: Session, entity: str, record_id: int, *, field: str, old: Any, new: Any
    ) -> None:
        session.add(
            AuditEvent(
                at=self._clock(),
                user=self._user,
                entity=entity,
                entity_id=record_id,
                field=field,
                old_value=audit_text(old),
                new_value=audit_text(new),
            )
        )

    def _keep_shape(
        self, session: Session, plan: Plan | None, before: tuple[int, int, int] | None
    ) -> None:
        """The plan's announced shape follows its tree, when it matched the tree before."""
        if plan is None or before is None:
            return
        names = ("declared_projects", "declared_tasks", "declared_measures")
        declared = tuple(getattr(plan, name) for name in names)
        if declared != before:
            return
        after = _shape(session, plan)
        assert after is not None
        changed = [
            (name, old, new)
            for name, old, new in zip(names, declared, after, strict=True)
            if old != new
        ]
        if changed:
            self._write_audited(session, plan, changed, entity=PLAN, entity_id=plan.id)


# --- reading for the editor ------------------------------------------------------------------


def record_fields(database: Database, entity: str, record_id: int) -> dict[str, object]:
    """A record's fields as the editor sees them now (what its edits expect)."""
    with database.read() as session:
        record = session.get(_TABLES[entity], record_id)
        if record is None:
            raise InvalidEntryError(f"there is no {entity} {record_id}")
        return _values(record, entity)


def form_edits(
    entity: str, record_id: int, seen: Mapping[str, object], wanted: Mapping[str, object]
) -> list[RecordEdit]:
    """A form's change of a record: the fields whose wanted value differs from the one seen
    (no edit when none does)."""
    changed = {name: value for name, value in wanted.items() if not same_value(seen[name], value)}
    if not changed:
        return []
    return [RecordEdit(entity, record_id, changed, {name: seen[name] for name in changed})]


def swap_edits(database: Database, entity: str, record_id: int, step: int) -> list[RecordEdit]:
    """Move a node or an indicator one place up (step -1) or down (+1) among its siblings
    that are not archived: the siblings keep their sort orders, the two swap theirs (none at
    the end; siblings that share an order, from an old file, are numbered afresh)."""
    with database.read() as session:
        siblings = _siblings(session, entity, record_id)
    ids = [sibling_id for sibling_id, _ in siblings]
    orders = [order for _, order in siblings]
    at = ids.index(record_id)
    other = at + step
    if not 0 <= other < len(ids):
        return []
    moved = list(ids)
    moved[at], moved[other] = moved[other], moved[at]
    numbers = orders if len(set(orders)) == len(orders) else list(range(1, len(ids) + 1))
    before = dict(siblings)
    return [
        RecordEdit(entity, i, {"sort_order": number}, {"sort_order": before[i]})
        for i, number in zip(moved, numbers, strict=True)
        if before[i] != number
    ]


def move_edit(database: Database, entity: str, record_id: int, parent_id: int) -> RecordEdit:
    """Move a node under another parent, or an indicator under another measure, after the
    children it has there."""
    link = "measure_id" if entity == INDICATOR else "parent_id"
    with database.read() as session:
        record = session.get(_TABLES[entity], record_id)
        if record is None:
            raise InvalidEntryError(f"there is no {entity} {record_id}")
        current = _values(record, entity)
        order = _next_sort_order(session, entity, {**current, link: parent_id})
    return RecordEdit(
        entity,
        record_id,
        {link: parent_id, "sort_order": order},
        {link: current[link], "sort_order": current["sort_order"]},
    )


def archive_edit(entity: str, record_id: int, *, archived: bool) -> RecordEdit:
    """Archive a node (with everything below it) or an indicator, or restore it."""
    return RecordEdit(entity, record_id, {"archived": archived}, {"archived": not archived})


def merge_edits(database: Database, merged_id: int, into_id: int) -> list[RecordEdit]:
    """Merge one department into another: every node and indicator of a plan that is not
    closed, and every such plan it leads, passes to the other; the merged one keeps its name
    for the history (closed plans, import batches) and says where it went."""
    with database.read() as session:
        open_plans = select(Plan.id).where(Plan.state != PlanState.CLOSED)
        edits = [
            RecordEdit(DEPARTMENT, merged_id, {"merged_into_id": into_id}, {"merged_into_id": None})
        ]
        for entity, table in ((NODE, Node), (INDICATOR, Indicator)):
            ids = session.scalars(
                select(table.id)
                .where(table.department_id == merged_id)
                .where(table.plan_id.in_(open_plans))
                .order_by(table.id)
            ).all()
            edits += [
                RecordEdit(entity, i, {"department_id": into_id}, {"department_id": merged_id})
                for i in ids
            ]
        led = session.scalars(
            select(Plan.id).where(
                Plan.lead_department_id == merged_id, Plan.state != PlanState.CLOSED
            )
        ).all()
        edits += [
            RecordEdit(PLAN, i, {"lead_department_id": into_id}, {"lead_department_id": merged_id})
            for i in led
        ]
    return edits


def departments(database: Database) -> list[tuple[int, str, str, int | None]]:
    """Every department of the file: id, name, short name, and the one it was merged into."""
    with database.read() as session:
        rows = session.execute(
            select(
                Department.id, Department.name, Department.short_name, Department.merged_into_id
            ).order_by(Department.id)
        ).all()
    return [(int(r[0]), r[1], r[2], r[3]) for r in rows]


def archived_items(database: Database, plan_id: int) -> list[ArchivedItem]:
    """A plan's archived nodes and indicators (those below an archived node too), each with
    its reported figures, in tree order: what the editor took out, its history readable."""
    with database.read() as session:
        nodes = session.execute(
            select(Node.id, Node.parent_id, Node.code, Node.title, Node.archived)
            .where(Node.plan_id == plan_id)
            .order_by(Node.sort_order, Node.id)
        ).all()
        hidden = archived_subtrees([(n.archived, n.id, n.parent_id) for n in nodes])
        parent = {n.id: n.parent_id for n in nodes}
        archived = {n.id for n in nodes if n.archived}

        def archived_above(node_id: int | None) -> int:
            """The nearest archived node at or above a hidden node."""
            while node_id is not None and node_id not in archived:
                node_id = parent.get(node_id)
            assert node_id is not None
            return node_id

        items = [
            ArchivedItem(NODE, n.id, n.code, n.title, "", (), (NODE, n.id))
            for n in nodes
            if n.archived
        ]
        indicators = session.execute(
            select(
                Indicator.id,
                Indicator.code,
                Indicator.name,
                Indicator.unit,
                Indicator.archived,
                Indicator.measure_id,
            )
            .where(Indicator.plan_id == plan_id)
            .order_by(Indicator.sort_order, Indicator.id)
        ).all()
        for row in indicators:
            if not (row.archived or row.measure_id in hidden):
                continue
            entries = session.execute(
                select(Entry.period, Entry.value, Entry.milestone_state)
                .where(Entry.indicator_id == row.id)
                .order_by(Entry.period)
            ).all()
            figures = tuple(
                (
                    e.period,
                    e.milestone_state.value
                    if e.milestone_state is not None
                    else ("" if e.value is None else format_figure(e.value)),
                )
                for e in entries
            )
            restored_with = (
                (INDICATOR, row.id) if row.archived else (NODE, archived_above(row.measure_id))
            )
            items.append(
                ArchivedItem(
                    INDICATOR, row.id, row.code, row.name, row.unit, figures, restored_with
                )
            )
    return items


# --- the rules -------------------------------------------------------------------------------


def _problems(
    session: Session,
    entity: str,
    record_id: int | None,
    values: Mapping[str, Any],
    plan: Plan | None,
) -> list[EditProblem]:
    problems: list[EditProblem] = []
    if entity == DEPARTMENT:
        return _department_problems(session, record_id, values)
    if entity == PLAN:
        return _department_used(session, values.get("lead_department_id"), "lead_department_id")
    assert plan is not None
    if entity == NODE:
        problems += _text_problems(Node, values, required=("code", "title"))
    else:
        problems += _text_problems(
            Indicator, values, required=("code", "name"), optional=("unit", "quantity")
        )
    problems += _duplicate(session, entity, record_id, values, plan)
    problems += _department_used(session, values.get("department_id"), "department_id")
    if entity == NODE:
        problems += _node_place(session, values, plan)
    else:
        problems += _indicator_problems(session, values, plan)
    return problems


def _duplicate(
    session: Session,
    entity: str,
    record_id: int | None,
    values: Mapping[str, Any],
    plan: Plan,
) -> list[EditProblem]:
    table: Any = Node if entity == NODE else Indicator
    code = str(values.get("code") or "").strip()
    if not code:
        return []
    query = select(table.id, table.archived).where(table.plan_id == plan.id, table.code == code)
    if record_id is not None:
        query = query.where(table.id != record_id)
    other = session.execute(query).first()
    if other is None:
        return []
    archived = " (archived)" if other.archived else ""
    return [
        EditProblem(
            "code",
            PlanEditError.DUPLICATE,
            f"plan {plan.code} has a {entity} {code} already{archived}",
            {"code": code, "archived": bool(other.archived)},
        )
    ]


def _text_problems(
    table: type[Base],
    values: Mapping[str, Any],
    *,
    required: Sequence[str],
    optional: Sequence[str] = (),
) -> list[EditProblem]:
    """Texts left empty that a record needs, and texts longer than their column holds."""
    problems = []
    for name in (*required, *optional):
        text = str(values.get(name) or "").strip()
        longest = table.__table__.c[name].type.length  # type: ignore[attr-defined]
        if name in required and not text:
            problems.append(EditProblem(name, PlanEditError.REQUIRED, f"{name} is required"))
        elif len(text) > longest:
            problems.append(
                EditProblem(
                    name,
                    PlanEditError.TOO_LONG,
                    f"{name} has more than {longest} characters",
                    {"most": longest},
                )
            )
    return problems


def _department_used(session: Session, department_id: object, field: str) -> list[EditProblem]:
    if department_id is None:
        return (
            []
            if field == "lead_department_id"
            else [EditProblem(field, PlanEditError.REQUIRED, "a department is required")]
        )
    department = session.get(Department, department_id)
    if department is None:
        return [EditProblem(field, PlanEditError.REQUIRED, "a department is required")]
    if department.merged_into_id is not None:
        return [
            EditProblem(
                field,
                PlanEditError.MERGED,
                f"{department.name} was merged into another department",
                {"name": department.name},
            )
        ]
    return []


def _node_place(session: Session, values: Mapping[str, Any], plan: Plan) -> list[EditProblem]:
    kind = NodeKind(values["kind"])
    parent_id = values.get("parent_id")
    parent = None if parent_id is None else session.get(Node, parent_id)
    wanted = _PARENT_KIND[kind]
    found = None if parent is None else parent.kind
    if found != wanted or (parent is not None and parent.plan_id != plan.id):
        return [
            EditProblem(
                "parent_id",
                PlanEditError.PLACE,
                f"a {kind.value} cannot hang under a {found.value if found else 'plan'}",
                {"kind": kind.value, "under": found.value if found else "plan"},
            )
        ]
    if parent is not None and parent.archived and not values.get("archived"):
        return [_archived_place("parent_id", parent.code)]
    return []


def _archived_place(field: str, code: str) -> EditProblem:
    return EditProblem(
        field,
        PlanEditError.ARCHIVED_PLACE,
        f"{code} is archived: restore it first",
        {"code": code},
    )


def _indicator_problems(
    session: Session, values: Mapping[str, Any], plan: Plan
) -> list[EditProblem]:
    kind = IndicatorKind(values["kind"])
    problems = [
        *_measure_problems(session, values, plan),
        *_unit_problems(kind, str(values.get("unit") or "").strip()),
        *_number_problems(values),
    ]
    if problems:
        return problems
    if kind is IndicatorKind.MILESTONE:
        problems += [
            EditProblem(
                name,
                PlanEditError.MILESTONE_FIGURE,
                "a milestone has a date, no numeric target or baseline",
            )
            for name in ("target", "stretch_target", "baseline")
            if values.get(name) is not None
        ]
    else:
        problems += _target_problems(values, plan)
        if values.get("done_when"):
            problems.append(
                _unit_problem("", kind, "only a milestone says when it counts as done", "done_when")
            )
    return [*problems, *_date_problems(values, plan), *_threshold_problems(values, plan)]


def _measure_problems(session: Session, values: Mapping[str, Any], plan: Plan) -> list[EditProblem]:
    measure = session.get(Node, values.get("measure_id"))
    if measure is None or measure.kind is not NodeKind.MEASURE or measure.plan_id != plan.id:
        under = "plan" if measure is None else measure.kind.value
        return [
            EditProblem(
                "measure_id",
                PlanEditError.PLACE,
                f"an indicator cannot hang under a {under}",
                {"kind": INDICATOR, "under": under},
            )
        ]
    if measure.archived and not values.get("archived"):
        return [_archived_place("measure_id", measure.code)]
    return []


def _unit_problems(kind: IndicatorKind, unit: str) -> list[EditProblem]:
    milestone = kind is IndicatorKind.MILESTONE
    if milestone and unit:
        return [_unit_problem(unit, kind, "a milestone has a state, not a unit")]
    if not milestone and not unit:
        return [EditProblem("unit", PlanEditError.REQUIRED, "a unit is required")]
    if kind is IndicatorKind.CUMULATIVE and unit == _SHARE_UNIT:
        return [_unit_problem(unit, kind, "a share (%) is read as it stands, never added up")]
    return []


def _number_problems(values: Mapping[str, Any]) -> list[EditProblem]:
    problems = []
    for name in ("target", "stretch_target", "baseline", "weight"):
        value = values.get(name)
        if value is None:
            continue
        try:
            figure_in_range(value)
        except FigureError as error:
            problems.append(
                EditProblem(
                    name,
                    PlanEditError.FIGURE,
                    f"{name}: {error}",
                    {"problem": error.problem.value, "text": error.text},
                )
            )
    return problems


def _target_problems(values: Mapping[str, Any], plan: Plan) -> list[EditProblem]:
    problems = []
    target, baseline = values.get("target"), values.get("baseline")
    if target is None and plan.state is not PlanState.DRAFT:
        problems.append(
            EditProblem(
                "target",
                PlanEditError.PENDING,
                f"plan {plan.code} is active: a target cannot be left pending",
            )
        )
    if target is not None and baseline is not None and target == baseline:
        problems.append(
            EditProblem(
                "target",
                PlanEditError.TARGET_IS_BASELINE,
                f"the target equals the baseline ({format_figure(target)}): nothing to achieve",
            )
        )
    if (values.get("baseline") is None) != (values.get("baseline_date") is None):
        missing = "baseline_date" if values.get("baseline_date") is None else "baseline"
        problems.append(
            EditProblem(missing, PlanEditError.REQUIRED, "a baseline needs its value and date")
        )
    return problems + [
        EditProblem(
            problem.value,
            PlanEditError.FACT,
            f"{problem.value}: {problem.name.lower()}",
            {"fact": problem.value},
        )
        for problem in fact_problems(_facts(values))
    ]


def _date_problems(values: Mapping[str, Any], plan: Plan) -> list[EditProblem]:
    due, baseline_date = values.get("due"), values.get("baseline_date")
    if not isinstance(due, dt.date):
        return [EditProblem("due", PlanEditError.REQUIRED, "a due date is required")]
    if not plan.start <= due <= plan.end:
        return [
            EditProblem(
                "due",
                PlanEditError.DUE_OUTSIDE,
                f"the due date {due.isoformat()} lies outside the plan "
                f"({plan.start.isoformat()} to {plan.end.isoformat()})",
                {"start": plan.start, "end": plan.end},
            )
        ]
    if isinstance(baseline_date, dt.date) and baseline_date >= due:
        return [
            EditProblem(
                "baseline_date",
                PlanEditError.BASELINE_AFTER_DUE,
                "the baseline's date lies on or after the due date",
            )
        ]
    return []


def _unit_problem(unit: str, kind: IndicatorKind, message: str, field: str = "unit") -> EditProblem:
    return EditProblem(field, PlanEditError.UNIT_KIND, message, {"unit": unit, "kind": kind.value})


def _threshold_problems(values: Mapping[str, Any], plan: Plan) -> list[EditProblem]:
    own = (values.get("yellow_threshold"), values.get("red_threshold"))
    try:
        for points in own:
            if points is not None and not 0 <= float(points) <= POINTS_MAX:
                raise ValueError(points)
        Thresholds(plan.yellow_points, plan.red_points).overridden(*own)
    except (ValueError, TypeError):
        return [
            EditProblem(
                "yellow_threshold",
                PlanEditError.THRESHOLDS,
                f"the own thresholds {own} contradict the plan's "
                f"({format_figure(plan.yellow_points)}/{format_figure(plan.red_points)} points; "
                "yellow must not exceed red, both from 0 to 100)",
            )
        ]
    return []


def _facts(values: Mapping[str, Any]) -> SimpleNamespace:
    return SimpleNamespace(
        direction=Direction(values["direction"]),
        target=values.get("target"),
        stretch_target=values.get("stretch_target"),
        baseline=values.get("baseline"),
        department_basis=DepartmentBasis(values["department_basis"]),
        department_quote=values.get("department_quote") or "",
    )


FACT_FIELDS = {problem.value for problem in FactProblem}


def _department_problems(
    session: Session, record_id: int | None, values: Mapping[str, Any]
) -> list[EditProblem]:
    problems = _text_problems(Department, values, required=("name", "short_name"))
    for name in ("name", "short_name"):
        text = str(values.get(name) or "").strip()
        query = select(Department.id).where(
            (Department.name == text) | (Department.short_name == text)
        )
        if record_id is not None:
            query = query.where(Department.id != record_id)
        if text and session.scalar(query) is not None:
            problems.append(
                EditProblem(
                    name,
                    PlanEditError.NAME_TAKEN,
                    f"another department is called {text}",
                    {"name": text},
                )
            )
    into = values.get("merged_into_id")
    if into is not None:
        if into == record_id:
            problems.append(
                EditProblem(
                    "merged_into_id",
                    PlanEditError.SELF_MERGE,
                    "a department is not merged into itself",
                )
            )
        else:
            problems += _department_used(session, into, "merged_into_id")
    return problems


def _refuse(problems: Sequence[EditProblem]) -> None:
    if problems:
        raise PlanEditError(problems)


def _refuse_closed(plan: Plan) -> None:
    if plan.state is PlanState.CLOSED:
        raise PlanEditError(
            [
                EditProblem(
                    "",
                    PlanEditError.CLOSED,
                    f"plan {plan.code} is closed: reopen it to edit its structure",
                    {"code": plan.code},
                )
            ]
        )


def _refuse_kind_change(
    session: Session,
    edit: RecordEdit,
    current: Mapping[str, object],
    changed: Sequence[tuple[str, object, object]],
) -> None:
    if edit.entity != INDICATOR or "kind" not in {name for name, _, _ in changed}:
        return
    if _holds_figures(session, edit.record_id):
        raise PlanEditError([_kind_problem(current)])


def _kind_problem(current: Mapping[str, object]) -> EditProblem:
    return EditProblem(
        "kind",
        PlanEditError.KIND_WITH_FIGURES,
        f"{current['code']} holds figures: its kind stays, or they would lose their meaning",
        {"code": current["code"]},
    )


def _holds_figures(session: Session, indicator_id: int) -> bool:
    found = session.scalar(select(Entry.id).where(Entry.indicator_id == indicator_id).limit(1))
    return found is not None


def _holds(session: Session, entity: str, record_id: int) -> str | None:
    """What keeps a record from being deleted: "figures", "children" or "references"."""
    if entity == INDICATOR:
        return "figures" if _holds_figures(session, record_id) else None
    if entity == NODE:
        child = session.scalar(select(Node.id).where(Node.parent_id == record_id).limit(1))
        own = session.scalar(select(Indicator.id).where(Indicator.measure_id == record_id).limit(1))
        return "children" if child is not None or own is not None else None
    if entity == DEPARTMENT:
        for table, column in (
            (Node, Node.department_id),
            (Indicator, Indicator.department_id),
            (Plan, Plan.lead_department_id),
            (Department, Department.merged_into_id),
        ):
            if session.scalar(select(table.id).where(column == record_id).limit(1)) is not None:
                return "references"
        if session.scalar(
            select(ImportBatch.id).where(ImportBatch.department_id == record_id).limit(1)
        ):
            return "references"
    return None


# --- small helpers ---------------------------------------------------------------------------


def _defaults(entity: str) -> dict[str, object]:
    if entity == NODE:
        return {"quote": "", "source": "", "note": "", "editor_title": True, "archived": False}
    if entity == INDICATOR:
        return {
            "unit": "",
            "kind": IndicatorKind.CUMULATIVE,
            "direction": Direction.AT_LEAST,
            **NO_FIGURES,
            "department_basis": DepartmentBasis.INFERRED,
            "department_quote": "",
            "weight": 1.0,
            "yellow_threshold": None,
            "red_threshold": None,
            "quote": "",
            "source": "",
            "note": "",
            "quantity": None,
            "done_when": "",
            "done_when_basis": TextBasis.EDITOR,
            "archived": False,
        }
    if entity == DEPARTMENT:
        return {"merged_into_id": None}
    return {}


def _coerced(entity: str, fields: Mapping[str, object]) -> dict[str, object]:
    """Fields with their enums as enums, numbers as floats and texts trimmed."""
    enums = _ENUMS.get(entity, {})
    return {name: _coerced_one(enums, name, value) for name, value in fields.items()}


def _coerced_one(enums: Mapping[str, type[enum.Enum]], name: str, value: object) -> object:
    if name in enums and value is not None and not isinstance(value, enums[name]):
        return enums[name](value)
    if isinstance(value, int) and not isinstance(value, bool) and name in _FLOATS:
        return float(value)
    if isinstance(value, str) and name not in ("quote", "note", "source"):
        return value.strip()
    return value


_FLOATS = frozenset(
    {"target", "stretch_target", "baseline", "weight", "yellow_threshold", "red_threshold"}
)


def _values(record: object, entity: str) -> dict[str, Any]:
    return {name: getattr(record, name) for name in _FIELDS[entity]}


def same_value(a: object, b: object) -> bool:
    """Whether a field holds what was seen or wanted: 3 and 3.0 alike, an enum and its
    value alike."""
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return float(a) == float(b)
    return a == b


def _shown(value: object) -> str:
    if value is None or value == "":
        return "nothing"
    if isinstance(value, float):
        return format_figure(value)
    return str(value)


def _entity(record: object) -> str:
    return next(name for name, table in _TABLES.items() if isinstance(record, table))


def _name_of(entity: str, values: Mapping[str, object]) -> str:
    if entity == DEPARTMENT:
        return str(values.get("name", ""))
    title = values.get("title") or values.get("name") or ""
    return f"{values.get('code', '')} {title}".strip()


def _plan_of(session: Session, entity: str, values: Mapping[str, object]) -> Plan | None:
    """The plan a record belongs to (None for a department)."""
    if entity == DEPARTMENT:
        return None
    if entity == PLAN:
        return None  # a plan's lead department: no structure of it changes
    if entity == INDICATOR and values.get("plan_id") is None:
        measure = session.get(Node, values.get("measure_id"))
        if measure is None:
            raise InvalidEntryError("an indicator needs a measure")
        return session.get(Plan, measure.plan_id)
    plan = session.get(Plan, values.get("plan_id"))
    if plan is None:
        raise InvalidEntryError(f"there is no plan {values.get('plan_id')}")
    return plan


def _next_sort_order(session: Session, entity: str, values: Mapping[str, object]) -> int:
    if entity == INDICATOR:
        query = select(func.max(Indicator.sort_order)).where(
            Indicator.measure_id == values["measure_id"]
        )
    else:
        parent = values.get("parent_id")
        query = select(func.max(Node.sort_order)).where(Node.plan_id == values["plan_id"])
        query = query.where(
            Node.parent_id.is_(None) if parent is None else Node.parent_id == parent
        )
    last = session.scalar(query)
    return 1 if last is None else int(last) + 1


def _siblings(session: Session, entity: str, record_id: int) -> list[tuple[int, int]]:
    """A node's or an indicator's siblings that are not archived (itself included), in order,
    with their sort orders."""
    if entity == INDICATOR:
        record = session.get(Indicator, record_id)
        if record is None:
            raise InvalidEntryError(f"there is no indicator {record_id}")
        query = select(Indicator.id, Indicator.sort_order).where(
            Indicator.measure_id == record.measure_id,
            (Indicator.archived.is_(False)) | (Indicator.id == record_id),
        )
        query = query.order_by(Indicator.sort_order, Indicator.id)
    else:
        node = session.get(Node, record_id)
        if node is None:
            raise InvalidEntryError(f"there is no node {record_id}")
        query = select(Node.id, Node.sort_order).where(
            Node.plan_id == node.plan_id,
            Node.parent_id.is_(None)
            if node.parent_id is None
            else Node.parent_id == node.parent_id,
            (Node.archived.is_(False)) | (Node.id == record_id),
        )
        query = query.order_by(Node.sort_order, Node.id)
    return [(int(i), int(order)) for i, order in session.execute(query)]


def _shape(session: Session, plan: Plan | None) -> tuple[int, int, int] | None:
    """A plan's shape (`plan_shape`) with the session's changes written; none for no plan."""
    if plan is None:
        return None
    session.flush()
    return plan_shape(session, plan.id)


def _changes_of(entity: str, ids: Sequence[int]) -> Changes:
    indicators = frozenset(ids) if entity == INDICATOR else frozenset()
    return Changes(indicators, cells=1, structure=True)
