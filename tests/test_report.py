"""The status workbook: every indicator, coloured statuses, native charts, text kept as text."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from desktop.cli import main
from desktop.exchange.report import SUMMARY_SHEET, ReportCancelled, write_report
from desktop.models.service import EntryService
from desktop.models.store import Database
from desktop.models.workspace import PlanWorkspace
from desktop.presentation.wording import STATUS_WORDS


@pytest.fixture
def reported(database: Database) -> PlanWorkspace:
    workspace = PlanWorkspace(database, as_of="2025-06")
    ids = {i.code: i.id for i in workspace.indicators.values()}
    service = EntryService(database, "张三")
    service.set_value(ids["2.1.1-1"], "2025-05", 100, expected=None)
    service.set_value(ids["2.1.1-1"], "2025-06", 150, expected=None)
    service.set_value(ids["4.1.3-2"], "2025-06", 150, expected=None)
    service.set_notes(
        ids["4.1.3-2"],
        "2025-06",
        progress_note='=HYPERLINK("x") 不是公式',
        problems="+86 算力缺口",
    )
    workspace.refresh(ids.values())
    return workspace


def test_the_report_has_a_summary_and_a_sheet_per_project(
    reported: PlanWorkspace, tmp_path: Path
) -> None:
    path = tmp_path / "report.xlsx"
    info = write_report(reported, path)
    workbook = openpyxl.load_workbook(path)
    assert info.sheets == 7 and workbook.sheetnames[0] == SUMMARY_SHEET
    assert workbook.sheetnames[1].startswith("1 重点产业集群提升工程")
    summary = workbook[SUMMARY_SHEET]
    statuses = [summary.cell(r, 5).value for r in range(5, 11)]
    # Each project's own light: nothing reported in project 1; project 2's one report leaves
    # its own completion far behind its 序时进度.
    assert statuses[0] == "未填报" and statuses[1] == "严重滞后"
    assert statuses == [STATUS_WORDS[reported.rollups[p].status] for p in reported.root_ids]
    assert summary.conditional_formatting  # status colours
    rows = {}
    for name in workbook.sheetnames[1:]:
        sheet = workbook[name]
        for row in sheet.iter_rows(min_row=5):
            if row[0].value and "-" in str(row[0].value) and row[11].value:
                rows[row[0].value] = row
    assert len(rows) == 48  # every indicator once
    computing = rows["4.1.3-2"]
    assert computing[7].value == 150 and computing[11].value == "严重滞后"
    assert computing[9].value == pytest.approx(0.15)
    assert computing[12].value == '=HYPERLINK("x") 不是公式' and computing[12].data_type == "s"
    with zipfile.ZipFile(path) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        sheets = "".join(
            archive.read(n).decode()
            for n in archive.namelist()
            if n.startswith("xl/worksheets/sheet")
        )
    assert len(charts) == 7  # the summary's and one per project, native line charts
    assert "<f>" not in sheets  # nothing anyone typed became a formula


def test_the_report_can_be_cancelled_and_writes_nothing(
    reported: PlanWorkspace, tmp_path: Path
) -> None:
    path = tmp_path / "report.xlsx"
    with pytest.raises(ReportCancelled):
        write_report(reported, path, progress=lambda done, total: done < 3)
    assert not path.exists() and not list(tmp_path.glob("*.xlsx*"))


def test_report_from_the_command_line(
    seed_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "status.xlsx"
    assert main(["--db", str(seed_copy), "report", "-o", str(path), "--period", "2025-06"]) == 0
    assert "status as of 2025-06" in capsys.readouterr().out and path.is_file()
    assert main(["--db", str(seed_copy), "report", "-o", str(tmp_path / "status.csv")]) == 1
    assert "written as .xlsx or .pdf" in capsys.readouterr().err
