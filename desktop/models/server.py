"""The shared server: a PostgreSQL database named by its address,
postgresql://USER@HOST:PORT/DATABASE, reached through SQLAlchemy and psycopg 3.

The password is never part of what the program stores or shows: libpq takes it from the
address if given there, else from PGPASSWORD or the user's PostgreSQL password file
(~/.pgpass; %APPDATA%\\postgresql\\pgpass.conf on Windows), as psql does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop.models.errors import TargetMonitorError

if TYPE_CHECKING:
    from sqlalchemy import URL, Engine

SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
# How long a connection attempt waits for the server before saying it cannot be reached.
CONNECT_TIMEOUT_S = 5


def is_server_address(text: object) -> bool:
    """Whether a --db value names a server rather than a file."""
    return isinstance(text, str) and text.split("://", 1)[0].lower() in SCHEMES and "://" in text


def server_address_in(text: object) -> ServerAddress | None:
    """The server address a --db value (or copy-db's argument) names, checked; None when it
    names a file."""
    return parse_address(text) if isinstance(text, str) and is_server_address(text) else None


@dataclass(frozen=True)
class ServerAddress:
    """A server database's address, checked; `shown` is what messages name (no password)."""

    url: URL

    @property
    def shown(self) -> str:
        return str(self.url.set(drivername="postgresql").render_as_string(hide_password=True))

    def __str__(self) -> str:
        return self.shown


def parse_address(text: str) -> ServerAddress:
    """The address in `text`; TargetMonitorError saying what is missing when it is no usable
    server address (a port that is no number, no database named)."""
    from sqlalchemy.engine import make_url  # noqa: PLC0415 (the database layer, when used)
    from sqlalchemy.exc import ArgumentError  # noqa: PLC0415

    if not is_server_address(text):
        raise TargetMonitorError(
            f"{text!r}: not a server address (postgresql://USER@HOST/DATABASE)"
        )
    try:
        url = make_url(text)
        port = url.port  # a port that is no number fails here
    except (ArgumentError, ValueError) as error:
        raise TargetMonitorError(
            f"{_without_password(text)}: not a server address ({error})"
        ) from None
    if not url.database:
        raise TargetMonitorError(
            f"{_without_password(text)}: the address names no database "
            "(postgresql://USER@HOST:PORT/DATABASE)"
        )
    if port is not None and not 0 < port < 65536:
        raise TargetMonitorError(f"{_without_password(text)}: {port} is no port")
    return ServerAddress(url.set(drivername="postgresql+psycopg"))


def _without_password(text: str) -> str:
    """`text` with any password in it left out, for a message about an address that could not
    be read (the address itself is no help without it)."""
    scheme, _, rest = text.partition("://")
    login, at, place = rest.rpartition("@")
    if not at:
        return text
    return f"{scheme}://{login.split(':', 1)[0]}@{place}"


def server_engine(address: ServerAddress) -> Engine:
    """The engine of a server database: connections checked before use (a server restarted
    meanwhile), a connection attempt given CONNECT_TIMEOUT_S, and named in the server's list of
    sessions."""
    from sqlalchemy import create_engine  # noqa: PLC0415 (the database layer, when used)

    return create_engine(
        address.url,
        pool_pre_ping=True,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "target-monitor"},
    )


@contextmanager
def using_server(address: ServerAddress, outcome: str) -> Iterator[Engine]:
    """An engine of the server database, let go of on leaving; a server that cannot be
    reached or refuses (a password, a missing database, a right the login lacks, a lost
    connection) is one TargetMonitorError naming it, why, and `outcome` ("nothing was
    copied")."""
    from sqlalchemy.exc import DBAPIError  # noqa: PLC0415 (the database layer, when used)

    engine = server_engine(address)
    try:
        yield engine
    except DBAPIError as error:
        raise TargetMonitorError(f"{describe_server_failure(address, error)}; {outcome}") from None
    finally:
        engine.dispose()


def describe_server_failure(address: ServerAddress, error: BaseException) -> str:
    """Why the server could not be used (connection refused, password authentication failed,
    a database that does not exist, a lost connection) or refused a statement (a right the
    login lacks, a row its rules keep out, a value too long), in the driver's first line."""
    refused = str(getattr(_cause(error), "sqlstate", None) or "")[:2] in _REFUSALS
    what = "the server refused it" if refused else "the server could not be used"
    return f"{address.shown}: {what} ({first_line(error)})"


# SQLSTATE classes of a statement refused (data, integrity, rights) rather than a server lost.
_REFUSALS = ("22", "23", "42")


def first_line(error: BaseException) -> str:
    """The first line of what the driver said (SQLAlchemy wraps it with the statement)."""
    cause = _cause(error)
    first = next((line.strip() for line in str(cause).splitlines() if line.strip()), "")
    return first or type(cause).__name__


def _cause(error: BaseException) -> BaseException:
    """The driver's own error inside SQLAlchemy's wrapping of it."""
    return getattr(error, "orig", None) or error
