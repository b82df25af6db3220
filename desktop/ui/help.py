"""帮助: the user guide (offline, in the window's language, opened at the part for the area in
use) and the list of keyboard shortcuts, taken from the window's own commands."""

from __future__ import annotations

import re
from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication, QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence, QStandardItem, QStandardItemModel, QTextCursor
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.models.locations import bundled_file

# A section's heading in the guide's Markdown ends with its key: "## 计划树 {#tree}".
SECTION_KEY = re.compile(r"^(#+ .*?)\s*\{#([a-z-]+)\}\s*$", re.MULTILINE)


def guide_text() -> tuple[str, dict[str, str]]:
    """The guide in the window's language (the translation names its file) as Markdown, and
    each section's heading by its key."""
    name = QCoreApplication.translate(
        "Help", "guide.en.md", "the file of the user guide in this language"
    )
    text = bundled_file("resources", "help", name).read_text(encoding="utf-8")
    headings = {m.group(2): m.group(1).lstrip("# ") for m in SECTION_KEY.finditer(text)}
    return SECTION_KEY.sub(r"\1", text), headings


class GuideDialog(QDialog):
    """The user guide, beside the window (not modal: one reads it while working)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("guideDialog")
        self.setWindowTitle(self.tr("User guide"))
        self.resize(720, 640)
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("guideBrowser")
        self.browser.setOpenExternalLinks(False)
        text, self._headings = guide_text()
        self.browser.setMarkdown(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)

    def show_section(self, key: str) -> None:
        """Scroll so that a section's heading stands at the top (the start for no such key)."""
        heading = self._headings.get(key)
        document = self.browser.document()
        block = document.begin()
        while heading is not None and block.isValid() and block.text() != heading:
            block = block.next()
        if heading is None or not block.isValid():
            block = document.begin()
        self.browser.setTextCursor(QTextCursor(block))
        top = document.documentLayout().blockBoundingRect(block).top()
        self.browser.verticalScrollBar().setValue(int(top))

    def top_heading(self) -> str:
        """The text at the top of the view (what the reader sees first)."""
        return self.browser.cursorForPosition(QPoint(4, 4)).block().text()


Command = QAction | QAbstractButton


def shortcut_rows(commands: Iterable[Command]) -> list[tuple[str, str]]:
    """(command, keys) for every command that has a shortcut, as the menus write them."""
    rows: list[tuple[str, str]] = []
    for command in commands:
        sequences = command.shortcuts() if isinstance(command, QAction) else [command.shortcut()]
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in sequences]
        keys = [key for key in keys if key]
        if keys:
            name = re.sub(r"\(&\w\)|&", "", command.text()).rstrip("…. ")
            rows.append((name, " / ".join(keys)))
    return rows


class ShortcutsDialog(QDialog):
    """Every keyboard shortcut of the window, read from its commands (so it never goes stale)."""

    def __init__(self, commands: Iterable[Command], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        self.model = QStandardItemModel(self)
        self.model.setHorizontalHeaderLabels([self.tr("Command"), self.tr("Keys")])
        for name, keys in shortcut_rows(commands):
            self.model.appendRow([QStandardItem(name), QStandardItem(keys)])
        view = QTableView(self)
        view.setObjectName("shortcutsView")
        view.setModel(self.model)
        view.verticalHeader().hide()
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = view.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        view.setTextElideMode(Qt.TextElideMode.ElideNone)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(view)
        layout.addWidget(buttons)
        self.resize(480, 520)
