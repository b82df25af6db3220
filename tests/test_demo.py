"""Demo figures: a plausible year in a new file, labelled as demo wherever they show."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from desktop.models.demo import DEMO_USER, NOTE_PREFIX, create_demo
from desktop.models.opening import open_database
from desktop.models.status_rule import Status
from desktop.models.workspace import PlanWorkspace
from desktop.presentation.wording import DEMO_LABEL
from tests.conftest import SEED
from tests.test_cli import run

from desktop.ui.app import create_main_window
from desktop.ui.main_window import MainWindow
from desktop.ui.settings import Settings


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Demo figures January to June 2025 (made once; tests copy it before changing it)."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    create_demo(path, through="2025-06")
    return path


def rows(path: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as connection:
        return connection.execute(query).fetchall()


def test_the_command_writes_a_new_file_with_a_report_per_indicator_and_month(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_before = digest(SEED)
    path = tmp_path / "demo.sqlite"
    code, out, err = run(capsys, "demo", "--db", str(path), "--period", "2025-04")
    assert (code, err) == (0, "")
    assert DEMO_LABEL in out and "2025-01 to 2025-04" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.sqlite"]  # no leftovers
    indicators = rows(  # the plan shown (the other plans get no demo figures)
        path,
        "SELECT count(*) FROM indicators "
        "WHERE plan_id = (SELECT id FROM plans WHERE code = 'SY2025-MIS')",
    )[0][0]
    months = rows(path, "SELECT DISTINCT period FROM entries ORDER BY period")
    assert [m[0] for m in months] == ["2025-01", "2025-02", "2025-03", "2025-04"]
    per_indicator = rows(path, "SELECT count(DISTINCT indicator_id) FROM entries")[0][0]
    assert per_indicator == indicators  # every indicator reported at least once
    assert rows(path, "SELECT DISTINCT reported_by FROM entries") == [(DEMO_USER,)]
    assert rows(path, "SELECT DISTINCT user FROM audit_events") == [(DEMO_USER,)]
    notes = rows(path, "SELECT progress_note, problems FROM entries")
    assert all(note.startswith(NOTE_PREFIX) for note, _ in notes)
    assert all(problem == "" or problem.startswith(NOTE_PREFIX) for _, problem in notes)
    assert digest(SEED) == seed_before
    assert rows(SEED, "SELECT count(*) FROM entries") == [(0,)]
    assert rows(SEED, "SELECT count(*) FROM schema_meta WHERE key = 'demo'") == [(0,)]
    assert run(capsys, "--db", str(path), "check")[0] == 0


def test_the_figures_are_plausible_and_show_every_light(demo_file: Path) -> None:
    database = open_database(demo_file)
    try:
        workspace = PlanWorkspace(database, as_of="2025-06")
        statuses = Counter(a.status for a in workspace.assessments.values())
        for indicator in workspace.indicators.values():
            _, values = workspace.reported(indicator.id)
            if indicator.is_milestone or not values:
                continue
            assert all(v >= 0 for v in values), indicator.code
            if indicator.kind.value == "cumulative" and indicator.baseline is None:
                assert values == sorted(values), f"{indicator.code}: a running total fell"
            if indicator.unit == "%":
                assert max(values) <= 100
            if indicator.unit in {"个", "项", "户", "家"}:
                assert all(v == int(v) for v in values), indicator.code
    finally:
        database.close()
    assert {Status.GREEN, Status.YELLOW, Status.RED, Status.COMPLETED} <= set(statuses)
    assert statuses[Status.NOT_REPORTED] >= 1  # some indicators fell silent in June
    assert statuses[Status.GREEN] >= statuses[Status.RED]  # most of the plan is on track


def test_the_default_last_month_is_this_month_within_the_plan(tmp_path: Path) -> None:
    spring = create_demo(tmp_path / "spring.sqlite", today=dt.date(2025, 4, 15))
    later = create_demo(tmp_path / "later.sqlite", today=dt.date(2026, 11, 22))
    assert (spring.first, spring.through) == ("2025-01", "2025-04")
    assert later.through == "2025-12"  # after the plan's end: its last month


def test_the_same_seed_gives_the_same_figures(tmp_path: Path) -> None:
    query = "SELECT indicator_id, period, value, milestone_state FROM entries ORDER BY 1, 2"
    create_demo(tmp_path / "a.sqlite", through="2025-03", seed=7)
    create_demo(tmp_path / "b.sqlite", through="2025-03", seed=7)
    create_demo(tmp_path / "c.sqlite", through="2025-03", seed=8)
    a, b, c = (rows(tmp_path / f"{n}.sqlite", query) for n in "abc")
    assert a == b
    assert a != c


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["demo"], "demo needs --db FILE"),
        (["demo", "--db", "{existing}"], "already exists"),
        (["demo", "--db", "{new}", "--period", "2026-03"], "outside the plan's months"),
        (["demo", "--db", "{missing}/demo.sqlite"], "no such folder"),
    ],
)
def test_refusals_change_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    existing = tmp_path / "mine.sqlite"
    existing.write_bytes(SEED.read_bytes())
    before = digest(existing)
    paths = {"existing": existing, "new": tmp_path / "new.sqlite", "missing": tmp_path / "nope"}
    code, out, err = run(capsys, *(a.format(**paths) for a in argv))
    assert code == 1
    assert message in err and out == ""
    assert digest(existing) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.sqlite"]


def test_tree_says_demo(
    demo_file: Path, seed_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, text, _ = run(capsys, "--db", str(demo_file), "tree")
    assert text.splitlines()[0] == f"【{DEMO_LABEL}】"
    _, data, _ = run(capsys, "--db", str(demo_file), "tree", "--json")
    assert json.loads(data)["plan"]["demo"] is True
    _, data, _ = run(capsys, "--db", str(seed_copy), "tree", "--json")  # (never the shipped file:
    assert json.loads(data)["plan"]["demo"] is False  # opening it switches it to WAL)


def test_every_sheet_of_the_workbook_says_demo(
    demo_file: Path, seed_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "--db", str(demo_file), "report", "-o", str(tmp_path / "d.xlsx"))[0] == 0
    workbook = load_workbook(tmp_path / "d.xlsx")
    for sheet in workbook.worksheets:
        assert DEMO_LABEL in str(sheet["A3"].value), sheet.title
        assert DEMO_LABEL in str(sheet.oddHeader.center.text), sheet.title
    assert run(capsys, "--db", str(seed_copy), "report", "-o", str(tmp_path / "r.xlsx"))[0] == 0
    real = load_workbook(tmp_path / "r.xlsx")
    assert not any("演示" in str(cell.value) for s in real for row in s.iter_rows() for cell in row)


def test_every_printed_page_says_demo(
    qapp: object,
    demo_file: Path,
    seed_copy: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pdf = tmp_path / "d.pdf"
    assert (
        run(capsys, "--db", str(demo_file), "report", "-o", str(pdf), "--period", "2025-06")[0] == 0
    )
    pages = PdfReader(pdf).pages
    assert len(pages) > 2  # the sheet and the notices
    assert all(DEMO_LABEL in " ".join(page.extract_text().split()) for page in pages)
    real = tmp_path / "r.pdf"
    assert run(capsys, "--db", str(seed_copy), "report", "-o", str(real))[0] == 0
    assert not any("演示" in page.extract_text() for page in PdfReader(real).pages)


@pytest.fixture
def demo_window(
    qtbot: QtBot, demo_file: Path, tmp_path: Path, settings: Settings
) -> Iterator[MainWindow]:
    copy = tmp_path / "demo.sqlite"
    copy.write_bytes(demo_file.read_bytes())
    window = create_main_window(copy, settings=settings, as_of="2025-06")
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()
    window.controller.database.close()


def test_the_window_says_demo_in_its_title_and_status_bar(
    demo_window: MainWindow, window: MainWindow
) -> None:
    assert "DEMO" in demo_window.windowTitle() or "演示" in demo_window.windowTitle()
    assert demo_window.demo_label.isVisible()
    assert demo_window.demo_label.text()
    assert not window.demo_label.isVisible()
    assert "DEMO" not in window.windowTitle() and "演示" not in window.windowTitle()
