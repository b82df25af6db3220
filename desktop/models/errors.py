"""Errors a user may meet, each with a message fit to show as it is (no traceback needed)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path


class TargetMonitorError(Exception):
    """Base of every foreseeable failure; `str(error)` is the one-line message for the user."""


class DatabaseOpenError(TargetMonitorError):
    """The database file cannot be used: missing, damaged, locked, foreign or too new."""


class DatabaseDamagedError(DatabaseOpenError):
    """The file is a SQLite database whose structure SQLite's own checks find broken."""

    def __init__(self, path: Path, problems: tuple[str, ...]) -> None:
        shown = "; ".join(problems[:3]) + (
            f"; … {len(problems) - 3} more" if len(problems) > 3 else ""
        )
        super().__init__(f"{path}: the database file is damaged ({shown})")
        self.path = path
        self.problems = problems


class DatabaseReadError(TargetMonitorError):
    """The database could not be read (locked too long, damaged where it was read)."""


class DatabaseWriteError(TargetMonitorError):
    """A change could not be saved (a full or failing disk, a lock held too long): none of it was
    written."""


class PlanSourceError(TargetMonitorError):
    """The plan's source file (TOML) is malformed or inconsistent."""


class InvalidEntryError(TargetMonitorError):
    """A value, state or note that the rules refuse (negative, wrong kind, unknown month…)."""


class BatchStateError(InvalidEntryError):
    """An import batch that cannot be taken back or applied again as asked; `reason` says why
    (one of the class's reasons), so that a window can say it in its own language."""

    MISSING = "missing"  # no such batch
    APPLIED = "applied"  # applied already (asked to apply it again)
    UNDONE = "undone"  # undone already (asked to undo it)
    ENTRY_GONE = "entry_gone"  # an entry it wrote no longer exists

    def __init__(self, batch_id: int, reason: str) -> None:
        messages = {
            self.MISSING: f"there is no import batch {batch_id}",
            self.APPLIED: f"import batch {batch_id} is applied already",
            self.UNDONE: f"import batch {batch_id} has been undone already",
            self.ENTRY_GONE: f"an entry of import batch {batch_id} no longer exists; "
            "nothing changed",
        }
        super().__init__(messages[reason])
        self.batch_id = batch_id
        self.reason = reason


class PlanStateError(InvalidEntryError):
    """Figures written into a plan that takes none: a draft (its targets are being written)
    or a closed plan (read-only until a manager reopens it). `state` is the plan's state's
    value, so that a window can say it in its own language."""

    def __init__(self, code: str, state: str) -> None:
        why = (
            "is a draft; figures are entered once it is active"
            if state == "draft"
            else "is closed; a manager reopens it to change its figures"
        )
        super().__init__(f"plan {code} {why}; nothing was written")
        self.code = code
        self.state = state


class PlanChangeError(InvalidEntryError):
    """A change of a plan's life refused: `reason` (one of the class's reasons) and `facts`
    say why, so that a window can say it in its own language."""

    PENDING = "pending"  # targets still 待定: facts["codes"]
    EXISTS = "exists"  # facts["code"] names a plan that exists
    BAD_CODE = "bad_code"  # facts["code"] is no plan code
    HAS_FIGURES = "has_figures"  # an active plan with figures cannot go back to draft
    NOT_DRAFT = "not_draft"  # only a draft's targets are set this way
    MILESTONE = "milestone"  # a milestone has a date, no target
    MOVE = "move"  # facts["from"] → facts["to"] is no move a plan makes

    def __init__(self, reason: str, message: str, **facts: object) -> None:
        super().__init__(message)
        self.reason = reason
        self.facts = facts


@dataclass(frozen=True)
class EditProblem:
    """One rule a plan edit breaks: the field it concerns, which rule (a PlanEditError
    reason), the English message, and the facts a window words it with."""

    field: str
    reason: str
    message: str
    facts: Mapping[str, object] = dataclass_field(default_factory=dict)


class PlanEditError(InvalidEntryError):
    """A change of a plan's structure refused by its rules; nothing was changed. `problems`
    name each field and rule, so that a form can mark the field and say it in its language."""

    REQUIRED = "required"  # the field is empty
    TOO_LONG = "too_long"  # facts["most"] characters
    DUPLICATE = "duplicate"  # facts["code"] is another node's or indicator's of the plan
    NAME_TAKEN = "name_taken"  # facts["name"] is another department's name or short name
    TARGET_IS_BASELINE = "target_is_baseline"  # nothing to achieve
    DUE_OUTSIDE = "due_outside"  # facts["start"], facts["end"]: the plan's days
    BASELINE_AFTER_DUE = "baseline_after_due"
    UNIT_KIND = "unit_kind"  # facts["unit"], facts["kind"]
    PLACE = "place"  # facts["kind"] cannot hang under facts["under"] ("plan" for the top)
    ARCHIVED_PLACE = "archived_place"  # its parent or measure is archived
    FIGURE = "figure"  # facts["problem"]: a FigureProblem's value
    THRESHOLDS = "thresholds"  # the own thresholds contradict the plan's
    FACT = "fact"  # facts["fact"]: a plan source FactProblem's value
    MILESTONE_FIGURE = "milestone_figure"  # a milestone has no numeric target or baseline
    PENDING = "pending"  # an active plan's numeric target cannot be 待定
    KIND_WITH_FIGURES = "kind_with_figures"  # its figures would lose their meaning
    HOLDS = "holds"  # facts["what"]: "figures", "children" or "references"
    CLOSED = "closed"  # facts["code"]: the plan is 已结束
    MERGED = "merged"  # facts["name"]: the department was merged into another
    SELF_MERGE = "self_merge"
    DATE = "date"  # facts["text"] is no date (a form's field)

    def __init__(self, problems: Sequence[EditProblem]) -> None:
        super().__init__("; ".join(problem.message for problem in problems))
        self.problems = tuple(problems)


class NotYoursError(TargetMonitorError):
    """A write the person's role does not allow (on the server: a 填报员's other department)."""


class StaleSettingsError(TargetMonitorError):
    """A plan's light settings are no longer what the manager saw: someone changed them
    meanwhile (the message shows both); nothing was written."""


class NothingToImport(TargetMonitorError):
    """An import that would change nothing: no batch is recorded."""


class OperationCancelled(TargetMonitorError):
    """The user cancelled a long operation before it changed anything."""


class StaleEditError(TargetMonitorError):
    """A field holds something other than what the writer saw: someone changed it meanwhile.

    Values are as the audit trail writes them (text, None for nothing).
    """

    def __init__(
        self,
        message: str,
        *,
        code: str,
        indicator_id: int,
        period: str,
        field: str,
        current_value: str | None,
        expected_value: str | None,
        attempted_value: str | None,
        changed_by: str | None = None,
        changed_at: dt.datetime | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.indicator_id = indicator_id
        self.period = period
        self.field = field
        self.current_value = current_value
        self.expected_value = expected_value
        self.attempted_value = attempted_value
        self.changed_by = changed_by
        self.changed_at = changed_at

    def retold(self, message: str) -> StaleEditError:
        """The same refusal with another message (an undo or a batch tells it its way)."""
        return StaleEditError(
            message,
            code=self.code,
            indicator_id=self.indicator_id,
            period=self.period,
            field=self.field,
            current_value=self.current_value,
            expected_value=self.expected_value,
            attempted_value=self.attempted_value,
            changed_by=self.changed_by,
            changed_at=self.changed_at,
        )


# What a value or a link this program cannot make sense of raises when it is read or used (a
# date that is no date, text where a number belongs, a number beyond any range, nothing where
# a value is required: AttributeError on None).
UNREADABLE = (ValueError, TypeError, LookupError, ArithmeticError, AttributeError)
