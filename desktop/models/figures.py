"""Reading figures and milestone states as people type or paste them (grid, Excel, WPS)."""

from __future__ import annotations

import enum
import math
import re
import unicodedata

from desktop.models.schema import MilestoneState
from desktop.models.service import VALUE_MAX


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


def parse_figure(text: str, *, percent: bool = False) -> float | None:
    """A non-negative figure from text; None for an empty cell.

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
    if not math.isfinite(number):
        raise FigureError(FigureProblem.NOT_A_NUMBER, text)
    if number < 0:
        raise FigureError(FigureProblem.NEGATIVE, text)
    if number > VALUE_MAX:
        raise FigureError(FigureProblem.TOO_LARGE, text)
    return number


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
