"""Backups: before risky operations (imports, undoing them, migrations, restores) and on request.

Every backup is taken with SQLite's online backup API into a temporary file, checked with
integrity_check, and only then given its name, so a failed or damaged copy never replaces a
good one. The folder keeps the newest few of every kind and, beyond them, one backup per day
for a week, per week for a month and per month for a year (`kept`).

Restoring a backup is desktop.models.opening's (`restore`, `recover_into`), since a backup is
checked completely first, down to upgrading a copy of an older schema
(desktop.models.migrations, which backs up through this module).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from desktop.models.database import check_lines
from desktop.models.errors import TargetMonitorError
from desktop.models.schema import AuditEvent
from desktop.models.store import Database, copy_to_file, plain_cause, plain_connection, read_only

KEEP_NEWEST = 10
KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY = 7, 4, 12
_STAMP = "%Y%m%d-%H%M%S-%f"
_NAME = re.compile(r"-(\d{8}-\d{6}-\d{6})-([a-z0-9-]+)\.sqlite$")


class BackupError(TargetMonitorError):
    """A backup could not be taken, or a file is not a usable backup."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: dt.datetime
    reason: str
    size: int


def backups_beside(path: Path) -> Path:
    """The folder where a database file's backups are kept."""
    return path.parent / "backups"


def backup_folder(database: Database) -> Path:
    return backups_beside(database.path)


def integrity_problem(path: Path) -> str | None:
    """Why a file is not an intact SQLite database, in words to follow its name; None if it is."""
    try:
        empty = path.stat().st_size == 0
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    if empty:  # SQLite would take an empty file for an empty database
        return "not a usable database (the file is empty)"
    try:
        connection = plain_connection(path)
        try:
            rows = connection.execute("PRAGMA integrity_check").fetchall()
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        return f"not a usable database ({error})"
    problems = check_lines(rows)
    if problems:
        return f"the copy is damaged ({'; '.join(problems[:3])})"
    return None


def verify(path: Path) -> None:
    """Raise BackupError unless the file is an intact SQLite database."""
    problem = integrity_problem(path)
    if problem is not None:
        raise BackupError(f"{path}: {problem}")


def _write_checked(target: Path, copy: Callable[[Path], None], failure: str) -> Path:
    """Write a database file by `copy` under a temporary name, check it, and only then give
    it its name; a failure raises BackupError starting with `failure` and leaves nothing."""
    partial = target.with_name(f".{target.name}.partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        copy(partial)
        problem = integrity_problem(partial)
        if problem is not None:  # the database it was copied from is damaged
            raise BackupError(f"{target}: {failure} — {problem}")
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as error:  # a full disk fails the copy as a database error
        raise BackupError(f"{target}: {failure} — {plain_cause(error)}") from None
    finally:
        for end in ("", "-journal", "-wal", "-shm"):
            Path(f"{partial}{end}").unlink(missing_ok=True)
    return target


def copy_verified(database: Database, target: Path) -> Path:
    """A checked copy of the database at `target`, written under a temporary name first."""
    return _write_checked(target, database.backup_to, "the backup could not be written")


def backup_before(database: Database, reason: str, *, now: dt.datetime | None = None) -> Path:
    """A checked backup in the backups folder, named by time and reason; older ones rotated."""
    taken = now or dt.datetime.now()
    folder = backup_folder(database)
    target = folder / f"{database.path.stem}-{taken.strftime(_STAMP)}-{reason}.sqlite"
    copy_verified(database, target)
    rotate(folder, database.path.stem, now=taken)
    return target


def list_backups(folder: Path, stem: str) -> list[BackupInfo]:
    """The backups of one database in a folder, newest first."""
    found = []
    for path in folder.glob(f"{stem}-*.sqlite"):
        match = _NAME.search(path.name)
        if match is None or path.name[: match.start()] != stem:
            continue
        taken = dt.datetime.strptime(match.group(1), _STAMP)
        try:
            size = path.stat().st_size
        except FileNotFoundError:  # rotated away meanwhile by another program's backup
            continue
        found.append(BackupInfo(path, taken, match.group(2), size))
    return sorted(found, key=lambda b: b.taken_at, reverse=True)


def kept(taken: Iterable[dt.datetime], now: dt.datetime) -> set[dt.datetime]:
    """Which backups to keep: the newest KEEP_NEWEST, then the newest of each of the last
    KEEP_DAILY days, KEEP_WEEKLY ISO weeks and KEEP_MONTHLY months that have any."""
    newest_first = sorted(set(taken), reverse=True)
    keep = set(newest_first[:KEEP_NEWEST])
    buckets = (
        (KEEP_DAILY, lambda t: t.date()),
        (KEEP_WEEKLY, lambda t: t.isocalendar()[:2]),
        (KEEP_MONTHLY, lambda t: (t.year, t.month)),
    )
    for count, bucket in buckets:
        seen: list[object] = []
        for stamp in newest_first:
            if stamp > now:
                continue
            key = bucket(stamp)
            if key in seen:
                continue
            if len(seen) == count:
                break
            seen.append(key)
            keep.add(stamp)
    return keep


PARTIAL_MAX_AGE = dt.timedelta(days=1)


def rotate(folder: Path, stem: str, *, now: dt.datetime) -> list[Path]:
    """Delete the backups `kept` lets go, and copies a killed program left half-written more
    than a day ago (younger ones may still be being written by another copy of the program);
    the deleted paths."""
    backups = list_backups(folder, stem)
    keep = kept((b.taken_at for b in backups), now)
    removed = [b.path for b in backups if b.taken_at not in keep]
    for leftover in folder.glob(f".{stem}-*.sqlite.partial*"):
        with suppress(OSError):
            written = dt.datetime.fromtimestamp(leftover.stat().st_mtime)
            if now - written > PARTIAL_MAX_AGE:
                removed.append(leftover)
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def daily_backup(database: Database, *, now: dt.datetime | None = None) -> Path | None:
    """The day's backup, taken on start when the data changed since the newest backup (or there
    is none yet and something was entered); None when there was nothing to do."""
    now = now or dt.datetime.now()
    backups = list_backups(backup_folder(database), database.path.stem)
    with database.read() as session:
        last_change = session.scalar(select(func.max(AuditEvent.at)))
    if last_change is None:
        return None  # nothing was ever entered: the seed can be had again
    if backups and (backups[0].taken_at.date() == now.date() or backups[0].taken_at >= last_change):
        return None
    return backup_before(database, "daily", now=now)


# --- a damaged database ---------------------------------------------------------------------

_COMPANIONS = ("-wal", "-journal", "-shm")  # the journal first: never left beside a new file


def set_aside(path: Path, *, now: dt.datetime | None = None) -> Path:
    """Move a damaged database, with its journal files, out of the way; never delete it.

    The new name says what it is and when it was found (`plan.damaged-20250703-091500.sqlite`).
    The journals move first, so a new database at the old name never meets a stale journal.
    """
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.damaged-{stamp}{path.suffix}")
    number = 1
    while any(Path(f"{target}{suffix}").exists() for suffix in ("", *_COMPANIONS)):
        number += 1
        target = path.with_name(f"{path.stem}.damaged-{stamp}-{number}{path.suffix}")
    try:
        for suffix in _COMPANIONS:
            companion = Path(f"{path}{suffix}")
            if companion.exists():
                os.replace(companion, f"{target}{suffix}")
        os.replace(path, target)
    except OSError as error:
        raise BackupError(
            f"{path}: the damaged database could not be moved aside ({error.strerror}); "
            "close every program using it and try again"
        ) from None
    return target


def put_in_place(path: Path, checked: Path) -> Path:
    """Copy a checked database file to where no database is (after `set_aside`), written
    under a temporary name, checked, then renamed, like every backup.

    desktop.models.opening.recover_into checks a backup completely before it comes here.
    """
    if path.exists():
        raise BackupError(f"{path}: a database is already there")

    def copy(partial: Path) -> None:
        origin = read_only(checked)
        try:
            copy_to_file(origin, partial)
        finally:
            origin.close()

    return _write_checked(path, copy, "the backup could not be copied back")


def entry_count(path: Path) -> int | None:
    """How many monthly entries a backup holds; None if it cannot be read."""
    try:
        connection = read_only(path)
        try:
            row = connection.execute("SELECT count(*) FROM entries").fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return None
    return int(row[0])


def damage_report(
    error: BaseException, aside: Path, backup: BackupInfo | None, restore_command: str
) -> str:
    """What the command line says about a damaged database it moved aside."""
    text = f"{error}. It was moved to {aside}; nothing was deleted."
    if backup is None:
        return (
            text
            + " No good backup was found beside it; "
            + restore_command.format(file="FILE")
            + " restores one from elsewhere."
        )
    return (
        f"{text} The newest good backup is {backup.path} "
        f"(taken {backup.taken_at:%Y-%m-%d %H:%M}); to restore it: "
        + restore_command.format(file=f'"{backup.path}"')
    )
