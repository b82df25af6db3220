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
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTabWidget,
    QWidget,
)

from desktop.exchange.template import export_template
from desktop.models.backup import backup_folder
from desktop.models.demo import DEMO_USER, create_demo
from desktop.models.opening import open_database
from desktop.models.service import EntryService
from desktop.presentation.status_sheet import build_documents
from tests.test_undo_history import change_elsewhere, filled, import_file
from tests.ui_helpers import ScriptedPrompts, messages

from desktop.ui.app import create_main_window
from desktop.ui.backups import BackupsDialog, DamagedDatabaseDialog
from desktop.ui.dialogs import FirstStartDialog, SettingsDialog
from desktop.ui.exchange_dialogs import ExportTemplateDialog, UndoImportDialog
from desktop.ui.help import GuideDialog, ShortcutsDialog
from desktop.ui.i18n import install_translators
from desktop.ui.light_settings import IndicatorThresholdsDialog, LightSettingsDialog
from desktop.ui.main_window import MainWindow
from desktop.ui.print_dialog import PreviewDialog, PrintDialog
from desktop.ui.settings import Settings

ASIDE = "damaged-copy.sqlite"
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
# Names that stay as they are in a Chinese sentence: products, keys, formats, the command.
KEPT_WORDS = {
    "Ctrl",
    "Alt",
    "Shift",
    "Enter",
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
    names += [plan.title for plan in workspace.plans]  # the plans to choose from
    names += [
        str(path),
        str(path.parent),
        path.name,
        str(backup_folder(window.controller.database)),
    ]
    names += [str(path.parent / ASIDE), ASIDE]
    names += [str(parent) for parent in path.parents] + [part for part in path.parts if part]
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
        GuideDialog(window),
        ShortcutsDialog(window.actions(), window),
        *qt_dialogs(window, tmp_path),
    ]


def qt_dialogs(window: MainWindow, tmp_path: Path) -> list[QDialog]:
    """Qt's own dialogs as the window opens them: a file chooser (Qt's, where the desktop has
    none of its own), the printer's, the print preview, and standard buttons."""
    files = QFileDialog(window, "", str(tmp_path))
    files.setOption(QFileDialog.Option.DontUseNativeDialog)
    files.setObjectName("qtFileDialog")
    printer = QPrinter()
    printing = QPrintDialog(printer, window)
    printing.setObjectName("qtPrintDialog")
    printing.setProperty("printer", printer)  # kept alive as long as the dialog
    question = QMessageBox(
        QMessageBox.Icon.Question,
        "",
        "",
        QMessageBox.StandardButton.Yes
        | QMessageBox.StandardButton.No
        | QMessageBox.StandardButton.Ok
        | QMessageBox.StandardButton.Cancel
        | QMessageBox.StandardButton.Close,
        window,
    )
    documents = build_documents(window.controller.workspace, sheet=True, notices=False)
    return [files, printing, question, PreviewDialog(documents, window)]


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


def test_the_guide_speaks_the_window_s_language(qtbot: QtBot, language: str) -> None:
    guide = GuideDialog()
    qtbot.addWidget(guide)
    text = re.sub(r"`[^`]*`", " ", guide.browser.toMarkdown())  # typed examples: `75%`
    if language == "zh_CN":
        assert not set(ENGLISH_WORD.findall(text)) - KEPT_WORDS - {"Markdown"}
        assert "进度填报" in text
    else:
        assert not CHINESE.search(text)
        assert "Monthly progress" in text


def test_qt_s_own_buttons_speak_the_window_s_language(qtbot: QtBot, language: str) -> None:
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    qtbot.addWidget(buttons)
    cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    expected = {"zh_CN": ("确定", "取消"), "en": ("OK", "Cancel")}[language]
    assert (ok.text().replace("&", ""), cancel.text().replace("&", "")) == expected


def test_the_refusal_of_an_undo_import_speaks_the_window_s_language(
    language: str, window: MainWindow, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    """撤销导入 from the File menu after a colleague changed a figure the import wrote: both
    values, in the window's words (the model's own message is English)."""
    template = tmp_path / "template.xlsx"
    export_template(window.controller.workspace, "发改委", "2025-06", template)
    import_file(window, prompts, filled(template, tmp_path / "filled.xlsx", {"J5": 120}))
    change_elsewhere(window, "4.2.1-1", 130, expected=120)
    prompts.on(UndoImportDialog, lambda _dialog: True)
    window.undo_import_action.trigger()
    (message,) = messages(window)
    assert "4.2.1-1" in message and "130" in message and "120" in message and "李四" in message
    shown = without_data(message, [*data_strings(window), "李四"])
    if language == "zh_CN":
        assert "撤销导入" in message and not set(ENGLISH_WORD.findall(shown)) - KEPT_WORDS
    else:
        assert "Undo import 1" in message and "after the import" in message
        assert not CHINESE.search(shown)


def test_an_import_undone_elsewhere_is_refused_in_the_window_s_language(
    language: str, window: MainWindow, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    """Ctrl+Z on an import a colleague has already taken back on another PC: the refusal says
    so in the window's words (the domain's message is English)."""
    template = tmp_path / "template.xlsx"
    export_template(window.controller.workspace, "发改委", "2025-06", template)
    import_file(window, prompts, filled(template, tmp_path / "filled.xlsx", {"J5": 120}))
    other = open_database(window.controller.database.path)
    try:
        EntryService(other, "李四").undo_import(1)
    finally:
        other.close()
    window.undo_action.trigger()
    (message,) = messages(window)
    shown = without_data(message, [*data_strings(window), "filled.xlsx"])
    if language == "zh_CN":
        assert "已被撤销" in message and not set(ENGLISH_WORD.findall(shown)) - KEPT_WORDS
    else:
        assert "import 1 has been undone already" in message
        assert not CHINESE.search(shown)
