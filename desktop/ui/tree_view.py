"""The plan tree's view: each row painted in one call.

A tree of a province's plan shows forty rows of six columns at once. Qt's own row painting
asks the model for every cell (its index, its parent, seven roles) and hands it to a
delegate: some two thousand calls into Python per repaint, most of a period switch's time.
Here a row is painted from one look at the model (`PlanTreeModel.row_cells`) as Qt paints it:
the style's row and item panels (alternate rows, selection, focus), the branches, and each
column's words, bar or light.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem, QTreeView, QWidget

from desktop.ui.delegates import CellPainter, shown_name, text_margin
from desktop.ui.tree_model import PlanTreeModel, RowCells, TreeColumn

AnyIndex = QModelIndex | QPersistentModelIndex
_ROW_PANEL = QStyle.PrimitiveElement.PE_PanelItemViewRow
_ITEM_PANEL = QStyle.PrimitiveElement.PE_PanelItemViewItem
_SELECTED = QStyle.StateFlag.State_Selected
_ALTERNATE = QStyleOptionViewItem.ViewItemFeature.Alternate
_ELIDED_KEPT = 20_000  # elided words remembered (names by width); forgotten beyond


class PlanTreeView(QTreeView):
    """The plan tree, a row painted at once; filters, selection and keys are QTreeView's."""

    def __init__(self, model: PlanTreeModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self.setModel(model)
        self._elided: dict[tuple[bool, str, int], str] = {}
        # of the repaint under way: the columns shown (with place and width), the span of
        # them all, the name's column, the indentation of a level
        self._columns: list[tuple[TreeColumn, int, int]] = []
        self._span = (0, 0)
        self._name: tuple[TreeColumn, int, int] | None = None
        self._indentation = self.indentation()
        self._current = QModelIndex()
        self._offset = 0
        self._selection = self.selectionModel()
        self._painter: CellPainter | None = None
        self._painting = False  # inside paintEvent: every row drawn with the same painter
        self._states = (QStyle.StateFlag.State_None, QStyle.StateFlag.State_None)
        self._features = (QStyleOptionViewItem.ViewItemFeature.None_,) * 2
        self._branches_selected = True
        self._follow_style()

    def _follow_style(self) -> None:
        self._elided.clear()
        self._style = self.style()
        self._margin = text_margin(self._style, self)

    def changeEvent(self, event: QEvent) -> None:  # QWidget.changeEvent
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._follow_style()
        super().changeEvent(event)

    def shown_text(self, index: AnyIndex) -> str:
        """The words a cell shows in its width (a long name elided in its middle, the others
        at their end)."""
        text = str(self._model.data(index) or "")
        room = self.visualRect(index).width() - 2 * self._margin
        return self._shown(TreeColumn(index.column()), text, self.fontMetrics(), room)

    def _shown(self, column: TreeColumn, text: str, metrics: QFontMetrics, room: int) -> str:
        key = (column is TreeColumn.NAME, text, room)
        shown = self._elided.get(key)
        if shown is None:
            if len(self._elided) > _ELIDED_KEPT:
                self._elided.clear()
            if column is TreeColumn.NAME:
                shown = shown_name(text, metrics, room)
            else:
                shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, max(0, room))
            self._elided[key] = shown
        return shown

    def paintEvent(self, event: QPaintEvent) -> None:  # QTreeView.paintEvent
        # what every row of this repaint shares, found once: the columns in their order, with
        # their place and width, and the current cell if the tree has the focus
        header = self.header()
        self._columns = [
            (TreeColumn(column), self.columnViewportPosition(column), header.sectionSize(column))
            for column in map(header.logicalIndex, range(header.count()))
            if not header.isSectionHidden(column)
        ]
        columns = self._columns
        self._span = (
            min((x for _c, x, _w in columns), default=0),
            max((x + w for _c, x, w in columns), default=0),
        )
        self._name = next((c for c in columns if c[0] is TreeColumn.NAME), None)
        self._indentation = self.indentation()
        self._current = self.currentIndex() if self.hasFocus() else QModelIndex()
        self._offset = self.verticalOffset()
        self._selection = self.selectionModel()
        self._style = self.style()
        self._painter = None
        self._painting = True
        try:
            super().paintEvent(event)
        finally:
            self._painting = False
            self._painter = None

    def _row_painter(self, painter: QPainter, option: QStyleOptionViewItem) -> CellPainter:
        """The cell painter of this repaint (one for every row), with a row option of its
        own: the rows' states differ only in selection and alternation."""
        if self._painter is not None and self._painting:
            # Qt hands every row the same painter in a wrapper of its own
            self._painter.painter = painter
        else:
            row = QStyleOptionViewItem(option)
            if row.state & QStyle.StateFlag.State_Enabled:
                active = bool(row.state & QStyle.StateFlag.State_Active)
                group = QPalette.ColorGroup.Active if active else QPalette.ColorGroup.Inactive
                row.palette.setCurrentColorGroup(group)
            self._states = (row.state & ~_SELECTED, row.state | _SELECTED)
            self._features = (row.features & ~_ALTERNATE, row.features | _ALTERNATE)
            self._painter = CellPainter(painter, row)
            hint = QStyle.StyleHint.SH_ItemView_ShowDecorationSelected
            self._branches_selected = bool(self._style.styleHint(hint, row, self))
        return self._painter

    def drawRow(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        # QTreeView.drawRow (for a row's index in column 0) as Qt paints a row in this style:
        # the row's panel (alternate rows), the branches, the selection's panel, then each
        # cell's words, bar or light. A panel across the row is the panels Qt draws cell by
        # cell (a plain fill in the style's colour), in three calls instead of a dozen.
        paint = self._row_painter(painter, option)
        row = paint.option
        cells = self._model.row_cells(index)
        selected = self._selection.isSelected(index)  # whole rows are selected
        top, height = option.rect.y(), option.rect.height()
        odd = self.alternatingRowColors() and (top + self._offset) // max(1, height) % 2 == 1
        row.features = self._features[odd]
        row.state = self._states[False]
        left, right = self._span
        row.rect = QRect(left, top, right - left, height)
        style = self._style
        style.drawPrimitive(_ROW_PANEL, row, painter, self)
        name = self._name
        indent = (self._model.depth(index) + 1) * self._indentation
        if selected:  # the selection's panel across the row (and its branches, if the style
            row.state = self._states[True]  # shows them selected)
            if name is not None and not self._branches_selected:
                row.rect = QRect(name[1] + indent, top, right - name[1] - indent, height)
            style.drawPrimitive(_ITEM_PANEL, row, painter, self)
        if name is not None and self._indentation:
            self.drawBranches(painter, QRect(name[1], top, min(indent, name[2]), height), index)
        paint.set_selected(selected)
        paint.pen_unknown()
        focused = self._focused_column(index)
        for column, x, width in self._columns:
            rect = QRect(x, top, width, height)
            if column is TreeColumn.NAME:
                rect = QRect(x + indent, top, width - indent, height)
            if column is focused:
                paint.focus_frame(rect)
            self._draw_cell(paint, rect, column, cells)

    def _focused_column(self, index: AnyIndex) -> TreeColumn | None:
        current = self._current
        if (
            current.isValid()
            and current.row() == index.row()
            and current.internalPointer() is index.internalPointer()
        ):
            return TreeColumn(current.column())
        return None

    def _draw_cell(
        self, paint: CellPainter, rect: QRect, column: TreeColumn, cells: RowCells
    ) -> None:
        if column is TreeColumn.COMPLETION:
            paint.completion(rect, cells.completion, cells.status, cells.expected)
        elif column is TreeColumn.STATUS:
            paint.status(rect, cells.status, cells.texts[column])
        else:
            margin = self._margin
            area = rect.adjusted(margin, 0, -margin, 0)
            paint.text(area, self._shown(column, cells.texts[column], paint.metrics, area.width()))
