"""Starting the window: the application object, translations, the database and the first start."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.models.errors import DatabaseDamagedError, TargetMonitorError
from desktop.models.locations import DatabaseLocation, ensure_database_file
from desktop.models.server import ServerAddress, server_address_in
from desktop.models.store import Database, open_quickly

from desktop.ui.controller import PlanController
from desktop.ui.i18n import install_translators
from desktop.ui.light_settings import adopt_user_thresholds
from desktop.ui.main_window import MainWindow
from desktop.ui.prompts import Prompts
from desktop.ui.settings import (
    APPEARANCE,
    APPLICATION,
    LANGUAGE,
    LAST_PLAN,
    ORGANIZATION,
    USER_DEPARTMENT,
    USER_NAME,
    Settings,
    login_name,
)
from desktop.ui.theme import app_icon, apply_theme, follow_system


def application() -> QApplication:
    """The QApplication, created once, with its names, icon and translations."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    app = QApplication(sys.argv[:1])
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    app.setWindowIcon(app_icon())
    settings = Settings()
    apply_theme(app, settings.get(APPEARANCE))
    follow_system(app)
    install_translators(app, settings.get(LANGUAGE))
    return app


def create_main_window(
    db_path: str | Path | ServerAddress,
    *,
    settings: Settings | None = None,
    as_of: str | None = None,
    prompts: Prompts | None = None,
) -> MainWindow:
    """The main window on a database, ready to show (raises TargetMonitorError if unusable).

    A file too damaged to open raises DatabaseDamagedError. Damage in parts the start does
    not read is found by the window's quick_check after it is shown (`MainWindow.check_file`),
    so checking a large database does not slow the start down. A server's database
    (a ServerAddress, or its postgresql://… address) is opened as its address's login.
    """
    application()
    settings = settings or Settings()
    if isinstance(db_path, str):
        db_path = server_address_in(db_path) or db_path
    if isinstance(db_path, ServerAddress):
        from desktop.models.server_database import open_server  # noqa: PLC0415 (when used)

        return _window_on(open_server(db_path), settings, as_of, prompts or Prompts())
    path = Path(db_path)
    try:
        return _build_window(path, settings, as_of, prompts or Prompts())
    except DatabaseDamagedError:
        raise
    except TargetMonitorError as error:
        from desktop.models.database import damage_of  # noqa: PLC0415 (when first used)

        if problems := damage_of(path):
            raise DatabaseDamagedError(path, problems) from error
        raise


def _build_window(
    path: Path, settings: Settings, as_of: str | None, prompts: Prompts
) -> MainWindow:
    # A file as this program left it opens as it is, and the plan kept from the last start
    # shows without the database layer (loaded in the background once the window is up and
    # left alone a moment, `BackupCommands.load_database_layer`).
    database = open_quickly(path)
    if database is None:  # anything else goes through the full opening: checks, upgrades
        from desktop.models.opening import open_database  # noqa: PLC0415 (when needed)

        database = open_database(path, check=False)
    return _window_on(database, settings, as_of, prompts)


def _window_on(
    database: Database, settings: Settings, as_of: str | None, prompts: Prompts
) -> MainWindow:
    try:
        controller = PlanController(
            database,
            settings.get(USER_NAME) or login_name() or "user",
            as_of=as_of,
            last_plan=settings.get(LAST_PLAN) or None,
        )
        adopt_user_thresholds(controller, settings)
    except BaseException:
        database.close()
        raise
    return MainWindow(controller, settings, prompts)


def welcome(window: MainWindow, settings: Settings) -> None:
    """First start: ask the user's name and department, then show that department's work."""
    from desktop.ui.dialogs import FirstStartDialog  # noqa: PLC0415 (when first used)

    departments = [d.short_name for d in window.controller.workspace.departments.values()]
    dialog = FirstStartDialog(settings, departments, window)
    if not window.prompts.confirm(dialog):
        return
    window.apply_settings()
    window.show_department(settings.get(USER_DEPARTMENT))


def offer_new_database(path: Path, prompts: Prompts) -> bool:
    """--db names a file that does not exist (a typing slip, or a new database): True when the
    user wants it created from the plan."""
    app = application()
    box = QMessageBox(
        QMessageBox.Icon.Question,
        app.translate("App", "Target Monitor"),
        app.translate(
            "App",
            "The database file %1 does not exist.\n\n"
            "Create it from the plan (its projects, tasks and indicators, no figures yet)?",
        ).replace("%1", str(path)),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
    )
    box.setObjectName("createDatabase")
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return prompts.ask_yes(box)


def recover_damaged(path: Path, error: DatabaseDamagedError, prompts: Prompts) -> bool:
    """Move a damaged database aside and do what the user chooses: restore the newest good
    backup or start again from the plan. True when there is a database to open again."""
    from desktop.models.backup import entry_count, set_aside  # noqa: PLC0415 (when first used)
    from desktop.models.opening import newest_good_backup, recover_into  # noqa: PLC0415 (when first used)

    from desktop.ui.backups import DamagedDatabaseDialog, Recovery  # noqa: PLC0415 (when first used)

    app = application()
    title = app.translate("App", "Target Monitor")
    try:
        aside = set_aside(path)
        backup = newest_good_backup(path)
        dialog = DamagedDatabaseDialog(
            path,
            aside,
            error.problems,
            backup,
            entries=None if backup is None else entry_count(backup.path),
        )
        prompts.show(dialog)
        choice = dialog.choice()
        if choice is Recovery.RESTORE and backup is not None:
            recover_into(path, backup.path)
            return True
        if choice is Recovery.START_FROM_PLAN:
            ensure_database_file(DatabaseLocation(path, explicit=False))
            return True
    except TargetMonitorError as failure:  # BackupError among them
        QMessageBox.critical(None, title, str(failure))
    return False


def open_main_window(path: Path, settings: Settings, prompts: Prompts) -> MainWindow | None:
    """The window on `path`, after recovering a damaged file if the user wants; None to quit."""
    while True:
        try:
            return create_main_window(path, settings=settings, prompts=prompts)
        except DatabaseDamagedError as error:
            if not recover_damaged(path, error, prompts):
                return None


class Session:
    """The window on one database file, replaced by a new one if damage is found after start;
    or on a server's database (whose damage is its administrator's to mend)."""

    def __init__(
        self, path: Path | ServerAddress, settings: Settings, prompts: Prompts | None = None
    ) -> None:
        self.path = path
        self.settings = settings
        self.prompts = prompts or Prompts()
        self.window: MainWindow | None = None

    def open(self) -> bool:
        """Open (or reopen) the window and start its chores; False when the user quit."""
        if isinstance(self.path, ServerAddress):
            window: MainWindow | None = create_main_window(
                self.path, settings=self.settings, prompts=self.prompts
            )
        else:
            window = open_main_window(self.path, self.settings, self.prompts)
        if window is None:
            return False
        window.damageFound.connect(self._on_damage)
        self.window = window
        return True

    def start(self) -> None:
        """Show the window; then check the file, take the daily backup and warn about shares."""
        assert self.window is not None
        self.window.show()
        QTimer.singleShot(0, self.window.start_chores)

    def _on_damage(self, error: DatabaseDamagedError) -> None:
        if self.window is not None:
            self.window.abandon()
            self.window = None
        assert isinstance(self.path, Path)  # a server's window checks no file
        if recover_damaged(self.path, error, self.prompts) and self.open():
            self.start()
        else:
            application().exit(1)

    def close(self) -> None:
        if self.window is not None:
            self.window.controller.database.close()


class Screenshot:
    """Once the window is on the screen, save what the screen shows of it and close it."""

    SETTLE_MS = 800  # the first paint, the tree's expansion and the chart's first drawing

    def __init__(self, window: MainWindow, path: Path) -> None:
        self.window = window
        self.path = path
        self.saved = False
        QTimer.singleShot(0, self._when_exposed)

    def _when_exposed(self) -> None:
        handle = self.window.windowHandle()
        if handle is None or not handle.isExposed():
            QTimer.singleShot(50, self._when_exposed)
            return
        QTimer.singleShot(self.SETTLE_MS, self._grab)

    def _grab(self) -> None:
        if QGuiApplication.platformName() == "offscreen":  # no screen to read back
            image = self.window.grab()
        else:  # what the display server shows, as a person would see it
            image = self.window.screen().grabWindow(self.window.winId())
        self.saved = image.save(str(self.path), "PNG")
        if not self.saved:
            print(f"could not write the screenshot {self.path}", file=sys.stderr)
        application().closeAllWindows()


def run(
    location: DatabaseLocation | ServerAddress,
    *,
    exit_after_ms: int | None = None,
    screenshot: Path | None = None,
    prompts: Prompts | None = None,
) -> int:
    """The GUI's main loop; a foreseeable failure is shown in a dialog and gives exit code 1.

    `exit_after_ms` closes the window after that long, without asking anything; `screenshot`
    saves a PNG of the window once it is shown, then closes it (smoke tests of installed
    builds and of a system's Qt libraries).
    """
    app = application()
    settings = Settings()
    prompts = prompts or Prompts()
    try:
        if isinstance(location, ServerAddress):
            session = Session(location, settings, prompts)
        else:
            if location.explicit and not location.path.exists():
                if not offer_new_database(location.path, prompts):
                    return 1
                location = DatabaseLocation(location.path, explicit=False)  # from the plan
            session = Session(ensure_database_file(location), settings, prompts)
        if not session.open():
            return 1
    except (TargetMonitorError, OSError) as error:
        QMessageBox.critical(None, app.translate("App", "Target Monitor"), str(error))
        return 1
    window = session.window
    assert window is not None
    shot = Screenshot(window, screenshot) if screenshot is not None else None
    if exit_after_ms is not None:
        QTimer.singleShot(exit_after_ms, app.closeAllWindows)
    elif shot is None and not settings.get(USER_NAME):
        welcome(window, settings)
    session.start()
    code = app.exec()
    session.close()
    return 1 if shot is not None and not shot.saved else code
