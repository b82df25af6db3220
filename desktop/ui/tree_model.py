"""The plan tree (plan → projects → tasks → measures) as an item model, and its filter."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

import numpy as np

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)

from desktop.models.changes import Changes
from desktop.models.schema import MilestoneState, NodeKind, PlanState
from desktop.models.status_rule import STATUS_BY_CODE, Rollup, Status
from desktop.models.workspace import PlanWorkspace
from desktop.presentation.status_sheet import latest_report
from desktop.presentation.wording import STATUS_ORDER, percent_text, target_text

from desktop.ui.controller import PlanController
from desktop.ui.i18n import parent_light_tooltip, parent_status_text, state_text, status_text

NODE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
STATUS_ROLE = Qt.ItemDataRole.UserRole + 2
COMPLETION_ROLE = Qt.ItemDataRole.UserRole + 3
EXPECTED_ROLE = Qt.ItemDataRole.UserRole + 4
KIND_ROLE = Qt.ItemDataRole.UserRole + 5
# The roles the tree's model answers; any other is answered at once with None.
_ANSWERED = frozenset(
    int(role)
    for role in (
        Qt.ItemDataRole.DisplayRole.value,
        Qt.ItemDataRole.ToolTipRole.value,
        NODE_ID_ROLE,
        STATUS_ROLE,
        COMPLETION_ROLE,
        EXPECTED_ROLE,
        KIND_ROLE,
    )
)

AnyIndex = QModelIndex | QPersistentModelIndex


class TreeColumn(enum.IntEnum):
    NAME = 0
    DEPARTMENT = 1
    TARGET = 2
    LATEST = 3
    COMPLETION = 4
    STATUS = 5


_COLUMNS = len(TreeColumn)
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_TREE_COLUMNS = tuple(TreeColumn)


class _Item:
    """A row of the tree: a node id (None for the plan itself), its parent and its row."""

    __slots__ = ("children", "node_id", "parent", "row")

    def __init__(self, node_id: int | None, parent: _Item | None, row: int) -> None:
        self.node_id = node_id
        self.parent = parent
        self.row = row
        self.children: list[_Item] = []


def indicator_target_text(workspace: PlanWorkspace, indicator_id: int) -> str:
    indicator = workspace.indicators[indicator_id]
    return f"{indicator.due:%Y-%m-%d}" if indicator.is_milestone else target_text(indicator)


def indicator_latest_text(workspace: PlanWorkspace, indicator_id: int) -> str:
    latest = latest_report(workspace, indicator_id)
    if latest is None:
        return ""
    period, shown = latest
    text = state_text(shown) if isinstance(shown, MilestoneState) else str(shown)
    # the month only when it is not the month the figures are as of: a stale figure says so
    return text if period == workspace.as_of else f"{text} ({period})"


class PlanTreeModel(QAbstractItemModel):
    """A thin adapter over the workspace's nodes; each row knows its parent and its row."""

    figuresChanged = Signal()  # every row's figures changed (a month, the lights): repaint

    def __init__(self, controller: PlanController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self._build()
        controller.changed.connect(self._on_changed)
        controller.assessmentsReset.connect(self._on_assessments_reset)

    @property
    def workspace(self) -> PlanWorkspace:
        return self._controller.workspace

    def _build(self) -> None:
        self._rollups: dict[int | None, Rollup] = {}
        self._counts: dict[int, int] = {}
        self._root = _Item(None, None, 0)
        self._plan = _Item(None, self._root, 0)
        self._root.children = [self._plan]
        self._items: dict[int, _Item] = {}
        pending = [(self._plan, list(self.workspace.root_ids))]
        while pending:
            parent, node_ids = pending.pop()
            for row, node_id in enumerate(node_ids):
                item = _Item(node_id, parent, row)
                parent.children.append(item)
                self._items[node_id] = item
                pending.append((item, list(self.workspace.nodes[node_id].child_ids)))

    # --- structure (QAbstractItemModel) ----------------------------------------------------

    def _item(self, index: AnyIndex) -> _Item:
        if not index.isValid():
            return self._root
        item = index.internalPointer()
        assert isinstance(item, _Item)
        return item

    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:
        # QAbstractItemModel.index: bounds checked here rather than through hasIndex(), which
        # would call back into rowCount() and columnCount() for every index.
        if parent.isValid() and parent.column() != 0:
            return QModelIndex()
        children = self._item(parent).children
        if not (0 <= row < len(children) and 0 <= column < _COLUMNS):
            return QModelIndex()
        return self.createIndex(row, column, children[row])

    def parent(self, index: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        # QAbstractItemModel.parent: O(1), the item knows its parent and that parent's row.
        if not index.isValid():
            return QModelIndex()
        parent = self._item(index).parent
        if parent is None or parent is self._root:
            return QModelIndex()
        return self.createIndex(parent.row, 0, parent)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # QAbstractItemModel.rowCount
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._item(parent).children)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # QAbstractItemModel
        return len(TreeColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return {
            TreeColumn.NAME: self.tr("Code / name"),
            TreeColumn.DEPARTMENT: self.tr("Department"),
            TreeColumn.TARGET: self.tr("Target"),
            TreeColumn.LATEST: self.tr("Latest"),
            TreeColumn.COMPLETION: self.tr("Completion"),
            TreeColumn.STATUS: self.tr("Status"),
        }[TreeColumn(section)]

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:  # QAbstractItemModel.flags
        return _ROW_FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    # --- content ---------------------------------------------------------------------------

    def node_id(self, index: AnyIndex) -> int | None:
        """The node of a row; None for the plan row (and for no row)."""
        return self._item(index).node_id if index.isValid() else None

    def child_node_id(self, row: int, parent: AnyIndex) -> int | None:
        """The node of a row below `parent` (None for the plan row, or no such row)."""
        children = self._item(parent).children
        return children[row].node_id if 0 <= row < len(children) else None

    def index_of_node(self, node_id: int | None, column: int = 0) -> QModelIndex:
        item = self._plan if node_id is None else self._items.get(node_id)
        if item is None:
            return QModelIndex()
        return self.createIndex(item.row, column, item)

    def _rollup(self, item: _Item) -> Rollup:
        """A row's roll-up, kept until the figures change (a row is painted column by column,
        and asked for several roles each time)."""
        rollup = self._rollups.get(item.node_id)
        if rollup is None:
            if item is self._plan:
                rollup = self.workspace.plan_rollup
            else:
                assert item.node_id is not None
                rollup = self.workspace.rollups[item.node_id]
            self._rollups[item.node_id] = rollup
        return rollup

    def _count_below(self, node_id: int) -> int:
        """How many indicators lie below a node (kept until the structure changes)."""
        count = self._counts.get(node_id)
        if count is None:
            count = self._counts[node_id] = len(self.workspace.indicators_under(node_id))
        return count

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # QAbstractItemModel.data: the roles a view asks for and this model has no answer to
        # (font, colours, alignment, …) are most of the calls while painting
        if role not in _ANSWERED or not index.isValid():
            return None
        item = self._item(index)
        column = _TREE_COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(item, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(item, column)
        if role == NODE_ID_ROLE:
            return item.node_id
        if role == STATUS_ROLE:
            return self._rollup(item).status
        if role == COMPLETION_ROLE:
            return self._completion(item)
        if role == EXPECTED_ROLE:
            return self._rollup(item).expected
        if role == KIND_ROLE:
            return None if item.node_id is None else self.workspace.nodes[item.node_id].kind
        return None

    def _completion(self, item: _Item) -> float | None:
        """A node's roll-up completion; none in a draft, which takes no figures yet."""
        if self.workspace.plan.state is PlanState.DRAFT:
            return None
        return self._rollup(item).completion

    def _single_indicator(self, item: _Item) -> int | None:
        if item.node_id is None:
            return None
        own = self.workspace.nodes[item.node_id].indicator_ids
        return own[0] if len(own) == 1 else None

    def _display(self, item: _Item, column: TreeColumn) -> str:
        workspace = self.workspace
        rollup = self._rollup(item)
        if column is TreeColumn.COMPLETION:
            return percent_text(self._completion(item))
        if column is TreeColumn.STATUS:
            return parent_status_text(rollup)
        if item.node_id is None:  # the plan row
            if column is TreeColumn.NAME:
                return workspace.plan.title
            if column is TreeColumn.TARGET:
                return self.tr("%1 indicators").replace("%1", str(len(workspace.indicators)))
            return ""
        node = workspace.nodes[item.node_id]
        if column is TreeColumn.NAME:
            return f"{node.code} {node.title}"
        if column is TreeColumn.DEPARTMENT:
            return workspace.departments[node.department_id].short_name
        single = self._single_indicator(item)
        if column is TreeColumn.TARGET:
            if single is not None:
                return indicator_target_text(workspace, single)
            count = self._count_below(item.node_id)
            return self.tr("%1 indicators").replace("%1", str(count))
        if column is TreeColumn.LATEST and single is not None:
            return indicator_latest_text(workspace, single)
        return ""

    def _tooltip(self, item: _Item, column: TreeColumn) -> str | None:
        if column is TreeColumn.STATUS:
            workspace = self.workspace
            rollup = self._rollup(item)
            counts = rollup.counts
            below = self.tr("Indicators below: %1").replace(
                "%1", " · ".join(f"{status_text(s)} {counts.get(s, 0)}" for s in STATUS_ORDER)
            )
            why = parent_light_tooltip(
                rollup,
                workspace.lagging_children(item.node_id),
                workspace.light_settings.parent_light,
            )
            return f"{why}\n{below}"
        if column in (TreeColumn.TARGET, TreeColumn.LATEST):
            return self._display(item, column) or None  # in full, where the column elides it
        if column is TreeColumn.NAME and item.node_id is not None:
            node = self.workspace.nodes[item.node_id]  # the full name, which the tree may elide
            return f"{node.code} {node.title}\n\n{node.quote}\n— {node.source}"
        if column is TreeColumn.NAME:
            return f"{self.workspace.plan.title}\n\n{self.workspace.plan.source}"
        return None

    # --- following the controller ----------------------------------------------------------

    def _emit_rows_changed(self, items: Iterable[_Item]) -> None:
        first, last = TreeColumn.TARGET, TreeColumn.STATUS
        for item in items:
            self.dataChanged.emit(
                self.createIndex(item.row, first, item), self.createIndex(item.row, last, item)
            )

    def _on_changed(self, changes: Changes) -> None:
        self._rollups.clear()
        if changes.rebuilt:
            self.beginResetModel()
            self._build()
            self.endResetModel()
            return
        workspace = self.workspace
        touched: dict[int, None] = {}
        for indicator_id in changes.indicator_ids:
            if indicator_id in workspace.indicators:
                measure = workspace.indicators[indicator_id].measure_id
                touched.update(dict.fromkeys(workspace.ancestors(measure)))
        items = [self._items[n] for n in touched if n in self._items]
        self._emit_rows_changed([*items, self._plan])

    def _on_assessments_reset(self) -> None:
        # Every row's figures changed, none moved and no column's width follows them: the
        # views repaint what they show. A dataChanged per parent, or a layout change, made the
        # proxy and the view walk every row of the tree (thousands of calls into Python).
        self._rollups.clear()
        self.figuresChanged.emit()


class PlanFilterProxy(QSortFilterProxyModel):
    """Department, status and text filters; the ancestors of a match stay visible.

    What matches is worked out once per change of criteria or figures, as sets of node and
    indicator ids; filterAcceptsRow() only looks them up.
    """

    def __init__(self, controller: PlanController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        # The ancestors of matches are part of the computed set, so Qt need not search
        # below every rejected row (recursive filtering costs thousands of calls).
        self.setRecursiveFilteringEnabled(False)
        # Rows are re-filtered explicitly (see _statuses_changed), not on every dataChanged.
        self.setDynamicSortFilter(False)
        self._text = ""
        self._department: int | None = None
        self._status: Status | None = None
        self._nodes: set[int] | None = None  # None: no criteria, everything shows
        self._indicators: set[int] | None = None
        self._index_texts()
        controller.changed.connect(self._on_changed)
        controller.assessmentsReset.connect(self._statuses_changed)

    def _index_texts(self) -> None:
        """What the criteria are matched against, as arrays in the workspace's order: each
        indicator's text, department and measure (a change of criteria is then a few array
        operations, not a loop over ten thousand records)."""
        workspace = self._controller.workspace
        indicators = [workspace.indicators[i] for i in workspace.indicator_order]
        self._indicator_ids = np.array(workspace.indicator_order, dtype=np.int64)
        self._indicator_text = np.array(
            [f"{i.code} {i.name}".casefold() for i in indicators], dtype=str
        )
        self._indicator_department = np.array([i.department_id for i in indicators], np.int64)
        self._indicator_measure = np.array([i.measure_id for i in indicators], dtype=np.int64)
        self._node_text = {n.id: f"{n.code} {n.title}".casefold() for n in workspace.nodes.values()}

    def _on_changed(self, changes: Changes) -> None:
        if changes.rebuilt:
            self._index_texts()
            self._match()
        else:
            self._statuses_changed()

    @property
    def active(self) -> bool:
        return bool(self._text) or self._department is not None or self._status is not None

    def set_criteria(
        self,
        *,
        text: str | None = None,
        department: int | bool | None = False,
        status: Status | bool | None = False,
    ) -> None:
        """Change any of the criteria (arguments left out keep their value)."""
        if text is not None:
            self._text = text.strip().casefold()
        if department is not False:
            self._department = department if isinstance(department, int) else None
        if status is not False:
            self._status = status if isinstance(status, Status) else None
        self._match()
        # A new filter may change thousands of rows: one re-layout (invalidate) is much cheaper
        # for the view than a removal or insertion signal per range of rows.
        self.invalidate()

    def _statuses_changed(self) -> None:
        if self._status is not None:
            shown = self._nodes, self._indicators
            self._match()
            # A figure that leaves its light as it was (most edits) changes no row: the tree
            # is not filtered again (that visits every row).
            if (self._nodes, self._indicators) != shown:
                self.invalidate()

    def _match(self) -> None:
        """Work out the matching indicators and nodes for the current criteria."""
        if not self.active:
            self._nodes = self._indicators = None
            return
        workspace = self._controller.workspace
        text = self._text
        # Nodes whose own text, or an ancestor's, contains the search text (parents first).
        by_text: set[int] = set()
        pending = [(n, False) for n in workspace.root_ids]
        while pending:
            node_id, inherited = pending.pop()
            hit = inherited or (bool(text) and text in self._node_text[node_id])
            if hit:
                by_text.add(node_id)
            pending.extend((child, hit) for child in workspace.nodes[node_id].child_ids)
        chosen = np.ones(len(self._indicator_ids), dtype=bool)
        if self._department is not None:
            chosen &= self._indicator_department == self._department
        if self._status is not None:
            chosen &= workspace.status_codes() == STATUS_BY_CODE.index(self._status)
        if text:
            named = np.char.find(self._indicator_text, text) >= 0 if chosen.any() else chosen
            below = np.isin(self._indicator_measure, list(by_text))
            chosen &= named | below
        indicators = set(self._indicator_ids[chosen].tolist())
        matched = set(self._indicator_measure[chosen].tolist())
        if self._department is None and self._status is None:
            # A project or task matches by text alone; under a department or status filter
            # it shows only as the ancestor of a matching measure.
            matched |= {n for n in by_text if workspace.nodes[n].kind is not NodeKind.MEASURE}
        nodes: set[int] = set()
        for node_id in matched:
            if node_id not in nodes:
                nodes.update(workspace.ancestors(node_id))
        self._nodes, self._indicators = nodes, indicators

    def indicator_passes(self, indicator_id: int) -> bool:
        """Whether the grid shows this indicator under the current criteria."""
        return self._indicators is None or indicator_id in self._indicators

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        # QSortFilterProxyModel.filterAcceptsRow
        if self._nodes is None:
            return True
        model = self.sourceModel()
        assert isinstance(model, PlanTreeModel)
        node_id = model.child_node_id(source_row, source_parent)  # no index made per row
        if node_id is None:  # the plan row: shown when anything below it is
            return bool(self._nodes)
        return node_id in self._nodes
