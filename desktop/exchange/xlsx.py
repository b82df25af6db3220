"""Small helpers for writing workbooks: text that stays text, and atomic saves."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell


def write_text(cell: Cell | MergedCell, text: str) -> None:
    """Text exactly as typed: a note starting with = + - @ never becomes a formula."""
    cell.value = text
    if text:
        cell.data_type = "s"


def save_atomically(workbook: Workbook, path: Path) -> None:
    """Write to a temporary file beside `path`, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".xlsx.tmp")
    os.close(handle)
    try:
        workbook.save(temporary)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
