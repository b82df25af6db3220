"""The ORM schema: plans, departments, the node tree, indicators, entries, audit and imports."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from desktop.models.kinds import (
    BatchState,
    DepartmentBasis,
    Direction,
    EntryOrigin,
    IndicatorKind,
    MilestoneState,
    NodeKind,
    ParentLight,
    PlanState,
    TextBasis,
)

# Stable constraint names, so that migrations can refer to them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every table of the application."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    """A portable string column restricted to the values of `cls` by a CHECK constraint."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda members: [m.value for m in members],
    )


class SchemaMeta(Base):
    """Key/value facts about the database itself, such as its schema version."""

    __tablename__ = "schema_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Plan(Base):
    """A plan document turned into data, e.g. the 2025 "6 projects, 12 tasks, 30 measures"."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    year: Mapped[int]
    # Attributes are named like the fields of desktop.models.records; columns keep their names.
    start: Mapped[dt.date] = mapped_column("start_date", Date)
    end: Mapped[dt.date] = mapped_column("end_date", Date)
    source: Mapped[str] = mapped_column(Text)
    # The shape the document announces ("6 projects, 12 key tasks, 30 measures"), checked.
    declared_projects: Mapped[int]
    declared_tasks: Mapped[int]
    declared_measures: Mapped[int]
    # How the lights are set (schema 3): the points behind the 序时进度 that turn a light yellow
    # and red (an indicator may override them), where a parent's light comes from, and the
    # version of these settings, checked like an entry's when a manager changes them.
    yellow_points: Mapped[float] = mapped_column(Float, default=10.0, server_default="10.0")
    red_points: Mapped[float] = mapped_column(Float, default=30.0, server_default="30.0")
    parent_light: Mapped[ParentLight] = mapped_column(
        _enum(ParentLight, "parent_light"),
        default=ParentLight.ROLLUP,
        server_default=ParentLight.ROLLUP.value,
    )
    settings_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    state: Mapped[PlanState] = mapped_column(
        _enum(PlanState, "plan_state"), default=PlanState.ACTIVE, server_default="active"
    )
    # The department that leads the plan (the bureau that announced it), if the source says.
    lead_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))

    lead_department: Mapped[Department | None] = relationship()
    nodes: Mapped[list[Node]] = relationship(back_populates="plan", order_by="Node.sort_order")


class Department(Base):
    """A city department that leads nodes and reports indicators."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    short_name: Mapped[str] = mapped_column(String(32), unique=True)
    # The department this one was merged into (schema 5): it keeps its name for the history
    # (import batches, closed plans) but takes no new part in a plan.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))


class Node(Base):
    """A project (工程), key task (重点任务) or specific measure (具体举措) of a plan."""

    __tablename__ = "nodes"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("nodes.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[NodeKind] = mapped_column(_enum(NodeKind, "node_kind"))
    code: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    sort_order: Mapped[int]
    source: Mapped[str] = mapped_column(Text)
    quote: Mapped[str] = mapped_column(Text)
    # The editor's remarks, and whether the title paraphrases the source (schema 4).
    note: Mapped[str] = mapped_column(Text, default="", server_default="")
    editor_title: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Taken out of the plan by its editor (schema 5): kept, with everything below it, so that
    # the figures of its indicators stay readable; restored by the editor.
    archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    plan: Mapped[Plan] = relationship(back_populates="nodes")
    department: Mapped[Department] = relationship()
    parent: Mapped[Node | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Node]] = relationship(back_populates="parent", order_by="Node.sort_order")
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="measure", order_by="Indicator.sort_order"
    )


class Indicator(Base):
    """A measurable commitment of a measure: a target with unit, due date and owner."""

    __tablename__ = "indicators"
    # A code is unique within its plan: next year's plan has a 1.1.1-1 of its own (schema 4).
    __table_args__ = (UniqueConstraint("plan_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The plan of its measure, held here too so that the database keeps codes unique per plan.
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("nodes.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(16))
    kind: Mapped[IndicatorKind] = mapped_column(_enum(IndicatorKind, "indicator_kind"))
    direction: Mapped[Direction] = mapped_column(_enum(Direction, "direction"))
    target: Mapped[float | None] = mapped_column(Float)
    stretch_target: Mapped[float | None] = mapped_column(Float)
    baseline: Mapped[float | None] = mapped_column(Float)
    baseline_date: Mapped[dt.date | None] = mapped_column(Date)
    baseline_source: Mapped[str | None] = mapped_column(Text)
    # Named like IndicatorInfo.due (desktop.models.records); the column keeps its name.
    due: Mapped[dt.date] = mapped_column("due_date", Date)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    yellow_threshold: Mapped[float | None] = mapped_column(Float)
    red_threshold: Mapped[float | None] = mapped_column(Float)
    sort_order: Mapped[int]
    source: Mapped[str] = mapped_column(Text)
    quote: Mapped[str] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    department_basis: Mapped[DepartmentBasis] = mapped_column(
        _enum(DepartmentBasis, "department_basis"),
        default=DepartmentBasis.INFERRED,
        server_default="inferred",
    )
    department_quote: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The same real-world quantity in several plans (the years side by side in a chart).
    quantity: Mapped[str | None] = mapped_column(String(64))
    # When a milestone counts as 已完成, and whether that is the source's wording or ours.
    done_when: Mapped[str] = mapped_column(Text, default="", server_default="")
    done_when_basis: Mapped[TextBasis] = mapped_column(
        _enum(TextBasis, "done_when_basis"), default=TextBasis.TEXT, server_default="text"
    )
    # The source gives the baseline's value but not its date: the date is the editor's reading.
    baseline_date_inferred: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # Taken out of the plan by its editor (schema 5): an indicator with figures is never
    # deleted; archived, it leaves the tree, the lights and the templates, its history kept.
    archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    plan: Mapped[Plan] = relationship()
    measure: Mapped[Node] = relationship(back_populates="indicators")
    department: Mapped[Department] = relationship()
    entries: Mapped[list[Entry]] = relationship(back_populates="indicator", order_by="Entry.period")


class ImportBatch(Base):
    """One applied (or undone) import of a department's returned Excel template."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    period: Mapped[str] = mapped_column(String(7))
    user: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    rows: Mapped[int]
    state: Mapped[BatchState] = mapped_column(_enum(BatchState, "batch_state"))
    # Who filled the file in, as its 填报人 and 联系电话 cells say (schema 2).
    reporter: Mapped[str] = mapped_column(Text, default="", server_default="")
    phone: Mapped[str] = mapped_column(Text, default="", server_default="")


class Entry(Base):
    """One indicator's report for one month: value or milestone state, notes, and provenance."""

    __tablename__ = "entries"
    __table_args__ = (UniqueConstraint("indicator_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicators.id", ondelete="CASCADE"), index=True
    )
    period: Mapped[str] = mapped_column(String(7))
    value: Mapped[float | None] = mapped_column(Float)
    milestone_state: Mapped[MilestoneState | None] = mapped_column(
        _enum(MilestoneState, "milestone_state")
    )
    progress_note: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")
    reported_by: Mapped[str] = mapped_column(String(64))
    reported_at: Mapped[dt.datetime] = mapped_column(DateTime)
    origin: Mapped[EntryOrigin] = mapped_column(_enum(EntryOrigin, "entry_origin"))
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False)

    indicator: Mapped[Indicator] = relationship(back_populates="entries")

    # The ORM adds "AND version = ?" to every UPDATE: a second line of defence behind the
    # service's explicit check of the version the user saw.
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class AuditEvent(Base):
    """One changed field: who changed what, when, from which value to which, in which batch."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    user: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int]
    indicator_id: Mapped[int | None] = mapped_column(
        ForeignKey("indicators.id", ondelete="SET NULL"), index=True
    )
    period: Mapped[str | None] = mapped_column(String(7))
    field: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
