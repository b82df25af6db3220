"""The look: one Fusion style everywhere, a light palette, a dark one when the system is dark.

Windows, UOS and Kylin each draw native widgets differently; Fusion with our palette looks the
same on all of them. `Appearance.SYSTEM` follows the system's colour scheme where Qt can read
it (Windows 10/11, GNOME and KDE through the desktop portal) and switches when the user does.
Colours the widgets paint themselves (bars, tints, the chart) come from `colours()`, which
answers for the palette in use, and the SVG action icons take the palette's text colour.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import cache

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QIconEngine,
    QPainter,
    QPalette,
    QPixmap,
)
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from desktop.models.locations import bundled_file


class Appearance(enum.StrEnum):
    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


ACCENT = "#1f6fb2"
# Text and frames that say what keeps a form from being saved (readable on light and dark).
PROBLEM_INK = "#c62828"

_LIGHT = {
    QPalette.ColorRole.Window: "#f3f4f6",
    QPalette.ColorRole.WindowText: "#1f2328",
    QPalette.ColorRole.Base: "#ffffff",
    QPalette.ColorRole.AlternateBase: "#f6f8fa",
    QPalette.ColorRole.ToolTipBase: "#fffbe6",
    QPalette.ColorRole.ToolTipText: "#1f2328",
    QPalette.ColorRole.PlaceholderText: "#8c959f",
    QPalette.ColorRole.Text: "#1f2328",
    QPalette.ColorRole.Button: "#f6f7f9",
    QPalette.ColorRole.ButtonText: "#1f2328",
    QPalette.ColorRole.BrightText: "#ffffff",
    QPalette.ColorRole.Highlight: ACCENT,
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#0b5cad",
    QPalette.ColorRole.Mid: "#c8ccd1",
    QPalette.ColorRole.Midlight: "#e4e7eb",
    QPalette.ColorRole.Dark: "#9aa0a6",
    QPalette.ColorRole.Shadow: "#6e7781",
}
_DARK = {
    QPalette.ColorRole.Window: "#24272b",
    QPalette.ColorRole.WindowText: "#e6e8eb",
    QPalette.ColorRole.Base: "#1b1d20",
    QPalette.ColorRole.AlternateBase: "#272a2e",
    QPalette.ColorRole.ToolTipBase: "#33373c",
    QPalette.ColorRole.ToolTipText: "#e6e8eb",
    QPalette.ColorRole.PlaceholderText: "#8b929a",
    QPalette.ColorRole.Text: "#e6e8eb",
    QPalette.ColorRole.Button: "#2d3136",
    QPalette.ColorRole.ButtonText: "#e6e8eb",
    QPalette.ColorRole.BrightText: "#ffffff",
    QPalette.ColorRole.Highlight: "#3d84c6",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#6fb1ef",
    QPalette.ColorRole.Mid: "#4a4f56",
    QPalette.ColorRole.Midlight: "#3a3f45",
    QPalette.ColorRole.Dark: "#15171a",
    QPalette.ColorRole.Shadow: "#000000",
}
_DISABLED = {"light": "#a0a6ad", "dark": "#6b7178"}


def palette(dark: bool) -> QPalette:
    """The application's light or dark palette."""
    result = QPalette()
    for role, colour in (_DARK if dark else _LIGHT).items():
        result.setColor(role, QColor(colour))
    disabled = QColor(_DISABLED["dark" if dark else "light"])
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        result.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return result


def system_is_dark() -> bool:
    """Whether the system asks for dark colours (False where Qt cannot tell)."""
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def apply_theme(app: QApplication, appearance: Appearance | str = Appearance.SYSTEM) -> bool:
    """Fusion and the palette for `appearance`; True when the dark palette is in use."""
    chosen = Appearance(appearance) if appearance in set(Appearance) else Appearance.SYSTEM
    dark = chosen is Appearance.DARK or (chosen is Appearance.SYSTEM and system_is_dark())
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    app.setPalette(palette(dark))
    app.setProperty("appearance", chosen.value)
    return dark


def follow_system(app: QApplication) -> None:
    """Re-apply the theme when the system's colour scheme changes (if set to follow it)."""

    def changed(_scheme: Qt.ColorScheme) -> None:
        if app.property("appearance") == Appearance.SYSTEM.value:
            apply_theme(app, Appearance.SYSTEM)

    QGuiApplication.styleHints().colorSchemeChanged.connect(changed)


def is_dark(current: QPalette | None = None) -> bool:
    """Whether a palette (the application's by default) is a dark one."""
    shown = current or QGuiApplication.palette()
    return shown.color(QPalette.ColorRole.Window).lightness() < 128


@dataclass(frozen=True)
class Colours:
    """Colours widgets paint themselves, for the palette in use."""

    bar_background: QColor
    expected_mark: QColor
    current_month: QColor
    future_text: QColor
    chart_background: QColor
    chart_foreground: QColor
    chart_actual: QColor
    chart_expected: QColor
    chart_target: QColor


_LIGHT_COLOURS = Colours(
    QColor("#e8eaed"),
    QColor("#202124"),
    QColor("#fff4cc"),
    QColor("#9aa0a6"),
    QColor("#ffffff"),
    QColor("#202124"),
    QColor("#1f4e79"),
    QColor("#7f7f7f"),
    QColor("#2e9d48"),
)
_DARK_COLOURS = Colours(
    QColor("#3a3f45"),
    QColor("#f1f3f4"),
    QColor("#4a4126"),
    QColor("#80868b"),
    QColor("#1b1d20"),
    QColor("#e6e8eb"),
    QColor("#6fb1ef"),
    QColor("#a0a6ad"),
    QColor("#5cc27a"),
)


def colours() -> Colours:
    return _DARK_COLOURS if is_dark() else _LIGHT_COLOURS


# --- icons ---------------------------------------------------------------------------------


class _SvgIconEngine(QIconEngine):
    """An SVG action icon drawn in the palette's text colour, sharp at every size and scale."""

    def __init__(self, svg: str) -> None:
        super().__init__()
        self._svg = svg

    def _renderer(self, mode: QIcon.Mode) -> QSvgRenderer:
        shown = QGuiApplication.palette()
        group = (
            QPalette.ColorGroup.Disabled
            if mode is QIcon.Mode.Disabled
            else QPalette.ColorGroup.Active
        )
        colour = shown.color(group, QPalette.ColorRole.WindowText).name()
        return _renderer(self._svg.replace("currentColor", colour), mode is QIcon.Mode.Disabled)

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        self._renderer(mode).render(painter, QRectF(rect))

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        pixmap = QPixmap(size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.paint(painter, pixmap.rect(), mode, state)
        painter.end()
        return pixmap

    def scaledPixmap(
        self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float
    ) -> QPixmap:
        pixmap = self.pixmap(size * scale, mode, state)
        pixmap.setDevicePixelRatio(scale)
        return pixmap

    def clone(self) -> QIconEngine:
        return _SvgIconEngine(self._svg)


@cache
def _renderer(svg: str, disabled: bool) -> QSvgRenderer:
    """A renderer per colour (few: text colours of two palettes, enabled and disabled)."""
    if disabled:  # accents fade with the rest of a disabled icon
        svg = svg.replace('stroke="#', 'stroke-opacity="0.45" stroke="#')
    return QSvgRenderer(QByteArray(svg.encode("utf-8")))


_ICONS: dict[str, QIcon] = {}
_ENGINES: list[_SvgIconEngine] = []  # QIcon does not keep the Python engine object alive


def action_icon(name: str) -> QIcon:
    """resources/icons/actions/<name>.svg as an icon that follows the palette."""
    if name not in _ICONS:
        path = bundled_file("resources", "icons", "actions", f"{name}.svg")
        engine = _SvgIconEngine(path.read_text(encoding="utf-8"))
        _ENGINES.append(engine)
        _ICONS[name] = QIcon(engine)
    return _ICONS[name]


def app_icon() -> QIcon:
    return QIcon(str(bundled_file("resources", "icons", "target-monitor.svg")))
