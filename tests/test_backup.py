"""Backups: checked before they count, rotated by day, week and month; restore and its guards."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from desktop.cli import main
from desktop.models.backup import (
    KEEP_DAILY,
    KEEP_MONTHLY,
    KEEP_NEWEST,
    KEEP_WEEKLY,
    BackupError,
    backup_before,
    backup_folder,
    daily_backup,
    kept,
    list_backups,
    verify,
)
from desktop.models.errors import DatabaseWriteError
from desktop.models.locations import network_share
from desktop.models.opening import open_database, restore
from desktop.models.schema import Entry
from desktop.models.service import EntryService
from desktop.models.store import Database
from desktop.models.workspace import PlanWorkspace
from tests.test_migrations import dump
from tests.ui_helpers import messages

from desktop.ui.background import run_quietly
from desktop.ui.main_window import MainWindow

NOW = dt.datetime(2026, 6, 15, 12, 0)


def value(database: Database, code: str, period: str) -> float | None:
    with database.read() as session:
        return session.scalar(
            select(Entry.value).where(Entry.period == period, Entry.indicator.has(code=code))
        )


def test_rotation_keeps_the_newest_then_one_a_day_a_week_and_a_month() -> None:
    daily = [NOW - dt.timedelta(days=n) for n in range(400)]
    keep = kept(daily, NOW)
    assert set(daily[:KEEP_NEWEST]) <= keep  # the newest, whatever their day
    months = {(t.year, t.month) for t in keep}
    assert len(months) == KEEP_MONTHLY  # one a month for a year, nothing older
    assert min(keep) > NOW - dt.timedelta(days=366)
    # The newest of each month is what survives of it.
    for year, month in months:
        in_month = [t for t in daily if (t.year, t.month) == (year, month)]
        assert max(in_month) in keep
    assert len(keep) <= KEEP_NEWEST + KEEP_DAILY + KEEP_WEEKLY + KEEP_MONTHLY


def test_rotation_of_a_busy_day_keeps_the_newest_few_and_older_days() -> None:
    busy = [NOW - dt.timedelta(minutes=5 * n) for n in range(50)]  # 50 imports in one morning
    older = [NOW - dt.timedelta(days=d) for d in range(1, 10)]
    keep = kept(busy + older, NOW)
    assert keep & set(busy) == set(busy[:KEEP_NEWEST])
    # Days before today: one each for the rest of the week, then weeks.
    assert {t.date() for t in older[: KEEP_DAILY - 1]} <= {t.date() for t in keep}


def test_a_backup_is_checked_and_named(database: Database) -> None:
    path = backup_before(database, "manual", now=NOW)
    assert path.parent == backup_folder(database) and path.name.endswith("-manual.sqlite")
    with sqlite3.connect(path) as copy:
        assert copy.execute("SELECT count(*) FROM indicators").fetchone() == (
            154,
        )  # the three built-in plans
    copy.close()
    (info,) = list_backups(path.parent, database.path.stem)
    assert info.taken_at == NOW and info.reason == "manual" and info.size > 0


def test_a_damaged_copy_never_counts_as_a_backup(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = backup_before(database, "manual", now=NOW - dt.timedelta(days=1))

    def damaged(target: Path) -> None:
        target.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)

    monkeypatch.setattr(database, "backup_to", damaged)
    with pytest.raises(BackupError, match=r"not a usable database|damaged"):
        backup_before(database, "import", now=NOW)
    assert [p.name for p in backup_folder(database).iterdir()] == [good.name]


def test_restore_brings_back_the_backup_and_keeps_what_it_replaced(database: Database) -> None:
    workspace = PlanWorkspace(database, as_of="2025-06")
    indicator = next(i.id for i in workspace.indicators.values() if i.code == "2.1.1-1")
    service = EntryService(database, "张三")
    service.set_value(indicator, "2025-06", 100, expected=None)
    saved = backup_before(database, "manual", now=NOW - dt.timedelta(hours=1))
    service.set_value(indicator, "2025-06", 250, expected=100)
    replaced = restore(database, saved, now=NOW)
    assert value(database, "2.1.1-1", "2025-06") == 100
    with sqlite3.connect(replaced) as before:
        assert before.execute("SELECT max(value) FROM entries").fetchone() == (250,)
    before.close()


def test_restore_refuses_what_is_not_a_good_backup(database: Database, tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database")
    with pytest.raises(BackupError, match="not a usable database"):
        restore(database, junk)
    newer = backup_before(database, "manual", now=NOW)
    with sqlite3.connect(newer) as copy:
        copy.execute("UPDATE schema_meta SET value = '99' WHERE key = 'schema_version'")
    copy.close()
    with pytest.raises(BackupError, match="newer program"):
        restore(database, newer)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as foreign:
        foreign.execute("CREATE TABLE contacts (name TEXT)")
    foreign.close()
    with pytest.raises(BackupError, match="not a Target Monitor database"):
        restore(database, other)
    with pytest.raises(BackupError, match="is the database itself"):
        restore(database, database.path)
    assert len(list_backups(backup_folder(database), database.path.stem)) == 1  # nothing done


def test_backup_and_restore_from_the_command_line(
    seed_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "copy.sqlite"
    assert main(["backup", "--db", str(seed_copy), "-o", str(copy)]) == 0
    assert "backup checked" in capsys.readouterr().out and copy.is_file()
    assert main(["backup", "--db", str(seed_copy)]) == 0
    assert "backups" in capsys.readouterr().out
    assert main(["restore", "--db", str(seed_copy), str(copy)]) == 0
    assert "the content it replaced is kept in" in capsys.readouterr().out
    assert main(["restore", "--db", str(seed_copy), str(tmp_path / "missing.sqlite")]) == 1
    assert "no such file" in capsys.readouterr().err


def test_the_daily_backup_is_taken_once_a_day_when_the_data_changed(database: Database) -> None:
    assert daily_backup(database, now=NOW) is None  # nothing entered yet: the seed will do
    workspace = PlanWorkspace(database, as_of="2025-06")
    indicator = next(iter(workspace.indicators))
    clock = dt.datetime(2026, 6, 14, 9, 0)
    service = EntryService(database, "张三", clock=lambda: clock)
    service.set_value(indicator, "2025-06", 1, expected=None)
    first = daily_backup(database, now=NOW)
    assert first is not None and first.name.endswith("-daily.sqlite")
    assert daily_backup(database, now=NOW + dt.timedelta(hours=3)) is None  # once a day
    tomorrow = NOW + dt.timedelta(days=1)
    assert daily_backup(database, now=tomorrow) is None  # nothing changed since
    clock = NOW + dt.timedelta(hours=5)
    service.set_value(indicator, "2025-06", 2, expected=1)
    assert daily_backup(database, now=tomorrow) is not None


def test_the_window_takes_the_daily_backup_in_the_background(
    window: MainWindow, qtbot: QtBot
) -> None:
    database = window.controller.database
    workspace = window.controller.workspace
    indicator = next(iter(workspace.indicators))
    EntryService(database, "张三").set_value(indicator, "2025-06", 1, expected=None)
    window.backups.take_daily_backup()
    qtbot.waitUntil(lambda: "Backed up to" in window.statusBar().currentMessage(), timeout=10000)
    (taken,) = list_backups(backup_folder(database), database.path.stem)
    assert taken.reason == "daily" and str(taken.path) in window.statusBar().currentMessage()


def test_quiet_background_work_ends_cleanly_every_time(qapp: QApplication) -> None:
    """The daily backup and the file's check at every start run as quiet background jobs. Each
    job's worker was once deleted twice, by Qt in the worker's thread and by Python in the
    window's, which now and then crashed the program (a segmentation fault or a bus error);
    three hundred jobs in a row made such a crash certain."""
    owner = QObject()
    finished: list[str] = []
    for _ in range(300):
        thread = run_quietly(owner, lambda: "done", finished.append, finished.append)
        while not thread.isFinished():  # the window's event loop, deferred deletions included
            qapp.processEvents()
            qapp.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    qapp.processEvents()
    assert finished == ["done"] * 300


MOUNTS = """\
/dev/sda1 / ext4 rw,relatime 0 0
server:/export /srv/shared nfs4 rw,relatime 0 0
//fileserver/office /mnt/office\\040files cifs rw 0 0
tmpfs /srv/shared/tmp tmpfs rw 0 0
"""


@pytest.mark.parametrize(
    ("path", "warned"),
    [
        ("/home/clerk/.local/share/target-monitor", None),
        ("/srv/shared/plan", "nfs4"),
        ("/srv/shared", "nfs4"),
        ("/srv/sharedx/plan", None),  # a sibling, not inside the mount
        ("/srv/shared/tmp/plan", None),  # a local mount inside the share
        ("/mnt/office files/plan", "cifs"),
    ],
)
def test_network_shares_are_recognised(path: str, warned: str | None) -> None:
    reason = network_share(Path(path), mounts=MOUNTS)
    assert (reason is None) if warned is None else (reason is not None and warned in reason)


def test_unc_paths_are_network_paths() -> None:
    assert network_share(Path("//fileserver/office/plan")) is not None


def test_the_command_line_warns_about_a_database_on_a_share(
    seed_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("desktop.cli.network_share", lambda _path: "/srv/x is on nfs4")
    assert main(["check", "--db", str(seed_copy)]) == 0
    assert "warning: /srv/x is on nfs4: SQLite cannot share" in capsys.readouterr().err


def test_the_window_warns_about_a_database_on_a_share(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "desktop.ui.backup_commands.network_share", lambda _path: "/srv/x is on nfs4"
    )
    window.backups.warn_if_network_share()
    assert any("SQLite cannot share a database" in m for m in messages(window))


def test_a_backup_in_a_folder_with_uri_characters_restores(
    database: Database, tmp_path: Path
) -> None:
    folder = tmp_path / "备份 #1?"
    folder.mkdir()
    copy = folder / "copy.sqlite"
    database.backup_to(copy)
    restore(database, copy, now=NOW)  # '#' and '?' must not cut the path short
    assert len(list_backups(backup_folder(database), database.path.stem)) == 1


def test_an_empty_file_is_not_a_usable_backup(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite"
    empty.write_bytes(b"")
    with pytest.raises(BackupError, match="the file is empty"):
        verify(empty)


def test_copies_a_killed_program_left_half_written_are_removed_after_a_day(
    database: Database,
) -> None:
    folder = backup_folder(database)
    folder.mkdir()
    old = folder / ".plan-20260101-090000-000000-import.sqlite.partial"
    old_journal = Path(f"{old}-journal")
    young = folder / ".plan-20260615-115900-000000-import.sqlite.partial"
    other = folder / ".other-20260101-090000-000000-import.sqlite.partial"
    for leftover in (old, old_journal, young, other):
        leftover.write_bytes(b"half a copy")
    day_before = (NOW - dt.timedelta(days=2)).timestamp()
    for leftover in (old, old_journal, other):
        os.utime(leftover, (day_before, day_before))
    young_time = (NOW - dt.timedelta(minutes=1)).timestamp()
    os.utime(young, (young_time, young_time))
    backup_before(database, "manual", now=NOW)
    assert not old.exists() and not old_journal.exists()
    assert young.exists()  # another copy of the program may still be writing it
    assert other.exists()  # another database's


# --- a restore checks the whole file before it replaces anything --------------------------


def backup_of(database: Database, tmp_path: Path, change: str | None = None) -> Path:
    """A copy of the database as a backup file, changed by one SQL statement (foreign keys
    off, as in any other program that might have written it)."""
    copy = tmp_path / "offered" / "copy.sqlite"
    database.backup_to(copy)
    if change is not None:
        connection = sqlite3.connect(copy)
        try:
            connection.executescript(change)
        finally:
            connection.close()
    return copy


SCHEMA_0 = "UPDATE schema_meta SET value = '0' WHERE key = 'schema_version'"

REFUSED_BACKUPS = {
    # No migration leads from schema version 0 to this program's.
    "schema-0": (SCHEMA_0, r"no migration from schema version 0"),
    # An import batch's department is gone: foreign_key_check finds it.
    "dangling-foreign-key": (
        "INSERT INTO import_batches (id, file_name, sha256, department_id, period, user, at, "
        "rows, state) VALUES (77, 'a.xlsx', '', 999, '2025-06', 'x', '2025-07-01 09:00:00', "
        "0, 'applied')",
        r"rows point nowhere.*import_batches row 77",
    ),
    # Labelled schema 1, but the columns schema 1 lacks are there: the upgrade fails.
    "upgrade-fails": (
        "UPDATE schema_meta SET value = '1' WHERE key = 'schema_version'",
        r"could not be upgraded from schema version 1 .*duplicate column",
    ),
    # Target Monitor's schema_meta, but one of its tables is missing.
    "table-missing": ("DROP TABLE audit_events", r"table audit_events is missing"),
    # A value its column's CHECK refuses (a read-only integrity_check does not look), in a
    # file in WAL mode (which opening does not quick_check again).
    "check-constraint": (
        "PRAGMA journal_mode = WAL; PRAGMA ignore_check_constraints = ON; "
        "INSERT INTO entries (indicator_id, period, progress_note, problems, reported_by, "
        "reported_at, origin, version) VALUES (1, '2025-06', '', '', 'x', "
        "'2025-07-01 09:00:00.000000', 'by pigeon', 1)",
        r"the copy is damaged \(CHECK constraint failed in entries\)",
    ),
}


@pytest.mark.parametrize("kind", REFUSED_BACKUPS, ids=list(REFUSED_BACKUPS))
def test_restore_refuses_a_backup_it_cannot_use_and_changes_nothing(
    database: Database, tmp_path: Path, kind: str
) -> None:
    change, reason = REFUSED_BACKUPS[kind]
    offered = backup_of(database, tmp_path, change)
    EntryService(database, "张三").set_value(
        next(iter(PlanWorkspace(database).indicators)), "2025-06", 7, expected=None
    )
    before = dump(database.path)
    with pytest.raises(BackupError, match=reason) as refused:
        restore(database, offered, now=NOW)
    assert str(refused.value).startswith(f"{offered}: ")
    assert "\n" not in str(refused.value)
    assert dump(database.path) == before
    assert list_backups(backup_folder(database), database.path.stem) == []  # nothing backed up


@pytest.mark.parametrize("target", ["good", "missing", "damaged"])
def test_the_command_line_refuses_such_a_backup_before_touching_the_database(
    seed_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], target: str
) -> None:
    database = open_database(seed_copy)
    try:
        offered = backup_of(database, tmp_path, SCHEMA_0)
    finally:
        database.close()
    if target == "missing":
        seed_copy.unlink()
    elif target == "damaged":
        seed_copy.write_bytes(seed_copy.read_bytes()[:5000])
    before = seed_copy.read_bytes() if seed_copy.exists() else None
    content = dump(seed_copy) if target == "good" else None

    assert main(["--db", str(seed_copy), "restore", str(offered)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert f"{offered}: " in err and "no migration from schema version 0" in err
    if target == "missing":
        assert not seed_copy.exists()  # no database made of a file that cannot be used
    elif target == "damaged":
        assert seed_copy.read_bytes() == before  # not moved aside for nothing
    else:
        assert dump(seed_copy) == content
    assert not list(tmp_path.glob("plan.damaged-*"))
    assert not (tmp_path / "backups").exists()


@pytest.mark.slow
def test_restore_gives_up_on_a_database_another_program_is_writing(
    seed_copy: Path, tmp_path: Path
) -> None:
    """Another program holds the write lock (a long import, say): the restore waits as long as
    any write does (5 s), then says so, like an import, and changes nothing."""
    database = open_database(seed_copy)
    try:
        offered = backup_of(database, tmp_path)
    finally:
        database.close()
    before = dump(seed_copy)
    holder = sqlite3.connect(seed_copy, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        done = subprocess.run(
            [sys.executable, "-m", "desktop", "--db", str(seed_copy), "restore", str(offered)],
            capture_output=True,
            text=True,
            check=False,
            timeout=40,
            cwd=Path(__file__).resolve().parent.parent,
        )
    finally:
        holder.rollback()
        holder.close()
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert f"{seed_copy}: " in done.stderr and "locked by another program" in done.stderr
    assert "nothing was changed" in done.stderr
    assert dump(seed_copy) == before
    assert list_backups(tmp_path / "backups", "plan") == []


def test_copying_into_a_database_another_program_is_writing_gives_up(
    seed_copy: Path, tmp_path: Path
) -> None:
    """Should another program take the write lock after the restore found it free, the copy
    itself gives up after the busy timeout: the driver would retry it for ever."""
    database = open_database(seed_copy, busy_timeout_ms=300)
    try:
        offered = backup_of(database, tmp_path)
        before = dump(seed_copy)
        holder = sqlite3.connect(seed_copy, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        try:
            with pytest.raises(DatabaseWriteError, match="locked by another program"):
                database.load_from(offered)
        finally:
            holder.rollback()
            holder.close()
        assert time.monotonic() - started < 5
        assert dump(seed_copy) == before
    finally:
        database.close()


def index_damaged(path: Path) -> Path:
    """Break an index page's free-space list, so that integrity_check answers in two lines."""
    with sqlite3.connect(path) as connection:
        (root,) = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'ix_indicators_department_id'"
        ).fetchone()
        (size,) = connection.execute("PRAGMA page_size").fetchone()
    connection.close()
    data = bytearray(path.read_bytes())
    data[(root - 1) * size + 1 : (root - 1) * size + 3] = b"\x00\x10"  # the first freeblock
    path.write_bytes(bytes(data))
    return path


def test_a_damaged_backup_is_refused_in_one_line(database: Database, tmp_path: Path) -> None:
    """integrity_check reports in lines ("*** in database main ***", then each problem)."""
    offered = index_damaged(backup_of(database, tmp_path))
    with pytest.raises(BackupError, match="the copy is damaged") as refused:
        restore(database, offered)
    assert "\n" not in str(refused.value) and "***" not in str(refused.value)


def test_a_backup_with_another_page_size_restores(database: Database, tmp_path: Path) -> None:
    """SQLite's backup API cannot copy into a WAL database of another page size."""
    offered = backup_of(database, tmp_path, "PRAGMA page_size = 1024; VACUUM")
    EntryService(database, "张三").set_value(
        next(iter(PlanWorkspace(database).indicators)), "2025-06", 7, expected=None
    )
    restore(database, offered, now=NOW)
    assert dump(database.path) == dump(offered)


def test_a_restore_whose_copy_cannot_be_prepared_changes_nothing(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk fills while the copy is rebuilt with the database's page size."""
    offered = backup_of(database, tmp_path, "PRAGMA page_size = 1024; VACUUM")
    before = dump(database.path)

    def full(*_args: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr("desktop.models.opening._rebuild", full)
    with pytest.raises(BackupError, match="could not be prepared — the disk is full"):
        restore(database, offered, now=NOW)
    assert dump(database.path) == before
    assert list_backups(backup_folder(database), database.path.stem) == []
