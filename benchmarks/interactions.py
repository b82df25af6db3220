"""The window's interactions as a user meets them, measured in a child process.

    python -m benchmarks.interactions DATABASE SETTINGS.ini REPEAT

Each change is made as the user makes it (a combo box chosen, text typed, a cell written
through the grid's model, Ctrl+Z) and what it changed is painted before the clock stops; every
measure runs with the 总览 tab hidden and showing. Prints one JSON object: for each measure, the
median and the worst of REPEAT runs in milliseconds, and how long the window took to be shown.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from itertools import count

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

STARTED = time.perf_counter()

from desktop.ui.app import application, create_main_window  # noqa: E402
from desktop.ui.settings import USER_NAME, Settings  # noqa: E402


class Interactions:
    """The window on a database, and the measures taken of it."""

    def __init__(self, database: str, ini: str, repeat: int) -> None:
        self.app = application()
        settings = Settings(QSettings(ini, QSettings.Format.IniFormat))
        settings.set(USER_NAME, "benchmark")
        self.window = create_main_window(database, settings=settings)
        self.window.resize(1366, 738)
        self.window.show()
        self.app.processEvents()
        self.repeat = repeat
        self.result: dict[str, object] = {"shown_s": time.perf_counter() - STARTED}
        self.values = count(10_000_000)  # beyond every target: an edited indicator stays done

    def painted(self) -> None:
        # The change's own events, then the repaints it asked for (Qt paints the regions a
        # change made dirty, as on a user's screen), before the clock stops.
        self.app.processEvents()
        self.app.processEvents()

    def measure(self, name: str, change: Callable[[int], object]) -> None:
        times = []
        for run in range(self.repeat):
            started = time.perf_counter()
            change(run)
            self.painted()
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        self.result[name] = {"median_ms": times[len(times) // 2], "worst_ms": times[-1]}

    def on_tab(self, tab: str, widget: QWidget) -> None:
        window = self.window
        window.tabs.setCurrentWidget(widget)
        self.painted()
        months = list(window.controller.workspace.months)
        selector, panel = window.period_selector, window.tree_panel
        departments, statuses = panel.department_filter, panel.status_filter
        self.measure(
            f"period switch [{tab}]",
            lambda run: selector.setCurrentIndex(selector.findData(months[-1 - run % 2])),
        )
        self.measure(
            f"department filter [{tab}]",
            lambda run: departments.setCurrentIndex(1 + run % (departments.count() - 1)),
        )
        departments.setCurrentIndex(0)
        self.measure(
            f"status filter [{tab}]",
            lambda run: statuses.setCurrentIndex(1 + run % (statuses.count() - 1)),
        )
        statuses.setCurrentIndex(0)
        words = ("1", "1.2", "3", "3.4")
        self.measure(f"text filter [{tab}]", lambda run: panel.search_box.setText(words[run % 4]))
        panel.search_box.setText("")
        workspace = window.controller.workspace
        nodes = [n.id for n in workspace.nodes.values() if n.indicator_ids][:50]
        self.measure(
            f"select a node [{tab}]", lambda run: window.select_node(nodes[run % len(nodes)])
        )
        selector.setCurrentIndex(selector.findData(months[-1]))
        self.edits(tab, months[-1])

    def edits(self, tab: str, month: str) -> None:
        window, model = self.window, self.window.grid_model
        workspace = window.controller.workspace
        indicator = next(i for i in workspace.indicators.values() if not i.is_milestone)
        window.select_node(indicator.measure_id)
        self.painted()
        column = model.column_of(month)

        def edit(_run: int) -> None:
            row = model.row_of(indicator.id)
            assert row is not None and column is not None
            model.setData(model.index(row, column), next(self.values))

        self.measure(f"edit a cell [{tab}]", edit)
        self.measure(f"undo [{tab}]", lambda _run: window.undo_action.trigger())
        self.measure(f"redo [{tab}]", lambda _run: window.redo_action.trigger())
        statuses = window.tree_panel.status_filter
        done = window.controller.workspace.status_of(indicator.id)
        statuses.setCurrentIndex(statuses.findData(done.value))
        window.select_node(indicator.measure_id)
        self.painted()
        self.measure(f"edit a cell, status filter on [{tab}]", edit)
        statuses.setCurrentIndex(0)


def main() -> None:
    bench = Interactions(sys.argv[1], sys.argv[2], int(sys.argv[3]))
    window = bench.window
    for tab, widget in (("progress", window.progress), ("overview", window.dashboard)):
        bench.on_tab(tab, widget)
    print(json.dumps(bench.result))
    window.close()


if __name__ == "__main__":
    main()
