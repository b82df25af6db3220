"""A quantity's history across plans: the indicators of other plans that track the same
real-world quantity (the same `quantity` key, e.g. "green_building_share" in the 2023 and the
2025 plan), with their targets and reported figures, so that a chart can show the years side
by side."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from desktop.models.schema import Entry, Indicator, Plan
from desktop.models.store import Database


@dataclass(frozen=True, slots=True)
class QuantityRecord:
    """One other plan's indicator of the quantity, and what was reported for it."""

    plan_code: str
    plan_year: int
    plan_title: str
    indicator_id: int
    code: str
    name: str
    unit: str
    target: float | None
    baseline: float | None
    baseline_date: dt.date | None
    due: dt.date
    periods: tuple[str, ...]  # the months reported (numbers only), oldest first
    figures: tuple[float, ...]  # the figure of each of those months


def quantity_history(
    database: Database, quantity: str, *, excluding_plan: str | None = None
) -> list[QuantityRecord]:
    """Every indicator with the `quantity` key in a plan other than `excluding_plan` (a plan
    code), oldest plan first, with its reported figures by month. Only numbers are taken (a
    milestone's state is no figure), and only months inside the indicator's plan (an entry
    outside them is for `check` to report, as in the workspace). Two queries in all."""
    query = (
        select(
            Plan.code,
            Plan.year,
            Plan.title,
            Plan.start,
            Plan.end,
            Indicator.id,
            Indicator.code,
            Indicator.name,
            Indicator.unit,
            Indicator.target,
            Indicator.baseline,
            Indicator.baseline_date,
            Indicator.due,
        )
        .join(Plan, Indicator.plan_id == Plan.id)
        .where(Indicator.quantity == quantity)
        .order_by(Plan.start, Plan.year, Plan.code, Indicator.sort_order, Indicator.id)
    )
    if excluding_plan is not None:
        query = query.where(Plan.code != excluding_plan)
    with database.read() as session:
        rows = session.execute(query).all()
        reported: dict[int, list[tuple[str, float]]] = defaultdict(list)
        if rows:
            entries = session.execute(
                select(Entry.indicator_id, Entry.period, Entry.value)
                .where(Entry.indicator_id.in_([row[5] for row in rows]), Entry.value.is_not(None))
                .order_by(Entry.indicator_id, Entry.period)
            )
            for indicator_id, period, value in entries:
                if value is not None:
                    reported[indicator_id].append((period, float(value)))
    records = []
    for row in rows:
        first, last = f"{row[3]:%Y-%m}", f"{row[4]:%Y-%m}"
        inside = [(p, v) for p, v in reported[row[5]] if first <= p <= last]
        records.append(
            QuantityRecord(
                plan_code=row[0],
                plan_year=row[1],
                plan_title=row[2],
                indicator_id=row[5],
                code=row[6],
                name=row[7],
                unit=row[8],
                target=row[9],
                baseline=row[10],
                baseline_date=row[11],
                due=row[12],
                periods=tuple(p for p, _ in inside),
                figures=tuple(v for _, v in inside),
            )
        )
    return records
