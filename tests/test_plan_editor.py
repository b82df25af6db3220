"""The plan editor's writes (desktop.models.plan_editor): nodes, indicators and departments
added, changed, moved, archived and merged; each audited, checked against what the editor saw,
refused with the field and the rule, and taken back by its reverse."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.cli import main
from desktop.models.errors import InvalidEntryError, PlanEditError, StaleSettingsError
from desktop.models.integrity import check_database
from desktop.models.kinds import PlanState
from desktop.models.plan_editor import (
    DEPARTMENT,
    INDICATOR,
    NODE,
    PlanEditor,
    RecordEdit,
    archive_edit,
    archived_items,
    merge_edits,
    move_edit,
    record_fields,
    swap_edits,
)
from desktop.models.plan_service import PlanService
from desktop.models.schema import AuditEvent, Department, Entry, Indicator, Node, Plan
from desktop.models.service import EntryService
from desktop.models.store import Database
from desktop.models.workspace import PlanWorkspace
from tests.conftest import FixedClock, indicator_of, new_entry

PLAN = "SY2025-MIS"


@pytest.fixture
def editor(database: Database) -> PlanEditor:
    return PlanEditor(database, "王主任", clock=FixedClock())


def node_of(database: Database, code: str, plan: str = PLAN) -> int:
    with database.read() as session:
        found = session.scalar(
            select(Node.id)
            .join(Plan, Node.plan_id == Plan.id)
            .where(Plan.code == plan, Node.code == code)
        )
    assert found is not None
    return found


def plan_id(database: Database, code: str = PLAN) -> int:
    with database.read() as session:
        found = session.scalar(select(Plan.id).where(Plan.code == code))
    assert found is not None
    return found


def department_id(database: Database, short: str) -> int:
    with database.read() as session:
        found = session.scalar(select(Department.id).where(Department.short_name == short))
    assert found is not None
    return found


def new_indicator(
    database: Database, measure: str = "1.1.1", **fields: object
) -> dict[str, object]:
    values: dict[str, object] = {
        "measure_id": node_of(database, measure),
        "code": "1.1.1-9",
        "name": "新增指标",
        "unit": "个",
        "kind": "cumulative",
        "target": 12.0,
        "due": dt.date(2025, 12, 31),
        "department_id": department_id(database, "工信局"),
    }
    return {**values, **fields}


def reasons(error: pytest.ExceptionInfo[PlanEditError]) -> set[tuple[str, str]]:
    return {(p.field, p.reason) for p in error.value.problems}


def declared(database: Database) -> tuple[int, int, int]:
    with database.read() as session:
        plan = session.scalar(select(Plan).where(Plan.code == PLAN))
        assert plan is not None
        return plan.declared_projects, plan.declared_tasks, plan.declared_measures


def test_an_indicator_added_shows_in_the_plan_audited_and_is_taken_back_and_made_again(
    database: Database, editor: PlanEditor
) -> None:
    made = editor.add(INDICATOR, new_indicator(database))
    workspace = PlanWorkspace(database, plan_code=PLAN)
    added = workspace.indicators[made.record_id]
    assert (added.code, added.name, added.target) == ("1.1.1-9", "新增指标", 12.0)
    assert made.record_id in workspace.nodes[node_of(database, "1.1.1")].indicator_ids
    with database.read() as session:
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity == INDICATOR)
            .where(AuditEvent.entity_id == made.record_id)
        ).all()
    assert [(e.user, e.field, e.new_value) for e in events] == [
        ("王主任", "created", "1.1.1-9 新增指标")
    ]
    editor.take_back(made)
    assert made.record_id not in PlanWorkspace(database, plan_code=PLAN).indicators
    editor.make_again(made)
    assert PlanWorkspace(database, plan_code=PLAN).indicators[made.record_id].code == "1.1.1-9"
    assert check_database(database).problems == ()


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"code": "1.1.1-1"}, ("code", PlanEditError.DUPLICATE)),
        (
            {"baseline": 12.0, "baseline_date": dt.date(2024, 12, 31)},
            ("target", "target_is_baseline"),
        ),
        ({"due": dt.date(2026, 3, 31)}, ("due", PlanEditError.DUE_OUTSIDE)),
        ({"unit": "%"}, ("unit", PlanEditError.UNIT_KIND)),
        ({"kind": "milestone", "target": None}, ("unit", PlanEditError.UNIT_KIND)),
        ({"target": None}, ("target", PlanEditError.PENDING)),
        ({"name": "  "}, ("name", PlanEditError.REQUIRED)),
        ({"target": -3.0}, ("target", PlanEditError.FIGURE)),
        ({"stretch_target": 5.0}, ("stretch_target", PlanEditError.FACT)),
        ({"baseline": 3.0}, ("baseline_date", PlanEditError.REQUIRED)),
        ({"yellow_threshold": 50.0, "red_threshold": 20.0}, ("yellow_threshold", "thresholds")),
        ({"measure_id": None}, ("measure_id", PlanEditError.PLACE)),
    ],
)
def test_an_indicator_breaking_a_rule_is_refused_naming_its_field_and_nothing_changes(
    database: Database,
    editor: PlanEditor,
    fields: dict[str, object],
    expected: tuple[str, str],
) -> None:
    values = new_indicator(database, **fields)
    if fields.get("measure_id", 0) is None:
        values["measure_id"] = node_of(database, "1.1")  # a task, not a measure
    assert expected in {(p.field, p.reason) for p in editor.problems(INDICATOR, None, values)}
    with database.read() as session:
        before = session.scalar(select(Indicator.id).order_by(Indicator.id.desc()))
    with pytest.raises(PlanEditError) as refused:
        editor.add(INDICATOR, values)
    assert expected in reasons(refused)
    with database.read() as session:
        assert session.scalar(select(Indicator.id).order_by(Indicator.id.desc())) == before


def test_an_edit_is_audited_field_by_field_undone_by_its_reverse_and_refused_when_stale(
    database: Database, editor: PlanEditor
) -> None:
    indicator = indicator_of(database, "1.1.1-1")
    seen = record_fields(database, INDICATOR, indicator)
    edit = RecordEdit(
        INDICATOR,
        indicator,
        {"name": "改名后的指标", "target": 12000.0},
        {"name": seen["name"], "target": seen["target"]},
    )
    changes = editor.change([edit])
    assert changes.structure and indicator in changes.indicator_ids and changes.cells == 2
    assert PlanWorkspace(database, plan_code=PLAN).indicators[indicator].target == 12000.0
    with database.read() as session:
        fields = session.scalars(
            select(AuditEvent.field).where(
                AuditEvent.entity == INDICATOR, AuditEvent.entity_id == indicator
            )
        ).all()
    assert set(fields) >= {"name", "target"}
    # someone else changes the name meanwhile: the stale edit is refused, nothing written
    other = PlanEditor(database, "李四", clock=FixedClock())
    other.change(
        [RecordEdit(INDICATOR, indicator, {"name": "第三个名字"}, {"name": "改名后的指标"})]
    )
    with pytest.raises(StaleSettingsError, match="第三个名字"):
        editor.change([edit.reversed()])
    assert record_fields(database, INDICATOR, indicator)["target"] == 12000.0
    editor.change(
        [RecordEdit(INDICATOR, indicator, {"target": seen["target"]}, {"target": 12000.0})]
    )
    assert record_fields(database, INDICATOR, indicator)["target"] == seen["target"]


def test_an_archived_indicator_leaves_the_plan_keeps_its_figures_and_comes_back(
    database: Database, editor: PlanEditor, service: EntryService
) -> None:
    indicator = indicator_of(database, "2.1.2-1")
    service.apply([new_entry(indicator, "2025-05", value=120.0)])
    made_shape = declared(database)
    editor.change([archive_edit(INDICATOR, indicator, archived=True)])
    workspace = PlanWorkspace(database, plan_code=PLAN)
    assert indicator not in workspace.indicators
    assert declared(database) == made_shape  # an indicator is not part of the shape
    with database.read() as session:
        assert session.scalar(select(Entry.value).where(Entry.indicator_id == indicator)) == 120.0
    items = {item.code: item for item in archived_items(database, plan_id(database))}
    assert items["2.1.2-1"].figures == (("2025-05", "120"),)
    with pytest.raises(InvalidEntryError, match="archived"):
        service.apply([new_entry(indicator, "2025-06", value=130.0)])
    editor.change([archive_edit(INDICATOR, indicator, archived=False)])
    restored = PlanWorkspace(database, plan_code=PLAN)
    assert restored.latest(indicator) is not None
    assert check_database(database).problems == ()


def test_an_indicator_with_figures_keeps_its_kind_and_is_never_deleted(
    database: Database, editor: PlanEditor, service: EntryService
) -> None:
    made = editor.add(INDICATOR, new_indicator(database))
    service.apply([new_entry(made.record_id, "2025-05", value=3.0)])
    with pytest.raises(PlanEditError) as refused:
        editor.take_back(made)
    assert reasons(refused) == {("", PlanEditError.HOLDS)}
    edit = RecordEdit(INDICATOR, made.record_id, {"kind": "level"}, {"kind": "cumulative"})
    with pytest.raises(PlanEditError) as refused:
        editor.change([edit])
    assert reasons(refused) == {("kind", PlanEditError.KIND_WITH_FIGURES)}
    assert record_fields(database, INDICATOR, made.record_id)["kind"] == "cumulative"


def test_nodes_added_archived_and_restored_keep_the_announced_shape_in_step(
    database: Database, editor: PlanEditor
) -> None:
    assert declared(database) == (6, 12, 30)
    project = editor.add(
        NODE,
        {
            "plan_id": plan_id(database),
            "kind": "project",
            "parent_id": None,
            "code": "7",
            "title": "新增工程",
            "department_id": department_id(database, "工信局"),
        },
    )
    assert declared(database) == (7, 12, 30)
    workspace = PlanWorkspace(database, plan_code=PLAN)
    assert workspace.root_ids[-1] == project.record_id
    with pytest.raises(PlanEditError) as refused:
        editor.add(
            NODE,
            {
                "plan_id": plan_id(database),
                "kind": "measure",
                "parent_id": project.record_id,
                "code": "7.1.1",
                "title": "挂错位置",
                "department_id": department_id(database, "工信局"),
            },
        )
    assert reasons(refused) == {("parent_id", PlanEditError.PLACE)}
    # a project archived takes its tasks, measures and indicators out of the plan
    six = node_of(database, "6")
    editor.change([archive_edit(NODE, six, archived=True)])
    workspace = PlanWorkspace(database, plan_code=PLAN)
    assert six not in workspace.nodes and node_of(database, "6.2.4") not in workspace.nodes
    assert indicator_of(database, "6.2.4-1") not in workspace.indicators
    assert declared(database) == (6, 10, 24)
    codes = {item.code for item in archived_items(database, plan_id(database))}
    assert {"6", "6.2.4-1"} <= codes
    editor.change([archive_edit(NODE, six, archived=False)])
    editor.take_back(project)
    assert declared(database) == (6, 12, 30)
    assert check_database(database).problems == ()


def test_moves_swap_siblings_and_change_a_parent(database: Database, editor: PlanEditor) -> None:
    task = node_of(database, "1.1")
    first, second = PlanWorkspace(database, plan_code=PLAN).nodes[task].child_ids[:2]
    editor.change(swap_edits(database, NODE, second, -1))
    assert PlanWorkspace(database, plan_code=PLAN).nodes[task].child_ids[:2] == (second, first)
    assert swap_edits(database, NODE, node_of(database, "1"), -1) == []  # the first stays
    indicator = indicator_of(database, "1.1.1-1")
    edit = move_edit(database, INDICATOR, indicator, node_of(database, "2.1.1"))
    editor.change([edit])
    workspace = PlanWorkspace(database, plan_code=PLAN)
    assert workspace.indicators[indicator].measure_id == node_of(database, "2.1.1")
    assert workspace.nodes[node_of(database, "2.1.1")].indicator_ids[-1] == indicator
    editor.change([edit.reversed()])
    bad = move_edit(database, NODE, node_of(database, "1.1.1"), node_of(database, "2"))
    with pytest.raises(PlanEditError) as refused:
        editor.change([bad])
    assert reasons(refused) == {("parent_id", PlanEditError.PLACE)}


def test_departments_added_renamed_and_merged_and_the_merge_undone(
    database: Database, editor: PlanEditor
) -> None:
    made = editor.add(DEPARTMENT, {"name": "市数据局", "short_name": "数据局"})
    with pytest.raises(PlanEditError) as refused:
        editor.add(DEPARTMENT, {"name": "市科技局", "short_name": "科技二局"})
    assert reasons(refused) == {("name", PlanEditError.NAME_TAKEN)}
    editor.change(
        [
            RecordEdit(
                DEPARTMENT, made.record_id, {"short_name": "市数据局简"}, {"short_name": "数据局"}
            )
        ]
    )
    science, industry = department_id(database, "科技局"), department_id(database, "工信局")
    closed_2023 = indicator_of(database, "1.1.1-1", plan="SY2023-MIS")
    with database.write() as session:  # the 2023 plan is closed: its history keeps its names
        owner_2023 = session.get(Indicator, closed_2023)
        assert owner_2023 is not None
        owner_2023.department_id = science
    edits = merge_edits(database, science, industry)
    editor.change(edits)
    workspace = PlanWorkspace(database, plan_code=PLAN)
    assert science not in workspace.departments
    assert record_fields(database, INDICATOR, closed_2023)["department_id"] == science
    assert record_fields(database, DEPARTMENT, science)["merged_into_id"] == industry
    with pytest.raises(PlanEditError) as refused:
        editor.add(INDICATOR, new_indicator(database, department_id=science))
    assert reasons(refused) == {("department_id", PlanEditError.MERGED)}
    editor.change([edit.reversed() for edit in reversed(edits)])
    assert science in PlanWorkspace(database, plan_code=PLAN).departments


def test_a_closed_plan_is_not_edited(database: Database, editor: PlanEditor) -> None:
    measure = node_of(database, "1.1.1", plan="SY2023-MIS")
    with pytest.raises(PlanEditError) as refused:
        editor.add(
            INDICATOR, new_indicator(database, measure_id=measure, due=dt.date(2023, 12, 31))
        )
    assert reasons(refused) == {("", PlanEditError.CLOSED)}


def test_a_draft_takes_pending_targets_and_its_structure_is_copied_without_archived_parts(
    database: Database, editor: PlanEditor, tmp_path: Path
) -> None:
    editor.change([archive_edit(INDICATOR, indicator_of(database, "1.1.1-1"), archived=True)])
    made = PlanService(database, "王主任").next_year_plan(PLAN)
    workspace = PlanWorkspace(database, plan_code=made)
    assert workspace.plan.state is PlanState.DRAFT
    assert "1.1.1-1" not in {i.code for i in workspace.indicators.values()}
    measure = node_of(database, "1.1.1", plan=made)
    added = editor.add(
        INDICATOR,
        new_indicator(database, measure_id=measure, target=None, due=dt.date(2026, 12, 31)),
    )
    assert PlanWorkspace(database, plan_code=made).indicators[added.record_id].target is None


def test_the_command_line_lists_archived_parts_with_their_figures(
    database: Database,
    editor: PlanEditor,
    service: EntryService,
    seed_copy: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    indicator = indicator_of(database, "2.1.2-1")
    service.apply([new_entry(indicator, "2025-04", value=12.0)])
    editor.change([archive_edit(INDICATOR, indicator, archived=True)])
    database.close()
    assert main(["--db", str(seed_copy), "archived", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["plan"] == PLAN
    assert listed["archived"] == [
        {
            "kind": "indicator",
            "code": "2.1.2-1",
            "name": listed["archived"][0]["name"],
            "unit": "项",
            "figures": [{"period": "2025-04", "figure": "12"}],
        }
    ]
