"""The README keeps its promises: its quick start gives a Chinese, demo-filled window, and every
picture and link it shows exists."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from desktop.cli import build_parser, main
from tests.conftest import ROOT

from desktop.ui.app import create_main_window
from desktop.ui.i18n import install_translators
from desktop.ui.settings import Settings

README = (ROOT / "README.md").read_text(encoding="utf-8")


def quick_start() -> list[list[str]]:
    """The quick start's commands, as target-monitor arguments."""
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.S)
    assert block is not None
    commands = []
    for line in block.group(1).splitlines():
        words = shlex.split(line.split("#", 1)[0])
        assert words[:3] == ["python3", "dev.py", "run"], line
        commands.append(words[3:])
    return commands


def test_the_quick_start_gives_a_chinese_window_full_of_demo_figures(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    fill, open_window = quick_start()
    assert main(fill) == 0
    arguments = build_parser().parse_args(open_window)
    assert arguments.handler.__name__ == "cmd_gui"
    app = QApplication.instance()
    assert isinstance(app, QCoreApplication)
    translators = install_translators(app, "zh_CN")
    try:
        window = create_main_window(Path(arguments.db), settings=settings)
        qtbot.addWidget(window)
        window.show()
        assert window.windowTitle().startswith("目标任务监测")
        assert "演示数据" in window.windowTitle() and window.demo_label.isVisible()
        assert window.saved_label.text() == "本次尚未保存"
        workspace = window.controller.workspace
        assert all(workspace.latest(i) is not None for i in list(workspace.indicators)[:10])
        window.close()
        window.controller.database.close()
    finally:
        for translator in translators:
            app.removeTranslator(translator)
    assert "演示数据" in capsys.readouterr().out


def test_every_picture_and_link_exists() -> None:
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", README)
    assert "docs/main-window.png" in targets and "docs/status-sheet.png" in targets
    for target in targets:
        if target.startswith("http"):
            continue
        assert (ROOT / target).exists(), target
