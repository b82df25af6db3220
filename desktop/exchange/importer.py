"""Reading a returned department template: check everything, then apply all rows or none.

`read_template` never changes anything: it returns an `ImportPlan` (the changes, old → new per
cell, the warnings and the conflicts) or raises `ImportRefused` listing every problem with its
file, sheet and cell. `apply_import` backs the database up and applies the plan in one
transaction under an ImportBatch, which `undo_import` can take back as a whole.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl

from desktop.exchange.layout import (
    ENTRY_SHEET,
    FIRST_DATA_ROW,
    FORMAT_VERSION,
    LOCKED_COLUMNS,
    MAX_COMPRESSION_RATIO,
    MAX_FILE_BYTES,
    MAX_ROWS,
    MAX_UNCOMPRESSED_BYTES,
    MAX_ZIP_MEMBERS,
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
from desktop.models.backup import BackupError, backup_before
from desktop.models.changes import Changes, Progress
from desktop.models.database import Database
from desktop.models.errors import NothingToImport, OperationCancelled, TargetMonitorError
from desktop.models.figures import (
    FigureError,
    FigureProblem,
    figure_in_range,
    format_figure,
    parse_figure,
    parse_state,
)
from desktop.models.history import entries_details
from desktop.models.records import DepartmentInfo
from desktop.models.schema import IndicatorKind, MilestoneState
from desktop.models.service import NOTE_MAX_LENGTH, EntryEdit, EntryService
from desktop.models.workspace import PlanWorkspace

# How far one month may move a figure before the import warns (a share of target − baseline).
JUMP_SHARE = 0.5


@dataclass(frozen=True)
class Issue:
    """A problem or a warning, with the place it was found."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class ImportRefused(TargetMonitorError):
    """The file cannot be imported; nothing was changed. `issues` lists every reason."""

    def __init__(self, file_name: str, issues: Sequence[Issue]) -> None:
        self.issues = list(issues)
        lines = "\n".join(f"  {issue}" for issue in self.issues[:50])
        more = len(self.issues) - 50
        if more > 0:
            lines += f"\n  ……另有 {more} 处"
        super().__init__(f"{file_name}:未导入,数据库未作任何改动\n{lines}")


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


# --- the file itself --------------------------------------------------------------------


def _check_container(path: Path) -> None:
    """Size and decompression limits, checked before any XML is parsed."""
    name = path.name
    try:
        size = path.stat().st_size
    except OSError as error:
        raise ImportRefused(name, [Issue(name, f"无法读取({error.strerror})")]) from None
    if size > MAX_FILE_BYTES:
        raise ImportRefused(
            name, [Issue(name, f"文件大小 {size} 字节,超过上限 {MAX_FILE_BYTES} 字节")]
        )
    if not zipfile.is_zipfile(path):
        raise ImportRefused(name, [Issue(name, "不是 .xlsx 工作簿,或文件已损坏")])
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except Exception as error:  # BadZipFile, NotImplementedError for odd zip versions, …
        raise ImportRefused(name, [Issue(name, f"工作簿已损坏({error})")]) from None
    if len(members) > MAX_ZIP_MEMBERS:
        raise ImportRefused(name, [Issue(name, f"包含 {len(members)} 个部件,不是填报模板")])
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise ImportRefused(name, [Issue(name, f"解压后达 {total} 字节,拒绝读取")])
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1_000_000 and ratio > MAX_COMPRESSION_RATIO:
            raise ImportRefused(
                name, [Issue(name, f"{member.filename} is compressed {ratio:.0f}:1; refused")]
            )
    if "xl/workbook.xml" not in {m.filename for m in members}:
        raise ImportRefused(name, [Issue(name, "不是 .xlsx 工作簿(缺少 xl/workbook.xml)")])


def _open(path: Path, *, data_only: bool) -> Any:
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    except Exception as error:  # a hostile file can make any parser step fail
        raise ImportRefused(path.name, [Issue(path.name, f"工作簿已损坏({error})")]) from None


def _rows(sheet: Any, max_column: int) -> Iterator[tuple[int, tuple[Any, ...]]]:
    for row in sheet.iter_rows(min_row=1, max_col=max_column):
        if not row:
            continue
        number = getattr(row[0], "row", None)
        if number is None:  # an empty cell in read-only mode has no coordinates
            number = next((c.row for c in row if getattr(c, "row", None)), None)
        if number is not None:
            yield number, row


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


def _read_meta(workbook: Any, name: str) -> _Meta:
    if META_SHEET not in workbook.sheetnames or ENTRY_SHEET not in workbook.sheetnames:
        raise ImportRefused(
            name,
            [
                Issue(
                    name,
                    f"不是本系统的填报模板(缺少“{ENTRY_SHEET}”工作表或核对信息)",
                )
            ],
        )
    facts: dict[str, str] = {}
    chunks: dict[int, str] = {}
    for _number, cells in _rows(workbook[META_SHEET], 2):
        key, value = [*(c.value for c in cells), None, None][:2]
        if key is None:
            continue
        if str(key).startswith("mapping."):
            chunks[int(str(key).partition(".")[2] or 0)] = "" if value is None else str(value)
        else:
            facts[str(key)] = "" if value is None else str(value)
    mapping: dict[int, tuple[int, str, str, str]] = {}
    text = "".join(chunks[k] for k in sorted(chunks))
    try:
        for record in filter(None, text.split(";")):
            row, indicator_id, code, checksum, exported = record.split(":")
            mapping[int(row)] = (int(indicator_id), code, checksum, exported)
    except ValueError:
        raise ImportRefused(
            name, [Issue(f"{name} ({META_SHEET})", "模板的核对信息已损坏")]
        ) from None
    return _Meta(facts, mapping)


def _check_meta(meta: _Meta, workspace: PlanWorkspace, name: str) -> tuple[DepartmentInfo, str]:
    facts = meta.facts
    where = f"{name} ({META_SHEET})"
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


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _figure(cell: Any, indicator_unit: str, milestone: bool) -> object:
    """The 本期值 as the database keeps it; FigureError with the reason otherwise."""
    value = cell.value
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
    percent_cell = "%" in (getattr(cell, "number_format", "") or "")
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if indicator_unit == "%" and percent_cell and number:
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


def read_template(path: Path, workspace: PlanWorkspace) -> ImportPlan:
    """Check a returned template completely; the plan of what importing it would change."""
    name = path.name
    _check_container(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    workbook = _open(path, data_only=False)
    try:
        meta = _read_meta(workbook, name)
        department, period = _check_meta(meta, workspace, name)
        plan = ImportPlan(name, digest, department, period)
        issues: list[Issue] = []
        formulas: dict[tuple[int, Column], str] = {}
        rows = _read_rows(
            workbook[ENTRY_SHEET], meta, workspace, department, issues=issues, formulas=formulas
        )
    except ImportRefused:
        raise
    except Exception as error:  # a hostile file can make any parser step fail
        raise ImportRefused(name, [Issue(name, f"工作簿已损坏({error})")]) from None
    finally:
        workbook.close()
    if formulas:
        _use_cached_values(path, rows, formulas, issues)
    values: dict[int, dict[str, object]] = {}
    people: dict[str, dict[str, None]] = {"reporter": {}, "phone": {}}
    for row_number, (indicator_id, cells) in rows.items():
        fields = _fields(row_number, indicator_id, cells, workspace, issues)
        if fields is not None:
            for key, seen in people.items():
                text = str(fields.pop(key))
                if text:
                    seen[text] = None
            values[indicator_id] = fields
    if issues:
        raise ImportRefused(name, issues)
    plan.reporter, plan.phone = ("、".join(people[key]) for key in ("reporter", "phone"))
    _compare(plan, values, workspace, meta, rows=set(rows))
    return plan


def _read_rows(
    sheet: Any,
    meta: _Meta,
    workspace: PlanWorkspace,
    department: DepartmentInfo,
    *,
    issues: list[Issue],
    formulas: dict[tuple[int, Column], str],
) -> dict[int, tuple[int, dict[Column, Any]]]:
    """The template's rows by row number: indicator id and the cells (checked locked parts)."""
    found: dict[int, tuple[int, dict[Column, Any]]] = {}
    seen: dict[int, int] = {}
    present: set[int] = set()  # the template's rows that are still in the sheet
    for row_number, raw in _rows(sheet, len(Column)):
        if row_number < FIRST_DATA_ROW:
            continue
        if row_number > FIRST_DATA_ROW + MAX_ROWS:
            issues.append(Issue(cell_ref(row_number, Column.NUMBER), "行数过多"))
            break
        cells = {Column(i + 1): cell for i, cell in enumerate(raw[: len(Column)])}
        record = meta.mapping.get(row_number)
        if record is None:
            if any(_text(getattr(c, "value", None)) for c in cells.values()):
                issues.append(
                    Issue(
                        cell_ref(row_number, Column.NUMBER),
                        "此行不属于模板(可能增加或移动了行)",
                    )
                )
            continue
        present.add(row_number)
        indicator_id, code, checksum, _version = record
        indicator = workspace.indicators.get(indicator_id)
        if indicator is None or indicator.code != code:
            issues.append(Issue(cell_ref(row_number, Column.CODE), f"指标 {code} 不在计划中"))
            continue
        if indicator.department_id != department.id:
            issues.append(Issue(cell_ref(row_number, Column.CODE), f"{code} 属于其他单位"))
            continue
        if indicator_id in seen:
            issues.append(
                Issue(
                    cell_ref(row_number, Column.CODE),
                    f"{code} 重复出现(另见第 {seen[indicator_id]} 行)",
                )
            )
            continue
        seen[indicator_id] = row_number
        locked = [getattr(cells.get(c), "value", None) for c in LOCKED_COLUMNS]
        if row_checksum(locked) != checksum:
            issues.append(
                Issue(
                    f"{ENTRY_SHEET}!A{row_number}:{Column.PREVIOUS.letter}{row_number}",
                    f"{code} 的锁定单元格被修改(应为 {code} {indicator.name})",
                )
            )
            continue
        for column in (Column.VALUE, *_TEXT_LIMITS):
            cell = cells.get(column)
            if getattr(cell, "data_type", None) == "f":
                formulas[(row_number, column)] = str(cell.value)  # type: ignore[union-attr]
        found[row_number] = (indicator_id, cells)
    for row_number in sorted(set(meta.mapping) - present):
        code = meta.mapping[row_number][1]
        issues.append(
            Issue(
                cell_ref(row_number, Column.CODE),
                f"缺少 {code} 所在行(可能删除或移动了行)",
            )
        )
    return found


class _Cached:
    """A formula cell replaced by its cached value (as Excel, WPS and LibreOffice save it)."""

    def __init__(self, value: Any, number_format: str) -> None:
        self.value = value
        self.number_format = number_format
        self.data_type = "n"


def _use_cached_values(
    path: Path,
    rows: dict[int, tuple[int, dict[Column, Any]]],
    formulas: dict[tuple[int, Column], str],
    issues: list[Issue],
) -> None:
    workbook = _open(path, data_only=True)
    try:
        cached = {
            (number, Column(i + 1)): cell
            for number, raw in _rows(workbook[ENTRY_SHEET], len(Column))
            for i, cell in enumerate(raw[: len(Column)])
            if (number, Column(i + 1)) in formulas
        }
    finally:
        workbook.close()
    for (row_number, column), formula in formulas.items():
        cell = cached.get((row_number, column))
        value = getattr(cell, "value", None)
        if getattr(cell, "data_type", None) == "e":
            issues.append(
                Issue(
                    cell_ref(row_number, column),
                    f"公式 {formula} 计算出错({value});请直接填写数值或文字",
                )
            )
            continue
        if value is None:
            issues.append(
                Issue(
                    cell_ref(row_number, column),
                    f"公式 {formula} 没有保存的计算结果;请直接填写数值,"
                    "或在 Excel、WPS、LibreOffice 中重新保存后再导入",
                )
            )
            continue
        rows[row_number][1][column] = _Cached(value, getattr(cell, "number_format", "") or "")


def _fields(
    row_number: int,
    indicator_id: int,
    cells: dict[Column, Any],
    workspace: PlanWorkspace,
    issues: list[Issue],
) -> dict[str, object] | None:
    """A row's entry fields (and its 填报人 and 联系电话), or None with its problems added."""
    indicator = workspace.indicators[indicator_id]
    fields: dict[str, object] = {}
    ok = True
    where = cell_ref(row_number, Column.VALUE)
    try:
        figure = _figure(
            cells.get(Column.VALUE) or _Cached(None, ""), indicator.unit, indicator.is_milestone
        )
    except FigureError as error:
        message = _FIGURE_MESSAGES[error.problem].format(text=error.text, unit=indicator.unit)
        issues.append(Issue(where, message))
        ok = False
    else:
        fields["milestone_state" if indicator.is_milestone else "value"] = figure
    for column, (name, limit) in _TEXT_LIMITS.items():
        text = _text(getattr(cells.get(column), "value", None))
        if len(text) > limit:
            issues.append(
                Issue(
                    cell_ref(row_number, column),
                    f"共 {len(text)} 字,超过上限 {limit} 字(不会被截断,请删减后再导入)",
                )
            )
            ok = False
        else:
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
                f"{indicator.code}:累计值由 {format_figure(value)}({period})"
                f"降为 {format_figure(new_value)}",
            )
        )
    span = abs((indicator.target or 0.0) - (indicator.baseline or 0.0))
    if span and abs(new_value - value) > JUMP_SHARE * span:
        plan.warnings.append(
            Issue(
                where,
                f"{indicator.code}:{format_figure(new_value)} 与上期 "
                f"{format_figure(value)}({period})相差过大,请核实",
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
    """A cell's old or new content for listings."""
    if value is None or value == "":
        return "—"
    if isinstance(value, MilestoneState):
        return value.value
    if isinstance(value, float):
        return format_figure(value)
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"
