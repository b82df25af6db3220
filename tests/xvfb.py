"""An X server of the test's own (Xvfb) on a free display, and the real window started on it.

tests/test_window.py starts the window from .venv, tests/test_packaging.py the installed
bundle; both the way a user's desktop starts it: the xcb platform (not offscreen), a clean
environment and an empty home folder. `python3 dev.py test` installs Xvfb.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from PySide6.QtGui import QImage


@contextmanager
def xvfb() -> Iterator[str]:
    """Xvfb on the first free display (it picks and reports it); yields DISPLAY."""
    program = shutil.which("Xvfb")
    if program is None:
        pytest.fail("Xvfb is not installed: python3 dev.py test installs it (package xvfb)")
    read, write = os.pipe()
    server = subprocess.Popen(
        [program, "-displayfd", str(write), "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    os.close(write)
    try:
        with os.fdopen(read) as announced:
            number = announced.readline().strip()
        if not number.isdigit():
            server.kill()
            _, errors = server.communicate(timeout=10)
            pytest.fail(f"Xvfb did not start: {errors.decode(errors='replace')[-2000:]}")
        yield f":{number}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if server.stderr:
            server.stderr.close()


def clean_environment(home: Path, display: str) -> dict[str, str]:
    """What a desktop session gives a program, and nothing of this test run's."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "DISPLAY": display,
        "QT_QPA_PLATFORM": "xcb",
        "LANG": "C.UTF-8",  # a locale every system has; the window speaks Chinese anyway
    }


def start_window(
    command: list[str], home: Path, display: str, *, cwd: Path | None = None
) -> tuple[subprocess.CompletedProcess[str], QImage]:
    """Start the window with --screenshot; the run and the PNG it saved of itself."""
    home.mkdir(parents=True, exist_ok=True)
    shot = home / "window.png"
    result = subprocess.run(
        [*command, "--screenshot", str(shot)],
        env=clean_environment(home, display),
        cwd=cwd or home,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert shot.is_file(), result.stderr[-3000:]
    return result, QImage(str(shot))


def assert_drawn(image: QImage) -> None:
    """The main window, drawn: a window's size and many colours, not one blank plane."""
    assert not image.isNull()
    assert image.width() >= 800 and image.height() >= 500, image.size()
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)
    }
    assert len(colours) > 50, f"{len(colours)} colours: a blank window"
    # Dark text on a light background (or light on dark): both must be there.
    lightness = [
        image.pixelColor(x, y).lightness()
        for x in range(0, image.width(), 5)
        for y in range(0, image.height(), 5)
    ]
    assert sum(v < 96 for v in lightness) > 200 and sum(v > 160 for v in lightness) > 200


def qt_problems(stderr: str) -> list[str]:
    """Lines of stderr that are not silence: "could not load the Qt platform plugin", tracebacks,
    warnings."""
    return [line for line in stderr.splitlines() if line.strip()]
