"""Schema upgrades: every released schema, with data, reaches the newest; a failure puts it back.

tests/fixtures/schema-v<N>.sqlite is the database as schema version N shipped it, with
figures, imports and an undone import (made by tests/fixtures/make_schema_fixture.py at that
release and never changed since). The example migrations here stand in for future ones, to
prove the machinery: a table rebuilt SQLite's way, a failing step, a step leaving dangling rows.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Connection

import desktop.models.migrations as migrations_module
import desktop.models.opening as opening_module
from desktop.models.backup import backup_before, list_backups
from desktop.models.built_in_plans import FORMER_CODES
from desktop.models.errors import DatabaseOpenError
from desktop.models.integrity import check_database
from desktop.models.opening import open_database, restore
from desktop.models.store import SCHEMA_VERSION
from desktop.models.workspace import PlanWorkspace
from tests.conftest import SEED

FIXTURES = Path(__file__).resolve().parent / "fixtures"
RELEASED = sorted(FIXTURES.glob("schema-v*.sqlite"))


def version_of(path: Path) -> int:
    match = re.fullmatch(r"schema-v(\d+)\.sqlite", path.name)
    assert match, path
    return int(match.group(1))


def dump(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table's rows, in rowid order (the whole content, for before/after comparisons)."""
    with sqlite3.connect(path) as connection:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        content = {
            t: connection.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in tables
        }
    connection.close()
    return content


def schema_version_in(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        (value,) = connection.execute(
            "SELECT value FROM schema_meta WHERE key = 'schema_version'"
        ).fetchone()
    connection.close()
    return int(value)


def test_every_released_schema_version_has_a_database_to_upgrade_from() -> None:
    """A new SCHEMA_VERSION must ship with its fixture, or its users' files go untested."""
    assert sorted(version_of(p) for p in RELEASED) == list(range(1, SCHEMA_VERSION + 1))


@pytest.mark.parametrize("released", RELEASED, ids=lambda p: p.stem)
def test_a_released_database_upgrades_to_the_newest_schema_with_every_row(
    released: Path, tmp_path: Path
) -> None:
    path = tmp_path / "users-file.sqlite"
    shutil.copyfile(released, path)
    before = dump(path)
    assert len(before["entries"]) > 50 and len(before["import_batches"]) == 2  # real data

    database = open_database(path)
    try:
        report = check_database(database)
        assert report.ok, report.problems
        workspace = PlanWorkspace(database, as_of="2025-06")
        latest = {
            i.code: entry.value
            for i in workspace.indicators.values()
            if (found := workspace.latest(i.id)) is not None
            for entry in [found[1]]
        }
    finally:
        database.close()

    assert schema_version_in(path) == SCHEMA_VERSION
    after = dump(path)
    for table, rows in before.items():
        if table in ("entries", "import_batches", "audit_events"):
            # Every figure, import and audit event as it was (a batch gains columns at
            # schema 2; the upgrade adds one audit event per built-in plan it touches).
            kept = after[table][: len(rows)]
            assert [row[: len(old)] for row, old in zip(kept, rows, strict=True)] == rows, table
            grown = len(after[table]) - len(rows)
            touched = 3 if table == "audit_events" and version_of(released) < 4 else 0
            assert grown == touched, table
        elif table != "schema_meta":  # the built-in plans grow (tests/test_upgrade_plans.py)
            assert len(after[table]) >= len(rows), table
    assert len(latest) >= 24  # the figures are read back through the application


def rebuild_entries_with_a_source_column(connection: Connection) -> None:
    """A column change the way SQLite needs it: new table, copy, drop, rename, re-index and
    re-create the triggers."""
    ddl = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'entries'"
    ).scalar_one()
    indexes = [
        sql
        for (sql,) in connection.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
            "AND tbl_name = 'entries' AND sql IS NOT NULL"
        )
    ]
    new_ddl = ddl.replace("CREATE TABLE entries (", "CREATE TABLE entries_new (", 1).replace(
        "version INTEGER NOT NULL,", "version INTEGER NOT NULL, source TEXT DEFAULT '',", 1
    )
    assert new_ddl != ddl and "source TEXT" in new_ddl
    connection.exec_driver_sql(new_ddl)
    columns = [row[1] for row in connection.exec_driver_sql("PRAGMA table_info(entries)")]
    listed = ", ".join(columns)
    connection.exec_driver_sql(f"INSERT INTO entries_new ({listed}) SELECT {listed} FROM entries")
    connection.exec_driver_sql("DROP TABLE entries")
    connection.exec_driver_sql("ALTER TABLE entries_new RENAME TO entries")
    for sql in indexes:
        connection.exec_driver_sql(sql)


def test_a_table_rebuilt_by_a_migration_keeps_every_row_and_reference(tmp_path: Path) -> None:
    path = tmp_path / "plan.sqlite"
    shutil.copyfile(RELEASED[-1], path)
    before = dump(path)
    latest = SCHEMA_VERSION + 1
    database = open_database(
        path, migrations={SCHEMA_VERSION: rebuild_entries_with_a_source_column}, latest=latest
    )
    try:
        # The audit events and import batches still point at entries that exist.
        assert check_database(database).ok
    finally:
        database.close()
    after = dump(path)
    assert schema_version_in(path) == latest
    assert len(after["entries"]) == len(before["entries"])
    assert [row[:-1] for row in after["entries"]] == before["entries"]  # the new column last
    assert {row[-1] for row in after["entries"]} == {""}
    (saved,) = list_backups(tmp_path / "backups", "plan")
    assert saved.reason == f"before-upgrade-v{SCHEMA_VERSION}"
    assert dump(saved.path) == before


def test_a_failing_migration_puts_the_database_back_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "plan.sqlite"
    shutil.copyfile(RELEASED[-1], path)
    before = dump(path)

    def good(connection: Connection) -> None:
        connection.exec_driver_sql("CREATE TABLE step_one (x INTEGER)")
        connection.exec_driver_sql("UPDATE entries SET progress_note = 'changed by step one'")

    def bad(connection: Connection) -> None:
        connection.exec_driver_sql("DELETE FROM audit_events")
        connection.exec_driver_sql("SELECT * FROM no_such_table")

    v = SCHEMA_VERSION
    with pytest.raises(DatabaseOpenError) as refused:
        open_database(path, migrations={v: good, v + 1: bad}, latest=v + 2)
    message = str(refused.value)
    assert f"from version {v + 1} failed" in message and "no such table" in message
    assert f"put back as it was (schema {v})" in message
    assert dump(path) == before  # step one's commit is undone too
    assert schema_version_in(path) == v
    reopened = open_database(path)  # and the program still opens it
    reopened.close()


def test_a_migration_that_leaves_rows_pointing_nowhere_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plan.sqlite"
    shutil.copyfile(RELEASED[-1], path)
    before = dump(path)

    def dangling(connection: Connection) -> None:
        connection.exec_driver_sql("DELETE FROM import_batches")  # entries still point at them

    with pytest.raises(
        DatabaseOpenError,
        match=r"failed \(\d+ rows point nowhere, e.g. \w+ row \d+ to a missing import_batches\)",
    ):
        open_database(path, migrations={SCHEMA_VERSION: dangling}, latest=SCHEMA_VERSION + 1)
    assert dump(path) == before


def test_an_older_file_missing_a_column_is_not_upgraded_only_to_be_refused(tmp_path: Path) -> None:
    """A file of an older schema that someone changed by hand (a column renamed): the upgrade
    would run and the program would then refuse the file; it is refused as it was instead."""
    path = tmp_path / "plan.sqlite"
    shutil.copyfile(RELEASED[0], path)
    with sqlite3.connect(path) as connection:
        # (a column no migration touches: one that does fails in its step, also put back)
        connection.execute("ALTER TABLE import_batches RENAME COLUMN file_name TO file_old")
    connection.close()
    before = dump(path)
    refused = "table import_batches has no column file_name; it was not"
    with pytest.raises(DatabaseOpenError, match=refused):
        open_database(path)
    assert dump(path) == before
    assert schema_version_in(path) == version_of(RELEASED[0])


def test_restoring_a_backup_of_an_older_schema_upgrades_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backup taken before an upgrade can be restored by the upgraded program."""
    path = tmp_path / "plan.sqlite"
    shutil.copyfile(RELEASED[-1], path)
    database = open_database(path)
    try:
        old = backup_before(database, "manual")
    finally:
        database.close()
    newer = SCHEMA_VERSION + 1
    migrations = {SCHEMA_VERSION: rebuild_entries_with_a_source_column}
    # The newer program: what `restore` upgrades to, and what the backup check accepts.
    monkeypatch.setattr(migrations_module, "SCHEMA_VERSION", newer)
    monkeypatch.setattr(migrations_module, "MIGRATIONS", migrations)
    monkeypatch.setattr(opening_module, "SCHEMA_VERSION", newer)
    database = open_database(path, migrations=migrations, latest=newer)
    try:
        restore(database, old)
        assert check_database(database).ok
    finally:
        database.close()
    assert schema_version_in(path) == newer
    assert len(dump(path)["entries"]) == len(dump(old)["entries"])


def columns_of(path: Path, table: str) -> list[tuple[object, ...]]:
    """Each column's name, type, NOT NULL and default, as SQLite reports them."""
    with sqlite3.connect(path) as connection:
        rows = connection.execute(f"PRAGMA table_info({table})").fetchall()
    connection.close()
    return [tuple(row[1:5]) for row in rows]


def test_schema_1_batches_gain_who_filled_the_file_in_as_a_new_database_has_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "users-file.sqlite"
    shutil.copyfile(FIXTURES / "schema-v1.sqlite", path)
    open_database(path).close()
    assert columns_of(path, "import_batches") == columns_of(SEED, "import_batches")
    with sqlite3.connect(path) as connection:
        kept = connection.execute("SELECT reporter, phone FROM import_batches").fetchall()
    connection.close()
    assert kept == [("", ""), ("", "")]  # older batches: nobody recorded, nothing invented


def test_schema_2_plans_gain_their_light_settings_as_a_new_database_has_them(
    tmp_path: Path,
) -> None:
    path = tmp_path / "users-file.sqlite"
    shutil.copyfile(FIXTURES / "schema-v2.sqlite", path)
    open_database(path).close()
    assert columns_of(path, "plans") == columns_of(SEED, "plans")
    with sqlite3.connect(path) as connection:
        kept = connection.execute(
            "SELECT yellow_points, red_points, parent_light, settings_version FROM plans "
            "WHERE code = 'SY2025-MIS'"
        ).fetchall()
        refused = connection.execute(
            "SELECT count(*) FROM sqlite_master WHERE name = 'plans' AND sql LIKE "
            "'%CHECK (parent_light IN (''rollup'', ''worst''))%'"
        ).fetchone()
    connection.close()
    assert kept == [(10.0, 30.0, "rollup", 1)]  # the rule as it was, until a manager sets it
    assert refused == (1,)


def test_schema_4_holds_several_plans_whose_codes_repeat(tmp_path: Path) -> None:
    """The indicators' table rebuilt with its plan: every indicator keeps its id and row, the
    entries still point at it, and next year's plan may have a 1.1.1-1 of its own."""
    path = tmp_path / "users-file.sqlite"
    shutil.copyfile(FIXTURES / "schema-v3.sqlite", path)
    before = dump(path)["indicators"]
    database = open_database(path)
    database.close()
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT i.id, i.code, i.plan_id, n.plan_id FROM indicators AS i "
            "JOIN nodes AS n ON n.id = i.measure_id ORDER BY i.id"
        ).fetchall()
        # (the moved ones under their new codes, and the built-in plans' new indicators after)
        moved = FORMER_CODES["SY2025-MIS"]
        assert [(row[0], row[1]) for row in rows[: len(before)]] == [
            (row[0], moved.get(row[2], row[2])) for row in before
        ]
        assert all(row[2] == row[3] for row in rows)
        entries = connection.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'entries'"
        ).fetchone()[0]
        assert "REFERENCES indicators (id)" in entries and "indicators_4" not in entries
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        connection.execute(
            "INSERT INTO plans (code, title, year, start_date, end_date, source, "
            "declared_projects, declared_tasks, declared_measures) "
            "VALUES ('NEXT', 'next', 2026, '2026-01-01', '2026-12-31', 's', 1, 1, 1)"
        )
        plan = connection.execute("SELECT id FROM plans WHERE code = 'NEXT'").fetchone()[0]
        copied = (
            "INSERT INTO indicators (plan_id, measure_id, code, name, unit, kind, direction, "
            "due_date, department_id, weight, sort_order, source, quote, note) "
            "SELECT ?, measure_id, code, name, unit, kind, direction, due_date, department_id, "
            "weight, sort_order, source, quote, note FROM indicators "
            "WHERE code = '1.1.1-1' AND plan_id = (SELECT id FROM plans WHERE code = 'SY2025-MIS')"
        )
        connection.execute(copied, (plan,))  # the same code in another plan
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
            connection.execute(copied, (plan,))  # but not twice in one
    connection.close()
