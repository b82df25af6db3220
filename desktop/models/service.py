"""The only writer: every change to an entry is validated, version-checked and audited.

Each call is one transaction. It returns a small frozen `Changes` value that says what changed,
so that the window can refresh only the tree rows, grid cells and charts concerned.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.database import Database
from desktop.models.errors import InvalidEntryError, StaleEditError
from desktop.models.periods import parse_period, period_of
from desktop.models.schema import (
    AuditEvent,
    BatchState,
    Entry,
    EntryOrigin,
    ImportBatch,
    Indicator,
    IndicatorKind,
    MilestoneState,
    Node,
    Plan,
)

# Longest text accepted for a progress note or a problems note (characters).
NOTE_MAX_LENGTH = 2000
# Largest value accepted; anything above is a typing slip, not a figure of this plan.
VALUE_MAX = 1e12

NO_ENTRY = 0  # the version to pass when the user saw no entry for that month yet

Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class Changes:
    """What one service call changed: the views refresh exactly this."""

    indicator_ids: frozenset[int]
    periods: frozenset[str]
    entry_versions: Mapping[tuple[int, str], int]

    @property
    def empty(self) -> bool:
        return not self.indicator_ids


NOTHING_CHANGED = Changes(frozenset(), frozenset(), {})


def _text(value: object) -> str | None:
    """How a field's value is written into the audit trail."""
    if value is None:
        return None
    if isinstance(value, MilestoneState):
        return value.value
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _reported(indicator: Indicator, entry: Entry) -> float | MilestoneState | None:
    """The figure an entry reports: its value, or its state for a milestone."""
    return entry.milestone_state if indicator.kind is IndicatorKind.MILESTONE else entry.value


@dataclass(frozen=True)
class EntryEdit:
    """One entry's fields to set, and the version the user saw (NO_ENTRY for none).

    Fields: "value" (numeric indicators), "milestone_state" (milestones), "progress_note",
    "problems". None clears a value or state.
    """

    indicator_id: int
    period: str
    fields: Mapping[str, object]
    expected_version: int


def validate_value(value: object) -> float | None:
    """A figure as the database keeps it; InvalidEntryError for anything else."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidEntryError(f"{value!r} is not a number")
    number = float(value)
    if not math.isfinite(number) or number < 0 or number > VALUE_MAX:
        raise InvalidEntryError(
            f"{value!r} is not a valid value (a number from 0 to {VALUE_MAX:.0e})"
        )
    return number


def validate_note(text: object) -> str:
    if not isinstance(text, str):
        raise InvalidEntryError(f"{text!r} is not text")
    text = text.strip()
    if len(text) > NOTE_MAX_LENGTH:
        raise InvalidEntryError(
            f"the note has {len(text)} characters; at most {NOTE_MAX_LENGTH} are kept"
        )
    return text


def _validated(edit: EntryEdit) -> EntryEdit:
    try:
        parse_period(edit.period)
    except ValueError as error:
        raise InvalidEntryError(str(error)) from None
    fields: dict[str, object] = {}
    for name, value in edit.fields.items():
        if name == "value":
            fields[name] = validate_value(value)
        elif name == "milestone_state":
            if value is not None and not isinstance(value, MilestoneState):
                raise InvalidEntryError(f"{value!r} is not a milestone state")
            fields[name] = value
        elif name in ("progress_note", "problems"):
            fields[name] = validate_note(value)
        else:
            raise ValueError(f"an entry has no field {name!r}")
    return EntryEdit(edit.indicator_id, edit.period, fields, edit.expected_version)


def _parsed(field: str, text: str | None) -> object:
    """A field's value back from its audit-trail text."""
    if field == "value":
        return None if text is None else float(text)
    if field == "milestone_state":
        return None if text is None else MilestoneState(text)
    return text or ""


def _changes(versions: Mapping[tuple[int, str], int]) -> Changes:
    if not versions:
        return NOTHING_CHANGED
    return Changes(
        frozenset(i for i, _ in versions), frozenset(p for _, p in versions), dict(versions)
    )


class EntryService:
    """Writes entries on behalf of one user; every write is audited."""

    def __init__(self, database: Database, user: str, clock: Clock | None = None) -> None:
        if not user.strip():
            raise InvalidEntryError("a user name is required to record who changed what")
        self._database = database
        self._user = user.strip()
        self._clock = clock or dt.datetime.now

    @property
    def user(self) -> str:
        return self._user

    # --- public operations ---------------------------------------------------------------

    def set_value(
        self, indicator_id: int, period: str, value: float | None, *, expected_version: int
    ) -> Changes:
        """Set (or clear, with None) a numeric indicator's value for a month."""
        return self.apply([EntryEdit(indicator_id, period, {"value": value}, expected_version)])

    def set_milestone_state(
        self,
        indicator_id: int,
        period: str,
        state: MilestoneState | None,
        *,
        expected_version: int,
    ) -> Changes:
        """Set (or clear) a milestone's state for a month."""
        return self.apply(
            [EntryEdit(indicator_id, period, {"milestone_state": state}, expected_version)]
        )

    def set_notes(
        self,
        indicator_id: int,
        period: str,
        *,
        progress_note: str | None = None,
        problems: str | None = None,
        expected_version: int,
    ) -> Changes:
        """Set the 进展情况 and/or 存在问题及下步措施 of a month (None leaves a note as it is)."""
        fields = {
            name: text
            for name, text in (("progress_note", progress_note), ("problems", problems))
            if text is not None
        }
        return self.apply([EntryEdit(indicator_id, period, fields, expected_version)])

    def entry_version(self, indicator_id: int, period: str) -> int:
        """The current version of an entry, NO_ENTRY when there is none."""
        with self._database.read() as session:
            version = session.scalar(
                select(Entry.version).where(
                    Entry.indicator_id == indicator_id, Entry.period == period
                )
            )
        return NO_ENTRY if version is None else version

    def apply(self, edits: Sequence[EntryEdit]) -> Changes:
        """Apply every edit in one transaction, or none of them.

        Everything is validated before the transaction; a stale version or an edit of the
        wrong kind anywhere refuses the whole batch.
        """
        checked = [_validated(edit) for edit in edits]
        indicator_ids: set[int] = set()
        periods: set[str] = set()
        versions: dict[tuple[int, str], int] = {}
        with self._database.write() as session:
            now = self._clock()
            for edit in checked:
                version = self._apply_one(session, edit, now)
                if version is not None:
                    indicator_ids.add(edit.indicator_id)
                    periods.add(edit.period)
                    versions[(edit.indicator_id, edit.period)] = version
        if not indicator_ids:
            return NOTHING_CHANGED
        return Changes(frozenset(indicator_ids), frozenset(periods), versions)

    # --- imports ---------------------------------------------------------------------------

    def apply_import(
        self,
        *,
        file_name: str,
        sha256: str,
        department_id: int,
        period: str,
        edits: Sequence[EntryEdit],
    ) -> tuple[int, Changes]:
        """Record an ImportBatch and apply every edit under it in one transaction, or none."""
        checked = [_validated(edit) for edit in edits]
        versions: dict[tuple[int, str], int] = {}
        with self._database.write() as session:
            now = self._clock()
            batch = ImportBatch(
                file_name=file_name,
                sha256=sha256,
                department_id=department_id,
                period=period,
                user=self._user,
                at=now,
                rows=len(checked),
                state=BatchState.APPLIED,
            )
            session.add(batch)
            session.flush()
            for edit in checked:
                version = self._apply_one(session, edit, now, batch_id=batch.id)
                if version is not None:
                    versions[(edit.indicator_id, edit.period)] = version
            batch_id = batch.id
        return batch_id, _changes(versions)

    def undo_import(self, batch_id: int) -> Changes:
        """Put back what an import changed, as long as nobody has changed it since."""
        versions: dict[tuple[int, str], int] = {}
        with self._database.write() as session:
            batch = session.get(ImportBatch, batch_id)
            if batch is None:
                raise InvalidEntryError(f"there is no import batch {batch_id}")
            if batch.state is BatchState.UNDONE:
                raise InvalidEntryError(f"import batch {batch_id} has been undone already")
            events = session.scalars(
                select(AuditEvent).where(AuditEvent.batch_id == batch_id).order_by(AuditEvent.id)
            ).all()
            restore: dict[int, dict[str, str | None]] = {}
            expected: dict[int, dict[str, str | None]] = {}
            for event in events:
                restore.setdefault(event.entity_id, {}).setdefault(event.field, event.old_value)
                expected.setdefault(event.entity_id, {})[event.field] = event.new_value
            now = self._clock()
            for entry_id, fields in restore.items():
                entry = session.get(Entry, entry_id)
                if entry is None:
                    raise StaleEditError(
                        f"an entry of import batch {batch_id} no longer exists; nothing undone",
                        indicator_id=0,
                        period="",
                        current_value=None,
                        current_version=0,
                    )
                indicator = session.get(Indicator, entry.indicator_id)
                assert indicator is not None
                for name, new_text in expected[entry_id].items():
                    if _text(getattr(entry, name)) != new_text:
                        raise StaleEditError(
                            f"{indicator.code} {entry.period} was changed after the import "
                            f"(it holds {_text(getattr(entry, name))}); nothing was undone",
                            indicator_id=indicator.id,
                            period=entry.period,
                            current_value=_text(getattr(entry, name)),
                            current_version=entry.version,
                            changed_by=entry.reported_by,
                            changed_at=entry.reported_at,
                        )
                edit = EntryEdit(
                    entry.indicator_id,
                    entry.period,
                    {name: _parsed(name, text) for name, text in fields.items()},
                    entry.version,
                )
                version = self._apply_one(session, _validated(edit), now, batch_id=batch_id)
                if version is not None:
                    versions[(entry.indicator_id, entry.period)] = version
            batch.state = BatchState.UNDONE
        return _changes(versions)

    # --- the one write path --------------------------------------------------------------

    def _apply_one(
        self, session: Session, edit: EntryEdit, now: dt.datetime, batch_id: int | None = None
    ) -> int | None:
        """Write one edit inside the caller's transaction; the new version, None if unchanged."""
        indicator = self._indicator(session, edit.indicator_id, edit.period)
        milestone = indicator.kind is IndicatorKind.MILESTONE
        if "value" in edit.fields and milestone:
            raise InvalidEntryError(f"{indicator.code} is a milestone")
        if "milestone_state" in edit.fields and not milestone:
            raise InvalidEntryError(f"{indicator.code} is a numeric indicator")
        entry = session.scalar(
            select(Entry).where(
                Entry.indicator_id == edit.indicator_id, Entry.period == edit.period
            )
        )
        self._check_version(indicator, edit.period, entry, edit.expected_version)
        if entry is None:
            entry = Entry(
                indicator_id=edit.indicator_id,
                period=edit.period,
                value=None,
                milestone_state=None,
                progress_note="",
                problems="",
            )
        changed = [
            (name, getattr(entry, name), new)
            for name, new in edit.fields.items()
            if getattr(entry, name) != new
        ]
        if not changed:
            return None
        for name, _old, new in changed:
            setattr(entry, name, new)
        entry.reported_by, entry.reported_at = self._user, now
        entry.origin = EntryOrigin.MANUAL if batch_id is None else EntryOrigin.IMPORT
        entry.import_batch_id = batch_id
        session.add(entry)
        session.flush()
        session.add_all(
            AuditEvent(
                at=now,
                user=self._user,
                entity="entry",
                entity_id=entry.id,
                indicator_id=edit.indicator_id,
                period=edit.period,
                field=name,
                old_value=_text(old),
                new_value=_text(new),
                batch_id=batch_id,
            )
            for name, old, new in changed
        )
        return entry.version

    @staticmethod
    def _indicator(session: Session, indicator_id: int, period: str) -> Indicator:
        row = session.execute(
            select(Indicator, Plan.start_date, Plan.end_date)
            .join(Node, Indicator.measure_id == Node.id)
            .join(Plan, Node.plan_id == Plan.id)
            .where(Indicator.id == indicator_id)
        ).first()
        if row is None:
            raise InvalidEntryError(f"there is no indicator with id {indicator_id}")
        indicator, start, end = row
        if not period_of(start) <= period <= period_of(end):
            raise InvalidEntryError(
                f"{period} lies outside the plan's months ({period_of(start)} to {period_of(end)})"
            )
        return indicator

    @staticmethod
    def _check_version(
        indicator: Indicator, period: str, entry: Entry | None, expected_version: int
    ) -> None:
        current = NO_ENTRY if entry is None else entry.version
        if current == expected_version:
            return
        if entry is None:
            shown = "nothing (the entry was deleted)"
        else:
            when = f"{entry.reported_at:%Y-%m-%d %H:%M}"
            shown = f"{_text(_reported(indicator, entry))} (by {entry.reported_by} at {when})"
        raise StaleEditError(
            f"{indicator.code} {period} was changed by someone else in the meantime; "
            f"it now holds {shown}. Nothing was overwritten.",
            indicator_id=indicator.id,
            period=period,
            current_value=None if entry is None else _text(_reported(indicator, entry)),
            current_version=current,
            changed_by=None if entry is None else entry.reported_by,
            changed_at=None if entry is None else entry.reported_at,
        )
