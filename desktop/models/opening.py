"""Putting a database into use by this program: `open_database` (how every caller opens a file),
`restore` (a backup into an open database) and `recover_into` (a backup where no database is,
after a damaged one was moved aside). Each brings an older schema up to this program's, and
none accepts a file from a newer program.

A backup is checked completely before anything is replaced (`checked_backup`): a refused
restore changes nothing at all.

The storage modules build on each other in one direction, so none imports another's caller:
database (the file and its connections) ← backup (checked copies) ← migrations (upgrades,
which back up first) ← opening.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from desktop.models.backup import (
    BackupError,
    BackupInfo,
    backup_before,
    backups_beside,
    integrity_problem,
    list_backups,
    put_in_place,
)
from desktop.models.database import (
    UnreadableSchemaVersion,
    deep_damage_of,
    describe_dangling,
    open_as_is,
    recorded_schema_version,
)
from desktop.models.errors import DatabaseDamagedError, DatabaseOpenError, TargetMonitorError
from desktop.models.integrity import check_database
from desktop.models.migrations import (
    MIGRATIONS,
    Migration,
    StepFailed,
    missing_migration,
    upgrade,
    upgrade_copy,
)
from desktop.models.store import (
    DEFAULT_BUSY_TIMEOUT_MS,
    SCHEMA_VERSION,
    Database,
    copy_to_file,
    plain_cause,
    printable,
    read_only,
)


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
    DatabaseDamagedError (the window runs the check itself, alongside building the window);
    a file to upgrade gets the thorough integrity_check whatever `check` says. Raises
    DatabaseOpenError with a one-line message for every other foreseeable failure.
    """

    def acceptable(version: int) -> None:
        """Refuse a newer file, and an older one that is damaged anywhere, before the file is
        touched: an upgrade needs a sound file (its backup would refuse itself)."""
        if version > latest:
            raise DatabaseOpenError(
                f"{path}: made by a newer version of Target Monitor (schema {version}, "
                f"this program knows up to {latest}); please update the program"
            )
        if version < latest and (damage := deep_damage_of(path)):
            raise DatabaseDamagedError(path, damage)

    database, _version = open_as_is(
        path, busy_timeout_ms=busy_timeout_ms, check=check, accept=acceptable
    )
    try:
        upgrade(database, migrations=migrations, latest=latest)
    except BaseException:
        database.close()
        raise
    return database


@contextmanager
def checked_backup(
    source: Path, database_path: Path, *, page_size: int | None = None
) -> Iterator[Path]:
    """`source` as a restore would put it in place of the database at `database_path`: a copy
    in a scratch folder, checked completely and upgraded to this program's schema, for as long
    as the `with` block runs. BackupError (one line, naming `source`) when it cannot be used.

    The checks, in order: the file is there and is not the database itself; it is an intact
    SQLite database (integrity_check) whose rows point where they should (foreign_key_check);
    it is Target Monitor's (schema_meta) and of a schema version this program can bring up
    to its own (not newer, and a migration from each older one); the upgrade runs on the copy;
    and the upgraded copy has every table and column and passes `check`. The file itself is
    only read. With `page_size`, the copy is then rebuilt with that page size (SQLite's backup
    API cannot copy into a database in WAL mode whose page size differs).
    """
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    if source.resolve() == Path(database_path).resolve():
        raise BackupError(f"{source}: is the database itself")
    with tempfile.TemporaryDirectory(
        prefix="target-monitor-restore-", ignore_cleanup_errors=True
    ) as folder:
        scratch = Path(folder) / "backup.sqlite"
        problem = _copy_problem(source, scratch) or _scratch_problem(scratch)
        if problem is not None:
            raise BackupError(f"{source}: {problem}; nothing was changed")
        if page_size is not None:
            try:
                _rebuild(scratch, page_size)
            except sqlite3.Error as error:  # a full disk, say
                raise BackupError(
                    f"{source}: the copy to restore could not be prepared — "
                    f"{plain_cause(error)}; nothing was changed"
                ) from None
        yield scratch


def _rebuild(scratch: Path, page_size: int) -> None:
    """VACUUM the scratch copy into `page_size` (if it has another), in a rollback journal
    (a database in WAL mode keeps its page size)."""
    connection = sqlite3.connect(scratch, isolation_level=None)
    try:
        if connection.execute("PRAGMA page_size").fetchone()[0] != page_size:
            connection.execute("PRAGMA journal_mode = DELETE")
            connection.execute(f"PRAGMA page_size = {int(page_size)}")
            connection.execute("VACUUM")
    finally:
        connection.close()


def _copy_problem(source: Path, scratch: Path) -> str | None:
    """Copy the backup to the scratch file; why it could not be copied, or None."""
    try:
        if any(Path(f"{source}{end}").exists() for end in ("-wal", "-journal")):
            # A live database: only SQLite knows what its journal adds or takes back.
            origin = read_only(source)
            try:
                copy_to_file(origin, scratch)
            finally:
                origin.close()
        else:  # a plain copy leaves the file exactly as it was (no -wal, no -shm beside it)
            shutil.copyfile(source, scratch)
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    except sqlite3.Error as error:
        return f"not a usable database ({printable(str(error))})"
    return None


def _scratch_problem(scratch: Path) -> str | None:
    """Why the copy of a backup cannot replace a database, in words to follow the backup's
    name; None when it can (it is then upgraded to this program's schema)."""
    problem = integrity_problem(scratch)
    if problem is not None:
        return problem
    try:
        connection = read_only(scratch)
        try:
            dangling = connection.execute("PRAGMA foreign_key_check").fetchall()
        finally:
            connection.close()
        version = recorded_schema_version(scratch)
    except UnreadableSchemaVersion as error:
        return str(error)
    except (sqlite3.Error, DBAPIError) as error:
        return f"not a usable database ({printable(str(getattr(error, 'orig', None) or error))})"
    if dangling:
        return describe_dangling(dangling)
    if version is None:
        return "not a Target Monitor database"
    if version > SCHEMA_VERSION:
        return (
            f"written by a newer program (schema {version}, this one knows "
            f"{SCHEMA_VERSION}); update the program first"
        )
    missing = missing_migration(version)
    if missing is not None:
        return (
            f"written with schema version {version}, which this program cannot upgrade "
            f"(no migration from schema version {missing})"
        )
    return _upgraded_problem(scratch)


def _upgraded_problem(scratch: Path) -> str | None:
    """Upgrade the scratch copy and check it as `target-monitor check` would."""
    try:
        database, _ = open_as_is(scratch, check=False)
    except TargetMonitorError as error:
        return str(error).removeprefix(f"{scratch}: ")
    try:
        upgrade_copy(database)
        report = check_database(database, intact=True)  # integrity_check ran on the copy
    except StepFailed as failure:
        return (
            f"its schema could not be upgraded from schema version {failure.step} "
            f"({failure.reason})"
        )
    except TargetMonitorError as error:
        return str(error).removeprefix(f"{scratch}: ")
    finally:
        database.close()
    if not report.ok:
        more = len(report.problems) - 1
        return f"check finds a problem in it: {report.problems[0]}" + (
            f" (and {more} more)" if more else ""
        )
    return None


_NOT_RESTORED = "the backup could not be restored"


def restore(database: Database, source: Path, *, now: dt.datetime | None = None) -> Path:
    """Replace the database's content with a backup's, after backing the current one up.

    The backup is checked completely first, and upgraded if it is of an older schema
    (`checked_backup`); nothing is touched unless it passes. Like any write, the restore waits
    up to the busy timeout for another program's write lock, then gives up (DatabaseWriteError,
    nothing changed). The copy goes through SQLite's backup API into the open database, so
    other readers see either the old content or the new. Returns the backup of the content
    that was replaced.
    """
    with checked_backup(source, database.path, page_size=database.page_size) as ready:
        database.wait_to_write(_NOT_RESTORED)
        saved = backup_before(database, "before-restore", now=now)
        database.load_from(ready, _NOT_RESTORED)
    return saved


def recover_into(path: Path, source: Path) -> Path:
    """Put a checked, upgraded copy of a backup where no database is (after `set_aside`)."""
    with checked_backup(source, path) as ready:
        return put_in_place(path, ready)


def newest_good_backup(path: Path) -> BackupInfo | None:
    """The newest backup of a database file that `checked_backup` accepts."""
    for info in list_backups(backups_beside(path), path.stem):
        try:
            with checked_backup(info.path, path):
                return info
        except BackupError:
            continue
    return None
