"""Schema upgrades: the migrations from each released schema version to the next, run with a
checked backup first and put back from it if any step fails.

SCHEMA_VERSION (desktop.models.database) is the schema this program writes; MIGRATIONS here
must lead every older released version up to it. desktop.models.opening runs `upgrade` when a
database is opened, and `upgrade_copy` on the scratch copy of a backup it checks before a
restore.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from desktop.models.backup import backup_before
from desktop.models.built_in_plans import BuiltInPlansError, update_built_in_plans
from desktop.models.database import (
    describe_dangling,
    keep_revision,
    read_schema_version,
    write_schema_version,
)
from desktop.models.errors import DatabaseOpenError
from desktop.models.integrity import schema_problems
from desktop.models.store import (
    ENTRIES_REVISION_KEY,
    SCHEMA_VERSION,
    STRUCTURE_REVISION_KEY,
    Database,
)

Migration = Callable[[Connection], None]


def _batches_keep_who_filled_the_file_in(connection: Connection) -> None:
    """Schema 2: an import batch keeps the file's 填报人 and 联系电话 (empty for older ones)."""
    for column in ("reporter", "phone"):
        connection.exec_driver_sql(
            f"ALTER TABLE import_batches ADD COLUMN {column} TEXT DEFAULT '' NOT NULL"
        )


def _plans_keep_how_their_lights_are_set(connection: Connection) -> None:
    """Schema 3: a plan keeps its thresholds (the defaults until a manager changes them; a
    user's own setting from before is taken over by the window once), where a parent's light
    comes from (its own roll-up) and the version of these settings."""
    for column in (
        "yellow_points FLOAT DEFAULT '10.0' NOT NULL",
        "red_points FLOAT DEFAULT '30.0' NOT NULL",
        "parent_light VARCHAR(16) DEFAULT 'rollup' NOT NULL "
        "CONSTRAINT ck_plans_parent_light CHECK (parent_light IN ('rollup', 'worst'))",
        "settings_version INTEGER DEFAULT '1' NOT NULL",
    ):
        connection.exec_driver_sql(f"ALTER TABLE plans ADD COLUMN {column}")


# The indicators table of schema 4, as written then (a later schema must not change this text).
_INDICATORS_4 = """
CREATE TABLE indicators (
    id INTEGER NOT NULL,
    plan_id INTEGER NOT NULL,
    measure_id INTEGER NOT NULL,
    code VARCHAR(24) NOT NULL,
    name VARCHAR(200) NOT NULL,
    unit VARCHAR(16) NOT NULL,
    kind VARCHAR(16) NOT NULL,
    direction VARCHAR(16) NOT NULL,
    target FLOAT,
    stretch_target FLOAT,
    baseline FLOAT,
    baseline_date DATE,
    baseline_source TEXT,
    due_date DATE NOT NULL,
    department_id INTEGER NOT NULL,
    weight FLOAT NOT NULL,
    yellow_threshold FLOAT,
    red_threshold FLOAT,
    sort_order INTEGER NOT NULL,
    source TEXT NOT NULL,
    quote TEXT NOT NULL,
    note TEXT NOT NULL,
    department_basis VARCHAR(16) DEFAULT 'inferred' NOT NULL,
    department_quote TEXT DEFAULT '' NOT NULL,
    quantity VARCHAR(64),
    done_when TEXT DEFAULT '' NOT NULL,
    done_when_basis VARCHAR(16) DEFAULT 'text' NOT NULL,
    baseline_date_inferred BOOLEAN DEFAULT '0' NOT NULL,
    CONSTRAINT pk_indicators PRIMARY KEY (id),
    CONSTRAINT uq_indicators_plan_id UNIQUE (plan_id, code),
    CONSTRAINT fk_indicators_plan_id_plans FOREIGN KEY(plan_id)
        REFERENCES plans (id) ON DELETE CASCADE,
    CONSTRAINT fk_indicators_measure_id_nodes FOREIGN KEY(measure_id)
        REFERENCES nodes (id) ON DELETE CASCADE,
    CONSTRAINT ck_indicators_indicator_kind CHECK (kind IN ('cumulative', 'level', 'milestone')),
    CONSTRAINT ck_indicators_direction CHECK (direction IN ('at_least', 'at_most')),
    CONSTRAINT fk_indicators_department_id_departments FOREIGN KEY(department_id)
        REFERENCES departments (id),
    CONSTRAINT ck_indicators_department_basis CHECK (department_basis IN ('named', 'inferred')),
    CONSTRAINT ck_indicators_done_when_basis CHECK (done_when_basis IN ('text', 'editor'))
)"""
_INDICATOR_COLUMNS_3 = (
    "id, measure_id, code, name, unit, kind, direction, target, stretch_target, baseline, "
    "baseline_date, baseline_source, due_date, department_id, weight, yellow_threshold, "
    "red_threshold, sort_order, source, quote, note"
)


def _several_plans_in_one_database(connection: Connection) -> None:
    """Schema 4: a plan has a state (草稿 / 执行中 / 已结束; an existing plan is 执行中) and a
    lead department; an indicator's code is unique within its plan rather than the whole
    file, so the indicator holds its plan; it says whether its source names its department,
    which quantity it tracks across plans, and when a milestone counts as done; a node keeps
    the editor's note and whether its title is the editor's. SQLite changes a constraint by
    rebuilding the table: the rows are copied as they are, ids kept, so entries and audit
    events keep pointing at them."""
    for column in (
        "plans ADD COLUMN state VARCHAR(16) DEFAULT 'active' NOT NULL "
        "CONSTRAINT ck_plans_plan_state CHECK (state IN ('draft', 'active', 'closed'))",
        "plans ADD COLUMN lead_department_id INTEGER "
        "CONSTRAINT fk_plans_lead_department_id_departments REFERENCES departments (id)",
        "nodes ADD COLUMN note TEXT DEFAULT '' NOT NULL",
        "nodes ADD COLUMN editor_title BOOLEAN DEFAULT '0' NOT NULL",
    ):
        connection.exec_driver_sql(f"ALTER TABLE {column}")
    # SQLite's order (https://sqlite.org/lang_altertable.html#otheralter): the new table under
    # another name, the rows copied, the old table dropped, the new one renamed; renaming the
    # old one away instead would make the entries' references follow it.
    connection.exec_driver_sql(_INDICATORS_4.replace("TABLE indicators (", "TABLE indicators_4 ("))
    old_columns = ", ".join(f"i.{column}" for column in _INDICATOR_COLUMNS_3.split(", "))
    connection.exec_driver_sql(
        f"INSERT INTO indicators_4 (plan_id, {_INDICATOR_COLUMNS_3}) "
        f"SELECT nodes.plan_id, {old_columns} "
        "FROM indicators AS i JOIN nodes ON nodes.id = i.measure_id"
    )
    moved = connection.exec_driver_sql("SELECT count(*) FROM indicators_4").scalar_one()
    before = connection.exec_driver_sql("SELECT count(*) FROM indicators").scalar_one()
    if moved != before:
        raise _Dangling(f"{before - moved} indicators belong to no measure")
    connection.exec_driver_sql("DROP TABLE indicators")
    connection.exec_driver_sql("ALTER TABLE indicators_4 RENAME TO indicators")
    for column in ("measure_id", "department_id", "plan_id"):
        connection.exec_driver_sql(f"CREATE INDEX ix_indicators_{column} ON indicators ({column})")
    _bring_the_built_in_plans_up_to_the_shipped_ones(connection)


def _bring_the_built_in_plans_up_to_the_shipped_ones(connection: Connection) -> None:
    """The data of schema 4: the released 2025 plan becomes the corrected one of the shipped
    seed (ids kept, no figure changed) and the built-in plans new in this release are added
    (desktop.models.built_in_plans); one audit event per plan touched."""
    try:
        update_built_in_plans(connection)
    except BuiltInPlansError as error:
        raise _StepRefused(str(error)) from error


def _plans_edited_in_the_window(connection: Connection) -> None:
    """Schema 5: the plan editor archives nodes and indicators rather than deleting them (their
    figures stay readable), and a department merged into another remembers which."""
    for column in (
        "nodes ADD COLUMN archived BOOLEAN DEFAULT '0' NOT NULL",
        "indicators ADD COLUMN archived BOOLEAN DEFAULT '0' NOT NULL",
        "departments ADD COLUMN merged_into_id INTEGER "
        "CONSTRAINT fk_departments_merged_into_id_departments REFERENCES departments (id)",
    ):
        connection.exec_driver_sql(f"ALTER TABLE {column}")


def _entries_keep_a_revision(connection: Connection) -> None:
    """Schema 6: every change to an entry gives the entries a new revision (triggers), so the
    arrays read at one start can be used at the next while the file shows the same one."""
    keep_revision(connection, ENTRIES_REVISION_KEY)


def _structure_keeps_a_revision(connection: Connection) -> None:
    """Schema 7: every change to a plan, department, node or indicator gives the structure a
    new revision (triggers), so the structure read at one start is kept for the next."""
    keep_revision(connection, STRUCTURE_REVISION_KEY)


# MIGRATIONS[n] upgrades a database of schema version n to n + 1, inside one transaction.
MIGRATIONS: Mapping[int, Migration] = {
    1: _batches_keep_who_filled_the_file_in,
    2: _plans_keep_how_their_lights_are_set,
    3: _several_plans_in_one_database,
    4: _plans_edited_in_the_window,
    5: _entries_keep_a_revision,
    6: _structure_keeps_a_revision,
}


class StepFailed(Exception):
    """A migration step failed and was rolled back: which step, and why in the driver's words."""

    def __init__(self, step: int, reason: str) -> None:
        super().__init__(f"upgrading the schema from version {step} failed ({reason})")
        self.step = step
        self.reason = reason


class _StepRefused(Exception):
    """A migration step found the data it cannot upgrade (its reason is the message)."""


class _Dangling(_StepRefused):
    """A migration step left rows pointing nowhere."""


def missing_migration(
    version: int, *, migrations: Mapping[int, Migration] | None = None, latest: int | None = None
) -> int | None:
    """The first schema version from `version` up to `latest` that no migration leads on from
    (None when the upgrade can run)."""
    migrations = MIGRATIONS if migrations is None else migrations
    latest = SCHEMA_VERSION if latest is None else latest
    return next((step for step in range(version, latest) if step not in migrations), None)


def upgrade(
    database: Database,
    *,
    migrations: Mapping[int, Migration] | None = None,
    latest: int | None = None,
) -> None:
    """Bring an open database of an older schema up to `latest` (by default this program's
    SCHEMA_VERSION, through MIGRATIONS); a database at `latest` or newer is left alone
    (refusing a newer one is the opener's job)."""
    migrations = MIGRATIONS if migrations is None else migrations
    latest = SCHEMA_VERSION if latest is None else latest
    version = _version_of(database)
    if version is not None and version < latest:
        _upgrade(database, version, latest, migrations)


def upgrade_copy(database: Database) -> None:
    """Bring a scratch copy (a backup being checked before a restore) up to this program's
    schema. No backup is taken and nothing is put back: the copy is thrown away if a step
    fails, which raises StepFailed (the caller checked `missing_migration` first)."""
    version = _version_of(database)
    if version is not None and version < SCHEMA_VERSION:
        _run_steps(database, version, SCHEMA_VERSION, MIGRATIONS)


def _version_of(database: Database) -> int | None:
    with database.engine.connect() as connection:
        version = read_schema_version(connection)
        connection.rollback()
    return version


def _upgrade(
    database: Database, version: int, latest: int, migrations: Mapping[int, Migration]
) -> None:
    """Run every migration from `version` to `latest`, after a checked backup; if any step
    fails, the backup is copied back: the file is as it was."""
    missing = missing_migration(version, migrations=migrations, latest=latest)
    if missing is not None:
        raise DatabaseOpenError(
            f"{database.path}: no migration from schema version {missing}; "
            "this database cannot be upgraded by this program"
        )
    saved = backup_before(database, f"before-upgrade-v{version}")
    try:
        _run_steps(database, version, latest, migrations)
        lacking = schema_problems(database) if latest == SCHEMA_VERSION else []
    except StepFailed as failure:
        database.load_from(saved)
        raise DatabaseOpenError(
            f"{database.path}: {failure}; the database was put back as it "
            f"was (schema {version}), and a copy is kept in {saved}"
        ) from failure
    if lacking:  # a file someone changed by hand: upgraded, it still is not one this program reads
        database.load_from(saved)
        more = f" (and {len(lacking) - 1} more)" if len(lacking) > 1 else ""
        raise DatabaseOpenError(
            f"{database.path}: {lacking[0]}{more}; it was not upgraded and is as it was "
            f"(schema {version})"
        )


def _run_steps(
    database: Database, version: int, latest: int, migrations: Mapping[int, Migration]
) -> None:
    """Each step in one transaction. Foreign keys are off during a step (so a table can be
    rebuilt, SQLite's way of changing it) and foreign_key_check must be clean before the
    step commits; a failed step raises StepFailed (the steps before it stay committed)."""
    for step in range(version, latest):
        try:
            _migrate_one(database, step, migrations[step])
        except (DBAPIError, _StepRefused) as error:
            raise StepFailed(step, str(getattr(error, "orig", None) or error)) from error


def _migrate_one(database: Database, step: int, migration: Migration) -> None:
    with database.connect_for_writing() as connection:
        driver = connection.connection.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        driver.execute("PRAGMA foreign_keys = OFF")  # only outside a transaction
        try:
            with connection.begin():
                migration(connection)
                dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if dangling:
                    raise _Dangling(describe_dangling(dangling))
                write_schema_version(connection, step + 1)
        finally:
            driver.execute("PRAGMA foreign_keys = ON")
