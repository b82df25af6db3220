"""Reading a returned workbook: exactly what its XML holds, within limits the file cannot move.

The import does not read with openpyxl, which trusts what a file declares: its read-only mode
pads every row a sheet skips (one row numbered 100,000,000 kept it busy for minutes), stops at
the size a sheet declares (a row below it was dropped unread), and builds objects for every
string and style (34 s for a legal table of two million strings, 50 s and 1 GB for a legal
styles part). Here each part is parsed once by expat with defusedxml's refusals (no DTD, no
entity, no external reference) and without building a tree: every element, attribute and
level of nesting counts against the limits in layout.py, no tag can be longer than
MAX_MARKUP_RUN, and a sheet yields the rows and cells its XML holds, each at the place it
states — nothing inferred from a declared size, nothing dropped. What cannot be read is an
`UnreadableWorkbook` naming the file, sheet or cell, or a cell's `problem`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import posixpath
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import NamedTuple
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.cell import get_column_letter
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel

from desktop.exchange.layout import (
    EXCEL_COLUMNS,
    EXCEL_FORMAT_LENGTH,
    EXCEL_ROWS,
    EXCEL_TEXT_LENGTH,
    MAX_COMPRESSION_RATIO,
    MAX_FILE_BYTES,
    MAX_MARKUP_RUN,
    MAX_UNCOMPRESSED_BYTES,
    MAX_XML_ATTRIBUTES,
    MAX_XML_DEPTH,
    MAX_XML_ELEMENTS,
    MAX_ZIP_MEMBERS,
)

WORKBOOK_PART = "xl/workbook.xml"
CONTENT_TYPES_PART = "[Content_Types].xml"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships}"
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted workbook, or an .xls
_CHUNK = 4 * 1024 * 1024  # bytes handed to expat at a time

# Element names as expat reports them ("namespace}local").
_WORKSHEET, _SHEET_DATA, _ROW, _C, _V, _F, _IS = (
    _MAIN + name for name in ("worksheet", "sheetData", "row", "c", "v", "f", "is")
)
_SI, _T, _R, _EXT_LST = (_MAIN + name for name in ("si", "t", "r", "extLst"))
_WORKBOOK, _SHEET, _WORKBOOK_PROPERTIES, _NUMBER_FORMAT, _XF, _CELL_XFS = (
    _MAIN + name for name in ("workbook", "sheet", "workbookPr", "numFmt", "xf", "cellXfs")
)
_RELATIONSHIP = _PACKAGE + "Relationship"
_RELATIONSHIP_ID = _RELATIONS + "}id"

CellValue = str | float | bool | dt.datetime | dt.date | dt.time | dt.timedelta | None


class UnreadableWorkbook(Exception):
    """The workbook cannot be read; `where` names the file, sheet or cell, `message` why."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


class Cell(NamedTuple):
    """A cell as the file holds it.

    For a formula, `value` is the result the office suite saved (None when there is none) and
    `formula` its text; `error` marks an error value such as #DIV/0!; `problem` says why the
    cell cannot be read (its value is then None).
    """

    value: CellValue
    number_format: str = "General"
    formula: str | None = None
    error: bool = False
    problem: str | None = None


class SheetRow(NamedTuple):
    """A row of a sheet: its number, and its cells that hold anything, by column (A is 1)."""

    number: int
    cells: dict[int, Cell]
    repeated: bool  # the sheet held this row number before


_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def shown(text: str, limit: int = 40) -> str:
    """Text from a file, quoted in a message: on one line, with control and direction marks
    written out (a line break as \\n, a right-to-left override as \\u202e), long text cut."""
    text = _INVISIBLE.sub(lambda mark: mark[0].encode("unicode_escape").decode("ascii"), text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- the container ------------------------------------------------------------------------


def _read_file(path: Path) -> bytes:
    name = path.name
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise UnreadableWorkbook(name, f"无法读取({error.strerror})") from None
    if len(data) > MAX_FILE_BYTES:
        size = path.stat().st_size
        raise UnreadableWorkbook(name, f"文件大小 {size} 字节,超过上限 {MAX_FILE_BYTES} 字节")
    return data


def _open_archive(data: bytes, name: str) -> zipfile.ZipFile:
    """The zip inside the file, checked before any part is decompressed."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        if data.startswith(_OLE_SIGNATURE):
            raise UnreadableWorkbook(
                name, "是加密的工作簿或旧版 .xls 文件;请取消打开密码并另存为 .xlsx 后再导入"
            )
        raise UnreadableWorkbook(name, "不是 .xlsx 工作簿,或文件已损坏")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as error:  # BadZipFile, NotImplementedError for odd zip versions, …
        raise UnreadableWorkbook(name, f"工作簿已损坏({error})") from None
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise UnreadableWorkbook(name, f"包含 {len(members)} 个部件,不是填报模板")
    names: set[str] = set()
    for member in members:
        if member.filename in names:
            raise UnreadableWorkbook(name, f"工作簿已损坏(部件 {member.filename} 出现了两次)")
        names.add(member.filename)
        if member.flag_bits & 0x1:
            raise UnreadableWorkbook(name, "工作簿已加密;请取消密码后再导入")
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnreadableWorkbook(
                name, f"工作簿已损坏({member.filename} 使用了 Excel 不用的压缩方式)"
            )
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1_000_000 and ratio > MAX_COMPRESSION_RATIO:
            raise UnreadableWorkbook(
                name, f"{member.filename} 的压缩比为 {ratio:.0f}:1,拒绝读取(疑似压缩炸弹)"
            )
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise UnreadableWorkbook(
            name, f"解压后达 {total} 字节,超过上限 {MAX_UNCOMPRESSED_BYTES} 字节,拒绝读取"
        )
    for required in (WORKBOOK_PART, CONTENT_TYPES_PART):  # no office suite opens it without
        if required not in names:
            raise UnreadableWorkbook(name, f"不是 .xlsx 工作簿(缺少 {required})")
    return archive


# --- parsing ------------------------------------------------------------------------------


class _Budget:
    """What the parts read so far have spent of the workbook's limits."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.elements = 0
        self.attributes = 0

    def refuse(self, what: str) -> UnreadableWorkbook:
        return UnreadableWorkbook(self.name, f"工作簿的 XML 超出上限({what});不是填报模板")


class _Part:
    """Receives one part's elements from expat and counts them against the workbook's limits;
    a subclass reads what it needs in `opened`, `closed` and `data`. `names[depth]` is the
    open element at each depth (1 is the root)."""

    def __init__(self, budget: _Budget, where: str) -> None:
        self.budget = budget
        self.where = where
        self.left = 0  # how many more elements the workbook may have (set while parsing)
        self.depth = 0
        self.names = [""] * (MAX_XML_DEPTH + 1)

    def start(self, name: str, attributes: dict[str, str]) -> None:
        self.left -= 1
        depth = self.depth = self.depth + 1
        if self.left < 0 or depth > MAX_XML_DEPTH:
            raise self.budget.refuse(
                f"超过 {MAX_XML_ELEMENTS} 个元素"
                if self.left < 0
                else f"嵌套超过 {MAX_XML_DEPTH} 层"
            )
        self.names[depth] = name
        self.opened(name, attributes, depth)

    def end(self, name: str) -> None:
        self.closed(name, self.depth)
        self.depth -= 1

    def opened(self, name: str, attributes: dict[str, str], depth: int) -> None:
        pass

    def closed(self, name: str, depth: int) -> None:
        pass

    def data(self, text: str) -> None:
        pass

    def unexpected(self, name: str, depth: int) -> UnreadableWorkbook:
        local, parent = (n.rpartition("}")[2] for n in (name, self.names[depth - 1]))
        return UnreadableWorkbook(
            self.where, f"工作簿已损坏(XML 中 <{shown(local)}> 出现在 <{parent}> 里)"
        )


def _check_markup(data: bytes, budget: _Budget) -> None:
    """Refuse a part whose tags could be too long or too many for expat, before parsing it.

    No tag can hold a "<", so a tag longer than MAX_MARKUP_RUN lies inside a stretch of that
    many bytes without one; such a stretch contains one of the windows of half that length
    looked at here. Every attribute needs an "=".
    """
    budget.attributes += data.count(b"=")
    if budget.attributes > MAX_XML_ATTRIBUTES:
        raise budget.refuse(f"超过 {MAX_XML_ATTRIBUTES} 个属性")
    half = MAX_MARKUP_RUN // 2
    for start in range(0, len(data), half):
        if data.find(b"<", start, start + half) == -1:
            left = data.rfind(b"<", 0, start) + 1
            right = data.find(b"<", start + half)
            if (len(data) if right == -1 else right) - left > MAX_MARKUP_RUN:
                raise budget.refuse(f"一段标记或文字超过 {MAX_MARKUP_RUN} 字节")


def _parse(data: bytes, part: _Part) -> Iterator[None]:
    """Parse `data` into `part`, pausing after each chunk (a sheet hands its rows on there)."""
    budget = part.budget
    _check_markup(data, budget)
    # defusedxml's parser refuses DTDs, entities and external references on its expat parser;
    # elements go from that parser straight to `part`, as expat reports them (no tree).
    parser = DefusedXMLParser(target=part, forbid_dtd=True).parser
    parser.ordered_attributes = False
    parser.StartElementHandler = part.start
    parser.EndElementHandler = part.end
    part.left = MAX_XML_ELEMENTS - budget.elements
    view = memoryview(data)
    try:
        for start in range(0, len(data), _CHUNK):
            parser.Parse(view[start : start + _CHUNK], False)
            yield
        parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise UnreadableWorkbook(part.where, f"工作簿已损坏(XML 格式错误:{error})") from None
    except DefusedXmlException:
        raise UnreadableWorkbook(
            part.where, "工作簿已损坏(XML 含有 DTD 或实体声明,拒绝读取)"
        ) from None
    finally:
        budget.elements = MAX_XML_ELEMENTS - part.left
    yield


class _Unusable(NamedTuple):
    """A text that cannot be taken as it is: why (only that is kept)."""

    problem: str


def _too_long(length: int) -> _Unusable:
    return _Unusable(f"共 {length} 字,超过 Excel 单元格的上限 {EXCEL_TEXT_LENGTH} 字")


class _RichText:
    """The text of a string item (<si>, or a cell's <is>): its <t>, then those of its runs
    (<r>), without the phonetic guide (<rPh>), as Excel shows it. A second <t>, or one after
    the runs, has no place in Excel's format, and readers disagree on where it goes: such a
    text is unusable, not guessed at."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.length = 0
        self.reading = False
        self.runs = self.disordered = False
        self.plain = 0

    def opened(self, name: str, parent: str, item: str) -> None:
        self.reading = name == _T and parent in (item, _R)
        if parent == item:
            if name == _T:
                self.disordered |= self.runs or self.plain > 0
                self.plain += 1
            self.runs |= name == _R

    def data(self, text: str) -> None:
        if self.reading:
            self.length += len(text)
            if self.length <= EXCEL_TEXT_LENGTH:  # longer is a problem: no need to keep it
                self.pieces.append(text)

    def take(self) -> str | _Unusable:
        text: str | _Unusable = "".join(self.pieces)
        if self.disordered:
            text = _Unusable("文字的结构不合 Excel 的格式(<t> 重复或在 <r> 之后),无法确定其内容")
        elif self.length > EXCEL_TEXT_LENGTH:
            text = _too_long(self.length)
        self.pieces, self.length, self.reading = [], 0, False
        self.runs = self.disordered = False
        self.plain = 0
        return text


class _Relationships(_Part):
    def __init__(self, budget: _Budget, where: str) -> None:
        super().__init__(budget, where)
        self.targets: dict[str, tuple[str, str]] = {}  # id → (type, part)

    def opened(self, name: str, attributes: dict[str, str], depth: int) -> None:
        if name != _RELATIONSHIP or attributes.get("TargetMode") == "External":
            return
        key, target = attributes.get("Id"), attributes.get("Target", "")
        if key is not None:
            joined = target[1:] if target.startswith("/") else posixpath.join("xl", target)
            kind = attributes.get("Type", "").rpartition("/")[2]
            self.targets[key] = (kind, posixpath.normpath(joined))


class _WorkbookPart(_Part):
    def __init__(self, budget: _Budget, where: str) -> None:
        super().__init__(budget, where)
        self.sheets: list[tuple[str, str]] = []  # (name, relationship id)
        self.date1904 = False

    def opened(self, name: str, attributes: dict[str, str], depth: int) -> None:
        if depth == 1 and name != _WORKBOOK:
            raise UnreadableWorkbook(self.where, "不是常规的 .xlsx 工作簿(请另存为 Excel 工作簿)")
        if name == _SHEET:
            sheet, key = attributes.get("name"), attributes.get(_RELATIONSHIP_ID)
            if sheet is None or key is None:
                raise UnreadableWorkbook(self.where, "工作簿已损坏(工作表缺少名称或内容)")
            self.sheets.append((sheet, key))
        elif name == _WORKBOOK_PROPERTIES:
            self.date1904 = attributes.get("date1904") in ("1", "true")


_FORMAT = tuple[str, bool, bool]  # a number format's code; is it a date; is it a duration
_GENERAL: _FORMAT = ("General", False, False)


class _Styles(_Part):
    """Each cell style's number format (<cellXfs>), the one thing of styles the import uses."""

    def __init__(self, budget: _Budget, where: str) -> None:
        super().__init__(budget, where)
        self.custom: dict[str, str] = {}
        self.styles: list[str] = []  # numFmtId of each cell style

    def opened(self, name: str, attributes: dict[str, str], depth: int) -> None:
        if name == _NUMBER_FORMAT:
            key = attributes.get("numFmtId")
            if key is not None:
                self.custom[key] = attributes.get("formatCode", "General")
        elif name == _XF and self.names[depth - 1] == _CELL_XFS:
            self.styles.append(attributes.get("numFmtId", "0"))

    def formats(self) -> list[_FORMAT | None]:
        """Each cell style's format; None for a code longer than Excel allows (openpyxl's
        date test takes time growing with the square of its length)."""
        known: dict[str, _FORMAT | None] = {}
        for key in set(self.styles):
            code = self.custom.get(key)
            if code is None:
                builtin = int(key) if key.isdigit() and len(key) < 4 else -1
                code = BUILTIN_FORMATS.get(builtin, "General")
            usable = len(code) <= EXCEL_FORMAT_LENGTH
            known[key] = (code, is_date_format(code), is_timedelta_format(code)) if usable else None
        return [known[key] for key in self.styles]


class _SharedStrings(_Part):
    def __init__(self, budget: _Budget, where: str) -> None:
        super().__init__(budget, where)
        self.strings: list[str | _Unusable] = []
        self.text = _RichText()

    def opened(self, name: str, attributes: dict[str, str], depth: int) -> None:
        if depth > 2:
            self.text.opened(name, self.names[depth - 1], _SI)

    def data(self, text: str) -> None:
        if self.text.reading:
            self.text.data(text)

    def closed(self, name: str, depth: int) -> None:
        if depth == 2:
            # As openpyxl reads them: Excel writes a literal "_x" as "_x005F_x".
            text = self.text.take()
            self.strings.append(text.replace("x005F_", "") if isinstance(text, str) else text)
        elif name == _T:
            self.text.reading = False


# No two parts can match the same digits: a long run of them that is no number fails at once.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_COLUMNS = {get_column_letter(column): column for column in range(1, EXCEL_COLUMNS + 1)}
_DIGITS = "0123456789"


class _Sheet(_Part):
    """A worksheet's rows and cells, handed on as each row ends.

    Elements outside <sheetData> hold no cell and are only counted; inside it, only <row>
    (of <c>, of <v>, <f> and <is>) may appear. This runs once per element of the largest
    part of a workbook, so it converts nothing a cell does not need.
    """

    def __init__(self, workbook: Workbook, sheet: str) -> None:
        super().__init__(workbook.budget, shown(sheet, 100))
        self.strings = workbook.strings
        self.formats = workbook.formats
        self.by_style: dict[str | None, _FORMAT | None] = {}
        self.epoch = workbook.epoch
        self.done: list[SheetRow] = []
        self.seen: set[int] = set()
        self.in_data = False
        self.row = 0
        self.row_text = ""
        self.cells: dict[int, Cell] = {}
        self.column = 0
        # the cell being read: its attributes, and its <v>, <f> and <is> when it has any
        self.attributes: dict[str, str] = {}
        self.content: _Content | None = None
        self.collect: list[str] | None = None
        self.rich = _RichText()

    def start(self, name: str, attributes: dict[str, str]) -> None:
        # _Part.start and the sheet's own handling in one call: this runs once per element.
        self.left -= 1
        depth = self.depth = self.depth + 1
        if self.left < 0 or depth > MAX_XML_DEPTH:
            self.depth -= 1
            super().start(name, attributes)  # counts again, and says what was exceeded
        self.names[depth] = name
        if not self.in_data:
            if depth == 1 and not name.startswith(_MAIN):
                raise UnreadableWorkbook(self.where, "工作簿已损坏(不是工作表)")
            self.in_data = depth == 2 and name == _SHEET_DATA
        elif depth == 4:
            if name == _C:
                self._start_cell(attributes)
            elif name != _EXT_LST:
                raise self.unexpected(name, depth)
        elif depth == 5:
            if self.names[4] == _C:
                self._in_cell(name, depth)
        elif depth == 3:
            if name != _ROW:
                raise self.unexpected(name, depth)
            self._start_row(attributes.get("r"))
        elif self.names[4] == _C and self.names[5] == _IS:
            self.rich.opened(name, self.names[depth - 1], _IS)

    def _in_cell(self, name: str, depth: int) -> None:
        if name in (_V, _F, _IS):
            content = self.content
            if content is None:
                content = self.content = _Content()
            if name == _V:
                content.twice |= content.value is not None
                content.value = self.collect = []
            elif name == _F:
                content.twice |= content.formula is not None
                content.formula = self.collect = []
            else:
                content.twice |= content.inline is not None
                content.inline = ""
        elif name != _EXT_LST:
            raise self.unexpected(name, depth)

    def data(self, text: str) -> None:
        if self.collect is not None:
            self.collect.append(text)
        elif self.rich.reading:
            self.rich.data(text)

    def end(self, name: str) -> None:
        depth = self.depth
        self.depth = depth - 1
        if not self.in_data:
            return
        if depth == 5:
            self.collect = None
            if name == _IS and self.content is not None and self.names[4] == _C:
                self.content.inline = self.rich.take()
        elif depth == 4:
            if name == _C:
                self._end_cell()
        elif depth == 3:
            seen = self.row in self.seen
            if self.cells or seen:
                self.done.append(SheetRow(self.row, self.cells, seen))
            self.seen.add(self.row)
        elif depth == 2:
            self.in_data = False
        elif name == _T:
            self.rich.reading = False

    def _start_row(self, number: str | None) -> None:
        if number is None:
            self.row += 1
        elif number.isdigit() and len(number) <= 10:
            self.row = int(number)
        else:
            raise UnreadableWorkbook(self.where, f"工作簿已损坏(行号“{shown(number)}”无效)")
        if not 1 <= self.row <= EXCEL_ROWS:
            raise UnreadableWorkbook(
                f"{self.where}!A{self.row}", f"行号 {self.row} 超出 Excel 的范围(1 到 {EXCEL_ROWS})"
            )
        # as its cells name the row: "7" (never "07")
        self.row_text = str(self.row) if number is None or number[0] == "0" else number
        self.cells = {}
        self.column = 0

    def _start_cell(self, attributes: dict[str, str]) -> None:
        reference = attributes.get("r")
        if reference is None:
            self.column += 1
            if self.column > EXCEL_COLUMNS:
                raise UnreadableWorkbook(
                    f"{self.where}!{get_column_letter(self.column)}{self.row}",
                    f"列超出 Excel 的范围(A 到 {get_column_letter(EXCEL_COLUMNS)})",
                )
        else:
            letters = reference.rstrip(_DIGITS)
            column = _COLUMNS.get(letters)
            if column is None or reference[len(letters) :] != self.row_text:
                raise self._misplaced(reference, letters)
            self.column = column
        self.attributes = attributes
        self.content = None

    def _misplaced(self, reference: str, letters: str) -> UnreadableWorkbook:
        digits = reference[len(letters) :]
        if len(letters) in (1, 2, 3) and letters.isupper() and digits.isdigit():
            if letters not in _COLUMNS:
                return UnreadableWorkbook(
                    f"{self.where}!{reference}",
                    f"列超出 Excel 的范围(A 到 {get_column_letter(EXCEL_COLUMNS)})",
                )
            return UnreadableWorkbook(
                f"{self.where}!{reference}", f"工作簿已损坏(该单元格写在第 {self.row} 行中)"
            )
        return UnreadableWorkbook(
            self.where, f"工作簿已损坏(第 {self.row} 行的单元格位置“{shown(reference)}”无效)"
        )

    def _end_cell(self) -> None:
        content = self.content
        if content is None:
            return  # an empty cell: only its format is in the file
        if content.twice:
            cell = Cell(None, problem="单元格的内容出现了两次,无法判断哪一个有效")
        elif self.column in self.cells:
            cell = Cell(None, problem="同一单元格在文件中出现了两次")
        else:
            cell = self._cell(content)
        self.cells[self.column] = cell

    def _cell(self, content: _Content) -> Cell:
        text = None if content.value is None else "".join(content.value)
        formula = None if content.formula is None else "=" + "".join(content.formula)
        style = self.attributes.get("s")
        try:
            number_format = self.by_style[style]
        except KeyError:
            number_format = self.by_style[style] = self._format(style)
        if number_format is None:
            return Cell(None, problem=f"单元格格式“{shown(style or '0')}”不存在或无法使用")
        code, date, duration = number_format
        kind = self.attributes.get("t", "n")
        try:
            value = self._value(kind, text, content.inline, date=date, duration=duration)
        except _Unreadable as problem:
            return Cell(None, code, formula, problem=str(problem))
        if isinstance(value, str) and len(value) > EXCEL_TEXT_LENGTH:
            return Cell(None, code, formula, problem=_too_long(len(value)).problem)
        return Cell(value, code, formula, kind == "e")

    def _format(self, style: str | None) -> _FORMAT | None:
        """A cell style's number format, or None when the style (s="…") is not in the file
        or its format cannot be used."""
        formats = self.formats
        if style is None or style == "0":
            return formats[0] if formats else _GENERAL
        index = int(style) if style.isdigit() and len(style) < 10 else len(formats)
        return formats[index] if index < len(formats) else None

    def _value(
        self,
        kind: str,
        raw: str | None,
        inline: str | _Unusable | None,
        *,
        date: bool,
        duration: bool,
    ) -> CellValue:
        """The cell's value by its type (t="…"); _Unreadable says why there is none."""
        if (kind == "inlineStr") != (inline is not None) or (
            inline is not None and raw is not None
        ):
            # an inline string without <is>, or with a <v> too: readers disagree on it
            raise _Unreadable(f"单元格的类型“{shown(kind)}”与内容不符")
        if inline is not None:
            if isinstance(inline, _Unusable):
                raise _Unreadable(inline.problem)
            return inline
        if raw is None or (raw == "" and kind != "str"):
            return None
        if kind == "n":
            return self._number(raw, date=date, duration=duration)
        if kind == "s":
            return self._shared(raw)
        if kind in ("str", "e"):
            return raw
        if kind == "b":
            if raw not in ("0", "1", "true", "false"):
                raise _Unreadable(f"“{shown(raw)}”不是逻辑值")
            return raw in ("1", "true")
        if kind == "d":
            try:
                return dt.datetime.fromisoformat(raw)
            except ValueError:
                raise _Unreadable(f"“{shown(raw)}”不是日期") from None
        raise _Unreadable(f"单元格的类型“{shown(kind)}”无法识别")

    def _number(self, raw: str, *, date: bool, duration: bool) -> CellValue:
        """A number (Excel's are finite doubles), or the date or duration its format shows."""
        if _NUMBER.fullmatch(raw) is None:
            raise _Unreadable(f"“{shown(raw)}”不是数字")
        number = float(raw)
        if math.isinf(number):
            raise _Unreadable(f"“{shown(raw)}”数值过大")
        if not (date or duration):
            return number
        try:
            return from_excel(number, self.epoch, timedelta=duration)  # type: ignore[no-any-return]
        except (OverflowError, ValueError):
            raise _Unreadable(f"日期“{raw}”超出范围") from None

    def _shared(self, raw: str) -> str:
        index = int(raw) if raw.isdigit() and len(raw) < 10 else len(self.strings)
        if index >= len(self.strings):
            raise _Unreadable(f"引用的共享字符串“{shown(raw)}”不存在")
        text = self.strings[index]
        if isinstance(text, _Unusable):
            raise _Unreadable(text.problem)
        return text


class _Unreadable(Exception):
    """Why a cell's content cannot be read (its text is the problem, for the cell)."""


class _Content:
    """What a cell holds: the text of its <v> and <f> (as pieces), and of its <is>."""

    __slots__ = ("formula", "inline", "twice", "value")

    def __init__(self) -> None:
        self.value: list[str] | None = None
        self.formula: list[str] | None = None
        self.inline: str | _Unusable | None = None
        self.twice = False  # one of them appeared twice


# --- the workbook -------------------------------------------------------------------------


class Workbook:
    """A returned workbook opened for reading: its sheets by name, and their rows.

    Opening checks the container (size, parts, compression, encryption), then reads the
    workbook's structure, its cell formats and its shared strings; `rows` reads a sheet, and
    `check_unread_parts` the XML parts nobody read.
    """

    def __init__(self, path: Path) -> None:
        self.name = path.name
        data = _read_file(path)
        self.sha256 = hashlib.sha256(data).hexdigest()
        self.budget = _Budget(self.name)
        self.archive = _open_archive(data, self.name)
        self.parts = set(self.archive.namelist())
        self.parsed: set[str] = set()
        relations = _Relationships(self.budget, self.name)
        self._read("xl/_rels/workbook.xml.rels", relations, required=False)
        structure = _WorkbookPart(self.budget, self.name)
        self._read(WORKBOOK_PART, structure)
        self.epoch = MAC_EPOCH if structure.date1904 else WINDOWS_EPOCH
        self.sheets: dict[str, str] = {}  # name → part
        for sheet, key in structure.sheets:
            if sheet in self.sheets:
                raise UnreadableWorkbook(
                    self.name, f"工作簿已损坏(工作表“{shown(sheet)}”出现了两次)"
                )
            target = relations.targets.get(key)
            if target is None or target[1] not in self.parts:
                raise UnreadableWorkbook(
                    self.name, f"工作簿已损坏(工作表“{shown(sheet)}”的内容不在文件中)"
                )
            self.sheets[sheet] = target[1]
        parts = {kind: part for kind, part in relations.targets.values()}
        styles = _Styles(self.budget, self.name)
        if "styles" in parts:
            self._read(parts["styles"], styles, required=False)
        self.formats = styles.formats()
        strings = _SharedStrings(self.budget, self.name)
        if "sharedStrings" in parts:
            self._read(parts["sharedStrings"], strings, required=False)
        self.strings = strings.strings

    def __enter__(self) -> Workbook:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.archive.close()

    def rows(self, sheet: str) -> Iterator[SheetRow]:
        """The sheet's rows in the order the file holds them, each as the file holds it."""
        part = self.sheets[sheet]
        self.parsed.add(part)
        reader = _Sheet(self, sheet)
        for _ in _parse(self._member(part, reader.where), reader):
            yield from reader.done
            reader.done = []

    def check_unread_parts(self) -> None:
        """Parse every XML part not read (the guide sheet, the properties, the theme, …): a part
        no office suite could open means a damaged file, whichever part it is."""
        for part in sorted(self.parts - self.parsed):
            if part.endswith((".xml", ".rels")):
                self._read(part, _Part(self.budget, self.name))

    def _read(self, part: str, reader: _Part, *, required: bool = True) -> None:
        if part not in self.parts:
            if required:
                raise UnreadableWorkbook(self.name, f"工作簿已损坏(缺少 {part})")
            return
        self.parsed.add(part)
        for _ in _parse(self._member(part, self.name), reader):
            pass

    def _member(self, part: str, where: str) -> bytes:
        try:
            return self.archive.read(part)
        except Exception as error:  # a bad CRC, a cut or forged stream, …
            raise UnreadableWorkbook(where, f"工作簿已损坏({part}:{error})") from None


def cell_problem(cell: Cell) -> str | None:
    """Why a cell's content cannot be taken as it is, or None: it cannot be read, it is an
    error value, or it is a formula the office suite saved no result of."""
    if cell.problem is not None:
        return cell.problem
    if cell.formula is not None:
        if cell.error:
            return f"公式 {shown(cell.formula)} 计算出错({cell.value});请直接填写数值或文字"
        if cell.value is None:
            return (
                f"公式 {shown(cell.formula)} 没有保存的计算结果;请直接填写数值,"
                "或在 Excel、WPS、LibreOffice 中重新保存后再导入"
            )
    elif cell.error:
        return f"“{cell.value}”是错误值;请直接填写数值或文字"
    return None
