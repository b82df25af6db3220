"""The Chinese translation is complete, compiled, and what the window shows by default."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from pytestqt.qtbot import QtBot

from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtWidgets import QApplication

from tests.conftest import ROOT

from desktop.ui.i18n import install_translators
from desktop.ui.main_window import MainWindow

TRANSLATIONS = ROOT / "resources" / "translations"
TS = TRANSLATIONS / "target_monitor_zh_CN.ts"
QM = TRANSLATIONS / "target_monitor_zh_CN.qm"
BIN = Path(sys.executable).parent


def sources(ts_text: str) -> set[tuple[str, str]]:
    found = set()
    for context in re.findall(r"<context>(.*?)</context>", ts_text, flags=re.S):
        name = re.search(r"<name>(.*?)</name>", context)
        assert name is not None
        for source in re.findall(r"<source>(.*?)</source>", context, flags=re.S):
            found.add((name.group(1), source))
    return found


def test_every_string_of_the_code_is_in_the_translation_file(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.ts"
    subprocess.run(
        [
            str(BIN / "pyside6-lupdate"),
            *map(str, sorted((ROOT / "desktop" / "ui").glob("*.py"))),
            "-ts",
            str(fresh),
        ],
        check=True,
        capture_output=True,
    )
    committed = sources(TS.read_text(encoding="utf-8"))
    missing = sources(fresh.read_text(encoding="utf-8")) - committed
    assert not missing, f"run pyside6-lupdate and translate: {sorted(missing)[:5]}"


def test_every_string_is_translated() -> None:
    text = TS.read_text(encoding="utf-8")
    assert 'type="unfinished"' not in text
    assert "<translation></translation>" not in text
    assert len(re.findall(r"<translation>", text)) > 100


def test_the_compiled_translation_is_up_to_date(tmp_path: Path) -> None:
    compiled = tmp_path / "fresh.qm"
    subprocess.run(
        [str(BIN / "pyside6-lrelease"), str(TS), "-qm", str(compiled)],
        check=True,
        capture_output=True,
    )
    assert compiled.read_bytes() == QM.read_bytes(), "run pyside6-lrelease on the .ts file"


def test_the_window_speaks_chinese(qtbot: QtBot, window: MainWindow) -> None:
    app = QApplication.instance()
    assert isinstance(app, QCoreApplication)
    translators = install_translators(app, "zh_CN")
    try:
        assert len(translators) == 2  # ours and Qt's own (standard buttons)
        assert window.tree_model.headerData(0, Qt.Orientation.Horizontal) == "编码/名称"
        assert QCoreApplication.translate("Status", "Far behind") == "严重滞后"
        # Qt's own dialogs write dates, numbers and file types in the UI's language
        assert QLocale().name() == "zh_CN"
    finally:
        for translator in translators:
            app.removeTranslator(translator)
    assert QCoreApplication.translate("Status", "Far behind") == "Far behind"
    install_translators(app, "en")
    assert QLocale().name() == "en_US"
