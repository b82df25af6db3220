"""A database on the shared server as the program opens it: the same sessions as a file's,
the server's rules for who may write what, and backups as files on this PC."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop.models.errors import (
    DatabaseReadError,
    NotYoursError,
    TargetMonitorError,
)
from desktop.models.server import (
    CONNECT_TIMEOUT_S,
    ServerAddress,
    describe_server_failure,
    first_line,
    server_engine,
)
from desktop.models.store import (
    DEMO_KEY,
    SCHEMA_VERSION,
    SCHEMA_VERSION_KEY,
    Database,
    FileFacts,
    read_meta,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

# The advisory lock every write transaction holds: one writer at a time, as on SQLite.
WRITE_LOCK = 0x746D_7772  # "tmwr"


class ServerDatabase(Database):
    """A database on the shared server, opened as the person whose login the address names.

    Reads and writes go through the same sessions as a file's (a failure worded as the
    server's); each write transaction first takes the database's write lock (an advisory lock
    held to its end), so that writers take turns as on SQLite and a figure changed meanwhile
    is seen by the version check. What only a file has (its pages, a backup by SQLite's API,
    its write lock) is not here."""

    is_server = True

    def __init__(self, address: ServerAddress) -> None:
        super().__init__(_stand_in(address), engine=None)
        self.address = address

    @property
    def name(self) -> str:
        return self.address.shown

    def _make_engine(self) -> Engine:
        return server_engine(self.address)

    def _read_failure(self, error: BaseException) -> str:
        return describe_server_failure(self.address, error)

    _write_failure = _read_failure

    def _began_writing(self, session: Session) -> None:
        """The database's write lock, held to the transaction's end."""
        from sqlalchemy import text  # noqa: PLC0415 (the database layer, when used)

        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK})

    def facts(self) -> FileFacts:
        """The schema version and the demo label; no revisions (nothing is kept between starts
        of a database others write to)."""
        from sqlalchemy import text  # noqa: PLC0415 (the database layer, when used)
        from sqlalchemy.exc import DBAPIError  # noqa: PLC0415

        try:
            with self.engine.connect() as connection:
                if connection.execute(text("SELECT to_regclass('schema_meta')")).scalar() is None:
                    raise DatabaseReadError(
                        f"{self.name}: holds no database of this program; set it up with "
                        "`server init`"
                    )
                version = read_meta(connection, SCHEMA_VERSION_KEY)
                demo = read_meta(connection, DEMO_KEY)
        except DBAPIError as error:
            raise DatabaseReadError(self._read_failure(error)) from None
        return FileFacts(version, None, None, demo)

    def check_plan_rights(self, session: Session) -> None:
        """A 填报员 reports figures; the plans are the 管理者's and the 管理员's (the server's
        grants refuse them too: this says so in words)."""
        person = _me(session)
        if person is not None and person.kind == "clerk":
            raise NotYoursError("只有管理者和管理员可以修改计划;填报员只填报本部门的指标")

    def writable_departments(self, session: Session) -> dict[int, str] | None:
        """A 填报员's own departments (none once disabled); None for 管理者 and 管理员, and for
        a login that is nobody's (the one who set the server up before `server init` knew
        people): the server's own rules decide for them."""
        from sqlalchemy import text  # noqa: PLC0415 (the database layer, when used)

        person = _me(session)
        if person is None or person.kind != "clerk":
            return None
        if not person.active:
            return {}
        rows = session.execute(
            text(
                "SELECT d.id, d.name FROM tm_person_departments p "
                "JOIN departments d ON d.id = p.department_id "
                "WHERE p.name = session_user ORDER BY d.id"
            )
        ).all()
        return {row.id: row.name for row in rows}

    def wait_to_write(self, what: str) -> None:
        """Nothing to wait for: the server's lock is taken by each write itself."""

    def backup_to(self, target: Path) -> None:
        """A copy of the whole database as a file, every table compared (as `copy-db`)."""
        from desktop.models.copying import copy_database  # noqa: PLC0415 (when used)

        copy_database(self.address, target)

    def _file_only(self, *_args: object, **_kwargs: object) -> Any:
        raise TargetMonitorError(f"{self.name}: a server database has no file to do this with")

    raw_driver = driver = load_from = connect_for_writing = _file_only


def _me(session: Session) -> Any:
    """The logged-in person's row of the people table (kind, active); None for a login that
    is nobody's there."""
    from sqlalchemy import text  # noqa: PLC0415 (the database layer, when used)

    return session.execute(
        text("SELECT kind, active FROM tm_people WHERE name = session_user")
    ).first()


def _stand_in(address: ServerAddress) -> Path:
    """The file a server database stands for on this PC, where its backups are kept beside
    (backups/ of the data folder's servers/): named by host, port and database."""
    from desktop.models.locations import data_folder  # noqa: PLC0415 (a small module, when used)

    url = address.url
    name = f"{url.host or 'localhost'}-{url.port or 5432}-{url.database}"
    return data_folder() / "servers" / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}.sqlite"


def open_server(address: ServerAddress) -> ServerDatabase:
    """The server database at `address`, reached and of this program's schema version (an
    older one is upgraded by its administrator, not by whoever connects first)."""
    database = ServerDatabase(address)
    try:
        facts = database.facts()
    except BaseException:
        database.close()
        raise
    if facts.schema_version != str(SCHEMA_VERSION):
        database.close()
        found = facts.schema_version or "none"
        raise TargetMonitorError(
            f"{address.shown}: holds schema version {found}, this program needs {SCHEMA_VERSION}"
        )
    return database


class ChangeWatch:
    """Hears, on a connection of its own, what others commit on the server: the indicators
    whose figures changed (`changed`, in batches gathered for up to BATCH_S), that the plans
    changed (`changed` with None), and whether the server can be heard (`heard`: None when
    connected, else why not). Runs in a thread of its own until `stop`; a lost connection is
    tried again every RETRY_S. The callbacks are called from that thread."""

    BATCH_S = 0.2
    RETRY_S = 2.0

    def __init__(
        self,
        address: ServerAddress,
        changed: Callable[[frozenset[int] | None], None],
        heard: Callable[[str | None], None],
    ) -> None:
        self._address = address
        self._changed = changed
        self._heard = heard
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="server-changes", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        import psycopg  # noqa: PLC0415 (the server's driver, when used)

        from desktop.models.permissions import ENTRIES_CHANNEL, PLANS_CHANNEL  # noqa: PLC0415

        conninfo = self._address.url.set(drivername="postgresql").render_as_string(
            hide_password=False
        )
        lost: str | None = None
        while not self._stopping.is_set():
            try:
                with psycopg.connect(
                    conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S
                ) as connection:
                    connection.execute(f"LISTEN {ENTRIES_CHANNEL}")
                    connection.execute(f"LISTEN {PLANS_CHANNEL}")
                    if lost is not None:
                        self._changed(None)  # what was missed meanwhile: read it all again
                    lost = None
                    self._heard(None)
                    self._listen(connection, ENTRIES_CHANNEL)
            except psycopg.Error as error:
                if self._stopping.is_set():
                    return
                lost = first_line(error)
                self._heard(lost)
                self._stopping.wait(self.RETRY_S)

    def _listen(self, connection: Any, entries: str) -> None:
        while not self._stopping.is_set():
            indicators: set[int] = set()
            plans = False
            for note in connection.notifies(timeout=self.BATCH_S):
                if note.channel == entries and note.payload.isdigit():
                    indicators.add(int(note.payload))
                else:
                    plans = True
            if plans:
                self._changed(None)
            elif indicators:
                self._changed(frozenset(indicators))
