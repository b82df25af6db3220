"""The 月度进展 tab: the grid of indicators × months, with the chosen month's notes and history."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QSplitter, QWidget

from desktop.ui.controller import PlanController
from desktop.ui.delegates import (
    CompletionDelegate,
    EntryDelegate,
    StatusDelegate,
    TextCellDelegate,
)
from desktop.ui.grid_model import GridColumn, ProgressGridModel
from desktop.ui.grid_view import FrozenGrid
from desktop.ui.panels import HistoryPanel, NotesPanel

NOTES_WIDTH = 240  # the least the notes take below the grid on first start
HISTORY_WIDTH = 440  # the history's five columns, on first start


class ProgressPanel(QSplitter):
    """Where clerks type: the grid across the whole width (this month's column in view, with
    the months before it), and under it the month's notes beside who changed what. On an
    office screen of 1366 pixels the grid needs every pixel of its width for its months; the
    notes and the history have the room below."""

    indicatorChanged = Signal(object)  # the grid's current indicator (None: no cell)

    def __init__(
        self, controller: PlanController, model: ProgressGridModel, parent: QWidget | None = None
    ) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.setObjectName("editSplitter")
        self._controller = controller
        self.model = model
        self.notes = NotesPanel(controller, self)
        self.history = HistoryPanel(controller, self)
        self.addWidget(self._build_grid())
        self.below = QSplitter(Qt.Orientation.Horizontal, self)
        self.below.setObjectName("belowGrid")
        self.below.addWidget(self.notes)
        self.below.addWidget(self.history)
        self.below.setStretchFactor(0, 2)
        self.below.setStretchFactor(1, 3)
        self.addWidget(self.below)
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 2)
        self.grid.selectionModel().currentChanged.connect(self._on_current)
        model.modelReset.connect(lambda: self._show_entry(None))
        model.modelReset.connect(self.show_current_month)
        controller.assessmentsReset.connect(self.show_current_month)

    def _build_grid(self) -> FrozenGrid:
        self.frozen = FrozenGrid(self.model, self)
        self.grid, self.fixed_columns = self.frozen.months, self.frozen.fixed
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
        self.grid.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.entry_delegate = EntryDelegate(self.model, self.grid)
        self.entry_delegate.stepRequested.connect(self.grid.step)
        self.grid.setItemDelegate(self.entry_delegate)
        fixed = self.fixed_columns
        fixed.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
        fixed.setItemDelegate(TextCellDelegate(self.model, fixed))
        fixed.setItemDelegateForColumn(GridColumn.COMPLETION, CompletionDelegate(fixed))
        fixed.setItemDelegateForColumn(GridColumn.STATUS, StatusDelegate(fixed, words=False))
        return self.frozen

    def default_layout(self, width: int) -> None:
        """First start: the grid takes most of the height, and below it the notes take what
        the history's columns leave."""
        height = max(self.height(), 400)
        grid = height * 62 // 100
        self.setSizes([grid, height - grid])
        self.below.setSizes([max(NOTES_WIDTH, width - HISTORY_WIDTH), HISTORY_WIDTH])

    def show_current_month(self) -> None:
        """Keep the month being evaluated in view: there the clerk types this month's figures."""
        column = self.model.column_of(self._controller.workspace.as_of)
        if column is None or self.model.rowCount() == 0:
            return
        row = max(0, self.grid.currentIndex().row())
        self.grid.horizontalScrollBar().setValue(0)  # then the month lands at the right edge,
        self.grid.scrollTo(  # with the months before it in view
            self.model.index(row, column), QAbstractItemView.ScrollHint.EnsureVisible
        )

    def current_indicator(self) -> int | None:
        current = self.grid.currentIndex()
        return self.model.indicator_at(current.row()) if current.isValid() else None

    def go_to(self, indicator_id: int, period: str) -> None:
        """Make an indicator's month the current cell, selected and in view."""
        row, column = self.model.row_of(indicator_id), self.model.column_of(period)
        if row is None or column is None:
            return
        index = self.model.index(row, column)
        self.grid.setCurrentIndex(index)
        self.grid.selectionModel().select(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.grid.scrollTo(index)
        self.grid.setFocus()

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self._show_entry(None)
            return
        # A fixed column shows the month being evaluated for that row.
        period = self.model.period_at(current.column()) or self._controller.workspace.as_of
        self._show_entry((self.model.indicator_at(current.row()), period))

    def _show_entry(self, key: tuple[int, str] | None) -> None:
        self.save_pending_notes()
        self.notes.show_entry(key)
        self.history.show_entry(key)
        self.indicatorChanged.emit(None if key is None else key[0])

    def save_pending_notes(self) -> None:
        """Notes typed but not saved are saved (before moving on, closing or a backup)."""
        if self.notes.dirty:
            self.notes.save()
