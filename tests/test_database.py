"""Opening the database: settings of every connection, schema versions, first start, damage."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop.models.errors import DatabaseDamagedError, DatabaseOpenError
from desktop.models.locations import (
    DATABASE_FILE_NAME,
    DatabaseLocation,
    data_folder,
    ensure_database_file,
    resolve_location,
)
from desktop.models.opening import open_database
from desktop.models.store import SCHEMA_VERSION, Database, open_quickly
from tests.conftest import SEED


def pragma(database: Database, name: str) -> object:
    with database.engine.connect() as connection:
        return connection.exec_driver_sql(f"PRAGMA {name}").scalar()


def test_every_connection_enforces_foreign_keys_wal_and_a_busy_timeout(database: Database) -> None:
    assert pragma(database, "foreign_keys") == 1
    assert pragma(database, "journal_mode") == "wal"
    assert pragma(database, "busy_timeout") == 5000


def test_foreign_keys_are_enforced(database: Database) -> None:
    with pytest.raises(Exception, match="FOREIGN KEY"), database.write() as session:
        session.execute(
            text(
                "INSERT INTO entries (indicator_id, period, progress_note, problems, reported_by, "
                "reported_at, origin, version) VALUES (99999, '2025-01', '', '', 'x', "
                "'2025-01-01 00:00:00', 'manual', 1)"
            )
        )


def test_the_seed_is_at_the_current_schema_version(database: Database) -> None:
    with database.engine.connect() as connection:
        version = connection.exec_driver_sql(
            "SELECT value FROM schema_meta WHERE key = 'schema_version'"
        ).scalar()
    assert int(version) == SCHEMA_VERSION


def set_version(path: Path, version: int) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute(
            "UPDATE schema_meta SET value = ? WHERE key = 'schema_version'", (str(version),)
        )
    connection.close()


def test_a_database_from_a_newer_program_is_refused(seed_copy: Path) -> None:
    set_version(seed_copy, SCHEMA_VERSION + 1)
    with pytest.raises(DatabaseOpenError, match="newer version"):
        open_database(seed_copy)


def test_a_missing_migration_is_refused(seed_copy: Path) -> None:
    set_version(seed_copy, 0)
    with pytest.raises(DatabaseOpenError, match="no migration from schema version 0"):
        open_database(seed_copy, migrations={}, latest=1)


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "letter.sqlite"
    path.write_bytes(b"this is a letter, not a database" * 100)
    with pytest.raises(DatabaseOpenError, match="not a database file") as refused:
        open_database(path)
    assert not isinstance(refused.value, DatabaseDamagedError)
    assert path.read_bytes() == b"this is a letter, not a database" * 100


def test_an_empty_file_is_a_damaged_database(tmp_path: Path) -> None:
    path = tmp_path / "plan.sqlite"
    path.write_bytes(b"")
    with pytest.raises(DatabaseDamagedError, match="the file is empty"):
        open_database(path)


def test_a_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE contacts (name TEXT)")
    connection.close()
    with pytest.raises(DatabaseOpenError, match="not a Target Monitor database"):
        open_database(path)


def test_a_missing_file_is_refused_without_creating_it(tmp_path: Path) -> None:
    path = tmp_path / "absent.sqlite"
    with pytest.raises(DatabaseOpenError, match="no such database file"):
        open_database(path)
    assert not path.exists()


# --- where the database lives --------------------------------------------------------------


def test_first_start_copies_the_seed_into_the_user_data_folder() -> None:
    location = resolve_location(None, environ={})
    assert location == DatabaseLocation(data_folder() / DATABASE_FILE_NAME, explicit=False)
    assert not location.path.exists()
    path = ensure_database_file(location)
    assert path.read_bytes() == SEED.read_bytes()
    database = open_database(path)
    database.close()
    assert ensure_database_file(location) == path  # second start: the same file, kept


def test_cli_path_wins_over_the_environment(tmp_path: Path) -> None:
    env = {"TARGET_MONITOR_DB": str(tmp_path / "env.sqlite")}
    assert resolve_location(str(tmp_path / "cli.sqlite"), env).path == tmp_path / "cli.sqlite"
    assert resolve_location(None, env) == DatabaseLocation(tmp_path / "env.sqlite", True)


def test_a_named_database_that_does_not_exist_is_not_created(tmp_path: Path) -> None:
    location = resolve_location(str(tmp_path / "typo.sqlite"), environ={})
    with pytest.raises(DatabaseOpenError, match="no such database file"):
        ensure_database_file(location)
    assert not (tmp_path / "typo.sqlite").exists()


def test_backup_is_a_consistent_copy(database: Database, tmp_path: Path) -> None:
    target = tmp_path / "backups" / "copy.sqlite"
    database.backup_to(target)
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT count(*) FROM nodes").fetchone() == (
            143,
        )  # the three built-in plans
    copy.close()


def test_write_transactions_take_the_write_lock_at_once(
    database: Database, seed_copy: Path
) -> None:
    """BEGIN IMMEDIATE: a writer never reads a version, then finds another writer ahead of it."""
    other = sqlite3.connect(seed_copy, timeout=0.1, isolation_level=None)
    try:
        with database.write() as session:
            session.execute(text("SELECT 1"))  # nothing written yet, the lock is held already
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        with database.read() as session:
            session.execute(text("SELECT 1"))  # readers do not block writers
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
    finally:
        other.close()


# --- a file that is not ours is only read ---------------------------------------------------


def journal_files(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name != path.name)


def untouched_state(path: Path) -> tuple[bytes, int, list[str]]:
    """What opening must not change in a file it refuses: its bytes (the header's journal mode
    among them), its modification time, and the files beside it (no -wal, no -shm)."""
    return path.read_bytes(), path.stat().st_mtime_ns, journal_files(path)


@pytest.mark.parametrize("journal", ["delete", "wal"])
@pytest.mark.parametrize("check", [True, False], ids=["command-line", "window"])
def test_another_programs_database_is_refused_without_being_changed(
    tmp_path: Path, journal: str, check: bool
) -> None:
    path = tmp_path / "other.sqlite"
    connection = sqlite3.connect(path)
    connection.execute(f"PRAGMA journal_mode = {journal}")
    connection.execute("CREATE TABLE contacts (name TEXT)")
    connection.execute("INSERT INTO contacts VALUES ('王')")
    connection.commit()
    connection.close()
    before = untouched_state(path)
    with pytest.raises(DatabaseOpenError, match="not a Target Monitor database"):
        open_database(path, check=check)
    assert untouched_state(path) == before


@pytest.mark.parametrize("value", ["abc", "", "2.0"])
def test_a_schema_version_that_is_no_number_is_refused_in_one_line(
    seed_copy: Path, value: str
) -> None:
    with sqlite3.connect(seed_copy) as connection:
        connection.execute(
            "UPDATE schema_meta SET value = ? WHERE key = 'schema_version'", (value,)
        )
    connection.close()
    with pytest.raises(DatabaseOpenError) as refused:
        open_database(seed_copy)
    assert str(refused.value) == (
        f"{seed_copy}: not a Target Monitor database (its schema version {value!r} is not a number)"
    )


@pytest.mark.parametrize("check", [True, False], ids=["command-line", "window"])
@pytest.mark.parametrize("content", [b"", b"a letter, not a database\n" * 100])
def test_a_file_that_is_no_sqlite_database_is_refused_before_sqlite_opens_it(
    tmp_path: Path, check: bool, content: bytes
) -> None:
    """SQLite would delete a journal beside it that it cannot use (or roll one back)."""
    path = tmp_path / "letter.sqlite"
    path.write_bytes(content)
    Path(f"{path}-journal").write_bytes(b"\x01 someone's journal" * 50)
    before = untouched_state(path)
    with pytest.raises(DatabaseOpenError, match=r"the file is empty|not a database file"):
        open_database(path, check=check)
    assert untouched_state(path) == before


def test_a_file_as_this_program_left_it_opens_without_an_engine_until_one_is_needed(
    seed_copy: Path,
) -> None:
    """open_quickly: the file is read by the driver only (its facts); the engine is made once,
    by whichever thread asks first, and every connection gets the program's settings."""
    open_database(seed_copy).close()  # as this program leaves it: in WAL mode
    database = open_quickly(seed_copy)
    assert database is not None and database._engine is None
    facts = database.facts()
    assert facts.schema_version == str(SCHEMA_VERSION) and facts.structure_revision
    assert database._engine is None
    engines = []
    workers = [threading.Thread(target=lambda: engines.append(database.engine)) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert len({id(engine) for engine in engines}) == 1
    with database.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    database.close()


@pytest.mark.parametrize(
    "spoil",
    [
        "UPDATE schema_meta SET value = '6' WHERE key = 'schema_version'",
        "DROP TRIGGER structure_revision_on_nodes_update",
        "PRAGMA journal_mode = DELETE",
    ],
    ids=["an older schema", "a trigger dropped", "not in WAL mode"],
)
def test_any_other_file_takes_the_full_opening(seed_copy: Path, spoil: str) -> None:
    open_database(seed_copy).close()
    with sqlite3.connect(seed_copy) as connection:
        connection.execute(spoil)
    connection.close()
    assert open_quickly(seed_copy) is None
