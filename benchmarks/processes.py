"""Measurements run in a fresh process each, as installed programs run (with cached bytecode)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def child_environment(**settings: str) -> dict[str, str]:
    """This process's environment as installed programs run (with cached bytecode), with
    `settings` added."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(settings)
    return env


def run_child(code: str, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run `code` with `args` in a fresh interpreter (in `env`, else `child_environment()`);
    the JSON object its last line prints."""
    output = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=child_environment() if env is None else env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return found
