"""Every change to the data is an operation, and these are all of them.

An operation is a label and a function that returns the domain's `Changes` (or a result that
carries them). The controller runs it — off the UI thread, with progress and Cancel, when it is
long — and every view refreshes from the Changes. An operation that changes figures joins the
undo history as one `Step`, whose undo and redo are operations too; like every write, they are
refused rather than overwrite a value that changed after the step was made.

The window's writes: cells (typed, pasted, notes), the plan's light settings, the plan's
structure (its editor), an import, taking an import back and applying it again, restoring a
backup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from PySide6.QtCore import QCoreApplication

from desktop.models.changes import EVERYTHING_CHANGED, Changes, Progress
from desktop.models.edits import EntryEdit
from desktop.models.status_rule import LightSettings
from desktop.models.workspace import PlanWorkspace

from desktop.ui.i18n import fill

if TYPE_CHECKING:  # the exchange (and openpyxl) is imported when an import is first made
    from desktop.exchange.importer import ImportPlan, ImportResult
    from desktop.models.plan_editor import Made, PlanEditor, RecordEdit
    from desktop.models.service import EntryService

R = TypeVar("R")
T = TypeVar("T")  # a setting's value
translate = QCoreApplication.translate


class HasChanges(Protocol):
    @property
    def changes(self) -> Changes: ...


@dataclass(frozen=True)
class Step:
    """One entry of the undo history: how to take an operation back, and do it again."""

    label: str
    undo: Operation[Changes]
    redo: Operation[Changes]


@dataclass(frozen=True)
class Operation(Generic[R]):
    """A change to the data: what to call it, what to run, and how it joins the undo history.

    `perform` returns the domain's Changes or a result carrying them (`.changes`); `long`
    runs it off the UI thread with a progress dialog, and Cancel unless it cannot stop
    half-way (`cancellable`); `step`, given the result, says how to undo and redo it (None: the
    operation is not undoable, e.g. a restore). `refused` words a refusal: "%1" is the
    domain's message. `conflict` words the refusal of a value changed meanwhile
    (StaleEditError) when the operation is not a typed entry's: %1 the indicator's code, %2 the
    month, %3 who changed it, %4 when, %5 what it holds now, %6 the operation's label, %7 what
    the operation expected there.
    """

    label: str
    perform: Callable[[Progress], R]
    long: bool = False
    cancellable: bool = True
    step: Callable[[R], Step] | None = None
    refused: str = "%1"
    conflict: str | None = None


def changes_of(result: Changes | HasChanges) -> Changes:
    return result if isinstance(result, Changes) else result.changes


# --- cells -----------------------------------------------------------------------------------


def edit_entries(
    service: EntryService, edits: Sequence[EntryEdit], label: str
) -> Operation[Changes]:
    """Write cells (a typed figure, a paste, notes) as one step: undo writes back what they
    held, expecting what the step wrote."""
    forward = list(edits)
    backward = [edit.reversed() for edit in forward]
    return replace(
        _write(service, forward, label),
        step=lambda _changes: Step(
            label, undo=_write(service, backward, label), redo=_write(service, forward, label)
        ),
    )


def _write(service: EntryService, edits: list[EntryEdit], label: str) -> Operation[Changes]:
    return Operation(
        label,
        lambda _progress: service.apply(edits),
        refused=translate("Operations", "Not saved: %1"),
    )


# --- the plan's lights ----------------------------------------------------------------------


def set_light_settings(
    service: EntryService, plan_id: int, wanted: LightSettings, *, seen: LightSettings
) -> Operation[Changes]:
    """A manager's change of the plan's thresholds and parent-light rule, for every PC."""
    return _setting(
        translate("Operations", "Change the status thresholds"),
        lambda new, old: service.set_light_settings(plan_id, new, expected=old),
        wanted,
        seen,
    )


Own = tuple[float | None, float | None]


def set_indicator_thresholds(
    service: EntryService, indicator_id: int, wanted: Own, *, seen: Own, label: str
) -> Operation[Changes]:
    """Set or drop an indicator's own thresholds."""
    return _setting(
        label,
        lambda new, old: service.set_indicator_thresholds(indicator_id, new, expected=old),
        wanted,
        seen,
    )


def _setting(
    label: str, write: Callable[[T, T], Changes], wanted: T, seen: T
) -> Operation[Changes]:
    """A setting changed from `seen` to `wanted` as one step: `write(new, old)` sets new,
    expecting old (refused if someone changed it since); undo sets back what was seen,
    expecting what was set."""

    def setting(new: T, old: T) -> Operation[Changes]:
        return Operation(
            label,
            lambda _progress: write(new, old),
            refused=translate("Operations", "The thresholds were not changed: %1"),
        )

    return replace(
        setting(wanted, seen),
        step=lambda _changes: Step(label, undo=setting(seen, wanted), redo=setting(wanted, seen)),
    )


# --- the plan's structure ------------------------------------------------------------------


def edit_plan(editor: PlanEditor, edits: Sequence[RecordEdit], label: str) -> Operation[Changes]:
    """Change, move, archive, restore or merge parts of the plan as one step: undo writes back
    what they held, in reverse order, expecting what the step wrote."""
    forward = list(edits)
    backward = [edit.reversed() for edit in reversed(forward)]
    return replace(
        _change_plan(editor, forward, label),
        step=lambda _changes: Step(
            label,
            undo=_change_plan(editor, backward, label),
            redo=_change_plan(editor, forward, label),
        ),
    )


def add_to_plan(
    editor: PlanEditor, entity: str, fields: Mapping[str, object], label: str
) -> Operation[Made]:
    """Add a project, task, measure, indicator or department as one step: undo takes it back
    (refused once it holds figures), redo makes it again with the same id."""
    refused = _plan_refused()

    def step(made: Made) -> Step:
        return Step(
            label,
            undo=Operation(label, lambda _progress: editor.take_back(made), refused=refused),
            redo=Operation(label, lambda _progress: editor.make_again(made), refused=refused),
        )

    return Operation(
        label, lambda _progress: editor.add(entity, fields), refused=refused, step=step
    )


def _change_plan(editor: PlanEditor, edits: list[RecordEdit], label: str) -> Operation[Changes]:
    return Operation(
        label,
        lambda _progress: editor.change(edits),
        refused=_plan_refused(),
    )


def _plan_refused() -> str:
    """How a refused change of the plan is worded ("%1": the domain's reason)."""
    return translate("Operations", "The plan was not changed: %1")


# --- imports ---------------------------------------------------------------------------------


def import_template(
    workspace: PlanWorkspace, plan: ImportPlan, user: str, *, prefer_file: bool
) -> Operation[ImportResult]:
    """Apply a checked template under a new import batch; undone and redone as a whole."""
    label = fill(translate("Operations", "Import %1"), plan.file_name)

    def perform(progress: Progress) -> ImportResult:
        from desktop.exchange.importer import apply_import  # noqa: PLC0415 - on demand

        return apply_import(plan, workspace, user, prefer_file=prefer_file, progress=progress)

    return Operation(
        label,
        perform,
        long=True,
        step=lambda result: _batch_step(workspace, result.batch_id, user, label, applied=True),
    )


def undo_import(workspace: PlanWorkspace, batch_id: int, user: str) -> Operation[Changes]:
    """撤销导入 of any applied batch; itself a step (Ctrl+Z applies the batch again)."""
    operation = _switch_batch(workspace, batch_id, user, applied=False)
    return replace(
        operation,
        step=lambda _changes: _batch_step(
            workspace, batch_id, user, operation.label, applied=False
        ),
    )


def _batch_step(
    workspace: PlanWorkspace, batch_id: int, user: str, label: str, *, applied: bool
) -> Step:
    """The step of an operation that applied a batch (applied=True) or took it back."""
    return Step(
        label,
        undo=_switch_batch(workspace, batch_id, user, applied=not applied),
        redo=_switch_batch(workspace, batch_id, user, applied=applied),
    )


def _switch_batch(
    workspace: PlanWorkspace, batch_id: int, user: str, *, applied: bool
) -> Operation[Changes]:
    """Apply an undone batch again, or take an applied one back (each after a backup)."""
    from desktop.exchange.importer import redo_import as redo_batch  # noqa: PLC0415 - on demand
    from desktop.exchange.importer import undo_import as undo_batch  # noqa: PLC0415

    if applied:
        label, switch = translate("Operations", "Apply import %1 again"), redo_batch
        conflict = translate(
            "Operations",
            "“%6” was refused: %1 %2 was changed by %3 at %4 after the import was undone; it "
            "now holds %5, not %7 as before the import. Nothing was changed.",
        )
    else:
        label, switch = translate("Operations", "Undo import %1"), undo_batch
        conflict = translate(
            "Operations",
            "“%6” was refused: %1 %2 was changed by %3 at %4 after the import; it now holds "
            "%5, not %7 as the import wrote. Nothing was changed.",
        )
    return Operation(
        fill(label, str(batch_id)),
        lambda progress: switch(workspace, batch_id, user, progress=progress),
        long=True,
        conflict=conflict,
    )


# --- the whole database ----------------------------------------------------------------------


@dataclass(frozen=True)
class Restored:
    """A restore replaced everything; the content it replaced was backed up to `saved`."""

    saved: Path
    changes: Changes = EVERYTHING_CHANGED


def restore_backup(workspace: PlanWorkspace, path: Path) -> Operation[Restored]:
    """Replace the whole content with a backup's (the current one is backed up first). Not a
    step of the undo history, which it clears: the backups list undoes it."""
    from desktop.models.opening import restore  # noqa: PLC0415 (the database layer, when used)

    database = workspace.database
    return Operation(
        fill(translate("Operations", "Restore %1"), path.name),
        lambda _progress: Restored(restore(database, path)),
        long=True,
        cancellable=False,
    )
