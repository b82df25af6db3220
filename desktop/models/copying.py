"""A whole database copied into another, SQLite or a server, and compared afterwards.

`server init` copies the shipped plans into a new server database, `copy-db` moves a whole
database (plans, figures, notes, history, import batches) from a file to a server and back; a
database made on a server gets its people and their rights (desktop.models.permissions), with
the person making it as its first 管理员. The people stay on the server: a file has none.
Every table is copied row for row, ids and all, in one transaction of the target; before it
commits, every table of the target is read back and compared with the source's, row by row.
A copy that differs anywhere, or fails on the way, leaves the target as it was: nothing on a
server, no file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Select, Table, create_engine, func, inspect, select, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from desktop.models.database import create_database, read_schema_version
from desktop.models.errors import TargetMonitorError
from desktop.models.files import new_file_beside
from desktop.models.opening import open_database
from desktop.models.permissions import secure
from desktop.models.schema import Base, SchemaMeta
from desktop.models.server import (
    ServerAddress,
    first_line,
    server_address_in,
    using_server,
)
from desktop.models.store import (
    ENTRIES_REVISION_KEY,
    SCHEMA_VERSION,
    STRUCTURE_REVISION_KEY,
    describe_failure,
)

# What each database keeps of its own in schema_meta (its revisions change with every write to
# it, and a server keeps none): not copied, not compared.
OWN_FACTS = frozenset({ENTRIES_REVISION_KEY, STRUCTURE_REVISION_KEY})
TABLES = tuple(Base.metadata.sorted_tables)  # parents before the rows that refer to them


@dataclass(frozen=True)
class CopyReport:
    """What was copied: the target as shown, and the rows of each table (all compared)."""

    target: str
    rows: dict[str, int]


def copy_database(source: str | Path | ServerAddress, target: str | Path) -> CopyReport:
    """Copy the database at `source` (a file or a server address) to `target`: a file that
    does not exist yet, or a server database that holds none of this program's tables."""
    with _opened_source(source) as reading:
        if (address := server_address_in(str(target))) is not None:
            return _into_server(address, reading)
        return _into_file(Path(target), reading)


def init_server(address: ServerAddress, plans: Path) -> CopyReport:
    """Create this program's tables in an empty server database and copy the built-in plans
    into it from `plans` (the shipped seed file, only read)."""
    engine = create_engine(f"sqlite:///file:{plans.resolve()}?mode=ro&uri=true")
    try:
        with engine.connect() as reading:
            return _into_server(address, reading)
    finally:
        engine.dispose()


@contextmanager
def _opened_source(source: str | Path | ServerAddress) -> Iterator[Connection]:
    """A connection reading the source in one transaction: a snapshot of it."""
    address = source if isinstance(source, ServerAddress) else server_address_in(str(source))
    if address is None:
        path = Path(str(source))
        if not path.is_file():
            raise TargetMonitorError(f"{path}: no such database file; nothing was copied")
        database = open_database(path)  # checked, and upgraded if older (with a backup)
        try:
            with database.connect() as connection:
                yield connection
        finally:
            database.close()
        return
    with using_server(address, "nothing was copied") as engine, engine.connect() as plain:
        connection = plain.execution_options(isolation_level="REPEATABLE READ")
        version = read_schema_version(connection)
        if version != SCHEMA_VERSION:
            raise TargetMonitorError(
                f"{address.shown}: holds schema version {version}, this program writes "
                f"{SCHEMA_VERSION}; nothing was copied"
            )
        yield connection


def _into_server(address: ServerAddress, source: Connection) -> CopyReport:
    with using_server(address, "nothing was copied") as engine, engine.begin() as target:
        found = [t for t in inspect(target).get_table_names() if t in Base.metadata.tables]
        if found:
            tables = ", ".join(sorted(found))
            raise TargetMonitorError(
                f"{address.shown}: holds this program's tables already ({tables}); "
                "nothing was copied (copy into a new, empty database)"
            )
        Base.metadata.create_all(target)
        rows = _copy_rows(source, target, address.shown)
        _continue_numbering(target)
        _compare(source, target, address.shown)
        secure(target)  # the people, their rights and the append-only history
    return CopyReport(address.shown, rows)


def _into_file(path: Path, source: Connection) -> CopyReport:
    if path.exists():
        raise TargetMonitorError(f"{path}: exists already; copy-db never overwrites a file")
    scratch = new_file_beside(path, ".sqlite.tmp")  # its name taken, beside the target
    try:
        scratch.unlink()
        database = create_database(scratch)
        try:
            with database.engine.begin() as target:
                rows = _copy_rows(source, target, str(path))
                _compare(source, target, str(path))
        except SQLAlchemyError as error:
            raise TargetMonitorError(describe_failure(path, error)) from None
        finally:
            database.close()
        os.replace(scratch, path)
    finally:
        for leftover in (scratch, Path(f"{scratch}-wal"), Path(f"{scratch}-shm")):
            leftover.unlink(missing_ok=True)
    return CopyReport(str(path), rows)


def _copy_rows(source: Connection, target: Connection, shown: str) -> dict[str, int]:
    """Every row of every table, ids and all (schema_meta: the facts shared by copies). A row
    the target refuses (a name longer than its column, which SQLite lets by) stops the copy,
    naming its table."""
    counts = {}
    for table in TABLES:
        rows = [dict(row) for row in source.execute(_ordered(table)).mappings()]
        if table is SchemaMeta.__table__:
            rows = [row for row in rows if row["key"] not in OWN_FACTS]
            target.execute(table.delete().where(table.c.key.in_([row["key"] for row in rows])))
        try:
            if rows:
                target.execute(table.insert(), rows)
        except DBAPIError as error:
            raise TargetMonitorError(
                f"{shown}: {table.name} could not be copied ({first_line(error)}); "
                "nothing was copied"
            ) from None
        counts[table.name] = len(rows)
    return counts


def _continue_numbering(target: Connection) -> None:
    """A server numbers new rows from a sequence, which copied ids did not advance: each
    table's continues after its highest id."""
    for table in TABLES:
        if "id" not in table.c or not table.c.id.primary_key:
            continue
        highest = target.execute(select(func.max(table.c.id))).scalar()
        target.execute(
            text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :next, false)"),
            {"table": table.name, "next": (highest or 0) + 1},
        )


def _compare(source: Connection, target: Connection, shown: str) -> None:
    """Refuse the copy (TargetMonitorError, the target's transaction rolled back) unless every
    table of the target holds what the source's does."""
    for table in TABLES:
        theirs, ours = _content(source, table), _content(target, table)
        if theirs != ours:
            differing = next(
                (
                    index
                    for index, pair in enumerate(zip(theirs, ours, strict=False))
                    if pair[0] != pair[1]
                ),
                min(len(theirs), len(ours)),
            )
            raise TargetMonitorError(
                f"{shown}: the copy of {table.name} differs from the source "
                f"({len(ours)} rows against {len(theirs)}, first at row {differing + 1}); "
                "nothing was copied"
            )


def _content(connection: Connection, table: Table) -> list[tuple[Any, ...]]:
    """The table's rows in the order of their keys, as compared (schema_meta: the shared facts)."""
    rows = [tuple(row) for row in connection.execute(_ordered(table))]
    if table is SchemaMeta.__table__:
        rows = [row for row in rows if row[0] not in OWN_FACTS]
    return rows


def _ordered(table: Table) -> Select[Any]:
    return select(table).order_by(*table.primary_key.columns)
