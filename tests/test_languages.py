"""Each language all the way through: no English left in the Chinese window and dialogs, no
Chinese in the English ones (the plan's own names, which are data, excepted)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QTabWidget,
    QWidget,
)

from desktop.models.backup import backup_folder
from desktop.models.demo import DEMO_USER, create_demo

from desktop.ui.app import create_main_window
from desktop.ui.backups import BackupsDialog, DamagedDatabaseDialog
from desktop.ui.dialogs import FirstStartDialog, SettingsDialog
from desktop.ui.exchange_dialogs import ExportTemplateDialog, UndoImportDialog
from desktop.ui.i18n import install_translators
from desktop.ui.light_settings import IndicatorThresholdsDialog, LightSettingsDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.print_dialog import PrintDialog
from desktop.ui.settings import Settings

ASIDE = "damaged-copy.sqlite"
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
# Names that stay as they are in a Chinese sentence: products, keys, formats, the command.
KEPT_WORDS = {
    "Ctrl",
    "Shift",
    "Excel",
    "WPS",
    "LibreOffice",
    "PDF",
    "PNG",
    "xlsx",
    "pdf",
    "png",
    "SQLite",
    "Python",
    "target",
    "monitor",
    "demo",
}


def data_strings(window: MainWindow) -> list[str]:
    """What the window shows from the database or the machine: not the UI's own words."""
    workspace = window.controller.workspace
    path = window.controller.database.path
    names = [workspace.plan.title, workspace.plan.source, window.controller.user, DEMO_USER]
    names += [
        str(path),
        str(path.parent),
        path.name,
        str(backup_folder(window.controller.database)),
    ]
    names += [str(path.parent / ASIDE), ASIDE]
    for department in workspace.departments.values():
        names += [department.name, department.short_name]
    names += [node.title for node in workspace.nodes.values()]
    names += [f"{i.code} {i.name}" for i in workspace.indicators.values()]
    names += [i.name for i in workspace.indicators.values()]
    names += [i.unit for i in workspace.indicators.values() if i.unit]
    return sorted(set(names), key=len, reverse=True)


def chrome_texts(root: QWidget) -> Iterator[tuple[str, str]]:
    """Every word the UI itself shows: titles, menus, actions, labels, buttons, headers, tips."""
    yield "window title", root.windowTitle()
    for action in root.findChildren(QAction):
        if type(action.parent()).__module__.startswith("pyqtgraph"):
            continue  # the chart library's own menu, which the chart replaces with ours
        yield f"action {action.objectName()}", action.text()
        yield f"action tip {action.objectName()}", action.toolTip()
    for widget in [root, *root.findChildren(QWidget)]:
        where = f"{type(widget).__name__}#{widget.objectName()}"
        yield f"{where} tooltip", widget.toolTip()
        if isinstance(widget, QLabel | QAbstractButton):
            yield where, widget.text()
        elif isinstance(widget, QLineEdit):
            yield f"{where} placeholder", widget.placeholderText()
        elif isinstance(widget, QGroupBox):
            yield where, widget.title()
        elif isinstance(widget, QTabWidget):
            for i in range(widget.count()):
                yield f"{where} tab {i}", widget.tabText(i)
        elif isinstance(widget, QComboBox) and widget.objectName() != "language":
            # (the language choice names each language in itself: 简体中文, English)
            for i in range(widget.count()):
                yield f"{where} item {i}", widget.itemText(i)
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            for column in range(model.columnCount()):
                header = model.headerData(column, Qt.Orientation.Horizontal)
                yield f"{where} header {column}", str(header or "")


def without_data(text: str, data: list[str]) -> str:
    text = re.sub(r"<[^>]+>|&\w+;", " ", text)  # rich text markup and entities
    for name in data:
        text = text.replace(name, " ")
    return text


def dialogs(window: MainWindow, settings: Settings, tmp_path: Path) -> list[QDialog]:
    workspace = window.controller.workspace
    departments = [d.short_name for d in workspace.departments.values()]
    path = window.controller.database.path
    return [
        SettingsDialog(settings, departments, window),
        LightSettingsDialog(workspace.light_settings, window),
        IndicatorThresholdsDialog("1.1.1-1", workspace.thresholds, (None, 20.0), window),
        FirstStartDialog(settings, departments, window),
        BackupsDialog(path, backup_folder(window.controller.database), window),
        ExportTemplateDialog(departments, list(workspace.months), "", workspace.as_of, window),
        PrintDialog(workspace, node_id=None, department_id=None, parent=window),
        UndoImportDialog([], window),
        DamagedDatabaseDialog(path, tmp_path / ASIDE, (), None, entries=None),
    ]


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    path = tmp_path / "demo.sqlite"
    create_demo(path, through="2025-06")
    return path


@pytest.fixture(params=["zh_CN", "en"])
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    app = QApplication.instance()
    assert isinstance(app, QCoreApplication)
    translators = install_translators(app, request.param)
    yield request.param
    for translator in translators:
        app.removeTranslator(translator)


def test_each_language_all_the_way_through(
    qtbot: QtBot, language: str, demo_copy: Path, settings: Settings, tmp_path: Path
) -> None:
    window = create_main_window(demo_copy, settings=settings, as_of="2025-06")
    qtbot.addWidget(window)
    window.show()
    window.tabs.setCurrentWidget(window.chart_holder)  # the chart too
    qtbot.waitUntil(lambda: window.chart is not None)
    window.jump_to_indicator(next(iter(window.controller.workspace.indicators)))
    data = data_strings(window)
    roots: list[QWidget] = [window, *dialogs(window, settings, tmp_path)]
    wrong = []
    for root in roots:
        for where, text in chrome_texts(root):
            shown = without_data(text, data)
            if language == "en" and CHINESE.search(shown):
                wrong.append(f"{type(root).__name__} {where}: {text!r}")
            if language == "zh_CN":
                words = set(ENGLISH_WORD.findall(shown)) - KEPT_WORDS
                if words:
                    wrong.append(f"{type(root).__name__} {where}: {text!r} ({sorted(words)})")
    for root in roots[1:]:
        root.deleteLater()
    window.close()
    window.controller.database.close()
    assert not wrong, "\n".join(wrong[:30])
