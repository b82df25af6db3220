"""The plan's months: periods "YYYY-MM", their last days and month numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.models.periods import (
    month_number,
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
