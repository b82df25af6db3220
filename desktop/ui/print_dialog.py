"""打印: choose what to print (the plan, a node or a department; the status sheet and/or the
supervision notices), then preview and print it, or export it as PDF: the dialogs and the
command."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from PySide6.QtCore import QCoreApplication
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.models.changes import Progress
from desktop.models.errors import TargetMonitorError
from desktop.models.records import DepartmentInfo
from desktop.models.workspace import PlanWorkspace
from desktop.presentation.status_sheet import Document, build_documents

from desktop.ui.commands import CommandContext
from desktop.ui.i18n import fill, month_label
from desktop.ui.printing import PdfInfo, page_layout, paint_documents, title_of, write_pdf
from desktop.ui.prompts import FileKind
from desktop.ui.settings import PRINT_SCOPE


class PrintOutput(Enum):
    PREVIEW = "preview"
    PDF = "pdf"


@dataclass(frozen=True)
class PrintChoice:
    node_id: int | None
    department: DepartmentInfo | None
    sheet: bool
    notices: bool
    output: PrintOutput


class PrintDialog(QDialog):
    """What to print; 预览 opens the print preview (which prints), 导出 PDF writes a file."""

    def __init__(
        self,
        workspace: PlanWorkspace,
        *,
        node_id: int | None,
        department_id: int | None,
        remembered: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("printDialog")
        self.setWindowTitle(self.tr("Print status sheet"))
        self._workspace = workspace
        self.scope = QComboBox(self)
        self.scope.setObjectName("printScope")
        self.scope.addItem(self.tr("The whole plan"), "plan")
        if node_id is not None:
            node = workspace.nodes[node_id]
            self.scope.addItem(
                self.tr("Selected: %1").replace("%1", f"{node.code} {node.title}"),
                f"node:{node_id}",
            )
        for department in workspace.departments.values():
            if workspace.department_indicators(department.id):
                self.scope.addItem(
                    self.tr("Department: %1").replace("%1", department.name),
                    f"department:{department.id}",
                )
        self._choose_scope(remembered, node_id, department_id)
        self.sheet = QCheckBox(self.tr("Status sheet"), self)
        self.sheet.setObjectName("printSheet")
        self.sheet.setChecked(True)
        self.notices = QCheckBox(self.tr("Supervision notices for red and yellow indicators"), self)
        self.notices.setObjectName("printNotices")
        for box in (self.sheet, self.notices):
            box.setToolTip(self.tr("Printed documents are in Chinese: they are the city's forms."))
        self.notices.setChecked(True)
        period = QLabel(
            self.tr("Figures as of %1 (change the month in the toolbar)").replace(
                "%1", month_label(workspace.as_of)
            ),
            self,
        )
        form = QFormLayout()
        form.addRow(self.tr("Print"), self.scope)
        form.addRow("", self.sheet)
        form.addRow("", self.notices)
        form.addRow("", period)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.preview_button = QPushButton(self.tr("&Preview and print…"), self)
        self.preview_button.setObjectName("printPreviewButton")
        self.preview_button.setDefault(True)
        self.pdf_button = QPushButton(self.tr("Export PD&F…"), self)
        self.pdf_button.setObjectName("printPdfButton")
        buttons.addButton(self.preview_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.pdf_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.rejected.connect(self.reject)
        self.output = PrintOutput.PREVIEW
        self.preview_button.clicked.connect(lambda: self._finish(PrintOutput.PREVIEW))
        self.pdf_button.clicked.connect(lambda: self._finish(PrintOutput.PDF))
        for box in (self.sheet, self.notices):
            box.toggled.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self._update()

    def _choose_scope(
        self, remembered: str, node_id: int | None, department_id: int | None
    ) -> None:
        """The scope printed last time, where it still applies; else the department the tree
        shows, or else the selected node."""
        if remembered == "node" and node_id is not None:
            self.scope.setCurrentIndex(1)
            return
        if (index := self.scope.findData(remembered)) >= 0:
            self.scope.setCurrentIndex(index)
        elif department_id is not None:
            self.scope.setCurrentIndex(max(0, self.scope.findData(f"department:{department_id}")))
        elif node_id is not None:
            self.scope.setCurrentIndex(1)

    def remembered_scope(self) -> str:
        """The chosen scope as PRINT_SCOPE keeps it (a node stands for the selected one)."""
        data = str(self.scope.currentData())
        return "node" if data.startswith("node:") else data

    def _update(self) -> None:
        chosen = self.sheet.isChecked() or self.notices.isChecked()
        self.preview_button.setEnabled(chosen)
        self.pdf_button.setEnabled(chosen)

    def _finish(self, output: PrintOutput) -> None:
        self.output = output
        self.accept()

    def choice(self) -> PrintChoice:
        kind, _, key = str(self.scope.currentData()).partition(":")
        return PrintChoice(
            node_id=int(key) if kind == "node" else None,
            department=self._workspace.departments[int(key)] if kind == "department" else None,
            sheet=self.sheet.isChecked(),
            notices=self.notices.isChecked(),
            output=self.output,
        )


class PreviewDialog(QPrintPreviewDialog):
    """The print preview of the documents; its print button sends them to a printer."""

    def __init__(self, documents: list[Document], parent: QWidget | None = None) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageLayout(page_layout())
        printer.setDocName(title_of(documents[0]))
        super().__init__(printer, parent)
        self._printer = printer  # the dialog does not own it: kept alive with the dialog
        self.setObjectName("printPreview")
        self.setWindowTitle(self.tr("Print preview"))
        self.resize(1100, 800)
        self._documents = documents
        self.pages = 0
        self.paintRequested.connect(self._paint)

    def _paint(self, printer: QPrinter) -> None:
        try:
            self.pages = paint_documents(printer, self._documents)
        except TargetMonitorError as error:  # the printer could not be opened
            QMessageBox.warning(self, self.windowTitle(), str(error))


def print_status(
    context: CommandContext, *, node_id: int | None, department_id: int | None
) -> None:
    """打印: the status sheet and supervision notices, previewed and printed or as PDF."""
    workspace = context.controller.workspace
    dialog = PrintDialog(
        workspace,
        node_id=node_id,
        department_id=department_id,
        remembered=context.settings.get(PRINT_SCOPE),
        parent=context.parent,
    )
    if not context.prompts.confirm(dialog):
        return
    context.settings.set(PRINT_SCOPE, dialog.remembered_scope())
    choice = dialog.choice()
    documents = build_documents(
        workspace,
        node_id=choice.node_id,
        department=choice.department,
        sheet=choice.sheet,
        notices=choice.notices,
    )
    translate = QCoreApplication.translate
    if not documents:
        context.tell(
            fill(
                translate("Print", "Nothing to print: no indicator is behind as of %1."),
                workspace.as_of,
            )
        )
        return
    if choice.output is PrintOutput.PREVIEW:
        context.prompts.show(PreviewDialog(documents, context.parent))
        return
    scope = choice.department.short_name if choice.department else ""
    if choice.node_id is not None:
        scope = workspace.nodes[choice.node_id].code
    name = "进度情况表" if choice.sheet else "督办单"
    suggestion = "-".join(part for part in (workspace.as_of, scope, name) if part) + ".pdf"
    target = context.prompts.save_path(context.parent, FileKind.PDF, suggestion)
    if target is None:
        return
    if target.suffix.lower() != ".pdf":
        target = target.with_name(target.name + ".pdf")

    def job(progress: Progress) -> PdfInfo:
        return write_pdf(target, documents, progress)

    info = context.background(translate("Print", "Writing the PDF…"), job)
    if info is not None:
        context.note(
            fill(
                translate("Print", "PDF written to %1 (%2 pages)"),
                str(info.path),
                str(info.pages),
            )
        )
