"""Speed of the main window with the seed and with a synthetic plan of 10,000 indicators.

    .venv/bin/python -m benchmarks.bench_window [--keep DIR]

Measures, for each database: process start to window shown (a fresh process each time),
building the tree model, a text filter, a period switch, one cell edit round trip (grid →
service → database → every view refreshed), undoing it (Ctrl+Z), and the peak resident memory
of the process.
Budgets on a 2-core machine: start ≤ 1.5 s (seed) / ≤ 3 s (synthetic); filter and period
switch ≤ 100 ms; a cell edit ≤ 30 ms; peak RSS ≤ 400 MB.

The synthetic plan (20 projects × 5 tasks × 25 measures × 4 indicators, 36 months, a value
in every month) is benchmark data written to a temporary folder, never to the user's files.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.synthetic import build_synthetic

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "seed.sqlite"
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
window.select_node(None)
row = next(r for r in range(model.rowCount())
           if not window.controller.workspace.indicators[model.indicator_at(r)].is_milestone)
column = model.column_of(months[-1])
values = iter(range(1000, 2000))
result["cell_edit_ms"] = timed(lambda: model.setData(model.index(row, column), next(values)),
                               repeat=9)
# Each undo takes one of those edits back: the service checks the value, the views follow.
result["undo_ms"] = timed(window.undo_action.trigger, repeat=9)
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
            f"{'edit':>8s} {'undo':>8s} {'peak RSS':>9s}"
        )
        for name, path in (("seed", SEED), ("synthetic", synthetic)):
            r = measure(path, folder)
            print(
                f"{name:12s} {r['start_s']:7.2f}s {r['tree_build_ms']:6.1f}ms "
                f"{r['filter_ms']:6.1f}ms {r['period_switch_ms']:6.1f}ms "
                f"{r['cell_edit_ms']:6.1f}ms {r.get('undo_ms', float('nan')):6.1f}ms "
                f"{r['peak_rss_mb']:7.0f}MB"
            )


if __name__ == "__main__":
    main()
