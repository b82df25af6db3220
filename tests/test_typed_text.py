"""Text people paste (from Word, WPS, a web page) is kept safely and never breaks an export;
`export-template` writes every file it names or says which it could not."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from PySide6.QtWidgets import QApplication

from desktop.cli import main
from desktop.exchange.layout import ENTRY_SHEET, Column
from desktop.models.schema import Entry, ImportBatch
from desktop.models.service import EntryService
from desktop.models.store import Database
from desktop.models.text import clean
from tests.conftest import indicator_of, new_entry
from tests.test_exchange import row_of
from tests.ui_helpers import grid_index

from desktop.ui.main_window import MainWindow

# Word's line break inside a paragraph is U+000B; BEL, NUL and form feed come with odd pastes.
PASTED = "第一行\x0b第二行\x07\x00结束\x0c下页\r\n末行\t制表"


def test_control_characters_are_cleaned_and_line_breaks_kept() -> None:
    assert clean(PASTED) == "第一行\n第二行结束\n下页\n末行\t制表"
    assert clean("  plain  ") == "  plain  "  # spaces are the caller's business
    assert clean("a\rb\r\nc") == "a\nb\nc"


def test_a_pasted_note_is_kept_clean_and_every_export_still_works(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    window.grid.setCurrentIndex(grid_index(window, "2.1.1-1", "2025-06"))
    window.notes.progress.setPlainText(PASTED)
    assert window.notes.save()
    database = window.controller.database
    with database.read() as session:
        stored = session.scalars(select(Entry.progress_note)).one()
    assert stored == clean(PASTED).strip()
    assert not window.notes.dirty  # what is shown is what was kept
    window.notes.problems.setPlainText("再改一次")
    assert window.notes.save()  # the next save expects the cleaned text, and finds it
    db = str(database.path)
    template = tmp_path / "template.xlsx"
    assert main(["--db", db, "export-template", "--department", "工信局",
                 "--period", "2025-06", "-o", str(template)]) == 0  # fmt: skip
    note = openpyxl.load_workbook(template)[ENTRY_SHEET].cell(
        row_of(template, "2.1.1-1"), Column.PROGRESS
    )
    assert note.value == clean(PASTED).strip()
    assert main(["--db", db, "report", "-o", str(tmp_path / "report.xlsx")]) == 0
    assert "Traceback" not in capsys.readouterr().err


first_indicator = indicator_of


def test_exports_never_fail_on_text_stored_before_it_was_cleaned(
    qapp: QApplication, database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A database written by an older version may hold control characters already."""
    projects = first_indicator(database, "2.1.1-1")
    EntryService(database, "张三").set_value(projects, "2025-06", 150, expected=None)
    with database.write() as session:  # as an older program stored it
        entry = session.scalars(select(Entry)).one()
        entry.progress_note, entry.problems = PASTED, "\x01\x02"
    db = str(database.path)
    args = ["--db", db, "export-template", "--department", "工信局", "--period", "2025-06"]
    assert main([*args, "-o", str(tmp_path / "t.xlsx")]) == 0
    for report_file in ("r.xlsx", "r.pdf"):
        assert (
            main(["--db", db, "report", "--period", "2025-06", "-o", str(tmp_path / report_file)])
            == 0
        )
    assert "Traceback" not in capsys.readouterr().err
    report = openpyxl.load_workbook(tmp_path / "r.xlsx")
    cells = (cell.value for sheet in report.worksheets for row in sheet.iter_rows() for cell in row)
    assert clean(PASTED) in set(cells)


def test_the_batch_keeps_the_file_s_reporter_cleanly(database: Database) -> None:
    projects = first_indicator(database, "2.1.1-1")
    changes = EntryService(database, "导入员").apply_import(
        file_name="f.xlsx",
        sha256="0" * 64,
        department_id=1,
        period="2025-06",
        edits=[new_entry(projects, "2025-06", value=150)],
        reporter="张三\x07",
        phone="024\x0b1234",
    )
    with database.read() as session:
        batch = session.get(ImportBatch, changes.batch_id)
        assert batch is not None and (batch.reporter, batch.phone) == ("张三", "024\n1234")


def test_all_departments_and_one_department_exclude_each_other(
    seed_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "out"
    args = ["--db", str(seed_copy), "export-template", "--period", "2025-06", "-o", str(folder)]
    with pytest.raises(SystemExit) as usage:
        main([*args, "--all-departments", "--department", "工信局"])
    assert usage.value.code == 2
    assert "not allowed with" in capsys.readouterr().err
    assert not folder.exists()


def test_exporting_every_department_checks_every_target_first(
    seed_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "out"
    blocked = folder / "2025-06-科技局-填报模板.xlsx"
    blocked.mkdir(parents=True)  # a folder where one file should go
    args = ["--db", str(seed_copy), "export-template", "--all-departments", "--period", "2025-06"]
    assert main([*args, "-o", str(folder)]) == 1
    err = capsys.readouterr().err
    assert str(blocked) in err and "folder" in err
    assert sorted(p.name for p in folder.iterdir()) == [blocked.name]  # nothing half-done
    blocked.rmdir()
    assert main([*args, "-o", str(folder)]) == 0
    assert len(list(folder.glob("*.xlsx"))) == 5
