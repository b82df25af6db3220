"""Static gates that run with the suite: style, formatting, types and the import contracts."""

from __future__ import annotations

import subprocess
import sys
import tomllib
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


def test_every_import_contract_is_kept() -> None:
    """desktop.models and desktop.exchange stay usable by the CLI, tests and a future server
    (no Qt, no UI) and free of import cycles: every contract in pyproject.toml is checked and
    kept, not just the ones a count written here once knew of."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    declared = len(pyproject["tool"]["importlinter"]["contracts"])
    result = run_tool(str(BIN / "lint-imports"))
    assert_clean(result)
    assert "BROKEN" not in result.stdout
    assert f"Contracts: {declared} kept, 0 broken." in result.stdout, result.stdout
