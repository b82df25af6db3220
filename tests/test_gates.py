"""Static gates that run with the suite: style, formatting, types and the layer contract."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

BIN = Path(sys.executable).parent


def run_tool(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


LINTED = ("desktop", "tests", "benchmarks", "tools", "packaging", "dev.py")


def assert_clean(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_lint() -> None:
    assert_clean(run_tool(sys.executable, "-m", "ruff", "check", *LINTED))


def test_ruff_format() -> None:
    assert_clean(
        run_tool(
            sys.executable,
            "-m",
            "ruff",
            "format",
            "--check",
            *LINTED,
        )
    )


@pytest.mark.slow
def test_mypy_strict_for_the_domain() -> None:
    assert_clean(run_tool(sys.executable, "-m", "mypy"))


def test_layers_never_import_qt_below_the_ui() -> None:
    """desktop.models, desktop.presentation and desktop.exchange stay usable by the CLI, tests
    and a future server; the domain knows nothing of how it is presented."""
    result = run_tool(str(BIN / "lint-imports"))
    assert_clean(result)
    assert "BROKEN" not in result.stdout and "4 kept, 0 broken" in result.stdout
