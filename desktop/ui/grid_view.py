"""The entry grid's two views: the months, where clerks type as in Excel, and the columns that
say what each row's figure means (code, name, unit, target, completion, light), frozen at the
left while the months scroll."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QSplitter, QWidget

from desktop.models.kinds import IndicatorKind, MilestoneState

from desktop.ui.delegates import PaintedTable
from desktop.ui.grid_model import FIRST_MONTH_COLUMN, GridColumn, ProgressGridModel
from desktop.ui.i18n import kind_text, state_text

ROW_HEIGHT = 26
FIXED_WIDTHS = {
    GridColumn.CODE: 58,
    GridColumn.NAME: 200,
    GridColumn.UNIT: 44,
    GridColumn.TARGET: 80,
    GridColumn.COMPLETION: 78,
    GridColumn.STATUS: 36,
}
MONTH_WIDTH = 72
CELL_PADDING = 16  # the style's margins around a cell's text
MONTHS_IN_SIGHT = 3  # a narrow grid shortens the names to keep these months in sight
MIN_NAME_WIDTH = 60
_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class MonthGrid(PaintedTable):
    """The months of each row. Enter moves down and Tab right, whether typing or not."""

    def step(self, rows: int, columns: int) -> None:
        """Make the cell `rows` down and `columns` right of the current one current, if any."""
        current = self.currentIndex()
        model = self.model()
        if not current.isValid() or model is None:
            return
        row = min(max(current.row() + rows, 0), model.rowCount() - 1)
        column = current.column() + columns
        while 0 <= column < model.columnCount() and self.isColumnHidden(column):
            column += 1 if columns > 0 else -1
        if not FIRST_MONTH_COLUMN <= column < model.columnCount():
            column = current.column()
        index = model.index(row, column)
        self.setCurrentIndex(index)
        self.selectionModel().select(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.scrollTo(index)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # QTableView.keyPressEvent
        if event.key() in _ENTER and self.state() != QAbstractItemView.State.EditingState:
            up = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self.step(-1 if up else 1, 0)
            return
        super().keyPressEvent(event)


class FrozenGrid(QSplitter):
    """The fixed columns beside the months: one model and one selection, scrolled together.

    When the grid is narrow, the names give way first, so that a few months and every other
    fixed column stay in sight; dragging the splitter or a column edge sets the widths by hand.
    """

    def __init__(self, model: ProgressGridModel, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setObjectName("frozenGrid")
        self.setChildrenCollapsible(False)
        self._by_hand = False  # the user has set the widths
        self._fitting = False  # the widths are being set here, not by the user
        self._columns = -1  # how many columns the model had when they were split
        self.model = model
        self.months = MonthGrid(self)
        self.months.setObjectName("progressGrid")
        self.months.setModel(model)
        self.fixed = PaintedTable(self)
        self.fixed.setObjectName("fixedColumns")
        self.fixed.setModel(model)
        self.fixed.setSelectionModel(self.months.selectionModel())
        self.fixed.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.fixed.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.fixed.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Both have a horizontal scroll bar, so their rows end at the same height.
        for view in (self.fixed, self.months):
            view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
            view.setAlternatingRowColors(True)
            view.setTextElideMode(Qt.TextElideMode.ElideRight)
            view.verticalHeader().hide()
            view.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self._sync_scrolling()
        self.addWidget(self.fixed)
        self.addWidget(self.months)
        self.setStretchFactor(1, 1)
        self.splitterMoved.connect(self._set_by_hand)
        self.fixed.horizontalHeader().sectionResized.connect(self._set_by_hand)
        model.modelReset.connect(self._split_columns)
        # Laid out at once, as the months are (the current month is scrolled to): laid out
        # while painting, the fixed columns' new scroll range made them paint a second time.
        model.modelReset.connect(self.fixed.executeDelayedItemsLayout)
        model.columnsInserted.connect(self._split_columns)
        self._split_columns()

    def _sync_scrolling(self) -> None:
        ours, theirs = self.fixed.verticalScrollBar(), self.months.verticalScrollBar()
        theirs.valueChanged.connect(ours.setValue)
        ours.valueChanged.connect(theirs.setValue)

    def _split_columns(self) -> None:
        """The fixed columns on the left, the months on the right."""
        fixed, months = self.fixed.horizontalHeader(), self.months.horizontalHeader()
        if fixed.count() == self._columns:
            return  # as they were (a reset keeps the widths a user chose)
        self._columns = fixed.count()
        self._fitting = True
        for column in range(self.model.columnCount()):
            is_month = column >= FIRST_MONTH_COLUMN
            if self.fixed.isColumnHidden(column) == is_month != self.months.isColumnHidden(column):
                continue
            self.fixed.setColumnHidden(column, is_month)
            self.months.setColumnHidden(column, not is_month)
            if is_month:
                months.resizeSection(column, self.month_width())
            else:
                fixed.resizeSection(column, self.fixed_column_width(GridColumn(column)))
        self._fitting = False
        height = max(fixed.sizeHint().height(), months.sizeHint().height())
        fixed.setFixedHeight(height)
        months.setFixedHeight(height)
        self._fit()

    def month_width(self) -> int:
        """A month as wide as its widest word in the UI's language ("In progress" is longer
        than 推进中), at least MONTH_WIDTH."""
        words = [state_text(state) for state in MilestoneState] + ["2025-12", "99999.9"]
        metrics = self.months.fontMetrics()
        return max(MONTH_WIDTH, max(metrics.horizontalAdvance(w) for w in words) + CELL_PADDING)

    def fixed_column_width(self, column: GridColumn) -> int:
        """A fixed column as wide as its header and its words in the UI's language ("Status"
        and the unit "milestone" are longer than 状态 and 里程碑), at least FIXED_WIDTHS; the
        name is not measured: it gives way when the grid is narrow."""
        least = FIXED_WIDTHS[column]
        if column is GridColumn.NAME:
            return least
        title = str(self.model.headerData(column, Qt.Orientation.Horizontal) or "")
        words = [title]
        if column is GridColumn.UNIT:
            indicators = self.model.workspace.indicators.values()
            words += {indicator.unit for indicator in indicators if indicator.unit}
            words.append(kind_text(IndicatorKind.MILESTONE))
        header, cells = self.fixed.horizontalHeader().fontMetrics(), self.fixed.fontMetrics()
        width = header.horizontalAdvance(title) + CELL_PADDING
        width = max(width, *(cells.horizontalAdvance(word) + CELL_PADDING for word in words))
        return max(least, width)

    def _fixed_width(self) -> int:
        columns = sum(self.fixed.columnWidth(c) for c in range(FIRST_MONTH_COLUMN))
        return columns + 2 * self.fixed.frameWidth()

    def _fit(self) -> None:
        self._fitting = True
        try:
            if not self._by_hand:
                months = MONTHS_IN_SIGHT * self.month_width()
                months += self.months.verticalScrollBar().sizeHint().width()
                months += 2 * self.months.frameWidth()
                others = self._fixed_width() - self.fixed.columnWidth(GridColumn.NAME)
                name = self.width() - self.handleWidth() - months - others
                name = min(FIXED_WIDTHS[GridColumn.NAME], max(MIN_NAME_WIDTH, name))
                self.fixed.horizontalHeader().resizeSection(GridColumn.NAME, name)
            self.fixed.setMaximumWidth(self._fixed_width())
            if not self._by_hand:
                fixed = self._fixed_width()
                self.setSizes([fixed, max(0, self.width() - self.handleWidth() - fixed)])
        finally:
            self._fitting = False

    def _set_by_hand(self, *_position: int) -> None:
        if not self._fitting:
            self._by_hand = True
            self.fixed.setMaximumWidth(self._fixed_width())

    def resizeEvent(self, event: QResizeEvent) -> None:  # QSplitter.resizeEvent
        super().resizeEvent(event)
        self._fit()
