#!/usr/bin/env python3
"""Set up everything, then start the application or run every check.

    python3 dev.py run [ARGS...]      the application, with the same arguments as target-monitor
    python3 dev.py test [ARGS...]     style, types, layer contract and the whole test suite
                                      (then, without ARGS, the speed report at the city's size)

Both create or refresh the project's own virtual environment (.venv) from pyproject.toml and
the pinned versions in constraints.txt. On Linux they also install, with apt-get when run as
root (or through sudo), every system library the pinned Qt's platform plugins load (read from
the plugins themselves with ldd), a font with Chinese characters and the tools the installer
build uses (binutils, desktop-file-utils); `test` also installs Xvfb, on which a test starts
the real window, and PostgreSQL's server, of which the tests start a throwaway cluster
(tests/pg_server.py).
Only the Python standard library is used here: this runs before anything is installed.
"""

from __future__ import annotations

import ctypes.util
import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
STAMP = VENV / ".target-monitor-stamp"
WINDOWS = os.name == "nt"

# The Qt plugins the program loads, in PySide6's folder: the window on X11 (xcb) and Wayland,
# printing and tests (offscreen). What they need from the system is asked of ldd, and each
# missing library's Debian/Ubuntu/UOS/Kylin package is looked up in the table the .deb's
# dependencies come from (packaging/project.py: SYSTEM_LIBRARIES).
QT_PLUGINS = (
    "Qt/plugins/platforms/libqxcb.so",
    "Qt/plugins/platforms/libqwayland.so",
    "Qt/plugins/platforms/libqoffscreen.so",
    "Qt/plugins/printsupport/libcupsprintersupport.so",
)
# The Chinese font printed documents use (its PDF text copies and searches right; see
# desktop/ui/printing.py), which also serves the window, and fc-list to tell whether it is there.
CHINESE_FONT = "WenQuanYi Micro Hei"
CHINESE_FONT_PACKAGES = [["fontconfig"], ["fonts-wqy-microhei"]]
# Tools the installer build (packaging/build.py, tested by tests/test_packaging.py) runs:
# PyInstaller reads binaries with objdump, the .deb's menu entry is checked with
# desktop-file-validate, and dpkg-deb makes the package.
BUILD_TOOLS = {
    "objdump": ["binutils"],
    "desktop-file-validate": ["desktop-file-utils"],
    "dpkg-deb": ["dpkg"],
    "cc": ["build-essential"],  # tests/test_chroot_build.py compiles against glibc
}
# Libraries Qt loads that the installer bundles (so they are not in that table) but .venv's Qt
# takes from the system: every Debian-based system has them, a minimal container perhaps not.
BUNDLED_LIBRARIES = {"libz.so.1": "zlib1g", "libzstd.so.1": "libzstd1"}
# What only the tests need: tests/test_window.py shows the real window on an X server of its own.
TEST_TOOLS = {"Xvfb": ["xvfb"]}
# ... and the server tests a PostgreSQL cluster of their own (tests/pg_server.py), made by the
# server package's initdb, which Debian keeps off PATH in a folder of each version.
POSTGRES_SERVER_PACKAGES = ["postgresql"]


def has_postgres_server(versions: Path = Path("/usr/lib/postgresql")) -> bool:
    return shutil.which("initdb") is not None or any(versions.glob("*/bin/initdb"))


def say(message: str) -> None:
    print(f"[dev] {message}", flush=True)


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if WINDOWS else "bin/python")


def venv_script(name: str) -> Path:
    return VENV / ("Scripts" if WINDOWS else "bin") / (f"{name}.exe" if WINDOWS else name)


# --- system packages (Linux) ---------------------------------------------------------------


def _has_chinese_font() -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    found = subprocess.run(
        [fc_list, f":family={CHINESE_FONT}", "family"], capture_output=True, text=True, check=False
    )
    return bool(found.stdout.strip())


def _apt(*args: str) -> subprocess.CompletedProcess[str]:
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    return subprocess.run([*prefix, "apt-get", *args], env=env, text=True, check=False)


def _known_package(candidates: list[str]) -> str | None:
    for name in candidates:
        shown = subprocess.run(["apt-cache", "show", name], capture_output=True, check=False)
        if shown.returncode == 0 and shown.stdout:
            return name
    return None


def _shared_libpython_package() -> list[str] | None:
    """PyInstaller bundles the shared libpython3.X; Debian and Ubuntu ship it in a package of its
    own, which their python3 does not need."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    soname = sysconfig.get_config_var("INSTSONAME") or f"libpython{version}.so.1.0"
    libdir = Path(sysconfig.get_config_var("LIBDIR") or sys.base_prefix)
    multiarch = sysconfig.get_config_var("MULTIARCH") or ""
    if (libdir / soname).exists() or (libdir / multiarch / soname).exists():
        return None
    if ctypes.util.find_library(f"python{version}"):
        return None
    return [f"libpython{version}t64", f"libpython{version}"]


def _library_packages() -> dict[str, str]:
    """soname -> Debian package ("a | b" for alternatives), from packaging/project.py."""
    folder = str(ROOT / "packaging")
    sys.path.insert(0, folder)  # imported by its plain name, as the build's scripts import it
    try:
        import project  # noqa: PLC0415 - the build's table, shared with the .deb's dependencies
    finally:
        sys.path.remove(folder)
    return {**project.SYSTEM_LIBRARIES, **BUNDLED_LIBRARIES}


def qt_plugins(pyside: Path) -> list[Path]:
    """The Qt plugins the program loads that this PySide6 has."""
    return [pyside / plugin for plugin in QT_PLUGINS if (pyside / plugin).is_file()]


def missing_libraries(binaries: list[Path]) -> list[str]:
    """The sonames ldd does not find for these binaries (each once, in order)."""
    missing: list[str] = []
    for binary in binaries:
        listed = subprocess.run(
            ["ldd", str(binary)], capture_output=True, text=True, check=False
        ).stdout
        for line in listed.splitlines():
            name, _, where = line.strip().partition(" => ")
            if where.strip() == "not found" and name not in missing:
                missing.append(name)
    return missing


def packages_for(sonames: list[str]) -> tuple[list[list[str]], list[str]]:
    """The package choices that provide these sonames, and the sonames no package is known for."""
    table = _library_packages()
    wanted: list[list[str]] = []
    unknown: list[str] = []
    for name in sonames:
        if name not in table:
            unknown.append(name)
        elif (choices := table[name].split(" | ")) not in wanted:
            wanted.append(choices)
    return wanted, unknown


def _venv_pyside() -> Path | None:
    found = sorted(VENV.glob("lib/python3*/site-packages/PySide6"))
    return found[-1] if found else None


def ensure_system_packages(*, testing: bool = False) -> None:
    """Install what Qt, Chinese text, the installer build (and the tests) need; explain instead
    when that is not possible."""
    if not sys.platform.startswith("linux"):
        return
    wanted: list[list[str]] = []
    unknown: list[str] = []
    pyside = _venv_pyside()
    if pyside is not None and shutil.which("ldd"):
        wanted, unknown = packages_for(missing_libraries(qt_plugins(pyside)))
    if unknown:
        say(f"no package known for {', '.join(unknown)} (packaging/project.py: SYSTEM_LIBRARIES)")
    if not _has_chinese_font():
        wanted.extend(CHINESE_FONT_PACKAGES)
    tools = {**BUILD_TOOLS, **(TEST_TOOLS if testing else {})}
    wanted.extend(pkgs for tool, pkgs in tools.items() if shutil.which(tool) is None)
    if testing and not has_postgres_server():
        wanted.append(POSTGRES_SERVER_PACKAGES)
    if libpython := _shared_libpython_package():
        wanted.append(libpython)
    if not wanted:
        return
    can_install = shutil.which("apt-get") and (os.geteuid() == 0 or shutil.which("sudo"))
    flat = " ".join(pkgs[0] for pkgs in wanted)
    if not can_install:
        say(f"missing system packages; please install: {flat}")
        return
    say(f"installing system packages: {flat}")
    _apt("update", "-qq")
    names = [name for name in map(_known_package, wanted) if name]
    result = _apt("install", "-y", "-qq", "--no-install-recommends", *names)
    if result.returncode != 0:
        say(f"apt-get could not install {' '.join(names)}; Qt or Chinese text may not work")
    if pyside is not None and (still := missing_libraries(qt_plugins(pyside))):
        say(f"Qt's plugins still miss {', '.join(still)}; the window may not start")


# --- the virtual environment ---------------------------------------------------------------


def _fingerprint() -> str:
    digest = hashlib.sha256(sys.version.encode())
    for name in ("pyproject.toml", "constraints.txt"):
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def _create_venv() -> None:
    say(f"creating the virtual environment in {VENV}")
    created = subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=False)
    if created.returncode == 0 and venv_python().exists():
        return
    # Debian and Ubuntu ship venv's pip bootstrap as a separate package.
    shutil.rmtree(VENV, ignore_errors=True)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}-venv"
    if sys.platform.startswith("linux") and shutil.which("apt-get"):
        say(f"installing {version} (and python3-venv)")
        _apt("update", "-qq")
        _apt("install", "-y", "-qq", _known_package([version, "python3-venv"]) or "python3-venv")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        return
    sys.exit("[dev] could not create a virtual environment: install Python's venv module")


def ensure_venv() -> None:
    """Create .venv, or refresh it when pyproject.toml or constraints.txt changed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this runs under whatever python3 is there
        sys.exit(f"[dev] Python 3.11 or newer is needed; this is {sys.version.split()[0]}")
    if not venv_python().exists():
        _create_venv()
    fingerprint = _fingerprint()
    if STAMP.exists() and STAMP.read_text() == fingerprint:
        return
    say("installing the application and its test tools into .venv (pinned by constraints.txt)")
    pip = [str(venv_python()), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "--upgrade", "pip"], check=True)
    subprocess.run(
        [*pip, "install", "-c", str(ROOT / "constraints.txt"), "-e", f"{ROOT}[dev]"], check=True
    )
    STAMP.write_text(fingerprint)


# --- commands ------------------------------------------------------------------------------


def run_app(args: list[str]) -> int:
    return subprocess.run([str(venv_script("target-monitor")), *args], check=False).returncode


def run_tests(args: list[str]) -> int:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    command = [str(venv_python()), "-m", "pytest", *args]
    status = subprocess.run(command, cwd=ROOT, env=env, check=False).returncode
    if status == 0 and not args:
        status = show_speed(env)
    return status


def show_speed(env: dict[str, str]) -> int:
    """After a whole passing run, the speed budgets at the city's size, so that a regression
    shows in the log next to the budgets. A budget missed there does not fail the run (times
    depend on the machine and on what else it runs; the budgets at 10,000 indicators are
    measured by hand: `.venv/bin/python -m benchmarks`, docs/development.md); a benchmark that
    cannot run does."""
    say("speed at the city's size (python -m benchmarks --quick): a report, not a check")
    command = [str(venv_python()), "-m", "benchmarks", "--quick"]
    status = subprocess.run(command, cwd=ROOT, env=env, check=False).returncode
    if status == 1:  # a budget missed: in the table above
        return 0
    if status:
        say(f"the speed report could not be made (exit status {status})")
    return status


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    ensure_venv()  # first: the libraries Qt needs are read from the PySide6 it installs
    ensure_system_packages(testing=command == "test")
    return run_app(rest) if command == "run" else run_tests(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
