"""The entries' arrays and the structure's rows kept between starts
(desktop.models.array_cache): a start after any change to an entry, a plan, a department, a
node or an indicator, by this program or another, shows the change; a kept file is only ever a
shortcut, never a source of figures or plans the file does not hold."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import event

from desktop.cli import main
from desktop.models.array_cache import CACHE_ENV, KEEP
from desktop.models.demo import create_demo
from desktop.models.integrity import check_database
from desktop.models.opening import open_database, restore
from desktop.models.service import EntryService
from desktop.models.store import ENTRIES_REVISION_KEY, Database
from desktop.models.workspace import PlanWorkspace
from tests.test_crash_kill import filled_template
from tests.ui_helpers import grid_index

from desktop.ui.app import create_main_window
from desktop.ui.settings import Settings

MONTH = "2025-06"


@pytest.fixture
def kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(CACHE_ENV, str(folder))
    return folder


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    path = tmp_path / "demo.sqlite"
    create_demo(path, through="2025-09")
    return path


def figures(database: Database) -> dict[tuple[str, str], tuple[float | None, int]]:
    """What the window shows of every entry: each (indicator, month)'s figure and version."""
    workspace = PlanWorkspace(database, as_of=MONTH)
    shown = {}
    for indicator_id, info in workspace.indicators.items():
        for month in workspace.months:
            entry = workspace.entry(indicator_id, month)
            if entry is not None:
                shown[info.code, month] = (entry.value, entry.version)
    return shown


def read_from_the_file(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[tuple[str, str], object]:
    """The same, read from the rows with no kept arrays."""
    with monkeypatch.context() as scope:
        scope.setenv(CACHE_ENV, "")
        database = open_database(path)
        try:
            return dict(figures(database))
        finally:
            database.close()


def entry_reads(database: Database) -> list[str]:
    """The statements that read the entries' rows, from now on."""
    seen: list[str] = []

    @event.listens_for(database.engine, "before_cursor_execute")
    def _seen(_c: object, _cu: object, statement: str, *_rest: object) -> None:
        if "FROM entries" in statement:
            seen.append(statement)

    return seen


def test_the_next_start_takes_the_kept_arrays_instead_of_the_rows(demo: Path, kept: Path) -> None:
    database = open_database(demo)
    reads = entry_reads(database)
    first = figures(database)
    assert len(reads) == 1 and len(list(kept.glob("entries-*.npz"))) == 1
    again = figures(database)
    assert again == first and len(first) > 100
    assert len(reads) == 1  # the second start read no entry row
    database.close()


def _edit(path: Path, indicator_id: int) -> None:
    database = open_database(path)
    try:
        EntryService(database, "测试").set_value(
            indicator_id, MONTH, 12345.0, expected=_value(database, indicator_id)
        )
    finally:
        database.close()


def _value(database: Database, indicator_id: int) -> float | None:
    entry = PlanWorkspace(database, as_of=MONTH).entry(indicator_id, MONTH)
    return None if entry is None else entry.value


def _raw(sql: str) -> Callable[[Path, int], None]:
    def change(path: Path, indicator_id: int) -> None:
        with sqlite3.connect(path) as connection:
            connection.execute(sql, {"id": indicator_id, "month": MONTH})
        connection.close()

    return change


CHANGES = {
    "typed in the program": _edit,
    "a value changed by another SQLite client": _raw(
        "UPDATE entries SET value = value + 1 WHERE indicator_id = :id AND period = :month"
    ),
    "a version changed by another client": _raw(
        "UPDATE entries SET version = version + 7 WHERE indicator_id = :id AND period = :month"
    ),
    "an entry deleted by another client": _raw(
        "DELETE FROM entries WHERE indicator_id = :id AND period = :month"
    ),
    "an entry added by another client": _raw(
        "INSERT INTO entries (indicator_id, period, value, progress_note, problems, reported_by,"
        " reported_at, origin, version) VALUES (:id, '2025-12', 1.5, '', '', 'x',"
        " '2025-12-31 00:00:00', 'manual', 1)"
    ),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_a_start_after_any_change_to_an_entry_shows_it(
    demo: Path,
    kept: Path,
    monkeypatch: pytest.MonkeyPatch,
    change: Callable[[Path, int], None],
) -> None:
    database = open_database(demo)
    before = figures(database)  # kept
    indicator_id = next(
        i for i, info in PlanWorkspace(database).indicators.items() if not info.is_milestone
    )
    database.close()
    change(demo, indicator_id)
    database = open_database(demo)
    after = figures(database)
    database.close()
    assert after != before
    assert after == read_from_the_file(demo, monkeypatch)


def test_a_backup_put_back_and_changed_again_is_not_taken_for_its_first_life(
    demo: Path, kept: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The same change count after a restore leads to other figures: the revision is not a
    count."""
    backup = tmp_path / "backup.sqlite"
    shutil.copyfile(demo, backup)
    database = open_database(demo)
    indicator_id = next(
        i for i, info in PlanWorkspace(database).indicators.items() if not info.is_milestone
    )
    service = EntryService(database, "测试")
    service.set_value(indicator_id, "2025-10", 1.0, expected=None)
    first_life = figures(database)  # kept
    restore(database, backup)
    service.set_value(indicator_id, "2025-10", 2.0, expected=None)
    second_life = figures(database)
    database.close()
    assert first_life[_code(demo, indicator_id), "2025-10"][0] == 1.0
    assert second_life[_code(demo, indicator_id), "2025-10"][0] == 2.0
    assert second_life == read_from_the_file(demo, monkeypatch)


def _code(path: Path, indicator_id: int) -> str:
    with sqlite3.connect(path) as connection:
        (code,) = connection.execute(
            "SELECT code FROM indicators WHERE id = ?", (indicator_id,)
        ).fetchone()
    connection.close()
    return str(code)


def _spoil_truncated(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:200])


def _spoil_garbage(path: Path) -> None:
    path.write_bytes(b"not a kept file at all" * 50)


def _spoil_other_shape(path: Path) -> None:
    with np.load(path) as data:
        arrays = dict(data)
    arrays["figures"] = arrays["figures"][:, :3]
    np.savez(path, **arrays)


def _spoil_other_indicators(path: Path) -> None:
    with np.load(path) as data:
        arrays = dict(data)
    arrays["ids"] = arrays["ids"][::-1].copy()
    np.savez(path, **arrays)


def _spoil_pickled(path: Path) -> None:
    with np.load(path) as data:
        arrays = dict(data)
    arrays["figures"] = np.array([{"a": 1}], dtype=object)
    np.savez(path, **arrays)


SPOILS = {
    "cut short": _spoil_truncated,
    "not a zip": _spoil_garbage,
    "other months": _spoil_other_shape,
    "other indicators": _spoil_other_indicators,
    "python objects": _spoil_pickled,
}


@pytest.mark.parametrize("spoil", SPOILS.values(), ids=SPOILS.keys())
def test_a_kept_file_that_does_not_fit_is_passed_over(
    demo: Path, kept: Path, monkeypatch: pytest.MonkeyPatch, spoil: Callable[[Path], None]
) -> None:
    database = open_database(demo)
    figures(database)
    (path,) = kept.glob("entries-*.npz")
    spoil(path)
    assert figures(database) == read_from_the_file(demo, monkeypatch)
    database.close()


DROPPED = {
    "entries": (
        "entries_revision_on_update",
        "UPDATE entries SET value = value + 1 WHERE value IS NOT NULL",
        "the entries",
    ),
    "structure": (
        "structure_revision_on_indicators_update",
        "UPDATE indicators SET target = target + 1 WHERE target > 0",
        "the plans' structure",
    ),
}


@pytest.mark.parametrize("dropped", DROPPED.values(), ids=DROPPED.keys())
def test_a_file_whose_triggers_were_dropped_is_read_from_its_rows_and_check_says_so(
    demo: Path, kept: Path, monkeypatch: pytest.MonkeyPatch, dropped: tuple[str, str, str]
) -> None:
    trigger, change, what = dropped
    database = open_database(demo)
    shown = (figures(database), structure(database))
    database.close()
    with sqlite3.connect(demo) as connection:
        connection.execute(f"DROP TRIGGER {trigger}")
        connection.execute(change)
    connection.close()
    database = open_database(demo, check=False)
    after = (figures(database), structure(database))
    assert after != shown
    assert after == (
        read_from_the_file(demo, monkeypatch),
        structure_from_the_file(demo, monkeypatch),
    )
    report = check_database(database)
    database.close()
    assert any(f"triggers that mark each change to {what}" in p for p in report.problems)


@pytest.mark.parametrize("revision", ["../../escaped", "ABCDEF0123456789", "", "0" * 15])
def test_a_revision_no_trigger_writes_keeps_nothing(
    demo: Path, kept: Path, monkeypatch: pytest.MonkeyPatch, revision: str
) -> None:
    with sqlite3.connect(demo) as connection:
        connection.execute(
            "UPDATE schema_meta SET value = ? WHERE key = ?", (revision, ENTRIES_REVISION_KEY)
        )
    connection.close()
    database = open_database(demo)
    assert figures(database) == read_from_the_file(demo, monkeypatch)
    database.close()
    assert not list(kept.glob("entries-*"))  # the structure has a revision of its own
    assert not (kept.parent.parent / "escaped").exists()


def test_a_cache_folder_that_cannot_be_written_changes_nothing(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("in the way")
    monkeypatch.setenv(CACHE_ENV, str(blocked / "cache"))
    database = open_database(demo)
    assert figures(database) == read_from_the_file(demo, monkeypatch)
    database.close()


def test_only_the_most_recently_used_files_are_kept(
    tmp_path: Path, kept: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "demo.sqlite"
    create_demo(path, through="2025-03")
    database = open_database(path)
    indicator_id = next(
        i for i, info in PlanWorkspace(database).indicators.items() if not info.is_milestone
    )
    service = EntryService(database, "测试")
    for step in range(KEEP + 3):
        service.set_value(
            indicator_id, "2025-10", float(step), expected=None if step == 0 else float(step - 1)
        )
        figures(database)
    database.close()
    assert len(list(kept.glob("entries-*"))) == KEEP
    assert len(list(kept.glob("structure-*"))) == 1  # no edit changed the structure


def test_after_its_own_edits_the_workspace_keeps_its_arrays_for_the_next_start(
    demo: Path, kept: Path
) -> None:
    """A window closing after its user's edits: the next start reads no row."""
    database = open_database(demo)
    workspace = PlanWorkspace(database, as_of=MONTH)
    indicator_id = next(i for i, info in workspace.indicators.items() if not info.is_milestone)
    service = EntryService(database, "测试")
    for value in (1.0, 2.0):
        changes = service.set_value(indicator_id, "2025-10", value, expected=value - 1 or None)
        workspace.refresh(changes.indicator_ids)
    assert workspace.keep_arrays()
    reads = entry_reads(database)
    after = figures(database)
    assert not reads  # the next start took the arrays kept at closing
    assert after[_code(demo, indicator_id), "2025-10"] == (2.0, 2)
    database.close()


def test_after_another_program_wrote_the_workspace_keeps_nothing(
    demo: Path, kept: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = open_database(demo)
    workspace = PlanWorkspace(database, as_of=MONTH)
    indicator_id = next(i for i, info in workspace.indicators.items() if not info.is_milestone)
    _raw("UPDATE entries SET value = value + 1 WHERE indicator_id = :id AND period = :month")(
        demo, indicator_id
    )
    changes = EntryService(database, "测试").set_value(indicator_id, "2025-10", 1.0, expected=None)
    workspace.refresh(changes.indicator_ids)  # not the other program's change
    assert not workspace.keep_arrays()
    assert figures(database) == read_from_the_file(demo, monkeypatch)
    database.close()


def test_the_window_keeps_its_arrays_when_it_closes(
    qtbot: QtBot, demo: Path, kept: Path, settings: Settings
) -> None:
    window = create_main_window(demo, settings=settings, as_of=MONTH)
    qtbot.addWidget(window)
    window.show()
    before = set(kept.glob("entries-*.npz"))
    code = next(
        info.code
        for info in window.controller.workspace.indicators.values()
        if not info.is_milestone
    )
    assert window.grid_model.setData(grid_index(window, code, MONTH), 12345.0)
    window.close()
    database = window.controller.database
    reads = entry_reads(database)
    assert figures(database)[code, MONTH][0] == 12345.0
    assert not reads and set(kept.glob("entries-*.npz")) - before
    database.close()


def test_an_import_on_the_command_line_keeps_the_arrays_for_the_window(
    seed_copy: Path, kept: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    filled, rows = filled_template(seed_copy, tmp_path)
    assert main(["--db", str(seed_copy), "import", str(filled)]) == 0
    database = open_database(seed_copy)
    reads = entry_reads(database)
    after = figures(database)
    database.close()
    assert not reads  # the next start took the arrays the import kept
    assert after == read_from_the_file(seed_copy, monkeypatch)
    assert sum(1 for figure, _version in after.values() if figure == 10.0) == 1 and rows > 1


# --- the structure ---------------------------------------------------------------------------


def structure(database: Database) -> tuple[object, ...]:
    """What a start shows of the plans' structure: plans, departments, nodes, indicators, the
    light settings and the demo label."""
    workspace = PlanWorkspace(database, as_of=MONTH)
    return (
        workspace.plans,
        workspace.plan,
        workspace.departments,
        workspace.nodes,
        workspace.indicators,
        workspace.root_ids,
        workspace.light_settings,
        workspace.demo,
        {i: workspace.rule(i) for i in workspace.indicators},
    )


def structure_from_the_file(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[object, ...]:
    with monkeypatch.context() as scope:
        scope.setenv(CACHE_ENV, "")
        database = open_database(path)
        try:
            return structure(database)
        finally:
            database.close()


def structure_reads(database: Database) -> list[str]:
    seen: list[str] = []

    @event.listens_for(database.engine, "before_cursor_execute")
    def _seen(_c: object, _cu: object, statement: str, *_rest: object) -> None:
        if "FROM indicators" in statement or "FROM nodes" in statement:
            seen.append(statement)

    return seen


def test_the_next_start_takes_the_kept_structure_instead_of_the_rows(
    demo: Path, kept: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = open_database(demo)
    reads = structure_reads(database)
    first = structure(database)
    assert len(list(kept.glob("structure-*.json"))) == 1
    read_before = len(reads)
    assert read_before >= 2  # the nodes and the indicators
    again = structure(database)
    assert len(reads) == read_before  # the second start read no node or indicator
    database.close()
    assert again == first == structure_from_the_file(demo, monkeypatch)


def test_each_plan_of_a_file_is_kept_beside_the_others(demo: Path, kept: Path) -> None:
    database = open_database(demo)
    codes = [plan.code for plan in PlanWorkspace(database).plans]
    assert len(codes) >= 2
    shown = {code: PlanWorkspace(database, plan_code=code).indicators for code in codes}
    reads = structure_reads(database)
    again = {code: PlanWorkspace(database, plan_code=code).indicators for code in codes}
    database.close()
    assert again == shown and not reads


OF_SHOWN_PLAN = "measure_id IN (SELECT id FROM nodes WHERE plan_id = {plan})"
STRUCTURE_CHANGES = {
    "a plan's title": "UPDATE plans SET title = title || '(改)'",
    "a plan's light settings": "UPDATE plans SET yellow_points = 3, settings_version = 9",
    "a department's name": "UPDATE departments SET short_name = short_name || '甲'",
    "a department's full name": "UPDATE departments SET name = name || '甲'",
    "a node's title": "UPDATE nodes SET title = title || '(改)' WHERE parent_id IS NULL",
    "a node archived": "UPDATE nodes SET archived = 1 WHERE id = (SELECT max(id) FROM nodes"
    " WHERE kind = 'measure' AND plan_id = {plan})",
    "an indicator's target": "UPDATE indicators SET target = target * 2 WHERE target > 0",
    "an indicator's own thresholds": "UPDATE indicators SET yellow_threshold = 1,"
    " red_threshold = 2",
    "an indicator archived": "UPDATE indicators SET archived = 1 WHERE id = (SELECT min(id)"
    f" FROM indicators WHERE {OF_SHOWN_PLAN})",  # {plan}: the plan shown
}


@pytest.mark.parametrize("sql", STRUCTURE_CHANGES.values(), ids=STRUCTURE_CHANGES.keys())
def test_a_start_after_any_change_to_the_structure_shows_it(
    demo: Path, kept: Path, monkeypatch: pytest.MonkeyPatch, sql: str
) -> None:
    database = open_database(demo)
    before = structure(database)
    shown = PlanWorkspace(database, as_of=MONTH).plan.id
    database.close()
    with sqlite3.connect(demo) as connection:  # another program
        assert connection.execute(sql.format(plan=shown)).rowcount > 0
    connection.close()
    database = open_database(demo)
    after = structure(database)
    database.close()
    assert after != before
    assert after == structure_from_the_file(demo, monkeypatch)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not json",
        b"[1, 2]",
        b'{"plans": [], "departments": [], "parts": {}}',
        b'{"plans": [[1]], "departments": [], "parts": {"1": [[], []]}}',
        b'{"plans": "x", "departments": [], "parts": {}}',
    ],
    ids=["empty", "not JSON", "a list", "no plan", "short rows", "no rows"],
)
def test_a_kept_structure_that_is_not_right_is_passed_over(
    demo: Path, kept: Path, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    database = open_database(demo)
    structure(database)
    (path,) = kept.glob("structure-*.json")
    path.write_bytes(content)
    assert structure(database) == structure_from_the_file(demo, monkeypatch)
    database.close()
    assert path.read_bytes() != content  # read from the rows, and kept again


def test_a_kept_structure_with_a_value_of_no_kind_is_passed_over(
    demo: Path, kept: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = open_database(demo)
    structure(database)
    (path,) = kept.glob("structure-*.json")
    path.write_text(path.read_text(encoding="utf-8").replace('"cumulative"', '"sideways"'))
    assert structure(database) == structure_from_the_file(demo, monkeypatch)
    database.close()
