"""The progress grid: the selected node's indicators as rows, the plan's months as columns."""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Container
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPixmap

from desktop.models.changes import Changes
from desktop.models.figures import format_figure
from desktop.models.kinds import DepartmentBasis, MilestoneState, PlanState
from desktop.models.records import IndicatorInfo
from desktop.models.status_rule import Status
from desktop.models.workspace import PlanWorkspace
from desktop.presentation.wording import percent_text

from desktop.ui.controller import PlanController
from desktop.ui.i18n import STATUS_COLOURS, fill, kind_text, state_text, status_text
from desktop.ui.row_model import answer_roles
from desktop.ui.theme import colours
from desktop.ui.tree_model import (
    COMPLETION_ROLE,
    EXPECTED_ROLE,
    STATUS_ROLE,
    indicator_target_text,
)

INDICATOR_ID_ROLE = Qt.ItemDataRole.UserRole + 20
PERIOD_ROLE = Qt.ItemDataRole.UserRole + 21
MILESTONE_ROLE = Qt.ItemDataRole.UserRole + 22
UNIT_ROLE = Qt.ItemDataRole.UserRole + 23

AnyIndex = QModelIndex | QPersistentModelIndex
_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.EditRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.ForegroundRole,
        STATUS_ROLE,
        COMPLETION_ROLE,
        EXPECTED_ROLE,
        INDICATOR_ID_ROLE,
        PERIOD_ROLE,
        MILESTONE_ROLE,
        UNIT_ROLE,
    }
)


@functools.cache
def lights_icon() -> QIcon:
    """Three lights, red, yellow and green: the header of the grid's column of lights."""
    size, gap = 6, 2
    pixmap = QPixmap(3 * size + 2 * gap, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    for place, status in enumerate((Status.RED, Status.YELLOW, Status.GREEN)):
        painter.setBrush(STATUS_COLOURS[status])
        painter.drawEllipse(place * (size + gap), 0, size, size)
    painter.end()
    return QIcon(pixmap)


class GridColumn(enum.IntEnum):
    CODE = 0
    NAME = 1
    UNIT = 2
    TARGET = 3
    COMPLETION = 4
    STATUS = 5


FIRST_MONTH_COLUMN = len(GridColumn)


_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_CENTRE = Qt.AlignmentFlag.AlignCenter
# what a text cell shows: its words, their alignment, their ink and the cell's background
# (None: the view's)
CellLook = tuple[str, Qt.AlignmentFlag, QColor | None, QBrush | None]

_READ_ONLY = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_EDITABLE = _READ_ONLY | Qt.ItemFlag.ItemIsEditable


class ProgressGridModel(QAbstractTableModel):
    """Indicators × months; month cells edit through the controller (undoable, audited)."""

    def __init__(
        self,
        controller: PlanController,
        shown: Callable[[], Container[int] | None] | None = None,
        parent: QObject | None = None,
    ) -> None:
        """`shown` tells which indicators the filters leave (None: all)."""
        super().__init__(parent)
        self._controller = controller
        self._shown = shown or (lambda: None)
        self._node_id: int | None = None
        self._rows: list[int] = []
        self._row_of: dict[int, int] = {}
        self._under: dict[int | None, list[int]] = {}  # each node's indicators, kept
        self._collect_rows()
        controller.changed.connect(self._on_changed)
        controller.assessmentsReset.connect(self._on_assessments_reset)

    @property
    def workspace(self) -> PlanWorkspace:
        return self._controller.workspace

    @property
    def controller(self) -> PlanController:
        return self._controller

    # --- rows ------------------------------------------------------------------------------

    def _collect_rows(self) -> None:
        self._rows = self._rows_shown()
        self._row_of = {indicator_id: row for row, indicator_id in enumerate(self._rows)}

    def _rows_shown(self) -> list[int]:
        """The node's indicators the filters leave, in the plan's order."""
        under = self._under.get(self._node_id)
        if under is None:
            under = self._under[self._node_id] = self.workspace.indicators_under(self._node_id)
        shown = self._shown()
        return list(under) if shown is None else [i for i in under if i in shown]

    def set_node(self, node_id: int | None) -> None:
        """Show the indicators below a node (the whole plan for None)."""
        self.beginResetModel()
        self._node_id = node_id if node_id in self.workspace.nodes else None
        self._collect_rows()
        self.endResetModel()

    def refilter(self) -> None:
        """Follow a change of the filters: the rows again, unless the filters left the node's
        rows as they were (a search that finds other parts of the plan): then nothing is
        shown anew, and the cell chosen stays chosen."""
        if self._rows_shown() != self._rows:
            self.set_node(self._node_id)

    @property
    def node_id(self) -> int | None:
        return self._node_id

    def indicator_at(self, row: int) -> int:
        return self._rows[row]

    def row_of(self, indicator_id: int) -> int | None:
        return self._row_of.get(indicator_id)

    def period_at(self, column: int) -> str | None:
        month = column - FIRST_MONTH_COLUMN
        months = self.workspace.months
        return months[month] if 0 <= month < len(months) else None

    def column_of(self, period: str) -> int | None:
        try:
            return FIRST_MONTH_COLUMN + self.workspace.months.index(period)
        except ValueError:
            return None

    # --- QAbstractTableModel ---------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # QAbstractTableModel
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # QAbstractTableModel
        return 0 if parent.isValid() else FIRST_MONTH_COLUMN + len(self.workspace.months)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Vertical:
            # The row header names the indicator, so it stays in sight when the months scroll.
            if not 0 <= section < len(self._rows):
                return None
            indicator = self.workspace.indicators[self._rows[section]]
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{indicator.code} {indicator.name}"
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{indicator.code} {indicator.name}\n{indicator.quote}"
            return None
        period = self.period_at(section)
        if role == Qt.ItemDataRole.DisplayRole:
            if period is not None:
                return period
            return {
                GridColumn.CODE: self.tr("Code"),
                GridColumn.NAME: self.tr("Indicator"),
                GridColumn.UNIT: self.tr("Unit"),
                GridColumn.TARGET: self.tr("Target"),
                GridColumn.COMPLETION: self.tr("Completion"),
                GridColumn.STATUS: "",  # the lights' icon: a column no wider than its light
            }[GridColumn(section)]
        if section == GridColumn.STATUS and role == Qt.ItemDataRole.DecorationRole:
            return lights_icon()
        if section == GridColumn.STATUS and role == Qt.ItemDataRole.ToolTipRole:
            return self.tr("Status")
        if role == Qt.ItemDataRole.ToolTipRole and period == self.workspace.as_of:
            return self.tr("The month being evaluated")
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:  # QAbstractTableModel.flags
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        # a draft takes no figures yet, a closed plan none until reopened
        takes_figures = self.workspace.plan.state is PlanState.ACTIVE
        if takes_figures and self.period_at(index.column()) is not None:
            return _EDITABLE
        return _READ_ONLY

    def multiData(self, index: AnyIndex, roleDataSpan: QModelRoleDataSpan | QModelRoleData) -> None:
        answer_roles(self, index, roleDataSpan, _ROLES)  # QAbstractTableModel.multiData

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # QAbstractTableModel.data. The roles a view asks for and no cell has (font, icon,
        # check state…) are answered first: painting asks for each of them in every cell.
        if role not in _ROLES or not index.isValid():
            return None
        indicator_id = self._rows[index.row()]
        period = self.period_at(index.column())
        if period is not None:
            return self._month_data(indicator_id, period, role)
        return self._fixed_data(indicator_id, GridColumn(index.column()), role)

    def _basis(self, indicator: IndicatorInfo) -> str:
        """Whether the source names the indicator's department, for its tooltip."""
        if indicator.department_basis is DepartmentBasis.NAMED:
            return fill(self.tr("named by the source: %1"), indicator.department_quote)
        return self.tr("the editor's reading: the source names no department")

    def _fixed_data(self, indicator_id: int, column: GridColumn, role: int) -> Any:
        workspace = self.workspace
        indicator = workspace.indicators[indicator_id]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._fixed_text(indicator_id, column)
        if role == Qt.ItemDataRole.ToolTipRole and column is GridColumn.STATUS:
            return status_text(workspace.assessments[indicator_id].status)
        if role == Qt.ItemDataRole.ToolTipRole and column in (GridColumn.CODE, GridColumn.NAME):
            department = workspace.departments[indicator.department_id].name
            return (
                f"{indicator.name}\n{department} ({self._basis(indicator)})\n"
                f"{indicator.quote}\n— {indicator.source}"
            )
        if role == Qt.ItemDataRole.TextAlignmentRole and column is GridColumn.TARGET:
            return _RIGHT
        if role == STATUS_ROLE:
            return workspace.assessments[indicator_id].status
        if role == COMPLETION_ROLE:
            return workspace.assessments[indicator_id].completion
        if role == EXPECTED_ROLE:
            return workspace.assessments[indicator_id].expected
        return self._identity(indicator_id, None, role)

    def _month_data(self, indicator_id: int, period: str, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._month_text(indicator_id, period)
        if role == Qt.ItemDataRole.EditRole:
            entry = self.workspace.entry(indicator_id, period)
            return None if entry is None else entry.reported
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return self._month_alignment(indicator_id)
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._month_background(period)
        if role == Qt.ItemDataRole.ForegroundRole:
            ink = self._month_ink(period)
            return None if ink is None else QBrush(ink)
        return self._identity(indicator_id, period, role)

    def _fixed_text(self, indicator_id: int, column: GridColumn) -> str:
        workspace = self.workspace
        indicator = workspace.indicators[indicator_id]
        if column is GridColumn.CODE:
            return indicator.code
        if column is GridColumn.NAME:
            return indicator.name
        if column is GridColumn.UNIT:
            return indicator.unit or kind_text(indicator.kind)
        if column is GridColumn.TARGET:
            return indicator_target_text(workspace, indicator_id)
        if column is GridColumn.COMPLETION:
            return percent_text(workspace.assessments[indicator_id].completion)
        return status_text(workspace.assessments[indicator_id].status)

    def _month_text(self, indicator_id: int, period: str) -> str:
        entry = self.workspace.entry(indicator_id, period)
        if entry is None:
            return ""
        if entry.state is not None:
            return state_text(entry.state)
        return "" if entry.value is None else format_figure(entry.value)

    def _month_alignment(self, indicator_id: int) -> Qt.AlignmentFlag:
        return _CENTRE if self.workspace.indicators[indicator_id].is_milestone else _RIGHT

    def _month_background(self, period: str) -> QBrush | None:
        """The month being evaluated is tinted."""
        return QBrush(colours().current_month) if period == self.workspace.as_of else None

    def _month_ink(self, period: str) -> QColor | None:
        """The months after it are greyed."""
        return colours().future_text if period > self.workspace.as_of else None

    def cell_look(self, row: int, column: int) -> CellLook:
        """What a text cell shows, in one call (its delegate paints it): the words, their
        alignment, their ink and the cell's background, as data() gives them by role."""
        indicator_id = self._rows[row]
        period = self.period_at(column)
        if period is None:
            text = self._fixed_text(indicator_id, GridColumn(column))
            return text, _RIGHT if column == GridColumn.TARGET else _LEFT, None, None
        return (
            self._month_text(indicator_id, period),
            self._month_alignment(indicator_id),
            self._month_ink(period),
            self._month_background(period),
        )

    def _identity(self, indicator_id: int, period: str | None, role: int) -> Any:
        indicator = self.workspace.indicators[indicator_id]
        if role == INDICATOR_ID_ROLE:
            return indicator_id
        if role == PERIOD_ROLE:
            return period
        if role == MILESTONE_ROLE:
            return indicator.is_milestone
        if role == UNIT_ROLE:
            return indicator.unit
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        # QAbstractTableModel.setData: the controller writes, then notifies every view.
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        period = self.period_at(index.column())
        if period is None:
            return False
        indicator_id = self._rows[index.row()]
        indicator = self.workspace.indicators[indicator_id]
        field = "milestone_state" if indicator.is_milestone else "value"
        if value == "":
            value = None
        if indicator.is_milestone and value is not None:
            try:
                value = MilestoneState(value)  # Qt hands string enums back as plain strings
            except ValueError:
                return False
        if not indicator.is_milestone and not (value is None or isinstance(value, int | float)):
            return False
        description = self.tr("Edit %1 %2").replace("%1", indicator.code).replace("%2", period)
        edit = self._controller.cell(indicator_id, period, **{field: value})
        return self._controller.edit([edit], description)

    # --- following the controller ----------------------------------------------------------

    def _on_changed(self, changes: Changes) -> None:
        if changes.rebuilt:  # the plan itself changed (its months, its parts): all anew
            self._under.clear()
            self.set_node(self._node_id)
            return
        last = self.columnCount() - 1
        for indicator_id in changes.indicator_ids:
            row = self._row_of.get(indicator_id)
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, last))

    def _on_assessments_reset(self) -> None:
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, self.columnCount() - 1)
            )
        # The headers' words stay; only a month's tooltip follows the month being evaluated,
        # and a tooltip is asked for when shown. A headerDataChanged here made both headers
        # recompute their size and the fixed columns paint a second time.
