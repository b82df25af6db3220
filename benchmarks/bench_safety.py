"""Speed of the safety work: the start-up check, a checked backup, a restore, a recovery.

    .venv/bin/python -m benchmarks.bench_safety [--synthetic FILE]

For the shipped seed and a synthetic plan of 10,000 indicators × 36 months (39 MB; built in a
temporary folder, or an existing copy named with --synthetic), the median of 5 runs of:
`quick_check` (what every start runs), `backup_before` (online backup API, integrity_check of
the copy, rename, rotation), `restore` into the open database (which backs the current content
up first), and recovering a damaged file (move aside, copy the newest good backup back).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.synthetic import build_synthetic
from desktop.models.backup import backup_before, set_aside
from desktop.models.database import damage_of
from desktop.models.opening import open_database, recover_into, restore

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def measure(source: Path, folder: Path) -> dict[str, float]:
    path = folder / "plan.sqlite"
    shutil.copyfile(source, path)
    database = open_database(path)
    try:
        check = [timed(lambda: damage_of(path)) for _ in range(RUNS)]
        backups: list[Path] = []
        backup = [
            timed(lambda: backups.append(backup_before(database, "manual"))) for _ in range(RUNS)
        ]
        restoring = [timed(lambda: restore(database, backups[0])) for _ in range(RUNS)]
    finally:
        database.close()

    def recover() -> None:
        set_aside(path)
        recover_into(path, backups[0])

    recovering = [timed(recover) for _ in range(RUNS)]
    return {
        "quick_check": statistics.median(check),
        "backup": statistics.median(backup),
        "restore": statistics.median(restoring),
        "recover": statistics.median(recovering),
        "size_mb": path.stat().st_size / 1024 / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=Path, help="an existing synthetic database to copy")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        synthetic = args.synthetic
        if synthetic is None:
            synthetic = work / "synthetic.sqlite"
            build_synthetic(synthetic)
        print(f"{'':12}{'size':>9}{'check':>9}{'backup':>9}{'restore':>9}{'recover':>9}")
        for name, source in (("seed", ROOT / "data" / "seed.sqlite"), ("synthetic", synthetic)):
            case = work / name
            case.mkdir()
            r = measure(source, case)
            print(
                f"{name:12}{r['size_mb']:>7.1f}MB{r['quick_check']:>8.3f}s{r['backup']:>8.3f}s"
                f"{r['restore']:>8.3f}s{r['recover']:>8.3f}s"
            )


if __name__ == "__main__":
    main()
