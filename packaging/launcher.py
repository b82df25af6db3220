"""The frozen program's entry point: the `target-monitor` command (desktop.cli:main)."""

import sys

from desktop.cli import main

if __name__ == "__main__":
    sys.exit(main())
