"""Speed of the main window with the seed and with a synthetic plan of 10,000 indicators.

    .venv/bin/python benchmarks/bench_window.py [--keep DIR]

Measures, for each database: process start to window shown (a fresh process each time),
building the tree model, a text filter, a period switch, one cell edit round trip (grid →
service → database → every view refreshed), and the peak resident memory of the process.
Budgets on a 2-core machine: start ≤ 1.5 s (seed) / ≤ 3 s (synthetic); filter and period
switch ≤ 100 ms; a cell edit ≤ 30 ms; peak RSS ≤ 400 MB.

The synthetic plan (20 projects × 5 tasks × 25 measures × 4 indicators, 36 months, a value
in every month) is benchmark data written to a temporary folder, never to the user's files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

from desktop.models.database import create_database, finalize_for_distribution
from desktop.models.progress import periods_in
from desktop.models.schema import (
    Department,
    Direction,
    Entry,
    EntryOrigin,
    Indicator,
    IndicatorKind,
    MilestoneState,
    Node,
    NodeKind,
    Plan,
)

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "seed.sqlite"
PROJECTS, TASKS, MEASURES, INDICATORS = 20, 5, 25, 4
START, END = dt.date(2024, 1, 1), dt.date(2026, 12, 31)


def build_synthetic(path: Path) -> None:
    """A plan of 10,000 indicators with a report for each of its 36 months."""
    database = create_database(path)
    months = periods_in(START, END)
    now = dt.datetime(2026, 1, 1)
    with database.write() as session:
        departments = [Department(name=f"市第{i}局", short_name=f"第{i}局") for i in range(8)]
        session.add_all(departments)
        plan = Plan(
            code="SYNTH",
            title="合成基准计划",
            year=2025,
            start_date=START,
            end_date=END,
            source="benchmark",
            declared_projects=PROJECTS,
            declared_tasks=PROJECTS * TASKS,
            declared_measures=PROJECTS * TASKS * MEASURES,
        )
        session.add(plan)
        session.flush()
        node_id = indicator_id = 0
        nodes, indicators, entries = [], [], []

        def node(kind: NodeKind, code: str, parent: int | None, order: int) -> int:
            nonlocal node_id
            node_id += 1
            nodes.append(
                {
                    "id": node_id,
                    "plan_id": plan.id,
                    "parent_id": parent,
                    "kind": kind,
                    "code": code,
                    "title": f"基准节点 {code}",
                    "department_id": departments[node_id % 8].id,
                    "sort_order": order,
                    "source": "benchmark",
                    "quote": "",
                }
            )
            return node_id

        for p in range(PROJECTS):
            project = node(NodeKind.PROJECT, f"{p + 1}", None, p)
            for t in range(TASKS):
                task = node(NodeKind.TASK, f"{p + 1}.{t + 1}", project, t)
                for m in range(MEASURES):
                    code = f"{p + 1}.{t + 1}.{m + 1}"
                    measure = node(NodeKind.MEASURE, code, task, m)
                    for i in range(INDICATORS):
                        indicator_id += 1
                        milestone = i == INDICATORS - 1
                        indicators.append(
                            {
                                "id": indicator_id,
                                "measure_id": measure,
                                "code": f"{code}-{i + 1}",
                                "name": f"基准指标 {code}-{i + 1}",
                                "unit": "" if milestone else "个",
                                "kind": IndicatorKind.MILESTONE
                                if milestone
                                else IndicatorKind.CUMULATIVE,
                                "direction": Direction.AT_LEAST,
                                "target": None if milestone else 360.0,
                                "due_date": END,
                                "department_id": departments[indicator_id % 8].id,
                                "weight": 1.0,
                                "sort_order": i,
                                "source": "benchmark",
                                "quote": "",
                                "note": "",
                            }
                        )
                        for month, period in enumerate(months, start=1):
                            entries.append(
                                {
                                    "indicator_id": indicator_id,
                                    "period": period,
                                    "value": None if milestone else float(month * (8 + i)),
                                    "milestone_state": MilestoneState.IN_PROGRESS
                                    if milestone
                                    else None,
                                    "progress_note": "",
                                    "problems": "",
                                    "reported_by": "benchmark",
                                    "reported_at": now,
                                    "origin": EntryOrigin.MANUAL,
                                    "version": 1,
                                }
                            )
        session.execute(insert(Node), nodes)
        session.execute(insert(Indicator), indicators)
        for chunk in range(0, len(entries), 50_000):
            session.execute(insert(Entry), entries[chunk : chunk + 50_000])
    finalize_for_distribution(database)


CHILD = r"""
import json, os, resource, sys, time
start = float(sys.argv[2])
from PySide6.QtCore import QSettings
from desktop.ui.app import application, create_main_window
from desktop.ui.settings import Settings, USER_NAME
app = application()
settings = Settings(QSettings(sys.argv[3], QSettings.Format.IniFormat))
settings.set(USER_NAME, "benchmark")
window = create_main_window(sys.argv[1], settings=settings)
window.show()
app.processEvents()
shown = time.time() - start
result = {"start_s": shown}

def timed(action, repeat=5):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter(); action(); app.processEvents()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return times[len(times) // 2]

from desktop.ui.tree_model import PlanTreeModel
result["tree_build_ms"] = timed(lambda: PlanTreeModel(window.controller), repeat=3)
result["filter_ms"] = timed(lambda: (window.search_box.setText("3.2"),
                                      window.search_box.setText("")))/ 2
months = window.controller.workspace.months
result["period_switch_ms"] = timed(lambda: (window.period_selector.setCurrentIndex(0),
                                            window.period_selector.setCurrentIndex(
                                                len(months) - 1))) / 2
model = window.grid_model
window._select_node(None)
row = next(r for r in range(model.rowCount())
           if not window.controller.workspace.indicators[model.indicator_at(r)].is_milestone)
column = model.column_of(months[-1])
values = iter(range(1000, 2000))
result["cell_edit_ms"] = timed(lambda: model.setData(model.index(row, column), next(values)),
                               repeat=9)
result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(result))
window.close()
"""


def measure(path: Path, folder: Path) -> dict[str, float]:
    runs = []
    for attempt in range(3):
        copy = folder / f"run{attempt}-{path.name}"
        shutil.copyfile(path, copy)
        # As installed programs run: with cached bytecode (the first run writes it).
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        env["QT_QPA_PLATFORM"] = "offscreen"
        started = time.time()
        output = subprocess.run(
            [sys.executable, "-c", CHILD, str(copy), repr(started), str(folder / "b.ini")],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        runs.append(json.loads(output.strip().splitlines()[-1]))
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep", type=Path, help="keep the synthetic database in this folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        synthetic = folder / "synthetic.sqlite"
        if not synthetic.exists():
            t0 = time.perf_counter()
            build_synthetic(synthetic)
            print(
                f"built the synthetic plan in {time.perf_counter() - t0:.1f} s "
                f"({synthetic.stat().st_size / 1e6:.0f} MB)"
            )
        print(
            f"{'':12s} {'start':>8s} {'tree':>8s} {'filter':>8s} {'period':>8s} "
            f"{'edit':>8s} {'peak RSS':>9s}"
        )
        for name, path in (("seed", SEED), ("synthetic", synthetic)):
            r = measure(path, folder)
            print(
                f"{name:12s} {r['start_s']:7.2f}s {r['tree_build_ms']:6.1f}ms "
                f"{r['filter_ms']:6.1f}ms {r['period_switch_ms']:6.1f}ms "
                f"{r['cell_edit_ms']:6.1f}ms {r['peak_rss_mb']:7.0f}MB"
            )


if __name__ == "__main__":
    main()
