"""The database file and its connections (SQLite through SQLAlchemy only): opening one as it
is, creating one, reading and writing schema_meta, and saying in plain words what went wrong.

Every connection gets foreign keys, WAL and a busy timeout; write transactions start with
BEGIN IMMEDIATE so that two instances never both read a version and then both write.

This is the bottom of the storage modules: desktop.models.backup copies the file,
desktop.models.migrations upgrades an older schema (backing it up first), and
desktop.models.opening.open_database, which every caller uses, does all of it in order.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, delete, insert, inspect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from desktop.models.errors import (
    DatabaseDamagedError,
    DatabaseOpenError,
)
from desktop.models.schema import Base, SchemaMeta
from desktop.models.store import (
    DEFAULT_BUSY_TIMEOUT_MS,
    DEMO_KEY,
    ENTRIES_REVISION_KEY,
    NEW_REVISION,
    NO_ENTRIES_REVISION,
    REVISION_TRIGGERS,
    SCHEMA_VERSION,
    SCHEMA_VERSION_KEY,
    SQLITE_MAGIC,
    STRUCTURE_REVISION_KEY,
    STRUCTURE_TABLES,
    Database,
    describe_failure,
    file_head,
    in_wal_mode,
    make_engine,
    plain_connection,
    read_meta,
    triggers_intact,
)

_DAMAGE_CODES = ("SQLITE_CORRUPT", "SQLITE_NOTADB")


def is_damage(error: BaseException) -> bool:
    """Whether a driver error says the file's structure is broken (not locked, not missing)."""
    error = getattr(error, "orig", None) or error
    name = getattr(error, "sqlite_errorname", "") or ""
    return isinstance(error, sqlite3.DatabaseError) and name.startswith(_DAMAGE_CODES)


def deep_damage_of(path: Path) -> tuple[str, ...]:
    """What SQLite's integrity_check finds wrong with a database file (quick_check's findings
    and indexes that no longer match their tables); raises the driver's error when the check
    cannot run."""
    return _quick_check(path, "integrity_check(20)")


def damage_of(path: Path) -> tuple[str, ...]:
    """What SQLite's quick_check finds wrong with a database file; empty when it is sound
    (or when the check could not run for another reason, such as a lock: opening says so).

    A file that does not start like a SQLite database at all is not "damaged" (it is some
    other file, named by mistake): that is left to `open_database` to refuse, untouched.
    An empty file is damaged: nothing a database needs is left in it.
    """
    try:
        return _quick_check(path)
    except sqlite3.Error:
        return ()


def _quick_check(path: Path, pragma: str = "quick_check(20)") -> tuple[str, ...]:
    """`damage_of`, raising the driver's error when the check cannot run (locked, unreadable);
    with another `pragma`, such as integrity_check(20), that check instead."""
    head = file_head(path)
    if head == b"":
        return ("the file is empty (0 bytes)",)
    if head != SQLITE_MAGIC:
        return ()  # not a SQLite file, or missing or unreadable: open_database says so
    try:
        connection = plain_connection(path, DEFAULT_BUSY_TIMEOUT_MS)
        try:
            rows = connection.execute(f"PRAGMA {pragma}").fetchall()
        finally:
            connection.close()
    except sqlite3.Error as error:
        if is_damage(error):
            return (str(error),)
        raise
    return tuple(check_lines(rows))


def check_lines(rows: Sequence[Sequence[Any]]) -> list[str]:
    """The problems in the rows of quick_check or integrity_check, one per line: SQLite puts
    several lines in a row ("*** in database main ***" and the first problem) and says "ok"
    when there is none."""
    lines = [line for (text, *_rest) in rows for line in str(text).splitlines()]
    return [line for line in lines if line not in ("ok", "*** in database main ***")]


def describe_dangling(rows: Sequence[Sequence[Any]]) -> str:
    """foreign_key_check's rows (table, rowid, parent, key) in words: how many, and the first."""
    table, rowid, parent = rows[0][:3]
    return f"{len(rows)} rows point nowhere, e.g. {table} row {rowid} to a missing {parent}"


def write_meta(connection: Connection | Session, key: str, value: str) -> None:
    """Record a fact in schema_meta, replacing what the key held."""
    connection.execute(delete(SchemaMeta).where(SchemaMeta.key == key))
    connection.execute(insert(SchemaMeta).values(key=key, value=value))


class UnreadableSchemaVersion(ValueError):
    """schema_meta records a schema version that is no number: no file this program wrote."""

    def __init__(self, value: str) -> None:
        super().__init__(
            f"not a Target Monitor database (its schema version {value!r} is not a number)"
        )


def read_schema_version(connection: Connection) -> int | None:
    """The schema version recorded in the database; None if it is not one of ours.
    UnreadableSchemaVersion if what is recorded is no number."""
    if not inspect(connection).has_table(SchemaMeta.__tablename__):
        return None
    value = read_meta(connection, SCHEMA_VERSION_KEY)
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise UnreadableSchemaVersion(str(value)) from None


def recorded_schema_version(
    path: Path, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
) -> int | None:
    """`read_schema_version` of a file, read without changing anything in it: no journal mode
    is set and nothing is written, so a file that turns out not to be ours stays as it was.
    The driver's errors are raised as DBAPIError, as by any engine."""
    engine = create_engine(
        "sqlite://", creator=lambda: plain_connection(path, busy_timeout_ms), poolclass=NullPool
    )
    try:
        with engine.connect() as connection:
            return read_schema_version(connection)
    finally:
        engine.dispose()


def keep_revision(connection: Connection, key: str, *, first: str | None = None) -> None:
    """Give the file a revision (ENTRIES_REVISION_KEY, STRUCTURE_REVISION_KEY) and the
    triggers that change it: `first`, else a random one."""
    for trigger in REVISION_TRIGGERS[key]:
        connection.exec_driver_sql(trigger)
    value = NEW_REVISION if first is None else f"'{first}'"
    connection.exec_driver_sql(f"INSERT INTO schema_meta (key, value) VALUES ('{key}', {value})")


def _triggers_intact(connection: Connection, key: str) -> bool:
    triggers = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger'"
    ).scalars()
    return triggers_intact(triggers, key)


_WHAT = {ENTRIES_REVISION_KEY: "the entries", STRUCTURE_REVISION_KEY: "the plans' structure"}


def revision_problems(connection: Connection) -> list[str]:
    """What keeps the file's revisions from being trusted (nothing: an empty list)."""
    problems = []
    for key, what in _WHAT.items():
        if not _triggers_intact(connection, key):
            problems.append(f"the triggers that mark each change to {what} are missing or changed")
        elif read_meta(connection, key) is None:
            problems.append(f"the revision of {what} is missing")
    return problems


def revision(connection: Connection, key: str) -> str | None:
    """A revision (ENTRIES_REVISION_KEY, STRUCTURE_REVISION_KEY), read in the connection's
    transaction (so that what it reads next is of that revision); None when the file keeps
    none that can be trusted (a server keeps none: others write to it all the time)."""
    if connection.dialect.name != "sqlite" or not _triggers_intact(connection, key):
        return None
    return read_meta(connection, key)


def entries_revision(connection: Connection) -> str | None:
    """The entries' revision (see `revision`)."""
    return revision(connection, ENTRIES_REVISION_KEY)


def structure_revision(connection: Connection) -> str | None:
    """The plans' structure's revision (see `revision`)."""
    return revision(connection, STRUCTURE_REVISION_KEY)


def settle_structure_revision(connection: sqlite3.Connection) -> None:
    """Give a file made for distribution (the seed) a structure revision derived from its
    content, so that building it twice gives the same file: copies of it whose structure was
    never changed hold the same structure, and any change gives a random revision."""
    digest = hashlib.sha256()
    for table in STRUCTURE_TABLES:
        for row in connection.execute(f'SELECT * FROM "{table}" ORDER BY rowid'):
            digest.update(repr(tuple(row)).encode("utf-8"))
    connection.execute(
        "UPDATE schema_meta SET value = ? WHERE key = ?",
        (digest.hexdigest()[:16], STRUCTURE_REVISION_KEY),
    )


def demo_mark(session: Connection | Session) -> str | None:
    """What the database says about its demo figures; None for a real database."""
    return read_meta(session, DEMO_KEY)


def write_schema_version(connection: Connection, version: int) -> None:
    """Record the schema version the database now has (on creation and after each migration)."""
    write_meta(connection, SCHEMA_VERSION_KEY, str(version))


def open_as_is(
    path: Path,
    *,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    check: bool = True,
    accept: Callable[[int], None] | None = None,
) -> tuple[Database, int]:
    """Open an existing Target Monitor database without upgrading it: the database and the
    schema version it records (desktop.models.opening.open_database compares that with this
    program's and upgrades; everything else should open through it).

    With `check`, SQLite's quick_check runs first and a damaged file raises
    DatabaseDamagedError (the window runs the check itself, alongside building the window;
    see `_check_before_opening`). `accept`, given the schema version, may refuse the file by
    raising before anything has touched it (every connection sets WAL). Raises
    DatabaseOpenError with a one-line message for every other foreseeable failure.
    """
    _check_before_opening(path, check=check)
    try:
        # Read before the engine sets WAL: a file that is not ours is left exactly as it was.
        version = recorded_schema_version(path, busy_timeout_ms=busy_timeout_ms)
        if version is None:
            raise DatabaseOpenError(f"{path}: not a Target Monitor database")
        if accept is not None:
            accept(version)
        engine = make_engine(path, busy_timeout_ms)
        try:
            with engine.connect():
                pass  # the settings every connection gets (WAL among them) apply now
        except BaseException:
            engine.dispose()
            raise
    except UnreadableSchemaVersion as error:
        raise DatabaseOpenError(f"{path}: {error}") from None
    except sqlite3.Error as error:  # from `accept`: a check that could not run
        raise DatabaseOpenError(describe_failure(path, error)) from error
    except DBAPIError as error:
        if is_damage(error):  # the file starts like a database: it is a damaged one
            raise DatabaseDamagedError(path, (str(error.orig),)) from error
        raise DatabaseOpenError(describe_failure(path, error)) from error
    return Database(path, engine, busy_timeout_ms), version


def _check_before_opening(path: Path, *, check: bool) -> None:
    """Refuse a file before SQLite opens it: none there, none of SQLite's, or damaged.

    SQLite, opening a file, deletes or plays back a journal beside it: a file that is no
    SQLite database at all is refused before SQLite sees it. And every connection of ours
    switches the file to WAL, which rewrites its header: a file not in WAL yet (a backup just
    put back) gets quick_check even without `check`, so that a damaged one is moved aside as
    it was found.
    """
    if not path.is_file():
        raise DatabaseOpenError(f"{path}: no such database file")
    head = file_head(path)
    if head == b"":
        raise DatabaseDamagedError(path, ("the file is empty (0 bytes)",))
    if head is not None and head != SQLITE_MAGIC:
        raise DatabaseOpenError(f"{path}: not a database file (not an SQLite file)")
    if check or not in_wal_mode(path):
        try:
            problems = _quick_check(path)
        except sqlite3.Error as error:
            raise DatabaseOpenError(describe_failure(path, error)) from error
        if problems:
            raise DatabaseDamagedError(path, problems)


def create_database(path: Path) -> Database:
    """A new, empty database at the current schema version; the file must not exist."""
    if path.exists():
        raise DatabaseOpenError(f"{path}: already exists")
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(path, DEFAULT_BUSY_TIMEOUT_MS)
    with engine.begin() as connection:
        Base.metadata.create_all(connection)
        keep_revision(connection, ENTRIES_REVISION_KEY, first=NO_ENTRIES_REVISION)
        keep_revision(connection, STRUCTURE_REVISION_KEY)
        write_schema_version(connection, SCHEMA_VERSION)
    return Database(path, engine)


def finalize_for_distribution(database: Database) -> None:
    """Checkpoint, switch to a self-contained rollback journal and compact (for the seed file)."""
    with database.raw_driver() as connection:
        with connection:
            settle_structure_revision(connection)
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode = DELETE")
        connection.execute("VACUUM")
    database.close()
    for suffix in ("-wal", "-shm"):
        with suppress(FileNotFoundError):
            Path(f"{database.path}{suffix}").unlink()


def sqlite_pragma_rows(database: Database, pragma: str) -> list[tuple[Any, ...]]:
    """The rows of a read-only PRAGMA such as integrity_check or foreign_key_check."""
    with database.raw_driver() as connection:
        return [tuple(row) for row in connection.execute(f"PRAGMA {pragma}")]
