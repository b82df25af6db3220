"""The Qt stack starts on this machine and renders Chinese text (fonts present, not boxes)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from PySide6.QtGui import QFont, QFontDatabase, QFontMetrics, QImage, QPainter
from PySide6.QtWidgets import QApplication, QLabel


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
