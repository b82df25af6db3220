"""Small helpers for driving the main window in tests, and the user who answers its questions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from desktop.ui.main_window import MainWindow
from desktop.ui.prompts import FileKind, Prompts

W = TypeVar("W", bound=QWidget)


class ScriptedPrompts(Prompts):
    """Answers the window's questions as a test says, and keeps what was asked.

    Dialogs are accepted and yes/no questions answered yes unless the test says otherwise
    (`on(DialogType, answer)`, `yes = False`); every file chooser returns `path`.
    """

    def __init__(self) -> None:
        self.asked: list[QWidget] = []
        self.path: Path | None = None
        self.files: list[FileKind] = []
        self.yes = True
        self._answers: dict[type[QWidget], Callable[[Any], bool | None]] = {}

    def on(self, kind: type[W], answer: Callable[[W], bool | None]) -> None:
        """How to answer dialogs of this kind (True accepts; for shown dialogs, any return)."""
        self._answers[kind] = answer

    def shown(self, kind: type[W]) -> list[W]:
        return [widget for widget in self.asked if isinstance(widget, kind)]

    def _answer(self, widget: QWidget) -> bool:
        self.asked.append(widget)
        for kind, answer in self._answers.items():
            if isinstance(widget, kind):
                return bool(answer(widget))
        return True

    def confirm(self, dialog: QDialog) -> bool:
        return self._answer(dialog)

    def ask_yes(self, box: QMessageBox) -> bool:
        return self._answer(box) and self.yes

    def show(self, dialog: QDialog) -> None:
        self._answer(dialog)

    def open_path(self, parent: QWidget, kind: FileKind) -> Path | None:
        self.files.append(kind)
        return self.path

    def save_path(self, parent: QWidget, kind: FileKind, suggestion: str) -> Path | None:
        self.files.append(kind)
        return self.path


def indicator_id(window: MainWindow, code: str) -> int:
    workspace = window.controller.workspace
    return next(i.id for i in workspace.indicators.values() if i.code == code)


def node_id(window: MainWindow, code: str) -> int:
    workspace = window.controller.workspace
    return next(n.id for n in workspace.nodes.values() if n.code == code)


def grid_index(window: MainWindow, code: str, period: str) -> QModelIndex:
    model = window.grid_model
    row = model.row_of(indicator_id(window, code))
    column = model.column_of(period)
    assert row is not None and column is not None, f"{code} {period} is not in the grid"
    return model.index(row, column)


def messages(window: MainWindow) -> list[str]:
    """The texts of the message boxes the window is showing."""
    return [
        box.text() for box in window.findChildren(QMessageBox, "userMessage") if box.isVisible()
    ]


def visible_codes(window: MainWindow) -> list[str]:
    """The codes of the tree rows that the filters leave visible (depth first)."""
    model = window.tree_model
    found: list[str] = []

    def visit(parent: QModelIndex) -> None:
        for row in range(model.rowCount(parent)):
            index = model.index(row, 0, parent)
            node = model.node_id(index)
            if node is not None:
                found.append(window.controller.workspace.nodes[node].code)
            visit(index)

    visit(QModelIndex())
    return found
