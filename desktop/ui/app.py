"""Starting the window: the application object, translations, the database and the first start."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from desktop.models.database import open_database
from desktop.models.errors import TargetMonitorError
from desktop.models.locations import DatabaseLocation, bundled_file, ensure_database_file
from desktop.models.progress import Thresholds

from desktop.ui.controller import PlanController
from desktop.ui.dialogs import FirstStartDialog, login_name
from desktop.ui.i18n import install_translators
from desktop.ui.main_window import MainWindow
from desktop.ui.settings import (
    APPLICATION,
    LANGUAGE,
    ORGANIZATION,
    RED_POINTS,
    USER_DEPARTMENT,
    USER_NAME,
    YELLOW_POINTS,
    Settings,
)


def application() -> QApplication:
    """The QApplication, created once, with its names, icon and translations."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(sys.argv[:1])
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    app.setWindowIcon(QIcon(str(bundled_file("resources", "icons", "target-monitor.svg"))))
    install_translators(app, Settings().get(LANGUAGE))
    return app


def create_main_window(
    db_path: str | Path, *, settings: Settings | None = None, as_of: str | None = None
) -> MainWindow:
    """The main window on a database, ready to show (raises TargetMonitorError if unusable)."""
    application()
    settings = settings or Settings()
    database = open_database(Path(db_path))
    try:
        controller = PlanController(
            database,
            settings.get(USER_NAME) or login_name() or "user",
            thresholds=Thresholds(settings.get(YELLOW_POINTS), settings.get(RED_POINTS)),
            as_of=as_of,
        )
    except BaseException:
        database.close()
        raise
    return MainWindow(controller, settings)


def run(location: DatabaseLocation, *, exit_after_ms: int | None = None) -> int:
    """The GUI's main loop; a foreseeable failure is shown in a dialog and gives exit code 1.

    `exit_after_ms` closes the window after that long, without asking anything (smoke tests
    of installed builds).
    """
    app = application()
    settings = Settings()
    try:
        window = create_main_window(ensure_database_file(location), settings=settings)
    except TargetMonitorError as error:
        QMessageBox.critical(None, app.translate("App", "Target Monitor"), str(error))
        return 1
    if exit_after_ms is not None:
        QTimer.singleShot(exit_after_ms, window.close)
    elif not settings.get(USER_NAME):
        departments = [d.short_name for d in window.controller.workspace.departments.values()]
        dialog = FirstStartDialog(settings, departments)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            window.apply_settings()
            index = window.department_filter.findText(settings.get(USER_DEPARTMENT))
            if index > 0:
                window.department_filter.setCurrentIndex(index)
    window.show()
    QTimer.singleShot(0, window.take_daily_backup)
    QTimer.singleShot(0, window.warn_if_network_share)
    code = app.exec()
    window.controller.database.close()
    return code
