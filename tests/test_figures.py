"""Figures as people type them: accepted in every usual form, refused with the reason."""

from __future__ import annotations

import pytest

from desktop.models.figures import FigureError, FigureProblem, parse_figure, parse_state
from desktop.models.kinds import MilestoneState


@pytest.mark.parametrize(
    ("text", "percent", "expected"),
    [
        ("128", False, 128.0),
        ("  128 ", False, 128.0),
        ("１２８", False, 128.0),  # full-width digits
        ("1,234", False, 1234.0),
        ("1,234.5", False, 1234.5),
        ("12.5", False, 12.5),
        ("75%", True, 75.0),
        ("７５％", True, 75.0),
        ("75", True, 75.0),
        ("", False, None),
        ("\u3000", False, None),  # an ideographic space only: an empty cell
    ],
)
def test_accepted_forms(text: str, percent: bool, expected: float | None) -> None:
    assert parse_figure(text, percent=percent) == expected


@pytest.mark.parametrize(
    ("text", "percent", "problem"),
    [
        ("abc", False, FigureProblem.NOT_A_NUMBER),
        ("12,34", False, FigureProblem.NOT_A_NUMBER),  # not a thousands separator
        ("nan", False, FigureProblem.NOT_A_NUMBER),
        ("inf", False, FigureProblem.NOT_A_NUMBER),
        ("-3", False, FigureProblem.NEGATIVE),
        ("1e13", False, FigureProblem.TOO_LARGE),
        ("1" * 400, False, FigureProblem.TOO_LARGE),  # beyond any float: not "not a number"
        ("1e400", False, FigureProblem.TOO_LARGE),
        ("-" + "1" * 400, False, FigureProblem.NEGATIVE),
        ("-inf", False, FigureProblem.NOT_A_NUMBER),
        ("75%", False, FigureProblem.PERCENT_SIGN),
    ],
)
def test_refused_forms(text: str, percent: bool, problem: FigureProblem) -> None:
    with pytest.raises(FigureError) as caught:
        parse_figure(text, percent=percent)
    assert caught.value.problem is problem and caught.value.text == text


def test_milestone_states() -> None:
    assert parse_state(" 推进中 ") is MilestoneState.IN_PROGRESS
    assert parse_state("已完成") is MilestoneState.DONE
    assert parse_state("Done") is MilestoneState.DONE
    assert parse_state("") is None
    with pytest.raises(FigureError):
        parse_state("差不多了")
