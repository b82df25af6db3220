"""Synthetic plans for the benchmarks: benchmark data, written to temporary files only."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import insert

from desktop.models.database import create_database, finalize_for_distribution
from desktop.models.kinds import Direction, EntryOrigin, IndicatorKind, MilestoneState, NodeKind
from desktop.models.periods import periods_in
from desktop.models.schema import Department, Entry, Indicator, Node, Plan

START, END = dt.date(2024, 1, 1), dt.date(2026, 12, 31)


def build_synthetic(
    path: Path,
    *,
    projects: int = 20,
    tasks: int = 5,
    measures: int = 25,
    indicators_per_measure: int = 4,
    departments_count: int = 8,
) -> None:
    """A benchmark plan (10,000 indicators by default) with a report for each of 36 months.

    Indicators are owned by the departments in turn; with one department it owns them all.
    """
    database = create_database(path)
    months = periods_in(START, END)
    now = dt.datetime(2026, 1, 1)
    with database.write() as session:
        departments = [
            Department(name=f"市第{i}局", short_name=f"第{i}局") for i in range(departments_count)
        ]
        session.add_all(departments)
        plan = Plan(
            code="SYNTH",
            title="合成基准计划",
            year=2025,
            start=START,
            end=END,
            source="benchmark",
            declared_projects=projects,
            declared_tasks=projects * tasks,
            declared_measures=projects * tasks * measures,
        )
        session.add(plan)
        session.flush()
        node_id = indicator_id = 0
        nodes, indicators, entries = [], [], []

        def node(kind: NodeKind, code: str, parent: int | None, order: int) -> int:
            nonlocal node_id
            node_id += 1
            nodes.append(
                {
                    "id": node_id,
                    "plan_id": plan.id,
                    "parent_id": parent,
                    "kind": kind,
                    "code": code,
                    "title": f"基准节点 {code}",
                    "department_id": departments[node_id % departments_count].id,
                    "sort_order": order,
                    "source": "benchmark",
                    "quote": "",
                }
            )
            return node_id

        for p in range(projects):
            project = node(NodeKind.PROJECT, f"{p + 1}", None, p)
            for t in range(tasks):
                task = node(NodeKind.TASK, f"{p + 1}.{t + 1}", project, t)
                for m in range(measures):
                    code = f"{p + 1}.{t + 1}.{m + 1}"
                    measure = node(NodeKind.MEASURE, code, task, m)
                    for i in range(indicators_per_measure):
                        indicator_id += 1
                        milestone = i == indicators_per_measure - 1
                        indicators.append(
                            {
                                "id": indicator_id,
                                "plan_id": plan.id,
                                "measure_id": measure,
                                "code": f"{code}-{i + 1}",
                                "name": f"基准指标 {code}-{i + 1}",
                                "unit": "" if milestone else "个",
                                "kind": IndicatorKind.MILESTONE
                                if milestone
                                else IndicatorKind.CUMULATIVE,
                                "direction": Direction.AT_LEAST,
                                "target": None if milestone else 360.0,
                                "due": END,
                                "department_id": departments[indicator_id % departments_count].id,
                                "weight": 1.0,
                                "sort_order": i,
                                "source": "benchmark",
                                "quote": "",
                                "note": "",
                            }
                        )
                        for month, period in enumerate(months, start=1):
                            entries.append(
                                {
                                    "indicator_id": indicator_id,
                                    "period": period,
                                    "value": None if milestone else float(month * (8 + i)),
                                    "milestone_state": MilestoneState.IN_PROGRESS
                                    if milestone
                                    else None,
                                    "progress_note": "",
                                    "problems": "",
                                    "reported_by": "benchmark",
                                    "reported_at": now,
                                    "origin": EntryOrigin.MANUAL,
                                    "version": 1,
                                }
                            )
        session.execute(insert(Node), nodes)
        session.execute(insert(Indicator), indicators)
        for chunk in range(0, len(entries), 50_000):
            session.execute(insert(Entry), entries[chunk : chunk + 50_000])
    finalize_for_distribution(database)
