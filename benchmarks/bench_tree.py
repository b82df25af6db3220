"""How long evaluating the plan and printing the tree take, on the seed and on a full year.

    .venv/bin/python benchmarks/bench_tree.py

Prints median wall-clock times. The "full year" database is a temporary copy of the seed with
a synthetic value for every indicator and month (benchmark data, never shipped or kept).
"""

from __future__ import annotations

import datetime as dt
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from desktop.models.kinds import IndicatorKind, MilestoneState
from desktop.models.opening import open_database
from desktop.models.overview import evaluate_plan
from desktop.models.periods import periods_in
from desktop.models.schema import Indicator
from desktop.models.service import EntryService

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "seed.sqlite"


def median_ms(action: Callable[[], object], repeat: int = 15) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def fill_year(path: Path) -> int:
    database = open_database(path)
    service = EntryService(database, "benchmark")
    with database.read() as session:
        indicators = session.scalars(select(Indicator)).all()
    writes = 0
    for month, period in enumerate(periods_in(dt.date(2025, 1, 1), dt.date(2025, 12, 31)), start=1):
        for indicator in indicators:
            if indicator.kind is IndicatorKind.MILESTONE:
                service.set_milestone_state(
                    indicator.id, period, MilestoneState.IN_PROGRESS, expected=None
                )
            else:
                assert indicator.target is not None
                service.set_value(
                    indicator.id, period, indicator.target * month / 13, expected=None
                )
            writes += 1
    database.close()
    return writes


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        seed = Path(folder) / "seed.sqlite"
        full = Path(folder) / "full.sqlite"
        shutil.copyfile(SEED, seed)
        shutil.copyfile(SEED, full)
        start = time.perf_counter()
        writes = fill_year(full)
        write_ms = (time.perf_counter() - start) * 1000 / writes
        for name, path in (("seed (no entries)", seed), ("full year (552 entries)", full)):
            database = open_database(path)
            evaluate_ms = median_ms(lambda d=database: evaluate_plan(d, as_of="2025-12"))
            database.close()
            cli_ms = median_ms(
                lambda p=path: subprocess.run(
                    [sys.executable, "-m", "desktop", "--db", str(p), "tree", "--json"],
                    capture_output=True,
                    check=True,
                ),
                repeat=5,
            )
            print(
                f"{name:26s} evaluate_plan {evaluate_ms:7.1f} ms   "
                f"`tree --json` process {cli_ms:7.1f} ms"
            )
        print(f"one audited, version-checked write through the service: {write_ms:.2f} ms")


if __name__ == "__main__":
    main()
