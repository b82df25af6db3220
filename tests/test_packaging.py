"""The installers, built the way a user builds them and checked for what a user would notice.

`packaging/build.py --deb` builds the one-folder bundle and the .deb into a temporary folder once
for this module (about two minutes on two cores); the tests run the built program, look into the
bundle and take the .deb apart. PyInstaller missing is a failure, not a skip: CI installs it with
the `dev` extra.
"""

from __future__ import annotations

import configparser
import os
import re
import shutil
import sqlite3
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from PySide6.QtGui import QImage

from desktop import __version__
from tests.conftest import ROOT, SEED, packaging_tool
from tests.xvfb import assert_drawn, qt_problems, start_window, xvfb

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not sys.platform.startswith("linux"),
        reason="builds and takes apart the Linux bundle and .deb (Windows: packaging/README.md)",
    ),
]

APP = "target-monitor"
# Qt's offscreen platform says this for every window it shows; it is not the program's warning.
OFFSCREEN_NOISE = "This plugin does not support propagateSizeHints()"


project = packaging_tool("project")
build = packaging_tool("build")
notices = packaging_tool("notices")


@dataclass(frozen=True)
class Built:
    bundle: Path
    deb: Path
    seconds: float

    @property
    def executable(self) -> Path:
        return self.bundle / APP

    @property
    def internal(self) -> Path:
        return self.bundle / "_internal"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("installers")
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "build.py"), "--deb", "--dist", str(out)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    report = f"{result.stdout[-5000:]}\n{result.stderr[-5000:]}"
    assert result.returncode == 0, f"packaging/build.py --deb failed:\n{report}"
    debs = list(out.glob("*.deb"))
    assert len(debs) == 1, report
    return Built(out / "dist" / APP, debs[0], time.monotonic() - started)


def user_environment(home: Path) -> dict[str, str]:
    """A user who never ran the program: empty home, data and configuration folders; nothing
    pointing Qt at plugins or the program at a database."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("QT_", "TARGET_MONITOR_", "XDG_"))
    }
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CONFIG_HOME=str(home / ".config"),
        QT_QPA_PLATFORM="offscreen",
    )
    return env


def run(
    executable: Path, *args: str, home: Path, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    home.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [str(executable), *args],
        env=user_environment(home),
        cwd=home,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )


def seed_titles(code: str = "SY2025-MIS") -> tuple[str, list[str]]:
    """A plan's title and the titles of its projects, tasks and measures, from the seed (the
    2025 industry plan: the one `tree` shows when no plan's period holds today)."""
    with sqlite3.connect(f"file:{SEED}?mode=ro", uri=True) as connection:
        (plan, plan_id) = connection.execute(
            "SELECT title, id FROM plans WHERE code = ?", (code,)
        ).fetchone()
        nodes = [
            row[0]
            for row in connection.execute(
                "SELECT title FROM nodes WHERE plan_id = ? ORDER BY id", (plan_id,)
            )
        ]
    return plan, nodes


# --- the bundle ----------------------------------------------------------------------------


def test_version_is_the_packages(built: Built, tmp_path: Path) -> None:
    result = run(built.executable, "--version", home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{APP} {__version__}"


def test_first_start_copies_the_plan_and_tree_prints_it(built: Built, tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = run(built.executable, "tree", home=home)
    assert result.returncode == 0, result.stderr
    plan, nodes = seed_titles()
    assert len(nodes) == 48
    missing = [title for title in [plan, *nodes] if title not in result.stdout]
    assert not missing, f"not printed: {missing}\n{result.stdout[:2000]}"
    database = home / ".local" / "share" / APP / "target-monitor.sqlite"
    assert database.is_file(), sorted(str(p) for p in home.rglob("*"))
    with (
        sqlite3.connect(database) as connection,
        sqlite3.connect(f"file:{SEED}?mode=ro", uri=True) as seed,
    ):
        every_node = seed.execute("SELECT count(*) FROM nodes").fetchone()
        assert connection.execute("SELECT count(*) FROM nodes").fetchone() == every_node
    assert result.stderr == ""


def test_the_window_starts_and_closes_without_a_warning(built: Built, tmp_path: Path) -> None:
    started = time.monotonic()
    result = run(built.executable, "--exit-after", "3000", home=tmp_path / "home", timeout=90)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    # A dialog instead of the window would wait forever; an early exit would be too quick.
    assert elapsed >= 3, f"closed after {elapsed:.1f} s, before its 3 s timer"
    # Nothing else on stderr: no "Could not find the Qt platform plugin", no traceback, no
    # warning from Qt or Python.
    problems = [line for line in result.stderr.splitlines() if line.strip() != OFFSCREEN_NOISE]
    assert not problems, "\n".join(problems)


def test_the_window_starts_on_x11_from_a_clean_environment(built: Built, tmp_path: Path) -> None:
    """As on a user's desktop: xcb, not offscreen; every library the bundle's xcb plugin loads
    from the system is found (the .deb depends on them), and the window is drawn."""
    plugin = built.internal / "PySide6" / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    listed = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, check=True)
    assert re.findall(r"^\s*(\S+) => not found", listed.stdout, flags=re.MULTILINE) == []
    with xvfb() as display:
        result, image = start_window([str(built.executable)], tmp_path / "home", display)
    assert_drawn(image)
    assert qt_problems(result.stderr) == []


def test_the_printed_status_sheet_has_chinese_text(built: Built, tmp_path: Path) -> None:
    """Printing support, fonts and the offscreen platform work from the bundle."""
    pdf = tmp_path / "status.pdf"
    result = run(built.executable, "report", "-o", str(pdf), home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    text = re.sub(r"\s+", "", PdfReader(pdf).pages[0].extract_text())
    plan, _ = seed_titles()
    assert plan in text
    assert "进度情况表" in text


def test_the_bundle_holds_what_the_program_loads(built: Built) -> None:
    internal = built.internal
    plugins = internal / "PySide6" / "Qt" / "plugins"
    wanted = [
        plugins / "platforms" / "libqoffscreen.so",
        plugins / "platforms" / "libqxcb.so",
        plugins / "printsupport" / "libcupsprintersupport.so",
        plugins / "imageformats" / "libqsvg.so",
        plugins / "iconengines" / "libqsvgicon.so",
        internal / "resources" / "translations" / "target_monitor_zh_CN.qm",
        internal / "resources" / "icons" / "target-monitor.svg",
        internal / "resources" / "help" / "guide.zh_CN.md",  # 帮助 → 使用说明, offline
        internal / "resources" / "help" / "guide.en.md",
        internal / "PySide6" / "Qt" / "translations" / "qtbase_zh_CN.qm",
    ]
    import PySide6  # noqa: PLC0415 - only to see which plugins this Qt has

    if (Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqwayland.so").exists():
        wanted.append(plugins / "platforms" / "libqwayland.so")
    assert [str(path) for path in wanted if not path.is_file()] == []
    assert (internal / "data" / "seed.sqlite").read_bytes() == SEED.read_bytes()


def test_the_bundle_leaves_out_what_the_program_does_not_use(built: Built) -> None:
    internal = built.internal
    names = {path.relative_to(internal).as_posix() for path in internal.rglob("*")}
    translations = {n for n in names if n.startswith("PySide6/Qt/translations/")}
    assert translations <= {
        "PySide6/Qt/translations/qtbase_zh_CN.qm",
        "PySide6/Qt/translations/qt_zh_CN.qm",
    }
    unwanted = [
        n
        for n in names
        if re.search(r"tkinter|libQt6(Quick|Qml|Network|Pdf)|/qmltooling/|/sqldrivers/", n)
        or n.endswith(".ts")
        or n.split("/")[0] in {"pytest", "_pytest", "hypothesis", "mypy", "PyInstaller"}
    ]
    assert unwanted == []
    dangling = [str(p) for p in internal.rglob("*") if p.is_symlink() and not p.exists()]
    assert dangling == []


# --- the .deb ------------------------------------------------------------------------------


def deb_field(deb: Path, name: str) -> str:
    return subprocess.run(
        ["dpkg-deb", "--field", str(deb), name], capture_output=True, text=True, check=True
    ).stdout.strip()


def ar_members(archive: Path) -> list[str]:
    """The member names of an ar archive (a .deb is one)."""
    data = archive.read_bytes()
    assert data.startswith(b"!<arch>\n")
    names, offset = [], 8
    while offset + 60 <= len(data):
        header = data[offset : offset + 60]
        names.append(header[:16].decode().strip().rstrip("/"))
        size = int(header[48:58].decode().strip())
        offset += 60 + size + size % 2
    return names


def depends_alternatives(deb: Path) -> set[str]:
    """Every package name in Depends, alternatives included, without version conditions."""
    names = set()
    for group in deb_field(deb, "Depends").split(","):
        for alternative in group.split("|"):
            names.add(alternative.split("(")[0].strip())
    return names


def test_the_deb_describes_itself(built: Built) -> None:
    architecture = subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()
    version = project.debian_version(__version__)
    assert built.deb.name == f"{APP}_{version}_{architecture}.deb"
    assert deb_field(built.deb, "Package") == APP
    assert deb_field(built.deb, "Version") == version
    assert deb_field(built.deb, "Architecture") == architecture
    depends = deb_field(built.deb, "Depends")
    # The newest glibc any bundled binary asks for, from the binaries themselves.
    glibc = max(build.glibc_needs(built.bundle).values())
    assert depends.startswith(f"libc6 (>= {build.version_text(glibc)}), "), depends
    names = depends_alternatives(built.deb)
    # What Qt's X11 plugin loads from the system, and fonts.
    for package in (
        "libxcb-cursor0",
        "libxcb-icccm4",
        "libxcb-keysyms1",
        "libxkbcommon-x11-0",
        "libxcb1",
        "libfontconfig1",
        "libfreetype6",
        "libdbus-1-3",
    ):
        assert package in names, depends
    recommends = deb_field(built.deb, "Recommends")
    assert "fonts-wqy-microhei | fonts-noto-cjk" in recommends
    assert "fontconfig" in recommends
    info = subprocess.run(
        ["dpkg-deb", "--info", str(built.deb)], capture_output=True, text=True, check=True
    ).stdout
    assert "目标任务监测" in info
    # Kylin V10 and UOS ship dpkg 1.19-1.20, which cannot read zstd members.
    assert ar_members(built.deb) == ["debian-binary", "control.tar.xz", "data.tar.xz"]


def test_the_bundle_carries_the_licences_of_what_it_includes(built: Built) -> None:
    text = (built.internal / "THIRD-PARTY-NOTICES.txt").read_text(encoding="utf-8")
    assert text.startswith(f"Target Monitor (目标任务监测) {__version__} — MIT licence")
    assert "Permission is hereby granted, free of charge" in text  # the program's own
    for distribution in notices.runtime_distributions():
        assert f"{distribution.metadata['Name']} {distribution.version}" in text
    assert f"Python {sys.version.split()[0]}" in text
    assert "PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2" in text
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in text and "Version 3, 29 June 2007" in text
    assert "Qt for Python includes the Qt" in text
    # Every C library copied from the build machine is named; those from a Debian package
    # come with its copyright file.
    copied = [
        path.name
        for path in built.internal.glob("lib*.so*")
        if not path.is_symlink() and not path.name.startswith("libpython")
    ]
    assert copied
    missing = [name for name in copied if name not in text]
    assert missing == []
    assert text.count("Debian package ") >= 1 or shutil.which("dpkg-query") is None
    assert "Copyright" in text.split("(Debian package ", 1)[-1]


def test_a_glibc_limit_stops_the_build_naming_the_binaries_that_exceed_it(built: Built) -> None:
    """`build.py --max-glibc` (how a build for UOS 20 / Kylin V10 proves it runs there)."""
    needs = build.glibc_needs(built.bundle)
    assert "target-monitor" in needs
    assert any(name.startswith("_internal/libpython3") for name in needs), sorted(needs)
    newest = max(needs.values())
    build.check_glibc(built.bundle, newest)  # the build's own glibc is enough

    older = min(needs.values())
    exceeding = sorted(name for name, need in needs.items() if need > older)
    assert exceeding, "every binary needs the same glibc: nothing to stop"
    with pytest.raises(SystemExit) as stop:
        build.check_glibc(built.bundle, older)
    message = str(stop.value)
    assert f"{len(exceeding)} binaries need a glibc newer than {build.version_text(older)}" in (
        message
    )
    assert f"{exceeding[0]} (glibc {build.version_text(needs[exceeding[0]])})" in message
    assert "Traceback" not in message


def test_every_system_library_the_bundle_uses_is_a_dependency(built: Built) -> None:
    """Each library the bundle's Qt loads from this system belongs to a package the .deb
    depends on (asked of dpkg, not of the build's own table)."""
    lib_dirs = [built.internal, built.internal / "PySide6" / "Qt" / "lib"]
    env = {**os.environ, "LD_LIBRARY_PATH": os.pathsep.join(map(str, lib_dirs))}
    plugins = built.internal / "PySide6" / "Qt" / "plugins"
    checked = [
        plugins / "platforms" / "libqxcb.so",
        plugins / "printsupport" / "libcupsprintersupport.so",
        plugins / "platforminputcontexts" / "libibusplatforminputcontextplugin.so",
        built.internal / "PySide6" / "Qt" / "lib" / "libQt6Gui.so.6",
    ]
    depends = depends_alternatives(built.deb)
    from_system: dict[str, str] = {}  # soname -> where this system has it
    undeclared = []
    for binary in checked:
        needed = set(project.elf_info(binary).needed)
        ldd = subprocess.run(
            ["ldd", str(binary)], env=env, capture_output=True, text=True, check=True
        ).stdout
        for name, where in re.findall(r"^\s*(\S+) => (\S+)", ldd, flags=re.MULTILINE):
            if name not in needed or where.startswith(str(built.internal)):
                continue
            if where == "not":  # "not found": not installed here, the build's table answers
                if project.SYSTEM_LIBRARIES.get(name, "?").split(" | ")[0] not in depends:
                    undeclared.append(name)
            else:
                from_system[name] = where
    assert len(from_system) >= 10, from_system
    owners = notices.dpkg_owners(from_system.values())
    unowned = [where for where in from_system.values() if where not in owners]
    assert unowned == [], "no package owns these"
    undeclared += [
        f"{name} ({owners[where]})"
        for name, where in sorted(from_system.items())
        if owners.get(where, "") not in depends
    ]
    assert undeclared == [], "the .deb does not depend on these"


def test_the_deb_installs_the_program_the_command_the_menu_entry_and_icons(built: Built) -> None:
    listing = subprocess.run(
        ["dpkg-deb", "--contents", str(built.deb)], capture_output=True, text=True, check=True
    ).stdout
    entries = {}
    for line in listing.splitlines():
        mode, owner, _size, _date, _time, path, *link = line.split()
        entries[path.removeprefix(".")] = (mode, owner, link[1] if link else None)
    assert entries["/usr/bin/target-monitor"][2] == "../../opt/target-monitor/target-monitor"
    assert entries["/opt/target-monitor/target-monitor"][0] == "-rwxr-xr-x"
    for path in (
        "/usr/share/applications/target-monitor.desktop",
        "/usr/share/icons/hicolor/scalable/apps/target-monitor.svg",
        "/usr/share/icons/hicolor/256x256/apps/target-monitor.png",
        "/opt/target-monitor/_internal/data/seed.sqlite",
        "/opt/target-monitor/_internal/resources/translations/target_monitor_zh_CN.qm",
    ):
        assert entries.get(path, ("?",))[0] == "-rw-r--r--", path
    assert {owner for _, owner, _ in entries.values()} == {"root/root"}
    modes = {mode for path, (mode, _, _) in entries.items() if mode.startswith("-")}
    assert modes == {"-rw-r--r--", "-rwxr-xr-x"}
    executables = [p for p, (mode, _, _) in entries.items() if mode == "-rwxr-xr-x"]
    assert executables == ["/opt/target-monitor/target-monitor"]
    assert {mode for mode, _, _ in entries.values() if mode.startswith("d")} == {"drwxr-xr-x"}


@pytest.fixture(scope="module")
def unpacked(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("unpacked")
    subprocess.run(["dpkg-deb", "-x", str(built.deb), str(root)], check=True)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def test_the_deb_states_its_licence_and_where_the_notices_are(unpacked: Path) -> None:
    copyright_file = unpacked / "usr" / "share" / "doc" / APP / "copyright"
    text = copyright_file.read_text(encoding="utf-8")
    assert "License: MIT" in text and "Permission is hereby granted" in text
    notices_path = "/opt/target-monitor/_internal/THIRD-PARTY-NOTICES.txt"
    assert notices_path in text
    assert (unpacked / notices_path.lstrip("/")).is_file()


def test_the_unpacked_command_runs_through_its_link(unpacked: Path, tmp_path: Path) -> None:
    command = unpacked / "usr" / "bin" / APP
    assert command.is_symlink()
    result = run(command, "--version", home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{APP} {__version__}"


def test_the_installed_command_starts_the_window_on_x11(unpacked: Path, tmp_path: Path) -> None:
    with xvfb() as display:
        result, image = start_window([str(unpacked / "usr" / "bin" / APP)], tmp_path, display)
    assert_drawn(image)
    assert qt_problems(result.stderr) == []


def test_the_menu_entry_and_icons(unpacked: Path) -> None:
    entry = unpacked / "usr" / "share" / "applications" / f"{APP}.desktop"
    validator = shutil.which("desktop-file-validate")
    if validator:  # dev.py installs it on Debian-based systems
        checked = subprocess.run(
            [validator, str(entry)], capture_output=True, text=True, check=False
        )
        assert checked.returncode == 0 and not checked.stdout.strip(), checked.stdout
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys such as Name[zh_CN] keep their case
    parser.read(entry, encoding="utf-8")
    keys = parser["Desktop Entry"]
    assert keys["Type"] == "Application"
    assert keys["Name"] == "Target Monitor"
    assert keys["Name[zh_CN]"] == "目标任务监测"
    assert keys["Comment"] and keys["Comment[zh_CN]"]
    assert keys["Exec"] == APP and keys["Icon"] == APP
    assert keys["Terminal"] == "false"
    assert "Office" in keys["Categories"].split(";")
    icons = unpacked / "usr" / "share" / "icons" / "hicolor"
    png = QImage(str(icons / "256x256" / "apps" / f"{APP}.png"))
    assert (png.width(), png.height()) == (256, 256)
    assert png.pixelColor(128, 128).alpha() == 255  # drawn, not an empty square
    svg = icons / "scalable" / "apps" / f"{APP}.svg"
    assert svg.read_bytes() == (ROOT / "resources" / "icons" / f"{APP}.svg").read_bytes()


# --- the Windows icon (written here, used by the Windows build) -----------------------------


def test_the_windows_icon_holds_every_size_as_png(tmp_path: Path, qapp: object) -> None:
    """(qapp: rendering must use the suite's QApplication, not make a QGuiApplication.)"""
    _, ico = project.write_icons(tmp_path)
    data = ico.read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind, count) == (0, 1, len(project.ICO_SIZES))
    for index, size in enumerate(project.ICO_SIZES):
        width, height, _, _, planes, bits, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * index
        )
        assert (width or 256, height or 256, planes, bits) == (size, size, 1, 32)
        image = QImage.fromData(data[offset : offset + length], "PNG")
        assert (image.width(), image.height()) == (size, size)
