"""The printed status sheet (进度情况表) and supervision notice (督办单): content, pages, PDF."""

from __future__ import annotations

import itertools
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from PySide6.QtGui import QPdfWriter
from PySide6.QtPrintSupport import QPrintPreviewWidget
from PySide6.QtWidgets import QDialog

from desktop.cli import main
from desktop.exchange.report import ReportCancelled
from desktop.models.errors import TargetMonitorError
from desktop.models.opening import open_database
from desktop.models.service import EntryService
from desktop.models.status_rule import Status
from desktop.models.store import Database
from desktop.models.workspace import PlanWorkspace
from desktop.presentation.status_sheet import (
    RowKind,
    SupervisionNotice,
    build_documents,
    build_notices,
    build_status_sheet,
)
from tests.conftest import new_entry
from tests.ui_helpers import ScriptedPrompts, messages

from desktop.ui.main_window import MainWindow
from desktop.ui.print_dialog import PreviewDialog, PrintDialog, PrintOutput
from desktop.ui.printing import (
    MEASURE_ROWS,
    SHEET_COLUMNS,
    _laid_out,
    _paged,
    _Pages,
    _Strip,
    page_breaks,
    page_layout,
    print_font_family,
    write_pdf,
)
from desktop.ui.prompts import FileKind

SENTENCE = "第{:03d}条进展:完成设备更新项目现场核查并录入台账。"
LONG_NOTE = "".join(SENTENCE.format(n) for n in range(1, 41))


@pytest.fixture
def reported(database: Database) -> PlanWorkspace:
    """June 2025: one indicator on pace, one far behind, one a little behind, notes typed."""
    workspace = PlanWorkspace(database, as_of="2025-06")
    ids = {i.code: i.id for i in workspace.indicators.values()}
    EntryService(database, "张三").apply(
        [
            new_entry(ids["2.1.1-1"], "2025-06", value=150),  # 50 %: 正常
            new_entry(
                ids["4.1.3-2"], "2025-06", value=150, problems="算力缺口 <大> & “急”"
            ),  # 15 % of 1000P: 严重滞后
            new_entry(ids["2.1.2-1"], "2025-06", value=11),  # 科技局, 滞后
            new_entry(ids["2.2.1-2"], "2025-05", value=45, progress_note=LONG_NOTE),
        ]
    )
    workspace.refresh(ids.values())
    return workspace


def pdf_pages(path: Path) -> list[str]:
    """Each page's text with the layout's spaces and line breaks taken out."""
    return [re.sub(r"\s+", "", page.extract_text()) for page in PdfReader(path).pages]


def body_text(pages: list[str]) -> str:
    """The pages' text in reading order without the running header, footer and table header
    (painted first on each page), so that text running over a page reads on."""
    furniture = re.compile(r"^.*?生成于\d{4}-\d{2}-\d{2}\d{2}:\d{2}")
    return "".join(
        furniture.sub("", page).replace("编码名称牵头单位目标最新值完成率序时进度状态进展情况", "")
        for page in pages
    )


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- what the documents say ----------------------------------------------------------------


def test_the_sheet_groups_indicators_under_their_project_and_task(
    reported: PlanWorkspace,
) -> None:
    sheet = build_status_sheet(reported)
    assert len(sheet.indicator_rows) == 48
    kinds = [row.kind for row in sheet.rows]
    assert kinds.count(RowKind.PROJECT) == 6 and kinds.count(RowKind.TASK) == 12
    rows = {row.code: row for row in sheet.rows}
    assert rows["4.1.3-2"].status is Status.RED and rows["4.1.3-2"].latest == "150 P"
    assert rows["4.1.3-2"].problems == "算力缺口 <大> & “急”"
    # An older report says which month it is from; its notes come with it.
    assert rows["2.2.1-2"].latest == "45 户(2025年5月)"
    assert rows["2.2.1-2"].progress_note == LONG_NOTE
    assert rows["1.2.1-1"].target == "2025-12-31前完成"  # a milestone
    assert sheet.summary == reported.plan_rollup


def test_a_department_sheet_holds_only_its_indicators_and_their_own_figures(
    reported: PlanWorkspace,
) -> None:
    science = reported.department_named("科技局")
    sheet = build_status_sheet(reported, department=science)
    assert [row.code for row in sheet.rows] == [
        "2",
        "2.1",
        "2.1.2-1",
        "4",
        "4.1",
        "4.1.3-1",
        "4.1.3-2",
    ]
    assert sheet.reporting_unit == science.name == sheet.subject
    # The headings show the department's share, not the whole project's.
    assert sheet.rows[0].completion == pytest.approx(11 / 30)
    assert sheet.summary.counts == {Status.YELLOW: 1, Status.RED: 1, Status.NOT_REPORTED: 1}


def test_notices_list_each_departments_red_then_yellow_indicators(
    reported: PlanWorkspace,
) -> None:
    notices = build_notices(reported)
    assert [(n.department.short_name, [i.code for i in n.items]) for n in notices] == [
        ("科技局", ["4.1.3-2", "2.1.2-1"]),  # red, then yellow
    ]
    item = notices[0].items[0]
    assert item.points_behind == pytest.approx((item.expected - 0.15) * 100)
    node = reported.node_coded("2").id
    assert [n.department.short_name for n in build_notices(reported, node_id=node)] == ["科技局"]


# --- pages -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heights", "headings", "tail", "expected"),
    [
        ([10] * 4, [False] * 4, 5, []),  # all on one page, the signature below
        ([10] * 12, [False] * 12, 0, [5, 9]),  # 5 rows on the first page, 4 on the others
        ([10] * 5, [False] * 5, 5, [3]),  # a full page: the signature takes two rows along
        ([10, 10, 10, 10, 10, 10], [False, False, False, False, True, False], 0, [4]),
        ([10, 200, 10], [False] * 3, 0, [1, 2]),  # a row taller than a page stands alone
        ([10], [False], 100, []),  # one row cannot leave its page empty
    ],
)
def test_page_breaks(
    heights: list[float], headings: list[bool], tail: float, expected: list[int]
) -> None:
    breaks = page_breaks(
        first_page=50, other_pages=45, heights=heights, headings=headings, tail=tail
    )
    assert breaks == expected


def test_each_page_prints_the_header_row_and_its_rows_once_and_a_tall_row_runs_over() -> None:
    """The bands of the one layout each page prints: the first page from the document's top, each
    later one the header row then its rows (consecutive rows as one band), the last to the end;
    a row taller than a page goes on over the next pages, cut where no line is cut."""
    heading = _Strip(10.0, 20.0)
    edges = [20.0, 50.0, 80.0, 110.0, 400.0, 430.0]  # the fourth row is taller than a page
    rows = [_Strip(top, bottom) for top, bottom in itertools.pairwise(edges)]
    cuts: list[tuple[float, float]] = []

    def cut(top: float, limit: float) -> float:
        cuts.append((top, limit))
        return limit - 5  # above a line that the page's end would cut

    pages = _paged(rows, [2, 3, 4], heading=heading, end=460.0, body=120.0, cut=cut)
    assert pages == [
        [_Strip(0.0, 80.0)],
        [heading, _Strip(80.0, 110.0)],
        [heading, _Strip(110.0, 215.0)],
        [heading, _Strip(215.0, 320.0)],
        [heading, _Strip(320.0, 400.0)],
        [heading, _Strip(430.0 - 30.0, 460.0)],
    ]
    assert cuts == [(110.0, 220.0), (215.0, 325.0)]
    assert all(sum(band.height for band in page) <= 120.0 for page in pages)


def test_every_printed_row_and_cell_is_ruled_off(
    qapp: object, reported: PlanWorkspace, tmp_path: Path
) -> None:
    """The pages draw the table's rules themselves: over and under each row a page prints
    (the header row again on each page), and between its cells, in the columns' places; a
    project's or task's name spans three columns without a rule inside it."""
    sheet = build_documents(reported, sheet=True, notices=False)[0]
    writer = QPdfWriter(str(tmp_path / "rules.pdf"))
    writer.setPageLayout(page_layout())
    laid = _laid_out(sheet, writer, _Pages(writer))
    header, rows = laid.cells[0], laid.cells[1:]
    assert len(header.edges) == len(SHEET_COLUMNS) + 1
    assert len(laid.pages) >= 3 and len(rows) == len(sheet.rows) + 1  # the 2nd table's header
    ruled_rows = 0
    for page in laid.pages:
        for band in page:
            lines = laid.rules(band)
            across = {(line.y1(), line.x1(), line.x2()) for line in lines if line.dy() == 0}
            down = {(line.x1(), line.y1(), line.y2()) for line in lines if line.dx() == 0}
            shown = [row for row in laid.cells if row.bottom > band.top and row.top < band.bottom]
            for row in shown:
                left, right = row.edges[0], row.edges[-1]
                assert (row.top, left, right) in across and (row.bottom, left, right) in across
                assert all((x, row.top, row.bottom) in down for x in row.edges)
            assert len(lines) == sum(2 + len(row.edges) for row in shown)  # nothing else
            ruled_rows += len(shown)
    assert ruled_rows > len(sheet.rows)  # every row, the header row on every page
    for number, row in enumerate(sheet.rows):
        cells = laid.cells[1 + number + number // MEASURE_ROWS]  # a header row per table
        if row.kind is RowKind.INDICATOR:
            assert cells.edges == header.edges  # the columns line up under the header
        else:
            assert cells.edges == (*header.edges[:2], *header.edges[4:])  # 名称 spans three


def test_the_plan_pdf_repeats_headers_and_prints_every_indicator_once(
    qapp: object, reported: PlanWorkspace, tmp_path: Path
) -> None:
    path = tmp_path / "plan.pdf"
    documents = build_documents(reported)
    info = write_pdf(path, documents)
    pages = pdf_pages(path)
    sheet_pages = int(re.search(r"第1页/共(\d+)页", pages[0]).group(1))  # type: ignore[union-attr]
    notices = [d for d in documents if isinstance(d, SupervisionNotice)]
    # The sheet's pages, then one page for each department's notice (科技局's only).
    assert len(notices) == 1 and info.pages == len(pages) == sheet_pages + 1
    assert sheet_pages >= 3  # 64 rows do not fit on fewer A4 landscape pages
    for number, page in enumerate(pages[:sheet_pages], start=1):
        assert f"第{number}页/共{sheet_pages}页" in page
        assert "编码名称牵头单位目标最新值完成率序时进度状态进展情况" in page  # header repeated
    sheet_text = "".join(pages[:sheet_pages])
    for indicator in reported.indicators.values():
        assert sheet_text.count(squeeze(indicator.name)) >= 1, indicator.name
        assert sheet_text.count(f"{indicator.code}") == 1, indicator.code
    for word in ("正常", "滞后", "严重滞后", "未填报", "已完成"):  # the legend and the rows
        assert word in sheet_text
    assert "数据截至:2025年6月" in pages[0] and "进度情况表" in pages[0]
    assert "审核人" in pages[sheet_pages - 1] and "审核人" not in pages[0]
    assert "算力缺口<大>&“急”" in sheet_text  # typed text printed as typed, not as markup
    assert "督办单" in pages[sheet_pages] and "市科技局" in pages[sheet_pages]
    assert "全市智能算力" in pages[sheet_pages] and "严重滞后" in pages[sheet_pages]


def test_a_long_note_wraps_within_its_column_and_is_printed_whole(
    qapp: object, reported: PlanWorkspace, tmp_path: Path
) -> None:
    path = tmp_path / "plan.pdf"
    write_pdf(path, build_documents(reported, sheet=True, notices=False))
    reader = PdfReader(path)
    text = body_text(pdf_pages(path))
    # Every sentence, in order, though the note runs over a page (where Qt repeats the line
    # above the page in the PDF's text, hidden by the clip).
    positions = [
        text.find(f"第{n:03d}条进展:完成设备更新项目现场核查并录入台账。") for n in range(1, 41)
    ]
    assert -1 not in positions and positions == sorted(positions)
    width = float(reader.pages[0].mediabox.width)
    lines: set[float] = set()
    for page in reader.pages:

        def visit(part: str, cm: list[float], tm: list[float], *_rest: object) -> None:
            if "条进展" in part:
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]  # the text's start on the page
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                lines.add(round(y))
                assert width * 0.6 < x < width - 30  # in the 进展情况 column, inside the margin

        page.extract_text(visitor_text=visit)
    assert len(lines) >= 8  # 40 sentences wrapped over many lines of the 进展情况 column


def test_text_in_the_pdf_is_the_text_people_search_for(
    qapp: object, reported: PlanWorkspace, tmp_path: Path
) -> None:
    """Copying or searching the PDF yields ideographs (工业), not look-alike radicals (⼯业)."""
    path = tmp_path / "plan.pdf"
    write_pdf(path, build_documents(reported, notices=False))
    text = "".join(pdf_pages(path))
    assert "规上工业" in text or "工业" in text
    assert not re.search(r"[\u2e80-\u2fdf]", text), print_font_family()
    assert "进度情况表进度情况表" not in text  # no faked bold drawing the title twice


def test_a_department_pdf_is_its_sheet_page_and_its_notice_page(
    qapp: object, reported: PlanWorkspace, tmp_path: Path
) -> None:
    path = tmp_path / "science.pdf"
    department = reported.department_named("科技局")
    info = write_pdf(path, build_documents(reported, department=department))
    pages = pdf_pages(path)
    assert info.pages == len(pages) == 2
    assert "进度情况表" in pages[0] and "填报单位:市科技局" in pages[0]
    assert "工业领域关键核心技术攻关" in pages[0] and "第1页/共1页" in pages[0]
    assert "滚动实施设备更新" not in pages[0]  # another department's indicator
    assert "督办单" in pages[1] and "督办对象:市科技局" in pages[1] and "滞后" in pages[1]


def test_the_sheet_names_its_source_as_a_person_would(
    qapp: object, reported: PlanWorkspace, tmp_path: Path
) -> None:
    path = tmp_path / "plan.pdf"
    write_pdf(path, build_documents(reported, notices=False))
    text = "".join(pdf_pages(path))
    assert "来源:2025年3月28日市政府新闻发布会" in text
    assert ".txt" not in text and "003_" not in text


def test_an_older_databases_file_name_source_prints_as_date_and_title(seed_copy: Path) -> None:
    """Databases made from an earlier seed hold the source as "file (title, date)"."""
    with sqlite3.connect(seed_copy) as connection:
        connection.execute(
            "UPDATE plans SET source = '003_2e6eae32420e2f95.txt "
            "(辽宁沈阳:多箭齐发 聚力攻坚 确保全面振兴新突破三年行动圆满收官, 2025-03-28)'"
        )
    connection.close()
    database = open_database(seed_copy)
    try:
        sheet = build_status_sheet(PlanWorkspace(database, as_of="2025-06"))
    finally:
        database.close()
    assert sheet.source == (
        "2025年3月28日《辽宁沈阳:多箭齐发 聚力攻坚 确保全面振兴新突破三年行动圆满收官》"
    )


def header_lines(page_text: str) -> list[str]:
    """The lines of a page's first table header, as a reader of the PDF sees them broken."""
    lines = page_text.splitlines()
    first = lines.index("编码")
    last = next(i for i, line in enumerate(lines) if line.startswith("进展情况"))
    return lines[first : last + 1]


def test_header_cells_break_between_words_never_inside_one(
    qapp: object, reported: PlanWorkspace, tmp_path: Path
) -> None:
    """The 督办单's narrow 落后(百分点) column once printed "落后(百分" over "点)"."""
    path = tmp_path / "plan.pdf"
    write_pdf(path, build_documents(reported))
    texts = [page.extract_text() for page in PdfReader(path).pages]
    sheet = header_lines(texts[0])
    notice = header_lines(next(text for text in texts if "督办对象" in text))
    assert sheet == [
        "编码",
        "名称",
        "牵头单位",
        "目标",
        "最新值",
        "完成率",
        "序时进度",
        "状态",
        "进展情况",
    ]
    assert notice == [
        "编码",
        "指标",
        "目标",
        "最新值",
        "完成率",
        "序时进度",
        "落后",
        "(百分点)",
        "状态",
        "进展情况及存在问题",
    ]


def test_writing_can_be_cancelled_and_leaves_no_file(
    qapp: object, reported: PlanWorkspace, tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(ReportCancelled):
        write_pdf(folder / "plan.pdf", build_documents(reported), lambda done, _total: done < 2)
    assert list(folder.iterdir()) == []
    with pytest.raises(TargetMonitorError, match="cannot write here"):
        write_pdf(tmp_path / "missing" / "plan.pdf", build_documents(reported))


# --- command line ----------------------------------------------------------------------------


def test_the_command_line_writes_the_pdf_without_a_display(
    reported: PlanWorkspace, tmp_path: Path
) -> None:
    path = tmp_path / "工信局.pdf"
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    environment["DISPLAY"] = ":97"  # names a display that is not there (an ssh session)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "desktop",
            "report",
            "--db",
            str(reported.database.path),
            "-o",
            str(path),
            "--period",
            "2025-06",
            "--department",
            "科技局",
        ],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    pages = pdf_pages(path)
    assert f"{len(pages)} pages (1 status sheet, 1 supervision notice)" in done.stdout
    assert "市科技局" in pages[0] and "督办单" in pages[-1]


def test_report_options_are_checked(
    reported: PlanWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(reported.database.path)
    assert main(["report", "--db", db, "-o", str(tmp_path / "x.txt")]) == 1
    assert "written as .xlsx or .pdf" in capsys.readouterr().err
    assert main(["report", "--db", db, "-o", str(tmp_path / "x.xlsx"), "--node", "2"]) == 1
    assert "the workbook always covers the whole plan" in capsys.readouterr().err
    assert main(["report", "--db", db, "-o", str(tmp_path / "x.pdf"), "--node", "9"]) == 1
    assert "no project, task or measure '9'" in capsys.readouterr().err
    args = ["report", "--db", db, "-o", str(tmp_path / "x.pdf"), "--period", "2025-01"]
    assert main([*args, "--documents", "notices"]) == 0  # nothing behind in January
    assert "nothing to print" in capsys.readouterr().out
    assert not (tmp_path / "x.pdf").exists()


# --- the window ------------------------------------------------------------------------------


def test_print_preview_from_the_window_shows_the_pages(
    window: MainWindow, prompts: ScriptedPrompts, qtbot: QtBot
) -> None:
    window.print_action.trigger()
    chooser, preview = prompts.asked
    assert isinstance(chooser, PrintDialog) and isinstance(preview, PreviewDialog)
    widget = preview.findChild(QPrintPreviewWidget)
    widget.updatePreview()
    assert preview.pages == widget.pageCount() >= 3
    preview.deleteLater()


def test_export_pdf_from_the_window_for_the_filtered_department(
    window: MainWindow, prompts: ScriptedPrompts, qtbot: QtBot, tmp_path: Path
) -> None:
    window.department_filter.setCurrentIndex(window.department_filter.findText("城乡建设局"))
    target = tmp_path / "chosen"

    def choose(dialog: QDialog) -> bool:
        assert isinstance(dialog, PrintDialog)
        assert dialog.choice().department is not None  # the filtered department preselected
        assert dialog.choice().department.short_name == "城乡建设局"  # type: ignore[union-attr]
        dialog.notices.setChecked(False)
        dialog.pdf_button.click()
        return dialog.output is PrintOutput.PDF

    prompts.on(PrintDialog, choose)
    prompts.path = target
    window.print_action.trigger()
    assert prompts.files == [FileKind.PDF]
    written = tmp_path / "chosen.pdf"
    qtbot.waitUntil(written.exists, timeout=10000)
    pages = pdf_pages(written)
    assert len(pages) == 1 and "市城乡建设局" in pages[0] and "督办单" not in pages[0]
    assert str(written) in window.statusBar().currentMessage()


def test_nothing_to_print_is_said_not_printed(window: MainWindow, prompts: ScriptedPrompts) -> None:
    def choose(dialog: QDialog) -> bool:
        assert isinstance(dialog, PrintDialog)
        dialog.sheet.setChecked(False)
        assert dialog.pdf_button.isEnabled()
        dialog.notices.setChecked(False)
        assert not dialog.pdf_button.isEnabled()  # nothing chosen, nothing to print
        dialog.notices.setChecked(True)
        return True

    prompts.on(PrintDialog, choose)
    window.print_action.trigger()
    assert any("Nothing to print: no indicator is behind" in m for m in messages(window))
