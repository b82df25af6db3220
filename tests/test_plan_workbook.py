"""Plan workbooks: a plan exported, re-saved, edited and imported back as a new draft plan."""

from __future__ import annotations

import datetime as dt
import random
import shutil
import sqlite3
import subprocess
import time
import zipfile
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from desktop.cli import main
from desktop.exchange.importer import ImportRefused
from desktop.exchange.plan_workbook import (
    COLUMNS,
    DEPARTMENT_SHEET,
    FIRST_ROW,
    PLAN_ROW,
    PLAN_SHEET,
    STRUCTURE_SHEET,
    export_plan,
    import_plan,
    known_departments,
    preview,
    read_plan_workbook,
)
from desktop.models.kinds import ParentLight, PlanState
from desktop.models.plan_import import PlanDraft, PlanImportRefused
from desktop.models.records import IndicatorInfo, NodeInfo
from desktop.models.schema import AuditEvent, Department, Indicator, Plan
from desktop.models.status_rule import Thresholds
from desktop.models.store import Database
from desktop.models.workspace import PlanWorkspace
from tests.conftest import FixedClock
from tests.fuzz_workbooks import HEAVY, MAIN, add_rows, rewrite_part, rewrite_parts
from tests.limits import time_limit

PLANS = ("SY2025-MIS", "SY2023-MIS", "SY2025-SCI")
STRUCTURE_PART = "xl/worksheets/sheet2.xml"  # 结构, the second sheet
SECONDS = 10


def export(database: Database, tmp_path: Path, code: str = "SY2025-MIS") -> Path:
    path = tmp_path / f"{code}.xlsx"
    export_plan(PlanWorkspace(database, plan_code=code), path)
    return path


def read(database: Database, path: Path) -> PlanDraft:
    return read_plan_workbook(path, known_departments=known_departments(database))


def content(database: Database) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = []
    with sqlite3.connect(database.path) as connection:
        for table in ("plans", "departments", "nodes", "indicators", "audit_events"):
            rows += connection.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
    connection.close()
    return rows


def refused(database: Database, path: Path) -> str:
    """The refusal's message; the database unchanged by reading and by the command line."""
    before = content(database)
    with pytest.raises(ImportRefused) as caught:
        read(database, path)
    assert main(["--db", str(database.path), "import-plan", str(path), "--code", "X"]) == 1
    assert content(database) == before
    return str(caught.value)


def plan_records(database: Database, code: str) -> dict[str, Any]:
    """Everything the plan's nodes and indicators say, ids replaced by codes and names."""
    workspace = PlanWorkspace(database, plan_code=code)
    with database.read() as session:
        department = {d.id: d.name for d in session.scalars(select(Department))}
        plan = session.scalar(select(Plan).where(Plan.code == code))
        assert plan is not None
        own = {
            "title": plan.title,
            "year": plan.year,
            "start": plan.start,
            "end": plan.end,
            "source": plan.source,
            "lead": None
            if plan.lead_department_id is None
            else department[plan.lead_department_id],
            "declared": (plan.declared_projects, plan.declared_tasks, plan.declared_measures),
            "lights": (plan.yellow_points, plan.red_points, plan.parent_light),
        }
    nodes = workspace.nodes
    skip = {"id", "department_id", "parent_id", "child_ids", "indicator_ids", "measure_id"}

    def node(info: NodeInfo) -> dict[str, Any]:
        record = {f.name: getattr(info, f.name) for f in fields(info) if f.name not in skip}
        record["department"] = department[info.department_id]
        record["parent"] = None if info.parent_id is None else nodes[info.parent_id].code
        record["children"] = [nodes[c].code for c in info.child_ids]
        record["indicators"] = [workspace.indicators[i].code for i in info.indicator_ids]
        return record

    def indicator(info: IndicatorInfo) -> dict[str, Any]:
        record = {f.name: getattr(info, f.name) for f in fields(info) if f.name not in skip}
        record["department"] = department[info.department_id]
        record["measure"] = nodes[info.measure_id].code
        return record

    return {
        "plan": own,
        "nodes": [node(n) for n in nodes.values()],
        "indicators": [indicator(i) for i in workspace.indicators.values()],
    }


def edit(path: Path, change: Callable[[Any], None], name: str = "edited.xlsx") -> Path:
    """The workbook as a planning office changed it (openpyxl standing in for Excel)."""
    workbook = openpyxl.load_workbook(path)
    change(workbook)
    target = path.with_name(name)
    workbook.save(target)
    return target


def row_of(path: Path, code: str) -> int:
    sheet = openpyxl.load_workbook(path)[STRUCTURE_SHEET]
    for row in range(FIRST_ROW, sheet.max_row + 1):
        if sheet.cell(row, COLUMNS["code"]).value == code:
            return row
    raise AssertionError(code)


def letter(key: str) -> str:
    return openpyxl.utils.get_column_letter(COLUMNS[key])


# --- the round trip ----------------------------------------------------------------------------


@pytest.mark.parametrize("code", PLANS)
def test_a_plan_exported_and_imported_is_the_same_plan(
    database: Database, tmp_path: Path, code: str
) -> None:
    with database.write() as session:  # a manager's own lights travel with the plan
        plan = session.scalar(select(Plan).where(Plan.code == code))
        assert plan is not None
        plan.yellow_points, plan.red_points, plan.parent_light = 12.5, 40.0, ParentLight.WORST
    path = export(database, tmp_path, code)
    draft = read(database, path)
    plan_id = import_plan(database, draft, "规划员", as_code="RT", clock=FixedClock())
    assert plan_records(database, "RT") == plan_records(database, code)
    with database.read() as session:
        plan = session.get(Plan, plan_id)
        assert plan is not None and plan.state is PlanState.DRAFT
        events = session.scalars(select(AuditEvent).where(AuditEvent.entity == "plan")).all()
        assert [(e.entity_id, e.field, e.new_value, e.user) for e in events] == [
            (plan_id, "created", "RT", "规划员")
        ]


def test_the_workbook_has_its_sheets_lists_and_frozen_header(
    database: Database, tmp_path: Path
) -> None:
    path = export(database, tmp_path)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == [PLAN_SHEET, STRUCTURE_SHEET, "填写说明", DEPARTMENT_SHEET]
    structure = workbook[STRUCTURE_SHEET]
    assert structure.freeze_panes == "C2"
    assert structure["A1"].value == "类别" and structure["H1"].value == "目标值"
    lists = {
        str(v.sqref).split(":")[0][:-1]: v.formula1
        for v in structure.data_validations.dataValidation
    }
    assert lists["A"] == '"工程,任务,举措,指标"'
    assert lists["F"] == '"累计,存量,里程碑"'
    assert lists[letter("department")].startswith(f"'{DEPARTMENT_SHEET}'!$A$2")
    departments = workbook[DEPARTMENT_SHEET]
    assert ("市科技局", "科技局") in [
        (row[0].value, row[1].value) for row in departments.iter_rows(min_row=2)
    ]
    guide = [row[1].value for row in workbook["填写说明"].iter_rows(min_row=2)]
    assert "点名责任单位的原文" in guide and "目标值" in guide
    assert workbook[PLAN_SHEET][f"B{PLAN_ROW['code']}"].value == "SY2025-MIS"


def test_exported_files_get_the_permissions_of_other_exports(
    database: Database, tmp_path: Path
) -> None:
    path = export(database, tmp_path)
    other = tmp_path / "other"
    other.touch()
    assert path.stat().st_mode & 0o777 == other.stat().st_mode & 0o777


def _libreoffice(source: Path, folder: Path) -> Path:
    folder.mkdir()
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{folder / 'profile'}",
            "--headless",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(folder),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return folder / source.name


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_a_workbook_resaved_by_libreoffice_imports_the_same(
    database: Database, tmp_path: Path
) -> None:
    path = export(database, tmp_path, "SY2025-SCI")
    resaved = _libreoffice(path, tmp_path / "libreoffice")
    assert resaved.read_bytes() != path.read_bytes()
    assert read(database, resaved) == read(database, path)


# --- cell problems ------------------------------------------------------------------------------


def _set(code: str, key: str, value: object) -> Callable[[Path], Callable[[Any], None]]:
    def change(path: Path) -> Callable[[Any], None]:
        row = row_of(path, code)

        def apply(workbook: Any) -> None:
            workbook[STRUCTURE_SHEET][f"{letter(key)}{row}"] = value

        return apply

    return change


def _swap(first: str, second: str) -> Callable[[Path], Callable[[Any], None]]:
    def change(path: Path) -> Callable[[Any], None]:
        rows = row_of(path, first), row_of(path, second)

        def apply(workbook: Any) -> None:
            sheet = workbook[STRUCTURE_SHEET]
            one, two = (list(sheet[row]) for row in rows)
            for a, b in zip(one, two, strict=True):
                a.value, b.value = b.value, a.value

        return apply

    return change


def _plan_state(word: str) -> Callable[[Any], None]:
    def apply(workbook: Any) -> None:
        workbook[PLAN_SHEET][f"B{PLAN_ROW['state']}"] = word

    return apply


# SY2025-MIS: 1.1.1-1 is numeric, 1.1.2-1 a milestone (checked below).
CASES = {
    "a text target": (_set("1.1.1-1", "target", "abc"), "target", "1.1.1-1", "“abc”不是数字"),
    "a bad date": (_set("1.1.1-1", "due", "2025-13-45"), "due", "1.1.1-1", "不是日期"),
    "an unknown department": (
        _set("1.1.1-1", "department", "市不存在局"),
        "department",
        "1.1.1-1",
        "未知的责任单位“市不存在局”",
    ),
    "a duplicate code": (_set("1.1.1-2", "code", "1.1.1-1"), "code", "1.1.1-1", "编码重复"),
    "a due date outside the plan": (
        _set("1.1.1-1", "due", dt.datetime(2026, 3, 31)),
        "due",
        "1.1.1-1",
        "不在计划期内",
    ),
    "a milestone with a target": (
        _set("1.1.2-1", "target", 5),
        "target",
        "1.1.2-1",
        "里程碑不填数值目标",
    ),
    "an empty target in an active plan": (
        _set("1.1.1-1", "target", None),
        "target",
        "1.1.1-1",
        "须填写目标值",
    ),
    "a negative weight": (_set("1.1.1-1", "weight", -1), "weight", "1.1.1-1", "是负数"),
    "a department basis not in the list": (
        _set("1.1.1-1", "department_basis", "听说"),
        "department_basis",
        "1.1.1-1",
        "不是文件列明、推定之一",
    ),
}


def test_the_plan_s_lights_are_read_back_and_checked(database: Database, tmp_path: Path) -> None:
    path = export(database, tmp_path)

    def lights(yellow: object, red: object, parent: object) -> Callable[[Any], None]:
        def change(workbook: Any) -> None:
            sheet = workbook[PLAN_SHEET]
            for key, value in (("yellow", yellow), ("red", red), ("parent_light", parent)):
                sheet.cell(PLAN_ROW[key], 2).value = value

        return change

    draft = read(database, edit(path, lights(None, None, None), "defaults.xlsx"))
    assert (draft.thresholds, draft.parent_light) == (Thresholds(10, 30), ParentLight.ROLLUP)
    draft = read(database, edit(path, lights(5, 20, "取最差下级"), "own.xlsx"))
    assert (draft.thresholds, draft.parent_light) == (Thresholds(5, 20), ParentLight.WORST)
    text = refused(database, edit(path, lights(40, 20, None), "crossed.xlsx"))
    assert f"{PLAN_SHEET}!B{PLAN_ROW['red']}" in text and "不小于黄灯阈值" in text
    text = refused(database, edit(path, lights(5, 120, "随便"), "wrong.xlsx"))
    assert "“120”不在 0 至 100 之间" in text and "不是按自身汇总、取最差下级之一" in text


@pytest.mark.parametrize("case", CASES)
def test_a_bad_cell_is_refused_at_its_place_and_changes_nothing(
    database: Database, tmp_path: Path, case: str
) -> None:
    change, key, code, message = CASES[case]
    path = export(database, tmp_path)
    bad = edit(path, change(path))
    row = row_of(path, code) if case != "a duplicate code" else row_of(path, "1.1.1-2")
    text = refused(database, bad)
    first = text.splitlines()[0]
    assert first.startswith(f"{bad.name}: {STRUCTURE_SHEET}!{letter(key)}{row} {code}: "), first
    assert message in first and "未导入" in first


def test_the_milestone_and_numeric_indicators_the_cases_use(database: Database) -> None:
    workspace = PlanWorkspace(database, plan_code="SY2025-MIS")
    kinds = {i.code: i.is_milestone for i in workspace.indicators.values()}
    assert kinds["1.1.1-1"] is False and kinds["1.1.2-1"] is True and "1.1.1-2" in kinds


def test_a_child_before_its_parent_is_refused(database: Database, tmp_path: Path) -> None:
    path = export(database, tmp_path)
    row = row_of(path, "2")
    bad = edit(path, _swap("2", "2.1")(path))
    first = refused(database, bad).splitlines()[0]
    assert f"{STRUCTURE_SHEET}!C{row} 2.1: 上级 2 须写在本行之前" in first


def test_a_draft_may_leave_a_target_pending(database: Database, tmp_path: Path) -> None:
    path = export(database, tmp_path)
    row = row_of(path, "1.1.1-1")

    def pending(workbook: Any) -> None:
        _plan_state("草稿")(workbook)
        workbook[STRUCTURE_SHEET][f"{letter('target')}{row}"] = None

    draft = read(database, edit(path, pending))
    assert draft.spec.state is PlanState.DRAFT
    assert next(i for i in draft.spec.indicators if i.code == "1.1.1-1").target is None
    import_plan(database, draft, "规划员", as_code="DRAFT")
    with database.read() as session:
        target = session.scalar(
            select(Indicator.target)
            .join(Plan, Indicator.plan_id == Plan.id)
            .where(Plan.code == "DRAFT", Indicator.code == "1.1.1-1")
        )
    assert target is None


def test_a_new_department_is_added_and_a_clashing_one_refused(
    database: Database, tmp_path: Path
) -> None:
    path = export(database, tmp_path)
    row = row_of(path, "1.1.1-1")

    def new_department(workbook: Any) -> None:
        sheet = workbook[DEPARTMENT_SHEET]
        sheet.append(["市数据局", "数据局"])
        workbook[STRUCTURE_SHEET][f"{letter('department')}{row}"] = "市数据局"

    draft = read(database, edit(path, new_department))
    assert preview(database, draft).new_departments == (("市数据局", "数据局"),)
    assert "新增单位 1 个:市数据局(数据局)" in preview(database, draft).lines()

    def clash(workbook: Any) -> None:
        workbook[DEPARTMENT_SHEET].append(["市另一个局", "科技局"])

    first = refused(database, edit(path, clash, "clash.xlsx")).splitlines()[0]
    assert f"{DEPARTMENT_SHEET}!B" in first and "已是“市科技局”的简称" in first
    import_plan(database, draft, "规划员", as_code="NEWDEPT")
    assert known_departments(database)["市数据局"] == "数据局"


def test_an_existing_code_is_refused(database: Database, tmp_path: Path) -> None:
    draft = read(database, export(database, tmp_path))
    before = content(database)
    with pytest.raises(PlanImportRefused, match="计划 SY2025-SCI 已存在"):
        import_plan(database, draft, "规划员", as_code="SY2025-SCI")
    assert content(database) == before


def test_the_announced_shape_must_match_the_rows(database: Database, tmp_path: Path) -> None:
    path = export(database, tmp_path)

    def more_projects(workbook: Any) -> None:
        workbook[PLAN_SHEET][f"B{PLAN_ROW['projects']}"] = 9

    first = refused(database, edit(path, more_projects)).splitlines()[0]
    assert f"{PLAN_SHEET}!B{PLAN_ROW['projects']}" in first and "计划宣布 9 个工程" in first


# --- hostile files ------------------------------------------------------------------------------


def test_a_file_that_is_not_a_workbook_is_refused(database: Database, tmp_path: Path) -> None:
    letter_file = tmp_path / "letter.xlsx"
    letter_file.write_text("dear sir", encoding="utf-8")
    assert "不是 .xlsx 工作簿" in refused(database, letter_file)
    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    assert "不是本系统的计划工作簿" in refused(database, plain)


def test_a_zip_bomb_is_refused(database: Database, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (200 * 1024 * 1024))
    with time_limit(SECONDS):
        assert "压缩" in refused(database, bomb) or "解压后" in refused(database, bomb)


def test_a_row_far_below_is_refused_at_once(database: Database, tmp_path: Path) -> None:
    path = export(database, tmp_path)
    far = 1_000_000
    hostile = rewrite_part(
        path,
        STRUCTURE_PART,
        lambda xml: add_rows(
            xml, f'<row r="{far}"><c r="H{far}" t="n"><v>5</v></c></row>', dimension=False
        ),
        tmp_path / "far.xlsx",
    )
    with time_limit(SECONDS):
        first = refused(database, hostile).splitlines()[0]
    assert f"{STRUCTURE_SHEET}!A{far}" in first and "超出上限" in first


def test_a_huge_shared_string_is_refused(database: Database, tmp_path: Path) -> None:
    """One shared string far longer than any tag may be, of text that does not compress."""
    path = export(database, tmp_path)
    text = "".join(random.Random(7).choices("abcdefghijklmnopqrstuvwxyz ", k=3_000_000))
    table = b'<sst xmlns="%s"><si><t>%s</t></si></sst>' % (MAIN, text.encode())
    hostile = rewrite_parts(
        path,
        tmp_path / "string.xlsx",
        {
            "xl/sharedStrings.xml": table,
            "[Content_Types].xml": lambda data: data.replace(
                b"</Types>",
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
            ),
            "xl/_rels/workbook.xml.rels": lambda data: data.replace(
                b"</Relationships>",
                b'<Relationship Id="rIdStrings" Target="sharedStrings.xml" Type="http://schemas'
                b'.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
                b"</Relationships>",
            ),
        },
    )
    with time_limit(SECONDS):
        assert "超出上限" in refused(database, hostile)


@pytest.mark.parametrize("kind", ["cells", "strings", "rows", "sheets"])
def test_the_heaviest_legal_workbooks_end_in_seconds(
    database: Database, tmp_path: Path, kind: str
) -> None:
    """The template fuzzer's heaviest workbooks (tests/fuzz_workbooks.py), built on a plan
    workbook: each ends, read or refused with our error, within the time limit."""
    path = HEAVY[kind](export(database, tmp_path), tmp_path / f"heavy-{kind}.xlsx")
    with time_limit(SECONDS * 2):
        try:
            read(database, path)
        except ImportRefused as error:
            assert "内部错误" not in str(error)


# --- the command line ---------------------------------------------------------------------------


def test_the_commands_export_and_import_a_plan(
    database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(database.path)
    path = tmp_path / "science.xlsx"
    assert main(["--db", db, "export-plan", "--plan", "SY2025-SCI", "-o", str(path)]) == 0
    assert "SY2025-SCI, 53 projects/tasks/measures, 57 indicators" in capsys.readouterr().out
    assert main(["--db", db, "import-plan", str(path), "--code", "SCI2", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "3 个工程、14 项重点任务、36 项具体举措、57 个指标" in out and "dry run" in out
    assert main(["--db", db, "import-plan", str(path), "--code", "SCI2", "--user", "王五"]) == 0
    assert "imported as plan SCI2" in capsys.readouterr().out
    assert main(["--db", db, "import-plan", str(path), "--code", "SCI2"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == "target-monitor: 计划 SCI2 已存在"
    assert plan_records(database, "SCI2") == plan_records(database, "SY2025-SCI")
    bad = edit(path, _set("1.1.1-1", "target", "abc")(path))
    assert main(["--db", db, "import-plan", str(bad), "--code", "SCI3"]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith(f"target-monitor: {bad.name}: {STRUCTURE_SHEET}!H")
    assert "“abc”不是数字 — 未导入" in lines[0] and len(lines) >= 2


def test_the_largest_plan_exports_and_imports_without_a_wait(
    database: Database, tmp_path: Path
) -> None:
    """A guard against a pathological slowdown (its speed is measured in benchmarks/): a
    loaded CI machine once took over a second for what takes a tenth of one alone."""
    started = time.perf_counter()
    path = export(database, tmp_path, "SY2025-SCI")
    exported = time.perf_counter()
    draft = read(database, path)
    import_plan(database, draft, "规划员", as_code="BIG")
    imported = time.perf_counter()
    assert exported - started < 3 and imported - exported < 3
