"""The left side of the window: the plan tree with its filters (text, department, status)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from desktop.models.kinds import MilestoneState
from desktop.models.status_rule import Status

from desktop.ui.controller import PlanController
from desktop.ui.i18n import state_text, status_text
from desktop.ui.tree_model import PlanTreeModel, Refiltered, TreeColumn
from desktop.ui.tree_view import PlanTreeView

LARGE_PLAN_NODES = 500  # above this, the tree opens with only projects and tasks expanded
FILTERED_STATUSES = (Status.RED, Status.YELLOW, Status.GREEN, Status.NOT_REPORTED, Status.COMPLETED)
# The least width of the columns beside the name; each widens to its header and its words.
COLUMN_WIDTHS = {
    TreeColumn.DEPARTMENT: 60,
    TreeColumn.TARGET: 72,
    TreeColumn.LATEST: 72,
    TreeColumn.COMPLETION: 96,
    TreeColumn.STATUS: 60,
}
CELL_PADDING = 16  # the style's margins around a cell's or a header's text
NAME_LEAST = 150  # a name's code, an ellipsis and its end, three levels down


class PlanTreePanel(QWidget):
    """Projects, tasks and measures with their lights; the filters narrow tree and grid alike."""

    filtered = Signal()  # the criteria changed: the grid shows the indicators that pass
    nodeChanged = Signal(object)  # the current node (None: the plan)

    def __init__(self, controller: PlanController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self.model = PlanTreeModel(controller, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._build_filters())
        layout.addWidget(self._build_tree())
        self.tree.selectionModel().currentChanged.connect(self._on_current)
        self.model.figuresChanged.connect(self.tree.viewport().update)

    def _build_filters(self) -> QHBoxLayout:
        self.search_box = QLineEdit(self)
        self.search_box.setObjectName("searchBox")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setPlaceholderText(self.tr("Search code or name (Ctrl+F)"))
        self.department_filter = QComboBox(self)
        self.department_filter.setObjectName("departmentFilter")
        self.fill_departments(refilter=False)
        self.status_filter = QComboBox(self)
        self.status_filter.setObjectName("statusFilter")
        self.status_filter.addItem(self.tr("All statuses"), None)
        for status in FILTERED_STATUSES:
            self.status_filter.addItem(status_text(status), status)
        self.search_box.textChanged.connect(lambda text: self._filter(text=text))
        self.department_filter.currentIndexChanged.connect(
            lambda _i: self._filter(department=self.department_filter.currentData())
        )
        self.status_filter.currentIndexChanged.connect(
            lambda _i: self._filter(status=self._chosen_status())
        )
        filters = QHBoxLayout()
        filters.addWidget(self.search_box, 2)
        filters.addWidget(self.department_filter, 1)
        filters.addWidget(self.status_filter, 1)
        return filters

    def _build_tree(self) -> QTreeView:
        self.tree = PlanTreeView(self.model, self)
        self.tree.setObjectName("planTree")
        self.tree.setUniformRowHeights(True)
        # A scroll bar that comes and goes with a filter's rows would narrow the names and
        # lay the tree out again (and paint it twice).
        self.tree.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.tree.setIndentation(16)  # three levels deep, a name keeps its room
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(40)
        self._fit_columns()
        # The names take the room the other columns leave, but no less than NAME_LEAST: a
        # narrower tree scrolls sideways, as a spreadsheet does, rather than lose its names.
        self.tree.viewport().installEventFilter(self)
        header.sectionResized.connect(self._on_section_resized)
        self.expand_default()
        return self.tree

    def _fit_columns(self) -> None:
        """Each column beside the name as wide as its header and its words (in English too,
        where "Not reported" is longer than its Chinese)."""
        header, cells = self.tree.header().fontMetrics(), self.tree.fontMetrics()
        departments = [d.short_name for d in self._controller.workspace.departments.values()]
        words = {
            TreeColumn.DEPARTMENT: departments,
            # the light words; a parent's counts ("正常 · 红 2") take what room is left, the
            # rest elided (its tooltip has them all): the names need the room more
            TreeColumn.STATUS: [status_text(status) for status in FILTERED_STATUSES],
            # a parent's count of indicators (the plan row's is the widest) and a due date;
            # a long target is elided, its tooltip has it whole
            TreeColumn.TARGET: [self.model.index(0, TreeColumn.TARGET).data(), "2025-12-31"],
            # a milestone's state (a figure is elided, its tooltip has it whole)
            TreeColumn.LATEST: [state_text(state) for state in MilestoneState],
        }
        light = 18  # the status delegate's light and its gap before the word
        for column, least in COLUMN_WIDTHS.items():
            title = str(self.model.headerData(column, Qt.Orientation.Horizontal) or "")
            width = header.horizontalAdvance(title) + CELL_PADDING
            for word in filter(None, words.get(column, [])):
                extra = light if column is TreeColumn.STATUS else 0
                width = max(width, cells.horizontalAdvance(word) + CELL_PADDING + extra)
            self.tree.header().resizeSection(column, max(least, width))

    def _stretch_names(self) -> None:
        header = self.tree.header()
        others = sum(
            header.sectionSize(column)
            for column in range(header.count())
            if column != TreeColumn.NAME and not header.isSectionHidden(column)
        )
        width = max(NAME_LEAST, self.tree.viewport().width() - others)
        if header.sectionSize(TreeColumn.NAME) != width:
            header.resizeSection(TreeColumn.NAME, width)

    def _on_section_resized(self, column: int, _old: int, _new: int) -> None:
        if column != TreeColumn.NAME:
            self._stretch_names()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # QObject.eventFilter
        if watched is self.tree.viewport() and event.type() == QEvent.Type.Resize:
            self._stretch_names()
        return super().eventFilter(watched, event)

    # --- filters ---------------------------------------------------------------------------

    def _filter(self, **criteria: object) -> None:
        refiltered = self.model.set_criteria(**criteria)  # type: ignore[arg-type]
        if refiltered is Refiltered.OTHER and self.model.filtered:
            # What the criteria find shows expanded; rows that only went away (a longer
            # search text) leave the others as they were. Only the rows with rows below them
            # are expanded (QTreeView.expandAll asks the model about each of ten thousand
            # rows); the view lays the tree out once, at its next paint.
            for index in self.model.shown_parents():
                self.tree.expand(index)
        self.filtered.emit()
        if not self.tree.currentIndex().isValid():
            self.select(None)

    def fill_departments(self, *, refilter: bool = True) -> None:
        """The department filter lists the plan's departments (another plan has its own);
        the one chosen stays chosen if the plan has it."""
        chosen = self.department_filter.currentText() if self.department_filter.count() else ""
        self.department_filter.blockSignals(True)
        self.department_filter.clear()
        self.department_filter.addItem(self.tr("All departments"), None)
        for department in self._controller.workspace.departments.values():
            self.department_filter.addItem(department.short_name, department.id)
            index = self.department_filter.count() - 1
            self.department_filter.setItemData(index, department.name, Qt.ItemDataRole.ToolTipRole)
        self.department_filter.setCurrentIndex(max(0, self.department_filter.findText(chosen)))
        self.department_filter.blockSignals(False)
        if refilter:
            self._filter(department=self.department_filter.currentData())

    def _chosen_status(self) -> Status | None:
        data = self.status_filter.currentData()  # Qt hands string enums back as strings
        return None if data is None else Status(data)

    def department_id(self) -> int | None:
        """The department the filter shows (None: all)."""
        department: int | None = self.department_filter.currentData()
        return department

    def show_department(self, department: str) -> None:
        """Filter to a department's indicators (by its short name)."""
        index = self.department_filter.findText(department) if department else -1
        if index > 0:
            self.department_filter.setCurrentIndex(index)

    def clear_filters(self) -> None:
        self.search_box.clear()
        self.department_filter.setCurrentIndex(0)
        self.status_filter.setCurrentIndex(0)

    def focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    # --- the current node ------------------------------------------------------------------

    def expand_default(self) -> None:
        depth = 1 if len(self._controller.workspace.nodes) > LARGE_PLAN_NODES else 2
        self.tree.expandToDepth(depth)

    def node_id(self) -> int | None:
        return self.model.node_id(self.tree.currentIndex())

    def select(self, node_id: int | None) -> int | None:
        """Make a node current (the plan when it is filtered out); the node made current."""
        index = self.model.index_of_node(node_id)
        if not index.isValid():
            index = self.model.index(0, 0)
        self.tree.setCurrentIndex(index)
        self.tree.scrollTo(index)
        return self.model.node_id(index)

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.nodeChanged.emit(self.model.node_id(current))
