"""Reading a returned department template: check everything, then apply all rows or none.

`read_template` never changes anything: it returns an `ImportPlan` (the changes, old → new per
cell, the warnings and the conflicts) or raises `ImportRefused` listing every problem with its
file, sheet and cell. `apply_import` backs the database up and applies the plan in one
transaction under an ImportBatch, which `undo_import` can take back as a whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.utils.cell import get_column_letter

from desktop.exchange.layout import (
    ENTRY_SHEET,
    FIRST_DATA_ROW,
    FORMAT_VERSION,
    GUIDE_SHEET,
    LOCKED_COLUMNS,
    MAX_ISSUES,
    MAX_ROWS,
    META_SHEET,
    PERSON_MAX_LENGTH,
    PHONE_MAX_LENGTH,
    READABLE_FORMATS,
    Column,
    cell_ref,
    entry_digest,
    plan_fingerprint,
    row_checksum,
)
from desktop.exchange.reading import (
    Cell,
    SheetRow,
    UnreadableWorkbook,
    Workbook,
    cell_problem,
    shown,
)
from desktop.models.backup import BackupError, backup_before
from desktop.models.changes import Changes, Progress
from desktop.models.edits import NOTE_MAX_LENGTH, EntryEdit, validate_note
from desktop.models.errors import (
    InvalidEntryError,
    NothingToImport,
    OperationCancelled,
    TargetMonitorError,
)
from desktop.models.figures import (
    FigureError,
    FigureProblem,
    figure_in_range,
    format_figure,
    parse_figure,
    parse_state,
)
from desktop.models.history import entries_details
from desktop.models.kinds import IndicatorKind, MilestoneState
from desktop.models.records import DepartmentInfo, IndicatorInfo
from desktop.models.service import EntryService
from desktop.models.store import Database
from desktop.models.workspace import PlanWorkspace

# How far one month may move a figure before the import warns (a share of target − baseline).
JUMP_SHARE = 0.5


@dataclass(frozen=True)
class Issue:
    """A problem or a warning, with the place it was found and the indicator of its row."""

    where: str
    message: str
    code: str = ""

    def __str__(self) -> str:
        place = f"{self.where} {self.code}" if self.code else self.where
        return f"{place}: {self.message}"


class ImportRefused(TargetMonitorError):
    """The file cannot be imported; nothing was changed. `issues` lists every reason.

    The message's first line says the file, its first problem and that nothing was imported;
    the list of problems follows.
    """

    def __init__(self, file_name: str, issues: Sequence[Issue]) -> None:
        self.issues = list(issues)
        first = self.issues[0]
        head = str(first) if first.where.startswith(file_name) else f"{file_name}: {first}"
        lines = "\n".join(f"  {issue}" for issue in self.issues[:50])
        more = len(self.issues) - 50
        if more > 0:
            lines += f"\n  ……另有 {more} 处"
        super().__init__(
            f"{head} — 未导入,数据库未作任何改动(共 {len(self.issues)} 处问题)\n{lines}"
        )


@dataclass(frozen=True)
class CellChange:
    """One cell whose content differs from the database; `conflict` when the month changed in
    the database after the template was exported."""

    where: str
    indicator_id: int
    code: str
    field: str
    old: object
    new: object
    conflict: bool = False


@dataclass(frozen=True)
class Conflict:
    """A month changed in the database after the template was exported."""

    where: str
    indicator_id: int
    code: str
    file_value: dict[str, object]
    database_value: object


@dataclass
class ImportPlan:
    """What an import would do; nothing is written until `apply_import`.

    `rows` holds each indicator's fields that differ from the database, `expected` what the
    database held in them when the file was checked (applying refuses if they changed since).
    """

    file_name: str
    sha256: str
    department: DepartmentInfo
    period: str
    changes: list[CellChange] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    rows: dict[int, dict[str, object]] = field(default_factory=dict)
    expected: dict[int, dict[str, object]] = field(default_factory=dict)
    reporter: str = ""  # the file's 填报人 (several, joined with 、)
    phone: str = ""

    def kept(self, *, prefer_file: bool) -> set[int]:
        """The indicators whose rows applying leaves as the database has them: the conflicting
        ones, unless the file is preferred."""
        return set() if prefer_file else {c.indicator_id for c in self.conflicts}

    def edits(self, *, prefer_file: bool = False) -> list[EntryEdit]:
        """The edits applying makes."""
        kept = self.kept(prefer_file=prefer_file)
        return [
            EntryEdit(indicator_id, self.period, fields, self.expected[indicator_id])
            for indicator_id, fields in self.rows.items()
            if indicator_id not in kept
        ]

    def cells(self, *, prefer_file: bool = False) -> list[CellChange]:
        """The cells applying changes: exactly what the preview counts and the batch writes."""
        kept = self.kept(prefer_file=prefer_file)
        return [change for change in self.changes if change.indicator_id not in kept]

    def nothing_to_apply(self, *, prefer_file: bool = False) -> str | None:
        """Why applying would change nothing, or None when it changes something."""
        if self.cells(prefer_file=prefer_file):
            return None
        if self.conflicts:
            return conflicts_kept(len(self.conflicts))
        return "文件与数据库一致,无需导入"


def conflicts_kept(count: int) -> str:
    """What an import says when every difference conflicted and the database's values stay."""
    return f"{count} 处冲突,均保留数据库中的值;未导入"


@dataclass(frozen=True)
class ImportResult:
    batch_id: int
    changes: Changes
    backup: Path


# --- reading ----------------------------------------------------------------------------


@dataclass
class _Meta:
    facts: dict[str, str]
    # row → (indicator id, code, checksum of the locked cells, what the month held at export:
    # its values' digest, or its entry version in format 1)
    mapping: dict[int, tuple[int, str, str, str]]

    @property
    def records_versions(self) -> bool:
        return self.facts.get("format_version") == "1"


def _read_meta(workbook: Workbook, name: str) -> _Meta:
    if META_SHEET not in workbook.sheets or ENTRY_SHEET not in workbook.sheets:
        raise ImportRefused(
            name,
            [Issue(name, f"不是本系统的填报模板(缺少“{ENTRY_SHEET}”工作表或核对信息)")],
        )
    damaged = ImportRefused(name, [Issue(META_SHEET, "模板的核对信息已损坏")])
    facts: dict[str, str] = {}
    chunks: dict[int, str] = {}
    for row in workbook.rows(META_SHEET):
        key_cell, value_cell = row.cells.get(1), row.cells.get(2)
        cells = [c for c in (key_cell, value_cell) if c is not None]
        if row.repeated or len(cells) < len(row.cells) or any(map(cell_problem, cells)):
            raise damaged
        if key_cell is None:
            raise damaged
        key, value = _text(key_cell.value), _text(None if value_cell is None else value_cell.value)
        number = key.removeprefix("mapping.")
        if number != key and not (number.isdigit() and int(number) not in chunks):
            raise damaged
        if number == key and key in facts:
            raise damaged
        if number != key:
            chunks[int(number)] = value
        else:
            facts[key] = value
    mapping: dict[int, tuple[int, str, str, str]] = {}
    text = "".join(chunks[k] for k in sorted(chunks))
    try:
        for record in filter(None, text.split(";")):
            row_text, indicator_id, code, checksum, exported = record.split(":")
            row_number = int(row_text)
            if row_number in mapping or not 0 <= row_number - FIRST_DATA_ROW < MAX_ROWS:
                raise ValueError(row_text)
            mapping[row_number] = (int(indicator_id), code, checksum, exported)
    except ValueError:
        raise damaged from None
    return _Meta(facts, mapping)


def _check_meta(meta: _Meta, workspace: PlanWorkspace, name: str) -> tuple[DepartmentInfo, str]:
    facts = meta.facts
    where = META_SHEET
    version = facts.get("format_version")
    if version not in READABLE_FORMATS:
        raise ImportRefused(
            name,
            [
                Issue(
                    where,
                    f"模板格式版本为 {version!r},本程序读取版本 {FORMAT_VERSION}",
                )
            ],
        )
    problems = []
    if facts.get("plan_code") != workspace.plan.code:
        problems.append(
            Issue(where, f"模板属于计划 {facts.get('plan_code')!r},而非 {workspace.plan.code!r}")
        )
    elif facts.get("plan_fingerprint") != plan_fingerprint(workspace):
        problems.append(
            Issue(
                where,
                "导出模板后计划已调整(目标或指标有变化),请重新导出模板",
            )
        )
    department = next(
        (d for d in workspace.departments.values() if d.name == facts.get("department")), None
    )
    if department is None:
        problems.append(Issue(where, f"未知的填报单位 {facts.get('department')!r}"))
    period = facts.get("period", "")
    if period not in workspace.months:
        problems.append(Issue(where, f"填报期间 {period!r} 不在计划月份内"))
    if not meta.mapping:
        problems.append(Issue(where, "模板中没有指标行"))
    if problems:
        raise ImportRefused(name, problems)
    assert department is not None
    return department, period


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _holds(cell: Cell) -> bool:
    """Whether a cell holds anything (text of spaces does not count)."""
    return cell.formula is not None or cell.problem is not None or bool(_text(cell.value))


def _figure(cell: Cell | None, indicator_unit: str, milestone: bool) -> object:
    """The 本期值 as the database keeps it; FigureError with the reason otherwise."""
    value = None if cell is None else cell.value
    if milestone:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str):
            raise FigureError(FigureProblem.NOT_A_STATE, _text(value))
        return parse_state(value)
    if value is None:
        return None
    if isinstance(value, str):
        return parse_figure(value, percent=indicator_unit == "%")
    percent_cell = cell is not None and "%" in cell.number_format
    if indicator_unit == "%" and percent_cell and isinstance(value, float):
        return figure_in_range(value * 100, _text(value))  # 0.75 shown as 75% in the cell
    return figure_in_range(value, _text(value))


_FIGURE_MESSAGES = {
    FigureProblem.NOT_A_NUMBER: "“{text}”不是数字",
    FigureProblem.NEGATIVE: "“{text}”是负数,数值须大于或等于 0",
    FigureProblem.TOO_LARGE: "“{text}”数值过大",
    FigureProblem.PERCENT_SIGN: "“{text}”是百分数,但该指标的单位是“{unit}”",
    FigureProblem.NOT_A_STATE: "“{text}”不是“未启动”“推进中”或“已完成”",
}

_TEXT_LIMITS = {
    Column.PROGRESS: ("progress_note", NOTE_MAX_LENGTH),
    Column.PROBLEMS: ("problems", NOTE_MAX_LENGTH),
    Column.REPORTER: ("reporter", PERSON_MAX_LENGTH),
    Column.PHONE: ("phone", PHONE_MAX_LENGTH),
}
_NOTES = (Column.PROGRESS, Column.PROBLEMS)
_LAST_COLUMN = max(Column)


def read_template(path: Path, workspace: PlanWorkspace) -> ImportPlan:
    """Check a returned template completely; the plan of what importing it would change."""
    name = path.name
    try:
        with Workbook(path) as workbook:
            meta = _read_meta(workbook, name)
            department, period = _check_meta(meta, workspace, name)
            plan = ImportPlan(name, workbook.sha256, department, period)
            sheet = _EntrySheet(name, meta, workspace, department)
            sheet.read(workbook)
            sheet.check_other_sheets(workbook)
            workbook.check_unread_parts()
    except UnreadableWorkbook as error:
        raise ImportRefused(name, [Issue(error.where, error.message)]) from None
    except ImportRefused:
        raise
    except Exception as error:  # never a traceback; the fuzzer (tests/) looks for this text
        raise ImportRefused(
            name, [Issue(name, f"无法读取此工作簿(内部错误 {type(error).__name__}: {error})")]
        ) from None
    if sheet.issues:
        raise ImportRefused(name, sheet.issues)
    plan.reporter, plan.phone = ("、".join(sheet.people[key]) for key in ("reporter", "phone"))
    _compare(plan, sheet.values, workspace, meta, rows=set(sheet.rows))
    return plan


class _EntrySheet:
    """填报, read row by row: every cell it holds is read or refused, and each problem found
    once, at its cell."""

    def __init__(
        self, name: str, meta: _Meta, workspace: PlanWorkspace, department: DepartmentInfo
    ) -> None:
        self.name = name
        self.meta = meta
        self.workspace = workspace
        self.department = department
        self.issues: list[Issue] = []
        self.values: dict[int, dict[str, object]] = {}  # indicator → its fields in the file
        self.rows: dict[int, int] = {}  # row → indicator, for the rows read
        self.people: dict[str, dict[str, None]] = {"reporter": {}, "phone": {}}
        self.present: set[int] = set()  # the template's rows that are still in the sheet
        self.seen: dict[int, int] = {}  # indicator → its row

    def refuse(self, where: str, message: str, row: int | None = None) -> None:
        """A problem at a place; in a template's row, named with the row's indicator code."""
        record = None if row is None else self.meta.mapping.get(row)
        self.issues.append(Issue(where, message, "" if record is None else record[1]))
        if len(self.issues) >= MAX_ISSUES:
            more = Issue(self.name, f"问题已达 {MAX_ISSUES} 处,其余部分未再检查")
            raise ImportRefused(self.name, [*self.issues, more])

    def read(self, workbook: Workbook) -> None:
        for row in workbook.rows(ENTRY_SHEET):
            self._row(row)
        for row_number in sorted(set(self.meta.mapping) - self.present):
            # Not named by the row's code: the row is gone, another may stand in its place.
            code = self.meta.mapping[row_number][1]
            self.refuse(
                cell_ref(row_number, Column.CODE), f"缺少 {code} 所在行(可能删除或移动了行)"
            )

    def check_other_sheets(self, workbook: Workbook) -> None:
        """A sheet the template does not have is refused if it holds anything: its content
        would not be imported. (填报说明 holds the template's own instructions.)"""
        for sheet in workbook.sheets:
            if sheet in (ENTRY_SHEET, GUIDE_SHEET, META_SHEET):
                continue
            for row in workbook.rows(sheet):
                column = min(row.cells) if row.cells else 1
                self.refuse(
                    f"{shown(sheet, 100)}!{get_column_letter(column)}{row.number}",
                    f"工作表“{shown(sheet)}”不属于模板,其中的内容不会被导入;请删除该工作表后再导入",
                )
                break

    def _row(self, row: SheetRow) -> None:
        number, cells = row.number, row.cells
        if row.repeated:
            self.refuse(
                cell_ref(number, Column.NUMBER), f"第 {number} 行在文件中出现了两次", number
            )
            return
        if max(cells, default=0) > _LAST_COLUMN:
            for column, cell in cells.items():
                if column > _LAST_COLUMN and _holds(cell):
                    self.refuse(
                        f"{ENTRY_SHEET}!{get_column_letter(column)}{number}",
                        f"此单元格在模板的表格之外(模板只到 {Column.PHONE.letter} 列),"
                        "其中的内容不会被导入;请删除后再导入",
                        number,
                    )
            cells = {c: cell for c, cell in cells.items() if c <= _LAST_COLUMN}
        if number >= FIRST_DATA_ROW:  # above: the heading, locked; nothing in it is imported
            self._data_row(number, cells)

    def _data_row(self, number: int, cells: dict[int, Cell]) -> None:
        record = self.meta.mapping.get(number)
        if record is None:
            if any(_holds(cell) for cell in cells.values()):
                self.refuse(cell_ref(number, Column.NUMBER), "此行不属于模板(可能增加或移动了行)")
            return
        self.present.add(number)
        unreadable = [(c, cell.problem) for c, cell in cells.items() if cell.problem]
        for column, problem in unreadable:
            self.refuse(cell_ref(number, Column(column)), str(problem), number)
        if unreadable:
            return
        indicator = self._indicator(number, record)
        if indicator is None:
            return
        indicator_id, code, checksum, _version = record
        locked = [cells[c].value if c in cells else None for c in LOCKED_COLUMNS]
        if row_checksum(locked) != checksum:
            self.refuse(
                f"{ENTRY_SHEET}!A{number}:{Column.PREVIOUS.letter}{number}",
                f"锁定单元格被修改(应为 {code} {indicator.name})",
                number,
            )
            return
        fields = self._fields(number, indicator, cells)
        if fields is not None:
            for key, seen in self.people.items():
                text = str(fields.pop(key))
                if text:
                    seen[text] = None
            self.values[indicator_id] = fields
            self.rows[number] = indicator_id

    def _indicator(self, number: int, record: tuple[int, str, str, str]) -> IndicatorInfo | None:
        """The row's indicator, if it is this department's and no other row had it."""
        indicator_id, code, _checksum, _version = record
        indicator = self.workspace.indicators.get(indicator_id)
        if indicator is None or indicator.code != code:
            self.refuse(cell_ref(number, Column.CODE), "此指标不在计划中", number)
            return None
        if indicator.department_id != self.department.id:
            self.refuse(cell_ref(number, Column.CODE), "此指标属于其他单位", number)
            return None
        if indicator_id in self.seen:
            self.refuse(
                cell_ref(number, Column.CODE),
                f"重复出现(另见第 {self.seen[indicator_id]} 行)",
                number,
            )
            return None
        self.seen[indicator_id] = number
        return indicator

    def _fields(
        self, number: int, indicator: IndicatorInfo, cells: dict[int, Cell]
    ) -> dict[str, object] | None:
        """A row's entry fields (and its 填报人 and 联系电话), or None with its problems."""
        fields: dict[str, object] = {}
        ok = True
        for column in (Column.VALUE, *_TEXT_LIMITS):
            cell = cells.get(column)
            problem = None if cell is None else cell_problem(cell)
            if problem is not None:
                self.refuse(cell_ref(number, column), problem, number)
                ok = False
        if not ok:
            return None
        value = cells.get(Column.VALUE)
        try:
            figure = _figure(value, indicator.unit, indicator.is_milestone)
        except FigureError as error:
            message = _FIGURE_MESSAGES[error.problem].format(
                text=shown(error.text), unit=indicator.unit
            )
            if value is not None and value.formula is not None:
                message = f"公式 {shown(value.formula)} 的结果{message}"
            self.refuse(cell_ref(number, Column.VALUE), message, number)
            ok = False
        else:
            fields["milestone_state" if indicator.is_milestone else "value"] = figure
        for column, (name, limit) in _TEXT_LIMITS.items():
            cell = cells.get(column)
            text = _text(None if cell is None else cell.value)
            if len(text) > limit:
                self.refuse(
                    cell_ref(number, column),
                    f"共 {len(text)} 字,超过上限 {limit} 字(不会被截断,请删减后再导入)",
                    number,
                )
                ok = False
                continue
            if column in _NOTES:
                try:  # whatever else the database refuses in a note, refused here at its cell
                    text = validate_note(text)
                except InvalidEntryError as error:
                    self.refuse(cell_ref(number, column), f"无法保存:{error}", number)
                    ok = False
                    continue
            fields[name] = text
        return fields if ok else None


_FIELD_COLUMNS = {
    "value": Column.VALUE,
    "milestone_state": Column.VALUE,
    "progress_note": Column.PROGRESS,
    "problems": Column.PROBLEMS,
}


def _compare(
    plan: ImportPlan,
    values: dict[int, dict[str, object]],
    workspace: PlanWorkspace,
    meta: _Meta,
    *,
    rows: set[int],
) -> None:
    """Fill the plan: what differs from the database, what looks odd, what conflicts.

    A conflict is a month whose values in the database are no longer those the template was
    exported with (for format 1 templates: whose entry was written since), and which the file
    would change.
    """
    details = entries_details(workspace.database, list(values), plan.period)
    row_of = {meta.mapping[row][0]: row for row in rows}
    exported = {meta.mapping[row][0]: meta.mapping[row][3] for row in rows}
    for indicator_id, fields in values.items():
        indicator = workspace.indicators[indicator_id]
        row = row_of[indicator_id]
        entry = workspace.entry(indicator_id, plan.period)
        detail = details.get(indicator_id)
        reported = None if entry is None else entry.reported
        current: dict[str, object] = {
            "value": None if entry is None else entry.value,
            "milestone_state": None if entry is None else entry.state,
            "progress_note": "" if detail is None else detail.progress_note,
            "problems": "" if detail is None else detail.problems,
        }
        differing = {k: v for k, v in fields.items() if current[k] != v}
        if not differing:
            continue
        if meta.records_versions:
            conflict = exported[indicator_id] != str(0 if entry is None else entry.version)
        else:
            now = entry_digest(reported, str(current["progress_note"]), str(current["problems"]))
            conflict = exported[indicator_id] != now
        plan.rows[indicator_id] = differing
        plan.expected[indicator_id] = {name: current[name] for name in differing}
        plan.changes.extend(
            CellChange(
                cell_ref(row, _FIELD_COLUMNS[name]),
                indicator_id,
                indicator.code,
                name,
                current[name],
                new,
                conflict,
            )
            for name, new in differing.items()
        )
        if conflict:
            plan.conflicts.append(
                Conflict(
                    cell_ref(row, Column.VALUE), indicator_id, indicator.code, differing, reported
                )
            )
        new_value = differing.get("value")
        if isinstance(new_value, float):
            _warn_about_trend(plan, workspace, indicator_id, row, new_value)


def _warn_about_trend(
    plan: ImportPlan, workspace: PlanWorkspace, indicator_id: int, row: int, new_value: float
) -> None:
    indicator = workspace.indicators[indicator_id]
    previous = workspace.reported_before(indicator_id, plan.period)
    where = cell_ref(row, Column.VALUE)
    if previous is None:
        return
    period, value = previous
    if indicator.kind is IndicatorKind.CUMULATIVE and new_value < value:
        plan.warnings.append(
            Issue(
                where,
                f"累计值由 {format_figure(value)}({period})降为 {format_figure(new_value)}",
                indicator.code,
            )
        )
    span = abs((indicator.target or 0.0) - (indicator.baseline or 0.0))
    if span and abs(new_value - value) > JUMP_SHARE * span:
        plan.warnings.append(
            Issue(
                where,
                f"{format_figure(new_value)} 与上期 {format_figure(value)}({period})"
                "相差过大,请核实",
                indicator.code,
            )
        )


# --- applying ---------------------------------------------------------------------------


def apply_import(
    plan: ImportPlan,
    workspace: PlanWorkspace,
    user: str,
    *,
    prefer_file: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Back up, then apply the plan in one transaction under a new import batch.

    Refused, with nothing recorded, when it would change nothing (every difference a conflict
    kept as the database has it, or none at all), when a cell it changes was changed in the
    database since the file was checked, or when the user cancels before the write. A failed
    backup or write raises a TargetMonitorError and leaves the database as it was.
    """
    reason = plan.nothing_to_apply(prefer_file=prefer_file)
    if reason is not None:
        raise NothingToImport(f"{plan.file_name}:{reason}")
    edits = plan.edits(prefer_file=prefer_file)
    database = workspace.database
    backup = _backed_up(database, "import", "nothing was imported", progress)
    changes = EntryService(database, user).apply_import(
        file_name=plan.file_name,
        sha256=plan.sha256,
        department_id=plan.department.id,
        period=plan.period,
        edits=edits,
        reporter=plan.reporter,
        phone=plan.phone,
    )
    if progress is not None:
        progress(2, 2)
    assert changes.batch_id is not None
    return ImportResult(changes.batch_id, changes, backup)


def _backed_up(database: Database, reason: str, outcome: str, progress: Progress | None) -> Path:
    """The backup a change starts with, as the first of its two steps (the backup, the write):
    a cancel before or after it stops the change, and a failed backup says the change was not
    made (`outcome`)."""
    _step(progress, 0, outcome)
    try:
        backup = backup_before(database, reason)
    except BackupError as error:
        raise BackupError(f"{error}; {outcome}") from error
    _step(progress, 1, outcome)
    return backup


def _step(progress: Progress | None, done: int, outcome: str) -> None:
    if progress is not None and not progress(done, 2):
        raise OperationCancelled(f"cancelled; {outcome}")


def undo_import(
    workspace: PlanWorkspace, batch_id: int, user: str, *, progress: Progress | None = None
) -> Changes:
    """Take a whole import back (refused if anything it wrote was changed since)."""
    return _switch_batch(workspace, batch_id, user, applied=False, progress=progress)


def redo_import(
    workspace: PlanWorkspace, batch_id: int, user: str, *, progress: Progress | None = None
) -> Changes:
    """Apply an undone import again (refused if a cell it writes was changed since)."""
    return _switch_batch(workspace, batch_id, user, applied=True, progress=progress)


def _switch_batch(
    workspace: PlanWorkspace,
    batch_id: int,
    user: str,
    *,
    applied: bool,
    progress: Progress | None,
) -> Changes:
    if applied:
        reason, outcome = "redo-import", "the import was not applied again"
    else:
        reason, outcome = "undo-import", "nothing was undone"
    _backed_up(workspace.database, reason, outcome, progress)
    service = EntryService(workspace.database, user)
    return service.redo_import(batch_id) if applied else service.undo_import(batch_id)


def describe(value: object) -> str:
    """A cell's old or new content for listings: on one line, long text cut."""
    if value is None or value == "":
        return "—"
    if isinstance(value, MilestoneState):
        return value.value
    if isinstance(value, float):
        return format_figure(value)
    return shown(str(value))
