"""Copying from the grid, and pasting a rectangle copied from Excel, WPS or LibreOffice
(tab-separated text) into it."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QTableView

from desktop.models.edits import EntryEdit
from desktop.models.figures import FigureError, parse_figure, parse_state

from desktop.ui.commands import CommandContext
from desktop.ui.grid_model import ProgressGridModel
from desktop.ui.i18n import figure_problem_text, fill


@dataclass
class PastePlan:
    """The cells a paste would write, and the cells it refuses with the reason."""

    cells: list[EntryEdit] = field(default_factory=list)
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
            plan.cells.append(model.controller.cell(indicator_id, period, **fields))
    return plan


class ClipboardCommands(QObject):
    """复制 and 粘贴 in the grid: a selection out as tab-separated text, a rectangle from Excel,
    WPS or LibreOffice in as one undoable step."""

    def __init__(self, context: CommandContext, grid: QTableView, model: ProgressGridModel) -> None:
        super().__init__(context.parent)
        self._context = context
        self._grid = grid
        self._model = model

    def copy(self) -> None:
        indexes = self._grid.selectionModel().selectedIndexes()
        if not indexes:
            return
        rows = sorted({i.row() for i in indexes})
        columns = sorted({i.column() for i in indexes})
        lines = [
            "\t".join(str(self._model.index(r, c).data() or "") for c in columns) for r in rows
        ]
        QGuiApplication.clipboard().setText("\n".join(lines) + "\n")

    def paste(self) -> None:
        """Paste a rectangle at the current cell (the selection's top left), as one step."""
        context = self._context
        start = self._grid.currentIndex()
        selected = self._grid.selectionModel().selectedIndexes()
        if selected:
            start = min(selected, key=lambda i: (i.row(), i.column()))
        if not start.isValid():
            context.tell(self.tr("Select the cell where the pasted figures should start."))
            return
        rows = split_clipboard(QGuiApplication.clipboard().text())
        plan = plan_paste(self._model, start.row(), start.column(), rows)
        pasted = str(len(plan.cells))
        if plan.cells and not context.controller.edit(
            plan.cells, fill(self.tr("Paste %1 cells"), pasted)
        ):
            return
        if plan.refused:
            shown = plan.refused[:20]
            text = fill(self.tr("%1 cells pasted; these were refused:"), pasted)
            text += "\n" + "\n".join(shown)
            if len(plan.refused) > len(shown):
                more = str(len(plan.refused) - len(shown))
                text += "\n" + fill(self.tr("… and %1 more"), more)
            context.tell(text)
        elif plan.cells:
            context.note(fill(self.tr("%1 cells pasted"), pasted))
