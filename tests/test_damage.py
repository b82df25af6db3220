"""A damaged database: found at start, moved aside (never deleted), the newest good backup offered.

The damage is real: bytes of the file flipped or cut off, as a failing disk or a crashed copy
would leave it. SQLite keeps no checksums of its pages, so what it can find is damage to the
file's structure (page headers, pointers, the header, a short file); a flipped byte inside a
stored figure looks like a different figure and is not detectable by any check SQLite offers.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtWidgets import QApplication

from desktop.cli import main
from desktop.models.backup import backup_before, list_backups
from desktop.models.database import damage_of
from desktop.models.demo import create_demo
from desktop.models.errors import DatabaseDamagedError, TargetMonitorError
from desktop.models.integrity import check_database
from desktop.models.opening import open_database
from tests.test_migrations import RELEASED
from tests.ui_helpers import ScriptedPrompts

from desktop.ui.app import Session, open_main_window
from desktop.ui.backups import DamagedDatabaseDialog, Recovery
from desktop.ui.main_window import MainWindow
from desktop.ui.settings import Settings

BTREE_PAGE_TYPES = {2, 5, 10, 13}


def geometry(path: Path) -> tuple[int, int]:
    with sqlite3.connect(path) as connection:
        size = connection.execute("PRAGMA page_size").fetchone()[0]
        count = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.close()
    return int(size), int(count)


def btree_pages(path: Path) -> list[int]:
    """The numbers of the pages that hold a b-tree (tables and indexes), from their headers."""
    size, count = geometry(path)
    data = path.read_bytes()
    return [
        number for number in range(2, count + 1) if data[(number - 1) * size] in BTREE_PAGE_TYPES
    ]


def entries_in(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        (count,) = connection.execute("SELECT count(*) FROM entries").fetchone()
    connection.close()
    return int(count)


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    """A database with figures, imports and an undone import, in WAL mode as the program runs."""
    path = tmp_path / "plan.sqlite"
    shutil.copyfile(RELEASED[-1], path)
    open_database(path).close()
    return path


def backed_up(path: Path, reason: str) -> Path:
    """A checked backup of the file, as the program takes them."""
    database = open_database(path)
    try:
        return backup_before(database, reason)
    finally:
        database.close()


def flip_page_type(number: int) -> Callable[[bytearray, int], bytearray]:
    def damage(data: bytearray, size: int) -> bytearray:
        data[(number - 1) * size] = 0x00  # not a page type SQLite knows
        return data

    return damage


def zero_page(number: int) -> Callable[[bytearray, int], bytearray]:
    def damage(data: bytearray, size: int) -> bytearray:
        data[(number - 1) * size : number * size] = bytes(size)
        return data

    return damage


CUTS: dict[str, Callable[[bytearray, int], bytearray]] = {
    "empty": lambda data, size: bytearray(),
    "inside-the-header-page": lambda data, size: data[:1000],
    "half-the-pages": lambda data, size: data[: (len(data) // size // 2) * size],
    "last-page-missing": lambda data, size: data[:-size],
    "cut-inside-a-page": lambda data, size: data[:-100],
    "page-size-field": lambda data, size: data[:16] + b"\x00\x03" + data[18:],
    "header-page-zeroed-after-magic": lambda data, size: data[:16] + bytes(size - 16) + data[size:],
}


def damaged(path: Path, damage: Callable[[bytearray, int], bytearray]) -> Path:
    size, _ = geometry(path)
    path.write_bytes(bytes(damage(bytearray(path.read_bytes()), size)))
    return path


def test_a_broken_page_anywhere_in_the_file_is_found(filled: Path, tmp_path: Path) -> None:
    pages = btree_pages(filled)
    _, count = geometry(filled)
    assert len(pages) >= 25 and len(pages) >= count - 3  # (nearly) every page is checked
    missed = []
    for number in pages:
        for kind, damage in (("type", flip_page_type(number)), ("zeroed", zero_page(number))):
            copy = tmp_path / f"page-{number}-{kind}.sqlite"
            shutil.copyfile(filled, copy)
            if not damage_of(damaged(copy, damage)):
                missed.append(f"page {number} {kind}")
    assert missed == []


@pytest.mark.parametrize("cut", CUTS, ids=list(CUTS))
def test_a_cut_or_broken_header_is_found(filled: Path, cut: str) -> None:
    damaged(filled, CUTS[cut])
    with pytest.raises(DatabaseDamagedError, match="the database file is damaged"):
        open_database(filled)


def test_an_intact_file_passes(filled: Path) -> None:
    assert damage_of(filled) == ()


# --- the command line -------------------------------------------------------------------


def test_the_command_line_moves_a_damaged_file_aside_and_names_the_backup_to_restore(
    filled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = backed_up(filled, "daily")
    broken = damaged(filled, flip_page_type(btree_pages(filled)[-1])).read_bytes()

    # a command that only reads does not scan the whole file first: this damage is in a page
    # the tree never reads
    assert main(["--db", str(filled), "tree"]) == 0
    assert "1.1.1" in capsys.readouterr().out
    # a command that writes checks the whole file first
    assert main(["--db", str(filled), "plan-state", "closed"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err and err.count("\n") == 1
    (aside,) = filled.parent.glob("plan.damaged-*.sqlite")
    assert aside.read_bytes() == broken  # kept exactly as found
    assert not filled.exists()
    assert f"{filled}: the database file is damaged" in err
    assert f"moved to {aside}; nothing was deleted" in err
    assert f'restore "{good}"' in err

    assert main(["--db", str(filled), "restore", str(good)]) == 0
    assert entries_in(filled) == entries_in(good) == 78
    assert main(["--db", str(filled), "check"]) == 0
    assert aside.exists()


def test_restore_over_a_damaged_file_moves_it_aside_first(
    filled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = backed_up(filled, "manual")
    damaged(filled, CUTS["half-the-pages"])
    assert main(["--db", str(filled), "restore", str(good)]) == 0
    out = capsys.readouterr().out
    (aside,) = filled.parent.glob("plan.damaged-*.sqlite")
    assert f"moved to {aside}" in out
    assert entries_in(filled) == 78


def test_without_a_backup_the_command_line_says_how_to_restore_one(
    filled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    damaged(filled, CUTS["last-page-missing"])
    assert main(["--db", str(filled), "check"]) == 1
    err = capsys.readouterr().err
    assert "No good backup was found beside it" in err and "restore FILE" in err


# --- the window -------------------------------------------------------------------------


class Recoverer(ScriptedPrompts):
    """Answers the damaged-database question with `choice` (Quit unless told)."""

    def __init__(self) -> None:
        super().__init__()
        self.choice = Recovery.QUIT
        self.on(DamagedDatabaseDialog, lambda dialog: dialog.choose(self.choice))

    @property
    def dialogs(self) -> list[DamagedDatabaseDialog]:
        return self.shown(DamagedDatabaseDialog)


@pytest.fixture
def recoverer() -> Recoverer:
    return Recoverer()


def close(window: MainWindow | None) -> None:
    assert window is not None
    window.controller.database.close()
    window.deleteLater()


def test_the_window_offers_the_newest_good_backup_and_restores_it(
    filled: Path,
    settings: Settings,
    recoverer: Recoverer,
    qtbot: QtBot,
) -> None:
    older = backed_up(filled, "daily")
    database_entries = entries_in(filled)
    newest = backed_up(filled, "import")
    newest.write_bytes(newest.read_bytes()[:5000])  # a damaged backup is passed over
    damaged(filled, flip_page_type(btree_pages(filled)[0]))
    recoverer.choice = Recovery.RESTORE

    window = open_main_window(filled, settings, recoverer)

    (dialog,) = recoverer.dialogs
    assert "moved to plan.damaged-" in dialog.text() and "nothing was deleted" in dialog.text()
    assert f"{database_entries} entries" in dialog.informativeText()
    taken = next(b for b in list_backups(filled.parent / "backups", "plan") if b.path == older)
    assert f"{taken.taken_at:%Y-%m-%d %H:%M}" in dialog.informativeText()
    assert "malformed" in dialog.detailedText() or "btreeInitPage" in dialog.detailedText()
    assert window is not None
    qtbot.addWidget(window)
    workspace = window.controller.workspace
    assert sum(workspace.latest(i) is not None for i in workspace.indicators) >= 24
    close(window)
    reopened = open_database(filled)
    assert check_database(reopened).ok
    reopened.close()
    assert len(list(filled.parent.glob("plan.damaged-*.sqlite"))) == 1


def test_quitting_leaves_the_damaged_file_aside_and_nothing_else_changed(
    qapp: QApplication, filled: Path, settings: Settings, recoverer: Recoverer
) -> None:
    damaged(filled, CUTS["half-the-pages"])
    assert open_main_window(filled, settings, recoverer) is None
    assert not filled.exists()
    assert len(list(filled.parent.glob("plan.damaged-*.sqlite"))) == 1
    (dialog,) = recoverer.dialogs
    assert "No good backup was found" in dialog.informativeText()
    with pytest.raises(ValueError, match="not offered"):
        dialog.choose(Recovery.RESTORE)  # nothing to restore: not offered


def test_starting_from_the_plan_gives_the_seed(
    filled: Path,
    settings: Settings,
    recoverer: Recoverer,
    qtbot: QtBot,
) -> None:
    damaged(filled, CUTS["page-size-field"])
    recoverer.choice = Recovery.START_FROM_PLAN
    window = open_main_window(filled, settings, recoverer)
    assert window is not None
    qtbot.addWidget(window)
    assert len(window.controller.workspace.indicators) == 48
    close(window)
    assert entries_in(filled) == 0


def damage_the_start_does_not_read(path: Path) -> None:
    """Break the audit trail's index: the window opens without reading it."""
    with sqlite3.connect(path) as connection:
        root = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'ix_audit_events_entity'"
        ).fetchone()[0]
    connection.close()
    damaged(path, flip_page_type(int(root)))


def test_damage_found_after_the_window_opened_reopens_it_on_the_backup(
    filled: Path,
    settings: Settings,
    recoverer: Recoverer,
    qtbot: QtBot,
) -> None:
    backed_up(filled, "daily")
    damage_the_start_does_not_read(filled)
    recoverer.choice = Recovery.RESTORE
    session = Session(filled, settings, recoverer)
    assert session.open()
    first = session.window
    assert first is not None and not recoverer.dialogs  # the start itself did not notice
    session.start()

    qtbot.waitUntil(lambda: bool(recoverer.dialogs) and session.window is not first, timeout=10000)
    assert "btreeInitPage" in recoverer.dialogs[0].detailedText()
    assert session.window is not None and session.window.isVisible()
    assert check_database(session.window.controller.database).ok
    assert len(list(filled.parent.glob("plan.damaged-*.sqlite"))) == 1
    # The first window wrote nothing after the damage was found: no daily backup of it.
    assert [b.reason for b in list_backups(filled.parent / "backups", "plan")] == ["daily"]
    session.window.close()
    session.close()


def test_a_sound_file_gets_its_daily_backup_after_the_check(
    filled: Path, settings: Settings, qtbot: QtBot
) -> None:
    session = Session(filled, settings, ScriptedPrompts())
    assert session.open() and session.window is not None
    session.start()
    qtbot.waitUntil(lambda: "Backed up to" in session.window.statusBar().currentMessage())
    session.window.close()
    session.close()


# --- damage only integrity_check finds -----------------------------------------------------


def index_entry_changed(path: Path) -> Path:
    """Change a key inside an index: quick_check passes, integrity_check finds a table row
    missing from the index (SQLite's quick_check does not compare indexes with tables)."""
    with sqlite3.connect(path) as connection:
        (root,) = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'ix_indicators_department_id'"
        ).fetchone()
    connection.close()
    size, _ = geometry(path)
    data = bytearray(path.read_bytes())
    data[root * size - 1] ^= 0x01
    path.write_bytes(bytes(data))
    assert damage_of(path) == ()
    return path


def test_an_older_schema_with_damage_quick_check_misses_is_not_upgraded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The upgrade's backup found the damage and the message named its half-written copy."""
    path = tmp_path / "plan.sqlite"
    shutil.copyfile(RELEASED[0], path)
    broken = index_entry_changed(path).read_bytes()
    assert main(["--db", str(path), "tree"]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and ".partial" not in err
    assert f"{path}: the database file is damaged (row " in err
    (aside,) = tmp_path.glob("plan.damaged-*.sqlite")
    assert aside.read_bytes() == broken
    assert not list((tmp_path / "backups").glob("*.sqlite"))  # no upgrade was begun


def test_a_backup_of_such_a_database_names_the_backup_it_could_not_write(
    filled: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    index_entry_changed(filled)
    target = tmp_path / "copy.sqlite"
    assert main(["--db", str(filled), "backup", "-o", str(target)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and ".partial" not in err
    assert f"{target}: the backup could not be written — the copy is damaged (row " in err
    assert not target.exists()


def test_the_window_on_a_plan_without_its_dates_says_so(
    qapp: QApplication, filled: Path, settings: Settings, recoverer: Recoverer
) -> None:
    """A required value that is missing (the table rebuilt without its NOT NULL): one message
    naming the file, not a traceback."""
    with sqlite3.connect(filled) as connection:
        connection.executescript(
            "PRAGMA foreign_keys = OFF;"
            "CREATE TABLE plans_copy AS SELECT * FROM plans;"
            "DROP TABLE plans; ALTER TABLE plans_copy RENAME TO plans;"
            "UPDATE plans SET start_date = NULL;"
        )
    connection.close()
    with pytest.raises(TargetMonitorError) as refused:
        open_main_window(filled, settings, recoverer)
    assert str(refused.value).startswith(f"{filled}: ") and "\n" not in str(refused.value)


def test_damage_the_start_meets_in_the_entries_offers_the_backup(
    qapp: QApplication, tmp_path: Path, settings: Settings, recoverer: Recoverer
) -> None:
    """The entries are read through the driver's own cursor, whose errors SQLAlchemy does not
    wrap: damage in one of their pages once escaped as a traceback."""
    path = tmp_path / "plan.sqlite"
    create_demo(path, through="2025-09")  # entries over many pages
    backed_up(path, "daily")
    with sqlite3.connect(path) as connection:
        (page,) = connection.execute(
            "SELECT max(pageno) FROM dbstat WHERE name = 'entries' AND pagetype = 'leaf'"
        ).fetchone()
    connection.close()
    damaged(path, zero_page(int(page)))
    assert open_main_window(path, settings, recoverer) is None  # the user chose Quit
    (dialog,) = recoverer.dialogs
    assert "nothing was deleted" in dialog.text()


def test_the_window_on_a_department_name_that_is_no_text_says_so(
    qapp: QApplication, filled: Path, settings: Settings, recoverer: Recoverer
) -> None:
    with sqlite3.connect(filled) as connection:
        connection.execute("UPDATE departments SET short_name = x'00ff' WHERE id = 1")
    connection.close()
    with pytest.raises(TargetMonitorError) as refused:
        open_main_window(filled, settings, recoverer)
    message = str(refused.value)
    assert message.startswith(f"{filled}: departments row 1: short_name b'\\x00\\xff' is not text")
    assert "\n" not in message


def test_the_window_on_a_database_without_one_of_its_tables_says_so(
    qapp: QApplication, filled: Path, settings: Settings, recoverer: Recoverer
) -> None:
    with sqlite3.connect(filled) as connection:
        connection.execute("DROP TABLE departments")
    connection.close()
    with pytest.raises(TargetMonitorError) as refused:
        open_main_window(filled, settings, recoverer)
    assert str(refused.value) == f"{filled}: no such table: departments"


def test_the_window_moves_a_damaged_file_in_a_rollback_journal_aside_as_it_found_it(
    qapp: QApplication, filled: Path, settings: Settings, recoverer: Recoverer
) -> None:
    """The start switches a database to WAL, which rewrites its header: a file not yet in WAL
    (a backup just put back) is checked before that, so that it is moved aside as found."""
    with sqlite3.connect(filled) as connection:
        connection.execute("PRAGMA journal_mode = DELETE")
    connection.close()
    broken = damaged(filled, flip_page_type(btree_pages(filled)[-1])).read_bytes()
    assert open_main_window(filled, settings, recoverer) is None  # the user chose Quit
    (aside,) = filled.parent.glob("plan.damaged-*.sqlite")
    assert aside.read_bytes() == broken
