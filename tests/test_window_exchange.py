"""The Excel exchange from the window: export, import with preview, undo, report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from sqlalchemy import select

from PySide6.QtWidgets import QMessageBox

from desktop.exchange.layout import ENTRY_SHEET
from desktop.exchange.template import export_template
from desktop.models.schema import Entry
from tests.ui_helpers import ScriptedPrompts, grid_index, messages

from desktop.ui.exchange_dialogs import (
    ExportTemplateDialog,
    ImportPreviewDialog,
    UndoImportDialog,
)
from desktop.ui.main_window import MainWindow
from desktop.ui.prompts import FileKind


def filled_template(window: MainWindow, tmp_path: Path, cells: dict[str, Any]) -> Path:
    template = tmp_path / "template.xlsx"
    export_template(window.controller.workspace, "发改委", "2025-06", template)
    workbook = openpyxl.load_workbook(template)
    for ref, value in cells.items():
        workbook[ENTRY_SHEET][ref] = value
    filled = tmp_path / "filled.xlsx"
    workbook.save(filled)
    return filled


def value_of(window: MainWindow, code: str) -> float | None:
    with window.controller.database.read() as session:
        return session.scalar(
            select(Entry.value).where(Entry.period == "2025-06", Entry.indicator.has(code=code))
        )


def test_export_one_department_template(
    window: MainWindow, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    target = tmp_path / "out.xlsx"

    def choose(dialog: ExportTemplateDialog) -> bool:
        dialog.department.setCurrentIndex(dialog.department.findData("城乡建设局"))
        return True

    prompts.on(ExportTemplateDialog, choose)
    prompts.path = target
    window.export_templates_action.trigger()
    sheet = openpyxl.load_workbook(target)[ENTRY_SHEET]
    assert sheet["A2"].value.startswith("填报单位:市城乡建设局")
    assert "templates exported" in window.statusBar().currentMessage() or "模板" in (
        window.statusBar().currentMessage())  # fmt: skip


def test_export_all_departments_into_a_folder(
    window: MainWindow, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    prompts.path = tmp_path  # "All departments" is the first choice
    window.export_templates_action.trigger()
    assert prompts.files == [FileKind.FOLDER]
    assert len(list(tmp_path.glob("2025-06-*.xlsx"))) == 5


def test_import_shows_a_preview_and_applies_on_apply(
    window: MainWindow, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    filled = filled_template(window, tmp_path, {"J5": 120, "K5": "进展顺利", "M5": "张三"})
    prompts.path = filled
    window.import_action.trigger()
    (preview,) = prompts.shown(ImportPreviewDialog)
    assert preview.changes.model().rowCount() == 2  # value and progress note of 4.2.1-1
    assert "2" in preview.summary.text() and "张三" in preview.reporter.text()
    assert value_of(window, "4.2.1-1") == 120
    window.select_node(None)
    assert grid_index(window, "4.2.1-1", "2025-06").data() == "120"  # the grid followed


def test_cancelling_the_preview_changes_nothing(
    window: MainWindow, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    prompts.path = filled_template(window, tmp_path, {"J5": 120})
    prompts.on(ImportPreviewDialog, lambda dialog: False)
    window.import_action.trigger()
    assert value_of(window, "4.2.1-1") is None
    assert not window.undo_action.isEnabled()


def test_a_refused_file_is_explained(
    window: MainWindow, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    prompts.path = filled_template(window, tmp_path, {"J5": "abc"})
    window.import_action.trigger()
    assert prompts.asked == []  # no preview for a refused file
    assert any("填报!J5" in text and "“abc”不是数字" in text for text in messages(window))


def test_undo_an_import_from_the_window(
    window: MainWindow, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    prompts.path = filled_template(window, tmp_path, {"J5": 120, "M5": "张三"})
    window.import_action.trigger()
    assert value_of(window, "4.2.1-1") == 120

    def choose(dialog: UndoImportDialog) -> bool:
        assert dialog.model.rowCount() == 1
        assert dialog.selected() is not None and dialog.undo_button.isEnabled()  # the newest
        row = [dialog.model.index(0, c).data() for c in range(dialog.model.columnCount())]
        assert row[2] == "王填报" and row[3] == "张三"  # who imported it, who filled it in
        return True

    prompts.on(UndoImportDialog, choose)
    prompts.yes = False  # the confirmation: No changes nothing
    window.undo_import_action.trigger()
    assert value_of(window, "4.2.1-1") == 120
    prompts.yes = True
    window.undo_import_action.trigger()
    (question, _question) = [box.text() for box in prompts.shown(QMessageBox)]
    assert "1" in question and "发改委" in question
    assert value_of(window, "4.2.1-1") is None
    window.undo_action.trigger()  # the undo of the import is itself a step
    assert value_of(window, "4.2.1-1") == 120


def test_export_the_status_report(
    window: MainWindow, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    prompts.path = tmp_path / "report.xlsx"
    window.report_action.trigger()
    workbook = openpyxl.load_workbook(prompts.path)
    assert workbook.sheetnames[0] == "汇总" and len(workbook.sheetnames) == 7
