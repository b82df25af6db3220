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
import math
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import Session, configure_mappers

from desktop.models.changes import NOTHING_CHANGED, Changes
from desktop.models.edits import (
    FIELD_DEFAULTS,
    EntryEdit,
    audit_text,
    shown,
    unreported,
    validate_note,
    validate_value,
)
from desktop.models.errors import (
    BatchStateError,
    InvalidEntryError,
    NothingToImport,
    NotYoursError,
    PlanStateError,
    StaleEditError,
    StaleSettingsError,
)
from desktop.models.figures import format_figure
from desktop.models.kinds import (
    BatchState,
    EntryOrigin,
    IndicatorKind,
    MilestoneState,
    ParentLight,
    PlanState,
)
from desktop.models.periods import parse_period, period_of
from desktop.models.schema import AuditEvent, Entry, ImportBatch, Indicator, Node, Plan
from desktop.models.status_rule import POINTS_MAX, LightSettings, Thresholds
from desktop.models.store import Database
from desktop.models.text import clean

Clock = Callable[[], dt.datetime]


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


class Writer:
    """Writes on behalf of one user, named in every audit event, at the clock's time."""

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

    def _write_audited(
        self,
        session: Session,
        record: object,
        changed: Sequence[tuple[str, object, object]],
        *,
        entity: str,
        entity_id: int,
        indicator_id: int | None = None,
    ) -> None:
        """Set each changed field of a plan's or an indicator's record, with its audit event."""
        now = self._clock()
        for name, old, value in changed:
            setattr(record, name, value)
            session.add(
                AuditEvent(
                    at=now,
                    user=self._user,
                    entity=entity,
                    entity_id=entity_id,
                    indicator_id=indicator_id,
                    field=name,
                    old_value=audit_text(old),
                    new_value=audit_text(value),
                )
            )


def prepare_writing(database: Database) -> None:
    """Make ahead what the first write would wait for: the database's engine, and the ORM's
    mappers configured (as the first query does)."""
    database.engine  # noqa: B018 - made here, not by the first edit
    configure_mappers()


class EntryService(Writer):
    """Writes entries on behalf of one user; every write is audited."""

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

    def set_light_settings(
        self, plan_id: int, wanted: LightSettings, *, expected: LightSettings
    ) -> Changes:
        """Set a plan's thresholds and parent-light rule (`wanted`'s version is ignored), as
        a manager does for every PC at once: validated, audited field by field, one
        transaction. Refused (StaleSettingsError, both values shown) when a setting holds
        something other than `expected` (what the manager saw) and other than what is wanted;
        judged on values, like an entry."""
        yellow = _points(wanted.thresholds.yellow, "yellow")
        red = _points(wanted.thresholds.red, "red")
        if yellow > red:
            raise InvalidEntryError(
                f"the yellow threshold ({format_figure(yellow)} points) must not exceed "
                f"the red one ({format_figure(red)} points)"
            )
        parent_light = ParentLight(wanted.parent_light)
        with self._database.write_plans() as session:
            plan = session.get(Plan, plan_id)
            if plan is None:
                raise InvalidEntryError(f"there is no plan {plan_id}")
            current = {
                "yellow_points": plan.yellow_points,
                "red_points": plan.red_points,
                "parent_light": plan.parent_light,
            }
            seen = {
                "yellow_points": expected.thresholds.yellow,
                "red_points": expected.thresholds.red,
                "parent_light": expected.parent_light,
            }
            new = {"yellow_points": yellow, "red_points": red, "parent_light": parent_light}
            stale = [f for f in new if current[f] != seen[f] and current[f] != new[f]]
            if stale:
                raise StaleSettingsError(
                    "the plan's light settings were changed by someone else in the meantime: "
                    f"they now are {_settings_text(current)}, not {_settings_text(seen)}. "
                    "Nothing was overwritten."
                )
            changed = [(f, current[f], new[f]) for f in new if current[f] != new[f]]
            if not changed:
                return NOTHING_CHANGED
            _check_overrides(session, plan_id, Thresholds(yellow, red))
            self._write_audited(session, plan, changed, entity="plan", entity_id=plan_id)
            plan.settings_version += 1
        return Changes(cells=len(changed), lights=True)

    def set_indicator_thresholds(
        self,
        indicator_id: int,
        own: tuple[float | None, float | None],
        *,
        expected: tuple[float | None, float | None],
    ) -> Changes:
        """Set (a number) or drop (None) an indicator's own yellow and red thresholds, which
        override its plan's: validated against the plan's, audited, one transaction; refused
        (StaleSettingsError) when a threshold holds something other than `expected` and other
        than what is wanted."""
        wanted = tuple(
            None if points is None else _points(points, which)
            for points, which in zip(own, ("yellow", "red"), strict=True)
        )
        with self._database.write_plans() as session:
            row = session.execute(
                select(Indicator, Plan)
                .join(Node, Indicator.measure_id == Node.id)
                .join(Plan, Node.plan_id == Plan.id)
                .where(Indicator.id == indicator_id)
            ).first()
            if row is None:
                raise InvalidEntryError(f"there is no indicator {indicator_id}")
            indicator, plan = row
            names = ("yellow_threshold", "red_threshold")
            current = tuple(getattr(indicator, name) for name in names)
            stale = [i for i in range(2) if current[i] != expected[i] and current[i] != wanted[i]]
            if stale:
                raise StaleSettingsError(
                    f"the thresholds of {indicator.code} were changed by someone else in the "
                    f"meantime: they now are {_own_text(current)}, not {_own_text(expected)}. "
                    "Nothing was overwritten."
                )
            try:
                Thresholds(plan.yellow_points, plan.red_points).overridden(*wanted)
            except ValueError:
                raise InvalidEntryError(
                    f"{indicator.code}: {_own_text(wanted)} contradict the plan's yellow "
                    f"{shown(plan.yellow_points)} / red {shown(plan.red_points)} points (yellow "
                    "must not exceed red); nothing was changed"
                ) from None
            changed = [
                (names[i], current[i], wanted[i]) for i in range(2) if current[i] != wanted[i]
            ]
            if not changed:
                return NOTHING_CHANGED
            self._write_audited(
                session,
                indicator,
                changed,
                entity="indicator",
                entity_id=indicator_id,
                indicator_id=indicator_id,
            )
        return Changes(frozenset({indicator_id}), cells=len(changed), lights=True)

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
            for edit, cells in zip(checked, self._apply_all(session, checked, now), strict=True):
                written.add(edit, cells)
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
            allowed = self._database.writable_departments(session)
            _check_reporting_rights(allowed, department_id, file_name)
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
            applied = self._apply_all(session, checked, now, batch_id=batch.id)
            for edit, cells in zip(checked, applied, strict=True):
                written.add(edit, cells)
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
            fields: dict[int, list[str]] = {}
            for entity, name in before:
                fields.setdefault(entity, []).append(name)
            entries = {
                entry.id: entry
                for chunk in _chunks(sorted(fields))
                for entry in session.scalars(select(Entry).where(Entry.id.in_(chunk)))
            }
            edits = []
            for entry_id, names in fields.items():
                entry = entries.get(entry_id)
                if entry is None:
                    raise BatchStateError(batch_id, BatchStateError.ENTRY_GONE)
                edits.append(
                    EntryEdit(
                        entry.indicator_id,
                        entry.period,
                        {name: _parsed(name, wanted[(entry_id, name)]) for name in names},
                        {name: _parsed(name, found[(entry_id, name)]) for name in names},
                    )
                )
            checked = [_validated(edit) for edit in edits]
            try:
                cells = self._apply_all(session, checked, self._clock(), batch_id=batch_id)
            except StaleEditError as error:
                raise _batch_conflict(error, applied=applied) from None
            for edit, count in zip(checked, cells, strict=True):
                written.add(edit, count)
            batch.state = BatchState.APPLIED if applied else BatchState.UNDONE
        return written.changes(batch_id)

    @staticmethod
    def _batch(session: Session, batch_id: int, *, applied: bool) -> ImportBatch:
        batch = session.get(ImportBatch, batch_id)
        if batch is None:
            raise BatchStateError(batch_id, BatchStateError.MISSING)
        if applied and batch.state is BatchState.APPLIED:
            raise BatchStateError(batch_id, BatchStateError.APPLIED)
        if not applied and batch.state is BatchState.UNDONE:
            raise BatchStateError(batch_id, BatchStateError.UNDONE)
        return batch

    # --- the one write path --------------------------------------------------------------

    def _apply_all(
        self,
        session: Session,
        edits: Sequence[EntryEdit],
        now: dt.datetime,
        batch_id: int | None = None,
    ) -> list[int]:
        """Write edits, in order, inside the caller's transaction: for each, the number of
        fields changed. The indicators and entries are read in a few queries and written in
        three statements, each run for many rows (an import of 20,000 rows would otherwise
        cost 40,000 round trips); the first edit that cannot be written raises, and the
        caller's transaction writes none."""
        targets = _targets(session, {edit.indicator_id for edit in edits})
        allowed = self._database.writable_departments(session)
        for indicator in targets.values():
            _check_reporting_rights(allowed, indicator.department_id, indicator.code)
        rows = _rows(session, edits)
        counts: list[int] = []
        events: list[tuple[_Row, EntryEdit, list[tuple[str, object, object]]]] = []
        for edit in edits:
            target = targets.get(edit.indicator_id)
            if target is None:
                raise InvalidEntryError(f"there is no indicator with id {edit.indicator_id}")
            _check_edit(target, edit)
            key = (edit.indicator_id, edit.period)
            row = rows.get(key)
            changed = _changes(target, edit, row)
            counts.append(len(changed))
            if not changed:
                continue
            if row is None:
                row = rows[key] = _Row(indicator_id=edit.indicator_id, period=edit.period)
            for name, _old, new in changed:
                setattr(row, name, new)
            row.reported_by, row.reported_at = self._user, now
            row.origin = EntryOrigin.MANUAL if batch_id is None else EntryOrigin.IMPORT
            row.import_batch_id = batch_id
            row.written = True
            events.append((row, edit, changed))
        _write_rows(session, [row for row in rows.values() if row.written])
        if events:
            session.connection().execute(  # Core: ORM objects for 55,000 rows cost seconds
                insert(cast(Table, AuditEvent.__table__)),
                [
                    {
                        "at": now,
                        "user": self._user,
                        "entity": "entry",
                        "entity_id": row.id,
                        "indicator_id": edit.indicator_id,
                        "period": edit.period,
                        "field": name,
                        "old_value": audit_text(old),
                        "new_value": audit_text(new),
                        "batch_id": batch_id,
                    }
                    for row, edit, changed in events
                    for name, old, new in changed
                ],
            )
        return counts


def _check_reporting_rights(
    allowed: Mapping[int, str] | None, department_id: int, where: str
) -> None:
    """Refuse figures of another department than the person's own (`where`: the indicator or
    the file), when the database limits them (a 填报员 on the server; None: any department).
    The server refuses them too; this says so in words."""
    if allowed is not None and department_id not in allowed:
        own = "、".join(allowed.values()) or "无"
        raise NotYoursError(f"{where}: 只能填报本部门({own})的指标")


class _Target(NamedTuple):
    """What writing an indicator's month needs to know of it."""

    id: int
    code: str
    kind: IndicatorKind
    start: dt.date
    end: dt.date
    plan: str
    state: PlanState
    archived: bool
    department_id: int


@dataclass
class _Row:
    """An entry as a write reads and changes it: existing (id set) or to be inserted."""

    indicator_id: int
    period: str
    id: int | None = None
    version: int = 0
    value: float | None = None
    milestone_state: MilestoneState | None = None
    progress_note: str = ""
    problems: str = ""
    reported_by: str = ""
    reported_at: dt.datetime | None = None
    origin: EntryOrigin = EntryOrigin.MANUAL
    import_batch_id: int | None = None
    written: bool = False


_WRITTEN = (
    "value",
    "milestone_state",
    "progress_note",
    "problems",
    "reported_by",
    "reported_at",
    "origin",
    "import_batch_id",
)


def _targets(session: Session, ids: Collection[int]) -> dict[int, _Target]:
    """The indicators of these ids, each with its plan's first and last day."""
    found: dict[int, _Target] = {}
    for chunk in _chunks(sorted(ids)):
        for row in session.execute(
            select(
                Indicator.id,
                Indicator.code,
                Indicator.kind,
                Plan.start,
                Plan.end,
                Plan.code,
                Plan.state,
                Indicator.archived,
                Indicator.department_id,
            )
            .join(Plan, Indicator.plan_id == Plan.id)
            .where(Indicator.id.in_(chunk))
        ):
            found[row.id] = _Target(*row)
    return found


def _rows(session: Session, edits: Sequence[EntryEdit]) -> dict[tuple[int, str], _Row]:
    """The entries the edits touch that exist, by indicator and month."""
    by_period: dict[str, set[int]] = {}
    for edit in edits:
        by_period.setdefault(edit.period, set()).add(edit.indicator_id)
    columns = [Entry.id, Entry.version, Entry.indicator_id, Entry.period] + [
        getattr(Entry, name) for name in _WRITTEN
    ]
    found: dict[tuple[int, str], _Row] = {}
    for period, ids in by_period.items():
        for chunk in _chunks(sorted(ids)):
            for row in session.execute(
                select(*columns).where(Entry.period == period, Entry.indicator_id.in_(chunk))
            ):
                found[(row.indicator_id, row.period)] = _Row(**row._asdict())
    return found


def _write_rows(session: Session, rows: Sequence[_Row]) -> None:
    """Insert the new entries (their ids set from the database) and update the others, each
    only if nobody wrote it since it was read (its version), each update counting one more."""
    table = cast(Table, Entry.__table__)
    new = [row for row in rows if row.id is None]
    if new:
        inserted = session.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True),
            [
                {
                    "indicator_id": row.indicator_id,
                    "period": row.period,
                    "version": 1,
                    **{name: getattr(row, name) for name in _WRITTEN},
                }
                for row in new
            ],
        )
        for row, entry_id in zip(new, inserted.scalars(), strict=True):
            row.id = entry_id
    old = [row for row in rows if row.id is not None and row.version]
    if old:
        statement = (
            update(table)
            .where(table.c.id == bindparam("_id"), table.c.version == bindparam("_version"))
            .values(
                version=table.c.version + 1,
                **{name: bindparam(name) for name in _WRITTEN},
            )
        )
        result = session.connection().execute(
            statement,
            [
                {"_id": row.id, "_version": row.version, **{n: getattr(row, n) for n in _WRITTEN}}
                for row in old
            ],
        )
        if result.rowcount != len(old):  # not while this transaction holds the write lock
            raise InvalidEntryError("entries changed while they were written; nothing changed")


def _points(value: object, which: str) -> float:
    """A threshold as points behind the 序时进度: a number from 0 to POINTS_MAX."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidEntryError(f"the {which} threshold must be a number of points, not {value!r}")
    points = float(value)
    if not 0.0 <= points <= POINTS_MAX:  # NaN fails this too
        raise InvalidEntryError(
            f"the {which} threshold must lie between 0 and {format_figure(POINTS_MAX)} points, "
            f"not {points if math.isnan(points) else format_figure(points)}"
        )
    return points


def _settings_text(settings: Mapping[str, object]) -> str:
    rule = {ParentLight.ROLLUP: "own roll-up", ParentLight.WORST: "worst child"}
    return (
        f"yellow {shown(settings['yellow_points'])} / red {shown(settings['red_points'])} points, "
        f"parent light: {rule[ParentLight(cast(str, settings['parent_light']))]}"
    )


def _own_text(own: Sequence[float | None]) -> str:
    yellow, red = ("the plan's" if points is None else shown(points) for points in own)
    return f"own yellow {yellow} / red {red}"


def _check_overrides(session: Session, plan_id: int, thresholds: Thresholds) -> None:
    """Refuse plan thresholds that an indicator's own override would contradict (its own red
    below the plan's yellow, or its own yellow above the plan's red)."""
    rows = session.execute(
        select(Indicator.code, Indicator.yellow_threshold, Indicator.red_threshold)
        .join(Node, Indicator.measure_id == Node.id)
        .where(Node.plan_id == plan_id)
        .where(Indicator.yellow_threshold.is_not(None) | Indicator.red_threshold.is_not(None))
    )
    for code, yellow, red in rows:
        try:
            thresholds.overridden(yellow, red)
        except ValueError:
            raise InvalidEntryError(
                f"indicator {code} has thresholds of its own (yellow {shown(yellow)}, red "
                f"{shown(red)} points) that contradict yellow {shown(thresholds.yellow)} / red "
                f"{shown(thresholds.red)}; nothing was changed"
            ) from None


def _chunks(ids: Sequence[int], size: int = 500) -> Iterator[Sequence[int]]:
    """Ids in pieces small enough for one IN (...) on every SQLite build."""
    for first in range(0, len(ids), size):
        yield ids[first : first + size]


def _check_edit(target: _Target, edit: EntryEdit) -> None:
    """Refuse an edit of the wrong kind, of a month outside the indicator's plan, into a
    plan that takes no figures (a draft, or closed), or of an archived indicator."""
    if target.state is not PlanState.ACTIVE:
        raise PlanStateError(target.plan, target.state.value)
    if target.archived:
        raise InvalidEntryError(
            f"{target.code} was archived by the plan's editor: its figures are kept as they are"
        )
    first, last = period_of(target.start), period_of(target.end)
    if not first <= edit.period <= last:
        raise InvalidEntryError(f"{edit.period} lies outside the plan's months ({first} to {last})")
    milestone = target.kind is IndicatorKind.MILESTONE
    if "value" in edit.fields and milestone:
        raise InvalidEntryError(f"{target.code} is a milestone")
    if "milestone_state" in edit.fields and not milestone:
        raise InvalidEntryError(f"{target.code} is a numeric indicator")


def _changes(
    target: _Target, edit: EntryEdit, entry: _Row | None
) -> list[tuple[str, object, object]]:
    """The fields an edit changes, as (name, old, new); StaleEditError if a field holds what
    someone else put there since the writer saw it (the same value is no conflict)."""
    current = {
        name: FIELD_DEFAULTS[name] if entry is None else getattr(entry, name)
        for name in edit.fields
    }
    for name, new in edit.fields.items():
        if current[name] != edit.expected[name] and current[name] != new:
            raise _stale(target, edit, entry, name, current[name])
    changed = [(name, current[name], new) for name, new in edit.fields.items()]
    return [(name, old, new) for name, old, new in changed if old != new]


def _stale(
    indicator: _Target, edit: EntryEdit, entry: _Row | None, field: str, current: object
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
        current_value=audit_text(current),
        expected_value=audit_text(edit.expected[field]),
        attempted_value=audit_text(edit.fields[field]),
        changed_by=None if entry is None else entry.reported_by,
        changed_at=None if entry is None else entry.reported_at,
    )


def _changed_by(entry: _Row | None) -> str:
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
