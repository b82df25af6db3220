"""A structure-aware fuzzer for returned templates (docs/safety.md, "A hostile workbook").

    python -m tests.fuzz_workbooks --cases 5000 [--seed N] [--keep DIR] [--case N]

First the helpers the import's tests share (a part rewritten, a time limit, the command run
in a process of its own), then the heaviest workbooks the limits allow, then the fuzzer:
mutations at the zip, XML and value levels, a corpus of real templates, and the oracle.
tests/test_fuzz_workbooks.py runs a short run in every test run.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import datetime as dt
import io
import math
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.cell import get_column_letter

from desktop.cli import main
from desktop.exchange.importer import describe
from desktop.exchange.layout import (
    ENTRY_SHEET,
    EXCEL_ROWS,
    GUIDE_SHEET,
    MAX_MARKUP_RUN,
    MAX_UNCOMPRESSED_BYTES,
    MAX_XML_ATTRIBUTES,
    MAX_XML_ELEMENTS,
    MAX_ZIP_MEMBERS,
    META_SHEET,
)
from desktop.exchange.reading import shown
from desktop.exchange.template import export_template
from desktop.models.figures import parse_figure, parse_state
from desktop.models.opening import open_database
from desktop.models.workspace import PlanWorkspace
from tests.limits import Hang, time_limit

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


# --- the fuzzer ------------------------------------------------------------------------------
#
# Each case takes a real template (exported for each department, empty or filled, or one of the
# LibreOffice-resaved fixtures), changes it at one to three levels (the zip, a part's XML, the
# values a clerk types), and imports it with the command line into a fresh copy of the seed.
# It must end with exit 0 and the database holding what the file says (read back with openpyxl
# and the figure rules), or exit 1 with a first line naming the file and a place, the database
# unchanged; never a traceback, a warning, an internal error or a case over CASE_SECONDS.

CASE_SECONDS = 10
CLAIMS_ONLY = "checked against what it listed"
PERIOD = "2025-06"
SEED = ROOT / "data" / "seed.sqlite"
FIXTURES = ROOT / "tests" / "fixtures"
DEPARTMENTS = ("发改委", "工信局", "科技局", "市场监管局", "城乡建设局")
META_PART = "xl/worksheets/sheet3.xml"  # _meta in every template and fixture
SHARED_STRINGS = "xl/sharedStrings.xml"
NUMBERS = [
    "0", "-0", "5", "5.", ".5", "-3", "1e12", "1000000000001", "1e13", "1e308", "1e309", "-1e309",
    "1" * 400, "1" * 5000, "NaN", "nan", "INF", "-Infinity", "1e-320", "0x10", "1_000", " 5",
    "5 ", "", "1,234", "75%", "1e", "--1", "٣", "５",
]  # fmt: skip
TEXTS = [
    "", " ", "abc", "推进中", "已完成", "未启动", "done", "75%", "７５％", "１,２３４", " 1,234 ",
    "=1+1", "@SUM(A1)", "-3", "1e13", "nan", "\t5\n", "a\tb", "line\nbreak", "\u202eevil",
    "😀", "_x0001_", "_x005F_x0001_", "x" * 64, "x" * 65, "长" * 2000, "长" * 2001,
    "长" * 10_000, "1" * 400,
]  # fmt: skip


class Skip(Exception):
    """The mutation does not apply to this workbook (it is no longer a zip, has no such part…)."""


Mutation = Callable[[random.Random, bytes], bytes]


def _members(data: bytes) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {item.filename: archive.read(item.filename) for item in archive.infolist()}
    except Exception as error:  # no longer a workbook: a later mutation does not apply
        raise Skip(str(error)) from None


def _zipped(members: Mapping[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    output = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name" when a mutation wants one
        with zipfile.ZipFile(output, "w", method) as archive:
            for name, data in members.items():  # "name\0…": a second part of that name
                archive.writestr(name.split("\0")[0], data)
    return output.getvalue()


def _xml(part: str, edit: Callable[[random.Random, str], str]) -> Mutation:
    """A mutation of one part's XML text."""

    def mutate(rng: random.Random, data: bytes) -> bytes:
        members = _members(data)
        if part not in members:
            raise Skip(part)
        try:
            text = members[part].decode("utf-8")
        except UnicodeDecodeError:
            raise Skip(part) from None
        members[part] = edit(rng, text).encode("utf-8")
        return _zipped(members)

    return mutate


_CELL = re.compile(r'<c r="([A-Z]+)([0-9]+)"[^>]*?(?:/>|>.*?</c>)', re.S)
_ROW = re.compile(r'<row r="([0-9]+)"[^>]*?(?:/>|>.*?</row>)', re.S)


def _pick(rng: random.Random, pattern: re.Pattern[str], text: str) -> re.Match[str]:
    found = list(pattern.finditer(text))
    if not found:
        raise Skip(pattern.pattern)
    return rng.choice(found)


def _replace(text: str, match: re.Match[str], new: str) -> str:
    return text[: match.start()] + new + text[match.end() :]


def _input_cell(rng: random.Random, text: str) -> re.Match[str]:
    """A cell of a data row, mostly one of the input columns."""
    cells = [m for m in _CELL.finditer(text) if int(m[2]) >= 5]
    if not cells:
        raise Skip("no data cell")
    inputs = [m for m in cells if m[1] in {"J", "K", "L", "M", "N"}]
    return rng.choice(inputs if inputs and rng.random() < 0.8 else cells)


def _cell_xml(ref: str, body: str, kind: str | None = None, style: str | None = None) -> str:
    kind_attribute = "" if kind is None else f' t="{kind}"'
    style_attribute = "" if style is None else f' s="{style}"'
    attributes = f' r="{ref}"{kind_attribute}{style_attribute}'
    return f"<c{attributes}>{body}</c>"


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _typed_cell(rng: random.Random, text: str) -> str:
    """A cell given a type and a value that may not fit it."""
    cell = _input_cell(rng, text)
    kind = rng.choice(["n", "s", "str", "inlineStr", "b", "e", "d", "x", "", None])
    value = rng.choice([*NUMBERS, "abc", "1", "0", "true", "2025-06-30", "2025-13-45", "#N/A"])
    body = rng.choice([f"<v>{_escaped(value)}</v>", f"<is><t>{_escaped(value)}</t></is>", ""])
    return _replace(text, cell, _cell_xml(f"{cell[1]}{cell[2]}", body, kind))


def _formula_cell(rng: random.Random, text: str) -> str:
    cell = _input_cell(rng, text)
    kind = rng.choice([None, "n", "str", "b", "e", "s"])
    cached = rng.choice([None, "120", "abc", "NaN", "#DIV/0!", "1", "99999", "", "1" * 400])
    formula = rng.choice(["1+1", "A1", '"abc"', "1/0", "", "SUM(J5:J9)"])
    body = f"<f>{_escaped(formula)}</f>" + ("" if cached is None else f"<v>{_escaped(cached)}</v>")
    if rng.random() < 0.2:
        shared = ' ref="J5:J9"' if formula else ""
        body = f'<f t="shared" si="0"{shared}>{_escaped(formula)}</f>'
    return _replace(text, cell, _cell_xml(f"{cell[1]}{cell[2]}", body, kind))


def _shared_string_cell(rng: random.Random, text: str) -> str:
    cell = _input_cell(rng, text)
    index = rng.choice(["0", "1", "17", "65", "66", "1000000", "-1", "abc", "", "01", "1.0"])
    return _replace(text, cell, _cell_xml(f"{cell[1]}{cell[2]}", f"<v>{index}</v>", "s"))


def _rich_cell(rng: random.Random, text: str) -> str:
    cell = _input_cell(rng, text)
    first, second = rng.choice(TEXTS[:12]), rng.choice(["", "20", "中", " "])
    body = (
        f"<is><r><rPr><b/></rPr><t>{_escaped(first)}</t></r><r><t>{_escaped(second)}</t></r>"
        + rng.choice(["", '<rPh sb="0" eb="1"><t>ピン</t></rPh>', "<t>plain</t>"])
        + "</is>"
    )
    return _replace(text, cell, _cell_xml(f"{cell[1]}{cell[2]}", body, "inlineStr"))


def _long_text_cell(rng: random.Random, text: str) -> str:
    cell = _input_cell(rng, text)
    length = rng.choice([2000, 2001, 32_767, 32_768, 100_000])
    runs = rng.choice([1, 1, 300])
    piece = "长" * (length // runs)
    body = "<is>" + "".join(f"<r><t>{piece}</t></r>" for _ in range(runs)) + "</is>"
    return _replace(text, cell, _cell_xml(f"{cell[1]}{cell[2]}", body, "inlineStr"))


def _duplicate_cell(rng: random.Random, text: str) -> str:
    cell = _input_cell(rng, text)
    twin = rng.choice([cell[0], _cell_xml(f"{cell[1]}{cell[2]}", "<v>7</v>")])
    return _replace(text, cell, cell[0] + twin)


def _duplicate_row(rng: random.Random, text: str) -> str:
    row = _pick(rng, _ROW, text)
    return _replace(text, row, row[0] + row[0])


def _far_row(rng: random.Random, text: str) -> str:
    number = rng.choice(
        ["10", "12", "100", "1048576", "1048577", "100000000", "0", "-1", "abc", "1e3", "07", ""]
    )
    row = "" if number == "" else f' r="{number}"'
    column = rng.choice(["A", "J", "K", "N", "O", "XFD"])
    cells = rng.choice(
        ["", f'<c r="{column}{number}" t="n"><v>5</v></c>', f'<c r="{column}{number}" s="1"/>']
    )
    return add_rows(text, f"<row{row}>{cells}</row>", dimension=rng.random() < 0.5)


def _far_column(rng: random.Random, text: str) -> str:
    row = _pick(rng, _ROW, text)
    column = rng.choice(["O", "Z", "AA", "XFD", "XFE", "ZZZ", "AAAA", "j", ""])
    ref = f"{column}{row[1]}" if rng.random() < 0.8 else f"{column}{int(row[1]) + 1}"
    cell = rng.choice([f'<c r="{ref}" t="n"><v>5</v></c>', f'<c r="{ref}" s="1"/>', "<c/>"])
    return _replace(text, row, row[0].replace("</row>", cell + "</row>"))


def _dimension(rng: random.Random, text: str) -> str:
    ref = rng.choice(["A1:A1", "A1:N5", "A1:XFD1048576", "junk", ""])
    replacement = "" if ref == "" else f'<dimension ref="{ref}"/>'
    return re.sub(r"<dimension [^>]*/>", replacement, text, count=1)


def _doctype(rng: random.Random, text: str) -> str:
    doctype = rng.choice(
        [
            '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
            '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
            "<!DOCTYPE worksheet>",
            '<!DOCTYPE x [<!ENTITY % p "x">]>',
        ]
    )
    declaration, separator, body = (
        text.partition("?>") if text.startswith("<?xml") else ("", "", text)
    )
    body = body.replace("填报", "&b;", 1) if "&b;" not in body and "ENTITY b" in doctype else body
    return f"{declaration}{separator}{doctype}{body}"


def _nesting(rng: random.Random, text: str) -> str:
    depth = rng.choice([10, 58, 59, 60, 64, 200, 5000])
    nested = "<x>" * depth + "</x>" * depth
    anchor = rng.choice(["<sheetData>", "</sheetData>", "<row ", "</c>"])
    if anchor not in text:
        raise Skip(anchor)
    return (
        text.replace(anchor, nested + anchor, 1)
        if anchor != "</c>"
        else text.replace(anchor, anchor + nested, 1)
    )


def _drop_attribute(rng: random.Random, text: str) -> str:
    attribute = rng.choice([" r", " t", " s"])
    element = rng.choice(["<c", "<row"])
    pattern = re.compile(rf'({element}[^>]*?){attribute}="[^"]*"')
    matches = list(pattern.finditer(text))
    if not matches:
        raise Skip(attribute)
    for match in rng.sample(matches, min(len(matches), rng.choice([1, 3, 1000]))):
        text = text.replace(match[0], match[1], 1)
    return text


def _swap_rows(rng: random.Random, text: str) -> str:
    rows = list(_ROW.finditer(text))
    if len(rows) < 2:
        raise Skip("rows")
    first, second = rng.sample(rows, 2)
    a, b = first[1], second[1]
    marker = "\0"
    swapped = text.replace(f'r="{a}"', f'r="{marker}"').replace(f'r="{b}"', f'r="{a}"')
    swapped = re.sub(rf'(<c r="[A-Z]+){a}"', rf'\g<1>{marker}"', swapped)
    swapped = re.sub(rf'(<c r="[A-Z]+){b}"', rf"\g<1>{a}\"", swapped)
    return swapped.replace(marker, b)


def _junk(rng: random.Random, text: str) -> str:
    junk = rng.choice(
        ["<foo/>", "<extLst/>", "<!-- note -->", "<?pi data?>", "<v>5</v>", "<c/>", "<row/>"]
    )
    anchor = rng.choice(["</row>", "</c>", "<sheetData>", "</sheetData>", "<v>"])
    if anchor not in text:
        raise Skip(anchor)
    return text.replace(anchor, junk + anchor if anchor.startswith("</") else anchor + junk, 1)


def _cdata(rng: random.Random, text: str) -> str:
    return re.sub(r"<t>([^<]*)</t>", r"<t><![CDATA[\1]]></t>", text, count=rng.choice([1, 5]))


def _namespace(rng: random.Random, text: str) -> str:
    strict = rng.choice(["http://purl.oclc.org/ooxml/spreadsheetml/main", "", "urn:other"])
    return text.replace(MAIN.decode(), strict, 1)


def _break_xml(rng: random.Random, text: str) -> str:
    position = rng.randrange(len(text))
    return (
        text[:position]
        + rng.choice(["<", ">", "&", '"', "", "</x>", "\x01"])
        + text[position + 1 :]
    )


def _mangle_meta(rng: random.Random, text: str) -> str:
    row = _pick(rng, _ROW, text)
    choice = rng.randrange(4)
    if choice == 0:
        return _replace(text, row, row[0] + row[0])  # a fact or a mapping chunk twice
    if choice == 1:
        return _replace(text, row, row[0].replace('r="B', 'r="C'))  # a value moved right
    if choice == 2:
        return _replace(text, row, re.sub(r"<t>[^<]*</t>", "<t>0</t>", row[0], count=1))
    return _replace(text, row, "")


def _percent_style(rng: random.Random, data: bytes) -> bytes:
    """A cell in a style of its own number format: a percentage, a date, a duration, none."""
    members = _members(data)
    if "xl/styles.xml" not in members or ENTRY_PART not in members:
        raise Skip("styles")
    styles = members["xl/styles.xml"].decode()
    count = len(re.findall(r"<xf ", styles.split("<cellXfs", 1)[-1].split("</cellXfs>")[0]))
    number_format = rng.choice(["9", "10", "14", "22", "46", "0", "300"])
    members["xl/styles.xml"] = styles.replace(
        "</cellXfs>", f'<xf numFmtId="{number_format}" applyNumberFormat="1"/></cellXfs>', 1
    ).encode()
    sheet = members[ENTRY_PART].decode()
    cell = _input_cell(rng, sheet)
    value = rng.choice(["0.75", "75", "45838", "-1", "1e300", "0.5"])
    style = rng.choice([str(count), str(count + 5), "abc"])
    members[ENTRY_PART] = _replace(
        sheet, cell, _cell_xml(f"{cell[1]}{cell[2]}", f"<v>{value}</v>", "n", style)
    ).encode()
    return _zipped(members)


def _workbook_structure(rng: random.Random, data: bytes) -> bytes:
    """Sheets duplicated, renamed, dropped, pointing nowhere; extra sheets, with content or not."""
    members = _members(data)
    book = members.get("xl/workbook.xml", b"").decode()
    sheets = re.findall(r"<sheet [^>]*?/>", book)
    if not sheets:
        raise Skip("sheets")
    sheet = rng.choice(sheets)
    choice = rng.randrange(5)
    if choice == 0:
        book = book.replace(sheet, sheet + sheet, 1)
    elif choice == 1:
        book = book.replace(sheet, re.sub(r'name="[^"]*"', 'name="Sheet1"', sheet), 1)
    elif choice == 2:
        book = book.replace(sheet, "", 1)
    elif choice == 3:
        book = book.replace(sheet, re.sub(r'r:id="[^"]*"', 'r:id="rIdMissing"', sheet), 1)
    else:
        cells = rng.choice(["", '<row r="3"><c r="B3" t="n"><v>5</v></c></row>'])
        members["xl/worksheets/extra.xml"] = (
            f'<worksheet xmlns="{MAIN.decode()}"><sheetData>{cells}</sheetData></worksheet>'
        ).encode()
        rels = members.get("xl/_rels/workbook.xml.rels", b"").decode()
        members["xl/_rels/workbook.xml.rels"] = rels.replace(
            "</Relationships>",
            '<Relationship Id="rIdExtra" Target="worksheets/extra.xml" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/worksheet"/></Relationships>',
        ).encode()
        book = book.replace(
            "</sheets>", '<sheet name="草稿" sheetId="99" r:id="rIdExtra"/></sheets>'
        )
    members["xl/workbook.xml"] = book.encode()
    return _zipped(members)


def _shared_strings(rng: random.Random, data: bytes) -> bytes:
    members = _members(data)
    if SHARED_STRINGS not in members:
        raise Skip(SHARED_STRINGS)
    choice = rng.randrange(3)
    if choice == 0:
        del members[SHARED_STRINGS]  # the cells still point into it
    elif choice == 1:
        table = members[SHARED_STRINGS].decode()
        members[SHARED_STRINGS] = re.sub(
            r"<si>.*?</si>",
            lambda m: rng.choice([m[0], "<si/>", f"<si><t>{'长' * 40_000}</t></si>"]),
            table,
            flags=re.S,
        ).encode()
    else:
        table = members[SHARED_STRINGS].decode()
        members[SHARED_STRINGS] = re.sub(
            r"<t[^>]*>[^<]*</t>", "<t>7</t>", table, count=rng.randrange(1, 80)
        ).encode()
    return _zipped(members)


def _bit_flips(rng: random.Random, data: bytes) -> bytes:
    flipped = bytearray(data)
    for _ in range(rng.choice([1, 3, 20, 50])):
        position = rng.randrange(len(flipped))
        flipped[position] ^= 1 << rng.randrange(8)
    return bytes(flipped)


def _truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data))]


def _duplicate_entry(rng: random.Random, data: bytes) -> bytes:
    members = _members(data)
    name = rng.choice(list(members))
    twin = rng.choice([members[name], b"<x/>", members[name][: len(members[name]) // 2]])
    return _zipped({**members, f"{name}\0twin": twin})


def _huge_entry(rng: random.Random, data: bytes) -> bytes:
    members = _members(data)
    size = rng.choice([2_000_000, 6_000_000, MAX_UNCOMPRESSED_BYTES + 1])
    pattern = rng.choice([b"\0", random.Random(size).randbytes(64)])
    filler = (pattern * (size // len(pattern) + 1))[:size]
    if rng.random() < 0.5:
        members["xl/media/image1.bin"] = filler
    else:
        members.update({f"xl/extra/{n}.xml": b"<x/>" for n in range(MAX_ZIP_MEMBERS)})
    return _zipped(members)


def _compression(rng: random.Random, data: bytes) -> bytes:
    method = rng.choice([zipfile.ZIP_STORED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
    return _zipped(_members(data), method)


def _headers(data: bytes) -> list[tuple[int, int]]:
    """(offset, kind) of every zip header: 1 local, 2 central."""
    found = [(m.start(), 1) for m in re.finditer(rb"PK\x03\x04", data)]
    return found + [(m.start(), 2) for m in re.finditer(rb"PK\x01\x02", data)]


def _forged_header(rng: random.Random, data: bytes) -> bytes:
    """An encryption flag, a compression method, a CRC or a size changed in a zip header."""
    headers = _headers(data)
    if not headers:
        raise Skip("headers")
    offset, kind = rng.choice(headers)
    # field: (offset in a local header, offset in a central one, size)
    field, width = rng.choice(
        [((6, 8), 2), ((8, 10), 2), ((14, 16), 4), ((18, 20), 4), ((22, 24), 4)]
    )
    position = offset + field[kind - 1]
    forged = bytearray(data)
    old = int.from_bytes(forged[position : position + width], "little")
    if field == (6, 8):
        new = old | 1  # encrypted
    else:
        new = rng.choice([0, 1, old + 1, old - 1 if old else 2, 2 ** (8 * width) - 1, 12, 99])
    forged[position : position + width] = (new % 2 ** (8 * width)).to_bytes(width, "little")
    return bytes(forged)


def _missing_part(rng: random.Random, data: bytes) -> bytes:
    members = _members(data)
    del members[rng.choice(list(members))]
    return _zipped(members)


def _junk_around(rng: random.Random, data: bytes) -> bytes:
    junk = random.Random(len(data)).randbytes(rng.choice([1, 100, 5000]))
    return rng.choice([junk + data, data + junk])


# --- mutations a clerk (or a script) makes with an office suite: openpyxl stands in ----------


def _workbook(data: bytes) -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(io.BytesIO(data))
    except Exception as error:  # already broken by an earlier mutation
        raise Skip(str(error)) from None


def _saved(workbook: Any) -> bytes:
    output = io.BytesIO()
    try:
        workbook.save(output)
    except Exception as error:  # a value openpyxl will not write (IllegalCharacterError, …)
        raise Skip(str(error)) from None
    return output.getvalue()


def _data_rows(sheet: Any) -> list[int]:
    rows = [r for r in range(5, sheet.max_row + 1) if sheet.cell(r, 2).value]
    if not rows:
        raise Skip("no data row")
    return rows


def _typed_values(rng: random.Random, data: bytes) -> bytes:
    """Odd values typed into the input columns of a few rows."""
    workbook = _workbook(data)
    sheet = workbook[ENTRY_SHEET]
    values: list[object] = [
        *TEXTS, -1, -0.0, 0, 0.75, 75, 1e12, 1e12 + 1, 1e13, 1e308, 13800000000, True, False,
        None, dt.date(2025, 6, 30), dt.datetime(2025, 6, 30, 8), "=1+1", "=A1", "5\x01",
    ]  # fmt: skip
    rows = _data_rows(sheet)
    for row in rng.sample(rows, min(len(rows), rng.choice([1, 2, 5]))):
        for column in rng.sample(range(10, 15), rng.choice([1, 2, 5])):
            value = rng.choice(values)
            cell = sheet.cell(row, column)
            cell.value = value
            if isinstance(value, str) and value.startswith("=") and rng.random() < 0.5:
                cell.data_type = "s"  # typed text, not a formula
            if column == 10 and rng.random() < 0.3:
                cell.number_format = rng.choice(["0%", "0.00%", "yyyy-mm-dd", "@", "0.00"])
    return _saved(workbook)


def _locked_values(rng: random.Random, data: bytes) -> bytes:
    workbook = _workbook(data)
    sheet = workbook[ENTRY_SHEET]
    row = rng.choice(_data_rows(sheet))
    column = rng.randrange(1, 10)
    sheet.cell(row, column).value = rng.choice([None, "x", 0, 300, 300.0, "300", " 300 "])
    return _saved(workbook)


def _rows_moved(rng: random.Random, data: bytes) -> bytes:
    workbook = _workbook(data)
    sheet = workbook[ENTRY_SHEET]
    row = rng.choice(_data_rows(sheet))
    if rng.random() < 0.5:
        sheet.insert_rows(row)
    else:
        sheet.delete_rows(row)
    return _saved(workbook)


def _sheets_changed(rng: random.Random, data: bytes) -> bytes:
    workbook = _workbook(data)
    choice = rng.randrange(4)
    if choice == 0:
        extra = workbook.create_sheet("草稿")
        if rng.random() < 0.5:
            extra["C3"] = "我的计算"
    elif choice == 1 and GUIDE_SHEET in workbook.sheetnames:
        del workbook[GUIDE_SHEET]
    elif choice == 2:
        workbook[ENTRY_SHEET].title = "Sheet1"
    else:
        workbook[META_SHEET].sheet_state = "visible"
    return _saved(workbook)


def _meta_values(rng: random.Random, data: bytes) -> bytes:
    """The hidden _meta sheet tampered with: a fact, or the row mapping."""
    workbook = _workbook(data)
    meta = workbook[META_SHEET]
    rows = list(meta.iter_rows(min_col=1, max_col=2))
    key, value = rng.choice(rows)
    if str(key.value).startswith("mapping.") and value.value and rng.random() < 0.7:
        records = str(value.value).split(";")
        position = rng.randrange(len(records))
        fields = records[position].split(":")
        field = rng.randrange(len(fields))
        fields[field] = rng.choice(
            ["", "5", "6", "99999", "x", fields[field] + "0", "-1", "1" * 50]
        )
        records[position] = ":".join(fields)
        if rng.random() < 0.3:
            records.append(records[position])
        value.value = ";".join(records)
    else:
        value.value = rng.choice(
            [None, "", "1", "2", "9", "SY2025-MIS", "市发展改革委", "2025-05", "x" * 40]
        )
    return _saved(workbook)


MUTATIONS: dict[str, dict[str, Mutation]] = {
    "zip": {
        "bit flips": _bit_flips,
        "truncated": _truncate,
        "duplicate entry": _duplicate_entry,
        "huge entry": _huge_entry,
        "compression": _compression,
        "forged header": _forged_header,
        "missing part": _missing_part,
        "junk around": _junk_around,
    },
    "xml": {
        "cell type": _xml(ENTRY_PART, _typed_cell),
        "formula": _xml(ENTRY_PART, _formula_cell),
        "shared string": _xml(ENTRY_PART, _shared_string_cell),
        "rich text": _xml(ENTRY_PART, _rich_cell),
        "long text": _xml(ENTRY_PART, _long_text_cell),
        "duplicate cell": _xml(ENTRY_PART, _duplicate_cell),
        "duplicate row": _xml(ENTRY_PART, _duplicate_row),
        "far row": _xml(ENTRY_PART, _far_row),
        "far column": _xml(ENTRY_PART, _far_column),
        "dimension": _xml(ENTRY_PART, _dimension),
        "doctype": lambda rng, data: _xml(
            rng.choice([ENTRY_PART, META_PART, "xl/workbook.xml", SHARED_STRINGS, "xl/styles.xml"]),
            _doctype,
        )(rng, data),
        "nesting": _xml(ENTRY_PART, _nesting),
        "attribute dropped": _xml(ENTRY_PART, _drop_attribute),
        "rows swapped": _xml(ENTRY_PART, _swap_rows),
        "junk element": _xml(ENTRY_PART, _junk),
        "cdata": _xml(ENTRY_PART, _cdata),
        "namespace": lambda rng, data: _xml(
            rng.choice([ENTRY_PART, META_PART, "xl/workbook.xml"]), _namespace
        )(rng, data),
        "broken xml": lambda rng, data: _xml(
            rng.choice(
                [
                    ENTRY_PART,
                    META_PART,
                    "xl/workbook.xml",
                    "xl/styles.xml",
                    "[Content_Types].xml",
                    "xl/_rels/workbook.xml.rels",
                ]
            ),
            _break_xml,
        )(rng, data),
        "meta xml": _xml(META_PART, _mangle_meta),
        "number format": _percent_style,
        "workbook structure": _workbook_structure,
        "shared strings": _shared_strings,
    },
    "value": {
        "typed values": _typed_values,
        "locked values": _locked_values,
        "rows moved": _rows_moved,
        "sheets changed": _sheets_changed,
        "meta values": _meta_values,
    },
}


# --- the corpus, the oracle and the run ------------------------------------------------------


def _filled(path: Path, rng: random.Random) -> bytes:
    """The template as a clerk fills it: every row, the usual spellings."""
    workbook = _workbook(path.read_bytes())
    sheet = workbook[ENTRY_SHEET]
    for row in _data_rows(sheet):
        unit = sheet.cell(row, 7).value
        value = sheet.cell(row, 10)
        if unit == "—":
            value.value = rng.choice(["未启动", "推进中", "已完成", None])
        elif unit == "%":
            value.value, value.number_format = rng.choice([(0.75, "0%"), ("75%", "General")])
        else:
            value.value = rng.choice([row * 10, " 1,234 ", "１２３", 12.5, 0, None])
        sheet.cell(row, 11).value = rng.choice(["", f"第{row}行进展", "完成 =1+1", "长" * 300])
        sheet.cell(row, 12).value = rng.choice(["", "无", "资金未到位"])
        sheet.cell(row, 13).value = rng.choice(["", "张三", "李四"])
        sheet.cell(row, 14).value = rng.choice(["", "024-12345678", 13800000000])
    return _saved(workbook)


class Corpus:
    """The workbooks cases start from, and the seed they are imported into (never changed)."""

    def __init__(self, folder: Path) -> None:
        self.database = folder / "seed.sqlite"
        shutil.copyfile(SEED, self.database)
        self.sources: dict[str, bytes] = {}
        opened = open_database(self.database)
        try:
            workspace = PlanWorkspace(opened, as_of=PERIOD)
            for number, department in enumerate(DEPARTMENTS):
                path = folder / f"template-{number}.xlsx"
                export_template(workspace, department, PERIOD, path)
                self.sources[f"{department}, empty"] = path.read_bytes()
                self.sources[f"{department}, filled"] = _filled(path, random.Random(number))
            self.indicators = {
                i.id: (i.unit, i.is_milestone) for i in workspace.indicators.values()
            }
            self.codes = {i.code: i.id for i in workspace.indicators.values()}
        finally:
            opened.close()
        for fixture in sorted(FIXTURES.glob("libreoffice-*.xlsx")):
            self.sources[fixture.stem] = fixture.read_bytes()


def _dump(database: Path) -> list[tuple[Any, ...]]:
    """What an import could change: entries, audit events, batches."""
    with contextlib.closing(sqlite3.connect(database)) as connection:
        return [
            row
            for table in ("entries", "audit_events", "import_batches")
            for row in connection.execute(f"SELECT * FROM {table} ORDER BY 1")
        ]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _expected(
    path: Path, indicators: Mapping[int, tuple[str, bool]]
) -> tuple[str, dict[int, tuple[object, str, str]]]:
    """What an accepted file says, read with openpyxl (not the import's reader) and the
    figure rules: the period, and each indicator's figure or state, and notes."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # from memory: openpyxl leaves the file open when it fails, and the warning would
        # surface in a later case
        workbook = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), data_only=True)
    facts = {
        _text(key): _text(value)
        for key, value in workbook[META_SHEET].iter_rows(max_col=2, values_only=True)
        if key is not None
    }
    chunks = sorted(
        (int(k.partition(".")[2]), v) for k, v in facts.items() if k.startswith("mapping.")
    )
    mapping = [record.split(":") for record in "".join(v for _, v in chunks).split(";") if record]
    sheet = workbook[ENTRY_SHEET]
    expected: dict[int, tuple[object, str, str]] = {}
    for row, indicator_id, *_rest in mapping:
        unit, milestone = indicators[int(indicator_id)]
        cell = sheet.cell(int(row), 10)
        value = cell.value
        figure: object
        if milestone:
            state = parse_state(value) if isinstance(value, str) else None
            figure = None if state is None else state.value
        elif isinstance(value, str):
            figure = parse_figure(value, percent=unit == "%")
        elif value is None:
            figure = None
        elif unit == "%" and "%" in (cell.number_format or ""):
            figure = float(value) * 100
        else:
            figure = float(value)
        notes = (_text(sheet.cell(int(row), 11).value), _text(sheet.cell(int(row), 12).value))
        expected[int(indicator_id)] = (figure, *notes)
    return facts["period"], expected


def _held(database: Path, period: str) -> dict[int, tuple[object, str, str]]:
    """Each indicator's figure or state, and notes, in the database for the month."""
    with contextlib.closing(sqlite3.connect(database)) as connection:
        return {
            row[0]: (row[1] if row[2] is None else row[2], row[3], row[4])
            for row in connection.execute(
                "SELECT indicator_id, value, milestone_state, progress_note, problems "
                "FROM entries WHERE period = ?",
                (period,),
            )
        }


def _wrong_values(path: Path, database: Path, indicators: Mapping[int, tuple[str, bool]]) -> str:
    """How the database differs from what the accepted file says ("" when it does not)."""
    period, expected = _expected(path, indicators)
    held = _held(database, period)
    wrong = []
    for indicator_id, says in expected.items():
        holds = held.get(indicator_id, (None, "", ""))
        same_figure = says[0] == holds[0] or (
            isinstance(says[0], float)
            and isinstance(holds[0], float)
            and math.isclose(says[0], holds[0], rel_tol=1e-12)
        )
        if not same_figure or says[1:] != holds[1:]:
            wrong.append(f"indicator {indicator_id}: file {says!r}, database {holds!r}")
    return "; ".join(wrong)


_FIELDS = ("value", "progress_note", "problems")  # "milestone_state" shares the first place
_CLAIM = re.compile(r"  \S+ (\S+) (value|milestone_state|progress_note|problems): ")


def _wrong_claims(out: str, database: Path, codes: Mapping[str, int]) -> str:
    """Which of the changes the import listed ("  填报!J6 4.2.1-1 value: — → 120") the database
    does not hold ("" when it holds them all)."""
    period = re.search(r", (\d{4}-\d{2}), \d+ cells to change", out)
    if period is None:
        return f"no period in {out[:200]!r}"
    held = _held(database, period[1])
    wrong = []
    for line in out.splitlines():
        claim = _CLAIM.match(line)
        if claim is None:
            continue
        holds = held.get(codes[claim[1]], (None, "", ""))
        now = describe(holds[0 if claim[2] == "milestone_state" else _FIELDS.index(claim[2])])
        if not line.endswith(f" → {now}"):
            wrong.append(f"{line.strip()!r}, the database holds {now!r}")
    return "; ".join(wrong)


@dataclass
class Result:
    number: int
    source: str
    mutations: list[str]
    outcome: str  # "imported", "refused", or what went wrong
    seconds: float
    detail: str = ""

    @property
    def failed(self) -> bool:
        return self.outcome not in ("imported", "refused")

    def __str__(self) -> str:
        return (
            f"case {self.number} ({self.source}; {', '.join(self.mutations) or 'unchanged'}): "
            f"{self.outcome} in {self.seconds:.2f} s — {shown(self.detail, 300)}"
        )


class Fuzzer:
    """Makes case N of a seed, runs it through `target-monitor import` and judges it."""

    def __init__(self, folder: Path, seed: int) -> None:
        self.folder = folder
        self.seed = seed
        self.corpus = Corpus(folder)

    def case(self, number: int) -> tuple[str, list[str], bytes]:
        rng = random.Random(f"{self.seed}:{number}")
        source = rng.choice(sorted(self.corpus.sources))
        data = self.corpus.sources[source]
        applied = []
        for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
            level = rng.choices(["xml", "value", "zip"], weights=[5, 3, 2])[0]
            name = rng.choice(sorted(MUTATIONS[level]))
            try:
                data = MUTATIONS[level][name](rng, data)
            except Exception:  # Skip, or a value openpyxl will not write: not applied
                continue
            applied.append(name)
        return source, applied, data

    def run(self, number: int, *, keep: bool = False) -> Result:
        source, applied, data = self.case(number)
        folder = self.folder / f"case-{number}"
        folder.mkdir()
        path = folder / f"case-{number}.xlsx"
        path.write_bytes(data)
        database = folder / "plan.sqlite"
        shutil.copyfile(self.corpus.database, database)
        before = _dump(database)
        out, err = io.StringIO(), io.StringIO()
        started = time.perf_counter()
        code: int | None = None
        outcome, detail = "", ""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                with time_limit(CASE_SECONDS), redirect_stdout(out), redirect_stderr(err):
                    code = main(
                        [
                            "--db",
                            str(database),
                            "import",
                            str(path),
                            "--prefer-file",
                            "--user",
                            "fuzz",
                        ]
                    )
            except Hang:
                outcome = "hang"
            except Exception:
                outcome, detail = "traceback", traceback.format_exc()
        seconds = time.perf_counter() - started
        if not outcome:
            output = (out.getvalue(), err.getvalue())
            outcome, detail = self._judge(code, output, path, database, before)
        if caught and not outcome.startswith(("traceback", "hang")):
            outcome, detail = "warning", f"{caught[0].category.__name__}: {caught[0].message}"
        result = Result(number, source, applied, outcome, seconds, detail)
        if not (keep or result.failed):
            shutil.rmtree(folder)
        return result

    def _judge(
        self,
        code: int | None,
        output: tuple[str, str],
        path: Path,
        database: Path,
        before: list[Any],
    ) -> tuple[str, str]:
        out, err = output
        first = err.splitlines()[0] if err else ""
        if "Traceback" in err:
            return "traceback", err
        if "内部错误" in err:
            return "internal error", first
        if code == 1:
            explained = first.startswith(f"target-monitor: {path.name}: ") and re.search(
                r" — 未导入,数据库未作任何改动\(共 \d+ 处问题\)$", first
            )
            if not explained:
                return "unexplained refusal", err
            if _dump(database) != before:
                return "changed on refusal", first
            return "refused", first
        if code == 0:
            wrong = _wrong_claims(out, database, self.corpus.codes)
            if wrong:
                return "wrong values", f"not as it said: {wrong}"
            try:
                wrong = _wrong_values(path, database, self.corpus.indicators)
            except Exception as error:  # openpyxl refuses what the import may accept (an
                # attribute of a column's width it does not know, …): the claims were checked
                return "imported", f"{CLAIMS_ONLY} (openpyxl: {type(error).__name__}: {error})"
            return ("wrong values", wrong) if wrong else ("imported", out.splitlines()[0])
        return "exit code", f"{code}: {err}"


def fuzz(
    folder: Path, seed: int, cases: int, *, report: Callable[[Result], None] | None = None
) -> list[Result]:
    fuzzer = Fuzzer(folder, seed)
    results = []
    for number in range(cases):
        result = fuzzer.run(number)
        results.append(result)
        if report is not None:
            report(result)
    return results


def summary(results: list[Result], seed: int) -> str:
    outcomes = collections.Counter(r.outcome for r in results)
    slowest = max(results, key=lambda r: r.seconds)
    failures = [r for r in results if r.failed]
    named = ("traceback", "hang", "changed on refusal")
    others = len(failures) - sum(outcomes[name] for name in named)
    claims_only = sum(r.detail.startswith(CLAIMS_ONLY) for r in results)
    lines = [
        f"seed {seed}: {len(results)} cases, {outcomes['imported']} imported "
        f"({claims_only} of them checked against what the import listed only: openpyxl "
        "could not read them), "
        f"{outcomes['refused']} refused; tracebacks {outcomes['traceback']}, "
        f"hangs {outcomes['hang']}, changes on refusal {outcomes['changed on refusal']}, "
        f"other failures {others}",
        f"slowest: {slowest}",
    ]
    return "\n".join(lines + [f"FAILED {failure}" for failure in failures])


def _main() -> int:
    parser = argparse.ArgumentParser(description="Fuzz the import of returned templates.")
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--case", type=int, help="run this one case, and keep its file")
    parser.add_argument("--keep", type=Path, help="folder for the failing cases (kept)")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    print(f"seed {seed}", flush=True)
    folder = args.keep or Path(tempfile.mkdtemp(prefix="fuzz-workbooks-"))
    folder.mkdir(parents=True, exist_ok=True)
    if args.case is not None:
        result = Fuzzer(folder, seed).run(args.case, keep=True)
        print(result, f"\nkept in {folder / f'case-{args.case}'}", sep="")
        return int(result.failed)

    def report(result: Result) -> None:
        if result.failed:
            print(f"FAILED {result}", flush=True)
        elif (result.number + 1) % 500 == 0:
            print(f"{result.number + 1} cases", flush=True)

    results = fuzz(folder, seed, args.cases, report=report)
    print(summary(results, seed))
    print(f"failing cases kept in {folder}")
    return int(any(r.failed for r in results))


if __name__ == "__main__":
    sys.exit(_main())
