"""The backups dialog (list, back up now, restore) and the question asked about a damaged file."""

from __future__ import annotations

import enum
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from desktop.models.backup import BackupInfo


def reason_text(reason: str) -> str:
    """What a backup was taken for, as the user reads it."""
    if reason.startswith("before-upgrade-v"):
        return QCoreApplication.translate("Backups", "Before upgrading (schema %1)").replace(
            "%1", reason.removeprefix("before-upgrade-v")
        )
    known = {
        "daily": QCoreApplication.translate("Backups", "Daily"),
        "manual": QCoreApplication.translate("Backups", "Made by hand"),
        "import": QCoreApplication.translate("Backups", "Before an import"),
        "undo-import": QCoreApplication.translate("Backups", "Before undoing an import"),
        "redo-import": QCoreApplication.translate("Backups", "Before applying an import again"),
        "before-restore": QCoreApplication.translate("Backups", "Before a restore"),
    }
    return known.get(reason, reason)


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


class BackupsDialog(QDialog):
    """备份: the database's backups, newest first, to make one or to restore one."""

    backUpRequested = Signal()
    restoreRequested = Signal(object)  # the Path of the backup to restore
    restoreFromFileRequested = Signal()

    COLUMNS = 4

    def __init__(self, database_path: Path, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("backupsDialog")
        self.setWindowTitle(self.tr("Backups"))
        self._database_path = database_path
        self.folder = folder
        self.backups: list[BackupInfo] = []

        intro = QLabel(
            self.tr(
                "Backups of %1 are kept in %2: the newest ten, then one a day for a week, one "
                "a week for a month and one a month for a year. A backup is taken before every "
                "import and once a day when figures changed; each is checked before it is kept."
            )
            .replace("%1", database_path.name)
            .replace("%2", str(folder)),
            self,
        )
        intro.setWordWrap(True)
        intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.table = QTableWidget(0, self.COLUMNS, self)
        self.table.setObjectName("backupsTable")
        self.table.setHorizontalHeaderLabels(
            [self.tr("Taken"), self.tr("Reason"), self.tr("Size"), self.tr("Entries")]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.itemDoubleClicked.connect(lambda _item: self._restore_selected())

        self.empty_label = QLabel(self.tr("No backup has been taken yet."), self)
        self.empty_label.setObjectName("backupsEmpty")

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        self.back_up_button = self._button(
            buttons, self.tr("&Back up now"), self.backUpRequested.emit
        )
        self.restore_button = self._button(buttons, self.tr("&Restore…"), self._restore_selected)
        self.from_file_button = self._button(
            buttons, self.tr("Restore from a &file…"), self.restoreFromFileRequested.emit
        )
        self.open_folder_button = self._button(buttons, self.tr("&Open folder"), self._open_folder)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)
        layout.addWidget(buttons)
        self.resize(760, 420)
        self.refresh()

    def _button(self, box: QDialogButtonBox, text: str, slot: Callable[[], None]) -> QPushButton:
        button = box.addButton(text, QDialogButtonBox.ButtonRole.ActionRole)
        button.setAutoDefault(False)
        # Not connect(slot): `clicked` passes `checked`, which a signal's emit would forward.
        button.clicked.connect(lambda: slot())  # noqa: PLW0108
        return button

    def refresh(self) -> None:
        """Read the folder again (after a backup or a restore)."""
        from desktop.models.backup import entry_count, list_backups  # noqa: PLC0415 (when first used)

        self.backups = list_backups(self.folder, self._database_path.stem)
        self.table.setRowCount(len(self.backups))
        for row, info in enumerate(self.backups):
            count = entry_count(info.path)
            cells = (
                f"{info.taken_at:%Y-%m-%d %H:%M:%S}",
                reason_text(info.reason),
                size_text(info.size),
                "?" if count is None else str(count),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(str(info.path))
                if column >= 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, column, item)
        self.table.setVisible(bool(self.backups))
        self.empty_label.setVisible(not self.backups)
        if self.backups:
            self.table.selectRow(0)
        self._update_buttons()

    def selected(self) -> BackupInfo | None:
        rows = {index.row() for index in self.table.selectionModel().selectedRows()}
        return self.backups[min(rows)] if rows else None

    def _update_buttons(self) -> None:
        self.restore_button.setEnabled(self.selected() is not None)

    def _restore_selected(self) -> None:
        chosen = self.selected()
        if chosen is not None:
            self.restoreRequested.emit(chosen.path)

    def _open_folder(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder)))


class Recovery(enum.Enum):
    """What to do about a damaged database that was moved aside."""

    RESTORE = "restore"
    START_FROM_PLAN = "plan"
    QUIT = "quit"


class DamagedDatabaseDialog(QMessageBox):
    """Tells the user the database was damaged and moved aside; offers the newest good backup."""

    def __init__(
        self,
        database: Path,
        aside: Path,
        problems: tuple[str, ...],
        backup: BackupInfo | None,
        *,
        entries: int | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("damagedDatabaseDialog")
        self.setIcon(QMessageBox.Icon.Critical)
        self.setWindowTitle(self.tr("The database is damaged"))
        self.setText(
            self.tr(
                "The database %1 is damaged and cannot be used. It was moved to %2; "
                "nothing was deleted."
            )
            .replace("%1", str(database))
            .replace("%2", aside.name)
        )
        self.setDetailedText("\n".join(problems))
        self._choices: dict[object, Recovery] = {}
        if backup is not None:
            self.setInformativeText(
                self.tr(
                    "The newest good backup was taken on %1 and holds %2 entries. Restore it? "
                    "Figures entered after it must be entered again."
                )
                .replace("%1", f"{backup.taken_at:%Y-%m-%d %H:%M}")
                .replace("%2", "?" if entries is None else str(entries))
            )
            restore = self.addButton(
                self.tr("Restore the backup"), QMessageBox.ButtonRole.AcceptRole
            )
            self._choices[restore] = Recovery.RESTORE
            self.setDefaultButton(restore)
        else:
            self.setInformativeText(
                self.tr(
                    "No good backup was found. You can start again from the plan, without "
                    "figures, and restore a backup from elsewhere with File → Backups."
                )
            )
        fresh = self.addButton(self.tr("Start from the plan"), QMessageBox.ButtonRole.ActionRole)
        self._choices[fresh] = Recovery.START_FROM_PLAN
        quit_button = self.addButton(self.tr("Quit"), QMessageBox.ButtonRole.RejectRole)
        self._choices[quit_button] = Recovery.QUIT
        self.setEscapeButton(quit_button)
        if backup is None:
            self.setDefaultButton(fresh)

    def choice(self) -> Recovery:
        """The answer, once the dialog has been shown (Quit if closed otherwise)."""
        return self._choices.get(self.clickedButton(), Recovery.QUIT)

    def choose(self, recovery: Recovery) -> None:
        """Press the button for `recovery` (keyboard users and tests)."""
        for button, value in self._choices.items():
            if value is recovery:
                button.click()  # type: ignore[attr-defined]
                return
        raise ValueError(f"{recovery} is not offered")
