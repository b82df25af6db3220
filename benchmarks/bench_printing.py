"""How long the printed documents take: the PDF of the plan (46 indicators, every month
reported) and of one department of the synthetic plan (1,250 indicators of 10,000).

Run from the repository root: `.venv/bin/python -m benchmarks.bench_printing`.
Each case runs in a fresh process; the median of three is reported.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from pathlib import Path

from benchmarks.processes import child_environment, run_child
from benchmarks.synthetic import build_synthetic
from desktop.models.edits import EntryEdit, unreported
from desktop.models.kinds import MilestoneState
from desktop.models.opening import open_database
from desktop.models.service import EntryService
from desktop.models.workspace import PlanWorkspace

ROOT = Path(__file__).resolve().parent.parent

# The whole plan's status sheet as a PDF ("pdf"), and the same rows' texts printed by a plain
# QTextDocument in one table ("plain-pdf"), each in a fresh process: seconds from the sheet's
# content to the PDF written (the content, read from the plan, not counted), pages, peak RSS.
PDF_CHILD = r"""
import html, json, re, resource, sys, time
from pathlib import Path
from PySide6.QtGui import QFont, QPdfWriter, QTextDocument
from desktop.models.opening import open_database
from desktop.models.workspace import PlanWorkspace
from desktop.presentation.status_sheet import RowKind, build_documents
from desktop.presentation.wording import STATUS_WORDS, percent_text
from desktop.ui.printing import (
    BODY_POINTS, RESOLUTION, headless_application, page_layout, print_font_family, write_pdf)

task, database_path, folder, period = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
headless_application()
database = open_database(database_path)
workspace = PlanWorkspace(database, as_of=period)
documents = build_documents(workspace, sheet=True, notices=False)
start = time.perf_counter()
if task == "pdf":
    pages = write_pdf(folder / "sheet.pdf", documents).pages
else:
    def cells(row):
        if row.kind is not RowKind.INDICATOR:
            return (row.code, row.name, percent_text(row.completion), STATUS_WORDS[row.status])
        return (row.code, row.name, row.department, row.target, row.latest,
                percent_text(row.completion), percent_text(row.expected),
                STATUS_WORDS[row.status], row.progress_note, row.problems)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(text)}</td>" for text in cells(row)) + "</tr>"
        for row in documents[0].rows)
    text = QTextDocument()
    text.setDefaultFont(QFont(print_font_family(), BODY_POINTS))
    text.setHtml(f'<table width="100%" border="1" cellspacing="0">{body}</table>')
    writer = QPdfWriter(str(folder / "plain.pdf"))
    writer.setResolution(RESOLUTION)
    writer.setPageLayout(page_layout())
    text.print_(writer)
    del writer  # flushes and closes the file
    pages = len(re.findall(rb"/Type\s*/Page[^s]", (folder / "plain.pdf").read_bytes()))
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "pages": pages,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def pdf_task(task: str, database: Path, folder: Path, period: str) -> dict[str, float]:
    """One run of PDF_CHILD's `task` ("pdf" or "plain-pdf") in a fresh process."""
    environment = child_environment(QT_QPA_PLATFORM="offscreen")
    return run_child(PDF_CHILD, task, str(database), str(folder), period, env=environment)


def run(database: Path, output: Path, department: str | None, period: str) -> dict[str, float]:
    """One measurement in a fresh process: build the documents, then lay out and paint them."""
    code = f"""
import json, time, resource
from pathlib import Path
from desktop.models.opening import open_database
from desktop.models.workspace import PlanWorkspace
from desktop.presentation.status_sheet import build_documents
from desktop.ui.printing import headless_application, write_pdf
headless_application()
database = open_database(Path({str(database)!r}))
workspace = PlanWorkspace(database, as_of={period!r})
department = workspace.department_named({department!r}) if {department!r} else None
started = time.perf_counter()
documents = build_documents(workspace, department=department)
built = time.perf_counter()
info = write_pdf(Path({str(output)!r}), documents)
done = time.perf_counter()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"content_s": built - started, "pdf_s": done - built, "pages": info.pages,
                  "documents": info.documents, "rss_mb": rss}}))
"""
    return run_child(code, env=child_environment(QT_QPA_PLATFORM="offscreen"))


def median(*args: object) -> dict[str, float]:
    runs = [run(*args) for _ in range(3)]  # type: ignore[arg-type]
    return {key: statistics.median(r[key] for r in runs) for key in runs[0]}


def seed_with_figures(folder: Path) -> Path:
    """The plan with every indicator reported each month to June (benchmark data only)."""
    path = folder / "seed.sqlite"
    shutil.copy(ROOT / "data" / "seed.sqlite", path)
    database = open_database(path)
    workspace = PlanWorkspace(database, as_of="2025-06")
    edits = []
    for number, indicator in enumerate(workspace.indicators.values()):
        for month in range(1, 7):
            fields: dict[str, object]
            if indicator.is_milestone:
                fields = {"milestone_state": MilestoneState.IN_PROGRESS}
            else:
                assert indicator.target is not None
                pace = 0.3 + (number % 7) / 10
                fields = {"value": round(indicator.target * month / 12 * pace, 1)}
            fields["progress_note"] = "推进情况说明。" * (number % 9)
            edits.append(EntryEdit(indicator.id, f"2025-{month:02d}", fields, unreported(fields)))
    EntryService(database, "benchmark").apply(edits)
    database.close()
    return path


def main() -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        seed = seed_with_figures(folder)
        synthetic = folder / "synthetic.sqlite"
        started = time.perf_counter()
        build_synthetic(synthetic)
        print(f"synthetic plan built in {time.perf_counter() - started:.1f} s")
        cases = [
            ("seed plan, sheet + notices", seed, None, "2025-06"),
            ("seed, one department", seed, "工信局", "2025-06"),
            ("synthetic, one department (1,250)", synthetic, "第1局", "2025-06"),
        ]
        for title, database, department, period in cases:
            figures = median(database, folder / "out.pdf", department, period)
            print(
                f"{title:36} content {figures['content_s'] * 1000:7.0f} ms   "
                f"pdf {figures['pdf_s']:6.2f} s   pages {figures['pages']:4.0f}   "
                f"documents {figures['documents']:3.0f}   peak RSS {figures['rss_mb']:5.0f} MB"
            )


if __name__ == "__main__":
    main()
