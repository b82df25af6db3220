"""Excel exchange: the template's shape, the round trip, every refusal, every accepted spelling."""

from __future__ import annotations

import io
import random
import re
import shutil
import sqlite3
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import openpyxl.xml
import pytest
from sqlalchemy import select

from desktop.cli import main
from desktop.exchange import reading as reading_module
from desktop.exchange.importer import (
    ImportRefused,
    apply_import,
    read_template,
    undo_import,
)
from desktop.exchange.layout import ENTRY_SHEET, FIRST_DATA_ROW, MAX_FILE_BYTES, META_SHEET, Column
from desktop.exchange.template import export_template
from desktop.models.errors import StaleEditError, TargetMonitorError
from desktop.models.kinds import BatchState, MilestoneState
from desktop.models.schema import AuditEvent, Entry, ImportBatch
from desktop.models.service import EntryService
from desktop.models.store import Database
from desktop.models.workspace import PlanWorkspace
from tests.conftest import FixedClock
from tests.fuzz_workbooks import (
    ENTRY_PART,
    HEAVY,
    add_rows,
    measured_import,
    rewrite_part,
    rewrite_parts,
    set_cell,
)
from tests.limits import time_limit

PERIOD = "2025-06"


@pytest.fixture
def workspace(database: Database) -> PlanWorkspace:
    return PlanWorkspace(database, as_of=PERIOD)


def export(workspace: PlanWorkspace, tmp_path: Path, department: str = "发改委") -> Path:
    path = tmp_path / f"{department}.xlsx"
    export_template(workspace, department, PERIOD, path)
    return path


def fill(
    path: Path,
    cells: dict[str, Any],
    target: Path | None = None,
    edit: Callable[[Any], None] | None = None,
) -> Path:
    """Type into the template as a clerk would (openpyxl standing in for Excel)."""
    workbook = openpyxl.load_workbook(path)
    sheet = workbook[ENTRY_SHEET]
    for ref, value in cells.items():
        sheet[ref] = value
    if edit is not None:
        edit(workbook)
    target = target or path.with_name(f"filled-{path.name}")
    workbook.save(target)
    return target


def row_of(path: Path, code: str) -> int:
    sheet = openpyxl.load_workbook(path)[ENTRY_SHEET]
    for row in range(FIRST_DATA_ROW, sheet.max_row + 1):
        if sheet.cell(row, Column.CODE).value == code:
            return row
    raise AssertionError(code)


def content(database: Database) -> list[tuple[Any, ...]]:
    with sqlite3.connect(database.path) as connection:
        rows = []
        for table in ("entries", "audit_events", "import_batches"):
            rows += connection.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
    connection.close()
    return rows


def refused(path: Path, workspace: PlanWorkspace) -> str:
    before = content(workspace.database)
    with pytest.raises(ImportRefused) as caught:
        read_template(path, workspace)
    assert content(workspace.database) == before
    return str(caught.value)


# --- the template ------------------------------------------------------------------------


def test_the_template_is_protected_validated_and_printable(
    workspace: PlanWorkspace, tmp_path: Path
) -> None:
    path = export(workspace, tmp_path, "工信局")
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == [ENTRY_SHEET, "填报说明", META_SHEET]
    assert workbook[META_SHEET].sheet_state == "veryHidden"
    sheet = workbook[ENTRY_SHEET]
    assert [sheet.cell(4, c).value for c in Column][9] == "本期值"
    row = row_of(path, "2.1.1-1")
    assert sheet.cell(row, Column.TARGET).value == 300
    assert sheet.protection.sheet and not sheet.protection.password
    assert sheet.cell(row, Column.VALUE).protection.locked is False
    assert sheet.cell(row, Column.CODE).protection.locked is True
    rules = {v.type: str(v.sqref) for v in sheet.data_validations.dataValidation}
    assert f"J{row}" in rules["decimal"]
    assert f"J{row_of(path, '1.1.1-2')}" in rules["list"]
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet.print_title_rows == "$4:$4" and sheet.freeze_panes == "G5"
    assert sheet.max_row == FIRST_DATA_ROW + 28 - 1  # the 28 indicators of 工信局


def test_typed_notes_are_exported_as_text_never_as_formulas(
    workspace: PlanWorkspace, tmp_path: Path
) -> None:
    projects = next(i for i in workspace.indicators.values() if i.code == "2.1.1-1").id
    EntryService(workspace.database, "张三").set_notes(
        projects, PERIOD, progress_note="=1+1 完成", problems="@sum -2"
    )
    path = export(workspace, tmp_path, "工信局")
    with zipfile.ZipFile(path) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml  # no formula anywhere
    cell = openpyxl.load_workbook(path)[ENTRY_SHEET].cell(row_of(path, "2.1.1-1"), Column.PROGRESS)
    assert cell.value == "=1+1 完成" and cell.data_type == "s"


# --- the round trip ----------------------------------------------------------------------


def test_round_trip_export_fill_import_undo(workspace: PlanWorkspace, tmp_path: Path) -> None:
    path = export(workspace, tmp_path)
    filled = fill(
        path,
        {
            f"J{row_of(path, '4.2.1-1')}": 120,
            f"K{row_of(path, '4.2.1-1')}": "新增共享交换服务 120 项",
            f"J{row_of(path, '4.2.1-2')}": "推进中",
            f"J{row_of(path, '4.2.1-3')}": " 6 ",
        },
    )
    plan = read_template(filled, workspace)
    assert [(c.code, c.field, c.new) for c in plan.changes] == [
        ("4.2.1-1", "value", 120.0),
        ("4.2.1-1", "progress_note", "新增共享交换服务 120 项"),
        ("4.2.1-2", "milestone_state", MilestoneState.IN_PROGRESS),
        ("4.2.1-3", "value", 6.0),
    ]
    result = apply_import(plan, workspace, "导入员")
    assert result.backup.is_file()
    database = workspace.database
    with database.read() as session:
        entries = {e.indicator.code: e for e in session.scalars(select(Entry))}
        batch = session.get(ImportBatch, result.batch_id)
        events = session.scalars(select(AuditEvent)).all()
        assert entries["4.2.1-1"].value == 120 and entries["4.2.1-1"].origin.value == "import"
        assert entries["4.2.1-2"].milestone_state is MilestoneState.IN_PROGRESS
        assert batch is not None and batch.state is BatchState.APPLIED and batch.rows == 3
        assert batch.file_name == filled.name and len(batch.sha256) == 64
    assert len(events) == 4 and {e.batch_id for e in events} == {result.batch_id}
    # importing the same file again changes nothing
    workspace.refresh(result.changes.indicator_ids)
    assert read_template(filled, workspace).changes == []
    undo_import(workspace, result.batch_id, "导入员")
    with database.read() as session:
        assert all(
            e.value is None and e.milestone_state is None for e in session.scalars(select(Entry))
        )
        assert session.get(ImportBatch, result.batch_id).state is BatchState.UNDONE  # type: ignore[union-attr]
    with pytest.raises(TargetMonitorError, match="undone already"):
        undo_import(workspace, result.batch_id, "导入员")


def test_undo_is_refused_when_someone_changed_the_figures_since(
    workspace: PlanWorkspace, tmp_path: Path
) -> None:
    path = export(workspace, tmp_path)
    plan = read_template(fill(path, {f"J{row_of(path, '4.2.1-1')}": 120}), workspace)
    result = apply_import(plan, workspace, "导入员")
    indicator = next(iter(result.changes.indicator_ids))
    colleague = EntryService(workspace.database, "李四", clock=FixedClock())
    colleague.set_value(indicator, PERIOD, 130, expected=120)
    with pytest.raises(StaleEditError, match="changed after the import") as refused:
        undo_import(workspace, result.batch_id, "导入员")
    assert "it holds 130, the import wrote 120" in str(refused.value)  # both values


# --- what people really type -------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [(" 1,234 ", 1234.0), ("１２３", 123.0), (12.5, 12.5), ("12", 12.0), (0, 0.0)],
)
def test_accepted_spellings_of_a_figure(
    workspace: PlanWorkspace, tmp_path: Path, typed: object, stored: float
) -> None:
    path = export(workspace, tmp_path)
    plan = read_template(fill(path, {f"J{row_of(path, '4.2.1-1')}": typed}), workspace)
    assert [(c.code, c.new) for c in plan.changes] == [("4.2.1-1", stored)]


@pytest.mark.parametrize("typed", ["75%", "７５％", 75, 0.75])
def test_accepted_spellings_of_a_percentage(
    workspace: PlanWorkspace, tmp_path: Path, typed: object
) -> None:
    path = export(workspace, tmp_path, "城乡建设局")
    ref = f"J{row_of(path, '5.2.2-1')}"

    def percent_format(workbook: Any) -> None:
        if typed == 0.75:
            workbook[ENTRY_SHEET][ref].number_format = "0%"

    plan = read_template(fill(path, {ref: typed}, edit=percent_format), workspace)
    assert [(c.code, c.new) for c in plan.changes] == [("5.2.2-1", 75.0)]


def test_empty_rows_and_spaces_change_nothing(workspace: PlanWorkspace, tmp_path: Path) -> None:
    path = export(workspace, tmp_path)
    plan = read_template(fill(path, {f"K{row_of(path, '4.2.1-1')}": "   "}), workspace)
    assert plan.changes == []


# --- refusals ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "“abc”不是数字"),
        (-3, "负数"),
        ("-3", "负数"),
        ("nan", "不是数字"),
        ("inf", "不是数字"),
        (1e13, "数值过大"),
        ("75%", "是百分数"),
        (True, "不是数字"),
    ],
)
def test_bad_figures_are_refused_with_their_cell(
    workspace: PlanWorkspace, tmp_path: Path, typed: object, message: str
) -> None:
    path = export(workspace, tmp_path)
    row = row_of(path, "4.2.1-1")
    text = refused(fill(path, {f"J{row}": typed}), workspace)
    assert f"{ENTRY_SHEET}!J{row}" in text and message in text


def test_a_bad_state_is_refused(workspace: PlanWorkspace, tmp_path: Path) -> None:
    path = export(workspace, tmp_path)
    row = row_of(path, "4.2.1-2")
    assert "不是“未启动”" in refused(fill(path, {f"J{row}": "差不多了"}), workspace)


@pytest.mark.parametrize("position", ["first", "middle", "last"])
def test_one_bad_cell_anywhere_leaves_the_database_unchanged(
    workspace: PlanWorkspace, tmp_path: Path, position: str
) -> None:
    path = export(workspace, tmp_path, "工信局")
    rows = list(range(FIRST_DATA_ROW, FIRST_DATA_ROW + 28))
    bad = {"first": rows[0], "middle": rows[14], "last": rows[-1]}[position]
    cells: dict[str, Any] = {f"K{r}": f"第{r}行进展" for r in rows}
    cells[f"J{bad}"] = "十二"
    text = refused(fill(path, cells), workspace)
    assert f"J{bad}" in text


def test_a_formula_without_a_saved_result_is_refused(
    workspace: PlanWorkspace, tmp_path: Path
) -> None:
    path = export(workspace, tmp_path)
    row = row_of(path, "4.2.1-1")
    text = refused(fill(path, {f"J{row}": "=100+20"}), workspace)
    assert f"J{row}" in text and "没有保存的计算结果" in text


def test_text_over_the_limit_is_refused_not_cut(workspace: PlanWorkspace, tmp_path: Path) -> None:
    path = export(workspace, tmp_path)
    row = row_of(path, "4.2.1-1")
    text = refused(fill(path, {f"L{row}": "长" * 2001, f"M{row}": "名" * 65}), workspace)
    assert f"L{row}" in text and f"M{row}" in text and "不会被截断" in text


def test_edited_locked_cells_are_refused(workspace: PlanWorkspace, tmp_path: Path) -> None:
    path = export(workspace, tmp_path)
    row = row_of(path, "4.2.1-1")
    text = refused(fill(path, {f"H{row}": 30}), workspace)  # the target "lowered" by hand
    assert "锁定单元格被修改" in text and str(row) in text


def test_added_and_deleted_rows_are_refused(workspace: PlanWorkspace, tmp_path: Path) -> None:
    path = export(workspace, tmp_path)
    last = row_of(path, "4.2.3-1")  # the template's last row
    assert "不属于模板" in refused(
        fill(path, {f"B{last + 1}": "9.9.9-9", f"J{last + 1}": 5}), workspace
    )
    deleted = fill(path, {}, edit=lambda wb: wb[ENTRY_SHEET].delete_rows(last))
    assert "缺少 4.2.3-1" in refused(deleted, workspace)


def meta_edit(key_or_cell: str, value: Any) -> Callable[[Any], None]:
    def edit(workbook: Any) -> None:
        meta = workbook[META_SHEET]
        for row in meta.iter_rows():
            if row[0].value == key_or_cell:
                row[1].value = value
                return
        meta[key_or_cell] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (meta_edit("format_version", "9"), "模板格式版本为 '9'"),
        (meta_edit("plan_code", "OTHER"), "模板属于计划 'OTHER'"),
        (meta_edit("department", "市不存在局"), "未知的填报单位"),
        (meta_edit("period", "2030-01"), "不在计划月份内"),
    ],
)
def test_a_template_that_is_not_what_it_claims_is_refused(
    workspace: PlanWorkspace, tmp_path: Path, edit: Callable[[Any], None], message: str
) -> None:
    path = export(workspace, tmp_path)
    assert message in refused(fill(path, {}, edit=edit), workspace)


def mapping_of(workbook: Any) -> dict[int, list[str]]:
    """The template's row → (indicator id, code, checksum, version) check data."""
    text = "".join(
        str(r[1].value)
        for r in workbook[META_SHEET].iter_rows()
        if str(r[0].value).startswith("mapping.")
    )
    return {int(record.split(":")[0]): record.split(":")[1:] for record in text.split(";")}


def set_mapping(workbook: Any, mapping: dict[int, list[str]]) -> None:
    cells = [r for r in workbook[META_SHEET].iter_rows() if str(r[0].value).startswith("mapping.")]
    cells[0][1].value = ";".join(":".join([str(row), *record]) for row, record in mapping.items())
    for extra in cells[1:]:
        extra[1].value = ""


def test_a_row_of_another_department_is_refused(workspace: PlanWorkspace, tmp_path: Path) -> None:
    """A row copied, with its check data, from 工信局's template into 发改委's."""
    theirs = openpyxl.load_workbook(export(workspace, tmp_path, "工信局"))
    path = export(workspace, tmp_path)
    workbook = openpyxl.load_workbook(path)
    for column in range(1, 10):
        workbook[ENTRY_SHEET].cell(FIRST_DATA_ROW, column).value = (
            theirs[ENTRY_SHEET].cell(FIRST_DATA_ROW, column).value
        )
    mine = mapping_of(workbook)
    mine[FIRST_DATA_ROW] = mapping_of(theirs)[FIRST_DATA_ROW]
    set_mapping(workbook, mine)
    target = tmp_path / "copied-row.xlsx"
    workbook.save(target)
    assert "属于其他单位" in refused(target, workspace)


def test_a_duplicated_row_is_refused(workspace: PlanWorkspace, tmp_path: Path) -> None:
    path = export(workspace, tmp_path)
    # The check data of the second row claim the first row's indicator as well.
    workbook = openpyxl.load_workbook(path)
    mapping = mapping_of(workbook)
    mapping[FIRST_DATA_ROW + 1] = mapping[FIRST_DATA_ROW]
    set_mapping(workbook, mapping)
    sheet = workbook[ENTRY_SHEET]
    for column in range(1, 10):
        sheet.cell(FIRST_DATA_ROW + 1, column).value = sheet.cell(FIRST_DATA_ROW, column).value
    target = tmp_path / "duplicate.xlsx"
    workbook.save(target)
    assert "重复出现" in refused(target, workspace)


def test_a_changed_plan_is_refused(workspace: PlanWorkspace, tmp_path: Path) -> None:
    path = export(workspace, tmp_path)
    with sqlite3.connect(workspace.database.path) as connection:
        connection.execute("UPDATE indicators SET target = 250 WHERE code = '4.2.1-1'")
    connection.close()
    changed = PlanWorkspace(workspace.database, as_of=PERIOD)
    assert "计划已调整" in refused(path, changed)


def test_files_that_are_not_workbooks_are_refused(workspace: PlanWorkspace, tmp_path: Path) -> None:
    text_file = tmp_path / "letter.xlsx"
    text_file.write_text("dear sir", encoding="utf-8")
    assert "不是 .xlsx 工作簿" in refused(text_file, workspace)
    broken = tmp_path / "broken.xlsx"
    good = export(workspace, tmp_path).read_bytes()
    broken.write_bytes(good[: len(good) // 2])
    assert "不是 .xlsx" in refused(broken, workspace) or "损坏" in refused(broken, workspace)
    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    assert "不是本系统的填报模板" in refused(plain, workspace)


def test_oversized_files_are_refused_before_parsing(
    workspace: PlanWorkspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = export(workspace, tmp_path)
    monkeypatch.setattr(reading_module, "MAX_FILE_BYTES", 1000)
    assert "超过上限" in refused(path, workspace)


def test_a_zip_bomb_is_refused_before_parsing(workspace: PlanWorkspace, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (200 * 1024 * 1024))
    assert bomb.stat().st_size < 1024 * 1024
    text = refused(bomb, workspace)
    assert "解压后" in text or "compressed" in text or "压缩" in text or "拒绝" in text


def test_xml_entity_attacks_are_refused(workspace: PlanWorkspace, tmp_path: Path) -> None:
    assert openpyxl.xml.DEFUSEDXML is True  # defusedxml guards every XML parse of openpyxl
    path = export(workspace, tmp_path)
    doctype = (
        '<!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    )
    for part in ("xl/worksheets/sheet1.xml", "xl/workbook.xml"):
        hostile = tmp_path / "laughs.xlsx"
        with zipfile.ZipFile(path) as source, zipfile.ZipFile(hostile, "w") as target:
            for item in source.infolist():
                data = source.read(item.filename).decode("utf-8")
                if item.filename == part:
                    declaration, _, body = data.partition("?>")
                    data = f"{declaration}?>{doctype}{body}".replace("填报", "&lol2;", 1)
                target.writestr(item, data.encode("utf-8"))
        assert "损坏" in refused(hostile, workspace), part


# --- warnings and conflicts --------------------------------------------------------------


def test_a_falling_running_total_and_a_jump_are_warned_about(
    workspace: PlanWorkspace, tmp_path: Path
) -> None:
    services = EntryService(workspace.database, "张三")
    ids = {i.code: i.id for i in workspace.indicators.values()}
    services.set_value(ids["4.2.1-1"], "2025-05", 100, expected=None)
    workspace.refresh([ids["4.2.1-1"]])
    path = export(workspace, tmp_path)
    row = row_of(path, "4.2.1-1")
    plan = read_template(fill(path, {f"J{row}": 80}), workspace)
    assert any("累计值由 100" in str(w) for w in plan.warnings)
    plan = read_template(fill(path, {f"J{row}": 290}), workspace)
    assert any("相差过大" in str(w) for w in plan.warnings)


def test_a_value_changed_since_export_is_a_conflict_the_user_decides(
    workspace: PlanWorkspace, tmp_path: Path
) -> None:
    path = export(workspace, tmp_path)
    ids = {i.code: i.id for i in workspace.indicators.values()}
    EntryService(workspace.database, "李四").set_value(ids["4.2.1-1"], PERIOD, 99, expected=None)
    workspace.refresh([ids["4.2.1-1"]])
    plan = read_template(fill(path, {f"J{row_of(path, '4.2.1-1')}": 120}), workspace)
    assert [(c.code, c.database_value) for c in plan.conflicts] == [("4.2.1-1", 99.0)]
    assert plan.edits() == []  # by default the database keeps its value
    apply_import(plan, workspace, "导入员", prefer_file=True)
    with workspace.database.read() as session:
        assert session.scalar(select(Entry.value)) == 120


# --- hostile input: only our own error ever escapes ---------------------------------------


def test_mutated_workbooks_raise_only_our_error(workspace: PlanWorkspace, tmp_path: Path) -> None:
    source = export(workspace, tmp_path, "工信局").read_bytes()
    generator = random.Random(20251122)
    before = content(workspace.database)
    outcomes = {"refused": 0, "read": 0}
    for attempt in range(300):
        data = bytearray(source)
        for _ in range(generator.randint(1, 20)):
            data[generator.randrange(len(data))] = generator.randrange(256)
        if attempt % 3 == 0:  # sometimes the zip stays valid and a part's XML is mangled
            data = bytearray(_mangle_xml(source, generator))
        target = tmp_path / f"mutant-{attempt}.xlsx"
        target.write_bytes(bytes(data))
        try:
            read_template(target, workspace)
            outcomes["read"] += 1
        except ImportRefused:
            outcomes["refused"] += 1
    assert content(workspace.database) == before
    assert outcomes["refused"] > 100


def _mangle_xml(source: bytes, generator: random.Random) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as archive, zipfile.ZipFile(output, "w") as target:
        victim = generator.choice([i.filename for i in archive.infolist()])
        for item in archive.infolist():
            data = archive.read(item.filename)
            if item.filename == victim and data:
                position = generator.randrange(len(data))
                data = (
                    data[:position]
                    + generator.choice([b"<", b">", b"&", b'"', b""])
                    + data[position + 1 :]
                )
            target.writestr(item, data)
    return output.getvalue()


def test_refusals_from_the_command_line(
    workspace: PlanWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = export(workspace, tmp_path)
    bad = fill(path, {f"J{row_of(path, '4.2.1-1')}": "abc"})
    db = str(workspace.database.path)
    assert main(["--db", db, "import", str(bad)]) == 1
    error = capsys.readouterr().err
    assert "未导入" in error and "“abc”不是数字" in error and "Traceback" not in error
    good = fill(path, {f"J{row_of(path, '4.2.1-1')}": 12}, target=tmp_path / "good.xlsx")
    assert main(["--db", db, "import", str(good), "--dry-run"]) == 0
    assert "dry run" in capsys.readouterr().out
    assert main(["--db", db, "import", str(good), "--user", "王五"]) == 0
    assert "imported as batch 1" in capsys.readouterr().out
    assert main(["--db", db, "undo-import", "1"]) == 0
    assert main(["--db", db, "undo-import", "1"]) == 1
    folder = tmp_path / "templates"
    assert (
        main(
            [
                "--db",
                db,
                "export-template",
                "--all-departments",
                "--period",
                PERIOD,
                "-o",
                str(folder),
            ]
        )
        == 0
    )
    assert len(list(folder.glob("*.xlsx"))) == 5
    assert (
        main(
            [
                "--db",
                db,
                "export-template",
                "--department",
                "不存在局",
                "--period",
                PERIOD,
                "-o",
                str(tmp_path / "x.xlsx"),
            ]
        )
        == 1
    )
    shutil.rmtree(folder)


FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_a_template_resaved_by_libreoffice_imports(workspace: PlanWorkspace) -> None:
    """Filled, then opened and saved by LibreOffice Calc (see fixtures/make_…py)."""
    plan = read_template(FIXTURES / "libreoffice-发改委-2025-06.xlsx", workspace)
    assert {(c.code, c.field): c.new for c in plan.changes} == {
        ("4.2.3-1", "value"): 1234.0,
        ("4.2.1-1", "value"): 120.0,
        ("4.2.1-1", "progress_note"): "新增共享交换服务 120 项",
        ("4.2.1-1", "problems"): "=以等号开头的文字",  # typed text stays text
        ("4.2.1-2", "milestone_state"): MilestoneState.IN_PROGRESS,
        ("4.2.1-3", "value"): 6.0,
    }
    apply_import(plan, workspace, "导入员")
    with workspace.database.read() as session:
        assert session.scalar(select(Entry.problems).where(Entry.value == 120)) == (
            "=以等号开头的文字"
        )


def test_a_percentage_resaved_by_libreoffice_imports(workspace: PlanWorkspace) -> None:
    plan = read_template(FIXTURES / "libreoffice-城乡建设局-2025-06.xlsx", workspace)
    assert {(c.code, c.field): c.new for c in plan.changes} == {
        ("5.1.1-1", "milestone_state"): MilestoneState.DONE,
        ("5.2.1-1", "value"): 75.0,  # 0.75 in a percentage-formatted cell
    }


def test_formulas_count_by_their_saved_result_and_errors_are_refused(
    workspace: PlanWorkspace,
) -> None:
    text = refused(FIXTURES / "libreoffice-formulas-2025-06.xlsx", workspace)
    assert "填报!J5" in text and "计算出错" in text  # =1/0 saved as #DIV/0!
    assert "填报!J7" not in text  # =100+20 saved as 120 is fine


# --- hostile files: every row read or refused, each problem once, in bounded time ---------


ROW_4211 = FIRST_DATA_ROW  # 4.2.1-1 in 发改委's template, its first row


def hostile(workspace: PlanWorkspace, tmp_path: Path, edit: Callable[[str, int], str]) -> Path:
    """发改委's template with its entry sheet's XML changed by `edit(xml, row of 4.2.1-1)`."""
    path = export(workspace, tmp_path)
    assert row_of(path, "4.2.1-1") == ROW_4211
    return rewrite_part(
        path, ENTRY_PART, lambda xml: edit(xml, ROW_4211), tmp_path / "hostile.xlsx"
    )


def refusal(path: Path, workspace: PlanWorkspace) -> ImportRefused:
    before = content(workspace.database)
    with pytest.raises(ImportRefused) as caught:
        read_template(path, workspace)
    assert content(workspace.database) == before
    return caught.value


@pytest.mark.parametrize("far", [1_048_576, 100_000_000])
def test_a_row_far_below_the_template_is_refused_at_once(
    workspace: PlanWorkspace, tmp_path: Path, far: int
) -> None:
    """No <dimension> and one row numbered far away: read as the one row it is, not padded."""
    path = hostile(
        workspace,
        tmp_path,
        lambda xml, _row: add_rows(
            xml, f'<row r="{far}"><c r="J{far}" t="n"><v>5</v></c></row>', dimension=False
        ),
    )
    with time_limit(10):
        text = refused(path, workspace)
    assert f"填报!A{far}" in text or f"填报!J{far}" in text


NUMBER_400 = "1" * 400


@pytest.mark.parametrize(
    ("column", "cell"),
    [
        ("J", f'<c r="{{ref}}" t="n"><v>{NUMBER_400}</v></c>'),
        ("J", f'<c r="{{ref}}"><f>1+1</f><v>{NUMBER_400}</v></c>'),
        ("H", f'<c r="{{ref}}" t="n"><v>{NUMBER_400}</v></c>'),
        ("K", f'<c r="{{ref}}" t="n"><v>{NUMBER_400}</v></c>'),
        ("J", '<c r="{ref}" t="n"><v>NaN</v></c>'),
        ("J", '<c r="{ref}"><f>0/0</f><v>NaN</v></c>'),
        ("J", '<c r="{ref}" t="str"><f>"abc"</f><v>abc</v></c>'),
        ("J", '<c r="{ref}" t="s"><v>99999</v></c>'),
        ("J", '<c r="{ref}" t="s"><f>A1</f><v>99999</v></c>'),
        ("K", '<c r="{ref}" t="s"><f>A1</f><v>99999</v></c>'),
        ("J", '<c r="{ref}" t="b"><f>TRUE()</f><v>1</v></c>'),
    ],
)
def test_odd_cells_are_refused_with_their_place_never_a_traceback(
    workspace: PlanWorkspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    column: str,
    cell: str,
) -> None:
    path = hostile(
        workspace,
        tmp_path,
        lambda xml, row: set_cell(xml, f"{column}{row}", cell.format(ref=f"{column}{row}")),
    )
    row = ROW_4211
    before = content(workspace.database)
    assert main(["--db", str(workspace.database.path), "import", str(path)]) == 1
    error = capsys.readouterr().err
    assert "Traceback" not in error and f"填报!{column}{row}" in error
    assert content(workspace.database) == before


@pytest.mark.parametrize(
    "text",
    [
        "<r><t>1,234</t></r><t> plain</t>",  # a plain text after a run: readers disagree
        "<t>plain</t><t>1,234</t>",  # two plain texts
    ],
)
def test_rich_text_out_of_excel_order_is_refused_not_guessed(
    workspace: PlanWorkspace, tmp_path: Path, text: str
) -> None:
    """Found by the fuzzer: openpyxl read "plain 1,234" where the import read "1,234 plain"."""
    cell = f'<c r="L{ROW_4211}" t="inlineStr"><is>{text}</is></c>'
    path = hostile(workspace, tmp_path, lambda xml, row: set_cell(xml, f"L{row}", cell))
    assert f"填报!L{ROW_4211} 4.2.1-1: 文字的结构不合 Excel 的格式" in refused(path, workspace)


@pytest.mark.parametrize(
    "cell",
    [
        '<c r="J{row}" t="inlineStr"><v>120</v></c>',  # openpyxl reads nothing there
        '<c r="J{row}" t="inlineStr"><is><t>120</t></is><v>7</v></c>',
    ],
)
def test_an_inline_string_with_a_value_element_is_refused_not_guessed(
    workspace: PlanWorkspace, tmp_path: Path, cell: str
) -> None:
    """Found by the fuzzer's long run: the import read 1e12 from <v> where openpyxl read an
    empty cell."""
    path = hostile(
        workspace, tmp_path, lambda xml, row: set_cell(xml, f"J{row}", cell.format(row=row))
    )
    assert f"填报!J{ROW_4211} 4.2.1-1: 单元格的类型“inlineStr”与内容不符" in refused(
        path, workspace
    )


def test_a_number_of_400_digits_in_the_shared_strings_is_too_large(
    workspace: PlanWorkspace, tmp_path: Path
) -> None:
    """The third path of a 400-digit number (after a value and a formula's result): text in
    the shared-strings table, as LibreOffice saves what was typed."""
    fixture = FIXTURES / "libreoffice-发改委-2025-06.xlsx"

    def strings(data: bytes) -> bytes:
        return data.replace(b"</sst>", b"<si><t>" + NUMBER_400.encode() + b"</t></si></sst>")

    with zipfile.ZipFile(fixture) as archive:
        index = archive.read("xl/sharedStrings.xml").count(b"<si>")
    cell = f'<c r="J{ROW_4211}" t="s"><v>{index}</v></c>'
    path = rewrite_parts(
        fixture,
        tmp_path / "digits.xlsx",
        {
            "xl/sharedStrings.xml": strings,
            ENTRY_PART: lambda data: set_cell(data.decode(), f"J{ROW_4211}", cell).encode(),
        },
    )
    assert (
        f"填报!J{ROW_4211} 4.2.1-1: “111" in (text := refused(path, workspace))
        and "数值过大" in text
    )


def test_a_filled_row_below_the_declared_size_is_refused(
    workspace: PlanWorkspace, tmp_path: Path
) -> None:
    """The sheet says A1:N9; a row under it holding a figure is read and refused, not dropped."""
    below = 12
    path = hostile(
        workspace,
        tmp_path,
        lambda xml, _row: add_rows(
            xml, f'<row r="{below}"><c r="J{below}" t="n"><v>5</v></c></row>'
        ),
    )
    assert f"填报!A{below}: 此行不属于模板" in refused(path, workspace)


def test_a_filled_cell_right_of_the_template_is_refused(
    workspace: PlanWorkspace, tmp_path: Path
) -> None:
    path = export(workspace, tmp_path)
    row = row_of(path, "4.2.1-1")
    text = refused(fill(path, {f"J{row}": 5, f"O{row}": 120}), workspace)
    assert f"填报!O{row}" in text


def test_a_formula_without_a_saved_result_is_one_problem(
    workspace: PlanWorkspace, tmp_path: Path
) -> None:
    path = export(workspace, tmp_path)
    row = row_of(path, "4.2.1-1")
    issues = refusal(fill(path, {f"J{row}": "=1+1"}), workspace).issues
    assert [str(i) for i in issues if i.where == f"填报!J{row}"] == [
        f"填报!J{row} 4.2.1-1: 公式 =1+1 没有保存的计算结果;请直接填写数值,"
        "或在 Excel、WPS、LibreOffice 中重新保存后再导入"
    ]


def test_a_refusal_says_its_first_problem_on_its_first_line(
    workspace: PlanWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = export(workspace, tmp_path)
    first, second = row_of(path, "4.2.1-1"), row_of(path, "4.2.1-3")
    bad = fill(path, {f"J{first}": "abc", f"J{second}": -3})
    assert main(["--db", str(workspace.database.path), "import", str(bad)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"target-monitor: {bad.name}: 填报!J{first} 4.2.1-1: “abc”不是数字 — "
        "未导入,数据库未作任何改动(共 2 处问题)",
        f"  填报!J{first} 4.2.1-1: “abc”不是数字",
        f"  填报!J{second} 4.2.1-3: “-3”是负数,数值须大于或等于 0",
    ]


@pytest.mark.parametrize(
    ("typed", "shown"),
    [("line\nbreak", "“line\\nbreak”"), ("\u202eevil", "“\\u202eevil”"), ("a\tb", "“a\\tb”")],
)
def test_a_refusal_quotes_a_line_break_or_direction_mark_visibly_on_its_line(
    workspace: PlanWorkspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    typed: str,
    shown: str,
) -> None:
    """Found by the fuzzer: a figure typed with a line break broke the first line in two."""
    path = export(workspace, tmp_path)
    row = row_of(path, "4.2.1-2")  # a milestone
    filled = fill(path, {f"J{row}": typed})
    assert main(["--db", str(workspace.database.path), "import", str(filled)]) == 1
    first = capsys.readouterr().err.splitlines()[0]
    assert f"填报!J{row} 4.2.1-2: {shown}不是“未启动”“推进中”或“已完成” — 未导入" in first


def test_a_refusal_for_the_check_data_names_it_as_its_place(
    workspace: PlanWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by the fuzzer: the first line read "FILE (_meta): …", not "FILE: PLACE: …"."""
    bad = fill(export(workspace, tmp_path), {}, edit=meta_edit("format_version", "9"))
    assert main(["--db", str(workspace.database.path), "import", str(bad)]) == 1
    assert capsys.readouterr().err.startswith(
        f"target-monitor: {bad.name}: _meta: 模板格式版本为 '9',本程序读取版本 2 — 未导入"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"[Content_Types].xml": None}, "缺少 [Content_Types].xml"),
        ({"xl/theme/theme1.xml": b"<a:theme"}, "XML 格式错误"),
        ({"docProps/core.xml": b"<cp:coreProperties>"}, "XML 格式错误"),
        ({"xl/worksheets/sheet2.xml": b"<worksheet><sheetData>"}, "XML 格式错误"),  # 填报说明
        ({"xl/worksheets/sheet2.xml": None}, "工作表“填报说明”的内容不在文件中"),
    ],
)
def test_a_damaged_part_is_refused_whichever_part_it_is(
    workspace: PlanWorkspace, tmp_path: Path, change: dict[str, bytes | None], message: str
) -> None:
    """Found by the fuzzer: parts the import did not need (the guide sheet, the properties, the
    theme) were not read, so a file no office suite opens was imported."""
    damaged = rewrite_parts(export(workspace, tmp_path), tmp_path / "damaged.xlsx", change)
    assert message in refused(damaged, workspace)


def test_a_long_number_that_is_no_number_is_refused_at_once(
    workspace: PlanWorkspace, tmp_path: Path
) -> None:
    """Found reviewing every pattern the import runs on a file's text: 40,000 digits and an
    "x" kept the number pattern busy for 51 s (it backtracked over the digits)."""
    cell = f'<c r="J{ROW_4211}" t="n"><v>{"1" * 200_000}x</v></c>'
    path = hostile(workspace, tmp_path, lambda xml, row: set_cell(xml, f"J{row}", cell))
    with time_limit(10):
        text = refused(path, workspace)
    assert f"填报!J{ROW_4211} 4.2.1-1: “111" in text and "不是数字" in text


def test_an_overlong_number_format_is_refused_at_once(
    workspace: PlanWorkspace, tmp_path: Path
) -> None:
    """Found in the same review: openpyxl's date-format test is quadratic in the format's
    length ("[" × 40,000 took 1.4 s); Excel's formats are at most 255 characters."""
    path = export(workspace, tmp_path)
    styles = (
        b'<numFmts count="1"><numFmt numFmtId="200" formatCode="' + b"[" * 300_000 + b'"/>'
        b"</numFmts>"
    )

    def style(data: bytes) -> bytes:
        data = re.sub(rb'<numFmts count="0" ?/>', styles, data)
        return data.replace(b"</cellXfs>", b'<xf numFmtId="200"/></cellXfs>')

    count = len(
        re.findall(rb"<xf ", zipfile.ZipFile(path).read("xl/styles.xml").split(b"<cellXfs")[1])
    )
    cell = f'<c r="J{ROW_4211}" s="{count}" t="n"><v>5</v></c>'
    hostile_path = rewrite_parts(
        path,
        tmp_path / "format.xlsx",
        {
            "xl/styles.xml": style,
            ENTRY_PART: lambda data: set_cell(data.decode(), f"J{ROW_4211}", cell).encode(),
        },
    )
    with time_limit(10):
        text = refused(hostile_path, workspace)
    assert f"填报!J{ROW_4211} 4.2.1-1: 单元格格式" in text


def test_each_listed_change_is_one_line(
    workspace: PlanWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by the fuzzer: a note with a line break split its line of the listing in two."""
    path = export(workspace, tmp_path)
    filled = fill(path, {f"K{row_of(path, '4.2.1-1')}": "第一行\n第二行"})
    assert main(["--db", str(workspace.database.path), "import", str(filled), "--dry-run"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.endswith("progress_note: — → 第一行\\n第二行") for line in lines), lines


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="peak memory as Linux reports it")
@pytest.mark.parametrize("case", ["cells", "strings", "styles", "attributes", "tag"])
def test_the_heaviest_legal_workbooks_are_read_in_seconds(
    workspace: PlanWorkspace, tmp_path: Path, case: str
) -> None:
    """As much as every limit lets through, of one kind (tests/fuzz_workbooks.py, HEAVY):
    imported or refused within 10 s and 500 MB, the database unchanged."""
    heavy = HEAVY[case](export(workspace, tmp_path), tmp_path / f"{case}.xlsx")
    assert heavy.stat().st_size <= MAX_FILE_BYTES
    before = content(workspace.database)
    seconds, megabytes, outcome = measured_import(workspace.database.path, heavy)
    assert outcome.returncode in (0, 1) and "Traceback" not in outcome.stderr, outcome.stderr
    assert seconds < 10 and megabytes < 500, (seconds, megabytes)
    assert content(workspace.database) == before
