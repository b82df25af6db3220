"""Where the database lives: the user's data folder, overrides, and the bundled seed."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from desktop.models.errors import DatabaseOpenError

APP_NAME = "target-monitor"
DATABASE_FILE_NAME = "target-monitor.sqlite"
DATABASE_ENV = "TARGET_MONITOR_DB"

_PACKAGE_DIR = Path(__file__).resolve().parent.parent


def data_folder() -> Path:
    """The user's data folder for the application (created on demand by callers)."""
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


# Written into the installed program by packaging/notices.py: what it bundles, with licences.
NOTICES_FILE = "THIRD-PARTY-NOTICES.txt"


def bundled_file(*parts: str) -> Path:
    """A shipped file: inside the package when installed or frozen, else in the source tree."""
    candidates = (_PACKAGE_DIR.joinpath(*parts), _PACKAGE_DIR.parent.joinpath(*parts))
    for candidate in candidates:
        if candidate.exists():
            return candidate
    return candidates[-1]


def bundled_seed_path() -> Path:
    """data/seed.sqlite: beside the package in a source checkout, inside it when installed."""
    seed = bundled_file("data", "seed.sqlite")
    if not seed.is_file():
        raise DatabaseOpenError(f"the bundled plan database is missing (looked for {seed})")
    return seed


@dataclass(frozen=True)
class DatabaseLocation:
    """A database path and whether the user named it (then it must exist already)."""

    path: Path
    explicit: bool


def resolve_location(
    cli_path: str | None, environ: dict[str, str] | None = None
) -> DatabaseLocation:
    """--db wins over TARGET_MONITOR_DB, which wins over the user's data folder."""
    env = os.environ if environ is None else environ
    if cli_path:
        return DatabaseLocation(Path(cli_path).expanduser(), explicit=True)
    if env.get(DATABASE_ENV):
        return DatabaseLocation(Path(env[DATABASE_ENV]).expanduser(), explicit=True)
    return DatabaseLocation(data_folder() / DATABASE_FILE_NAME, explicit=False)


def ensure_database_file(location: DatabaseLocation) -> Path:
    """The path to open: a default location is created from the seed on first start.

    The copy goes to a temporary file first and is renamed into place, so an interrupted first
    start never leaves a half-copied database behind.
    """
    path = location.path
    if path.exists():
        return path
    if location.explicit:
        raise DatabaseOpenError(f"{path}: no such database file")
    path.parent.mkdir(parents=True, exist_ok=True)
    seed = bundled_seed_path()
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as handle:
        temporary = Path(handle.name)
    try:
        shutil.copyfile(seed, temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def source_checkout_path(*parts: str) -> Path:
    """A file of the source checkout (for developer commands such as build-seed)."""
    return _PACKAGE_DIR.parent.joinpath(*parts)


# File systems on another machine: SQLite's locking (and WAL's shared memory) is not reliable
# across machines on them.
NETWORK_FILE_SYSTEMS = frozenset(
    {"nfs", "nfs4", "cifs", "smbfs", "smb3", "ncpfs", "afs", "9p", "fuse.sshfs", "davfs", "ceph"}
)


def _mount_type(path: Path, mounts: str) -> str | None:
    """The type of the file system holding `path`, from the text of /proc/mounts."""
    best, kind = "", None
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        inside = str(path) == point or str(path).startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fields[2]
    return kind


def network_share(path: Path, *, mounts: str | None = None) -> str | None:
    """Why the database's folder looks like a network share (UNC path, SMB or NFS mount...),
    or None for a local disk. Two computers must not share one SQLite file over a network."""
    text = str(path)
    if text.startswith(("\\\\", "//")):
        return f"{path} is a network path"
    if os.name == "nt":  # a mapped network drive
        import ctypes  # noqa: PLC0415 - Windows only

        drive = os.path.splitdrive(os.path.abspath(text))[0] + "\\"
        remote = 4  # DRIVE_REMOTE
        if ctypes.windll.kernel32.GetDriveTypeW(drive) == remote:  # type: ignore[attr-defined]
            return f"{drive} is a network drive"
        return None
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
    kind = _mount_type(path.resolve(), mounts)
    if kind in NETWORK_FILE_SYSTEMS:
        return f"{path} is on a network file system ({kind})"
    return None
