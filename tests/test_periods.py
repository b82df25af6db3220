"""The plan's months: periods "YYYY-MM", their last days and month numbers."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.models.periods import (
    PERIOD_END,
    month_number,
    month_numbers,
    parse_period,
    period_end,
    period_numbered,
    periods_in,
)

YEAR_END = dt.date(2025, 12, 31)


def test_periods_of_the_plan() -> None:
    months = periods_in(dt.date(2025, 1, 1), YEAR_END)
    assert months[0] == "2025-01" and months[-1] == "2025-12" and len(months) == 12
    assert periods_in(dt.date(2024, 11, 5), dt.date(2025, 2, 1)) == [
        "2024-11",
        "2024-12",
        "2025-01",
        "2025-02",
    ]


@pytest.mark.parametrize("text", ["2025-6", "25-06", "2025-13", "2025/06", "June"])
def test_a_period_is_a_month_of_the_form_yyyy_mm(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_period(text)


@given(st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9998, 12, 31)))
def test_a_month_number_names_its_period_again(day: dt.date) -> None:
    period = f"{day.year:04d}-{day.month:02d}"
    assert period_numbered(month_number(period)) == period
    assert period_end(period) >= day and (period_end(period) + dt.timedelta(days=1)).day == 1


def test_month_numbers_read_a_column_of_periods_as_month_number_does_one() -> None:
    texts = [
        "2025-06", "0000-01", "9999-12", "2024-02",  # periods
        "2025-6", "2025-13", "2025-00", " 2025-03", "2025-03 ", "2025-05\x00", "2025\x00-05",
        "25-06-01", "２０２５-０６", "abcd-ef", "", "None", "202506", "2025-06-01", "2025/06",
    ]  # fmt: skip
    numbers, valid = month_numbers(np.array([t + PERIOD_END for t in texts], dtype="U9"))
    for text, number, is_period in zip(texts, numbers.tolist(), valid.tolist(), strict=True):
        try:  # a period as the plan writes its months ("２０２５-０６" reads, but is none)
            expected = month_number(text)
        except ValueError:
            expected = None
        if expected is None or period_numbered(expected) != text:
            assert not is_period, repr(text)
        else:
            assert is_period and number == expected, repr(text)
    assert valid.tolist()[:4] == [True] * 4 and not any(valid.tolist()[4:])
