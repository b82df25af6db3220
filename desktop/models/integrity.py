"""`check`: SQLite's own integrity checks plus the domain's invariants, as a list of problems."""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, aliased

from desktop.models.database import Database, sqlite_pragma_rows
from desktop.models.periods import parse_period, period_of
from desktop.models.schema import Entry, Indicator, IndicatorKind, Node, NodeKind, Plan

_PARENT_KIND = {
    NodeKind.PROJECT: None,
    NodeKind.TASK: NodeKind.PROJECT,
    NodeKind.MEASURE: NodeKind.TASK,
}


@dataclass(frozen=True)
class CheckReport:
    """What `check` found; `ok` when nothing."""

    problems: tuple[str, ...]
    counts: dict[str, int]

    @property
    def ok(self) -> bool:
        return not self.problems


def check_database(database: Database) -> CheckReport:
    """Run integrity_check, foreign_key_check and every domain invariant."""
    problems: list[str] = []
    try:
        integrity = [row[0] for row in sqlite_pragma_rows(database, "integrity_check")]
    except sqlite3.DatabaseError as error:  # so damaged that the check itself cannot finish
        integrity = [str(error)]
    if integrity != ["ok"]:
        problems += [f"integrity_check: {line}" for line in integrity[:20]]
        # The file itself is damaged: domain queries would only add noise.
        return CheckReport(tuple(problems), {})
    problems += [
        f"foreign_key_check: {table} row {rowid} points to a missing {parent}"
        for table, rowid, parent, _fk in sqlite_pragma_rows(database, "foreign_key_check")
    ]
    counts: dict[str, int] = {}
    try:
        with database.read() as session:
            problems += _tree_problems(session)
            problems += _indicator_problems(session)
            problems += _entry_problems(session)
            for name, table in (
                ("plans", Plan),
                ("nodes", Node),
                ("indicators", Indicator),
                ("entries", Entry),
            ):
                counts[name] = session.scalar(select(func.count()).select_from(table)) or 0
    except (LookupError, SQLAlchemyError) as error:
        # A value outside its column's domain, or a table that is not as expected.
        problems.append(f"the domain checks could not read the data: {error}")
    return CheckReport(tuple(problems), counts)


def _tree_problems(session: Session) -> list[str]:
    problems: list[str] = []
    plans = session.scalars(select(Plan)).all()
    if not plans:
        problems.append("the database holds no plan")
    parent = aliased(Node)
    for node, parent_kind, parent_plan in session.execute(
        select(Node, parent.kind, parent.plan_id).outerjoin(parent, Node.parent_id == parent.id)
    ):
        if parent_kind != _PARENT_KIND[node.kind]:
            problems.append(
                f"node {node.code}: a {node.kind.value} under a {parent_kind or 'plan'}"
            )
        if parent_plan is not None and parent_plan != node.plan_id:
            problems.append(f"node {node.code}: its parent belongs to another plan")
    for plan in plans:
        shape = Counter(session.scalars(select(Node.kind).where(Node.plan_id == plan.id)).all())
        found = (shape[NodeKind.PROJECT], shape[NodeKind.TASK], shape[NodeKind.MEASURE])
        declared = (plan.declared_projects, plan.declared_tasks, plan.declared_measures)
        if found != declared:
            problems.append(
                f"plan {plan.code}: {found[0]}/{found[1]}/{found[2]} projects/tasks/measures, "
                f"the document announces {declared[0]}/{declared[1]}/{declared[2]}"
            )
    empty_measures = session.scalars(
        select(Node.code).where(
            Node.kind == NodeKind.MEASURE,
            ~select(Indicator.id).where(Indicator.measure_id == Node.id).exists(),
        )
    ).all()
    problems += [f"measure {code}: has no indicator" for code in empty_measures]
    return problems


def _indicator_problems(session: Session) -> list[str]:
    problems: list[str] = []
    for indicator, measure_kind in session.execute(
        select(Indicator, Node.kind).join(Node, Indicator.measure_id == Node.id)
    ):
        where = f"indicator {indicator.code}"
        if measure_kind is not NodeKind.MEASURE:
            problems.append(f"{where}: hangs under a {measure_kind.value}, not a measure")
        if indicator.kind is not IndicatorKind.MILESTONE and indicator.target is None:
            problems.append(f"{where}: has no target")
        if indicator.weight <= 0:
            problems.append(f"{where}: weight {indicator.weight} is not positive")
    problems += [
        f"indicator {code}: has no responsible department"
        for code in session.scalars(select(Indicator.code).where(Indicator.department_id.is_(None)))
    ]
    return problems


def _entry_problems(session: Session) -> list[str]:
    problems: list[str] = []
    orphans = session.scalar(
        select(func.count())
        .select_from(Entry)
        .where(~select(Indicator.id).where(Indicator.id == Entry.indicator_id).exists())
    )
    if orphans:
        problems.append(f"{orphans} entries belong to no indicator")
    rows = session.execute(
        select(Entry, Indicator.code, Indicator.kind, Plan.start, Plan.end)
        .join(Indicator, Entry.indicator_id == Indicator.id)
        .join(Node, Indicator.measure_id == Node.id)
        .join(Plan, Node.plan_id == Plan.id)
    )
    for entry, code, kind, start, end in rows:
        where = f"entry {code} {entry.period}"
        try:
            parse_period(entry.period)
        except ValueError as error:
            problems.append(f"{where}: {error}")
            continue
        if not period_of(start) <= entry.period <= period_of(end):
            problems.append(f"{where}: outside the plan's months")
        if kind is IndicatorKind.MILESTONE and entry.value is not None:
            problems.append(f"{where}: a milestone with a numeric value")
        if kind is not IndicatorKind.MILESTONE and entry.milestone_state is not None:
            problems.append(f"{where}: a numeric indicator with a milestone state")
        if entry.value is not None and entry.value < 0:
            problems.append(f"{where}: negative value {entry.value}")
        if entry.version < 1:
            problems.append(f"{where}: version {entry.version}")
    return problems
