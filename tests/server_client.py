"""One person's program at work on the server, for tests/test_server.py's many clients at once.

    python -m tests.server_client URL NAME INDEX OWN OTHER

Logged in as NAME (PGPASSWORD gives the password), it types a figure for June 2025 into every
numeric indicator of the 2025 plan of the department whose short name is OWN ("*": every
department, as a 管理者), each expecting the month empty; a 填报员 (OTHER given) also imports
their department's template for February and tries one figure of the department OTHER.
Prints one JSON object: the figures written, those refused as changed meanwhile, and what
happened to the other department's figure.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import openpyxl

from desktop.exchange.importer import apply_import, read_template
from desktop.exchange.layout import ENTRY_SHEET, FIRST_DATA_ROW, Column
from desktop.exchange.template import export_template
from desktop.models.errors import NothingToImport, NotYoursError, StaleEditError
from desktop.models.server import parse_address
from desktop.models.server_database import open_server
from desktop.models.service import EntryService
from desktop.models.workspace import PlanWorkspace

PERIOD, IMPORTED = "2025-06", "2025-02"


def main() -> None:
    url, name, index, own, other = sys.argv[1:6]
    database = open_server(parse_address(url))
    workspace = PlanWorkspace(database, plan_code="SY2025-MIS", as_of=PERIOD)
    short = {d.id: d.short_name for d in workspace.departments.values()}
    numeric = [i for i in workspace.indicators.values() if not i.is_milestone]
    mine = [i.id for i in numeric if own in ("*", short[i.department_id])]
    service = EntryService(database, name)
    result: dict[str, object] = {"written": [], "stale": [], "other": None, "batch": None}
    for position, indicator_id in enumerate(mine):
        value = float(int(index) * 1000 + position + 1)
        try:
            service.set_value(indicator_id, PERIOD, value, expected=None)
            result["written"].append([indicator_id, value])  # type: ignore[attr-defined]
        except StaleEditError:
            result["stale"].append(indicator_id)  # type: ignore[attr-defined]
    if other != "-":
        result["batch"] = _import(workspace, own, name)
        theirs = next(i.id for i in numeric if short[i.department_id] == other)
        try:
            service.set_value(theirs, PERIOD, 1.0, expected=None)
            result["other"] = "written"
        except NotYoursError as error:
            result["other"] = str(error)
        except StaleEditError:
            result["other"] = "stale"
    database.close()
    print(json.dumps(result))


def _import(workspace: PlanWorkspace, own: str, name: str) -> int | None:
    """The department's template for IMPORTED, every figure typed, imported as `name`; the
    batch, or None when the department's other 填报员 imported it first."""
    department = next(d for d in workspace.departments.values() if d.short_name == own)
    with tempfile.TemporaryDirectory() as folder:
        template = Path(folder) / "template.xlsx"
        export_template(workspace, department.name, IMPORTED, template)
        book = openpyxl.load_workbook(template)
        sheet = book[ENTRY_SHEET]
        for row in range(FIRST_DATA_ROW, sheet.max_row + 1):
            if sheet.cell(row, Column.CODE).value and sheet.cell(row, Column.UNIT).value != "—":
                sheet.cell(row, Column.VALUE).value = row
        filled = Path(folder) / "filled.xlsx"
        book.save(filled)
        plan = read_template(filled, workspace)
        if not plan.cells():
            return None
        try:
            return apply_import(plan, workspace, name).batch_id
        except (StaleEditError, NothingToImport):  # the other 填报员's import came first
            return None


if __name__ == "__main__":
    main()
