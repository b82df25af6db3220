"""PyInstaller runtime hook: programs the frozen application starts get the user's environment.

On Linux the bootloader puts the bundle's folder first on LD_LIBRARY_PATH so the program finds
its libraries. The dynamic linker has read it by the time this runs, so it can be put back: a
file manager or PDF viewer the program opens must not load the bundle's copies of libraries.
"""

import os
import sys

if sys.platform.startswith("linux") and getattr(sys, "frozen", False):
    original = os.environ.pop("LD_LIBRARY_PATH_ORIG", None)
    if original is None:
        os.environ.pop("LD_LIBRARY_PATH", None)
    else:
        os.environ["LD_LIBRARY_PATH"] = original
