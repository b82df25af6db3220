"""The window's single point of contact with the domain: it holds the open plan and runs every
operation, and every view refreshes from the one `changed` signal it sends.

The window and its views never write themselves: they ask for an operation (see operations.py)
through `run`, or for cells through `edit`. What changed comes back as the domain's `Changes`,
which the tree, the grid, the dashboard, the chart and the panels each apply to themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QWidget

from desktop.models.changes import Changes
from desktop.models.edits import EntryEdit
from desktop.models.errors import (
    BatchStateError,
    OperationCancelled,
    PlanChangeError,
    PlanEditError,
    PlanStateError,
    StaleEditError,
    StaleSettingsError,
    TargetMonitorError,
)
from desktop.models.kinds import PlanState
from desktop.models.status_rule import LightSettings
from desktop.models.store import Database
from desktop.models.workspace import PlanWorkspace

from desktop.ui import operations
from desktop.ui.background import run_in_background
from desktop.ui.i18n import fill, recorded_text
from desktop.ui.operations import HasChanges, Operation, Step, changes_of
from desktop.ui.plan_editor_words import problems_text

if TYPE_CHECKING:
    from desktop.models.plan_editor import Made, PlanEditor, RecordEdit
    from desktop.models.plan_import import PlanDraft
    from desktop.models.plan_service import PlanService
    from desktop.models.server_database import ChangeWatch
    from desktop.models.service import EntryService

R = TypeVar("R", bound="Changes | HasChanges")


class StepCommand(QUndoCommand):
    """One entry of the undo stack: runs the step's undo and redo operations.

    A refused undo or redo (a value changed after the step was made) changes nothing, tells
    the user both values, and takes the step out of the history.
    """

    def __init__(self, controller: PlanController, step: Step) -> None:
        super().__init__(step.label)
        self._controller = controller
        self._step = step
        self._done = True  # the operation itself already ran before the step was pushed

    def redo(self) -> None:  # QUndoCommand.redo
        if self._done:
            self._done = False
            return
        if self._controller.execute(self._step.redo, undoing=self._step.label) is None:
            self.setObsolete(True)

    def undo(self) -> None:  # QUndoCommand.undo
        if self._controller.execute(self._step.undo, undoing=self._step.label) is None:
            self.setObsolete(True)


class PlanController(QObject):
    """Holds the open database, the evaluated plan and the undo history; runs operations."""

    changed = Signal(object)  # Changes: what an operation (or a reload) changed
    assessmentsReset = Signal()  # every status may have changed (period, light settings)
    saved = Signal(object)  # datetime of the last successful write
    refused = Signal(str)  # a message the user must see; nothing was written
    noted = Signal(str)  # a passing note for the status bar (a cancelled operation)
    # On a server: the indicators others changed (None: the plans, or what a lost connection
    # missed), and whether the server can be heard (None) or why not.
    othersChanged = Signal(object)
    serverHeard = Signal(object)

    def __init__(
        self,
        database: Database,
        user: str,
        *,
        as_of: str | None = None,
        plan_code: str | None = None,
        last_plan: str | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.database = database
        self.workspace = PlanWorkspace(
            database, plan_code=plan_code, as_of=as_of, last_plan=last_plan
        )
        self._user = user
        self._service: EntryService | None = None  # made when first used (see `service`)
        self.undo_stack = QUndoStack(self)
        self.last_saved: dt.datetime | None = None
        self.dialog_parent: QWidget | None = None  # where long operations show their progress
        self._watch: ChangeWatch | None = None  # on a server
        self.othersChanged.connect(self._on_others_changed)

    # --- reading ---------------------------------------------------------------------------

    @property
    def user(self) -> str:
        return self._user

    def set_user(self, user: str) -> None:
        self._user = user
        self._service = None

    @property
    def service(self) -> EntryService:
        """The writer of entries, on behalf of the user. Made when first used: the window shows
        before the database layer it needs has loaded."""
        if self._service is None:
            from desktop.models.service import EntryService  # noqa: PLC0415 (see above)

            self._service = EntryService(self.database, self._user)
        return self._service

    # --- view changes ----------------------------------------------------------------------

    def switch_plan(self, code: str) -> None:
        """Show another plan of the database, as of its default month. The undo history is
        cleared: its steps were the other plan's."""
        if code == self.workspace.plan.code:
            return
        self.workspace = PlanWorkspace(self.database, plan_code=code)
        self.undo_stack.clear()
        self.changed.emit(Changes(everything=True))

    # --- a plan's life (a manager's) ---------------------------------------------------------

    def next_year_plan(self, code: str | None) -> str | None:
        """Make next year's plan from the one shown and show it; None when refused (the user
        has been told)."""
        try:
            made = self._plans().next_year_plan(self.workspace.plan.code, new_code=code)
        except TargetMonitorError as error:
            self.refused.emit(self._wording(error))
            return None
        self.switch_plan(made)
        return made

    def set_plan_state(self, state: PlanState) -> bool:
        """Move the plan shown to `state`; False (and a message) when refused."""
        plan = self.workspace.plan
        return self._change_plan(
            lambda: self._plans().set_state(plan.code, state, expected=plan.state)
        )

    def set_target(self, indicator_id: int, target: float | None) -> bool:
        """Set a draft plan's target (None: 待定), expecting the one shown."""
        indicator = self.workspace.indicators[indicator_id]
        code = self.workspace.plan.code
        return self._change_plan(
            lambda: self._plans().set_target(
                code, indicator.code, target, expected=indicator.target
            )
        )

    def _change_plan(self, change: Callable[[], object]) -> bool:
        """Run a change of the plan and show the plan as it is then; False (and a message)
        when refused, the plan shown as someone else may have left it."""
        try:
            change()
        except TargetMonitorError as error:
            self.refused.emit(self._wording(error))
            self._broadcast(Changes(everything=True), saved=False)
            return False
        self._broadcast(Changes(everything=True), saved=True)
        return True

    def import_plan(self, draft: PlanDraft, code: str) -> bool:
        """Add a plan read from a workbook as a new draft, and show it; False (and a message)
        when refused."""
        from desktop.models.plan_import import import_plan  # noqa: PLC0415 (the database layer)

        try:
            import_plan(self.database, draft, self.user, as_code=code)
        except TargetMonitorError as error:
            self.refused.emit(self._wording(error))
            return False
        self.switch_plan(code)
        return True

    def replace_draft(self, draft: PlanDraft) -> bool:
        """Put a workbook's plan in place of the draft shown; False (and a message) when
        refused."""
        from desktop.models.plan_import import replace_draft  # noqa: PLC0415 (the database layer)

        code = self.workspace.plan.code
        return self._change_plan(lambda: replace_draft(self.database, draft, self.user, code=code))

    def _plans(self) -> PlanService:
        from desktop.models.plan_service import PlanService  # noqa: PLC0415 (the database layer)

        return PlanService(self.database, self.user)

    # --- the plan's structure (its editor) ------------------------------------------------

    @property
    def editor(self) -> PlanEditor:
        """The plan editor's writes and checks, on behalf of the user."""
        from desktop.models.plan_editor import PlanEditor  # noqa: PLC0415 (the database layer)

        return PlanEditor(self.database, self.user)

    def edit_plan(self, edits: Sequence[RecordEdit], label: str) -> bool:
        """Change parts of the plan as one undoable step; False when there is nothing to change,
        or when refused (the user has been told)."""
        if not edits:
            return False
        return self.run(operations.edit_plan(self.editor, edits, label)) is not None

    def add_to_plan(self, entity: str, fields: Mapping[str, object], label: str) -> Made | None:
        """Add a part to the plan (or a department) as one undoable step; None when refused."""
        return self.run(operations.add_to_plan(self.editor, entity, fields, label))

    def set_period(self, period: str) -> None:
        if period != self.workspace.as_of:
            self.workspace.set_period(period)
            self.assessmentsReset.emit()

    def set_indicator_thresholds(
        self, indicator_id: int, own: tuple[float | None, float | None]
    ) -> bool:
        """Set or drop an indicator's own thresholds as one undoable step, expecting the ones
        this window shows; False (and a message) when refused."""
        info = self.workspace.indicators[indicator_id]
        operation = operations.set_indicator_thresholds(
            self.service,
            indicator_id,
            own,
            seen=(info.yellow_threshold, info.red_threshold),
            label=fill(self.tr("Thresholds of %1"), info.code),
        )
        return self.run(operation) is not None

    def set_light_settings(self, wanted: LightSettings) -> bool:
        """Change the plan's thresholds and parent-light rule for every PC, as one undoable
        step, expecting the settings this window shows; False (and a message) when refused."""
        operation = operations.set_light_settings(
            self.service,
            self.workspace.plan.id,
            wanted,
            seen=self.workspace.light_settings,
        )
        return self.run(operation) is not None

    def watch_server(self) -> None:
        """On a server, show what others commit as they commit it (within a second): the
        figures of the indicators they changed, everything when they changed the plans."""
        from desktop.models.server_database import (  # noqa: PLC0415 (a server's, when used)
            ChangeWatch,
            ServerDatabase,
        )

        if not isinstance(self.database, ServerDatabase) or self._watch is not None:
            return
        self._watch = ChangeWatch(
            self.database.address, self.othersChanged.emit, self.serverHeard.emit
        )
        self._watch.start()

    def stop_watching(self) -> None:
        if self._watch is not None:
            self._watch.stop()
            self._watch = None

    def _on_others_changed(self, indicators: frozenset[int] | None) -> None:
        if indicators is None:
            self.reload()
            return
        shown = indicators & self.workspace.indicators.keys()
        if shown:
            self._broadcast(Changes(frozenset(shown)), saved=False)

    def reload(self) -> None:
        """Read everything again (another program may have changed the database). The undo
        history stays: every step checks the values it expects before it writes."""
        self._broadcast(Changes(everything=True), saved=False)

    # --- running operations ----------------------------------------------------------------

    def run(self, operation: Operation[R]) -> R | None:
        """Run an operation and enter it in the undo history; None when it was refused or
        cancelled (the user has been told)."""
        result = self.execute(operation)
        if result is None:
            return None
        changes = changes_of(result)
        if changes.everything:
            self.undo_stack.clear()  # nothing the history holds is there any more
        elif operation.step is not None and not changes.empty:
            self.undo_stack.push(StepCommand(self, operation.step(result)))
        return result

    def execute(self, operation: Operation[R], *, undoing: str | None = None) -> R | None:
        """Run an operation (off the UI thread when long) and broadcast what it changed;
        None when refused or cancelled. `undoing` names the step an undo or redo belongs to: the
        undo history has moved on by then, so an undo or redo cannot be cancelled half-way."""
        try:
            if operation.long:
                result = run_in_background(
                    self.dialog_parent,
                    operation.label,
                    operation.perform,
                    cancellable=operation.cancellable and undoing is None,
                )
            else:
                result = operation.perform(lambda _done, _total: True)
        except OperationCancelled as cancelled:
            self.noted.emit(str(cancelled))
            return None
        except StaleEditError as error:
            self._broadcast(Changes(frozenset({error.indicator_id})), saved=False)
            self.refused.emit(self._conflict_message(error, operation, undoing))
            return None
        except TargetMonitorError as error:
            if isinstance(error, StaleSettingsError):  # show the settings and plan as they are
                self._broadcast(Changes(lights=True, structure=True), saved=False)
            reason = self._wording(error)
            if undoing is None:
                self.refused.emit(fill(operation.refused, reason))
            else:
                text = self.tr("“%1” was not undone or redone, and leaves the undo history: %2")
                self.refused.emit(fill(text, undoing, reason))
            return None
        self._broadcast(changes_of(result), saved=True)
        return result

    def edit(self, edits: Sequence[EntryEdit], description: str) -> bool:
        """Write cells as one undoable step; False (and a message) when refused."""
        operation = operations.edit_entries(self.service, edits, description)
        return self.run(operation) is not None

    def cell(self, indicator_id: int, period: str, **fields: object) -> EntryEdit:
        """An edit of a month's figure, expecting what the grid shows there now."""
        entry = self.workspace.entry(indicator_id, period)
        shown = {
            "value": None if entry is None else entry.value,
            "milestone_state": None if entry is None else entry.state,
        }
        return EntryEdit(indicator_id, period, fields, {name: shown[name] for name in fields})

    def _broadcast(self, changes: Changes, *, saved: bool) -> None:
        """Bring the plan in memory up to date and tell every view."""
        if changes.rebuilt:
            self.workspace.reload()
        else:
            if changes.lights:  # the plan's or an indicator's thresholds
                self.workspace.reload_lights()
            self.workspace.refresh(changes.indicator_ids)
        if saved and not changes.empty:
            self.last_saved = dt.datetime.now()
            self.saved.emit(self.last_saved)
        self.changed.emit(changes)
        if changes.lights and not changes.rebuilt:
            self.assessmentsReset.emit()  # every light may have changed

    # --- messages --------------------------------------------------------------------------

    def _shown(self, text: str | None) -> str:
        return recorded_text(text, self.tr("nothing"))

    def _wording(self, error: TargetMonitorError) -> str:
        """The domain's refusal in the window's language where the domain says which it is."""
        if isinstance(error, BatchStateError):
            texts = {
                BatchStateError.MISSING: self.tr("there is no import %1"),
                BatchStateError.APPLIED: self.tr(
                    "import %1 is applied already (someone else applied it again meanwhile)"
                ),
                BatchStateError.UNDONE: self.tr(
                    "import %1 has been undone already (someone else undid it meanwhile)"
                ),
                BatchStateError.ENTRY_GONE: self.tr(
                    "a figure of import %1 no longer exists; nothing was changed"
                ),
            }
            return fill(texts[error.reason], str(error.batch_id))
        if isinstance(error, PlanChangeError):
            return self._plan_wording(error)
        if isinstance(error, PlanEditError):
            return problems_text(error.problems)
        if isinstance(error, PlanStateError):
            if error.state == PlanState.DRAFT.value:
                return fill(self.tr("Plan %1 is a draft: it takes figures once it is active."),
                            error.code)  # fmt: skip
            return fill(self.tr("Plan %1 is closed: reopen it to change its figures."), error.code)
        return str(error)

    def _plan_wording(self, error: PlanChangeError) -> str:
        code = str(error.facts.get("code", ""))
        if error.reason == PlanChangeError.PENDING:
            codes = error.facts.get("codes", ())
            assert isinstance(codes, tuple)
            shown = self.tr("、").join(codes[:8]) + (self.tr(" …") if len(codes) > 8 else "")
            text = self.tr("Plan %1 cannot become active: %2 targets are still pending (%3).")
            return fill(text, code, str(len(codes)), shown)
        texts = {
            PlanChangeError.EXISTS: self.tr("There is a plan %1 already; choose another code."),
            PlanChangeError.BAD_CODE: self.tr(
                "“%1” is no plan code: use letters, digits, “-”, “_” and “.”, at most 32."
            ),
            PlanChangeError.HAS_FIGURES: self.tr(
                "Plan %1 holds figures: it can no longer go back to being a draft."
            ),
            PlanChangeError.NOT_DRAFT: self.tr(
                "Plan %1 is no draft: its targets are changed in the plan editor."
            ),
            PlanChangeError.MILESTONE: self.tr("%1 is a milestone: it has a date, no target."),
            PlanChangeError.MOVE: self.tr("Plan %1 cannot make this move."),
        }
        return fill(texts[error.reason], code)

    def _conflict_message(
        self, error: StaleEditError, operation: Operation[Any], undoing: str | None
    ) -> str:
        """Both values: what someone else saved meanwhile, and what this write expected."""
        when = "" if error.changed_at is None else f"{error.changed_at:%Y-%m-%d %H:%M}"
        if undoing is None and operation.conflict is not None:  # e.g. 撤销导入 from the menu
            text, last = operation.conflict, operation.label
        elif undoing is None:
            text = self.tr(
                "%1 %2 was changed by %3 at %4 while you were editing; it now holds %5. "
                "Your entry (%6) was not saved and nothing was overwritten; the grid shows the "
                "current value."
            )
            last = self._shown(error.attempted_value)
        else:
            text = self.tr(
                "“%6” was not undone or redone: %1 %2 was changed by %3 at %4 after that step; "
                "it now holds %5, not %7. Nothing was overwritten, and the step leaves the "
                "undo history."
            )
            last = undoing
        return fill(
            text,
            error.code,
            error.period,
            error.changed_by or "?",
            when,
            self._shown(error.current_value),
            last,
            self._shown(error.expected_value),
        )
