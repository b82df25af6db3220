"""The window's single point of contact with the domain: reads, undoable writes, notifications.

Every edit goes through here to the service layer; what changed comes back as one notification
that the tree, the grid, the dashboard and the panels each apply to themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from desktop.models.database import Database
from desktop.models.errors import DatabaseWriteError, InvalidEntryError, StaleEditError
from desktop.models.figures import format_figure
from desktop.models.history import entry_details
from desktop.models.schema import MilestoneState
from desktop.models.service import Changes, EntryEdit, EntryService
from desktop.models.status_rule import Thresholds
from desktop.models.workspace import PlanWorkspace

from desktop.ui.i18n import state_text

NOTE_FIELDS = ("progress_note", "problems")


@dataclass(frozen=True)
class CellEdit:
    """The fields to give one indicator's month."""

    indicator_id: int
    period: str
    fields: Mapping[str, object] = field(default_factory=dict)

    @property
    def key(self) -> tuple[int, str]:
        return self.indicator_id, self.period


class EditEntriesCommand(QUndoCommand):
    """One undoable step: a cell, a note, or a whole paste.

    Undo and redo expect the versions the workspace last saw, so a change made meanwhile by
    another program is refused rather than overwritten.
    """

    def __init__(
        self,
        controller: PlanController,
        forward: Sequence[CellEdit],
        backward: Sequence[CellEdit],
        text: str,
    ) -> None:
        super().__init__(text)
        self._controller = controller
        self._forward = list(forward)
        self._backward = list(backward)
        self._applied = True  # the controller wrote it before pushing

    def _run(self, cells: Sequence[CellEdit]) -> None:
        if not self._controller.write(cells):
            self.setObsolete(True)  # refused (someone else changed it): drop from the stack

    def redo(self) -> None:  # QUndoCommand.redo
        if self._applied:
            self._applied = False
            return
        self._run(self._forward)

    def undo(self) -> None:  # QUndoCommand.undo
        self._run(self._backward)


class PlanController(QObject):
    """Holds the open database, the evaluated plan, the service and the undo stack."""

    indicatorsChanged = Signal(object)  # set of indicator ids whose figures changed
    nodesChanged = Signal(object)  # set of node ids whose roll-up changed
    assessmentsReset = Signal()  # every status may have changed (period, thresholds)
    reloaded = Signal()  # everything read again
    saved = Signal(object)  # datetime of the last successful write
    editRefused = Signal(str)  # a message for the user; nothing was written

    def __init__(
        self,
        database: Database,
        user: str,
        *,
        thresholds: Thresholds | None = None,
        as_of: str | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.workspace = PlanWorkspace(database, thresholds=thresholds, as_of=as_of)
        self.service = EntryService(database, user)
        self.undo_stack = QUndoStack(self)
        self.last_saved: dt.datetime | None = None

    # --- reading ---------------------------------------------------------------------------

    @property
    def user(self) -> str:
        return self.service.user

    def set_user(self, user: str) -> None:
        self.service = EntryService(self.database, user)

    # --- view changes ----------------------------------------------------------------------

    def set_period(self, period: str) -> None:
        if period != self.workspace.as_of:
            self.workspace.set_period(period)
            self.assessmentsReset.emit()

    def set_thresholds(self, thresholds: Thresholds) -> None:
        if thresholds != self.workspace.thresholds:
            self.workspace.set_thresholds(thresholds)
            self.assessmentsReset.emit()

    def reload(self) -> None:
        self.workspace.reload()
        self.undo_stack.clear()  # versions and rows may no longer match what the stack holds
        self.reloaded.emit()

    # --- writing ---------------------------------------------------------------------------

    def edit(self, cells: Sequence[CellEdit], description: str) -> bool:
        """Write the cells as one undoable step; False (and a message) when refused."""
        backward = [self._current(cell) for cell in cells]
        changes = self._apply(cells)
        if changes is None:
            return False
        if not changes.empty:
            self.undo_stack.push(EditEntriesCommand(self, cells, backward, description))
        return True

    def _current(self, cell: CellEdit) -> CellEdit:
        """The cell's fields as they are now, to undo an edit."""
        entry = self.workspace.entry(*cell.key)
        current: dict[str, object] = {}
        details = None
        for name in cell.fields:
            if name == "value":
                current[name] = None if entry is None else entry.value
            elif name == "milestone_state":
                current[name] = None if entry is None else entry.state
            else:
                if details is None:
                    details = entry_details(self.database, *cell.key)
                current[name] = "" if details is None else getattr(details, name)
        return CellEdit(cell.indicator_id, cell.period, current)

    def write(self, cells: Sequence[CellEdit]) -> bool:
        """Apply through the service (used by undo and redo); False when refused."""
        return self._apply(cells) is not None

    def _apply(self, cells: Sequence[CellEdit]) -> Changes | None:
        edits = [
            EntryEdit(c.indicator_id, c.period, c.fields, self.workspace.version(*c.key))
            for c in cells
        ]
        try:
            changes = self.service.apply(edits)
        except StaleEditError as error:
            self._after_write({c.indicator_id for c in cells}, saved=False)
            self.editRefused.emit(self._conflict_message(cells, error))
            return None
        except (InvalidEntryError, DatabaseWriteError) as error:
            self.editRefused.emit(self.tr("Not saved: %1").replace("%1", str(error)))
            return None
        self._after_write(changes.indicator_ids, saved=not changes.empty)
        return changes

    def written_elsewhere(self, indicator_ids: set[int] | frozenset[int]) -> None:
        """Figures changed by an import or its undo: refresh and notify every view."""
        self._after_write(indicator_ids, saved=bool(indicator_ids))

    def _after_write(self, indicator_ids: set[int] | frozenset[int], *, saved: bool) -> None:
        touched = self.workspace.refresh(indicator_ids)
        if saved:
            self.last_saved = dt.datetime.now()
            self.saved.emit(self.last_saved)
        self.indicatorsChanged.emit(set(indicator_ids))
        self.nodesChanged.emit(touched)

    def _shown(self, value: object) -> str:
        """A figure or state as the grid shows it."""
        if value is None or value == "":
            return self.tr("nothing")
        if isinstance(value, str) and value in {s.value for s in MilestoneState}:
            return state_text(MilestoneState(value))
        if isinstance(value, int | float) or (isinstance(value, str) and _is_number(value)):
            return format_figure(float(value))
        return str(value)

    def _conflict_message(self, cells: Sequence[CellEdit], error: StaleEditError) -> str:
        """Both values: what the other program saved, and what this user tried to save."""
        code = self.workspace.indicators[error.indicator_id].code
        attempted = next(
            (c.fields for c in cells if c.key == (error.indicator_id, error.period)), {}
        )
        mine = ", ".join(self._shown(v) for v in attempted.values()) or self.tr("nothing")
        when = "" if error.changed_at is None else f"{error.changed_at:%Y-%m-%d %H:%M}"
        return (
            self.tr(
                "%1 %2 was changed by %3 at %4 while you were editing; it now holds %5. "
                "Your entry (%6) was not saved and nothing was overwritten; the grid shows the "
                "current value."
            )
            .replace("%1", code)
            .replace("%2", error.period)
            .replace("%3", error.changed_by or "?")
            .replace("%4", when)
            .replace("%5", self._shown(error.current_value))
            .replace("%6", mine)
        )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
