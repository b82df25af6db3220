"""Status sheets and supervision notices on A4 landscape pages, for a printer or a PDF file.

Each document is laid out once by a QTextDocument (long notes wrap inside their cell) and cut
into pages between its rows; each page prints its rows' bands of the layout under the table's
header row, a running header and a "第 x 页 / 共 y 页" footer. The same painting serves the
print preview, the printer and the PDF, in the window and on the command line (which needs no
display: a QGuiApplication on the offscreen platform is enough).
"""

from __future__ import annotations

import bisect
import functools
import html
import itertools
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QLineF, QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QFontDatabase,
    QGuiApplication,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextDocument,
    QTextOption,
    QTextTable,
)

from desktop import __version__
from desktop.exchange.report import ReportCancelled
from desktop.models.changes import Progress
from desktop.models.errors import TargetMonitorError
from desktop.models.figures import format_figure
from desktop.models.files import new_file_beside
from desktop.models.kinds import ParentLight
from desktop.models.status_rule import FINAL_STRETCH_MONTHS, Status
from desktop.presentation.status_sheet import (
    Document,
    RowKind,
    SheetRow,
    StatusSheet,
    SupervisionNotice,
)
from desktop.presentation.wording import (
    DEMO_COLOUR,
    DEMO_LABEL,
    STATUS_INKS,
    STATUS_ORDER,
    STATUS_TINTS,
    STATUS_WORDS,
    month_text,
    parts_counted,
    percent_text,
)

# Fonts that hold the Chinese characters, best first. WenQuanYi Micro Hei (Linux, installed by
# dev.py) and Microsoft YaHei (Windows) map each glyph back to its ideograph, so text copied or
# searched in the PDF is right; Noto Sans CJK maps some glyphs to Kangxi radicals (工 → ⼯) in
# Qt's PDFs, so it is only a fallback.
FONT_FAMILIES = (
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "Microsoft YaHei UI",
    "PingFang SC",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "SimSun",
)
BODY_POINTS = 9
MARGINS_MM = QMarginsF(12, 10, 12, 10)
HEADER_MM, FOOTER_MM = 7.0, 8.0
KEEP_WITH_SIGNATURE = 2  # table rows that go to the signature's page rather than leave it alone
MEASURE_ROWS = 50
CUT_PROBES = 48  # places across the page where a row taller than a page is looked at
PAGE_SLACK_MM = 2.5  # kept free at the foot of each page against rounding in the layout
RESOLUTION = 600  # PDF coordinates per inch; text stays vector at any zoom
CSS_DPI = 96  # a table's padding and rules are in CSS pixels
CELL_PADDING = 3  # CSS pixels between a cell's rules and its text
RULE_COLOUR = "#bfbfbf"  # light, as Qt drew a collapsed border
PROJECT_TINT, TASK_TINT, HEADER_TINT = "#d9e2f3", "#eef2f9", "#c9d5ea"
HEADING_INK = "#1f3864"
# Column titles, with their share of the width. A header cell never breaks inside a word: it
# breaks only where a title has a space, and a word wider than its column widens the column.
SHEET_COLUMNS = (
    ("编码", 6),
    ("名称", 20),
    ("牵头单位", 7),
    ("目标", 11),
    ("最新值", 10),
    ("完成率", 6),
    ("序时进度", 6),
    ("状态", 8),
    ("进展情况", 26),
)
NOTICE_COLUMNS = (
    ("编码", 6),
    ("指标", 18),
    ("目标", 11),
    ("最新值", 10),
    ("完成率", 6),
    ("序时进度", 6),
    ("落后 (百分点)", 7),
    ("状态", 8),
    ("进展情况及存在问题", 28),
)


@dataclass(frozen=True)
class PdfInfo:
    path: Path
    pages: int
    documents: int


_application: QGuiApplication | None = None


def headless_application() -> QGuiApplication:
    """The Qt application that laying out text needs, for the command line. On Linux it runs on
    the offscreen platform (nothing is shown, so no display, X libraries or session are needed:
    a server, a CI job, ssh); elsewhere on the system's own."""
    global _application  # noqa: PLW0603 - one application per process, kept alive here
    existing = QGuiApplication.instance()
    if isinstance(existing, QGuiApplication):
        return existing
    if sys.platform.startswith("linux"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _application = QGuiApplication([sys.argv[0] if sys.argv else "target-monitor"])
    return _application


@functools.cache
def print_font_family() -> str:
    """The first installed family of FONT_FAMILIES, else the application's own."""
    installed = set(QFontDatabase.families())
    return next((family for family in FONT_FAMILIES if family in installed), QFont().family())


def page_layout() -> QPageLayout:
    return QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4),
        QPageLayout.Orientation.Landscape,
        MARGINS_MM,
        QPageLayout.Unit.Millimeter,
    )


# --- the documents as rich text -----------------------------------------------------------


@functools.cache
def _bold() -> str:
    """Bold where the font has a bold face. Qt fakes a missing one by drawing the text twice,
    and the PDF's text then copies twice; colour and size mark emphasis instead."""
    styles = QFontDatabase.styles(print_font_family())
    return "bold" if any("bold" in style.lower() for style in styles) else "normal"


def _strong(value: str) -> str:
    return f'<span style="font-weight:{_bold()}; color:{HEADING_INK}">{value}</span>'


def _text(value: str) -> str:
    """Users' text, escaped, its line breaks kept."""
    return html.escape(value).replace("\n", "<br>")


def _light(status: Status) -> str:
    return f'<span style="color:{STATUS_INKS[status]}">●</span>&nbsp;{STATUS_WORDS[status]}'


def _status_cell(status: Status, parts: str = "") -> str:
    """A light and its word; for a heading, with its red and yellow parts counted below."""
    counted = f"<br/>{_text(parts)}" if parts else ""
    return f'<td bgcolor="{STATUS_TINTS[status]}" align="center">{_light(status)}{counted}</td>'


def _header_row(columns: Sequence[tuple[str, int]]) -> str:
    cells = "".join(
        f'<th width="{share}%" bgcolor="{HEADER_TINT}" '
        f'style="font-weight:{_bold()}; white-space:nowrap">'
        f"{'<br/>'.join(_text(word) for word in title.split(' '))}</th>"
        for title, share in columns
    )
    return f"<thead><tr>{cells}</tr></thead>"


INFERRED_MARK = "*"  # after a department the source does not name


def _legend(document: StatusSheet | SupervisionNotice) -> str:
    yellow = format_figure(document.thresholds.yellow)
    red = format_figure(document.thresholds.red)
    meanings = {
        Status.COMPLETED: "达到年度目标",
        Status.GREEN: f"完成率落后序时进度不超过{yellow}个百分点",
        Status.YELLOW: f"落后{yellow}至{red}个百分点",
        Status.RED: (
            f"落后超过{red}个百分点,或距完成时限不足{FINAL_STRETCH_MONTHS}个月仍落后超过"
            f"{yellow}个百分点;里程碑逾期未完成"
        ),
        Status.NOT_REPORTED: "应报月份未报送",
    }
    parts = "&nbsp;&nbsp; ".join(f"{_light(s)}:{meanings[s]}" for s in STATUS_ORDER)
    if isinstance(document, StatusSheet):
        parts += (
            "。工程、任务的灯取其下级中最差的状态"
            if document.parent_light is ParentLight.WORST
            else "。工程、任务的灯按其自身完成率对照其序时进度判定,括号内为亮红灯、黄灯的下级数"
        )
    if isinstance(document, StatusSheet) and any(r.department_inferred for r in document.rows):
        parts += f"。牵头单位后标{INFERRED_MARK}者,原文未点名,为编者按职责推定"
    return f'<p style="font-size:8pt; margin-bottom:6px">三色预警说明:{parts}。</p>'


def _counts(sheet: StatusSheet) -> str:
    counts = sheet.summary.counts
    total = sum(counts.values())
    listed = " · ".join(f"{STATUS_WORDS[s]} {counts.get(s, 0)}" for s in STATUS_ORDER)
    return f"指标 {total} 项({listed})"


def _lagging(sheet: StatusSheet) -> str:
    """The subject's red and yellow parts by name, under the headline."""
    lines = [
        f"{_light(status)}:{_text('、'.join(sheet.lagging[status]))}"
        for status in (Status.RED, Status.YELLOW)
        if sheet.lagging.get(status)
    ]
    if not lines:
        return ""
    return f'<p style="font-size:9pt; margin-bottom:4px">{"<br>".join(lines)}</p>'


def _notes(progress_note: str, problems: str) -> str:
    """The 进展情况 cell: the progress note, then the problems under their own label."""
    parts = [_text(progress_note)] if progress_note else []
    if problems:
        parts.append(f'<span style="color:#8a4b00">存在问题及下步措施:</span>{_text(problems)}')
    return "<br>".join(parts)


def _tables(columns: Sequence[tuple[str, int]], rows: list[str], cuts: Sequence[int]) -> str:
    """The data table, in parts cut before the rows in `cuts` (each with the header row, which
    the pages print again above their rows): Qt lays out one long table in quadratic time."""
    # Without Qt's borders: the pages draw the rules themselves (_LaidOut.rules); Qt's
    # painting of each cell's four borders took two thirds of a page's time.
    opening = f'<table width="100%" border="0" cellspacing="0" cellpadding="{CELL_PADDING}">'
    bounds = [0, *cuts, len(rows)]
    return "".join(
        opening + _header_row(columns) + "".join(rows[begin:end]) + "</table>"
        for begin, end in itertools.pairwise(bounds)
    )


def _signature(*labels: str) -> str:
    cells = "".join(
        f'<td width="{100 // len(labels)}%">{label}:________________</td>' for label in labels
    )
    return (
        '<table width="100%" cellspacing="0" cellpadding="6" style="margin-top:14px">'
        f"<tr>{cells}</tr></table>"
    )


def _indicator_row(row: SheetRow, *, department: bool, behind: bool) -> str:
    """An indicator's table row: the sheet's has the department, the notice's the points behind."""
    cells = [f"<td>{_text(row.code)}</td><td>{_text(row.name)}</td>"]
    if department:  # a department the source does not name is marked, the legend says why
        mark = INFERRED_MARK if row.department_inferred else ""
        cells.append(f'<td align="center">{_text(row.department)}{mark}</td>')
    cells += [
        f'<td align="right">{_text(row.target)}</td>',
        f'<td align="right">{_text(row.latest) or "—"}</td>',
        f'<td align="right">{percent_text(row.completion)}</td>',
        f'<td align="right">{percent_text(row.expected)}</td>',
    ]
    if behind:
        points = row.points_behind
        cells.append(f'<td align="right">{"—" if points is None else f"{points:.1f}"}</td>')
    cells += [_status_cell(row.status), f"<td>{_notes(row.progress_note, row.problems)}</td>"]
    return f"<tr>{''.join(cells)}</tr>"


def sheet_html(sheet: StatusSheet, cuts: Sequence[int] = ()) -> str:
    summary = sheet.summary
    rows = []
    for row in sheet.rows:
        if row.kind is RowKind.INDICATOR:
            rows.append(_indicator_row(row, department=True, behind=False))
        else:
            tint = PROJECT_TINT if row.kind is RowKind.PROJECT else TASK_TINT
            rows.append(
                f'<tr bgcolor="{tint}" style="font-weight:{_bold()}; color:{HEADING_INK}">'
                f'<td>{_text(row.code)}</td><td colspan="3">{_text(row.name)}</td><td></td>'
                f'<td align="right">{percent_text(row.completion)}</td>'
                f'<td align="right">{percent_text(row.expected)}</td>'
                f"{_status_cell(row.status, row.parts)}<td></td></tr>"
            )
    signer = sheet.reporting_unit or ""
    return (
        f'<p align="center" style="font-size:17pt; font-weight:{_bold()}">进度情况表</p>'
        f'<p align="center" style="font-size:12pt; font-weight:{_bold()}">'
        f"{_text(sheet.subject)}</p>"
        f"<p>数据截至:{_strong(month_text(sheet.as_of))}&nbsp;&nbsp;&nbsp; "
        f"完成率 {_strong(percent_text(summary.completion))}&nbsp;&nbsp; "
        f"序时进度 {_strong(percent_text(summary.expected))}&nbsp;&nbsp; "
        f"状态 {_light(summary.status)}{parts_counted(summary)}"
        f"&nbsp;&nbsp;&nbsp; {_counts(sheet)}</p>"
        + _lagging(sheet)
        + _legend(sheet)
        + _tables(SHEET_COLUMNS, rows, cuts)
        + f'<p style="font-size:8pt; color:#555555">来源:{_text(sheet.source)}</p>'
        + _signature(f"填报单位{(':' + _text(signer)) if signer else ''}", "审核人", "日期")
    )


def notice_html(notice: SupervisionNotice, cuts: Sequence[int] = ()) -> str:
    rows = [_indicator_row(item, department=False, behind=True) for item in notice.items]
    reds = sum(1 for item in notice.items if item.status is Status.RED)
    yellows = len(notice.items) - reds
    return (
        f'<p align="center" style="font-size:17pt; font-weight:{_bold()}">督办单</p>'
        f'<p align="right">编号:{notice.number}</p>'
        f"<p>督办对象:{_strong(_text(notice.department.name))}&nbsp;&nbsp;&nbsp; "
        f"数据截至:{_strong(month_text(notice.as_of))}&nbsp;&nbsp;&nbsp; "
        f"{STATUS_WORDS[Status.RED]} {reds} 项,{STATUS_WORDS[Status.YELLOW]} {yellows} 项</p>"
        f"<p>根据《{_text(notice.plan_title)}》任务分工,贵单位牵头的下列指标进度落后于序时进度。"
        "请分析原因,明确整改措施、责任人和完成时限,于______年____月____日前书面反馈。</p>"
        + _legend(notice)
        + _tables(NOTICE_COLUMNS, rows, cuts)
        + _signature("督办单位", "签发人", "签发日期")
        + _signature("责任单位(盖章)", "负责人", "反馈日期")
    )


# --- pages ----------------------------------------------------------------------------------


def title_of(document: Document) -> str:
    demo = f"({DEMO_LABEL})" if document.demo else ""
    if isinstance(document, StatusSheet):
        return f"进度情况表 · {document.subject}{demo}"
    return f"督办单 · {document.department.name}{demo}"


class _Pages:
    """The geometry of one device's pages, in its own pixels."""

    def __init__(self, device: QPagedPaintDevice) -> None:
        self.dpi = device.logicalDpiY()
        paint = device.pageLayout().paintRectPixels(device.logicalDpiX())
        self.width = float(paint.width())
        self.header = self.mm(HEADER_MM)
        self.footer = self.mm(FOOTER_MM)
        self.body = float(paint.height()) - self.header - self.footer

    def mm(self, millimetres: float) -> float:
        return millimetres / 25.4 * self.dpi


@dataclass(frozen=True)
class _Strip:
    """A band of a laid-out document, from `top` to `bottom`, printed as one piece of a page."""

    top: float
    bottom: float

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(frozen=True)
class _Cells:
    """A table row's top and bottom, and where its cells start across it, then its right end
    (a cell spanning columns has no rule inside it)."""

    top: float
    bottom: float
    edges: tuple[float, ...]


@dataclass(frozen=True)
class _LaidOut:
    """A document laid out once, and what each of its pages prints: bands of it, one below the
    other (the header row again, then the page's rows); and its tables' rows in order, for
    their rules."""

    text: QTextDocument
    pages: list[list[_Strip]]
    cells: list[_Cells]

    def rules(self, band: _Strip) -> list[QLineF]:
        """The rules of the table rows in a band: over and under each row, before each of its
        cells and after the last."""
        first = bisect.bisect_right(self.cells, band.top, key=lambda row: row.bottom)
        lines = []
        for row in itertools.islice(self.cells, first, None):
            if row.top >= band.bottom:
                break
            left, right = row.edges[0], row.edges[-1]
            lines.append(QLineF(left, row.top, right, row.top))
            lines.append(QLineF(left, row.bottom, right, row.bottom))
            lines += [QLineF(x, row.top, x, row.bottom) for x in row.edges]
        return lines


def _laid_out(document: Document, device: QPagedPaintDevice, pages: _Pages) -> _LaidOut:
    """The document laid out once, without pages (in tables of MEASURE_ROWS rows: one long
    table lays out in quadratic time), and cut into pages between its rows: a page prints the
    bands of its rows under the header row, so nothing is laid out twice."""
    headings = _headings(document)
    cuts = list(range(MEASURE_ROWS, len(headings), MEASURE_ROWS))
    text = _layout(document, device, cuts=cuts)
    text.setTextWidth(pages.width)
    layout = text.documentLayout()
    tables = text.rootFrame().childFrames()[: len(cuts) + 1]  # then the signature table(s)
    preamble = header = 0.0
    heights: list[float] = []
    rows: list[_Strip] = []  # each row's band, from the rule over it to the rule under it
    cells: list[_Cells] = []
    heading = _Strip(0.0, 0.0)
    for number, table in enumerate(tables):
        assert isinstance(table, QTextTable)
        frame = layout.frameBoundingRect(table)
        tops = [
            layout.blockBoundingRect(table.cellAt(row, 0).firstCursorPosition().block()).top()
            for row in range(table.rows())
        ]
        # A row's text starts below the rule over it and its cell's padding; the table's frame
        # is the table moved by that padding (its top is its first text's): a row's band is
        # from the rule over it to the rule under it.
        padding = table.format().cellPadding() * pages.dpi / CSS_DPI
        edges = [top - padding for top in tops] + [frame.bottom() - padding]
        tops.append(frame.bottom())
        if number == 0:
            preamble, header = tops[0], tops[1] - tops[0]
            heading = _Strip(edges[0], edges[1])
        heights += [after - before for before, after in itertools.pairwise(tops[1:])]
        spanned = headings[len(rows) : len(rows) + table.rows() - 1]  # its data rows'
        rows += [_Strip(*pair) for pair in itertools.pairwise(edges[1:])]
        cells += _table_cells(table, layout, edges, padding, spanned)
    slack = pages.mm(PAGE_SLACK_MM)
    end = text.size().height()
    breaks = page_breaks(
        first_page=pages.body - preamble - header - slack,
        other_pages=pages.body - header - slack,
        heights=heights,
        headings=headings,
        tail=end - layout.frameBoundingRect(tables[-1]).bottom() if tables else 0.0,
    )
    cut = functools.partial(_clean_cut, text, pages.width)
    paged = _paged(rows, breaks, heading=heading, end=end, body=pages.body, cut=cut)
    return _LaidOut(text, paged, cells)


def _table_cells(
    table: QTextTable,
    layout: QAbstractTextDocumentLayout,
    edges: Sequence[float],
    padding: float,
    spanned: Sequence[bool],
) -> list[_Cells]:
    """A table's rows (its header row first) as their rules see them: the header row's cells
    say where the columns start; a row that may span columns (`spanned`, by data row: a
    project's or task's) is asked which of its cells do."""

    def left(row: int, column: int) -> float:
        block = table.cellAt(row, column).firstCursorPosition().block()
        return layout.blockBoundingRect(block).left() - padding

    columns = table.columns()
    last = table.cellAt(0, columns - 1).firstCursorPosition().block()
    right = layout.blockBoundingRect(last).right() + padding
    full = (*(left(0, column) for column in range(columns)), right)
    spans = [False, *spanned]
    found = []
    for row, (top, bottom) in enumerate(itertools.pairwise(edges)):
        starts = full
        if spans[row]:
            starts = (
                *(full[c] for c in range(columns) if table.cellAt(row, c).column() == c),
                right,
            )
        found.append(_Cells(top, bottom, starts))
    return found


def _clean_cut(text: QTextDocument, width: float, top: float, limit: float) -> float:
    """Where a band taller than a page ends on it: at `limit`, or above the line of text that
    `limit` would cut through in any column (the line goes over to the next page whole)."""
    layout = text.documentLayout()
    cut = limit
    for step in range(CUT_PROBES):
        position = layout.hitTest(
            QPointF(width * (step + 0.5) / CUT_PROBES, limit), Qt.HitTestAccuracy.FuzzyHit
        )
        if position < 0:
            continue
        block = text.findBlock(position)
        origin = layout.blockBoundingRect(block).top()
        lines = block.layout()
        for number in range(lines.lineCount()):
            line = lines.lineAt(number)
            if origin + line.y() < limit < origin + line.y() + line.height():
                cut = min(cut, origin + line.y())
    return cut if cut > top else limit


def _paged(
    rows: Sequence[_Strip],
    breaks: Sequence[int],
    *,
    heading: _Strip,
    end: float,
    body: float,
    cut: Callable[[float, float], float],
) -> list[list[_Strip]]:
    """The bands each page prints: the first page from the document's top, each later one the
    header row and then its rows; the last page to the document's end (the source and the
    signatures). A band taller than a page (a very long note) runs over onto the next."""
    bounds = [0, *breaks, len(rows)]
    planned: list[list[_Strip]] = []
    for page, (begin, stop) in enumerate(itertools.pairwise(bounds)):
        bands = [heading] if page else []
        for row in rows[begin:stop]:
            if bands and bands[-1] is not heading and bands[-1].bottom == row.top:
                bands[-1] = _Strip(bands[-1].top, row.bottom)  # the next row of the same table
            else:
                bands.append(row)
        planned.append(bands)
    first = planned[0]
    planned[0] = [_Strip(0.0, first[0].bottom if first else end), *first[1:]]
    last = planned[-1]
    if last and last[-1] is not heading:
        last[-1] = _Strip(last[-1].top, end)
    elif len(planned) > 1:
        last.append(_Strip(rows[-1].bottom, end))
    pages: list[list[_Strip]] = []
    for bands in planned:
        printed: list[_Strip] = []
        room = body
        for band in bands:
            top = band.top
            while band.bottom - top > room:
                if room > 0:
                    end_here = cut(top, top + room)
                    printed.append(_Strip(top, end_here))
                    top = end_here
                pages.append(printed)
                printed, room = [heading], max(body - heading.height, 1.0)
            printed.append(_Strip(top, band.bottom))
            room -= band.bottom - top
        pages.append(printed)
    return pages


def _headings(document: Document) -> list[bool]:
    if isinstance(document, StatusSheet):
        return [row.kind is not RowKind.INDICATOR for row in document.rows]
    return [False] * len(document.items)


def page_breaks(
    *,
    first_page: float,
    other_pages: float,
    heights: Sequence[float],
    headings: Sequence[bool],
    tail: float,
) -> list[int]:
    """Where new pages start: each row on the first page it fits on whole (a row taller than a
    page starts a page and runs over), headings with the row below them, then the tail (source
    and signatures) with at least the last KEEP_WITH_SIGNATURE rows, unless it fits under them.
    """
    breaks: list[int] = []
    room = first_page
    for row, height in enumerate(heights):
        page_start = breaks[-1] if breaks else 0
        if height > room and row > page_start:
            cut = row
            while cut - 1 > page_start and headings[cut - 1]:
                cut -= 1  # a heading goes over with its first row
            breaks.append(cut)
            room = other_pages - sum(heights[cut:row])
        room -= height
    if tail > room and heights:
        page_start = breaks[-1] if breaks else 0
        moved = min(KEEP_WITH_SIGNATURE, len(heights) - page_start - 1)
        if moved > 0:
            breaks.append(len(heights) - moved)
    return breaks


def _layout(document: Document, device: QPagedPaintDevice, *, cuts: Sequence[int]) -> QTextDocument:
    text = QTextDocument()
    text.documentLayout().setPaintDevice(device)
    text.setDefaultFont(QFont(print_font_family(), BODY_POINTS))
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    text.setDefaultTextOption(option)
    text.setDocumentMargin(0)
    if isinstance(document, StatusSheet):
        text.setHtml(sheet_html(document, cuts))
    else:
        text.setHtml(notice_html(document, cuts))
    return text


def _paint_furniture(
    painter: QPainter, pages: _Pages, document: Document, number: int, count: int
) -> None:
    """The running header (plan, month) and the footer (document, page x / y, generated)."""
    font = QFont(print_font_family(), 7)
    painter.setFont(font)
    painter.setPen(QColor("#555555"))
    top = QRectF(0, 0, pages.width, pages.header - pages.mm(1.5))
    painter.drawText(
        top, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, document.plan_title
    )
    painter.drawText(
        top,
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom,
        f"数据截至 {month_text(document.as_of)}",
    )
    bottom = QRectF(0, pages.header + pages.body + pages.mm(2), pages.width, pages.footer)
    painter.drawText(
        bottom, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, title_of(document)
    )
    painter.drawText(
        bottom,
        Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
        f"第 {number} 页 / 共 {count} 页",
    )
    painter.drawText(
        bottom,
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
        f"目标任务监测 {__version__} · 生成于 {document.generated_at:%Y-%m-%d %H:%M}",
    )
    painter.setPen(QColor("#b0b0b0"))
    painter.drawLine(
        0, round(pages.header - pages.mm(1)), round(pages.width), round(pages.header - pages.mm(1))
    )
    if document.demo:  # generated figures must never pass for reported ones
        label = QFont(print_font_family(), 9)
        label.setBold(True)
        painter.setFont(label)
        painter.setPen(QColor(DEMO_COLOUR))
        painter.drawText(
            top, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, DEMO_LABEL
        )


def paint_documents(
    device: QPagedPaintDevice,
    documents: Sequence[Document],
    progress: Progress | None = None,
) -> int:
    """Paint the documents on the device's pages, each starting on a new page; the pages."""
    pages = _Pages(device)
    laid_out = [_laid_out(document, device, pages) for document in documents]
    total = sum(len(laid.pages) for laid in laid_out)
    painter = QPainter()
    if not painter.begin(device):
        raise TargetMonitorError("the printer or file could not be opened for writing")
    rule = pages.dpi / CSS_DPI  # a CSS pixel, as Qt drew a table's border
    pen = QPen(QColor(RULE_COLOUR), rule)
    pen.setCapStyle(Qt.PenCapStyle.SquareCap)
    painted = 0
    try:
        for document, laid in zip(documents, laid_out, strict=True):
            count = len(laid.pages)
            layout = laid.text.documentLayout()
            for page, bands in enumerate(laid.pages):
                if progress and not progress(painted, total):
                    raise ReportCancelled("cancelled; nothing was written")
                if painted:
                    device.newPage()
                _paint_furniture(painter, pages, document, page + 1, count)
                y = pages.header
                for band in bands:
                    painter.save()
                    painter.translate(0, y - band.top)
                    context = QAbstractTextDocumentLayout.PaintContext()
                    context.clip = QRectF(0, band.top, pages.width, band.height)
                    painter.setClipRect(context.clip)
                    # Only what lies in the band is drawn, so the PDF's text holds each row
                    # once (a band starts below the rule over its row and ends below the rule
                    # under it); the lines of a row taller than a page, cut where the page
                    # ends, are drawn on both pages.
                    layout.draw(painter, context)
                    # the rules at the band's edges whole (half of each lies outside it)
                    painter.setClipRect(context.clip.adjusted(0, -rule, 0, rule))
                    painter.setPen(pen)
                    painter.drawLines(laid.rules(band))
                    painter.restore()
                    y += band.height
                painted += 1
    finally:
        painter.end()
    if progress:
        progress(total, total)
    return total


def write_pdf(
    path: Path, documents: Sequence[Document], progress: Progress | None = None
) -> PdfInfo:
    """Write the documents as one PDF, atomically: a cancelled or failed run leaves no file."""
    if not documents:
        raise TargetMonitorError("nothing to print: no document in the chosen scope")
    path = Path(path)
    try:
        temporary = new_file_beside(path, ".pdf")
    except OSError as error:
        raise TargetMonitorError(f"{path}: cannot write here ({error.strerror})") from None
    try:
        writer = QPdfWriter(str(temporary))
        writer.setResolution(RESOLUTION)
        writer.setPageLayout(page_layout())
        writer.setTitle(title_of(documents[0]))
        writer.setCreator(f"目标任务监测 {__version__}")
        pages = paint_documents(writer, documents, progress)
        del writer  # flushes and closes the file
        os.replace(temporary, path)
    except OSError as error:
        raise TargetMonitorError(
            f"{path}: could not be written ({error.strerror}); is it open in a PDF viewer?"
        ) from None
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return PdfInfo(path, pages, len(documents))
