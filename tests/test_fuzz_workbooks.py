"""The workbook fuzzer's short run (tests/fuzz_workbooks.py; the long run and how to repeat a
case: docs/safety.md): every mutated template is imported as it says, or refused with the
place on the first line and the database unchanged — never a traceback, a warning or a hang."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from tests.fuzz_workbooks import MUTATIONS, fuzz

CASES = 300


def run_seed(request: pytest.FixtureRequest) -> int:
    """pytest-randomly's seed, so that each run tries other cases and any run can be repeated
    (`python -m tests.fuzz_workbooks --seed N --case M`)."""
    try:
        return int(request.config.getoption("randomly_seed"))
    except (ValueError, TypeError):  # the plugin switched off
        return 20251128


@pytest.mark.slow
def test_mutated_templates_are_imported_as_they_say_or_refused_with_their_place(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    seed = run_seed(request)
    results = fuzz(tmp_path, seed, CASES)
    failures = [str(result) for result in results if result.failed]
    assert not failures, f"seed {seed}:\n" + "\n".join(failures)
    outcomes = collections.Counter(result.outcome for result in results)
    assert outcomes["imported"] >= CASES // 20 and outcomes["refused"] >= CASES // 3
    applied = {name for result in results for name in result.mutations}
    for level, mutations in MUTATIONS.items():
        assert applied & set(mutations), f"no {level}-level mutation applied"
