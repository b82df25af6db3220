"""The service layer: the only writer, audited, checked against what the writer saw, refusing
bad input unchanged."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.models.changes import NOTHING_CHANGED
from desktop.models.edits import EntryEdit
from desktop.models.errors import InvalidEntryError, StaleEditError
from desktop.models.history import entry_details, entry_history
from desktop.models.kinds import MilestoneState
from desktop.models.opening import open_database
from desktop.models.schema import AuditEvent, Entry
from desktop.models.service import EntryService
from desktop.models.store import Database
from tests.conftest import FixedClock, indicator_of, new_entry

indicator_id = indicator_of


def entries_and_audit(database: Database) -> tuple[list[tuple[object, ...]], int]:
    with database.read() as session:
        entries = [
            (e.indicator_id, e.period, e.value, e.milestone_state, e.progress_note, e.version)
            for e in session.scalars(select(Entry).order_by(Entry.id))
        ]
        audits = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    return entries, audits


def test_setting_a_value_creates_the_entry_and_audits_it(
    database: Database, service: EntryService
) -> None:
    projects = indicator_id(database, "2.1.1-1")
    changes = service.set_value(projects, "2025-06", 128, expected=None)
    assert changes.indicator_ids == {projects} and changes.periods == {"2025-06"}
    assert changes.cells == 1 and service.entry_version(projects, "2025-06") == 1
    with database.read() as session:
        entry = session.scalars(select(Entry)).one()
        events = session.scalars(select(AuditEvent)).all()
    assert (entry.value, entry.reported_by, entry.origin.value) == (128, "张三", "manual")
    assert [(e.user, e.field, e.old_value, e.new_value, e.period) for e in events] == [
        ("张三", "value", None, "128.0", "2025-06")
    ]


def test_each_change_bumps_the_version_and_records_old_and_new(
    database: Database, service: EntryService
) -> None:
    projects = indicator_id(database, "2.1.1-1")
    service.set_value(projects, "2025-06", 128, expected=None)
    changes = service.set_value(projects, "2025-06", 131, expected=128)
    assert changes.cells == 1 and service.entry_version(projects, "2025-06") == 2
    service.set_notes(projects, "2025-06", progress_note="已开工 131 个", problems="资金到位慢")
    with database.read() as session:
        trail = [
            (e.field, e.old_value, e.new_value)
            for e in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        ]
    assert trail == [
        ("value", None, "128.0"),
        ("value", "128.0", "131.0"),
        ("progress_note", "", "已开工 131 个"),
        ("problems", "", "资金到位慢"),
    ]
    assert service.entry_version(projects, "2025-06") == 3


def test_a_stale_edit_is_refused_and_overwrites_nothing(
    database: Database, service: EntryService
) -> None:
    projects = indicator_id(database, "2.1.1-1")
    service.set_value(projects, "2025-06", 128, expected=None)
    colleague = EntryService(database, "李四", clock=FixedClock())
    colleague.set_value(projects, "2025-06", 140, expected=128)
    before = entries_and_audit(database)
    with pytest.raises(StaleEditError, match="changed by someone else") as caught:
        service.set_value(projects, "2025-06", 150, expected=128)
    assert caught.value.current_value == "140.0" and caught.value.expected_value == "128.0"
    assert "李四" in str(caught.value) and "it now holds 140, not 128" in str(caught.value)
    assert entries_and_audit(database) == before


def test_a_value_changed_and_changed_back_is_no_conflict(
    database: Database, service: EntryService
) -> None:
    """Conflicts are judged on values: what the writer saw is there again."""
    projects = indicator_id(database, "2.1.1-1")
    service.set_value(projects, "2025-06", 128, expected=None)
    colleague = EntryService(database, "李四", clock=FixedClock())
    colleague.set_value(projects, "2025-06", 140, expected=128)
    colleague.set_value(projects, "2025-06", 128, expected=140)
    service.set_value(projects, "2025-06", 150, expected=128)
    assert entries_and_audit(database)[0][0][2] == 150


def test_the_same_value_written_by_two_people_is_no_conflict(
    database: Database, service: EntryService
) -> None:
    projects = indicator_id(database, "2.1.1-1")
    EntryService(database, "李四").set_value(projects, "2025-06", 128, expected=None)
    assert service.set_value(projects, "2025-06", 128, expected=None).empty
    with pytest.raises(StaleEditError):
        service.set_value(projects, "2025-06", 129, expected=None)


def test_a_second_instance_on_the_same_file_is_refused_too(
    seed_copy: Path, database: Database, service: EntryService
) -> None:
    """Two programs open on one database: the later edit based on an old version loses."""
    other = open_database(seed_copy)
    try:
        projects = indicator_id(database, "2.1.1-1")
        service.set_value(projects, "2025-06", 128, expected=None)
        with pytest.raises(StaleEditError):
            EntryService(other, "李四").set_value(projects, "2025-06", 99, expected=None)
    finally:
        other.close()
    assert entries_and_audit(database)[0][0][2] == 128


@pytest.mark.parametrize("value", [-1, math.nan, math.inf, 1e13])
def test_impossible_values_are_refused(
    database: Database, service: EntryService, value: float
) -> None:
    with pytest.raises(InvalidEntryError, match="not a valid value"):
        service.set_value(indicator_id(database, "2.1.1-1"), "2025-06", value, expected=None)
    assert entries_and_audit(database) == ([], 0)


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2024-12", "outside the plan"),
        ("2026-01", "outside the plan"),
        ("2025-6", "YYYY-MM"),
        ("June", "YYYY-MM"),
    ],
)
def test_months_outside_the_plan_are_refused(
    database: Database, service: EntryService, period: str, message: str
) -> None:
    with pytest.raises(InvalidEntryError, match=message):
        service.set_value(indicator_id(database, "2.1.1-1"), period, 1, expected=None)
    assert entries_and_audit(database) == ([], 0)


def test_values_and_states_go_to_the_right_kind_of_indicator(
    database: Database, service: EntryService
) -> None:
    milestone = indicator_id(database, "5.1.1-1")
    numeric = indicator_id(database, "5.2.1-1")
    with pytest.raises(InvalidEntryError, match="is a milestone"):
        service.set_value(milestone, "2025-06", 1, expected=None)
    with pytest.raises(InvalidEntryError, match="is a numeric indicator"):
        service.set_milestone_state(numeric, "2025-06", MilestoneState.DONE, expected=None)
    service.set_milestone_state(milestone, "2025-06", MilestoneState.IN_PROGRESS, expected=None)
    assert entries_and_audit(database)[0] == [
        (milestone, "2025-06", None, MilestoneState.IN_PROGRESS, "", 1)
    ]


def test_unknown_indicator_and_missing_user_are_refused(
    database: Database, service: EntryService
) -> None:
    with pytest.raises(InvalidEntryError, match="no indicator with id 99999"):
        service.set_value(99999, "2025-06", 1, expected=None)
    with pytest.raises(InvalidEntryError, match="user name"):
        EntryService(database, "  ")


def test_an_overlong_note_is_refused(database: Database, service: EntryService) -> None:
    with pytest.raises(InvalidEntryError, match="at most 2000"):
        service.set_notes(
            indicator_id(database, "2.1.1-1"),
            "2025-06",
            progress_note="长" * 2001,
        )
    assert entries_and_audit(database) == ([], 0)


def test_writing_the_same_value_again_changes_nothing(
    database: Database, service: EntryService
) -> None:
    projects = indicator_id(database, "2.1.1-1")
    assert service.set_value(projects, "2025-06", None, expected=None) == (NOTHING_CHANGED)
    service.set_value(projects, "2025-06", 128, expected=None)
    before = entries_and_audit(database)
    assert service.set_value(projects, "2025-06", 128, expected=128).empty
    assert entries_and_audit(database) == before


def test_clearing_a_value_is_audited(database: Database, service: EntryService) -> None:
    projects = indicator_id(database, "2.1.1-1")
    service.set_value(projects, "2025-06", 128, expected=None)
    service.set_value(projects, "2025-06", None, expected=128)
    with database.read() as session:
        last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert last is not None and (last.old_value, last.new_value) == ("128.0", None)


def test_a_batch_is_applied_whole_or_not_at_all(database: Database, service: EntryService) -> None:
    projects = indicator_id(database, "2.1.1-1")
    factories = indicator_id(database, "3.1.2-1")
    service.set_value(factories, "2025-06", 4, expected=None)
    before = entries_and_audit(database)
    with pytest.raises(StaleEditError):
        service.apply(
            [
                new_entry(projects, "2025-06", value=120),
                new_entry(factories, "2025-06", value=5),  # stale: it holds 4
            ]
        )
    assert entries_and_audit(database) == before
    changes = service.apply(
        [
            new_entry(projects, "2025-06", value=120),
            EntryEdit(
                factories,
                "2025-06",
                {"value": 5, "progress_note": "新增1个"},
                {"value": 4, "progress_note": ""},
            ),
        ]
    )
    assert changes.indicator_ids == {projects, factories}
    assert changes.cells == 3  # one value, and a value and a note


def test_two_edits_of_one_month_in_one_save_are_one_write(
    database: Database, service: EntryService
) -> None:
    """The second edit sees the first (a paste of a figure and its note): one entry, written
    once (its version counts saves), with an audit event for each field."""
    projects = indicator_id(database, "2.1.1-1")
    changes = service.apply(
        [
            new_entry(projects, "2025-06", value=120),
            EntryEdit(projects, "2025-06", {"value": 121}, {"value": 120}),
            EntryEdit(projects, "2025-06", {"progress_note": "已开工"}, {"progress_note": ""}),
        ]
    )
    assert changes.cells == 3
    entries, audits = entries_and_audit(database)
    assert entries == [(projects, "2025-06", 121, None, "已开工", 1)] and audits == 3
    with pytest.raises(StaleEditError, match="it now holds 121"):
        service.apply([EntryEdit(projects, "2025-06", {"value": 5}, {"value": 120})])
    service.set_value(projects, "2025-06", 122, expected=121)
    assert service.entry_version(projects, "2025-06") == 2


def test_history_lists_each_change_newest_first(database: Database, service: EntryService) -> None:
    projects = indicator_id(database, "2.1.1-1")
    service.set_value(projects, "2025-06", 120, expected=None)
    service.set_notes(projects, "2025-06", progress_note="进展顺利")
    events = entry_history(database, projects, "2025-06")
    assert [(e.field, e.old_value, e.new_value, e.user) for e in events] == [
        ("progress_note", "", "进展顺利", "张三"),
        ("value", None, "120.0", "张三"),
    ]
    details = entry_details(database, projects, "2025-06")
    assert details is not None
    assert (details.progress_note, details.version, details.origin.value) == (
        "进展顺利",
        2,
        "manual",
    )
    assert entry_details(database, projects, "2025-07") is None
