"""The look: icons on every command, light and dark palettes, sharp at high DPI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QIcon, QImage, QPalette
from PySide6.QtWidgets import QApplication, QToolBar

from tests.conftest import ROOT

from desktop.ui.main_window import MainWindow
from desktop.ui.settings import APPEARANCE, Settings
from desktop.ui.theme import Appearance, apply_theme, is_dark


@pytest.fixture
def light_afterwards(qapp: QApplication) -> Iterator[QApplication]:
    yield qapp
    apply_theme(qapp, Appearance.LIGHT)


def commands(window: MainWindow) -> list[QAction]:
    """What the menus and the toolbar offer."""
    found: list[QAction] = []
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        assert menu is not None
        found += [a for a in menu.actions() if not a.isSeparator()]
    toolbar = window.findChild(QToolBar, "mainToolbar")
    assert toolbar is not None
    found += [a for a in toolbar.actions() if not a.isSeparator() and a.text()]
    return found


def ink(image: QImage) -> list[int]:
    """The lightness of every clearly visible pixel."""
    return [
        image.pixelColor(x, y).lightness()
        for x in range(image.width())
        for y in range(image.height())
        if image.pixelColor(x, y).alpha() > 200
    ]


def test_every_command_has_an_icon_sharp_at_twice_the_scale(window: MainWindow) -> None:
    for action in commands(window):
        icon = action.icon()
        assert not icon.isNull(), action.text()
        pixmap = icon.pixmap(QSize(20, 20), 2.0)
        assert pixmap.devicePixelRatio() == 2.0
        assert (pixmap.width(), pixmap.height()) == (40, 40), action.text()
        assert len(ink(pixmap.toImage())) > 20, f"{action.text()}: an empty icon"


def test_icons_and_colours_follow_light_and_dark(
    window: MainWindow, light_afterwards: QApplication
) -> None:
    icon = window.print_action.icon()
    apply_theme(light_afterwards, Appearance.LIGHT)
    assert not is_dark()
    light_ink = ink(icon.pixmap(QSize(24, 24), 1.0).toImage())
    june = window.grid_model.index(0, window.grid_model.column_of("2025-06") or 0)
    tint_light = june.data(Qt.ItemDataRole.BackgroundRole)
    apply_theme(light_afterwards, Appearance.DARK)
    assert is_dark()
    window_colour = light_afterwards.palette().color(QPalette.ColorRole.Window)
    assert window_colour.lightness() < 80
    dark_ink = ink(icon.pixmap(QSize(24, 24), 1.0).toImage())
    tint_dark = june.data(Qt.ItemDataRole.BackgroundRole)
    assert sum(light_ink) / len(light_ink) < 110  # dark strokes on a light window
    assert sum(dark_ink) / len(dark_ink) > 150  # light strokes on a dark window
    assert tint_light.color().lightness() > 180 > tint_dark.color().lightness()
    disabled = icon.pixmap(QSize(24, 24), 1.0, QIcon.Mode.Disabled).toImage()
    assert ink(disabled) != dark_ink  # a disabled command looks disabled


def test_the_appearance_setting_applies_at_once(
    window: MainWindow, settings: Settings, light_afterwards: QApplication
) -> None:
    settings.set(APPEARANCE, Appearance.DARK.value)
    window.apply_settings()
    assert is_dark()
    settings.set(APPEARANCE, Appearance.LIGHT.value)
    window.apply_settings()
    assert not is_dark()
    assert light_afterwards.style().name().lower() == "fusion"


SHOT = """
import json, sys
from pathlib import Path
from PySide6.QtCore import QSettings
from desktop.ui.app import application, create_main_window
from desktop.ui.settings import USER_NAME, Settings
app = application()
settings = Settings(QSettings(sys.argv[2], QSettings.Format.IniFormat))
settings.set(USER_NAME, "张三")
window = create_main_window(Path(sys.argv[1]), settings=settings, as_of="2025-06")
window.resize(1200, 760)
window.show()
for _ in range(10):
    app.processEvents()
image = window.grab()
icon = window.print_action.icon().pixmap(20, 20)
print(json.dumps({"size": [image.width(), image.height()], "ratio": image.devicePixelRatio(),
                  "icon": [icon.width(), icon.devicePixelRatio()]}))
window.close()
window.controller.database.close()
"""


@pytest.mark.slow
def test_the_window_renders_at_twice_the_scale(seed_copy: Path, tmp_path: Path) -> None:
    environment = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "QT_SCALE_FACTOR": "2",
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    result = subprocess.run(
        [sys.executable, "-c", SHOT, str(seed_copy), str(tmp_path / "settings.ini")],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    assert shown["ratio"] == 2.0
    assert shown["size"] == [2400, 1520]  # every logical pixel drawn as 2 × 2
    assert shown["icon"] == [40, 2.0]  # icons drawn at the screen's scale, not blown up
    problems = [
        line
        for line in result.stderr.splitlines()
        if line.strip() and "propagateSizeHints" not in line
    ]
    assert not problems, "\n".join(problems)
