"""The plan editor in the window: a manager's mode whose every change is one undo step, audited;
forms that keep what was typed when a rule is broken; archived parts with their figures."""

from __future__ import annotations

import datetime as dt

from pytestqt.qtbot import QtBot
from sqlalchemy import select

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from desktop.models.plan_editor import record_fields
from desktop.models.plan_parts import INDICATOR, NODE
from desktop.models.schema import AuditEvent, Department
from tests.conftest import new_entry
from tests.ui_helpers import ScriptedPrompts, indicator_id, messages, node_id, visible_codes

from desktop.ui.main_window import MainWindow
from desktop.ui.plan_editor_dialogs import (
    ArchivedDialog,
    DepartmentDialog,
    DepartmentsDialog,
    IndicatorDialog,
    MergeDialog,
    NodeDialog,
)


def grid_codes(window: MainWindow) -> list[str]:
    model = window.grid_model
    workspace = window.controller.workspace
    return [workspace.indicators[model.indicator_at(row)].code for row in range(model.rowCount())]


def editing(window: MainWindow) -> None:
    window.editor.mode_action.trigger()
    assert window.editor.on and window.editor.toolbar.isVisibleTo(window)


def submitted(dialog: QDialog) -> bool:
    """The user presses OK: the form closes only when it breaks no rule."""
    dialog.accept()
    return dialog.result() == QDialog.DialogCode.Accepted


def test_an_indicator_added_in_the_window_is_one_undo_step_and_audited(
    window: MainWindow, prompts: ScriptedPrompts
) -> None:
    editing(window)
    window.select_node(node_id(window, "1.1.1"))
    assert window.editor.add_indicator_action.isEnabled()

    def fill_in(dialog: IndicatorDialog) -> bool:
        assert dialog.code.text() == "1.1.1-3"  # the next free code below the measure
        dialog.name.setText("新建产业集群")
        dialog.unit.setCurrentText("个")
        dialog.target.setText("4")
        return submitted(dialog)

    prompts.on(IndicatorDialog, fill_in)
    window.editor.add_indicator_action.trigger()
    assert "1.1.1-3" in grid_codes(window)
    added = indicator_id(window, "1.1.1-3")
    assert window.controller.workspace.indicators[added].target == 4.0
    with window.controller.database.read() as session:
        events = session.scalars(
            select(AuditEvent.field).where(
                AuditEvent.entity == INDICATOR, AuditEvent.entity_id == added
            )
        ).all()
    assert events == ["created"]
    window.undo_action.trigger()
    assert "1.1.1-3" not in grid_codes(window)
    window.redo_action.trigger()
    assert "1.1.1-3" in grid_codes(window)


def test_a_form_breaking_a_rule_stays_open_with_the_field_marked_and_what_was_typed(
    window: MainWindow, prompts: ScriptedPrompts
) -> None:
    editing(window)
    window.select_node(node_id(window, "1.1.1"))
    seen: list[str] = []

    def duplicate(dialog: IndicatorDialog) -> bool:
        dialog.code.setText("1.1.1-1")
        dialog.name.setText("重复编号")
        dialog.target.setText("5")
        dialog.due.setDate(dt.date(2026, 6, 30))
        assert not submitted(dialog)
        seen.append(dialog.problem.text())
        assert dialog.code.styleSheet() and dialog.due.styleSheet()
        assert dialog.name.text() == "重复编号"  # nothing typed is lost
        return False

    prompts.on(IndicatorDialog, duplicate)
    window.editor.add_indicator_action.trigger()
    assert "1.1.1-1" in seen[0] and "already" in seen[0]
    assert "outside the plan (2025-01-01 to 2025-12-31)" in seen[0]
    assert grid_codes(window).count("1.1.1-1") == 1


def test_an_indicator_edited_archived_and_restored_keeps_its_figures(
    qtbot: QtBot, window: MainWindow, prompts: ScriptedPrompts
) -> None:
    controller = window.controller
    indicator = indicator_id(window, "2.1.2-1")
    controller.service.apply([new_entry(indicator, "2025-05", value=41.0)])
    controller.reload()
    editing(window)
    window.jump_to_indicator(indicator)
    window.editor.set_area(INDICATOR)

    def new_target(dialog: IndicatorDialog) -> bool:
        assert not dialog.kind.isEnabled()  # it holds figures: its kind stays
        dialog.target.setText("150")
        return submitted(dialog)

    prompts.on(IndicatorDialog, new_target)
    window.editor.edit_action.trigger()
    assert controller.workspace.indicators[indicator].target == 150.0
    window.undo_action.trigger()
    assert controller.workspace.indicators[indicator].target != 150.0
    window.jump_to_indicator(indicator)
    window.editor.set_area(INDICATOR)
    window.editor.archive_action.trigger()
    assert "2.1.2-1" not in grid_codes(window)
    assert indicator not in controller.workspace.indicators

    def restore(dialog: ArchivedDialog) -> bool:
        assert dialog.table.item(0, 0).text() == "2.1.2-1"  # type: ignore[union-attr]
        assert "2025-05: 41" in dialog.table.item(0, 2).text()  # type: ignore[union-attr]
        dialog.table.selectRow(0)
        return True

    prompts.on(ArchivedDialog, restore)
    window.editor.archived_action.trigger()
    assert controller.workspace.latest(indicator) is not None
    assert "2.1.2-1" in grid_codes(window)


def test_nodes_added_moved_and_the_tree_follows(
    window: MainWindow, prompts: ScriptedPrompts
) -> None:
    editing(window)
    window.select_node(node_id(window, "1"))
    window.editor.set_area(NODE)

    def task(dialog: NodeDialog) -> bool:
        assert dialog.code.text() == "1.3"
        dialog.title.setText("新增重点任务")
        return submitted(dialog)

    prompts.on(NodeDialog, task)
    window.editor.add_child_action.trigger()
    assert "1.3" in visible_codes(window)
    added = node_id(window, "1.3")
    assert window.grid_model.node_id == added
    window.editor.up_action.trigger()
    parent = window.controller.workspace.nodes[node_id(window, "1")]
    assert parent.child_ids.index(added) == 1
    window.undo_action.trigger()
    parent = window.controller.workspace.nodes[node_id(window, "1")]
    assert parent.child_ids[-1] == added


def test_departments_added_renamed_merged_and_the_merge_undone(
    window: MainWindow, prompts: ScriptedPrompts
) -> None:
    editing(window)
    controller = window.controller

    def new_one(dialog: DepartmentDialog) -> bool:
        if not dialog.name.text():
            dialog.name.setText("市数据局")
            dialog.short_name.setText("数据局")
        else:  # renamed
            dialog.short_name.setText("数据")
        return submitted(dialog)

    def merge_into_industry(dialog: MergeDialog) -> bool:
        dialog.into.setCurrentIndex(dialog.into.findText("市工业和信息化局"))
        return True

    def manage(dialog: DepartmentsDialog) -> None:
        dialog.add_button.click()
        assert dialog.table.findItems("市数据局", Qt.MatchFlag.MatchExactly)
        dialog.rename_button.click()
        science = next(
            row
            for row in range(dialog.table.rowCount())
            if dialog.table.item(row, 0).text() == "市科技局"  # type: ignore[union-attr]
        )
        dialog.table.selectRow(science)
        dialog.merge_button.click()
        state = dialog.table.item(science, 2).text()  # type: ignore[union-attr]
        assert "市工业和信息化局" in state

    prompts.on(DepartmentDialog, new_one)
    prompts.on(MergeDialog, merge_into_industry)
    prompts.on(DepartmentsDialog, manage)
    window.editor.departments_action.trigger()
    with controller.database.read() as session:
        names = dict(session.execute(select(Department.name, Department.short_name)).all())
    assert names["市数据局"] == "数据"
    shown = {d.name for d in controller.workspace.departments.values()}
    assert "市科技局" not in shown
    window.undo_action.trigger()  # the merge
    assert "市科技局" in {d.name for d in controller.workspace.departments.values()}
    science = next(i for i, d in controller.workspace.departments.items() if d.name == "市科技局")
    assert record_fields(controller.database, "department", science)["merged_into_id"] is None


def test_a_closed_plan_offers_no_editing(window: MainWindow) -> None:
    window.switch_plan("SY2023-MIS")
    assert not window.editor.mode_action.isEnabled()
    assert "closed" in window.editor.mode_action.toolTip()
    assert not messages(window)


def test_an_indicator_below_an_archived_measure_is_listed_and_brought_back_with_it(
    window: MainWindow, prompts: ScriptedPrompts
) -> None:
    controller = window.controller
    indicator = indicator_id(window, "2.1.2-1")
    controller.service.apply([new_entry(indicator, "2025-04", value=12.0)])
    controller.reload()
    editing(window)
    measure = node_id(window, "2.1.2")
    window.select_node(measure)
    window.editor.set_area(NODE)
    window.editor.archive_action.trigger()
    assert "2.1.2" not in visible_codes(window)
    assert indicator not in controller.workspace.indicators

    def restore_the_indicator(dialog: ArchivedDialog) -> bool:
        rows = {dialog.table.item(r, 0).text(): r for r in range(dialog.table.rowCount())}  # type: ignore[union-attr]
        figures = dialog.table.item(rows["2.1.2-1"], 2).text()  # type: ignore[union-attr]
        assert "2025-04: 12" in figures and "archived" in figures
        dialog.table.selectRow(rows["2.1.2-1"])
        return True

    prompts.on(ArchivedDialog, restore_the_indicator)
    window.editor.archived_action.trigger()
    assert "2.1.2" in visible_codes(window)  # the measure came back, and its indicator
    assert controller.workspace.latest(indicator) is not None
