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
from desktop.models.kinds import BatchState

from desktop.ui.i18n import fill
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
    """The cells an import would change: where, which indicator, old → new, and what applying
    does with a conflicting one (keeps the database's value, or takes the file's)."""

    def __init__(self, changes: list[CellChange], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows = list(changes)
        self.prefer_file = False

    def set_prefer_file(self, prefer_file: bool) -> None:
        self.prefer_file = prefer_file
        if self._rows:
            last = self.columnCount() - 1
            self.dataChanged.emit(self.index(0, last), self.index(len(self._rows) - 1, last))

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("Cell"),
            self.tr("Indicator"),
            self.tr("Field"),
            self.tr("Old"),
            self.tr("New"),
            self.tr("Applying"),
        )

    def _action(self, change: CellChange) -> str:
        if not change.conflict:
            return self.tr("changes")
        if self.prefer_file:
            return self.tr("conflict: the file's value replaces the database's")
        return self.tr("conflict: the database's value is kept")

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
            self._action(change),
        )[index.column()]


class ImportPreviewDialog(QDialog):
    """What an import would change, its warnings and conflicts: 应用 or 取消.

    The count it shows is exactly what 应用 changes; with every difference a conflict kept as
    the database has it, there is nothing to apply and 应用 is off.
    """

    def __init__(self, plan: ImportPlan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importPreviewDialog")
        self.setWindowTitle(fill(self.tr("Import %1"), plan.file_name))
        self.plan = plan
        self.summary = QLabel(self)
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        self.reporter = QLabel(self)
        self.reporter.setObjectName("importReporter")
        self.reporter.setText(
            fill(self.tr("Filled in by %1 (%2)"), plan.reporter, plan.phone or "—")
            if plan.reporter
            else self.tr("The file names no reporter")
        )
        self.model = ChangesModel(plan.changes, self)
        self.changes = QTableView(self)
        self.changes.setObjectName("importChanges")
        self.changes.setModel(self.model)
        self.changes.verticalHeader().hide()
        self.changes.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.changes.horizontalHeader().setStretchLastSection(True)
        self.notes = QPlainTextEdit(self)
        self.notes.setObjectName("importWarnings")
        self.notes.setReadOnly(True)
        lines = [fill(self.tr("Warning: %1"), str(w)) for w in plan.warnings]
        lines += [
            fill(
                self.tr(
                    "Conflict: %1 %2 was changed in the database after the template was "
                    "exported (database: %3; file: %4)"
                ),
                c.where,
                c.code,
                describe(c.database_value),
                ", ".join(describe(v) for v in c.file_value.values()),
            )
            for c in plan.conflicts
        ]
        self.notes.setPlainText("\n".join(lines) or self.tr("No warnings."))
        self.prefer_file = QCheckBox(
            self.tr("Overwrite values changed in the database since the export with the file's"),
            self,
        )
        self.prefer_file.setObjectName("preferFile")
        self.prefer_file.setVisible(bool(plan.conflicts))
        self.prefer_file.toggled.connect(self._update)
        self.buttons = QDialogButtonBox(self)
        self.apply_button = self.buttons.addButton(
            self.tr("Apply"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.reporter)
        layout.addWidget(self.changes, 3)
        layout.addWidget(self.notes, 1)
        layout.addWidget(self.prefer_file)
        layout.addWidget(self.buttons)
        self.resize(900, 540)
        self._update()

    def _update(self) -> None:
        plan, prefer_file = self.plan, self.prefer_file.isChecked()
        self.model.set_prefer_file(prefer_file)
        cells = len(plan.cells(prefer_file=prefer_file))
        where = f"{plan.department.name}, {plan.period}"
        conflicts = str(len(plan.conflicts))
        if cells == 0 and plan.conflicts:
            text = fill(
                self.tr("%1: %2 conflicts, all keep the database's value; nothing to import."),
                where,
                conflicts,
            )
        elif cells == 0:
            text = fill(self.tr("%1: the file matches the database; nothing to import."), where)
        elif plan.conflicts and not prefer_file:
            text = fill(
                self.tr("%1: %2 cells will change; %3 conflicts keep the database's value."),
                where,
                str(cells),
                conflicts,
            )
        elif plan.conflicts:
            text = fill(
                self.tr("%1: %2 cells will change, %3 of them conflicts taking the file's value."),
                where,
                str(cells),
                str(sum(1 for c in plan.changes if c.conflict)),
            )
        else:
            text = fill(self.tr("%1: %2 cells will change."), where, str(cells))
        self.summary.setText(text)
        self.apply_button.setEnabled(cells > 0)


class BatchesModel(RowListModel[BatchSummary]):
    """Import batches, newest first."""

    def __init__(self, batches: list[BatchSummary], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows = list(batches)

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("Batch"),
            self.tr("When"),
            self.tr("Imported by"),
            self.tr("Filled in by"),
            self.tr("Department"),
            self.tr("Month"),
            self.tr("File"),
            self.tr("Indicators"),
            self.tr("State"),
        )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # QAbstractTableModel.data
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        batch = self.row_at(index.row())
        if role == Qt.ItemDataRole.ToolTipRole:
            return batch.phone or None
        state = self.tr("applied") if batch.state is BatchState.APPLIED else self.tr("undone")
        return (
            str(batch.id),
            f"{batch.at:%Y-%m-%d %H:%M}",
            batch.user,
            batch.reporter or "—",
            batch.department,
            batch.period,
            batch.file_name,
            str(batch.rows),
            state,
        )[index.column()]


class UndoImportDialog(QDialog):
    """Pick an applied import batch to take back; the newest applied one is chosen."""

    def __init__(self, batches: list[BatchSummary], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("undoImportDialog")
        self.setWindowTitle(self.tr("Undo an import"))
        self.model = BatchesModel(batches, self)
        self.view = QTableView(self)
        self.view.setObjectName("importBatches")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.empty = QLabel(self.tr("No file has been imported yet."), self)
        self.empty.setVisible(not batches)
        self.buttons = QDialogButtonBox(self)
        self.undo_button = self.buttons.addButton(
            self.tr("Undo import"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.view.selectionModel().selectionChanged.connect(self._update)
        self.view.doubleClicked.connect(lambda _index: self.undo_button.click())
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addWidget(self.empty)
        layout.addWidget(self.buttons)
        self.resize(860, 360)
        newest = next(
            (row for row, batch in enumerate(batches) if batch.state is BatchState.APPLIED), None
        )
        if newest is not None:
            self.view.selectRow(newest)
        self._update()

    def selected(self) -> BatchSummary | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _update(self) -> None:
        batch = self.selected()
        self.undo_button.setEnabled(batch is not None and batch.state is BatchState.APPLIED)
