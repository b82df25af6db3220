"""Text people type or paste (from Word, WPS, a web page), made safe to keep: every kind of line
break made a plain one, and the control characters that no workbook, XML file or printed page
can hold taken out."""

from __future__ import annotations

import re

# Word's line break inside a paragraph is U+000B; Windows and old Macs end lines with \r.
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# C0 controls but tab and line feed, DEL, lone surrogates and the two non-characters XML
# forbids (openpyxl refuses the C0 ones with IllegalCharacterError).
_UNKEEPABLE = re.compile("[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """The text with plain line breaks and without characters that cannot be kept."""
    return _UNKEEPABLE.sub("", _LINE_BREAKS.sub("\n", text))
