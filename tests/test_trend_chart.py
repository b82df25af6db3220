"""The trend chart: what it draws for an indicator and for the plan, redraws, PNG export."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from PySide6.QtGui import QImage

from tests.ui_helpers import grid_index, indicator_id, node_id

from desktop.ui.main_window import MainWindow


def open_chart(window: MainWindow) -> None:
    window.tabs.setCurrentWidget(window.chart_holder)
    assert window.chart is not None and window.chart.objectName() == "trendChart"


def report(window: MainWindow, code: str, values: dict[str, float]) -> None:
    cells = [
        window.controller.cell(indicator_id(window, code), p, value=v) for p, v in values.items()
    ]
    assert window.controller.edit(cells, "figures")


def test_the_chart_is_built_only_when_first_shown(window: MainWindow) -> None:
    assert window.chart is None  # pyqtgraph is not needed to start the window
    open_chart(window)


def test_an_indicator_chart_has_actual_expected_target_forecast(window: MainWindow) -> None:
    report(window, "2.1.1-1", {"2025-04": 60, "2025-05": 90, "2025-06": 120})
    open_chart(window)
    window.select_node(node_id(window, "2.1.1"))
    window.grid.setCurrentIndex(grid_index(window, "2.1.1-1", "2025-06"))
    chart = window.chart
    assert chart is not None
    assert {"actual", "expected", "target", "forecast", "due"} <= set(chart.items)
    xs, ys = chart.items["actual"].getData()
    assert list(ys) == [60, 90, 120] and list(xs) == [3.0, 4.0, 5.0]
    assert chart.items["target"].value() == 300
    # the edit shows at once
    report(window, "2.1.1-1", {"2025-06": 150})
    assert list(chart.items["actual"].getData()[1]) == [60, 90, 150]


def test_the_plan_chart_has_a_line_per_project(window: MainWindow) -> None:
    report(window, "2.1.1-1", {"2025-06": 150})
    open_chart(window)
    window.grid.selectionModel().clearCurrentIndex()
    assert window.chart is not None
    window.chart.show_node(None)
    children = [name for name in window.chart.items if name.startswith("child:")]
    assert len(children) == 6
    completion = window.chart.items["actual"].getData()[1]
    assert len(completion) == 6 and completion[-1] > 0  # January to June


def test_the_chart_exports_a_png(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    open_chart(window)
    assert window.chart is not None
    path = window.chart.export_png(tmp_path / "chart.png")
    assert path is not None
    image = QImage(str(path))
    assert not image.isNull() and image.width() > 100 and image.height() > 100
