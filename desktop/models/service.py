"""The only writer: every change to an entry is validated, checked against what the writer saw,
and audited.

Each call is one transaction. A write names, for every field it sets, the value its author saw
there; if the database holds something else by then (another program, another import, an undo
of an older step), nothing is written and StaleEditError shows both values. Conflicts are judged
on values, not on version counters: a value changed and changed back is no conflict.

Each call returns the small frozen `Changes` value (changes.py) that says what changed, so that
the window refreshes only the tree rows, grid cells and charts concerned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.models.changes import NOTHING_CHANGED, Changes
from desktop.models.database import Database
from desktop.models.errors import InvalidEntryError, NothingToImport, StaleEditError
from desktop.models.figures import VALUE_MAX, FigureError, figure_in_range, format_figure
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
from desktop.models.text import clean

# Longest text accepted for a progress note or a problems note (characters).
NOTE_MAX_LENGTH = 2000

# What each field of an entry holds before anything was entered.
FIELD_DEFAULTS: Mapping[str, object] = {
    "value": None,
    "milestone_state": None,
    "progress_note": "",
    "problems": "",
}

Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class EntryEdit:
    """One entry's fields to set, and what the writer saw in each of them.

    Fields: "value" (numeric indicators), "milestone_state" (milestones), "progress_note",
    "problems"; None clears a value or state. `expected` holds, for every field set, the value
    the writer saw there (FIELD_DEFAULTS for a month nobody has reported yet).
    """

    indicator_id: int
    period: str
    fields: Mapping[str, object]
    expected: Mapping[str, object]

    def reversed(self) -> EntryEdit:
        """The edit that takes this one back (undo), expecting what this one wrote."""
        return EntryEdit(self.indicator_id, self.period, self.expected, self.fields)


def unreported(fields: Iterable[str]) -> dict[str, object]:
    """What a month nobody has reported holds in these fields (an edit's `expected`)."""
    return {name: FIELD_DEFAULTS[name] for name in fields}


def _text(value: object) -> str | None:
    """How a field's value is written into the audit trail."""
    if value is None:
        return None
    if isinstance(value, MilestoneState):
        return value.value
    if isinstance(value, float):
        return repr(value)
    return str(value)


def shown(value: object) -> str:
    """A field's value in a message: a figure as people write it, "nothing" for none."""
    if value is None or value == "":
        return "nothing"
    if isinstance(value, MilestoneState):
        return value.value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_figure(float(value))
    return str(value)


def validate_value(value: object) -> float | None:
    """A figure as the database keeps it; InvalidEntryError for anything else."""
    if value is None:
        return None
    try:
        return figure_in_range(value, repr(value))
    except FigureError as error:
        raise InvalidEntryError(
            f"{error.text} is not a valid value (a number from 0 to {VALUE_MAX:.0e})"
        ) from None


def validate_note(text: object) -> str:
    if not isinstance(text, str):
        raise InvalidEntryError(f"{text!r} is not text")
    text = clean(text).strip()
    if len(text) > NOTE_MAX_LENGTH:
        raise InvalidEntryError(
            f"the note has {len(text)} characters; at most {NOTE_MAX_LENGTH} are kept"
        )
    return text


def _validated_fields(fields: Mapping[str, object]) -> dict[str, object]:
    checked: dict[str, object] = {}
    for name, value in fields.items():
        if name == "value":
            checked[name] = validate_value(value)
        elif name == "milestone_state":
            if value is not None and not isinstance(value, MilestoneState):
                raise InvalidEntryError(f"{value!r} is not a milestone state")
            checked[name] = value
        elif name in ("progress_note", "problems"):
            checked[name] = validate_note(value)
        else:
            raise ValueError(f"an entry has no field {name!r}")
    return checked


def _validated(edit: EntryEdit) -> EntryEdit:
    try:
        parse_period(edit.period)
    except ValueError as error:
        raise InvalidEntryError(str(error)) from None
    missing = set(edit.fields) - set(edit.expected)
    if missing:
        raise ValueError(f"an edit must say what it expects in {', '.join(sorted(missing))}")
    expected = {
        name: float(seen) if name == "value" and isinstance(seen, int) else seen
        for name, seen in edit.expected.items()
    }
    return EntryEdit(edit.indicator_id, edit.period, _validated_fields(edit.fields), expected)


def _parsed(field: str, text: str | None) -> object:
    """A field's value back from its audit-trail text."""
    if field == "value":
        return None if text is None else float(text)
    if field == "milestone_state":
        return None if text is None else MilestoneState(text)
    return text or ""


class _Writes:
    """What one transaction wrote, gathered into its Changes."""

    def __init__(self) -> None:
        self.indicator_ids: set[int] = set()
        self.periods: set[str] = set()
        self.cells = 0

    def add(self, edit: EntryEdit, cells: int) -> None:
        if cells:
            self.indicator_ids.add(edit.indicator_id)
            self.periods.add(edit.period)
            self.cells += cells

    def changes(self, batch_id: int | None = None) -> Changes:
        if not self.cells:
            return NOTHING_CHANGED
        return Changes(frozenset(self.indicator_ids), frozenset(self.periods), self.cells, batch_id)


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

    @property
    def database(self) -> Database:
        return self._database

    # --- public operations ---------------------------------------------------------------

    def set_value(
        self, indicator_id: int, period: str, value: float | None, *, expected: float | None
    ) -> Changes:
        """Set (or clear, with None) a numeric indicator's value for a month."""
        return self.apply([EntryEdit(indicator_id, period, {"value": value}, {"value": expected})])

    def set_milestone_state(
        self,
        indicator_id: int,
        period: str,
        state: MilestoneState | None,
        *,
        expected: MilestoneState | None,
    ) -> Changes:
        """Set (or clear) a milestone's state for a month."""
        return self.apply(
            [
                EntryEdit(
                    indicator_id,
                    period,
                    {"milestone_state": state},
                    {"milestone_state": expected},
                )
            ]
        )

    def set_notes(
        self,
        indicator_id: int,
        period: str,
        *,
        progress_note: str | None = None,
        problems: str | None = None,
        expected: Mapping[str, str] | None = None,
    ) -> Changes:
        """Set the 进展情况 and/or 存在问题及下步措施 of a month (None leaves a note as it is).

        `expected` holds the notes the writer saw; none means the month had no notes yet.
        """
        fields = {
            name: text
            for name, text in (("progress_note", progress_note), ("problems", problems))
            if text is not None
        }
        seen = {**unreported(fields), **(expected or {})}
        return self.apply([EntryEdit(indicator_id, period, fields, seen)])

    def entry_version(self, indicator_id: int, period: str) -> int:
        """How many times an entry was written (0 when there is none)."""
        with self._database.read() as session:
            version = session.scalar(
                select(Entry.version).where(
                    Entry.indicator_id == indicator_id, Entry.period == period
                )
            )
        return 0 if version is None else version

    def apply(self, edits: Sequence[EntryEdit]) -> Changes:
        """Apply every edit in one transaction, or none of them.

        Everything is validated before the transaction; a field that holds something other
        than what its edit expected, or an edit of the wrong kind, refuses the whole batch.
        """
        checked = [_validated(edit) for edit in edits]
        written = _Writes()
        with self._database.write() as session:
            now = self._clock()
            for edit in checked:
                written.add(edit, self._apply_one(session, edit, now))
        return written.changes()

    # --- imports ---------------------------------------------------------------------------

    def apply_import(
        self,
        *,
        file_name: str,
        sha256: str,
        department_id: int,
        period: str,
        edits: Sequence[EntryEdit],
        reporter: str = "",
        phone: str = "",
    ) -> Changes:
        """Record an ImportBatch and apply every edit under it in one transaction, or none.

        An import that would change nothing records no batch: NothingToImport.
        """
        checked = [_validated(edit) for edit in edits]
        written = _Writes()
        with self._database.write() as session:
            now = self._clock()
            batch = ImportBatch(
                file_name=file_name,
                sha256=sha256,
                department_id=department_id,
                period=period,
                user=self._user,
                at=now,
                rows=0,
                state=BatchState.APPLIED,
                reporter=clean(reporter).strip(),
                phone=clean(phone).strip(),
            )
            session.add(batch)
            session.flush()
            for edit in checked:
                written.add(edit, self._apply_one(session, edit, now, batch_id=batch.id))
            if not written.cells:
                raise NothingToImport(
                    f"{file_name}: nothing to import, the database already holds it"
                )
            batch.rows = len(written.indicator_ids)
            batch_id = batch.id
        return written.changes(batch_id)

    def undo_import(self, batch_id: int) -> Changes:
        """Put back what an import changed, as long as nobody has changed it since."""
        return self._switch_batch(batch_id, applied=False)

    def redo_import(self, batch_id: int) -> Changes:
        """Apply an undone import again, as long as nobody has changed its cells since."""
        return self._switch_batch(batch_id, applied=True)

    def _switch_batch(self, batch_id: int, *, applied: bool) -> Changes:
        """Take an import back (applied=False) or apply it again: every field it wrote goes
        from the value before the import to the value the import wrote, or back."""
        written = _Writes()
        with self._database.write() as session:
            batch = self._batch(session, batch_id, applied=applied)
            # The first event of each field is the import itself: before and after it.
            before: dict[tuple[int, str], str | None] = {}
            after: dict[tuple[int, str], str | None] = {}
            for event in session.scalars(
                select(AuditEvent).where(AuditEvent.batch_id == batch_id).order_by(AuditEvent.id)
            ):
                key = (event.entity_id, event.field)
                before.setdefault(key, event.old_value)
                after.setdefault(key, event.new_value)
            wanted, found = (after, before) if applied else (before, after)
            now = self._clock()
            for entry_id in dict.fromkeys(entity for entity, _field in before):
                entry = session.get(Entry, entry_id)
                if entry is None:
                    raise InvalidEntryError(
                        f"an entry of import batch {batch_id} no longer exists; nothing changed"
                    )
                names = [name for entity, name in before if entity == entry_id]
                edit = EntryEdit(
                    entry.indicator_id,
                    entry.period,
                    {name: _parsed(name, wanted[(entry_id, name)]) for name in names},
                    {name: _parsed(name, found[(entry_id, name)]) for name in names},
                )
                try:
                    cells = self._apply_one(session, _validated(edit), now, batch_id=batch_id)
                except StaleEditError as error:
                    raise _batch_conflict(error, applied=applied) from None
                written.add(edit, cells)
            batch.state = BatchState.APPLIED if applied else BatchState.UNDONE
        return written.changes(batch_id)

    @staticmethod
    def _batch(session: Session, batch_id: int, *, applied: bool) -> ImportBatch:
        batch = session.get(ImportBatch, batch_id)
        if batch is None:
            raise InvalidEntryError(f"there is no import batch {batch_id}")
        if applied and batch.state is BatchState.APPLIED:
            raise InvalidEntryError(f"import batch {batch_id} is applied already")
        if not applied and batch.state is BatchState.UNDONE:
            raise InvalidEntryError(f"import batch {batch_id} has been undone already")
        return batch

    # --- the one write path --------------------------------------------------------------

    def _apply_one(
        self, session: Session, edit: EntryEdit, now: dt.datetime, batch_id: int | None = None
    ) -> int:
        """Write one edit inside the caller's transaction; the number of fields changed."""
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
        current = {
            name: FIELD_DEFAULTS[name] if entry is None else getattr(entry, name)
            for name in edit.fields
        }
        for name, new in edit.fields.items():
            # Only a value someone else put there is a conflict; the same value is not.
            if current[name] != edit.expected[name] and current[name] != new:
                raise _stale(indicator, edit, entry, name, current[name])
        changed = [(name, current[name], new) for name, new in edit.fields.items()]
        changed = [(name, old, new) for name, old, new in changed if old != new]
        if not changed:
            return 0
        if entry is None:
            entry = Entry(
                indicator_id=edit.indicator_id,
                period=edit.period,
                value=None,
                milestone_state=None,
                progress_note="",
                problems="",
            )
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
        return len(changed)

    @staticmethod
    def _indicator(session: Session, indicator_id: int, period: str) -> Indicator:
        row = session.execute(
            select(Indicator, Plan.start, Plan.end)
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


def _stale(
    indicator: Indicator, edit: EntryEdit, entry: Entry | None, field: str, current: object
) -> StaleEditError:
    """The refusal of an edit whose field changed since its writer saw it: both values."""
    return StaleEditError(
        f"{indicator.code} {edit.period} was changed by someone else in the meantime "
        f"({_changed_by(entry)}): it now holds {shown(current)}, not "
        f"{shown(edit.expected[field])}. Nothing was overwritten.",
        code=indicator.code,
        indicator_id=indicator.id,
        period=edit.period,
        field=field,
        current_value=_text(current),
        expected_value=_text(edit.expected[field]),
        attempted_value=_text(edit.fields[field]),
        changed_by=None if entry is None else entry.reported_by,
        changed_at=None if entry is None else entry.reported_at,
    )


def _changed_by(entry: Entry | None) -> str:
    if entry is None:
        return "the entry was deleted"
    return f"by {entry.reported_by} at {entry.reported_at:%Y-%m-%d %H:%M}"


def _batch_conflict(error: StaleEditError, *, applied: bool) -> StaleEditError:
    """An import's cell changed after the import (or after its undo): both values."""
    current = shown(_parsed(error.field, error.current_value))
    expected = shown(_parsed(error.field, error.expected_value))
    who = "" if error.changed_by is None else f" by {error.changed_by}"
    if error.changed_at is not None:
        who += f" at {error.changed_at:%Y-%m-%d %H:%M}"
    if applied:
        return error.retold(
            f"{error.code} {error.period} was changed after the import was undone{who}: "
            f"it holds {current}, not {expected} as before the import; the import was not "
            "applied again"
        )
    return error.retold(
        f"{error.code} {error.period} was changed after the import{who}: it holds {current}, "
        f"the import wrote {expected}; nothing was undone"
    )
