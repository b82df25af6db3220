"""Two processes on one database: the later of two edits based on the same version is refused."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from PySide6.QtWidgets import QWidget

from desktop.models.backup import backup_folder, list_backups
from desktop.models.errors import StaleEditError
from desktop.models.service import EntryService
from desktop.models.store import Database
from desktop.models.workspace import PlanWorkspace
from tests.test_window_exchange import filled_template
from tests.ui_helpers import ScriptedPrompts

from desktop.ui.main_window import MainWindow

OTHER_PROCESS = """
import sys
from pathlib import Path
from desktop.models.opening import open_database
from desktop.models.service import EntryService
database = open_database(Path(sys.argv[1]))
EntryService(database, "李四").set_value(int(sys.argv[2]), "2025-06", 222, expected=100)
database.close()
"""


def test_an_edit_raced_by_another_process_is_refused_with_its_value(database: Database) -> None:
    workspace = PlanWorkspace(database, as_of="2025-06")
    indicator = next(i.id for i in workspace.indicators.values() if i.code == "2.1.1-1")
    service = EntryService(database, "张三")
    service.set_value(indicator, "2025-06", 100, expected=None)
    seen = 100.0  # the value this window shows
    done = subprocess.run(
        [sys.executable, "-c", OTHER_PROCESS, str(database.path), str(indicator)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert done.returncode == 0, done.stderr
    with pytest.raises(StaleEditError) as refused:
        service.set_value(indicator, "2025-06", 150, expected=seen)
    assert refused.value.current_value is not None
    assert float(refused.value.current_value) == 222 and refused.value.changed_by == "李四"
    workspace.refresh([indicator])
    latest = workspace.latest(indicator)
    assert latest is not None and latest[1].value == 222  # the other process's value stands


def another_program_can_write(path: Path) -> bool:
    """Whether a second program gets the write lock at once (as `BEGIN IMMEDIATE` needs)."""
    other = sqlite3.connect(path, timeout=0.2, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()
    return True


def test_no_lock_is_held_while_a_dialog_waits_for_the_user(
    window: MainWindow, prompts: ScriptedPrompts, tmp_path: Path
) -> None:
    """The import preview, the undo-import list and its question, and the restore question
    wait for a person for as long as they like: meanwhile other programs must be able to
    save."""
    path = window.controller.database.path
    waited: list[tuple[str, bool]] = []

    def waits(widget: QWidget) -> bool:
        waited.append((widget.objectName(), another_program_can_write(path)))
        return widget.objectName() != "confirmRestore"

    prompts.on(QWidget, waits)
    filled = filled_template(window, tmp_path, {"J5": 120})
    window.exchange.import_file(filled)
    window.exchange.undo_import()
    window.backups.back_up_now()
    newest = list_backups(backup_folder(window.controller.database), path.stem)[0]
    assert newest.reason == "manual"
    window.backups.restore_backup(newest.path)
    assert waited == [
        ("importPreviewDialog", True),
        ("undoImportDialog", True),
        ("confirmUndoImport", True),
        ("confirmRestore", True),
    ]
    assert another_program_can_write(path)
