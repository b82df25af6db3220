"""packaging/chroot_build.py, the build for UOS 20 and Kylin V10, short of running it.

A run takes a quarter of an hour and root (debootstrap, chroot), so CI does not make one; its
figures are in packaging/README.md. These tests check what it feeds the chroot.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, packaging_tool

chroot_build = packaging_tool("chroot_build")


def test_the_chroot_installs_the_pinned_versions_but_its_own_pyside() -> None:
    constraints = (ROOT / "constraints.txt").read_text(encoding="utf-8")
    pinned = chroot_build.pinned_for_chroot(constraints, "6.9.2")
    changed = set(pinned.splitlines()) - set(constraints.splitlines())
    assert changed == {"PySide6_Essentials==6.9.2", "shiboken6==6.9.2"}
    assert len(pinned.splitlines()) == len(constraints.splitlines())


def test_constraints_without_pyside_are_refused() -> None:
    with pytest.raises(ValueError, match="pins no pyside6_essentials, shiboken6"):
        chroot_build.pinned_for_chroot("numpy==2.4.6\n")


def test_the_pyside_it_installs_is_one_the_project_allows() -> None:
    """pyproject's requirement must admit the chroot's PySide6, or pip refuses the build."""
    import tomllib  # noqa: PLC0415

    from packaging.requirements import Requirement  # noqa: PLC0415 - pip's, in the dev extra

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    requirements = [Requirement(line) for line in project["project"]["dependencies"]]
    (pyside,) = [r for r in requirements if r.name.lower() == "pyside6-essentials"]
    assert pyside.specifier.contains(chroot_build.PYSIDE)


@pytest.mark.parametrize(
    "script",
    [
        chroot_build.python_script(2),
        chroot_build.build_script("2.28"),
        chroot_build.smoke_script(),
        chroot_build.test_script(),
    ],
    ids=["python", "build", "smoke", "tests"],
)
def test_every_script_it_runs_in_the_chroot_is_valid_shell(script: str) -> None:
    result = subprocess.run(
        ["bash", "-n", "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_the_python_recipe_is_rebuilt_only_when_it_changes() -> None:
    first = chroot_build.python_script(2)
    assert first == chroot_build.python_script(2)
    assert first != chroot_build.python_script(4)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc symbol versions")
def test_the_math_functions_link_to_their_glibc_2_28_versions(tmp_path: Path) -> None:
    """The header the Python build is compiled with makes exp, log and pow bind to the versions
    older glibc has (2.29 gave them new ones), as objdump shows for a program built with it."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.fail("no C compiler: dev.py installs build-essential")
    arch = subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()
    base = chroot_build.GLIBC_BASE_VERSION[arch]
    header = tmp_path / "old.h"
    subprocess.run(
        ["bash", "-euo", "pipefail", "-c", chroot_build.old_glibc_header_script(str(header))],
        check=True,
    )
    source = tmp_path / "m.c"
    source.write_text(
        "#include <math.h>\n#include <stdio.h>\n#include <stdlib.h>\n"
        "int main(int c, char **v) { double x = atof(v[1]);\n"
        ' printf("%f\\n", exp(x) + log(x) + pow(x, x) + exp2(x) + log2(x)); return 0; }\n'
    )
    program = tmp_path / "m"
    subprocess.run(
        [compiler, "-O2", "-include", str(header), str(source), "-o", str(program), "-lm"],
        check=True,
    )
    symbols = subprocess.run(
        ["objdump", "-T", str(program)], capture_output=True, text=True, check=True
    ).stdout
    versions = {
        line.split()[-1]: line.split()[-2].strip("()")
        for line in symbols.splitlines()
        if line.split() and line.split()[-1] in chroot_build.OLD_MATH_SYMBOLS
    }
    assert versions == dict.fromkeys(chroot_build.OLD_MATH_SYMBOLS, base), symbols
    assert subprocess.run(
        [str(program), "2"], capture_output=True, text=True, check=True
    ).stdout.strip()
