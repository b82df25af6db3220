"""Nothing lost: an import on a failing or a full disk is told plainly and changes nothing."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError

from desktop.cli import main
from desktop.exchange.importer import ImportPlan, apply_import, read_template
from desktop.exchange.template import export_template
from desktop.models.errors import DatabaseWriteError, TargetMonitorError
from desktop.models.opening import open_database
from desktop.models.service import EntryService
from desktop.models.store import Database
from desktop.models.workspace import PlanWorkspace
from tests.conftest import SEED, FixedClock
from tests.test_exchange import fill, row_of
from tests.test_window_exchange import filled_template, value_of
from tests.ui_helpers import ScriptedPrompts, grid_index, messages

from desktop.ui.main_window import MainWindow

PERIOD = "2025-06"
KB = 1024
IO_ERROR = "the disk reported an I/O error (disk I/O error)"
Dump = dict[str, list[tuple[Any, ...]]]


def not_saved(path: Path, cause: str) -> str:
    """The message of a write that failed."""
    return f"{path}: the change could not be saved — {cause}; nothing was changed"


# --- a failing disk, simulated in the driver ------------------------------------------------


@dataclass
class Faults:
    """What the engines' connections hand to SQLite while armed (statements and commits); the
    `fail_at`-th, or the first that starts with `fail_on`, fails as SQLite does on a failing
    disk."""

    armed: bool = False
    fail_at: int | None = None
    fail_on: str | None = None
    sent: list[str] = field(default_factory=list)
    failed: str | None = None

    def step(self, sql: str) -> None:
        if not self.armed:
            return
        statement = " ".join(sql.split())
        self.sent.append(statement[:60])
        if self.failed is None and (
            len(self.sent) == self.fail_at
            or (self.fail_on is not None and statement.startswith(self.fail_on))
        ):
            self.failed = statement[:60]
            raise sqlite3.OperationalError("disk I/O error")

    def arm(self, *, fail_at: int | None = None, fail_on: str | None = None) -> None:
        self.armed, self.fail_at, self.fail_on, self.sent, self.failed = (
            True,
            fail_at,
            fail_on,
            [],
            None,
        )

    def disarm(self) -> None:
        self.armed = False


class _FaultyCursor(sqlite3.Cursor):
    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        self.connection.faults.step(sql)  # type: ignore[attr-defined]
        return super().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:
        self.connection.faults.step(sql)  # type: ignore[attr-defined]
        return super().executemany(sql, parameters)


class _FaultyConnection(sqlite3.Connection):
    """sqlite3's own connection, with every cursor and the commit passing by the faults."""

    faults: Faults

    def cursor(self, factory: Any = _FaultyCursor) -> Any:
        return super().cursor(factory)

    def commit(self) -> None:  # SQLAlchemy commits through the driver, not with a statement
        self.faults.step("COMMIT")
        super().commit()


@pytest.fixture
def faults() -> Iterator[Faults]:
    """Every engine created during the test talks to SQLite through the faulty driver."""
    state = Faults()

    def connect(_dialect: Any, _record: Any, args: Any, params: Any) -> sqlite3.Connection:
        connection = sqlite3.connect(*args, **params, factory=_FaultyConnection)
        connection.faults = state
        return connection

    event.listen(Engine, "do_connect", connect)
    try:
        yield state
    finally:
        event.remove(Engine, "do_connect", connect)


# --- the data -------------------------------------------------------------------------------


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def dump(path: Path) -> Dump:
    """The schema and every table's rows, read straight from the file."""
    connection = _read_only(path)
    try:
        found = {"sqlite_master": sorted(connection.execute("SELECT * FROM sqlite_master"))}
        for (table,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            rows = connection.execute(f'SELECT * FROM "{table}"')
            found[table] = sorted(rows, key=repr)
        return found
    finally:
        connection.close()


def integrity(path: Path) -> list[tuple[Any, ...]]:
    connection = _read_only(path)
    try:
        return connection.execute("PRAGMA integrity_check").fetchall()
    finally:
        connection.close()


@dataclass(frozen=True)
class Prepared:
    """A database with figures and an import entered before, and a filled template that
    updates entries, adds one and writes long notes."""

    database: Path
    template: Path
    plan: ImportPlan


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    folder = tmp_path_factory.mktemp("prepared")
    path = folder / "plan.sqlite"
    shutil.copyfile(SEED, path)
    database = open_database(path)
    try:
        workspace = PlanWorkspace(database, as_of=PERIOD)
        codes = {i.code: i.id for i in workspace.indicators.values()}
        service = EntryService(database, "张三", clock=FixedClock())
        service.set_value(codes["4.2.1-1"], "2025-05", 90, expected=None)
        service.set_value(codes["4.2.1-1"], PERIOD, 100, expected=None)
        service.set_value(codes["4.2.1-3"], PERIOD, 4, expected=None)
        workspace = PlanWorkspace(database, as_of=PERIOD)
        earlier = folder / "earlier.xlsx"
        export_template(workspace, "发改委", "2025-05", earlier)
        plan = read_template(fill(earlier, {f"J{row_of(earlier, '4.2.1-3')}": 3}), workspace)
        apply_import(plan, workspace, "导入员")
        workspace = PlanWorkspace(database, as_of=PERIOD)
        template = folder / "template.xlsx"
        export_template(workspace, "发改委", PERIOD, template)
        filled = fill(
            template,
            {
                f"J{row_of(template, '4.2.1-1')}": 120,
                f"K{row_of(template, '4.2.1-1')}": "新增共享交换服务 120 项。" * 60,
                f"J{row_of(template, '4.2.1-2')}": "推进中",
                f"L{row_of(template, '4.2.1-2')}": "部分部门数据接口尚未开放，需协调。" * 60,
                f"J{row_of(template, '4.2.1-3')}": 6,
            },
        )
        plan = read_template(filled, workspace)
        assert len(plan.changes) == 5 and not plan.conflicts
    finally:
        database.close()
    shutil.rmtree(folder / "backups")
    assert not Path(f"{path}-wal").exists()
    return Prepared(path, filled, plan)


def fresh_copy(prepared: Prepared, folder: Path) -> Path:
    folder.mkdir()
    return Path(shutil.copyfile(prepared.database, folder / "plan.sqlite"))


def in_transaction(database: Database) -> bool:
    with database.raw_driver() as connection:
        return connection.in_transaction


# --- a failing disk at every step -----------------------------------------------------------


def test_an_io_error_at_any_step_of_an_import_changes_nothing(
    faults: Faults, prepared: Prepared, tmp_path: Path
) -> None:
    """Each of the K statements of the import (BEGIN IMMEDIATE, the reads, the INSERTs and
    UPDATEs, the COMMIT) fails in turn with SQLite's disk I/O error: the caller gets a one-line
    DatabaseWriteError, the file is intact and unchanged, and the same import then goes
    through on the same open database."""
    path = fresh_copy(prepared, tmp_path / "count")
    database = open_database(path)
    workspace = PlanWorkspace(database, as_of=PERIOD)
    faults.arm()
    apply_import(prepared.plan, workspace, "导入员")
    faults.disarm()
    database.close()
    sent = list(faults.sent)
    print(f"K = {len(sent)}:", *sent, sep="\n  ")
    assert sent[0] == "BEGIN IMMEDIATE" and sent[-1] == "COMMIT"
    # every kind of statement an import sends (entries and audit events go many rows at once)
    for kind in (
        "INSERT INTO import_batches",
        "SELECT indicators",
        "SELECT entries",
        "INSERT INTO entries",
        "UPDATE entries",
        "INSERT INTO audit_events",
        "UPDATE import_batches",
    ):
        assert any(statement.startswith(kind) for statement in sent), kind
    before = dump(prepared.database)
    assert dump(path) != before  # the import writes: a failure that wrote would show

    for k, statement in enumerate(sent, start=1):
        where = f"statement {k} of {len(sent)} ({statement})"
        path = fresh_copy(prepared, tmp_path / f"k{k}")
        database = open_database(path)
        try:
            workspace = PlanWorkspace(database, as_of=PERIOD)
            faults.arm(fail_at=k)
            with pytest.raises(TargetMonitorError) as caught:
                apply_import(prepared.plan, workspace, "导入员")
            faults.disarm()
            assert faults.failed == statement, where
            assert isinstance(caught.value, DatabaseWriteError), where
            assert isinstance(caught.value.__cause__, DBAPIError), where  # SQLAlchemy wrapped it
            assert str(caught.value) == not_saved(path, IO_ERROR), where
            assert not in_transaction(database), where  # rolled back, not left open
            assert dump(path) == before, where
            assert integrity(path) == [("ok",)], where
            apply_import(prepared.plan, PlanWorkspace(database, as_of=PERIOD), "导入员")
            assert len(dump(path)["import_batches"]) == len(before["import_batches"]) + 1, where
        finally:
            faults.disarm()
            database.close()


def test_a_failing_commit_from_the_command_line(
    faults: Faults, prepared: Prepared, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = fresh_copy(prepared, tmp_path / "cli")
    before = dump(path)
    command = ["--db", str(path), "import", str(prepared.template)]
    faults.arm(fail_on="COMMIT")
    assert main(command) == 1
    faults.disarm()
    assert faults.failed == "COMMIT"
    assert capsys.readouterr().err == f"target-monitor: {not_saved(path, IO_ERROR)}\n"
    assert dump(path) == before and integrity(path) == [("ok",)]
    assert main(command) == 0
    assert "imported as batch" in capsys.readouterr().out


def test_a_failing_commit_in_the_window(
    faults: Faults,
    window: MainWindow,
    prompts: ScriptedPrompts,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """The import runs in the background; the failure comes back as the message box's text."""
    path = window.controller.database.path
    prompts.path = filled_template(window, tmp_path, {"J5": 120})
    before = dump(path)
    faults.arm(fail_on="COMMIT")
    window.import_action.trigger()
    faults.disarm()
    assert faults.failed == "COMMIT"  # the window's own connections went through the faults
    assert messages(window) == [not_saved(path, IO_ERROR)]
    assert "Traceback" not in capfd.readouterr().err
    assert dump(path) == before and value_of(window, "4.2.1-1") is None
    window.import_action.trigger()
    assert value_of(window, "4.2.1-1") == 120


def test_a_failing_disk_while_typing_in_the_grid_is_told_and_nothing_is_saved(
    faults: Faults, window: MainWindow
) -> None:
    path = window.controller.database.path
    before = dump(path)
    index = grid_index(window, "2.1.1-1", "2025-06")
    faults.arm(fail_on="COMMIT")
    assert not window.grid_model.setData(index, 150.0)
    faults.disarm()
    assert faults.failed == "COMMIT"
    assert messages(window) == ["Not saved: " + not_saved(path, IO_ERROR)]
    assert dump(path) == before
    assert grid_index(window, "2.1.1-1", "2025-06").data() in ("", None)
    assert window.controller.undo_stack.count() == 0  # nothing to undo: nothing happened
    assert window.grid_model.setData(index, 150.0)  # the disk is back: the same edit saves


# --- a full disk ----------------------------------------------------------------------------


def free_amounts(database: Path) -> list[int]:
    """Free space to leave: none, a little, then page by page across what the import needs
    (the backup, its shared-memory file, the write-ahead log, the checkpoint), then plenty."""
    size = database.stat().st_size
    steps = range(size - 8 * KB, size + 80 * KB, 4 * KB)
    return sorted({0, 4 * KB, 16 * KB, 64 * KB, *steps, size + 128 * KB, 512 * KB})


@dataclass(frozen=True)
class Outcome:
    """One case of a sweep: the free space, the database, the error told, and whether the
    checkpoint on closing found no room (the import then waits in the write-ahead log)."""

    free: int
    path: Path
    error: str | None
    deferred: bool


def check(outcome: Outcome, before: Dump, cause: str) -> str:
    """What became of the import: "backup" or "write" failed, "checkpoint" deferred, or
    "imported"; after checking that the file is intact and holds the old content or the
    import, and that the message is the one foreseen."""
    where = f"{outcome.free // KB} KB free: {outcome.error}"
    assert integrity(outcome.path) == [("ok",)], where
    after = dump(outcome.path)
    if outcome.error is None:
        assert len(after["import_batches"]) == len(before["import_batches"]) + 1, where
        open_database(outcome.path).close()  # the next start, with room: the log is folded in
        assert not Path(f"{outcome.path}-wal").exists() and dump(outcome.path) == after, where
        return "checkpoint" if outcome.deferred else "imported"
    assert after == before, where
    backups = outcome.path.parent / "backups"
    assert not list(backups.glob(".*")), f"{where}: a partial backup was left"
    if outcome.error == not_saved(outcome.path, cause):
        return "write"
    backup = re.escape(str(backups)) + r"/plan-[0-9-]+-import\.sqlite"
    told = f"{backup}: the backup could not be written — {re.escape(cause)}; nothing was imported"
    assert re.fullmatch(told, outcome.error), where
    return "backup"


@contextmanager
def small_disk(folder: Path, size: int) -> Iterator[bool]:
    """A tmpfs of `size` bytes mounted on the folder; False where mounting is not possible."""
    folder.mkdir()
    if not sys.platform.startswith("linux") or os.geteuid() != 0 or not shutil.which("mount"):
        yield False
        return
    mount = ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)]
    if subprocess.run(mount, capture_output=True, check=False).returncode != 0:
        yield False
        return
    try:
        yield True
    finally:
        if subprocess.run(["umount", str(folder)], check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], check=True)


def free_space(folder: Path) -> int:
    stats = os.statvfs(folder)
    return stats.f_bavail * stats.f_frsize


def sweep_on_tmpfs(prepared: Prepared, disk: Path, before: Dump) -> list[tuple[int, str]]:
    """On a real small filesystem: the database open, the disk filled up to `free` bytes, the
    import, the program closed; each case checked once there is room again."""
    outcomes = []
    for free in free_amounts(prepared.database):
        case = disk / f"free-{free // KB}k"
        path = fresh_copy(prepared, case)
        database = open_database(path)  # the program is running when the disk fills up
        filler = disk / "filler"
        error = None
        try:
            workspace = PlanWorkspace(database, as_of=PERIOD)
            with filler.open("wb") as stream:
                os.posix_fallocate(stream.fileno(), 0, free_space(disk) - free)
            assert free_space(disk) == free
            apply_import(prepared.plan, workspace, "导入员")
        except TargetMonitorError as caught:
            error = str(caught)
        finally:
            database.close()  # quitting, the disk still full: the last connection checkpoints
            deferred = Path(f"{path}-wal").exists()
            filler.unlink(missing_ok=True)
        outcome = Outcome(free, path, error, deferred)
        outcomes.append((free, check(outcome, before, "the disk is full")))
        shutil.rmtree(case)
    return outcomes


RLIMIT_SWEEP = """
import json, resource, shutil, signal, sys
from pathlib import Path
from desktop.exchange.importer import apply_import, read_template
from desktop.models.opening import open_database
from desktop.models.errors import TargetMonitorError
from desktop.models.workspace import PlanWorkspace

source, template, folder, *limits = sys.argv[1:]
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
plan = None
for limit in map(int, limits):
    path = Path(folder) / f"limit-{limit}" / "plan.sqlite"
    path.parent.mkdir(parents=True)
    shutil.copyfile(source, path)
    database = open_database(path)
    workspace = PlanWorkspace(database, as_of="2025-06")
    plan = plan or read_template(Path(template), workspace)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    error = None
    try:
        apply_import(plan, workspace, "导入员")
    except TargetMonitorError as caught:
        error = str(caught)
    finally:
        database.close()  # quitting under the limit: the last connection checkpoints
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    deferred = Path(f"{path}-wal").exists()
    print(json.dumps({"free": limit, "path": str(path), "error": error, "deferred": deferred}))
"""


def sweep_under_a_file_size_limit(prepared: Prepared, folder: Path) -> list[Outcome]:
    """Where no filesystem can be mounted: a child process whose files may grow only up to
    `free` bytes (RLIMIT_FSIZE), so that the system refuses the writes beyond."""
    amounts = [str(amount) for amount in free_amounts(prepared.database)]
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            RLIMIT_SWEEP,
            *map(str, (prepared.database, prepared.template)),
            str(folder),
            *amounts,
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert done.returncode == 0 and not done.stderr, done.stderr
    return [
        Outcome(line["free"], Path(line["path"]), line["error"], line["deferred"])
        for line in map(json.loads, done.stdout.splitlines())
    ]


def test_a_full_disk_during_an_import_changes_nothing(prepared: Prepared, tmp_path: Path) -> None:
    """The disk fills up while the program is open, leaving 0 B … 512 KB free; then an import
    and quitting. The user is told the disk is full (while backing up, or while writing), the
    file is intact and unchanged; with more room the import is saved, at first only in the
    write-ahead log (the checkpoint into the database file waits for room), then fully.

    On Linux as root, on a real 1 MB tmpfs mounted for the test. Elsewhere (mounting refused)
    in a child process whose files may not grow past the free amount (RLIMIT_FSIZE: the
    system refuses the write with EFBIG, which SQLite reports as a disk I/O error); the
    backup is then larger than the write-ahead log, so the write itself never fails first."""
    before = dump(prepared.database)
    disk = tmp_path / "disk"
    with small_disk(disk, 1024 * KB) as mounted:
        if mounted:
            outcomes = sweep_on_tmpfs(prepared, disk, before)
    if not mounted:
        if sys.platform == "win32":
            pytest.skip("neither a small disk nor a file size limit can be had here")
        outcomes = [
            (outcome.free, check(outcome, before, IO_ERROR))
            for outcome in sweep_under_a_file_size_limit(prepared, disk)
        ]
    print("tmpfs" if mounted else "RLIMIT_FSIZE", [(f // KB, what) for f, what in outcomes])
    kinds = [what for _, what in outcomes]
    order = ["backup", "write", "checkpoint", "imported"]
    assert kinds == sorted(kinds, key=order.index)  # the less room, the sooner it stopped
    assert {"backup", "checkpoint", "imported"} <= set(kinds) and kinds[-1] == "imported"
    assert "write" in kinds or not mounted  # on tmpfs the backup fits where the log does not
