"""The trend chart (趋势图): an indicator's figures against its 序时进度, target and forecast,
or a node's completion by month against its 序时进度 (pyqtgraph, imported on first show)."""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import html
from bisect import bisect_right
from collections.abc import Iterable
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QAction, QColor, QFontMetrics, QPen
from PySide6.QtWidgets import QFileDialog, QLabel, QMenu, QVBoxLayout, QWidget

from desktop.models.figures import format_figure
from desktop.models.periods import month_number, period_numbered, period_of
from desktop.models.quantities import QuantityRecord, quantity_history
from desktop.models.records import IndicatorInfo
from desktop.models.status_rule import STATE_BY_CODE, STATE_CODES, Status
from desktop.presentation.wording import DEMO_COLOUR, percent_text

from desktop.ui.controller import PlanController
from desktop.ui.i18n import STATUS_COLOURS, state_text
from desktop.ui.theme import colours, is_dark

MAX_CHILD_LINES = 12
MONTH_STEPS = (1, 2, 3, 6, 12)  # months between labels: every one, or every 2nd, 3rd …
LABEL_GAP = 12  # pixels between two month labels at the least
# Another plan's figures and target of the same quantity: grey and dashed, behind this plan's
# lines; lighter (darker on the dark palette) than the grey of the 序时进度 line, and marked.
OTHER_PLAN_COLOURS = {False: "#a9aeb5", True: "#70757c"}  # by is_dark()
OTHER_PLAN_SYMBOLS = ("t", "d", "s", "star")
LEGEND_TOP_LEFT, LEGEND_BOTTOM_LEFT = (10, 10), (10, -10)  # pyqtgraph: negative is from the end


class MonthAxis(pg.AxisItem):  # type: ignore[misc]  # pyqtgraph is untyped
    """The x axis of months (0 is the plan's first): as many labels as fit side by side at
    the axis's width, each month under its own point, from a phone-narrow window to a wide
    screen. `months` may start before the plan (another plan's figures of the same quantity,
    drawn at their real months): `origin` is the index of the plan's first month in them."""

    def __init__(self) -> None:
        super().__init__("bottom")
        self.months: tuple[str, ...] = ()
        self.origin = 0

    def step_for(self, first: float, last: float, size: float) -> int:
        """The months between labels that keeps them apart at `size` pixels for the range."""
        per_month = size / max(last - first, 1.0)
        label = max((self._label_width(m) for m in self.months), default=0) + LABEL_GAP
        return next((s for s in MONTH_STEPS if s * per_month >= label), MONTH_STEPS[-1])

    def _label_width(self, month: str) -> int:
        return QFontMetrics(self.font()).horizontalAdvance(self.label_of(month))

    @staticmethod
    def label_of(month: str) -> str:
        return month[2:]  # 25-06

    def tickValues(  # pyqtgraph AxisItem.tickValues
        self, minVal: float, maxVal: float, size: float
    ) -> list[tuple[float, list[float]]]:
        step = self.step_for(minVal, maxVal, size)
        xs = range(-self.origin, len(self.months) - self.origin)
        # the labels keep the plan's first month among them (with every 12th: each January)
        shown = [float(x) for x in xs if x % step == 0 and minVal <= x <= maxVal]
        return [(float(step), shown)]

    def tickStrings(  # pyqtgraph AxisItem.tickStrings
        self, values: list[float], scale: float, spacing: float
    ) -> list[str]:
        indices = [round(v) + self.origin for v in values]
        return [self.label_of(self.months[i]) if 0 <= i < len(self.months) else "" for i in indices]


CHILD_COLOURS = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#393b79",
    "#637939",
    "#843c39",
]


def _pen(
    colour: QColor | str, *, width: float = 2, style: Qt.PenStyle = Qt.PenStyle.SolidLine
) -> QPen:
    pen = QPen(pg.mkPen(colour, width=width))
    pen.setStyle(style)
    return pen


class TrendChart(QWidget):
    """A chart of the selected indicator or node; redraws on every change notification."""

    def __init__(self, controller: PlanController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trendChart")
        self._controller = controller
        self._target: tuple[str, int | None] = ("node", None)
        self.items: dict[str, pg.GraphicsObject] = {}
        pg.setConfigOptions(antialias=True, background="w", foreground="#202124")
        self.month_axis = MonthAxis()
        self.plot = pg.PlotWidget(self, axisItems={"bottom": self.month_axis})
        self.plot.setObjectName("trendPlot")
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.plot.setMenuEnabled(False)
        self.legend = self.plot.addLegend(offset=(10, 10))
        self.caption = QLabel(self)
        self.caption.setObjectName("chartCaption")
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        self.caption.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.caption)
        layout.addWidget(self.plot, 1)
        self.export_action = QAction(self.tr("Export chart as PNG…"), self)
        self.export_action.triggered.connect(self._export_from_menu)
        self.plot.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.plot.customContextMenuRequested.connect(self._menu)
        controller.changed.connect(lambda _changes: self.redraw())
        controller.assessmentsReset.connect(self.redraw)

    # --- what to show ----------------------------------------------------------------------

    def show_indicator(self, indicator_id: int) -> None:
        self._target = ("indicator", indicator_id)
        self.redraw()

    def show_node(self, node_id: int | None) -> None:
        self._target = ("node", node_id)
        self.redraw()

    def redraw(self) -> None:
        if not self.isVisible():
            return
        self._apply_colours()
        self.plot.clear()
        self.legend.clear()
        self.legend.setOffset(LEGEND_TOP_LEFT)
        self.items = {}
        kind, target = self._target
        if kind == "indicator" and target in self._controller.workspace.indicators:
            assert target is not None
            self._draw_indicator(target)
        else:
            self._draw_node(target if target in self._controller.workspace.nodes else None)

    def _apply_colours(self) -> None:
        """The plot follows the light or dark palette (it is not a styled widget)."""
        shown = colours()
        self.plot.setBackground(shown.chart_background)
        for name in ("left", "bottom"):
            axis = self.plot.getAxis(name)
            axis.setPen(shown.chart_foreground)
            axis.setTextPen(shown.chart_foreground)
        self.legend.setLabelTextColor(shown.chart_foreground)
        # see-through, so that a line under the legend (another plan's, on the left) shows
        veil = QColor(shown.chart_background)
        veil.setAlpha(150)
        self.legend.setBrush(veil)

    def _set_caption(self, text: str) -> None:
        """The chart's title; demo figures say so (the exported image included)."""
        shown = html.escape(text)
        if self._controller.workspace.demo:
            label = html.escape(self.tr("DEMO figures"))
            shown = f'<b style="color:{DEMO_COLOUR}">{label}</b>&nbsp;&nbsp;{shown}'
        self.caption.setText(shown)

    def changeEvent(self, event: QEvent) -> None:  # QWidget.changeEvent
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.redraw()

    def showEvent(self, event: object) -> None:  # QWidget.showEvent
        super().showEvent(event)  # type: ignore[arg-type]
        self.redraw()

    # --- axes --------------------------------------------------------------------------------

    def _x_of_month(self, period: str) -> float:
        """A month's end on the x axis: the plan's first month is 0."""
        return float(month_number(period) - month_number(self._controller.workspace.months[0]))

    def _x_of_day(self, day: dt.date) -> float:
        days = calendar.monthrange(day.year, day.month)[1]
        return self._x_of_month(f"{day.year:04d}-{day.month:02d}") - 1 + day.day / days

    def _month_axis(self, y_label: str, reaching: Iterable[str] = ()) -> None:
        """The plan's months, widened to cover the `reaching` ones (another plan's)."""
        months = self._controller.workspace.months
        first, last = month_number(months[0]), month_number(months[-1])
        numbers = [month_number(m) for m in reaching]
        start, end = min([first, *numbers]), max([last, *numbers])
        self.month_axis.months = tuple(period_numbered(n) for n in range(start, end + 1))
        self.month_axis.origin = first - start
        self.month_axis.setTicks(None)  # its labels drawn anew, from tickValues
        self.plot.setLabel("bottom", self.tr("Month"))
        self.plot.setLabel("left", y_label)

    def _add(self, name: str, item: pg.GraphicsObject, *, behind: bool = False) -> None:
        self.items[name] = item
        self.plot.addItem(item)
        if behind:
            item.setZValue(-1)

    # --- an indicator ------------------------------------------------------------------------

    def _draw_indicator(self, indicator_id: int) -> None:
        workspace = self._controller.workspace
        indicator = workspace.indicators[indicator_id]
        periods, figures = workspace.reported(indicator_id)
        seen = bisect_right(periods, workspace.as_of)  # as of 数据截至, as a node's chart
        periods, figures = periods[:seen], figures[:seen]
        self._set_caption(f"{indicator.code} {indicator.name}")
        others = self._other_plans(indicator)
        reaching = [
            month
            for other in others
            for month in (
                *other.periods,
                *([period_of(other.due)] if other.target is not None else []),
            )
        ]
        if indicator.is_milestone:
            self._month_axis(self.tr("state"))
        elif indicator.unit:
            self._month_axis(self.tr("Value (%1)").replace("%1", indicator.unit), reaching)
        else:
            self._month_axis(self.tr("Value"), reaching)
        xs = [self._x_of_month(p) for p in periods]
        if indicator.is_milestone:
            self._draw_states(xs, periods, figures)
        else:
            actual = pg.PlotDataItem(
                xs,
                figures,
                pen=_pen(colours().chart_actual),
                symbol="o",
                symbolSize=8,
                symbolBrush=colours().chart_actual,
                name=self.tr("Reported"),
            )
            self._add("actual", actual)
            self._add_tooltips(
                xs, periods, [f"{format_figure(v)} {indicator.unit}" for v in figures]
            )
        due_x = self._x_of_day(indicator.due)
        if indicator.target is not None:
            rule = workspace.rule(indicator_id)  # the 序时进度 runs from its baseline to target
            self._add(
                "expected",
                pg.PlotDataItem(
                    [self._x_of_day(rule.start), due_x],
                    [rule.baseline, indicator.target],
                    pen=_pen(colours().chart_expected, style=Qt.PenStyle.DashLine),
                    name=self.tr("Planned progress"),
                ),
            )
            self._add(
                "target",
                pg.InfiniteLine(
                    pos=indicator.target,
                    angle=0,
                    pen=_pen(colours().chart_target, width=1.5),
                    label=self.tr("Target %1").replace("%1", format_figure(indicator.target)),
                    labelOpts={
                        "position": 0.97,
                        "color": colours().chart_target,
                        "anchors": [(1, 1), (1, 0)],
                    },
                ),
            )
            if indicator.stretch_target is not None:
                self._add(
                    "stretch",
                    pg.InfiniteLine(
                        pos=indicator.stretch_target,
                        angle=0,
                        pen=_pen(colours().chart_target, width=1, style=Qt.PenStyle.DotLine),
                        label=self.tr("Stretch %1").replace(
                            "%1", format_figure(indicator.stretch_target)
                        ),
                        labelOpts={
                            "position": 0.97,
                            "color": colours().chart_target,
                            "anchors": [(1, 0), (1, 1)],
                        },
                    ),
                )
            forecast = workspace.forecast(indicator_id)
            if forecast is not None and xs:
                colour = STATUS_COLOURS[Status.RED if forecast.misses_target else Status.GREEN]
                self._add(
                    "forecast",
                    pg.PlotDataItem(
                        [xs[-1], due_x],
                        [figures[-1], forecast.value],
                        pen=_pen(colour, style=Qt.PenStyle.DashLine),
                        name=self.tr("Forecast: %1").replace(
                            "%1", format_figure(round(forecast.value, 1))
                        ),
                    ),
                )
        self._add(
            "due",
            pg.InfiniteLine(
                pos=due_x,
                angle=90,
                pen=_pen("#d13b2f", width=1, style=Qt.PenStyle.DotLine),
                label=self.tr("Due %1").replace("%1", f"{indicator.due:%Y-%m-%d}"),
                labelOpts={"position": 0.04, "color": "#d13b2f", "anchors": [(1, 1), (1, 1)]},
            ),
        )
        self._draw_other_plans(others)  # behind this plan's lines, after them in the legend

    def _other_plans(self, indicator: IndicatorInfo) -> list[QuantityRecord]:
        """The other plans' indicators of the same quantity that have figures (as of the
        chart's month) or a target to show, in this indicator's unit (another unit is another
        scale: not on this axis). None for a milestone or an indicator without a quantity."""
        if indicator.quantity is None or indicator.is_milestone:
            return []
        workspace = self._controller.workspace
        found = quantity_history(
            workspace.database, indicator.quantity, excluding_plan=workspace.plan.code
        )
        shown = []
        for record in found:
            if record.unit != indicator.unit:
                continue
            seen = bisect_right(record.periods, workspace.as_of)
            if seen or record.target is not None:
                shown.append(
                    dataclasses.replace(
                        record, periods=record.periods[:seen], figures=record.figures[:seen]
                    )
                )
        return shown

    def _draw_other_plans(self, records: list[QuantityRecord]) -> None:
        """Each other plan's figures (a dashed grey line at their real months) and target (a
        short dashed mark at its due month), named after the plan's year and the code."""
        colour = OTHER_PLAN_COLOURS[is_dark()]
        self._legend_away_from(
            [v for record in records for v in record.figures]
            + [r.target for r in records if r.target is not None]
        )
        for number, record in enumerate(records):
            name = (
                self.tr("%1 plan %2")
                .replace("%1", str(record.plan_year))
                .replace("%2", record.code)
            )
            key = f"{record.plan_code} {record.code}"
            if record.periods:
                xs = [self._x_of_month(p) for p in record.periods]
                symbol = OTHER_PLAN_SYMBOLS[number % len(OTHER_PLAN_SYMBOLS)]
                self._add(
                    f"other:{key}",
                    pg.PlotDataItem(
                        xs,
                        list(record.figures),
                        pen=_pen(colour, width=1.5, style=Qt.PenStyle.DashLine),
                        symbol=symbol,
                        symbolSize=7,
                        symbolPen=colour,
                        symbolBrush=colour,
                        name=name,
                    ),
                    behind=True,
                )
                self._add_tooltips(
                    xs,
                    list(record.periods),
                    [f"{format_figure(v)} {record.unit} ({name})" for v in record.figures],
                    key=f"other:{key}",
                )
            if record.target is not None:
                due_x = self._x_of_day(record.due)
                target = self.tr("Target %1").replace("%1", format_figure(record.target))
                self._add(
                    f"other_target:{key}",
                    pg.PlotDataItem(
                        [due_x - 0.75, due_x + 0.75],
                        [record.target, record.target],
                        pen=_pen(colour, width=2.5, style=Qt.PenStyle.DashLine),
                        name=f"{name} {target}",
                    ),
                    behind=True,
                )

    def _legend_away_from(self, left: list[float]) -> None:
        """The legend in the left corner that these values (the other plans', drawn at the
        left) mostly leave free: the bottom one when most lie above the middle of the chart."""
        if not left:
            return
        self.plot.enableAutoRange()
        low, high = self.plot.getViewBox().childrenBounds()[1] or (0.0, 0.0)
        middle = (min(low, *left) + max(high, *left)) / 2
        if sum(v > middle for v in left) > len(left) / 2:
            self.legend.setOffset(LEGEND_BOTTOM_LEFT)

    def _draw_states(self, xs: list[float], periods: list[str], codes: list[float]) -> None:
        states = [STATE_BY_CODE[int(code)] for code in codes]
        self._add(
            "actual",
            pg.PlotDataItem(
                xs,
                [STATE_CODES[s] for s in states],
                pen=_pen(colours().chart_actual),
                symbol="s",
                symbolSize=9,
                symbolBrush=colours().chart_actual,
                name=self.tr("Reported"),
            ),
        )
        self.plot.getAxis("left").setTicks(
            [[(float(code), state_text(state)) for state, code in STATE_CODES.items()]]
        )
        self._add_tooltips(xs, periods, [state_text(s) for s in states])

    def _add_tooltips(
        self, xs: list[float], periods: list[str], texts: list[str], key: str = "actual"
    ) -> None:
        item = self.items.get(key)
        if item is None or not xs:
            return
        labels = {
            x: f"{period}: {text}" for x, period, text in zip(xs, periods, texts, strict=True)
        }
        scatter = item.scatter
        scatter.opts["hoverable"] = True
        scatter.opts["tip"] = lambda x, y, data: labels.get(x, "")

    # --- a node or the plan ------------------------------------------------------------------

    def _draw_node(self, node_id: int | None) -> None:
        workspace = self._controller.workspace
        children: list[int | None] = list(
            workspace.root_ids if node_id is None else workspace.nodes[node_id].child_ids
        )
        shown = children if len(children) <= MAX_CHILD_LINES else []
        history = workspace.monthly_rollups([node_id, *shown])
        title = (
            workspace.plan.title
            if node_id is None
            else (f"{workspace.nodes[node_id].code} {workspace.nodes[node_id].title}")
        )
        self._set_caption(title)
        self._month_axis(self.tr("Completion (%)"))
        own = history[node_id]
        xs = [float(i) for i in range(len(own))]
        self._add(
            "actual",
            pg.PlotDataItem(
                xs,
                [r.completion * 100 for r in own],
                pen=_pen(colours().chart_actual, width=3),
                symbol="o",
                symbolSize=7,
                symbolBrush=colours().chart_actual,
                name=self.tr("Completion"),
            ),
        )
        self._add(
            "expected",
            pg.PlotDataItem(
                xs,
                [r.expected * 100 for r in own],
                pen=_pen(colours().chart_expected, style=Qt.PenStyle.DashLine),
                name=self.tr("Planned progress"),
            ),
        )
        self._add_tooltips(
            xs, list(workspace.months[: len(own)]), [percent_text(r.completion) for r in own]
        )
        for number, child in enumerate(shown):
            assert child is not None
            node = workspace.nodes[child]
            self._add(
                f"child:{node.code}",
                pg.PlotDataItem(
                    xs,
                    [r.completion * 100 for r in history[child]],
                    pen=_pen(CHILD_COLOURS[number % len(CHILD_COLOURS)], width=1.2),
                    name=f"{node.code} {node.title[:10]}",
                ),
            )

    # --- export ------------------------------------------------------------------------------

    def _menu(self, position: QPoint) -> None:
        menu = QMenu(self)
        menu.addAction(self.export_action)
        menu.exec(self.plot.mapToGlobal(position))

    def _export_from_menu(self) -> None:
        self.export_png()

    def export_png(self, path: Path | None = None) -> Path | None:
        """Save the chart as a PNG image (asks where when no path is given)."""
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self, self.tr("Export chart"), "趋势图.png", self.tr("PNG images (*.png)")
            )
            if not chosen:
                return None
            path = Path(chosen)
        self.grab().save(str(path), "PNG")
        return path
