"""Build the Linux bundle and .deb inside Debian 11, so the package also installs on UOS 20 and
Kylin V10.

    sudo python3 packaging/chroot_build.py [--root DIR] [--dist DIR] [--skip-tests]

A bundle needs at least the glibc its binaries were linked against (packaging/README.md), so a
build on a current system does not start on the older UOS and Kylin releases offices run. This
script makes the build on Debian 11 (bullseye, glibc 2.31) in a chroot, with parts chosen for
glibc 2.28 (Debian 10, which UOS 20 is based on), and proves it:

1. debootstrap a minimal bullseye into --root (kept: later runs reuse it);
2. Python 3.11 built there with --enable-shared from Debian 12's source package: upstream 3.11.2
   with the fixes Debian added to it since (its patches from the first security fix on; Debian's
   own layout patches are left out). Debian's archive signs what apt-get source fetches;
3. a virtual environment with the versions in constraints.txt, except PySide6 6.9.2, the newest
   with wheels for glibc 2.28 (later ones need 2.34);
4. packaging/build.py --deb --max-glibc 2.28: the build stops if any binary needs more;
5. the .deb installed with apt in the chroot, which must find every dependency in bullseye's
   archive, then started from /usr/bin: --version, tree and the window offscreen, as a user
   with an empty home;
6. tests/test_packaging.py in the chroot (unless --skip-tests).

It needs root (debootstrap, chroot, mount), debootstrap, and a Debian mirror: debootstrap's
default, or --mirror. The first run takes about 15 minutes on two cores, later runs about 8.
The .deb is copied to --dist (default build/bullseye/).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SUITE = "bullseye"
SOURCE_SUITE = "bookworm"  # Debian 12: Python 3.11 and SQLite, with the fixes applied since
PYTHON = "3.11"
PYSIDE = "6.9.2"
MAX_GLIBC = "2.28"
PREFIX = "/opt/python"  # where Python is built, inside the chroot
WORK = "/build"  # the chroot's work folder: sources, the venv, the build
BUILD_PACKAGES = [
    "build-essential",
    "ca-certificates",
    "dpkg-dev",
    "binutils",
    "desktop-file-utils",
    "xz-utils",
    "pkg-config",
    "libsqlite3-dev",
    "libffi-dev",
    "zlib1g-dev",
    "libbz2-dev",
    "liblzma-dev",
    "libexpat1-dev",
    "libssl-dev",  # pip fetches over HTTPS; the bundle leaves OpenSSL out
    "uuid-dev",
    "tcl",  # SQLite's build generates its amalgamation with it
    # Qt draws the .deb's icons during the build: its libraries, offscreen.
    "libgl1",
    "libegl1",
    "libfontconfig1",
    "libxkbcommon0",
    "libdbus-1-3",
    "libglib2.0-0",
]


def say(message: str) -> None:
    print(f"[chroot-build] {message}", flush=True)


def pinned_for_chroot(constraints: str, pyside: str = PYSIDE) -> str:
    """constraints.txt with the Qt for Python packages set to `pyside`."""
    pattern = re.compile(r"^(PySide6[-_]Essentials|PySide6|shiboken6)==\S+$", re.IGNORECASE)
    lines = []
    replaced = set()
    for line in constraints.splitlines():
        match = pattern.match(line.strip())
        if match:
            replaced.add(match.group(1).lower().replace("-", "_"))
        lines.append(f"{match.group(1)}=={pyside}" if match else line)
    missing = {"pyside6_essentials", "shiboken6"} - replaced
    if missing:
        raise ValueError(f"constraints.txt pins no {', '.join(sorted(missing))}")
    return "\n".join(lines) + "\n"


# Symbols glibc 2.29 gave new versions (faster, no errno); linking to the old ones keeps
# libpython and the math modules at glibc 2.28. Base versions per architecture.
OLD_MATH_SYMBOLS = ("exp", "exp2", "log", "log2", "pow")
GLIBC_BASE_VERSION = {"amd64": "GLIBC_2.2.5", "arm64": "GLIBC_2.17"}


def python_script(jobs: int) -> str:
    """Shell, run in the chroot: SQLite and Python from Debian 12's source packages, into PREFIX.

    A marker holding this recipe lets a later run skip the build, and redo it when the recipe
    changes."""
    body = f"""
rm -rf {PREFIX} {WORK}/python && mkdir -p {WORK}/python && cd {WORK}/python
uri=$(awk '$1 == "deb" {{print $2; exit}}' /etc/apt/sources.list)
echo "deb-src $uri {SOURCE_SUITE} main" > /etc/apt/sources.list.d/debian-12-source.list
apt-get update -qq
apt-get source --download-only -qq sqlite3 python{PYTHON}
count=0
apply_patches() {{  # FOLDER [FIRST]: Debian's patches in series order, from FIRST on
  local started= name
  while read -r name; do
    case "$name" in ''|'#'*) continue ;; "${{2:-}}"*) started=1 ;; esac
    [ -n "$started" ] || continue
    patch -p1 --quiet --forward < "$1/$name" || {{ echo "patch $name failed"; return 1; }}
    count=$((count + 1))
  done < "$1/series"
}}
{old_glibc_header_script(f"{WORK}/python/old-glibc-symbols.h")}
old_glibc="-include {WORK}/python/old-glibc-symbols.h"

# SQLite, with every patch Debian 12 has for it (the system's would need glibc 2.29).
mkdir sqlite sqlite-debian
tar xJf sqlite3_*.orig.tar.xz -C sqlite --strip-components=1
tar xJf sqlite3_*.debian.tar.xz -C sqlite-debian
(cd sqlite && apply_patches ../sqlite-debian/debian/patches)
(cd sqlite && ./configure --prefix={PREFIX} --disable-tcl --disable-static \\
  CFLAGS="-O2 $old_glibc" > ../sqlite-configure.log && make -j{jobs} > ../sqlite-make.log 2>&1 \\
  && make install > ../sqlite-install.log)

# Python: upstream 3.11.2 and Debian's patches from its first security fix on; the ones before
# change Debian's file layout.
mkdir python-debian
tar xzf python{PYTHON}_*.orig.tar.gz
tar xJf python{PYTHON}_*.debian.tar.xz -C python-debian
cd Python-{PYTHON}.*/
apply_patches ../python-debian/debian/patches CVE-
echo "applied $count of Debian's patches"
# Debian builds pyexpat into libpython; as a shared module its security fix needs this.
grep -q Py_BUILD_CORE Modules/pyexpat.c || \\
  sed -i '1i #ifndef Py_BUILD_CORE_BUILTIN\\n#  define Py_BUILD_CORE_MODULE 1\\n#endif' \\
  Modules/pyexpat.c
# sem_clockwait is glibc 2.30; Python falls back to sem_timedwait without it.
PKG_CONFIG_PATH={PREFIX}/lib/pkgconfig ./configure --prefix={PREFIX} --enable-shared \\
  ac_cv_func_sem_clockwait=no CFLAGS="$old_glibc" \\
  LDFLAGS="-L{PREFIX}/lib -Wl,-rpath,{PREFIX}/lib" > ../configure.log
make -j{jobs} > ../make.log 2>&1
make install > ../install.log 2>&1
{PREFIX}/bin/python{PYTHON} -c 'import ssl, pyexpat, ctypes, lzma, bz2, zlib, math, sqlite3
print("Python", ssl.sys.version.split()[0], "with SQLite", sqlite3.sqlite_version)'
"""
    recipe = hashlib.sha256(body.encode()).hexdigest()[:16]
    return f"""
if [ "$(cat {PREFIX}/.recipe 2>/dev/null)" = {recipe} ]; then
  echo "Python {PYTHON} already built in {PREFIX}"; exit 0
fi
{body}
echo {recipe} > {PREFIX}/.recipe
"""


def old_glibc_header_script(header: str) -> str:
    """Shell writing the C header (at `header`) that binds OLD_MATH_SYMBOLS to their base
    versions for this machine's architecture; SQLite and Python are compiled with it."""
    rules = ";".join(f"s/^{arch}$/{version}/" for arch, version in GLIBC_BASE_VERSION.items())
    return f"""base=$(dpkg --print-architecture | sed {shlex.quote(rules)})
for name in {" ".join(OLD_MATH_SYMBOLS)}; do
  printf '__asm__(".symver %s,%s@%s");\\n' "$name" "$name" "$base"
done > {header}"""


def build_script(max_glibc: str) -> str:
    """Shell, run in the chroot: the venv, the build and its .deb."""
    return f"""
cd {WORK}/src
[ -x {WORK}/venv/bin/python ] || {PREFIX}/bin/python{PYTHON} -m venv {WORK}/venv
{WORK}/venv/bin/python -m pip install -q --upgrade pip
{WORK}/venv/bin/python -m pip install -q -c {WORK}/constraints.txt -e '.[dev]'
{WORK}/venv/bin/python -c 'import PySide6; print("PySide6", PySide6.__version__)'
rm -rf {WORK}/out
{WORK}/venv/bin/python packaging/build.py --deb --dist {WORK}/out --max-glibc {max_glibc}
"""


def smoke_script() -> str:
    """Shell, run in the chroot: install the .deb with apt and start the program as a new user."""
    return f"""
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq {WORK}/out/*.deb > {WORK}/apt-install.log
home=$(mktemp -d)
run() {{
  env -i PATH=/usr/bin:/bin HOME="$home" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen "$@"
}}
run target-monitor --version
run target-monitor tree > {WORK}/tree.txt
head -3 {WORK}/tree.txt
started=$(date +%s)
run target-monitor --exit-after 3000 2> {WORK}/window.err
if grep -v 'does not support propagateSizeHints' {WORK}/window.err; then
  echo "the window wrote warnings"; exit 1
fi
echo "the window ran $(( $(date +%s) - started )) s and closed cleanly"
"""


def test_script() -> str:
    return f"""
cd {WORK}/src
{WORK}/venv/bin/python -m pytest -q -p no:cacheprovider tests/test_packaging.py
"""


@contextlib.contextmanager
def mounted(root: Path) -> Iterator[None]:
    """/proc and /dev inside the chroot for as long as it is used, unmounted even on failure."""
    points = []
    try:
        for kind, target in (("proc", "proc"), ("bind", "dev")):
            point = root / target
            if os.path.ismount(point):
                continue
            if kind == "proc":
                subprocess.run(["mount", "-t", "proc", "proc", str(point)], check=True)
            else:
                subprocess.run(["mount", "--rbind", "/dev", str(point)], check=True)
            points.append(point)
        yield
    finally:
        for point in reversed(points):
            subprocess.run(["umount", "--recursive", "--lazy", str(point)], check=False)


# How this machine reaches the package index, handed on to pip in the chroot (an office
# network's proxy or mirror); paths into this machine's file system are not.
NETWORK_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_TRUSTED_HOST",
    "PIP_DEFAULT_TIMEOUT",
)
LOCAL_CERTIFICATES = Path("/usr/local/share/ca-certificates")


def trust_local_certificates(root: Path) -> None:
    """The certificate authorities this machine added to its own (an office proxy's, say), added
    to the chroot's, so pip there trusts what pip here trusts."""
    target = root / LOCAL_CERTIFICATES.relative_to("/")
    if LOCAL_CERTIFICATES.is_dir():
        shutil.copytree(LOCAL_CERTIFICATES, target, dirs_exist_ok=True)
    in_chroot(root, "update-ca-certificates > /dev/null", "this machine's certificate authorities")


def in_chroot(root: Path, script: str, title: str) -> None:
    say(title)
    started = time.monotonic()
    env = {
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": "/root",
        "LANG": "C.UTF-8",
        "DEBIAN_FRONTEND": "noninteractive",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        # pip trusts its own copy of the public authorities unless told to use the system's.
        "PIP_CERT": "/etc/ssl/certs/ca-certificates.crt",
        **{name: os.environ[name] for name in NETWORK_VARIABLES if name in os.environ},
    }
    result = subprocess.run(
        ["chroot", str(root), "/bin/bash", "-euo", "pipefail", "-c", script], env=env, check=False
    )
    if result.returncode != 0:
        sys.exit(f"[chroot-build] failed: {title} (exit {result.returncode}); see the output above")
    say(f"  {time.monotonic() - started:.0f} s")


def bootstrap(root: Path, mirror: str | None) -> None:
    if (root / "etc" / "debian_version").is_file():
        say(f"reusing the {SUITE} system in {root}")
        return
    if not shutil.which("debootstrap"):
        sys.exit("[chroot-build] needs debootstrap: apt-get install debootstrap")
    say(f"debootstrap {SUITE} into {root} (a minute or two)")
    command = [
        "debootstrap",
        "--variant=minbase",
        f"--include={','.join(BUILD_PACKAGES)}",
        SUITE,
        str(root),
    ]
    if mirror:
        command.append(mirror)
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    shutil.copyfile("/etc/resolv.conf", root / "etc" / "resolv.conf")


def copy_sources(root: Path) -> None:
    """The project's tracked files (or the tree, less local folders) into WORK/src."""
    target = root / WORK.lstrip("/") / "src"
    if target.exists():
        shutil.rmtree(target)
    if (ROOT / ".git").exists() and shutil.which("git"):
        listed = subprocess.run(
            ["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True
        ).stdout.decode()
        for name in filter(None, listed.split("\0")):
            source = ROOT / name
            if source.is_file():
                (target / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target / name)
    else:
        shutil.copytree(
            ROOT, target, ignore=shutil.ignore_patterns(".git", ".venv", "build", "__pycache__")
        )
    constraints = (ROOT / "constraints.txt").read_text(encoding="utf-8")
    (root / WORK.lstrip("/") / "constraints.txt").write_text(
        pinned_for_chroot(constraints), encoding="utf-8"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--root",
        type=Path,
        default=Path("/var/tmp/target-monitor-bullseye"),
        help="the chroot (created if missing; about 2 GB)",
    )
    parser.add_argument(
        "--dist", type=Path, default=ROOT / "build" / SUITE, help="where the .deb goes"
    )
    parser.add_argument("--mirror", help="Debian mirror for debootstrap (default: its own)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="make -j")
    parser.add_argument(
        "--skip-tests", action="store_true", help="leave out tests/test_packaging.py"
    )
    args = parser.parse_args(argv)
    if not sys.platform.startswith("linux"):
        parser.error("this builds in a Debian chroot: run it on Linux")
    if os.geteuid() != 0:
        parser.error("debootstrap, chroot and mount need root: run it with sudo")
    started = time.monotonic()
    root = args.root.resolve()
    bootstrap(root, args.mirror)
    copy_sources(root)
    with mounted(root):
        in_chroot(
            root,
            f"apt-get install -y -qq {shlex.join(BUILD_PACKAGES)} > /dev/null",
            "the build tools",
        )
        trust_local_certificates(root)
        in_chroot(root, python_script(args.jobs), f"Python {PYTHON} (about 4 minutes, once)")
        in_chroot(root, build_script(MAX_GLIBC), f"the bundle and .deb, PySide6 {PYSIDE}")
        in_chroot(root, smoke_script(), "installing the .deb with apt and starting it")
        if not args.skip_tests:
            in_chroot(root, test_script(), "tests/test_packaging.py")
    debs = sorted((root / WORK.lstrip("/") / "out").glob("*.deb"))
    args.dist.mkdir(parents=True, exist_ok=True)
    for deb in debs:
        shutil.copy2(deb, args.dist / deb.name)
        say(f"deb: {args.dist / deb.name} ({deb.stat().st_size / 1_000_000:.1f} MB)")
    say(f"runs on glibc {MAX_GLIBC} and later; done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
