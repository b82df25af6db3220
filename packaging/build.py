"""Build Target Monitor for office PCs: the PyInstaller one-folder bundle, and a .deb on Linux.

    python packaging/build.py [--deb] [--dist DIR] [--max-glibc X.Y]

Run it with the Python of the project's virtual environment (PyInstaller is in the `dev` extra):
`.venv/bin/python packaging/build.py --deb` on Linux, `.venv\\Scripts\\python packaging\\build.py`
on Windows. Everything goes under build/ (or DIR): the bundle in dist/target-monitor/, PyInstaller's
work files in work/, and the .deb beside them. See packaging/README.md.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from notices import NOTICES_NAME
from project import (
    APP_NAME,
    ICON_SVG,
    ROOT,
    SYSTEM_LIBRARIES,
    debian_version,
    elf_info,
    is_elf,
    read_version,
    render_png,
)

SPEC = ROOT / "packaging" / "target-monitor.spec"
DESKTOP_ENTRY = ROOT / "packaging" / "linux" / f"{APP_NAME}.desktop"
INSTALL_DIR = Path("opt") / APP_NAME
PNG_SIZES = (48, 128, 256)

DESCRIPTION = """\
Monthly progress tracking for the city's 2025 plan (目标任务监测)
 Target Monitor tracks Shenyang's 2025 plan for a modern industrial system:
 projects, key tasks, specific measures and their indicators, each with its
 target, deadline and responsible department. Departments enter monthly
 figures; managers see the roll-up with three-colour lights against the
 time-proportional plan, print status sheets and exchange Excel templates.
 .
 The program and everything it needs (Python, Qt) are in /opt/target-monitor;
 each user's data lives in ~/.local/share/target-monitor."""
RECOMMENDS = ["fontconfig", "fonts-wqy-microhei | fonts-noto-cjk"]
# Debian's convention for who builds packages; a placeholder otherwise (see packaging/README.md).
MAINTAINER = "{name} <{email}>".format(
    name=os.environ.get("DEBFULLNAME", "Target Monitor maintainers"),
    email=os.environ.get("DEBEMAIL", "target-monitor@example.invalid"),
)


def say(message: str) -> None:
    print(f"[build] {message}", flush=True)


def megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def tree_size(folder: Path) -> tuple[int, int]:
    """Bytes and number of files under `folder`, symbolic links counted as links."""
    total = count = 0
    for path in folder.rglob("*"):
        if path.is_symlink() or path.is_file():
            total += path.lstat().st_size
            count += 1
    return total, count


# --- the bundle ----------------------------------------------------------------------------


def build_bundle(out: Path) -> Path:
    """Run PyInstaller on the spec; the bundle lands in out/dist/target-monitor."""
    try:
        import PyInstaller  # noqa: F401, PLC0415 - only to say what is missing
    except ImportError:
        sys.exit(
            "[build] PyInstaller is not installed in this Python: "
            "pip install -c constraints.txt -e .[dev]  (or: pip install pyinstaller)"
        )
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        str(SPEC),
        "--noconfirm",
        "--distpath",
        str(out / "dist"),
        "--workpath",
        str(out / "work"),
        "--log-level",
        "WARN",
    ]
    say("running PyInstaller (about a minute)")
    subprocess.run(command, cwd=ROOT, check=True)
    bundle = out / "dist" / APP_NAME
    if not (bundle / executable_name()).is_file():
        sys.exit(f"[build] PyInstaller did not produce {bundle / executable_name()}")
    return bundle


def executable_name(name: str = APP_NAME) -> str:
    return f"{name}.exe" if sys.platform == "win32" else name


# --- the .deb ------------------------------------------------------------------------------


def version_text(version: tuple[int, ...]) -> str:
    return ".".join(map(str, version))


def parse_version(text: str) -> tuple[int, ...]:
    """ "2.28" -> (2, 28), for argparse."""
    try:
        return tuple(int(part) for part in text.split("."))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a version such as 2.28") from None


def elf_files(bundle: Path) -> list[Path]:
    """The bundle's executables and libraries (symbolic links to them left out), sorted."""
    return [
        path
        for path in sorted(bundle.rglob("*"))
        if not path.is_symlink() and path.is_file() and is_elf(path)
    ]


def glibc_needs(bundle: Path) -> dict[str, tuple[int, ...]]:
    """Each binary in the bundle that requires a GLIBC_x.y symbol version, with the newest one."""
    return {
        str(path.relative_to(bundle)): info.glibc
        for path in elf_files(bundle)
        if (info := elf_info(path)).glibc
    }


def check_glibc(bundle: Path, newest: tuple[int, ...]) -> None:
    """Stop the build when a binary needs a newer glibc than the oldest system to support has,
    naming the binaries; the build machine's glibc leaks into whatever is compiled on it."""
    too_new = {name: need for name, need in glibc_needs(bundle).items() if need > newest}
    if too_new:
        shown = [f"{name} (glibc {version_text(need)})" for name, need in too_new.items()]
        more = f", and {len(shown) - 8} more" if len(shown) > 8 else ""
        sys.exit(
            f"[build] {len(shown)} binaries need a glibc newer than {version_text(newest)}: "
            f"{', '.join(shown[:8])}{more}. Build on an older system (packaging/README.md)."
        )


def linux_depends(bundle: Path) -> list[str]:
    """The packages providing the libraries the bundle's binaries need but do not carry.

    Every such library must be in project.SYSTEM_LIBRARIES: a library nobody decided about
    stops the build instead of becoming a crash on the user's computer. libc6 gets the newest
    glibc version any binary requires.
    """
    present = {path.name for path in bundle.rglob("*")}
    packages: set[str] = set()
    unknown: dict[str, str] = {}
    for path in elf_files(bundle):
        for name in elf_info(path).needed:
            if name in present:
                continue
            if name in SYSTEM_LIBRARIES:
                packages.add(SYSTEM_LIBRARIES[name])
            else:
                unknown.setdefault(name, str(path.relative_to(bundle)))
    if unknown:
        listed = ", ".join(f"{name} (needed by {user})" for name, user in sorted(unknown.items()))
        sys.exit(
            f"[build] libraries neither bundled nor in project.SYSTEM_LIBRARIES: {listed}; "
            "add each with the Debian package providing it"
        )
    packages.discard("libc6")
    glibc = max(glibc_needs(bundle).values(), default=(2, 17))
    return [f"libc6 (>= {version_text(glibc)})", *sorted(packages)]


def _installed_size_kib(root: Path) -> int:
    return sum(
        math.ceil(path.lstat().st_size / 1024) if not path.is_dir() else 1
        for path in root.rglob("*")
        if "DEBIAN" not in path.relative_to(root).parts
    )


def _copy_file(source: Path, target: Path, mode: int = 0o644) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    target.chmod(mode)


def _normalise_modes(root: Path, executables: set[Path]) -> None:
    """Folders 0755, files 0644, the program 0755, whatever the umask was."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        if path.is_dir():
            path.chmod(0o755)
        else:
            path.chmod(0o755 if path in executables else 0o644)


def deb_copyright() -> str:
    """/usr/share/doc/target-monitor/copyright: the program's licence, and where the bundled
    components' notices are."""
    notices = Path("/") / INSTALL_DIR / "_internal" / NOTICES_NAME
    return (
        "Target Monitor (目标任务监测)\n\n"
        "License: MIT (below).\n\n"
        f"{Path('/') / INSTALL_DIR} bundles Python, Qt for Python (Qt under the LGPL-3.0) and\n"
        "other libraries. Each of them, with its licence and the full licence text, is in\n"
        f"{notices}.\n"
        "On Debian-based systems the LGPL and GPL texts are also in\n"
        "/usr/share/common-licenses/.\n\n" + (ROOT / "LICENSE").read_text(encoding="utf-8")
    )


def build_deb(bundle: Path, out: Path, version: str) -> Path:
    """A .deb for Debian-based systems (UOS, Kylin, Debian, Ubuntu): the bundle in
    /opt/target-monitor, the command, the menu entry and the icons."""
    if not shutil.which("dpkg-deb"):
        sys.exit("[build] --deb needs dpkg-deb (Debian-based systems have it)")
    architecture = subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()
    root = out / "deb-root"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(bundle, root / INSTALL_DIR, symlinks=True)
    launcher = root / "usr" / "bin" / APP_NAME
    launcher.parent.mkdir(parents=True)
    # Relative, so the package also works when unpacked somewhere else (dpkg-deb -x); the
    # bootloader finds its folder through the link's real path.
    launcher.symlink_to(Path("../..") / INSTALL_DIR / APP_NAME)
    share = root / "usr" / "share"
    _copy_file(DESKTOP_ENTRY, share / "applications" / DESKTOP_ENTRY.name)
    icons = share / "icons" / "hicolor"
    _copy_file(ICON_SVG, icons / "scalable" / "apps" / f"{APP_NAME}.svg")
    for size in PNG_SIZES:
        png = icons / f"{size}x{size}" / "apps" / f"{APP_NAME}.png"
        png.parent.mkdir(parents=True)
        png.write_bytes(render_png(size))
    (share / "doc" / APP_NAME).mkdir(parents=True)
    (share / "doc" / APP_NAME / "copyright").write_text(deb_copyright(), encoding="utf-8")
    _normalise_modes(root, {root / INSTALL_DIR / APP_NAME})

    control = root / "DEBIAN" / "control"
    control.parent.mkdir()
    fields = {
        "Package": APP_NAME,
        "Version": debian_version(version),
        "Architecture": architecture,
        "Maintainer": MAINTAINER,
        "Installed-Size": str(_installed_size_kib(root)),
        "Depends": ", ".join(linux_depends(bundle)),
        "Recommends": ", ".join(RECOMMENDS),
        "Section": "misc",
        "Priority": "optional",
        "Description": DESCRIPTION,
    }
    control.write_text(
        "".join(f"{key}: {value}\n" for key, value in fields.items()), encoding="utf-8"
    )
    control.parent.chmod(0o755)
    control.chmod(0o644)

    package = out / f"{APP_NAME}_{fields['Version']}_{architecture}.deb"
    # xz: smaller than gzip and understood by every dpkg UOS and Kylin ship (zstd is not).
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(root), str(package)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return package


# --- command line --------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deb", action="store_true", help="also build a .deb (Linux)")
    parser.add_argument(
        "--dist",
        metavar="DIR",
        type=Path,
        default=ROOT / "build",
        help="where the bundle, work files and .deb go (default: build/)",
    )
    parser.add_argument(
        "--max-glibc",
        metavar="X.Y",
        type=parse_version,
        help="fail unless every binary runs with this glibc (Linux), e.g. 2.28 for UOS 20",
    )
    args = parser.parse_args(argv)
    if args.deb and not sys.platform.startswith("linux"):
        parser.error("--deb builds a Debian package: run it on Linux")
    out = args.dist.resolve()
    version = read_version()
    started = time.monotonic()
    bundle = build_bundle(out)
    size, files = tree_size(bundle)
    say(f"bundle: {bundle} ({megabytes(size)}, {files} files) — target-monitor {version}")
    say(f"  start it with {bundle / executable_name()}")
    if sys.platform == "win32":
        say(f"  command line: {bundle / executable_name(APP_NAME + '-cli')}")
    if args.max_glibc:
        check_glibc(bundle, args.max_glibc)
        say(f"  every binary runs with glibc {version_text(args.max_glibc)}")
    if args.deb:
        say("building the .deb (xz compression takes a while)")
        package = build_deb(bundle, out, version)
        say(f"deb: {package} ({megabytes(package.stat().st_size)})")
        say(f"  install with: sudo apt install {package}")
    say(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
