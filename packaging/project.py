"""What the build needs to know: the version, the icon files and, on Linux, which shared
libraries come from the system.

Shared by packaging/build.py and packaging/target-monitor.spec. The icon's PNG and .ico files
are rendered here from resources/icons/target-monitor.svg at build time, so only the SVG is kept
in the repository.
"""

from __future__ import annotations

import ast
import functools
import re
import struct
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_NAME = "target-monitor"
ICON_SVG = ROOT / "resources" / "icons" / "target-monitor.svg"
# Sizes Windows picks from for the taskbar, title bars, Explorer and the Start menu.
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
_QT_APPLICATION: list[object] = []


def read_version(root: Path = ROOT) -> str:
    """`__version__` of desktop/__init__.py, read without importing the package."""
    tree = ast.parse((root / "desktop" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            return node.value.value
    raise ValueError(f"no __version__ = '...' in {root / 'desktop' / '__init__.py'}")


def debian_version(version: str) -> str:
    """A PEP 440 version as Debian orders it: 1.0rc1 → 1.0~rc1, 1.0.dev2 → 1.0~dev2."""
    return re.sub(r"\.?(a|b|rc|dev)(\d*)", r"~\1\2", version)


def render_png(size: int, svg: Path = ICON_SVG) -> bytes:
    """The SVG rendered as a square PNG of `size` pixels (Qt, offscreen: no display needed)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt  # noqa: PLC0415
    from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: PLC0415
    from PySide6.QtSvg import QSvgRenderer  # noqa: PLC0415

    if QGuiApplication.instance() is None:
        # Fonts and image plugins need an application object; it must outlive the rendering.
        _QT_APPLICATION.append(QGuiApplication(["render_png", "-platform", "offscreen"]))
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg}: not a valid SVG image")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise OSError(f"could not encode a {size} px PNG of {svg}")
    buffer.close()
    return bytes(data.data())


def ico_bytes(images: dict[int, bytes]) -> bytes:
    """A Windows .ico holding PNG images (supported since Windows Vista), keyed by size."""
    header = struct.pack("<HHH", 0, 1, len(images))
    directory, payload = b"", b""
    offset = len(header) + 16 * len(images)
    for size, png in sorted(images.items()):
        if not 1 <= size <= 256:
            raise ValueError(f"an .ico image is 1 to 256 pixels wide, not {size}")
        side = 0 if size == 256 else size  # 0 stands for 256 in the directory
        directory += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        payload += png
        offset += len(png)
    return header + directory + payload


def write_icons(folder: Path, svg: Path = ICON_SVG) -> tuple[Path, Path]:
    """Render target-monitor.png (256 px) and target-monitor.ico into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    images = {size: render_png(size, svg) for size in ICO_SIZES}
    png = folder / f"{APP_NAME}.png"
    png.write_bytes(images[256])
    ico = folder / f"{APP_NAME}.ico"
    ico.write_bytes(ico_bytes(images))
    return png, ico


# --- shared libraries on Linux -------------------------------------------------------------

# Libraries the Linux bundle takes from the system instead of carrying a copy, with the
# Debian / Ubuntu / UOS / Kylin package providing each ("new | old" where a package was
# renamed). They are the desktop's own: the X11, Wayland and OpenGL stack, fonts, D-Bus, GLib,
# printing and the C/C++ runtime. A copy taken from the build machine could disagree with the
# user's display server, drivers or configuration. The .deb depends on these packages.
SYSTEM_LIBRARIES = {
    "libc.so.6": "libc6",
    "libm.so.6": "libc6",
    "libpthread.so.0": "libc6",
    "libdl.so.2": "libc6",
    "librt.so.1": "libc6",
    "libutil.so.1": "libc6",
    "libresolv.so.2": "libc6",
    "ld-linux-x86-64.so.2": "libc6",
    "ld-linux-aarch64.so.1": "libc6",
    "libstdc++.so.6": "libstdc++6",
    "libgcc_s.so.1": "libgcc-s1 | libgcc1",
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libGLX.so.0": "libglx0",
    "libOpenGL.so.0": "libopengl0",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libXext.so.6": "libxext6",
    "libXrender.so.1": "libxrender1",
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0t64 | libglib2.0-0",
    "libgobject-2.0.so.0": "libglib2.0-0t64 | libglib2.0-0",
    "libgio-2.0.so.0": "libglib2.0-0t64 | libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0t64 | libglib2.0-0",
    "libgmodule-2.0.so.0": "libglib2.0-0t64 | libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
    "libcups.so.2": "libcups2t64 | libcups2",
    "libdrm.so.2": "libdrm2",
    "libgbm.so.1": "libgbm1",
}
_ELF_MAGIC = b"\x7fELF"


@dataclass(frozen=True)
class ElfInfo:
    """What a shared library or executable needs from the dynamic linker."""

    needed: tuple[str, ...]  # DT_NEEDED sonames
    glibc: tuple[int, ...] | None  # the newest GLIBC_x.y symbol version it requires


def is_elf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) == _ELF_MAGIC
    except OSError:
        return False


@functools.cache  # a build asks about the same files several times
def elf_info(path: Path) -> ElfInfo:
    """NEEDED entries and the glibc version required, from `objdump -p` (binutils)."""
    dump = subprocess.run(
        ["objdump", "-p", str(path)], capture_output=True, text=True, check=True
    ).stdout
    needed = tuple(re.findall(r"^\s+NEEDED\s+(\S+)$", dump, flags=re.MULTILINE))
    versions = [
        tuple(int(n) for n in found.split("."))
        for found in re.findall(r"\sGLIBC_(\d+(?:\.\d+)+)$", dump, flags=re.MULTILINE)
    ]
    return ElfInfo(needed, max(versions) if versions else None)


def reachable_binaries(
    entries: Iterable[tuple[str, str, str]], is_root: Callable[[str], bool]
) -> tuple[list[tuple[str, str, str]], list[str]]:
    """The PyInstaller binary entries (dest, source, typecode) still needed once unwanted
    plugins are gone and the system's libraries are left to the system, and the dropped names.

    Starting from the roots (Python extension modules, kept Qt plugins, libpython), follow each
    library's NEEDED entries; a SYMLINK entry's source is the bundle path it points to.
    """
    entries = list(entries)
    by_name = {Path(dest).name: (dest, source, kind) for dest, source, kind in entries}
    by_dest = {dest: (dest, source, kind) for dest, source, kind in entries}
    kept: set[str] = set()
    pending = [dest for dest, _, kind in entries if kind == "EXTENSION" or is_root(dest)]
    while pending:
        dest = pending.pop()
        if dest in kept or dest not in by_dest:
            continue
        kept.add(dest)
        _, source, kind = by_dest[dest]
        if kind == "SYMLINK":
            pending.append(source)
            continue
        for name in elf_info(Path(source)).needed:
            if name not in SYSTEM_LIBRARIES and name in by_name:
                pending.append(by_name[name][0])
    chosen = [entry for entry in entries if entry[0] in kept]
    dropped = sorted(dest for dest, _, _ in entries if dest not in kept)
    return chosen, dropped


def without_debug_info(
    entries: Iterable[tuple[str, str, str]], folder: Path
) -> list[tuple[str, str, str]]:
    """The entries, with libraries carrying debugging information (a Python built from source
    keeps it: libpython alone shrinks from 23 to 6 MB) replaced by copies stripped of it.

    Only debugging sections go (`strip --strip-debug`); the symbol tables stay untouched.
    """
    result = []
    for dest, source, kind in entries:
        if kind == "SYMLINK" or not is_elf(Path(source)) or not _has_debug_info(Path(source)):
            result.append((dest, source, kind))
            continue
        copy = folder / dest
        copy.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["strip", "--strip-debug", "-o", str(copy), source], check=True, capture_output=True
        )
        result.append((dest, str(copy), kind))
    return result


def _has_debug_info(path: Path) -> bool:
    headers = subprocess.run(
        ["objdump", "-h", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return " .debug_info " in headers
