"""An edit of an entry as the window and the importer make it (`EntryEdit`), and the checks of
what it may hold: the light part of the writer (desktop.models.service), which the window uses
before the database layer has loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from desktop.models.errors import InvalidEntryError
from desktop.models.figures import VALUE_MAX, FigureError, figure_in_range, format_figure
from desktop.models.kinds import MilestoneState
from desktop.models.text import clean

# Longest text accepted for a progress note or a problems note (characters).
NOTE_MAX_LENGTH = 2000

# What each field of an entry holds before anything was entered.
FIELD_DEFAULTS: Mapping[str, object] = {
    "value": None,
    "milestone_state": None,
    "progress_note": "",
    "problems": "",
}


@dataclass(frozen=True)
class EntryEdit:
    """One entry's fields to set, and what the writer saw in each of them.

    Fields: "value" (numeric indicators), "milestone_state" (milestones), "progress_note",
    "problems"; None clears a value or state. `expected` holds, for every field set, the value
    the writer saw there (FIELD_DEFAULTS for a month nobody has reported yet).
    """

    indicator_id: int
    period: str
    fields: Mapping[str, object]
    expected: Mapping[str, object]

    def reversed(self) -> EntryEdit:
        """The edit that takes this one back (undo), expecting what this one wrote."""
        return EntryEdit(self.indicator_id, self.period, self.expected, self.fields)


def unreported(fields: Iterable[str]) -> dict[str, object]:
    """What a month nobody has reported holds in these fields (an edit's `expected`)."""
    return {name: FIELD_DEFAULTS[name] for name in fields}


def audit_text(value: object) -> str | None:
    """How a field's value is written into the audit trail."""
    if value is None:
        return None
    if isinstance(value, MilestoneState):
        return value.value
    if isinstance(value, float):
        return repr(value)
    return str(value)


def shown(value: object) -> str:
    """A field's value in a message: a figure as people write it, "nothing" for none."""
    if value is None or value == "":
        return "nothing"
    if isinstance(value, MilestoneState):
        return value.value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_figure(float(value))
    return str(value)


def validate_value(value: object) -> float | None:
    """A figure as the database keeps it; InvalidEntryError for anything else."""
    if value is None:
        return None
    try:
        return figure_in_range(value, repr(value))
    except FigureError as error:
        raise InvalidEntryError(
            f"{error.text} is not a valid value (a number from 0 to {VALUE_MAX:.0e})"
        ) from None


def validate_note(text: object) -> str:
    if not isinstance(text, str):
        raise InvalidEntryError(f"{text!r} is not text")
    text = clean(text).strip()
    if len(text) > NOTE_MAX_LENGTH:
        raise InvalidEntryError(
            f"the note has {len(text)} characters; at most {NOTE_MAX_LENGTH} are kept"
        )
    return text
