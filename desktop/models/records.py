"""The records a plan is read as: plans, departments, nodes, indicators and entries.

Each field of a record is named after its table's ORM attribute, so the columns a query selects
are derived from the fields (`columns`) and a row becomes a record without a second list of
names. What the plan document says of a node or an indicator (`NodeFacts`, `IndicatorFacts`) is
declared once here and shared with the plan source (`desktop.models.plan_source`); the
snapshots of `desktop.models.overview` hold these records instead of copying their fields.
"""

from __future__ import annotations

import datetime as dt
import enum
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Final, NamedTuple, TypeVar, get_type_hints

from desktop.models.errors import TargetMonitorError
from desktop.models.kinds import (
    DepartmentBasis,
    Direction,
    IndicatorKind,
    MilestoneState,
    NodeKind,
    PlanState,
    TextBasis,
)

if TYPE_CHECKING:
    from _typeshed import DataclassInstance
    from sqlalchemy.orm import InstrumentedAttribute

    from desktop.models.schema import Base

# Marks a field that is worked out while reading (a node's children): it has no column.
_COMPUTED: Final = "computed"


def columns(
    record: type[DataclassInstance], table: type[Base]
) -> tuple[InstrumentedAttribute[Any], ...]:
    """The ORM attributes of `table` that `record` is read from, in the order of its fields."""
    return tuple(getattr(table, f.name) for f in fields(record) if not f.metadata.get(_COMPUTED))


R = TypeVar("R")


def records_from_rows(record: type[R], rows: Iterable[Sequence[Any]]) -> list[R]:
    """Records from rows of stored values as the driver returns them (or as kept as JSON):
    text for dates and kinds, 0 and 1 for booleans. A value that is none of its kind raises
    ValueError or LookupError (the caller reports the data as unreadable)."""
    return [record(*row) for row in typed_rows(record, rows)]


def typed_rows(record: type[Any], rows: Iterable[Sequence[Any]]) -> list[tuple[Any, ...]]:
    """The rows' stored values as `record`'s stored fields hold them (see records_from_rows)."""
    convert = _converters(record)
    rows = list(rows)
    if any(len(row) != len(convert) for row in rows):
        raise ValueError(f"a {record.__name__} row has not {len(convert)} values")
    if not rows:
        return []
    # column by column: a plan's thousands of rows have few columns to convert
    values = list(zip(*rows, strict=True))
    for column, one in enumerate(convert):
        if one is not None:
            values[column] = tuple(map(one, values[column]))
    return list(zip(*values, strict=True))


_Converters = tuple[Callable[[Any], Any] | None, ...]
_CONVERTERS: dict[type[Any], _Converters] = {}


def _converters(record: type[Any]) -> _Converters:
    """For each stored field of `record`, what makes its stored value the field's type (None:
    nothing to do), from the field's annotation."""
    if record in _CONVERTERS:
        return _CONVERTERS[record]
    hints = get_type_hints(record)
    convert: list[Callable[[Any], Any] | None] = []
    for item in fields(record):
        if item.metadata.get(_COMPUTED):
            continue
        kind = hints[item.name]
        optional = isinstance(kind, types.UnionType) and type(None) in kind.__args__
        if optional:
            kind = next(k for k in kind.__args__ if k is not type(None))
        one: Callable[[Any], Any] | None = None
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            one = _member_of(kind)
        elif kind is dt.date:
            one = _date
        elif kind is bool:
            one = as_boolean
        if one is not None and optional:
            one = _or_none(one)
        convert.append(one)
    _CONVERTERS[record] = tuple(convert)
    return _CONVERTERS[record]


def _member_of(kind: type[enum.Enum]) -> Callable[[Any], Any]:
    members = {member.value: member for member in kind}
    return members.__getitem__  # a value of no member: KeyError


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise TypeError(f"{value!r} is no date")
    return dt.date.fromisoformat(value)


def as_boolean(value: Any) -> bool:
    if value not in (0, 1):  # True and False too
        raise ValueError(f"{value!r} is no boolean")
    return bool(value)


def _or_none(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else convert(value)


def stored_fields(record: type[DataclassInstance]) -> tuple[str, ...]:
    """The names of the fields of `record` that are read from columns."""
    return tuple(f.name for f in fields(record) if not f.metadata.get(_COMPUTED))


def shared_fields(record: DataclassInstance, base: type[DataclassInstance]) -> dict[str, Any]:
    """The values of the fields `record` has from `base`, by name: keyword arguments for the ORM."""
    return {f.name: getattr(record, f.name) for f in fields(base)}


@dataclass(frozen=True, slots=True)
class PlanInfo:
    id: int
    code: str
    title: str
    year: int
    start: dt.date
    end: dt.date
    source: str
    state: PlanState
    lead_department_id: int | None


@dataclass(frozen=True, slots=True)
class DepartmentInfo:
    id: int
    name: str
    short_name: str


@dataclass(frozen=True, slots=True)
class NodeFacts:
    """What the plan document says of a project, task or measure."""

    code: str
    title: str
    quote: str
    note: str
    editor_title: bool  # the title paraphrases the source (its quote is the source's words)


@dataclass(frozen=True, slots=True)
class NodeInfo(NodeFacts):
    id: int
    kind: NodeKind
    department_id: int
    parent_id: int | None
    source: str
    child_ids: tuple[int, ...] = field(metadata={_COMPUTED: True})
    indicator_ids: tuple[int, ...] = field(metadata={_COMPUTED: True})


@dataclass(frozen=True, slots=True)
class IndicatorFacts:
    """What the plan document says of an indicator: its target, baseline, due date and weight."""

    code: str
    name: str
    unit: str
    kind: IndicatorKind
    direction: Direction
    target: float | None
    stretch_target: float | None
    baseline: float | None
    baseline_date: dt.date | None
    due: dt.date
    weight: float
    quote: str
    note: str
    # whether the source names the responsible department, and the clause that does
    department_basis: DepartmentBasis
    department_quote: str
    quantity: str | None  # the same real-world quantity in other plans shares this key
    done_when: str  # when a milestone counts as 已完成
    done_when_basis: TextBasis  # the source's wording, or the editor's
    baseline_date_inferred: bool  # the source gives the baseline's value, not its date

    @property
    def is_milestone(self) -> bool:
        return self.kind is IndicatorKind.MILESTONE


@dataclass(frozen=True, slots=True)
class IndicatorInfo(IndicatorFacts):
    id: int
    measure_id: int
    baseline_source: str | None  # the cited document and quote the baseline comes from
    department_id: int
    yellow_threshold: float | None
    red_threshold: float | None
    source: str


class EntryInfo(NamedTuple):
    """What the assessment needs of an entry; notes and provenance are read on demand.

    Built from the workspace's figure matrix, not from a row, hence `state` for the ORM's
    `milestone_state`.
    """

    value: float | None
    state: MilestoneState | None
    version: int

    @property
    def reported(self) -> float | MilestoneState | None:
        return self.state if self.state is not None else self.value


def archived_subtrees(nodes: Sequence[tuple[bool, int, int | None]]) -> set[int]:
    """The nodes (archived, id, parent id) that are archived or lie below an archived one."""
    parent = {node_id: parent_id for _, node_id, parent_id in nodes}
    archived = {node_id for is_archived, node_id, _ in nodes if is_archived}
    return {node_id for node_id in parent if _below(node_id, archived, parent)}


def _below(node_id: int, marked: set[int], parent: Mapping[int, int | None]) -> bool:
    """Whether a node or one above it is marked (a circle of parents ends the search)."""
    current: int | None = node_id
    for _ in range(len(parent) + 1):
        if current is None:
            return False
        if current in marked:
            return True
        current = parent.get(current)
    return False


def plan_span_problem(code: str, start: dt.date, end: dt.date) -> str | None:
    """What is wrong with a plan's start and end dates; None if nothing."""
    if end < start:
        return f"plan {code}: ends ({end.isoformat()}) before it starts ({start.isoformat()})"
    return None


def choose_plan(plans: Sequence[PlanInfo], code: str | None, today: dt.date) -> PlanInfo:
    """The plan of this code; without one, the plan whose period holds today (a draft only
    when no other does), else the newest one."""
    if code is not None:
        chosen = next((plan for plan in plans if plan.code == code), None)
        if chosen is None:
            known = ", ".join(plan.code for plan in plans)
            raise TargetMonitorError(f"no plan with code '{code}' (the database has {known})")
        return chosen
    current = [plan for plan in plans if plan.start <= today <= plan.end]
    current.sort(key=lambda plan: plan.state is PlanState.DRAFT)
    return current[0] if current else plans[0]
