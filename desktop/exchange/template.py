"""Writing a department's monthly template (docs/guide.md, "Excel exchange"): hard to fill wrongly,
easy to check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from desktop.exchange.layout import (
    ENTRY_SHEET,
    FIRST_DATA_ROW,
    FORMAT_VERSION,
    GUIDE_SHEET,
    HEADER_ROW,
    HEADERS,
    INFO_ROW,
    LOCKED_COLUMNS,
    META_SHEET,
    PERSON_MAX_LENGTH,
    PHONE_MAX_LENGTH,
    TITLE_ROW,
    Column,
    entry_digest,
    plan_fingerprint,
    row_checksum,
)
from desktop.exchange.xlsx import CellFactory, save_atomically
from desktop.models.changes import Progress
from desktop.models.edits import NOTE_MAX_LENGTH
from desktop.models.errors import OperationCancelled, TargetMonitorError
from desktop.models.history import EntryDetails, entries_details
from desktop.models.kinds import MilestoneState
from desktop.models.periods import parse_period, period_end
from desktop.models.records import DepartmentInfo, IndicatorInfo
from desktop.models.status_rule import STATE_BY_CODE
from desktop.models.store import plain_cause
from desktop.models.workspace import PlanWorkspace
from desktop.presentation.wording import target_cell

RETURN_DAYS_AFTER_MONTH = 5
MAPPING_CHUNK = 30_000  # templates are due back on the 5th of the following month
INPUT_FILL = PatternFill("solid", start_color="FFF4CC")
HEADER_FILL = PatternFill("solid", start_color="D9E2F3")
THIN = Side(style="thin", color="A6A6A6")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WIDTHS = {
    Column.NUMBER: 6,
    Column.CODE: 10,
    Column.PROJECT: 18,
    Column.TASK: 18,
    Column.MEASURE: 22,
    Column.INDICATOR: 30,
    Column.UNIT: 7,
    Column.TARGET: 11,
    Column.PREVIOUS: 13,
    Column.VALUE: 12,
    Column.PROGRESS: 36,
    Column.PROBLEMS: 36,
    Column.REPORTER: 10,
    Column.PHONE: 14,
}

# Named styles: one lookup per cell instead of four style objects (thousands of rows).
LOCKED, LOCKED_WRAPPED, INPUT, INPUT_WRAPPED = (
    "tm_locked",
    "tm_locked_wrap",
    "tm_input",
    "tm_input_wrap",
)


def _register_styles(workbook: Workbook) -> None:
    for name, wrapped, editable in (
        (LOCKED, False, False),
        (LOCKED_WRAPPED, True, False),
        (INPUT, False, True),
        (INPUT_WRAPPED, True, True),
    ):
        style = NamedStyle(name=name)
        style.border = BORDER
        style.alignment = Alignment(vertical="center", wrap_text=wrapped)
        style.protection = Protection(locked=not editable)
        if editable:
            style.fill = INPUT_FILL
        workbook.add_named_style(style)


@dataclass(frozen=True)
class TemplateInfo:
    """What was exported, for messages and for the submission matrix."""

    path: Path
    department: DepartmentInfo
    period: str
    rows: int


def check_period(workspace: PlanWorkspace, period: str) -> str:
    try:
        parse_period(period)
    except ValueError as error:
        raise TargetMonitorError(str(error)) from None
    if period not in workspace.months:
        raise TargetMonitorError(
            f"{period} lies outside the plan's months "
            f"({workspace.months[0]} to {workspace.months[-1]})"
        )
    return period


def return_deadline(period: str) -> dt.date:
    return period_end(period) + dt.timedelta(days=RETURN_DAYS_AFTER_MONTH)


def _figure_text(indicator: IndicatorInfo, figure: float | None) -> float | str | None:
    if figure is None:
        return None
    if indicator.is_milestone:
        return STATE_BY_CODE[int(figure)].value
    return float(figure)


def export_template(
    workspace: PlanWorkspace,
    department_name: str,
    period: str,
    path: Path,
    *,
    now: dt.datetime | None = None,
) -> TemplateInfo:
    """Write the department's template for a month to `path` (atomically)."""
    department = workspace.department_named(department_name)
    check_period(workspace, period)
    _check_target(path, "nothing was exported")
    indicator_ids = workspace.department_indicators(department.id)
    if not indicator_ids:
        raise TargetMonitorError(f"{department.name} is responsible for no indicator")
    details = entries_details(workspace.database, indicator_ids, period)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = ENTRY_SHEET
    _register_styles(workbook)
    _write_heading(sheet, workspace, department, period)
    mapping = []
    cells = CellFactory(sheet, (LOCKED, LOCKED_WRAPPED, INPUT, INPUT_WRAPPED))
    for offset, indicator_id in enumerate(indicator_ids):
        row = FIRST_DATA_ROW + offset
        row_cells, locked = _write_row(
            cells, workspace, indicator_id, row, period=period, details=details
        )
        sheet.append(row_cells)
        entry = workspace.entry(indicator_id, period)
        detail = details.get(indicator_id)
        exported = entry_digest(
            None if entry is None else entry.reported,
            detail.progress_note if detail else "",
            detail.problems if detail else "",
        )
        code = workspace.indicators[indicator_id].code
        mapping.append((row, indicator_id, code, row_checksum(locked), exported))
    last_row = FIRST_DATA_ROW + len(indicator_ids) - 1
    _add_validations(sheet, workspace, indicator_ids)
    _finish_sheet(sheet, last_row)
    _write_guide(workbook.create_sheet(GUIDE_SHEET), department, period)
    _write_meta(
        workbook.create_sheet(META_SHEET),
        workspace,
        department,
        period,
        mapping=mapping,
        now=now or dt.datetime.now(),
    )
    save_atomically(workbook, path)
    return TemplateInfo(path, department, period, len(indicator_ids))


def template_name(period: str, department: DepartmentInfo) -> str:
    """A template's file name, the same from the window and the command line."""
    return f"{period}-{department.short_name}-填报模板.xlsx"


def export_templates(
    workspace: PlanWorkspace,
    period: str,
    folder: Path,
    *,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> list[TemplateInfo]:
    """Every department's template (those with indicators) into a folder. Every target is
    checked before the first is written, so a folder in the way refuses the whole export."""
    check_period(workspace, period)
    if folder.exists() and not folder.is_dir():
        raise TargetMonitorError(f"{folder}: is a file, not a folder; nothing was exported")
    targets = [
        (department, folder / template_name(period, department))
        for department in workspace.departments.values()
        if workspace.department_indicators(department.id)
    ]
    for _department, path in targets:
        _check_target(path, "nothing was exported")
    done: list[TemplateInfo] = []
    for number, (department, path) in enumerate(targets):
        written = f"{len(done)} of {len(targets)} templates were written"
        if progress is not None and not progress(number, len(targets)):
            raise OperationCancelled(f"cancelled; {written}")
        try:
            done.append(export_template(workspace, department.name, period, path, now=now))
        except OSError as error:
            raise TargetMonitorError(
                f"{path}: could not be written ({plain_cause(error)}); {written}"
            ) from error
    return done


def _check_target(path: Path, outcome: str) -> None:
    if path.is_dir():
        raise TargetMonitorError(f"{path}: a folder is in the way of the template; {outcome}")


def _write_heading(
    sheet: Worksheet, workspace: PlanWorkspace, department: DepartmentInfo, period: str
) -> None:
    last = Column.PHONE.letter
    sheet[f"A{TITLE_ROW}"] = f"{workspace.plan.title} — 月度进展填报表"
    sheet[f"A{TITLE_ROW}"].font = Font(bold=True, size=14)
    sheet.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    sheet[f"A{INFO_ROW}"] = (
        f"填报单位:{department.name}    填报期间:{period}    "
        f"报送截止:{return_deadline(period):%Y-%m-%d}"
    )
    sheet.merge_cells(f"A{INFO_ROW}:{last}{INFO_ROW}")
    sheet[f"A{INFO_ROW + 1}"] = "黄色单元格为填报区域,其余单元格已锁定;填写方法见“填报说明”工作表。"
    sheet[f"A{INFO_ROW + 1}"].font = Font(italic=True, color="595959")
    sheet.merge_cells(f"A{INFO_ROW + 1}:{last}{INFO_ROW + 1}")
    for column, title in HEADERS.items():
        cell = sheet.cell(HEADER_ROW, column, title)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _write_row(
    cells: CellFactory,
    workspace: PlanWorkspace,
    indicator_id: int,
    row: int,
    *,
    period: str,
    details: Mapping[int, EntryDetails],
) -> tuple[list[Cell], list[str | float | int | None]]:
    """The row's cells (to append) and its locked values (for the checksum)."""
    indicator = workspace.indicators[indicator_id]
    measure = workspace.nodes[indicator.measure_id]
    task = workspace.nodes[measure.parent_id] if measure.parent_id else measure
    project = workspace.nodes[task.parent_id] if task.parent_id else task
    previous = workspace.reported_before(indicator_id, period)
    locked: list[str | float | int | None] = [
        row - FIRST_DATA_ROW + 1,
        indicator.code,
        f"{project.code} {project.title}",
        f"{task.code} {task.title}",
        f"{measure.code} {measure.title}",
        indicator.name,
        indicator.unit or "—",
        target_cell(indicator),
        None if previous is None else _figure_text(indicator, previous[1]),
    ]
    wrapped = (Column.PROJECT, Column.TASK, Column.MEASURE, Column.INDICATOR)
    row_cells = [
        cells.make(value, LOCKED_WRAPPED if column in wrapped else LOCKED)
        for column, value in zip(LOCKED_COLUMNS, locked, strict=True)
    ]
    entry = workspace.entry(indicator_id, period)
    current = None if entry is None else entry.reported
    value: float | str | None = None
    if isinstance(current, MilestoneState):
        value = current.value
    elif current is not None:
        value = float(current)
    detail = details.get(indicator_id)
    row_cells += [
        cells.make(value, INPUT),
        cells.make(detail.progress_note if detail else None, INPUT_WRAPPED, text=True),
        cells.make(detail.problems if detail else None, INPUT_WRAPPED, text=True),
        cells.make(None, INPUT),
        cells.make(None, INPUT),
    ]
    return row_cells, locked


def _add_validations(sheet: Worksheet, workspace: PlanWorkspace, indicator_ids: list[int]) -> None:
    figures = DataValidation(
        type="decimal",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="数值无效",
        error="请填写大于或等于 0 的数字(百分比可填 75 或 75%)。",
        promptTitle="本期值",
        prompt="填写截至本月的数值",
        showInputMessage=True,
    )
    states = DataValidation(
        type="list",
        formula1='"未启动,推进中,已完成"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="进度状态无效",
        error="请从下拉列表中选择:未启动、推进中或已完成。",
    )
    notes = DataValidation(
        type="textLength",
        operator="lessThanOrEqual",
        formula1=str(NOTE_MAX_LENGTH),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="文字过长",
        error=f"最多 {NOTE_MAX_LENGTH} 个字。",
    )
    numeric_rows: list[int] = []
    milestone_rows: list[int] = []
    for offset, indicator_id in enumerate(indicator_ids):
        row = FIRST_DATA_ROW + offset
        (
            milestone_rows if workspace.indicators[indicator_id].is_milestone else numeric_rows
        ).append(row)
    # One range per run of rows: adding cells one by one is quadratic in openpyxl.
    figures.sqref = MultiCellRange(_ranges(Column.VALUE, Column.VALUE, numeric_rows))
    states.sqref = MultiCellRange(_ranges(Column.VALUE, Column.VALUE, milestone_rows))
    last = FIRST_DATA_ROW + len(indicator_ids) - 1
    notes.sqref = MultiCellRange(
        f"{Column.PROGRESS.letter}{FIRST_DATA_ROW}:{Column.PROBLEMS.letter}{last}"
    )
    for validation in (figures, states, notes):
        if validation.sqref:
            sheet.add_data_validation(validation)


def _ranges(first: Column, last: Column, rows: list[int]) -> str:
    """Consecutive rows as ranges: "J5:J9 J12:J12"."""
    ranges, start = [], None
    for position, row in enumerate(rows):
        start = row if start is None else start
        if position + 1 == len(rows) or rows[position + 1] != row + 1:
            ranges.append(f"{first.letter}{start}:{last.letter}{row}")
            start = None
    return " ".join(ranges)


def _finish_sheet(sheet: Worksheet, last_row: int) -> None:
    for column, width in WIDTHS.items():
        sheet.column_dimensions[column.letter].width = width
    sheet.freeze_panes = f"{Column.UNIT.letter}{FIRST_DATA_ROW}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.print_area = f"A1:{Column.PHONE.letter}{last_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    # Protection against slips, not against people: no password (the guide says so).
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False


GUIDE = (
    "填报说明",
    "",
    "1. 只需填写“填报”工作表中的黄色单元格:"
    "本期值、进展情况、存在问题及下步措施、填报人、联系电话。",
    "2. 本期值填写截至本月末的数值(累计指标填累计数,比例指标填当月比例);单位见“单位”列。",
    "   百分比指标可填 75、75% 或 0.75 格式为百分比的单元格;数字可带千分位逗号,全角数字亦可识别。",
    "3. 里程碑类指标(单位为“—”)请从下拉列表选择:未启动、推进中、已完成。",
    "4. 进展情况、存在问题及下步措施每格最多 {notes} 字;"
    "填报人最多 {person} 字,联系电话最多 {phone} 字。",
    "5. 请勿增删行、修改灰色锁定单元格或工作表名称;系统按隐藏的对照信息逐行核对,改动后将无法导入。",
    "6. 工作表保护未设密码,仅为防止误改,并非防篡改措施;导入时系统会校验锁定内容。",
    "7. 可使用 Microsoft Excel、WPS 表格或 LibreOffice Calc 填写,保存为 .xlsx 格式后按期报送。",
    "8. 导入前系统会显示每个单元格的变化、警告与错误,确认后一次性导入,可整体撤销。",
)


def _write_guide(sheet: Worksheet, department: DepartmentInfo, period: str) -> None:
    values = {"notes": NOTE_MAX_LENGTH, "person": PERSON_MAX_LENGTH, "phone": PHONE_MAX_LENGTH}
    for row, line in enumerate(GUIDE, start=1):
        sheet.cell(row, 1, line.format(**values))
    sheet.cell(1, 1).font = Font(bold=True, size=14)
    sheet.cell(
        len(GUIDE) + 2,
        1,
        f"填报单位:{department.name};填报期间:{period};报送截止:{return_deadline(period):%Y-%m-%d}",
    )
    sheet.column_dimensions["A"].width = 110


def _write_meta(
    sheet: Worksheet,
    workspace: PlanWorkspace,
    department: DepartmentInfo,
    period: str,
    *,
    mapping: list[tuple[int, int, str, str, str]],
    now: dt.datetime,
) -> None:
    facts = [
        ("format_version", FORMAT_VERSION),
        ("plan_code", workspace.plan.code),
        ("plan_fingerprint", plan_fingerprint(workspace)),
        ("department", department.name),
        ("period", period),
        ("exported_at", now.isoformat(timespec="seconds")),
        ("rows", str(len(mapping))),
    ]
    for row, (key, fact) in enumerate(facts, start=1):
        sheet.cell(row, 1, key)
        sheet.cell(row, 2, fact)
    # The row → indicator mapping in a few cells ("row:id:code:checksum:digest;…", split
    # below Excel's 32,767 characters per cell): thousands of rows parse in an instant.
    records = ";".join(":".join(str(item) for item in record) for record in mapping)
    chunks = [records[k : k + MAPPING_CHUNK] for k in range(0, len(records), MAPPING_CHUNK)]
    for offset, chunk in enumerate(chunks, start=len(facts) + 1):
        sheet.cell(offset, 1, f"mapping.{offset - len(facts)}")
        sheet.cell(offset, 2, chunk)
    sheet.sheet_state = "veryHidden"
