"""The Qt user interface: widgets, item models, delegates, charts, dialogs and printing."""

from __future__ import annotations

import sys
from types import ModuleType

import PySide6  # noqa: F401 (loads the module whose question is answered faster below)


def _answer_feature_question_from_bytes() -> None:
    """PySide6 asks of every module imported after it whether its source mentions "PySide6"
    (whether `from __feature__ import …` may switch it), through `inspect.getsource`: the file
    decoded line by line into linecache, about 30 ms for the 190 modules a start imports.
    The same question asked of the file's bytes takes 3 ms; anything but a source file gets
    PySide's own answer. Applied only where PySide still asks this way."""
    feature = sys.modules.get("shibokensupport.feature")
    asks = getattr(feature, "_mod_uses_pyside", None)
    if asks is None or getattr(asks, "reads_bytes", False):
        return

    def uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                with open(path, "rb") as source:
                    return b"PySide6" in source.read()
            except OSError:
                pass
        return bool(asks(module))

    uses_pyside.reads_bytes = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = uses_pyside  # type: ignore[union-attr]


_answer_feature_question_from_bytes()
