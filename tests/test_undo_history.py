"""Regression: the undo history and imports keep every value a user can explain.

Three sequences a new user ran into: an import was not on the undo history, an undone import
counted as a conflict when imported again (and recorded an empty batch), and the command line
called an all-conflict file "matching the database".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from PySide6.QtGui import QGuiApplication

from desktop.cli import main as cli_main
from desktop.exchange.layout import ENTRY_SHEET
from desktop.exchange.template import export_template
from desktop.models.opening import open_database
from desktop.models.schema import AuditEvent, Entry, ImportBatch, Indicator
from desktop.models.service import EntryService
from tests.test_main_window import type_into_cell
from tests.ui_helpers import ScriptedPrompts, grid_index, indicator_id, messages, node_id

from desktop.ui.exchange_dialogs import ImportPreviewDialog
from desktop.ui.main_window import MainWindow


def stored_value(window: MainWindow, code: str, period: str = "2025-06") -> float | None:
    with window.controller.database.read() as session:
        return session.scalar(
            select(Entry.value).where(Entry.period == period, Entry.indicator.has(code=code))
        )


def batches(window: MainWindow) -> list[tuple[int, str, int]]:
    with window.controller.database.read() as session:
        return [
            (b.id, b.state.value, b.rows)
            for b in session.scalars(select(ImportBatch).order_by(ImportBatch.id))
        ]


def filled(template: Path, target: Path, cells: dict[str, Any]) -> Path:
    workbook = openpyxl.load_workbook(template)
    for ref, value in cells.items():
        workbook[ENTRY_SHEET][ref] = value
    workbook.save(target)
    return target


def import_file(
    window: MainWindow, prompts: ScriptedPrompts, path: Path, *, prefer_file: bool = False
) -> list[str]:
    """Import through the window as a user would; the preview's summary lines are returned."""
    seen: list[str] = []

    def preview(dialog: ImportPreviewDialog) -> bool:
        dialog.prefer_file.setChecked(prefer_file)
        seen.append(dialog.summary.text())
        return dialog.apply_button.isEnabled()

    prompts.on(ImportPreviewDialog, preview)
    prompts.path = path
    window.import_action.trigger()
    return seen


def typed_over_after_export(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> Path:
    """工信局's template exported, then 10200 typed into 1.1.1-1 (June) in the window: the
    filled file, which says 10300 there, conflicts with the typed value."""
    template = tmp_path / "template.xlsx"
    export_template(window.controller.workspace, "工信局", "2025-06", template)
    window.select_node(node_id(window, "1"))
    type_into_cell(qtbot, window, "1.1.1-1", "2025-06", "10200")
    return filled(template, tmp_path / "filled.xlsx", {"J5": 10300})


def test_ctrl_z_after_an_import_undoes_the_import_as_a_whole(
    qtbot: QtBot, window: MainWindow, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    """Sequence 1: a typed value, then an import that overwrites it, then Ctrl+Z."""
    path = typed_over_after_export(qtbot, window, tmp_path)
    import_file(window, prompts, path, prefer_file=True)
    assert stored_value(window, "1.1.1-1") == 10300
    window.undo_action.trigger()  # the import, as a whole
    assert stored_value(window, "1.1.1-1") == 10200
    assert batches(window) == [(1, "undone", 1)]
    window.undo_action.trigger()  # the typed value
    assert stored_value(window, "1.1.1-1") is None
    window.redo_action.trigger()
    assert stored_value(window, "1.1.1-1") == 10200
    window.redo_action.trigger()  # the import again
    assert stored_value(window, "1.1.1-1") == 10300
    assert batches(window) == [(1, "applied", 1)]


def test_an_undone_import_imported_again_is_no_conflict(
    window: MainWindow, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    """Sequence 2: import, undo the import, import the same file again."""
    template = tmp_path / "template.xlsx"
    export_template(window.controller.workspace, "发改委", "2025-06", template)
    path = filled(template, tmp_path / "filled.xlsx", {"J9": 12, "J5": 120, "K5": "进展顺利"})
    first = import_file(window, prompts, path)
    window.undo_action.trigger()
    assert stored_value(window, "4.2.1-1") is None
    again = import_file(window, prompts, path)
    assert again == first
    assert "conflict" not in again[0].lower() and "冲突" not in again[0]
    assert stored_value(window, "4.2.1-1") == 120
    with window.controller.database.read() as session:
        written = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.batch_id == 2)
        )
    assert written == 3  # what the preview announced: 3 cells
    assert [(b, state) for b, state, _rows in batches(window)] == [(1, "undone"), (2, "applied")]


def test_an_import_whose_every_difference_conflicts_records_no_batch(
    qtbot: QtBot, window: MainWindow, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    path = typed_over_after_export(qtbot, window, tmp_path)
    summaries = import_file(window, prompts, path)  # the database's value is kept: nothing to apply
    assert "1 处冲突" in summaries[0] or "1 conflict" in summaries[0]
    assert batches(window) == []
    assert stored_value(window, "1.1.1-1") == 10200


def test_the_command_line_says_when_every_difference_conflicted(
    window: MainWindow, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Sequence 3: not "the file matches the database" — it does not; exit 1."""
    database = str(window.controller.database.path)
    template = tmp_path / "template.xlsx"
    assert cli_main(["--db", database, "export-template", "--department", "发改委",
                     "--period", "2025-06", "-o", str(template)]) == 0  # fmt: skip
    path = filled(template, tmp_path / "filled.xlsx", {"J9": 12, "J5": 120, "J7": 15})
    changed = filled(template, tmp_path / "changed.xlsx", {"J9": 11, "J5": 110, "J7": 14})
    assert cli_main(["--db", database, "import", str(changed), "--user", "李四"]) == 0
    capsys.readouterr()
    assert cli_main(["--db", database, "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert "3 处冲突,均保留数据库中的值;未导入" in err
    assert len(batches(window)) == 1


# --- the history as a whole ------------------------------------------------------------------


def snapshot(window: MainWindow) -> dict[tuple[str, str, str], object]:
    """Every field of every month that holds something, as the database has it."""
    fields = ("value", "milestone_state", "progress_note", "problems")
    with window.controller.database.read() as session:
        rows = session.execute(select(Indicator.code, Entry).join(Entry.indicator)).all()
    return {
        (code, entry.period, name): getattr(entry, name)
        for code, entry in rows
        for name in fields
        if getattr(entry, name) not in (None, "")
    }


def test_ctrl_z_and_ctrl_y_walk_typed_cells_a_paste_and_two_imports_back_and_forth(
    qtbot: QtBot, window: MainWindow, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    workspace = window.controller.workspace
    first_template = tmp_path / "first.xlsx"
    export_template(workspace, "发改委", "2025-06", first_template)
    states = [snapshot(window)]
    window.select_node(node_id(window, "4"))
    type_into_cell(qtbot, window, "4.2.3-1", "2025-06", "5")
    states.append(snapshot(window))
    window.grid.setCurrentIndex(grid_index(window, "4.2.1-1", "2025-05"))
    QGuiApplication.clipboard().setText("100\t110\r\n")
    window.paste_action.trigger()
    states.append(snapshot(window))
    first = filled(first_template, tmp_path / "first-filled.xlsx", {"J7": 15, "K7": "进展顺利"})
    import_file(window, prompts, first)
    states.append(snapshot(window))
    second_template = tmp_path / "second.xlsx"
    export_template(window.controller.workspace, "发改委", "2025-06", second_template)
    second = filled(second_template, tmp_path / "second-filled.xlsx", {"J7": 16, "J9": 6})
    import_file(window, prompts, second)
    states.append(snapshot(window))
    assert len({tuple(sorted(state.items(), key=str)) for state in states}) == 5  # five steps
    assert window.controller.undo_stack.count() == 4

    for expected in reversed(states[:-1]):
        window.undo_action.trigger()
        assert snapshot(window) == expected
    assert not window.undo_action.isEnabled()
    assert batches(window) == [(1, "undone", 1), (2, "undone", 2)]
    for expected in states[1:]:
        window.redo_action.trigger()
        assert snapshot(window) == expected
    assert batches(window) == [(1, "applied", 1), (2, "applied", 2)]
    assert grid_index(window, "4.2.1-3", "2025-06").data() == "16"  # the grid followed
    assert messages(window) == []


def change_elsewhere(window: MainWindow, code: str, value: float, expected: float | None) -> None:
    """Another program on the same file types a value."""
    other = open_database(window.controller.database.path)
    try:
        EntryService(other, "李四").set_value(
            indicator_id(window, code), "2025-06", value, expected=expected
        )
    finally:
        other.close()


def test_undo_never_overwrites_a_value_changed_after_the_step(
    qtbot: QtBot, window: MainWindow
) -> None:
    type_into_cell(qtbot, window, "2.1.1-1", "2025-06", "120")
    type_into_cell(qtbot, window, "2.1.1-1", "2025-06", "150")
    change_elsewhere(window, "2.1.1-1", 160, expected=150)
    window.undo_action.trigger()
    assert stored_value(window, "2.1.1-1") == 160  # not overwritten
    (message,) = messages(window)
    assert "160" in message and "150" in message and "李四" in message  # both values, who
    assert grid_index(window, "2.1.1-1", "2025-06").data() == "160"  # the grid shows it
    stack = window.controller.undo_stack
    assert stack.count() == 1 and not stack.canRedo()  # the refused step left the history
    window.undo_action.trigger()  # the step before it expects 120, and finds 160: refused too
    assert stored_value(window, "2.1.1-1") == 160 and stack.count() == 0


def test_undoing_an_import_never_overwrites_a_later_change(
    window: MainWindow, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    template = tmp_path / "template.xlsx"
    export_template(window.controller.workspace, "发改委", "2025-06", template)
    import_file(window, prompts, filled(template, tmp_path / "filled.xlsx", {"J5": 120}))
    change_elsewhere(window, "4.2.1-1", 130, expected=120)
    window.undo_action.trigger()
    assert stored_value(window, "4.2.1-1") == 130
    assert batches(window) == [(1, "applied", 1)]  # nothing undone
    (message,) = messages(window)
    assert "130" in message and "120" in message


def test_applying_an_import_again_never_overwrites_a_later_change(
    window: MainWindow, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    template = tmp_path / "template.xlsx"
    export_template(window.controller.workspace, "发改委", "2025-06", template)
    import_file(window, prompts, filled(template, tmp_path / "filled.xlsx", {"J5": 120}))
    window.undo_action.trigger()
    change_elsewhere(window, "4.2.1-1", 90, expected=None)
    window.redo_action.trigger()
    assert stored_value(window, "4.2.1-1") == 90
    assert batches(window) == [(1, "undone", 1)]
    (message,) = messages(window)
    assert "90" in message


def test_the_preview_counts_exactly_what_apply_changes(
    qtbot: QtBot, window: MainWindow, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    template = tmp_path / "template.xlsx"
    export_template(window.controller.workspace, "发改委", "2025-06", template)
    window.select_node(node_id(window, "4"))
    type_into_cell(qtbot, window, "4.2.1-1", "2025-06", "110")  # now the file's J5 conflicts
    path = filled(template, tmp_path / "filled.xlsx", {"J9": 12, "J5": 120, "K5": "进展"})
    counts: list[tuple[bool, str, bool]] = []

    def preview(dialog: ImportPreviewDialog) -> bool:
        for prefer_file in (False, True, False):
            dialog.prefer_file.setChecked(prefer_file)
            counts.append((prefer_file, dialog.summary.text(), dialog.apply_button.isEnabled()))
        return True

    prompts.on(ImportPreviewDialog, preview)
    prompts.path = path
    window.import_action.trigger()
    where = "市发展改革委, 2025-06"
    kept = f"{where}: 1 cells will change; 1 conflicts keep the database's value."
    taken = f"{where}: 3 cells will change, 2 of them conflicts taking the file's value."
    assert counts == [(False, kept, True), (True, taken, True), (False, kept, True)]
    with window.controller.database.read() as session:
        written = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.batch_id == 1)
        )
    assert written == 1  # the conflict kept the database's value: only J9 (4.2.3-1) was applied
    assert stored_value(window, "4.2.1-1") == 110 and stored_value(window, "4.2.3-1") == 12


def test_undo_import_on_the_command_line_shows_both_values(
    window: MainWindow, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = str(window.controller.database.path)
    template = tmp_path / "template.xlsx"
    export_template(window.controller.workspace, "发改委", "2025-06", template)
    path = filled(template, tmp_path / "filled.xlsx", {"J5": 120})
    assert cli_main(["--db", database, "import", str(path), "--user", "王五"]) == 0
    change_elsewhere(window, "4.2.1-1", 130, expected=120)
    capsys.readouterr()
    assert cli_main(["--db", database, "undo-import", "1"]) == 1
    err = capsys.readouterr().err
    assert "it holds 130, the import wrote 120; nothing was undone" in err
    assert stored_value(window, "4.2.1-1") == 130


def test_an_undone_import_imported_again_on_the_command_line_is_no_conflict(
    window: MainWindow, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = str(window.controller.database.path)
    template = tmp_path / "template.xlsx"
    export_template(window.controller.workspace, "发改委", "2025-06", template)
    path = filled(template, tmp_path / "filled.xlsx", {"J9": 12, "J5": 120, "K5": "进展顺利"})
    assert cli_main(["--db", database, "import", str(path), "--user", "王五"]) == 0
    first = capsys.readouterr().out
    assert "3 cells to change" in first and "imported as batch 1: 3 cells" in first
    assert cli_main(["--db", database, "undo-import", "1"]) == 0
    assert "import batch 1 undone: 3 cells" in capsys.readouterr().out
    assert cli_main(["--db", database, "import", str(path), "--user", "王五"]) == 0
    again = capsys.readouterr().out
    assert "conflict" not in again and "imported as batch 2: 3 cells" in again
    assert cli_main(["--db", database, "import", str(path), "--user", "王五"]) == 0
    assert "nothing to import: the file matches the database" in capsys.readouterr().out
    assert [(b, state) for b, state, _rows in batches(window)] == [(1, "undone"), (2, "applied")]


def test_notes_refused_for_a_later_change_can_be_saved_over_it_knowingly(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.grid.setCurrentIndex(grid_index(window, "2.1.1-1", "2025-06"))
    other = open_database(window.controller.database.path)
    try:
        EntryService(other, "李四").set_notes(
            indicator_id(window, "2.1.1-1"), "2025-06", progress_note="李四写的"
        )
    finally:
        other.close()
    window.notes.progress.setPlainText("我写的")
    assert not window.notes.save()  # refused: someone else wrote notes meanwhile
    assert "李四写的" in messages(window)[0]
    assert window.notes.progress.toPlainText() == "我写的"  # nothing typed is lost
    assert window.notes.save()  # told, the user saves over it
    with window.controller.database.read() as session:
        assert session.scalars(select(Entry.progress_note)).one() == "我写的"
