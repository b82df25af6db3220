"""Next year's plan from this one, its targets set, moved to 执行中 and filled in, while last
year's plan stays readable; the moves between 草稿, 执行中 and 已结束."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from desktop.cli import main
from desktop.exchange.layout import ENTRY_SHEET, FIRST_DATA_ROW
from desktop.models.errors import InvalidEntryError, PlanStateError, StaleSettingsError
from desktop.models.kinds import MilestoneState, PlanState
from desktop.models.plan_service import PlanService, next_code, next_year
from desktop.models.service import EntryService
from desktop.models.store import Database
from desktop.models.workspace import PlanWorkspace
from tests.conftest import FixedClock, indicator_of, new_entry
from tests.test_main_window import type_into_cell
from tests.ui_helpers import ScriptedPrompts, grid_index, indicator_id, messages

from desktop.ui.grid_model import GridColumn
from desktop.ui.main_window import MainWindow
from desktop.ui.plan_dialogs import ImportPlanDialog, NextPlanDialog, TargetDialog
from desktop.ui.tree_model import TreeColumn

NEXT = "SY2026-MIS"


@pytest.fixture
def reported(database: Database) -> Database:
    """The 2025 plan with a few figures: a count reported twice, a level once, a milestone."""
    EntryService(database, "王填报", clock=FixedClock()).apply(
        [
            new_entry(indicator_of(database, "2.1.1-1"), "2025-05", value=100),
            new_entry(indicator_of(database, "2.1.1-1"), "2025-11", value=290),
            new_entry(indicator_of(database, "5.2.1-1"), "2025-09", value=96.5),
            new_entry(
                indicator_of(database, "5.1.1-1"), "2025-12", milestone_state=MilestoneState.DONE
            ),
        ]
    )
    return database


def test_next_year_s_plan_copies_the_structure_with_baselines_from_the_last_reports(
    reported: Database,
) -> None:
    made = PlanService(reported, "李主任", clock=FixedClock()).next_year_plan("SY2025-MIS")
    assert made == NEXT
    last_year = PlanWorkspace(reported, plan_code="SY2025-MIS", as_of="2025-12")
    plan = PlanWorkspace(reported, plan_code=NEXT)
    assert plan.plan.state is PlanState.DRAFT and plan.plan.year == 2026
    assert (plan.plan.start, plan.plan.end) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert plan.plan.title == last_year.plan.title
    assert plan.light_settings.thresholds == last_year.light_settings.thresholds

    def shape(workspace: PlanWorkspace) -> list[tuple[str, str, str | None, str]]:
        nodes = workspace.nodes
        return [
            (
                n.code,
                n.title,
                None if n.parent_id is None else nodes[n.parent_id].code,
                workspace.departments[n.department_id].name,
            )
            for n in nodes.values()
        ]

    assert shape(plan) == shape(last_year)
    new = {i.code: i for i in plan.indicators.values()}
    old = {i.code: i for i in last_year.indicators.values()}
    assert set(new) == set(old)
    for code, indicator in new.items():
        assert indicator.due == next_year(old[code].due)
        assert (indicator.name, indicator.unit, indicator.kind) == (
            old[code].name,
            old[code].unit,
            old[code].kind,
        )
        assert indicator.target is None and indicator.stretch_target is None  # 待定
    # a level's baseline: its last figure reported, with its month, as the source says
    share = new["5.2.1-1"]
    assert (share.baseline, share.baseline_date) == (96.5, dt.date(2025, 9, 30))
    assert share.baseline_source == "2025年09月填报值" and not share.baseline_date_inferred
    # a count of the year starts again from zero; last year's figure is said in its note
    counted = new["2.1.1-1"]
    assert counted.baseline is None and "上年实绩 290个(2025年11月填报值)" in counted.note
    assert new["5.1.1-1"].baseline is None  # a milestone has none
    assert new["1.1.1-1"].baseline is None  # nothing reported: no baseline carried over
    with sqlite3.connect(reported.path) as connection:
        copied = connection.execute(
            "SELECT count(*) FROM entries JOIN indicators ON indicators.id = indicator_id "
            "JOIN plans ON plans.id = indicators.plan_id WHERE plans.code = ?",
            (NEXT,),
        ).fetchone()
        audit = connection.execute(
            "SELECT user, field, old_value, new_value FROM audit_events WHERE entity = 'plan'"
        ).fetchall()
    connection.close()
    assert copied == (0,)  # no figure is copied
    assert audit == [("李主任", "created", "SY2025-MIS", NEXT)]


def test_a_plan_code_is_unique_and_well_formed(database: Database) -> None:
    service = PlanService(database, "李主任")
    assert next_code("SY2025-MIS", 2025) == "SY2026-MIS" and next_code("CITY", 2025) == "CITY-2026"
    with pytest.raises(InvalidEntryError, match="there is a plan SY2025-SCI already"):
        service.next_year_plan("SY2025-MIS", new_code="SY2025-SCI")
    with pytest.raises(InvalidEntryError, match="is no plan code"):
        service.next_year_plan("SY2025-MIS", new_code="2026 计划")
    with pytest.raises(InvalidEntryError, match="there is no plan NOPE"):
        service.next_year_plan("NOPE")


def test_a_draft_becomes_active_only_with_every_target_set_then_takes_figures(
    reported: Database,
) -> None:
    plans = PlanService(reported, "李主任")
    plans.next_year_plan("SY2025-MIS")
    draft = PlanWorkspace(reported, plan_code=NEXT)
    january = indicator_of(reported, "2.1.1-1", plan=NEXT)
    clerk = EntryService(reported, "王填报")
    with pytest.raises(PlanStateError, match="is a draft"):
        clerk.set_value(january, "2026-01", 20, expected=None)
    with pytest.raises(InvalidEntryError, match=r"cannot become active: .*2\.1\.1-1.* 待定"):
        plans.set_state(NEXT, PlanState.ACTIVE, expected=PlanState.DRAFT)
    numeric = [i for i in draft.indicators.values() if not i.is_milestone]
    for number, indicator in enumerate(numeric, start=1):
        plans.set_target(NEXT, indicator.code, float(number * 10), expected=None)
    with pytest.raises(StaleSettingsError, match="待定"):  # someone else set it meanwhile
        plans.set_target(NEXT, numeric[0].code, 5, expected=None)
    with pytest.raises(InvalidEntryError, match="milestone"):
        plans.set_target(NEXT, "5.1.1-1", 1, expected=None)
    plans.set_state(NEXT, PlanState.ACTIVE, expected=PlanState.DRAFT)
    with pytest.raises(InvalidEntryError, match="in the plan editor"):
        plans.set_target(NEXT, numeric[0].code, 5, expected=10)
    clerk.set_value(january, "2026-01", 20, expected=None)  # January's figure
    active = PlanWorkspace(reported, plan_code=NEXT, as_of="2026-01")
    assert active.entry(january, "2026-01").value == 20  # type: ignore[union-attr]
    last_year = PlanWorkspace(reported, plan_code="SY2025-MIS", as_of="2025-12")
    assert last_year.latest(indicator_of(reported, "2.1.1-1"))[1].value == 290  # type: ignore[index]
    with pytest.raises(InvalidEntryError, match="holds figures"):
        plans.set_state(NEXT, PlanState.DRAFT, expected=PlanState.ACTIVE)
    with pytest.raises(StaleSettingsError, match="moved by someone else"):
        plans.set_state(NEXT, PlanState.CLOSED, expected=PlanState.DRAFT)
    plans.set_state(NEXT, PlanState.CLOSED, expected=PlanState.ACTIVE)
    with pytest.raises(PlanStateError, match="is closed"):
        clerk.set_value(january, "2026-01", 21, expected=20)
    plans.set_state(NEXT, PlanState.ACTIVE, expected=PlanState.CLOSED)  # reopened
    clerk.set_value(january, "2026-01", 21, expected=20)


def test_the_command_line_makes_next_year_s_plan_and_a_department_reports_into_it(
    capsys: pytest.CaptureFixture[str], seed_copy: Path, tmp_path: Path
) -> None:
    db = ["--db", str(seed_copy)]
    assert main([*db, "--plan", "SY2025-MIS", "next-plan", "--user", "李主任"]) == 0
    assert "SY2026-MIS" in capsys.readouterr().out
    assert main([*db, "--plan", NEXT, "plan-state", "active"]) == 1
    assert "待定" in capsys.readouterr().err
    database = sqlite3.connect(seed_copy)
    numeric = [
        code
        for (code,) in database.execute(
            "SELECT i.code FROM indicators AS i JOIN plans AS p ON p.id = i.plan_id "
            "WHERE p.code = ? AND i.kind != 'milestone'",
            (NEXT,),
        )
    ]
    database.close()
    for code in numeric:
        assert main([*db, "--plan", NEXT, "set-target", code, "100"]) == 0
    assert main([*db, "--plan", NEXT, "set-target", numeric[0], "many"]) == 1
    assert main([*db, "--plan", NEXT, "plan-state", "执行中"]) == 0
    capsys.readouterr()
    template = tmp_path / "发改委.xlsx"
    export = [*db, "--plan", NEXT, "export-template", "--department", "发改委"]
    assert main([*export, "--period", "2026-01", "-o", str(template)]) == 0
    workbook = openpyxl.load_workbook(template)
    workbook[ENTRY_SHEET][f"J{FIRST_DATA_ROW}"] = 7  # 4.2.1-1 in January
    workbook.save(template)
    assert main([*db, "--plan", NEXT, "import", str(template), "--user", "导入员"]) == 0
    capsys.readouterr()
    assert main([*db, "--plan", NEXT, "tree", "--period", "2026-01"]) == 0
    tree = capsys.readouterr().out
    assert "[SY2026-MIS · 执行中]" in tree and "最新 7项" in tree
    assert main([*db, "--plan", "SY2025-MIS", "tree"]) == 0  # last year's stays readable
    assert "[SY2025-MIS · 执行中]" in capsys.readouterr().out


# --- the window -----------------------------------------------------------------------------


@pytest.mark.usefixtures("reported")
def test_a_manager_makes_next_year_s_plan_in_the_window_and_a_clerk_reports_into_it(
    qtbot: QtBot, window: MainWindow, prompts: ScriptedPrompts
) -> None:
    window.reload_action.trigger()  # the 2025 figures reported by the fixture
    assert not window.activate_plan_action.isEnabled()  # 2025's plan is active already

    def name_it(dialog: NextPlanDialog) -> bool:
        assert dialog.code.text() == NEXT  # the year replaced
        return True

    prompts.on(NextPlanDialog, name_it)
    window.next_plan_action.trigger()
    workspace = window.controller.workspace
    assert workspace.plan.code == NEXT and window.plan_selector.currentData() == NEXT
    assert "draft" in window.plan_banner.text()
    assert window.activate_plan_action.isEnabled() and window.target_action.isEnabled()
    assert not window.grid_model.flags(grid_index(window, "2.1.1-1", "2026-01")) & (
        Qt.ItemFlag.ItemIsEditable
    )  # a draft takes no figures
    completion = window.tree_model.index_of_node(None, TreeColumn.COMPLETION)
    assert completion.data() == "—"  # nothing to complete yet, not "0.0%"
    window.select_node(None)
    fixed = window.progress.fixed_columns
    row = window.grid_model.row_of(indicator_id(window, "2.1.1-1"))
    assert row is not None
    target_cell = window.grid_model.index(row, GridColumn.TARGET)
    assert target_cell.data() == "待定"

    def set_to(text: str) -> Callable[[TargetDialog], bool]:
        def answer(dialog: TargetDialog) -> bool:
            dialog.pending.setChecked(False)
            dialog.target.setText(text)
            dialog.accept()
            return dialog.result() == QDialog.DialogCode.Accepted

        return answer

    prompts.on(TargetDialog, set_to("三百"))  # refused in the dialog: it stays open
    fixed.doubleClicked.emit(target_cell)
    assert prompts.shown(TargetDialog)[-1].problem.text()
    prompts.on(TargetDialog, set_to("320"))
    fixed.doubleClicked.emit(target_cell)
    assert window.grid_model.index(row, GridColumn.TARGET).data() == "320 个"
    window.activate_plan_action.trigger()  # refused: the other targets are pending
    assert any("pending" in text or "待定" in text for text in messages(window))
    assert window.controller.workspace.plan.state is PlanState.DRAFT
    plans = PlanService(window.controller.database, "李主任")
    for indicator in window.controller.workspace.indicators.values():
        if indicator.target is None and not indicator.is_milestone:
            plans.set_target(NEXT, indicator.code, 10, expected=None)
    window.reload_action.trigger()
    window.activate_plan_action.trigger()  # prompts answer yes
    assert window.controller.workspace.plan.state is PlanState.ACTIVE
    completion = window.tree_model.index_of_node(None, TreeColumn.COMPLETION)
    assert completion.data() == "0.0%"  # active, nothing reported yet
    assert window.close_plan_action.isEnabled() and not window.target_action.isEnabled()
    window.period_selector.setCurrentIndex(window.period_selector.findData("2026-01"))
    type_into_cell(qtbot, window, "2.1.1-1", "2026-01", "25")
    assert grid_index(window, "2.1.1-1", "2026-01").data() == "25"
    window.plan_selector.setCurrentIndex(window.plan_selector.findData("SY2025-MIS"))
    assert window.controller.workspace.plan.code == "SY2025-MIS"
    assert grid_index(window, "2.1.1-1", "2025-11").data() == "290"  # last year's, readable


def test_a_plan_goes_out_as_a_workbook_and_comes_back_as_a_draft_in_the_window(
    window: MainWindow, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    prompts.path = tmp_path / "plan.xlsx"
    window.export_plan_action.trigger()
    assert prompts.path.is_file()
    codes: list[str] = []

    def name_it(dialog: ImportPlanDialog) -> bool:
        codes.append(dialog.code.text())
        dialog.code.setText("SY2026-DRAFT")
        return True

    prompts.on(ImportPlanDialog, name_it)
    window.import_plan_action.trigger()
    assert codes == [NEXT]  # SY2025-MIS is taken: next year's code is offered
    workspace = window.controller.workspace
    assert workspace.plan.code == "SY2026-DRAFT" and workspace.plan.state is PlanState.DRAFT
    assert len(workspace.indicators) == 48
    assert window.plan_selector.currentData() == "SY2026-DRAFT"
    prompts.path = tmp_path / "nothing.xlsx"
    prompts.path.write_bytes(b"not a workbook")
    window.import_plan_action.trigger()
    assert any("nothing.xlsx" in text for text in messages(window))
    assert window.controller.workspace.plan.code == "SY2026-DRAFT"


def fill_targets(path: Path, value: float) -> int:
    """A planning office fills every pending target of a plan workbook, as in Excel."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["结构"]
    header = [cell.value for cell in sheet[1]]
    target, kind = header.index("目标值") + 1, header.index("指标类型") + 1
    filled = 0
    for row in range(2, sheet.max_row + 1):
        numeric = sheet.cell(row, 1).value == "指标" and sheet.cell(row, kind).value != "里程碑"
        if numeric and sheet.cell(row, target).value is None:
            sheet.cell(row, target).value = value
            filled += 1
    workbook.save(path)
    return filled


def test_a_draft_s_targets_come_back_from_its_workbook_into_the_same_plan(
    capsys: pytest.CaptureFixture[str], seed_copy: Path, tmp_path: Path
) -> None:
    db = ["--db", str(seed_copy)]
    assert main([*db, "--plan", "SY2025-MIS", "next-plan"]) == 0
    workbook = tmp_path / "2026.xlsx"
    assert main([*db, "--plan", NEXT, "export-plan", "-o", str(workbook)]) == 0
    assert fill_targets(workbook, 50) == 27
    capsys.readouterr()
    assert main([*db, "import-plan", str(workbook), "--into", NEXT, "--dry-run"]) == 0
    said = capsys.readouterr().out
    assert "修改 27 项" in said and "dry run" in said
    assert main([*db, "import-plan", str(workbook), "--into", NEXT]) == 0
    assert main([*db, "--plan", NEXT, "plan-state", "active"]) == 0
    assert main([*db, "import-plan", str(workbook), "--into", NEXT]) == 1  # no longer a draft
    assert "不是草稿" in capsys.readouterr().err
    database = sqlite3.connect(seed_copy)
    plans = database.execute("SELECT count(*) FROM plans WHERE code LIKE '~%'").fetchone()
    audit = database.execute(
        "SELECT field, new_value FROM audit_events WHERE entity = 'plan' AND field = 'replaced'"
    ).fetchall()
    database.close()
    assert plans == (0,) and audit == [("replaced", "新增 0 项、修改 27 项、删除 0 项")]


def test_the_window_offers_to_replace_the_draft_shown(
    window: MainWindow, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    PlanService(window.controller.database, "李主任").next_year_plan("SY2025-MIS")
    window.reload_action.trigger()
    window.plan_selector.setCurrentIndex(window.plan_selector.findData(NEXT))
    prompts.path = tmp_path / "2026.xlsx"
    window.export_plan_action.trigger()
    fill_targets(prompts.path, 60)
    offered: list[str] = []

    def replace_it(dialog: ImportPlanDialog) -> bool:
        assert dialog.replace.isChecked() and not dialog.code.isEnabled()
        offered.append(dialog.changes.text())
        return True

    prompts.on(ImportPlanDialog, replace_it)
    window.import_plan_action.trigger()
    assert offered and "27" in offered[0]
    workspace = window.controller.workspace
    assert workspace.plan.code == NEXT and len(workspace.plans) == 4  # no plan added
    assert all(i.target == 60 for i in workspace.indicators.values() if not i.is_milestone)
    window.activate_plan_action.trigger()
    assert window.controller.workspace.plan.state is PlanState.ACTIVE
