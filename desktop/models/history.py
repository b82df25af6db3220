"""The read side of one entry: its notes and provenance, and its audit trail."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from desktop.models.kinds import BatchState, EntryOrigin
from desktop.models.schema import AuditEvent, Department, Entry, ImportBatch
from desktop.models.store import Database


@dataclass(frozen=True)
class EntryDetails:
    """The notes and provenance of one month's report."""

    progress_note: str
    problems: str
    reported_by: str
    reported_at: dt.datetime
    origin: EntryOrigin
    import_batch_id: int | None
    version: int


@dataclass(frozen=True)
class HistoryEvent:
    """One changed field of an entry, as the history panel lists it."""

    at: dt.datetime
    user: str
    field: str
    old_value: str | None
    new_value: str | None
    batch_id: int | None
    batch_file: str | None


def entry_details(database: Database, indicator_id: int, period: str) -> EntryDetails | None:
    """The notes and provenance of one indicator's month; None when nothing was entered."""
    return entries_details(database, [indicator_id], period).get(indicator_id)


def entry_history(database: Database, indicator_id: int, period: str) -> list[HistoryEvent]:
    """Every audited change of one indicator's month, newest first."""
    query = (
        select(AuditEvent, ImportBatch.file_name)
        .outerjoin(ImportBatch, AuditEvent.batch_id == ImportBatch.id)
        .where(AuditEvent.indicator_id == indicator_id, AuditEvent.period == period)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    with database.read() as session:
        return [
            HistoryEvent(
                event.at,
                event.user,
                event.field,
                event.old_value,
                event.new_value,
                event.batch_id,
                file_name,
            )
            for event, file_name in session.execute(query)
        ]


def entries_details(
    database: Database, indicator_ids: list[int], period: str
) -> dict[int, EntryDetails]:
    """The notes and provenance of several indicators' entries for one month."""
    if not indicator_ids:
        return {}
    query = select(
        Entry.indicator_id,
        Entry.progress_note,
        Entry.problems,
        Entry.reported_by,
        Entry.reported_at,
        Entry.origin,
        Entry.import_batch_id,
        Entry.version,
    ).where(Entry.indicator_id.in_(indicator_ids), Entry.period == period)
    with database.read() as session:
        return {row[0]: EntryDetails(*row[1:]) for row in session.execute(query)}


@dataclass(frozen=True)
class BatchSummary:
    """One import batch, as the undo-import dialog lists it."""

    id: int
    at: dt.datetime
    user: str
    department: str
    period: str
    file_name: str
    rows: int
    state: BatchState
    reporter: str  # the file's 填报人
    phone: str  # the file's 联系电话


def import_batches(database: Database) -> list[BatchSummary]:
    """Every import batch, newest first."""
    query = (
        select(ImportBatch, Department.short_name)
        .join(Department, ImportBatch.department_id == Department.id)
        .order_by(ImportBatch.id.desc())
    )
    with database.read() as session:
        return [
            BatchSummary(
                batch.id,
                batch.at,
                batch.user,
                department,
                batch.period,
                batch.file_name,
                batch.rows,
                batch.state,
                batch.reporter,
                batch.phone,
            )
            for batch, department in session.execute(query)
        ]
