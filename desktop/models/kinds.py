"""The kinds of things the plans hold (a node's kind, an indicator's, a milestone's state, a
plan's state, …) as the program names them: plain enums whose values are what the file stores.

Apart from the ORM schema (desktop.models.schema), which stores them, so that the window and the
records use them without loading the database layer.
"""

from __future__ import annotations

import enum


class NodeKind(enum.StrEnum):
    PROJECT = "project"
    TASK = "task"
    MEASURE = "measure"


class IndicatorKind(enum.StrEnum):
    CUMULATIVE = "cumulative"
    LEVEL = "level"
    MILESTONE = "milestone"


class Direction(enum.StrEnum):
    AT_LEAST = "at_least"
    AT_MOST = "at_most"


class MilestoneState(enum.StrEnum):
    NOT_STARTED = "未启动"
    IN_PROGRESS = "推进中"
    DONE = "已完成"


class ParentLight(enum.StrEnum):
    """Where a project's, task's or measure's light comes from (a plan setting)."""

    ROLLUP = "rollup"  # its own roll-up completion against its own 序时进度
    WORST = "worst"  # the worst light among its children


class PlanState(enum.StrEnum):
    """Where a plan is in its life (schema 4)."""

    DRAFT = "draft"  # 草稿: its structure is being written; no figures yet
    ACTIVE = "active"  # 执行中: figures are entered; its structure changes only by a manager
    CLOSED = "closed"  # 已结束: read-only unless reopened


class DepartmentBasis(enum.StrEnum):
    """Whether an indicator's responsible department is named by its source (schema 4)."""

    NAMED = "named"  # the source sentence names it (department_quote holds the clause)
    INFERRED = "inferred"  # the editor's reading: the department whose remit the subject is


class TextBasis(enum.StrEnum):
    """Whether a wording is the source's own or the editor's (schema 4)."""

    TEXT = "text"  # copied from the source document
    EDITOR = "editor"  # the editor's wording where the document says nothing


class EntryOrigin(enum.StrEnum):
    MANUAL = "manual"
    IMPORT = "import"


class BatchState(enum.StrEnum):
    APPLIED = "applied"
    UNDONE = "undone"
