"""The fuzzer of database files (tests/fuzz_databases.py), a short run in every test run.

The long run is one command: `python -m tests.fuzz_databases --cases 500` (docs/safety.md).
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from PySide6.QtWidgets import QApplication

from tests.fuzz_databases import ENTRY_POINTS, MUTATIONS, run

SHORT_RUN = 100
SHORT_SEED = 20251128  # fixed, so that the default run is the same every time


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="the time limit per case needs it")
def test_broken_database_files_get_one_line_never_a_traceback_a_hang_or_a_change(
    qapp: QApplication, tmp_path: Path
) -> None:
    report = run(SHORT_RUN, SHORT_SEED, tmp_path)
    assert report.failures == [], report.summary()
    assert report.cases == SHORT_RUN
    assert set(report.mutations) == set(MUTATIONS)  # every kind of damage was tried
    for entry in ENTRY_POINTS:  # and every entry point both worked and refused
        assert report.exits[f"{entry} 0"] and report.exits[f"{entry} 1"], report.summary()
