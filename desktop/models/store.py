"""The open database as the program holds it (`Database`), and what a start reads of the file
before anything else (`FileFacts`), without SQLAlchemy: the window's first paint does not wait
for the database layer (desktop.models.database and the modules above it), which loads when
first used. Also the file helpers that need only the driver (copies, plain words for errors).

A start that finds the plan kept at the file's revisions (desktop.models.array_cache) needs no
query at all; `open_quickly` gives it the database as it is when nothing about the file needs
the full opening (desktop.models.opening.open_database): it is a SQLite file in WAL mode at this
program's schema version, with the triggers that keep its revisions.
"""

from __future__ import annotations

import errno
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.models.errors import DatabaseReadError, DatabaseWriteError

if TYPE_CHECKING:
    from sqlalchemy import Connection, Engine
    from sqlalchemy.orm import Session

# The schema this program writes; desktop.models.migrations.MIGRATIONS upgrades older files.
SCHEMA_VERSION = 7
SCHEMA_VERSION_KEY = "schema_version"
# Present (with when and how the figures were made) in a database filled by `demo`: every view
# and report of such a database says that its figures are demo figures.
DEMO_KEY = "demo"
DEFAULT_BUSY_TIMEOUT_MS = 5000

_IMMEDIATE = "target_monitor_immediate"


# The entries' revision: every change to an entry, by this program or any other SQLite client,
# gives the entries a new random revision (a trigger in the file), so arrays read at one
# revision are still the file's entries while it shows that revision
# (desktop.models.array_cache). Random rather than counted: a backup put back and changed
# again must not take a revision its first life had.
ENTRIES_REVISION_KEY = "entries_revision"
NEW_REVISION = "lower(hex(randomblob(8)))"
ENTRIES_REVISION_TRIGGERS = tuple(
    f"CREATE TRIGGER entries_revision_on_{change} AFTER {change.upper()} ON entries "
    f"BEGIN UPDATE schema_meta SET value = {NEW_REVISION} "
    f"WHERE key = '{ENTRIES_REVISION_KEY}'; END"
    for change in ("insert", "update", "delete")
)
# The structure's (schema 7): the plans, departments, nodes and indicators a start reads
# before any entry, kept between starts the same way.
STRUCTURE_REVISION_KEY = "structure_revision"
STRUCTURE_TABLES = ("plans", "departments", "nodes", "indicators")
STRUCTURE_REVISION_TRIGGERS = tuple(
    f"CREATE TRIGGER structure_revision_on_{table}_{change} AFTER {change.upper()} ON {table} "
    f"BEGIN UPDATE schema_meta SET value = {NEW_REVISION} "
    f"WHERE key = '{STRUCTURE_REVISION_KEY}'; END"
    for table in STRUCTURE_TABLES
    for change in ("insert", "update", "delete")
)
REVISION_TRIGGERS = {
    ENTRIES_REVISION_KEY: ENTRIES_REVISION_TRIGGERS,
    STRUCTURE_REVISION_KEY: STRUCTURE_REVISION_TRIGGERS,
}


# A new file's: it has no entries yet, and every file without any has the same ones (none).
NO_ENTRIES_REVISION = "0" * 16


SQLITE_MAGIC = b"SQLite format 3\x00"


class Database:
    """An open database: the engine, read sessions and write transactions.

    The engine (and SQLAlchemy with it) is made when first used: a start that finds the plan
    kept from the last one (`facts`, desktop.models.array_cache) shows the window first.
    This one is a file (SQLite); desktop.models.server.ServerDatabase is a server's."""

    is_server = False

    def __init__(
        self,
        path: Path,
        engine: Engine | None = None,
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    ) -> None:
        self.path = path
        self._engine = engine
        self._writing: Engine | None = None  # the engine's transactions begin IMMEDIATE
        self._making = threading.Lock()  # the engine: made once, by whichever thread is first
        self.busy_timeout_ms = busy_timeout_ms
        # The entries' revision before and after each write of this program's (`own_revision`)
        self._own_writes: dict[str, str] = {}

    @property
    def name(self) -> str:
        """What messages call the database: its file, or a server's address."""
        return str(self.path)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            with self._making:
                if self._engine is None:
                    self._engine = self._make_engine()
        return self._engine

    def _make_engine(self) -> Engine:
        return make_engine(self.path, self.busy_timeout_ms)

    def _read_failure(self, error: BaseException) -> str:
        """Why a read failed, in words (a lock held too long, a damaged page)."""
        return describe_failure(self.path, error)

    def _write_failure(self, error: BaseException) -> str:
        """Why a write failed, in words (a full disk, a failing disk, a lock held too long)."""
        return describe_write_failure(self.path, error)

    def _began_writing(self, session: Session) -> None:
        """What a write transaction does first (a file's: nothing, BEGIN IMMEDIATE took its
        lock)."""

    @property
    def _writer(self) -> Engine:
        if self._writing is None:
            self._writing = self.engine.execution_options(**{_IMMEDIATE: True})
        return self._writing

    @contextmanager
    def raw_driver(self) -> Iterator[sqlite3.Connection]:
        """The pooled sqlite3 connection itself, in autocommit, for PRAGMAs and VACUUM."""
        raw = self.engine.raw_connection()
        try:
            connection = raw.driver_connection
            assert isinstance(connection, sqlite3.Connection)
            yield connection
        finally:
            raw.close()

    def facts(self) -> FileFacts:
        """What a start needs to know of the file before anything else: its schema version,
        revisions and demo label, read in one short transaction by the driver itself."""
        return read_facts(self.path, self.busy_timeout_ms)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading one consistent snapshot; closed on exit. A database error
        (locked too long, a damaged page) is raised as DatabaseReadError saying so."""
        from sqlalchemy.exc import DBAPIError  # noqa: PLC0415 (see the class)
        from sqlalchemy.orm import Session  # noqa: PLC0415

        try:
            with Session(self.engine, expire_on_commit=False) as session:
                yield session
        except (DBAPIError, sqlite3.Error) as error:
            raise DatabaseReadError(self._read_failure(error)) from error

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A plain connection for reading many rows fast; errors as in `read` (also those of
        the driver's own cursor, which SQLAlchemy does not wrap)."""
        from sqlalchemy.exc import DBAPIError  # noqa: PLC0415 (see the class)

        try:
            with self.engine.connect() as connection:
                yield connection
        except (DBAPIError, sqlite3.Error) as error:
            raise DatabaseReadError(self._read_failure(error)) from error

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction (BEGIN IMMEDIATE): committed on success, rolled back on error.

        A database error on the way, the commit included (a full disk, a failing disk, a lock
        held too long), is rolled back and raised as DatabaseWriteError saying so.
        """
        from sqlalchemy.exc import DBAPIError  # noqa: PLC0415 (see the class)
        from sqlalchemy.orm import Session  # noqa: PLC0415

        try:
            with Session(self._writer, expire_on_commit=False) as session, session.begin():
                self._began_writing(session)
                # read inside the write transaction: no other writer comes in between
                before = read_meta(session, ENTRIES_REVISION_KEY)
                yield session
                after = read_meta(session, ENTRIES_REVISION_KEY)  # the writes flushed first
        except DBAPIError as error:
            raise DatabaseWriteError(self._write_failure(error)) from error
        if before is not None and after is not None and before != after:  # committed
            self._own_writes[before] = after

    @contextmanager
    def write_plans(self) -> Iterator[Session]:
        """A write transaction that changes plans (their structure, targets, states, lights),
        refused to a person who only reports figures (`check_plan_rights`)."""
        with self.write() as session:
            self.check_plan_rights(session)
            yield session

    def check_plan_rights(self, session: Session) -> None:
        """Refuse (NotYoursError) a person who may not change plans: on a file, anyone may."""

    def writable_departments(self, session: Session) -> dict[int, str] | None:
        """The departments whose figures the person using the database may write, by id, with
        their names; None: every department (a file is its user's)."""
        return None

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
        with self.raw_driver() as source:
            copy_to_file(source, target)

    def load_from(self, source: Path, what: str = "the database could not be replaced") -> None:
        """Replace the whole content with a database file's, by SQLite's online backup API
        (other connections see the old content or the new, never a mix). A failure (another
        program holding the write lock longer than the busy timeout, a full disk) raises
        DatabaseWriteError starting with `what`; nothing is replaced."""
        try:
            origin = read_only(source)
            try:
                with self.raw_driver() as connection:
                    copy_pages(origin, connection, patience_ms=self.busy_timeout_ms)
            finally:
                origin.close()
        except sqlite3.Error as error:
            raise DatabaseWriteError(describe_write_failure(self.path, error, what)) from error

    @property
    def page_size(self) -> int:
        with self.raw_driver() as connection:
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
        from sqlalchemy.exc import DBAPIError  # noqa: PLC0415 (see the class)

        try:
            with self._writer.connect() as connection, connection.begin():
                pass
        except DBAPIError as error:
            raise DatabaseWriteError(describe_write_failure(self.path, error, what)) from error

    def close(self) -> None:
        """Release every pooled connection."""
        if self._engine is not None:
            self._engine.dispose()


def read_meta(connection: Connection | Session, key: str) -> str | None:
    """A fact recorded in schema_meta (the schema version, the demo mark); None if absent."""
    from sqlalchemy import select  # noqa: PLC0415 (a query: the database layer is loaded)

    from desktop.models.schema import SchemaMeta  # noqa: PLC0415

    return connection.scalar(select(SchemaMeta.value).where(SchemaMeta.key == key))


@dataclass(frozen=True)
class FileFacts:
    """The file's schema version, its revisions (None: none to trust, the triggers that keep
    them are missing or changed) and its demo label."""

    schema_version: str | None
    entries_revision: str | None
    structure_revision: str | None
    demo: str | None


_FACT_KEYS = (SCHEMA_VERSION_KEY, ENTRIES_REVISION_KEY, STRUCTURE_REVISION_KEY, DEMO_KEY)


def triggers_intact(triggers: Iterable[str], key: str) -> bool:
    """Whether the triggers that change a revision (ENTRIES_REVISION_KEY,
    STRUCTURE_REVISION_KEY) are all among a file's `triggers` (their SQL), as this program
    made them: else its revision says nothing about what changed."""
    return set(REVISION_TRIGGERS[key]) <= set(triggers)


def read_facts(path: Path, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> FileFacts:
    """The file's facts, read in one transaction by the driver (DatabaseReadError when the
    file cannot be read)."""
    try:
        with closing(plain_connection(path, busy_timeout_ms)) as connection:
            connection.execute("BEGIN")
            marks = ", ".join("?" * len(_FACT_KEYS))
            values = dict(
                connection.execute(
                    f"SELECT key, value FROM schema_meta WHERE key IN ({marks})", _FACT_KEYS
                ).fetchall()
            )
            triggers = {
                sql
                for (sql,) in connection.execute(
                    "SELECT sql FROM sqlite_master WHERE type = 'trigger'"
                )
            }
            connection.execute("COMMIT")
    except sqlite3.Error as error:
        raise DatabaseReadError(describe_failure(path, error)) from error

    def trusted(key: str) -> str | None:
        value = values.get(key)
        return value if triggers_intact(triggers, key) and isinstance(value, str) else None

    version, demo = values.get(SCHEMA_VERSION_KEY), values.get(DEMO_KEY)
    return FileFacts(
        schema_version=version if isinstance(version, str) else None,
        entries_revision=trusted(ENTRIES_REVISION_KEY),
        structure_revision=trusted(STRUCTURE_REVISION_KEY),
        demo=None if demo is None else str(demo),
    )


def open_quickly(path: Path, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> Database | None:
    """The database at `path` when nothing about it needs the full opening (which checks,
    upgrades or refuses a file, and says why): a SQLite file in WAL mode at this program's
    schema version whose revisions can be trusted. None: open it with open_database."""
    if not path.is_file() or file_head(path) != SQLITE_MAGIC or not in_wal_mode(path):
        return None
    try:
        facts = read_facts(path, busy_timeout_ms)
    except DatabaseReadError:
        return None
    if facts.schema_version != str(SCHEMA_VERSION) or None in (
        facts.entries_revision,
        facts.structure_revision,
    ):
        return None
    return Database(path, busy_timeout_ms=busy_timeout_ms)


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


def file_head(path: Path) -> bytes | None:
    """The first bytes of a file, where SQLite writes its magic string; None if unreadable."""
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_MAGIC))
    except OSError:
        return None


def in_wal_mode(path: Path) -> bool:
    """Whether the file's header says WAL (its read and write versions are 2, not 1)."""
    try:
        with path.open("rb") as handle:
            header = handle.read(20)
    except OSError:
        return False
    return header[18:20] == b"\x02\x02"


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


def copy_to_file(source: sqlite3.Connection, target: Path) -> None:
    """Copy a database into a new file by the online backup API; the copy is self-contained
    (rollback journal, so no -wal or -shm beside it)."""
    destination = sqlite3.connect(target)
    try:
        copy_pages(source, destination)
        destination.execute("PRAGMA journal_mode = DELETE")
    finally:
        destination.close()


def make_engine(path: Path, busy_timeout_ms: int) -> Engine:
    """The engine of a database file: every connection with foreign keys, WAL, a busy timeout
    and synchronous FULL; transactions begun by SQLAlchemy (IMMEDIATE for the writer)."""
    from sqlalchemy import create_engine, event  # noqa: PLC0415 (the database layer, when used)

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
