"""Several plans in one database: which one opens, choosing another on the command line and in
the window, and a plan's state deciding whether it takes figures."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from desktop.cli import main
from desktop.models.errors import PlanStateError, TargetMonitorError
from desktop.models.kinds import PlanState
from desktop.models.records import PlanInfo, choose_plan
from desktop.models.service import EntryService
from desktop.models.store import Database
from desktop.models.workspace import PlanWorkspace
from desktop.presentation.status_sheet import build_status_sheet
from tests.conftest import indicator_of
from tests.ui_helpers import ScriptedPrompts, grid_index, indicator_id

from desktop.ui.app import create_main_window
from desktop.ui.main_window import MainWindow
from desktop.ui.printing import sheet_html
from desktop.ui.settings import LAST_PLAN, Settings


def plan(code: str, start: str, end: str, state: PlanState = PlanState.ACTIVE) -> PlanInfo:
    return PlanInfo(
        0, code, code, int(start[:4]), dt.date.fromisoformat(start), dt.date.fromisoformat(end),
        "", state, None,
    )  # fmt: skip


# --- which plan opens -------------------------------------------------------------------------


def test_the_plan_whose_period_holds_today_opens_else_the_newest() -> None:
    old = plan("OLD", "2025-01-01", "2025-12-31")
    new = plan("NEW", "2026-01-01", "2026-12-31")
    draft = plan("DRAFT", "2026-01-01", "2026-12-31", PlanState.DRAFT)
    newest_first = (new, old)
    assert choose_plan(newest_first, None, dt.date(2025, 6, 1)) is old
    assert choose_plan(newest_first, None, dt.date(2026, 6, 1)) is new
    assert choose_plan(newest_first, None, dt.date(2027, 6, 1)) is new  # none holds it
    # next year's plan, still a draft, opens only when no other plan holds today
    assert choose_plan((draft, new), None, dt.date(2026, 6, 1)) is new
    assert choose_plan((draft, old), None, dt.date(2026, 6, 1)) is draft
    assert choose_plan(newest_first, "OLD", dt.date(2026, 6, 1)) is old
    with pytest.raises(TargetMonitorError, match=r"no plan with code .NOPE. .*NEW, OLD"):
        choose_plan(newest_first, "NOPE", dt.date(2026, 6, 1))


def test_the_seed_holds_three_plans_and_opens_the_2025_industry_plan(database: Database) -> None:
    workspace = PlanWorkspace(database, today=dt.date(2026, 11, 28))
    assert workspace.plan.code == "SY2025-MIS"
    assert [(p.code, p.state) for p in workspace.plans] == [
        ("SY2025-MIS", PlanState.ACTIVE),
        ("SY2025-SCI", PlanState.ACTIVE),
        ("SY2023-MIS", PlanState.CLOSED),
    ]
    in_2023 = PlanWorkspace(database, today=dt.date(2023, 5, 1))
    assert in_2023.plan.code == "SY2023-MIS" and in_2023.as_of == "2023-05"
    science = PlanWorkspace(database, plan_code="SY2025-SCI", as_of="2025-06")
    assert len(science.root_ids) == 3
    # each plan lists the departments that have a part in it
    assert {d.short_name for d in science.departments.values()} == {"科技局", "教育局", "组织部"}


# --- the command line ---------------------------------------------------------------------------


def test_every_command_takes_a_plan(capsys: pytest.CaptureFixture[str], seed_copy: Path) -> None:
    assert main(["--db", str(seed_copy), "tree", "--json", "--plan", "SY2023-MIS"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["plan"]["code"] == "SY2023-MIS" and document["plan"]["state"] == "closed"
    assert len(document["nodes"]) == 7
    assert {p["code"] for p in document["plans"]} == {"SY2023-MIS", "SY2025-MIS", "SY2025-SCI"}
    assert main(["--db", str(seed_copy), "tree", "--plan", "SY2025-SCI"]) == 0
    assert "科技强市" in capsys.readouterr().out
    code = main(["--db", str(seed_copy), "tree", "--plan", "NOPE"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "no plan with code 'NOPE'" in err
    science = seed_copy.parent / "science.xlsx"
    argv = ["--db", str(seed_copy), "export-template", "--plan", "SY2025-SCI"]
    assert main([*argv, "--department", "教育局", "--period", "2025-06", "-o", str(science)]) == 0
    assert "市教育局" in capsys.readouterr().out


def test_a_json_indicator_says_whether_its_source_names_its_department(
    capsys: pytest.CaptureFixture[str], seed_copy: Path
) -> None:
    assert main(["--db", str(seed_copy), "tree", "--json", "--plan", "SY2023-MIS"]) == 0
    document = json.loads(capsys.readouterr().out)
    indicators = [
        indicator
        for project in document["nodes"]
        for task in project["children"]
        for measure in task["children"]
        for indicator in measure["indicators"]
    ]
    named = [i for i in indicators if i["department_named"]]
    assert named and all(i["department_quote"] for i in named)
    assert all(not i["department_named"] and i["department_quote"] is None for i in indicators
               if i not in named)  # fmt: skip
    paired = {i["code"]: i["quantity"] for i in indicators if i["quantity"]}
    assert paired["6.1.1-1"] == "green_building_share"


# --- a plan's state -------------------------------------------------------------------------


def test_a_closed_plan_takes_no_figures_and_says_so(database: Database) -> None:
    service = EntryService(database, "王填报")
    closed = indicator_of(database, "2.1.1-1", plan="SY2023-MIS")
    with pytest.raises(PlanStateError, match="SY2023-MIS is closed") as refused:
        service.set_value(closed, "2023-06", 10, expected=None)
    assert refused.value.state == "closed"
    with sqlite3.connect(database.path) as connection:
        assert connection.execute("SELECT count(*) FROM entries").fetchone() == (0,)
        assert connection.execute("SELECT count(*) FROM audit_events").fetchone() == (0,)
    connection.close()
    service.set_value(indicator_of(database, "2.1.1-1"), "2025-06", 10, expected=None)  # active


# --- the window ---------------------------------------------------------------------------------


def choose(window: MainWindow, code: str) -> None:
    """A plan chosen from the toolbar, as a person would."""
    window.plan_selector.setCurrentIndex(window.plan_selector.findData(code))


def test_the_window_switches_plans_and_reopens_the_last_one(
    qtbot: QtBot, window: MainWindow, seed_copy: Path, settings: Settings
) -> None:
    assert window.plan_selector.currentData() == "SY2025-MIS"
    assert window.plan_selector.count() == 3
    assert "2025-12-31" in window.plan_banner.text() and window.plan_banner.isVisible()
    window.department_filter.setCurrentIndex(window.department_filter.findText("科技局"))
    choose(window, "SY2025-SCI")
    workspace = window.controller.workspace
    assert workspace.plan.code == "SY2025-SCI"
    assert len(workspace.root_ids) == 3  # three areas
    # the tree shows those where the department kept in the filter has indicators
    science = next(d.id for d in workspace.departments.values() if d.short_name == "科技局")
    shown = {
        workspace.nodes[workspace.ancestors(i.measure_id)[-1]].title
        for i in workspace.indicators.values()
        if i.department_id == science
    }
    plan = window.tree_model.index(0, 0)
    rows = window.tree_model.rowCount(plan)
    areas = {window.tree_model.index(r, 0, plan).data().split(" ", 1)[1] for r in range(rows)}
    assert areas == shown and 0 < len(areas) < 3
    departments = [window.department_filter.itemText(i) for i in range(1, 4)]
    assert sorted(departments) == sorted(["组织部", "教育局", "科技局"])
    assert window.department_filter.currentText() == "科技局"  # kept: this plan has it too
    assert workspace.plan.title in window.windowTitle()
    assert [window.period_selector.itemData(i) for i in (0, 11)] == ["2025-01", "2025-12"]
    assert not window.undo_action.isEnabled()
    assert settings.get(LAST_PLAN) == "SY2025-SCI"
    window.close()
    window.controller.database.close()
    again = create_main_window(seed_copy, settings=settings, prompts=ScriptedPrompts())
    qtbot.addWidget(again)
    try:
        assert again.controller.workspace.plan.code == "SY2025-SCI"
    finally:
        again.close()
        again.controller.database.close()


def test_a_closed_plan_is_shown_read_only_and_says_so(qtbot: QtBot, window: MainWindow) -> None:
    choose(window, "SY2023-MIS")
    assert "read" in window.plan_banner.text() or "只读" in window.plan_banner.text()
    index = grid_index(window, "2.1.1-1", "2023-06")
    assert not index.flags() & Qt.ItemFlag.ItemIsEditable
    window.grid.setCurrentIndex(index)
    window.grid.setFocus()
    QTest.keyClicks(window.grid, "5")  # typing starts no editor
    assert window.grid.state() != window.grid.State.EditingState
    choose(window, "SY2025-MIS")
    assert grid_index(window, "2.1.1-1", "2025-06").flags() & Qt.ItemFlag.ItemIsEditable


def test_the_banner_s_link_offers_the_other_plans(qtbot: QtBot, window: MainWindow) -> None:
    shown: list[bool] = []
    window.plan_selector.showPopup = lambda: shown.append(True)  # type: ignore[method-assign]
    window.plan_banner.linkActivated.emit("plans")
    assert shown == [True]


def test_a_department_the_source_does_not_name_says_so_on_screen_and_on_paper(
    window: MainWindow,
) -> None:
    grid = window.grid_model
    window.select_node(None)
    row = grid.row_of(indicator_id(window, "2.1.1-1"))
    assert row is not None
    tooltip = grid.index(row, 1).data(Qt.ItemDataRole.ToolTipRole)
    assert "the source names no department" in tooltip
    sheet = build_status_sheet(window.controller.workspace)
    html = sheet_html(sheet)
    assert "工信局*" in html and "原文未点名,为编者按职责推定" in html
    window.plan_selector.setCurrentIndex(window.plan_selector.findData("SY2023-MIS"))
    named = next(i for i in window.controller.workspace.indicators.values() if i.department_quote)
    window.select_node(None)
    row = grid.row_of(named.id)
    assert row is not None
    assert named.department_quote in grid.index(row, 1).data(Qt.ItemDataRole.ToolTipRole)
