"""A plan's entries as arrays, kept between runs of the program.

A plan of ten thousand indicators has hundreds of thousands of entries; reading them is most of
a start. The file gives its entries a revision that every change to an entry replaces (a
trigger, `desktop.models.database.entries_revision`), so the arrays read at one revision are
still the entries while the file shows it: the next start, by this program or another on the
same computer, reads them back from the user's cache folder instead of the rows. A kept file
is only ever a shortcut: one that is missing, unreadable, of another layout or placed for
other indicators is passed over (and the rows read), and nothing fails for want of the folder.
"""

from __future__ import annotations

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
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, scratch = tempfile.mkstemp(dir=path.parent, prefix="entries-", suffix=".part")
        try:
            with os.fdopen(handle, "wb") as out:
                np.savez(
                    out,
                    ids=arrays.ids,
                    milestones=arrays.milestones,
                    first_month=np.int64(arrays.first_month),
                    figures=arrays.figures,
                    versions=arrays.versions,
                )
            os.replace(scratch, path)  # whole or not at all, for another process reading it
        except BaseException:
            _forget(Path(scratch))
            raise
        _prune(path.parent)
    except OSError:
        return


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


def _prune(folder: Path) -> None:
    """Keep the KEEP most recently used files; leftovers of an interrupted write go too."""
    kept = []
    for path in folder.glob("entries-*"):
        try:
            kept.append((path.stat().st_mtime, path))
        except OSError:
            continue
    kept.sort(reverse=True)
    for _mtime, path in kept[KEEP:]:
        _forget(path)
