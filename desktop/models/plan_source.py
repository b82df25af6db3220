"""The plan as readable source (data/plan_*.toml): parsing, validation and building the seed."""

from __future__ import annotations

import datetime as dt
import enum
import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.database import create_database, finalize_for_distribution
from desktop.models.errors import PlanSourceError
from desktop.models.kinds import (
    DepartmentBasis,
    Direction,
    IndicatorKind,
    NodeKind,
    PlanState,
    TextBasis,
)
from desktop.models.records import IndicatorFacts, NodeFacts, shared_fields
from desktop.models.schema import Department, Indicator, Node, Plan

_NODE_KINDS = {1: NodeKind.PROJECT, 2: NodeKind.TASK, 3: NodeKind.MEASURE}


@dataclass(frozen=True)
class SourceDocument:
    """A document that nodes, targets and baselines are quoted from."""

    key: str
    file: str
    title: str
    published: dt.date
    cited_as: str  # how a person names it, on screen and on paper ("2025年3月28日市政府新闻发布会")


@dataclass(frozen=True)
class NodeSpec(NodeFacts):
    department: str  # short name
    section: str
    former_code: str | None  # the code the built-in plan gave it before it moved

    @property
    def depth(self) -> int:
        return self.code.count(".") + 1

    @property
    def parent_code(self) -> str | None:
        return self.code.rpartition(".")[0] or None


@dataclass(frozen=True)
class IndicatorSpec(IndicatorFacts):
    baseline_source: str | None  # a key of [sources]
    baseline_quote: str | None
    department: str  # short name
    former_code: str | None  # the code the built-in plan gave it before it moved

    @property
    def measure_code(self) -> str:
        return self.code.partition("-")[0]


@dataclass(frozen=True)
class PlanSpec:
    """A whole plan source, validated."""

    code: str
    title: str
    year: int
    start: dt.date
    end: dt.date
    state: PlanState
    lead: str | None  # the leading department's short name
    source: SourceDocument
    sources: Mapping[str, SourceDocument]
    declared_shape: tuple[int, int, int]
    departments: tuple[tuple[str, str], ...]  # (full name, short name)
    nodes: tuple[NodeSpec, ...]
    indicators: tuple[IndicatorSpec, ...]


class _Table:
    """One TOML table read with checks; errors name the entry they are about."""

    def __init__(self, raw: Any, where: str, allowed: set[str]) -> None:
        if not isinstance(raw, dict):
            raise PlanSourceError(f"{where}: expected a table")
        unknown = sorted(set(raw) - allowed)
        if unknown:
            raise PlanSourceError(f"{where}: unknown key(s) {', '.join(unknown)}")
        self.raw, self.where = raw, where

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        if key not in self.raw:
            if default is ...:
                raise PlanSourceError(f"{self.where}: '{key}' is missing")
            return default
        value = self.raw[key]
        wants_bool = kind is bool
        if isinstance(value, bool) != wants_bool or not isinstance(value, kind):
            raise PlanSourceError(f"{self.where}: '{key}' has the wrong type ({value!r})")
        return value

    def number(self, key: str) -> float | None:
        value = self.get(key, (int, float), None)
        return None if value is None else float(value)


_NODE_KEYS = {f.name for f in fields(NodeSpec)}
# The source may explain a baseline in baseline_note; it has no field, it joins the note.
_INDICATOR_KEYS = ({f.name for f in fields(IndicatorSpec)} - {"baseline_date_inferred"}) | {
    "baseline_note",
    "baseline_date_basis",
}


def load_plan_source(path: Path) -> PlanSpec:
    """Read and validate a plan source file."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise PlanSourceError(f"{path}: {error}") from error
    return parse_plan_source(raw)


def parse_plan_source(raw: Mapping[str, Any]) -> PlanSpec:
    """Validate a parsed plan source; PlanSourceError names the first problem found."""
    top = _Table(raw, "plan source", {"plan", "sources", "department", "node", "indicator"})
    plan = _Table(
        top.get("plan", dict),
        "[plan]",
        {
            "code",
            "title",
            "year",
            "start",
            "end",
            "state",
            "lead",
            "source",
            "projects",
            "tasks",
            "measures",
        },
    )
    try:
        state = PlanState(plan.get("state", str, PlanState.ACTIVE.value))
    except ValueError as error:
        raise PlanSourceError(f"[plan]: {error}") from None
    sources = {key: _source(key, value) for key, value in top.get("sources", dict).items()}
    source_key = plan.get("source", str)
    if source_key not in sources:
        raise PlanSourceError(f"[plan]: source '{source_key}' is not among [sources]")
    start, end = plan.get("start", dt.date), plan.get("end", dt.date)
    if end < start:
        raise PlanSourceError("[plan]: end comes before start")

    departments = tuple(_department(i, d) for i, d in enumerate(top.get("department", list)))
    short_names = {short for _, short in departments}
    if len(short_names) != len(departments):
        raise PlanSourceError("[[department]]: short names must be unique")

    nodes = tuple(_node(n) for n in top.get("node", list))
    indicators = tuple(_indicator(i, end) for i in top.get("indicator", list))
    spec = PlanSpec(
        code=plan.get("code", str),
        title=plan.get("title", str),
        year=plan.get("year", int),
        start=start,
        end=end,
        state=state,
        lead=plan.get("lead", str, None),
        source=sources[source_key],
        sources=sources,
        declared_shape=(
            plan.get("projects", int),
            plan.get("tasks", int),
            plan.get("measures", int),
        ),
        departments=departments,
        nodes=nodes,
        indicators=indicators,
    )
    check_consistency(spec, short_names)
    return spec


def _source(key: str, raw: Any) -> SourceDocument:
    table = _Table(raw, f"[sources.{key}]", {"file", "title", "published", "cited_as", "note"})
    return SourceDocument(
        key,
        table.get("file", str),
        table.get("title", str),
        table.get("published", dt.date),
        table.get("cited_as", str),
    )


def _department(index: int, raw: Any) -> tuple[str, str]:
    table = _Table(raw, f"[[department]] #{index + 1}", {"name", "short"})
    return table.get("name", str), table.get("short", str)


def _node(raw: Any) -> NodeSpec:
    code = raw.get("code", "?") if isinstance(raw, dict) else "?"
    table = _Table(raw, f"node {code}", _NODE_KEYS)
    return NodeSpec(
        code=table.get("code", str),
        title=table.get("title", str),
        quote=table.get("quote", str),
        note=table.get("note", str, ""),
        editor_title=table.get("editor_title", bool, False),
        department=table.get("department", str),
        section=table.get("section", str),
        former_code=table.get("former_code", str, None),
    )


def _indicator(raw: Any, plan_end: dt.date) -> IndicatorSpec:
    code = raw.get("code", "?") if isinstance(raw, dict) else "?"
    table = _Table(raw, f"indicator {code}", _INDICATOR_KEYS)
    where = table.where
    try:
        kind = IndicatorKind(table.get("kind", str))
        direction = Direction(table.get("direction", str, Direction.AT_LEAST.value))
        basis = DepartmentBasis(table.get("department_basis", str, "inferred"))
        done_when_basis = TextBasis(table.get("done_when_basis", str, "text"))
        dated = table.get("baseline_date_basis", str, "text")
        if dated not in ("text", "inferred"):
            raise ValueError(f"'{dated}' is not a baseline_date_basis (text or inferred)")
    except ValueError as error:
        raise PlanSourceError(f"{where}: {error}") from None
    spec = IndicatorSpec(
        code=table.get("code", str),
        name=table.get("name", str),
        unit=table.get("unit", str),
        kind=kind,
        direction=direction,
        target=table.number("target"),
        stretch_target=table.number("stretch_target"),
        baseline=table.number("baseline"),
        baseline_date=table.get("baseline_date", dt.date, None),
        baseline_source=table.get("baseline_source", str, None),
        baseline_quote=table.get("baseline_quote", str, None),
        due=table.get("due", dt.date, plan_end),
        department=table.get("department", str),
        weight=float(table.get("weight", (int, float), 1.0)),
        quote=table.get("quote", str),
        note="; ".join(
            text
            for text in (table.get("note", str, ""), table.get("baseline_note", str, ""))
            if text
        ),
        department_basis=basis,
        department_quote=table.get("department_quote", str, ""),
        quantity=table.get("quantity", str, None),
        done_when=table.get("done_when", str, ""),
        done_when_basis=done_when_basis,
        baseline_date_inferred=dated == "inferred",
        former_code=table.get("former_code", str, None),
    )
    _check_indicator(spec, table)
    return spec


class FactProblem(enum.Enum):
    """A rule an indicator's facts break, whatever they were read from (a plan source, a plan
    workbook); each reader says it in its own words, at its own place."""

    STRETCH_SHORT = "stretch_target"  # the stretch target lies short of the target
    AT_MOST_BASELINE = "baseline"  # an 'at most' indicator needs a baseline above its target
    BASIS_QUOTE = "department_quote"  # a named department needs its clause; only it has one


class IndicatorFactsRead(Protocol):
    """What the rules read of an indicator."""

    @property
    def direction(self) -> Direction: ...
    @property
    def target(self) -> float | None: ...
    @property
    def stretch_target(self) -> float | None: ...
    @property
    def baseline(self) -> float | None: ...
    @property
    def department_basis(self) -> DepartmentBasis: ...
    @property
    def department_quote(self) -> str: ...


def fact_problems(facts: IndicatorFactsRead) -> list[FactProblem]:
    """The rules an indicator's facts break; the field each concerns is the problem's value."""
    problems = []
    target, at_least = facts.target, facts.direction is Direction.AT_LEAST
    if target is not None:
        stretch = facts.stretch_target
        if stretch is not None and not (stretch >= target if at_least else stretch <= target):
            problems.append(FactProblem.STRETCH_SHORT)
        if not at_least and (facts.baseline is None or target >= facts.baseline):
            problems.append(FactProblem.AT_MOST_BASELINE)
    if (facts.department_basis is DepartmentBasis.NAMED) != bool(facts.department_quote):
        problems.append(FactProblem.BASIS_QUOTE)
    return problems


def _check_indicator(spec: IndicatorSpec, table: _Table) -> None:
    where = table.where
    problems = fact_problems(spec)
    if spec.kind is IndicatorKind.MILESTONE:
        if spec.target is not None or spec.baseline is not None:
            raise PlanSourceError(f"{where}: a milestone has no numeric target or baseline")
    elif spec.target is None:
        raise PlanSourceError(f"{where}: a numeric indicator needs a target")
    if spec.weight < 0:
        raise PlanSourceError(f"{where}: weight must not be negative")
    if spec.done_when and spec.kind is not IndicatorKind.MILESTONE:
        raise PlanSourceError(f"{where}: only a milestone says when it counts as done")
    if FactProblem.BASIS_QUOTE in problems:
        raise PlanSourceError(
            f"{where}: a department the source names needs the clause that names it "
            "(department_quote), and only such a department has one"
        )
    baseline_keys = {"baseline", "baseline_date", "baseline_source", "baseline_quote"}
    present = baseline_keys & set(table.raw)
    if present and present != baseline_keys:
        missing = ", ".join(sorted(baseline_keys - present))
        raise PlanSourceError(f"{where}: a baseline needs all of its facts (missing {missing})")
    if FactProblem.STRETCH_SHORT in problems:
        raise PlanSourceError(f"{where}: the stretch target lies short of the target")
    if FactProblem.AT_MOST_BASELINE in problems:
        raise PlanSourceError(f"{where}: an 'at most' indicator needs a baseline above its target")


def check_consistency(spec: PlanSpec, short_names: set[str]) -> None:
    """The whole plan's checks: codes, parents, departments, measures with indicators, due
    dates and the announced shape; PlanSourceError names the first problem."""
    if spec.lead is not None and spec.lead not in short_names:
        raise PlanSourceError(f"[plan]: unknown lead department '{spec.lead}'")
    _check_nodes(spec, short_names)
    _check_indicators(spec, short_names)
    _check_shape(spec)


def _check_nodes(spec: PlanSpec, short_names: set[str]) -> None:
    codes: set[str] = set()
    for node in spec.nodes:
        if node.code in codes:
            raise PlanSourceError(f"node {node.code}: duplicated code")
        if node.depth not in _NODE_KINDS:
            raise PlanSourceError(f"node {node.code}: codes have one to three parts")
        if node.parent_code is not None and node.parent_code not in codes:
            raise PlanSourceError(f"node {node.code}: parent {node.parent_code} must come first")
        if node.department not in short_names:
            raise PlanSourceError(f"node {node.code}: unknown department '{node.department}'")
        codes.add(node.code)


def _check_indicators(spec: PlanSpec, short_names: set[str]) -> None:
    measures = {n.code for n in spec.nodes if n.depth == 3}
    indicator_codes: set[str] = set()
    for indicator in spec.indicators:
        where = f"indicator {indicator.code}"
        if indicator.code in indicator_codes:
            raise PlanSourceError(f"{where}: duplicated code")
        indicator_codes.add(indicator.code)
        if indicator.measure_code not in measures:
            raise PlanSourceError(f"{where}: no measure {indicator.measure_code}")
        if indicator.department not in short_names:
            raise PlanSourceError(f"{where}: unknown department '{indicator.department}'")
        if indicator.baseline_source is not None and indicator.baseline_source not in spec.sources:
            raise PlanSourceError(f"{where}: unknown source '{indicator.baseline_source}'")
        if indicator.due < spec.start:
            raise PlanSourceError(f"{where}: due before the plan starts")
    empty = sorted(measures - {i.measure_code for i in spec.indicators})
    if empty:
        raise PlanSourceError(f"measure {empty[0]}: has no indicator")


def _check_shape(spec: PlanSpec) -> None:
    shape = tuple(sum(1 for n in spec.nodes if n.depth == depth) for depth in (1, 2, 3))
    if shape != spec.declared_shape:
        raise PlanSourceError(
            f"[plan]: the document announces {spec.declared_shape[0]}/{spec.declared_shape[1]}/"
            f"{spec.declared_shape[2]} projects/tasks/measures, the source has "
            f"{shape[0]}/{shape[1]}/{shape[2]}"
        )


def cite(document: SourceDocument, section: str | None = None) -> str:
    """How a source is written in the database, as a person cites it (never its file name,
    which is the repository's business), with the section if any."""
    return document.cited_as if section is None else f"{document.cited_as} §{section}"


def populate(session: Session, spec: PlanSpec) -> Plan:
    """Insert the plan, its nodes and indicators, and those of its departments that the
    database does not hold yet (departments are the city's, shared by its plans)."""
    known = {d.name: d for d in session.scalars(select(Department))}
    departments: dict[str, Department] = {}
    for name, short in spec.departments:
        department = known.get(name)
        if department is None:
            department = Department(name=name, short_name=short)
            session.add(department)
        elif department.short_name != short:
            raise PlanSourceError(
                f"[[department]] {name}: short name '{short}', but the database has "
                f"'{department.short_name}'"
            )
        departments[short] = department
    plan = Plan(
        code=spec.code,
        title=spec.title,
        year=spec.year,
        start=spec.start,
        end=spec.end,
        state=spec.state,
        lead_department=None if spec.lead is None else departments[spec.lead],
        source=cite(spec.source),
        declared_projects=spec.declared_shape[0],
        declared_tasks=spec.declared_shape[1],
        declared_measures=spec.declared_shape[2],
    )
    session.add(plan)
    nodes: dict[str, Node] = {}
    sections: dict[str, str] = {}
    siblings: dict[str | None, int] = {}
    for item in spec.nodes:
        order = siblings.get(item.parent_code, 0)
        siblings[item.parent_code] = order + 1
        node = Node(
            **shared_fields(item, NodeFacts),
            plan=plan,
            parent=nodes.get(item.parent_code) if item.parent_code else None,
            kind=_NODE_KINDS[item.depth],
            department=departments[item.department],
            sort_order=order,
            source=cite(spec.source, item.section),
        )
        nodes[item.code] = node
        sections[item.code] = item.section
        session.add(node)
    per_measure: dict[str, int] = {}
    for wanted in spec.indicators:
        order = per_measure.get(wanted.measure_code, 0)
        per_measure[wanted.measure_code] = order + 1
        baseline_source = (
            None
            if wanted.baseline_source is None
            else f"{cite(spec.sources[wanted.baseline_source])}: {wanted.baseline_quote}"
        )
        session.add(
            Indicator(
                **shared_fields(wanted, IndicatorFacts),
                plan=plan,
                measure=nodes[wanted.measure_code],
                baseline_source=baseline_source,
                department=departments[wanted.department],
                sort_order=order,
                source=cite(spec.source, sections[wanted.measure_code]),
            )
        )
    return plan


def build_seed(sources: Sequence[Path], output: Path) -> list[PlanSpec]:
    """Build a fresh seed database from plan sources and move it into place atomically."""
    specs = [load_plan_source(source) for source in sources]
    codes = [spec.code for spec in specs]
    if len(set(codes)) != len(codes):
        raise PlanSourceError(f"two plan sources have the same code: {', '.join(codes)}")
    temporary = output.with_name(f".{output.name}.building")
    for leftover in (temporary, Path(f"{temporary}-wal"), Path(f"{temporary}-shm")):
        leftover.unlink(missing_ok=True)
    database = create_database(temporary)
    try:
        with database.write() as session:
            for spec in specs:
                populate(session, spec)
                session.flush()  # its departments are found by the next plan
        finalize_for_distribution(database)
        os.replace(temporary, output)
    finally:
        database.close()
        temporary.unlink(missing_ok=True)
    return specs
