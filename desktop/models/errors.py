"""Errors a user may meet, each with a message fit to show as it is (no traceback needed)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path


class TargetMonitorError(Exception):
    """Base of every foreseeable failure; `str(error)` is the one-line message for the user."""


class DatabaseOpenError(TargetMonitorError):
    """The database file cannot be used: missing, damaged, locked, foreign or too new."""


class DatabaseDamagedError(DatabaseOpenError):
    """The file is a SQLite database whose structure SQLite's own checks find broken."""

    def __init__(self, path: Path, problems: tuple[str, ...]) -> None:
        shown = "; ".join(problems[:3]) + (
            f"; … {len(problems) - 3} more" if len(problems) > 3 else ""
        )
        super().__init__(f"{path}: the database file is damaged ({shown})")
        self.path = path
        self.problems = problems


class DatabaseWriteError(TargetMonitorError):
    """A change could not be saved (a full or failing disk, a lock held too long): none of it was
    written."""


class PlanSourceError(TargetMonitorError):
    """The plan's source file (TOML) is malformed or inconsistent."""


class InvalidEntryError(TargetMonitorError):
    """A value, state or note that the rules refuse (negative, wrong kind, unknown month…)."""


class StaleEditError(TargetMonitorError):
    """An edit based on a version that someone else has changed in the meantime."""

    def __init__(
        self,
        message: str,
        *,
        indicator_id: int,
        period: str,
        current_value: str | None,
        current_version: int,
        changed_by: str | None = None,
        changed_at: dt.datetime | None = None,
    ) -> None:
        super().__init__(message)
        self.indicator_id = indicator_id
        self.period = period
        self.current_value = current_value
        self.current_version = current_version
        self.changed_by = changed_by
        self.changed_at = changed_at
