"""The backups dialog: what is kept, backing up now, restoring (confirmed, undoable)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from desktop.models.backup import backup_before, backup_folder
from tests.test_migrations import dump
from tests.ui_helpers import ScriptedPrompts, grid_index, indicator_id, messages

from desktop.ui.backups import BackupsDialog
from desktop.ui.main_window import MainWindow

CODE, MONTH = "2.1.1-1", "2025-06"


def open_dialog(window: MainWindow, prompts: ScriptedPrompts) -> BackupsDialog:
    window.backups_action.trigger()
    (dialog,) = prompts.shown(BackupsDialog)
    return dialog


def questions(prompts: ScriptedPrompts) -> list[str]:
    """The yes/no questions asked so far."""
    return [box.text() for box in prompts.shown(QMessageBox)]


def shown_value(window: MainWindow) -> object:
    return grid_index(window, CODE, MONTH).data()


def type_value(window: MainWindow, value: str) -> None:
    assert window.grid_model.setData(grid_index(window, CODE, MONTH), float(value))


def rows(dialog: BackupsDialog) -> list[list[str]]:
    table = dialog.table
    return [
        [table.item(r, c).text() for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]


def test_the_dialog_lists_backups_newest_first_with_reason_size_and_entries(
    window: MainWindow, prompts: ScriptedPrompts
) -> None:
    dialog = open_dialog(window, prompts)
    assert dialog.table.isHidden() and not dialog.empty_label.isHidden()
    type_value(window, "120")
    backup_before(window.controller.database, "import", now=dt.datetime(2025, 7, 1, 9, 30))
    dialog.back_up_button.click()
    listed = rows(dialog)
    assert len(listed) == 2
    assert [r[1] for r in listed] == ["Made by hand", "Before an import"]
    assert [r[3] for r in listed] == ["1", "1"]
    assert all(r[2].endswith("KB") for r in listed)
    assert listed[1][0] == "2025-07-01 09:30:00"  # newest first
    assert dialog.restore_button.isEnabled()
    assert "Backed up to" in window.statusBar().currentMessage()


def test_restoring_asks_first_backs_up_the_current_figures_and_can_be_undone(
    window: MainWindow, prompts: ScriptedPrompts
) -> None:
    type_value(window, "120")
    dialog = open_dialog(window, prompts)
    dialog.back_up_button.click()
    type_value(window, "150")
    assert window.controller.undo_stack.count() == 2

    dialog.table.selectRow(0)
    dialog.restore_button.click()

    asked = questions(prompts)
    assert len(asked) == 1 and "(1 entries)" in asked[0]
    assert shown_value(window) == "120"  # the grid shows the restored figure at once
    assert window.controller.undo_stack.count() == 0  # old steps would undo into other data
    assert "Restored from" in window.statusBar().currentMessage()
    listed = rows(dialog)
    assert listed[0][1] == "Before a restore"  # the replaced figures are kept

    dialog.table.selectRow(0)
    dialog.restore_button.click()  # and restoring that one undoes the restore
    assert shown_value(window) == "150"


def test_saying_no_changes_nothing(window: MainWindow, prompts: ScriptedPrompts) -> None:
    type_value(window, "120")
    dialog = open_dialog(window, prompts)
    dialog.back_up_button.click()
    type_value(window, "150")
    prompts.yes = False
    dialog.restore_button.click()
    assert questions(prompts) and shown_value(window) == "150"
    assert len(rows(dialog)) == 1


def test_restoring_a_file_that_is_not_a_backup_is_explained(
    window: MainWindow, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    letter = tmp_path / "letter.sqlite"
    letter.write_text("Dear colleagues", encoding="utf-8")
    type_value(window, "120")
    prompts.path = letter
    dialog = open_dialog(window, prompts)
    dialog.from_file_button.click()
    (message,) = messages(window)
    assert str(letter) in message and "not a usable database" in message
    assert shown_value(window) == "120"
    assert not list(backup_folder(window.controller.database).glob("*before-restore*"))


def test_the_backups_action_is_in_the_file_menu_with_a_shortcut(window: MainWindow) -> None:
    file_menu = window.menuBar().actions()[0].menu()
    assert window.backups_action in file_menu.actions()
    assert window.backups_action.shortcut().toString() == "Ctrl+Shift+B"
    assert indicator_id(window, CODE)


def test_restoring_a_backup_this_program_cannot_upgrade_changes_nothing(
    window: MainWindow, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    """The file is refused before anything is replaced: the figures stay, nothing is backed up."""
    old = tmp_path / "old.sqlite"
    window.controller.database.backup_to(old)
    with sqlite3.connect(old) as connection:
        connection.execute("UPDATE schema_meta SET value = '0' WHERE key = 'schema_version'")
    connection.close()
    type_value(window, "120")
    before = dump(window.controller.database.path)
    prompts.path = old
    dialog = open_dialog(window, prompts)
    dialog.from_file_button.click()
    (message,) = messages(window)
    assert str(old) in message and "no migration from schema version 0" in message
    assert dump(window.controller.database.path) == before
    assert shown_value(window) == "120"
    assert not list(backup_folder(window.controller.database).glob("*before-restore*"))
