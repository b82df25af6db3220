"""dev.py's set-up finds what the pinned Qt's platform plugins need from the system.

On a fresh Debian 12 the window did not start: libxcb-icccm4 and libxcb-keysyms1 were missing.
dev.py asks ldd which libraries the plugins miss and installs their packages from the table
the .deb's dependencies come from; these tests check that table against the plugins themselves
and that this machine (set up by dev.py) misses nothing the window needs.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import PySide6

import dev
from tests.conftest import packaging_tool

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="ldd and apt-get: Linux only"
)

PYSIDE = Path(PySide6.__file__).parent
QT_LIB = PYSIDE / "Qt" / "lib"
XCB_PLUGIN = PYSIDE / "Qt" / "plugins" / "platforms" / "libqxcb.so"

project = packaging_tool("project")


def ldd(binary: Path) -> str:
    return subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=True).stdout


def test_the_window_plugin_finds_every_library_it_loads() -> None:
    """What Qt says as "could not load the Qt platform plugin xcb" when a library is missing."""
    assert XCB_PLUGIN.is_file()
    assert dev.qt_plugins(PYSIDE)[0] == XCB_PLUGIN
    listed = ldd(XCB_PLUGIN)
    assert "libQt6XcbQpa.so.6" in listed
    not_found = re.findall(r"^\s*(\S+) => not found", listed, flags=re.MULTILINE)
    assert not_found == [], "python3 dev.py test installs their packages"
    assert dev.missing_libraries([XCB_PLUGIN]) == []


def test_every_library_the_plugins_need_from_the_system_has_a_package() -> None:
    """Derived from the plugins of the pinned PySide6 (and the Qt libraries they load), not
    written by hand: a new Qt needing a new library fails here until the table names it."""
    table = {**project.SYSTEM_LIBRARIES, **dev.BUNDLED_LIBRARIES}
    binaries = set(dev.qt_plugins(PYSIDE))
    assert XCB_PLUGIN in binaries
    for plugin in list(binaries):
        for where in re.findall(r"=> (\S+) \(", ldd(plugin)):
            if Path(where).resolve().is_relative_to(PYSIDE):
                binaries.add(Path(where).resolve())
    assert "libQt6XcbQpa.so.6" in {binary.name for binary in binaries}
    shipped = {path.name for path in QT_LIB.iterdir()}
    from_system = {
        name
        for binary in binaries
        for name in project.elf_info(binary).needed
        if name not in shipped
    }
    assert {"libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-cursor.so.0"} <= from_system
    assert sorted(from_system - set(table)) == []


def test_the_libraries_missing_on_a_fresh_debian_12_map_to_their_packages() -> None:
    wanted, unknown = dev.packages_for(
        ["libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libglib-2.0.so.0", "libgio-2.0.so.0"]
    )
    assert wanted == [
        ["libxcb-icccm4"],
        ["libxcb-keysyms1"],
        ["libglib2.0-0t64", "libglib2.0-0"],  # once, though two of its libraries are missing
    ]
    assert unknown == []
    assert dev.packages_for(["libnothing.so.7"]) == ([], ["libnothing.so.7"])


def test_ldds_not_found_lines_are_what_is_missing(tmp_path: Path) -> None:
    """An ELF binary needing a library no system has: ldd reports it, dev.py reads it."""
    binary = tmp_path / "needs-a-missing-library.so"
    # libqxcb.so patched to need a soname nobody has: same length, so the ELF stays valid.
    data = XCB_PLUGIN.read_bytes()
    assert b"libxcb-icccm.so.4\0" in data
    binary.write_bytes(data.replace(b"libxcb-icccm.so.4\0", b"libxcb-absnt.so.4\0"))
    missing = dev.missing_libraries([binary])
    assert "libxcb-absnt.so.4" in missing and "libxcb-keysyms.so.1" not in missing
    assert "libxcb-absnt.so.4" in dev.packages_for(missing)[1]


def test_the_test_command_installs_xvfb_for_the_window_test() -> None:
    assert dev.TEST_TOOLS["Xvfb"] == ["xvfb"]


def test_the_test_command_finds_debians_postgresql_server_off_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Debian keeps initdb in /usr/lib/postgresql/VERSION/bin, off PATH: found there."""
    monkeypatch.setattr(dev.shutil, "which", lambda name: None)
    assert not dev.has_postgres_server(tmp_path)
    (tmp_path / "15" / "bin").mkdir(parents=True)
    (tmp_path / "15" / "bin" / "initdb").touch()
    assert dev.has_postgres_server(tmp_path)


def test_on_a_fresh_debian_12_the_test_command_installs_what_the_window_needs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The fresh PC of the report: ldd misses two xcb libraries, Xvfb is not there."""
    missing = ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    installed: list[list[str]] = []
    monkeypatch.setattr(dev, "_venv_pyside", lambda: PYSIDE)
    monkeypatch.setattr(dev, "missing_libraries", lambda binaries: list(missing))
    monkeypatch.setattr(dev, "_has_chinese_font", lambda: True)
    monkeypatch.setattr(dev, "_shared_libpython_package", lambda: None)
    monkeypatch.setattr(dev.os, "geteuid", lambda: 0)
    monkeypatch.setattr(dev, "_known_package", lambda choices: choices[0])
    monkeypatch.setattr(dev, "has_postgres_server", lambda: False)
    real_which = dev.shutil.which
    monkeypatch.setattr(
        dev.shutil, "which", lambda name: None if name == "Xvfb" else real_which(name)
    )

    def apt(*args: str) -> subprocess.CompletedProcess[str]:
        installed.append(list(args))
        if args[0] == "install":
            missing.clear()  # the packages bring the libraries
        return subprocess.CompletedProcess(["apt-get", *args], 0)

    monkeypatch.setattr(dev, "_apt", apt)
    dev.ensure_system_packages(testing=True)
    install = next(args for args in installed if args[0] == "install")
    assert {"libxcb-icccm4", "libxcb-keysyms1", "xvfb", "postgresql"} <= set(install)
    out = capsys.readouterr().out
    assert "libxcb-icccm4" in out and "still miss" not in out
