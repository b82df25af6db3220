"""Shared fixtures: offscreen Qt, a private copy of the seed per test, no real user files."""

from __future__ import annotations

import datetime as dt
import importlib
import os
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

# Before anything imports Qt: no display here, and none needed.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import psycopg
import psycopg.sql
import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from PySide6.QtCore import QCoreApplication, QLocale, QSettings

from desktop.models.changes import Changes
from desktop.models.edits import FIELD_DEFAULTS, EntryEdit, unreported
from desktop.models.opening import open_database
from desktop.models.schema import Entry, Indicator, Plan
from desktop.models.service import EntryService
from desktop.models.store import Database
from tests.pg_server import Cluster, postgres_cluster
from tests.ui_helpers import ScriptedPrompts

from desktop.ui.app import create_main_window
from desktop.ui.main_window import MainWindow
from desktop.ui.settings import USER_NAME, Settings

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "seed.sqlite"


def packaging_tool(name: str) -> ModuleType:
    """packaging/NAME.py, imported by its plain name from packaging/ (which is no package) as
    the build's scripts import each other, so that all of them share one project.py."""
    folder = ROOT / "packaging"
    sys.path.insert(0, str(folder))
    try:
        module = importlib.import_module(name)
    finally:
        sys.path.remove(str(folder))
    assert Path(module.__file__ or "").parent == folder, f"{name} is not packaging/{name}.py"
    return module


@pytest.fixture(autouse=True)
def _the_shipped_plan_is_never_written(request: pytest.FixtureRequest) -> Iterator[None]:
    """No test may open data/seed.sqlite itself (opening switches a file to WAL and bumps its
    header): every test works on a copy, or the next checkout differs from the repository."""
    before = SEED.read_bytes()
    yield
    assert SEED.read_bytes() == before, f"{request.node.nodeid} changed {SEED}; use seed_copy"


@pytest.fixture(autouse=True)
def _qt_default_locale_restored() -> Iterator[None]:
    """A test that installs a language also sets Qt's default locale; the next test starts
    with the one it had."""
    before = QLocale()
    yield
    QLocale.setDefault(before)


@pytest.fixture(autouse=True)
def _isolated_user_folders(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test reads or writes the real user's data folder or settings, nor another test's."""
    home = tmp_path_factory.mktemp("home")
    for variable in (
        "HOME",
        "XDG_DATA_HOME",
        "XDG_CONFIG_HOME",
        "XDG_CACHE_HOME",
        "APPDATA",
        "LOCALAPPDATA",
    ):
        monkeypatch.setenv(variable, str(home / variable.lower()))
    monkeypatch.delenv("TARGET_MONITOR_DB", raising=False)
    # Qt reads XDG_CONFIG_HOME once per process, at the first QSettings without a file, and
    # keeps that folder for the user's settings: without this, every later test would share
    # the settings of whichever test came first.
    QSettings.setPath(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(home / "xdg_config_home")
    )


@pytest.fixture(autouse=True)
def _qt_application_only_from_pytest_qt(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that uses Qt asks for pytest-qt's QApplication (`qapp`, or `qtbot` which takes
    it). Qt allows one application per process, and the first one made stays for every later
    test: had the program's code made it (`application()` installs the user's language, Chinese
    by default, and theme; `headless_application()` makes a QGuiApplication, on which no widget
    can be shown), which tests pass would depend on which test happened to run first."""
    existed = QCoreApplication.instance() is not None
    yield
    app = QCoreApplication.instance()
    if app is not None and not existed:
        assert app.applicationName() == request.config.getini("qt_qapp_name"), (
            f"the program made the {type(app).__name__} ({app.applicationName()!r}) in this "
            "test; ask for the qapp fixture"
        )


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A private copy of the shipped seed database."""
    target = tmp_path / "plan.sqlite"
    shutil.copyfile(SEED, target)
    return target


@pytest.fixture
def database(seed_copy: Path) -> Iterator[Database]:
    db = open_database(seed_copy)
    yield db
    db.close()


PLAN_2025 = "SY2025-MIS"  # the built-in plan most tests work on


def indicator_of(database: Database, code: str, plan: str = PLAN_2025) -> int:
    """The id of a plan's indicator by its code (every plan has its own 1.1.1-1)."""
    with database.read() as session:
        found = session.scalar(
            select(Indicator.id)
            .join(Plan, Indicator.plan_id == Plan.id)
            .where(Indicator.code == code, Plan.code == plan)
        )
    assert found is not None, f"{plan} has no indicator {code}"
    return found


def new_entry(indicator_id: int, period: str, **fields: object) -> EntryEdit:
    """Test set-up: an edit of a month nobody has reported yet."""
    return EntryEdit(indicator_id, period, fields, unreported(fields))


def overwrite(service: EntryService, indicator_id: int, period: str, **fields: object) -> Changes:
    """Test set-up: give a month these fields whatever it holds (as a user typing over what
    they see)."""
    with service.database.read() as session:
        entry = session.scalar(
            select(Entry).where(Entry.indicator_id == indicator_id, Entry.period == period)
        )
    seen = {
        name: FIELD_DEFAULTS[name] if entry is None else getattr(entry, name) for name in fields
    }
    return service.apply([EntryEdit(indicator_id, period, fields, seen)])


class FixedClock:
    """A clock that ticks one minute per call, so audit times are predictable."""

    def __init__(self, start: dt.datetime = dt.datetime(2025, 7, 3, 9, 0)) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(minutes=1)
        return self.now


@pytest.fixture
def service(database: Database) -> EntryService:
    return EntryService(database, "张三", clock=FixedClock())


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings in a private INI file, with a user already set up."""
    store = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    store.set(USER_NAME, "王填报")
    return store


@pytest.fixture
def prompts() -> ScriptedPrompts:
    """The user answering the window's questions: accepts, says yes, picks `prompts.path`."""
    return ScriptedPrompts()


@pytest.fixture
def window(
    qtbot: QtBot, seed_copy: Path, settings: Settings, prompts: ScriptedPrompts
) -> Iterator[MainWindow]:
    """The main window on a private seed copy, evaluated as of June 2025, shown offscreen."""
    main = create_main_window(seed_copy, settings=settings, as_of="2025-06", prompts=prompts)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    yield main
    main.close()
    main.controller.database.close()


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    """The run's own PostgreSQL server (tests/pg_server.py), started when a test first needs it."""
    with postgres_cluster() as cluster:
        yield cluster


@pytest.fixture
def server_url(postgres: Cluster) -> Iterator[str]:
    """A new, empty database on the run's server (dropped after the test): its superuser's URL."""
    name = f"tm_{uuid.uuid4().hex[:12]}"
    roles = "SELECT rolname FROM pg_roles"
    with psycopg.connect(postgres.url(), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
        before = set(connection.execute(roles).fetchall())
    yield postgres.url(name)
    # The logins the test made are the cluster's, not the database's: they go too.
    with psycopg.connect(postgres.url(), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        for (role,) in set(connection.execute(roles).fetchall()) - before:
            connection.execute(psycopg.sql.SQL("DROP ROLE {}").format(psycopg.sql.Identifier(role)))
