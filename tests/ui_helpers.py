"""Small helpers for driving the main window in tests."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QMessageBox

from desktop.ui.main_window import MainWindow


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
    proxy, model = window.proxy, window.tree_model
    found: list[str] = []

    def visit(parent: QModelIndex) -> None:
        for row in range(proxy.rowCount(parent)):
            index = proxy.index(row, 0, parent)
            node = model.node_id(proxy.mapToSource(index))
            if node is not None:
                found.append(window.controller.workspace.nodes[node].code)
            visit(index)

    visit(QModelIndex())
    return found
