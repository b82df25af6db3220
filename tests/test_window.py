"""The real window starts on an X server, the way it starts on a user's desktop.

On a fresh Debian 12 the window did not start ("could not load the Qt platform plugin xcb"):
libraries the xcb plugin loads were missing, and every other test runs offscreen, which needs
none of them. Here the program runs as `target-monitor` does, in a clean environment, on an Xvfb
of its own with QT_QPA_PLATFORM=xcb, and saves a screenshot of its window.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.xvfb import assert_drawn, qt_problems, start_window, xvfb

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11: Linux only"),
]


def test_the_window_starts_on_x11_from_a_clean_environment(tmp_path: Path) -> None:
    with xvfb() as display:
        result, image = start_window(
            [sys.executable, "-m", "desktop"], tmp_path / "home", display, cwd=ROOT
        )
    assert_drawn(image)
    assert qt_problems(result.stderr) == []
    # The first start copied the plan into the user's data folder.
    assert (tmp_path / "home" / ".local" / "share" / "target-monitor").is_dir()


def test_a_window_that_cannot_start_fails_the_check(tmp_path: Path) -> None:
    """The same run with no X server to talk to: Qt cannot load xcb, and the check says so."""
    with pytest.raises(AssertionError, match=r"xcb"):
        start_window([sys.executable, "-m", "desktop"], tmp_path / "home", ":99999", cwd=ROOT)
