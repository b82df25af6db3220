"""The main window: plan tree with filters, progress grid with notes and history, dashboard."""

from __future__ import annotations

import datetime as dt
import html
import platform
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QSize,
    Qt,
    QThread,
    QTimer,
    QUrl,
    Signal,
    qVersion,
)
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QFileDialog,
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

from desktop import __version__
from desktop.exchange.importer import apply_import, read_template, undo_import
from desktop.exchange.report import ReportInfo, write_report
from desktop.exchange.template import TemplateInfo, export_template
from desktop.models.backup import (
    backup_before,
    backup_folder,
    daily_backup,
    entry_count,
)
from desktop.models.database import damage_of
from desktop.models.demo import DEMO_COLOUR
from desktop.models.errors import DatabaseDamagedError
from desktop.models.history import import_batches
from desktop.models.locations import NOTICES_FILE, bundled_file, network_share
from desktop.models.opening import restore
from desktop.models.progress import Status, Thresholds
from desktop.models.status_sheet import build_documents

from desktop.ui.background import BackgroundError, Progress, run_in_background, run_quietly
from desktop.ui.backups import BackupsDialog
from desktop.ui.controller import PlanController
from desktop.ui.dashboard import Dashboard
from desktop.ui.delegates import CompletionDelegate, EntryDelegate, StatusDelegate
from desktop.ui.dialogs import SettingsDialog
from desktop.ui.exchange_dialogs import (
    ExportTemplateDialog,
    ImportPreviewDialog,
    UndoImportDialog,
)
from desktop.ui.grid_model import GridColumn, ProgressGridModel
from desktop.ui.i18n import status_text
from desktop.ui.panels import HistoryPanel, NotesPanel
from desktop.ui.paste import plan_paste, split_clipboard
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

T = TypeVar("T")
LARGE_PLAN_NODES = 500  # above this, the tree opens with only projects and tasks expanded


class MainWindow(QMainWindow):
    """What clerks and managers open every month."""

    damageFound = Signal(object)  # DatabaseDamagedError: the file failed its quick_check

    def __init__(self, controller: PlanController, settings: Settings) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.controller = controller
        self.settings = settings
        self._chores: list[QThread] = []  # quiet background work to finish before closing
        self._abandoned = False
        self.setWindowIcon(app_icon())
        self._build_models()
        self._build_widgets()
        self._build_actions()
        self._build_menus_and_toolbar()
        self._build_status_bar()
        self._connect()
        self._restore_state()
        self._update_title()
        self._select_node(None)

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
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.main_splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.main_splitter.setObjectName("mainSplitter")
        self.main_splitter.addWidget(self._build_tree_side())
        self.main_splitter.addWidget(self.tabs)
        self.main_splitter.setStretchFactor(0, 2)
        self.main_splitter.setStretchFactor(1, 3)
        self.setCentralWidget(self.main_splitter)
        self._build_period_selector()

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
        for status in (
            Status.RED,
            Status.YELLOW,
            Status.GREEN,
            Status.NOT_REPORTED,
            Status.COMPLETED,
        ):
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
        widths = {
            TreeColumn.DEPARTMENT: 76,
            TreeColumn.TARGET: 78,
            TreeColumn.LATEST: 90,
            TreeColumn.COMPLETION: 96,
            TreeColumn.STATUS: 84,
        }
        for column, width in widths.items():
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
        widths = {
            GridColumn.CODE: 70,
            GridColumn.NAME: 240,
            GridColumn.UNIT: 50,
            GridColumn.TARGET: 90,
            GridColumn.COMPLETION: 110,
            GridColumn.STATUS: 96,
        }
        for column in range(self.grid_model.columnCount()):
            header.resizeSection(column, widths.get(column, 72))  # type: ignore[call-overload]
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

    def _build_period_selector(self) -> None:
        workspace = self.controller.workspace
        self.period_selector = QComboBox(self)
        self.period_selector.setObjectName("periodSelector")
        self.period_selector.setToolTip(self.tr("The month whose figures the lights judge"))
        for month in workspace.months:
            self.period_selector.addItem(month, month)
        self.period_selector.setCurrentIndex(self.period_selector.findData(workspace.as_of))

    def _build_actions(self) -> None:
        stack = self.controller.undo_stack
        self.undo_action = stack.createUndoAction(self, self.tr("Undo"))
        self.undo_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])
        self.redo_action = stack.createRedoAction(self, self.tr("Redo"))
        self.redo_action.setShortcuts(
            [QKeySequence("Ctrl+Y"), QKeySequence(QKeySequence.StandardKey.Redo)]
        )
        self.addActions([self.undo_action, self.redo_action])
        self.copy_action = self._action(
            self.tr("&Copy"), QKeySequence.StandardKey.Copy, self.copy_selection
        )
        self.paste_action = self._action(
            self.tr("&Paste"), QKeySequence.StandardKey.Paste, self.paste
        )
        self.find_action = self._action(
            self.tr("&Find"), QKeySequence.StandardKey.Find, self._focus_search
        )
        self.reload_action = self._action(
            self.tr("&Reload"), QKeySequence.StandardKey.Refresh, self.reload
        )
        self.settings_action = self._action(
            self.tr("&Settings…"), QKeySequence("Ctrl+,"), self.open_settings
        )
        self.quit_action = self._action(self.tr("&Quit"), QKeySequence("Ctrl+Q"), self.close)
        self.expand_action = self._action(self.tr("&Expand all"), None, self.tree.expandAll)
        self.collapse_action = self._action(
            self.tr("&Collapse all"), None, lambda: self.tree.expandToDepth(0)
        )
        self.about_action = self._action(self.tr("&About"), None, self.show_about)
        self.export_templates_action = self._action(
            self.tr("Export &templates…"), QKeySequence("Ctrl+E"), self.export_templates
        )
        self.import_action = self._action(
            self.tr("&Import filled templates…"), QKeySequence("Ctrl+I"), self.import_template
        )
        self.undo_import_action = self._action(self.tr("&Undo an import…"), None, self.undo_import)
        self.report_action = self._action(
            self.tr("Export status &report…"), QKeySequence("Ctrl+R"), self.export_report
        )
        self.print_action = self._action(
            self.tr("&Print status sheet…"), QKeySequence.StandardKey.Print, self.print_status
        )
        self.backups_action = self._action(
            self.tr("&Backups…"), QKeySequence("Ctrl+Shift+B"), self.show_backups
        )
        icons = {
            self.undo_action: "undo",
            self.redo_action: "redo",
            self.reload_action: "reload",
            self.copy_action: "copy",
            self.paste_action: "paste",
            self.find_action: "find",
            self.settings_action: "settings",
            self.quit_action: "quit",
            self.expand_action: "expand",
            self.collapse_action: "collapse",
            self.about_action: "about",
            self.export_templates_action: "export-template",
            self.import_action: "import",
            self.undo_import_action: "undo-import",
            self.report_action: "report",
            self.print_action: "print",
            self.backups_action: "backups",
        }
        for action, name in icons.items():
            action.setIcon(action_icon(name))

    def _action(
        self, text: str, shortcut: QKeySequence | QKeySequence.StandardKey | None, slot: object
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
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
        self.saved_label = QLabel(self)
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
        status.addPermanentWidget(self.demo_label)
        status.addPermanentWidget(self.user_label)
        status.addPermanentWidget(self.saved_label)
        status.addPermanentWidget(self.database_label)
        self.database_label.setText(
            self.tr("Database: %1").replace("%1", str(self.controller.database.path))
        )
        self._show_user()
        self.saved_label.setText(self.tr("Nothing saved in this session"))

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
        self.tree.selectionModel().currentChanged.connect(self._on_tree_current)
        self.grid.selectionModel().currentChanged.connect(self._on_grid_current)
        self.grid_model.modelReset.connect(lambda: self._show_entry(None))
        self.grid_model.modelReset.connect(self._show_current_month)
        self.controller.assessmentsReset.connect(self._show_current_month)
        self.entry_delegate.inputRefused.connect(self.tell)
        self.controller.editRefused.connect(self.tell)
        self.controller.saved.connect(self._on_saved)
        self.controller.reloaded.connect(self._after_reload)
        self.dashboard.nodeActivated.connect(self._select_node)
        self.dashboard.indicatorActivated.connect(self.jump_to_indicator)

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
        if self.notes.dirty and not self._abandoned:
            self.notes.save()  # nothing typed is lost on closing
        self.save_state()
        self.finish_chores()
        super().closeEvent(event)

    def finish_chores(self) -> None:
        """Wait for quiet background work (the daily backup) before the database closes."""
        for thread in self._chores:
            thread.wait()
        self._chores.clear()

    def _update_title(self) -> None:
        """The plan's title, and whether the figures are demo figures (title and status bar)."""
        workspace = self.controller.workspace
        title = self.tr("Target Monitor — %1").replace("%1", workspace.plan.title)
        if workspace.demo:
            title += " — " + self.tr("DEMO figures, not reported ones")
        self.setWindowTitle(title)
        self.demo_label.setVisible(workspace.demo)

    def _show_user(self) -> None:
        self.user_label.setText(self.tr("User: %1").replace("%1", self.controller.user))

    # --- filters and selection -------------------------------------------------------------

    def _filter(self, **criteria: object) -> None:
        self.proxy.set_criteria(**criteria)  # type: ignore[arg-type]
        self.grid_model.refilter()
        if self.proxy.active:
            self.tree.expandAll()
        current = self.tree.currentIndex()
        if not current.isValid():
            self._select_node(None)

    def _chosen_status(self) -> Status | None:
        data = self.status_filter.currentData()  # Qt hands string enums back as strings
        return None if data is None else Status(data)

    def _expand_tree(self) -> None:
        depth = 1 if len(self.controller.workspace.nodes) > LARGE_PLAN_NODES else 2
        self.tree.expandToDepth(depth)

    def _select_node(self, node_id: int | None) -> None:
        proxy_index = self.proxy.mapFromSource(self.tree_model.index_of_node(node_id))
        if not proxy_index.isValid():
            proxy_index = self.proxy.index(0, 0)
        self.tree.setCurrentIndex(proxy_index)
        self.tree.scrollTo(proxy_index)
        self._save_pending_notes()
        self.grid_model.set_node(self.tree_model.node_id(self.proxy.mapToSource(proxy_index)))
        self.dashboard.set_node(self.grid_model.node_id)

    def _on_tree_current(self, current: QModelIndex, _previous: QModelIndex | None = None) -> None:
        node_id = self.tree_model.node_id(self.proxy.mapToSource(current))
        if node_id != self.grid_model.node_id or not current.isValid():
            self._save_pending_notes()
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

    def _cell_key(self, index: QModelIndex) -> tuple[int, str] | None:
        if not index.isValid():
            return None
        period = self.grid_model.period_at(index.column())
        if period is None:
            return None
        return self.grid_model.indicator_at(index.row()), period

    def _on_grid_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        key = self._cell_key(current)
        if key is None and current.isValid():
            # A fixed column: show the month being evaluated for that row.
            key = (self.grid_model.indicator_at(current.row()), self.controller.workspace.as_of)
        self._show_entry(key)

    def _show_entry(self, key: tuple[int, str] | None) -> None:
        self._save_pending_notes()
        self.notes.show_entry(key)
        self.history.show_entry(key)
        self._chart_follow()

    def _save_pending_notes(self) -> None:
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
        self._select_node(measure)
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

    # --- commands --------------------------------------------------------------------------

    def tell(self, message: str) -> None:
        """A message the user must see; it does not block the window."""
        self.statusBar().showMessage(message, 10000)
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

    def _on_saved(self, when: dt.datetime) -> None:
        self.saved_label.setText(self.tr("Saved at %1").replace("%1", f"{when:%H:%M:%S}"))

    def _focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def copy_selection(self) -> None:
        indexes = self.grid.selectionModel().selectedIndexes()
        if not indexes:
            return
        rows = sorted({i.row() for i in indexes})
        columns = sorted({i.column() for i in indexes})
        lines = [
            "\t".join(str(self.grid_model.index(r, c).data() or "") for c in columns) for r in rows
        ]
        QGuiApplication.clipboard().setText("\n".join(lines) + "\n")

    def paste(self) -> None:
        """Paste a rectangle from Excel or WPS at the current cell, as one undoable step."""
        start = self.grid.currentIndex()
        selected = self.grid.selectionModel().selectedIndexes()
        if selected:
            start = min(selected, key=lambda i: (i.row(), i.column()))
        if not start.isValid():
            self.tell(self.tr("Select the cell where the pasted figures should start."))
            return
        rows = split_clipboard(QGuiApplication.clipboard().text())
        plan = plan_paste(self.grid_model, start.row(), start.column(), rows)
        if plan.cells:
            description = self.tr("Paste %1 cells").replace("%1", str(len(plan.cells)))
            if not self.controller.edit(plan.cells, description):
                return
        if plan.refused:
            shown = plan.refused[:20]
            more = len(plan.refused) - len(shown)
            text = (
                self.tr("%1 cells pasted; these were refused:").replace("%1", str(len(plan.cells)))
                + "\n"
                + "\n".join(shown)
            )
            if more:
                text += "\n" + self.tr("… and %1 more").replace("%1", str(more))
            self.tell(text)
        elif plan.cells:
            self.statusBar().showMessage(
                self.tr("%1 cells pasted").replace("%1", str(len(plan.cells))), 5000
            )

    def reload(self) -> None:
        self._save_pending_notes()
        self.controller.reload()

    def _after_reload(self) -> None:
        self._update_title()
        self.grid_model.refilter()
        self._expand_tree()
        self._select_node(self.grid_model.node_id)
        self.statusBar().showMessage(self.tr("Reloaded from the database"), 4000)

    def open_settings(self) -> None:
        departments = [d.short_name for d in self.controller.workspace.departments.values()]
        dialog = SettingsDialog(self.settings, departments, self)
        if dialog.exec() != SettingsDialog.DialogCode.Accepted:
            return
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

    # --- Excel exchange --------------------------------------------------------------------

    def _confirm(self, dialog: QDialog) -> bool:
        """Show a dialog and wait for the answer (tests replace this)."""
        return dialog.exec() == QDialog.DialogCode.Accepted

    def _ask_path(
        self, kind: str, suggestion: str = "", *, pdf: bool = False, backup: bool = False
    ) -> Path | None:
        """Ask for a file to save (kind "save"), to open ("open") or a folder ("folder")."""
        title = self.tr("Target Monitor")
        pattern = self.tr("Excel workbooks (*.xlsx)")
        if pdf:
            pattern = self.tr("PDF documents (*.pdf)")
        elif backup:
            pattern = self.tr("Target Monitor databases (*.sqlite *.db);;All files (*)")
        if kind == "folder":
            chosen = QFileDialog.getExistingDirectory(self, title)
        elif kind == "save":
            chosen, _ = QFileDialog.getSaveFileName(self, title, suggestion, pattern)
        else:
            chosen, _ = QFileDialog.getOpenFileName(self, title, "", pattern)
        return Path(chosen) if chosen else None

    def _background(self, label: str, job: Callable[[Progress], T]) -> T | None:
        try:
            return run_in_background(self, label, job)
        except BackgroundError as error:
            self.tell(str(error))
            return None

    def export_templates(self) -> None:
        """导出填报模板: one department's template, or one for each department."""
        workspace = self.controller.workspace
        departments = [d.short_name for d in workspace.departments.values()]
        dialog = ExportTemplateDialog(
            departments,
            list(workspace.months),
            self.settings.get(USER_DEPARTMENT),
            workspace.as_of,
            self,
        )
        if not self._confirm(dialog):
            return
        department, month = dialog.department.currentData(), dialog.month.currentText()
        suggestion = f"{month}-{department}-填报模板.xlsx"
        target = self._ask_path("save" if department else "folder", suggestion)
        if target is None:
            return
        names = [department] if department else departments

        def job(progress: Progress) -> list[TemplateInfo]:
            done = []
            for number, name in enumerate(names):
                if not progress(number, len(names)):
                    break
                if department is None and not workspace.department_indicators(
                    workspace.department_named(name).id
                ):
                    continue
                path = target if department else target / f"{month}-{name}-填报模板.xlsx"
                done.append(export_template(workspace, name, month, path))
            return done

        exported = self._background(self.tr("Exporting templates…"), job)
        if exported:
            self.statusBar().showMessage(
                self.tr("%1 templates exported to %2")
                .replace("%1", str(len(exported)))
                .replace("%2", str(exported[0].path.parent)),
                8000,
            )

    def import_template(self, path: Path | None = None) -> None:
        """导入填报数据: check the file, show what it changes, apply on 应用."""
        path = path or self._ask_path("open")
        if path is None:
            return
        workspace = self.controller.workspace
        plan = self._background(
            self.tr("Checking %1…").replace("%1", path.name),
            lambda _progress: read_template(path, workspace),
        )
        if plan is None:
            return
        dialog = ImportPreviewDialog(plan, self)
        if not self._confirm(dialog):
            return
        prefer_file = dialog.prefer_file.isChecked()
        user = self.controller.user
        result = self._background(
            self.tr("Importing %1…").replace("%1", path.name),
            lambda _progress: apply_import(plan, workspace, user, prefer_file=prefer_file),
        )
        if result is None:
            return
        self.controller.written_elsewhere(result.changes.indicator_ids)
        self.statusBar().showMessage(
            self.tr("Imported as batch %1 (%2 indicators)")
            .replace("%1", str(result.batch_id))
            .replace("%2", str(len(result.changes.indicator_ids))),
            8000,
        )

    def undo_import(self) -> None:
        """撤销导入: take a whole import batch back."""
        dialog = UndoImportDialog(import_batches(self.controller.database), self)
        if not self._confirm(dialog) or dialog.selected() is None:
            return
        batch = dialog.selected()
        assert batch is not None
        workspace, user = self.controller.workspace, self.controller.user
        changes = self._background(
            self.tr("Undoing import %1…").replace("%1", str(batch.id)),
            lambda _progress: undo_import(workspace, batch.id, user),
        )
        if changes is not None:
            self.controller.written_elsewhere(changes.indicator_ids)
            self.statusBar().showMessage(
                self.tr("Import %1 undone").replace("%1", str(batch.id)), 8000
            )

    def export_report(self) -> None:
        """导出汇总报表 as of the month being evaluated."""
        target = self._ask_path("save", f"{self.controller.workspace.as_of}-进度情况汇总表.xlsx")
        if target is None:
            return
        workspace = self.controller.workspace  # only read; the progress dialog is modal

        def job(progress: Progress) -> ReportInfo:
            return write_report(workspace, target, progress=progress)

        info = self._background(self.tr("Writing the status report…"), job)
        if info is not None:
            self.statusBar().showMessage(
                self.tr("Report written to %1").replace("%1", str(info.path)), 8000
            )

    def _show_preview(self, dialog: QDialog) -> None:
        """Show the print preview (tests replace this)."""
        dialog.exec()

    def print_status(self) -> None:
        """打印: the status sheet and supervision notices, previewed and printed or as PDF."""
        from desktop.ui.print_dialog import (  # noqa: PLC0415 - print support on demand
            PreviewDialog,
            PrintDialog,
            PrintOutput,
        )
        from desktop.ui.printing import PdfInfo, write_pdf  # noqa: PLC0415

        workspace = self.controller.workspace
        dialog = PrintDialog(
            workspace,
            node_id=self.grid_model.node_id,
            department_id=self.department_filter.currentData(),
            parent=self,
        )
        if not self._confirm(dialog):
            return
        choice = dialog.choice()
        documents = build_documents(
            workspace,
            node_id=choice.node_id,
            department=choice.department,
            sheet=choice.sheet,
            notices=choice.notices,
        )
        if not documents:
            self.tell(
                self.tr("Nothing to print: no indicator is behind as of %1.").replace(
                    "%1", workspace.as_of
                )
            )
            return
        if choice.output is PrintOutput.PREVIEW:
            self._show_preview(PreviewDialog(documents, self))
            return
        scope = choice.department.short_name if choice.department else ""
        if choice.node_id is not None:
            scope = workspace.nodes[choice.node_id].code
        name = "进度情况表" if choice.sheet else "督办单"
        suggestion = "-".join(part for part in (workspace.as_of, scope, name) if part) + ".pdf"
        target = self._ask_path("save", suggestion, pdf=True)
        if target is None:
            return
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")

        def job(progress: Progress) -> PdfInfo:
            return write_pdf(target, documents, progress)

        info = self._background(self.tr("Writing the PDF…"), job)
        if info is not None:
            self.statusBar().showMessage(
                self.tr("PDF written to %1 (%2 pages)")
                .replace("%1", str(info.path))
                .replace("%2", str(info.pages)),
                8000,
            )

    def warn_if_network_share(self) -> None:
        """Two computers must not share one SQLite file over a network: say so at start."""
        reason = network_share(self.controller.database.path.parent)
        if reason:
            self.tell(
                self.tr(
                    "%1. SQLite cannot share a database between computers safely: figures may "
                    "be lost or the file damaged. Keep the database on this computer's disk and "
                    "exchange Excel templates with other offices."
                ).replace("%1", reason)
            )

    def start_chores(self) -> None:
        """After the window is shown: the network warning, the file's quick_check and then,
        if the file is sound, the daily backup; all without holding up the window."""
        self.warn_if_network_share()
        self.check_file(then=self.take_daily_backup)

    def check_file(self, then: Callable[[], None] | None = None) -> None:
        """SQLite's quick_check of the open file, in the background; damage is signalled."""
        path = self.controller.database.path

        def done(problems: tuple[str, ...]) -> None:
            if problems:
                self.damageFound.emit(DatabaseDamagedError(path, problems))
            elif then is not None:
                then()

        def failed(message: str) -> None:
            self.tell(message)

        self._chores.append(run_quietly(self, lambda: damage_of(path), done, failed))

    def abandon(self) -> None:
        """Close the window and its database without writing anything more to it."""
        self._abandoned = True
        self.finish_chores()
        self.controller.database.close()
        self.close()
        self.deleteLater()

    def take_daily_backup(self) -> None:
        """Once a day, on start, when the data changed: a checked backup beside the database,
        taken in the background (a large database takes a second or two)."""
        database = self.controller.database

        def done(path: Path | None) -> None:
            if path is not None:
                self.statusBar().showMessage(
                    self.tr("Backed up to %1").replace("%1", str(path)), 8000
                )

        def failed(message: str) -> None:
            self.tell(self.tr("The daily backup failed: %1").replace("%1", message))

        self._chores.append(run_quietly(self, lambda: daily_backup(database), done, failed))

    # --- backups ---------------------------------------------------------------------------

    def _show_backups(self, dialog: QDialog) -> None:
        """Show the backups dialog (tests replace this)."""
        dialog.exec()

    def _ask_yes(self, box: QMessageBox) -> bool:
        """Ask a yes/no question (tests replace this)."""
        return box.exec() == QMessageBox.StandardButton.Yes

    def show_backups(self) -> None:
        """备份: list the backups, make one, restore one."""
        database = self.controller.database
        dialog = BackupsDialog(database.path, backup_folder(database), self)
        dialog.backUpRequested.connect(lambda: self.back_up_now(dialog))
        dialog.restoreRequested.connect(lambda path: self.restore_backup(path, dialog))
        dialog.restoreFromFileRequested.connect(lambda: self.restore_from_file(dialog))
        self._show_backups(dialog)

    def back_up_now(self, dialog: BackupsDialog | None = None) -> None:
        self._save_pending_notes()
        database = self.controller.database
        path = self._background(
            self.tr("Backing up…"), lambda _progress: backup_before(database, "manual")
        )
        if path is None:
            return
        if dialog is not None:
            dialog.refresh()
        self.statusBar().showMessage(self.tr("Backed up to %1").replace("%1", str(path)), 8000)

    def restore_from_file(self, dialog: BackupsDialog | None = None) -> None:
        path = self._ask_path("open", backup=True)
        if path is not None:
            self.restore_backup(path, dialog)

    def restore_backup(self, path: Path, dialog: BackupsDialog | None = None) -> None:
        """Replace the figures with a backup's, after a confirmation and a backup of them."""
        entries = entry_count(path)
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Restore a backup"),
            self.tr(
                "Replace everything in the database with the backup %1 (%2 entries)? "
                "Figures entered since it was taken are replaced too. The current content is "
                "backed up first, so this restore can itself be undone from this list."
            )
            .replace("%1", path.name)
            .replace("%2", "?" if entries is None else str(entries)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            dialog or self,
        )
        box.setObjectName("confirmRestore")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        if not self._ask_yes(box):
            return
        self._save_pending_notes()
        self.finish_chores()
        database = self.controller.database
        saved = self._background(
            self.tr("Restoring %1…").replace("%1", path.name),
            lambda _progress: restore(database, path),
        )
        if saved is None:
            return
        self.controller.reload()
        if dialog is not None:
            dialog.refresh()
        self.statusBar().showMessage(
            self.tr("Restored from %1; the content it replaced is kept in %2")
            .replace("%1", path.name)
            .replace("%2", saved.name),
            10000,
        )

    def show_about(self) -> None:
        workspace = self.controller.workspace
        figures = (
            self.tr("DEMO figures, generated by target-monitor demo; not reported by anyone")
            if workspace.demo
            else self.tr("entered by the departments (monthly), with the history of every change")
        )
        text = (
            self.tr(
                "<h3>Target Monitor</h3>"
                "<p>Version %1 · Qt %2 · Python %3</p>"
                "<p><b>Database:</b> %4<br><b>Plan:</b> %5<br><b>Source:</b> %6</p>"
                "<p>Targets, units, deadlines and responsible departments are taken from the "
                "source document; every indicator keeps the sentence it quotes. "
                "<b>Figures:</b> %7.</p>"
            )
            .replace("%1", __version__)
            .replace("%2", qVersion())
            .replace("%3", platform.python_version())
            .replace("%4", html.escape(str(self.controller.database.path)))
            .replace("%5", html.escape(workspace.plan.title))
            .replace("%6", html.escape(workspace.plan.source))
            .replace("%7", figures)
        )
        # The installed program carries the notices of everything it bundles (packaging/).
        notices = bundled_file(NOTICES_FILE)
        licence = (
            self.tr("Licence: MIT. The software it includes, with their licences: %1").replace(
                "%1",
                f'<a href="{QUrl.fromLocalFile(str(notices)).toString()}">'
                f"{html.escape(notices.name)}</a>",
            )
            if notices.is_file()
            else self.tr("Licence: MIT.")
        )
        box = QMessageBox(self)
        box.setWindowTitle(self.tr("About Target Monitor"))
        box.setText(f"{text}<p>{licence}</p>")
        box.setObjectName("about")
        box.setIconPixmap(self.windowIcon().pixmap(64, 64))
        box.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByMouse
        )
        self._show_about(box)

    def _show_about(self, box: QMessageBox) -> None:
        """Show the About box (tests replace this to read it without a modal loop)."""
        box.exec()
