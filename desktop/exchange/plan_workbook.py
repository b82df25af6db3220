"""A plan as a workbook a planning office fills in, and such a workbook read back as a draft.

`export_plan` writes four sheets: 计划 (the plan's own fields, one per row), 结构 (one row per
project, task, measure and indicator in tree order, every field in its own column, lists on
the enumerated columns), 填写说明 (each column explained) and 部门 (the departments, full and
short name). `read_plan_workbook` reads one back with the bounded reader every import uses
(desktop/exchange/reading.py), checks every cell and then the plan as a whole, and returns a
`PlanDraft`, or raises `ImportRefused` naming each problem's sheet!cell and code, the first on
the message's first line. `import_plan` inserts a draft as a new plan (desktop/models/
plan_import.py). The column table below is the contract: the writer, the reader, the lists and
the instructions all take their columns from it.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, TypeVar

from openpyxl import Workbook as WritableWorkbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.cell import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select

from desktop.exchange.importer import ImportRefused, Issue
from desktop.exchange.layout import EXCEL_TEXT_LENGTH, MAX_ISSUES, MAX_ROWS
from desktop.exchange.reading import (
    Cell,
    SheetRow,
    UnreadableWorkbook,
    Workbook,
    cell_problem,
    shown,
)
from desktop.exchange.xlsx import save_atomically, write_text
from desktop.models.errors import PlanSourceError
from desktop.models.figures import (
    FigureError,
    FigureProblem,
    figure_in_range,
    format_figure,
    normalize,
    parse_figure,
)
from desktop.models.kinds import (
    DepartmentBasis,
    Direction,
    IndicatorKind,
    ParentLight,
    PlanState,
    TextBasis,
)
from desktop.models.plan_import import (
    CODE_MAX,
    DEFAULT_THRESHOLDS,
    IndicatorTexts,
    PlanDraft,
    check_plan,
    import_plan,
    known_departments,
    plan_document,
    preview,
)
from desktop.models.plan_source import (
    FactProblem,
    IndicatorSpec,
    NodeSpec,
    PlanSpec,
    fact_problems,
)
from desktop.models.records import IndicatorInfo, NodeInfo
from desktop.models.schema import Department, Plan
from desktop.models.status_rule import POINTS_MAX, Thresholds
from desktop.models.workspace import PlanWorkspace

T = TypeVar("T")
V = TypeVar("V")
FORMAT = "1"
PLAN_SHEET = "计划"
STRUCTURE_SHEET = "结构"
GUIDE_SHEET = "填写说明"
DEPARTMENT_SHEET = "部门"
FIRST_ROW = 2  # of 结构, 计划 and 部门: row 1 is the header

# Longest text per field: the database's column widths (desktop/models/schema.py).
TITLE_MAX, NODE_CODE_MAX, INDICATOR_CODE_MAX = 200, 16, 24
UNIT_MAX, QUANTITY_MAX, DEPARTMENT_MAX, SHORT_MAX = 16, 64, 64, 32

# --- the words of the enumerated columns ------------------------------------------------------

ROW_KINDS = {"工程": 1, "任务": 2, "举措": 3, "指标": 0}
ROW_KIND_WORDS = {depth: word for word, depth in ROW_KINDS.items()}
KIND_WORDS = {
    IndicatorKind.CUMULATIVE: "累计",
    IndicatorKind.LEVEL: "存量",
    IndicatorKind.MILESTONE: "里程碑",
}
DIRECTION_WORDS = {Direction.AT_LEAST: "不低于", Direction.AT_MOST: "不高于"}
STATE_WORDS = {PlanState.DRAFT: "草稿", PlanState.ACTIVE: "执行中", PlanState.CLOSED: "已结束"}
BASIS_WORDS = {DepartmentBasis.NAMED: "文件列明", DepartmentBasis.INFERRED: "推定"}
TEXT_BASIS_WORDS = {TextBasis.TEXT: "原文", TextBasis.EDITOR: "编辑拟定"}
YES, NO = "是", "否"


class Applies(enum.Enum):
    ALL = "all"
    NODE = "node"
    INDICATOR = "indicator"


class Field(NamedTuple):
    key: str
    header: str
    width: int
    applies: Applies
    guide: str
    choices: tuple[str, ...] = ()


_ALL, _NODE, _IND = Applies.ALL, Applies.NODE, Applies.INDICATOR
FIELDS: tuple[Field, ...] = (
    Field("row_kind", "类别", 6, _ALL, "工程、任务、举措或指标。", tuple(ROW_KINDS)),
    Field(
        "code",
        "编码",
        10,
        _ALL,
        "工程 1,任务 1.2,举措 1.2.3(以点分隔,一至三段);指标为所属举措编码加“-序号”,"
        "如 1.2.3-1。在计划内不得重复。",
    ),
    Field(
        "parent",
        "上级编码",
        10,
        _ALL,
        "任务填所属工程、举措填所属任务、指标填所属举措的编码;工程不填。上级须写在本行之前。",
    ),
    Field("title", "名称", 40, _ALL, "工程、任务、举措的标题,或指标的名称(至多 200 字)。"),
    Field("unit", "单位", 8, _IND, "指标的计量单位,如 家、%、亿元;里程碑可不填。"),
    Field(
        "kind",
        "指标类型",
        9,
        _IND,
        "累计(全年累加,如新增数)、存量(时点水平,如比重)或里程碑(完成与否)。",
        tuple(KIND_WORDS.values()),
    ),
    Field(
        "direction",
        "方向",
        8,
        _IND,
        "不低于(越大越好,默认)或不高于(越小越好,须有高于目标的基线)。",
        tuple(DIRECTION_WORDS.values()),
    ),
    Field(
        "target",
        "目标值",
        11,
        _IND,
        "数值指标的年度目标(大于或等于 0 的数);里程碑不填。仅草稿计划可暂不填写(待定)。",
    ),
    Field("stretch_target", "力争目标", 11, _IND, "“力争”达到的数值,须在目标之外;可不填。"),
    Field(
        "baseline",
        "基线值",
        11,
        _IND,
        "其他文件报告的实际值;与基线日期、基线来源同时填写或同时不填;里程碑不填。",
    ),
    Field("baseline_date", "基线日期", 12, _IND, "基线值对应的日期,如 2024-12-31。"),
    Field("baseline_source", "基线来源", 30, _IND, "报告基线值的文件及原文。"),
    Field(
        "baseline_date_inferred",
        "基线日期为推定",
        9,
        _IND,
        "文件只给出基线值、未给出其日期时填“是”(日期为编者推定);否则填“否”或不填。",
        (YES, NO),
    ),
    Field("due", "完成时限", 12, _IND, "指标的完成日期,须在计划期内;不填即计划结束日。"),
    Field(
        "department",
        "责任单位",
        18,
        _ALL,
        "责任单位全称,须为“部门”表所列单位之一(新单位请先在“部门”表中增加一行)。",
    ),
    Field(
        "department_basis",
        "责任单位依据",
        10,
        _IND,
        "文件列明(原文点名了责任单位)或推定(编者按职责推定,默认)。",
        tuple(BASIS_WORDS.values()),
    ),
    Field(
        "department_quote",
        "点名责任单位的原文",
        24,
        _IND,
        "依据为“文件列明”时,填写点名该单位的原文分句;推定时不填。",
    ),
    Field("weight", "权重", 7, _IND, "在所属举措中的权重,大于或等于 0;不填为 1。"),
    Field(
        "yellow_threshold",
        "黄灯阈值",
        8,
        _IND,
        "落后序时进度多少个百分点亮黄灯;不填则用计划的设置。",
    ),
    Field(
        "red_threshold",
        "红灯阈值",
        8,
        _IND,
        "落后序时进度多少个百分点亮红灯(不小于黄灯阈值);不填则用计划的设置。",
    ),
    Field(
        "quantity",
        "统计口径键",
        16,
        _IND,
        "同一统计量在不同年度计划中共用的英文键(字母、数字、下划线),如 green_building_share;"
        "可不填。",
    ),
    Field("done_when", "完成标志", 24, _IND, "里程碑何时算作“已完成”;数值指标不填。"),
    Field(
        "done_when_basis",
        "完成标志依据",
        10,
        _IND,
        "原文(文件的表述,默认)或编辑拟定(文件未说明时编者的表述)。",
        tuple(TEXT_BASIS_WORDS.values()),
    ),
    Field("quote", "原文", 40, _ALL, "文件中的原文,逐字照录。"),
    Field("source", "出处", 24, _ALL, "原文所在的文件及章节。"),
    Field("note", "编者备注", 24, _ALL, "编者的说明,如推定的理由;可不填。"),
    Field(
        "editor_title",
        "标题为编者概括",
        9,
        _NODE,
        "工程、任务、举措的标题是编者的概括(而非原文)时填“是”;否则填“否”或不填。",
        (YES, NO),
    ),
)
COLUMNS = {field.key: index for index, field in enumerate(FIELDS, start=1)}
LAST_COLUMN = len(FIELDS)


def letter(key: str) -> str:
    return get_column_letter(COLUMNS[key])


# 计划: one field per row, its label in A and its value in B.
PLAN_ROWS: tuple[tuple[str, str, str], ...] = (
    ("format", "格式版本", "本工作簿格式的版本,请勿修改。"),
    ("code", "计划编码", "导入时另行指定新编码,此处仅供参考。"),
    ("title", "标题", "计划的标题(至多 200 字)。"),
    ("year", "年度", "如 2025。"),
    ("start", "开始日期", "计划期的第一天,如 2025-01-01。"),
    ("end", "结束日期", "计划期的最后一天,不早于开始日期。"),
    ("state", "状态", "草稿、执行中或已结束;导入后一律为草稿。"),
    ("lead", "牵头单位", "“部门”表中的单位全称;可不填。"),
    ("source", "来源", "计划所依据的文件。"),
    ("projects", "工程数", "文件宣布的工程数,须与“结构”表一致。"),
    ("tasks", "重点任务数", "文件宣布的重点任务数,须与“结构”表一致。"),
    ("measures", "具体举措数", "文件宣布的具体举措数,须与“结构”表一致。"),
    ("yellow", "黄灯阈值", "完成率落后序时进度超过多少个百分点亮黄灯;不填为 10。"),
    ("red", "红灯阈值", "落后超过多少个百分点亮红灯;不小于黄灯阈值,至多 100;不填为 30。"),
    (
        "parent_light",
        "上级灯色",
        "工程、任务、举措的灯色:按自身汇总,或取下级中最差的;不填为按自身汇总。",
    ),
)
PARENT_LIGHT_WORDS = {ParentLight.ROLLUP: "按自身汇总", ParentLight.WORST: "取最差下级"}
PLAN_ROW = {key: row for row, (key, _, _) in enumerate(PLAN_ROWS, start=FIRST_ROW)}
PLAN_LABELS = {label: key for key, label, _ in PLAN_ROWS}
DEPARTMENT_HEADERS = ("单位全称", "简称")

HEADER_FILL = PatternFill("solid", start_color="D9E2F3")
HEADER_FONT = Font(bold=True)
WRAPPED = Alignment(vertical="top", wrap_text=True)
DATE_FORMAT = "yyyy-mm-dd"
VALIDATED_ROWS = 2_000  # lists reach this far below the last row, for rows an office adds


# --- export -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanExport:
    path: Path
    nodes: int
    indicators: int


def export_plan(workspace: PlanWorkspace, path: Path) -> PlanExport:
    """Write the workspace's plan as a plan workbook at `path` (atomically)."""
    with workspace.database.read() as session:
        everyone = list(session.scalars(select(Department).order_by(Department.id)))
        declared = session.execute(
            select(Plan.declared_projects, Plan.declared_tasks, Plan.declared_measures).where(
                Plan.id == workspace.plan.id
            )
        ).one()
    departments = [(d.name, d.short_name) for d in everyone]
    names = {d.id: d.name for d in everyone}
    book = WritableWorkbook()
    plan_sheet = book.active
    assert plan_sheet is not None
    plan_sheet.title = PLAN_SHEET
    structure = book.create_sheet(STRUCTURE_SHEET)
    guide = book.create_sheet(GUIDE_SHEET)
    department_sheet = book.create_sheet(DEPARTMENT_SHEET)
    _write_departments(department_sheet, departments)
    _write_plan(plan_sheet, workspace, names, tuple(declared), len(departments))
    rows = list(_tree_rows(workspace, names))
    _write_structure(structure, rows, len(departments))
    _write_guide(guide)
    save_atomically(book, path)
    return PlanExport(path, len(workspace.nodes), len(workspace.indicators))


def _header(sheet: Worksheet, headers: tuple[str, ...], widths: tuple[int, ...]) -> None:
    for column, (text, width) in enumerate(zip(headers, widths, strict=True), start=1):
        cell = sheet.cell(1, column)
        write_text(cell, text)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        sheet.column_dimensions[get_column_letter(column)].width = width


def _put(sheet: Worksheet, row: int, column: int, value: object) -> None:
    if value is None or value == "":
        return
    cell = sheet.cell(row, column)
    if isinstance(value, str):
        write_text(cell, value)
    elif isinstance(value, dt.date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    else:
        cell.value = value  # type: ignore[assignment]


def _list(sheet: Worksheet, choices: str, cells: str, prompt: str) -> None:
    validation = DataValidation(type="list", formula1=choices, allow_blank=True)
    validation.error = f"请从列表中选择{prompt}"
    validation.errorTitle = "不在列表中"
    validation.showErrorMessage = True
    validation.add(cells)
    sheet.add_data_validation(validation)


def _department_list(count: int) -> str:
    return f"'{DEPARTMENT_SHEET}'!$A${FIRST_ROW}:$A${FIRST_ROW + max(count, 1) - 1 + 200}"


def _write_departments(sheet: Worksheet, departments: list[tuple[str, str]]) -> None:
    _header(sheet, DEPARTMENT_HEADERS, (30, 14))
    for row, (name, short) in enumerate(departments, start=FIRST_ROW):
        _put(sheet, row, 1, name)
        _put(sheet, row, 2, short)
    sheet.freeze_panes = "A2"


def _write_plan(
    sheet: Worksheet,
    workspace: PlanWorkspace,
    names: dict[int, str],
    declared: tuple[int, ...],
    departments: int,
) -> None:
    plan = workspace.plan
    values: dict[str, object] = {
        "format": FORMAT,
        "code": plan.code,
        "title": plan.title,
        "year": plan.year,
        "start": plan.start,
        "end": plan.end,
        "state": STATE_WORDS[plan.state],
        "lead": None if plan.lead_department_id is None else names[plan.lead_department_id],
        "source": plan.source,
        "projects": declared[0],
        "tasks": declared[1],
        "measures": declared[2],
        "yellow": workspace.light_settings.thresholds.yellow,
        "red": workspace.light_settings.thresholds.red,
        "parent_light": PARENT_LIGHT_WORDS[workspace.light_settings.parent_light],
    }
    _header(sheet, ("项目", "内容", "说明"), (14, 50, 50))
    for key, label, explanation in PLAN_ROWS:
        row = PLAN_ROW[key]
        _put(sheet, row, 1, label)
        _put(sheet, row, 2, values[key])
        _put(sheet, row, 3, explanation)
        sheet.cell(row, 2).alignment = WRAPPED
    _list(sheet, f'"{",".join(STATE_WORDS.values())}"', f"B{PLAN_ROW['state']}", "状态")
    _list(sheet, _department_list(departments), f"B{PLAN_ROW['lead']}", "部门表中的单位")
    words = ",".join(PARENT_LIGHT_WORDS.values())
    _list(sheet, f'"{words}"', f"B{PLAN_ROW['parent_light']}", "上级灯色")
    sheet.freeze_panes = "A2"


def _tree_rows(workspace: PlanWorkspace, names: dict[int, str]) -> Iterator[dict[str, object]]:
    nodes, indicators = workspace.nodes, workspace.indicators

    def visit(node_id: int) -> Iterator[dict[str, object]]:
        node = nodes[node_id]
        yield _node_row(node, nodes, names)
        for indicator_id in node.indicator_ids:
            yield _indicator_row(indicators[indicator_id], node.code, names)
        for child in node.child_ids:
            yield from visit(child)

    for root in workspace.root_ids:
        yield from visit(root)


def _node_row(
    node: NodeInfo, nodes: Mapping[int, NodeInfo], names: dict[int, str]
) -> dict[str, object]:
    return {
        "row_kind": ROW_KIND_WORDS[node.code.count(".") + 1],
        "code": node.code,
        "parent": None if node.parent_id is None else nodes[node.parent_id].code,
        "title": node.title,
        "department": names[node.department_id],
        "quote": node.quote,
        "source": node.source,
        "note": node.note,
        "editor_title": YES if node.editor_title else NO,
    }


def _indicator_row(
    indicator: IndicatorInfo, measure: str, names: dict[int, str]
) -> dict[str, object]:
    i = indicator
    return {
        "row_kind": ROW_KIND_WORDS[0],
        "code": i.code,
        "parent": measure,
        "title": i.name,
        "unit": i.unit,
        "kind": KIND_WORDS[i.kind],
        "direction": DIRECTION_WORDS[i.direction],
        "target": i.target,
        "stretch_target": i.stretch_target,
        "baseline": i.baseline,
        "baseline_date": i.baseline_date,
        "baseline_source": i.baseline_source,
        "baseline_date_inferred": YES if i.baseline_date_inferred else NO,
        "due": i.due,
        "department": names[i.department_id],
        "department_basis": BASIS_WORDS[i.department_basis],
        "department_quote": i.department_quote,
        "weight": i.weight,
        "yellow_threshold": i.yellow_threshold,
        "red_threshold": i.red_threshold,
        "quantity": i.quantity,
        "done_when": i.done_when,
        "done_when_basis": TEXT_BASIS_WORDS[i.done_when_basis],
        "quote": i.quote,
        "source": i.source,
        "note": i.note,
    }


def _write_structure(sheet: Worksheet, rows: list[dict[str, object]], departments: int) -> None:
    _header(sheet, tuple(f.header for f in FIELDS), tuple(f.width for f in FIELDS))
    for number, values in enumerate(rows, start=FIRST_ROW):
        for key, value in values.items():
            _put(sheet, number, COLUMNS[key], value)
    last = FIRST_ROW + len(rows) + VALIDATED_ROWS
    for field in FIELDS:
        column = letter(field.key)
        if field.choices:
            _list(
                sheet,
                f'"{",".join(field.choices)}"',
                f"{column}{FIRST_ROW}:{column}{last}",
                field.header,
            )
    column = letter("department")
    _list(sheet, _department_list(departments), f"{column}{FIRST_ROW}:{column}{last}", "单位")
    for key in ("target", "stretch_target", "baseline", "weight"):
        column = letter(key)
        validation = DataValidation(
            type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True
        )
        validation.error, validation.errorTitle = "请填写大于或等于 0 的数", "不是数字"
        validation.showErrorMessage = True
        validation.add(f"{column}{FIRST_ROW}:{column}{last}")
        sheet.add_data_validation(validation)
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(LAST_COLUMN)}{FIRST_ROW + len(rows) - 1}"


def _write_guide(sheet: Worksheet) -> None:
    _header(sheet, ("列", "表头", "适用于", "说明"), (6, 18, 14, 90))
    applies = {_ALL: "全部行", _NODE: "工程、任务、举措", _IND: "指标"}
    lines: list[tuple[str, str, str, str]] = [
        (
            "",
            "总体",
            "",
            "“计划”表填写计划本身,“结构”表每行一个工程、任务、举措或指标,按层级顺序排列"
            "(上级在前);“部门”表列出可选的责任单位。导入时逐格检查,有任何问题都不导入,"
            "并指出所在的单元格;导入的计划为草稿。",
        ),
        (
            "",
            "数字与日期",
            "",
            "数字直接填写(可用全角数字、千分位);日期填 2025-12-31 或设为日期格式。",
        ),
        ("", "文字", "", "原文须与文件逐字一致;以 = 开头的文字不会变成公式。"),
    ]
    lines += [(letter(f.key), f.header, applies[f.applies], f.guide) for f in FIELDS]
    for row, line in enumerate(lines, start=FIRST_ROW):
        for column, text in enumerate(line, start=1):
            _put(sheet, row, column, text)
        sheet.cell(row, 4).alignment = WRAPPED
    sheet.freeze_panes = "A2"


# --- reading ----------------------------------------------------------------------------------


class _Bad(Exception):
    """A cell's content that cannot be taken; the message says why."""


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return format_figure(value) if abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


_FIGURE_WORDS = {
    FigureProblem.NOT_A_NUMBER: "“{text}”不是数字",
    FigureProblem.NEGATIVE: "“{text}”是负数,须大于或等于 0",
    FigureProblem.TOO_LARGE: "“{text}”数值过大",
    FigureProblem.PERCENT_SIGN: "“{text}”是百分数,但该指标的单位是“{unit}”",
    FigureProblem.NOT_A_STATE: "“{text}”不是数字",
}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")
_NODE_CODE = re.compile(r"[0-9A-Za-z]+(?:\.[0-9A-Za-z]+){0,2}")
_INDICATOR_CODE = re.compile(r"([0-9A-Za-z]+(?:\.[0-9A-Za-z]+){2})-[0-9A-Za-z]+")
_QUANTITY = re.compile(r"[A-Za-z0-9_]+")


def _number(cell: Cell | None, unit: str = "") -> float | None:
    if cell is None or cell.value is None:
        return None
    value = cell.value
    try:
        if isinstance(value, str):
            return parse_figure(value, percent=unit == "%")
        if not isinstance(value, float) or isinstance(value, bool):
            raise FigureError(FigureProblem.NOT_A_NUMBER, _text(value))
        if unit == "%" and "%" in cell.number_format:
            return figure_in_range(value * 100, _text(value))  # 0.75 shown as 75%
        return figure_in_range(value, _text(value))
    except FigureError as error:
        raise _Bad(_FIGURE_WORDS[error.problem].format(text=shown(error.text), unit=unit)) from None


def _date(cell: Cell | None) -> dt.date | None:
    if cell is None or cell.value is None:
        return None
    value = cell.value
    if isinstance(value, dt.datetime):
        if value.time() != dt.time():
            raise _Bad(f"“{_text(value)}”含有时刻;请只填日期,如 2025-12-31")
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = normalize(value)
        if not text:
            return None
        for form in _DATE_FORMATS:
            try:
                return dt.datetime.strptime(text, form).date()
            except ValueError:
                continue
    raise _Bad(f"“{shown(_text(value))}”不是日期(应如 2025-12-31)")


def _light_setting(key: str, cell: Cell | None) -> object:
    """The plan's yellow or red threshold (points), or where a parent's light comes from; the
    defaults when empty."""
    if key == "parent_light":
        return _choice(cell, PARENT_LIGHT_WORDS, ParentLight.ROLLUP)
    number = _number(cell)
    if number is None:
        return DEFAULT_THRESHOLDS.yellow if key == "yellow" else DEFAULT_THRESHOLDS.red
    if not 0 <= number <= POINTS_MAX:
        raise _Bad(f"“{format_figure(number)}”不在 0 至 {POINTS_MAX:g} 之间")
    return number


def _choice(cell: Cell | None, words: Mapping[T, str], default: T | None) -> T | None:
    text = normalize(_text(None if cell is None else cell.value))
    if not text:
        return default
    for value, word in words.items():
        if text == word or text.lower() == str(getattr(value, "value", "")).lower():
            return value
    raise _Bad(f"“{shown(text)}”不是{'、'.join(words.values())}之一")


def _flag(cell: Cell | None) -> bool:
    if cell is not None and isinstance(cell.value, bool):
        return cell.value
    text = normalize(_text(None if cell is None else cell.value)).lower()
    if text in ("", NO, "false", "0", "n", "no"):
        return False
    if text in (YES, "true", "1", "y", "yes"):
        return True
    raise _Bad(f"“{shown(text)}”应为“是”或“否”")


def _plain(cell: Cell | None, limit: int = EXCEL_TEXT_LENGTH, *, strip: bool = True) -> str:
    """A text cell's content (a number typed there as the office wrote it)."""
    text = _text(None if cell is None else cell.value)
    text = text.strip() if strip else text
    if len(text) > limit:
        raise _Bad(f"共 {len(text)} 字,超过上限 {limit} 字(不会被截断,请删减后再导入)")
    return text


def _holds(cell: Cell) -> bool:
    return cell.formula is not None or cell.problem is not None or bool(_text(cell.value).strip())


class _Reader:
    """The workbook's sheets read cell by cell; `issues` holds every problem at its place."""

    def __init__(self, name: str, known: Mapping[str, str]) -> None:
        self.name = name
        self.known = dict(known)  # full name → short name, of the database
        self.issues: list[Issue] = []
        self.listed: dict[str, str] = {}  # the 部门 sheet: full name → short name
        self.plan: dict[str, object] = {}
        self.nodes: list[tuple[int, NodeSpec, str]] = []  # row, node, its stored source
        self.indicators: list[tuple[int, IndicatorSpec, IndicatorTexts]] = []

    def refuse(self, where: str, message: str, code: str = "") -> None:
        self.issues.append(Issue(where, message, code))
        if len(self.issues) >= MAX_ISSUES:
            more = Issue(self.name, f"问题已达 {MAX_ISSUES} 处,其余部分未再检查")
            raise ImportRefused(self.name, [*self.issues, more])

    def read(self, workbook: Workbook) -> None:
        missing = [s for s in (PLAN_SHEET, STRUCTURE_SHEET) if s not in workbook.sheets]
        if missing:
            raise ImportRefused(
                self.name,
                [Issue(self.name, f"不是本系统的计划工作簿(缺少“{'”“'.join(missing)}”工作表)")],
            )
        for sheet in workbook.sheets:
            if sheet not in (PLAN_SHEET, STRUCTURE_SHEET, GUIDE_SHEET, DEPARTMENT_SHEET):
                for row in workbook.rows(sheet):
                    if any(_holds(c) for c in row.cells.values()):
                        column = min(c for c, cell in row.cells.items() if _holds(cell))
                        self.refuse(
                            f"{shown(sheet, 100)}!{get_column_letter(column)}{row.number}",
                            f"工作表“{shown(sheet)}”不属于计划工作簿,其中的内容不会被导入;"
                            "请删除该工作表后再导入",
                        )
                        break
        if DEPARTMENT_SHEET in workbook.sheets:
            self._departments(self._rows(workbook, DEPARTMENT_SHEET, 2))
        self._plan(self._rows(workbook, PLAN_SHEET, 3))
        self._structure(self._rows(workbook, STRUCTURE_SHEET, LAST_COLUMN))

    def _rows(self, workbook: Workbook, sheet: str, last: int) -> Iterator[SheetRow]:
        """The sheet's rows, each once, within the table; anything elsewhere refused."""
        seen: set[int] = set()
        for row in workbook.rows(sheet):
            outside = {c: cell for c, cell in row.cells.items() if c > last and _holds(cell)}
            for column in outside:
                self.refuse(
                    f"{sheet}!{get_column_letter(column)}{row.number}",
                    f"此单元格在表格之外(表格只到 {get_column_letter(last)} 列),"
                    "其中的内容不会被导入;请删除后再导入",
                )
            cells = {c: cell for c, cell in row.cells.items() if c <= last}
            if not any(_holds(cell) for cell in cells.values()):
                continue
            if row.repeated or row.number in seen:
                self.refuse(f"{sheet}!A{row.number}", f"第 {row.number} 行在文件中出现了两次")
                continue
            seen.add(row.number)
            if row.number >= FIRST_ROW + MAX_ROWS:
                self.refuse(
                    f"{sheet}!A{row.number}",
                    f"第 {row.number} 行超出上限(至多 {MAX_ROWS} 行);请删除后再导入",
                )
                continue
            problems = False
            for column, cell in cells.items():
                problem = cell_problem(cell)
                if problem is not None:
                    self.refuse(f"{sheet}!{get_column_letter(column)}{row.number}", problem)
                    problems = True
            if not problems:
                yield SheetRow(row.number, cells, row.repeated)

    # --- 部门 ---

    def _departments(self, rows: Iterator[SheetRow]) -> None:
        shorts: dict[str, str] = {}
        for row in rows:
            if row.number < FIRST_ROW:
                continue
            where = f"{DEPARTMENT_SHEET}!A{row.number}"
            try:
                name = _plain(row.cells.get(1), DEPARTMENT_MAX)
                short = _plain(row.cells.get(2), SHORT_MAX)
            except _Bad as error:
                self.refuse(where, str(error))
                continue
            if not name or not short:
                self.refuse(where, "单位全称和简称都须填写")
            elif name in self.listed:
                self.refuse(where, f"单位“{shown(name)}”重复出现")
            elif short in shorts:
                self.refuse(
                    f"{DEPARTMENT_SHEET}!B{row.number}",
                    f"简称“{shown(short)}”已是“{shown(shorts[short])}”的简称",
                )
            elif name in self.known and self.known[name] != short:
                self.refuse(
                    f"{DEPARTMENT_SHEET}!B{row.number}",
                    f"“{shown(name)}”的简称在数据库中为“{self.known[name]}”",
                )
            else:
                other = next((n for n, s in self.known.items() if s == short and n != name), None)
                if other is not None:
                    self.refuse(
                        f"{DEPARTMENT_SHEET}!B{row.number}",
                        f"简称“{shown(short)}”在数据库中已是“{other}”的简称",
                    )
                    continue
                self.listed[name] = short
                shorts[short] = name

    def department(self, text: str) -> str | None:
        """The department's short name, if the 部门 sheet or the database knows it."""
        return self.listed.get(text) or self.known.get(text)

    # --- 计划 ---

    def _plan(self, rows: Iterator[SheetRow]) -> None:
        cells: dict[str, tuple[int, Cell | None]] = {}
        for row in rows:
            if row.number < FIRST_ROW:
                continue
            label = _text(row.cells[1].value).strip() if 1 in row.cells else ""
            key = PLAN_LABELS.get(label)
            if key is None:
                self.refuse(f"{PLAN_SHEET}!A{row.number}", f"“{shown(label)}”不是计划的项目")
            elif key in cells:
                self.refuse(f"{PLAN_SHEET}!A{row.number}", f"“{label}”重复出现")
            else:
                cells[key] = (row.number, row.cells.get(2))
        for key, label, _ in PLAN_ROWS:
            if key not in cells:
                cells[key] = (PLAN_ROW[key], None)
            number, cell = cells[key]
            where = f"{PLAN_SHEET}!B{number}"
            try:
                self.plan[key] = self._plan_value(key, cell)
            except _Bad as error:
                self.refuse(where, f"{label}:{error}")
            self.plan[f"{key}@"] = where
        yellow, red = self.plan.get("yellow"), self.plan.get("red")
        if isinstance(yellow, float) and isinstance(red, float) and yellow > red:
            self.refuse(str(self.plan["red@"]), "红灯阈值须不小于黄灯阈值")
        start, end = self.plan.get("start"), self.plan.get("end")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            self.refuse(str(self.plan["end@"]), "结束日期早于开始日期")
            self.plan["end"] = None

    def _plan_value(self, key: str, cell: Cell | None) -> object:
        if key == "format":
            text = _plain(cell)
            if text != FORMAT:
                raise _Bad(f"本程序读取版本 {FORMAT},文件为“{shown(text)}”")
            return text
        if key in ("start", "end"):
            date = _date(cell)
            if date is None:
                raise _Bad("须填写")
            return date
        if key == "state":
            return _choice(cell, STATE_WORDS, None) or _required()
        if key in ("year", "projects", "tasks", "measures"):
            number = _number(cell)
            if number is None or not number.is_integer():
                raise _Bad(f"“{shown(_plain(cell))}”不是整数" if number is not None else "须填写")
            if key == "year" and not 1900 <= number <= 2200:
                raise _Bad(f"“{format_figure(number)}”不是年份")
            return int(number)
        if key in ("yellow", "red", "parent_light"):
            return _light_setting(key, cell)
        if key == "lead":
            text = _plain(cell, DEPARTMENT_MAX)
            if text and self.department(text) is None:
                raise _Bad(f"未知的单位“{shown(text)}”(应为“部门”表中的全称)")
            return text or None
        limit = {"code": CODE_MAX, "title": TITLE_MAX}.get(key, EXCEL_TEXT_LENGTH)
        text = _plain(cell, limit, strip=key == "code")
        if not text.strip() and key != "code":
            raise _Bad("须填写")
        return text

    # --- 结构 ---

    def _structure(self, rows: Iterator[SheetRow]) -> None:
        headers = tuple(f.header for f in FIELDS)
        codes: dict[str, int] = {}  # code → its row
        measures: dict[str, int] = {}
        header_seen = False
        for row in rows:
            if row.number < FIRST_ROW:
                header_seen = True
                found = tuple(
                    _text(row.cells[c].value) if c in row.cells else ""
                    for c in range(1, LAST_COLUMN + 1)
                )
                if found != headers:
                    column = next(
                        i for i, (a, b) in enumerate(zip(found, headers, strict=True), 1) if a != b
                    )
                    self.refuse(
                        f"{STRUCTURE_SHEET}!{get_column_letter(column)}1",
                        f"表头应为“{headers[column - 1]}”(请勿增删或移动列)",
                    )
                    return
                continue
            self._structure_row(row, codes, measures)
        if not header_seen:
            self.refuse(f"{STRUCTURE_SHEET}!A1", "缺少表头行")
        with_indicators = {i.measure_code for _, i, _ in self.indicators}
        for code, number in measures.items():
            if code not in with_indicators:
                self.refuse(f"{STRUCTURE_SHEET}!B{number}", "举措没有指标", code)

    def _structure_row(
        self, row: SheetRow, codes: dict[str, int], measures: dict[str, int]
    ) -> None:
        number, cells = row.number, row.cells
        code = _plain(cells.get(COLUMNS["code"]), 100)
        here = _Place(self, number, code, cells)
        depth = self._row_code(here, codes, measures)
        if depth is None:
            return
        common = _Common(
            code=code,
            title=here.take("title", lambda c: _plain(c, TITLE_MAX)),
            department=here.take("department", lambda c: _plain(c, DEPARTMENT_MAX)),
            quote=here.take("quote", _verbatim),
            source=here.take("source", _verbatim),
            note=here.take("note", _verbatim),
        )
        if common.title == "":
            here.bad("title", "须填写名称")
        if common.department == "":
            here.bad("department", "须填写责任单位")
        elif common.department is not None and self.department(common.department) is None:
            here.bad(
                "department",
                f"未知的责任单位“{shown(common.department)}”(应为“部门”表中的全称)",
            )
        if depth:
            if depth == 3:
                measures[code] = number
            self._only(here, _IND, ROW_KIND_WORDS[depth])
            editor_title = here.take("editor_title", _flag)
            if not here.failed:
                node = _node(common, str(self.department(str(common.department))), editor_title)
                self.nodes.append((number, node, str(common.source)))
            return
        self._only(here, _NODE, "指标")
        values = _indicator_values(here)
        if values is not None and not here.failed:
            indicator = self._indicator(here, common, values)
            if indicator is not None:
                texts = IndicatorTexts(
                    str(common.source),
                    values.baseline_source,
                    values.yellow_threshold,
                    values.red_threshold,
                )
                self.indicators.append((number, indicator, texts))

    def _row_code(
        self, here: _Place, codes: dict[str, int], measures: dict[str, int]
    ) -> int | None:
        """The row's depth (0 for an indicator) if its kind, code and parent code agree."""
        kind_word = here.take("row_kind", lambda c: _choice(c, {k: k for k in ROW_KINDS}, None))
        if kind_word is None:
            if not here.failed:
                here.bad("row_kind", "须填写类别(工程、任务、举措或指标)")
            return None
        depth, code = ROW_KINDS[kind_word], here.code
        limit = INDICATOR_CODE_MAX if depth == 0 else NODE_CODE_MAX
        pattern = _INDICATOR_CODE if depth == 0 else _NODE_CODE
        if not code:
            here.bad("code", "须填写编码")
            return None
        if (
            len(code) > limit
            or not pattern.fullmatch(code)
            or (depth and code.count(".") + 1 != depth)
        ):
            example = {0: "1.2.3-1", 1: "1", 2: "1.2", 3: "1.2.3"}[depth]
            here.bad("code", f"“{shown(code)}”不是{kind_word}的编码(应如 {example})")
            return None
        if code in codes:
            here.bad("code", f"编码重复(另见第 {codes[code]} 行)")
            return None
        codes[code] = here.number
        expected = code.partition("-")[0] if depth == 0 else code.rpartition(".")[0]
        parent = here.take("parent", lambda c: _plain(c, 100))
        if parent and parent != expected:
            here.bad("parent", f"上级编码“{shown(parent)}”与编码不符(应为 {expected or '空'})")
        elif expected and expected not in codes:
            here.bad("parent", f"上级 {expected} 须写在本行之前")
        elif depth == 0 and expected not in measures:
            here.bad("parent", f"{expected} 不是举措")
        return depth

    def _only(self, here: _Place, other: Applies, kind_word: str) -> None:
        for field in FIELDS:
            cell = here.cells.get(COLUMNS[field.key])
            if field.applies is other and cell is not None and _holds(cell):
                if field.key == "editor_title" and _text(cell.value).strip() == NO:
                    continue
                here.bad(field.key, f"{kind_word}行不填“{field.header}”")

    def _indicator(self, here: _Place, common: _Common, values: _Values) -> IndicatorSpec | None:
        start, end = self.plan.get("start"), self.plan.get("end")
        if not isinstance(start, dt.date) or not isinstance(end, dt.date):
            return None  # the plan's dates are refused at their cells
        due = values.due or end
        if not start <= due <= end:
            here.bad(
                "due",
                f"完成时限 {due.isoformat()} 不在计划期内"
                f"({start.isoformat()} 至 {end.isoformat()})",
            )
        if values.kind is IndicatorKind.MILESTONE:
            for key in ("target", "stretch_target", "baseline"):
                if getattr(values, key) is not None:
                    here.bad(key, "里程碑不填数值目标或基线")
        else:
            if values.target is None and self.plan.get("state") is not PlanState.DRAFT:
                here.bad("target", "须填写目标值(仅草稿计划可暂不填写)")
            if values.done_when:
                here.bad("done_when", "只有里程碑填写完成标志")
        _check_rules(here, values)
        _check_facts(here, values)
        if here.failed:
            return None
        return IndicatorSpec(
            code=common.code,
            name=str(common.title),
            unit=values.unit,
            kind=values.kind,
            direction=values.direction,
            target=values.target,
            stretch_target=values.stretch_target,
            baseline=values.baseline,
            baseline_date=values.baseline_date,
            due=due,
            weight=1.0 if values.weight is None else values.weight,
            quote=str(common.quote),
            note=str(common.note),
            department_basis=values.department_basis,
            department_quote=values.department_quote,
            quantity=values.quantity,
            done_when=values.done_when,
            done_when_basis=values.done_when_basis,
            baseline_date_inferred=values.baseline_date_inferred,
            department=str(self.department(str(common.department))),
            baseline_source=None,  # stored as cited text (IndicatorTexts), no [sources] key
            baseline_quote=None,
            former_code=None,
        )

    # --- the plan as a whole ---

    def draft(self) -> PlanDraft | None:
        """The plan as a whole, checked; None when any cell was refused."""
        plan = self.plan
        if self.issues:
            return None
        nodes = tuple(node for _, node, _ in self.nodes)
        indicators = tuple(indicator for _, indicator, _ in self.indicators)
        lead = plan["lead"]
        used = {str(lead)} if lead is not None else set()
        used |= {
            name for name, short in self.everyone() if short in _short_names(nodes, indicators)
        }
        departments = tuple((name, str(self.department(name))) for name in sorted(used))
        shape = tuple(sum(1 for n in nodes if n.depth == depth) for depth in (1, 2, 3))
        declared = tuple(int(str(plan[key])) for key in ("projects", "tasks", "measures"))
        words = {"projects": "工程", "tasks": "重点任务", "measures": "具体举措"}
        for (key, word), wanted, found in zip(words.items(), declared, shape, strict=True):
            if wanted != found:
                self.refuse(
                    str(plan[f"{key}@"]), f"计划宣布 {wanted} 个{word},“结构”表有 {found} 个"
                )
        start, end, state = plan["start"], plan["end"], plan["state"]
        assert isinstance(start, dt.date) and isinstance(end, dt.date)
        assert isinstance(state, PlanState)
        document = plan_document(str(plan["source"]), start)
        spec = PlanSpec(
            code=str(plan["code"]),
            title=str(plan["title"]),
            year=int(str(plan["year"])),
            start=start,
            end=end,
            state=state,
            lead=None if lead is None else self.department(str(lead)),
            source=document,
            sources={document.key: document},
            declared_shape=(declared[0], declared[1], declared[2]),
            departments=departments,
            nodes=nodes,
            indicators=indicators,
        )
        if not self.issues:
            try:
                check_plan(spec)
            except PlanSourceError as error:  # what the cell checks did not catch
                self.refuse(self._place_of(str(error)), f"计划不一致:{error}")
        if self.issues:
            return None
        parent_light = plan["parent_light"]
        assert isinstance(parent_light, ParentLight)
        return PlanDraft(
            spec,
            {node.code: source for _, node, source in self.nodes},
            {indicator.code: texts for _, indicator, texts in self.indicators},
            Thresholds(float(str(plan["yellow"])), float(str(plan["red"]))),
            parent_light,
        )

    def everyone(self) -> list[tuple[str, str]]:
        """The departments the 部门 sheet and the database know: (full name, short name)."""
        return [
            *self.listed.items(),
            *((n, s) for n, s in self.known.items() if n not in self.listed),
        ]

    def _place_of(self, message: str) -> str:
        rows = {n.code: r for r, n, _ in self.nodes} | {i.code: r for r, i, _ in self.indicators}
        match = re.match(r"(?:node|indicator|measure) (\S+):", message)
        if match and match[1] in rows:
            return f"{STRUCTURE_SHEET}!B{rows[match[1]]}"
        return f"{PLAN_SHEET}!B{FIRST_ROW}"


def _required() -> object:
    raise _Bad("须填写")


class _Place:
    """One row of 结构 being read: its cells, and problems named by cell and code."""

    def __init__(self, reader: _Reader, number: int, code: str, cells: dict[int, Cell]) -> None:
        self.reader = reader
        self.number = number
        self.code = code
        self.cells = cells
        self.failed_keys: set[str] = set()

    @property
    def failed(self) -> bool:
        return bool(self.failed_keys)

    def failed_at(self, key: str) -> bool:
        return key in self.failed_keys

    def bad(self, key: str, message: str) -> None:
        self.failed_keys.add(key)
        self.reader.refuse(f"{STRUCTURE_SHEET}!{letter(key)}{self.number}", message, self.code)

    def take(self, key: str, parse: Callable[[Cell | None], V]) -> V | None:
        try:
            return parse(self.cells.get(COLUMNS[key]))
        except _Bad as error:
            self.bad(key, str(error))
            return None


class _Common(NamedTuple):
    """What every row of 结构 has (None: the cell was refused)."""

    code: str
    title: str | None
    department: str | None
    quote: str | None
    source: str | None
    note: str | None


def _node(common: _Common, department: str, editor_title: bool | None) -> NodeSpec:
    return NodeSpec(
        code=common.code,
        title=str(common.title),
        quote=str(common.quote),
        note=str(common.note),
        editor_title=bool(editor_title),
        department=department,
        section="",  # the stored source is kept whole (PlanDraft.node_sources)
        former_code=None,
    )


def _short_names(nodes: tuple[NodeSpec, ...], indicators: tuple[IndicatorSpec, ...]) -> set[str]:
    return {n.department for n in nodes} | {i.department for i in indicators}


class _Values(NamedTuple):
    """An indicator row's own cells, read."""

    unit: str
    kind: IndicatorKind
    direction: Direction
    target: float | None
    stretch_target: float | None
    baseline: float | None
    baseline_date: dt.date | None
    baseline_source: str | None
    baseline_date_inferred: bool
    due: dt.date | None
    department_basis: DepartmentBasis
    department_quote: str
    weight: float | None
    yellow_threshold: float | None
    red_threshold: float | None
    quantity: str | None
    done_when: str
    done_when_basis: TextBasis


def _verbatim(cell: Cell | None) -> str:
    return _plain(cell, strip=False)


def _quantity(cell: Cell | None) -> str | None:
    text = _plain(cell, QUANTITY_MAX)
    if text and not _QUANTITY.fullmatch(text):
        raise _Bad(f"“{shown(text)}”只能由英文字母、数字和下划线组成")
    return text or None


def _indicator_values(here: _Place) -> _Values | None:
    """The indicator's cells, each read or refused at its place."""
    unit = here.take("unit", lambda c: _plain(c, UNIT_MAX)) or ""
    kind = here.take("kind", lambda c: _choice(c, KIND_WORDS, None))
    if kind is None and not here.failed_at("kind"):
        here.bad("kind", "须填写指标类型(累计、存量或里程碑)")
    direction = here.take("direction", lambda c: _choice(c, DIRECTION_WORDS, None))
    basis = here.take("department_basis", lambda c: _choice(c, BASIS_WORDS, None))
    done_when_basis = here.take("done_when_basis", lambda c: _choice(c, TEXT_BASIS_WORDS, None))
    values = _Values(
        unit=unit,
        kind=kind or IndicatorKind.LEVEL,
        direction=direction or Direction.AT_LEAST,
        target=here.take("target", lambda c: _number(c, unit)),
        stretch_target=here.take("stretch_target", lambda c: _number(c, unit)),
        baseline=here.take("baseline", lambda c: _number(c, unit)),
        baseline_date=here.take("baseline_date", _date),
        baseline_source=here.take("baseline_source", _verbatim) or None,
        baseline_date_inferred=bool(here.take("baseline_date_inferred", _flag)),
        due=here.take("due", _date),
        department_basis=basis or DepartmentBasis.INFERRED,
        department_quote=here.take("department_quote", _verbatim) or "",
        weight=here.take("weight", _number),
        yellow_threshold=here.take("yellow_threshold", _number),
        red_threshold=here.take("red_threshold", _number),
        quantity=here.take("quantity", _quantity),
        done_when=here.take("done_when", _verbatim) or "",
        done_when_basis=done_when_basis or TextBasis.TEXT,
    )
    return None if here.failed else values


def _check_rules(here: _Place, values: _Values) -> None:
    """A numeric indicator's target against its stretch target and baseline, and a named
    department's clause: the plan source's rules (fact_problems), said at their cells (a
    milestone's numbers are refused apart: it has none)."""
    problems = fact_problems(values)
    if values.kind is IndicatorKind.MILESTONE:
        problems = [p for p in problems if p is FactProblem.BASIS_QUOTE]
    if FactProblem.STRETCH_SHORT in problems:
        assert values.stretch_target is not None and values.target is not None
        here.bad(
            "stretch_target",
            f"力争目标 {format_figure(values.stretch_target)} 未超出目标 "
            f"{format_figure(values.target)}",
        )
    if FactProblem.AT_MOST_BASELINE in problems:
        here.bad("baseline", "方向为“不高于”的指标须有高于目标的基线值")
    if FactProblem.BASIS_QUOTE in problems:
        if values.department_basis is DepartmentBasis.NAMED:
            here.bad("department_quote", "依据为“文件列明”时须填写点名责任单位的原文")
        else:
            here.bad("department_quote", "依据为“推定”时不填原文(或将依据改为“文件列明”)")


def _check_facts(here: _Place, values: _Values) -> None:
    """The baseline's facts together, and the thresholds."""
    facts = {
        "baseline": values.baseline,
        "baseline_date": values.baseline_date,
        "baseline_source": values.baseline_source,
    }
    given = [key for key, value in facts.items() if value is not None]
    if given and len(given) < len(facts):
        missing = next(key for key, value in facts.items() if value is None)
        here.bad(missing, "基线值、基线日期、基线来源须同时填写")
    if values.baseline_date_inferred and values.baseline_date is None:
        here.bad("baseline_date_inferred", "没有基线日期,不能说它是推定的")
    try:
        Thresholds().overridden(values.yellow_threshold, values.red_threshold)
    except ValueError:
        key = "red_threshold" if values.red_threshold is not None else "yellow_threshold"
        here.bad(key, "须 0 ≤ 黄灯阈值 ≤ 红灯阈值")


def read_plan_workbook(path: Path, *, known_departments: Mapping[str, str]) -> PlanDraft:
    """Check a plan workbook completely; the plan it holds, or ImportRefused listing every
    problem at its sheet!cell (`known_departments`: the database's, full name → short)."""
    name = path.name
    reader = _Reader(name, known_departments)
    try:
        with Workbook(path) as workbook:
            reader.read(workbook)
            workbook.check_unread_parts()
            draft = reader.draft()
    except UnreadableWorkbook as error:
        raise ImportRefused(name, [Issue(error.where, error.message)]) from None
    except ImportRefused:
        raise
    except Exception as error:  # never a traceback
        raise ImportRefused(
            name, [Issue(name, f"无法读取此工作簿(内部错误 {type(error).__name__}: {error})")]
        ) from None
    if draft is None:
        raise ImportRefused(name, reader.issues or [Issue(name, "无法读取此工作簿")])
    return draft


__all__ = [
    "PlanDraft",
    "export_plan",
    "import_plan",
    "known_departments",
    "preview",
    "read_plan_workbook",
]
