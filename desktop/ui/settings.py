"""One typed registry of settings over QSettings: user preferences and window state."""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from typing import Generic, TypeVar, cast

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "TargetMonitor"
APPLICATION = "target-monitor"

T = TypeVar("T", str, float, int, bool, QByteArray)


@dataclass(frozen=True)
class Setting(Generic[T]):
    """A key, its type and its default."""

    key: str
    kind: type[T]
    default: T


# --- user preferences ---
USER_NAME = Setting("user/name", str, "")
USER_DEPARTMENT = Setting("user/department", str, "")
LAST_PLAN = Setting("user/plan", str, "")  # the plan the window showed last (its code)
YELLOW_POINTS = Setting("status/yellow_points", float, 10.0)
RED_POINTS = Setting("status/red_points", float, 30.0)
LANGUAGE = Setting("ui/language", str, "zh_CN")  # "zh_CN" or "en"
APPEARANCE = Setting("ui/appearance", str, "system")  # "system", "light" or "dark"
# What was printed last: "plan", "node" (the selected one) or "department:<id>"; "" for none.
PRINT_SCOPE = Setting("print/scope", str, "")

# --- window state ---
WINDOW_GEOMETRY = Setting("window/geometry", QByteArray, QByteArray())
WINDOW_STATE = Setting("window/state", QByteArray, QByteArray())
MAIN_SPLITTER = Setting("window/main_splitter", QByteArray, QByteArray())
EDIT_SPLITTER = Setting("window/edit_splitter_v2", QByteArray, QByteArray())  # grid above

LANGUAGES = ("zh_CN", "en")


def open_settings() -> QSettings:
    """The application's settings file (an INI file in the user's configuration folder)."""
    return QSettings(
        QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION
    )


def _convert(value: object, default: object) -> object:
    """A stored value as the type of its default; the default for anything unreadable."""
    if isinstance(value, type(default)) and not isinstance(default, bool):
        return value
    try:
        if isinstance(default, bool):
            return value.lower() in ("true", "1") if isinstance(value, str) else bool(value)
        if isinstance(default, float | int) and isinstance(value, str | int | float):
            return type(default)(value)
    except ValueError:  # a hand-edited file with nonsense in it
        pass
    return default


class Settings:
    """Typed access to a QSettings store."""

    def __init__(self, store: QSettings | None = None) -> None:
        self.store = store or open_settings()

    def get(self, setting: Setting[T]) -> T:
        value: object = self.store.value(setting.key, setting.default)
        return cast(T, _convert(value, setting.default))

    def set(self, setting: Setting[T], value: T) -> None:
        self.store.setValue(setting.key, value)

    def sync(self) -> None:
        self.store.sync()


def login_name() -> str:
    """The operating system's name for the user, as a default."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""
