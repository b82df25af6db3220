"""Delegates: completion bars, status lights, and validating editors for month cells."""

from __future__ import annotations

from itertools import islice
from typing import Protocol

import shiboken6
from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QStaticText,
    QTransform,
)
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QApplication,
    QComboBox,
    QFrame,
    QLabel,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionFocusRect,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from desktop.models.figures import FigureError, format_figure, parse_figure
from desktop.models.kinds import MilestoneState
from desktop.models.status_rule import Status
from desktop.presentation.wording import percent_text

from desktop.ui.grid_model import MILESTONE_ROLE, UNIT_ROLE, CellLook
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


_PREPARED_KEPT = 4_000  # prepared texts remembered (names, words, figures): some screens' worth
_prepared: dict[tuple[str, str], QStaticText] = {}
_percent_widths: dict[str, int] = {}
_status_words: dict[tuple[str, str, int], str] = {}  # a light's words as they fit a width
_elided: dict[tuple[str, str, int], str] = {}  # words elided at their end to fit a width


_PANEL = QStyle.PrimitiveElement.PE_PanelItemViewItem
_FOCUS_FRAME = QStyle.PrimitiveElement.PE_FrameFocusRect
_LEFT, _RIGHT = Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignRight


def text_margin(style: QStyle, widget: QWidget | None) -> int:
    """As the style draws an item's text: inside its rect less this margin on each side."""
    return style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, widget) + 1


class CellPainter:
    """Paints cells in a view's style: the item's panel (selection, alternate rows, focus),
    words, completion bars and lights. A tree paints a whole row with one; a delegate, its
    one cell.

    What every cell shares is worked out once: the style, the text's colours, the font, the
    pens. Words are drawn as prepared texts (QStaticText), laid out once for the session:
    the names, departments and light words of a tree are drawn again at every repaint, and a
    Chinese name laid out anew costs three times as much. Painting is most of what a large
    plan's window does when a month or a filter changes: every call here counts.
    """

    def __init__(self, painter: QPainter, option: QStyleOptionViewItem) -> None:
        self.painter, self.option = painter, option
        self.widget = option.widget
        self.style = self.widget.style() if self.widget is not None else QApplication.style()
        # the text's colours as the style picks them: of the palette's group for the state
        palette, state = option.palette, option.state
        group = QPalette.ColorGroup.Disabled
        if state & QStyle.StateFlag.State_Enabled:
            active = bool(state & QStyle.StateFlag.State_Active)
            group = QPalette.ColorGroup.Active if active else QPalette.ColorGroup.Inactive
        self._inks = (
            palette.color(group, QPalette.ColorRole.Text),
            palette.color(group, QPalette.ColorRole.HighlightedText),
        )
        self.margin = text_margin(self.style, self.widget)
        self.plain_ink = self._inks[0]
        self.set_selected(bool(option.state & QStyle.StateFlag.State_Selected))
        # copies: the option's own live only as long as the cell it came with
        self.font = QFont(option.font)
        self.metrics = QFontMetrics(option.fontMetrics)
        self._font_key = self.font.key()
        self._line = self.metrics.height()
        shade = colours()
        self._bar_background = shade.bar_background
        self._expected_pen = QPen(shade.expected_mark, 2)
        self._pen: QColor | None = None
        painter.setFont(self.font)  # the font the texts are laid out in

    def use(self, painter: QPainter, option: QStyleOptionViewItem) -> None:
        """Paint another cell of the same repaint: its option (place, selection, focus)
        and the painter in the wrapper Qt handed with it."""
        self.painter, self.option = painter, option
        self.set_selected(bool(option.state & QStyle.StateFlag.State_Selected))
        self._pen = None

    def set_selected(self, selected: bool) -> None:
        """Paint what follows on a selected (or not selected) row."""
        self.selected = selected
        self.ink = self._inks[selected]

    def pen_unknown(self) -> None:
        """The painter's pen was set elsewhere (by the style): set it again before a text."""
        self._pen = None

    def panel(self, *, focus: bool = False) -> None:
        """The option's cell panel as the style draws an item's (without its text) and, on
        the current cell of a focused view, the focus frame."""
        self.style.drawPrimitive(_PANEL, self.option, self.painter, self.widget)
        if focus:
            self.focus_frame(self.option.rect)
        self._pen = None

    def focus_frame(self, rect: QRect) -> None:
        option = self.option
        frame = QStyleOptionFocusRect()
        frame.palette, frame.direction, frame.rect = option.palette, option.direction, rect
        frame.state = (
            option.state | QStyle.StateFlag.State_KeyboardFocusChange | QStyle.StateFlag.State_Item
        )
        frame.backgroundColor = option.palette.color(
            QPalette.ColorRole.Highlight if self.selected else QPalette.ColorRole.Window
        )
        self.style.drawPrimitive(_FOCUS_FRAME, frame, self.painter, self.widget)
        self._pen = None

    def text(
        self,
        rect: QRect,
        text: str,
        alignment: Qt.AlignmentFlag = _LEFT,
        ink: QColor | None = None,
    ) -> None:
        """One line of text in `rect`, centred vertically, at its left (or right, centre)."""
        if not text:
            return
        key = (self._font_key, text)
        prepared = _prepared.get(key)
        if prepared is None:
            if len(_prepared) >= _PREPARED_KEPT:  # the oldest half goes
                for old in list(islice(_prepared, _PREPARED_KEPT // 2)):
                    del _prepared[old]
            prepared = _prepared[key] = QStaticText(text)
            prepared.setTextFormat(Qt.TextFormat.PlainText)
            prepared.prepare(QTransform(), self.font)
        if alignment == _LEFT:
            x, height = float(rect.left()), self._line
        else:
            size = prepared.size()
            x = rect.right() + 1 - size.width()
            if alignment != _RIGHT:
                x = rect.left() + (rect.width() - size.width()) / 2
            height = round(size.height())
        pen = self.ink if ink is None else ink
        if pen is not self._pen:
            self.painter.setPen(pen)
            self._pen = pen
        self.painter.drawStaticText(QPointF(x, rect.top() + (rect.height() - height) / 2), prepared)

    def line(
        self, rect: QRect, text: str, alignment: Qt.AlignmentFlag, ink: QColor | None = None
    ) -> None:
        """A cell's words as the style draws an item's: inside the cell's margins, elided at
        their end, aligned as the model says."""
        area = rect.adjusted(self.margin, 0, -self.margin, 0)
        key = (self._font_key, text, area.width())
        shown = _elided.get(key)
        if shown is None:
            if len(_elided) >= _PREPARED_KEPT:
                _elided.clear()
            shown = _elided[key] = self.metrics.elidedText(
                text, Qt.TextElideMode.ElideRight, max(0, area.width())
            )
        self.text(area, shown, alignment & Qt.AlignmentFlag.AlignHorizontal_Mask, ink)

    def _percent_width(self) -> int:
        width = _percent_widths.get(self._font_key)
        if width is None:
            width = _percent_widths[self._font_key] = self.metrics.horizontalAdvance("100.0%") + 6
        return width

    def completion(
        self, rect: QRect, completion: float | None, status: Status | None, expected: float | None
    ) -> None:
        """A bar for the completion, coloured by status, with a tick at the 序时进度, and
        the figure beside it (the tick never crosses the text); "—" when there is none."""
        cell = rect.adjusted(4, 0, -4, 0)
        if completion is None:
            self.text(cell, "—", Qt.AlignmentFlag.AlignCenter)
            return
        painter = self.painter
        text_width = self._percent_width()
        bar = cell.adjusted(0, 5, -text_width, -5)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._bar_background)
        painter.drawRoundedRect(bar, 3, 3)
        filled = QRect(bar)
        filled.setWidth(round(bar.width() * min(1.0, max(0.0, completion))))
        painter.setBrush(STATUS_COLOURS[status or Status.GREEN])
        painter.drawRoundedRect(filled, 3, 3)
        if expected is not None:
            x = bar.left() + round(bar.width() * min(1.0, max(0.0, expected)))
            painter.setPen(self._expected_pen)
            painter.drawLine(x, bar.top() - 3, x, bar.bottom() + 3)
        painter.restore()
        self._pen = None  # restored: the pen is the painter's again
        figure = cell.adjusted(cell.width() - text_width, 0, 0, 0)
        self.text(figure, percent_text(completion), _RIGHT)

    def status(self, rect: QRect, status: Status | None, text: str | None) -> None:
        """A coloured light followed by the status word (`text`, a parent's with its
        children's count), or the light alone when `text` is None."""
        if status is None:
            return
        painter = self.painter
        diameter = min(12, rect.height() - 6)
        middle = rect.top() + rect.height() // 2
        left = rect.left() + 6 if text is not None else rect.left() + (rect.width() - diameter) // 2
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(STATUS_COLOURS[status])
        painter.drawEllipse(QRect(left, middle - diameter // 2, diameter, diameter))
        painter.restore()
        self._pen = None
        if text is not None:
            area = rect.adjusted(diameter + 12, 0, -2, 0)
            word = text or status_text(status)
            key = (self._font_key, word, area.width())
            shown = _status_words.get(key)
            if shown is None:
                if len(_status_words) >= _PREPARED_KEPT:
                    _status_words.clear()
                shown = _status_words[key] = status_shown(word, self.metrics, area.width())
            self.text(area, shown, ink=self.plain_ink)


class PaintedTable(QTableView):
    """A table whose delegates paint all the cells of a repaint with one CellPainter (made
    once per repaint, not once per cell)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cells: CellPainter | None = None
        self._painting = False

    def paintEvent(self, event: QPaintEvent) -> None:  # QTableView.paintEvent
        self._cells, self._painting = None, True
        try:
            super().paintEvent(event)
        finally:
            self._cells, self._painting = None, False

    def cell_painter(self, painter: QPainter, option: QStyleOptionViewItem) -> CellPainter:
        cells = self._cells
        if cells is None:
            cells = CellPainter(painter, option)
            if self._painting:
                self._cells = cells
        else:
            cells.use(painter, option)
        return cells


def cell_painter(painter: QPainter, option: QStyleOptionViewItem) -> CellPainter:
    """The painter of a cell: its table's for the repaint under way, or one of its own."""
    view = option.widget
    if isinstance(view, PaintedTable):
        return view.cell_painter(painter, option)
    return CellPainter(painter, option)


class CellLooks(Protocol):
    """A model that says what a text cell shows in one call."""

    def cell_look(self, row: int, column: int) -> CellLook: ...


def paint_text_cell(
    painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex, model: CellLooks
) -> None:
    """A cell's panel (selection, background, focus) and words, as a plain item delegate
    paints them, from one question to the model instead of a dozen roles."""
    text, alignment, ink, background = model.cell_look(index.row(), index.column())
    if background is not None:
        option.backgroundBrush = background
    paint = cell_painter(painter, option)
    paint.panel(focus=bool(option.state & QStyle.StateFlag.State_HasFocus))
    if text:
        paint.line(option.rect, text, alignment, None if paint.selected else ink)


class TextCellDelegate(QStyledItemDelegate):
    """The words of a read-only cell (code, name, unit, target), painted from the model's
    cell_look."""

    def __init__(self, model: CellLooks, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._model = model

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        # QStyledItemDelegate.paint
        paint_text_cell(painter, option, index, self._model)


class CompletionDelegate(QStyledItemDelegate):
    """A bar for the completion, coloured by status, with a tick at the 序时进度."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        # QStyledItemDelegate.paint
        paint = cell_painter(painter, option)
        paint.panel(focus=bool(option.state & QStyle.StateFlag.State_HasFocus))
        paint.completion(
            option.rect,
            index.data(COMPLETION_ROLE),
            _status(index.data(STATUS_ROLE)),
            index.data(EXPECTED_ROLE),
        )

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        # QStyledItemDelegate.sizeHint
        hint = super().sizeHint(option, index)
        return QSize(max(hint.width(), 110), hint.height())


def shown_name(text: str, metrics: QFontMetrics, room: int) -> str:
    """A long name elided in the middle within `room`: its code and its end stay in sight
    (the tooltip holds all of it). A plan's title, which has no code, is elided at its end."""
    if metrics.horizontalAdvance(text) <= room:
        return text
    code, space, title = text.partition(" ")
    if room <= 0 or not space or not code[:1].isdigit():
        return metrics.elidedText(text, Qt.TextElideMode.ElideMiddle, max(0, room))
    # the code whole, then what room is left of the title, elided in its middle
    head = f"{code} "
    rest = metrics.elidedText(
        title, Qt.TextElideMode.ElideMiddle, room - metrics.horizontalAdvance(head)
    )
    return head + (rest or f"…{title[-1:]}")


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
        status = _status(index.data(STATUS_ROLE))
        shown = index.data(Qt.ItemDataRole.DisplayRole) if self._words else None
        text = (shown if isinstance(shown, str) else "") if self._words else None
        paint = cell_painter(painter, option)
        paint.panel(focus=bool(option.state & QStyle.StateFlag.State_HasFocus))
        paint.status(option.rect, status, text)

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

    def __init__(self, model: CellLooks, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._problem: QLabel | None = None

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        # QStyledItemDelegate.paint
        paint_text_cell(painter, option, index, self._model)

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
