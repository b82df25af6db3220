"""A quantity's history across plans: the other plans' indicators of the same `quantity` key
(desktop.models.quantities) and the trend chart drawing them beside the plan's own."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktop.models.kinds import PlanState
from desktop.models.opening import open_database
from desktop.models.plan_service import PlanService
from desktop.models.quantities import quantity_history
from desktop.models.service import EntryService
from desktop.models.store import Database
from tests.conftest import SEED, FixedClock, indicator_of, new_entry
from tests.ui_helpers import ScriptedPrompts, grid_index, indicator_id, node_id

from desktop.ui.app import create_main_window
from desktop.ui.main_window import MainWindow
from desktop.ui.settings import Settings
from desktop.ui.trend_chart import TrendChart

GREEN = "green_building_share"  # 2023 plan 6.1.1-1 (90 %), 2025 plan 5.2.1-1 (100 %)
FIGURES_2023 = {"2023-03": 72.0, "2023-06": 80.0, "2023-12": 91.5}
FIGURES_2025 = {"2025-03": 94.0, "2025-06": 97.0}


def write_figures(database: Database) -> None:
    """Figures for both plans' green building share; the 2023 plan is closed, so it is
    reopened for the writing and closed again."""
    plans = PlanService(database, "张三")
    service = EntryService(database, "张三", clock=FixedClock())
    plans.set_state("SY2023-MIS", PlanState.ACTIVE, expected=PlanState.CLOSED)
    old = indicator_of(database, "6.1.1-1", "SY2023-MIS")
    service.apply([new_entry(old, p, value=v) for p, v in FIGURES_2023.items()])
    plans.set_state("SY2023-MIS", PlanState.CLOSED, expected=PlanState.ACTIVE)
    new = indicator_of(database, "5.2.1-1")
    service.apply([new_entry(new, p, value=v) for p, v in FIGURES_2025.items()])


# --- the models ------------------------------------------------------------------------------


def test_the_history_holds_every_other_plan_s_indicator_with_its_figures(
    database: Database,
) -> None:
    write_figures(database)
    (old,) = quantity_history(database, GREEN, excluding_plan="SY2025-MIS")
    assert (old.plan_code, old.plan_year, old.code, old.unit) == (
        "SY2023-MIS",
        2023,
        "6.1.1-1",
        "%",
    )
    assert old.plan_title == "着力加快产业结构调整,在建设现代化产业体系上实现新突破"
    assert old.name == "绿色建筑占新建建筑比例"
    assert old.target == 90 and old.due.isoformat() == "2023-12-31"
    assert (old.baseline, old.baseline_date) == (None, None)
    assert old.indicator_id == indicator_of(database, "6.1.1-1", "SY2023-MIS")
    assert dict(zip(old.periods, old.figures, strict=True)) == FIGURES_2023
    # every plan, the oldest first; the plan asked is left out
    both = quantity_history(database, GREEN)
    assert [(r.plan_code, r.code) for r in both] == [
        ("SY2023-MIS", "6.1.1-1"),
        ("SY2025-MIS", "5.2.1-1"),
    ]
    (new,) = quantity_history(database, GREEN, excluding_plan="SY2023-MIS")
    assert new.target == 100 and dict(zip(new.periods, new.figures, strict=True)) == FIGURES_2025


def test_a_quantity_without_figures_or_other_plans(database: Database) -> None:
    (old,) = quantity_history(database, "prefab_building_share", excluding_plan="SY2025-MIS")
    assert (old.code, old.target, old.periods, old.figures) == ("6.1.3-1", 65, (), ())
    assert (
        quantity_history(database, "science_innovation_platforms", excluding_plan="SY2025-SCI")
        == []
    )
    assert quantity_history(database, "no_such_quantity") == []


# --- the chart -------------------------------------------------------------------------------


@pytest.fixture
def history_window(
    qtbot: QtBot, tmp_path: Path, settings: Settings, prompts: ScriptedPrompts
) -> Iterator[MainWindow]:
    """The window as of June 2025 on a seed copy with figures for both years, on the chart."""
    path = tmp_path / "history.sqlite"
    shutil.copyfile(SEED, path)
    database = open_database(path)
    write_figures(database)
    database.close()
    main = create_main_window(path, settings=settings, as_of="2025-06", prompts=prompts)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    main.tabs.setCurrentWidget(main.chart_holder)
    yield main
    main.close()
    main.controller.database.close()


def chart_of(window: MainWindow, code: str) -> TrendChart:
    chart = window.chart
    assert chart is not None
    chart.show_indicator(indicator_id(window, code))
    return chart


def others(chart: TrendChart) -> list[str]:
    return sorted(name for name in chart.items if name.startswith("other"))


def test_the_chart_shows_the_2023_plan_beside_the_2025_one(
    qtbot: QtBot, history_window: MainWindow
) -> None:
    window = history_window
    window.select_node(node_id(window, "5.2.1"))
    window.grid.setCurrentIndex(grid_index(window, "5.2.1-1", "2025-06"))
    chart = window.chart
    assert chart is not None
    assert others(chart) == ["other:SY2023-MIS 6.1.1-1", "other_target:SY2023-MIS 6.1.1-1"]
    line = chart.items["other:SY2023-MIS 6.1.1-1"]
    xs, ys = line.getData()
    # at their real months: x 0 is January 2025, so March 2023 is 22 months before
    assert list(xs) == [-22.0, -19.0, -13.0] and list(ys) == [72.0, 80.0, 91.5]
    assert line.name() == "2023 plan 6.1.1-1"
    mark_xs, mark_ys = chart.items["other_target:SY2023-MIS 6.1.1-1"].getData()
    assert list(mark_ys) == [90, 90] and mark_xs[0] < -13 < mark_xs[1]  # at December 2023
    assert mark_xs[1] - mark_xs[0] < 2  # a short mark, not a line across the chart
    assert chart.items["other_target:SY2023-MIS 6.1.1-1"].name() == "2023 plan 6.1.1-1 Target 90"
    # the plan's own drawing is as before
    assert list(chart.items["actual"].getData()[1]) == list(FIGURES_2025.values())
    assert list(chart.items["actual"].getData()[0]) == [2.0, 5.0]
    assert chart.items["target"].value() == 100
    # the x axis reaches back to 2023, labelled by year and month
    axis = chart.month_axis
    qtbot.waitUntil(lambda: chart.plot.viewRange()[0][0] <= -22)  # the view follows on paint
    first, last = chart.plot.viewRange()[0]
    assert last >= 11
    ((_step, values),) = axis.tickValues(first, last, axis.width())
    labels = axis.tickStrings(values, 1.0, 1.0)
    assert any(label.startswith("23-") for label in labels), labels
    assert any(label.startswith("25-") for label in labels), labels
    assert all(labels) and 0.0 in values  # the plan's first month keeps its label


def test_the_other_plans_follow_the_month_shown(history_window: MainWindow) -> None:
    chart = chart_of(history_window, "5.2.1-1")
    history_window.period_selector.setCurrentIndex(
        history_window.period_selector.findData("2025-02")
    )
    # 2023's figures are all before February 2025; this plan's March is not seen yet
    assert list(chart.items["other:SY2023-MIS 6.1.1-1"].getData()[1]) == [72.0, 80.0, 91.5]
    shown = chart.items["actual"].getData()[1]
    assert shown is None or len(shown) == 0


def test_an_indicator_without_a_quantity_shows_no_other_plan(
    history_window: MainWindow,
) -> None:
    chart = chart_of(history_window, "2.1.1-1")
    assert (
        history_window.controller.workspace.indicators[
            indicator_id(history_window, "2.1.1-1")
        ].quantity
        is None
    )
    assert others(chart) == []
    assert chart.month_axis.origin == 0
    assert chart.month_axis.months == history_window.controller.workspace.months


def test_a_quantity_with_only_a_target_elsewhere_draws_the_mark(
    history_window: MainWindow,
) -> None:
    chart = chart_of(history_window, "5.2.2-1")  # prefab share: 2023's 65 %, no figures
    assert others(chart) == ["other_target:SY2023-MIS 6.1.3-1"]
    assert list(chart.items["other_target:SY2023-MIS 6.1.3-1"].getData()[1]) == [65, 65]


def test_a_quantity_no_other_plan_holds_draws_as_before(history_window: MainWindow) -> None:
    window = history_window
    window.switch_plan("SY2025-SCI")
    chart = chart_of(window, "1.1.1-1")  # science_innovation_platforms: this plan's only
    assert window.controller.workspace.indicators[indicator_id(window, "1.1.1-1")].quantity
    assert others(chart) == []
    assert {"expected", "target", "due"} <= set(chart.items)
    assert chart.month_axis.origin == 0
    assert chart.month_axis.months == window.controller.workspace.months


def test_the_2023_plan_s_chart_shows_the_2025_plan(history_window: MainWindow) -> None:
    window = history_window
    window.switch_plan("SY2023-MIS")
    chart = chart_of(window, "6.1.1-1")
    assert list(chart.items["actual"].getData()[1]) == list(FIGURES_2023.values())
    # the 2025 figures come after the month shown (the 2023 plan's); its target shows
    assert others(chart) == ["other_target:SY2025-MIS 5.2.1-1"]
    assert chart.items["other_target:SY2025-MIS 5.2.1-1"].name() == "2025 plan 5.2.1-1 Target 100"
    assert chart.month_axis.months[-1] == "2025-12"
