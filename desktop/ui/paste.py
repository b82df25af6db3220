"""Pasting a rectangle copied from Excel, WPS or LibreOffice (tab-separated text) into the grid."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QCoreApplication

from desktop.models.figures import FigureError, parse_figure, parse_state

from desktop.ui.controller import CellEdit
from desktop.ui.grid_model import ProgressGridModel
from desktop.ui.i18n import figure_problem_text


@dataclass
class PastePlan:
    """The cells a paste would write, and the cells it refuses with the reason."""

    cells: list[CellEdit] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def _unquote(cell: str) -> str:
    """Excel quotes a cell that holds a tab, a line break or a quote."""
    if len(cell) >= 2 and cell[0] == cell[-1] == '"':
        return cell[1:-1].replace('""', '"')
    return cell


def split_clipboard(text: str) -> list[list[str]]:
    """Rows of cells from tab-separated text; the trailing line break of a copy is dropped."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    rows = []
    for line in lines:
        rows.append([_unquote(cell) for cell in line.split("\t")])
    return rows


def plan_paste(model: ProgressGridModel, top: int, left: int, rows: list[list[str]]) -> PastePlan:
    """Validate every pasted cell against the indicator under it; empty cells are skipped."""
    translate = QCoreApplication.translate
    plan = PastePlan()
    workspace = model.workspace
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            target_row, column = top + r, left + c
            if not text.strip():
                continue
            period = model.period_at(column)
            if target_row >= model.rowCount() or period is None:
                plan.refused.append(
                    translate("Paste", "row %1, column %2: '%3' falls outside the month cells")
                    .replace("%1", str(r + 1))
                    .replace("%2", str(c + 1))
                    .replace("%3", text)
                )
                continue
            indicator_id = model.indicator_at(target_row)
            indicator = workspace.indicators[indicator_id]
            try:
                if indicator.is_milestone:
                    fields: dict[str, object] = {"milestone_state": parse_state(text)}
                else:
                    fields = {"value": parse_figure(text, percent=indicator.unit == "%")}
            except FigureError as error:
                reason = figure_problem_text(error, indicator.unit)
                plan.refused.append(f"{indicator.code} {period}: {reason}")
                continue
            plan.cells.append(CellEdit(indicator_id, period, fields))
    return plan
