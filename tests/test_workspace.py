"""The in-memory workspace the window reads: period switches and incremental refreshes."""

from __future__ import annotations

from desktop.models.database import Database
from desktop.models.overview import evaluate_plan
from desktop.models.progress import Status, Thresholds
from desktop.models.service import EntryService
from desktop.models.workspace import PlanWorkspace


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
    assert len(workspace.indicators_under(None)) == 46
    project_5 = next(n for n in workspace.root_ids if workspace.nodes[n].code == "5")
    codes = [workspace.indicators[i].code for i in workspace.indicators_under(project_5)]
    assert codes == ["5.1.1-1", "5.1.2-1", "5.2.1-1", "5.2.1-2", "5.2.2-1"]
    assert workspace.months[0] == "2025-01" and len(workspace.months) == 12
