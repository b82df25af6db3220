"""The database's safety from the window: the backups dialog, backing up, restoring, and the
checks after start (the file's quick_check, the daily backup, a network-share warning)."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtWidgets import QMessageBox

from desktop.models.errors import DatabaseDamagedError
from desktop.models.locations import network_share

from desktop.ui import operations
from desktop.ui.background import run_quietly
from desktop.ui.commands import CommandContext
from desktop.ui.i18n import fill
from desktop.ui.prompts import FileKind

LOADING_SWITCH_INTERVAL_S = 0.0001  # how soon a thread loading in the background lets go

if TYPE_CHECKING:
    from desktop.ui.backups import BackupsDialog


class BackupCommands(QObject):
    """备份: list, make and restore backups; the quiet checks after the window is shown."""

    damageFound = Signal(object)  # DatabaseDamagedError: the file failed its quick_check

    def __init__(self, context: CommandContext) -> None:
        super().__init__(context.parent)
        self._context = context
        self._chores: list[QThread] = []  # quiet background work to finish before closing

    @property
    def _database_path(self) -> Path:
        return self._context.controller.database.path

    # --- the dialog ------------------------------------------------------------------------

    def show_backups(self) -> None:
        """备份: list the backups, make one, restore one."""
        from desktop.models.backup import backup_folder  # noqa: PLC0415 (when first used)

        from desktop.ui.backups import BackupsDialog  # noqa: PLC0415

        context = self._context
        database = context.controller.database
        dialog = BackupsDialog(database.path, backup_folder(database), context.parent)
        dialog.backUpRequested.connect(lambda: self.back_up_now(dialog))
        dialog.restoreRequested.connect(lambda path: self.restore_backup(path, dialog))
        dialog.restoreFromFileRequested.connect(lambda: self.restore_from_file(dialog))
        context.prompts.show(dialog)

    def back_up_now(self, dialog: BackupsDialog | None = None) -> None:
        from desktop.models.backup import backup_before  # noqa: PLC0415 (when first used)

        context = self._context
        context.save_pending_notes()
        database = context.controller.database
        path = context.background(
            self.tr("Backing up…"), lambda _progress: backup_before(database, "manual")
        )
        if path is None:
            return
        if dialog is not None:
            dialog.refresh()
        context.note(fill(self.tr("Backed up to %1"), str(path)))

    def restore_from_file(self, dialog: BackupsDialog | None = None) -> None:
        path = self._context.prompts.open_path(self._context.parent, FileKind.DATABASE)
        if path is not None:
            self.restore_backup(path, dialog)

    def restore_backup(self, path: Path, dialog: BackupsDialog | None = None) -> None:
        """Replace the figures with a backup's, after a confirmation and a backup of them."""
        from desktop.models.backup import entry_count  # noqa: PLC0415 (when first used)

        context = self._context
        entries = entry_count(path)
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Restore a backup"),
            fill(
                self.tr(
                    "Replace everything in the database with the backup %1 (%2 entries)? "
                    "Figures entered since it was taken are replaced too. The current content "
                    "is backed up first, so this restore can itself be undone from this list."
                ),
                path.name,
                "?" if entries is None else str(entries),
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            dialog or context.parent,
        )
        box.setObjectName("confirmRestore")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        if not context.prompts.ask_yes(box):
            return
        context.save_pending_notes()
        self.finish_chores()
        controller = context.controller
        restored = controller.run(operations.restore_backup(controller.workspace, path))
        if restored is None:
            return
        if dialog is not None:
            dialog.refresh()
        context.note(
            fill(
                self.tr("Restored from %1; the content it replaced is kept in %2"),
                path.name,
                restored.saved.name,
            )
        )

    # --- after the start -------------------------------------------------------------------

    def start_chores(self) -> None:
        """After the window is shown: the network warning, the file's quick_check and then,
        if the file is sound, the daily backup; all without holding up the window. A server
        has no file to check or share: its daily backup only (a file on this PC)."""
        if self._context.controller.database.is_server:
            self.take_daily_backup()
            return
        self.warn_if_network_share()
        self.check_file(then=self.take_daily_backup)

    def warn_if_network_share(self) -> None:
        """Two computers must not share one SQLite file over a network: say so at start."""
        reason = network_share(self._database_path.parent)
        if reason:
            self._context.tell(
                fill(
                    self.tr(
                        "%1. SQLite cannot share a database between computers safely: figures "
                        "may be lost or the file damaged. Keep the database on this computer's "
                        "disk and exchange Excel templates with other offices."
                    ),
                    reason,
                )
            )

    def check_file(self, then: Callable[[], None] | None = None) -> None:
        """SQLite's quick_check of the open file, in the background; damage is signalled."""
        path = self._database_path

        def check() -> tuple[str, ...]:
            from desktop.models.database import damage_of  # noqa: PLC0415 (in the background)

            return damage_of(path)

        def done(problems: tuple[str, ...]) -> None:
            if problems:
                self.damageFound.emit(DatabaseDamagedError(path, problems))
            elif then is not None:
                then()

        self._chore(check, done, self._context.tell)

    def load_database_layer(self) -> None:
        """Once the window is up and left alone a moment: the database layer it showed
        without (the plan kept from the last start), loaded in the background with the engine
        and the ORM's mappers, so that the first edit (30 ms, not 40–80) and the first cell
        chosen do not wait for it. A failure here shows at that first use. A plain daemon
        thread, touching no Qt object: a program that ends while it runs (a script showing
        the window once) is not held up or aborted by it."""
        database = self._context.controller.database
        # While it loads, the window's thread gets Python back within a tenth of a
        # millisecond, not five: the window calls into Python for each row it lays out and
        # paints, and each call waited for this thread to let go (a filter chosen in the
        # first second took a quarter of a second).
        interval = sys.getswitchinterval()
        sys.setswitchinterval(LOADING_SWITCH_INTERVAL_S)

        def load() -> None:
            try:
                from desktop.models import history, service  # noqa: F401, PLC0415

                service.prepare_writing(database)
            finally:
                sys.setswitchinterval(interval)

        threading.Thread(target=load, name="load-database-layer", daemon=True).start()

    def take_daily_backup(self) -> None:
        """Once a day, on start, when the data changed: a checked backup beside the database,
        taken in the background (a large database takes a second or two)."""
        database = self._context.controller.database

        def back_up() -> Path | None:
            from desktop.models.backup import daily_backup  # noqa: PLC0415 (in the background)

            return daily_backup(database)

        def done(path: Path | None) -> None:
            if path is not None:
                self._context.note(fill(self.tr("Backed up to %1"), str(path)))

        def failed(message: str) -> None:
            self._context.tell(fill(self.tr("The daily backup failed: %1"), message))

        self._chore(back_up, done, failed)

    def _chore(
        self,
        job: Callable[[], object],
        done: Callable[..., None],
        failed: Callable[[str], None],
    ) -> None:
        self._chores.append(run_quietly(self, job, done, failed))

    def finish_chores(self) -> None:
        """Wait for quiet background work (the daily backup) before the database closes."""
        for thread in self._chores:
            thread.wait()
        self._chores.clear()
