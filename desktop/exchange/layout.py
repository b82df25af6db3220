"""The department template's layout: sheet names, rows, columns, limits (the exchange contract).

Both the writer and the reader take every position from here, so they cannot disagree.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable

from desktop.models.figures import format_figure
from desktop.models.workspace import PlanWorkspace

FORMAT_VERSION = "2"
# Version 1 recorded each row's entry version; version 2 the entry's values at export, so that
# a value changed and changed back since the export is no conflict. Both are read.
READABLE_FORMATS = ("1", "2")
ENTRY_SHEET = "填报"
GUIDE_SHEET = "填报说明"
META_SHEET = "_meta"

TITLE_ROW = 1
INFO_ROW = 2
HEADER_ROW = 4
FIRST_DATA_ROW = 5

# Limits that hold whatever a returned workbook says (docs/safety.md): each is checked on what
# the file holds, not on what it declares, so that every import ends within seconds, refused
# or accepted. The largest template (MAX_ROWS rows, as this program or LibreOffice writes it)
# stays well inside every one of them.
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024  # all parts together, as they decompress
MAX_COMPRESSION_RATIO = 200  # for a part of more than 1 MB
MAX_ZIP_MEMBERS = 200
MAX_ROWS = 20_000
MAX_XML_ELEMENTS = 1_500_000  # in all the parts read together
MAX_XML_ATTRIBUTES = 3_000_000  # likewise (expat's cost grows with them)
MAX_XML_DEPTH = 64  # a template nests 6 deep
MAX_MARKUP_RUN = 1024 * 1024  # bytes without a "<": no tag can be longer
MAX_ISSUES = 1_000  # a refusal lists this many problems, then stops looking
# Excel's own limits: no office suite writes beyond them.
EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384
EXCEL_TEXT_LENGTH = 32_767
EXCEL_FORMAT_LENGTH = 255  # of a number format's code

# Longest text kept per input column; longer text is refused, never cut.
PERSON_MAX_LENGTH = 64
PHONE_MAX_LENGTH = 32


class Column(enum.IntEnum):
    """The columns of the entry sheet (1-based, as openpyxl counts)."""

    NUMBER = 1
    CODE = 2
    PROJECT = 3
    TASK = 4
    MEASURE = 5
    INDICATOR = 6
    UNIT = 7
    TARGET = 8
    PREVIOUS = 9
    VALUE = 10
    PROGRESS = 11
    PROBLEMS = 12
    REPORTER = 13
    PHONE = 14

    @property
    def letter(self) -> str:
        return chr(ord("A") + self.value - 1)


HEADERS = {
    Column.NUMBER: "序号",
    Column.CODE: "指标编码",
    Column.PROJECT: "工程",
    Column.TASK: "任务",
    Column.MEASURE: "举措",
    Column.INDICATOR: "指标",
    Column.UNIT: "单位",
    Column.TARGET: "年度目标",
    Column.PREVIOUS: "上期累计/上期值",
    Column.VALUE: "本期值",
    Column.PROGRESS: "进展情况",
    Column.PROBLEMS: "存在问题及下步措施",
    Column.REPORTER: "填报人",
    Column.PHONE: "联系电话",
}
INPUT_COLUMNS = (Column.VALUE, Column.PROGRESS, Column.PROBLEMS, Column.REPORTER, Column.PHONE)
LOCKED_COLUMNS = tuple(c for c in Column if c not in INPUT_COLUMNS)


def cell_ref(row: int, column: Column) -> str:
    """How a cell is named in messages: 填报!J7."""
    return f"{ENTRY_SHEET}!{column.letter}{row}"


def normalized(value: object) -> str:
    """A cell's content as text, the same whichever office suite saved it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return format_figure(float(value))
    return str(value).strip()


def row_checksum(values: Iterable[object]) -> str:
    """A short digest of a row's locked cells, to detect edits to them."""
    text = "\x1f".join(normalized(v) for v in values)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def entry_digest(reported: object, progress_note: str, problems: str) -> str:
    """A short digest of what a month held when its template was exported: the figure (or
    milestone state) and both notes. An import compares it with what the month holds now."""
    return row_checksum([reported, progress_note, problems])


def plan_fingerprint(workspace: PlanWorkspace) -> str:
    """A digest of what a template depends on: the plan's indicators, targets and owners."""
    digest = hashlib.sha256(workspace.plan.code.encode("utf-8"))
    for indicator_id in sorted(workspace.indicators):
        i = workspace.indicators[indicator_id]
        facts = (
            i.id,
            i.code,
            i.name,
            i.unit,
            i.kind.value,
            i.target,
            i.stretch_target,
            i.baseline,
            i.due.isoformat(),
            i.department_id,
        )
        digest.update(repr(facts).encode("utf-8"))
    return digest.hexdigest()[:32]
