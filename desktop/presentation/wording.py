"""The words, order and colours the printed sheets, the workbooks, the command line and the
window share for the domain's values (Chinese on paper: these are the city's documents).

The window's own, translatable words stay in `desktop.ui.i18n`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Protocol

from desktop.models.figures import format_figure
from desktop.models.kinds import PlanState
from desktop.models.periods import parse_period
from desktop.models.status_rule import Rollup, Status

# The order statuses are listed, counted and explained in: the printed legend's.
STATUS_ORDER = (Status.COMPLETED, Status.GREEN, Status.YELLOW, Status.RED, Status.NOT_REPORTED)
# The word next to the light on paper, in workbooks and on the command line.
STATUS_WORDS = {
    Status.COMPLETED: "已完成",
    Status.NOT_REPORTED: "未填报",
    Status.GREEN: "正常",
    Status.YELLOW: "滞后",
    Status.RED: "严重滞后",
}
# The light's own colour ("#rrggbb"): the dot, the bar, the count.
STATUS_INKS = {
    Status.COMPLETED: "#1f6fb2",
    Status.GREEN: "#2e9d48",
    Status.YELLOW: "#e0a106",
    Status.RED: "#d13b2f",
    Status.NOT_REPORTED: "#9aa0a6",
}
# A pale background for a status cell, printed or in a workbook.
STATUS_TINTS = {
    Status.COMPLETED: "#dbe8f6",
    Status.GREEN: "#dcefdc",
    Status.YELLOW: "#fcefc7",
    Status.RED: "#f6d5d1",
    Status.NOT_REPORTED: "#ececec",
}


def parts_counted(rollup: Rollup) -> str:
    """A parent's red and yellow parts counted, on paper and on the command line: "(红 2 · 黄 3)"
    ("" for none, and for a parent of one part, whose light that part's is)."""
    if sum(rollup.children.values()) <= 1:
        return ""
    counted = " · ".join(
        f"{word} {rollup.children[status]}"
        for status, word in ((Status.RED, "红"), (Status.YELLOW, "黄"))
        if rollup.children.get(status)
    )
    return f"({counted})" if counted else ""


DEMO_LABEL = "演示数据 · 非真实填报"
DEMO_COLOUR = "#c0392b"  # the label's red, in the window, on printed pages and in workbooks


class Targeted(Protocol):
    """What the target's wording needs of an indicator (an IndicatorInfo or IndicatorView)."""

    @property
    def target(self) -> float | None: ...
    @property
    def stretch_target(self) -> float | None: ...
    @property
    def due(self) -> dt.date: ...
    @property
    def unit(self) -> str: ...
    @property
    def is_milestone(self) -> bool: ...


PLAN_STATE_WORDS = {PlanState.DRAFT: "草稿", PlanState.ACTIVE: "执行中", PlanState.CLOSED: "已结束"}
PENDING_TARGET = "待定"  # a numeric target the manager has yet to set (a draft plan)


def target_text(indicator: Targeted, *, unit: bool = True) -> str:
    """The target as people write it: "300 个", "1.1—1.2 万亿元" (target—stretch target), or a
    milestone's "2025-12-31前完成"; without the unit on request."""
    if indicator.target is None and not indicator.is_milestone:
        return PENDING_TARGET  # a draft's numeric target not yet set
    if indicator.target is None:
        return f"{indicator.due:%Y-%m-%d}前完成"
    text = format_figure(indicator.target)
    if indicator.stretch_target is not None:
        text += f"—{format_figure(indicator.stretch_target)}"
    return f"{text} {indicator.unit}".strip() if unit else text


def target_cell(indicator: Targeted) -> float | str:
    """A workbook's target cell (the unit has its own column): the number itself, which stays a
    number, unless a stretch target or a milestone's date makes it words."""
    if indicator.target is not None and indicator.stretch_target is None:
        return indicator.target
    return target_text(indicator, unit=False)


def month_text(period: str) -> str:
    """ "2025-06" → "2025年6月"."""
    year, month = parse_period(period)
    return f"{year}年{month}月"


def percent_text(fraction: float | None) -> str:
    """0.496 → "49.6%"; "—" for nothing (nothing reported)."""
    return "—" if fraction is None else f"{fraction:.1%}"


# How databases made before the plan's sources were cited by name hold the plan's source: the
# repository's file name, then the article's title and date.
_FILE_CITATION = re.compile(r"^\S+\.txt \((?P<title>.+), (?P<date>\d{4}-\d{2}-\d{2})\)$")


def source_text(source: str) -> str:
    """The plan's source as a person names it on paper ("2025年3月28日市政府新闻发布会"); an
    older database's file-name citation reads as the article's date and title instead."""
    cited = _FILE_CITATION.match(source)
    if cited is None:
        return source
    day = dt.date.fromisoformat(cited["date"])
    return f"{day.year}年{day.month}月{day.day}日《{cited['title']}》"
