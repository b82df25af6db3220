"""Months as the plan counts them: periods "YYYY-MM", their last days and month numbers.

Plain functions on strings and dates; the status rule, the service and the workspace share them.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import numpy as np


@functools.cache
def parse_period(period: str) -> tuple[int, int]:
    """(year, month) of a period "YYYY-MM"; ValueError with the offending text otherwise."""
    try:
        year_text, month_text = period.split("-")
        year, month = int(year_text), int(month_text)
    except ValueError:
        raise ValueError(f"'{period}' is not a month of the form YYYY-MM") from None
    if len(year_text) != 4 or len(month_text) != 2 or not 1 <= month <= 12:
        raise ValueError(f"'{period}' is not a month of the form YYYY-MM")
    return year, month


def period_of(day: dt.date) -> str:
    """The period "YYYY-MM" that contains `day`."""
    return f"{day.year:04d}-{day.month:02d}"


@functools.cache
def period_end(period: str) -> dt.date:
    """The last day of the period."""
    year, month = parse_period(period)
    first_of_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - dt.timedelta(days=1)


def periods_in(start: dt.date, end: dt.date) -> list[str]:
    """Every period from the one containing `start` to the one containing `end`."""
    first, last = month_number(period_of(start)), month_number(period_of(end))
    return [period_numbered(number) for number in range(first, last + 1)]


def month_number(period: str) -> int:
    """A period as a count of months (for differences between periods)."""
    year, month = parse_period(period)
    return year * 12 + month - 1


def period_numbered(number: int) -> str:
    """The period of a month number: the inverse of `month_number`."""
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


PERIOD_END = "|"  # put after each period text read by month_numbers


def month_numbers(texts: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """`month_number` of each period in an array of texts (numpy "U9", each text followed by
    PERIOD_END, so that nothing a text ends with is lost to numpy), and which texts are a
    period at all: exactly "YYYY-MM" with a month from 01 to 12 (the others' numbers are 0).
    Hundreds of thousands of entries' months are read at once."""
    chars = np.ascontiguousarray(texts, dtype="U9").view(np.uint32).reshape(-1, 9).astype(np.int64)
    digits = chars - ord("0")
    number_places = chars[:, [0, 1, 2, 3, 5, 6]]
    valid = ((number_places >= ord("0")) & (number_places <= ord("9"))).all(axis=1)
    valid &= (chars[:, 4] == ord("-")) & (chars[:, 7] == ord(PERIOD_END)) & (chars[:, 8] == 0)
    year = digits[:, 0] * 1000 + digits[:, 1] * 100 + digits[:, 2] * 10 + digits[:, 3]
    month = digits[:, 5] * 10 + digits[:, 6]
    valid &= (month >= 1) & (month <= 12)
    return np.where(valid, year * 12 + month - 1, 0), valid
