"""Dialogs of the Excel exchange: export a template, preview an import, undo an import."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.exchange.importer import CellChange, ImportPlan, describe
from desktop.models.history import BatchSummary
from desktop.models.schema import BatchState

from desktop.ui.row_model import RowListModel

AnyIndex = QModelIndex | QPersistentModelIndex

FIELD_WORDS = {
    "value": "本期值",
    "milestone_state": "本期值",
    "progress_note": "进展情况",
    "problems": "存在问题及下步措施",
}


class ExportTemplateDialog(QDialog):
    """Which department and month to export a template for."""

    def __init__(
        self,
        departments: list[str],
        months: list[str],
        department: str,
        month: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("exportTemplateDialog")
        self.setWindowTitle(self.tr("Export templates"))
        self.department = QComboBox(self)
        self.department.addItem(self.tr("All departments (one file each)"), None)
        for name in departments:
            self.department.addItem(name, name)
        self.department.setCurrentIndex(max(0, self.department.findData(department)))
        self.month = QComboBox(self)
        self.month.addItems(months)
        self.month.setCurrentText(month)
        form = QFormLayout(self)
        form.addRow(self.tr("Department"), self.department)
        form.addRow(self.tr("Month"), self.month)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class ChangesModel(RowListModel[CellChange]):
    """The cells an import would change: where, which indicator, old → new."""

    def __init__(self, changes: list[CellChange], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows = list(changes)

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("Cell"),
            self.tr("Indicator"),
            self.tr("Field"),
            self.tr("Old"),
            self.tr("New"),
        )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # QAbstractTableModel.data
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        change = self.row_at(index.row())
        return (
            change.where,
            change.code,
            FIELD_WORDS.get(change.field, change.field),
            describe(change.old),
            describe(change.new),
        )[index.column()]


class ImportPreviewDialog(QDialog):
    """What an import would change, its warnings and conflicts: 应用 or 取消."""

    def __init__(self, plan: ImportPlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importPreviewDialog")
        self.setWindowTitle(self.tr("Import %1").replace("%1", plan.file_name))
        self.plan = plan
        summary = QLabel(
            self.tr("%1, %2: %3 cells will change.")
            .replace("%1", plan.department.name)
            .replace("%2", plan.period)
            .replace("%3", str(len(plan.changes))),
            self,
        )
        self.changes = QTableView(self)
        self.changes.setObjectName("importChanges")
        self.changes.setModel(ChangesModel(plan.changes, self))
        self.changes.verticalHeader().hide()
        self.changes.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.changes.horizontalHeader().setStretchLastSection(True)
        self.notes = QPlainTextEdit(self)
        self.notes.setObjectName("importWarnings")
        self.notes.setReadOnly(True)
        lines = [self.tr("Warning: %1").replace("%1", str(w)) for w in plan.warnings]
        lines += [
            self.tr(
                "Conflict: %1 %2 was changed in the database after the template was "
                "exported (database: %3; file: %4)"
            )
            .replace("%1", c.where)
            .replace("%2", c.code)
            .replace("%3", describe(c.database_value))
            .replace("%4", ", ".join(describe(v) for v in c.file_value.values()))  # type: ignore[attr-defined]
            for c in plan.conflicts
        ]
        self.notes.setPlainText("\n".join(lines) or self.tr("No warnings."))
        self.prefer_file = QCheckBox(
            self.tr("Overwrite values changed in the database since the export with the file's"),
            self,
        )
        self.prefer_file.setObjectName("preferFile")
        self.prefer_file.setVisible(bool(plan.conflicts))
        self.buttons = QDialogButtonBox(self)
        self.apply_button = self.buttons.addButton(
            self.tr("Apply"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.apply_button.setEnabled(bool(plan.changes))
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(self.changes, 3)
        layout.addWidget(self.notes, 1)
        layout.addWidget(self.prefer_file)
        layout.addWidget(self.buttons)
        self.resize(820, 520)


class BatchesModel(RowListModel[BatchSummary]):
    """Import batches, newest first."""

    def __init__(self, batches: list[BatchSummary], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows = list(batches)

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("Batch"),
            self.tr("When"),
            self.tr("Who"),
            self.tr("Department"),
            self.tr("Month"),
            self.tr("File"),
            self.tr("Indicators"),
            self.tr("State"),
        )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # QAbstractTableModel.data
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        batch = self.row_at(index.row())
        state = self.tr("applied") if batch.state is BatchState.APPLIED else self.tr("undone")
        return (
            str(batch.id),
            f"{batch.at:%Y-%m-%d %H:%M}",
            batch.user,
            batch.department,
            batch.period,
            batch.file_name,
            str(batch.rows),
            state,
        )[index.column()]


class UndoImportDialog(QDialog):
    """Pick an applied import batch to take back."""

    def __init__(self, batches: list[BatchSummary], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("undoImportDialog")
        self.setWindowTitle(self.tr("Undo an import"))
        self.model = BatchesModel(batches, self)
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.buttons = QDialogButtonBox(self)
        self.undo_button = self.buttons.addButton(
            self.tr("Undo import"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.view.selectionModel().selectionChanged.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addWidget(self.buttons)
        self.resize(760, 360)
        self._update()

    def selected(self) -> BatchSummary | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _update(self) -> None:
        batch = self.selected()
        self.undo_button.setEnabled(batch is not None and batch.state is BatchState.APPLIED)
