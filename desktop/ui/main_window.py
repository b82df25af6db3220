"""The main window: plan tree with filters, progress grid with notes and history, dashboard.

Layout and wiring only. What the window shows comes from the controller's plan; what it changes
goes through the controller as operations; its commands live by area in exchange_commands.py,
backup_commands.py, print_dialog.py and paste.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QTabWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.models.changes import Changes
from desktop.models.kinds import PlanState
from desktop.models.plan_parts import INDICATOR, NODE
from desktop.models.status_rule import Status

from desktop.ui.background import when_quiet
from desktop.ui.backup_commands import BackupCommands
from desktop.ui.commands import CommandContext, window_action
from desktop.ui.controller import PlanController
from desktop.ui.dashboard import Dashboard
from desktop.ui.exchange_commands import ExchangeCommands
from desktop.ui.grid_model import GridColumn, ProgressGridModel
from desktop.ui.i18n import fill, plan_state_text
from desktop.ui.light_settings import IndicatorThresholdsDialog, LightSettingsDialog
from desktop.ui.paste import ClipboardCommands
from desktop.ui.plan_commands import PlanCommands
from desktop.ui.plan_editor_commands import PlanEditorCommands
from desktop.ui.progress_panel import ProgressPanel
from desktop.ui.prompts import Prompts
from desktop.ui.settings import (
    APPEARANCE,
    EDIT_SPLITTER,
    LAST_PLAN,
    MAIN_SPLITTER,
    USER_DEPARTMENT,
    USER_NAME,
    WINDOW_GEOMETRY,
    WINDOW_STATE,
    Settings,
)
from desktop.ui.status_bar import WindowStatusBar
from desktop.ui.theme import action_icon, app_icon, apply_theme
from desktop.ui.tree_model import TreeColumn
from desktop.ui.tree_panel import NAME_LEAST, PlanTreePanel

if TYPE_CHECKING:
    from desktop.ui.help import GuideDialog
    from desktop.ui.trend_chart import TrendChart

ALERTS = (Status.RED, Status.YELLOW)  # what F8 goes to
# The names' room the first layout gives the grid (seven characters and more) before the
# tree (whose names are elided in the middle, their code and end kept) lends it some of its own.
GRID_NAME_ROOM = 120
# The banner over a plan that is over, closed or a draft: a pale amber, as an office suite's.
BANNER_TINT = "#fff4d6"
BANNER_INK = "#5c4400"


LOAD_WHEN_QUIET_MS = 300  # the database layer's background load waits for such a pause


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
        self.guide: GuideDialog | None = None
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
        self.tree_panel = PlanTreePanel(self.controller, self)
        self.tree_model = self.tree_panel.model
        self.grid_model = ProgressGridModel(self.controller, self.tree_model.shown_indicators, self)

    def _build_widgets(self) -> None:
        panel = self.tree_panel
        self.tree, self.search_box = panel.tree, panel.search_box
        self.department_filter, self.status_filter = panel.department_filter, panel.status_filter
        self.progress = ProgressPanel(self.controller, self.grid_model, self)
        self.edit_splitter, self.grid = self.progress, self.progress.grid
        self.notes, self.history = self.progress.notes, self.progress.history
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("mainTabs")
        self.tabs.addTab(self.progress, self.tr("Monthly progress"))
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
        self.main_splitter.addWidget(self.tree_panel)
        self.main_splitter.addWidget(self.tabs)
        self.main_splitter.setStretchFactor(0, 2)
        self.main_splitter.setStretchFactor(1, 3)
        self.plan_selector = QComboBox(self)
        self.plan_selector.setObjectName("planSelector")
        self.plan_selector.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.plan_selector.setMinimumContentsLength(16)  # the year and the title's beginning
        self.period_selector = QComboBox(self)
        self.period_selector.setObjectName("periodSelector")
        self.period_selector.setToolTip(self.tr("The month whose figures the lights judge"))
        self.plan_banner = QLabel(self)
        self.plan_banner.setObjectName("planBanner")
        self.plan_banner.setWordWrap(True)
        self.plan_banner.setContentsMargins(8, 4, 8, 4)
        self.plan_banner.setStyleSheet(f"background: {BANNER_TINT}; color: {BANNER_INK};")
        self.plan_banner.linkActivated.connect(lambda _link: self.plan_selector.showPopup())
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.plan_banner)
        layout.addWidget(self.main_splitter, 1)
        self.setCentralWidget(central)
        self._show_plan()

    def _show_plan(self) -> None:
        """The plans to choose from, the plan's months, and what the banner says of it."""
        workspace = self.controller.workspace
        for selector in (self.plan_selector, self.period_selector):
            selector.blockSignals(True)
            selector.clear()
        for plan in workspace.plans:
            label = fill(
                self.tr("%1 %2 (%3)"), str(plan.year), plan.title, plan_state_text(plan.state)
            )
            self.plan_selector.addItem(label, plan.code)
            index = self.plan_selector.count() - 1
            self.plan_selector.setItemData(index, label, Qt.ItemDataRole.ToolTipRole)
        self.plan_selector.setCurrentIndex(self.plan_selector.findData(workspace.plan.code))
        self.plan_selector.setToolTip(self.plan_selector.currentText())
        for month in workspace.months:
            self.period_selector.addItem(month, month)
        self.period_selector.setCurrentIndex(self.period_selector.findData(workspace.as_of))
        for selector in (self.plan_selector, self.period_selector):
            selector.blockSignals(False)
        self.plan_banner.setText(self._banner_text())
        self.plan_banner.setVisible(bool(self.plan_banner.text()))

    def _banner_text(self) -> str:
        """What a user must know of the plan shown: that it is over, closed, or a draft."""
        workspace = self.controller.workspace
        plan = workspace.plan
        others = len(workspace.plans) > 1
        if plan.state is PlanState.DRAFT:
            text = self.tr("This plan is a draft: its targets are being written.")
        elif plan.state is PlanState.CLOSED:
            text = self.tr("This plan is closed: its figures can be read, not changed.")
        elif plan.end < dt.date.today():
            text = fill(self.tr("This plan ended on %1."), f"{plan.end:%Y-%m-%d}")
        else:
            return ""
        if others:
            link = self.tr("Other plans…")
            text += f' <a href="plans">{link}</a>'
        return text

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
        self.plans = PlanCommands(self.context, self.progress.current_indicator)
        self.editor = PlanEditorCommands(
            self.context,
            tree=self.tree,
            grid=self.grid,
            current_node=self.tree_panel.node_id,
            current_indicator=self.progress.current_indicator,
            show_node=self.select_node,
            show_indicator=self.jump_to_indicator,
        )
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
        self.find_action = self._action(
            "find", self.tr("&Find"), keys.Find, self.tree_panel.focus_search
        )
        self.reload_action = self._action("reload", self.tr("&Reload"), keys.Refresh, self.reload)
        self.settings_action = self._action(
            "settings", self.tr("&Settings…"), "Ctrl+,", self.open_settings
        )
        self.thresholds_action = self._action(
            "thresholds", self.tr("Status &thresholds…"), None, self.open_light_settings
        )
        self.indicator_thresholds_action = self._action(
            "indicator-thresholds",
            self.tr("Thresholds of this &indicator…"),
            None,
            self.open_indicator_thresholds,
        )
        self.next_plan_action = self._action(
            "next-plan", self.tr("&Next year's plan…"), None, self.plans.make_next_plan
        )
        self.activate_plan_action = self._action(
            "activate-plan",
            self.tr("Make the plan &active"),
            None,
            lambda: self.plans.move_plan(PlanState.ACTIVE),
        )
        self.close_plan_action = self._action(
            "close-plan",
            self.tr("&Close the plan"),
            None,
            lambda: self.plans.move_plan(PlanState.CLOSED),
        )
        self.reopen_plan_action = self._action(
            "reopen-plan",
            self.tr("&Reopen the plan"),
            None,
            lambda: self.plans.move_plan(PlanState.ACTIVE),
        )
        self.target_action = self._action(
            "set-target", self.tr("Set the &target…"), None, self.plans.edit_target
        )
        self.export_plan_action = self._action(
            "export-template",
            self.tr("&Export the plan as a workbook…"),
            None,
            self.plans.export_plan,
        )
        self.import_plan_action = self._action(
            "import", self.tr("&Import a plan workbook…"), None, self.plans.import_plan
        )
        self.quit_action = self._action("quit", self.tr("&Quit"), "Ctrl+Q", self.close)
        self.expand_action = self._action(
            "expand", self.tr("&Expand all"), None, self.tree.expandAll
        )
        self.collapse_action = self._action(
            "collapse", self.tr("&Collapse all"), None, lambda: self.tree.expandToDepth(0)
        )
        self.about_action = self._action("about", self.tr("&About"), None, self.show_about)
        self.guide_action = self._action(
            "guide", self.tr("&User guide"), keys.HelpContents, self.show_guide
        )
        self.shortcuts_action = self._action(
            "shortcuts", self.tr("&Keyboard shortcuts"), None, self.show_shortcuts
        )
        self.next_alert_action = self._action(
            "next-alert",
            self.tr("&Next red or yellow indicator"),
            "F8",
            lambda: self.go_to_alert(1),
        )
        self.previous_alert_action = self._action(
            "previous-alert",
            self.tr("&Previous red or yellow indicator"),
            "Shift+F8",
            lambda: self.go_to_alert(-1),
        )
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
        slot: Callable[[], object],
    ) -> QAction:
        return window_action(self, icon, text, slot, shortcut)

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
        file_menu.addActions(
            [
                self.backups_action,
                self.reload_action,
                self.thresholds_action,
                self.indicator_thresholds_action,
                self.settings_action,
            ]
        )
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu(self.tr("&Edit"))
        edit_menu.addActions([self.undo_action, self.redo_action])
        edit_menu.addSeparator()
        edit_menu.addActions([self.copy_action, self.paste_action, self.find_action])
        self._build_plan_menu(bar.addMenu(self.tr("Pla&n")))
        view_menu = bar.addMenu(self.tr("&View"))
        view_menu.addActions([self.expand_action, self.collapse_action])
        view_menu.addSeparator()
        view_menu.addActions([self.next_alert_action, self.previous_alert_action])
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addActions([self.guide_action, self.shortcuts_action])
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)

        toolbar = QToolBar(self.tr("Main toolbar"), self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.setIconSize(QSize(20, 20))
        toolbar.addWidget(QLabel(self.tr("Plan "), self))
        toolbar.addWidget(self.plan_selector)
        as_of = QLabel(self.tr("Figures as of "), self)
        as_of.setContentsMargins(12, 0, 0, 0)
        toolbar.addWidget(as_of)
        toolbar.addWidget(self.period_selector)
        toolbar.addSeparator()
        toolbar.addActions([self.undo_action, self.redo_action, self.reload_action])
        toolbar.addSeparator()
        toolbar.addActions([self.export_templates_action, self.import_action])
        toolbar.addActions([self.report_action, self.print_action])
        toolbar.addSeparator()
        toolbar.addAction(self.settings_action)
        # Undo and redo name their step ("Undo Import …"): as icons only, with the step in the
        # tooltip, the toolbar does not shift each time the step changes.
        for action in (self.undo_action, self.redo_action):
            button = toolbar.widgetForAction(action)
            if isinstance(button, QToolButton):
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.toolbar = toolbar
        self.addToolBar(toolbar)
        self.addToolBarBreak()
        self.editor.toolbar.setIconSize(QSize(18, 18))
        self.addToolBar(self.editor.toolbar)

    def _build_status_bar(self) -> None:
        self.status = WindowStatusBar(self.controller.database.name, self)
        self.setStatusBar(self.status)
        self.demo_label, self.saved_label = self.status.demo_label, self.status.saved_label
        self.user_label = self.status.user_label
        self.status.show_user(self.controller.user)

    def _connect(self) -> None:
        self.period_selector.currentIndexChanged.connect(
            lambda _i: self.controller.set_period(self.period_selector.currentData())
        )
        self.plan_selector.currentIndexChanged.connect(
            lambda _i: self.switch_plan(self.plan_selector.currentData())
        )
        self.progress.fixed_columns.doubleClicked.connect(self._on_fixed_double_click)
        self._update_plan_actions()
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.tree_panel.filtered.connect(self.grid_model.refilter)
        self.tree_panel.nodeChanged.connect(self._show_node)
        self.tree_panel.nodeChanged.connect(lambda _node: self.editor.update())
        self.tree.doubleClicked.connect(self._on_tree_double_click)
        self.progress.indicatorChanged.connect(lambda _indicator: self._chart_follow())
        self.progress.indicatorChanged.connect(lambda _indicator: self.editor.update())
        controller = self.controller
        controller.changed.connect(self._on_changed)
        controller.refused.connect(self.tell)
        controller.noted.connect(self.note)
        controller.saved.connect(self.status.show_saved)
        controller.serverHeard.connect(self.status.show_server)
        self.progress.entry_delegate.inputRefused.connect(self.note)
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
        self.editor.toolbar.setVisible(self.editor.on)  # the editor's mode starts off
        restored = self.main_splitter.restoreState(settings.get(MAIN_SPLITTER))
        restored = self.edit_splitter.restoreState(settings.get(EDIT_SPLITTER)) and restored
        self._first_layout = not restored
        self._shown_before = False  # the database layer loads after the first showing
        self.show_department(settings.get(USER_DEPARTMENT))

    def show_department(self, department: str) -> None:
        """Filter the tree and the grid to a department's indicators (by its short name)."""
        self.tree_panel.show_department(department)

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
        if not self._shown_before:
            self._shown_before = True
            # once the window is up and left alone a moment: its loading slows neither the
            # first paint nor what the user does first (the watch for that moment begins
            # after the first paint too: it sees every event, and a first showing has many)
            QTimer.singleShot(LOAD_WHEN_QUIET_MS, self._load_when_quiet)
        QTimer.singleShot(0, self.progress.show_current_month)  # once the grid has its size

    def _load_when_quiet(self) -> None:
        when_quiet(self, LOAD_WHEN_QUIET_MS, self.backups.load_database_layer)

    def _default_layout(self) -> None:
        """First start: the tree takes half (its names need the room on an office screen of
        1366 pixels), the grid most of the rest, so this month's column stands in view beside
        the indicator names."""
        width = max(self.main_splitter.width(), 800)
        tree = width // 2
        self.main_splitter.setSizes([tree, width - tree])
        self.progress.default_layout(width - tree)
        QTimer.singleShot(0, self._balance_names)  # once both sides have their widths

    def _balance_names(self) -> None:
        """Where the grid's names are left too little room (in English, whose words are longer,
        on a screen of 1366 pixels), the tree lends it some of its names' room."""
        grid_names = self.progress.fixed_columns.columnWidth(GridColumn.NAME)
        tree_names = self.tree.columnWidth(TreeColumn.NAME)
        shift = min(GRID_NAME_ROOM - grid_names, tree_names - NAME_LEAST)
        if shift > 0:
            tree, tabs = self.main_splitter.sizes()
            self.main_splitter.setSizes([tree - shift, tabs + shift])

    def closeEvent(self, event: QCloseEvent) -> None:  # QMainWindow.closeEvent
        if not self._abandoned:
            self.save_pending_notes()  # nothing typed is lost on closing
            self.controller.workspace.keep_arrays()  # the next start need not read the rows
        self.save_state()
        self.backups.finish_chores()
        self.controller.stop_watching()
        super().closeEvent(event)

    def start_chores(self) -> None:
        """After the window is shown: the quiet checks of the file (backup_commands.py); on a
        server, hearing what others commit."""
        self.backups.start_chores()
        self.controller.watch_server()

    def abandon(self) -> None:
        """Close the window and its database without writing anything more to it."""
        self._abandoned = True
        self.backups.finish_chores()
        self.controller.stop_watching()
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
        self.status.show_demo(workspace.demo)

    # --- selection ---------------------------------------------------------------------------

    def select_node(self, node_id: int | None) -> None:
        """Show a node (the plan for None) in the tree, the grid and the overview."""
        self._show_node(self.tree_panel.select(node_id), again=True)

    def _show_node(self, node_id: int | None, *, again: bool = False) -> None:
        if node_id != self.grid_model.node_id or again:
            self.save_pending_notes()
            self.grid_model.set_node(node_id)
        self.dashboard.set_node(node_id)

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
        indicator = self.progress.current_indicator()
        if indicator is not None:
            self.chart.show_indicator(indicator)
        else:
            self.chart.show_node(self.grid_model.node_id)

    def save_pending_notes(self) -> None:
        self.progress.save_pending_notes()

    def jump_to_indicator(self, indicator_id: int) -> None:
        """Show an indicator's row in the grid, at the month being evaluated."""
        workspace = self.controller.workspace
        if not self.tree_model.indicator_passes(indicator_id):
            self.tree_panel.clear_filters()
        self.select_node(workspace.indicators[indicator_id].measure_id)
        self.tabs.setCurrentWidget(self.progress)
        self.progress.go_to(indicator_id, workspace.as_of)

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
        self.status.note(message)

    def switch_plan(self, code: str) -> None:
        """Show another plan (its last month with figures due); the window reopens on it."""
        if code == self.controller.workspace.plan.code:
            return
        self.save_pending_notes()  # notes typed for the plan being left are kept
        self.controller.switch_plan(code)
        self.settings.set(LAST_PLAN, code)
        self.note(fill(self.tr("Showing %1"), self.controller.workspace.plan.title))

    def _build_plan_menu(self, menu: QMenu) -> None:
        menu.addAction(self.next_plan_action)
        menu.addSeparator()
        menu.addActions(
            [self.activate_plan_action, self.close_plan_action, self.reopen_plan_action]
        )
        menu.addSeparator()
        menu.addAction(self.target_action)
        menu.addSeparator()
        menu.addActions([self.export_plan_action, self.import_plan_action])
        menu.addSeparator()
        menu.addAction(self.editor.mode_action)
        menu.addMenu(self.editor.menu)

    def _update_plan_actions(self) -> None:
        """What a manager can do with the plan shown, by its state."""
        state = self.controller.workspace.plan.state
        self.activate_plan_action.setEnabled(state is PlanState.DRAFT)
        self.close_plan_action.setEnabled(state is PlanState.ACTIVE)
        self.reopen_plan_action.setEnabled(state is PlanState.CLOSED)
        self.target_action.setEnabled(state is PlanState.DRAFT)
        self.editor.update()

    def _on_fixed_double_click(self, index: QModelIndex) -> None:
        if self.editor.on:
            self.editor.set_area(INDICATOR)
            self.editor.edit()
        elif index.column() == GridColumn.TARGET:
            self.plans.edit_target(self.grid_model.indicator_at(index.row()))

    def _on_tree_double_click(self, _index: QModelIndex) -> None:
        if self.editor.on:
            self.editor.set_area(NODE)
            self.editor.edit()

    def _on_changed(self, changes: Changes) -> None:
        if not changes.rebuilt:
            return
        self._show_plan()
        self._update_plan_actions()
        self.tree_panel.fill_departments()
        self._update_title()
        self.tree_panel.expand_default()
        self.select_node(self.grid_model.node_id)

    # --- commands of the window itself -----------------------------------------------------

    def reload(self) -> None:
        self.save_pending_notes()
        self.controller.reload()
        self.note(self.tr("Reloaded from the database"))

    def open_settings(self) -> None:
        from desktop.ui.dialogs import SettingsDialog  # noqa: PLC0415 (when used)

        departments = [d.short_name for d in self.controller.workspace.departments.values()]
        if self.prompts.confirm(SettingsDialog(self.settings, departments, self)):
            self.apply_settings()

    def open_light_settings(self) -> None:
        """The plan's thresholds and parent-light rule, changed for every PC (undoable)."""
        dialog = LightSettingsDialog(self.controller.workspace.light_settings, self)
        if self.prompts.confirm(dialog):
            self.controller.set_light_settings(dialog.wanted())

    def open_indicator_thresholds(self) -> None:
        """The current indicator's own thresholds, which override the plan's (undoable)."""
        indicator_id = self.progress.current_indicator()
        if indicator_id is None:
            self.tell(self.tr("Choose an indicator in the grid first."))
            return
        workspace = self.controller.workspace
        info = workspace.indicators[indicator_id]
        dialog = IndicatorThresholdsDialog(
            f"{info.code} {info.name}",
            workspace.light_settings.thresholds,
            (info.yellow_threshold, info.red_threshold),
            self,
        )
        if self.prompts.confirm(dialog):
            self.controller.set_indicator_thresholds(indicator_id, dialog.own())

    def apply_settings(self) -> None:
        """Take the stored user and appearance into use."""
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, self.settings.get(APPEARANCE))
        name = self.settings.get(USER_NAME)
        if name and name != self.controller.user:
            self.controller.set_user(name)
            self.status.show_user(name)

    def print_status(self) -> None:
        from desktop.ui.print_dialog import print_status  # noqa: PLC0415 - print support on demand

        print_status(
            self.context,
            node_id=self.grid_model.node_id,
            department_id=self.tree_panel.department_id(),
        )

    def go_to_alert(self, step: int) -> None:
        """F8 / Shift+F8: the next (step 1) or previous (-1) red or yellow indicator the filters
        show, in tree order from the grid's indicator (or the tree's node), round at the end."""
        workspace = self.controller.workspace
        order = workspace.indicators_under(None)
        rank = {indicator: place for place, indicator in enumerate(order)}
        alerts = [
            i
            for i in order
            if workspace.status_of(i) in ALERTS and self.tree_model.indicator_passes(i)
        ]
        if not alerts:
            self.note(self.tr("No indicator shown is red or yellow"))
            return
        current = self.progress.current_indicator()
        if current is not None:
            here = float(rank[current])
        else:  # from the selected node: its first indicator is the next one
            under = workspace.indicators_under(self.grid_model.node_id)
            here = rank[under[0]] - 0.5 if under and self.grid_model.node_id else -0.5
        if step > 0:
            after = [i for i in alerts if rank[i] > here]
            target = after[0] if after else alerts[0]
        else:
            before = [i for i in alerts if rank[i] < here]
            target = before[-1] if before else alerts[-1]
        self.jump_to_indicator(target)

    def focused_area(self) -> str:
        """The guide's section for the part of the window that has the keyboard focus."""
        areas = {
            self.grid: "grid",
            self.notes: "notes",
            self.history: "notes",
            self.tree_panel: "tree",
            self.dashboard: "overview",
            self.chart_holder: "chart",
            self.plan_selector: "plans",
            self.plan_banner: "plans",
        }
        widget = QApplication.focusWidget()
        while widget is not None:
            if widget in areas:
                return areas[widget]
            widget = widget.parentWidget()
        return "window"

    def show_guide(self) -> None:
        """F1: the user guide, at the part for the area in use."""
        from desktop.ui.help import GuideDialog  # noqa: PLC0415 (when used)

        area = self.focused_area()
        if self.guide is None:
            self.guide = GuideDialog(self)
        self.guide.show()  # laid out first, so that it can scroll
        self.guide.show_section(area)
        self.guide.raise_()
        self.guide.activateWindow()

    def show_shortcuts(self) -> None:
        from desktop.ui.help import ShortcutsDialog  # noqa: PLC0415 (when used)

        commands: list[QAction | QAbstractButton] = [*self.actions(), self.notes.save_button]
        self.prompts.show(ShortcutsDialog(commands, self))

    def show_about(self) -> None:
        from desktop.ui.dialogs import about_box  # noqa: PLC0415 (when used)

        workspace = self.controller.workspace
        self.prompts.show(about_box(self, workspace, self.controller.database.name))
