"""The Qt stack starts on this machine and renders Chinese text (fonts present, not boxes)."""

from __future__ import annotations

import importlib
import inspect
import sys

from pytestqt.qtbot import QtBot

from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics, QImage, QPainter
from PySide6.QtWidgets import QApplication, QLabel

import desktop.ui


def test_a_widget_renders_offscreen(qtbot: QtBot) -> None:
    label = QLabel("目标任务监测")
    qtbot.addWidget(label)
    label.show()
    qtbot.waitExposed(label)
    image = label.grab().toImage()
    assert not image.isNull() and image.width() > 0


def test_a_font_covers_simplified_chinese(qapp: QApplication) -> None:
    """Without a CJK font, Chinese renders as boxes; the README's set-up installs one."""
    families = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    assert families, "no font with Simplified Chinese is installed"
    font = QFont(families[0])
    assert all(QFontMetrics(font).inFontUcs4(ord(ch)) for ch in "目标任务监测严重滞后")
    image = QImage(200, 40, QImage.Format.Format_ARGB32)
    image.fill(0xFFFFFFFF)
    painter = QPainter(image)
    painter.setFont(font)
    painter.drawText(5, 30, "三色预警")
    painter.end()
    inked = sum(
        1 for x in range(200) for y in range(40) if image.pixelColor(x, y).lightness() < 128
    )
    assert inked > 50


def test_pysides_question_of_each_module_is_answered_as_pyside_would() -> None:
    """desktop.ui answers PySide6's "does this module's source mention PySide6" from the
    file's bytes (a tenth of the time at a start); the answers stay PySide's own."""
    feature = sys.modules["shibokensupport.feature"]
    assert getattr(feature._mod_uses_pyside, "reads_bytes", False), "PySide asks another way"

    def pysides_answer(module: object) -> bool:
        try:
            return "PySide6" in inspect.getsource(module)  # type: ignore[arg-type]
        except (TypeError, OSError):
            return False

    names = ("desktop.ui.app", "desktop.models.workspace", "json", "sys", "PySide6.QtCore")
    modules = [desktop.ui, *(importlib.import_module(name) for name in names)]
    answers = {module.__name__: feature._mod_uses_pyside(module) for module in modules}
    assert answers == {module.__name__: pysides_answer(module) for module in modules}
    assert answers["desktop.ui.app"] and not answers["desktop.models.workspace"]
