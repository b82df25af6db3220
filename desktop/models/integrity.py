"""`check`: SQLite's own integrity checks, the schema, the stored values and the domain's
invariants, as a list of problems."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    String,
    and_,
    func,
    or_,
    select,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, aliased
from sqlalchemy.types import TypeEngine

from desktop.models.database import check_lines, revision_problems, sqlite_pragma_rows
from desktop.models.errors import UNREADABLE
from desktop.models.kinds import IndicatorKind, NodeKind, PlanState
from desktop.models.periods import parse_period, period_of
from desktop.models.records import archived_subtrees, plan_span_problem
from desktop.models.schema import Base, Entry, Indicator, Node, Plan, SchemaMeta
from desktop.models.status_rule import POINTS_MAX, Thresholds
from desktop.models.store import Database

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


def check_database(database: Database, *, intact: bool = False) -> CheckReport:
    """Run integrity_check (unless the caller just did: `intact`), compare the tables with this
    program's schema, run foreign_key_check, read every stored value as this program reads it,
    then check every domain invariant. Each stage only runs when the ones before it found
    nothing: once the file, a table or a value is broken, the later checks would only stumble
    over the same thing."""
    problems: list[str] = []
    try:
        integrity = [] if intact else check_lines(sqlite_pragma_rows(database, "integrity_check"))
    except sqlite3.DatabaseError as error:  # so damaged that the check itself cannot finish
        integrity = [str(error)]
    if integrity:
        problems += [f"integrity_check: {line}" for line in integrity[:20]]
        # The file itself is damaged: domain queries would only add noise.
        return CheckReport(tuple(problems), {})
    problems += schema_problems(database)
    if problems:
        return CheckReport(tuple(problems), {})
    problems += [
        f"foreign_key_check: {table} row {rowid} points to a missing {parent}"
        for table, rowid, parent, _fk in sqlite_pragma_rows(database, "foreign_key_check")
    ]
    problems += value_problems(database)
    if any(not problem.startswith("foreign_key_check") for problem in problems):
        return CheckReport(tuple(problems), {})
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
    except (*UNREADABLE, SQLAlchemyError) as error:
        # A value or a table that is not as expected, and that the checks above missed.
        problems.append(f"the domain checks could not read the data: {error}")
    return CheckReport(tuple(problems), counts)


def schema_problems(database: Database) -> list[str]:
    """This program's tables, columns and triggers that the file lacks (extra ones do no harm)."""
    with database.driver() as connection:
        present = {
            name: {row[1] for row in connection.execute(f'PRAGMA table_info("{name}")')}
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    problems = []
    for table in Base.metadata.sorted_tables:
        if table.name not in present:
            problems.append(f"table {table.name} is missing")
            continue
        problems += [
            f"table {table.name} has no column {column.name}"
            for column in table.columns
            if column.name not in present[table.name]
        ]
    if SchemaMeta.__tablename__ in present:
        with database.connect() as connection:
            problems += revision_problems(connection)
    return problems


# For each column type, SQL that holds for a value of column "{c}" this program can read, and
# what to say of one it cannot (SQLite keeps whatever it is given; the program's own writes
# always pass). The program reads dates back with Python's fromisoformat, which refuses an
# impossible day such as 02-30: '+0 days' makes SQLite normalise one, so it no longer equals
# the text; nor does it take year 0. (substr: a DATE column would compare its text with a
# literal as a number.) Date and time: as SQLAlchemy writes them, with or without microseconds;
# the seconds are checked apart from the fraction, which SQLite would round ('…:23.9998' is
# ':24').
_READABLE: tuple[tuple[type[TypeEngine[Any]], str, str], ...] = (
    (Boolean, "typeof({c}) = 'integer' AND {c} IN (0, 1)", "is not true or false"),
    (Integer, "typeof({c}) = 'integer'", "is not a whole number"),
    (Float, "typeof({c}) IN ('integer', 'real') AND abs({c}) <= 1e308", "is not a number"),
    (
        DateTime,
        "typeof({c}) = 'text' AND substr({c}, 1, 4) <> '0000' "
        "AND datetime(substr({c}, 1, 19), '+0 days') = "
        "substr({c}, 1, 19) AND (length({c}) = 19 OR (length({c}) = 26 AND substr({c}, 20, 1) = '.'"
        " AND substr({c}, 21) GLOB '[0-9][0-9][0-9][0-9][0-9][0-9]'))",
        "is not a date and time",
    ),
    (
        Date,
        "typeof({c}) = 'text' AND substr({c}, 1, 4) <> '0000' AND date({c}, '+0 days') = {c}",
        "is not a date",
    ),
    (String, "typeof({c}) = 'text'", "is not text"),
)
_MOST_SHOWN = 20  # values shown per table; check says how many more there are


def _readable(column: Column[Any]) -> tuple[str, str]:
    """The SQL that holds when a column's value can be read, and what to say when it cannot."""
    name = f'"{column.name}"'
    sql, complaint = next(
        (sql, complaint) for kind, sql, complaint in _READABLE if isinstance(column.type, kind)
    )
    readable = sql.format(c=name)
    readable = f"coalesce({readable}, 0)"  # a date function's NULL means "no date"
    if column.nullable:
        return f"({name} IS NULL OR {readable})", complaint
    return f"({name} IS NOT NULL AND {readable})", complaint


def value_problems(database: Database, tables: Collection[str] | None = None) -> list[str]:
    """Stored values this program cannot read: text where a number belongs, a date that is no
    date, nothing where something is required (another program, or a hand, wrote them). Of
    every table, or of the `tables` named. A server (PostgreSQL) holds none: it keeps every
    column to its type itself."""
    if database.is_server:
        return []
    problems = []
    with database.driver() as connection:
        for table in Base.metadata.sorted_tables:
            if tables is not None and table.name not in tables:
                continue
            rules = [(column.name, *_readable(column)) for column in table.columns]
            flags = ", ".join(f'NOT {sql}, "{name}"' for name, sql, _ in rules)
            where = " OR ".join(f"NOT {sql}" for _, sql, _ in rules)
            found = 0
            for rowid, *cells in connection.execute(
                f'SELECT rowid, {flags} FROM "{table.name}" WHERE {where} ORDER BY rowid'
            ):
                for (name, _sql, complaint), bad, value in zip(
                    rules, cells[::2], cells[1::2], strict=True
                ):
                    if not bad:
                        continue
                    found += 1
                    if found <= _MOST_SHOWN:
                        what = "is empty" if value is None else f"{value!r} {complaint}"
                        problems.append(f"{table.name} row {rowid}: {name} {what}")
            if found > _MOST_SHOWN:
                problems.append(
                    f"{table.name}: {found - _MOST_SHOWN} more values this program cannot read"
                )
    return problems


def _tree_problems(session: Session) -> list[str]:
    problems: list[str] = []
    plans = session.scalars(select(Plan)).all()
    if not plans:
        problems.append("the database holds no plan")
    problems += [
        problem
        for plan in plans
        if (problem := plan_span_problem(plan.code, plan.start, plan.end)) is not None
    ]
    problems += [problem for plan in plans for problem in _light_problems(plan)]
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
    nodes = session.execute(select(Node.id, Node.parent_id, Node.archived, Node.kind)).all()
    hidden = archived_subtrees([(n.archived, n.id, n.parent_id) for n in nodes])
    for plan in plans:
        found = plan_shape(session, plan.id)
        declared = (plan.declared_projects, plan.declared_tasks, plan.declared_measures)
        if found != declared:
            problems.append(
                f"plan {plan.code}: {found[0]}/{found[1]}/{found[2]} projects/tasks/measures, "
                f"the document announces {declared[0]}/{declared[1]}/{declared[2]}"
            )
    empty_measures = session.execute(
        select(Node.id, Node.code).where(
            Node.kind == NodeKind.MEASURE,
            ~select(Indicator.id)
            .where(Indicator.measure_id == Node.id, Indicator.archived.is_(False))
            .exists(),
        )
    ).all()
    problems += [
        f"measure {code}: has no indicator"
        for node_id, code in empty_measures
        if node_id not in hidden
    ]
    return problems


def plan_shape(session: Session, plan_id: int) -> tuple[int, int, int]:
    """A plan's projects, tasks and measures, as its document announces them: what its
    editor archived (and everything below it) is no part of its tree."""
    rows = session.execute(
        select(Node.id, Node.parent_id, Node.kind, Node.archived).where(Node.plan_id == plan_id)
    ).all()
    hidden = archived_subtrees([(r.archived, r.id, r.parent_id) for r in rows])
    count = Counter(r.kind for r in rows if r.id not in hidden)
    return count[NodeKind.PROJECT], count[NodeKind.TASK], count[NodeKind.MEASURE]


def _light_problems(plan: Plan) -> list[str]:
    """A plan's light settings that the status rule cannot use (schema 3)."""
    problems = []
    try:
        Thresholds(plan.yellow_points, plan.red_points)
    except ValueError as error:
        problems.append(f"plan {plan.code}: {error}")
    if plan.red_points > POINTS_MAX or plan.yellow_points < 0:
        problems.append(
            f"plan {plan.code}: thresholds {plan.yellow_points}/{plan.red_points} lie outside "
            f"0 to {POINTS_MAX:g} points"
        )
    if plan.settings_version < 1:
        problems.append(f"plan {plan.code}: settings version {plan.settings_version}")
    return problems


def _indicator_problems(session: Session) -> list[str]:
    problems: list[str] = []
    for indicator, measure_kind, yellow, red, state, plan_code, measure_plan in session.execute(
        select(
            Indicator,
            Node.kind,
            Plan.yellow_points,
            Plan.red_points,
            Plan.state,
            Plan.code,
            Node.plan_id,
        )
        .join(Node, Indicator.measure_id == Node.id)
        .join(Plan, Node.plan_id == Plan.id)
    ):
        where = f"indicator {indicator.code} of {plan_code}"
        if measure_kind is not NodeKind.MEASURE:
            problems.append(f"{where}: hangs under a {measure_kind.value}, not a measure")
        if indicator.plan_id != measure_plan:
            problems.append(f"{where}: belongs to another plan than its measure")
        pending = state is PlanState.DRAFT  # a draft's target may still be 待定
        if (
            indicator.kind is not IndicatorKind.MILESTONE
            and indicator.target is None
            and not pending
        ):
            problems.append(f"{where}: has no target")
        if indicator.weight < 0:  # (0: a part of another indicator, which the roll-up skips)
            problems.append(f"{where}: weight {indicator.weight} is negative")
        try:  # its own thresholds, as the status rule takes them over its plan's
            plan_thresholds = Thresholds(yellow, red)
        except ValueError:
            plan_thresholds = Thresholds()  # the plan's own problem, reported with the plan
        try:
            plan_thresholds.overridden(indicator.yellow_threshold, indicator.red_threshold)
        except ValueError as error:
            problems.append(f"{where}: {error}")
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
    # SQL narrows hundreds of thousands of entries down to those that may break a rule (a
    # superset: each is then judged below, as it always was); loading every entry as an
    # object took seconds for a large plan.
    milestone = Indicator.kind == IndicatorKind.MILESTONE
    suspect = or_(
        ~Entry.period.op("GLOB", is_comparison=True)("[0-9][0-9][0-9][0-9]-[0-9][0-9]"),
        ~func.substr(Entry.period, 6, 2).between("01", "12"),
        Entry.period < func.substr(Plan.start, 1, 7),
        Entry.period > func.substr(Plan.end, 1, 7),
        and_(milestone, Entry.value.is_not(None)),
        and_(~milestone, Entry.milestone_state.is_not(None)),
        Entry.value < 0,
        Entry.version < 1,
    )
    rows = session.execute(
        select(Entry, Indicator.code, Indicator.kind, Plan.start, Plan.end)
        .join(Indicator, Entry.indicator_id == Indicator.id)
        .join(Node, Indicator.measure_id == Node.id)
        .join(Plan, Node.plan_id == Plan.id)
        .where(suspect)
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
