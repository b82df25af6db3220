"""Files the user keeps (exported PDFs and workbooks), written beside their place and renamed
into it, so that a failed or cancelled run never leaves half a file."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

_ATTEMPTS = 100


def new_file_beside(path: Path, suffix: str) -> Path:
    """An empty file of a name no other file has, in `path`'s folder, to be renamed to `path`.

    Unlike tempfile.mkstemp's private 0600, it gets the permissions any program's new file gets
    (0666 less the user's umask, applied by the system): a colleague, the office's file server
    or a backup reads an exported document as it reads any other of the user's files.
    OSError (a folder that cannot be written) is the caller's to report.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(_ATTEMPTS):
        candidate = path.with_name(f".{path.stem}-{secrets.token_hex(4)}{suffix}")
        try:
            handle = os.open(candidate, flags, 0o666)
        except FileExistsError:
            continue
        os.close(handle)
        return candidate
    raise FileExistsError(f"{path.parent}: no free temporary name after {_ATTEMPTS} tries")
