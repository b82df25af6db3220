"""Figures and milestone states as people type, paste or import them, and the one range check.

Every figure that reaches the database passes `figure_in_range`: the grid and a paste read text
with `parse_figure`, the import reads cells with `parse_figure` or `figure_in_range`, and the
service checks again with `figure_in_range` before it writes.
"""

from __future__ import annotations

import enum
import math
import re
import unicodedata

from desktop.models.kinds import MilestoneState

# Largest value accepted; anything above is a typing slip, not a figure of a city's plan.
VALUE_MAX = 1e12


class FigureProblem(enum.Enum):
    NOT_A_NUMBER = "not_a_number"
    NEGATIVE = "negative"
    TOO_LARGE = "too_large"
    PERCENT_SIGN = "percent_sign"
    NOT_A_STATE = "not_a_state"


class FigureError(ValueError):
    """Text that is not an acceptable figure; `problem` says why, `text` what was found."""

    def __init__(self, problem: FigureProblem, text: str) -> None:
        super().__init__(f"{text!r}: {problem.value}")
        self.problem = problem
        self.text = text


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_STATE_WORDS = {
    **{state.value: state for state in MilestoneState},
    "未开始": MilestoneState.NOT_STARTED,
    "进行中": MilestoneState.IN_PROGRESS,
    "完成": MilestoneState.DONE,
    "not started": MilestoneState.NOT_STARTED,
    "in progress": MilestoneState.IN_PROGRESS,
    "done": MilestoneState.DONE,
}


def normalize(text: str) -> str:
    """Full-width digits, signs and spaces to their ASCII forms; surrounding spaces removed."""
    return unicodedata.normalize("NFKC", text).strip()


def figure_in_range(number: object, text: str | None = None) -> float:
    """A number as the database keeps it: finite, from 0 to VALUE_MAX; FigureError otherwise.

    `text` is how the number was written, for the message (its repr by default).
    """
    shown = text if text is not None else str(number)
    if isinstance(number, bool) or not isinstance(number, int | float):
        raise FigureError(FigureProblem.NOT_A_NUMBER, shown)
    try:
        value = float(number)
    except OverflowError:  # an integer of hundreds of digits
        raise FigureError(FigureProblem.TOO_LARGE, shown) from None
    if not math.isfinite(value):
        raise FigureError(FigureProblem.NOT_A_NUMBER, shown)
    if value < 0:
        raise FigureError(FigureProblem.NEGATIVE, shown)
    if value > VALUE_MAX:
        raise FigureError(FigureProblem.TOO_LARGE, shown)
    return value


def parse_figure(text: str, *, percent: bool = False) -> float | None:
    """A figure from text; None for an empty cell.

    Accepts surrounding spaces, full-width digits, thousands separators ("1,234"), and for a
    percentage indicator a trailing "%" ("75%" is 75).
    """
    cleaned = normalize(text)
    if not cleaned:
        return None
    if cleaned.endswith("%"):
        if not percent:
            raise FigureError(FigureProblem.PERCENT_SIGN, text)
        cleaned = cleaned[:-1].strip()
    if _THOUSANDS.match(cleaned):
        cleaned = cleaned.replace(",", "")
    try:
        number = float(cleaned)
    except ValueError:
        raise FigureError(FigureProblem.NOT_A_NUMBER, text) from None
    if math.isinf(number) and cleaned.lstrip("+-")[:1].isdigit():  # digits past any float
        raise FigureError(FigureProblem.NEGATIVE if number < 0 else FigureProblem.TOO_LARGE, text)
    return figure_in_range(number, text)


def parse_state(text: str) -> MilestoneState | None:
    """A milestone state from its Chinese (or English) word; None for an empty cell."""
    cleaned = normalize(text)
    if not cleaned:
        return None
    state = _STATE_WORDS.get(cleaned.lower())
    if state is None:
        raise FigureError(FigureProblem.NOT_A_STATE, text)
    return state


def format_figure(value: float) -> str:
    """11000.0 → "11000", 1.25 → "1.25": figures as people write them (up to 4 decimals)."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
