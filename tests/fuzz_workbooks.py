"""Returned templates made hostile on purpose: the helpers the import's tests share."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from openpyxl.utils.cell import get_column_letter

from desktop.exchange.layout import (
    EXCEL_ROWS,
    MAX_MARKUP_RUN,
    MAX_UNCOMPRESSED_BYTES,
    MAX_XML_ATTRIBUTES,
    MAX_XML_ELEMENTS,
    MAX_ZIP_MEMBERS,
)

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


ROOT = Path(__file__).resolve().parent.parent

# The command as a user runs it, in a process of its own: its time and peak memory (VmHWM,
# not ru_maxrss, which counts the memory of the process it was forked from). Linux only.
MEASURED = """
import re, sys
from pathlib import Path
from desktop.cli import main
code = main(sys.argv[1:])
peak = re.search(r"VmHWM:\\s*(\\d+) kB", Path("/proc/self/status").read_text())[1]
print(f"peak-rss-kb {peak}", file=sys.stderr)
sys.exit(code)
"""


def measured_import(
    database: Path, path: Path
) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Seconds and peak megabytes of `target-monitor import`, and its outcome."""
    started = time.perf_counter()
    outcome = subprocess.run(
        [sys.executable, "-c", MEASURED, "--db", str(database), "import", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    seconds = time.perf_counter() - started
    peak = re.search(r"peak-rss-kb (\d+)", outcome.stderr)
    return seconds, int(peak[1]) / 1024 if peak else float("inf"), outcome


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


# --- the heaviest workbooks the limits allow ------------------------------------------------
#
# Each is a real template (its _meta intact) with one kind of bulk added, as much of it as
# the limits in layout.py let through, and nothing a limit refuses before reading: every
# element, attribute and byte is read. The test and benchmarks/bench_workbooks.py time them.

SPARE = 20_000  # elements and attributes left for the template's own parts
MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_SHEET_DATA_END = b"</sheetData>"
_SHEET_DATA = b"<sheetData>"


def _before(marker: bytes, extra: bytes) -> Callable[[bytes], bytes]:
    return lambda data: data.replace(marker, extra + marker, 1)


def _noise(count: int, seed: int) -> Iterator[int]:
    """Numbers from 0 to 255, so that the bulk does not compress past the ratio limit."""
    return iter(random.Random(seed).randbytes(count))


def _letters(first: int, count: int) -> list[bytes]:
    return [get_column_letter(column).encode() for column in range(first, first + count)]


def heavy_cells(template: Path, target: Path) -> Path:
    """Rows of empty formatted cells right of the template's columns: read, holding nothing."""
    per_row = 300
    rows = (MAX_XML_ELEMENTS - SPARE) // (per_row + 1)
    letters, noise = _letters(20, per_row), _noise(rows * per_row, 1)
    bulk = b"".join(
        b'<row r="%d">%s</row>'
        % (row, b"".join(b'<c r="%s%d" s="%d"/>' % (c, row, next(noise)) for c in letters))
        for row in range(100, 100 + rows)
    )
    return rewrite_parts(template, target, {ENTRY_PART: _before(_SHEET_DATA_END, bulk)})


def heavy_formulas(template: Path, target: Path) -> Path:
    """Rows of formulas with saved results under the template: every one converted, the file
    refused once MAX_ISSUES rows are found not to belong to it."""
    per_row = 499
    rows = (MAX_XML_ELEMENTS - SPARE) // (3 * per_row + 1)
    letters, noise = _letters(1, per_row), _noise(rows * per_row, 2)
    bulk = b"".join(
        b'<row r="%d">%s</row>'
        % (
            row,
            b"".join(
                b'<c r="%s%d"><f>%s%d+%d</f><v>%d</v></c>' % (c, row, c, row - 1, n, n)
                for c, n in zip(letters, noise, strict=False)
            ),
        )
        for row in range(100, 100 + rows)
    )
    return rewrite_parts(template, target, {ENTRY_PART: _before(_SHEET_DATA_END, bulk)})


def heavy_strings(template: Path, target: Path) -> Path:
    """A shared-strings table of as many short strings as the element limit allows."""
    count = (MAX_XML_ELEMENTS - SPARE) // 2
    table = b'<sst xmlns="%s">%s</sst>' % (
        MAIN,
        b"".join(b"<si><t>%x</t></si>" % (n * 2654435761 % 2**32) for n in range(count)),
    )
    return rewrite_parts(
        template,
        target,
        {
            "xl/sharedStrings.xml": table,
            "[Content_Types].xml": _before(
                b"</Types>",
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>',
            ),
            "xl/_rels/workbook.xml.rels": _before(
                b"</Relationships>",
                b'<Relationship Id="rIdStrings" Target="sharedStrings.xml" Type="http://schemas'
                b'.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>',
            ),
        },
    )


def heavy_styles(template: Path, target: Path) -> Path:
    """As many cell styles as the element limit allows, after the template's own."""
    noise = _noise(MAX_XML_ELEMENTS - SPARE, 3)
    styles = b"".join(b'<xf numFmtId="%d"/>' % n for n in noise)
    return rewrite_parts(template, target, {"xl/styles.xml": _before(b"</cellXfs>", styles)})


def heavy_attributes(template: Path, target: Path) -> Path:
    """Elements before the sheet's data, each as long as a tag may be (MAX_MARKUP_RUN), with as
    many attributes as the limit allows."""
    per_element = (MAX_MARKUP_RUN - 1000) // 12
    elements = (MAX_XML_ATTRIBUTES - SPARE) // per_element
    noise = _noise(elements * per_element, 4)
    bulk = b"".join(
        b"<x%d %s/>"
        % (e, b" ".join(b'a%d="%d"' % (a, next(noise) % 8) for a in range(per_element)))
        for e in range(elements)
    )
    return rewrite_parts(template, target, {ENTRY_PART: _before(_SHEET_DATA, bulk)})


def heavy_tag(template: Path, target: Path) -> Path:
    """One element holding all the attributes the limit allows (a tag of some 30 MB: expat
    takes minutes over it, and it is refused unread)."""
    count = MAX_XML_ATTRIBUTES - SPARE
    noise = _noise(count, 7)
    tag = b"<x %s/>" % b" ".join(b'a%d="%d"' % (a, next(noise) & 7) for a in range(count))
    return rewrite_parts(template, target, {ENTRY_PART: _before(_SHEET_DATA, tag)})


def _prose(length: int, seed: int, words: tuple[bytes, ...] = ()) -> bytes:
    """Text of `length` bytes that compresses about 7:1 (inside the ratio and size limits)."""
    generator = random.Random(seed)
    vocabulary = [bytes(generator.choices(b"abcdefghijklmnopqrstuvwxyz", k=5)) for _ in range(40)]
    vocabulary += words
    text = b" ".join(generator.choice(vocabulary) for _ in range(length // 5))
    return text[:length]


def heavy_text(template: Path, target: Path) -> Path:
    """The heading's rows holding texts as long as a tag may be, as many as fit the size limit."""
    text = _prose(MAX_MARKUP_RUN - 1000, 5)
    per_row = (MAX_UNCOMPRESSED_BYTES - 2_000_000) // len(text) // 4
    heading = b"".join(
        b'<row r="%d">%s</row>'
        % (
            row,
            b"".join(
                b'<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>' % (c, row, text)
                for c in _letters(1, per_row)
            ),
        )
        for row in range(1, 5)
    )
    return rewrite_parts(
        template,
        target,
        {
            ENTRY_PART: lambda data: re.sub(
                rb'<row r="[1-4]">.*?</row>', b"", data, flags=re.S
            ).replace(_SHEET_DATA, _SHEET_DATA + heading)
        },
    )


def heavy_comment(template: Path, target: Path) -> Path:
    """One comment as long as the size limit allows, a "<" in every few words: one token for
    expat, however it is fed."""
    comment = _prose(MAX_UNCOMPRESSED_BYTES - 2_000_000, 6, words=(b"<", b"<c>", b"<row"))
    return rewrite_parts(
        template, target, {ENTRY_PART: _before(_SHEET_DATA, b"<!-- %s -->" % comment)}
    )


def heavy_sheets(template: Path, target: Path) -> Path:
    """As many extra sheets as the zip may hold, each of empty formatted cells."""
    with zipfile.ZipFile(template) as archive:
        sheets = MAX_ZIP_MEMBERS - len(archive.namelist())
    per_sheet = (MAX_XML_ELEMENTS - SPARE) // sheets
    rows = per_sheet // 101
    letters = _letters(1, 100)
    cells = b"".join(
        b'<row r="%d">%s</row>'
        % (row, b"".join(b'<c r="%s%d" s="0"/>' % (c, row) for c in letters))
        for row in range(1, rows + 1)
    )
    sheet = b'<worksheet xmlns="%s"><sheetData>%s</sheetData></worksheet>' % (MAIN, cells)
    changes: dict[str, Change] = {f"xl/worksheets/extra{n}.xml": sheet for n in range(sheets)}
    changes["xl/workbook.xml"] = _before(
        b"</sheets>",
        b"".join(
            b'<sheet name="extra%d" sheetId="%d" r:id="rIdExtra%d"/>' % (n, 100 + n, n)
            for n in range(sheets)
        ),
    )
    changes["xl/_rels/workbook.xml.rels"] = _before(
        b"</Relationships>",
        b"".join(
            b'<Relationship Id="rIdExtra%d" Target="worksheets/extra%d.xml" Type="http://schemas'
            b'.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>' % (n, n)
            for n in range(sheets)
        ),
    )
    return rewrite_parts(template, target, changes)


def heavy_rows(template: Path, target: Path) -> Path:
    """Empty rows to the last of Excel's, each read (and its number remembered)."""
    bulk = b"".join(b'<row r="%d"/>' % row for row in range(100, EXCEL_ROWS + 1))
    return rewrite_parts(template, target, {ENTRY_PART: _before(_SHEET_DATA_END, bulk)})


HEAVY: dict[str, Callable[[Path, Path], Path]] = {
    name.removeprefix("heavy_"): builder
    for name, builder in globals().items()
    if name.startswith("heavy_") and callable(builder)
}
