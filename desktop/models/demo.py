"""Demo figures: a plausible year of monthly reports, for trying the product and for pictures.

`create_demo` writes a *new* database file: the bundled plan, a demo mark in `schema_meta`,
and for every indicator a report for each month from the plan's first month to `through`,
following its 序时进度 at a pace drawn per indicator (ahead, on track, lagging, seriously
lagging, or silent in the last month), so the lights show every colour. The figures are
generated, never taken from anywhere; the mark makes the window title, the printed documents
and the workbooks say so. The bundled seed and existing files are never touched.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from desktop.models.database import write_meta
from desktop.models.edits import EntryEdit, unreported
from desktop.models.errors import TargetMonitorError
from desktop.models.kinds import IndicatorKind, MilestoneState
from desktop.models.locations import bundled_seed_path
from desktop.models.opening import open_database
from desktop.models.periods import month_number, parse_period, period_of
from desktop.models.records import IndicatorInfo
from desktop.models.schema import Entry
from desktop.models.service import EntryService
from desktop.models.store import DEMO_KEY, Database
from desktop.models.workspace import PlanWorkspace, default_period

DEMO_USER = "演示数据"
NOTE_PREFIX = "【演示】"
DEFAULT_SEED = 2025

# Units counted in whole numbers: a demo never reports 12.4 projects.
WHOLE_UNITS = frozenset({"个", "项", "户", "家", "座", "条", "所", "人", "台", "套"})


@dataclass(frozen=True)
class Pace:
    """How an indicator advances against its 序时进度 (1.0 = exactly on it)."""

    name: str
    low: float
    high: float
    weight: float
    silent_last_month: bool = False


PACES = (
    Pace("ahead", 1.02, 1.15, 0.20),
    Pace("on track", 0.90, 1.00, 0.40),
    Pace("lagging", 0.62, 0.80, 0.20),
    Pace("seriously lagging", 0.20, 0.38, 0.12),
    Pace("silent", 0.88, 1.00, 0.08, silent_last_month=True),
)

PROGRESS_NOTES = (
    "按月调度推进,{month}完成阶段性任务。",
    "已召开专题推进会,{month}工作按计划推进。",
    "牵头单位逐项跟踪,{month}新增项目已入库。",
    "{month}组织现场调研,协调解决项目推进中的具体问题。",
)
PROBLEMS = (
    "项目前期手续办理较慢;下步加强部门协调,压茬推进。",
    "部分企业投资意愿不足;下步开展政策宣讲,一企一策跟踪服务。",
    "资金到位滞后;下步争取上级资金支持,加快拨付进度。",
)


@dataclass(frozen=True)
class DemoInfo:
    path: Path
    first: str
    through: str
    indicators: int
    entries: int


def create_demo(
    path: Path,
    *,
    through: str | None = None,
    seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
    clock: Callable[[], dt.datetime] | None = None,
) -> DemoInfo:
    """A new database at `path` holding the plan and demo figures up to `through` (by default
    the current month, kept within the plan's months). Written under a temporary name and
    renamed into place, so `path` is either absent or complete."""
    if path.exists():
        raise TargetMonitorError(
            f"{path} already exists; demo figures go into a new file only "
            "(choose another name, or delete that file first)"
        )
    if not path.parent.is_dir():
        raise TargetMonitorError(f"{path.parent}: no such folder")
    seed_path = bundled_seed_path()
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(seed_path, temporary)
        database = open_database(temporary)
        try:
            info = fill_demo(database, through=through, seed=seed, today=today, clock=clock)
        finally:
            database.close()
        os.replace(temporary, path)
    except OSError as error:
        reason = error.strerror or str(error)
        raise TargetMonitorError(
            f"{path}: the demo database could not be written ({reason})"
        ) from None
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{temporary}{suffix}").unlink(missing_ok=True)
    return DemoInfo(path, info.first, info.through, info.indicators, info.entries)


def fill_demo(
    database: Database,
    *,
    through: str | None = None,
    seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
    clock: Callable[[], dt.datetime] | None = None,
) -> DemoInfo:
    """Mark `database` as demo and write the demo figures into it (one transaction each)."""
    workspace = PlanWorkspace(database)
    with database.read() as session:
        entries = session.scalar(select(func.count()).select_from(Entry))
    if workspace.demo or entries:
        raise TargetMonitorError(
            f"{database.path} already holds figures; demo figures go into an empty plan only"
        )
    plan = workspace.plan
    last = through or default_period(plan.start, plan.end, today or dt.date.today())
    parse_period(last)
    if last not in workspace.months:
        raise TargetMonitorError(
            f"{last} is outside the plan's months ({workspace.months[0]} to {workspace.months[-1]})"
        )
    months = workspace.months[: workspace.months.index(last) + 1]
    now = (clock or dt.datetime.now)()
    with database.write() as session:
        mark = f"demo figures generated {now:%Y-%m-%d %H:%M}, {months[0]} to {last}, seed {seed}"
        write_meta(session, DEMO_KEY, mark)
    rng = random.Random(seed)
    edits: list[EntryEdit] = []
    for indicator in workspace.indicators.values():
        pace = rng.choices(PACES, weights=[p.weight for p in PACES])[0]
        edits.extend(_indicator_edits(indicator, months, pace, plan.start, rng))
    EntryService(database, DEMO_USER, clock=clock).apply(edits)
    return DemoInfo(database.path, months[0], last, len(workspace.indicators), len(edits))


def _indicator_edits(
    indicator: IndicatorInfo,
    months: tuple[str, ...],
    pace: Pace,
    start: dt.date,
    rng: random.Random,
) -> list[EntryEdit]:
    """One indicator's monthly reports at its pace."""
    first = month_number(period_of(start))
    span = max(1, month_number(period_of(indicator.due)) - first + 1)
    speed = rng.uniform(pace.low, pace.high)
    level_start = rng.uniform(0.4, 0.7) * speed  # a level indicator's January, share of target
    reported = months[:-1] if pace.silent_last_month else months
    done_at = rng.randint(5, span + 3)  # the month a milestone is finished (may be past due)
    started_at = rng.randint(1, 4) if speed >= 0.8 else rng.randint(3, 8)
    edits = []
    previous = 0.0
    for period in reported:
        step = month_number(period) - first + 1
        fraction = min(1.0, step / span)
        fields: dict[str, object]
        if indicator.is_milestone:
            if step >= done_at and speed >= 0.8:
                state = MilestoneState.DONE
            elif step >= started_at:
                state = MilestoneState.IN_PROGRESS
            else:
                state = MilestoneState.NOT_STARTED
            fields = {"milestone_state": state}
        else:
            value = _value(indicator, fraction, speed, level_start, rng)
            if indicator.baseline is None and indicator.kind is IndicatorKind.CUMULATIVE:
                value = max(value, previous)  # a running total never falls
            previous = value
            fields = {"value": value}
        month = f"{parse_period(period)[1]}月"
        fields["progress_note"] = NOTE_PREFIX + rng.choice(PROGRESS_NOTES).format(month=month)
        if speed < 0.85:
            fields["problems"] = NOTE_PREFIX + rng.choice(PROBLEMS)
        edits.append(EntryEdit(indicator.id, period, fields, unreported(fields)))
    return edits


def _value(
    indicator: IndicatorInfo, fraction: float, speed: float, level_start: float, rng: random.Random
) -> float:
    """The figure for the share `fraction` of the indicator's time, at `speed`."""
    assert indicator.target is not None
    target = indicator.target
    noise = rng.uniform(0.93, 1.05)
    if indicator.baseline is not None:
        value = indicator.baseline + (target - indicator.baseline) * fraction * speed * noise
    elif indicator.kind is IndicatorKind.CUMULATIVE:
        value = target * fraction * speed * noise
    else:  # a level: already part of the way in January, reaching `speed` × target at the end
        value = target * (level_start + (speed - level_start) * fraction) * noise
    if indicator.unit == "%":
        value = min(value, 100.0)
    if indicator.unit in WHOLE_UNITS:
        return float(round(value))
    return round(value, 1)
