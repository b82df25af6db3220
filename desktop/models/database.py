"""The database file and its connections (SQLite through SQLAlchemy only): opening one as it
is, creating one, reading and writing schema_meta, and saying in plain words what went wrong.

Every connection gets foreign keys, WAL and a busy timeout; write transactions start with
BEGIN IMMEDIATE so that two instances never both read a version and then both write.

This is the bottom of the storage modules: desktop.models.backup copies the file,
desktop.models.migrations upgrades an older schema (backing it up first), and
desktop.models.opening.open_database, which every caller uses, does all of it in order.
"""

from __future__ import annotations

import errno
import hashlib
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, delete, event, insert, inspect, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from desktop.models.errors import (
    DatabaseDamagedError,
    DatabaseOpenError,
    DatabaseReadError,
    DatabaseWriteError,
)
from desktop.models.schema import Base, SchemaMeta

# The schema this program writes; desktop.models.migrations.MIGRATIONS upgrades older files.
SCHEMA_VERSION = 7
SCHEMA_VERSION_KEY = "schema_version"
# Present (with when and how the figures were made) in a database filled by `demo`: every view
# and report of such a database says that its figures are demo figures.
DEMO_KEY = "demo"
DEFAULT_BUSY_TIMEOUT_MS = 5000

_IMMEDIATE = "target_monitor_immediate"


class Database:
    """An open database: the engine, read sessions and write transactions."""

    def __init__(
        self, path: Path, engine: Engine, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
    ) -> None:
        self.path = path
        self.engine = engine
        self.busy_timeout_ms = busy_timeout_ms
        self._writer = engine.execution_options(**{_IMMEDIATE: True})
        # The entries' revision before and after each write of this program's (`own_revision`)
        self._own_writes: dict[str, str] = {}

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading one consistent snapshot; closed on exit. A database error
        (locked too long, a damaged page) is raised as DatabaseReadError saying so."""
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                yield session
        except (DBAPIError, sqlite3.Error) as error:
            raise DatabaseReadError(describe_failure(self.path, error)) from error

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A plain connection for reading many rows fast; errors as in `read` (also those of
        the driver's own cursor, which SQLAlchemy does not wrap)."""
        try:
            with self.engine.connect() as connection:
                yield connection
        except (DBAPIError, sqlite3.Error) as error:
            raise DatabaseReadError(describe_failure(self.path, error)) from error

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction (BEGIN IMMEDIATE): committed on success, rolled back on error.

        A database error on the way, the commit included (a full disk, a failing disk, a lock
        held too long), is rolled back and raised as DatabaseWriteError saying so.
        """
        try:
            with Session(self._writer, expire_on_commit=False) as session, session.begin():
                # read inside the write transaction: no other writer comes in between
                before = read_meta(session, ENTRIES_REVISION_KEY)
                yield session
                after = read_meta(session, ENTRIES_REVISION_KEY)  # the writes flushed first
        except DBAPIError as error:
            raise DatabaseWriteError(describe_write_failure(self.path, error)) from error
        if before is not None and after is not None and before != after:  # committed
            self._own_writes[before] = after

    def own_revision(self, revision: str) -> str:
        """The entries' revision after this program's own writes since `revision` (itself
        when there were none): equal to the file's revision only if no one else wrote since."""
        for _write in range(len(self._own_writes)):
            if revision not in self._own_writes:
                break
            revision = self._own_writes[revision]
        return revision

    def connect_for_writing(self) -> Connection:
        """A connection whose transactions begin IMMEDIATE, for work that must manage its own
        transaction around driver-level PRAGMAs (a migration step)."""
        return self._writer.connect()

    def backup_to(self, target: Path) -> None:
        """A consistent copy of the whole database by SQLite's online backup API."""
        target.parent.mkdir(parents=True, exist_ok=True)
        with driver_connection(self) as source:
            copy_to_file(source, target)

    def load_from(self, source: Path, what: str = "the database could not be replaced") -> None:
        """Replace the whole content with a database file's, by SQLite's online backup API
        (other connections see the old content or the new, never a mix). A failure (another
        program holding the write lock longer than the busy timeout, a full disk) raises
        DatabaseWriteError starting with `what`; nothing is replaced."""
        try:
            origin = read_only(source)
            try:
                with driver_connection(self) as connection:
                    copy_pages(origin, connection, patience_ms=self.busy_timeout_ms)
            finally:
                origin.close()
        except sqlite3.Error as error:
            raise DatabaseWriteError(describe_write_failure(self.path, error, what)) from error

    @property
    def page_size(self) -> int:
        with driver_connection(self) as connection:
            return int(connection.execute("PRAGMA page_size").fetchone()[0])

    @contextmanager
    def driver(self) -> Iterator[sqlite3.Connection]:
        """The driver's own connection, for plain SQL over many rows; errors as in `read`."""
        with self.connect() as connection:
            raw = connection.connection.driver_connection
            assert isinstance(raw, sqlite3.Connection)
            yield raw

    def wait_to_write(self, what: str) -> None:
        """Return once no other program holds the write lock (it is taken and let go again at
        once); DatabaseWriteError starting with `what` if one holds it beyond the busy timeout.
        For work that writes a backup first, which a lock would only make pointless."""
        try:
            with self._writer.connect() as connection, connection.begin():
                pass
        except DBAPIError as error:
            raise DatabaseWriteError(describe_write_failure(self.path, error, what)) from error

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()


def read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to a file (as a URI, so '#', '?' or '%' in its path are safe)."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def copy_pages(
    source: sqlite3.Connection,
    destination: sqlite3.Connection,
    *,
    patience_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
) -> None:
    """`source.backup(destination)`, giving up once a lock has kept it waiting `patience_ms`
    (sqlite3.OperationalError "database is locked"; nothing is copied). The driver itself
    would wait for ever: it retries a locked step until the lock goes away."""
    locked_since: float | None = None

    def progress(status: int, _remaining: int, _total: int) -> None:
        nonlocal locked_since
        if status not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
            locked_since = None
            return
        now = time.monotonic()
        locked_since = now if locked_since is None else locked_since
        if (now - locked_since) * 1000 >= patience_ms:
            raise sqlite3.OperationalError("database is locked")

    source.backup(destination, progress=progress)


def plain_connection(
    path: Path, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
) -> sqlite3.Connection:
    """A plain connection for looking at a file (before it is known to be ours, or to check
    it). Not read-only: a read-only connection to a file in WAL mode leaves a -wal and a -shm
    file beside it, which this one removes again when it closes, and a read-only
    integrity_check does not verify CHECK constraints. Reading writes nothing either way."""
    return sqlite3.connect(
        f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=busy_timeout_ms / 1000
    )


def copy_to_file(source: sqlite3.Connection, target: Path) -> None:
    """Copy a database into a new file by the online backup API; the copy is self-contained
    (rollback journal, so no -wal or -shm beside it)."""
    destination = sqlite3.connect(target)
    try:
        copy_pages(source, destination)
        destination.execute("PRAGMA journal_mode = DELETE")
    finally:
        destination.close()


def _make_engine(path: Path, busy_timeout_ms: int) -> Engine:
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"timeout": busy_timeout_ms / 1000},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = FULL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def printable(text: str) -> str:
    """Text from the driver fit to show: a damaged file can put control characters into it
    (quoting text that is no UTF-8), and some of them start a new line."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def describe_failure(path: Path, error: BaseException) -> str:
    """One line telling the user what is wrong with the database file."""
    detail = printable(str(getattr(error, "orig", error) or error).strip())
    lowered = detail.lower()
    if "locked" in lowered or "busy" in lowered:
        return f"{path}: the database is locked by another program; close it and try again"
    if "not a database" in lowered or "malformed" in lowered or "disk image" in lowered:
        return f"{path}: the file is damaged or is not a database ({detail})"
    if "unable to open" in lowered or "readonly" in lowered or "read-only" in lowered:
        return f"{path}: the database cannot be opened ({detail})"
    return f"{path}: {detail}"


SQLITE_MAGIC = b"SQLite format 3\x00"
_DAMAGE_CODES = ("SQLITE_CORRUPT", "SQLITE_NOTADB")


def is_damage(error: BaseException) -> bool:
    """Whether a driver error says the file's structure is broken (not locked, not missing)."""
    error = getattr(error, "orig", None) or error
    name = getattr(error, "sqlite_errorname", "") or ""
    return isinstance(error, sqlite3.DatabaseError) and name.startswith(_DAMAGE_CODES)


def _head(path: Path) -> bytes | None:
    """The first bytes of a file, where SQLite writes its magic string; None if unreadable."""
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_MAGIC))
    except OSError:
        return None


def deep_damage_of(path: Path) -> tuple[str, ...]:
    """What SQLite's integrity_check finds wrong with a database file (quick_check's findings
    and indexes that no longer match their tables); raises the driver's error when the check
    cannot run."""
    return _quick_check(path, "integrity_check(20)")


def _in_wal_mode(path: Path) -> bool:
    """Whether the file's header says WAL (its read and write versions are 2, not 1)."""
    try:
        with path.open("rb") as handle:
            header = handle.read(20)
    except OSError:
        return False
    return header[18:20] == b"\x02\x02"


def damage_of(path: Path) -> tuple[str, ...]:
    """What SQLite's quick_check finds wrong with a database file; empty when it is sound
    (or when the check could not run for another reason, such as a lock: opening says so).

    A file that does not start like a SQLite database at all is not "damaged" (it is some
    other file, named by mistake): that is left to `open_database` to refuse, untouched.
    An empty file is damaged: nothing a database needs is left in it.
    """
    try:
        return _quick_check(path)
    except sqlite3.Error:
        return ()


def _quick_check(path: Path, pragma: str = "quick_check(20)") -> tuple[str, ...]:
    """`damage_of`, raising the driver's error when the check cannot run (locked, unreadable);
    with another `pragma`, such as integrity_check(20), that check instead."""
    head = _head(path)
    if head == b"":
        return ("the file is empty (0 bytes)",)
    if head != SQLITE_MAGIC:
        return ()  # not a SQLite file, or missing or unreadable: open_database says so
    try:
        connection = plain_connection(path, DEFAULT_BUSY_TIMEOUT_MS)
        try:
            rows = connection.execute(f"PRAGMA {pragma}").fetchall()
        finally:
            connection.close()
    except sqlite3.Error as error:
        if is_damage(error):
            return (str(error),)
        raise
    return tuple(check_lines(rows))


def check_lines(rows: Sequence[Sequence[Any]]) -> list[str]:
    """The problems in the rows of quick_check or integrity_check, one per line: SQLite puts
    several lines in a row ("*** in database main ***" and the first problem) and says "ok"
    when there is none."""
    lines = [line for (text, *_rest) in rows for line in str(text).splitlines()]
    return [line for line in lines if line not in ("ok", "*** in database main ***")]


_OS_CAUSES = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file grew beyond the size this system allows",
    errno.EIO: "the disk reported an I/O error",
    errno.EROFS: "the disk is read-only",
}


def plain_cause(error: BaseException) -> str:
    """Why a file could not be written, in plain words: a database (DBAPIError, sqlite3.Error)
    or an operating system error."""
    error = getattr(error, "orig", None) or error
    if isinstance(error, OSError):
        cause = _OS_CAUSES.get(error.errno or 0)
        detail = error.strerror or str(error)
        return f"{cause} ({detail})" if cause else detail
    detail = printable(str(error).strip()) or type(error).__name__
    lowered = detail.lower()
    name = str(getattr(error, "sqlite_errorname", "") or "")
    # SHMSIZE: no room to grow the shared-memory file beside a database in WAL mode.
    if name in ("SQLITE_FULL", "SQLITE_IOERR_SHMSIZE") or "disk is full" in lowered:
        return "the disk is full"
    if name.startswith("SQLITE_IOERR") or "i/o error" in lowered:
        return f"the disk reported an I/O error ({detail})"
    if "locked" in lowered or "busy" in lowered:
        return "the database is locked by another program"
    if "readonly" in lowered or "read-only" in lowered:
        return f"the file is read-only ({detail})"
    if "not a database" in lowered or "malformed" in lowered:
        return f"the file is damaged ({detail})"
    return detail


def describe_write_failure(
    path: Path, error: BaseException, what: str = "the change could not be saved"
) -> str:
    """One line telling the user that a change (or `what`) was not saved, and why."""
    cause = plain_cause(error)
    advice = "; try again later" if "locked" in cause else ""
    return f"{path}: {what} — {cause}; nothing was changed{advice}"


def describe_dangling(rows: Sequence[Sequence[Any]]) -> str:
    """foreign_key_check's rows (table, rowid, parent, key) in words: how many, and the first."""
    table, rowid, parent = rows[0][:3]
    return f"{len(rows)} rows point nowhere, e.g. {table} row {rowid} to a missing {parent}"


def read_meta(connection: Connection | Session, key: str) -> str | None:
    """A fact recorded in schema_meta (the schema version, the demo mark); None if absent."""
    return connection.scalar(select(SchemaMeta.value).where(SchemaMeta.key == key))


def write_meta(connection: Connection | Session, key: str, value: str) -> None:
    """Record a fact in schema_meta, replacing what the key held."""
    connection.execute(delete(SchemaMeta).where(SchemaMeta.key == key))
    connection.execute(insert(SchemaMeta).values(key=key, value=value))


class UnreadableSchemaVersion(ValueError):
    """schema_meta records a schema version that is no number: no file this program wrote."""

    def __init__(self, value: str) -> None:
        super().__init__(
            f"not a Target Monitor database (its schema version {value!r} is not a number)"
        )


def read_schema_version(connection: Connection) -> int | None:
    """The schema version recorded in the database; None if it is not one of ours.
    UnreadableSchemaVersion if what is recorded is no number."""
    if not inspect(connection).has_table(SchemaMeta.__tablename__):
        return None
    value = read_meta(connection, SCHEMA_VERSION_KEY)
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise UnreadableSchemaVersion(str(value)) from None


def recorded_schema_version(
    path: Path, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS
) -> int | None:
    """`read_schema_version` of a file, read without changing anything in it: no journal mode
    is set and nothing is written, so a file that turns out not to be ours stays as it was.
    The driver's errors are raised as DBAPIError, as by any engine."""
    engine = create_engine(
        "sqlite://", creator=lambda: plain_connection(path, busy_timeout_ms), poolclass=NullPool
    )
    try:
        with engine.connect() as connection:
            return read_schema_version(connection)
    finally:
        engine.dispose()


# The entries' revision: every change to an entry, by this program or any other SQLite client,
# gives the entries a new random revision (a trigger in the file), so arrays read at one
# revision are still the file's entries while it shows that revision
# (desktop.models.array_cache). Random rather than counted: a backup put back and changed
# again must not take a revision its first life had.
ENTRIES_REVISION_KEY = "entries_revision"
_NEW_REVISION = "lower(hex(randomblob(8)))"
ENTRIES_REVISION_TRIGGERS = tuple(
    f"CREATE TRIGGER entries_revision_on_{change} AFTER {change.upper()} ON entries "
    f"BEGIN UPDATE schema_meta SET value = {_NEW_REVISION} "
    f"WHERE key = '{ENTRIES_REVISION_KEY}'; END"
    for change in ("insert", "update", "delete")
)
# The structure's (schema 7): the plans, departments, nodes and indicators a start reads
# before any entry, kept between starts the same way.
STRUCTURE_REVISION_KEY = "structure_revision"
STRUCTURE_TABLES = ("plans", "departments", "nodes", "indicators")
STRUCTURE_REVISION_TRIGGERS = tuple(
    f"CREATE TRIGGER structure_revision_on_{table}_{change} AFTER {change.upper()} ON {table} "
    f"BEGIN UPDATE schema_meta SET value = {_NEW_REVISION} "
    f"WHERE key = '{STRUCTURE_REVISION_KEY}'; END"
    for table in STRUCTURE_TABLES
    for change in ("insert", "update", "delete")
)
_TRIGGERS = {
    ENTRIES_REVISION_KEY: ENTRIES_REVISION_TRIGGERS,
    STRUCTURE_REVISION_KEY: STRUCTURE_REVISION_TRIGGERS,
}
_WHAT = {ENTRIES_REVISION_KEY: "the entries", STRUCTURE_REVISION_KEY: "the plans' structure"}


# A new file's: it has no entries yet, and every file without any has the same ones (none).
NO_ENTRIES_REVISION = "0" * 16


def keep_entries_revision(connection: Connection, *, new_file: bool) -> None:
    """Give the entries a revision and the triggers that change it (a new file, or an older
    one that has entries: a random revision for those)."""
    for trigger in ENTRIES_REVISION_TRIGGERS:
        connection.exec_driver_sql(trigger)
    first = f"'{NO_ENTRIES_REVISION}'" if new_file else _NEW_REVISION
    connection.exec_driver_sql(
        f"INSERT INTO schema_meta (key, value) VALUES ('{ENTRIES_REVISION_KEY}', {first})"
    )


def keep_structure_revision(connection: Connection) -> None:
    """Give the plans' structure a random revision and the triggers that change it."""
    for trigger in STRUCTURE_REVISION_TRIGGERS:
        connection.exec_driver_sql(trigger)
    connection.exec_driver_sql(
        f"INSERT INTO schema_meta (key, value) VALUES ('{STRUCTURE_REVISION_KEY}', {_NEW_REVISION})"
    )


def _triggers_intact(connection: Connection, key: str) -> bool:
    triggers = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger'"
    ).scalars()
    return set(_TRIGGERS[key]) <= set(triggers)


def revision_problems(connection: Connection) -> list[str]:
    """What keeps the file's revisions from being trusted (nothing: an empty list)."""
    problems = []
    for key, what in _WHAT.items():
        if not _triggers_intact(connection, key):
            problems.append(f"the triggers that mark each change to {what} are missing or changed")
        elif read_meta(connection, key) is None:
            problems.append(f"the revision of {what} is missing")
    return problems


def revision(connection: Connection, key: str) -> str | None:
    """A revision (ENTRIES_REVISION_KEY, STRUCTURE_REVISION_KEY), read in the connection's
    transaction (so that what it reads next is of that revision); None when the file keeps
    none that can be trusted."""
    if not _triggers_intact(connection, key):
        return None
    return read_meta(connection, key)


def entries_revision(connection: Connection) -> str | None:
    """The entries' revision (see `revision`)."""
    return revision(connection, ENTRIES_REVISION_KEY)


def structure_revision(connection: Connection) -> str | None:
    """The plans' structure's revision (see `revision`)."""
    return revision(connection, STRUCTURE_REVISION_KEY)


def settle_structure_revision(connection: sqlite3.Connection) -> None:
    """Give a file made for distribution (the seed) a structure revision derived from its
    content, so that building it twice gives the same file: copies of it whose structure was
    never changed hold the same structure, and any change gives a random revision."""
    digest = hashlib.sha256()
    for table in STRUCTURE_TABLES:
        for row in connection.execute(f'SELECT * FROM "{table}" ORDER BY rowid'):
            digest.update(repr(tuple(row)).encode("utf-8"))
    connection.execute(
        "UPDATE schema_meta SET value = ? WHERE key = ?",
        (digest.hexdigest()[:16], STRUCTURE_REVISION_KEY),
    )


def demo_mark(session: Connection | Session) -> str | None:
    """What the database says about its demo figures; None for a real database."""
    return read_meta(session, DEMO_KEY)


def write_schema_version(connection: Connection, version: int) -> None:
    """Record the schema version the database now has (on creation and after each migration)."""
    write_meta(connection, SCHEMA_VERSION_KEY, str(version))


def open_as_is(
    path: Path,
    *,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    check: bool = True,
    accept: Callable[[int], None] | None = None,
) -> tuple[Database, int]:
    """Open an existing Target Monitor database without upgrading it: the database and the
    schema version it records (desktop.models.opening.open_database compares that with this
    program's and upgrades; everything else should open through it).

    With `check`, SQLite's quick_check runs first and a damaged file raises
    DatabaseDamagedError (the window runs the check itself, alongside building the window;
    see `_check_before_opening`). `accept`, given the schema version, may refuse the file by
    raising before anything has touched it (every connection sets WAL). Raises
    DatabaseOpenError with a one-line message for every other foreseeable failure.
    """
    _check_before_opening(path, check=check)
    try:
        # Read before the engine sets WAL: a file that is not ours is left exactly as it was.
        version = recorded_schema_version(path, busy_timeout_ms=busy_timeout_ms)
        if version is None:
            raise DatabaseOpenError(f"{path}: not a Target Monitor database")
        if accept is not None:
            accept(version)
        engine = _make_engine(path, busy_timeout_ms)
        try:
            with engine.connect():
                pass  # the settings every connection gets (WAL among them) apply now
        except BaseException:
            engine.dispose()
            raise
    except UnreadableSchemaVersion as error:
        raise DatabaseOpenError(f"{path}: {error}") from None
    except sqlite3.Error as error:  # from `accept`: a check that could not run
        raise DatabaseOpenError(describe_failure(path, error)) from error
    except DBAPIError as error:
        if is_damage(error):  # the file starts like a database: it is a damaged one
            raise DatabaseDamagedError(path, (str(error.orig),)) from error
        raise DatabaseOpenError(describe_failure(path, error)) from error
    return Database(path, engine, busy_timeout_ms), version


def _check_before_opening(path: Path, *, check: bool) -> None:
    """Refuse a file before SQLite opens it: none there, none of SQLite's, or damaged.

    SQLite, opening a file, deletes or plays back a journal beside it: a file that is no
    SQLite database at all is refused before SQLite sees it. And every connection of ours
    switches the file to WAL, which rewrites its header: a file not in WAL yet (a backup just
    put back) gets quick_check even without `check`, so that a damaged one is moved aside as
    it was found.
    """
    if not path.is_file():
        raise DatabaseOpenError(f"{path}: no such database file")
    head = _head(path)
    if head == b"":
        raise DatabaseDamagedError(path, ("the file is empty (0 bytes)",))
    if head is not None and head != SQLITE_MAGIC:
        raise DatabaseOpenError(f"{path}: not a database file (not an SQLite file)")
    if check or not _in_wal_mode(path):
        try:
            problems = _quick_check(path)
        except sqlite3.Error as error:
            raise DatabaseOpenError(describe_failure(path, error)) from error
        if problems:
            raise DatabaseDamagedError(path, problems)


def create_database(path: Path) -> Database:
    """A new, empty database at the current schema version; the file must not exist."""
    if path.exists():
        raise DatabaseOpenError(f"{path}: already exists")
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = _make_engine(path, DEFAULT_BUSY_TIMEOUT_MS)
    with engine.begin() as connection:
        Base.metadata.create_all(connection)
        keep_entries_revision(connection, new_file=True)
        keep_structure_revision(connection)
        write_schema_version(connection, SCHEMA_VERSION)
    return Database(path, engine)


@contextmanager
def driver_connection(database: Database) -> Iterator[sqlite3.Connection]:
    """The pooled sqlite3 connection itself, in autocommit, for PRAGMAs and VACUUM."""
    raw = database.engine.raw_connection()
    try:
        connection = raw.driver_connection
        assert isinstance(connection, sqlite3.Connection)
        yield connection
    finally:
        raw.close()


def finalize_for_distribution(database: Database) -> None:
    """Checkpoint, switch to a self-contained rollback journal and compact (for the seed file)."""
    with driver_connection(database) as connection:
        with connection:
            settle_structure_revision(connection)
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode = DELETE")
        connection.execute("VACUUM")
    database.close()
    for suffix in ("-wal", "-shm"):
        with suppress(FileNotFoundError):
            Path(f"{database.path}{suffix}").unlink()


def sqlite_pragma_rows(database: Database, pragma: str) -> list[tuple[Any, ...]]:
    """The rows of a read-only PRAGMA such as integrity_check or foreign_key_check."""
    with driver_connection(database) as connection:
        return [tuple(row) for row in connection.execute(f"PRAGMA {pragma}")]
