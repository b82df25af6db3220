"""The licence notices that travel with the bundle: THIRD-PARTY-NOTICES.txt.

The bundle carries Python, Qt for Python, numpy and the other packages the program needs, and
(on Linux) a few C libraries from the build machine. Their licences ask that their notices go
along: this module writes them, from the installed packages' own metadata and licence files.
A package whose licence text cannot be found stops the build instead of shipping silently.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement  # PyInstaller's own dependency
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LICENSES = ROOT / "packaging" / "licenses"
NOTICES_NAME = "THIRD-PARTY-NOTICES.txt"
APP_DISTRIBUTION = "target-monitor"
RULE = "=" * 78

# Packages that ship no licence file, with the texts from packaging/licenses/ that apply.
# Qt for Python is offered under LGPL-3.0 (which builds on GPL-3.0) or the GPL; we use the LGPL.
TEXTS_FOR = {
    "pyside6-essentials": ("LGPL-3.0.txt", "GPL-3.0.txt"),
    "shiboken6": ("LGPL-3.0.txt", "GPL-3.0.txt"),
}
# Libraries a build compiles itself (packaging/chroot_build.py) rather than taking from a package.
SOURCE_BUILT = {"libsqlite3": "SQLite: public domain (no licence needed)"}
QT_NOTE = """\
Qt for Python includes the Qt {version} libraries (PySide6/Qt/lib), used unmodified under the
GNU Lesser General Public License v3 (text below). You may replace them with your own build of
Qt {version}. Qt's source code and the licences of the third-party components inside Qt are
published by the Qt Project (download.qt.io; "Licenses Used in Qt" in Qt's documentation).
"""


@dataclass(frozen=True)
class Section:
    """One component in the notices: its title, licence name, licence files and a note."""

    title: str
    licence: str
    files: list[Path]
    note: str = ""


class NoticeError(Exception):
    """A bundled package whose licence text cannot be found."""


def runtime_distributions(name: str = APP_DISTRIBUTION) -> list[importlib.metadata.Distribution]:
    """The installed packages the program needs on this platform: its requirements and theirs,
    extras left out, sorted by name (the program itself not included)."""
    found: dict[str, importlib.metadata.Distribution] = {}
    pending = [name]
    while pending:
        distribution = importlib.metadata.distribution(pending.pop())
        key = canonicalize_name(distribution.metadata["Name"])
        if key in found:
            continue
        found[key] = distribution
        for text in distribution.requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                pending.append(requirement.name)
    found.pop(canonicalize_name(name))
    return sorted(found.values(), key=lambda d: canonicalize_name(d.metadata["Name"]))


def licence_name(distribution: importlib.metadata.Distribution) -> str:
    """The licence as the package states it: its SPDX expression, else a short License field,
    else its trove classifiers."""
    metadata = distribution.metadata
    if expression := metadata.get("License-Expression"):
        return expression
    if (field := (metadata.get("License") or "").strip()) and "\n" not in field and len(field) < 80:
        return field
    classifiers = [
        c.split(" :: ")[-1] for c in metadata.get_all("Classifier") or [] if c.startswith("License")
    ]
    return ", ".join(classifiers) or "see the text below"


def licence_files(distribution: importlib.metadata.Distribution) -> list[Path]:
    """The licence files a package installed with its metadata."""
    files = []
    for file in distribution.files or []:
        parts = Path(str(file)).parts
        if (
            parts
            and parts[0].endswith(".dist-info")
            and re.search(r"(LICEN[CS]E|COPYING|NOTICE)", "/".join(parts[1:]), re.IGNORECASE)
        ):
            files.append(Path(str(distribution.locate_file(file))))
    return sorted(files)


def python_licence() -> Path:
    return Path(sysconfig.get_path("stdlib")) / "LICENSE.txt"


def dpkg_owners(paths: Iterable[str | Path]) -> dict[str, str]:
    """The package dpkg says installed each path (as given), for those it knows.

    dpkg records a path as the package installed it: /lib/... and /usr/lib/... are the same
    file on a merged-/usr system, and a library may be reached through a link."""
    aliases: dict[str, str] = {}
    for path in map(str, paths):
        for name in {path, os.path.realpath(path)}:
            for alias in (name, f"/usr{name}", name.removeprefix("/usr")):
                aliases.setdefault(alias, path)
    if not aliases or not shutil.which("dpkg-query"):
        return {}
    listed = subprocess.run(
        ["dpkg-query", "-S", *sorted(aliases)], capture_output=True, text=True, check=False
    ).stdout  # exit status 1: some aliases are unknown, as expected
    owners = {}
    for line in listed.splitlines():
        owner, _, found = line.partition(": ")
        if found in aliases:
            owners[aliases[found]] = owner.split(":")[0].split(",")[0].strip()
    return owners


def debian_copyright(libraries: Iterable[Path]) -> dict[str, tuple[list[str], Path]]:
    """For C libraries copied from a Debian-based build machine: package -> (library names,
    the package's copyright file), as dpkg knows them. Empty elsewhere."""
    result: dict[str, tuple[list[str], Path]] = {}
    for path, package in dpkg_owners(libraries).items():
        copyright_file = Path("/usr/share/doc") / package / "copyright"
        if copyright_file.is_file():
            names = result.setdefault(package, ([], copyright_file))[0]
            if Path(path).name not in names:
                names.append(Path(path).name)
    return result


def third_party_notices(libraries: Iterable[Path] = ()) -> str:
    """THIRD-PARTY-NOTICES.txt: a summary, then each component with its licence text.

    `libraries`: C libraries the bundle copies from the build machine (Linux), whose Debian
    copyright files are added where dpkg knows them.
    """
    app = importlib.metadata.distribution(APP_DISTRIBUTION)
    distributions = runtime_distributions()
    sections = [Section(f"Python {sys.version.split()[0]}", "PSF-2.0", [python_licence()])]
    needed_texts: dict[str, None] = {}
    missing = []
    for distribution in distributions:
        key = canonicalize_name(distribution.metadata["Name"])
        title = f"{distribution.metadata['Name']} {distribution.version}"
        files = licence_files(distribution)
        if not files and key not in TEXTS_FOR:
            missing.append(title)
        needed_texts.update(dict.fromkeys(TEXTS_FOR.get(key, ())))
        note = QT_NOTE.format(version=distribution.version) if key == "pyside6-essentials" else ""
        sections.append(Section(title, licence_name(distribution), files, note))
    if missing:
        raise NoticeError(
            f"no licence text found for {', '.join(missing)}: add it to packaging/licenses/ and "
            "to TEXTS_FOR in packaging/notices.py"
        )
    libraries = list(libraries)
    system = debian_copyright(libraries)
    for package, (names, copyright_file) in sorted(system.items()):
        title = f"{', '.join(sorted(names))} (Debian package {package})"
        sections.append(Section(title, "", [copyright_file]))
    packaged = {name for names, _ in system.values() for name in names}
    built_here = sorted(path.name for path in libraries if path.name not in packaged)

    summary = [(section.title, section.licence) for section in sections]
    summary.append(("PyInstaller bootloader", "GPL-2.0-or-later WITH Bootloader-exception"))
    lines = [
        f"Target Monitor (目标任务监测) {app.version} — {licence_name(app)} licence",
        "",
        (ROOT / "LICENSE").read_text(encoding="utf-8").rstrip(),
        "",
        RULE,
        "",
        "This program includes the following third-party software, each under its own licence:",
        "",
        *(f"  {title:<52} {licence}".rstrip() for title, licence in summary),
        "",
    ]
    for section in sections:
        licence = f" — {section.licence}" if section.licence else ""
        lines += [RULE, f"{section.title}{licence}", RULE, ""]
        if section.note:
            lines += [section.note, ""]
        for file in section.files:
            if len(section.files) > 1:
                lines += [f"--- {file.name}", ""]
            lines += [file.read_text(encoding="utf-8", errors="replace").rstrip(), ""]
        if not section.files:
            lines += [
                f"The licence texts are at the end of this file: {', '.join(needed_texts)}.",
                "",
            ]
    if built_here:
        lines += [RULE, "Libraries built from source for this bundle", RULE, ""]
        lines += [
            f"  {name:<30} {SOURCE_BUILT.get(name.split('.so')[0], '')}" for name in built_here
        ]
        lines += [""]
    for text in needed_texts:
        lines += [
            RULE,
            text.removesuffix(".txt"),
            RULE,
            "",
            (LICENSES / text).read_text().rstrip(),
            "",
        ]
    return "\n".join(lines)


def write_notices(folder: Path, libraries: Iterable[Path] = ()) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / NOTICES_NAME
    path.write_text(third_party_notices(libraries), encoding="utf-8")
    return path
