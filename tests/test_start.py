"""What starting costs: the libraries only a command needs (openpyxl for Excel,
pyqtgraph for the chart, the printing code) are imported when the command is first used."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from pytestqt.qtbot import QtBot

from PySide6.QtWidgets import QLabel

from desktop.ui.background import when_quiet

ROOT = Path(__file__).resolve().parent.parent
ON_DEMAND = ("openpyxl", "pyqtgraph", "desktop.ui.printing", "desktop.exchange.importer")

_SHOW_WINDOW = """
import json, sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
app = QApplication([])
from desktop.ui.app import create_main_window
window = create_main_window(Path(sys.argv[1]))
window.show()
app.processEvents()
window.exchange.import_template  # the commands are there, their libraries not yet
print(json.dumps([name for name in %r if name in sys.modules]))
"""


def _loaded_on_demand(script: str, tmp_path: Path, **environment: str) -> list[str]:
    """Which of ON_DEMAND a fresh process has imported after running `script` on a copy of
    the seed."""
    database = tmp_path / "plan.sqlite"
    shutil.copyfile(ROOT / "data" / "seed.sqlite", database)
    done = subprocess.run(
        [sys.executable, "-c", script % (ON_DEMAND,), str(database)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "HOME": str(tmp_path), **environment},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def test_the_window_starts_without_the_libraries_of_commands_not_used(tmp_path: Path) -> None:
    assert _loaded_on_demand(_SHOW_WINDOW, tmp_path, QT_QPA_PLATFORM="offscreen") == []


_TREE_COMMAND = """
import contextlib, io, json, sys
from desktop.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    assert main(["--db", sys.argv[1], "tree", "--json"]) == 0
print(json.dumps([name for name in %r if name in sys.modules]))
"""


def test_a_command_without_excel_runs_without_the_excel_library(tmp_path: Path) -> None:
    assert _loaded_on_demand(_TREE_COMMAND, tmp_path) == []


_SHOW_KEPT = """
import json, sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
app = QApplication([])
from desktop.ui.app import create_main_window
from desktop.ui.backup_commands import BackupCommands
before_own_load = []
own_load = BackupCommands.load_database_layer
def load_database_layer(self):  # the window's own load, in the background once it is up
    before_own_load.append("sqlalchemy" in sys.modules)
    own_load(self)
BackupCommands.load_database_layer = load_database_layer
window = create_main_window(Path(sys.argv[1]))
window.resize(1200, 800)
window.show()
app.processEvents()
import time
waited = time.monotonic()
while not before_own_load and time.monotonic() - waited < 10:  # the load starts soon after
    app.processEvents()
    time.sleep(0.01)
assert before_own_load, "the window did not load the database layer once it was up"
loaded = before_own_load[0]
shown = [window.tree_model.rowCount(), window.grid_model.rowCount()]
window.close()
print(json.dumps([loaded, shown]))
"""


def _start(tmp_path: Path, database: Path, cache: Path) -> tuple[bool, list[int]]:
    done = subprocess.run(
        [sys.executable, "-c", _SHOW_KEPT, str(database)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={
            **os.environ,
            "HOME": str(tmp_path),
            "QT_QPA_PLATFORM": "offscreen",
            "TARGET_MONITOR_CACHE": str(cache),
        },
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    loaded, shown = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded, shown


def test_the_window_shows_the_kept_plan_before_the_database_layer_loads(tmp_path: Path) -> None:
    """The plan kept by the last start (its structure and entries, at the file's revisions)
    shows without SQLAlchemy: it loads once the window is up. Without anything kept the start
    reads the rows through it, and shows the same."""
    database = tmp_path / "plan.sqlite"
    shutil.copyfile(ROOT / "data" / "seed.sqlite", database)
    cache = tmp_path / "cache"
    first = _start(tmp_path, database, cache)
    again = _start(tmp_path, database, cache)
    assert first[0] is True  # nothing kept yet: the rows were read
    assert again == (False, first[1])
    assert first[1][0] > 0 and first[1][1] > 0


def test_tree_on_the_kept_plan_runs_without_the_database_layer(tmp_path: Path) -> None:
    """`tree` only reads: on a file as this program left it, with the plan kept by the last
    run, it answers without SQLAlchemy, and the same as when it had to read the rows."""
    script = """
import contextlib, io, json, sys
from desktop.cli import main
text = io.StringIO()
with contextlib.redirect_stdout(text):
    assert main(["--db", sys.argv[1], "tree", "--json"]) == 0
print(json.dumps(["sqlalchemy" in sys.modules, json.loads(text.getvalue())]))
"""
    database = tmp_path / "plan.sqlite"
    shutil.copyfile(ROOT / "data" / "seed.sqlite", database)
    runs = []
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", script, str(database)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "HOME": str(tmp_path), "TARGET_MONITOR_CACHE": str(tmp_path / "c")},
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    (first_loaded, first), (again_loaded, again) = runs
    assert first_loaded and not again_loaded
    assert again == first and first["nodes"]


def test_the_background_load_waits_for_a_pause(qtbot: QtBot) -> None:
    """The database layer loads in a thread, and a thread loading modules slows every paint of
    the window: it waits until the window has had no key, click, wheel or repaint for a
    moment, and then starts once."""
    widget = QLabel("busy")
    qtbot.addWidget(widget)
    widget.show()
    started: list[float] = []
    when_quiet(widget, 400, lambda: started.append(time.monotonic()))
    busy_until = time.monotonic() + 0.8
    last_paint = time.monotonic()
    while time.monotonic() < busy_until:  # a change painted every 30 ms
        widget.setText(f"busy {time.monotonic()}")
        widget.repaint()
        last_paint = time.monotonic()
        qtbot.wait(30)
    assert started == []
    qtbot.waitUntil(lambda: bool(started), timeout=3000)
    assert started[0] - last_paint >= 0.4
    qtbot.wait(600)
    assert len(started) == 1
