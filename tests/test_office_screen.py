"""The window on an office screen of 1366 × 768, in English (whose words are the longest): the
tree's names readable, its columns and the history's all in view, nothing clipped, a toolbar
that stays put, the chart's months legible and as of the chosen month, and the print scope
remembered."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QDialog, QStyle

from desktop.models.kinds import MilestoneState
from desktop.models.status_rule import Status
from tests.test_main_window import type_into_cell
from tests.ui_helpers import ScriptedPrompts, grid_index, indicator_id, node_id

from desktop.ui.app import create_main_window
from desktop.ui.delegates import status_shown
from desktop.ui.grid_model import GridColumn
from desktop.ui.i18n import state_text, status_text
from desktop.ui.main_window import MainWindow
from desktop.ui.print_dialog import PrintDialog, PrintOutput
from desktop.ui.settings import Settings
from desktop.ui.tree_model import TreeColumn

OFFICE_SCREEN = (1366, 738)  # 768 less the taskbar
PADDING = 12  # the least room a cell or header needs beside its text


@pytest.fixture
def office_window(
    qtbot: QtBot, seed_copy: Path, settings: Settings, prompts: ScriptedPrompts
) -> Iterator[MainWindow]:
    """The window at its first start on a 1366 × 768 screen."""
    main = create_main_window(seed_copy, settings=settings, as_of="2025-06", prompts=prompts)
    qtbot.addWidget(main)
    main.resize(*OFFICE_SCREEN)
    main.show()
    qtbot.waitExposed(main)
    yield main
    main.close()
    main.controller.database.close()


def tree_rows(window: MainWindow) -> list[QModelIndex]:
    window.tree.expandAll()
    model, rows = window.tree_model, []

    def visit(parent: QModelIndex) -> None:
        for row in range(model.rowCount(parent)):
            index = model.index(row, TreeColumn.NAME, parent)
            rows.append(index)
            visit(index)

    visit(QModelIndex())
    return rows


def test_every_name_in_the_tree_shows_its_code_and_its_end_and_the_tooltip_all_of_it(
    qtbot: QtBot, office_window: MainWindow
) -> None:
    tree = office_window.tree
    assert tree.columnWidth(TreeColumn.NAME) >= 120
    margin = tree.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, tree)
    for tree_width in (None, 480):  # as first laid out; then with the tree narrowed by hand
        if tree_width is not None:
            office_window.main_splitter.setSizes([tree_width, OFFICE_SCREEN[0] - tree_width])
            qtbot.wait(20)
        elided = 0
        for index in tree_rows(office_window):
            name = index.data()
            shown = tree.shown_text(index)  # what the tree paints in the name's room
            room = tree.visualRect(index).width() - 2 * (margin + 1)  # inside the margins
            assert tree.fontMetrics().horizontalAdvance(shown) <= room, (name, shown)
            code = name.split()[0] if " " in name else name[0]  # (the plan's title has no code)
            assert shown.startswith(code) and shown[-1] == name[-1], (name, shown)
            assert name in index.data(Qt.ItemDataRole.ToolTipRole)
            elided += shown != name
        assert tree_width is None or elided > 10  # narrowed: many names had to be shortened


def test_no_header_or_status_word_of_the_tree_is_clipped_in_english(
    office_window: MainWindow,
) -> None:
    tree = office_window.tree
    header = tree.header()
    for column in TreeColumn:
        if column is TreeColumn.NAME:
            continue
        title = office_window.tree_model.headerData(column, Qt.Orientation.Horizontal)
        assert header.fontMetrics().horizontalAdvance(title) + PADDING <= header.sectionSize(
            column
        ), title
    longest = max(tree.fontMetrics().horizontalAdvance(status_text(s)) for s in Status)
    light = 24  # the status delegate's light before the word
    assert longest + light <= header.sectionSize(TreeColumn.STATUS)
    departments = office_window.controller.workspace.departments.values()
    widest = max(tree.fontMetrics().horizontalAdvance(d.short_name) for d in departments)
    assert widest + PADDING <= header.sectionSize(TreeColumn.DEPARTMENT)


def test_the_history_shows_all_its_columns(qtbot: QtBot, office_window: MainWindow) -> None:
    type_into_cell(qtbot, office_window, "2.1.1-1", "2025-06", "99")
    office_window.grid.setCurrentIndex(grid_index(office_window, "2.1.1-1", "2025-06"))
    view = office_window.history.view
    assert view.model().rowCount() == 1
    header = view.horizontalHeader()
    for column in range(view.model().columnCount()):
        title = view.model().headerData(column, Qt.Orientation.Horizontal)
        assert header.fontMetrics().horizontalAdvance(title) + PADDING <= header.sectionSize(
            column
        ), title
        assert header.sectionViewportPosition(column) + header.sectionSize(column) <= (
            view.viewport().width()
        ), title
    margin = view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
    when = view.model().index(0, 0).data()  # the time stands whole
    assert view.fontMetrics().horizontalAdvance(when) + 2 * margin <= header.sectionSize(0)


def test_the_toolbar_stays_put_when_the_undo_step_changes(
    qtbot: QtBot, office_window: MainWindow
) -> None:
    toolbar = office_window.toolbar
    actions = [a for a in toolbar.actions() if not a.isSeparator()]

    def places() -> list[int]:
        return [toolbar.widgetForAction(a).x() for a in actions if toolbar.widgetForAction(a)]

    before = places()
    type_into_cell(qtbot, office_window, "2.1.1-1", "2025-06", "99")
    assert office_window.undo_action.text() != "Undo"  # it names the step now
    qtbot.wait(10)
    assert places() == before
    button = toolbar.widgetForAction(office_window.undo_action)
    assert office_window.undo_action.text().replace("&", "") in button.toolTip()


def test_the_print_scope_chosen_is_offered_next_time(
    office_window: MainWindow, prompts: ScriptedPrompts
) -> None:
    chosen: list[str] = []

    def choose(dialog: QDialog) -> bool:
        assert isinstance(dialog, PrintDialog)
        chosen.append(dialog.scope.currentText())
        if len(chosen) == 1:
            science = dialog.scope.findText("科技局", Qt.MatchFlag.MatchContains)
            dialog.scope.setCurrentIndex(science)
            dialog.pdf_button.click()  # (no file chosen then: nothing written)
            return dialog.output is PrintOutput.PDF
        return False

    prompts.on(PrintDialog, choose)
    office_window.print_action.trigger()
    office_window.print_action.trigger()
    assert chosen[0] == "The whole plan" and "科技局" in chosen[1]


def test_the_chart_s_month_labels_stand_apart_at_any_width(
    qtbot: QtBot, office_window: MainWindow
) -> None:
    office_window.tabs.setCurrentWidget(office_window.chart_holder)
    chart = office_window.chart
    assert chart is not None
    axis = chart.month_axis
    widths = []
    for width in (200, 500, 800, 1360):  # the chart's, as the tree beside it is widened
        office_window.main_splitter.setSizes([OFFICE_SCREEN[0] - width, width])
        qtbot.wait(20)
        widths.append(axis.width())
        first, last = chart.plot.viewRange()[0]
        ((_spacing, values),) = axis.tickValues(first, last, axis.width())
        labels = axis.tickStrings(values, 1.0, 1.0)
        assert labels and all(labels), width
        per_month = axis.width() / (last - first)
        widest = max(QFontMetrics(axis.font()).horizontalAdvance(text) for text in labels)
        gaps = [b - a for a, b in itertools.pairwise(values)]
        assert min(gaps) * per_month >= widest + 4, width  # no two labels touch
    assert set(gaps) == {1.0}  # wide enough: every month
    assert min(widths) < 450 and max(widths) > 1000, widths


def test_an_indicator_s_chart_follows_figures_as_of(office_window: MainWindow) -> None:
    window = office_window
    cells = [
        window.controller.cell(indicator_id(window, "2.1.1-1"), period, value=value)
        for period, value in {"2025-04": 60, "2025-05": 90, "2025-06": 120}.items()
    ]
    assert window.controller.edit(cells, "figures")
    window.tabs.setCurrentWidget(window.chart_holder)
    window.select_node(node_id(window, "2.1.1"))
    window.grid.setCurrentIndex(grid_index(window, "2.1.1-1", "2025-06"))
    chart = window.chart
    assert chart is not None
    assert list(chart.items["actual"].getData()[1]) == [60, 90, 120]
    window.period_selector.setCurrentIndex(window.period_selector.findData("2025-05"))
    assert list(chart.items["actual"].getData()[1]) == [60, 90]  # June is not seen yet


def test_the_overview_s_headline_and_counts_stand_whole_in_english(
    qtbot: QtBot, office_window: MainWindow
) -> None:
    office_window.select_node(node_id(office_window, "2.1"))
    office_window.tabs.setCurrentWidget(office_window.dashboard)
    qtbot.wait(20)
    for label in (office_window.dashboard.headline, office_window.dashboard.counts):
        assert label.width() >= office_window.dashboard.width() * 0.8, label.objectName()
        assert label.heightForWidth(label.width()) <= label.height(), label.objectName()
    lines = office_window.dashboard.headline.heightForWidth(
        office_window.dashboard.headline.width()
    )
    assert lines <= 3 * office_window.dashboard.headline.fontMetrics().lineSpacing() + 8


def test_the_grid_shows_three_months_beside_its_frozen_columns(
    qtbot: QtBot, office_window: MainWindow
) -> None:
    """A clerk on a 1366-pixel screen sees this month and the two before it whole, beside the
    names, with the notes and the history under the grid (beside it, they left less than one
    month in sight)."""
    grid = office_window.grid
    qtbot.waitUntil(lambda: grid.viewport().width() > 0)
    month = office_window.progress.model.column_of("2025-06")
    assert month is not None
    whole = [
        column
        for column in range(month - 2, month + 1)
        if grid.viewport().rect().contains(grid.visualRect(grid.model().index(0, column)))
    ]
    assert whole == [month - 2, month - 1, month]
    fixed = office_window.progress.fixed_columns
    assert fixed.columnWidth(1) >= 100  # the names keep room to be read (seven characters)
    for pane in (office_window.progress.notes, office_window.history):
        assert pane.isVisible() and pane.width() >= 220 and pane.height() >= 150


def test_a_milestone_s_state_stands_whole_in_its_month_in_english(
    office_window: MainWindow,
) -> None:
    """ "In progress" is longer than 推进中: the months are as wide as their longest word."""
    grid = office_window.grid
    month = office_window.progress.model.column_of("2025-06")
    assert month is not None
    for state in MilestoneState:
        word = state_text(state)
        assert grid.fontMetrics().horizontalAdvance(word) + PADDING <= grid.columnWidth(month), word


def test_no_header_or_word_of_the_grid_s_frozen_columns_is_clipped_in_english(
    office_window: MainWindow,
) -> None:
    """The unit "milestone" and the headers are longer in English than 里程碑 and 单位; the
    lights' column is headed by three lights, its word in the tooltip."""
    fixed = office_window.progress.fixed_columns
    model = fixed.model()
    header = fixed.horizontalHeader()
    margin = fixed.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, fixed) + 1
    for column in (GridColumn.CODE, GridColumn.UNIT, GridColumn.TARGET, GridColumn.COMPLETION):
        title = model.headerData(column, Qt.Orientation.Horizontal)
        assert header.fontMetrics().horizontalAdvance(title) + PADDING <= fixed.columnWidth(column)
        for row in range(model.rowCount()):
            word = model.index(row, column).data()
            if column is not GridColumn.COMPLETION:  # (painted as a bar and a percentage)
                room = fixed.columnWidth(column) - 2 * margin
                assert fixed.fontMetrics().horizontalAdvance(word) <= room, word
    units = {model.index(row, GridColumn.UNIT).data() for row in range(model.rowCount())}
    assert "milestone" in units
    status = GridColumn.STATUS
    assert model.headerData(status, Qt.Orientation.Horizontal) == ""
    assert model.headerData(status, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == (
        "Status"
    )
    icon = model.headerData(status, Qt.Orientation.Horizontal, Qt.ItemDataRole.DecorationRole)
    assert not icon.isNull() and icon.availableSizes()[0].width() + PADDING <= fixed.columnWidth(
        status
    )


def test_the_tree_s_targets_and_latest_figures_stand_whole_with_their_month_when_stale(
    qtbot: QtBot, office_window: MainWindow
) -> None:
    tree = office_window.tree
    rows = tree_rows(office_window)
    margin = tree.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, tree) + 1
    room = tree.columnWidth(TreeColumn.TARGET) - 2 * margin
    targets = [row.siblingAtColumn(TreeColumn.TARGET).data() for row in rows]
    assert targets[0] == "48 indicators"
    for target in targets:
        if target == targets[0] or (target[:4].isdigit() and "-" in target):  # counts and dates
            assert tree.fontMetrics().horizontalAdvance(target) <= room, target

    measure = next(row for row in rows if row.data().startswith("2.1.2 "))
    latest = measure.siblingAtColumn(TreeColumn.LATEST)
    type_into_cell(qtbot, office_window, "2.1.2-1", "2025-05", "14")
    assert latest.data() == "14 项 (2025-05)"  # a month before the one evaluated: it says so
    assert latest.data(Qt.ItemDataRole.ToolTipRole) == "14 项 (2025-05)"
    type_into_cell(qtbot, office_window, "2.1.2-1", "2025-06", "15")
    assert latest.data() == "15 项"  # the month evaluated goes without saying
    room = tree.columnWidth(TreeColumn.LATEST) - 2 * margin
    assert tree.fontMetrics().horizontalAdvance(latest.data()) <= room
    for state in MilestoneState:  # a milestone's latest report
        assert tree.fontMetrics().horizontalAdvance(state_text(state)) <= room, state


def test_the_overview_s_parts_stand_whole_beside_their_names_in_english(
    qtbot: QtBot, office_window: MainWindow
) -> None:
    """ "Not reported" and "Planned progress" take two lines in the header: every column of
    the parts' table is in view without scrolling sideways, the names keep room to be read."""
    office_window.select_node(None)
    office_window.tabs.setCurrentWidget(office_window.dashboard)
    qtbot.wait(20)
    for view in (office_window.dashboard.summary_view, office_window.dashboard.attention_view):
        header = view.horizontalHeader()
        assert header.length() <= view.viewport().width(), view.objectName()
        assert not view.horizontalScrollBar().isVisible(), view.objectName()
        for column in range(header.count()):
            title = str(view.model().headerData(column, Qt.Orientation.Horizontal))
            assert "\n" not in title or title.replace("\n", " ") in (
                "Planned progress",
                "On track",
                "Far behind",
                "Not reported",
            )
            widest = max(header.fontMetrics().horizontalAdvance(t) for t in title.split("\n"))
            margin = header.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, header)
            assert widest + 2 * margin <= header.sectionSize(column), title
            lines = title.count("\n") + 1
            assert lines * header.fontMetrics().lineSpacing() <= header.height(), title
    assert office_window.dashboard.summary_view.columnWidth(0) >= 100


def test_a_parent_s_light_word_stands_whole_when_its_counts_do_not_fit(
    office_window: MainWindow,
) -> None:
    """ "严重滞…" hid the light itself: the counts give way first, whole or not at all."""
    metrics = office_window.tree.fontMetrics()
    text = "Far behind · red 3 · yellow 2"
    assert status_shown(text, metrics, metrics.horizontalAdvance(text)) == text
    two = metrics.horizontalAdvance("Far behind · red 3 · …")
    assert status_shown(text, metrics, two) == "Far behind · red 3 · …"
    assert status_shown(text, metrics, two - 1) == "Far behind · …"
    word = metrics.horizontalAdvance("Far behind")
    assert status_shown(text, metrics, word) == "Far behind"
    assert status_shown("On track", metrics, word) == "On track"
