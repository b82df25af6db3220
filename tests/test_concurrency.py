"""Two processes on one database: the later of two edits based on the same version is refused."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from desktop.models.database import Database
from desktop.models.errors import StaleEditError
from desktop.models.service import NO_ENTRY, EntryService
from desktop.models.workspace import PlanWorkspace

OTHER_PROCESS = """
import sys
from pathlib import Path
from desktop.models.database import open_database
from desktop.models.service import EntryService
database = open_database(Path(sys.argv[1]))
EntryService(database, "李四").set_value(int(sys.argv[2]), "2025-06", 222, expected_version=1)
database.close()
"""


def test_an_edit_raced_by_another_process_is_refused_with_its_value(database: Database) -> None:
    workspace = PlanWorkspace(database, as_of="2025-06")
    indicator = next(i.id for i in workspace.indicators.values() if i.code == "2.1.1-1")
    service = EntryService(database, "张三")
    service.set_value(indicator, "2025-06", 100, expected_version=NO_ENTRY)
    seen = 1  # the version this window shows
    done = subprocess.run(
        [sys.executable, "-c", OTHER_PROCESS, str(database.path), str(indicator)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert done.returncode == 0, done.stderr
    with pytest.raises(StaleEditError) as refused:
        service.set_value(indicator, "2025-06", 150, expected_version=seen)
    assert refused.value.current_value is not None
    assert float(refused.value.current_value) == 222 and refused.value.changed_by == "李四"
    workspace.refresh([indicator])
    latest = workspace.latest(indicator)
    assert latest is not None and latest[1].value == 222  # the other process's value stands
