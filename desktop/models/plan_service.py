"""Writes a plan's life: next year's plan made from this one, and a plan moved between 草稿,
执行中 and 已结束. Like the entry service (desktop.models.service), each call is one transaction,
audited, and checked against what its author saw.

Next year's plan copies the structure and the departments of this one; each level
indicator's (a stock or a share) baseline becomes its last reported figure, dated at the end of
its month, with the source "YYYY年MM月填报值"; a count of the year starts again from zero, last
year's figure said in its note; every numeric target is left 待定 (None) for the manager to
fill, and a plan with a 待定 target cannot become 执行中. No figure is copied.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.models.changes import Changes
from desktop.models.errors import InvalidEntryError, PlanChangeError, StaleSettingsError
from desktop.models.figures import FigureError, figure_in_range, format_figure
from desktop.models.kinds import IndicatorKind, PlanState
from desktop.models.records import archived_subtrees
from desktop.models.schema import AuditEvent, Entry, Indicator, Node, Plan
from desktop.models.service import Writer
from desktop.models.store import Database

# How a plan may move: a draft becomes active once its targets are set; an active plan is
# closed at its end; a closed one is reopened (to correct a late figure). An active plan with
# figures never goes back to draft: its structure is no longer the editor's alone.
MOVES = {
    PlanState.DRAFT: {PlanState.ACTIVE},
    PlanState.ACTIVE: {PlanState.CLOSED, PlanState.DRAFT},
    PlanState.CLOSED: {PlanState.ACTIVE},
}
_PLAN_FIELDS = (
    "title",
    "source",
    "declared_projects",
    "declared_tasks",
    "declared_measures",
    "yellow_points",
    "red_points",
    "parent_light",
    "lead_department_id",
)
_NODE_FIELDS = ("kind", "code", "title", "department_id", "sort_order", "source", "quote", "note")
_INDICATOR_FIELDS = (
    "code",
    "name",
    "unit",
    "kind",
    "direction",
    "department_id",
    "weight",
    "yellow_threshold",
    "red_threshold",
    "sort_order",
    "source",
    "quote",
    "note",
    "department_basis",
    "department_quote",
    "quantity",
    "done_when",
    "done_when_basis",
)


def next_year(day: dt.date) -> dt.date:
    """The same day a year on (29 February becomes 28 February)."""
    last = calendar.monthrange(day.year + 1, day.month)[1]
    return day.replace(year=day.year + 1, day=min(day.day, last))


def next_code(code: str, year: int) -> str:
    """The code of next year's plan: its year replaced ("SY2025-MIS" → "SY2026-MIS"), else the
    new year added ("CITY" → "CITY-2026")."""
    if str(year) in code:
        return code.replace(str(year), str(year + 1), 1)
    return f"{code}-{year + 1}"


def reported_text(period: str) -> str:
    """The source of a baseline taken from a report: "2025年12月填报值"."""
    year, month = period.split("-")
    return f"{year}年{int(month):02d}月填报值"


def month_end(period: str) -> dt.date:
    year, month = (int(part) for part in period.split("-"))
    return dt.date(year, month, calendar.monthrange(year, month)[1])


class PlanService(Writer):
    """Writes plans on behalf of one user (a manager); every write is audited."""

    def next_year_plan(self, code: str, *, new_code: str | None = None) -> str:
        """Make next year's plan from plan `code`, as a draft; returns its code."""
        with self._database.write_plans() as session:
            source = _plan(session, code)
            made = new_code.strip() if new_code else next_code(source.code, source.year)
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,31}", made):
                raise PlanChangeError(
                    PlanChangeError.BAD_CODE,
                    f"'{made}' is no plan code: letters, digits, '-', '_' and '.', at most 32",
                    code=made,
                )
            if session.scalar(select(Plan.id).where(Plan.code == made)) is not None:
                raise PlanChangeError(
                    PlanChangeError.EXISTS, f"there is a plan {made} already", code=made
                )
            plan = Plan(
                code=made,
                year=source.year + 1,
                start=next_year(source.start),
                end=next_year(source.end),
                state=PlanState.DRAFT,
                settings_version=1,
                **{name: getattr(source, name) for name in _PLAN_FIELDS},
            )
            session.add(plan)
            session.flush()
            latest = _latest_reports(session, source.id)
            copied: dict[int, Node] = {}
            every_node = session.scalars(
                select(Node).where(Node.plan_id == source.id).order_by(Node.id)
            ).all()
            # what the editor archived stays behind with its figures
            hidden = archived_subtrees([(n.archived, n.id, n.parent_id) for n in every_node])
            nodes = [node for node in every_node if node.id not in hidden]
            for node in _parents_first(nodes):
                copy = Node(
                    plan_id=plan.id,
                    parent_id=None if node.parent_id is None else copied[node.parent_id].id,
                    editor_title=node.editor_title,
                    **{name: getattr(node, name) for name in _NODE_FIELDS},
                )
                session.add(copy)
                session.flush()
                copied[node.id] = copy
            indicators = [
                indicator
                for indicator in session.scalars(
                    select(Indicator)
                    .where(Indicator.plan_id == source.id, Indicator.archived.is_(False))
                    .order_by(Indicator.id)
                )
                if indicator.measure_id not in hidden
            ]
            for indicator in indicators:
                reported = latest.get(indicator.id)
                fields = {name: getattr(indicator, name) for name in _INDICATOR_FIELDS}
                if indicator.kind is IndicatorKind.CUMULATIVE and reported is not None:
                    # a count of the year starts again from zero: last year's figure is said
                    period, value = reported
                    said = (
                        f"上年实绩 {format_figure(value)}{indicator.unit}({reported_text(period)})"
                    )
                    fields["note"] = "; ".join(text for text in (indicator.note, said) if text)
                session.add(
                    Indicator(
                        plan_id=plan.id,
                        measure_id=copied[indicator.measure_id].id,
                        target=None,  # 待定: the manager sets next year's targets
                        stretch_target=None,
                        due=next_year(indicator.due),
                        **_baseline(indicator, reported),
                        **fields,
                    )
                )
            session.flush()
            self._audit(session, plan.id, "created", source.code, made)
        return made

    def set_state(self, code: str, state: PlanState, *, expected: PlanState) -> Changes:
        """Move plan `code` to `state`, expecting it to be in `expected` (what the manager saw).
        A draft becomes active only when none of its numeric targets is 待定."""
        with self._database.write_plans() as session:
            plan = _plan(session, code)
            if plan.state is not expected and plan.state is not state:
                raise StaleSettingsError(
                    f"plan {code} was moved by someone else in the meantime: it is "
                    f"{plan.state.value} now, not {expected.value}. Nothing was changed."
                )
            if plan.state is state:
                return Changes()
            if state not in MOVES[plan.state]:
                raise PlanChangeError(
                    PlanChangeError.MOVE,
                    f"plan {code} cannot go from {plan.state.value} to {state.value}",
                    code=code,
                    old=plan.state,
                    new=state,
                )
            if state is PlanState.ACTIVE and plan.state is PlanState.DRAFT:
                _refuse_pending(session, plan)
            if state is PlanState.DRAFT and _has_figures(session, plan.id):
                raise PlanChangeError(
                    PlanChangeError.HAS_FIGURES,
                    f"plan {code} holds figures: it goes back to draft only while it has none",
                    code=code,
                )
            self._write_audited(
                session, plan, [("state", plan.state, state)], entity="plan", entity_id=plan.id
            )
        return Changes(everything=True)

    def set_target(
        self, code: str, indicator: str, target: float | None, *, expected: float | None
    ) -> Changes:
        """Set a draft plan's numeric target (None: back to 待定), expecting `expected`."""
        if target is not None:
            try:
                target = figure_in_range(target)
            except FigureError as error:
                raise InvalidEntryError(f"{indicator}: the target {error}") from None
        with self._database.write_plans() as session:
            plan = _plan(session, code)
            if plan.state is not PlanState.DRAFT:
                raise PlanChangeError(
                    PlanChangeError.NOT_DRAFT,
                    f"plan {code} is {plan.state.value}: its targets change in the plan editor",
                    code=code,
                )
            row = session.scalar(
                select(Indicator).where(Indicator.plan_id == plan.id, Indicator.code == indicator)
            )
            if row is None:
                raise InvalidEntryError(f"plan {code} has no indicator {indicator}")
            if row.kind is IndicatorKind.MILESTONE:
                raise PlanChangeError(
                    PlanChangeError.MILESTONE,
                    f"{indicator} is a milestone: it has a date, no target",
                    code=indicator,
                )
            if row.target not in (expected, target):
                raise StaleSettingsError(
                    f"the target of {indicator} was changed by someone else in the meantime: "
                    f"it is {_shown(row.target)} now, not {_shown(expected)}. "
                    "Nothing was overwritten."
                )
            if row.target == target:
                return Changes()
            self._write_audited(
                session,
                row,
                [("target", row.target, target)],
                entity="indicator",
                entity_id=row.id,
                indicator_id=row.id,
            )
        return Changes(everything=True)

    def _audit(self, session: Session, plan_id: int, field: str, old: str, new: str) -> None:
        """An event of the plan that sets no field of it (its creation)."""
        session.add(
            AuditEvent(
                at=self._clock(),
                user=self._user,
                entity="plan",
                entity_id=plan_id,
                indicator_id=None,
                field=field,
                old_value=old,
                new_value=new,
            )
        )


def target_of(database: Database, code: str, indicator: str) -> tuple[float | None, str]:
    """A plan's indicator's target (None: 待定) and unit, as a manager sees them now."""
    with database.read() as session:
        row = session.execute(
            select(Indicator.target, Indicator.unit)
            .join(Plan, Indicator.plan_id == Plan.id)
            .where(Plan.code == code, Indicator.code == indicator)
        ).first()
    if row is None:
        raise InvalidEntryError(f"plan {code} has no indicator {indicator}")
    return row.target, row.unit


def _shown(target: float | None) -> str:
    return "待定" if target is None else format_figure(target)


def _plan(session: Session, code: str) -> Plan:
    plan = session.scalar(select(Plan).where(Plan.code == code))
    if plan is None:
        raise InvalidEntryError(f"there is no plan {code}")
    return plan


def _parents_first(nodes: Sequence[Node]) -> list[Node]:
    """The nodes with each parent before its children."""
    ordered: list[Node] = []
    placed: set[int] = set()
    waiting = list(nodes)
    while waiting:
        ready = [n for n in waiting if n.parent_id is None or n.parent_id in placed]
        if not ready:
            raise InvalidEntryError("the plan's nodes do not form a tree; `check` says where")
        ordered += ready
        placed.update(n.id for n in ready)
        waiting = [n for n in waiting if n.id not in placed]
    return ordered


def _latest_reports(session: Session, plan_id: int) -> dict[int, tuple[str, float]]:
    """Each numeric indicator's last reported figure of the plan, with its month."""
    last = (
        select(Entry.indicator_id, func.max(Entry.period).label("period"))
        .join(Indicator, Entry.indicator_id == Indicator.id)
        .where(Indicator.plan_id == plan_id, Entry.value.is_not(None))
        .group_by(Entry.indicator_id)
        .subquery()
    )
    rows = session.execute(
        select(Entry.indicator_id, Entry.period, Entry.value).join(
            last, (Entry.indicator_id == last.c.indicator_id) & (Entry.period == last.c.period)
        )
    )
    return {row.indicator_id: (row.period, row.value) for row in rows}


def _baseline(indicator: Indicator, latest: tuple[str, float] | None) -> dict[str, object]:
    """Next year's baseline of an indicator: a level's (a stock, a share) last reported
    figure; none for a count of the year, which starts again from zero, for a milestone, and
    for an indicator never reported."""
    none: dict[str, object] = {
        "baseline": None,
        "baseline_date": None,
        "baseline_source": None,
        "baseline_date_inferred": False,
    }
    if indicator.kind is not IndicatorKind.LEVEL or latest is None:
        return none
    period, value = latest
    return {
        "baseline": value,
        "baseline_date": month_end(period),
        "baseline_source": reported_text(period),
        "baseline_date_inferred": False,
    }


def _refuse_pending(session: Session, plan: Plan) -> None:
    pending = session.scalars(
        select(Indicator.code)
        .where(Indicator.plan_id == plan.id)
        .where(Indicator.kind != IndicatorKind.MILESTONE, Indicator.target.is_(None))
        .order_by(Indicator.sort_order, Indicator.id)
    ).all()
    if pending:
        shown = "、".join(pending[:5]) + (f" 等 {len(pending)} 个" if len(pending) > 5 else "")
        raise PlanChangeError(
            PlanChangeError.PENDING,
            f"plan {plan.code} cannot become active: the targets of {shown} are 待定",
            code=plan.code,
            codes=tuple(pending),
        )


def _has_figures(session: Session, plan_id: int) -> bool:
    found = session.scalar(
        select(Entry.id)
        .join(Indicator, Entry.indicator_id == Indicator.id)
        .where(Indicator.plan_id == plan_id)
        .limit(1)
    )
    return found is not None
