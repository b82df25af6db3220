"""What the window's commands (File menu and toolbar) share: where to show their dialogs, the
controller that runs their operations, how they ask and how they tell.

The commands live beside this module, by area: exchange_commands.py (templates, import, undo an
import, the report), backup_commands.py (backups, restore, the start-up checks),
print_dialog.py (the printed documents). The main window only builds and wires them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from desktop.models.changes import Progress
from desktop.models.errors import OperationCancelled, TargetMonitorError

from desktop.ui.background import run_in_background
from desktop.ui.controller import PlanController
from desktop.ui.prompts import Prompts
from desktop.ui.settings import Settings
from desktop.ui.theme import action_icon

T = TypeVar("T")


def window_action(
    parent: QWidget,
    icon: str,
    text: str,
    slot: Callable[[], object],
    shortcut: str | QKeySequence.StandardKey | None = None,
) -> QAction:
    """A command of the window: its icon, words and shortcut, added to the window so that
    the shortcut works wherever the focus is."""
    action = QAction(action_icon(icon), text, parent)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(slot)
    parent.addAction(action)
    return action


@dataclass(frozen=True)
class CommandContext:
    """The window as its commands see it."""

    parent: QWidget
    controller: PlanController
    settings: Settings
    prompts: Prompts
    tell: Callable[[str], None]  # a message the user must see
    note: Callable[[str], None]  # a passing note in the status bar
    save_pending_notes: Callable[[], None]  # typed notes are saved before a backup or restore

    def background(self, label: str, job: Callable[[Progress], T]) -> T | None:
        """Long work that changes nothing (reading a template, writing a file) off the UI
        thread with a progress dialog; None when it failed (the user is told) or was
        cancelled."""
        try:
            return run_in_background(self.parent, label, job)
        except OperationCancelled as cancelled:
            self.note(str(cancelled))
        except TargetMonitorError as error:
            self.tell(str(error))
        return None
