"""Returned templates made hostile on purpose: the helpers the import's tests share."""

from __future__ import annotations

import re
import signal
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

ENTRY_PART = "xl/worksheets/sheet1.xml"  # 填报, the first sheet of every template


def rewrite_part(source: Path, part: str, edit: Callable[[str], str], target: Path) -> Path:
    """A copy of the workbook `source` with one part's XML changed by `edit`."""
    return rewrite_parts(source, target, {part: lambda data: edit(data.decode()).encode()})


Change = bytes | Callable[[bytes], bytes] | None


def rewrite_parts(source: Path, target: Path, changes: Mapping[str, Change]) -> Path:
    """A copy of the workbook `source` with parts replaced (bytes), edited (a function of the
    part's bytes), removed (None) or added (bytes, under a name it does not have); deflated."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w") as copy:
        names = set(original.namelist())
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename in changes:
                change = changes[item.filename]
                if change is None:
                    continue
                data = change if isinstance(change, bytes) else change(data)
            copy.writestr(item, data, zipfile.ZIP_DEFLATED)
        for name, change in changes.items():
            if name not in names and isinstance(change, bytes):
                copy.writestr(name, change, zipfile.ZIP_DEFLATED)
    return target


class Hang(BaseException):
    """A case ran past its time limit (a BaseException: no `except Exception` swallows it)."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise Hang in the main thread after `seconds` (where SIGALRM exists; else no limit)."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def expire(_signal: int, _frame: object) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def set_cell(xml: str, ref: str, cell: str) -> str:
    """The sheet's XML with the cell `ref` replaced by `cell` (XML of a whole <c> element)."""
    pattern = re.compile(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)')
    assert pattern.search(xml), ref
    return pattern.sub(lambda _match: cell, xml, count=1)


def add_rows(xml: str, rows: str, *, dimension: bool = True) -> str:
    """The sheet's XML with `rows` (XML of <row> elements) appended, its <dimension> kept or
    removed."""
    if not dimension:
        xml = re.sub(r"<dimension [^>]*/>", "", xml)
    return xml.replace("</sheetData>", f"{rows}</sheetData>", 1)
