"""The command line as a user meets it: tree, tree --json, check, errors and exit codes."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from desktop import __version__
from desktop.cli import main
from desktop.models.kinds import MilestoneState
from desktop.models.locations import DATABASE_FILE_NAME, data_folder
from desktop.models.opening import open_database
from desktop.models.service import EntryService
from tests.conftest import ROOT, FixedClock, indicator_of, overwrite

# SQL naming the built-in 2025 plan's rows (the other plans have their own 1.1.1-1).
IN_2025 = "plan_id = (SELECT id FROM plans WHERE code = 'SY2025-MIS')"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def tree(capsys: pytest.CaptureFixture[str], db: Path, *extra: str) -> dict[str, Any]:
    code, out, _ = run(capsys, "--db", str(db), "tree", "--json", *extra)
    assert code == 0
    return json.loads(out)  # type: ignore[no-any-return]


def indicators_of(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}

    def visit(node: dict[str, Any]) -> None:
        for indicator in node.get("indicators", []):
            found[indicator["code"]] = indicator
        for child in node["children"]:
            visit(child)

    for project in document["nodes"]:
        visit(project)
    return found


def report(db: Path, values: dict[tuple[str, str], float | MilestoneState]) -> None:
    database = open_database(db)
    try:
        service = EntryService(database, "测试员", clock=FixedClock())
        ids = {code: indicator_of(database, code) for code, _period in values}
        for (code, period), value in values.items():
            field = "milestone_state" if isinstance(value, MilestoneState) else "value"
            overwrite(service, ids[code], period, **{field: value})
    finally:
        database.close()


# --- tree ----------------------------------------------------------------------------------


def test_tree_shows_the_plan_with_every_target(
    capsys: pytest.CaptureFixture[str], seed_copy: Path
) -> None:
    code, out, err = run(capsys, "--db", str(seed_copy), "tree")
    assert code == 0 and err == ""
    assert "6 个工程 · 12 项重点任务 · 30 项具体举措 · 48 个指标" in out
    for text in (
        "1 重点产业集群提升工程",
        "目标 300个",
        "目标 1000P",
        "目标 100%",
        "目标 15—20个",
        "目标 11000亿元(基线 9000亿元,2024-06-30)",
        "[市场监管局]",
    ):
        assert text in out
    assert "数据截至 2025-12" in out  # the plan is over: its last month by default


def test_tree_json_has_the_documented_shape(
    capsys: pytest.CaptureFixture[str], seed_copy: Path
) -> None:
    document = tree(capsys, seed_copy)
    assert set(document) == {"plan", "plans", "departments", "nodes"}
    assert [(p["code"], p["state"]) for p in document["plans"]] == [
        ("SY2025-MIS", "active"),
        ("SY2025-SCI", "active"),
        ("SY2023-MIS", "closed"),
    ]
    assert document["plan"]["code"] == "SY2025-MIS"
    assert {d["name"] for d in document["departments"]} == {
        "市工业和信息化局",
        "市发展改革委",
        "市科技局",
        "市市场监管局",
        "市城乡建设局",
    }
    projects = document["nodes"]
    assert [p["kind"] for p in projects] == ["project"] * 6
    assert all(len(p["children"]) == 2 for p in projects)
    measures = [m for p in projects for t in p["children"] for m in t["children"]]
    assert len(measures) == 30 and all(m["kind"] == "measure" for m in measures)
    assert all(m["indicators"] and m["children"] == [] for m in measures)
    assert all("indicators" not in t for p in projects for t in p["children"])
    for node in projects + measures:
        assert {"code", "kind", "title", "department", "children"} <= set(node)
    indicators = indicators_of(document)
    assert len(indicators) == 48
    required = {
        "code",
        "name",
        "unit",
        "kind",
        "target",
        "stretch_target",
        "baseline",
        "due",
        "department",
        "source",
        "latest",
        "completion",
        "status",
    }
    assert all(required <= set(i) for i in indicators.values())
    clusters = indicators["1.1.1-1"]
    assert (clusters["target"], clusters["unit"], clusters["baseline"]) == (11000, "亿元", 9000)
    assert clusters["baseline_source"].startswith("2024年年中报道《培育新质生产力")
    assert clusters["source"] == "2025年3月28日市政府新闻发布会 §一、实施重点产业集群提升工程"
    assert indicators["4.2.1-3"]["stretch_target"] == 20
    assert indicators["5.1.1-1"]["kind"] == "milestone"
    assert indicators["5.1.1-1"]["target"] is None
    assert all(i["latest"] is None and i["status"] == "not_reported" for i in indicators.values())


def test_tree_reports_latest_values_completion_and_status(
    capsys: pytest.CaptureFixture[str], seed_copy: Path
) -> None:
    report(
        seed_copy,
        {
            ("2.1.1-1", "2025-05"): 100,
            ("2.1.1-1", "2025-06"): 150,  # on the 序时进度 line
            ("4.1.3-2", "2025-06"): 150,  # 1000P: 15 % against 49.6 % → red
            ("3.2.2-1", "2025-06"): 35,  # met
            ("5.1.1-1", "2025-06"): MilestoneState.IN_PROGRESS,
        },
    )
    document = tree(capsys, seed_copy, "--period", "2025-06")
    indicators = indicators_of(document)
    projects = indicators["2.1.1-1"]
    assert projects["latest"] == {"period": "2025-06", "value": 150}
    assert projects["completion"] == pytest.approx(0.5)
    assert projects["expected"] == pytest.approx(181 / 365, abs=1e-5)
    assert projects["status"] == "green"
    assert indicators["4.1.3-2"]["status"] == "red"
    assert indicators["3.2.2-1"]["status"] == "completed"
    assert indicators["5.1.1-1"]["latest"] == {"period": "2025-06", "value": "推进中"}
    assert indicators["5.1.1-1"]["status"] == "green"
    counts = document["plan"]["counts"]
    assert counts == {"completed": 1, "not_reported": 44, "green": 2, "yellow": 0, "red": 1}
    project_4 = document["nodes"][3]
    assert project_4["status"] == "red"  # the worst of its indicators
    # As of May the same data reads differently: only May's report counts.
    may = indicators_of(tree(capsys, seed_copy, "--period", "2025-05"))
    assert may["2.1.1-1"]["latest"] == {"period": "2025-05", "value": 100}
    assert may["4.1.3-2"]["latest"] is None


# --- check ---------------------------------------------------------------------------------


def test_check_passes_on_the_seed(capsys: pytest.CaptureFixture[str], seed_copy: Path) -> None:
    code, out, err = run(capsys, "check", "--db", str(seed_copy))
    assert code == 0 and err == ""
    assert out.startswith("ok:") and "3 plan(s)" in out and "154 indicators" in out


def test_check_reports_broken_domain_invariants(
    capsys: pytest.CaptureFixture[str], seed_copy: Path
) -> None:
    with sqlite3.connect(seed_copy) as connection:
        for statement in (
            "DELETE FROM indicators WHERE code LIKE '6.2.4-%'",
            "DELETE FROM nodes WHERE code = '6.2.4'",
            "DELETE FROM indicators WHERE code LIKE '6.2.3-%'",
            "UPDATE nodes SET parent_id = NULL WHERE code = '1.1'",
        ):
            connection.execute(f"{statement} AND {IN_2025}")
    connection.close()
    code, out, err = run(capsys, "--db", str(seed_copy), "check")
    assert code == 1
    assert "problem: measure 6.2.3: has no indicator" in out
    assert "problem: node 1.1: a task under a plan" in out
    assert "problem: plan SY2025-MIS: 6/12/29 projects/tasks/measures" in out
    assert err.count("\n") == 1 and "check found 3 problem(s)" in err


def test_check_reports_a_damaged_page(capsys: pytest.CaptureFixture[str], seed_copy: Path) -> None:
    data = bytearray(seed_copy.read_bytes())
    page = 4096
    data[page * 3 : page * 3 + 200] = b"\xff" * 200  # scribble over one b-tree page
    seed_copy.write_bytes(bytes(data))
    code, out, err = run(capsys, "--db", str(seed_copy), "check")
    assert code == 1
    assert "Traceback" not in out + err
    assert err.count("\n") == 1


# --- failures are one line and exit 1 ----------------------------------------------------


@pytest.mark.parametrize("command", ["tree", "check"])
def test_a_file_that_is_no_database_gives_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(b"not a database at all\n" * 200)
    code, out, err = run(capsys, "--db", str(broken), command)
    assert (code, out) == (1, "")
    assert err.count("\n") == 1
    assert "not a database file" in err and str(broken) in err
    assert broken.read_bytes() == b"not a database at all\n" * 200  # someone's file: untouched


def changed(path: Path, *statements: str) -> Path:
    """The database after SQL another program ran (foreign keys off, checks ignored)."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA ignore_check_constraints = ON")
        for statement in statements:
            connection.execute(statement)
        connection.commit()
    finally:
        connection.close()
    return path


def one_line(err: str, path: Path) -> bool:
    """A refusal as a user should see it: one line, naming the file, no traceback."""
    return err.count("\n") == 1 and f"{path}: " in err and "Traceback" not in err


@pytest.mark.parametrize("command", ["tree", "check"])
def test_a_schema_version_that_is_no_number_gives_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], seed_copy: Path, command: str
) -> None:
    changed(seed_copy, "UPDATE schema_meta SET value = 'abc' WHERE key = 'schema_version'")
    code, out, err = run(capsys, "--db", str(seed_copy), command)
    assert (code, out) == (1, "") and one_line(err, seed_copy)
    assert "its schema version 'abc' is not a number" in err


def test_tree_on_another_programs_database_leaves_it_as_it_was(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    other = tmp_path / "OTHER.sqlite"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE contacts (name TEXT)")
    connection.commit()
    connection.close()
    before = other.read_bytes(), other.stat().st_mtime_ns
    code, out, err = run(capsys, "--db", str(other), "tree")
    assert (code, out) == (1, "") and one_line(err, other)
    assert "not a Target Monitor database" in err
    assert (other.read_bytes(), other.stat().st_mtime_ns) == before  # still not in WAL mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["OTHER.sqlite"]  # no -wal, no -shm


def test_tree_on_a_plan_whose_dates_do_not_parse_gives_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], seed_copy: Path
) -> None:
    changed(seed_copy, "UPDATE plans SET start_date = 'x'")
    code, out, err = run(capsys, "--db", str(seed_copy), "tree")
    assert (code, out) == (1, "") and one_line(err, seed_copy)
    assert "'x'" in err and "target-monitor check" in err


@pytest.mark.parametrize(
    ("statement", "said"),
    [
        (
            f"UPDATE nodes SET parent_id = id WHERE code = '1.1' AND {IN_2025}",
            "node 1.1 is its own ancestor",
        ),
        (
            f"UPDATE nodes SET department_id = 99 WHERE code = '2' AND {IN_2025}",
            "node 2 belongs to no department",
        ),
        (
            f"UPDATE indicators SET target = NULL WHERE code = '1.1.1-1' AND {IN_2025}",
            "1.1.1-1 has no target",
        ),
    ],
    ids=["parent-cycle", "no-department", "no-target"],
)
def test_tree_on_a_plan_whose_links_lead_nowhere_gives_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], seed_copy: Path, statement: str, said: str
) -> None:
    """A node that is its own parent once made the tree loop for ever."""
    changed(seed_copy, statement)
    code, out, err = run(capsys, "--db", str(seed_copy), "tree")
    assert (code, out) == (1, "") and one_line(err, seed_copy) and said in err


def test_check_reports_values_that_do_not_parse(
    capsys: pytest.CaptureFixture[str], seed_copy: Path
) -> None:
    report(seed_copy, {("2.1.1-1", "2025-05"): 100})
    with sqlite3.connect(seed_copy) as connection:
        plan, node, indicator = (
            connection.execute(
                f"SELECT id FROM {table} WHERE code = ? AND {where}", (code,)
            ).fetchone()[0]
            for table, code, where in (
                ("plans", "SY2025-MIS", "1"),
                ("nodes", "1", IN_2025),
                ("indicators", "1.1.1-1", IN_2025),
            )
        )
    connection.close()
    changed(
        seed_copy,
        f"UPDATE plans SET start_date = 'x' WHERE id = {plan}",
        "UPDATE entries SET reported_at = 'garbage'",
        f"UPDATE indicators SET target = 'many' WHERE id = {indicator}",
        f"UPDATE nodes SET sort_order = 'first' WHERE id = {node}",
    )
    code, out, err = run(capsys, "--db", str(seed_copy), "check")
    assert code == 1 and one_line(err, seed_copy) and "check found 4 problem(s)" in err
    assert out.splitlines() == [
        f"problem: plans row {plan}: start_date 'x' is not a date",
        f"problem: nodes row {node}: sort_order 'first' is not a whole number",
        f"problem: indicators row {indicator}: target 'many' is not a number",
        "problem: entries row 1: reported_at 'garbage' is not a date and time",
    ]


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        ("DROP TABLE audit_events", "table audit_events is missing"),
        (
            "ALTER TABLE import_batches DROP COLUMN phone",
            "table import_batches has no column phone",
        ),
        (
            "ALTER TABLE entries RENAME COLUMN problems TO issues",
            "table entries has no column problems",
        ),
    ],
)
def test_check_reports_a_missing_table_or_column(
    capsys: pytest.CaptureFixture[str], seed_copy: Path, statement: str, problem: str
) -> None:
    changed(seed_copy, statement)
    code, out, err = run(capsys, "--db", str(seed_copy), "check")
    assert code == 1 and one_line(err, seed_copy)
    assert f"problem: {problem}" in out.splitlines()


def test_undo_import_of_a_batch_number_too_large_for_the_database_gives_one_line(
    capsys: pytest.CaptureFixture[str], seed_copy: Path
) -> None:
    code, out, err = run(capsys, "--db", str(seed_copy), "undo-import", "99999999999999999999")
    assert (code, out) == (1, "") and err.count("\n") == 1 and "Traceback" not in err
    assert "there is no import batch 99999999999999999999" in err


def test_a_missing_file_gives_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.sqlite"
    code, _, err = run(capsys, "check", "--db", str(missing))
    assert code == 1 and err == (
        f"target-monitor: {missing}: no such database file; to start one from the plan: "
        f'target-monitor --db "{missing}" init\n'
    )
    assert not missing.exists()


def test_init_starts_a_database_from_the_plan_as_the_missing_file_message_says(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    new = tmp_path / "new.sqlite"
    code, out, _ = run(capsys, "--db", str(new), "init")
    assert (code, out) == (0, f"{new}: created from the plan\n")
    assert tree(capsys, new)  # the plan is there
    code, _, err = run(capsys, "--db", str(new), "init")
    assert code == 1 and "exists already" in err  # never over a database


@pytest.mark.slow
def test_a_locked_database_gives_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], seed_copy: Path
) -> None:
    holder = sqlite3.connect(seed_copy, isolation_level=None)
    holder.execute("PRAGMA journal_mode = DELETE")
    holder.execute("BEGIN EXCLUSIVE")  # another program in the middle of a long write
    try:
        code, _, err = run(capsys, "--db", str(seed_copy), "check")
    finally:
        holder.rollback()
        holder.close()
    assert code == 1 and err.count("\n") == 1 and "locked by another program" in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], seed_copy: Path) -> None:
    with pytest.raises(SystemExit) as bad_period:
        main(["--db", str(seed_copy), "tree", "--period", "2025-13"])
    assert bad_period.value.code == 2
    with pytest.raises(SystemExit) as unknown:
        main(["frobnicate"])
    assert unknown.value.code == 2
    assert "YYYY-MM" in capsys.readouterr().err


def test_environment_variable_names_the_database(
    capsys: pytest.CaptureFixture[str], seed_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TARGET_MONITOR_DB", str(seed_copy))
    code, out, _ = run(capsys, "check")
    assert code == 0 and str(seed_copy) in out


def test_first_run_creates_the_database_in_the_user_data_folder(
    capsys: pytest.CaptureFixture[str],
) -> None:
    expected = data_folder() / DATABASE_FILE_NAME
    assert not expected.exists()
    code, out, _ = run(capsys, "check")
    assert code == 0 and str(expected) in out and expected.is_file()


# --- the installed entry points ----------------------------------------------------------


def test_python_m_desktop_and_the_script_are_the_same_program(seed_copy: Path) -> None:
    env = {**os.environ, "TARGET_MONITOR_DB": str(seed_copy)}
    version = subprocess.run(
        [sys.executable, "-m", "desktop", "--version"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert version.stdout.strip() == f"target-monitor {__version__}"
    script = Path(sys.executable).with_name("target-monitor")
    result = subprocess.run(
        [str(script), "tree", "--json"], env=env, capture_output=True, check=True
    )
    assert json.loads(result.stdout.decode("utf-8"))["plan"]["code"] == "SY2025-MIS"


def test_the_default_command_opens_the_window(seed_copy: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "--db", str(seed_copy), "--exit-after", "1500"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "Error" not in result.stderr


def test_the_window_reports_a_damaged_database_without_a_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(b"garbage" * 500)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    script = (
        "import sys; from PySide6.QtWidgets import QMessageBox;"
        "QMessageBox.critical = lambda *a: print('SHOWN:', a[2]);"
        "from desktop.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, "--db", str(broken)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "SHOWN:" in result.stdout and "not a database file" in result.stdout
    assert "Traceback" not in result.stderr


def test_check_reports_an_indicators_thresholds_the_rule_refuses(
    capsys: pytest.CaptureFixture[str], seed_copy: Path
) -> None:
    changed(
        seed_copy,
        f"UPDATE indicators SET red_threshold = -1 WHERE code = '1.1.1-1' AND {IN_2025}",
    )
    code, out, err = run(capsys, "--db", str(seed_copy), "check")
    assert code == 1 and one_line(err, seed_copy)
    assert out == (
        "problem: indicator 1.1.1-1 of SY2025-MIS: thresholds need 0 ≤ yellow ≤ red, "
        "got 10.0, -1.0\n"
    )


def test_text_that_is_no_utf_8_is_refused_in_one_printable_line(
    capsys: pytest.CaptureFixture[str], seed_copy: Path
) -> None:
    """Damage can leave bytes that are no UTF-8 in a text column, control characters among
    them (\\x1c starts a new line for some readers)."""
    changed(seed_copy, "UPDATE departments SET name = CAST(x'e5b8821cff' AS TEXT) WHERE id = 1")
    code, out, err = run(capsys, "--db", str(seed_copy), "tree")
    assert (code, out) == (1, "") and one_line(err, seed_copy)
    assert err.rstrip("\n").isprintable()


def test_check_reports_a_date_of_year_zero(
    capsys: pytest.CaptureFixture[str], seed_copy: Path
) -> None:
    """SQLite accepts year 0, Python does not; and a DATE column compares text as a number."""
    changed(seed_copy, "UPDATE indicators SET baseline_date = '0000-01-01' WHERE id = 1")
    code, out, err = run(capsys, "--db", str(seed_copy), "check")
    assert code == 1 and one_line(err, seed_copy)
    assert out == "problem: indicators row 1: baseline_date '0000-01-01' is not a date\n"


def test_check_passes_a_time_saved_in_the_last_instant_of_a_second(
    capsys: pytest.CaptureFixture[str], seed_copy: Path
) -> None:
    """SQLite rounds '…:23.999770' up to ':24': the seconds are checked apart from their
    fraction (an upgrade's audit event once failed check this way)."""
    database = open_database(seed_copy)
    try:
        clock = FixedClock(dt.datetime(2026, 11, 29, 1, 6, 23, 999770))
        clock.now -= dt.timedelta(minutes=1)  # its first tick is the time above
        EntryService(database, "测试员", clock=clock).set_value(
            indicator_of(database, "2.1.1-1"), "2025-06", 10, expected=None
        )
    finally:
        database.close()
    with sqlite3.connect(seed_copy) as connection:
        (at,) = connection.execute("SELECT at FROM audit_events").fetchone()
    connection.close()
    assert at == "2026-11-29 01:06:23.999770"
    code, out, _err = run(capsys, "--db", str(seed_copy), "check")
    assert code == 0 and out.startswith("ok:")


@pytest.mark.parametrize(
    ("statement", "said"),
    [
        ("UPDATE entries SET version = 0", "version 0"),
        (
            "UPDATE entries SET value = 5 WHERE indicator_id = "
            f"(SELECT id FROM indicators WHERE code = '5.1.1-1' AND {IN_2025})",
            "5.0 is no milestone state",
        ),
    ],
    ids=["version-0", "figure-on-a-milestone"],
)
def test_tree_on_entries_the_rules_do_not_allow_gives_one_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], seed_copy: Path, statement: str, said: str
) -> None:
    """Each once failed after the plan was read: an AssertionError, a KeyError."""
    report(seed_copy, {("2.1.1-1", "2025-05"): 100, ("5.1.1-1", "2025-06"): MilestoneState.DONE})
    changed(seed_copy, statement)
    code, out, err = run(capsys, "--db", str(seed_copy), "tree")
    assert (code, out) == (1, "") and one_line(err, seed_copy) and said in err
    code, out, _ = run(capsys, "--db", str(seed_copy), "check")
    assert code == 1 and out.startswith("problem: ")


def test_check_reports_a_plan_that_ends_before_it_starts(
    capsys: pytest.CaptureFixture[str], seed_copy: Path
) -> None:
    changed(seed_copy, "UPDATE plans SET end_date = '2020-01-01'")
    code, out, err = run(capsys, "--db", str(seed_copy), "check")
    assert code == 1 and one_line(err, seed_copy)
    assert "problem: plan SY2025-MIS: ends (2020-01-01) before it starts (2025-01-01)" in out
    code, out, err = run(capsys, "--db", str(seed_copy), "tree")
    assert (code, out) == (1, "") and one_line(err, seed_copy)


class _GoneReader:
    """Standard output whose reader went away (`target-monitor tree | head`)."""

    def write(self, _text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def isatty(self) -> bool:
        return False


def test_a_reader_that_goes_away_ends_the_command_quietly(
    capsys: pytest.CaptureFixture[str], seed_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = _GoneReader()
    monkeypatch.setattr(sys, "stdout", gone)
    assert main(["--db", str(seed_copy), "tree"]) == 0
    assert capsys.readouterr().err == ""
    silenced = sys.stdout  # the interpreter's last flush goes nowhere, quietly
    assert silenced is not gone and silenced.name == os.devnull
    silenced.close()


@pytest.mark.parametrize(
    ("failure", "said"),
    [
        (OSError(28, "No space left on device"), "No space left on device"),
        (sqlite3.OperationalError("database is locked"), "locked by another program"),
    ],
    ids=["a disk error", "a database error"],
)
def test_a_foreseeable_failure_of_a_command_is_one_line(
    capsys: pytest.CaptureFixture[str],
    seed_copy: Path,
    monkeypatch: pytest.MonkeyPatch,
    failure: Exception,
    said: str,
) -> None:
    def fails(*_args: object) -> int:
        raise failure

    monkeypatch.setattr("desktop.cli.cmd_tree", fails)
    code, out, err = run(capsys, "--db", str(seed_copy), "tree")
    assert code == 1 and out == ""
    assert err.startswith("target-monitor: ") and said in err and err.count("\n") == 1
