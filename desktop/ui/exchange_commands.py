"""The Excel exchange from the window: export templates, import a filled one, undo an import,
export the status report.

The exchange (and openpyxl, a fifth of the window's start) is imported when a command is first
used, not when the window starts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox

from desktop.models.changes import Progress

from desktop.ui import operations
from desktop.ui.commands import CommandContext
from desktop.ui.i18n import fill
from desktop.ui.prompts import FileKind
from desktop.ui.settings import USER_DEPARTMENT

if TYPE_CHECKING:
    from desktop.exchange.report import ReportInfo
    from desktop.exchange.template import TemplateInfo


class ExchangeCommands(QObject):
    """导出填报模板, 导入填报数据, 撤销导入 and 导出汇总报表."""

    def __init__(self, context: CommandContext) -> None:
        super().__init__(context.parent)
        self._context = context

    def export_templates(self) -> None:
        """导出填报模板: one department's template, or one for each department."""
        from desktop.exchange.template import (  # noqa: PLC0415 - openpyxl on demand
            export_template,
            export_templates,
            template_name,
        )

        from desktop.ui.exchange_dialogs import ExportTemplateDialog  # noqa: PLC0415

        context = self._context
        workspace = context.controller.workspace
        departments = [d.short_name for d in workspace.departments.values()]
        dialog = ExportTemplateDialog(
            departments,
            list(workspace.months),
            context.settings.get(USER_DEPARTMENT),
            workspace.as_of,
            context.parent,
        )
        if not context.prompts.confirm(dialog):
            return
        department, month = dialog.department.currentData(), dialog.month.currentText()
        if department is None:
            target = context.prompts.save_path(context.parent, FileKind.FOLDER, "")
        else:
            suggestion = template_name(month, workspace.department_named(department))
            target = context.prompts.save_path(context.parent, FileKind.WORKBOOK, suggestion)
        if target is None:
            return
        folder = target

        def job(progress: Progress) -> list[TemplateInfo]:
            if department is None:
                return export_templates(workspace, month, folder, progress=progress)
            return [export_template(workspace, department, month, folder)]

        exported = context.background(self.tr("Exporting templates…"), job)
        if exported:
            context.note(
                fill(
                    self.tr("%1 templates exported to %2"),
                    str(len(exported)),
                    str(exported[0].path.parent),
                )
            )

    def import_template(self) -> None:
        """导入填报数据: choose a returned template and import it."""
        path = self._context.prompts.open_path(self._context.parent, FileKind.WORKBOOK)
        if path is not None:
            self.import_file(path)

    def import_file(self, path: Path) -> None:
        """Check the file, show what it changes, apply on 应用 as one step of the undo
        history."""
        from desktop.exchange.importer import read_template  # noqa: PLC0415 - on demand

        from desktop.ui.exchange_dialogs import ImportPreviewDialog  # noqa: PLC0415

        context = self._context
        controller = context.controller
        workspace = controller.workspace
        plan = context.background(
            fill(self.tr("Checking %1…"), path.name),
            lambda _progress: read_template(path, workspace),
        )
        if plan is None:
            return
        dialog = ImportPreviewDialog(plan, context.parent)
        if not context.prompts.confirm(dialog):
            return
        operation = operations.import_template(
            workspace, plan, controller.user, prefer_file=dialog.prefer_file.isChecked()
        )
        result = controller.run(operation)
        if result is not None:
            context.note(
                fill(
                    self.tr("Imported as batch %1: %2 cells of %3 indicators"),
                    str(result.batch_id),
                    str(result.changes.cells),
                    str(len(result.changes.indicator_ids)),
                )
            )

    def undo_import(self) -> None:
        """撤销导入: take a whole import batch back, after a confirmation; Ctrl+Z applies it
        again."""
        from desktop.models.history import import_batches  # noqa: PLC0415 (when first used)

        from desktop.ui.exchange_dialogs import UndoImportDialog  # noqa: PLC0415 - on demand

        context = self._context
        controller = context.controller
        dialog = UndoImportDialog(import_batches(controller.database), context.parent)
        if not context.prompts.confirm(dialog):
            return
        batch = dialog.selected()
        if batch is None:
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Undo an import"),
            fill(
                self.tr(
                    "Take back import %1 (%2, %3, %4 indicators from %5)? Every value it wrote "
                    "returns to what it was before the import; Ctrl+Z applies it again."
                ),
                str(batch.id),
                batch.department,
                batch.period,
                str(batch.rows),
                batch.file_name,
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            context.parent,
        )
        box.setObjectName("confirmUndoImport")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        if not context.prompts.ask_yes(box):
            return
        operation = operations.undo_import(controller.workspace, batch.id, controller.user)
        if controller.run(operation) is not None:
            context.note(fill(self.tr("Import %1 undone"), str(batch.id)))

    def export_report(self) -> None:
        """导出汇总报表 as of the month being evaluated."""
        from desktop.exchange.report import write_report  # noqa: PLC0415 - openpyxl on demand

        context = self._context
        workspace = context.controller.workspace  # only read; the progress dialog is modal
        target = context.prompts.save_path(
            context.parent, FileKind.WORKBOOK, f"{workspace.as_of}-进度情况汇总表.xlsx"
        )
        if target is None:
            return

        def job(progress: Progress) -> ReportInfo:
            return write_report(workspace, target, progress=progress)

        info = context.background(self.tr("Writing the status report…"), job)
        if info is not None:
            context.note(fill(self.tr("Report written to %1"), str(info.path)))
