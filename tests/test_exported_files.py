"""Exported documents get the permissions any new file of the user gets (0666 less the umask),
not the private 0600 of a temporary file: a colleague or the office's file server reads them."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from PySide6.QtWidgets import QApplication

from desktop.exchange.report import write_report
from desktop.exchange.template import export_template
from desktop.models.files import new_file_beside
from desktop.models.store import Database
from desktop.models.workspace import PlanWorkspace
from desktop.presentation.status_sheet import build_documents

from desktop.ui.printing import write_pdf

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="Windows files have no umask permissions"
)


@pytest.fixture(params=[0o022, 0o002, 0o077])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    previous = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(previous)


@pytest.fixture
def workspace(database: Database) -> PlanWorkspace:
    return PlanWorkspace(database, as_of="2025-06")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An empty folder (tmp_path holds the database)."""
    path = tmp_path / "导出"
    path.mkdir()
    return path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_printed_pdf_gets_the_users_permissions(
    umask: int, workspace: PlanWorkspace, folder: Path, qapp: QApplication
) -> None:
    path = folder / "进度情况表.pdf"
    write_pdf(path, build_documents(workspace, notices=False))
    assert mode(path) == 0o666 & ~umask
    assert sorted(p.name for p in folder.iterdir()) == [path.name]  # no temporary left


def test_an_exported_report_and_template_get_the_users_permissions(
    umask: int, workspace: PlanWorkspace, folder: Path
) -> None:
    report = folder / "汇总报表.xlsx"
    write_report(workspace, report)
    template = folder / "填报模板.xlsx"
    export_template(workspace, "工信局", "2025-06", template)
    assert (mode(report), mode(template)) == (0o666 & ~umask, 0o666 & ~umask)
    assert sorted(p.name for p in folder.iterdir()) == sorted([report.name, template.name])


def test_temporary_names_never_collide(tmp_path: Path) -> None:
    target = tmp_path / "a.pdf"
    names = {new_file_beside(target, ".pdf") for _ in range(50)}
    assert len(names) == 50 and all(name.parent == tmp_path for name in names)
    assert all(name.name.startswith(".a-") for name in names)
