"""The schema-4 upgrade brings a released file's built-in plans up to the shipped seed's.

A user of an older release has the 2025 plan as it shipped then (46 indicators, measures 4.1.3
and 4.2.3 the other way round, no done_when, counts where the corrected plan has milestones)
and none of the plans new in this release. Upgraded, the file holds the seed's plans, every id
a user's figures point at is kept, and no figure changes its meaning.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, create_engine

from desktop.models import built_in_plans
from desktop.models.built_in_plans import (
    AUDIT_FIELD,
    FORMER_CODES,
    UPGRADE_USER,
    update_built_in_plans,
)
from desktop.models.errors import DatabaseOpenError
from desktop.models.integrity import check_database
from desktop.models.opening import open_database
from tests.conftest import SEED
from tests.test_migrations import FIXTURES, dump, schema_version_in

OLDER = [FIXTURES / f"schema-v{n}.sqlite" for n in (1, 2, 3)]
BUILT_IN = ("SY2023-MIS", "SY2025-MIS", "SY2025-SCI")
# The kept fields of an indicator whose corrected kind cannot hold its figures.
KEPT = set(built_in_plans._KEPT_WITH_KIND) | {"note"}
# Counts in the released plan, milestones in the corrected one, with figures in the fixture.
KEPT_KIND = {"1.1.2-1": 3.0, "1.1.3-1": 5.0, "1.1.3-2": 6.0}


Rows = dict[str, dict[str, Any]]


def plan_rows(path: Path, plan: str) -> tuple[Rows, Rows]:
    """A plan's nodes and indicators by code, with every plan field; ids as codes and names."""
    tables = (
        ("nodes", built_in_plans._NODE_FIELDS, "parent_id", "LEFT JOIN nodes AS up"),
        ("indicators", built_in_plans._INDICATOR_FIELDS, "measure_id", "JOIN nodes AS up"),
    )
    found = []
    with sqlite3.connect(path) as connection:
        connection.row_factory = sqlite3.Row
        for table, fields, link, join in tables:
            rows = connection.execute(
                f"SELECT t.*, up.code AS up_code, d.name AS department FROM {table} AS t "
                f"JOIN plans ON plans.id = t.plan_id {join} ON up.id = t.{link} "
                "JOIN departments AS d ON d.id = t.department_id WHERE plans.code = ?",
                (plan,),
            )
            found.append(
                {
                    row["code"]: {
                        **{k: row[k] for k in fields},
                        link: row["up_code"],
                        "department_id": row["department"],
                    }
                    for row in rows
                }
            )
    connection.close()
    return found[0], found[1]


def plan_row(path: Path, plan: str) -> dict[str, Any]:
    """A plan's row, its lead department by name."""
    with sqlite3.connect(path) as connection:
        cursor = connection.execute(
            "SELECT plans.*, d.name AS lead FROM plans "
            "LEFT JOIN departments AS d ON d.id = plans.lead_department_id WHERE code = ?",
            (plan,),
        )
        row = dict(zip((d[0] for d in cursor.description), cursor.fetchone(), strict=True))
    connection.close()
    return {k: v for k, v in row.items() if k not in ("id", "lead_department_id")}


def upgraded(released: Path, tmp_path: Path) -> Path:
    path = tmp_path / "users-file.sqlite"
    shutil.copyfile(released, path)
    database = open_database(path)
    try:
        report = check_database(database)
        assert report.ok, report.problems
    finally:
        database.close()
    return path


@pytest.fixture
def before_and_after(tmp_path: Path) -> tuple[dict[str, list[tuple[object, ...]]], Path]:
    path = tmp_path / "released.sqlite"
    shutil.copyfile(FIXTURES / "schema-v3.sqlite", path)
    return dump(path), upgraded(path, tmp_path)


@pytest.mark.parametrize("released", OLDER, ids=lambda p: p.stem)
def test_an_upgraded_file_holds_the_shipped_plans_and_every_figure_as_it_was(
    released: Path, tmp_path: Path
) -> None:
    before = dump(released)
    path = upgraded(released, tmp_path)
    after = dump(path)

    assert [row[1] for row in after["plans"]] == ["SY2025-MIS", "SY2023-MIS", "SY2025-SCI"]
    for code in BUILT_IN:
        assert plan_row(path, code) == plan_row(SEED, code), code
        nodes, indicators = plan_rows(path, code)
        shipped_nodes, shipped_indicators = plan_rows(SEED, code)
        assert nodes == shipped_nodes, code
        assert indicators.keys() == shipped_indicators.keys(), code
        for key, indicator in indicators.items():
            differing = {k for k in indicator if indicator[k] != shipped_indicators[key][k]}
            if code == "SY2025-MIS" and key in KEPT_KIND:
                assert differing <= KEPT, key
            else:
                assert not differing, (code, key, differing)
    # Every figure, import and audit event as it was, ids and values (a schema-1 batch gains
    # the schema-2 columns, last); the old rows of the plan keep their ids.
    assert after["entries"] == before["entries"]
    assert [
        row[: len(old)]
        for row, old in zip(after["import_batches"], before["import_batches"], strict=True)
    ] == before["import_batches"]
    assert after["audit_events"][: len(before["audit_events"])] == before["audit_events"]
    old_ids = {row[0] for row in before["indicators"]}
    assert old_ids <= {row[0] for row in after["indicators"]}
    assert {row[0] for row in before["nodes"]} <= {row[0] for row in after["nodes"]}
    assert [row[:2] for row in after["departments"][: len(before["departments"])]] == [
        row[:2] for row in before["departments"]
    ]


def test_the_moved_measures_keep_their_rows_and_figures(before_and_after: Any) -> None:
    before, path = before_and_after
    moves = FORMER_CODES["SY2025-MIS"]
    old = {row[2]: row[0] for row in before["indicators"]}  # code -> id
    with sqlite3.connect(path) as connection:
        now = dict(
            connection.execute(
                "SELECT i.code, i.id FROM indicators AS i JOIN plans ON plans.id = i.plan_id "
                "WHERE plans.code = 'SY2025-MIS'"
            ).fetchall()
        )
        nodes = dict(
            connection.execute(
                "SELECT n.code, n.id FROM nodes AS n JOIN plans ON plans.id = n.plan_id "
                "WHERE plans.code = 'SY2025-MIS'"
            ).fetchall()
        )
    connection.close()
    old_nodes = {row[4]: row[0] for row in before["nodes"]}
    for was, becomes in moves.items():
        if "-" in was:
            assert now[becomes] == old[was], was  # its entries follow it
        else:
            assert nodes[becomes] == old_nodes[was], was
    # the data-labelling figure (4.1.3-1 in the released plan) is 4.2.3-1's now
    (entry,) = [row for row in before["entries"] if row[1] == old["4.1.3-1"]]
    assert now["4.2.3-1"] == entry[1]


def test_figures_a_corrected_kind_cannot_hold_keep_their_kind_and_say_so(
    before_and_after: Any,
) -> None:
    before, path = before_and_after
    # The fixture's figures: the first 24 indicators by id have three months each.
    by_id = {row[0]: row[2] for row in before["indicators"]}
    with_figures = {
        by_id[row[1]]
        for row in before["entries"]
        if row[3] is not None or row[4] is not None  # a value or a milestone state
    }
    first = [row[2] for row in before["indicators"][:24]]
    assert with_figures >= set(first) and set(KEPT_KIND) <= set(first)

    _, indicators = plan_rows(path, "SY2025-MIS")
    _, shipped = plan_rows(SEED, "SY2025-MIS")
    for code, target in KEPT_KIND.items():
        kept = indicators[code]
        assert shipped[code]["kind"] == "milestone"
        assert (kept["kind"], kept["unit"], kept["target"]) == ("level", "个", target)
        assert kept["note"].startswith(shipped[code]["note"])
        assert "修正未应用:已有填报数据(3个月的数值)" in kept["note"]
        assert kept["name"] == shipped[code]["name"] and kept["quote"] == shipped[code]["quote"]
    # cumulative -> level reads the same figure (the total so far): applied despite figures
    assert "3.2.1-1" in with_figures
    assert indicators["3.2.1-1"] == shipped["3.2.1-1"]
    assert [c for c, i in indicators.items() if "修正未应用" in i["note"]] == list(KEPT_KIND)


def test_one_audit_event_says_why_each_plan_changed(before_and_after: Any) -> None:
    before, path = before_and_after
    new = dump(path)["audit_events"][len(before["audit_events"]) :]
    with sqlite3.connect(path) as connection:
        ids = dict(connection.execute("SELECT code, id FROM plans").fetchall())
    connection.close()
    assert sorted(row[4] for row in new) == sorted(ids[code] for code in BUILT_IN)
    for _id, at, user, entity, _plan, indicator, period, field, _old, text, batch in new:
        assert (user, entity, field) == (UPGRADE_USER, "plan", AUDIT_FIELD)
        assert (indicator, period, batch) == (None, None, None)
        assert at.startswith("20") and text
    (updated,) = [row for row in new if row[4] == ids["SY2025-MIS"]]
    assert updated[8] == "48个节点、46项指标"
    assert "4.1.3→4.2.3" in updated[9] and "新增指标2:3.2.1-2、3.2.2-3" in updated[9]
    assert "修正未应用(已有填报数据)3:1.1.2-1、1.1.3-1、1.1.3-2" in updated[9]


def run_step(path: Path) -> list[built_in_plans.PlanUpdate]:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            return update_built_in_plans(connection)
    finally:
        engine.dispose()


def test_the_step_run_again_changes_nothing(before_and_after: Any) -> None:
    _, path = before_and_after
    once = dump(path)
    assert run_step(path) == []
    assert dump(path) == once


def test_a_file_that_has_the_shipped_plans_already_is_left_as_it_is(seed_copy: Path) -> None:
    before = dump(seed_copy)
    assert run_step(seed_copy) == []
    assert dump(seed_copy) == before


def test_a_file_without_the_released_plan_keeps_its_own(tmp_path: Path) -> None:
    """A plan whose code the user changed is not a built-in plan: it is left alone and the
    released plan is not put back beside it; the new built-in plans are added."""
    path = tmp_path / "released.sqlite"
    shutil.copyfile(FIXTURES / "schema-v3.sqlite", path)
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE plans SET code = 'MY-PLAN' WHERE code = 'SY2025-MIS'")
    connection.close()
    before = dump(path)
    path = upgraded(path, tmp_path)
    after = dump(path)
    assert [row[1] for row in after["plans"]] == ["MY-PLAN", "SY2023-MIS", "SY2025-SCI"]
    assert after["plans"][0][:10] == before["plans"][0][:10]
    assert after["nodes"][: len(before["nodes"])] == [(*row, "", 0, 0) for row in before["nodes"]]
    mine = [row for row in after["indicators"] if row[1] == 1]
    assert [(row[0], row[3], row[4], row[8]) for row in mine] == [
        (row[0], row[2], row[3], row[7]) for row in before["indicators"]
    ]
    assert len([row for row in after["audit_events"] if row[3] == "plan"]) == 2


@pytest.fixture
def failing_audit(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The data step fails at its end, after it has changed the plans (a driver error)."""

    def fail(connection: Connection, *_: object) -> None:
        connection.exec_driver_sql("INSERT INTO no_such_table VALUES (1)")

    monkeypatch.setattr(built_in_plans, "_audit", fail)
    yield


@pytest.mark.parametrize("released", [OLDER[0], OLDER[-1]], ids=lambda p: p.stem)
def test_a_failing_data_step_puts_the_file_back(
    released: Path, tmp_path: Path, failing_audit: None
) -> None:
    path = tmp_path / "plan.sqlite"
    shutil.copyfile(released, path)
    before = dump(path)
    with pytest.raises(DatabaseOpenError, match=r"from version 3 failed \(no such table"):
        open_database(path)
    assert dump(path) == before
    assert schema_version_in(path) == int(released.stem[-1])


def test_a_missing_seed_puts_the_file_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def missing() -> Path:
        raise DatabaseOpenError("the bundled plan database is missing (looked for x)")

    monkeypatch.setattr(built_in_plans, "bundled_seed_path", missing)
    path = tmp_path / "plan.sqlite"
    shutil.copyfile(OLDER[0], path)
    before = dump(path)
    with pytest.raises(DatabaseOpenError, match="bundled plan database is missing"):
        open_database(path)
    assert dump(path) == before
    assert schema_version_in(path) == 1
