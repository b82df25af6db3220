"""A writing process killed (SIGKILL) at random points damages nothing and half-applies nothing.

A fork server (tests/crash_writer.py) starts writers one after another on one database in the
program's own journal mode (WAL, synchronous FULL). Each writer works in rounds for ever: it
edits a cell, imports a department's filled template (taking a backup first) or undoes that
import (another backup), edits another cell, and closes and reopens the database. The test
kills it, at a random time or aimed at a commit, an edit or the checkpoint of a close, and
then checks the file with a connection of its own:

* SQLite finds it intact (integrity_check) and every reference resolves (foreign_key_check);
* no import is half-applied or half-undone: an applied batch wrote every field of every row
  of the template once, an undone batch also put every one of them back, never only some;
* every entry agrees with its audit trail: each field holds what its latest audit event says
  (or its default when there is none), its version counts its writes, and its provenance is
  the batch of its latest write;
* no write that had returned is lost, and at most one transaction appeared unannounced;
* every file named as a backup is an intact, whole, self-contained copy (a killed backup may
  leave its temporary ``.partial`` file behind, never a damaged backup).

In rounds of 25 kills, alternately: the killed writer was the only connection, so the test's
check is the first open after the crash and recovers the WAL; or the test keeps a second
connection open, as a second copy of the program would, so that the WAL outlives the writers
and each new one writes over the frames the killed one left.
"""

from __future__ import annotations

import os
import random
import re
import select
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from desktop.exchange.importer import apply_import, read_template
from desktop.exchange.layout import ENTRY_SHEET, FIRST_DATA_ROW, Column
from desktop.exchange.template import export_template
from desktop.models.backup import BackupError, list_backups, verify
from desktop.models.opening import open_database
from desktop.models.store import SCHEMA_VERSION
from desktop.models.workspace import PlanWorkspace
from tests.crash_writer import IMPORTING_DEPARTMENT, PERIOD, Phase, Status

ROOT = Path(__file__).resolve().parent.parent
KILLS = 200


@dataclass(frozen=True)
class Aim:
    """Where kills go: a random time, or a moment after the writer reached phases in turn."""

    name: str
    weight: int
    phases: tuple[tuple[Phase, ...], ...] = ()  # the kill waits for one of each, in turn
    window: float = 0.0  # then comes a random time up to this later


AIMS = (
    Aim("at a random time", 46),  # up to DELAY_SECONDS after the writer began writing
    # An import's or undo's transaction takes a few ms since its rows are written in batches:
    # random kills alone landed in one only twice in some runs.
    Aim("in an import or undo", 9, ((Phase.IMPORT, Phase.UNDO),), 0.002),
    # A commit takes ~0.3 ms: the kill comes as soon as one is seen.
    Aim("at the commit of an import or undo", 20, ((Phase.IMPORT, Phase.UNDO), (Phase.COMMIT,))),
    Aim("at the commit of an edit", 10, ((Phase.EDIT,), (Phase.COMMIT,))),
    Aim("in an edit", 5, ((Phase.EDIT,),), 0.004),
    Aim("in a close", 10, ((Phase.CLOSE,),), 0.003),  # its checkpoint takes a few ms
)
DELAY_SECONDS = (0.0, 0.15)  # a round of the writer's takes ~0.2 s
POLL_SECONDS = 0.00005
SEED = 20250605
ROUND = 25  # kills per round, alternately with and without a second connection open
ANSWER_TIMEOUT = 30.0
ENTRY_FIELDS = ("value", "milestone_state", "progress_note", "problems")
DEFAULTS: dict[str, str | None] = {
    "value": None,
    "milestone_state": None,
    "progress_note": "",
    "problems": "",
}
WRITING = (Phase.BACKUP, Phase.IMPORT, Phase.UNDO, Phase.EDIT, Phase.COMMIT, Phase.CLOSE)
PARTIAL = re.compile(r"\..+\.sqlite\.partial(-journal|-wal|-shm)?")

LINUX_ONLY = pytest.mark.skipif(
    not sys.platform.startswith("linux"),
    reason="forks writers and kills them with SIGKILL (os.fork, prctl): Linux only",
)


def filled_template(database_path: Path, folder: Path) -> tuple[Path, int]:
    """The importing department's template with every row's figure and progress note typed."""
    database = open_database(database_path)
    try:
        workspace = PlanWorkspace(database, as_of=PERIOD)
        exported = folder / "template.xlsx"
        export_template(workspace, IMPORTING_DEPARTMENT, PERIOD, exported)
        milestones = {i.code for i in workspace.indicators.values() if i.is_milestone}
    finally:
        database.close()
    workbook = openpyxl.load_workbook(exported)
    sheet = workbook[ENTRY_SHEET]
    rows = 0
    for row in range(FIRST_DATA_ROW, sheet.max_row + 1):
        code = sheet.cell(row, Column.CODE).value
        if code is None:
            continue
        sheet.cell(row, Column.VALUE).value = "推进中" if code in milestones else 10 + rows
        sheet.cell(row, Column.PROGRESS).value = f"第 {rows + 1} 项进展"
        rows += 1
    filled = folder / "filled.xlsx"
    workbook.save(filled)
    return filled, rows


class ForkServer:
    """The server process of tests/crash_writer.py and the writers it has not reaped yet."""

    def __init__(self, database: Path, template: Path, status: Path, log: Path) -> None:
        self.log = log
        self._stderr = log.open("wb")
        self.running: set[int] = set()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.crash_writer", str(database), str(template), str(status)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )

    def _ask(self, command: str) -> int:
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None
        stdin.write(command + "\n")
        stdin.flush()
        ready, _, _ = select.select([stdout], [], [], ANSWER_TIMEOUT)
        answer = stdout.readline() if ready else ""
        if not answer.strip().isdigit():
            raise AssertionError(
                f"the fork server gave no answer to {command!r} ({answer!r}):\n{self.log_tail()}"
            )
        return int(answer)

    def spawn(self) -> int:
        pid = self._ask("spawn")
        self.running.add(pid)
        return pid

    def reap(self, pid: int) -> int:
        """The writer's wait status, once it has ended."""
        wait_status = self._ask(f"reap {pid}")
        self.running.discard(pid)
        return wait_status

    def log_tail(self, lines: int = 40) -> str:
        self._stderr.flush()
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:]) or "(the log is empty)"

    def close(self) -> None:
        """Kill and reap every writer, then end the server; nothing is left running."""
        try:
            for pid in list(self.running):
                os.kill(pid, signal.SIGKILL)  # not reaped yet, so the pid is still its own
                self.reap(pid)
        finally:
            stdin = self.process.stdin
            if stdin is not None:
                stdin.close()
            try:
                self.process.wait(timeout=ANSWER_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            if self.process.stdout is not None:
                self.process.stdout.close()
            self._stderr.close()


def as_text(value: object) -> str | None:
    """A field's value as the audit trail writes it."""
    if value is None:
        return None
    if isinstance(value, float):
        return repr(value)
    return str(value)


class Checker:
    """Everything that must hold of the database after any kill, and what was written so far."""

    def __init__(self, path: Path, *, rows: int) -> None:
        self.path = path
        self.rows = rows
        self.fields = 2 * rows  # a figure and a progress note per row
        self.events = 0  # audit events found at the last check
        self.verified: set[tuple[str, int, int]] = set()  # backups checked: name, size, mtime
        self.leftovers: set[str] = set()  # .partial files of killed backups
        self.batches: Counter[str] = Counter()  # import batches by state
        self.edits = 0  # audit events of single edits
        with closing(sqlite3.connect(path)) as connection:
            self.indicators = connection.execute("SELECT COUNT(*) FROM indicators").fetchone()[0]

    def problems(self, committed_events: int) -> list[str]:
        connection = sqlite3.connect(self.path)
        try:
            found = self._sqlite(connection)
            if not found:  # the rest reads rows, which needs a sound file
                found += self._batches(connection)
                found += self._entries(connection)
                found += self._durability(connection, committed_events)
        except sqlite3.DatabaseError as error:
            found = [f"the database cannot be read: {error}"]
        finally:
            connection.close()
        return found + self._backups()

    @staticmethod
    def _sqlite(connection: sqlite3.Connection) -> list[str]:
        found = []
        integrity = connection.execute("PRAGMA integrity_check").fetchall()
        if integrity != [("ok",)]:
            found.append(f"integrity_check: {'; '.join(str(r[0]) for r in integrity[:5])}")
        dangling = connection.execute("PRAGMA foreign_key_check").fetchall()
        if dangling:
            found.append(f"foreign_key_check: {dangling[:5]} ({len(dangling)} in all)")
        return found

    def _batches(self, connection: sqlite3.Connection) -> list[str]:
        """Every batch wrote all of the template, and an undone one put all of it back."""
        written: dict[int, dict[tuple[int, str], list[tuple[str | None, str | None]]]] = {}
        for batch_id, entity_id, field, old, new in connection.execute(
            "SELECT batch_id, entity_id, field, old_value, new_value FROM audit_events "
            "WHERE batch_id IS NOT NULL ORDER BY id"
        ):
            written.setdefault(batch_id, {}).setdefault((entity_id, field), []).append((old, new))
        found = []
        self.batches.clear()
        for batch_id, rows, state in connection.execute(
            "SELECT id, rows, state FROM import_batches ORDER BY id"
        ):
            self.batches[state] += 1
            fields = written.get(batch_id, {})
            entries = len({entity_id for entity_id, _ in fields})
            said = (
                f"import batch {batch_id} is {state} with {rows} rows; its audit trail has "
                f"{entries} entries and {len(fields)} fields"
            )
            if rows != self.rows or entries != self.rows or len(fields) != self.fields:
                found.append(
                    f"{said}, the template has {self.rows} rows and {self.fields} fields "
                    "(half-applied)"
                )
            elif state == "applied" and any(len(w) != 1 for w in fields.values()):
                found.append(f"{said}; some field was written more than once (half-undone)")
            elif state == "undone" and any(
                len(w) != 2 or w[1][1] != w[0][0] for w in fields.values()
            ):
                found.append(f"{said}; not every field was put back exactly once (half-undone)")
            elif state not in ("applied", "undone"):
                found.append(f"{said}; no batch is ever in that state")
        if self.batches["applied"] > 1:
            found.append(f"{self.batches['applied']} import batches are applied at once")
        return found

    def _entries(self, connection: sqlite3.Connection) -> list[str]:
        """Every entry holds what its audit trail says, at the version of its number of writes."""
        latest: dict[tuple[int, str], str | None] = {}
        for entity_id, field, new, _ in connection.execute(
            "SELECT entity_id, field, new_value, MAX(id) FROM audit_events "
            "WHERE entity = 'entry' GROUP BY entity_id, field"
        ):
            latest[(entity_id, field)] = new
        writes: dict[int, tuple[int, int | None]] = {}
        for entity_id, count, batch_id, _ in connection.execute(
            "SELECT entity_id, COUNT(DISTINCT at), batch_id, MAX(id) FROM audit_events "
            "WHERE entity = 'entry' GROUP BY entity_id"
        ):
            writes[entity_id] = (count, batch_id)
        found = []
        for entry_id, *values, origin, batch_id, version in connection.execute(
            "SELECT id, value, milestone_state, progress_note, problems, origin, "
            "import_batch_id, version FROM entries ORDER BY id"
        ):
            count, last_batch = writes.get(entry_id, (0, None))
            if version is None or version < 1 or version != count:
                found.append(
                    f"entry {entry_id} is at version {version}; its audit trail has {count} writes"
                )
            for field, value in zip(ENTRY_FIELDS, values, strict=True):
                expected = latest.get((entry_id, field), DEFAULTS[field])
                if as_text(value) != expected:
                    found.append(
                        f"entry {entry_id} holds {field} = {as_text(value)!r}; "
                        f"its audit trail says {expected!r}"
                    )
            if batch_id != last_batch or origin != ("manual" if batch_id is None else "import"):
                found.append(
                    f"entry {entry_id} says it came from {origin} (batch {batch_id}); its "
                    f"latest write was in batch {last_batch}"
                )
        self.edits = connection.execute(
            "SELECT COUNT(*) FROM audit_events WHERE batch_id IS NULL"
        ).fetchone()[0]
        return found

    def _durability(self, connection: sqlite3.Connection, committed_events: int) -> list[str]:
        """What the writer saw committed is there; at most one transaction more appeared."""
        events = connection.execute("SELECT COUNT(*) FROM audit_events").fetchone()[0]
        floor = max(self.events, committed_events)
        self.events = events
        if events < floor:
            return [f"{floor - events} audit events of writes that had returned are gone"]
        if events > floor + self.fields:
            return [f"{events - floor} audit events appeared, more than one transaction writes"]
        return []

    def _backup_problem(self, path: Path) -> str | None:
        """What is wrong with a backup: damaged, or not a whole, self-contained copy."""
        try:
            verify(path)
        except BackupError as error:
            return f"backup {error}"
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
            version = connection.execute(
                "SELECT value FROM schema_meta WHERE key = 'schema_version'"
            ).fetchone()
            indicators = connection.execute("SELECT COUNT(*) FROM indicators").fetchone()[0]
        except sqlite3.DatabaseError as error:
            return f"backup {path.name} cannot be read: {error}"
        finally:
            connection.close()
        if mode != "delete" or version != (str(SCHEMA_VERSION),) or indicators != self.indicators:
            return (
                f"backup {path.name} is not a whole copy (journal mode {mode}, schema version "
                f"{version}, {indicators} of {self.indicators} indicators)"
            )
        return None

    def _backups(self) -> list[str]:
        """Every file named as a backup is intact; only a killed backup's temporary file is not."""
        folder = self.path.parent / "backups"
        if not folder.is_dir():
            return []
        named = {b.path.name for b in list_backups(folder, self.path.stem)}
        found = []
        for file in sorted(folder.iterdir()):
            if file.name in named:
                stat = file.stat()
                key = (file.name, stat.st_size, stat.st_mtime_ns)
                if key in self.verified:
                    continue
                problem = self._backup_problem(file)
                if problem is None:
                    self.verified.add(key)
                else:
                    found.append(problem)
            elif PARTIAL.fullmatch(file.name):
                self.leftovers.add(file.name)
            else:
                found.append(f"backups/{file.name} is neither a backup nor a backup's temporary")
        return found


class Bystander:
    """A second copy of the program, idle with the database open, in every other round."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.connection: sqlite3.Connection | None = None

    def round_of(self, number: int) -> None:
        if (number - 1) // ROUND % 2 == 0:
            self.close()
        elif self.connection is None:
            self.connection = sqlite3.connect(self.path)
            self.connection.execute("SELECT COUNT(*) FROM entries").fetchall()

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def wait_until_writing(status: Status, server: ForkServer, where: str) -> None:
    deadline = time.monotonic() + ANSWER_TIMEOUT
    while status.phase in (Phase.NONE, Phase.STARTING):
        if time.monotonic() > deadline:
            pytest.fail(f"{where}: the writer did not start writing:\n{server.log_tail()}")
        time.sleep(0.001)
    if status.phase is Phase.FAILED:
        pytest.fail(f"{where}: the writer failed to start:\n{server.log_tail()}")


def wait_until_in(status: Status, phases: tuple[Phase, ...], deadline: float) -> None:
    """Until the writer is in one of these phases (or the deadline passed)."""
    while status.phase not in (*phases, Phase.FAILED) and time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)


def kill_a_writer(server: ForkServer, status: Status, number: int, aim: Aim, delay: float) -> str:
    """Start a writer and kill it where aimed; where the kill landed, for messages."""
    status.reset()
    pid = server.spawn()
    wait_until_writing(status, server, f"kill {number} of {KILLS}")
    began = time.monotonic()
    for phases in aim.phases:
        wait_until_in(status, phases, began + ANSWER_TIMEOUT)
    time.sleep(delay)
    os.kill(pid, signal.SIGKILL)
    after = time.monotonic() - began
    wait_status = server.reap(pid)
    where = (
        f"kill {number} of {KILLS} ({aim.name}, {after * 1000:.1f} ms after the writer began "
        f"writing, landed during {status.phase.name})"
    )
    if os.waitstatus_to_exitcode(wait_status) != -signal.SIGKILL:
        pytest.fail(
            f"{where}: the writer had stopped before the kill (exit status "
            f"{os.waitstatus_to_exitcode(wait_status)}):\n{server.log_tail()}"
        )
    return where


@pytest.mark.slow
@LINUX_ONLY
def test_a_writer_killed_at_random_points_leaves_nothing_damaged_or_half_applied(
    seed_copy: Path, tmp_path: Path
) -> None:
    started = time.monotonic()
    template, rows = filled_template(seed_copy, tmp_path)
    status_path = tmp_path / "status"
    Status.create(status_path)
    status = Status(status_path)
    checker = Checker(seed_copy, rows=rows)
    assert checker.problems(0) == []  # the seed itself
    rng = random.Random(SEED)
    aimed: Counter[str] = Counter()
    hit: Counter[str] = Counter()  # aimed kills that landed in the phase aimed at
    landed: Counter[Phase] = Counter()
    bystander = Bystander(seed_copy)
    server = ForkServer(seed_copy, template, status_path, tmp_path / "writers.log")
    try:
        for number in range(1, KILLS + 1):
            bystander.round_of(number)
            aim = rng.choices(AIMS, weights=[a.weight for a in AIMS])[0]
            delay = rng.uniform(*(DELAY_SECONDS if not aim.phases else (0.0, aim.window)))
            where = kill_a_writer(server, status, number, aim, delay)
            landed[status.phase] += 1
            aimed[aim.name] += 1
            if aim.phases and status.phase in aim.phases[-1]:
                hit[aim.name] += 1
            problems = checker.problems(status.committed_events)
            if problems:
                pytest.fail(f"{where}:\n  " + "\n  ".join(problems))
    finally:
        bystander.close()
        server.close()
        status.close()
    elapsed = time.monotonic() - started
    print(
        f"\n{KILLS} kills in {elapsed:.1f} s; aimed {dict(aimed)}, of which landed where aimed "
        f"{dict(hit)}; landed during "
        f"{ {p.name: n for p, n in sorted(landed.items())} }; import batches "
        f"{dict(checker.batches)}, {checker.edits} single edits, {len(checker.verified)} "
        f"backups checked, {len(checker.leftovers)} temporary files of killed backups left"
    )
    assert landed.total() == KILLS >= 200  # every one of them killed a running writer
    # The run wrote: imports went in and were undone, cells were edited, backups were taken.
    undone = checker.batches["undone"]
    assert checker.batches.total() + undone >= 10 and undone >= 3, checker.batches
    assert checker.edits >= 40, checker.edits
    assert len(checker.verified) >= 10, checker.verified
    # The kills landed in the writes, in each kind of them, not only between them.
    assert sum(landed[p] for p in WRITING) >= KILLS // 2, landed
    for phase in WRITING:
        assert landed[phase] >= 3, f"only {landed[phase]} kills landed during {phase.name}"


def test_the_checks_report_what_a_kill_must_never_leave(seed_copy: Path, tmp_path: Path) -> None:
    """The checks above are not vacuous: each kind of damage they look for is reported."""
    template, rows = filled_template(seed_copy, tmp_path)
    database = open_database(seed_copy)
    try:
        workspace = PlanWorkspace(database, as_of=PERIOD)
        apply_import(read_template(template, workspace), workspace, "导入员")
    finally:
        database.close()
    checker = Checker(seed_copy, rows=rows)
    assert checker.problems(0) == []
    assert checker.batches == {"applied": 1} and len(checker.verified) == 1
    committed = checker.events
    with closing(sqlite3.connect(seed_copy)) as connection, connection:
        # The import's last row as if it had gone in a second transaction that never ran.
        last = connection.execute("SELECT MAX(entity_id) FROM audit_events").fetchone()[0]
        connection.execute("DELETE FROM audit_events WHERE entity_id = ?", (last,))
        connection.execute("DELETE FROM entries WHERE id = ?", (last,))
        # A change that bypassed the audit trail.
        connection.execute("UPDATE entries SET progress_note = '改过' WHERE id = 1")
    ((name, _size, _mtime),) = checker.verified
    backup = seed_copy.parent / "backups" / name
    backup.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    (seed_copy.parent / "backups" / f"{name}-journal").write_bytes(b"")

    found = "\n".join(Checker(seed_copy, rows=rows).problems(committed))

    assert f"has {rows - 1} entries and {2 * rows - 2} fields" in found and "half-applied" in found
    assert "entry 1 holds progress_note = '改过'; its audit trail says '第 1 项进展'" in found
    assert "2 audit events of writes that had returned are gone" in found
    assert f"backup {backup}" in found
    assert f"backups/{name}-journal is neither a backup" in found
