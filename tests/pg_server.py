"""A PostgreSQL server of the test run's own: a throwaway cluster in a temporary folder.

`python3 dev.py test` installs Debian's PostgreSQL server package. The cluster is made by
initdb (as the postgres user when the tests run as root: the server refuses to run as root),
listens on a free port of 127.0.0.1 only, takes passwords by SCRAM, and is stopped and deleted
when the run ends. Durability is switched off: nothing in it outlives the run.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

SUPERUSER = "postgres"


def server_programs() -> Path | None:
    """The folder holding initdb and pg_ctl: on PATH, else Debian's versioned folder (the
    newest), where the package puts them."""
    found = shutil.which("initdb")
    if found is not None:
        return Path(found).resolve().parent
    folders = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    return folders[-1].parent if folders else None


@dataclass(frozen=True)
class Cluster:
    """A running server: where it listens and its superuser's password."""

    port: int
    password: str
    host: str = "127.0.0.1"

    def url(
        self, database: str = "postgres", user: str = SUPERUSER, password: str | None = None
    ) -> str:
        secret = self.password if password is None and user == SUPERUSER else password
        login = f"{quote(user)}:{quote(secret)}" if secret else quote(user)
        return f"postgresql://{login}@{self.host}:{self.port}/{database}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _run(command: list[str], *, as_postgres: bool, cwd: Path) -> None:
    if as_postgres:
        command = ["runuser", "-u", "postgres", "--", *command]
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(command)} failed: {(done.stdout + done.stderr)[-3000:]}")


@contextmanager
def postgres_cluster() -> Iterator[Cluster]:
    """A new cluster, started; stopped and deleted on exit."""
    programs = server_programs()
    if programs is None:
        pytest.fail(
            "PostgreSQL's server is not installed: python3 dev.py test installs it "
            "(package postgresql)"
        )
    folder = Path(tempfile.mkdtemp(prefix="target-monitor-pg-"))
    as_postgres = os.geteuid() == 0
    password = secrets.token_urlsafe(18)
    password_file = folder / "password"
    password_file.write_text(password + "\n", encoding="utf-8")
    if as_postgres:
        shutil.chown(folder, "postgres", "postgres")
        shutil.chown(password_file, "postgres", "postgres")
    data, port = folder / "data", _free_port()
    try:
        _run(
            [
                str(programs / "initdb"),
                "--pgdata",
                str(data),
                "--username",
                SUPERUSER,
                "--pwfile",
                str(password_file),
                "--auth-host",
                "scram-sha-256",
                "--auth-local",
                "scram-sha-256",
                "--encoding",
                "UTF8",
                "--locale",
                "C",
            ],
            as_postgres=as_postgres,
            cwd=folder,
        )
        options = (
            f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={folder} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        pg_ctl = [str(programs / "pg_ctl"), "-D", str(data)]
        _run(
            [*pg_ctl, "-l", str(folder / "log"), "-o", options, "-w", "-t", "60", "start"],
            as_postgres=as_postgres,
            cwd=folder,
        )
        try:
            yield Cluster(port, password)
        finally:
            _run(
                [*pg_ctl, "-m", "fast", "-w", "stop"],
                as_postgres=as_postgres,
                cwd=folder,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
