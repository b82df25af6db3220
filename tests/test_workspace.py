"""The in-memory workspace the window reads: period switches and incremental refreshes."""

from __future__ import annotations

import math
from pathlib import Path

from desktop.models.demo import create_demo
from desktop.models.kinds import MilestoneState
from desktop.models.opening import open_database
from desktop.models.overview import evaluate_plan
from desktop.models.service import EntryService
from desktop.models.status_rule import STATE_BY_CODE, Status, Thresholds, assess
from desktop.models.store import Database
from desktop.models.workspace import PlanWorkspace
from tests.conftest import new_entry


def code_to_id(workspace: PlanWorkspace) -> dict[str, int]:
    return {i.code: i.id for i in workspace.indicators.values()}


def test_a_refresh_reassesses_the_indicator_and_rolls_up_its_ancestors(
    database: Database, service: EntryService
) -> None:
    workspace = PlanWorkspace(database, as_of="2025-06")
    ids = code_to_id(workspace)
    projects = ids["2.1.1-1"]
    measure = workspace.indicators[projects].measure_id
    assert workspace.assessments[projects].status is Status.NOT_REPORTED
    changes = service.set_value(projects, "2025-06", 300, expected=None)
    touched = workspace.refresh(changes.indicator_ids)
    assert touched == set(workspace.ancestors(measure))
    assert [workspace.nodes[n].code for n in workspace.ancestors(measure)] == ["2.1.1", "2.1", "2"]
    assert workspace.assessments[projects].status is Status.COMPLETED
    assert workspace.version(projects, "2025-06") == 1
    assert workspace.plan_rollup.counts[Status.COMPLETED] == 1
    # the incremental result equals a full evaluation from the database
    fresh = evaluate_plan(database, as_of="2025-06")
    assert fresh.rollup.completion == workspace.plan_rollup.completion
    assert {n.info.code: n.rollup.status for n in fresh.nodes()} == {
        workspace.nodes[n].code: workspace.rollups[n].status for n in workspace.nodes
    }


def test_a_period_switch_reassesses_from_memory(database: Database, service: EntryService) -> None:
    workspace = PlanWorkspace(database, as_of="2025-06")
    projects = code_to_id(workspace)["2.1.1-1"]
    service.set_value(projects, "2025-06", 150, expected=None)
    workspace.refresh([projects])
    assert workspace.assessments[projects].status is Status.GREEN
    workspace.set_period("2025-09")  # no report for September yet
    assert workspace.assessments[projects].status is Status.NOT_REPORTED
    assert workspace.latest(projects) is not None
    workspace.set_period("2025-05")  # June's report is not visible in May
    assert workspace.latest(projects) is None


def test_thresholds_change_the_lights(database: Database, service: EntryService) -> None:
    workspace = PlanWorkspace(database, as_of="2025-06")
    projects = code_to_id(workspace)["2.1.1-1"]
    service.set_value(projects, "2025-06", 120, expected=None)  # 9.6 points behind
    workspace.refresh([projects])
    assert workspace.assessments[projects].status is Status.GREEN
    workspace.set_thresholds(Thresholds(yellow=5, red=30))
    assert workspace.assessments[projects].status is Status.YELLOW


def test_indicators_under_follow_the_tree(database: Database) -> None:
    workspace = PlanWorkspace(database, as_of="2025-06")
    assert len(workspace.indicators_under(None)) == 48
    project_5 = next(n for n in workspace.root_ids if workspace.nodes[n].code == "5")
    codes = [workspace.indicators[i].code for i in workspace.indicators_under(project_5)]
    assert codes == ["5.1.1-1", "5.1.2-1", "5.2.1-1", "5.2.1-2", "5.2.2-1"]
    assert workspace.months[0] == "2025-01" and len(workspace.months) == 12


def test_the_workspace_assesses_each_indicator_as_the_rule_does_alone(
    database: Database, service: EntryService
) -> None:
    """The workspace's matrices (latest figure so far, its month) feed the rule what one
    indicator's own reports would."""
    workspace = PlanWorkspace(database, as_of="2025-06")
    ids = code_to_id(workspace)
    service.apply(
        [
            new_entry(ids["2.1.1-1"], "2025-05", value=100),
            new_entry(ids["2.1.1-1"], "2025-06", value=130),
            new_entry(ids["1.1.1-1"], "2025-06", value=9800),
            new_entry(ids["4.1.3-2"], "2025-03", value=1000),
            new_entry(ids["5.1.1-1"], "2025-06", milestone_state=MilestoneState.IN_PROGRESS),
            new_entry(ids["6.2.1-1"], "2025-02", milestone_state=MilestoneState.DONE),
        ]
    )
    workspace.refresh(ids.values())
    for period in ("2025-01", "2025-06", "2025-11", "2026-01"):
        workspace.set_period(period)
        for indicator_id, indicator in workspace.indicators.items():
            periods, figures = workspace.reported(indicator_id)
            reported = {
                p: STATE_BY_CODE[int(f)] if indicator.is_milestone else f
                for p, f in zip(periods, figures, strict=True)
            }
            alone = assess(workspace.rule(indicator_id), reported, period)
            assert workspace.assessments[indicator_id] == alone
            assert workspace.assess(indicator_id)._replace(forecast=None) == alone


def test_the_plan_s_forecasts_at_once_are_each_indicator_s_forecast(tmp_path: Path) -> None:
    """The array forecasts of a snapshot (tree --json, reports) are the one-by-one ones, in
    every month of a plan with demo figures, for numeric indicators, milestones and those
    with too few reports alike."""
    path = tmp_path / "demo.sqlite"
    create_demo(path, through="2025-09")
    database = open_database(path)
    workspace = PlanWorkspace(database, as_of="2025-01")
    seen_forecasts = 0
    for period in ("2025-01", "2025-03", "2025-06", "2025-09", "2025-12"):
        workspace.set_period(period)
        at_once = workspace.forecasts()
        for indicator_id in workspace.indicators:
            alone = workspace.forecast(indicator_id)
            together = at_once[indicator_id]
            assert (alone is None) == (together is None), (period, indicator_id)
            if alone is not None and together is not None:
                seen_forecasts += 1
                assert math.isclose(alone.value, together.value, rel_tol=1e-9, abs_tol=1e-9)
                assert math.isclose(
                    alone.completion, together.completion, rel_tol=1e-9, abs_tol=1e-9
                )
                assert alone.misses_target == together.misses_target
    assert seen_forecasts > 100
    database.close()
