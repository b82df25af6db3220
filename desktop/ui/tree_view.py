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
from PySide6.QtGui import QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem, QTreeView, QWidget

from desktop.ui.delegates import CellPainter, shown_name
from desktop.ui.tree_model import PlanTreeModel, RowCells, TreeColumn

AnyIndex = QModelIndex | QPersistentModelIndex
_ELIDED_KEPT = 20_000  # elided words remembered (names by width); forgotten beyond


class PlanTreeView(QTreeView):
    """The plan tree, a row painted at once; filters, selection and keys are QTreeView's."""

    def __init__(self, model: PlanTreeModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self.setModel(model)
        self._elided: dict[tuple[int, str, int], str] = {}

    def changeEvent(self, event: QEvent) -> None:  # QWidget.changeEvent
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._elided.clear()
        super().changeEvent(event)

    def _margin(self) -> int:
        # as the style draws an item's text: inside its rect less a margin on each side
        style = self.style()
        return style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1

    def shown_text(self, index: AnyIndex) -> str:
        """The words a cell shows in its width (a long name elided in its middle, the others
        at their end)."""
        text = str(self._model.data(index) or "")
        room = self.visualRect(index).width() - 2 * self._margin()
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

    def drawRow(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        # QTreeView.drawRow (for a row's index in column 0), as Qt draws a row: each cell's
        # row panel by the style (alternate rows), the branches, then the cell itself.
        cells = self._model.row_cells(index)
        state = option.state
        if self.selectionModel().isSelected(index):  # whole rows are selected
            state |= QStyle.StateFlag.State_Selected
        cell = QStyleOptionViewItem(option)
        cell.state = state
        cell.showDecorationSelected = True
        if state & QStyle.StateFlag.State_Enabled:
            active = bool(state & QStyle.StateFlag.State_Active)
            group = QPalette.ColorGroup.Active if active else QPalette.ColorGroup.Inactive
            cell.palette.setCurrentColorGroup(group)
        if self.alternatingRowColors():
            height = max(1, option.rect.height())
            odd = (option.rect.y() + self.verticalOffset()) // height % 2 == 1
            alternate = QStyleOptionViewItem.ViewItemFeature.Alternate
            cell.features = cell.features | alternate if odd else cell.features & ~alternate
        paint = CellPainter(painter, cell)
        row_only = QStyleOptionViewItem(cell)  # the row's panel: never drawn selected
        row_only.state = state & ~QStyle.StateFlag.State_Selected
        current = self.currentIndex()
        focused = (
            current.column()
            if self.hasFocus()
            and current.row() == index.row()
            and current.internalPointer() is index.internalPointer()
            else -1
        )
        header = self.header()
        for visual in range(header.count()):
            column = header.logicalIndex(visual)
            if header.isSectionHidden(column):
                continue
            rect = QRect(
                self.columnViewportPosition(column),
                option.rect.y(),
                header.sectionSize(column),
                option.rect.height(),
            )
            if column == TreeColumn.NAME:
                rect = self._draw_branches(painter, cell, row_only, rect, index)
            else:
                row_only.rect = rect
                self._draw_panel(QStyle.PrimitiveElement.PE_PanelItemViewRow, row_only, painter)
            cell.rect = rect
            self._draw_cell(paint, TreeColumn(column), cells, focus=column == focused)

    def _draw_panel(
        self, element: QStyle.PrimitiveElement, option: QStyleOptionViewItem, painter: QPainter
    ) -> None:
        self.style().drawPrimitive(element, option, painter, self)

    def _draw_branches(
        self,
        painter: QPainter,
        cell: QStyleOptionViewItem,
        row_only: QStyleOptionViewItem,
        rect: QRect,
        index: AnyIndex,
    ) -> QRect:
        """The branches and their background (selection, alternate row) at the left of the
        name's column; the rect left for the name."""
        indent = (self._model.depth(index) + 1) * self.indentation()
        clipped = indent > rect.width()
        if clipped:
            painter.save()
            painter.setClipRect(rect)
        branches = QRect(rect.left(), rect.top(), indent, rect.height())
        cell.rect = branches
        hint = QStyle.StyleHint.SH_ItemView_ShowDecorationSelected
        cell.showDecorationSelected = bool(self.style().styleHint(hint, cell, self))
        self._draw_panel(QStyle.PrimitiveElement.PE_PanelItemViewRow, cell, painter)
        cell.showDecorationSelected = True
        name = rect.adjusted(indent, 0, 0, 0)
        row_only.rect = name
        self._draw_panel(QStyle.PrimitiveElement.PE_PanelItemViewRow, row_only, painter)
        if self.indentation():
            self.drawBranches(painter, branches, index)
        if clipped:
            painter.restore()
        return name

    def _draw_cell(
        self, paint: CellPainter, column: TreeColumn, cells: RowCells, *, focus: bool
    ) -> None:
        if column is TreeColumn.COMPLETION:
            paint.completion(cells.completion, cells.status, cells.expected, focus=focus)
        elif column is TreeColumn.STATUS:
            paint.status(cells.status, cells.texts[column], focus=focus)
        else:
            paint.panel(focus=focus)
            margin = self._margin()
            area = paint.option.rect.adjusted(margin, 0, -margin, 0)
            metrics = paint.option.fontMetrics
            paint.text(area, self._shown(column, cells.texts[column], metrics, area.width()))
