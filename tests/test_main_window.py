"""The main window as clerks and managers use it: edit, undo, paste, filter, conflicts."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

import shiboken6
from PySide6.QtCore import QModelIndex, QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit, QMessageBox

from desktop import __version__
from desktop.models.kinds import MilestoneState
from desktop.models.locations import (
    DATABASE_FILE_NAME,
    DatabaseLocation,
    data_folder,
    resolve_location,
)
from desktop.models.opening import open_database
from desktop.models.schema import AuditEvent, Entry
from desktop.models.service import EntryService
from desktop.models.status_rule import Status
from desktop.models.store import Database
from tests.ui_helpers import (
    ScriptedPrompts,
    grid_index,
    indicator_id,
    messages,
    node_id,
    visible_codes,
)

from desktop.ui import app as app_module
from desktop.ui import dialogs
from desktop.ui.app import create_main_window
from desktop.ui.dialogs import FirstStartDialog, SettingsDialog
from desktop.ui.i18n import STATUS_COLOURS
from desktop.ui.main_window import MainWindow
from desktop.ui.settings import (
    MAIN_SPLITTER,
    USER_DEPARTMENT,
    USER_NAME,
    WINDOW_GEOMETRY,
    Settings,
)
from desktop.ui.tree_model import COMPLETION_ROLE, STATUS_ROLE, TreeColumn


def stored(database: Database, code: str, period: str) -> Entry | None:
    with database.read() as session:
        return session.scalar(
            select(Entry)
            .join(Entry.indicator)
            .where(Entry.period == period)
            .where(Entry.indicator.has(code=code))
        )


def audit_count(database: Database) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


def type_into_cell(qtbot: QtBot, window: MainWindow, code: str, period: str, text: str) -> None:
    """Open the cell's editor as a user would and type, then press Enter."""
    index = grid_index(window, code, period)
    window.grid.setCurrentIndex(index)
    window.grid.edit(index)
    editors = [e for e in window.grid.findChildren(QLineEdit, "valueEditor") if e.isVisible()]
    assert len(editors) == 1
    editor = editors[0]
    editor.selectAll()
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    # Qt commits the editor's data on the next turn of the event loop, then deletes the editor.
    qtbot.waitUntil(lambda: not shiboken6.isValid(editor) or not editor.isVisible())


def tree_status(window: MainWindow, code: str) -> Status:
    index = window.tree_model.index_of_node(node_id(window, code), TreeColumn.STATUS)
    return Status(index.data(STATUS_ROLE))


# --- the tree ------------------------------------------------------------------------------


def test_the_tree_shows_the_plan_6_12_30(window: MainWindow) -> None:
    model = window.tree_model
    plan = model.index(0, 0)
    assert model.rowCount() == 1 and plan.data() == "全力在建设现代化产业体系上攻坚突破"
    assert model.rowCount(plan) == 6
    projects = [model.index(r, 0, plan) for r in range(6)]
    assert projects[0].data() == "1 重点产业集群提升工程"
    assert all(model.rowCount(p) == 2 for p in projects)
    measures = sum(model.rowCount(model.index(t, 0, p)) for p in projects for t in range(2))
    assert measures == 30
    clusters = model.index_of_node(node_id(window, "1.1.1"), TreeColumn.DEPARTMENT)
    assert clusters.data() == "工信局"
    one_indicator = model.index_of_node(node_id(window, "4.1.1"), TreeColumn.TARGET)
    assert one_indicator.data() == "18 个"


# --- editing -------------------------------------------------------------------------------


def test_a_cell_typed_in_the_grid_is_saved_audited_and_judged(
    qtbot: QtBot, window: MainWindow
) -> None:
    database = window.controller.database
    window.select_node(node_id(window, "2"))
    assert tree_status(window, "2.1.1") is Status.NOT_REPORTED
    type_into_cell(qtbot, window, "2.1.1-1", "2025-06", "150")
    entry = stored(database, "2.1.1-1", "2025-06")
    assert entry is not None and entry.value == 150 and entry.reported_by == "王填报"
    assert audit_count(database) == 1
    assert grid_index(window, "2.1.1-1", "2025-06").data() == "150"
    # 150 of 300 at the end of June: on the 序时进度 line. The measure has a second,
    # unreported milestone, so the measure shows the worse of the two.
    assert window.controller.workspace.assessments[indicator_id(window, "2.1.1-1")].status is (
        Status.GREEN
    )
    window.tabs.setCurrentWidget(window.dashboard)  # the manager looks at the overview
    window.select_node(None)
    counts = window.controller.workspace.plan_rollup.counts
    assert counts[Status.GREEN] == 1
    assert "正常 <b>1</b>" in window.dashboard.counts.text() or "On track <b>1</b>" in (
        window.dashboard.counts.text()
    )
    assert window.saved_label.text().startswith(("Saved at", "已于"))


def type_keys(qtbot: QtBot, text: str) -> None:
    """Type as a person does: each key goes to the widget that has the focus."""
    for character in text:
        qtbot.keyClick(QApplication.focusWidget(), character)


def start_at(window: MainWindow, code: str, period: str) -> QModelIndex:
    index = grid_index(window, code, period)
    window.grid.setCurrentIndex(index)
    window.grid.setFocus()
    return index


def test_enter_saves_the_figure_and_moves_down_as_in_excel(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.select_node(node_id(window, "2.2.1"))  # three indicators counted in figures
    index = start_at(window, "2.2.1-1", "2025-06")
    type_keys(qtbot, "15")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    database = window.controller.database
    assert stored(database, "2.2.1-1", "2025-06").value == 15  # type: ignore[union-attr]
    current = window.grid.currentIndex()
    assert (current.row(), current.column()) == (index.row() + 1, index.column())
    type_keys(qtbot, "7")  # the next figure goes into the next row, not over the last one
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Enter)
    assert stored(database, "2.2.1-2", "2025-06").value == 7  # type: ignore[union-attr]
    assert stored(database, "2.2.1-1", "2025-06").value == 15  # type: ignore[union-attr]
    window.grid.setCurrentIndex(index)
    qtbot.keyClick(window.grid, Qt.Key.Key_Return)  # not typing: Enter moves down too
    assert window.grid.currentIndex().row() == index.row() + 1


def test_tab_saves_the_figure_and_moves_right(qtbot: QtBot, window: MainWindow) -> None:
    index = start_at(window, "2.1.1-1", "2025-05")
    type_keys(qtbot, "120")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert stored(window.controller.database, "2.1.1-1", "2025-05").value == 120  # type: ignore[union-attr]
    current = window.grid.currentIndex()
    assert (current.row(), current.column()) == (index.row(), index.column() + 1)
    assert window.grid.state() != window.grid.State.EditingState


def test_text_that_is_not_a_number_keeps_the_editor_open_and_says_why_beside_it(
    qtbot: QtBot, window: MainWindow
) -> None:
    index = start_at(window, "2.1.1-1", "2025-06")
    type_keys(qtbot, "abc")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit) and editor.isVisible() and editor.text() == "abc"
    problem = window.findChild(QLabel, "entryProblem")
    assert problem is not None and problem.isVisible()
    assert problem.text() in ("“abc”不是数字", "'abc' is not a number")
    cell = window.grid.visualRect(index)
    cell.moveTopLeft(window.grid.viewport().mapTo(window, cell.topLeft()))
    beside = problem.geometry()
    assert abs(beside.top() - cell.bottom()) <= 2 or abs(beside.bottom() - cell.top()) <= 2
    assert beside.left() <= cell.right() and beside.right() >= cell.left()  # under the cell
    assert window.grid.currentIndex() == index
    assert stored(window.controller.database, "2.1.1-1", "2025-06") is None
    assert not messages(window) and not window.findChildren(QMessageBox)
    type_keys(qtbot, "x")  # typing on hides the message
    assert not problem.isVisible()
    editor.selectAll()
    type_keys(qtbot, "90")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert stored(window.controller.database, "2.1.1-1", "2025-06").value == 90  # type: ignore[union-attr]
    window.grid.setCurrentIndex(index)
    type_keys(qtbot, "-")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert problem.isVisible() and "-" in problem.text()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)  # Esc leaves the cell as it was
    qtbot.waitUntil(lambda: not problem.isVisible())
    assert stored(window.controller.database, "2.1.1-1", "2025-06").value == 90  # type: ignore[union-attr]


def test_each_row_shows_code_name_unit_target_completion_and_light_while_months_scroll(
    qtbot: QtBot, window: MainWindow
) -> None:
    type_into_cell(qtbot, window, "2.1.1-1", "2025-06", "150")  # on the 序时进度 line: green
    window.resize(1366, 740)  # a common office screen, laid out as on a first start there
    window.main_splitter.setSizes([615, 751])
    window.progress.default_layout(751)
    qtbot.wait(10)
    fixed = window.progress.fixed_columns
    row = grid_index(window, "2.1.1-1", "2025-06").row()
    window.grid.horizontalScrollBar().setValue(window.grid.horizontalScrollBar().maximum())
    window.grid.verticalScrollBar().setValue(row)
    qtbot.wait(10)
    texts = [fixed.model().index(row, c).data() for c in range(4)]
    assert texts[0] == "2.1.1-1" and texts[2] and texts[3]
    for column in range(6):  # all six columns in sight, whatever the months' scroll
        rect = fixed.visualRect(fixed.model().index(row, column))
        assert fixed.viewport().rect().contains(rect.center()), column
    assert fixed.verticalScrollBar().value() == window.grid.verticalScrollBar().value()
    assert all(window.grid.isColumnHidden(c) for c in range(6))
    light = fixed.visualRect(fixed.model().index(row, 5)).center()
    colour = fixed.viewport().grab().toImage().pixelColor(light)
    assert colour == STATUS_COLOURS[Status.GREEN]
    completion = fixed.model().index(row, 4).data(COMPLETION_ROLE)
    assert completion == pytest.approx(0.5)


def test_a_milestone_is_set_from_its_list(qtbot: QtBot, window: MainWindow) -> None:
    index = grid_index(window, "5.1.1-1", "2025-06")
    window.grid.setCurrentIndex(index)
    window.grid.edit(index)
    combo = window.grid.findChild(QComboBox, "milestoneEditor")
    assert combo is not None
    combo.setCurrentIndex(combo.findData(MilestoneState.IN_PROGRESS))
    window.grid.commitData(combo)
    window.grid.closeEditor(combo, window.progress.entry_delegate.EndEditHint.NoHint)
    entry = stored(window.controller.database, "5.1.1-1", "2025-06")
    assert entry is not None and entry.milestone_state is MilestoneState.IN_PROGRESS


def test_undo_and_redo_go_through_the_service(qtbot: QtBot, window: MainWindow) -> None:
    database = window.controller.database
    type_into_cell(qtbot, window, "2.1.1-1", "2025-06", "150")
    type_into_cell(qtbot, window, "2.1.1-1", "2025-06", "170")
    assert window.undo_action.text().endswith("2.1.1-1 2025-06")
    window.undo_action.trigger()
    assert stored(database, "2.1.1-1", "2025-06").value == 150  # type: ignore[union-attr]
    window.undo_action.trigger()
    assert stored(database, "2.1.1-1", "2025-06").value is None  # type: ignore[union-attr]
    assert grid_index(window, "2.1.1-1", "2025-06").data() == ""
    assert not window.undo_action.isEnabled()
    window.redo_action.trigger()
    window.redo_action.trigger()
    assert stored(database, "2.1.1-1", "2025-06").value == 170  # type: ignore[union-attr]
    assert audit_count(database) == 6  # every step, undo and redo included, is audited
    assert window.redo_action.shortcuts()[0].toString() == "Ctrl+Y"


def test_pasting_a_range_from_excel_is_one_step_and_names_refused_cells(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.select_node(node_id(window, "2.2.1"))  # three indicators: 10 / 100 / 5 户
    assert window.grid_model.rowCount() == 3
    start = grid_index(window, "2.2.1-1", "2025-03")
    window.grid.setCurrentIndex(start)
    QGuiApplication.clipboard().setText(
        "1\t2\t3\t4\r\n10\t20\tabc\t40\r\n１\t1\t2\t2\r\n"  # Excel's line ends, a full-width 1
    )
    window.paste_action.trigger()
    database = window.controller.database
    assert stored(database, "2.2.1-2", "2025-05") is None  # the refused cell
    assert stored(database, "2.2.1-2", "2025-06").value == 40  # type: ignore[union-attr]
    assert stored(database, "2.2.1-3", "2025-03").value == 1  # type: ignore[union-attr]
    assert audit_count(database) == 11
    shown = "\n".join(messages(window))
    assert "2.2.1-2 2025-05" in shown and ("'abc' is not a number" in shown or "abc" in shown)
    window.undo_action.trigger()  # the whole paste is one undo step
    with database.read() as session:
        values = session.scalars(select(Entry.value)).all()
    assert values and all(v is None for v in values)


# --- filters and period --------------------------------------------------------------------


def test_department_filter_limits_tree_and_grid(window: MainWindow) -> None:
    index = window.department_filter.findText("发改委")
    window.department_filter.setCurrentIndex(index)
    measures = [c for c in visible_codes(window) if c.count(".") == 2]
    assert measures == ["4.2.1", "4.2.2", "4.2.3"]
    assert "4" in visible_codes(window) and "1" not in visible_codes(window)
    window.select_node(None)
    grid_codes = {window.grid_model.index(r, 0).data() for r in range(window.grid_model.rowCount())}
    assert grid_codes == {"4.2.1-1", "4.2.1-2", "4.2.1-3", "4.2.2-1", "4.2.3-1"}
    window.department_filter.setCurrentIndex(0)
    assert len([c for c in visible_codes(window) if c.count(".") == 2]) == 30


def test_text_filter_keeps_the_ancestors_of_matches(window: MainWindow) -> None:
    window.search_box.setText("算力")
    assert visible_codes(window) == ["4", "4.1", "4.1.3"]
    window.search_box.setText("6.2")
    assert visible_codes(window) == ["6", "6.2", "6.2.1", "6.2.2", "6.2.3", "6.2.4"]
    window.search_box.setText("no such thing")
    assert visible_codes(window) == []


def test_what_a_search_finds_shows_expanded(window: MainWindow) -> None:
    tree, model = window.tree, window.tree_model
    tree.expandToDepth(-1)  # 折叠全部: only the plan's row shows

    def on_screen() -> list[str]:
        rows, index = [], tree.indexAt(tree.viewport().rect().topLeft())
        while index.isValid():
            node = model.node_id(index)
            rows.append("plan" if node is None else window.controller.workspace.nodes[node].code)
            index = tree.indexBelow(index)
        return rows

    window.search_box.setText("6.2")
    assert on_screen() == ["plan", "6", "6.2", "6.2.1", "6.2.2", "6.2.3", "6.2.4"]
    tree.collapse(model.index_of_node(node_id(window, "6.2")))
    window.search_box.setText("6.2.1")  # fewer rows: the one collapsed by hand stays so
    assert on_screen() == ["plan", "6", "6.2"]
    window.search_box.setText("算力")  # other rows: what is found shows expanded
    assert on_screen() == ["plan", "4", "4.1", "4.1.3"]


def test_a_search_that_leaves_the_grid_as_it_was_keeps_the_cell_chosen(
    window: MainWindow,
) -> None:
    window.select_node(node_id(window, "4.1"))
    cell = grid_index(window, "4.1.3-2", "2025-06")
    window.grid.setCurrentIndex(cell)
    rows = window.grid_model.rowCount()
    window.search_box.setText("4.1")  # every row of 4.1 still shows: the cell stays chosen
    assert window.grid_model.rowCount() == rows
    assert window.grid.currentIndex() == grid_index(window, "4.1.3-2", "2025-06")
    window.search_box.setText("算力")  # fewer rows: shown anew
    assert window.grid_model.rowCount() < rows
    assert not window.grid.currentIndex().isValid()


def test_status_filter_follows_the_figures(qtbot: QtBot, window: MainWindow) -> None:
    window.status_filter.setCurrentIndex(window.status_filter.findData(Status.RED))
    assert visible_codes(window) == [] and window.grid_model.rowCount() == 0
    computing = window.controller.cell(indicator_id(window, "4.1.3-2"), "2025-06", value=150)
    window.controller.edit([computing], "edit")  # 15 % of 1000P in June: red
    assert visible_codes(window) == ["4", "4.1", "4.1.3"]
    window.select_node(None)
    assert window.grid_model.rowCount() == 1
    still_red = window.controller.cell(indicator_id(window, "4.1.3-2"), "2025-06", value=160)
    window.controller.edit([still_red], "edit")  # the light stays: the same rows
    assert visible_codes(window) == ["4", "4.1", "4.1.3"]
    caught_up = window.controller.cell(indicator_id(window, "4.1.3-2"), "2025-06", value=1000)
    window.controller.edit([caught_up], "edit")  # done: it leaves the red ones
    assert visible_codes(window) == []


def test_the_period_selector_recomputes_every_status(qtbot: QtBot, window: MainWindow) -> None:
    type_into_cell(qtbot, window, "2.1.1-1", "2025-06", "150")
    projects = indicator_id(window, "2.1.1-1")
    assert window.controller.workspace.assessments[projects].status is Status.GREEN
    window.period_selector.setCurrentIndex(window.period_selector.findData("2025-07"))
    assert window.controller.workspace.assessments[projects].status is Status.NOT_REPORTED
    assert (
        window.grid_model.headerData(
            window.grid_model.column_of("2025-07"),
            Qt.Orientation.Horizontal,
            Qt.ItemDataRole.ToolTipRole,
        )
        is not None
    )


# --- conflicts -----------------------------------------------------------------------------


def test_an_edit_racing_another_program_overwrites_nothing(
    qtbot: QtBot, window: MainWindow, seed_copy: Path
) -> None:
    other = open_database(seed_copy)
    try:
        EntryService(other, "李四").set_value(
            indicator_id(window, "2.1.1-1"), "2025-06", 99, expected=None
        )
    finally:
        other.close()
    type_into_cell(qtbot, window, "2.1.1-1", "2025-06", "150")
    assert stored(window.controller.database, "2.1.1-1", "2025-06").value == 99  # type: ignore[union-attr]
    shown = "\n".join(messages(window))
    assert "李四" in shown and "99" in shown and "150" in shown  # both values
    assert grid_index(window, "2.1.1-1", "2025-06").data() == "99"
    assert not window.undo_action.isEnabled()


# --- notes and history ---------------------------------------------------------------------


def test_notes_are_saved_undoable_and_listed_in_history(qtbot: QtBot, window: MainWindow) -> None:
    type_into_cell(qtbot, window, "2.1.1-1", "2025-06", "150")
    window.grid.setCurrentIndex(grid_index(window, "2.1.1-1", "2025-06"))
    notes = window.notes
    notes.progress.setPlainText("新开工项目 150 个")
    notes.problems.setPlainText("部分项目资金未到位")
    assert notes.save_button.isEnabled()
    qtbot.mouseClick(notes.save_button, Qt.MouseButton.LeftButton)
    entry = stored(window.controller.database, "2.1.1-1", "2025-06")
    assert entry is not None and entry.progress_note == "新开工项目 150 个"
    history = window.history.model
    assert history.rowCount() == 3
    assert history.index(0, 3).data() == "— → 部分项目资金未到位"
    window.undo_action.trigger()
    entry = stored(window.controller.database, "2.1.1-1", "2025-06")
    assert entry is not None and entry.progress_note == "" and entry.value == 150
    assert notes.progress.toPlainText() == ""


def test_unsaved_notes_are_saved_when_moving_on(qtbot: QtBot, window: MainWindow) -> None:
    window.grid.setCurrentIndex(grid_index(window, "2.1.1-1", "2025-06"))
    window.notes.progress.setPlainText("已完成招标")
    window.grid.setCurrentIndex(grid_index(window, "2.1.1-1", "2025-05"))
    entry = stored(window.controller.database, "2.1.1-1", "2025-06")
    assert entry is not None and entry.progress_note == "已完成招标"


# --- dashboard -----------------------------------------------------------------------------


def test_the_dashboard_lists_laggards_and_jumps_to_them(qtbot: QtBot, window: MainWindow) -> None:
    type_into_cell(qtbot, window, "4.1.3-2", "2025-06", "150")  # red
    type_into_cell(qtbot, window, "2.1.1-1", "2025-06", "60")  # yellow
    window.select_node(None)
    window.tabs.setCurrentWidget(window.dashboard)
    dashboard = window.dashboard
    assert dashboard.summary.rowCount() == 6
    attention = dashboard.attention
    assert [attention.index(r, 0).data() for r in range(attention.rowCount())] == [
        "4.1.3-2",
        "2.1.1-1",
    ]
    dashboard.indicatorActivated.emit(indicator_id(window, "2.1.1-1"))
    assert window.tabs.currentIndex() == 0
    current = window.grid.currentIndex()
    assert window.grid_model.indicator_at(current.row()) == indicator_id(window, "2.1.1-1")
    assert window.grid_model.period_at(current.column()) == "2025-06"


# --- settings and first start --------------------------------------------------------------


def test_first_start_dialog_records_name_and_department(qtbot: QtBot, tmp_path: Path) -> None:
    store = Settings(QSettings(str(tmp_path / "first.ini"), QSettings.Format.IniFormat))
    dialog = FirstStartDialog(store, ["工信局", "发改委"])
    qtbot.addWidget(dialog)
    dialog.fields.name.clear()
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert not ok.isEnabled()
    dialog.fields.name.setText("赵会计")  # QTest types ASCII only
    dialog.fields.department.setCurrentText("发改委")
    assert ok.isEnabled()
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert store.get(USER_NAME) == "赵会计" and store.get(USER_DEPARTMENT) == "发改委"


def test_the_first_start_offers_to_work_for_all_departments_as_a_manager(
    qtbot: QtBot, tmp_path: Path
) -> None:
    store = Settings(QSettings(str(tmp_path / "first.ini"), QSettings.Format.IniFormat))
    dialog = FirstStartDialog(store, ["工信局", "发改委"])
    qtbot.addWidget(dialog)
    choices = [dialog.fields.department.itemText(i) for i in range(3)]
    assert choices[1:] == ["工信局", "发改委"]
    assert choices[0] in ("All departments (manager)", "全部部门（管理者）")
    dialog.fields.department.setCurrentText("发改委")
    dialog.fields.department.setCurrentIndex(0)  # the manager's choice
    dialog.fields.name.setText("Manager Qian")
    qtbot.mouseClick(
        dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton
    )
    assert store.get(USER_DEPARTMENT) == ""  # no department: the window opens on the whole plan
    again = FirstStartDialog(store, ["工信局", "发改委"])  # the settings show the same choice
    qtbot.addWidget(again)
    assert again.fields.department.currentIndex() == 0


def test_db_naming_a_missing_file_offers_to_create_it_from_the_plan(
    qtbot: QtBot, tmp_path: Path
) -> None:
    missing = tmp_path / "typed" / "new.sqlite"
    prompts = ScriptedPrompts()
    prompts.yes = False
    assert app_module.run(DatabaseLocation(missing, explicit=True), prompts=prompts) == 1
    assert not missing.exists()  # no: nothing is created, and no error box
    asked = prompts.shown(QMessageBox)
    assert len(asked) == 1 and str(missing) in asked[0].text()
    assert "does not exist" in asked[0].text() and "plan" in asked[0].text()
    prompts = ScriptedPrompts()
    located = DatabaseLocation(missing, explicit=True)
    assert app_module.run(located, prompts=prompts, exit_after_ms=50) == 0
    assert missing.is_file()
    database = open_database(missing)
    try:
        with database.read() as session:
            assert session.scalar(select(func.count()).select_from(Entry)) == 0  # no figures yet
    finally:
        database.close()


def test_settings_change_the_user(qtbot: QtBot, window: MainWindow) -> None:
    dialog = SettingsDialog(window.settings, ["工信局"], window)
    qtbot.addWidget(dialog)
    dialog.fields.name.setText("钱主任")
    dialog.accept()
    window.apply_settings()
    assert window.controller.user == "钱主任" and "钱主任" in window.user_label.text()


def test_window_state_is_kept(qtbot: QtBot, seed_copy: Path, settings: Settings) -> None:
    first = create_main_window(seed_copy, settings=settings)
    qtbot.addWidget(first)
    first.show()
    first.main_splitter.setSizes([333, 667])
    sizes = first.main_splitter.sizes()
    first.close()
    first.controller.database.close()
    assert not settings.get(WINDOW_GEOMETRY).isEmpty()
    assert not settings.get(MAIN_SPLITTER).isEmpty()
    second = create_main_window(seed_copy, settings=settings)
    qtbot.addWidget(second)
    second.show()
    assert second.main_splitter.sizes()[0] == sizes[0]  # the tree keeps its width
    second.close()
    second.controller.database.close()


def test_the_users_department_is_preselected(
    qtbot: QtBot, seed_copy: Path, settings: Settings
) -> None:
    settings.set(USER_DEPARTMENT, "城乡建设局")
    main = create_main_window(seed_copy, settings=settings)
    qtbot.addWidget(main)
    assert main.department_filter.currentText() == "城乡建设局"
    assert main.grid_model.rowCount() == 5
    main.close()
    main.controller.database.close()


@pytest.mark.parametrize("shortcut", ["Ctrl+Z", "Ctrl+Y", "Ctrl+V", "Ctrl+C", "Ctrl+F", "F5"])
def test_keyboard_shortcuts_exist(window: MainWindow, shortcut: str) -> None:
    bound = {s.toString() for action in window.actions() for s in action.shortcuts()}
    assert shortcut in bound


def test_the_application_is_a_single_qapplication(qapp: QApplication) -> None:
    """The window's code finds the one application and uses it, never a second one, and no
    earlier test left a QGuiApplication (on which no window could be shown) in its place."""
    assert isinstance(qapp, QApplication) and QApplication.instance() is qapp
    assert app_module.application() is qapp


def test_the_first_start_creates_the_database_asks_who_and_opens_on_that_department(
    qtbot: QtBot,
) -> None:
    """The whole first start as a new user meets it: no database, no settings yet."""
    database_file = data_folder() / DATABASE_FILE_NAME
    assert not database_file.exists()
    seen: dict[str, object] = {}

    def answer(dialog: FirstStartDialog) -> bool:
        dialog.fields.name.setText("赵会计")
        dialog.fields.department.setCurrentText("城乡建设局")
        dialog.accept()
        window = dialog.parent()
        assert isinstance(window, MainWindow)
        seen["window"] = window
        QTimer.singleShot(100, lambda: leave_soon(window))  # once the window is shown
        return True

    def leave_soon(self: MainWindow) -> None:
        seen["filter"] = self.department_filter.currentText()
        seen["grid"] = [
            self.controller.workspace.indicators[self.grid_model.indicator_at(row)].department_id
            for row in range(self.grid_model.rowCount())
        ]
        seen["user"] = self.controller.user
        self.close()

    prompts = ScriptedPrompts()
    prompts.on(FirstStartDialog, answer)
    assert app_module.run(resolve_location(None), prompts=prompts) == 0
    assert database_file.is_file()  # created from the bundled plan
    window = seen["window"]
    assert isinstance(window, MainWindow)
    assert seen["filter"] == "城乡建设局"
    department = next(
        d.id
        for d in window.controller.workspace.departments.values()
        if d.short_name == "城乡建设局"
    )
    assert seen["grid"] and set(seen["grid"]) == {department}  # only that department's work
    assert seen["user"] == "赵会计"
    assert Settings().get(USER_NAME) == "赵会计"


def test_about_names_the_version_the_database_and_the_source(
    window: MainWindow, prompts: ScriptedPrompts
) -> None:
    window.about_action.trigger()
    (text,) = [box.text() for box in prompts.shown(QMessageBox)]
    workspace = window.controller.workspace
    assert __version__ in text
    assert str(window.controller.database.path) in text
    assert workspace.plan.source.split(" ")[0] in text and workspace.plan.title in text
    assert "demo" not in text.lower()  # the seed's figures are the departments' own
    assert "MIT" in text and "<a " not in text  # a source checkout has no notices file


def test_about_links_the_notices_of_the_installed_program(
    window: MainWindow, prompts: ScriptedPrompts, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    notices = tmp_path / "安装" / "THIRD-PARTY-NOTICES.txt"
    notices.parent.mkdir()
    notices.write_text("Qt for Python — LGPL-3.0", encoding="utf-8")
    monkeypatch.setattr(dialogs, "bundled_file", lambda *parts: notices)
    window.about_action.trigger()
    (box,) = prompts.shown(QMessageBox)
    link = QUrl.fromLocalFile(str(notices)).toString()
    assert f'<a href="{link}">THIRD-PARTY-NOTICES.txt</a>' in box.text()
    assert box.textInteractionFlags() & Qt.TextInteractionFlag.LinksAccessibleByMouse
