"""Speed of the Excel exchange, each against plain openpyxl doing the same cells in the same run.

    .venv/bin/python -m benchmarks.bench_exchange

- export and import of a 2,000-indicator department template;
- the full status report of the 10,000-indicator synthetic plan.
Budgets: import ≤ 1.5 × the plain read, export ≤ 2 × the plain write, peak RSS ≤ 300 MB.
Each measurement runs in a fresh process (for its peak memory); medians of three.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

from benchmarks.processes import run_child
from benchmarks.synthetic import build_synthetic

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
import openpyxl
from desktop.models.opening import open_database
from desktop.models.workspace import PlanWorkspace
from desktop.exchange.template import export_template
from desktop.exchange.importer import read_template
from desktop.exchange.report import write_report
from desktop.exchange.layout import ENTRY_SHEET, FIRST_DATA_ROW, Column

task, database_path, folder = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
if task in ("apply", "plain-apply"):  # writes: into a fresh copy each time
    import shutil
    copy = folder / f"apply-{time.perf_counter_ns()}.sqlite"
    shutil.copyfile(database_path, copy)
    database_path = copy
database = open_database(database_path)
workspace = PlanWorkspace(database, as_of="2026-06")
department = next(iter(workspace.departments.values())).name
template = folder / "template.xlsx"
filled = folder / "filled.xlsx"

def plain_write(rows, path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)

def template_rows(path):
    sheet = openpyxl.load_workbook(path, read_only=True)[ENTRY_SHEET]
    return [list(r) for r in sheet.iter_rows(values_only=True)]

start = time.perf_counter()
if task == "export":
    export_template(workspace, department, "2026-06", template)
elif task == "plain-write":
    rows = template_rows(template)
    start = time.perf_counter()
    plain_write(rows, folder / "plain.xlsx")
elif task == "styled-write":  # the template's cells as its format has them, openpyxl alone
    from openpyxl.cell.cell import Cell
    source = openpyxl.load_workbook(template)
    sheets = [[[(c.value, c._style) for c in r] for r in ws.iter_rows()] for ws in source]
    start = time.perf_counter()
    workbook = openpyxl.Workbook()
    for part in ("_fonts", "_fills", "_borders", "_alignments", "_protections",
                 "_number_formats", "_named_styles"):
        setattr(workbook, part, getattr(source, part))  # the style arrays point into these
    for index, rows in enumerate(sheets):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        for row in rows:
            sheet.append([Cell(sheet, row=1, column=1, value=v, style_array=s) for v, s in row])
    workbook.save(folder / "styled.xlsx")
elif task == "import":
    plan = read_template(filled, workspace)
    assert len(plan.changes) > 1000, len(plan.changes)
elif task == "apply":  # the write of an import (its backup before it is not counted)
    from desktop.models.service import EntryService
    plan = read_template(filled, workspace)
    edits = plan.edits()
    start = time.perf_counter()
    EntryService(database, "benchmark").apply_import(
        file_name=plan.file_name, sha256=plan.sha256, department_id=plan.department.id,
        period=plan.period, edits=edits, reporter=plan.reporter, phone=plan.phone)
elif task == "plain-apply":  # the same writes in plain sqlite3: entries, audit rows, a batch
    import datetime as dt, sqlite3
    plan = read_template(filled, workspace)
    edits = plan.edits()
    database.close()
    start = time.perf_counter()
    connection = sqlite3.connect(database_path, isolation_level=None)
    now = dt.datetime.now().isoformat(sep=" ")
    connection.execute("BEGIN IMMEDIATE")
    batch = connection.execute(
        "INSERT INTO import_batches (file_name, sha256, department_id, period, user, at, rows,"
        " state, reporter, phone) VALUES (?, ?, ?, ?, 'benchmark', ?, ?, 'applied', '', '')",
        (plan.file_name, plan.sha256, plan.department.id, plan.period, now, len(edits)),
    ).lastrowid
    found = dict(connection.execute(
        "SELECT indicator_id, id FROM entries WHERE period = ?", (plan.period,)).fetchall())
    updates, inserts, audits = [], [], []
    for edit in edits:
        fields = {name: (value.value if hasattr(value, "value") else value)
                  for name, value in edit.fields.items()}
        row = dict(value=None, milestone_state=None, progress_note="", problems="") | fields
        values = (row["value"], row["milestone_state"], row["progress_note"], row["problems"])
        if edit.indicator_id in found:
            updates.append((*values, now, batch, edit.indicator_id, plan.period))
        else:
            inserts.append((edit.indicator_id, plan.period, *values, now, batch))
        for name, new in fields.items():
            audits.append((now, "entry", found.get(edit.indicator_id, 0), edit.indicator_id,
                           plan.period, name, str(edit.expected.get(name)), str(new), batch))
    connection.executemany(
        "UPDATE entries SET value = ?, milestone_state = ?, progress_note = ?, problems = ?,"
        " reported_by = 'benchmark', reported_at = ?, origin = 'import', import_batch_id = ?,"
        " version = version + 1 WHERE indicator_id = ? AND period = ?", updates)
    connection.executemany(
        "INSERT INTO entries (indicator_id, period, value, milestone_state, progress_note,"
        " problems, reported_by, reported_at, origin, import_batch_id, version)"
        " VALUES (?, ?, ?, ?, ?, ?, 'benchmark', ?, 'import', ?, 1)", inserts)
    connection.executemany(
        "INSERT INTO audit_events (at, user, entity, entity_id, indicator_id, period, field,"
        " old_value, new_value, batch_id) VALUES (?, 'benchmark', ?, ?, ?, ?, ?, ?, ?, ?)",
        audits)
    connection.execute("COMMIT")
    connection.close()
elif task == "plain-read":
    sheet = openpyxl.load_workbook(filled, read_only=True)[ENTRY_SHEET]
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
elif task == "report":
    write_report(workspace, folder / "report.xlsx")
elif task == "plain-report":
    rows = []
    for name in openpyxl.load_workbook(folder / "report.xlsx", read_only=True).sheetnames:
        pass
    book = openpyxl.load_workbook(folder / "report.xlsx", read_only=True)
    sheets = [[list(r) for r in book[name].iter_rows(values_only=True)] for name in book.sheetnames]
    start = time.perf_counter()
    workbook = openpyxl.Workbook()
    for index, rows in enumerate(sheets):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        for row in rows:
            sheet.append(row)
    workbook.save(folder / "plain-report.xlsx")
elif task == "fill":
    workbook = openpyxl.load_workbook(template)
    sheet = workbook[ENTRY_SHEET]
    for row in range(FIRST_DATA_ROW, sheet.max_row + 1):
        unit = sheet.cell(row, Column.UNIT).value
        sheet.cell(row, Column.VALUE).value = "推进中" if unit == "—" else row
        sheet.cell(row, Column.PROGRESS).value = f"第{row}行进展"
    workbook.save(filled)
elapsed = time.perf_counter() - start
if task in ("apply", "plain-apply"):
    database.close()
    for leftover in folder.glob(database_path.name + "*"):
        leftover.unlink()
print(json.dumps({"seconds": elapsed,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(task: str, database: Path, folder: Path) -> dict[str, float]:
    return run_child(CHILD, task, str(database), str(folder))


def median(task: str, database: Path, folder: Path) -> dict[str, float]:
    runs = [run(task, database, folder) for _ in range(3)]
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


def main() -> None:
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        department = folder / "department.sqlite"
        plan = folder / "plan.sqlite"
        build_synthetic(department, projects=1, tasks=4, measures=125, departments_count=1)
        build_synthetic(plan)
        results = {}
        for task, database in (
            ("export", department),
            ("plain-write", department),
            ("fill", department),
            ("import", department),
            ("plain-read", department),
            ("report", plan),
            ("plain-report", plan),
        ):
            results[task] = median(task, database, folder)
        for ours, plain, budget in (
            ("export", "plain-write", 2.0),
            ("import", "plain-read", 1.5),
            ("report", "plain-report", 2.0),
        ):
            a, b = results[ours]["seconds"], results[plain]["seconds"]
            print(
                f"{ours:8s} {a:6.2f} s   plain openpyxl {b:6.2f} s   ratio {a / b:4.2f} "
                f"(budget {budget})   peak RSS {results[ours]['peak_rss_mb']:.0f} MB"
            )


if __name__ == "__main__":
    main()
