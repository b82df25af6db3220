"""A parent's light means what it says, and the thresholds belong to the plan, not to one PC.

June 2025 (序时进度 49.6 %): project 5's measures 5.1.1, 5.1.2 and 5.2.1 are done; measure
5.2.2 (装配式建筑 75 %) reports 10 %, its completion 13.3 %: red. Task 5.2 rolls up to 56.7 %,
ahead of its 序时进度: green, with one red part, which its tooltip, the 总览 and the printed
sheet name. Under the worst-child rule (a plan setting) the task is red, as it used to be.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from PySide6.QtCore import QCoreApplication, QSettings, Qt
from PySide6.QtWidgets import QApplication

from desktop.cli import main
from desktop.models.errors import InvalidEntryError, StaleSettingsError
from desktop.models.kinds import MilestoneState, ParentLight
from desktop.models.opening import open_database
from desktop.models.schema import AuditEvent
from desktop.models.service import EntryService
from desktop.models.status_rule import LightSettings, Status, Thresholds
from desktop.models.store import Database
from desktop.models.workspace import PlanWorkspace
from desktop.presentation.status_sheet import build_status_sheet
from tests.conftest import new_entry
from tests.ui_helpers import ScriptedPrompts, indicator_id, messages, node_id

from desktop.ui.app import create_main_window
from desktop.ui.i18n import install_translators
from desktop.ui.light_settings import IndicatorThresholdsDialog, LightSettingsDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.printing import sheet_html
from desktop.ui.settings import RED_POINTS, USER_NAME, YELLOW_POINTS, Settings
from desktop.ui.tree_model import STATUS_ROLE, TreeColumn

RED_PART = "5.2.2 "  # the red measure's code, as its name starts


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[None]:
    """The window in Chinese, as its users see it."""
    translators = install_translators(qapp, "zh_CN")
    yield
    for translator in translators:
        QCoreApplication.removeTranslator(translator)


def report_project_5(database: Database) -> None:
    workspace = PlanWorkspace(database, as_of="2025-06")
    ids = {i.code: i.id for i in workspace.indicators.values()}
    done = MilestoneState.DONE
    EntryService(database, "张三").apply(
        [
            new_entry(ids["5.1.1-1"], "2025-06", milestone_state=done),
            new_entry(ids["5.1.2-1"], "2025-06", milestone_state=done),
            new_entry(ids["5.2.1-2"], "2025-06", milestone_state=done),
            new_entry(ids["5.2.1-1"], "2025-06", value=100),
            new_entry(ids["5.2.2-1"], "2025-06", value=10),  # 13.3 % of 75 %: red
            new_entry(ids["2.1.1-1"], "2025-06", value=120),  # 40 %: 9.6 points behind
        ]
    )


def light_settings(database: Database) -> LightSettings:
    return PlanWorkspace(database, as_of="2025-06").light_settings


def threshold_events(database: Database) -> list[tuple[str, str, str | None, str | None]]:
    with database.read() as session:
        return [
            (e.user, e.field, e.old_value, e.new_value)
            for e in session.scalars(
                select(AuditEvent).where(AuditEvent.entity == "plan").order_by(AuditEvent.id)
            )
        ]


def set_worst_child(database: Database) -> None:
    EntryService(database, "李主任").set_light_settings(
        PlanWorkspace(database).plan.id,
        LightSettings(Thresholds(), ParentLight.WORST),
        expected=LightSettings(),
    )


def open_window(
    qtbot: QtBot, path: Path, settings: Settings, prompts: ScriptedPrompts | None = None
) -> MainWindow:
    window = create_main_window(path, settings=settings, as_of="2025-06", prompts=prompts)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def close(window: MainWindow) -> None:
    window.close()
    window.controller.database.close()


def settings_in(folder: Path, name: str, user: str) -> Settings:
    store = Settings(QSettings(str(folder / f"{name}.ini"), QSettings.Format.IniFormat))
    store.set(USER_NAME, user)
    return store


def status_cell(window: MainWindow, code: str) -> tuple[Status, str, str]:
    index = window.tree_model.index_of_node(node_id(window, code), TreeColumn.STATUS)
    return (
        Status(index.data(STATUS_ROLE)),
        index.data(Qt.ItemDataRole.DisplayRole),
        index.data(Qt.ItemDataRole.ToolTipRole),
    )


# --- a parent's light -------------------------------------------------------------------------


@pytest.mark.usefixtures("chinese")
def test_a_task_ahead_of_its_planned_progress_is_green_and_names_its_red_part(
    qtbot: QtBot, seed_copy: Path, settings: Settings
) -> None:
    database = open_database(seed_copy)
    report_project_5(database)
    database.close()
    window = open_window(qtbot, seed_copy, settings)
    try:
        workspace = window.controller.workspace
        task = workspace.rollups[node_id(window, "5.2")]
        assert task.completion == pytest.approx((1.0 + 10 / 75) / 2)  # 56.7 % against 49.6 %
        status, shown, tooltip = status_cell(window, "5.2")
        assert status is Status.GREEN
        assert shown == "正常 · 红 1"
        assert "56.7%" in tooltip and "49.6%" in tooltip
        assert f"红灯:{RED_PART}" in tooltip
        assert status_cell(window, "5.2.2")[0] is Status.RED
        assert status_cell(window, "5")[1] == "正常"  # no red or yellow task: nothing counted
        # The 总览 of the task names its red part too.
        window.select_node(node_id(window, "5.2"))
        window.dashboard.set_node(node_id(window, "5.2"))
        window.dashboard.show()
        window.dashboard.refresh()
        assert RED_PART in window.dashboard.lagging_parts.text()
        assert "正常 · 红 1" in window.dashboard.headline.text()
    finally:
        close(window)


def test_the_printed_headline_reads_the_parents_own_light(database: Database) -> None:
    report_project_5(database)
    workspace = PlanWorkspace(database, as_of="2025-06")
    task = next(n.id for n in workspace.nodes.values() if n.code == "5.2")
    html = sheet_html(build_status_sheet(workspace, node_id=task))
    headline = html[: html.index("三色预警说明")]
    assert "&nbsp;正常(红 1)" in headline
    assert "严重滞后" in headline and RED_PART in headline  # the red part, by name
    assert "按其自身完成率对照其序时进度判定" in html


def test_each_printed_heading_counts_its_red_and_yellow_parts(database: Database) -> None:
    """As the sheet's legend says (括号内为亮红灯、黄灯的下级数): the task's row counts its red
    measure; the project, whose tasks are all green, counts nothing."""
    report_project_5(database)
    workspace = PlanWorkspace(database, as_of="2025-06")
    sheet = build_status_sheet(workspace)
    rows = {row.code: row for row in sheet.rows}
    assert rows["5.2"].parts == "(红 1)" and rows["5"].parts == ""
    html = sheet_html(sheet)
    task_row = html[html.index(rows["5.2"].name) :]
    task_row = task_row[: task_row.index("</tr>")]
    assert "正常<br/>(红 1)" in task_row
    project_row = html[html.index(rows["5"].name) :]
    assert "(红" not in project_row[: project_row.index("</tr>")]


@pytest.mark.usefixtures("chinese")
def test_the_worst_child_setting_restores_the_old_light(
    qtbot: QtBot, seed_copy: Path, settings: Settings
) -> None:
    database = open_database(seed_copy)
    report_project_5(database)
    set_worst_child(database)
    workspace = PlanWorkspace(database, as_of="2025-06")
    task = next(n.id for n in workspace.nodes.values() if n.code == "5.2")
    html = sheet_html(build_status_sheet(workspace, node_id=task))
    assert "&nbsp;严重滞后(红 1)" in html and "取其下级中最差的状态" in html
    database.close()
    window = open_window(qtbot, seed_copy, settings)
    try:
        assert status_cell(window, "5.2")[0] is Status.RED
        assert status_cell(window, "5")[0] is Status.RED
        assert "最差" in status_cell(window, "5.2")[2]
    finally:
        close(window)


# --- thresholds belong to the plan -------------------------------------------------------------


def change_thresholds(
    window: MainWindow, prompts: ScriptedPrompts, yellow: float, red: float | None = None
) -> None:
    """Open 状态阈值… from the menu and set the points, as a manager does."""

    def answer(dialog: LightSettingsDialog) -> bool:
        dialog.yellow.setValue(yellow)
        if red is not None:
            dialog.red.setValue(red)
        return True

    prompts.on(LightSettingsDialog, answer)
    window.thresholds_action.trigger()


@dataclass
class TwoPcs:
    """Two windows on one database file, as on two PCs: a manager's and a clerk's."""

    manager: MainWindow
    manager_prompts: ScriptedPrompts
    clerk: MainWindow
    clerk_prompts: ScriptedPrompts


@pytest.fixture
def two_pcs(qtbot: QtBot, seed_copy: Path, tmp_path: Path) -> Iterator[TwoPcs]:
    """Project 5 reported for June, then the file open in a manager's and a clerk's window."""
    database = open_database(seed_copy)
    report_project_5(database)
    database.close()
    manager_prompts, clerk_prompts = ScriptedPrompts(), ScriptedPrompts()
    manager = open_window(qtbot, seed_copy, settings_in(tmp_path, "a", "李主任"), manager_prompts)
    clerk = open_window(qtbot, seed_copy, settings_in(tmp_path, "b", "王填报"), clerk_prompts)
    yield TwoPcs(manager, manager_prompts, clerk, clerk_prompts)
    close(manager)
    close(clerk)


def test_thresholds_set_on_one_pc_colour_the_other_alike_and_undo(two_pcs: TwoPcs) -> None:
    manager, prompts, clerk = two_pcs.manager, two_pcs.manager_prompts, two_pcs.clerk
    lagging = indicator_id(manager, "2.1.1-1")
    assert manager.controller.workspace.status_of(lagging) is Status.GREEN
    change_thresholds(manager, prompts, 5)
    assert manager.controller.workspace.status_of(lagging) is Status.YELLOW
    assert status_cell(manager, "2.1.1")[0] is Status.YELLOW
    clerk.reload_action.trigger()  # the other PC reads the database again
    assert clerk.controller.workspace.thresholds == Thresholds(5, 30)
    assert clerk.controller.workspace.status_of(lagging) is Status.YELLOW
    assert status_cell(clerk, "2.1.1")[0] is Status.YELLOW
    printed = sheet_html(build_status_sheet(clerk.controller.workspace))
    assert "落后5至30个百分点" in printed
    assert threshold_events(manager.controller.database) == [
        ("李主任", "yellow_points", "10.0", "5.0")
    ]
    manager.undo_action.trigger()
    assert manager.controller.workspace.status_of(lagging) is Status.GREEN
    assert light_settings(manager.controller.database).thresholds == Thresholds(10, 30)
    assert len(threshold_events(manager.controller.database)) == 2  # the undo is audited
    manager.redo_action.trigger()
    assert manager.controller.workspace.status_of(lagging) is Status.YELLOW


def test_a_change_over_someone_elses_is_refused_with_both_values(two_pcs: TwoPcs) -> None:
    first, first_prompts = two_pcs.manager, two_pcs.manager_prompts
    second, second_prompts = two_pcs.clerk, two_pcs.clerk_prompts
    change_thresholds(first, first_prompts, 5)
    change_thresholds(second, second_prompts, 15)  # it still showed 10
    said = " ".join(messages(second))
    assert "yellow 5 / red 30" in said and "yellow 10 / red 30" in said
    assert light_settings(first.controller.database).thresholds == Thresholds(5, 30)
    assert second.controller.workspace.thresholds == Thresholds(5, 30)  # now shows them
    # An undo over a later change is refused too, and nothing is overwritten.
    change_thresholds(second, second_prompts, 5, 25)
    first.undo_action.trigger()
    assert "25" in " ".join(messages(first))
    assert light_settings(first.controller.database).thresholds == Thresholds(5, 25)


def test_bad_thresholds_are_refused_with_a_clear_message(service: EntryService) -> None:
    plan = PlanWorkspace(service.database).plan.id
    for yellow, red, words in (
        (20.0, 10.0, "must not exceed"),
        (-1.0, 10.0, "between 0 and 100"),
        (10.0, 150.0, "between 0 and 100"),
        (float("nan"), 10.0, "between 0 and 100"),
    ):
        with pytest.raises(InvalidEntryError, match=words):
            service.set_light_settings(
                plan, LightSettings(_unchecked(yellow, red)), expected=LightSettings()
            )
    assert light_settings(service.database) == LightSettings()


def _unchecked(yellow: float, red: float) -> Thresholds:
    """Thresholds as a caller might pass them, without their own check."""
    thresholds = Thresholds.__new__(Thresholds)
    object.__setattr__(thresholds, "yellow", yellow)
    object.__setattr__(thresholds, "red", red)
    return thresholds


def test_plan_thresholds_an_indicators_own_would_contradict_are_refused(
    service: EntryService, database: Database
) -> None:
    with sqlite3.connect(database.path) as connection:
        connection.execute("UPDATE indicators SET red_threshold = 15 WHERE code = '2.1.1-1'")
    connection.close()
    plan = PlanWorkspace(database).plan.id
    with pytest.raises(InvalidEntryError, match=r"2\.1\.1-1 has thresholds"):
        service.set_light_settings(
            plan, LightSettings(Thresholds(20, 40)), expected=LightSettings()
        )
    with pytest.raises(StaleSettingsError):
        service.set_light_settings(
            plan, LightSettings(Thresholds(5, 30)), expected=LightSettings(Thresholds(8, 30))
        )


def test_check_names_a_plans_crossed_thresholds(
    capsys: pytest.CaptureFixture[str], seed_copy: Path
) -> None:
    with sqlite3.connect(seed_copy) as connection:
        connection.execute("UPDATE plans SET yellow_points = 40, red_points = 20")
    connection.close()
    assert main(["--db", str(seed_copy), "check"]) == 1
    out = capsys.readouterr().out
    assert "thresholds need 0 ≤ yellow ≤ red, got 40.0, 20.0" in out


# --- the per-user setting of before -------------------------------------------------------------


def test_a_users_own_thresholds_are_taken_over_once(
    qtbot: QtBot, seed_copy: Path, tmp_path: Path
) -> None:
    old = settings_in(tmp_path, "old", "周科长")
    old.set(YELLOW_POINTS, 5.0)
    old.set(RED_POINTS, 25.0)
    window = open_window(qtbot, seed_copy, old)
    try:
        assert window.controller.workspace.thresholds == Thresholds(5, 25)
        assert threshold_events(window.controller.database) == [
            ("周科长", "yellow_points", "10.0", "5.0"),
            ("周科长", "red_points", "30.0", "25.0"),
        ]
        assert not old.store.contains(YELLOW_POINTS.key)
        assert not old.store.contains(RED_POINTS.key)
        assert window.controller.undo_stack.count() == 0  # nothing the user did
    finally:
        close(window)
    # Another PC's user with an old value of their own: the plan's settings were set by then.
    other = settings_in(tmp_path, "other", "吴科员")
    other.set(YELLOW_POINTS, 8.0)
    window = open_window(qtbot, seed_copy, other)
    try:
        assert window.controller.workspace.thresholds == Thresholds(5, 25)
        assert len(threshold_events(window.controller.database)) == 2
        assert not other.store.contains(YELLOW_POINTS.key)
    finally:
        close(window)


def test_an_indicators_own_thresholds_are_set_in_a_dialog_for_every_pc_and_undone(
    two_pcs: TwoPcs,
) -> None:
    manager, prompts, clerk = two_pcs.manager, two_pcs.manager_prompts, two_pcs.clerk
    lagging = indicator_id(manager, "2.1.1-1")
    other = indicator_id(manager, "2.1.2-1")
    manager.progress.go_to(lagging, "2025-06")

    def own_yellow(dialog: IndicatorThresholdsDialog) -> bool:
        assert dialog.own() == (None, None)  # the plan's until now
        dialog.own_yellow.setChecked(True)
        dialog.yellow.setValue(5)
        return True

    prompts.on(IndicatorThresholdsDialog, own_yellow)
    manager.indicator_thresholds_action.trigger()
    assert manager.controller.workspace.status_of(lagging) is Status.YELLOW
    assert manager.controller.workspace.rule(other).thresholds == Thresholds(10, 30)
    clerk.reload_action.trigger()
    assert clerk.controller.workspace.status_of(lagging) is Status.YELLOW
    with manager.controller.database.read() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.entity == "indicator")).one()
    assert (event.user, event.field, event.old_value, event.new_value) == (
        "李主任",
        "yellow_threshold",
        None,
        "5.0",
    )
    manager.undo_action.trigger()
    assert manager.controller.workspace.status_of(lagging) is Status.GREEN
    clerk.reload_action.trigger()
    assert clerk.controller.workspace.status_of(lagging) is Status.GREEN


def test_an_indicators_own_thresholds_must_agree_with_the_plans(service: EntryService) -> None:
    workspace = PlanWorkspace(service.database)
    lagging = next(i.id for i in workspace.indicators.values() if i.code == "2.1.1-1")
    with pytest.raises(InvalidEntryError, match="contradict the plan's yellow 10 / red 30"):
        service.set_indicator_thresholds(lagging, (None, 5.0), expected=(None, None))
    with pytest.raises(InvalidEntryError, match="between 0 and 100"):
        service.set_indicator_thresholds(lagging, (101.0, None), expected=(None, None))
    service.set_indicator_thresholds(lagging, (5.0, 20.0), expected=(None, None))
    with pytest.raises(StaleSettingsError, match="own yellow 5 / red 20"):
        service.set_indicator_thresholds(lagging, (8.0, 20.0), expected=(None, None))


def test_the_command_lines_tree_reads_the_parents_own_light(
    capsys: pytest.CaptureFixture[str], seed_copy: Path
) -> None:
    database = open_database(seed_copy)
    report_project_5(database)
    database.close()
    assert main(["--db", str(seed_copy), "tree", "--period", "2025-06"]) == 0
    lines = capsys.readouterr().out.splitlines()
    task = next(line for line in lines if line.lstrip().startswith("5.2 "))
    assert task.endswith("完成率 56.7%  正常(红 1)")
