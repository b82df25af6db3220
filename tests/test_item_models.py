"""Every item model passes Qt's model tester, with data, filters and changes applied."""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from desktop.exchange.layout import ENTRY_SHEET
from desktop.exchange.template import export_template
from desktop.models.history import entry_history
from desktop.models.kinds import NodeKind
from desktop.models.status_rule import Status
from tests.ui_helpers import ScriptedPrompts, indicator_id

from desktop.ui.exchange_dialogs import ImportPreviewDialog, UndoImportDialog
from desktop.ui.main_window import MainWindow


def report_some_figures(window: MainWindow) -> None:
    cells = [
        window.controller.cell(indicator_id(window, "2.1.1-1"), "2025-06", value=150),
        window.controller.cell(indicator_id(window, "4.1.3-2"), "2025-06", value=150),
        window.controller.cell(indicator_id(window, "3.2.2-1"), "2025-05", value=35),
    ]
    assert window.controller.edit(cells, "figures")


def test_plan_tree_model(qtmodeltester: ModelTester, window: MainWindow) -> None:
    report_some_figures(window)
    qtmodeltester.check(window.tree_model, force_py=True)


def test_filtered_tree(qtmodeltester: ModelTester, window: MainWindow) -> None:
    report_some_figures(window)
    window.tree_model.set_criteria(text="数字", status=Status.RED)
    qtmodeltester.check(window.tree_model, force_py=True)
    window.tree_model.set_criteria(text="", status=None, department=3)
    qtmodeltester.check(window.tree_model, force_py=True)


def test_progress_grid_model(qtmodeltester: ModelTester, window: MainWindow) -> None:
    report_some_figures(window)
    qtmodeltester.check(window.grid_model, force_py=True)


def test_dashboard_and_history_models(qtmodeltester: ModelTester, window: MainWindow) -> None:
    report_some_figures(window)
    window.tabs.setCurrentWidget(window.dashboard)
    window.dashboard.set_node(None)
    qtmodeltester.check(window.dashboard.summary, force_py=True)
    qtmodeltester.check(window.dashboard.attention, force_py=True)
    history = window.history.model
    history.set_events(
        entry_history(window.controller.database, indicator_id(window, "2.1.1-1"), "2025-06")
    )
    qtmodeltester.check(history, force_py=True)


def test_none_returned_by_a_model_is_not_over_released(qtbot: QtBot) -> None:
    """PySide6 6.12.0 released None once per QModelIndex.data() of an empty role, which
    crashes Python 3.11 after a few thousand paints; the pinned version must not."""

    class Empty(QAbstractTableModel):
        def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
            return 1

        def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
            return 1

        def data(self, index: QModelIndex, role: int = 0) -> None:  # type: ignore[override]
            return None

    model = Empty()
    index = model.index(0, 0)
    before = sys.getrefcount(None)
    for _ in range(1000):
        index.data(Qt.ItemDataRole.UserRole)
    assert sys.getrefcount(None) >= before - 10


def test_import_preview_and_batch_list_models(
    qtmodeltester: ModelTester, window: MainWindow, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    template = tmp_path / "template.xlsx"
    export_template(window.controller.workspace, "发改委", "2025-06", template)
    report_some_figures(window)
    workbook = openpyxl.load_workbook(template)
    for ref, value in {"J9": 12, "J5": 120, "K5": "进展", "M5": "张三"}.items():
        workbook[ENTRY_SHEET][ref] = value
    workbook.save(tmp_path / "filled.xlsx")

    def preview(dialog: ImportPreviewDialog) -> bool:
        qtmodeltester.check(dialog.model, force_py=True)
        dialog.prefer_file.setChecked(True)
        qtmodeltester.check(dialog.model, force_py=True)
        return True

    prompts.on(ImportPreviewDialog, preview)
    prompts.on(UndoImportDialog, lambda dialog: qtmodeltester.check(dialog.model, force_py=True))
    prompts.path = tmp_path / "filled.xlsx"
    window.import_action.trigger()
    window.undo_import_action.trigger()
    assert len(prompts.shown(ImportPreviewDialog)) == len(prompts.shown(UndoImportDialog)) == 1


def _filter_by_walking(
    window: MainWindow, text: str, department: int | None, status: Status | None
) -> tuple[set[int], set[int]]:
    """What the tree's filter shows, worked out the plain way: record by record."""
    workspace = window.controller.workspace
    text = text.strip().casefold()

    def says(node_id: int) -> bool:  # the node's text, or an ancestor's, has the search text
        return any(
            text in f"{workspace.nodes[n].code} {workspace.nodes[n].title}".casefold()
            for n in workspace.ancestors(node_id)
        )

    indicators = {
        i.id
        for i in workspace.indicators.values()
        if (department is None or i.department_id == department)
        and (status is None or workspace.status_of(i.id) is status)
        and (not text or text in f"{i.code} {i.name}".casefold() or says(i.measure_id))
    }
    matched = {workspace.indicators[i].measure_id for i in indicators}
    if text and department is None and status is None:
        matched |= {
            n.id for n in workspace.nodes.values() if n.kind is not NodeKind.MEASURE and says(n.id)
        }
    nodes = {a for n in matched for a in workspace.ancestors(n)}
    return nodes, indicators


def test_the_filter_shows_what_a_walk_of_the_plan_finds(window: MainWindow) -> None:
    report_some_figures(window)
    model, workspace = window.tree_model, window.controller.workspace
    departments = [None, *list(workspace.departments)[:4]]
    checked = 0
    for text in ("", "1", "2.1", "数字", "工程", "产业", "ZZ", "4.1.3-2"):
        for department in departments:
            for status in (None, Status.RED, Status.GREEN, Status.NOT_REPORTED):
                if not text and department is None and status is None:
                    continue
                model.set_criteria(text=text, department=department, status=status)
                nodes, indicators = _filter_by_walking(window, text, department, status)
                assert model.filter.nodes == nodes, (text, department, status)
                assert model.shown_indicators() == indicators, (text, department, status)
                shown = set()
                pending = [QModelIndex()]
                while pending:
                    parent = pending.pop()
                    for row in range(model.rowCount(parent)):
                        index = model.index(row, 0, parent)
                        if model.node_id(index) is not None:
                            shown.add(model.node_id(index))
                        pending.append(index)
                assert shown == nodes  # the rows the tree shows
                checked += bool(nodes)
    assert checked > 50  # most criteria leave something to show


def test_each_grid_cell_paints_what_its_roles_say(window: MainWindow) -> None:
    """The grid's cells are painted from one question (`cell_look`): its words, alignment, ink
    and background are those the model gives by role, in every column (a month reported, one
    not yet, the month being evaluated, a later one, the fixed columns)."""
    report_some_figures(window)
    model = window.grid_model
    window.period_selector.setCurrentIndex(window.period_selector.findData("2025-06"))
    window.select_node(None)
    backgrounds = inks = 0
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            index = model.index(row, column)
            text, alignment, ink, background = model.cell_look(row, column)
            assert text == (index.data(Qt.ItemDataRole.DisplayRole) or "")
            shown_alignment = index.data(Qt.ItemDataRole.TextAlignmentRole)
            expected = (
                shown_alignment if shown_alignment is not None else Qt.AlignmentFlag.AlignLeft
            )
            assert alignment & Qt.AlignmentFlag.AlignHorizontal_Mask == (
                Qt.AlignmentFlag(expected) & Qt.AlignmentFlag.AlignHorizontal_Mask
            )
            foreground = index.data(Qt.ItemDataRole.ForegroundRole)
            assert ink == (None if foreground is None else foreground.color())
            brush = index.data(Qt.ItemDataRole.BackgroundRole)
            assert (background is None) == (brush is None)
            if brush is not None:
                assert background is not None and background.color() == brush.color()
            backgrounds += background is not None
            inks += ink is not None
    assert backgrounds == model.rowCount()  # the month being evaluated, in every row
    assert inks > 0  # the months after it
    months = [model.column_of("2025-05"), model.column_of("2025-06")]
    texts = {
        model.cell_look(row, column)[0]
        for row in range(model.rowCount())
        for column in months
        if column is not None
    }
    assert texts - {""}  # figures reported, painted
