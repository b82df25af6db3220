"""Bring the built-in plans of an upgraded database up to the ones this program ships.

The schema-4 migration (desktop.models.migrations) runs `update_built_in_plans` inside its
transaction: a user's file of an older release holds the 2025 plan as that release shipped it;
the shipped seed (data/seed.sqlite, read-only) holds the corrected plans. Every node and
indicator of a built-in plan is updated in place (ids kept: entries and audit events point at
them), matched by code with the moves the corrected plan made mapped explicitly; the shipped
rows the file lacks are inserted; built-in plans the file lacks are inserted, except one that
an older release already shipped (a file without it has had it renamed or removed by hand: it
is left as it is). No entry, audit event or import batch is changed, and no figure a user
entered loses its meaning: an indicator whose shipped kind cannot hold its entries keeps its
kind, unit, target and baseline and says so in its note. One audit event per plan touched.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from desktop.models.errors import DatabaseOpenError
from desktop.models.locations import bundled_seed_path

# Who the audit trail names for these changes, and the field it records.
UPGRADE_USER = "升级程序"
AUDIT_FIELD = "built_in_update"

# The built-in plans that a released program (schema 1-3) already shipped. One of them missing
# from a user's file was renamed or removed by hand, so it is not put back; the built-in plans
# that are new in this release are inserted when missing.
RELEASED_PLANS = frozenset({"SY2025-MIS"})

# The moves the corrected plans made: plan code -> {code in the released plan: code now}, for
# nodes and indicators alike. From data/plan_2025.toml's `former_code` keys (the shipped seed
# does not store them): measures 4.1.3 and 4.2.3 swapped places, with their indicators.
FORMER_CODES: Mapping[str, Mapping[str, str]] = {
    "SY2025-MIS": {
        "4.2.3": "4.1.3",
        "4.2.3-1": "4.1.3-1",
        "4.2.3-2": "4.1.3-2",
        "4.1.3": "4.2.3",
        "4.1.3-1": "4.2.3-1",
    },
}

# The plan fields copied from the shipped plan (not the user's light settings, nor its state).
_PLAN_FIELDS = (
    "title",
    "year",
    "start_date",
    "end_date",
    "source",
    "declared_projects",
    "declared_tasks",
    "declared_measures",
    "lead_department_id",
)
# Inserted plans take the shipped settings and state as well.
_NEW_PLAN_FIELDS = (
    "code",
    *_PLAN_FIELDS,
    "yellow_points",
    "red_points",
    "parent_light",
    "settings_version",
    "state",
)
_NODE_FIELDS = (
    "parent_id",
    "kind",
    "code",
    "title",
    "department_id",
    "sort_order",
    "source",
    "quote",
    "note",
    "editor_title",
)
# What an indicator whose kind cannot change keeps of its own: what its figures are measured
# against. (done_when is a milestone's; it stays as the indicator had it too.)
_KEPT_WITH_KIND = (
    "kind",
    "unit",
    "direction",
    "target",
    "stretch_target",
    "baseline",
    "baseline_date",
    "baseline_source",
    "baseline_date_inferred",
    "done_when",
    "done_when_basis",
)
# Every field of an indicator that the plan sets; the user's own thresholds are not among them.
_INDICATOR_FIELDS = (
    "measure_id",
    "code",
    "name",
    *_KEPT_WITH_KIND,
    "due_date",
    "department_id",
    "weight",
    "sort_order",
    "source",
    "quote",
    "note",
    "department_basis",
    "department_quote",
    "quantity",
)
_KIND_WORDS = {"cumulative": "累计型", "level": "水平型", "milestone": "里程碑"}


class BuiltInPlansError(Exception):
    """The built-in plans could not be brought up to the shipped ones (the step is undone)."""


Row = dict[str, Any]


@dataclass
class _Shipped:
    """One plan of the shipped seed, its department names resolved."""

    plan: Row
    nodes: list[Row]  # parents before children
    indicators: list[Row]


@dataclass
class PlanUpdate:
    """What the step did to one plan (also what its audit event says)."""

    code: str
    inserted_plan: bool = False
    before: str | None = None  # the plan's size before the update (None: it was inserted)
    nodes_updated: list[str] = field(default_factory=list)
    nodes_inserted: list[str] = field(default_factory=list)
    indicators_updated: list[str] = field(default_factory=list)
    indicators_inserted: list[str] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    kept_kind: list[str] = field(default_factory=list)
    plan_fields: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.inserted_plan
            or self.nodes_updated
            or self.nodes_inserted
            or self.indicators_updated
            or self.indicators_inserted
            or self.plan_fields
        )

    def summary(self) -> str:
        if self.inserted_plan:
            return "新增内置计划:" + _size(len(self.nodes_inserted), len(self.indicators_inserted))
        parts = []
        if self.plan_fields:
            parts.append("计划信息:" + "、".join(self.plan_fields))
        for label, codes in (
            ("移动", self.moved),
            ("更新节点", self.nodes_updated),
            ("新增节点", self.nodes_inserted),
            ("更新指标", self.indicators_updated),
            ("新增指标", self.indicators_inserted),
            ("修正未应用(已有填报数据)", self.kept_kind),
        ):
            if codes:
                parts.append(f"{label}{len(codes)}:" + "、".join(codes))
        return ";".join(parts)


def _size(nodes: int, indicators: int) -> str:
    return f"{nodes}个节点、{indicators}项指标"


def update_built_in_plans(
    connection: Connection,
    seed: Path | None = None,
    *,
    clock: Callable[[], dt.datetime] = dt.datetime.now,
) -> list[PlanUpdate]:
    """Bring the built-in plans in the database of `connection` (inside the caller's
    transaction) up to the shipped seed's; return what changed, plan by plan (plans that
    already matched are not listed)."""
    if seed is None:
        try:
            seed = bundled_seed_path()
        except DatabaseOpenError as error:
            raise BuiltInPlansError(str(error)) from None
    shipped = read_shipped_plans(seed)
    departments = _Departments(connection)
    updates = []
    for code, plan in shipped.items():
        found = connection.exec_driver_sql("SELECT id FROM plans WHERE code = ?", (code,)).first()
        if found is not None:
            update = _update_plan(connection, int(found[0]), plan, departments)
        elif code in RELEASED_PLANS:
            continue  # renamed or removed by hand: not the program's to put back
        else:
            update = _insert_plan(connection, plan, departments)
        if update.changed:
            _audit(connection, update, clock())
            updates.append(update)
    return updates


def read_shipped_plans(seed: Path) -> dict[str, _Shipped]:
    """Every plan of the shipped seed with its nodes and indicators, departments as names."""
    try:
        reader = sqlite3.connect(f"{seed.resolve().as_uri()}?mode=ro", uri=True)
    except (sqlite3.Error, OSError) as error:
        raise BuiltInPlansError(f"the shipped plans cannot be read from {seed}: {error}") from None
    try:
        reader.row_factory = sqlite3.Row
        names = {row["id"]: row for row in reader.execute("SELECT * FROM departments")}

        def department(row: Row, key: str) -> None:
            value = row.pop(key)
            row[key] = None if value is None else (names[value]["name"], names[value]["short_name"])

        plans: dict[str, _Shipped] = {}
        for raw in reader.execute("SELECT * FROM plans ORDER BY id"):
            plan = dict(raw)
            department(plan, "lead_department_id")
            nodes = [
                dict(row)
                for row in reader.execute(
                    "SELECT * FROM nodes WHERE plan_id = ? ORDER BY id", (plan["id"],)
                )
            ]
            by_id = {node["id"]: node for node in nodes}
            for node in nodes:
                department(node, "department_id")
                parent = by_id.get(node.pop("parent_id"))
                node["parent_code"] = None if parent is None else parent["code"]
            nodes.sort(key=lambda node: (node["code"].count("."), node["id"]))
            indicators = [
                dict(row)
                for row in reader.execute(
                    "SELECT * FROM indicators WHERE plan_id = ? ORDER BY id", (plan["id"],)
                )
            ]
            for indicator in indicators:
                department(indicator, "department_id")
                indicator["measure_code"] = by_id[indicator.pop("measure_id")]["code"]
            plans[plan["code"]] = _Shipped(plan, nodes, indicators)
    except (sqlite3.Error, KeyError) as error:
        raise BuiltInPlansError(f"the shipped plans in {seed} cannot be read: {error!r}") from None
    finally:
        reader.close()
    return plans


class _Departments:
    """The user's departments by full name; a shipped one the file lacks is inserted."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        rows = connection.exec_driver_sql("SELECT id, name, short_name FROM departments").all()
        self._by_name = {name: int(id_) for id_, name, _ in rows}
        self._by_short = {short: int(id_) for id_, _, short in rows}

    def id_of(self, department: tuple[str, str] | None) -> int | None:
        if department is None:
            return None
        name, short = department
        if name in self._by_name:
            return self._by_name[name]
        if short in self._by_short:  # the user's file calls it otherwise: the same department
            return self._by_short[short]
        cursor = self._connection.exec_driver_sql(
            "INSERT INTO departments (name, short_name) VALUES (?, ?)", (name, short)
        )
        new = int(cursor.lastrowid)
        self._by_name[name] = self._by_short[short] = new
        return new


def _shipped_values(row: Row, fields: Sequence[str], resolved: Mapping[str, Any]) -> Row:
    return {name: resolved[name] if name in resolved else row[name] for name in fields}


def _insert(connection: Connection, table: str, values: Row) -> int:
    names = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    cursor = connection.exec_driver_sql(
        f"INSERT INTO {table} ({names}) VALUES ({marks})", tuple(values.values())
    )
    return int(cursor.lastrowid)


def _set(connection: Connection, table: str, row_id: int, values: Row) -> None:
    if values:
        assignments = ", ".join(f"{name} = ?" for name in values)
        connection.exec_driver_sql(
            f"UPDATE {table} SET {assignments} WHERE id = ?", (*values.values(), row_id)
        )


def _differing(current: Row, wanted: Row) -> Row:
    """The fields of `wanted` whose values differ from `current` (type included: 3 vs 3.0)."""
    return {
        name: value
        for name, value in wanted.items()
        if current[name] != value or type(current[name]) is not type(value)
    }


def _insert_plan(
    connection: Connection, shipped: _Shipped, departments: _Departments
) -> PlanUpdate:
    update = PlanUpdate(shipped.plan["code"], inserted_plan=True)
    lead = departments.id_of(shipped.plan["lead_department_id"])
    plan_id = _insert(
        connection,
        "plans",
        _shipped_values(shipped.plan, _NEW_PLAN_FIELDS, {"lead_department_id": lead}),
    )
    node_ids: dict[str, int] = {}
    for node in shipped.nodes:
        values = _node_values(node, node_ids, departments)
        node_ids[node["code"]] = _insert(connection, "nodes", {"plan_id": plan_id, **values})
        update.nodes_inserted.append(node["code"])
    for indicator in shipped.indicators:
        values = _indicator_values(indicator, node_ids, departments)
        _insert(connection, "indicators", {"plan_id": plan_id, **values})
        update.indicators_inserted.append(indicator["code"])
    return update


def _node_values(node: Row, node_ids: Mapping[str, int], departments: _Departments) -> Row:
    parent = node["parent_code"]
    return _shipped_values(
        node,
        _NODE_FIELDS,
        {
            "parent_id": None if parent is None else node_ids[parent],
            "department_id": departments.id_of(node["department_id"]),
        },
    )


def _indicator_values(
    indicator: Row, node_ids: Mapping[str, int], departments: _Departments
) -> Row:
    return _shipped_values(
        indicator,
        _INDICATOR_FIELDS,
        {
            "measure_id": node_ids[indicator["measure_code"]],
            "department_id": departments.id_of(indicator["department_id"]),
        },
    )


def _same_thing(current: Row, shipped: Row, name: str) -> bool:
    """Whether a user's row is the shipped row's node or indicator: the same title (name) or
    the same quote (the released plan cut some quotes short; the moved rows kept their
    titles and names)."""
    return bool(current[name] == shipped[name] or current["quote"] == shipped["quote"])


def _place(
    rows: Sequence[Row], shipped: Mapping[str, Row], moves: Mapping[str, str], name: str
) -> dict[str, Row]:
    """The user's rows by the shipped code they become. A row at a former code moves to its
    new code unless it is already the shipped row of its own code (an upgrade that ran once
    before, or a file that has the corrected plan): the moves are decided by content, so the
    step does not move a row twice."""
    placed: dict[str, Row] = {}
    for row in rows:
        code = row["code"]
        new = moves.get(code)
        if (
            new is not None
            and new in shipped
            and _same_thing(row, shipped[new], name)
            and not (code in shipped and _same_thing(row, shipped[code], name))
        ):
            code = new
        if code in placed:
            raise BuiltInPlansError(
                f"{placed[code]['code']} and {row['code']} would both become {code}"
            )
        placed[code] = row
    return placed


def _update_plan(
    connection: Connection, plan_id: int, shipped: _Shipped, departments: _Departments
) -> PlanUpdate:
    code = shipped.plan["code"]
    moves = FORMER_CODES.get(code, {})
    nodes = _rows(connection, "SELECT * FROM nodes WHERE plan_id = ?", plan_id)
    indicators = _rows(connection, "SELECT * FROM indicators WHERE plan_id = ?", plan_id)
    update = PlanUpdate(code, before=_size(len(nodes), len(indicators)))
    shipped_nodes = {node["code"]: node for node in shipped.nodes}
    shipped_indicators = {indicator["code"]: indicator for indicator in shipped.indicators}
    placed_nodes = _place(nodes, shipped_nodes, moves, "title")
    placed_indicators = _place(indicators, shipped_indicators, moves, "name")
    # Moved rows leave their codes first, so that a swap never holds one code twice.
    for table, placed in (("nodes", placed_nodes), ("indicators", placed_indicators)):
        for new_code, row in placed.items():
            if row["code"] != new_code:
                update.moved.append(f"{row['code']}→{new_code}")
                _set(connection, table, row["id"], {"code": f"~moving~{row['id']}"})
                row["code"] = f"~moving~{row['id']}"

    node_ids: dict[str, int] = {}
    for node in shipped.nodes:
        wanted = _node_values(node, node_ids, departments)
        current = placed_nodes.get(node["code"])
        if current is None:
            node_ids[node["code"]] = _insert(connection, "nodes", {"plan_id": plan_id, **wanted})
            update.nodes_inserted.append(node["code"])
            continue
        node_ids[node["code"]] = current["id"]
        changes = _differing(current, wanted)
        if changes:
            _set(connection, "nodes", current["id"], changes)
            update.nodes_updated.append(node["code"])

    for indicator in shipped.indicators:
        wanted = _indicator_values(indicator, node_ids, departments)
        current = placed_indicators.get(indicator["code"])
        if current is None:
            _insert(connection, "indicators", {"plan_id": plan_id, **wanted})
            update.indicators_inserted.append(indicator["code"])
            continue
        blocked = _entries_the_kind_cannot_hold(connection, current, wanted["kind"])
        if blocked:
            for name in _KEPT_WITH_KIND:
                wanted[name] = current[name]
            wanted["note"] = _kept_note(indicator["note"], current, indicator, blocked)
            update.kept_kind.append(indicator["code"])
        changes = _differing(current, wanted)
        if changes:
            _set(connection, "indicators", current["id"], changes)
            update.indicators_updated.append(indicator["code"])

    plan = _rows(connection, "SELECT * FROM plans WHERE id = ?", plan_id)[0]
    lead = departments.id_of(shipped.plan["lead_department_id"])
    wanted_plan = _shipped_values(shipped.plan, _PLAN_FIELDS, {"lead_department_id": lead})
    changes = _differing(plan, wanted_plan)
    _set(connection, "plans", plan_id, changes)
    update.plan_fields = list(changes)
    if not update.changed:
        update.moved.clear()
        update.kept_kind.clear()
    return update


def _rows(connection: Connection, sql: str, *parameters: object) -> list[Row]:
    result = connection.exec_driver_sql(sql, tuple(parameters))
    names = list(result.keys())
    return [dict(zip(names, row, strict=True)) for row in result.all()]


def _entries_the_kind_cannot_hold(connection: Connection, current: Row, kind: str) -> int:
    """How many of the indicator's entries the shipped kind cannot hold: numbers when it
    becomes a milestone, milestone states when it becomes a number. Cumulative and level
    read the same figure (the value reached so far): a change between them keeps every
    number valid, so it is applied."""
    if current["kind"] == kind:
        return 0
    column = "value" if kind == "milestone" else "milestone_state"
    count = connection.exec_driver_sql(
        f"SELECT count(*) FROM entries WHERE indicator_id = ? AND {column} IS NOT NULL",
        (current["id"],),
    ).scalar_one()
    return int(count)


def _figure(value: float | None) -> str:
    return "无" if value is None else f"{value:g}"


def _unit(unit: str | None) -> str:
    return f"“{unit}”" if unit else "无"


def _kept_note(note: str, current: Row, shipped: Row, entries: int) -> str:
    """The shipped note and what was not applied, for `tree`, the window and `check` users."""
    what = "数值" if shipped["kind"] == "milestone" else "里程碑状态"
    kept = (
        f"修正未应用:已有填报数据({entries}个月的{what}),"
        f"保留原类型{_KIND_WORDS[current['kind']]}、单位{_unit(current['unit'])}、"
        f"目标{_figure(current['target'])}、基期值{_figure(current['baseline'])};"
        f"内置计划的修正版为{_KIND_WORDS[shipped['kind']]}"
        f"(单位{_unit(shipped['unit'])}、目标{_figure(shipped['target'])})。"
    )
    return f"{note}\n{kept}" if note else kept


def _audit(connection: Connection, update: PlanUpdate, at: dt.datetime) -> None:
    plan_id = connection.exec_driver_sql(
        "SELECT id FROM plans WHERE code = ?", (update.code,)
    ).scalar_one()
    connection.exec_driver_sql(
        "INSERT INTO audit_events (at, user, entity, entity_id, indicator_id, period, field, "
        "old_value, new_value, batch_id) VALUES (?, ?, 'plan', ?, NULL, NULL, ?, ?, ?, NULL)",
        (
            at.isoformat(sep=" ", timespec="microseconds"),
            UPGRADE_USER,
            plan_id,
            AUDIT_FIELD,
            update.before,
            update.summary(),
        ),
    )
