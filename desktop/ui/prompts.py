"""How the window asks the user: every modal question and file chooser goes through `Prompts`.

The window and its commands are given a Prompts; the real one shows the dialogs, tests give one
that answers as the test says and records what was asked.
"""

from __future__ import annotations

import enum
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget


class FileKind(enum.Enum):
    """What a file chooser is for, and so which files it lists."""

    WORKBOOK = "workbook"
    PDF = "pdf"
    DATABASE = "database"
    FOLDER = "folder"

    def pattern(self) -> str:
        translate = QCoreApplication.translate
        return {
            FileKind.WORKBOOK: translate("Prompts", "Excel workbooks (*.xlsx)"),
            FileKind.PDF: translate("Prompts", "PDF documents (*.pdf)"),
            FileKind.DATABASE: translate(
                "Prompts", "Target Monitor databases (*.sqlite *.db);;All files (*)"
            ),
            FileKind.FOLDER: "",
        }[self]


class Prompts:
    """Shows dialogs and waits for the answer."""

    def confirm(self, dialog: QDialog) -> bool:
        """A dialog the user accepts or cancels."""
        return dialog.exec() == QDialog.DialogCode.Accepted

    def ask_yes(self, box: QMessageBox) -> bool:
        """A yes/no question."""
        return box.exec() == QMessageBox.StandardButton.Yes

    def show(self, dialog: QDialog) -> None:
        """A dialog shown until the user closes it (backups, preview, About, a choice)."""
        dialog.exec()

    def open_path(self, parent: QWidget, kind: FileKind) -> Path | None:
        """A file (or folder) to read; None when the user cancelled."""
        title = QCoreApplication.translate("Prompts", "Target Monitor")
        if kind is FileKind.FOLDER:
            chosen = QFileDialog.getExistingDirectory(parent, title)
        else:
            chosen, _ = QFileDialog.getOpenFileName(parent, title, "", kind.pattern())
        return Path(chosen) if chosen else None

    def save_path(self, parent: QWidget, kind: FileKind, suggestion: str) -> Path | None:
        """A file (or folder) to write; None when the user cancelled."""
        title = QCoreApplication.translate("Prompts", "Target Monitor")
        if kind is FileKind.FOLDER:
            chosen = QFileDialog.getExistingDirectory(parent, title)
        else:
            chosen, _ = QFileDialog.getSaveFileName(parent, title, suggestion, kind.pattern())
        return Path(chosen) if chosen else None
