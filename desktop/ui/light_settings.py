"""The plan's light settings: the dialog a manager changes them in, and taking over the
thresholds a user once kept in this PC's settings.

The thresholds and the parent-light rule belong to the plan (its database row), so that every
PC and every printed sheet colours the same figures the same way. A change is an operation like
any write: audited, checked against what the manager saw, one step of the undo history.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from desktop.models.figures import format_figure
from desktop.models.kinds import ParentLight
from desktop.models.status_rule import POINTS_MAX, LightSettings, Thresholds

from desktop.ui import operations
from desktop.ui.controller import PlanController
from desktop.ui.i18n import fill
from desktop.ui.settings import RED_POINTS, YELLOW_POINTS, Settings


class LightSettingsDialog(QDialog):
    """The plan's yellow and red thresholds and where a parent's light comes from."""

    def __init__(self, current: LightSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lightSettingsDialog")
        self.setWindowTitle(self.tr("Status thresholds"))
        self.yellow = _points_box(self, current.thresholds.yellow, "yellowPoints")
        self.red = _points_box(self, current.thresholds.red, "redPoints")
        self.parent_light = QComboBox(self)
        self.parent_light.setObjectName("parentLight")
        self.parent_light.addItem(
            self.tr("Its own completion against its planned progress"), ParentLight.ROLLUP.value
        )
        self.parent_light.addItem(
            self.tr("The worst light among its parts"), ParentLight.WORST.value
        )
        self.parent_light.setCurrentIndex(
            max(0, self.parent_light.findData(current.parent_light.value))
        )
        explanation = QLabel(
            self.tr(
                "These settings belong to the plan: every PC and every printed sheet colours the "
                "figures with them. A change is recorded with your name and can be undone."
            ),
            self,
        )
        explanation.setWordWrap(True)
        self.note = QLabel(self)
        self.note.setObjectName("lightSettingsNote")
        self.note.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Yellow light when behind by more than"), self.yellow)
        form.addRow(self.tr("Red light when behind by more than"), self.red)
        form.addRow(self.tr("A project's, task's or measure's light"), self.parent_light)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for box in (self.yellow, self.red):
            box.valueChanged.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)
        self._update()

    def _update(self) -> None:
        valid = self.yellow.value() <= self.red.value()
        self.note.setText(
            "" if valid else self.tr("The yellow threshold must not exceed the red one.")
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(valid)

    def wanted(self) -> LightSettings:
        """The settings as the dialog shows them."""
        return LightSettings(
            Thresholds(self.yellow.value(), self.red.value()),
            ParentLight(self.parent_light.currentData()),
        )


def adopt_user_thresholds(controller: PlanController, settings: Settings) -> None:
    """Take over, once, the thresholds this PC's user kept in their own settings before the
    plan kept them: written through the service (audited) if the plan's settings were never
    changed, then removed from the user's settings either way (the plan's rule from now on).
    A refusal keeps the user's value for the next start."""
    keys = [setting.key for setting in (YELLOW_POINTS, RED_POINTS)]
    if not any(settings.store.contains(key) for key in keys):
        return
    current = controller.workspace.light_settings
    own = Thresholds(settings.get(YELLOW_POINTS), settings.get(RED_POINTS))
    untouched = current.version == LightSettings().version and current.thresholds == Thresholds()
    if untouched and own != current.thresholds:
        wanted = LightSettings(own, current.parent_light)
        operation = operations.set_light_settings(
            controller.service, controller.workspace.plan.id, wanted, seen=current
        )
        if controller.execute(operation) is None:
            return
    for key in keys:
        settings.store.remove(key)
    settings.sync()


class IndicatorThresholdsDialog(QDialog):
    """One indicator's own yellow and red thresholds, each either its own or the plan's."""

    def __init__(
        self,
        title: str,
        plan: Thresholds,
        own: tuple[float | None, float | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("indicatorThresholdsDialog")
        self.setWindowTitle(self.tr("Thresholds of one indicator"))
        self._plan = plan
        heading = QLabel(title, self)
        heading.setWordWrap(True)
        heading.setTextFormat(Qt.TextFormat.PlainText)
        self.own_yellow = QCheckBox(self.tr("Its own yellow threshold"), self)
        self.own_yellow.setObjectName("ownYellow")
        self.own_red = QCheckBox(self.tr("Its own red threshold"), self)
        self.own_red.setObjectName("ownRed")
        self.yellow = _points_box(
            self, own[0] if own[0] is not None else plan.yellow, "yellowPoints"
        )
        self.red = _points_box(self, own[1] if own[1] is not None else plan.red, "redPoints")
        self.own_yellow.setChecked(own[0] is not None)
        self.own_red.setChecked(own[1] is not None)
        plan_words = QLabel(
            fill(
                self.tr("The plan's: yellow %1, red %2 points behind the planned progress."),
                format_figure(plan.yellow),
                format_figure(plan.red),
            ),
            self,
        )
        plan_words.setWordWrap(True)
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.own_yellow, self.yellow)
        form.addRow(self.own_red, self.red)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for box in (self.own_yellow, self.own_red):
            box.toggled.connect(self._update)
        for spin in (self.yellow, self.red):
            spin.valueChanged.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(plan_words)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(480)
        self._update()

    def own(self) -> tuple[float | None, float | None]:
        """The thresholds as the dialog shows them (None: the plan's)."""
        return (
            self.yellow.value() if self.own_yellow.isChecked() else None,
            self.red.value() if self.own_red.isChecked() else None,
        )

    def _update(self) -> None:
        self.yellow.setEnabled(self.own_yellow.isChecked())
        self.red.setEnabled(self.own_red.isChecked())
        try:
            self._plan.overridden(*self.own())
            valid = True
        except ValueError:
            valid = False
        self.note.setText(
            "" if valid else self.tr("The yellow threshold must not exceed the red one.")
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(valid)


def _points_box(parent: QWidget, value: float, name: str) -> QDoubleSpinBox:
    box = QDoubleSpinBox(parent)
    box.setObjectName(name)
    box.setRange(0, POINTS_MAX)
    box.setDecimals(1)
    box.setSuffix(QCoreApplication.translate("LightSettingsDialog", " points"))
    box.setValue(value)
    return box
