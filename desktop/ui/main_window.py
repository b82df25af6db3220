"""The main window: plan tree with filters, progress grid with notes and history, dashboard.

Layout and wiring only. What the window shows comes from the controller's plan; what it changes
goes through the controller as operations; its commands live by area in exchange_commands.py,
backup_commands.py, print_dialog.py and paste.py.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from desktop.models.demo import DEMO_COLOUR
from desktop.models.progress import Status, Thresholds
from desktop.models.service import Changes

from desktop.ui.backup_commands import BackupCommands
from desktop.ui.commands import CommandContext
from desktop.ui.controller import PlanController
from desktop.ui.dashboard import Dashboard
from desktop.ui.delegates import CompletionDelegate, EntryDelegate, StatusDelegate
from desktop.ui.dialogs import SettingsDialog, about_box
from desktop.ui.exchange_commands import ExchangeCommands
from desktop.ui.grid_model import GridColumn, ProgressGridModel
from desktop.ui.i18n import fill, status_text
from desktop.ui.panels import HistoryPanel, NotesPanel
from desktop.ui.paste import ClipboardCommands
from desktop.ui.prompts import Prompts
from desktop.ui.settings import (
    APPEARANCE,
    EDIT_SPLITTER,
    MAIN_SPLITTER,
    RED_POINTS,
    USER_DEPARTMENT,
    USER_NAME,
    WINDOW_GEOMETRY,
    WINDOW_STATE,
    YELLOW_POINTS,
    Settings,
)
from desktop.ui.theme import action_icon, app_icon, apply_theme
from desktop.ui.tree_model import PlanFilterProxy, PlanTreeModel, TreeColumn

if TYPE_CHECKING:
    from desktop.ui.trend_chart import TrendChart

LARGE_PLAN_NODES = 500  # above this, the tree opens with only projects and tasks expanded
FILTERED_STATUSES = (Status.RED, Status.YELLOW, Status.GREEN, Status.NOT_REPORTED, Status.COMPLETED)
TREE_WIDTHS = {
    TreeColumn.DEPARTMENT: 76,
    TreeColumn.TARGET: 78,
    TreeColumn.LATEST: 90,
    TreeColumn.COMPLETION: 96,
    TreeColumn.STATUS: 84,
}
GRID_WIDTHS = {
    GridColumn.CODE: 70,
    GridColumn.NAME: 240,
    GridColumn.UNIT: 50,
    GridColumn.TARGET: 90,
    GridColumn.COMPLETION: 110,
    GridColumn.STATUS: 96,
}
MONTH_WIDTH = 72


class MainWindow(QMainWindow):
    """What clerks and managers open every month."""

    damageFound = Signal(object)  # DatabaseDamagedError: the file failed its quick_check

    def __init__(
        self, controller: PlanController, settings: Settings, prompts: Prompts | None = None
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.controller = controller
        self.settings = settings
        self.prompts = prompts or Prompts()
        self._abandoned = False
        controller.dialog_parent = self
        self.setWindowIcon(app_icon())
        self._build_models()
        self._build_widgets()
        self._build_commands()
        self._build_actions()
        self._build_menus_and_toolbar()
        self._build_status_bar()
        self._connect()
        self._restore_state()
        self._update_title()
        self.select_node(None)

    # --- construction ----------------------------------------------------------------------

    def _build_models(self) -> None:
        self.tree_model = PlanTreeModel(self.controller, self)
        self.proxy = PlanFilterProxy(self.controller, self)
        self.proxy.setSourceModel(self.tree_model)
        self.grid_model = ProgressGridModel(self.controller, self.proxy.indicator_passes, self)

    def _build_widgets(self) -> None:
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("mainTabs")
        self.tabs.addTab(self._build_edit_area(), self.tr("Monthly progress"))
        self.dashboard = Dashboard(self.controller, self)
        self.tabs.addTab(self.dashboard, self.tr("Overview"))
        # The chart (and pyqtgraph) is built the first time its tab is opened.
        self.chart_holder = QWidget(self)
        self.chart_layout = QVBoxLayout(self.chart_holder)
        self.chart_layout.setContentsMargins(0, 0, 0, 0)
        self.chart: TrendChart | None = None
        self.tabs.addTab(self.chart_holder, self.tr("Trend chart"))
        self.main_splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.main_splitter.setObjectName("mainSplitter")
        self.main_splitter.addWidget(self._build_tree_side())
        self.main_splitter.addWidget(self.tabs)
        self.main_splitter.setStretchFactor(0, 2)
        self.main_splitter.setStretchFactor(1, 3)
        self.setCentralWidget(self.main_splitter)
        self.period_selector = QComboBox(self)
        self.period_selector.setObjectName("periodSelector")
        self.period_selector.setToolTip(self.tr("The month whose figures the lights judge"))
        workspace = self.controller.workspace
        for month in workspace.months:
            self.period_selector.addItem(month, month)
        self.period_selector.setCurrentIndex(self.period_selector.findData(workspace.as_of))

    def _build_filters(self) -> QHBoxLayout:
        self.search_box = QLineEdit(self)
        self.search_box.setObjectName("searchBox")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setPlaceholderText(self.tr("Search code or name (Ctrl+F)"))
        self.department_filter = QComboBox(self)
        self.department_filter.setObjectName("departmentFilter")
        self.department_filter.addItem(self.tr("All departments"), None)
        for department in self.controller.workspace.departments.values():
            self.department_filter.addItem(department.short_name, department.id)
            index = self.department_filter.count() - 1
            self.department_filter.setItemData(index, department.name, Qt.ItemDataRole.ToolTipRole)
        self.status_filter = QComboBox(self)
        self.status_filter.setObjectName("statusFilter")
        self.status_filter.addItem(self.tr("All statuses"), None)
        for status in FILTERED_STATUSES:
            self.status_filter.addItem(status_text(status), status)
        filters = QHBoxLayout()
        filters.addWidget(self.search_box, 2)
        filters.addWidget(self.department_filter, 1)
        filters.addWidget(self.status_filter, 1)
        return filters

    def _build_tree_side(self) -> QWidget:
        self.tree = QTreeView(self)
        self.tree.setObjectName("planTree")
        self.tree.setModel(self.proxy)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setItemDelegateForColumn(TreeColumn.COMPLETION, CompletionDelegate(self.tree))
        self.tree.setItemDelegateForColumn(TreeColumn.STATUS, StatusDelegate(self.tree))
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(40)
        header.setSectionResizeMode(TreeColumn.NAME, QHeaderView.ResizeMode.Stretch)
        for column, width in TREE_WIDTHS.items():
            header.resizeSection(column, width)
        self._expand_tree()
        side = QWidget(self)
        layout = QVBoxLayout(side)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._build_filters())
        layout.addWidget(self.tree)
        return side

    def _build_grid(self) -> QTableView:
        self.grid = QTableView(self)
        self.grid.setObjectName("progressGrid")
        self.grid.setModel(self.grid_model)
        self.grid.setAlternatingRowColors(True)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
        self.grid.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.entry_delegate = EntryDelegate(self.grid)
        self.grid.setItemDelegate(self.entry_delegate)
        self.grid.setItemDelegateForColumn(GridColumn.COMPLETION, CompletionDelegate(self.grid))
        self.grid.setItemDelegateForColumn(GridColumn.STATUS, StatusDelegate(self.grid))
        header = self.grid.horizontalHeader()
        for column in range(self.grid_model.columnCount()):
            header.resizeSection(column, GRID_WIDTHS.get(column, MONTH_WIDTH))  # type: ignore[call-overload]
        rows = self.grid.verticalHeader()
        rows.setDefaultSectionSize(26)
        rows.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        rows.setMaximumWidth(260)
        self.grid.setTextElideMode(Qt.TextElideMode.ElideRight)
        # Code and name are in the row header, which does not scroll away with the months.
        self.grid.setColumnHidden(GridColumn.CODE, True)
        self.grid.setColumnHidden(GridColumn.NAME, True)
        return self.grid

    def _build_edit_area(self) -> QSplitter:
        self.notes = NotesPanel(self.controller, self)
        self.history = HistoryPanel(self.controller, self)
        side = QSplitter(Qt.Orientation.Vertical, self)
        side.addWidget(self.notes)
        side.addWidget(self.history)
        self.edit_splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.edit_splitter.setObjectName("editSplitter")
        self.edit_splitter.addWidget(self._build_grid())
        self.edit_splitter.addWidget(side)
        self.edit_splitter.setStretchFactor(0, 3)
        self.edit_splitter.setStretchFactor(1, 1)
        return self.edit_splitter

    def _build_commands(self) -> None:
        self.context = CommandContext(
            parent=self,
            controller=self.controller,
            settings=self.settings,
            prompts=self.prompts,
            tell=self.tell,
            note=self.note,
            save_pending_notes=self.save_pending_notes,
        )
        self.exchange = ExchangeCommands(self.context)
        self.backups = BackupCommands(self.context)
        self.clipboard = ClipboardCommands(self.context, self.grid, self.grid_model)

    def _build_actions(self) -> None:
        stack = self.controller.undo_stack
        self.undo_action = stack.createUndoAction(self, self.tr("Undo"))
        self.undo_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])
        self.redo_action = stack.createRedoAction(self, self.tr("Redo"))
        self.redo_action.setShortcuts(
            [QKeySequence("Ctrl+Y"), QKeySequence(QKeySequence.StandardKey.Redo)]
        )
        self.addActions([self.undo_action, self.redo_action])
        keys = QKeySequence.StandardKey
        self.copy_action = self._action("copy", self.tr("&Copy"), keys.Copy, self.clipboard.copy)
        self.paste_action = self._action(
            "paste", self.tr("&Paste"), keys.Paste, self.clipboard.paste
        )
        self.find_action = self._action("find", self.tr("&Find"), keys.Find, self._focus_search)
        self.reload_action = self._action("reload", self.tr("&Reload"), keys.Refresh, self.reload)
        self.settings_action = self._action(
            "settings", self.tr("&Settings…"), "Ctrl+,", self.open_settings
        )
        self.quit_action = self._action("quit", self.tr("&Quit"), "Ctrl+Q", self.close)
        self.expand_action = self._action(
            "expand", self.tr("&Expand all"), None, self.tree.expandAll
        )
        self.collapse_action = self._action(
            "collapse", self.tr("&Collapse all"), None, lambda: self.tree.expandToDepth(0)
        )
        self.about_action = self._action("about", self.tr("&About"), None, self.show_about)
        exchange = self.exchange
        self.export_templates_action = self._action(
            "export-template",
            self.tr("Export &templates…"),
            "Ctrl+E",
            exchange.export_templates,
        )
        self.import_action = self._action(
            "import",
            self.tr("&Import filled templates…"),
            "Ctrl+I",
            exchange.import_template,
        )
        self.undo_import_action = self._action(
            "undo-import", self.tr("&Undo an import…"), None, exchange.undo_import
        )
        self.report_action = self._action(
            "report", self.tr("Export status &report…"), "Ctrl+R", exchange.export_report
        )
        self.print_action = self._action(
            "print", self.tr("&Print status sheet…"), keys.Print, self.print_status
        )
        self.backups_action = self._action(
            "backups", self.tr("&Backups…"), "Ctrl+Shift+B", self.backups.show_backups
        )
        self.undo_action.setIcon(action_icon("undo"))
        self.redo_action.setIcon(action_icon("redo"))

    def _action(
        self,
        icon: str,
        text: str,
        shortcut: str | QKeySequence.StandardKey | None,
        slot: object,
    ) -> QAction:
        action = QAction(action_icon(icon), text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_menus_and_toolbar(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        file_menu.addActions(
            [
                self.export_templates_action,
                self.import_action,
                self.undo_import_action,
                self.report_action,
            ]
        )
        file_menu.addSeparator()
        file_menu.addAction(self.print_action)
        file_menu.addSeparator()
        file_menu.addActions([self.backups_action, self.reload_action, self.settings_action])
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu(self.tr("&Edit"))
        edit_menu.addActions([self.undo_action, self.redo_action])
        edit_menu.addSeparator()
        edit_menu.addActions([self.copy_action, self.paste_action, self.find_action])
        view_menu = bar.addMenu(self.tr("&View"))
        view_menu.addActions([self.expand_action, self.collapse_action])
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(self.about_action)

        toolbar = QToolBar(self.tr("Main toolbar"), self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.setIconSize(QSize(20, 20))
        toolbar.addWidget(QLabel(self.tr("Figures as of "), self))
        toolbar.addWidget(self.period_selector)
        toolbar.addSeparator()
        toolbar.addActions([self.undo_action, self.redo_action, self.reload_action])
        toolbar.addSeparator()
        toolbar.addActions([self.export_templates_action, self.import_action])
        toolbar.addActions([self.report_action, self.print_action])
        toolbar.addSeparator()
        toolbar.addAction(self.settings_action)
        self.addToolBar(toolbar)

    def _build_status_bar(self) -> None:
        self.database_label = QLabel(self)
        self.database_label.setObjectName("statusDatabase")
        self.user_label = QLabel(self)
        self.user_label.setObjectName("statusUser")
        self.saved_label = QLabel(self.tr("Nothing saved in this session"), self)
        self.saved_label.setObjectName("statusSaved")
        self.demo_label = QLabel(self.tr("DEMO figures"), self)
        self.demo_label.setObjectName("statusDemo")
        self.demo_label.setStyleSheet(f"color: {DEMO_COLOUR}; font-weight: bold;")
        self.demo_label.setToolTip(
            self.tr(
                "This database was filled with generated demo figures (target-monitor demo); "
                "its figures were not reported by any department."
            )
        )
        self.demo_label.hide()
        status = self.statusBar()
        for label in (self.demo_label, self.user_label, self.saved_label, self.database_label):
            status.addPermanentWidget(label)
        self.database_label.setText(
            fill(self.tr("Database: %1"), str(self.controller.database.path))
        )
        self._show_user()

    def _connect(self) -> None:
        self.search_box.textChanged.connect(lambda text: self._filter(text=text))
        self.department_filter.currentIndexChanged.connect(
            lambda _i: self._filter(department=self.department_filter.currentData())
        )
        self.status_filter.currentIndexChanged.connect(
            lambda _i: self._filter(status=self._chosen_status())
        )
        self.period_selector.currentIndexChanged.connect(
            lambda _i: self.controller.set_period(self.period_selector.currentData())
        )
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.tree.selectionModel().currentChanged.connect(self._on_tree_current)
        self.grid.selectionModel().currentChanged.connect(self._on_grid_current)
        self.grid_model.modelReset.connect(lambda: self._show_entry(None))
        self.grid_model.modelReset.connect(self._show_current_month)
        controller = self.controller
        controller.assessmentsReset.connect(self._show_current_month)
        controller.changed.connect(self._on_changed)
        controller.refused.connect(self.tell)
        controller.noted.connect(self.note)
        controller.saved.connect(self._on_saved)
        self.entry_delegate.inputRefused.connect(self.tell)
        self.dashboard.nodeActivated.connect(self.select_node)
        self.dashboard.indicatorActivated.connect(self.jump_to_indicator)
        self.backups.damageFound.connect(self.damageFound)

    # --- state -----------------------------------------------------------------------------

    def _restore_state(self) -> None:
        settings = self.settings
        if not self.restoreGeometry(settings.get(WINDOW_GEOMETRY)):
            screen = QGuiApplication.primaryScreen()
            available = screen.availableGeometry() if screen else None
            width = min(1400, available.width()) if available else 1400
            height = min(860, available.height()) if available else 860
            self.resize(width, height)
        self.restoreState(settings.get(WINDOW_STATE))
        restored = self.main_splitter.restoreState(settings.get(MAIN_SPLITTER))
        restored = self.edit_splitter.restoreState(settings.get(EDIT_SPLITTER)) and restored
        self._first_layout = not restored
        self.show_department(settings.get(USER_DEPARTMENT))

    def show_department(self, department: str) -> None:
        """Filter the tree and the grid to a department's indicators (by its short name)."""
        index = self.department_filter.findText(department) if department else -1
        if index > 0:
            self.department_filter.setCurrentIndex(index)

    def save_state(self) -> None:
        self.settings.set(WINDOW_GEOMETRY, self.saveGeometry())
        self.settings.set(WINDOW_STATE, self.saveState())
        self.settings.set(MAIN_SPLITTER, self.main_splitter.saveState())
        self.settings.set(EDIT_SPLITTER, self.edit_splitter.saveState())
        self.settings.sync()

    def showEvent(self, event: QShowEvent) -> None:  # QWidget.showEvent
        super().showEvent(event)
        if self._first_layout:
            self._first_layout = False
            self._default_layout()
        QTimer.singleShot(0, self._show_current_month)  # once the grid has its size

    def _default_layout(self) -> None:
        """First start: the tree takes 45 %, the grid most of the rest, so this
        month's column stands in view beside the indicator names."""
        width = max(self.main_splitter.width(), 800)
        tree = width * 9 // 20
        self.main_splitter.setSizes([tree, width - tree])
        notes = 220
        self.edit_splitter.setSizes([width - tree - notes, notes])

    def closeEvent(self, event: QCloseEvent) -> None:  # QMainWindow.closeEvent
        if not self._abandoned:
            self.save_pending_notes()  # nothing typed is lost on closing
        self.save_state()
        self.backups.finish_chores()
        super().closeEvent(event)

    def start_chores(self) -> None:
        """After the window is shown: the quiet checks of the file (backup_commands.py)."""
        self.backups.start_chores()

    def abandon(self) -> None:
        """Close the window and its database without writing anything more to it."""
        self._abandoned = True
        self.backups.finish_chores()
        self.controller.database.close()
        self.close()
        self.deleteLater()

    def _update_title(self) -> None:
        """The plan's title, and whether the figures are demo figures (title and status bar)."""
        workspace = self.controller.workspace
        title = fill(self.tr("Target Monitor — %1"), workspace.plan.title)
        if workspace.demo:
            title += " — " + self.tr("DEMO figures, not reported ones")
        self.setWindowTitle(title)
        self.demo_label.setVisible(workspace.demo)

    def _show_user(self) -> None:
        self.user_label.setText(fill(self.tr("User: %1"), self.controller.user))

    # --- filters and selection -------------------------------------------------------------

    def _filter(self, **criteria: object) -> None:
        self.proxy.set_criteria(**criteria)  # type: ignore[arg-type]
        self.grid_model.refilter()
        if self.proxy.active:
            self.tree.expandAll()
        if not self.tree.currentIndex().isValid():
            self.select_node(None)

    def _chosen_status(self) -> Status | None:
        data = self.status_filter.currentData()  # Qt hands string enums back as strings
        return None if data is None else Status(data)

    def _expand_tree(self) -> None:
        depth = 1 if len(self.controller.workspace.nodes) > LARGE_PLAN_NODES else 2
        self.tree.expandToDepth(depth)

    def select_node(self, node_id: int | None) -> None:
        """Show a node (the plan for None) in the tree, the grid and the overview."""
        proxy_index = self.proxy.mapFromSource(self.tree_model.index_of_node(node_id))
        if not proxy_index.isValid():
            proxy_index = self.proxy.index(0, 0)
        self.tree.setCurrentIndex(proxy_index)
        self.tree.scrollTo(proxy_index)
        self.save_pending_notes()
        self.grid_model.set_node(self.tree_model.node_id(self.proxy.mapToSource(proxy_index)))
        self.dashboard.set_node(self.grid_model.node_id)

    def _on_tree_current(self, current: QModelIndex, _previous: QModelIndex | None = None) -> None:
        node_id = self.tree_model.node_id(self.proxy.mapToSource(current))
        if node_id != self.grid_model.node_id or not current.isValid():
            self.save_pending_notes()
            self.grid_model.set_node(node_id)
        self.dashboard.set_node(node_id)

    def _show_current_month(self) -> None:
        """Keep the month being evaluated in view: there the clerk types this month's figures."""
        column = self.grid_model.column_of(self.controller.workspace.as_of)
        if column is None or self.grid_model.rowCount() == 0:
            return
        row = max(0, self.grid.currentIndex().row())
        self.grid.horizontalScrollBar().setValue(0)  # then the month lands at the right edge,
        self.grid.scrollTo(  # with the months before it in view
            self.grid_model.index(row, column), QAbstractItemView.ScrollHint.EnsureVisible
        )

    def _on_tab_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.chart_holder and self.chart is None:
            from desktop.ui.trend_chart import TrendChart  # noqa: PLC0415 - pyqtgraph on demand

            self.chart = TrendChart(self.controller, self.chart_holder)
            self.chart_layout.addWidget(self.chart)
            self.chart.show()
            self._chart_follow()

    def _chart_follow(self) -> None:
        """Point the chart at the grid's indicator, or else at the tree's node."""
        if self.chart is None:
            return
        current = self.grid.currentIndex()
        if current.isValid():
            self.chart.show_indicator(self.grid_model.indicator_at(current.row()))
        else:
            self.chart.show_node(self.grid_model.node_id)

    def _on_grid_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self._show_entry(None)
            return
        # A fixed column shows the month being evaluated for that row.
        period = self.grid_model.period_at(current.column()) or self.controller.workspace.as_of
        self._show_entry((self.grid_model.indicator_at(current.row()), period))

    def _show_entry(self, key: tuple[int, str] | None) -> None:
        self.save_pending_notes()
        self.notes.show_entry(key)
        self.history.show_entry(key)
        self._chart_follow()

    def save_pending_notes(self) -> None:
        if self.notes.dirty:
            self.notes.save()

    def jump_to_indicator(self, indicator_id: int) -> None:
        """Show an indicator's row in the grid, at the month being evaluated."""
        workspace = self.controller.workspace
        measure = workspace.indicators[indicator_id].measure_id
        if not self.proxy.indicator_passes(indicator_id):
            self.search_box.clear()
            self.department_filter.setCurrentIndex(0)
            self.status_filter.setCurrentIndex(0)
        self.select_node(measure)
        self.tabs.setCurrentWidget(self.edit_splitter)
        row = self.grid_model.row_of(indicator_id)
        column = self.grid_model.column_of(workspace.as_of)
        if row is not None and column is not None:
            index = self.grid_model.index(row, column)
            self.grid.setCurrentIndex(index)
            self.grid.selectionModel().select(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
            self.grid.scrollTo(index)
            self.grid.setFocus()

    # --- what the controller says ----------------------------------------------------------

    def tell(self, message: str) -> None:
        """A message the user must see; it does not block the window."""
        self.note(message)
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            self.tr("Target Monitor"),
            message,
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setObjectName("userMessage")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def note(self, message: str) -> None:
        """A passing note in the status bar."""
        self.statusBar().showMessage(message, 8000)

    def _on_saved(self, when: dt.datetime) -> None:
        self.saved_label.setText(fill(self.tr("Saved at %1"), f"{when:%H:%M:%S}"))

    def _on_changed(self, changes: Changes) -> None:
        if not changes.everything:
            return
        self._update_title()
        self._expand_tree()
        self.select_node(self.grid_model.node_id)

    # --- commands of the window itself -----------------------------------------------------

    def _focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def reload(self) -> None:
        self.save_pending_notes()
        self.controller.reload()
        self.note(self.tr("Reloaded from the database"))

    def open_settings(self) -> None:
        departments = [d.short_name for d in self.controller.workspace.departments.values()]
        if self.prompts.confirm(SettingsDialog(self.settings, departments, self)):
            self.apply_settings()

    def apply_settings(self) -> None:
        """Take the stored user, thresholds and appearance into use."""
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, self.settings.get(APPEARANCE))
        name = self.settings.get(USER_NAME)
        if name and name != self.controller.user:
            self.controller.set_user(name)
            self._show_user()
        self.controller.set_thresholds(
            Thresholds(self.settings.get(YELLOW_POINTS), self.settings.get(RED_POINTS))
        )

    def print_status(self) -> None:
        from desktop.ui.print_dialog import print_status  # noqa: PLC0415 - print support on demand

        print_status(
            self.context,
            node_id=self.grid_model.node_id,
            department_id=self.department_filter.currentData(),
        )

    def show_about(self) -> None:
        workspace = self.controller.workspace
        self.prompts.show(about_box(self, workspace, self.controller.database.path))
