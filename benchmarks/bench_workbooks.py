"""The import on the heaviest workbooks the limits allow: time and peak memory (docs/safety.md).

    .venv/bin/python -m benchmarks.bench_workbooks [--largest] [--runs N]

Each workbook of `tests/fuzz_workbooks.py`'s HEAVY (one kind of bulk, as much as every limit of
layout.py lets through) is imported into a copy of the seed by `target-monitor import`, in a
process of its own, N times (3 by default): the median wall time, the peak memory (VmHWM),
and what the import said. With --largest, also the largest template a department can have
(MAX_ROWS indicators of a synthetic plan, every input cell filled), imported into that plan.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import zipfile
from pathlib import Path

import openpyxl

from benchmarks.synthetic import build_synthetic
from desktop.exchange.layout import ENTRY_SHEET, FIRST_DATA_ROW, MAX_ROWS, Column
from desktop.exchange.template import export_template
from desktop.exchange.xlsx import write_text
from desktop.models.opening import open_database
from desktop.models.workspace import PlanWorkspace
from tests.fuzz_workbooks import HEAVY, measured_import

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "seed.sqlite"


def template_of(database: Path, period: str, target: Path, department: str | None = None) -> Path:
    opened = open_database(database)
    try:
        workspace = PlanWorkspace(opened)
        name = department or next(iter(workspace.departments.values())).name
        export_template(workspace, name, period, target)
    finally:
        opened.close()
    return target


def largest(folder: Path) -> tuple[Path, Path]:
    """A synthetic plan whose one department owns MAX_ROWS indicators, and its template with
    every input filled."""
    database = folder / "largest.sqlite"
    build_synthetic(database, projects=1, tasks=10, measures=MAX_ROWS // 40, departments_count=1)
    template = template_of(database, "2026-06", folder / "largest-template.xlsx")
    workbook = openpyxl.load_workbook(template)
    sheet = workbook[ENTRY_SHEET]
    for row in range(FIRST_DATA_ROW, sheet.max_row + 1):
        unit = sheet.cell(row, Column.UNIT).value
        sheet.cell(row, Column.VALUE).value = "推进中" if unit == "—" else row
        write_text(sheet.cell(row, Column.PROGRESS), f"第{row}行:本月完成既定任务,进度正常。")
        write_text(sheet.cell(row, Column.PROBLEMS), "无")
        write_text(sheet.cell(row, Column.REPORTER), "张三")
        write_text(sheet.cell(row, Column.PHONE), "024-12345678")
    filled = folder / "largest.xlsx"
    workbook.save(filled)
    return database, filled


def measure(database: Path, workbook: Path, runs: int) -> tuple[float, float, str]:
    seconds, peaks, said = [], [], ""
    for _ in range(runs):
        copy = database.with_name(f"run-{database.name}")
        shutil.copyfile(database, copy)
        elapsed, peak, outcome = measured_import(copy, workbook)
        seconds.append(elapsed)
        peaks.append(peak)
        said = (outcome.stderr if outcome.returncode else outcome.stdout).splitlines()[0]
        said = said.removeprefix("target-monitor: ")
        copy.unlink()
        shutil.rmtree(copy.parent / "backups", ignore_errors=True)
    return statistics.median(seconds), max(peaks), said


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--largest", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        seed = folder / "seed.sqlite"
        shutil.copyfile(SEED, seed)
        template = template_of(seed, "2025-06", folder / "template.xlsx", "发改委")
        cases = {
            name: (seed, build(template, folder / f"{name}.xlsx")) for name, build in HEAVY.items()
        }
        if args.largest:
            cases["largest template"] = largest(folder)
        print(f"{'workbook':17s} {'file':>8s} {'unzipped':>9s} {'time':>7s} {'peak':>7s}  outcome")
        slowest, heaviest = ("", 0.0), ("", 0.0)
        for name, (database, workbook) in cases.items():
            with zipfile.ZipFile(workbook) as archive:
                unzipped = sum(member.file_size for member in archive.infolist())
            seconds, peak, said = measure(database, workbook, args.runs)
            print(
                f"{name:17s} {workbook.stat().st_size / 2**20:6.1f}MB {unzipped / 2**20:7.1f}MB "
                f"{seconds:6.2f}s {peak:5.0f}MB  {said[:90]}"
            )
            slowest = max(slowest, (name, seconds), key=lambda pair: pair[1])
            heaviest = max(heaviest, (name, peak), key=lambda pair: pair[1])
        print(
            f"slowest: {slowest[0]} ({slowest[1]:.2f} s); most memory: {heaviest[0]} "
            f"({heaviest[1]:.0f} MB)"
        )


if __name__ == "__main__":
    main()
