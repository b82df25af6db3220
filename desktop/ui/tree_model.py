"""The plan tree (plan → projects → tasks → measures) as an item model that filters itself.

The model shows only the rows the filters leave (no proxy model in front of it): a proxy maps
every index a view asks for back to this model, thousands of calls into Python per repaint,
and visits every row again per change of criteria.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from desktop.models.changes import Changes
from desktop.models.kinds import MilestoneState, NodeKind, PlanState
from desktop.models.status_rule import STATUS_BY_CODE, Rollup, Status
from desktop.models.workspace import PlanWorkspace
from desktop.presentation.status_sheet import latest_report
from desktop.presentation.wording import STATUS_ORDER, percent_text, target_text

from desktop.ui.controller import PlanController
from desktop.ui.i18n import parent_light_tooltip, parent_status_text, state_text, status_text
from desktop.ui.row_model import answer_roles

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
_TREE_COLUMNS = tuple(TreeColumn)
# the columns whose words follow neither the month nor the figures (the first ones)
_KEPT_COLUMNS = (TreeColumn.NAME, TreeColumn.DEPARTMENT, TreeColumn.TARGET)


class _Item:
    """A row of the tree: a node id (None for the plan itself), its parent, its children (all,
    and those the filters leave shown) and its row among its parent's shown children."""

    __slots__ = ("children", "depth", "node_id", "parent", "row", "shown")

    def __init__(self, node_id: int | None, parent: _Item | None, row: int) -> None:
        self.node_id = node_id
        self.parent = parent
        self.row = row
        self.depth: int = 0 if parent is None or parent.parent is None else parent.depth + 1
        self.children: list[_Item] = []
        self.shown = self.children


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


class Refiltered(enum.Enum):
    """How a change of criteria changed the rows shown."""

    SAME = "same"
    FEWER = "fewer"  # some rows left, none came (they keep how they were expanded)
    OTHER = "other"  # rows came that were not shown


@dataclass(frozen=True, slots=True)
class RowCells:
    """What a row of the tree shows: its words by column, and its light."""

    texts: tuple[str, ...]  # by TreeColumn
    completion: float | None  # none in a draft
    status: Status
    expected: float | None


class PlanTreeModel(QAbstractItemModel):
    """A thin adapter over the workspace's nodes; each row knows its parent and its row.

    The department, status and text filters narrow it: the rows shown are the matching
    measures and their ancestors (`PlanFilter`), and a change of criteria is one layout
    change, so a view keeps its expanded rows, its selection and its current row where they
    are still shown.
    """

    figuresChanged = Signal()  # every row's figures changed (a month, the lights): repaint

    def __init__(self, controller: PlanController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self.filter = PlanFilter(controller.workspace)
        self._build()
        controller.changed.connect(self._on_changed)
        controller.assessmentsReset.connect(self._on_assessments_reset)

    @property
    def workspace(self) -> PlanWorkspace:
        return self._controller.workspace

    def _build(self) -> None:
        self._rollups: dict[int | None, Rollup] = {}
        self._cells: dict[int | None, RowCells] = {}
        self._kept_texts: dict[int | None, tuple[str, ...]] = {}
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
        self._show()

    def _shows(self, item: _Item) -> bool:
        nodes = self.filter.nodes
        if nodes is None:
            return True
        return bool(nodes) if item.node_id is None else item.node_id in nodes

    def _show(self) -> None:
        """Each row's shown children, and each shown row's place among them (a walk over the
        rows with rows below them: ten thousand leaves are only placed)."""
        nodes = self.filter.nodes
        self._root.shown = [self._plan] if self._shows(self._plan) else []
        pending = [self._plan]
        while pending:
            item = pending.pop()
            if nodes is None:
                shown = item.shown = item.children
            else:  # below the plan's row every row is a node's
                shown = item.shown = [child for child in item.children if child.node_id in nodes]
            for row, child in enumerate(shown):
                child.row = row
                if child.children:
                    pending.append(child)

    # --- structure (QAbstractItemModel) ----------------------------------------------------

    def _item(self, index: AnyIndex) -> _Item:
        if not index.isValid():
            return self._root
        item = index.internalPointer()
        assert isinstance(item, _Item)
        return item

    # index(), parent() and rowCount() are asked thousands of times per layout of a large
    # tree: each reads the item straight from the index (a valid index is always one of
    # this model's items), without a helper call per question.

    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:
        # QAbstractItemModel.index: bounds checked here rather than through hasIndex(), which
        # would call back into rowCount() and columnCount() for every index.
        if parent.isValid():
            if parent.column():
                return QModelIndex()
            children = parent.internalPointer().shown
        else:
            children = self._root.shown
        if 0 <= row < len(children) and 0 <= column < _COLUMNS:
            return self.createIndex(row, column, children[row])
        return QModelIndex()

    def parent(self, index: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        # QAbstractItemModel.parent: O(1), the item knows its parent and that parent's row.
        if not index.isValid():
            return QModelIndex()
        parent = index.internalPointer().parent
        if parent is None or parent is self._root:
            return QModelIndex()
        return self.createIndex(parent.row, 0, parent)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # QAbstractItemModel.rowCount
        if not parent.isValid():
            return len(self._root.shown)
        return 0 if parent.column() else len(parent.internalPointer().shown)

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

    # --- content ---------------------------------------------------------------------------

    def node_id(self, index: AnyIndex) -> int | None:
        """The node of a row; None for the plan row (and for no row)."""
        return self._item(index).node_id if index.isValid() else None

    def index_of_node(self, node_id: int | None, column: int = 0) -> QModelIndex:
        """A node's row (the plan's for None); none when the filters leave it out."""
        item = self._plan if node_id is None else self._items.get(node_id)
        if item is None or not self._shows(item):
            return QModelIndex()
        return self.createIndex(item.row, column, item)

    def shown_parents(self) -> list[QModelIndex]:
        """The rows shown with rows shown below them (the plan's, its projects' and tasks'
        that the filters leave): what "everything expanded" expands, without asking the
        model about every measure."""
        parents = []
        pending = [self._plan] if self._plan.shown else []
        while pending:
            item = pending.pop()
            parents.append(self.createIndex(item.row, 0, item))
            pending.extend(child for child in item.shown if child.shown)
        return parents

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
            return self._row_cells(item).texts[column]
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

    def multiData(self, index: AnyIndex, roleDataSpan: QModelRoleDataSpan | QModelRoleData) -> None:
        answer_roles(self, index, roleDataSpan, _ANSWERED)  # QAbstractItemModel.multiData

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

    def row_cells(self, index: AnyIndex) -> RowCells:
        """What a row shows, for a view that paints a row at once."""
        return self._row_cells(self._item(index))

    @staticmethod
    def depth(index: AnyIndex) -> int:
        """How deep a row lies (the plan's row: 0)."""
        item = index.internalPointer()
        return item.depth if isinstance(item, _Item) else 0

    def _row_cells(self, item: _Item) -> RowCells:
        """A row's words and light, kept until the figures change (a row is painted column
        by column and repainted as the mouse and the selection move)."""
        cells = self._cells.get(item.node_id)
        if cells is None:
            kept = self._kept_texts.get(item.node_id)
            if kept is None:  # the name, department and target: until the plan changes
                kept = self._kept_texts[item.node_id] = tuple(
                    self._display(item, column) for column in _KEPT_COLUMNS
                )
            rollup = self._rollup(item)
            cells = self._cells[item.node_id] = RowCells(
                (
                    *kept,
                    *(self._display(item, column) for column in _TREE_COLUMNS[len(kept) :]),
                ),
                self._completion(item),
                rollup.status,
                rollup.expected,
            )
        return cells

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

    def _forget(self) -> None:
        self._rollups.clear()
        self._cells.clear()

    def _emit_rows_changed(self, items: Iterable[_Item]) -> None:
        first, last = TreeColumn.TARGET, TreeColumn.STATUS
        for item in items:
            if self._shows(item):
                self.dataChanged.emit(
                    self.createIndex(item.row, first, item), self.createIndex(item.row, last, item)
                )

    def _on_changed(self, changes: Changes) -> None:
        self._forget()
        if changes.rebuilt:
            self.beginResetModel()
            self.filter.index(self.workspace)
            self.filter.match()
            self._build()
            self.endResetModel()
            return
        if self._lights_refiltered():
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
        # view walk every row of the tree (thousands of calls into Python).
        self._forget()
        if not self._lights_refiltered():
            self.figuresChanged.emit()

    def _lights_refiltered(self) -> bool:
        """Under a status filter, the rows that show after the lights changed; whether they
        differ (a figure that leaves its light as it was, most edits, changes no row)."""
        if self.filter.status is None:
            return False
        return self._refilter() is not Refiltered.SAME

    # --- filtering -------------------------------------------------------------------------

    @property
    def filtered(self) -> bool:
        """Whether any criterion narrows the tree."""
        return self.filter.active

    def set_criteria(
        self,
        *,
        text: str | None = None,
        department: int | bool | None = False,
        status: Status | bool | None = False,
    ) -> Refiltered:
        """Change any of the criteria (arguments left out keep their value); how the rows
        shown changed."""
        self.filter.set_criteria(text=text, department=department, status=status)
        return self._refilter()

    def indicator_passes(self, indicator_id: int) -> bool:
        """Whether the grid shows this indicator under the current criteria."""
        return self.filter.indicator_passes(indicator_id)

    def shown_indicators(self) -> set[int] | None:
        """The indicators the criteria leave (None: no criteria, all of them)."""
        return self.filter.indicators

    def _refilter(self) -> Refiltered:
        shown = self.filter.nodes
        self.filter.match()
        now = self.filter.nodes
        if now == shown:
            return Refiltered.SAME
        # One layout change: the rows that stay keep their indexes (expanded, selected,
        # current), those left out lose them.
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        self._show()
        after = []
        for index in before:
            item = index.internalPointer()
            shows = index.isValid() and isinstance(item, _Item) and self._shows(item)
            after.append(
                self.createIndex(item.row, index.column(), item) if shows else QModelIndex()
            )
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()
        if shown is not None and now is not None and now <= shown:
            return Refiltered.FEWER
        return Refiltered.OTHER


class PlanFilter:
    """Department, status and text criteria, and what they match: the indicators, and the
    nodes that show (each matching measure and its ancestors).

    What matches is worked out once per change of criteria or lights, with array operations
    over every indicator (in the workspace's order), not a loop over ten thousand records.
    """

    def __init__(self, workspace: PlanWorkspace) -> None:
        self.text = ""
        self.department: int | None = None
        self.status: Status | None = None
        self.nodes: set[int] | None = None  # None: no criteria, everything shows
        self.indicators: set[int] | None = None
        self.index(workspace)

    def index(self, workspace: PlanWorkspace) -> None:
        """What the criteria are matched against (again after the plan's structure changed):
        the nodes in tree order (parents first) with their texts and parents' positions, the
        indicators with theirs and their measures' positions."""
        self._workspace = workspace
        order = workspace.nodes_in_tree_order()
        position = {node_id: place for place, node_id in enumerate(order)}
        nodes = [workspace.nodes[node_id] for node_id in order]
        self._node_ids = np.array(order, dtype=np.int64)
        self._node_text = np.array([f"{n.code} {n.title}".casefold() for n in nodes], dtype=str)
        parents = [position.get(n.parent_id, -1) if n.parent_id else -1 for n in nodes]
        self._node_parent = np.array(parents, dtype=np.int64)
        self._has_parent = self._node_parent >= 0
        self._node_is_measure = np.array([n.kind is NodeKind.MEASURE for n in nodes], dtype=bool)
        depths = [0] * len(nodes)  # parents come first
        for place, parent in enumerate(parents):
            if parent >= 0:
                depths[place] = depths[parent] + 1
        self._depth = max(depths, default=0)  # how many levels lie below the top one
        indicators = [workspace.indicators[i] for i in workspace.indicator_order]
        self._indicator_ids = np.array(workspace.indicator_order, dtype=np.int64)
        self._indicator_text = np.array(
            [f"{i.code} {i.name}".casefold() for i in indicators], dtype=str
        )
        self._indicator_department = np.array([i.department_id for i in indicators], np.int64)
        self._indicator_measure = np.array(
            [position[i.measure_id] for i in indicators], dtype=np.int64
        )

    @property
    def active(self) -> bool:
        return bool(self.text) or self.department is not None or self.status is not None

    def set_criteria(
        self,
        *,
        text: str | None = None,
        department: int | bool | None = False,
        status: Status | bool | None = False,
    ) -> None:
        """Change any of the criteria (arguments left out keep their value)."""
        if text is not None:
            self.text = text.strip().casefold()
        if department is not False:
            self.department = department if isinstance(department, int) else None
        if status is not False:
            self.status = status if isinstance(status, Status) else None

    def match(self) -> None:
        """Work out the matching indicators and nodes for the current criteria."""
        if not self.active:
            self.nodes = self.indicators = None
            return
        text = self.text
        parent, has_parent = self._node_parent, self._has_parent
        chosen = np.ones(len(self._indicator_ids), dtype=bool)
        if self.department is not None:
            chosen &= self._indicator_department == self.department
        if self.status is not None:
            codes = self._workspace.status_codes()
            chosen &= codes == STATUS_BY_CODE.index(self.status)
        by_text = np.zeros(len(self._node_ids), dtype=bool)
        if text:
            # nodes whose own text, or an ancestor's, contains the search text
            by_text = np.char.find(self._node_text, text) >= 0
            for _level in range(self._depth):
                by_text |= has_parent & by_text[parent]
            named = np.char.find(self._indicator_text, text) >= 0
            chosen &= named | by_text[self._indicator_measure]
        shown = np.zeros(len(self._node_ids), dtype=bool)
        shown[self._indicator_measure[chosen]] = True
        if self.department is None and self.status is None:
            # A project or task matches by text alone; under a department or status filter
            # it shows only as the ancestor of a matching measure.
            shown |= by_text & ~self._node_is_measure
        for _level in range(self._depth):  # and every ancestor of what shows
            above = parent[shown]
            shown[above[above >= 0]] = True
        self.indicators = set(self._indicator_ids[chosen].tolist())
        self.nodes = set(self._node_ids[shown].tolist())

    def indicator_passes(self, indicator_id: int) -> bool:
        """Whether the grid shows this indicator under the current criteria."""
        return self.indicators is None or indicator_id in self.indicators
