"""Backups before risky operations (imports, undoing them, migrations), the newest 20 kept."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from desktop.models.database import Database

KEEP_BACKUPS = 20


def backup_folder(database: Database) -> Path:
    return database.path.parent / "backups"


def backup_before(database: Database, reason: str, *, now: dt.datetime | None = None) -> Path:
    """A consistent copy of the database (SQLite online backup API) in the backups folder."""
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S-%f")
    target = backup_folder(database) / f"{database.path.stem}-{stamp}-{reason}.sqlite"
    database.backup_to(target)
    _rotate(backup_folder(database), database.path.stem)
    return target


def _rotate(folder: Path, stem: str) -> None:
    backups = sorted(folder.glob(f"{stem}-*.sqlite"))
    for old in backups[:-KEEP_BACKUPS]:
        old.unlink(missing_ok=True)
