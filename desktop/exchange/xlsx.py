"""Small helpers for writing workbooks: text that stays text, and atomic saves."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.worksheet.worksheet import Worksheet

from desktop.models.files import new_file_beside
from desktop.models.text import clean


def write_text(cell: Cell | MergedCell, text: str) -> None:
    """Text as typed: a note starting with = + - @ never becomes a formula, and characters no
    workbook can hold (kept by an older version) are left out rather than fail the file."""
    cell.value = clean(text)
    if text:
        cell.data_type = "s"


def save_atomically(workbook: Workbook, path: Path) -> None:
    """Write to a temporary file beside `path`, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = new_file_beside(path, ".xlsx.tmp")
    try:
        workbook.save(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


CellValue = str | float | int | None


class CellFactory:
    """Cells in a named style, made fast: the style is resolved once, not once per cell.

    Setting `cell.style` looks the named style up and copies it for every cell, which
    dominates writing thousands of rows; here each style's array is taken from one probe cell
    (openpyxl keeps it in `_style`, stable since 2.4) and handed to new cells.
    """

    def __init__(self, sheet: Worksheet, style_names: Sequence[str]) -> None:
        self._sheet = sheet
        self._arrays: dict[str, Any] = {}
        for name in style_names:
            probe = Cell(sheet, row=1, column=1)
            probe.style = name
            self._arrays[name] = probe._style  # type: ignore[attr-defined]

    def make(self, value: CellValue, style: str, *, text: bool = False) -> Cell:
        if text and isinstance(value, str):
            value = clean(value)  # typed text, as write_text keeps it
        cell = Cell(self._sheet, row=1, column=1, value=value, style_array=self._arrays[style])
        if text and value:
            cell.data_type = "s"  # typed text stays text, even when it starts with =
        return cell
