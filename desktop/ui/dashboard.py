"""The dashboard (总览): counts by status per child, completion against 序时进度, what lags."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QGroupBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.models.status_rule import STATUS_BY_CODE, Assessment, Rollup, Status
from desktop.models.workspace import PlanWorkspace
from desktop.presentation.wording import STATUS_ORDER, percent_text

from desktop.ui.controller import PlanController
from desktop.ui.delegates import CompletionDelegate, StatusDelegate
from desktop.ui.grid_model import INDICATOR_ID_ROLE
from desktop.ui.i18n import (
    STATUS_COLOURS,
    fill,
    lagging_children_text,
    parent_light_tooltip,
    parent_status_text,
    status_text,
)
from desktop.ui.row_model import RowListModel
from desktop.ui.tree_model import COMPLETION_ROLE, EXPECTED_ROLE, NODE_ID_ROLE, STATUS_ROLE

AnyIndex = QModelIndex | QPersistentModelIndex


def two_lines(header: str) -> str:
    """A header of several words on two lines, broken at the space nearest its middle, so that
    a table of English headers ("Not reported", "Planned progress") fits beside the names;
    a Chinese header has no space and stays on one line."""
    spaces = [at for at, character in enumerate(header) if character == " "]
    if not spaces:
        return header
    at = min(spaces, key=lambda space: abs(len(header) - 2 * space))
    return f"{header[:at]}\n{header[at + 1 :]}"


class SummaryModel(RowListModel[int]):
    """One row per child of the shown node: completion, 序时进度 and the count per status."""

    def __init__(self, workspace: PlanWorkspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self._rows = []
        self._rollups: dict[int, Rollup] = {}  # by row, as painting asks for each cell
        self._row_texts: dict[int, tuple[str, ...]] = {}

    def set_children(self, node_ids: list[int]) -> None:
        self._rollups, self._row_texts = {}, {}
        self.set_rows(node_ids)

    def headers(self) -> tuple[str, ...]:
        fixed = (
            self.tr("Name"),
            self.tr("Completion"),
            self.tr("Planned progress"),
            self.tr("Status"),
        )
        return tuple(map(two_lines, fixed + tuple(map(status_text, STATUS_ORDER))))

    def _rollup(self, row: int) -> Rollup:
        rollup = self._rollups.get(row)
        if rollup is None:
            rollup = self._rollups[row] = self.workspace.rollups[self.row_at(row)]
        return rollup

    def _texts(self, row: int) -> tuple[str, ...]:
        texts = self._row_texts.get(row)
        if texts is None:
            node = self.workspace.nodes[self.row_at(row)]
            rollup = self._rollup(row)
            texts = self._row_texts[row] = (
                f"{node.code} {node.title}",
                percent_text(rollup.completion),
                percent_text(rollup.expected),
                parent_status_text(rollup),
                *(str(rollup.counts.get(status, 0)) for status in STATUS_ORDER),
            )
        return texts

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # QAbstractTableModel.data: a row's words and roll-up kept until the rows are set
        # again (painting asks for every role of every cell)
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._texts(row)[column]
        if role == Qt.ItemDataRole.ForegroundRole and column >= 4:
            count = self._rollup(row).counts.get(STATUS_ORDER[column - 4], 0)
            return STATUS_COLOURS[STATUS_ORDER[column - 4]] if count else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= 2:
            return Qt.AlignmentFlag.AlignCenter
        if role == Qt.ItemDataRole.ToolTipRole and column == 3:
            workspace, node_id = self.workspace, self.row_at(row)
            return parent_light_tooltip(
                self._rollup(row),
                workspace.lagging_children(node_id),
                workspace.light_settings.parent_light,
            )
        if role == NODE_ID_ROLE:
            return self.row_at(row)
        if role == STATUS_ROLE:
            return self._rollup(row).status
        if role == COMPLETION_ROLE:
            return self._rollup(row).completion
        if role == EXPECTED_ROLE:
            return self._rollup(row).expected
        return None


class AttentionModel(RowListModel[int]):
    """The red and yellow indicators below the shown node, red first."""

    def __init__(self, workspace: PlanWorkspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self._rows = []
        self._assessments: dict[int, Assessment] = {}

    def set_indicators(self, indicator_ids: list[int]) -> None:
        workspace = self.workspace
        # the plan's red and yellow ones from its arrays, then those of them below the node
        alerts = {STATUS_BY_CODE.index(Status.RED), STATUS_BY_CODE.index(Status.YELLOW)}
        codes = workspace.status_codes().tolist()
        alerting = {
            i for i, code in zip(workspace.indicator_order, codes, strict=True) if code in alerts
        }
        lagging = [i for i in indicator_ids if i in alerting]
        lagging.sort(key=lambda i: (-workspace.status_of(i).severity, workspace.indicators[i].code))
        self._assessments = {}
        self.set_rows(lagging)

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("Code"),
            self.tr("Indicator"),
            self.tr("Responsible"),
            self.tr("Completion"),
            two_lines(self.tr("Planned progress")),
            self.tr("Status"),
        )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # QAbstractTableModel.data
        if not index.isValid():
            return None
        indicator_id = self.row_at(index.row())
        indicator = self.workspace.indicators[indicator_id]
        assessment = self._assessments.get(indicator_id)
        if assessment is None:  # kept until the rows are set again (painting asks per cell)
            assessment = self._assessments[indicator_id] = self.workspace.assessments[indicator_id]
        if role == Qt.ItemDataRole.DisplayRole:
            column = index.column()
            if column == 0:
                return indicator.code
            if column == 1:
                return indicator.name
            if column == 2:
                return self.workspace.departments[indicator.department_id].short_name
            if column == 3:
                return percent_text(assessment.completion)
            if column == 4:
                return percent_text(assessment.expected)
            return status_text(assessment.status)
        if role == INDICATOR_ID_ROLE:
            return indicator_id
        if role == STATUS_ROLE:
            return assessment.status
        if role == COMPLETION_ROLE:
            return assessment.completion
        if role == EXPECTED_ROLE:
            return assessment.expected
        return None


class Dashboard(QWidget):
    """总览 of the plan or of one node: where things stand and what needs attention."""

    nodeActivated = Signal(object)  # node id (double-click on a summary row)
    indicatorActivated = Signal(int)  # indicator id (double-click on a lagging indicator)

    def __init__(self, controller: PlanController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dashboard")
        self._controller = controller
        self._node_id: int | None = None
        self.headline = QLabel(self)
        self.headline.setObjectName("dashboardHeadline")
        self.headline.setWordWrap(True)
        # The red and yellow parts of the shown node, by name.
        self.lagging_parts = QLabel(self)
        self.lagging_parts.setObjectName("dashboardLaggingParts")
        self.lagging_parts.setWordWrap(True)
        self.lagging_parts.setTextFormat(Qt.TextFormat.PlainText)
        self.counts = QLabel(self)
        self.counts.setObjectName("dashboardCounts")
        self.counts.setTextFormat(Qt.TextFormat.RichText)
        self.summary = SummaryModel(controller.workspace, self)
        self.summary_view = self._table("dashboardSummary", self.summary, stretch=0)
        self.summary_view.setItemDelegateForColumn(1, CompletionDelegate(self.summary_view))
        self.summary_view.setItemDelegateForColumn(3, StatusDelegate(self.summary_view))
        self.summary_view.doubleClicked.connect(
            lambda index: self.nodeActivated.emit(index.data(NODE_ID_ROLE))
        )
        self.attention = AttentionModel(controller.workspace, self)
        self.attention_view = self._table("dashboardAttention", self.attention, stretch=1)
        self.attention_view.setItemDelegateForColumn(3, CompletionDelegate(self.attention_view))
        self.attention_view.setItemDelegateForColumn(5, StatusDelegate(self.attention_view))
        self.attention_view.doubleClicked.connect(
            lambda index: self.indicatorActivated.emit(index.data(INDICATOR_ID_ROLE))
        )
        self.summary_box = QGroupBox(self)
        box_layout = QVBoxLayout(self.summary_box)
        box_layout.addWidget(self.summary_view)
        self.attention_box = QGroupBox(self.tr("Lagging indicators (red and yellow)"), self)
        attention_layout = QVBoxLayout(self.attention_box)
        attention_layout.addWidget(self.attention_view)
        # The lights' counts under the headline, not beside it: in English, side by side they
        # squeezed the node's name into a narrow, many-lined column.
        self.counts.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.headline)
        layout.addWidget(self.counts)
        layout.addWidget(self.lagging_parts)
        layout.addWidget(self.summary_box, 1)
        layout.addWidget(self.attention_box, 1)
        self._stale = True
        controller.changed.connect(lambda _changes: self.refresh())
        controller.assessmentsReset.connect(self.refresh)
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:  # QWidget.showEvent
        if self._stale:
            self.refresh()
        super().showEvent(event)

    def _table(self, name: str, model: QAbstractTableModel, *, stretch: int) -> QTableView:
        view = QTableView(self)
        view.setObjectName(name)
        view.setModel(model)
        view.verticalHeader().hide()
        view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(True)
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
        # Columns fit the rows in view, not every row: thousands of lagging indicators would
        # otherwise be measured on every refresh (a period switch, an edit, an undo).
        header.setResizeContentsPrecision(0)
        return view

    def set_node(self, node_id: int | None) -> None:
        self._node_id = node_id
        self.refresh()

    def refresh(self) -> None:
        """Show the current figures; while hidden, only remember to do so when shown."""
        if not self.isVisible():
            self._stale = True
            return
        self._stale = False
        workspace = self._controller.workspace
        self.summary.workspace = self.attention.workspace = workspace
        node_id = self._node_id if self._node_id in workspace.nodes else None
        if node_id is None:
            rollup, title = workspace.plan_rollup, workspace.plan.title
            children = list(workspace.root_ids)
        else:
            node = workspace.nodes[node_id]
            rollup, title = workspace.rollups[node_id], f"{node.code} {node.title}"
            children = list(node.child_ids)
        self.headline.setText(
            fill(
                self.tr("<b>%1</b><br>As of %2: completion %3, planned progress %4 — %5"),
                html.escape(title),
                workspace.as_of,
                percent_text(rollup.completion),
                percent_text(rollup.expected),
                html.escape(parent_status_text(rollup)),
            )
        )
        self.headline.setToolTip(
            parent_light_tooltip(
                rollup, workspace.lagging_children(node_id), workspace.light_settings.parent_light
            )
        )
        named = lagging_children_text(workspace.lagging_children(node_id))
        self.lagging_parts.setText(named)
        self.lagging_parts.setVisible(bool(named))
        self.counts.setText(
            " ".join(
                f'<span style="color:{STATUS_COLOURS[s].name()}">●</span> '
                f"{status_text(s)} <b>{rollup.counts.get(s, 0)}</b>&nbsp;&nbsp;"
                for s in STATUS_ORDER
            )
        )
        self.summary_box.setTitle(self.tr("By part"))
        self.summary_box.setVisible(bool(children))
        self.summary.set_children(children)
        self.attention.set_indicators(workspace.indicators_under(node_id))
