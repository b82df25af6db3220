"""Re-make the images the README shows: the main window, a printed status sheet page and a
trend chart, in Chinese, from demo figures; and under docs/screens/ the window on an office
screen (1366 × 768) and a larger one (1600 × 1000) in both languages, the grid refusing a typed
figure, a project's tooltip and the 总览 tab.

Run from the repository root: `.venv/bin/python tools/docs_images.py` (needs `pdftoppm` from
poppler-utils to turn the PDF page into a PNG). The figures are DEMO figures
(`desktop.models.demo`, the same as `target-monitor demo`), generated with a fixed seed into a
temporary file; the program itself labels them as demo on every image (the status bar, the
printed page's header, the chart's caption). The shipped seed and the user's database are not
touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, QEvent, QPoint, QSettings, Qt, QTranslator
from PySide6.QtGui import QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QToolTip, QWidget

from desktop.models.demo import create_demo
from desktop.models.opening import open_database
from desktop.models.plan_editor import INDICATOR
from desktop.models.workspace import PlanWorkspace
from desktop.presentation.status_sheet import build_documents

from desktop.ui.app import create_main_window
from desktop.ui.i18n import install_translators
from desktop.ui.main_window import MainWindow
from desktop.ui.plan_editor_dialogs import IndicatorDialog
from desktop.ui.printing import write_pdf
from desktop.ui.prompts import Prompts
from desktop.ui.settings import USER_NAME, Settings
from desktop.ui.theme import Appearance, apply_theme
from desktop.ui.tree_model import TreeColumn

DOCS = Path(__file__).resolve().parent.parent / "docs"
SCREENS = DOCS / "screens"
# The screens less a taskbar, as a maximised window gets them.
STATUS = TreeColumn.STATUS
SCREEN_SIZES = {"1366x768": (1366, 738), "1600x1000": (1600, 970)}
AS_OF = "2025-06"
WINDOW_SIZE = (1440, 860)


def settle(app: QApplication) -> None:
    for _ in range(10):
        app.processEvents()


def status_sheet_page(database_path: Path, work: Path) -> None:
    """Page 1 of 工信局's 进度情况表, as printed."""
    database = open_database(database_path)
    workspace = PlanWorkspace(database, as_of=AS_OF)
    department = workspace.department_named("工信局")
    pdf = work / "sheet.pdf"
    write_pdf(pdf, build_documents(workspace, department=department, notices=False))
    database.close()
    page = work / "page"
    command = ["pdftoppm", "-r", "90", "-png", "-f", "1", "-l", "1", "-singlefile", pdf, page]
    subprocess.run(command, check=True)
    shutil.copy(work / "page.png", DOCS / "status-sheet.png")


def window_pictures(app: QApplication, database_path: Path, work: Path) -> None:
    """The main window on task 2.1 with June's cell of 2.1.1-1 chosen (its notes and history
    beside the grid), then the trend chart of 2.1.1-1."""
    settings = Settings(QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat))
    settings.set(USER_NAME, "张三")
    window = create_main_window(database_path, settings=settings, as_of=AS_OF)
    window.resize(*WINDOW_SIZE)
    window.show()
    settle(app)
    indicator = next(
        i for i in window.controller.workspace.indicators.values() if i.code == "2.1.1-1"
    )
    window.select_node(window.controller.workspace.node_coded("2.1").id)
    settle(app)
    row = window.grid_model.row_of(indicator.id)
    column = window.grid_model.column_of(AS_OF)
    assert row is not None and column is not None
    window.grid.setCurrentIndex(window.grid_model.index(row, column))
    settle(app)
    window.grab().save(str(DOCS / "main-window.png"))

    window.tabs.setCurrentWidget(window.chart_holder)
    settle(app)
    assert window.chart is not None
    window.chart.show_indicator(indicator.id)
    window.chart.resize(960, 520)
    settle(app)
    window.chart.export_png(DOCS / "trend-chart.png")
    window.close()
    window.controller.database.close()


def office_screens(app: QApplication, database_path: Path, work: Path, language: str) -> None:
    """The window at each screen size, then (at 1366 × 768) the grid refusing "abc" and the
    tooltip of project 1, all in `language`."""
    translators = install_translators(app, language)
    SCREENS.mkdir(exist_ok=True)
    try:
        for name, size in SCREEN_SIZES.items():
            settings = Settings(
                QSettings(str(work / f"{language}-{name}.ini"), QSettings.Format.IniFormat)
            )
            settings.set(USER_NAME, "张三")
            prompts = _Answering()
            window = create_main_window(
                database_path, settings=settings, as_of=AS_OF, prompts=prompts
            )
            window.resize(*size)
            window.show()
            settle(app)
            window.grab().save(str(SCREENS / f"main-{language}-{name}.png"))
            if name == "1366x768":
                refused_entry(app, window, SCREENS / f"refused-entry-{language}.png")
                project_tooltip(app, window, SCREENS / f"project-tooltip-{language}.png")
                overview(app, window, SCREENS / f"overview-{language}.png")
                plan_editor(app, window, language, prompts)
            window.close()
            window.controller.database.close()
    finally:
        for translator in translators:
            app.removeTranslator(translator)


def refused_entry(app: QApplication, window: QWidget, target: Path) -> None:
    """ "abc" typed into June's cell of 2.1.1-1 and Enter pressed: the editor stays, and why is
    said beside the cell."""
    workspace = window.controller.workspace  # type: ignore[attr-defined]
    indicator = next(i for i in workspace.indicators.values() if i.code == "2.1.1-1")
    grid, model = window.grid, window.grid_model  # type: ignore[attr-defined]
    index = model.index(model.row_of(indicator.id), model.column_of(AS_OF))
    grid.setCurrentIndex(index)
    grid.setFocus()
    grid.edit(index)
    settle(app)
    editor = QApplication.focusWidget()
    assert editor is not None
    QTest.keyClicks(editor, "abc")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    settle(app)
    problem = window.findChild(QLabel, "entryProblem")
    assert problem is not None and problem.isVisible(), "the refusal is not shown"
    window.grab().save(str(target))
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    settle(app)
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # the editor goes, as in
    settle(app)  # the event loop (processEvents alone keeps it)


def project_tooltip(app: QApplication, window: QWidget, target: Path) -> None:
    """A project's light in the tree with its tooltip (the light explained, its red and yellow
    parts named) drawn where Qt shows it."""
    tree = window.tree  # type: ignore[attr-defined]
    model = tree.model()
    plan = model.index(0, 0)
    projects = [model.index(row, STATUS, plan) for row in range(model.rowCount(plan))]
    # the first project whose light counts red or yellow parts ("正常 · 黄 1"), else the first
    project = next((p for p in projects if "·" in str(p.data())), projects[0])
    rect = tree.visualRect(project)
    text = project.data(Qt.ItemDataRole.ToolTipRole)
    at = tree.viewport().mapToGlobal(rect.center())
    QToolTip.showText(at, text, tree.viewport())
    settle(app)
    tips = [w for w in QApplication.topLevelWidgets() if w.inherits("QTipLabel") and w.isVisible()]
    assert tips, "no tooltip shown"
    picture = window.grab()
    painter = QPainter(picture)
    painter.drawPixmap(window.mapFromGlobal(at) + QPoint(12, 16), tips[0].grab())
    painter.end()
    picture.save(str(target))
    QToolTip.hideText()


def overview(app: QApplication, window: QWidget, target: Path) -> None:
    """The 总览 tab of the whole plan: its headline, counts and parts."""
    window.select_node(None)  # type: ignore[attr-defined]
    window.tabs.setCurrentWidget(window.dashboard)  # type: ignore[attr-defined]
    settle(app)
    window.grab().save(str(target))
    window.tabs.setCurrentIndex(0)  # type: ignore[attr-defined]


def plan_editor(app: QApplication, window: MainWindow, language: str, prompts: _Answering) -> None:
    """The plan editor's mode on measure 2.1.1, then the form of 2.1.1-1 refusing a code the
    plan has already and a due date outside the plan, with the fields framed."""
    window.editor.mode_action.trigger()
    workspace = window.controller.workspace
    window.select_node(workspace.node_coded("2.1.1").id)
    settle(app)
    window.grab().save(str(SCREENS / f"plan-editor-{language}.png"))
    indicator = next(i for i in workspace.indicators.values() if i.code == "2.1.1-1")
    window.jump_to_indicator(indicator.id)
    window.editor.set_area(INDICATOR)
    shown: list[IndicatorDialog] = []

    def refuse(dialog: IndicatorDialog) -> bool:
        dialog.code.setText("2.1.2-1")
        dialog.tabs.setCurrentIndex(1)  # type: ignore[union-attr]
        dialog.due.setDate(QDate(2026, 3, 31))
        dialog.accept()
        dialog.show()
        settle(app)
        shown.append(dialog)
        dialog.grab().save(str(SCREENS / f"plan-editor-form-{language}.png"))
        dialog.close()
        return False

    prompts.answer = refuse
    window.editor.edit_action.trigger()
    prompts.answer = None
    assert shown, "the form was not shown"
    window.editor.mode_action.trigger()


class _Answering(Prompts):
    """Prompts whose forms are answered by `answer` (when set) instead of a user."""

    answer: Callable[[Any], bool] | None = None

    def confirm(self, dialog: QDialog) -> bool:
        return super().confirm(dialog) if self.answer is None else self.answer(dialog)


def main() -> int:
    if shutil.which("pdftoppm") is None:
        print("pdftoppm (poppler-utils) is needed to turn the PDF page into a PNG")
        return 1
    app = QApplication(sys.argv[:1])
    apply_theme(app, Appearance.LIGHT)
    install_translators(app, "zh_CN")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        database_path = work / "demo.sqlite"
        create_demo(database_path, through=AS_OF)
        status_sheet_page(database_path, work)
        window_pictures(app, database_path, work)
        for translators in app.findChildren(QTranslator):
            app.removeTranslator(translators)
        for language in ("zh_CN", "en"):
            office_screens(app, database_path, work, language)
    for name in ("main-window.png", "status-sheet.png", "trend-chart.png"):
        print(f"wrote {DOCS / name}")
    for path in sorted(SCREENS.glob("*.png")):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
