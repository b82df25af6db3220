"""The Excel exchange from the window: export, import with preview, undo, report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from sqlalchemy import select

from PySide6.QtWidgets import QDialog

from desktop.exchange.layout import ENTRY_SHEET
from desktop.exchange.template import export_template
from desktop.models.schema import Entry
from tests.ui_helpers import grid_index, messages

from desktop.ui.exchange_dialogs import (
    ExportTemplateDialog,
    ImportPreviewDialog,
    UndoImportDialog,
)
from desktop.ui.main_window import MainWindow


def answer(window: MainWindow, path: Path, choose: Any = None) -> list[QDialog]:
    """Stand in for the user: the file dialogs return `path`, dialogs are accepted."""
    shown: list[QDialog] = []

    def confirm(dialog: QDialog) -> bool:
        shown.append(dialog)
        return choose(dialog) if choose else True

    window._confirm = confirm  # type: ignore[method-assign]
    window._ask_path = lambda kind, suggestion="": path  # type: ignore[method-assign]
    return shown


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


def test_export_one_department_template(window: MainWindow, tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"

    def choose(dialog: QDialog) -> bool:
        assert isinstance(dialog, ExportTemplateDialog)
        dialog.department.setCurrentIndex(dialog.department.findData("城乡建设局"))
        return True

    answer(window, target, choose)
    window.export_templates_action.trigger()
    sheet = openpyxl.load_workbook(target)[ENTRY_SHEET]
    assert sheet["A2"].value.startswith("填报单位:市城乡建设局")
    assert "templates exported" in window.statusBar().currentMessage() or "模板" in (
        window.statusBar().currentMessage())  # fmt: skip


def test_export_all_departments_into_a_folder(window: MainWindow, tmp_path: Path) -> None:
    answer(window, tmp_path)  # "All departments" is the first choice
    window.export_templates_action.trigger()
    assert len(list(tmp_path.glob("2025-06-*.xlsx"))) == 5


def test_import_shows_a_preview_and_applies_on_apply(window: MainWindow, tmp_path: Path) -> None:
    filled = filled_template(window, tmp_path, {"J6": 120, "K6": "进展顺利"})
    previews: list[int] = []

    def choose(dialog: QDialog) -> bool:
        assert isinstance(dialog, ImportPreviewDialog)
        previews.append(dialog.changes.model().rowCount())
        return True

    answer(window, filled, choose)
    window.import_action.trigger()
    assert previews == [2]  # value and progress note of 4.2.1-1
    assert value_of(window, "4.2.1-1") == 120
    window._select_node(None)
    assert grid_index(window, "4.2.1-1", "2025-06").data() == "120"  # the grid followed


def test_cancelling_the_preview_changes_nothing(window: MainWindow, tmp_path: Path) -> None:
    filled = filled_template(window, tmp_path, {"J6": 120})
    answer(window, filled, lambda dialog: False)
    window.import_action.trigger()
    assert value_of(window, "4.2.1-1") is None


def test_a_refused_file_is_explained(window: MainWindow, tmp_path: Path) -> None:
    filled = filled_template(window, tmp_path, {"J6": "abc"})
    shown = answer(window, filled)
    window.import_action.trigger()
    assert shown == []  # no preview for a refused file
    assert any("填报!J6" in text and "“abc”不是数字" in text for text in messages(window))


def test_undo_an_import_from_the_window(window: MainWindow, tmp_path: Path) -> None:
    filled = filled_template(window, tmp_path, {"J6": 120})
    answer(window, filled)
    window.import_action.trigger()
    assert value_of(window, "4.2.1-1") == 120

    def choose(dialog: QDialog) -> bool:
        assert isinstance(dialog, UndoImportDialog)
        assert dialog.model.rowCount() == 1 and not dialog.undo_button.isEnabled()
        dialog.view.selectRow(0)
        assert dialog.undo_button.isEnabled()
        return True

    answer(window, filled, choose)
    window.undo_import_action.trigger()
    assert value_of(window, "4.2.1-1") is None


def test_export_the_status_report(window: MainWindow, tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    answer(window, target)
    window.report_action.trigger()
    workbook = openpyxl.load_workbook(target)
    assert workbook.sheetnames[0] == "汇总" and len(workbook.sheetnames) == 7
