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

from desktop.cli import main as cli_main
from desktop.exchange.layout import ENTRY_SHEET
from desktop.exchange.template import export_template
from desktop.models.schema import AuditEvent, Entry, ImportBatch
from tests.test_main_window import type_into_cell
from tests.ui_helpers import ScriptedPrompts, node_id

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


def test_ctrl_z_after_an_import_undoes_the_import_as_a_whole(
    qtbot: QtBot, window: MainWindow, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    """Sequence 1: a typed value, then an import that overwrites it, then Ctrl+Z."""
    template = tmp_path / "template.xlsx"
    export_template(window.controller.workspace, "工信局", "2025-06", template)
    window.select_node(node_id(window, "1"))
    type_into_cell(qtbot, window, "1.1.1-1", "2025-06", "10200")
    path = filled(template, tmp_path / "filled.xlsx", {"J5": 10300})
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
    path = filled(template, tmp_path / "filled.xlsx", {"J5": 12, "J6": 120, "K6": "进展顺利"})
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
    template = tmp_path / "template.xlsx"
    export_template(window.controller.workspace, "工信局", "2025-06", template)
    window.select_node(node_id(window, "1"))
    type_into_cell(qtbot, window, "1.1.1-1", "2025-06", "10200")
    path = filled(template, tmp_path / "filled.xlsx", {"J5": 10300})
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
    path = filled(template, tmp_path / "filled.xlsx", {"J5": 12, "J6": 120, "J8": 15})
    changed = filled(template, tmp_path / "changed.xlsx", {"J5": 11, "J6": 110, "J8": 14})
    assert cli_main(["--db", database, "import", str(changed), "--user", "李四"]) == 0
    capsys.readouterr()
    assert cli_main(["--db", database, "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert "3 处冲突,均保留数据库中的值;未导入" in err
    assert len(batches(window)) == 1
