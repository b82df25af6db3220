"""Operations: how the window runs every change — refusals, cancelling, long work, the history."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QPushButton

from desktop.exchange.importer import apply_import, read_template
from desktop.exchange.template import export_template
from desktop.models.changes import Changes, Progress
from desktop.models.errors import InvalidEntryError, OperationCancelled
from desktop.models.history import import_batches
from tests.test_undo_history import filled
from tests.ui_helpers import indicator_id, messages

from desktop.ui.background import ProgressDialog, run_in_background
from desktop.ui.main_window import MainWindow
from desktop.ui.operations import Operation


def test_a_refused_operation_is_told_and_changes_no_view(window: MainWindow) -> None:
    seen: list[Changes] = []
    window.controller.changed.connect(seen.append)

    def refuse(_progress: Progress) -> Changes:
        raise InvalidEntryError("2025-13 is not a month")

    assert window.controller.run(Operation("try", refuse)) is None
    assert messages(window) == ["2025-13 is not a month"]
    assert seen == [] and window.controller.undo_stack.count() == 0


def test_every_view_hears_what_an_operation_changed(window: MainWindow) -> None:
    seen: list[Changes] = []
    window.controller.changed.connect(seen.append)
    changes = Changes(frozenset({indicator_id(window, "2.1.1-1")}), frozenset({"2025-06"}), 1)
    assert window.controller.run(Operation("nothing really", lambda _p: changes)) is changes
    assert seen == [changes]
    assert window.saved_label.text().startswith(("Saved at", "已于"))


def in_the_dialog(qtbot: QtBot, action: object) -> threading.Event:
    """Run `action(dialog)` once the progress dialog shows; the returned event is set after."""
    done = threading.Event()

    def look() -> None:
        dialogs = [d for d in QApplication.allWidgets() if isinstance(d, ProgressDialog)]
        visible = [d for d in dialogs if d.isVisible()]
        if not visible:
            QTimer.singleShot(10, look)
            return
        action(visible[0])  # type: ignore[operator]
        done.set()

    QTimer.singleShot(0, look)
    return done


def test_cancel_asks_the_job_to_stop_and_the_dialog_waits_for_it(
    window: MainWindow, qtbot: QtBot
) -> None:
    states: list[tuple[bool, str]] = []

    def press_cancel(dialog: ProgressDialog) -> None:
        (button,) = dialog.findChildren(QPushButton)
        button.click()
        states.append((dialog.isVisible(), dialog.labelText()))

    clicked = in_the_dialog(qtbot, press_cancel)

    def job(progress: Progress) -> None:
        assert clicked.wait(10)
        while progress(0, 1):
            pass
        raise OperationCancelled("cancelled; nothing was imported")

    with pytest.raises(OperationCancelled):
        run_in_background(window, "Importing…", job)
    assert states == [(True, "Cancelling…")]  # still up until the job had stopped


def test_what_cannot_stop_half_way_offers_no_cancel(window: MainWindow, qtbot: QtBot) -> None:
    buttons: list[int] = []
    looked = in_the_dialog(
        qtbot, lambda dialog: buttons.append(len(dialog.findChildren(QPushButton)))
    )

    def job(_progress: Progress) -> Changes:
        assert looked.wait(10)
        return Changes(everything=True)

    operation = Operation("Restore", job, long=True, cancellable=False)
    assert window.controller.run(operation) is not None
    assert buttons == [0]


def test_an_import_cancelled_before_its_write_records_nothing(
    window: MainWindow, tmp_path: Path
) -> None:
    workspace = window.controller.workspace
    template = tmp_path / "template.xlsx"
    export_template(workspace, "发改委", "2025-06", template)
    plan = read_template(filled(template, tmp_path / "filled.xlsx", {"J5": 120}), workspace)
    steps: list[int] = []

    def cancel_after_backup(done: int, _total: int) -> bool:
        steps.append(done)
        return done == 0

    with pytest.raises(OperationCancelled, match="nothing was imported"):
        apply_import(plan, workspace, "导入员", progress=cancel_after_backup)
    assert steps == [0, 1] and import_batches(workspace.database) == []
