"""Help inside the program: the guide at the part for the area in use (F1), every shortcut
listed from the window's commands, and F8 / Shift+F8 to the next red or yellow indicator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication

from desktop.models.demo import create_demo
from desktop.models.status_rule import Status
from tests.ui_helpers import ScriptedPrompts, node_id

from desktop.ui.app import create_main_window
from desktop.ui.help import ShortcutsDialog
from desktop.ui.i18n import install_translators
from desktop.ui.main_window import MainWindow
from desktop.ui.settings import Settings

HEADINGS = {  # the heading F1 shows first, by the area that has the focus
    "en": {
        "grid": "Monthly progress",
        "tree": "The plan tree",
        "notes": "Notes and history",
        "plans": "Plans and years",
    },
    "zh_CN": {
        "grid": "进度填报",
        "tree": "计划树",
        "notes": "进展情况与修改记录",
        "plans": "计划与年度",
    },
}


@pytest.fixture(params=["zh_CN", "en"])
def language(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    translators = install_translators(qapp, request.param)
    yield request.param
    for translator in translators:
        qapp.removeTranslator(translator)


@pytest.fixture
def demo_window(
    qtbot: QtBot, tmp_path: Path, settings: Settings, prompts: ScriptedPrompts
) -> Iterator[MainWindow]:
    """The window on demo figures as of June 2025 (red, yellow and green lights)."""
    path = tmp_path / "demo.sqlite"
    create_demo(path, through="2025-06")
    main = create_main_window(path, settings=settings, as_of="2025-06", prompts=prompts)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    with qtbot.waitActive(main):  # the window's shortcuts work in the active window
        main.activateWindow()
    yield main
    if main.guide is not None:
        main.guide.close()
    main.close()
    main.controller.database.close()


def press_f1_in(qtbot: QtBot, window: MainWindow, widget: object) -> str:
    """Focus a part of the window, press F1: the heading at the top of the guide."""
    assert hasattr(widget, "setFocus")
    widget.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget)
    qtbot.keyClick(widget, Qt.Key.Key_F1)  # type: ignore[arg-type]
    assert window.guide is not None and window.guide.isVisible()
    return window.guide.top_heading()


def test_f1_opens_the_guide_in_the_window_s_language_at_the_focused_part(
    qtbot: QtBot, language: str, demo_window: MainWindow
) -> None:
    headings = HEADINGS[language]
    assert press_f1_in(qtbot, demo_window, demo_window.grid) == headings["grid"]
    assert press_f1_in(qtbot, demo_window, demo_window.tree) == headings["tree"]
    assert press_f1_in(qtbot, demo_window, demo_window.notes.progress) == headings["notes"]
    assert press_f1_in(qtbot, demo_window, demo_window.plan_selector) == headings["plans"]


def test_the_shortcut_list_holds_every_shortcut_of_the_window(
    demo_window: MainWindow, prompts: ScriptedPrompts
) -> None:
    demo_window.shortcuts_action.trigger()
    (dialog,) = prompts.shown(ShortcutsDialog)
    model = dialog.model
    rows = {
        model.index(r, 0).data(): model.index(r, 1).data().split(" / ")
        for r in range(model.rowCount())
    }
    assert "F8" in rows["Next red or yellow indicator"]
    assert "Shift+F8" in rows["Previous red or yellow indicator"]
    assert "F1" in rows["User guide"] and "Ctrl+Z" in rows["Undo"]
    assert "Ctrl+S" in rows["Save notes"]  # the notes' own shortcut too
    for action in demo_window.actions():
        for key in action.shortcuts():
            assert any(key.toString() in keys for keys in rows.values()), action.text()


def alerts_in_tree_order(window: MainWindow) -> list[str]:
    workspace = window.controller.workspace
    return [
        workspace.indicators[i].code
        for i in workspace.indicators_under(None)
        if workspace.status_of(i) in (Status.RED, Status.YELLOW)
        and window.tree_model.indicator_passes(i)
    ]


def current_code(window: MainWindow) -> str | None:
    indicator = window.progress.current_indicator()
    return None if indicator is None else window.controller.workspace.indicators[indicator].code


def test_f8_goes_to_the_next_red_or_yellow_indicator_and_shift_f8_back(
    qtbot: QtBot, demo_window: MainWindow
) -> None:
    window = demo_window
    window.tree_panel.clear_filters()
    window.select_node(None)
    alerts = alerts_in_tree_order(window)
    assert len(alerts) >= 3
    window.tree.setFocus()
    qtbot.keyClick(window.tree, Qt.Key.Key_F8)
    assert current_code(window) == alerts[0]
    qtbot.keyClick(window.grid, Qt.Key.Key_F8)
    assert current_code(window) == alerts[1]
    measure = window.controller.workspace.indicators[window.progress.current_indicator()]  # type: ignore[index]
    assert window.tree_panel.node_id() == measure.measure_id  # the tree follows
    qtbot.keyClick(window.grid, Qt.Key.Key_F8, Qt.KeyboardModifier.ShiftModifier)
    assert current_code(window) == alerts[0]
    qtbot.keyClick(window.grid, Qt.Key.Key_F8, Qt.KeyboardModifier.ShiftModifier)
    assert current_code(window) == alerts[-1]  # round from the first to the last


def test_f8_from_a_node_starts_there_and_keeps_to_the_filtered_department(
    qtbot: QtBot, demo_window: MainWindow
) -> None:
    window = demo_window
    window.tree_panel.clear_filters()
    alerts = alerts_in_tree_order(window)
    project = alerts[-1].split(".")[0]
    window.select_node(node_id(window, project))
    window.tree.setFocus()
    qtbot.keyClick(window.tree, Qt.Key.Key_F8)
    assert current_code(window) == next(a for a in alerts if a.startswith(f"{project}."))
    workspace = window.controller.workspace
    others = {
        workspace.departments[i.department_id].short_name
        for i in workspace.indicators.values()
        if i.code in alerts[1:] and i.code != alerts[0]
    }
    first = next(i for i in workspace.indicators.values() if i.code == alerts[0])
    department = sorted(others - {workspace.departments[first.department_id].short_name})[0]
    window.show_department(department)
    window.select_node(None)
    shown = alerts_in_tree_order(window)
    qtbot.keyClick(window.tree, Qt.Key.Key_F8)
    assert current_code(window) == shown[0] != alerts[0]


def test_a_plan_without_red_or_yellow_says_so(
    qtbot: QtBot, window: MainWindow, qapp: QCoreApplication
) -> None:
    window.tree.setFocus()
    qtbot.keyClick(window.tree, Qt.Key.Key_F8)  # the seed holds no figures: no light lags
    assert window.progress.current_indicator() is None
    assert "red or yellow" in window.statusBar().currentMessage()
