"""Delegates: completion bars, status lights, and validating editors for month cells."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QFontMetrics, QKeyEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QApplication,
    QComboBox,
    QFrame,
    QLabel,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from desktop.models.figures import FigureError, format_figure, parse_figure
from desktop.models.schema import MilestoneState
from desktop.models.status_rule import Status
from desktop.presentation.wording import percent_text

from desktop.ui.grid_model import MILESTONE_ROLE, UNIT_ROLE
from desktop.ui.i18n import STATUS_COLOURS, figure_problem_text, state_text, status_text
from desktop.ui.theme import colours
from desktop.ui.tree_model import COMPLETION_ROLE, EXPECTED_ROLE, STATUS_ROLE

AnyIndex = QModelIndex | QPersistentModelIndex


def _status(value: object) -> Status | None:
    """A status back from a model role (Qt hands string enums back as plain strings)."""
    try:
        return Status(str(value)) if value is not None else None
    except ValueError:
        return None


def _paint_background(painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
    style = option.widget.style() if option.widget else None
    if style is not None:
        plain = QStyleOptionViewItem(option)
        plain.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, plain, painter, option.widget)


class CompletionDelegate(QStyledItemDelegate):
    """A bar for the completion, coloured by status, with a tick at the 序时进度."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        # QStyledItemDelegate.paint
        _paint_background(painter, option, index)
        completion = index.data(COMPLETION_ROLE)
        status = _status(index.data(STATUS_ROLE))
        cell = option.rect.adjusted(4, 0, -4, 0)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        text_colour = (
            option.palette.highlightedText() if selected else option.palette.text()
        ).color()
        if completion is None:
            painter.setPen(text_colour)
            painter.drawText(cell, Qt.AlignmentFlag.AlignCenter, "—")
            painter.restore()
            return
        # The bar on the left, the figure beside it: the 序时进度 tick never crosses the text.
        text_width = option.fontMetrics.horizontalAdvance("100.0%") + 6
        bar = cell.adjusted(0, 5, -text_width, -5)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colours().bar_background)
        painter.drawRoundedRect(bar, 3, 3)
        filled = QRect(bar)
        filled.setWidth(round(bar.width() * min(1.0, max(0.0, completion))))
        colour = STATUS_COLOURS[status or Status.GREEN]
        painter.setBrush(colour)
        painter.drawRoundedRect(filled, 3, 3)
        expected = index.data(EXPECTED_ROLE)
        if expected is not None:
            x = bar.left() + round(bar.width() * min(1.0, max(0.0, expected)))
            painter.setPen(QPen(colours().expected_mark, 2))
            painter.drawLine(x, bar.top() - 3, x, bar.bottom() + 3)
        painter.setPen(text_colour)
        figure = cell.adjusted(cell.width() - text_width, 0, 0, 0)
        painter.drawText(
            figure,
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            percent_text(completion),
        )
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        # QStyledItemDelegate.sizeHint
        hint = super().sizeHint(option, index)
        return QSize(max(hint.width(), 110), hint.height())


class NameDelegate(QStyledItemDelegate):
    """A long name elided in the middle: its code and its end stay in sight (the tooltip holds
    all of it)."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        # QStyledItemDelegate.initStyleOption
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle
        code, space, title = option.text.partition(" ")
        if not space or not code[:1].isdigit():
            return  # the plan's title has no code
        style = option.widget.style() if option.widget is not None else QApplication.style()
        # as the style draws an item's text: inside its rect less a margin on each side
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, option.widget)
        room = option.rect.width() - 2 * (margin + 1)
        metrics = option.fontMetrics
        if room <= 0 or metrics.horizontalAdvance(option.text) <= room:
            return
        # the code whole, then what room is left of the title, elided in its middle
        head = f"{code} "
        rest = metrics.elidedText(
            title, Qt.TextElideMode.ElideMiddle, room - metrics.horizontalAdvance(head)
        )
        option.text = head + (rest or f"…{title[-1:]}")


def status_shown(text: str, metrics: QFontMetrics, width: int) -> str:
    """A light's word with as many of its counted parts ("严重滞后 · 红 3 · 黄 2") as fit
    whole, an ellipsis for the rest: the word itself is never the part cut short."""
    if metrics.horizontalAdvance(text) <= width:
        return text
    parts = text.split(" · ")
    for count in range(len(parts) - 1, 0, -1):
        shown = " · ".join(parts[:count]) + " · …"
        if metrics.horizontalAdvance(shown) <= width:
            return shown
    return metrics.elidedText(parts[0], Qt.TextElideMode.ElideRight, width)


class StatusDelegate(QStyledItemDelegate):
    """A coloured light followed by the status word (or alone, the word in its tooltip)."""

    def __init__(self, parent: QObject | None = None, *, words: bool = True) -> None:
        super().__init__(parent)
        self._words = words

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        # QStyledItemDelegate.paint
        _paint_background(painter, option, index)
        status = _status(index.data(STATUS_ROLE))
        if status is None:
            return
        rect = option.rect
        diameter = min(12, rect.height() - 6)
        left = rect.left() + 6 if self._words else rect.center().x() - diameter // 2
        light = QRect(left, rect.center().y() - diameter // 2, diameter, diameter)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(STATUS_COLOURS[status])
        painter.drawEllipse(light)
        if not self._words:
            painter.restore()
            return
        painter.setPen(option.palette.text().color())
        text_rect = rect.adjusted(diameter + 12, 0, -2, 0)
        shown = index.data(Qt.ItemDataRole.DisplayRole)  # a parent's adds its children's count
        text = shown if isinstance(shown, str) and shown else status_text(status)
        painter.drawText(
            text_rect,
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            status_shown(text, option.fontMetrics, text_rect.width()),
        )
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        # QStyledItemDelegate.sizeHint
        hint = super().sizeHint(option, index)
        if not self._words:
            return QSize(24, hint.height())
        shown = index.data(Qt.ItemDataRole.DisplayRole)
        text = shown if isinstance(shown, str) and shown else status_text(Status.RED)
        width = option.fontMetrics.horizontalAdvance(text) + 30
        return QSize(max(hint.width(), width), hint.height())


class EntryDelegate(QStyledItemDelegate):
    """Month cells: a figure in the indicator's unit, or a milestone state from a list.

    As in Excel, Enter saves and moves down, Tab right (`stepRequested`). A figure that cannot
    be read keeps the editor open with the typed text, and why is said beside the cell; one
    left by clicking elsewhere changes nothing and is reported through `inputRefused`.
    """

    inputRefused = Signal(str)
    stepRequested = Signal(int, int)  # rows down, columns right

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._problem: QLabel | None = None

    def createEditor(
        self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex
    ) -> QWidget:
        # QStyledItemDelegate.createEditor
        if index.data(MILESTONE_ROLE):
            combo = QComboBox(parent)
            combo.setObjectName("milestoneEditor")
            combo.addItem("", None)
            for state in MilestoneState:
                combo.addItem(state_text(state), state)
            return combo
        editor = QLineEdit(parent)
        editor.setObjectName("valueEditor")
        editor.setAlignment(Qt.AlignmentFlag.AlignRight)
        unit = index.data(UNIT_ROLE) or ""
        editor.setPlaceholderText(unit)
        editor.setProperty("unit", unit)
        editor.textEdited.connect(self._hide_problem)
        editor.destroyed.connect(self._hide_problem)
        return editor

    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:
        # QStyledItemDelegate.setEditorData
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, QComboBox):
            found = editor.findData(value) if value is not None else 0
            editor.setCurrentIndex(max(0, found))
        elif isinstance(editor, QLineEdit):
            editor.setText("" if value is None else format_figure(float(value)))
            editor.selectAll()

    @staticmethod
    def _figure(editor: QLineEdit) -> float | None:
        """The editor's figure; FigureError if it cannot be read."""
        unit = str(editor.property("unit") or "")
        return parse_figure(editor.text(), percent=unit == "%")

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: AnyIndex) -> None:
        # QStyledItemDelegate.setModelData
        if isinstance(editor, QComboBox):
            value = editor.currentData()
        else:
            assert isinstance(editor, QLineEdit)
            try:
                value = self._figure(editor)
            except FigureError as error:
                self.inputRefused.emit(figure_problem_text(error, index.data(UNIT_ROLE) or ""))
                return
        if value != index.data(Qt.ItemDataRole.EditRole):
            model.setData(index, value, Qt.ItemDataRole.EditRole)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # QStyledItemDelegate.eventFilter: Enter and Tab save and move, as in Excel.
        if event.type() != QEvent.Type.KeyPress or not isinstance(watched, QWidget):
            return super().eventFilter(watched, event)
        assert isinstance(event, QKeyEvent)
        step = _STEPS.get(Qt.Key(event.key()))
        if step is None:
            return super().eventFilter(watched, event)
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier and step == (1, 0):
            step = (-1, 0)
        if isinstance(watched, QLineEdit):
            try:
                self._figure(watched)
            except FigureError as error:
                unit = str(watched.property("unit") or "")
                self._show_problem(watched, figure_problem_text(error, unit))
                return True
        self.commitData.emit(watched)
        self.closeEditor.emit(watched, QAbstractItemDelegate.EndEditHint.NoHint)
        self.stepRequested.emit(*step)
        return True

    def _show_problem(self, editor: QLineEdit, text: str) -> None:
        """Why the figure is refused, just below the cell (above it at the bottom), over the
        window so that a narrow grid does not cut it off."""
        area = editor.window()
        label = self._problem
        if label is None or not shiboken6.isValid(label) or label.parentWidget() is not area:
            label = self._problem = QLabel(area)
            label.setObjectName("entryProblem")
            label.setForegroundRole(QPalette.ColorRole.ToolTipText)
            label.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
            label.setAutoFillBackground(True)
            label.setFrameShape(QFrame.Shape.Box)
            label.setMargin(3)
        label.setText(text)
        label.adjustSize()
        cell = QRect(editor.mapTo(area, QPoint(0, 0)), editor.size())
        top = cell.bottom() + 1
        if top + label.height() > area.height():
            top = cell.top() - label.height()
        left = min(cell.left(), max(0, area.width() - label.width()))
        label.move(left, top)
        label.show()
        label.raise_()
        editor.setFocus()

    def _hide_problem(self, *_args: object) -> None:
        if self._problem is not None and shiboken6.isValid(self._problem):
            self._problem.hide()

    def updateEditorGeometry(
        self, editor: QWidget, option: QStyleOptionViewItem, index: AnyIndex
    ) -> None:
        # QStyledItemDelegate.updateEditorGeometry
        editor.setGeometry(option.rect)


_STEPS = {
    Qt.Key.Key_Return: (1, 0),
    Qt.Key.Key_Enter: (1, 0),
    Qt.Key.Key_Tab: (0, 1),
    Qt.Key.Key_Backtab: (0, -1),
}
