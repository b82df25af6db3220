"""The array form of the rules gives exactly what the scalar rules give."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.models.database import Database
from desktop.models.progress import (
    STATE_CODES,
    STATUS_BY_CODE,
    AssessedArrays,
    Assessment,
    IndicatorArrays,
    IndicatorRule,
    Rollup,
    Status,
    Thresholds,
    assess_arrays,
    assess_history,
    assess_milestone_history,
    month_number,
    period_of,
    periods_in,
    rollup,
    rollup_arrays,
)
from desktop.models.schema import Direction, MilestoneState
from desktop.models.service import EntryService
from desktop.models.workspace import PlanWorkspace
from tests.conftest import new_entry

CLOCK = dt.date(2024, 12, 31)
DUE = dt.date(2025, 12, 31)
MONTHS = periods_in(dt.date(2025, 1, 1), DUE)

numeric = st.tuples(
    st.floats(0, 500),  # baseline
    st.floats(0, 500),  # target
    st.sampled_from(list(Direction)),
    st.dictionaries(st.sampled_from(MONTHS), st.floats(0, 1000), max_size=12),
    st.sampled_from([(10.0, 30.0), (5.0, 15.0), (0.0, 0.0)]),
    st.sampled_from([DUE, dt.date(2025, 6, 30)]),
)
milestone = st.dictionaries(
    st.sampled_from(MONTHS), st.sampled_from(list(MilestoneState)), max_size=12
)


def latest_of(history: dict[str, float], as_of: str) -> tuple[float, int]:
    past = sorted(p for p in history if p <= as_of)
    if not past:
        return np.nan, -1
    return history[past[-1]], month_number(past[-1])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(numeric, min_size=1, max_size=8),
    st.lists(milestone, max_size=4),
    st.sampled_from([*MONTHS, "2024-11", "2026-02"]),
)
def test_assess_arrays_matches_the_scalar_rules(numerics, milestones, as_of) -> None:  # type: ignore[no-untyped-def]
    expected: list[Assessment] = []
    rows = []
    for baseline, target, drawn, history, (yellow, red), due in numerics:
        valid = drawn is Direction.AT_LEAST or target < baseline
        direction = drawn if valid else Direction.AT_LEAST
        rule = IndicatorRule(target, CLOCK, due, baseline, direction, Thresholds(yellow, red))
        periods = sorted(history)
        expected.append(
            assess_history(rule, periods, [history[p] for p in periods], as_of, with_forecast=False)
        )
        rows.append(
            (False, baseline, target, due, direction, yellow, red, *latest_of(history, as_of))
        )
    for states in milestones:
        periods = sorted(states)
        expected.append(
            assess_milestone_history(CLOCK, DUE, periods, [states[p] for p in periods], as_of)
        )
        codes = {p: float(STATE_CODES[s]) for p, s in states.items()}
        rows.append(
            (True, 0.0, np.nan, DUE, Direction.AT_LEAST, 10.0, 30.0, *latest_of(codes, as_of))
        )
    facts = IndicatorArrays(
        milestone=np.array([r[0] for r in rows]),
        baseline=np.array([r[1] for r in rows]),
        target=np.array([r[2] for r in rows]),
        start=np.array([CLOCK.toordinal()] * len(rows)),
        due=np.array([r[3].toordinal() for r in rows]),
        due_month=np.array([month_number(period_of(r[3])) for r in rows]),
        at_most=np.array([r[4] is Direction.AT_MOST for r in rows]),
        yellow=np.array([r[5] for r in rows]),
        red=np.array([r[6] for r in rows]),
    )
    result = assess_arrays(
        facts, np.array([r[7] for r in rows]), np.array([r[8] for r in rows], dtype=np.int64), as_of
    )
    for i, want in enumerate(expected):
        assert STATUS_BY_CODE[result.status[i]] is want.status
        assert result.expected[i] == pytest.approx(want.expected)
        if want.completion is None:
            assert np.isnan(result.completion[i])
        else:
            assert result.completion[i] == pytest.approx(want.completion)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_rollup_arrays_matches_the_scalar_rollup(data: st.DataObject) -> None:
    # A random tree: node i's parent is an earlier node (or the root, -1).
    count = data.draw(st.integers(1, 12))
    parents = [-1] + [data.draw(st.integers(0, i - 1)) for i in range(1, count)]
    leaves = data.draw(
        st.lists(
            st.tuples(
                st.integers(0, count - 1),
                st.floats(0.1, 5),
                st.sampled_from(list(Status)),
                st.one_of(st.none(), st.floats(-1, 2)),
                st.floats(0, 1),
            ),
            max_size=20,
        )
    )
    assessments = [
        (owner, weight, Assessment(status, done, expected))
        for owner, weight, status, done, expected in leaves
    ]

    def scalar(node: int) -> Rollup:
        return rollup(
            [scalar(c) for c in range(count) if parents[c] == node],
            [(w, a) for owner, w, a in assessments if owner == node],
        )

    depth = [0] * count
    for i in range(1, count):
        depth[i] = depth[parents[i]] + 1
    arrays = rollup_arrays(
        np.array(parents, dtype=np.int64),
        np.array(depth, dtype=np.int64),
        np.array([o for o, _, _ in assessments], dtype=np.int64),
        np.array([w for _, w, _ in assessments]),
        assess_result(assessments),
    )
    for node in range(count):
        want = scalar(node)
        assert arrays.completion[node] == pytest.approx(want.completion)
        assert arrays.expected[node] == pytest.approx(want.expected)
        assert STATUS_BY_CODE[arrays.status[node]] is want.status
        got = {STATUS_BY_CODE[c]: int(n) for c, n in enumerate(arrays.counts[node]) if n}
        assert got == want.counts


def assess_result(assessments):  # type: ignore[no-untyped-def]
    return AssessedArrays(
        status=np.array([a.status.severity for _, _, a in assessments], dtype=np.int64),
        completion=np.array(
            [np.nan if a.completion is None else a.completion for _, _, a in assessments]
        ),
        expected=np.array([a.expected for _, _, a in assessments]),
    )


def test_the_workspace_agrees_with_the_scalar_rules_on_the_seed(
    database: Database, service: EntryService
) -> None:
    workspace = PlanWorkspace(database, as_of="2025-06")
    ids = {i.code: i.id for i in workspace.indicators.values()}
    service.apply(
        [
            new_entry(ids["2.1.1-1"], "2025-05", value=100),
            new_entry(ids["2.1.1-1"], "2025-06", value=130),
            new_entry(ids["1.1.1-1"], "2025-06", value=9800),
            new_entry(ids["4.2.3-2"], "2025-03", value=1000),
            new_entry(ids["5.1.1-1"], "2025-06", milestone_state=MilestoneState.IN_PROGRESS),
            new_entry(ids["6.2.1-1"], "2025-02", milestone_state=MilestoneState.DONE),
        ]
    )
    workspace.refresh(ids.values())
    for period in ("2025-01", "2025-06", "2025-11", "2026-01"):
        workspace.set_period(period)
        for indicator_id in workspace.indicators:
            scalar = workspace.assess(indicator_id)
            assert workspace.assessments[indicator_id] == scalar._replace(
                completion=workspace.assessments[indicator_id].completion
            )
            if scalar.completion is not None:
                got = workspace.assessments[indicator_id].completion
                assert got == pytest.approx(scalar.completion)
