"""A fuzzer of database files: real databases broken in the ways files do get broken, given to
every entry point that opens one.

    python -m tests.fuzz_databases --cases 500 [--seed N] [--case K] [--keep FOLDER]

Run as a module it prints its seed, each failure and a summary, and exits 1 if anything failed;
``--case K`` repeats one case of a seed. ``tests/test_fuzz_databases.py`` runs a short fixed run
in the default test command.

**The files.** Each case starts from one of three real databases (`make_bases`): the shipped
seed, a database filled with nine months of demo figures (`desktop.models.demo.create_demo`),
and the oldest released schema with figures and imports (`tests/fixtures/schema-v1.sqlite`),
and applies one mutation (`MUTATIONS`; each kind once in the first cases of a run, then by
weight), in a fifth of the cases a second one on top, aware of the file's structure:

- bytes: the file cut short at many offsets (inside the header, on and around page boundaries,
  anywhere); bits and bytes flipped in a field of the 100-byte header, in a page's b-tree
  header, in sqlite_master's page, the root page of one of our tables, or any page; a page
  zeroed or overwritten; garbage appended; a stale or garbage -wal or -journal beside the file;
- metadata: another page size (rebuilt by VACUUM), another journal mode, user_version and
  application_id, schema_meta's rows removed or its table emptied or dropped, and
  schema_version not a number, empty, negative, zero, huge, older or newer;
- foreign files: another program's SQLite database (with or without a schema_meta of its own),
  an empty SQLite database, a zero-byte file, a text file, random bytes, a workbook, the magic
  string alone;
- structure: one of our tables dropped or renamed, a column dropped or renamed, an index
  dropped, an extra table;
- rows: a wrong type in a column of a row (text in a number, a blob, a fraction in a whole
  number, a huge or infinite number, an impossible date), rows pointing nowhere, a parent
  chain round in a circle, values outside their domain (checks ignored), a table emptied,
  values of the right type the plan's rules do not allow (weights of zero, a target equal
  to its baseline, a plan ending before it starts, months outside the plan, …).

**The entry points**, each on its own copy of the file, in-process: `tree` and `check`
(through `desktop.cli.main`), `restore` of the file into a good database, `open_database`,
and the window's start (`desktop.ui.app.open_main_window`, with a user who answers Quit; it
skips quick_check, so it meets damage the command line would have found first).

**The verdict.** Each must end with exit 0 and correct output, or exit 1 with one line naming
the file (an exception the window shows as one message, for the window and open_database) —
never a traceback (any other exception, or more on stderr), never a hang (`CASE_SECONDS` per
entry point), never a message box left waiting. A refusal changes nothing: a file that is not
ours stays byte for byte, a file that is ours keeps its content (an older schema may have been
upgraded, its backup holding the content), and a damaged file moved aside is moved byte for
byte; a
refused restore leaves the target's content (a dump) as it was and backs nothing up; a restore
never changes the file restored from; a restored database passes `check` and holds the file's
content. `check` saying ok means `tree` works and the window opens; a mutation that keeps the
content (another page size, journal mode or user_version, an extra table) keeps `tree`'s output.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import os
import random
import shutil
import sqlite3
import struct
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings  # after choosing the offscreen platform
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.cli import main
from desktop.models.demo import create_demo
from desktop.models.errors import TargetMonitorError
from desktop.models.opening import open_database
from desktop.models.store import SCHEMA_VERSION
from tests.limits import Hang, time_limit
from tests.ui_helpers import ScriptedPrompts

from desktop.ui.app import open_main_window
from desktop.ui.backups import DamagedDatabaseDialog, Recovery
from desktop.ui.settings import USER_NAME, Settings

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "seed.sqlite"
OLDEST = ROOT / "tests" / "fixtures" / "schema-v1.sqlite"
CASE_SECONDS = 30  # per entry point; a lock is waited for 5 s at most, anything else is quick
OUR_TABLES = (
    "schema_meta",
    "plans",
    "departments",
    "nodes",
    "indicators",
    "import_batches",
    "entries",
    "audit_events",
)
PROG = "target-monitor: "
COMPOUND = 0.2  # the share of cases with two mutations


# --- the bases ----------------------------------------------------------------------------------


def make_bases(folder: Path) -> dict[str, Path]:
    """The real databases every case starts from."""
    folder.mkdir(parents=True, exist_ok=True)
    bases = {"seed": folder / "seed.sqlite", "oldest": folder / "oldest.sqlite"}
    shutil.copyfile(SEED, bases["seed"])
    shutil.copyfile(OLDEST, bases["oldest"])
    bases["demo"] = folder / "demo.sqlite"
    create_demo(bases["demo"], through="2025-09")
    return bases


# --- mutations ----------------------------------------------------------------------------------


@dataclass
class Mutated:
    """A mutated file, what was done to it, and whether its content is as before."""

    description: str
    keeps_content: bool = False


Mutation = Callable[[random.Random, Path], Mutated]


def _sql(path: Path, *statements: str) -> None:
    """Run SQL on the file as another program might: foreign keys off, CHECKs ignored."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA ignore_check_constraints = ON")
        for statement in statements:
            connection.execute(statement)
    finally:
        connection.close()


def _query(path: Path, sql: str, *args: object) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql, args).fetchall()
    finally:
        connection.close()


def _page_size(data: bytes) -> int:
    if len(data) < 18:
        return 4096
    size = struct.unpack(">H", data[16:18])[0]
    return 65536 if size == 1 else max(size, 512)


def _rollback_journal(path: Path) -> None:
    """Put the file in rollback-journal mode (page size and VACUUM need it)."""
    _sql(path, "PRAGMA journal_mode = DELETE")


HEADER_FIELDS = {  # offset, length
    "magic": (0, 16),
    "page size": (16, 2),
    "write version": (18, 1),
    "read version": (19, 1),
    "reserved bytes": (20, 1),
    "payload fractions": (21, 3),
    "change counter": (24, 4),
    "page count": (28, 4),
    "freelist trunk": (32, 4),
    "freelist count": (36, 4),
    "schema cookie": (40, 4),
    "schema format": (44, 4),
    "cache size": (48, 4),
    "largest root page": (52, 4),
    "text encoding": (56, 4),
    "user version": (60, 4),
    "incremental vacuum": (64, 4),
    "application id": (68, 4),
    "reserved zeros": (72, 20),
    "version valid for": (92, 4),
    "sqlite version": (96, 4),
}


def truncate(rng: random.Random, path: Path) -> Mutated:
    data = path.read_bytes()
    size = _page_size(data)
    pages = max(len(data) // size, 1)
    offset = rng.choice(
        [
            rng.randrange(0, 100),
            rng.randrange(100, size),
            rng.randrange(1, pages) * size,
            rng.randrange(1, pages) * size + rng.choice([-1, 1]),
            rng.randrange(0, len(data)),
            len(data) - rng.randrange(1, 200),
        ]
    )
    offset = max(0, min(offset, len(data) - 1))
    path.write_bytes(data[:offset])
    return Mutated(f"cut to {offset} of {len(data)} bytes")


def header_field(rng: random.Random, path: Path) -> Mutated:
    data = bytearray(path.read_bytes())
    name, (offset, length) = rng.choice(sorted(HEADER_FIELDS.items()))
    how = rng.choice(["random", "zero", "ones", "bit", "plus one"])
    if how == "random":
        data[offset : offset + length] = rng.randbytes(length)
    elif how == "zero":
        data[offset : offset + length] = bytes(length)
    elif how == "ones":
        data[offset : offset + length] = b"\xff" * length
    elif how == "bit":
        data[offset + rng.randrange(length)] ^= 1 << rng.randrange(8)
    else:
        value = int.from_bytes(data[offset : offset + length], "big")
        data[offset : offset + length] = ((value + 1) % 256**length).to_bytes(length, "big")
    path.write_bytes(bytes(data))
    return Mutated(f"header field {name} ({how})")


def _pages_of(path: Path) -> dict[str, list[int]]:
    """Page numbers worth aiming at: sqlite_master's, our tables' roots, every page."""
    data = path.read_bytes()
    count = max(len(data) // _page_size(data), 1)
    roots = _query(path, "SELECT name, rootpage FROM sqlite_master WHERE rootpage > 0")
    return {"any": list(range(1, count + 1)), **{name: [int(root)] for name, root in roots}}


def flip_in_page(rng: random.Random, path: Path) -> Mutated:
    pages = _pages_of(path)
    target = rng.choice(["any", "any", "sqlite_master", *sorted(set(pages) - {"any"})])
    number = rng.choice(pages.get(target, [1]))
    data = bytearray(path.read_bytes())
    size = _page_size(data)
    start = (number - 1) * size + (100 if number == 1 else 0)
    where = rng.choice(["b-tree header", "cell pointers", "anywhere"])
    span = {"b-tree header": 12, "cell pointers": 40, "anywhere": size - (start % size)}[where]
    flips = rng.randint(1, 8)
    for _ in range(flips):
        at = min(start + rng.randrange(span), len(data) - 1)
        if rng.random() < 0.5:
            data[at] ^= 1 << rng.randrange(8)
        else:
            data[at] = rng.randrange(256)
    path.write_bytes(bytes(data))
    return Mutated(f"{flips} bytes changed in page {number} ({target}, {where})")


def overwrite_page(rng: random.Random, path: Path) -> Mutated:
    data = bytearray(path.read_bytes())
    size = _page_size(data)
    number = rng.randrange(1, max(len(data) // size, 1) + 1)
    how = rng.choice(["zeroed", "random"])
    start = (number - 1) * size + (100 if number == 1 and rng.random() < 0.5 else 0)
    end = number * size
    data[start:end] = bytes(end - start) if how == "zeroed" else rng.randbytes(end - start)
    path.write_bytes(bytes(data))
    return Mutated(f"page {number} {how} from byte {start % size}")


def append_garbage(rng: random.Random, path: Path) -> Mutated:
    extra = rng.choice([1, 100, _page_size(path.read_bytes()), 5000])
    with path.open("ab") as handle:
        handle.write(rng.randbytes(extra))
    return Mutated(f"{extra} random bytes appended")


def companion(rng: random.Random, path: Path) -> Mutated:
    """A journal beside the file that does not belong to it (left by a crash or a copy)."""
    end = rng.choice(["-wal", "-journal"])
    kind = rng.choice(["garbage", "empty", "header only"])
    content = {
        "garbage": rng.randbytes(rng.choice([32, 4096, 10000])),
        "empty": b"",
        "header only": (
            b"\x37\x7f\x06\x82" if end == "-wal" else b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7"
        )
        + rng.randbytes(28),
    }[kind]
    Path(f"{path}{end}").write_bytes(content)
    return Mutated(f"a {kind} {end} beside it")


def page_size(rng: random.Random, path: Path) -> Mutated:
    size = rng.choice([512, 1024, 2048, 8192, 16384, 65536])
    _rollback_journal(path)
    _sql(path, f"PRAGMA page_size = {size}", "VACUUM")
    return Mutated(f"page size {size} (VACUUM)", keeps_content=True)


def journal_mode(rng: random.Random, path: Path) -> Mutated:
    mode = rng.choice(["DELETE", "TRUNCATE", "PERSIST", "WAL"])
    _sql(path, f"PRAGMA journal_mode = {mode}")
    return Mutated(f"journal mode {mode}", keeps_content=True)


def header_numbers(rng: random.Random, path: Path) -> Mutated:
    pragma = rng.choice(["user_version", "application_id"])
    value = rng.choice([1, -1, 7, 2**31 - 1, rng.randrange(-(2**31), 2**31)])
    _sql(path, f"PRAGMA {pragma} = {value}")
    return Mutated(f"{pragma} = {value}", keeps_content=True)


SCHEMA_VERSIONS = [
    "abc",
    "",
    " ",
    "-1",
    "0",
    "1",
    "2.0",
    " 2 ",
    "0x2",
    "99999999999999999999",
    str(SCHEMA_VERSION + 1),
    str(2**63),
    "٢",  # an Arabic-Indic two: int() reads it
]


def schema_meta(rng: random.Random, path: Path) -> Mutated:
    how = rng.choice(["value", "value", "value", "no row", "emptied", "dropped", "extra key"])
    if how == "value":
        value = rng.choice(SCHEMA_VERSIONS)
        _sql(path, f"UPDATE schema_meta SET value = '{value}' WHERE key = 'schema_version'")
        return Mutated(f"schema_version = {value!r}")
    statement = {
        "no row": "DELETE FROM schema_meta WHERE key = 'schema_version'",
        "emptied": "DELETE FROM schema_meta",
        "dropped": "DROP TABLE schema_meta",
        "extra key": "INSERT INTO schema_meta VALUES ('colour', 'blue')",
    }[how]
    _sql(path, statement)
    return Mutated(f"schema_meta {how}", keeps_content=how == "extra key")


def foreign(rng: random.Random, path: Path) -> Mutated:
    kind = rng.choice(
        [
            "other program",
            "other program with schema_meta",
            "other program claiming our schema version",
            "empty SQLite",
            "zero bytes",
            "text",
            "random bytes",
            "workbook",
            "magic only",
        ]
    )
    path.unlink()
    if kind.startswith("other program") or kind == "empty SQLite":
        statements = {
            "other program": [
                "CREATE TABLE contacts (name TEXT, phone TEXT)",
                "INSERT INTO contacts VALUES ('王', '12345')",
            ],
            "other program with schema_meta": [
                "CREATE TABLE schema_meta (key TEXT PRIMARY KEY, value TEXT)",
                "INSERT INTO schema_meta VALUES ('format', 'contacts 3')",
            ],
            "other program claiming our schema version": [
                "CREATE TABLE schema_meta (key TEXT PRIMARY KEY, value TEXT)",
                f"INSERT INTO schema_meta VALUES ('schema_version', '{SCHEMA_VERSION}')",
                "CREATE TABLE contacts (name TEXT)",
            ],
            "empty SQLite": ["PRAGMA user_version = 1"],
        }[kind]
        mode = rng.choice(["DELETE", "WAL"])
        _sql(path, f"PRAGMA journal_mode = {mode}", *statements)
        return Mutated(f"{kind} ({mode})")
    content = {
        "zero bytes": b"",
        "text": "计划 plan 2025\n".encode() * rng.randint(1, 500),
        "random bytes": rng.randbytes(rng.choice([10, 4096, 50000])),
        "workbook": b"PK\x03\x04" + rng.randbytes(3000),
        "magic only": b"SQLite format 3\x00" + rng.randbytes(rng.choice([0, 84, 4080])),
    }[kind]
    path.write_bytes(content)
    return Mutated(kind)


def drop_table(rng: random.Random, path: Path) -> Mutated:
    table = rng.choice(OUR_TABLES[1:])
    how = rng.choice(["dropped", "renamed"])
    if how == "dropped":
        _sql(path, f'DROP TABLE "{table}"')
    else:
        _sql(path, "PRAGMA legacy_alter_table = ON", f'ALTER TABLE "{table}" RENAME TO old_{table}')
    return Mutated(f"table {table} {how}")


def drop_column(rng: random.Random, path: Path) -> Mutated:
    table = rng.choice(OUR_TABLES)
    columns = [row[1] for row in _query(path, f'PRAGMA table_info("{table}")')]
    column = rng.choice(columns)
    how = rng.choice(["dropped", "renamed"])
    try:
        if how == "renamed":
            _sql(path, f'ALTER TABLE "{table}" RENAME COLUMN "{column}" TO "{column}_old"')
        else:
            _sql(path, f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
    except sqlite3.Error:  # a key or an indexed column: rebuild the table without it
        how = "left out of a rebuilt table"
        kept = ", ".join(f'"{c}"' for c in columns if c != column) or "1 AS nothing"
        _sql(
            path,
            f'CREATE TABLE rebuilt AS SELECT {kept} FROM "{table}"',
            f'DROP TABLE "{table}"',
            f'ALTER TABLE rebuilt RENAME TO "{table}"',
        )
    return Mutated(f"column {table}.{column} {how}")


def extras(rng: random.Random, path: Path) -> Mutated:
    how = rng.choice(["extra table", "index dropped", "extra column"])
    if how == "extra table":
        _sql(path, "CREATE TABLE notes_of_someone (x)", "INSERT INTO notes_of_someone VALUES (1)")
        return Mutated(how, keeps_content=True)
    if how == "extra column":
        _sql(path, "ALTER TABLE entries ADD COLUMN colour TEXT")
        return Mutated(how)
    indexes = _query(
        path, "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    )
    if not indexes:
        return extras(rng, path)
    name = rng.choice(indexes)[0]
    _sql(path, f'DROP INDEX "{name}"')
    return Mutated(f"index {name} dropped", keeps_content=True)


WRONG_VALUES: list[tuple[str, str]] = [
    ("'garbage'", "text"),
    ("''", "empty text"),
    ("x'00ff10'", "a blob"),
    ("1.5", "a fraction"),
    ("9223372036854775807", "the largest integer"),
    ("-1", "minus one"),
    ("1e308", "1e308"),
    ("9e999", "infinity"),
    ("-9e999", "minus infinity"),
    ("'2025-02-30'", "an impossible date"),
    ("'2025-13-01 00:00:00'", "an impossible month"),
    ("'2025-07-03 09:01:00+08:00'", "a date with a time zone"),
    ("'0000-01-01'", "year zero"),
    ("NULL", "nothing"),
    ("'2025-13'", "month 13"),
    ("'bogus'", "a value outside its domain"),
]


def wrong_value(rng: random.Random, path: Path) -> Mutated:
    tables = [t for t in OUR_TABLES if _query(path, f'SELECT count(*) FROM "{t}"')[0][0]]
    table = rng.choice(tables)
    columns = [row[1] for row in _query(path, f'PRAGMA table_info("{table}")')]
    column = rng.choice(columns)
    value, what = rng.choice(WRONG_VALUES)
    rows = rng.choice(["one", "one", "all"])
    where = (
        f'WHERE rowid = (SELECT rowid FROM "{table}" ORDER BY random() LIMIT 1)'
        if rows == "one"
        else ""
    )
    try:
        _sql(path, f'UPDATE "{table}" SET "{column}" = {value} {where}')
    except sqlite3.Error as error:  # NOT NULL, UNIQUE: another program could not either
        return Mutated(f"{table}.{column} = {what} refused by SQLite ({error})", keeps_content=True)
    return Mutated(f"{table}.{column} = {what} in {rows} row(s)")


def broken_links(rng: random.Random, path: Path) -> Mutated:
    how = rng.choice(
        [
            "parent cycle",
            "own parent",
            "parent in nowhere",
            "department deleted",
            "indicator deleted",
            "batch deleted",
            "measure under an indicator's id",
            "plans emptied",
            "nodes emptied",
            "indicators emptied",
            "second plan",
            "kinds swapped",
        ]
    )
    statement = {
        "parent cycle": "UPDATE nodes SET parent_id = (SELECT id FROM nodes WHERE kind = 'measure'"
        " LIMIT 1) WHERE id = (SELECT parent_id FROM nodes WHERE kind = 'measure' LIMIT 1)",
        "own parent": "UPDATE nodes SET parent_id = id WHERE id = "
        "(SELECT id FROM nodes ORDER BY random() LIMIT 1)",
        "parent in nowhere": "UPDATE nodes SET parent_id = 99999 WHERE kind = 'task'",
        "department deleted": "DELETE FROM departments WHERE id = "
        "(SELECT id FROM departments ORDER BY random() LIMIT 1)",
        "indicator deleted": "DELETE FROM indicators WHERE id = "
        "(SELECT indicator_id FROM entries ORDER BY random() LIMIT 1)",
        "batch deleted": "DELETE FROM import_batches",
        "measure under an indicator's id": "UPDATE indicators SET measure_id = "
        "(SELECT id FROM nodes WHERE kind = 'project' LIMIT 1)",
        "plans emptied": "DELETE FROM plans",
        "nodes emptied": "DELETE FROM nodes",
        "indicators emptied": "DELETE FROM indicators",
        "second plan": "INSERT INTO plans SELECT 2, 'X2', title, year, end_date, start_date, "
        "source, 0, 0, 0 FROM plans",
        "kinds swapped": "UPDATE indicators SET kind = CASE kind WHEN 'milestone' THEN 'level' "
        "ELSE 'milestone' END",
    }[how]
    _sql(path, statement)
    return Mutated(how)


DOMAIN_VALUES = {
    "weights all zero": "UPDATE indicators SET weight = 0",
    "a negative weight": "UPDATE indicators SET weight = -2 WHERE id = "
    "(SELECT id FROM indicators ORDER BY random() LIMIT 1)",
    "target equals baseline": "UPDATE indicators SET target = baseline WHERE baseline IS NOT NULL",
    "target zero": "UPDATE indicators SET target = 0 WHERE target IS NOT NULL",
    "negative target": "UPDATE indicators SET target = -target WHERE target IS NOT NULL",
    "due before the plan": "UPDATE indicators SET due_date = '2001-01-01'",
    "baseline after due": "UPDATE indicators SET baseline_date = '2099-01-01' "
    "WHERE baseline_date IS NOT NULL",
    "plan ends before it starts": "UPDATE plans SET end_date = '2020-01-01'",
    "plan of a thousand years": "UPDATE plans SET end_date = '3025-12-31'",
    "month outside the plan": "UPDATE entries SET period = '2031-01' WHERE id = "
    "(SELECT id FROM entries ORDER BY random() LIMIT 1)",
    "month badly written": "UPDATE entries SET period = '2025-6' WHERE id = "
    "(SELECT id FROM entries ORDER BY random() LIMIT 1)",
    "a state on a figure": "UPDATE entries SET milestone_state = '推进中'",
    "a figure on a milestone": "UPDATE entries SET value = 5",
    "negative figures": "UPDATE entries SET value = -value WHERE value IS NOT NULL",
    "version zero": "UPDATE entries SET version = 0",
    "thresholds crossed": "UPDATE indicators SET yellow_threshold = 50, red_threshold = 20",
    "duplicate codes": "UPDATE nodes SET code = '1'",
    "an empty name": "UPDATE indicators SET name = '', unit = ''",
    "long text": "UPDATE indicators SET name = printf('%.*c', 100000, 'x') WHERE id = "
    "(SELECT min(id) FROM indicators)",
}


def domain_value(rng: random.Random, path: Path) -> Mutated:
    """A value of the right type that the plan's rules do not allow (checks ignored)."""
    name = rng.choice(sorted(DOMAIN_VALUES))
    _sql(path, DOMAIN_VALUES[name])
    return Mutated(name)


MUTATIONS: dict[str, tuple[Mutation, int]] = {  # name: (mutation, weight)
    "truncate": (truncate, 6),
    "header field": (header_field, 8),
    "flip in page": (flip_in_page, 10),
    "overwrite page": (overwrite_page, 4),
    "append garbage": (append_garbage, 1),
    "companion journal": (companion, 3),
    "page size": (page_size, 2),
    "journal mode": (journal_mode, 2),
    "header numbers": (header_numbers, 2),
    "schema_meta": (schema_meta, 6),
    "foreign file": (foreign, 6),
    "table dropped": (drop_table, 3),
    "column dropped": (drop_column, 4),
    "extras": (extras, 2),
    "wrong value": (wrong_value, 12),
    "broken links": (broken_links, 6),
    "domain value": (domain_value, 8),
}


# --- looking at a file --------------------------------------------------------------------------


def companions(path: Path) -> list[Path]:
    return [p for end in ("-wal", "-journal", "-shm") if (p := Path(f"{path}{end}")).exists()]


def copy_case(source: Path, target: Path) -> Path:
    shutil.copyfile(source, target)
    for extra in companions(source):
        shutil.copyfile(extra, Path(f"{target}{extra.name[len(source.name) :]}"))
    return target


def raw_state(path: Path) -> tuple[str, list[str]]:
    """The file's bytes (as a digest) and the files beside it."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "absent"
    return digest, sorted(p.name for p in path.parent.iterdir())


def untouched(path: Path, before: tuple[str, list[str]]) -> bool:
    """Whether a file is as `raw_state` saw it: the same bytes, no file beside it added. A
    journal beside a file that starts like an SQLite database may be gone: whoever opens it
    with SQLite deletes (or plays back) a journal it finds there, as its own program would."""
    digest, listing = raw_state(path)
    gone = set(before[1]) - set(listing)
    journals = {f"{path.name}{end}" for end in ("-journal", "-wal", "-shm")}
    sqlite_file = path.read_bytes()[:16] == b"SQLite format 3\x00"
    return (
        digest == before[0]
        and set(listing) <= set(before[1])
        and (not gone or (sqlite_file and gone <= journals))
    )


def content(path: Path) -> object:
    """What a database holds: every table's rows and the schema (a dump), as any reader sees
    it: read from a copy with the journal or -wal beside it, which the reader plays back or
    discards (a read-only connection cannot, and would see bytes where there is content); the
    bytes' digest if it cannot be read as a database."""
    if not path.exists():
        return "absent"
    with tempfile.TemporaryDirectory(prefix="content-") as scratch:
        held = _content(copy_case(path, Path(scratch) / path.name))
    return held if held is not None else hashlib.sha256(path.read_bytes()).hexdigest()


def _content(path: Path) -> object:
    try:
        connection = sqlite3.connect(path)
        connection.text_factory = bytes  # text that is no UTF-8 is content too
        try:
            schema = connection.execute(
                "SELECT type, name, sql FROM sqlite_master ORDER BY name"
            ).fetchall()
            rows = {
                name: connection.execute(
                    f'SELECT * FROM "{name.decode()}" ORDER BY rowid'
                ).fetchall()
                for kind, name, _sql in schema
                if kind == b"table"
            }
        finally:
            connection.close()
    except sqlite3.Error:
        return None
    return schema, rows


def recorded_version(path: Path) -> str | None:
    try:
        rows = _query(path, "SELECT value FROM schema_meta WHERE key = 'schema_version'")
    except sqlite3.Error:
        return None
    return str(rows[0][0]) if rows else None


# --- running the entry points --------------------------------------------------------------------


@dataclass
class Outcome:
    """How an entry point ended: an exit code (None for a crash or a hang), its output."""

    code: int | None
    out: str = ""
    err: str = ""
    crash: str | None = None  # the traceback's last lines
    hang: bool = False


def run_cli(*argv: str) -> Outcome:
    out, err = io.StringIO(), io.StringIO()
    try:
        with (
            time_limit(CASE_SECONDS, hard_stop=True),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            code = main(list(argv))
    except Hang:
        return Outcome(None, out.getvalue(), err.getvalue(), hang=True)
    except BaseException:  # a traceback is what the fuzzer looks for
        return Outcome(None, out.getvalue(), err.getvalue(), crash=_last_lines())
    return Outcome(code, out.getvalue(), err.getvalue())


def run_call(action: Callable[[], object]) -> Outcome:
    """An entry point that is no command: returning is exit 0, a TargetMonitorError exit 1
    (its message is what the user is shown), anything else a crash."""
    try:
        with time_limit(CASE_SECONDS, hard_stop=True):
            action()
    except Hang:
        return Outcome(None, hang=True)
    except TargetMonitorError as error:
        return Outcome(1, err=f"{PROG}{error}\n")
    except BaseException:
        return Outcome(None, crash=_last_lines())
    return Outcome(0)


def _last_lines() -> str:
    return " | ".join(traceback.format_exc().strip().splitlines()[-3:])


# --- a case ---------------------------------------------------------------------------------


@dataclass
class Report:
    """What a run found."""

    seed: int
    cases: int = 0
    exits: Counter[str] = field(default_factory=Counter)
    tracebacks: int = 0
    hangs: int = 0
    changes_on_refusal: int = 0
    failures: list[str] = field(default_factory=list)
    mutations: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def summary(self) -> str:
        entry_points = ", ".join(
            f"{name} {self.exits[f'{name} 0']}/{self.exits[f'{name} 1']}" for name in ENTRY_POINTS
        )
        return (
            f"seed {self.seed}: {self.cases} cases in {self.seconds:.0f} s; exits 0/1 per entry "
            f"point: {entry_points}; tracebacks {self.tracebacks}, hangs {self.hangs}, "
            f"changes on refusal {self.changes_on_refusal}, other failures "
            f"{len(self.failures) - self.tracebacks - self.hangs - self.changes_on_refusal}"
        )


ENTRY_POINTS = ("tree", "check", "restore", "open_database", "window")


class Quitter(ScriptedPrompts):
    """The user at the window's start: asked about a damaged file, chooses Quit."""

    def __init__(self) -> None:
        super().__init__()
        self.on(DamagedDatabaseDialog, lambda dialog: dialog.choose(Recovery.QUIT))


class Case:
    """One mutated file given to every entry point, and the verdict on each."""

    def __init__(self, report: Report, label: str, folder: Path, mutated: Path) -> None:
        self.report = report
        self.label = label
        self.folder = folder
        self.mutated = mutated
        self.outcomes: dict[str, Outcome] = {}

    def fail(self, entry: str, kind: str, detail: str) -> None:
        self.report.failures.append(f"{self.label} — {entry}: {kind}: {detail}")
        if kind == "traceback":
            self.report.tracebacks += 1
        elif kind == "hang":
            self.report.hangs += 1
        elif kind == "changed on refusal":
            self.report.changes_on_refusal += 1

    def judge(self, entry: str, outcome: Outcome, named: Path) -> bool:
        """The shape of any outcome: exit 0, or exit 1 with one line naming `named`."""
        self.outcomes[entry] = outcome
        if outcome.hang:
            self.fail(entry, "hang", f"more than {CASE_SECONDS} s")
            return False
        if outcome.crash is not None:
            self.fail(entry, "traceback", outcome.crash)
            return False
        self.report.exits[f"{entry} {outcome.code}"] += 1
        if "Traceback" in outcome.err or "Warning" in outcome.err:
            self.fail(entry, "traceback", outcome.err.strip()[-300:])
            return False
        if outcome.code == 1:
            lines = outcome.err.splitlines()
            if len(lines) != 1 or not lines[0].startswith(PROG) or f"{named}" not in lines[0]:
                self.fail(entry, "not one line naming the file", repr(outcome.err[-400:]))
                return False
        elif outcome.code != 0:
            self.fail(entry, f"exit {outcome.code}", repr(outcome.err[-400:]))
            return False
        elif outcome.err:
            self.fail(entry, "exit 0 with a message", repr(outcome.err[-400:]))
            return False
        return True

    def copy(self, name: str) -> Path:
        folder = self.folder / name
        folder.mkdir()
        return copy_case(self.mutated, folder / "plan.sqlite")

    def refused_without_change(
        self, entry: str, path: Path, before: tuple[Any, Any], message: str
    ) -> None:
        """After a refusal: a damaged file moved aside byte for byte, else nothing changed (a
        file that is not ours: not a byte; ours: not its content)."""
        raw, held = before
        aside = sorted(path.parent.glob("plan.damaged-*.sqlite"))
        if aside:
            if path.exists() or hashlib.sha256(aside[0].read_bytes()).hexdigest() != raw[0]:
                self.fail(entry, "changed on refusal", "the damaged file was not moved as it was")
            return
        if "not a Target Monitor database" in message or "not a database file" in message:
            if not untouched(path, raw):
                self.fail(entry, "changed on refusal", "a file that is not ours was changed")
            return
        # Opening upgrades an older schema, after a backup of it: that is no refusal's doing.
        upgraded = sorted(path.parent.glob("backups/*-before-upgrade-v*.sqlite"))
        if content(upgraded[0] if upgraded else path) != held:
            self.fail(entry, "changed on refusal", "the content changed")

    # -- the entry points --

    def tree(self) -> Outcome:
        path = self.copy("tree")
        before = raw_state(path), content(path)
        outcome = run_cli("--db", str(path), "tree")
        if self.judge("tree", outcome, path):
            if outcome.code == 0:
                lines = outcome.out.splitlines()
                if len(lines) < 5 or "个指标" not in outcome.out or "数据截至" not in outcome.out:
                    self.fail("tree", "wrong output", repr(outcome.out[:300]))
            elif outcome.out:
                self.fail("tree", "output on a refusal", repr(outcome.out[:300]))
            else:
                self.refused_without_change("tree", path, before, outcome.err)
        return outcome

    def check(self) -> Outcome:
        path = self.copy("check")
        before = raw_state(path), content(path)
        outcome = run_cli("--db", str(path), "check")
        if self.judge("check", outcome, path):
            lines = outcome.out.splitlines()
            if outcome.code == 0 and (len(lines) != 1 or not lines[0].startswith("ok: ")):
                self.fail("check", "wrong output", repr(outcome.out[:300]))
            if outcome.code == 1:
                if any(not line.startswith("problem: ") for line in lines):
                    self.fail("check", "wrong output", repr(outcome.out[:300]))
                if not lines:
                    self.refused_without_change("check", path, before, outcome.err)
        return outcome

    def restore(self, good: Path) -> Outcome:
        folder = self.folder / "restore"
        folder.mkdir()
        target = copy_case(good, folder / "plan.sqlite")
        source = self.copy("restore-source")
        source_before = hashlib.sha256(source.read_bytes()).hexdigest()
        before = content(target)
        files = sorted(p.name for p in folder.iterdir())
        outcome = run_cli("--db", str(target), "restore", str(source))
        if not self.judge("restore", outcome, source if outcome.code else target):
            return outcome
        if hashlib.sha256(source.read_bytes()).hexdigest() != source_before:
            self.fail("restore", "changed the file restored from", str(source))
        if outcome.code == 1:
            if content(target) != before or sorted(p.name for p in folder.iterdir()) != files:
                self.fail("restore", "changed on refusal", "the target or its folder changed")
            return outcome
        checked = run_cli("--db", str(target), "check")
        if checked.code != 0:
            self.fail("restore", "restored a file check refuses", checked.out[:300] + checked.err)
        elif recorded_version(source) == str(SCHEMA_VERSION) and content(target) != content(source):
            self.fail("restore", "restored content differs from the file", str(source))
        return outcome

    def open_database(self) -> Outcome:
        path = self.copy("open")
        outcome = run_call(lambda: open_database(path).close())
        self.judge("open_database", outcome, path)
        return outcome

    def window(self, settings: Settings) -> Outcome:
        path = self.copy("window")
        before = raw_state(path), content(path)
        prompts = Quitter()
        opened: list[Any] = []

        def start() -> None:
            window = open_main_window(path, settings, prompts)
            opened.append(window)
            if window is not None:
                window.controller.database.close()
                window.deleteLater()

        outcome = run_call(start)
        QApplication.processEvents()
        refused = outcome.code == 1 or opened == [None]  # None: damaged, and the user quit
        if self.judge("window", outcome, path) and refused:
            self.refused_without_change("window", path, before, outcome.err)
        return outcome


def mutate(
    rng: random.Random, bases: dict[str, Path], path: Path, first: str | None = None
) -> tuple[str, str, Mutated]:
    """Copy a base to `path` and apply a mutation chosen by weight (or `first`; another if one
    does not apply to this base), now and then a second one on top (say, damage to a file
    another mutation put in a rollback journal): the base's name, the mutations', what they
    did."""
    names = list(MUTATIONS)
    weights = [MUTATIONS[name][1] for name in names]
    base = rng.choice(sorted(bases))
    steps = 2 if rng.random() < COMPOUND else 1
    for attempt in range(10):
        for stale in [path, *companions(path)]:
            stale.unlink(missing_ok=True)
        shutil.copyfile(bases[base], path)
        done: list[tuple[str, Mutated]] = []
        try:
            for step in range(steps):
                chosen = first if first is not None and step == attempt == 0 else None
                name = chosen or rng.choices(names, weights)[0]
                done.append((name, MUTATIONS[name][0](rng, path)))
        except (sqlite3.Error, ValueError, IndexError):
            continue  # e.g. a column another table's key needs, or a file the first broke
        return (
            base,
            " + ".join(name for name, _ in done),
            Mutated(
                " + ".join(m.description for _, m in done),
                keeps_content=all(m.keeps_content for _, m in done),
            ),
        )
    raise RuntimeError("no mutation applied")


def run_case(
    report: Report,
    index: int,
    bases: dict[str, Path],
    *,
    good: Path,
    folder: Path,
    settings: Settings,
) -> None:
    rng = random.Random(f"{report.seed}-{index}")
    folder.mkdir(parents=True)
    mutated_path = folder / "mutated.sqlite"
    kinds = list(MUTATIONS)  # every kind first, then by weight: a short run tries them all
    first = kinds[index] if index < len(kinds) else None
    base, name, mutated = mutate(rng, bases, mutated_path, first)
    for one in name.split(" + "):
        report.mutations[one] += 1
    label = f"case {index} ({base}, {name}: {mutated.description})"
    case = Case(report, label, folder, mutated_path)
    tree = case.tree()
    check = case.check()
    case.restore(good)
    case.open_database()
    window = case.window(settings)
    report.cases += 1
    if check.code == 0 and (tree.code != 0 or window.code != 0):
        case.fail("check", "said ok on a database tree or the window cannot use", "")
    if mutated.keeps_content and tree.code == 0 and tree.out != report_tree(bases[base], folder):
        case.fail("tree", "output changed by a mutation that keeps the content", "")


_BASE_TREES: dict[Path, str] = {}


def report_tree(base: Path, folder: Path) -> str:
    """`tree` of an unmutated base (once per run)."""
    if base not in _BASE_TREES:
        copy = copy_case(base, folder / "base-tree.sqlite")
        _BASE_TREES[base] = run_cli("--db", str(copy), "tree").out
    return _BASE_TREES[base]


def run(
    cases: int,
    seed: int,
    folder: Path,
    *,
    only: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Run `cases` cases (or only case `only`) of a seed in `folder`; what was found."""
    started = time.monotonic()
    report = Report(seed)
    bases = make_bases(folder / "bases")
    good = folder / "bases" / "good.sqlite"
    shutil.copyfile(bases["seed"], good)
    settings = Settings(QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))
    settings.set(USER_NAME, "模糊测试")
    shown: list[str] = []
    original_critical = QMessageBox.critical
    QMessageBox.critical = lambda *args: shown.append(str(args[2:3]))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")  # every warning reaches stderr, where it counts
            for index in range(cases) if only is None else [only]:
                before = len(report.failures)
                run_case(
                    report,
                    index,
                    bases,
                    good=good,
                    folder=folder / f"case-{index}",
                    settings=settings,
                )
                if shown:
                    report.failures.append(f"case {index}: a message box blocked: {shown}")
                    shown.clear()
                if progress is not None:
                    for failure in report.failures[before:]:
                        progress(f"FAIL {failure}")
                if only is None:
                    shutil.rmtree(folder / f"case-{index}", ignore_errors=True)
    finally:
        QMessageBox.critical = original_critical
    report.seconds = time.monotonic() - started
    return report


def cli(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--seed", type=int, default=None, help="default: a random one")
    parser.add_argument("--case", type=int, default=None, help="run only this case of the seed")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**9)
    print(f"fuzzing database files: seed {seed}, {args.cases} cases", flush=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with contextlib.ExitStack() as stack:
        if args.keep:
            folder = args.keep
            folder.mkdir(parents=True, exist_ok=True)
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        report = run(
            args.cases, seed, folder, only=args.case, progress=lambda line: print(line, flush=True)
        )
    del app
    print(report.summary())
    print("mutations: " + ", ".join(f"{n} {c}" for n, c in sorted(report.mutations.items())))
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(cli())
