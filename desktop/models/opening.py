"""Putting a database into use by this program: `open_database` (how every caller opens a file)
and `restore` (a backup into an open database). Both bring an older schema up to this
program's, a checked backup first, and neither accepts a file from a newer program.

The storage modules build on each other in one direction, so none imports another's caller:
database (the file and its connections) ← backup (checked copies) ← migrations (upgrades,
which back up first) ← opening.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

from desktop.models.backup import backup_before, check_restorable
from desktop.models.database import (
    DEFAULT_BUSY_TIMEOUT_MS,
    SCHEMA_VERSION,
    Database,
    open_as_is,
)
from desktop.models.errors import DatabaseOpenError
from desktop.models.migrations import MIGRATIONS, Migration, upgrade


def open_database(
    path: Path,
    *,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    migrations: Mapping[int, Migration] = MIGRATIONS,
    latest: int = SCHEMA_VERSION,
    check: bool = True,
) -> Database:
    """Open an existing database, upgrading its schema if it is older than this program.

    With `check`, SQLite's quick_check runs first and a damaged file raises
    DatabaseDamagedError (the window runs the check itself, alongside building the window).
    Raises DatabaseOpenError with a one-line message for every other foreseeable failure.
    """
    database, version = open_as_is(path, busy_timeout_ms=busy_timeout_ms, check=check)
    try:
        if version > latest:
            raise DatabaseOpenError(
                f"{path}: made by a newer version of Target Monitor (schema {version}, "
                f"this program knows up to {latest}); please update the program"
            )
        upgrade(database, migrations=migrations, latest=latest)
    except BaseException:
        database.close()
        raise
    return database


def restore(database: Database, source: Path, *, now: dt.datetime | None = None) -> Path:
    """Replace the database's content with a backup's, after backing the current one up.

    The source is checked first (`check_restorable`); the copy goes through SQLite's backup
    API into the open database, so other readers see either the old content or the new.
    A backup of an older schema is then upgraded (`upgrade`). Returns the backup of the
    content that was replaced.
    """
    source = Path(source)
    check_restorable(source, database.path)
    saved = backup_before(database, "before-restore", now=now)
    database.load_from(source)
    upgrade(database)  # a backup from an older program
    return saved
