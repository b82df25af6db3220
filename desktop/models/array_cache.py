"""A plan's entries as arrays, and its structure as rows, kept between runs of the program.

A plan of ten thousand indicators has hundreds of thousands of entries; reading them is most of
a start. The file gives its entries a revision that every change to an entry replaces (a
trigger, `desktop.models.database.entries_revision`), so the arrays read at one revision are
still the entries while the file shows it: the next start, by this program or another on the
same computer, reads them back from the user's cache folder instead of the rows. The plans,
departments, nodes and indicators have a revision of their own (`structure_revision`), and
their rows are kept the same way, as JSON. A kept file is only ever a shortcut: one that is
missing, unreadable, of another layout or placed for other indicators is passed over (and the
rows read), and nothing fails for want of the folder.
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import platformdirs

from desktop.models.locations import APP_NAME

CACHE_ENV = "TARGET_MONITOR_CACHE"  # a folder for the kept arrays; empty: keep none
KEEP = 8  # files kept, the most recently used
_LAYOUT = 1  # of a kept file; another program's layout is passed over
_REVISION = re.compile(r"[0-9a-f]{16}")  # as the trigger writes it (and safe in a file name)

Array = np.ndarray[Any, Any]


@dataclass(frozen=True)
class EntryArrays:
    """A plan's entries as the workspace places them: `figures` and `versions` (indicators ×
    months) for the indicators `ids` in the plan's order, `milestones` marking theirs, the
    months from `first_month` (a month number)."""

    ids: Array
    milestones: Array
    first_month: int
    figures: Array
    versions: Array

    def fits(self, other: EntryArrays) -> bool:
        """Whether these arrays are placed as `other`'s are (same indicators, kinds, months)."""
        return (
            self.first_month == other.first_month
            and self.figures.shape == other.figures.shape
            and np.array_equal(self.ids, other.ids)
            and np.array_equal(self.milestones, other.milestones)
        )


def cache_folder() -> Path | None:
    """Where arrays are kept: TARGET_MONITOR_CACHE if set (empty: nowhere), else the user's
    cache folder."""
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return Path(chosen) if chosen else None
    return platformdirs.user_cache_path(APP_NAME, appauthor=False) / "arrays"


def _kept_file(revision: str | None, plan_id: int) -> Path | None:
    folder = cache_folder()
    if folder is None or revision is None or not _REVISION.fullmatch(revision):
        return None
    return folder / f"entries-{_LAYOUT}-{revision}-{plan_id}.npz"


def kept_arrays(revision: str | None, plan_id: int, placed: EntryArrays) -> EntryArrays | None:
    """The arrays kept at this revision of the plan's entries, if they are placed as `placed`
    says (its figures and versions give only the shape); None when there are none."""
    path = _kept_file(revision, plan_id)
    if path is None or not path.is_file():
        return None
    try:
        # the file opened here: numpy leaves its own open when the zip is cut short
        with path.open("rb") as handle, np.load(handle, allow_pickle=False) as kept:
            arrays = EntryArrays(
                ids=kept["ids"],
                milestones=kept["milestones"],
                first_month=int(kept["first_month"]),
                figures=kept["figures"],
                versions=kept["versions"],
            )
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        _forget(path)
        return None
    good = (
        arrays.figures.dtype == np.float64
        and arrays.versions.dtype == np.int64
        and arrays.versions.shape == arrays.figures.shape
        and arrays.fits(placed)
    )
    if not good:
        return None  # the plan changed since (a kept file is only ever right or passed over)
    _used(path)
    return arrays


def keep_arrays(revision: str | None, plan_id: int, arrays: EntryArrays) -> None:
    """Keep the arrays read at this revision for the next start (quietly nothing when the
    folder cannot be written)."""
    path = _kept_file(revision, plan_id)
    if path is None:
        return
    buffer = io.BytesIO()
    np.savez(
        buffer,
        ids=arrays.ids,
        milestones=arrays.milestones,
        first_month=np.int64(arrays.first_month),
        figures=arrays.figures,
        versions=arrays.versions,
    )
    try:
        _write_whole(path, buffer.getvalue(), prefix="entries-")
    except OSError:
        return


@dataclass(frozen=True)
class StructureRows:
    """The rows a plan's structure is read from, as the driver returns them (text for dates
    and kinds): every plan and department, and of the plans read, their nodes and indicators
    (by plan id)."""

    plans: list[list[Any]]
    departments: list[list[Any]]
    parts: dict[int, tuple[list[list[Any]], list[list[Any]]]]


def _structure_file(revision: str | None) -> Path | None:
    folder = cache_folder()
    if folder is None or revision is None or not _REVISION.fullmatch(revision):
        return None
    return folder / f"structure-{_LAYOUT}-{revision}.json"


def kept_structure(revision: str | None) -> StructureRows | None:
    """The structure's rows kept at this revision; None when there are none (or the kept file
    is not one this program wrote)."""
    path = _structure_file(revision)
    if path is None or not path.is_file():
        return None
    try:
        kept = json.loads(path.read_bytes())
        rows = StructureRows(
            plans=_rows(kept["plans"]),
            departments=_rows(kept["departments"]),
            parts={
                int(plan_id): (_rows(nodes), _rows(indicators))
                for plan_id, (nodes, indicators) in kept["parts"].items()
            },
        )
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        _forget(path)
        return None
    _used(path)
    return rows


def forget_structure(revision: str | None) -> None:
    """Pass over the structure kept at this revision from now on (it could not be used)."""
    path = _structure_file(revision)
    if path is not None:
        _forget(path)


def _rows(value: Any) -> list[list[Any]]:
    if not isinstance(value, list) or not all(isinstance(row, list) for row in value):
        raise ValueError("not rows")
    return value


def keep_structure(revision: str | None, rows: StructureRows) -> None:
    """Keep the structure's rows read at this revision (with the parts kept before at the
    same revision: another plan of the file); quietly nothing when the folder cannot be
    written."""
    path = _structure_file(revision)
    if path is None:
        return
    before = kept_structure(revision)
    parts = {**(before.parts if before is not None else {}), **rows.parts}
    content = {
        "plans": rows.plans,
        "departments": rows.departments,
        "parts": {str(plan_id): part for plan_id, part in parts.items()},
    }
    try:
        text = json.dumps(content, ensure_ascii=False, default=str).encode("utf-8")
        _write_whole(path, text, prefix="structure-")
    except (OSError, ValueError):
        return


def _write_whole(path: Path, content: bytes, *, prefix: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, scratch = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(scratch, path)  # whole or not at all, for another process reading it
    except BaseException:
        _forget(Path(scratch))
        raise
    _prune(path.parent, prefix)


def _used(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        return


def _forget(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        return


def _prune(folder: Path, prefix: str) -> None:
    """Keep the KEEP most recently used files of a kind (`prefix`); leftovers of an interrupted
    write go too."""
    kept = []
    for path in folder.glob(f"{prefix}*"):
        try:
            kept.append((path.stat().st_mtime, path))
        except OSError:
            continue
    kept.sort(reverse=True)
    for _mtime, path in kept[KEEP:]:
        _forget(path)
