"""The queries a plan workspace (desktop.models.workspace) reads the file with: the plans'
structure, the entries and the lights, as driver rows in one transaction with the revision
they are of.

Apart from the workspace, which builds and assesses the plan from rows whether read here or
kept from an earlier start, so that a start that finds them kept needs no query and does not
load the database layer before the window shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Select, String, case, func, select, type_coerce
from sqlalchemy.orm import Session

from desktop.models.array_cache import StructureRows
from desktop.models.database import demo_mark, entries_revision, structure_revision
from desktop.models.errors import TargetMonitorError
from desktop.models.integrity import value_problems
from desktop.models.periods import PERIOD_END
from desktop.models.records import (
    DepartmentInfo,
    IndicatorInfo,
    NodeInfo,
    PlanInfo,
    choose_plan,
    columns,
)
from desktop.models.schema import Department, Entry, Indicator, Node, Plan
from desktop.models.status_rule import STATE_CODES, LightSettings
from desktop.models.store import Database

STRUCTURE_TABLES = frozenset(table.__tablename__ for table in (Plan, Department, Node, Indicator))
# A plan's light settings as LightSettings.stored takes them.
LIGHT_COLUMNS = (Plan.yellow_points, Plan.red_points, Plan.parent_light, Plan.settings_version)
# A plan's row as a structure is read: its record's fields, then its light settings.
PLAN_COLUMNS = (*columns(PlanInfo, Plan), *LIGHT_COLUMNS)


def read_structure(
    database: Database,
    choose: Callable[[list[list[Any]]], PlanInfo],
    unreadable: Callable[[str], Exception],
) -> tuple[str | None, PlanInfo, StructureRows, str | None]:
    """The structure's revision, the plan `choose` picks from the plans' rows, the rows
    (every plan and department; that plan's nodes and indicators) and the demo label, read in
    one transaction. A stored value this program cannot read raises `unreadable(what)`."""
    # The plan's records go on to the window as they are: a value of the wrong type (bytes for
    # a name) would only fail there. The tables are small; the entries, read as numbers into
    # arrays, fail where they are read if they hold something else.
    problems = value_problems(database, STRUCTURE_TABLES)
    if problems:
        raise unreadable(problems[0])
    with database.connect() as connection:
        # the revision first: the rows read next, in the same transaction, are of it
        revision = structure_revision(connection)
        plans = _rows(connection, select(*PLAN_COLUMNS).order_by(Plan.end.desc(), Plan.id))
        plan = choose(plans)
        nodes = _rows(
            connection,
            select(*columns(NodeInfo, Node), Node.archived)
            .where(Node.plan_id == plan.id)
            .order_by(Node.sort_order, Node.id),
        )
        indicators = _rows(
            connection,
            select(*columns(IndicatorInfo, Indicator))
            .join(Node, Indicator.measure_id == Node.id)
            .where(Node.plan_id == plan.id, Indicator.archived.is_(False))
            .order_by(Indicator.sort_order, Indicator.id),
        )
        departments = _rows(
            connection, select(*columns(DepartmentInfo, Department)).order_by(Department.id)
        )
        demo = demo_mark(connection)
    return revision, plan, StructureRows(plans, departments, {plan.id: (nodes, indicators)}), demo


def _rows(connection: Connection, query: Select[Any]) -> list[list[Any]]:
    """The driver's rows: the ORM's loading of thousands of rows costs more than reading them
    (dates and kinds are made by records_from_rows)."""
    result = connection.execute(query)
    found = [list(row) for row in result.cursor.fetchall()]
    result.close()
    return found


def read_entries(
    database: Database, plan_id: int, indicator_ids: Sequence[int] | None
) -> tuple[str | None, Sequence[Any]]:
    """The rows (indicator id, period + PERIOD_END, figure, version) of the plan's indicators,
    with the entries' revision read in the same transaction, or of the given ones (a refresh
    after a write: no revision, None). The figure is the
    value, or minus the state code of a milestone (values are never negative): fewer text
    columns make reading many rows much faster."""
    state_code = case(
        *(
            (type_coerce(Entry.milestone_state, String) == state.value, -code)
            for state, code in STATE_CODES.items()
        ),
        else_=None,
    )
    figure = func.coalesce(Entry.value, state_code)
    period = Entry.period.concat(PERIOD_END)  # read by month_numbers
    query = select(Entry.indicator_id, period, figure, Entry.version)
    if indicator_ids is None:
        of_plan = (
            select(Indicator.id)
            .join(Node, Indicator.measure_id == Node.id)
            .where(Node.plan_id == plan_id, Indicator.archived.is_(False))
        )
        query = query.where(Entry.indicator_id.in_(of_plan))
    else:
        query = query.where(Entry.indicator_id.in_(indicator_ids))
    with database.connect() as connection:
        # the revision first: the rows read next, in the same transaction, are of it
        revision = entries_revision(connection) if indicator_ids is None else None
        result = connection.execute(query)
        rows = result.cursor.fetchall()
        result.close()
    return revision, rows


def read_lights(
    database: Database, plan_id: int
) -> tuple[LightSettings, list[tuple[int, float | None, float | None]]]:
    """The plan's light settings and its indicators' own thresholds (id, yellow, red)."""
    with database.read() as session:
        settings = read_light_settings(session, plan_id)
        own = session.execute(
            select(Indicator.id, Indicator.yellow_threshold, Indicator.red_threshold)
            .join(Node, Indicator.measure_id == Node.id)
            .where(Node.plan_id == plan_id)
        ).all()
    return settings, [tuple(row) for row in own]  # type: ignore[misc]


def read_light_settings(session: Session, plan_id: int) -> LightSettings:
    """A plan's light settings as stored; thresholds that break their own rule (yellow above
    red: `check` names them) are refused as unreadable."""
    return LightSettings.stored(
        *session.execute(select(*LIGHT_COLUMNS).where(Plan.id == plan_id)).one()
    )


def read_plans(session: Session) -> tuple[PlanInfo, ...]:
    """Every plan of the database, the newest (latest end) first."""
    query = select(*columns(PlanInfo, Plan)).order_by(Plan.end.desc(), Plan.id)
    return tuple(PlanInfo(*row) for row in session.execute(query))


def chosen_plan(database: Database, code: str | None, today: dt.date | None = None) -> PlanInfo:
    """The plan a command works on (`choose_plan`), read without assessing it."""
    with database.read() as session:
        plans = read_plans(session)
    if not plans:
        raise TargetMonitorError(f"{database.name}: the database holds no plan")
    return choose_plan(plans, code, today or dt.date.today())
