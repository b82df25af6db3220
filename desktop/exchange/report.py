"""The status workbook (汇总报表): a summary, one sheet per project, native line charts."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.formatting.rule import Rule
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from desktop.exchange.xlsx import CellFactory, CellValue, save_atomically
from desktop.models.changes import Progress
from desktop.models.errors import TargetMonitorError
from desktop.models.history import EntryDetails, entries_details
from desktop.models.workspace import PlanWorkspace
from desktop.presentation.wording import (
    DEMO_COLOUR,
    DEMO_LABEL,
    STATUS_ORDER,
    STATUS_TINTS,
    STATUS_WORDS,
    percent_text,
    target_cell,
)

HEADER_FILL = PatternFill("solid", start_color="D9E2F3")
PERCENT = "0.0%"
# Named styles: one lookup per cell rather than new style objects (ten thousand rows).
PERCENT_STYLE, WRAPPED_STYLE = "tm_percent", "tm_wrapped"
SUMMARY_SHEET = "汇总"
INDICATOR_HEADERS = (
    "编码",
    "任务",
    "举措",
    "指标",
    "责任单位",
    "单位",
    "目标",
    "最新值",
    "最新期",
    "完成率",
    "序时进度",
    "状态",
    "进展情况",
    "存在问题及下步措施",
)


class ReportCancelled(TargetMonitorError):
    """The user cancelled writing the report; no file was written."""


@dataclass(frozen=True)
class ReportInfo:
    path: Path
    as_of: str
    sheets: int
    indicators: int


def _sheet_title(text: str) -> str:
    """A valid, unique-enough sheet name (Excel allows 31 characters and no []:*?/\\)."""
    return re.sub(r"[\[\]:*?/\\]", " ", text)[:31]


def _monthly(workspace: PlanWorkspace, node_ids: list[int]) -> list[tuple[str, list[float]]]:
    """For each month up to as_of: the plan's completion and 序时进度, then each node's."""
    history = workspace.monthly_rollups([None, *node_ids])
    rows = []
    for number, month in enumerate(workspace.months[: len(history[None])]):
        values: list[float] = []
        for node_id in (None, *node_ids):
            rollup = history[node_id][number]
            values += [rollup.completion, rollup.expected]
        rows.append((month, values))
    return rows


def _header(sheet: Worksheet, row: int, titles: tuple[str, ...] | list[str]) -> None:
    for column, title in enumerate(titles, start=1):
        cell = sheet.cell(row, column, title)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _rgb(colour: str) -> str:
    """A "#rrggbb" colour as openpyxl writes it."""
    return colour.lstrip("#").upper()


def _status_colours(sheet: Worksheet, cells: str) -> None:
    for status in STATUS_ORDER:
        colour = _rgb(STATUS_TINTS[status])
        fill = PatternFill("solid", start_color=colour, end_color=colour)
        rule = Rule(
            type="cellIs",
            operator="equal",
            formula=[f'"{STATUS_WORDS[status]}"'],
            dxf=DifferentialStyle(fill=fill),
        )
        sheet.conditional_formatting.add(cells, rule)


def _print_setup(sheet: Worksheet, header_row: int) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.freeze_panes = f"A{header_row + 1}"


def write_report(
    workspace: PlanWorkspace, path: Path, *, progress: Progress | None = None
) -> ReportInfo:
    """Write the status workbook as of the workspace's month (atomically)."""
    projects = list(workspace.root_ids)
    total = len(projects) + 1
    if progress and not progress(0, total):
        raise ReportCancelled("cancelled; no report was written")
    workbook = Workbook()
    summary = workbook.active
    assert summary is not None
    summary.title = SUMMARY_SHEET
    workbook.add_named_style(NamedStyle(name=PERCENT_STYLE, number_format=PERCENT))
    workbook.add_named_style(
        NamedStyle(name=WRAPPED_STYLE, alignment=Alignment(wrap_text=True, vertical="top"))
    )
    monthly = _monthly(workspace, projects)
    _write_summary(summary, workspace, projects, monthly)
    details = entries_details(workspace.database, list(workspace.indicators), workspace.as_of)
    for done, project_id in enumerate(projects, start=1):
        if progress and not progress(done, total):
            raise ReportCancelled("cancelled; no report was written")
        project = workspace.nodes[project_id]
        sheet = workbook.create_sheet(_sheet_title(f"{project.code} {project.title}"))
        _write_project(
            sheet,
            workspace,
            project_id,
            details=details,
            monthly=monthly,
            position=projects.index(project_id),
        )
    if workspace.demo:
        _label_demo(workbook)
    save_atomically(workbook, path)
    if progress:
        progress(total, total)
    return ReportInfo(path, workspace.as_of, len(workbook.sheetnames), len(workspace.indicators))


def _label_demo(workbook: Workbook) -> None:
    """Generated figures say so: beside every sheet's title and in every printed page's header."""
    workbook.properties.keywords = DEMO_LABEL
    for sheet in workbook.worksheets:
        sheet["A3"] = f"【{DEMO_LABEL}】本表数据由演示功能生成,不是各单位填报的数据。"
        sheet["A3"].font = Font(bold=True, color=_rgb(DEMO_COLOUR))
        header = sheet.oddHeader
        assert header is not None  # openpyxl gives every new sheet its header and footer
        header.center.text = DEMO_LABEL
        header.center.color = _rgb(DEMO_COLOUR)


def _write_summary(
    sheet: Worksheet,
    workspace: PlanWorkspace,
    projects: list[int],
    monthly: list[tuple[str, list[float]]],
) -> None:
    plan = workspace.plan_rollup
    sheet["A1"] = f"{workspace.plan.title} — 进度情况汇总表"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = (
        f"数据截至 {workspace.as_of};总体完成率 {percent_text(plan.completion)},"
        f"序时进度 {percent_text(plan.expected)};生成于 {dt.datetime.now():%Y-%m-%d %H:%M}"
    )
    counted = [STATUS_WORDS[status] for status in STATUS_ORDER]
    titles = ["编码", "工程", "完成率", "序时进度", "状态", *counted]
    _header(sheet, 4, titles)
    for offset, project_id in enumerate(projects):
        row = 5 + offset
        project = workspace.nodes[project_id]
        rollup = workspace.rollups[project_id]
        values: list[CellValue] = [
            project.code,
            project.title,
            rollup.completion,
            rollup.expected,
            STATUS_WORDS[rollup.status],
        ]
        values += [rollup.counts.get(status, 0) for status in STATUS_ORDER]
        for column, value in enumerate(values, start=1):
            sheet.cell(row, column, value)
        sheet.cell(row, 3).number_format = PERCENT
        sheet.cell(row, 4).number_format = PERCENT
    last = 4 + len(projects)
    _status_colours(sheet, f"E5:E{last}")
    for letter, width in zip("ABCDEFGHIJ", (8, 34, 10, 10, 10, 8, 8, 8, 8, 8), strict=True):
        sheet.column_dimensions[letter].width = width
    # Completion by month: the plan against its 序时进度, and each project.
    start = last + 3
    sheet.cell(start - 1, 1, "按月完成情况").font = Font(bold=True)
    names = ["月份", "总体完成率", "序时进度"] + [workspace.nodes[p].code for p in projects]
    _header(sheet, start, names)
    for offset, (month, figures) in enumerate(monthly, start=1):
        sheet.cell(start + offset, 1, month)
        shown = figures[:2] + figures[2::2]  # the projects' completions, not their 序时进度
        for column, figure in enumerate(shown, start=2):
            sheet.cell(start + offset, column, figure).number_format = PERCENT
    if monthly:
        chart = LineChart()
        chart.title = "完成率与序时进度(按月)"
        chart.y_axis.title = "完成率"
        chart.y_axis.number_format = "0%"
        chart.x_axis.title = "月份"
        data = Reference(
            sheet, min_col=2, max_col=len(names), min_row=start, max_row=start + len(monthly)
        )
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(
            Reference(sheet, min_col=1, min_row=start + 1, max_row=start + len(monthly))
        )
        chart.height, chart.width = 9, 18
        sheet.add_chart(chart, f"L{start}")
    _print_setup(sheet, 4)


def _write_project(
    sheet: Worksheet,
    workspace: PlanWorkspace,
    project_id: int,
    *,
    details: Mapping[int, EntryDetails],
    monthly: list[tuple[str, list[float]]],
    position: int,
) -> None:
    project = workspace.nodes[project_id]
    rollup = workspace.rollups[project_id]
    sheet["A1"] = f"{project.code} {project.title}"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = (
        f"数据截至 {workspace.as_of};完成率 {percent_text(rollup.completion)},"
        f"序时进度 {percent_text(rollup.expected)},状态 {STATUS_WORDS[rollup.status]}"
    )
    _header(sheet, 4, INDICATOR_HEADERS)
    cells = CellFactory(sheet, (PERCENT_STYLE, WRAPPED_STYLE))
    row = 4
    for indicator_id in workspace.indicators_under(project_id):
        row += 1
        indicator = workspace.indicators[indicator_id]
        measure = workspace.nodes[indicator.measure_id]
        task = workspace.nodes[measure.parent_id] if measure.parent_id else measure
        assessment = workspace.assessments[indicator_id]
        latest = workspace.latest(indicator_id)
        shown: CellValue = None
        if latest is not None:
            entry = latest[1]
            shown = entry.state.value if entry.state is not None else entry.value
        detail = details.get(indicator_id)
        # the row's cells made with their styles, appended at once (row `row`)
        sheet.append(
            [
                indicator.code,
                cells.make(f"{task.code} {task.title}", WRAPPED_STYLE),
                cells.make(f"{measure.code} {measure.title}", WRAPPED_STYLE),
                cells.make(indicator.name, WRAPPED_STYLE),
                workspace.departments[indicator.department_id].short_name,
                indicator.unit or "—",
                target_cell(indicator),
                shown,
                None if latest is None else latest[0],
                cells.make(assessment.completion, PERCENT_STYLE),
                cells.make(assessment.expected, PERCENT_STYLE),
                STATUS_WORDS[assessment.status],
                # typed by users: always text, never a formula
                cells.make(detail.progress_note if detail else None, WRAPPED_STYLE, text=True),
                cells.make(detail.problems if detail else None, WRAPPED_STYLE, text=True),
            ]
        )
    _status_colours(sheet, f"L5:L{max(row, 5)}")
    widths = (9, 22, 24, 30, 10, 6, 10, 10, 9, 9, 9, 9, 36, 36)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[chr(ord("A") + column - 1)].width = width
    # The project's completion by month, with the plan's 序时进度, as a native line chart.
    start = row + 3
    _header(sheet, start, ["月份", "完成率", "序时进度"])
    for offset, (month, figures) in enumerate(monthly, start=1):
        sheet.cell(start + offset, 1, month)
        sheet.cell(start + offset, 2, figures[2 + 2 * position]).number_format = PERCENT
        sheet.cell(start + offset, 3, figures[3 + 2 * position]).number_format = PERCENT
    if monthly:
        chart = LineChart()
        chart.title = f"{project.code} 完成率与序时进度"
        chart.y_axis.number_format = "0%"
        chart.add_data(
            Reference(sheet, min_col=2, max_col=3, min_row=start, max_row=start + len(monthly)),
            titles_from_data=True,
        )
        chart.set_categories(
            Reference(sheet, min_col=1, min_row=start + 1, max_row=start + len(monthly))
        )
        chart.height, chart.width = 8, 16
        sheet.add_chart(chart, f"E{start}")
    _print_setup(sheet, 4)
