"""A manager's dialogs for a plan's life: next year's plan made from the one shown, and a draft
plan's target set (or left 待定)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.models.figures import FigureError, FigureProblem, format_figure, parse_figure
from desktop.models.records import IndicatorInfo, PlanInfo

from desktop.ui.i18n import figure_problem_text, fill


class NextPlanDialog(QDialog):
    """What next year's plan will be, and its code."""

    def __init__(self, plan: PlanInfo, parent: QWidget | None = None) -> None:
        from desktop.models.plan_service import next_code  # noqa: PLC0415 (when first used)

        super().__init__(parent)
        self.setObjectName("nextPlanDialog")
        self.setWindowTitle(self.tr("Next year's plan"))
        explanation = QLabel(
            fill(
                self.tr(
                    "A new plan for %1 is made from “%2”: its projects, tasks, measures, "
                    "indicators and departments. Each indicator's baseline becomes its last "
                    "reported figure, with its month. Every target is left pending (待定) for "
                    "you to set; the plan stays a draft, and takes figures once it is made "
                    "active. No figure is copied."
                ),
                str(plan.year + 1),
                plan.title,
            ),
            self,
        )
        self.code = _new_plan_form(self, explanation, next_code(plan.code, plan.year))
        self.code.setObjectName("nextPlanCode")


class TargetDialog(QDialog):
    """A draft plan's target of one indicator: a figure, or pending (待定)."""

    def __init__(self, indicator: IndicatorInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("targetDialog")
        self.setWindowTitle(fill(self.tr("Target of %1"), indicator.code))
        self._unit = indicator.unit
        name = QLabel(f"{indicator.code} {indicator.name}", self)
        name.setWordWrap(True)
        baseline = (
            self.tr("no baseline")
            if indicator.baseline is None
            else fill(
                self.tr("%1 %2 (%3)"),
                format_figure(indicator.baseline),
                indicator.unit,
                indicator.baseline_source or "",
            )
        )
        self.target = QLineEdit(
            "" if indicator.target is None else format_figure(indicator.target), self
        )
        self.target.setObjectName("targetValue")
        self.pending = QCheckBox(self.tr("Pending (待定)"), self)
        self.pending.setObjectName("targetPending")
        self.pending.setChecked(indicator.target is None)
        self.pending.toggled.connect(lambda on: self.target.setEnabled(not on))
        self.target.setEnabled(indicator.target is not None)
        self.problem = QLabel(self)
        self.problem.setObjectName("targetProblem")
        self.problem.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Baseline"), QLabel(baseline, self))
        form.addRow(fill(self.tr("Target (%1)"), indicator.unit or "—"), self.target)
        form.addRow("", self.pending)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(name)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)

    def value(self) -> float | None:
        """The target typed (None: pending); FigureError when it is no figure."""
        if self.pending.isChecked():
            return None
        figure = parse_figure(self.target.text(), percent=self._unit == "%")
        if figure is None:  # an empty target is no target: pending says so
            raise FigureError(FigureProblem.NOT_A_NUMBER, "")
        return figure

    def accept(self) -> None:  # QDialog.accept: a figure that is none keeps the dialog open
        try:
            self.value()
        except FigureError as error:
            self.problem.setText(figure_problem_text(error, self._unit))
            self.target.setFocus()
            return
        super().accept()


class ImportPlanDialog(QDialog):
    """What a plan workbook adds, and the code the new draft plan takes."""

    def __init__(
        self,
        name: str,
        lines: list[str],
        code: str,
        parent: QWidget | None = None,
        *,
        draft: tuple[str, list[str]] | None = None,
    ) -> None:
        """`draft`: the draft plan shown and what replacing its content would change; then
        replacing it is offered, and chosen by default."""
        super().__init__(parent)
        self.setObjectName("importPlanDialog")
        self.setWindowTitle(self.tr("Import a plan workbook"))
        explanation = QLabel(fill(self.tr("%1 holds a plan of:\n%2"), name, "\n".join(lines)), self)
        self.code = _new_plan_form(self, explanation, code)
        self.code.setObjectName("importPlanCode")
        self.replace = QCheckBox(self)
        self.replace.setObjectName("replaceDraft")
        self.changes = QLabel(self)
        self.changes.setObjectName("draftChanges")
        self.changes.setWordWrap(True)
        self.replace.setVisible(draft is not None)
        self.changes.setVisible(draft is not None)
        if draft is not None:
            shown, changes = draft
            self.replace.setText(fill(self.tr("Replace the content of the draft plan %1"), shown))
            self.changes.setText("\n".join(changes))
            self.replace.toggled.connect(lambda on: self.code.setEnabled(not on))
            self.replace.setChecked(True)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(1, self.replace)
        layout.insertWidget(2, self.changes)


def _new_plan_form(dialog: QDialog, explanation: QLabel, code: str) -> QLineEdit:
    """A dialog's explanation, the new plan's code (returned) and OK / Cancel."""
    explanation.setWordWrap(True)
    field = QLineEdit(code, dialog)
    form = QFormLayout()
    form.addRow(QCoreApplication.translate("PlanDialogs", "Code of the new plan"), field)
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(explanation)
    layout.addLayout(form)
    layout.addWidget(buttons)
    dialog.setMinimumWidth(460)
    return field
