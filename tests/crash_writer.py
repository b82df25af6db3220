"""Writing processes to be killed: a fork server for tests/test_crash_kill.py (Linux only).

Run as ``python -m tests.crash_writer DATABASE TEMPLATE STATUS_FILE``. The server imports the
program and does a writer's work once on a copy of DATABASE (so that writers start warm),
then answers lines on stdin:

``spawn``
    forks a writer and answers its pid. The writer opens DATABASE and writes for ever, in
    rounds as a user would: it edits a cell; imports the filled TEMPLATE (which takes a
    backup first), or undoes that import once it is in (another backup); edits another cell;
    and closes the database and opens it again (a closing program checkpoints the WAL).
``reap PID``
    waits for that writer to end and answers its wait status.

End of input ends the server and any writer still running.

Each writer records in STATUS_FILE (shared memory) the phase it is in and how many audit
events the database held after its last write returned, so that the test can tell where a
kill landed and that no committed write was lost. Recording changes nothing it writes.
"""

from __future__ import annotations

import ctypes
import enum
import gc
import mmap
import os
import random
import signal
import sqlite3
import struct
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

from sqlalchemy import func, select

from desktop.exchange import importer
from desktop.models.changes import Changes
from desktop.models.kinds import BatchState, IndicatorKind
from desktop.models.opening import open_database
from desktop.models.schema import AuditEvent, ImportBatch, Indicator
from desktop.models.service import EntryService
from desktop.models.store import Database
from desktop.models.workspace import PlanWorkspace

PERIOD = "2025-06"
IMPORTING_DEPARTMENT = "工信局"  # its template is imported and undone, again and again
EDITING_DEPARTMENT = "市场监管局"  # whose figures are edited one cell at a time
USER = "导入员"
WORKER_FAILED = 70  # a writer's exit status when it stopped on an error (told on stderr)

_EVENTS = struct.Struct("=Q")  # at offset 8: audit events after the last write that returned
STATUS_SIZE = 8 + _EVENTS.size
_PR_SET_PDEATHSIG = 1


class Phase(enum.IntEnum):
    """Where a writer is; BACKUP and COMMIT are set inside the import, undo or edit."""

    NONE = 0  # no writer yet
    STARTING = 1  # forked, opening the database: not writing yet
    READING = 2  # reading the template (nothing written)
    BACKUP = 3  # the backup taken before an import or an undo (copy, check, rename, rotate)
    IMPORT = 4  # the import's transaction
    UNDO = 5  # the undo's transaction
    EDIT = 6  # a single-cell edit's transaction
    COMMIT = 7  # a COMMIT under way, with any checkpoint it runs
    CLOSE = 8  # closing the database (the last connection checkpoints the WAL)
    OPENING = 9  # opening the database again
    BETWEEN = 10  # between writes
    FAILED = 11  # stopped on an error


class Status:
    """The few bytes a writer shares with the test: its phase and the events it saw commit."""

    def __init__(self, path: Path) -> None:
        with path.open("r+b") as file:
            self._map = mmap.mmap(file.fileno(), STATUS_SIZE)

    @staticmethod
    def create(path: Path) -> None:
        path.write_bytes(bytes(STATUS_SIZE))

    @property
    def phase(self) -> Phase:
        return Phase(self._map[0])

    @phase.setter
    def phase(self, phase: Phase) -> None:
        self._map[0] = phase

    @property
    def committed_events(self) -> int:
        return int(_EVENTS.unpack_from(self._map, 8)[0])

    @committed_events.setter
    def committed_events(self, count: int) -> None:
        _EVENTS.pack_into(self._map, 8, count)

    def reset(self) -> None:
        self.phase = Phase.NONE
        self.committed_events = 0

    @contextmanager
    def during(self, phase: Phase) -> Iterator[None]:
        previous = self.phase
        self.phase = phase
        try:
            yield
        finally:
            self.phase = previous

    def close(self) -> None:
        self._map.close()


# --- the writer ------------------------------------------------------------------------------


class Writer:
    """One writing process: imports, undoes and edits until it is killed."""

    def __init__(self, database_path: Path, template: Path, status: Status) -> None:
        self.path = database_path
        self.template = template
        self.status = status
        self.rng = random.Random(os.getpid())
        self.serial = 0
        self.database, self.workspace = self._open()
        self.service = EntryService(self.database, USER)
        department = self.workspace.department_named(EDITING_DEPARTMENT).id
        with self.database.read() as session:
            self.edited = list(
                session.scalars(
                    select(Indicator.id)
                    .where(Indicator.department_id == department)
                    .where(Indicator.kind != IndicatorKind.MILESTONE)
                    .order_by(Indicator.id)
                )
            )

    def _open(self) -> tuple[Database, PlanWorkspace]:
        database = open_database(self.path)
        # Mark COMMITs (the checkpoints SQLite runs when a commit fills the WAL come with them).
        dialect: Any = database.engine.dialect
        commit: Callable[[Any], None] = dialect.do_commit

        def traced_commit(connection: Any) -> None:
            with self.status.during(Phase.COMMIT):
                commit(connection)

        dialect.do_commit = traced_commit
        return database, PlanWorkspace(database, as_of=PERIOD)

    def run(self) -> NoReturn:
        self.status.phase = Phase.BETWEEN  # the test starts its clock here
        while True:
            self.round()

    def round(self) -> None:
        """Edit a cell, import (or undo the import), edit another, close and open again."""
        self.edit()
        self.import_or_undo()
        self.edit()
        self.status.phase = Phase.CLOSE
        self.database.close()
        self.status.phase = Phase.OPENING
        self.database, self.workspace = self._open()
        self.service = EntryService(self.database, USER)
        self.status.phase = Phase.BETWEEN

    def import_or_undo(self) -> None:
        with self.database.read() as session:
            applied = session.scalar(
                select(ImportBatch.id).where(ImportBatch.state == BatchState.APPLIED)
            )
        changes: Changes
        if applied is None:
            self.status.phase = Phase.READING
            plan = importer.read_template(self.template, self.workspace)
            self.status.phase = Phase.IMPORT
            # Every month was written since the template was exported: the file's figures win.
            changes = importer.apply_import(plan, self.workspace, USER, prefer_file=True).changes
        else:
            self.status.phase = Phase.UNDO
            changes = importer.undo_import(self.workspace, applied, USER)
        self.written()
        self.workspace.refresh(changes.indicator_ids)

    def edit(self) -> None:
        indicator = self.rng.choice(self.edited)
        self.serial += 1
        value = float(os.getpid() * 1000 + self.serial)  # never the value already there
        seen = self.workspace.entry(indicator, PERIOD)
        self.status.phase = Phase.EDIT
        self.service.set_value(
            indicator, PERIOD, value, expected=None if seen is None else seen.value
        )
        self.workspace.refresh([indicator])
        self.written()

    def written(self) -> None:
        """After a write returned: what the database must keep, whatever happens next."""
        self.status.phase = Phase.BETWEEN
        with self.database.read() as session:
            count = session.scalar(select(func.count()).select_from(AuditEvent))
        self.status.committed_events = int(count or 0)


def _traced_backup(status: Status) -> None:
    """Mark the backups the importer takes (apply_import and undo_import call backup_before)."""
    backup_before = importer.backup_before

    def traced(database: Database, reason: str, **options: Any) -> Path:
        with status.during(Phase.BACKUP):
            return backup_before(database, reason, **options)

    importer.backup_before = traced  # type: ignore[assignment]


def _die_with(parent: int) -> None:
    """Be killed too if the server goes, so that no writer outlives a test."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(WORKER_FAILED)


def _work(database: Path, template: Path, status_path: Path, server: int) -> NoReturn:
    status: Status | None = None
    try:
        _die_with(server)
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        os.dup2(devnull, 1)  # the server's answers stay the server's; stderr is the log
        status = Status(status_path)
        status.phase = Phase.STARTING
        _traced_backup(status)
        Writer(database, template, status).run()
    except BaseException:
        print(f"writer {os.getpid()} stopped:", file=sys.stderr)
        traceback.print_exc()
        if status is not None:
            status.phase = Phase.FAILED
    finally:
        sys.stderr.flush()
        os._exit(WORKER_FAILED)


# --- the server ------------------------------------------------------------------------------


def warm_up(database: Path, template: Path) -> None:
    """Do a writer's work once on a copy, so that every writer starts as fast as a warm program:
    modules imported, mappers configured, nothing left open."""
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / database.name
        source, target = sqlite3.connect(database), sqlite3.connect(copy)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        Status.create(Path(folder) / "status")
        status = Status(Path(folder) / "status")
        writer = Writer(copy, template, status)
        writer.round()
        writer.round()
        writer.database.close()
        status.close()
        del writer
    gc.collect()
    gc.freeze()  # what the writers inherit stays shared, not copied on write


def serve(database: Path, template: Path, status_path: Path) -> None:
    warm_up(database, template)
    children: set[int] = set()
    try:
        for line in sys.stdin:
            command, _, argument = line.strip().partition(" ")
            if command == "spawn":
                sys.stdout.flush()
                sys.stderr.flush()
                server = os.getpid()
                pid = os.fork()
                if pid == 0:
                    _work(database, template, status_path, server)
                children.add(pid)
                print(pid, flush=True)
            elif command == "reap":
                pid = int(argument)
                _, wait_status = os.waitpid(pid, 0)
                children.discard(pid)
                print(wait_status, flush=True)
            else:
                print(f"unknown command {line!r}", file=sys.stderr, flush=True)
                print("?", flush=True)
    finally:
        for pid in children:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


if __name__ == "__main__":
    serve(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
