"""The first-start dialog (who is using this copy), the settings dialog and the About box."""

from __future__ import annotations

import html
import platform

from PySide6.QtCore import QCoreApplication, Qt, QUrl, qVersion
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from desktop import __version__
from desktop.models.locations import NOTICES_FILE, bundled_file
from desktop.models.workspace import PlanWorkspace

from desktop.ui.i18n import fill
from desktop.ui.settings import (
    APPEARANCE,
    LANGUAGE,
    USER_DEPARTMENT,
    USER_NAME,
    Settings,
    login_name,
)
from desktop.ui.theme import Appearance


class _UserFields:
    """Name and department inputs shared by both dialogs. A manager works for all departments
    (recorded as no department: the window then opens on the whole plan)."""

    def __init__(self, dialog: QDialog, settings: Settings, departments: list[str]) -> None:
        self.name = QLineEdit(settings.get(USER_NAME) or login_name(), dialog)
        self.name.setObjectName("userName")
        self.name.setMaxLength(64)
        self.department = QComboBox(dialog)
        self.department.setObjectName("userDepartment")
        self.department.addItem(
            QCoreApplication.translate("UserFields", "All departments (manager)"), ""
        )
        for department in departments:
            self.department.addItem(department, department)
        current = settings.get(USER_DEPARTMENT)
        if current in departments or not current:
            self.department.setCurrentIndex(self.department.findData(current))

    def save(self, settings: Settings) -> None:
        settings.set(USER_NAME, self.name.text().strip())
        settings.set(USER_DEPARTMENT, self.department.currentData() or "")


class FirstStartDialog(QDialog):
    """Asks the user's name and department; they are recorded with every change."""

    def __init__(
        self, settings: Settings, departments: list[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("firstStartDialog")
        self.setWindowTitle(self.tr("Welcome to Target Monitor"))
        self._settings = settings
        self.fields = _UserFields(self, settings, departments)
        intro = QLabel(
            self.tr(
                "Please tell us who you are. Your name is recorded with every figure you enter, "
                "and the window opens on your department's indicators."
            ),
            self,
        )
        intro.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Your name"), self.fields.name)
        form.addRow(self.tr("Your department"), self.fields.department)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.fields.name.textChanged.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)
        self._update()

    def _update(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.fields.name.text().strip()))

    def accept(self) -> None:  # QDialog.accept
        self.fields.save(self._settings)
        self._settings.sync()
        super().accept()


class SettingsDialog(QDialog):
    """The user, the language and the appearance (the status thresholds are the plan's:
    `desktop.ui.light_settings`)."""

    def __init__(
        self, settings: Settings, departments: list[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("Settings"))
        self._settings = settings
        self.fields = _UserFields(self, settings, departments)
        self.language = QComboBox(self)
        self.language.setObjectName("language")
        self.language.addItem("简体中文", "zh_CN")
        self.language.addItem("English", "en")
        self.language.setCurrentIndex(max(0, self.language.findData(settings.get(LANGUAGE))))
        self.appearance = QComboBox(self)
        self.appearance.setObjectName("appearance")
        self.appearance.addItem(self.tr("Follow the system"), Appearance.SYSTEM.value)
        self.appearance.addItem(self.tr("Light"), Appearance.LIGHT.value)
        self.appearance.addItem(self.tr("Dark"), Appearance.DARK.value)
        self.appearance.setCurrentIndex(max(0, self.appearance.findData(settings.get(APPEARANCE))))
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Your name"), self.fields.name)
        form.addRow(self.tr("Your department"), self.fields.department)
        form.addRow(self.tr("Language"), self.language)
        form.addRow(self.tr("Appearance"), self.appearance)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.fields.name.textChanged.connect(self._update)
        self.language.currentIndexChanged.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(460)
        self._update()

    def _update(self) -> None:
        problems = []
        if not self.fields.name.text().strip():
            problems.append(self.tr("A name is required."))
        if self.language.currentData() != self._settings.get(LANGUAGE):
            problems.append(self.tr("The language changes the next time the program starts."))
        self.note.setText(" ".join(problems))
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.fields.name.text().strip()))

    def accept(self) -> None:  # QDialog.accept
        self.fields.save(self._settings)
        self._settings.set(LANGUAGE, self.language.currentData())
        self._settings.set(APPEARANCE, self.appearance.currentData())
        self._settings.sync()
        super().accept()


def about_box(parent: QWidget, workspace: PlanWorkspace, database: str) -> QMessageBox:
    """关于: the version, the database, the plan and its source, and whether figures are demo."""
    translate = QCoreApplication.translate
    figures = (
        translate("About", "DEMO figures, generated by target-monitor demo; not reported by anyone")
        if workspace.demo
        else translate(
            "About", "entered by the departments (monthly), with the history of every change"
        )
    )
    text = fill(
        translate(
            "About",
            "<h3>Target Monitor</h3>"
            "<p>Version %1 · Qt %2 · Python %3</p>"
            "<p><b>Database:</b> %4<br><b>Plan:</b> %5<br><b>Source:</b> %6</p>"
            "<p>Targets, units, deadlines and responsible departments are taken from the "
            "source document; every indicator keeps the sentence it quotes. "
            "<b>Figures:</b> %7.</p>",
        ),
        __version__,
        qVersion(),
        platform.python_version(),
        html.escape(database),
        html.escape(workspace.plan.title),
        html.escape(workspace.plan.source),
        figures,
    )
    # The installed program carries the notices of everything it bundles (packaging/).
    notices = bundled_file(NOTICES_FILE)
    licence = (
        fill(
            translate("About", "Licence: MIT. The software it includes, with their licences: %1"),
            f'<a href="{QUrl.fromLocalFile(str(notices)).toString()}">'
            f"{html.escape(notices.name)}</a>",
        )
        if notices.is_file()
        else translate("About", "Licence: MIT.")
    )
    box = QMessageBox(parent)
    box.setWindowTitle(translate("About", "About Target Monitor"))
    box.setText(f"{text}<p>{licence}</p>")
    box.setObjectName("about")
    box.setIconPixmap(parent.windowIcon().pixmap(64, 64))
    box.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.LinksAccessibleByMouse
    )
    return box
