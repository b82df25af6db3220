"""The `target-monitor` command: the window by default, sub-commands for work without one.

Exit codes: 0 success, 1 refused input or a problem found (one line on stderr, nothing
changed), 2 a usage error.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TextIO

from desktop import __version__
from desktop.models.errors import DatabaseDamagedError, TargetMonitorError
from desktop.models.figures import format_figure
from desktop.models.kinds import DepartmentBasis, IndicatorKind, NodeKind, PlanState
from desktop.models.locations import (
    DATABASE_ENV,
    DatabaseLocation,
    bundled_seed_path,
    ensure_database_file,
    network_share,
    resolve_location,
    source_checkout_path,
)
from desktop.models.overview import IndicatorView, NodeView, PlanView, evaluate_plan
from desktop.models.periods import parse_period
from desktop.models.records import IndicatorInfo
from desktop.models.server import ServerAddress, server_address_in
from desktop.models.status_rule import Status
from desktop.models.store import Database, describe_failure, open_quickly
from desktop.models.workspace import PlanWorkspace
from desktop.presentation.status_sheet import SupervisionNotice, build_documents
from desktop.presentation.wording import (
    DEMO_LABEL,
    PLAN_STATE_WORDS,
    STATUS_ORDER,
    STATUS_WORDS,
    parts_counted,
    percent_text,
    source_text,
    target_text,
)

PROG = "target-monitor"
EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2

_KIND_WORDS = {
    NodeKind.PROJECT: "个工程",
    NodeKind.TASK: "项重点任务",
    NodeKind.MEASURE: "项具体举措",
}


# --- formatting ----------------------------------------------------------------------------


def _target_text(indicator: IndicatorInfo) -> str:
    if indicator.kind is IndicatorKind.MILESTONE or indicator.target is None:
        return f"计划 {indicator.due.isoformat()} 前完成"
    relation = "≤ " if indicator.direction.value == "at_most" else ""
    text = f"目标 {relation}{target_text(indicator, unit=False)}{indicator.unit}"
    if indicator.baseline is not None and indicator.baseline_date is not None:
        text += (
            f"(基线 {format_figure(indicator.baseline)}{indicator.unit},"
            f"{indicator.baseline_date.isoformat()})"
        )
    return text


def _latest_text(indicator: IndicatorView) -> str:
    latest = indicator.latest
    if latest is None:
        return "最新 —"
    if latest.entry.state is not None:
        return f"最新 {latest.entry.state.value}({latest.period})"
    assert latest.entry.value is not None
    return f"最新 {format_figure(latest.entry.value)}{indicator.info.unit}({latest.period})"


def _counts_text(counts: dict[Status, int]) -> str:
    return " · ".join(f"{STATUS_WORDS[status]} {counts.get(status, 0)}" for status in STATUS_ORDER)


def render_tree(view: PlanView, out: TextIO) -> None:
    """The hierarchy as indented text, with targets, latest values and lights."""
    total = view.rollup
    if view.demo:
        out.write(f"【{DEMO_LABEL}】\n")
    out.write(
        f"{view.info.title}  {view.info.start.isoformat()} 至 {view.info.end.isoformat()}"
        f"  数据截至 {view.as_of}  [{view.info.code} · {PLAN_STATE_WORDS[view.info.state]}]\n"
    )
    out.write(
        f"总体完成率 {percent_text(total.completion)}  序时进度 {percent_text(total.expected)}"
        f"  状态 {STATUS_WORDS[total.status]}{parts_counted(total)}"
        f"  ({_counts_text(dict(total.counts))})\n"
    )
    nodes = list(view.nodes())
    shape = " · ".join(
        f"{sum(1 for n in nodes if n.info.kind is kind)} {word}"
        for kind, word in _KIND_WORDS.items()
    )
    out.write(f"{shape} · {sum(1 for _ in view.indicators())} 个指标\n")
    out.write(f"来源:{source_text(view.info.source)}\n\n")
    for project in view.projects:
        _render_node(project, 0, out)


def _render_node(node: NodeView, depth: int, out: TextIO) -> None:
    pad = "  " * depth
    out.write(
        f"{pad}{node.info.code} {node.info.title}  [{node.department.short_name}]"
        f"  完成率 {percent_text(node.rollup.completion)}  {STATUS_WORDS[node.rollup.status]}"
        f"{parts_counted(node.rollup)}\n"
    )
    for indicator in node.indicators:
        out.write(
            f"{pad}  · {indicator.info.code} {indicator.info.name}  {_target_text(indicator.info)}"
            f"  {_latest_text(indicator)}  完成率 {percent_text(indicator.assessment.completion)}"
            f"  {STATUS_WORDS[indicator.assessment.status]}  [{indicator.department.short_name}]\n"
        )
    for child in node.children:
        _render_node(child, depth + 1, out)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _indicator_json(indicator: IndicatorView) -> dict[str, Any]:
    info = indicator.info
    latest = indicator.latest
    forecast = indicator.assessment.forecast
    return {
        "code": info.code,
        "name": info.name,
        "unit": info.unit,
        "kind": info.kind.value,
        "direction": info.direction.value,
        "target": info.target,
        "stretch_target": info.stretch_target,
        "baseline": info.baseline,
        "baseline_date": info.baseline_date.isoformat() if info.baseline_date else None,
        "baseline_source": info.baseline_source,
        "due": info.due.isoformat(),
        "department": indicator.department.name,
        "department_named": info.department_basis is DepartmentBasis.NAMED,
        "department_quote": info.department_quote or None,
        "quantity": info.quantity,
        "weight": info.weight,
        "source": info.source,
        "quote": info.quote,
        "latest": None
        if latest is None
        else {
            "period": latest.period,
            "value": latest.entry.state.value
            if latest.entry.state is not None
            else latest.entry.value,
        },
        "completion": _round(indicator.assessment.completion),
        "expected": _round(indicator.assessment.expected),
        "status": indicator.assessment.status.value,
        "forecast": None
        if forecast is None
        else {
            "value": _round(forecast.value),
            "completion": _round(forecast.completion),
            "misses_target": forecast.misses_target,
        },
    }


def _node_json(node: NodeView) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": node.info.code,
        "kind": node.info.kind.value,
        "title": node.info.title,
        "department": node.department.name,
        "completion": _round(node.rollup.completion),
        "expected": _round(node.rollup.expected),
        "status": node.rollup.status.value,
        "children": [_node_json(child) for child in node.children],
    }
    if node.info.kind is NodeKind.MEASURE:
        data["indicators"] = [_indicator_json(i) for i in node.indicators]
    return data


def tree_json(view: PlanView) -> dict[str, Any]:
    """The `tree --json` document: {"plan": …, "plans": […], "departments": […], "nodes": […]}
    ("plans" lists every plan of the database; --plan CODE chooses the one shown)."""
    return {
        "plan": {
            "code": view.info.code,
            "title": view.info.title,
            "year": view.info.year,
            "start": view.info.start.isoformat(),
            "end": view.info.end.isoformat(),
            "source": view.info.source,
            "as_of": view.as_of,
            "completion": _round(view.rollup.completion),
            "expected": _round(view.rollup.expected),
            "status": view.rollup.status.value,
            "counts": {status.value: view.rollup.counts.get(status, 0) for status in Status},
            "demo": view.demo,
            "state": view.info.state.value,
        },
        "plans": [
            {
                "code": plan.code,
                "title": plan.title,
                "year": plan.year,
                "start": plan.start.isoformat(),
                "end": plan.end.isoformat(),
                "state": plan.state.value,
            }
            for plan in view.plans
        ],
        "departments": [{"name": d.name, "short_name": d.short_name} for d in view.departments],
        "nodes": [_node_json(project) for project in view.projects],
    }


# --- commands ------------------------------------------------------------------------------


NETWORK_WARNING = (
    "{reason}: SQLite cannot share a database between computers safely; "
    "keep it on this computer's disk and exchange templates instead"
)


def _warn_if_shared(path: Path) -> None:
    reason = network_share(path.parent)
    if reason:
        sys.stderr.write(f"{PROG}: warning: {NETWORK_WARNING.format(reason=reason)}\n")


def _open(args: argparse.Namespace, *, check: bool = True) -> Database:
    if (address := _server_named(args)) is not None:
        from desktop.models.server_database import open_server  # noqa: PLC0415 (when used)

        return open_server(address)
    location = _file_location(args)
    args.resolved_db = location.path
    if location.explicit and not location.path.exists():
        raise TargetMonitorError(
            f"{location.path}: no such database file; to start one from the plan: "
            f'{PROG} --db "{location.path}" init'
        )
    path = ensure_database_file(location)
    _warn_if_shared(path)
    if not check and (as_it_is := open_quickly(path)) is not None:
        return as_it_is  # only read, and as this program left it: the database layer waits
    from desktop.models.opening import open_database  # noqa: PLC0415 (when used)

    try:
        return open_database(path, check=check)
    except DatabaseDamagedError as error:
        from desktop.models.backup import damage_report, set_aside  # noqa: PLC0415
        from desktop.models.opening import newest_good_backup  # noqa: PLC0415

        aside = set_aside(path)
        raise TargetMonitorError(
            damage_report(error, aside, newest_good_backup(path), _restore_command(args))
        ) from None


def _plan(args: argparse.Namespace) -> str | None:
    """The plan the command works on (--plan CODE; None: the current one)."""
    code: str | None = getattr(args, "plan", None)
    return code


def _restore_command(args: argparse.Namespace) -> str:
    """How to restore a backup into the database this command used ({file} to fill in)."""
    database = f' --db "{args.db}"' if args.db else ""
    return f"{PROG}{database} restore {{file}}"


def cmd_tree(args: argparse.Namespace, out: TextIO) -> int:
    with _opened(args, reading=True) as database:
        view = evaluate_plan(database, as_of=args.period, plan_code=_plan(args))
    if args.json:
        _write_json(tree_json(view), out)
    else:
        render_tree(view, out)
    return EXIT_OK


def _write_json(document: object, out: TextIO) -> None:
    """JSON for a program, in one piece by the C encoder; indented for a person at a terminal
    (indenting takes Python's encoder, several seconds for a plan of 10,000 indicators)."""
    indent = 2 if out.isatty() else None
    out.write(json.dumps(document, ensure_ascii=False, indent=indent))
    out.write("\n")


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    from desktop.models.integrity import check_database  # noqa: PLC0415 (when used)

    with _opened(args) as database:
        if database.is_server:
            raise TargetMonitorError(
                f"{database.name}: check examines a database file (SQLite's own checks and the "
                f"plan's rules); copy the server's database to one and check that: {PROG} copy-db "
                f'"{database.name}" FILE.sqlite'
            )
        report = check_database(database)
    if report.ok:
        counts = report.counts
        out.write(
            f"ok: {database.path} — integrity_check, foreign_key_check and domain invariants "
            f"passed ({counts['plans']} plan(s), {counts['nodes']} nodes, "
            f"{counts['indicators']} indicators, {counts['entries']} entries)\n"
        )
        return EXIT_OK
    for problem in report.problems:
        out.write(f"problem: {problem}\n")
    raise TargetMonitorError(f"{database.path}: check found {len(report.problems)} problem(s)")


@contextmanager
def _opened(args: argparse.Namespace, *, reading: bool = False) -> Iterator[Database]:
    """The database the command names, closed again whatever happens. A command that only
    reads it (`reading`) skips SQLite's quick check: a scan of the whole file to find damage
    before anything is written (a damaged page it reads is still said to be one)."""
    database = _open(args, check=not reading)
    try:
        yield database
    finally:
        database.close()


def _user(args: argparse.Namespace) -> str:
    if args.user:
        return str(args.user)
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "command line"


def cmd_export_template(args: argparse.Namespace, out: TextIO) -> int:
    from desktop.exchange.template import export_template, export_templates  # noqa: PLC0415

    with _opened(args, reading=True) as database:
        workspace = PlanWorkspace(database, plan_code=_plan(args))
        output = Path(args.output)
        if args.all_departments:
            for info in export_templates(workspace, args.period, output):
                out.write(f"{info.path}: {info.department.name}, {info.rows} indicators\n")
        else:
            if not args.department:
                raise TargetMonitorError("name a --department, or use --all-departments")
            info = export_template(workspace, args.department, args.period, output)
            out.write(
                f"{info.path}: {info.department.name}, {info.period}, {info.rows} indicators\n"
            )
    return EXIT_OK


def cmd_import(args: argparse.Namespace, out: TextIO) -> int:
    from desktop.exchange.importer import apply_import, describe, read_template  # noqa: PLC0415

    with _opened(args) as database:
        workspace = PlanWorkspace(database, plan_code=_plan(args))
        plan = read_template(Path(args.file), workspace)
        applied = plan.cells(prefer_file=args.prefer_file)
        out.write(
            f"{plan.file_name}: {plan.department.name}, {plan.period}, "
            f"{len(applied)} cells to change"
            + (f" ({len(plan.conflicts)} conflicts)" if plan.conflicts else "")
            + "\n"
        )
        for change in plan.changes:
            kept = change.conflict and not args.prefer_file
            out.write(
                f"  {change.where} {change.code} {change.field}: "
                f"{describe(change.old)} → {describe(change.new)}"
                + ("  (kept as in the database)" if kept else "")
                + "\n"
            )
        for warning in plan.warnings:
            out.write(f"  warning: {warning}\n")
        for conflict in plan.conflicts:
            keep = "the file" if args.prefer_file else "the database (use --prefer-file)"
            out.write(
                f"  conflict: {conflict.where} {conflict.code} changed in the database "
                f"since export (now {describe(conflict.database_value)}); keeping {keep}\n"
            )
        if args.dry_run:
            out.write("dry run: nothing was changed\n")
            return EXIT_OK
        if not applied and not plan.conflicts:
            out.write("nothing to import: the file matches the database\n")
            return EXIT_OK
        result = apply_import(plan, workspace, _user(args), prefer_file=args.prefer_file)
        workspace.refresh(result.changes.indicator_ids)
        workspace.keep_arrays()  # the window's next start need not read the rows
        out.write(
            f"imported as batch {result.batch_id}: {result.changes.cells} cells of "
            f"{len(result.changes.indicator_ids)} indicators; backup {result.backup}\n"
        )
    return EXIT_OK


def cmd_export_plan(args: argparse.Namespace, out: TextIO) -> int:
    from desktop.exchange.plan_workbook import export_plan  # noqa: PLC0415

    with _opened(args, reading=True) as database:
        workspace = PlanWorkspace(database, plan_code=_plan(args))
        exported = export_plan(workspace, Path(args.output))
    out.write(
        f"{exported.path}: {workspace.plan.code}, {exported.nodes} projects/tasks/measures, "
        f"{exported.indicators} indicators\n"
    )
    return EXIT_OK


def cmd_import_plan(args: argparse.Namespace, out: TextIO) -> int:
    from desktop.exchange.plan_workbook import read_plan_workbook  # noqa: PLC0415
    from desktop.models.plan_import import (  # noqa: PLC0415 (when used)
        draft_changes,
        import_plan,
        known_departments,
        preview,
        replace_draft,
    )

    with _opened(args) as database:
        draft = read_plan_workbook(Path(args.file), known_departments=known_departments(database))
        if args.into:  # a draft's content replaced
            out.write(f"{Path(args.file).name}: replaces the content of draft plan {args.into}\n")
            lines = draft_changes(database, args.into, draft).lines()
        else:
            out.write(f"{Path(args.file).name}: plan {args.code} (draft) adds\n")
            lines = preview(database, draft).lines()
        for line in lines:
            out.write(f"  {line}\n")
        if args.dry_run:
            out.write("dry run: nothing was changed\n")
            return EXIT_OK
        if args.into:
            changes = replace_draft(database, draft, _user(args), code=args.into)
            out.write(f"draft plan {args.into} replaced: {changes.summary()}\n")
            return EXIT_OK
        plan_id = import_plan(database, draft, _user(args), as_code=args.code)
    out.write(f"imported as plan {args.code} (id {plan_id}), state draft\n")
    return EXIT_OK


# The numbers SQLite can store: a batch number outside them cannot be one (and could not even be
# looked up: the driver raises OverflowError).
_SQLITE_INTEGERS = range(-(2**63), 2**63)


def cmd_undo_import(args: argparse.Namespace, out: TextIO) -> int:
    from desktop.exchange.importer import undo_import  # noqa: PLC0415

    with _opened(args) as database:
        if args.batch not in _SQLITE_INTEGERS:
            raise TargetMonitorError(f"there is no import batch {args.batch}")
        changes = undo_import(
            PlanWorkspace(database, plan_code=_plan(args)), args.batch, _user(args)
        )
    out.write(
        f"import batch {args.batch} undone: {changes.cells} cells of "
        f"{len(changes.indicator_ids)} indicators put back\n"
    )
    return EXIT_OK


def cmd_next_plan(args: argparse.Namespace, out: TextIO) -> int:
    from desktop.models.plan_reads import chosen_plan  # noqa: PLC0415 (when used)
    from desktop.models.plan_service import PlanService  # noqa: PLC0415 (when used)

    with _opened(args) as database:
        source = chosen_plan(database, _plan(args))
        made = PlanService(database, _user(args)).next_year_plan(source.code, new_code=args.code)
        plan = chosen_plan(database, made)
    out.write(
        f"{made}: next year's plan made from {source.code} as a draft "
        f"({plan.start:%Y-%m-%d} to {plan.end:%Y-%m-%d}); its targets are 待定 until set:\n"
        f"  {PROG} --plan {made} set-target CODE VALUE, then {PROG} --plan {made} plan-state "
        "active\n"
    )
    return EXIT_OK


_STATES = {
    "draft": PlanState.DRAFT,
    "草稿": PlanState.DRAFT,
    "active": PlanState.ACTIVE,
    "执行中": PlanState.ACTIVE,
    "closed": PlanState.CLOSED,
    "已结束": PlanState.CLOSED,
}


def cmd_plan_state(args: argparse.Namespace, out: TextIO) -> int:
    from desktop.models.plan_reads import chosen_plan  # noqa: PLC0415 (when used)
    from desktop.models.plan_service import PlanService  # noqa: PLC0415 (when used)

    wanted = _STATES[args.state]
    with _opened(args) as database:
        plan = chosen_plan(database, _plan(args))
        PlanService(database, _user(args)).set_state(plan.code, wanted, expected=plan.state)
    out.write(f"{plan.code}: {plan.state.value} → {wanted.value}\n")
    return EXIT_OK


def cmd_set_target(args: argparse.Namespace, out: TextIO) -> int:
    from desktop.models.plan_reads import chosen_plan  # noqa: PLC0415 (when used)
    from desktop.models.plan_service import (  # noqa: PLC0415 (when used)
        PlanService,
        target_of,
    )

    value = None if args.value in ("待定", "pending") else _figure(args.value)
    with _opened(args) as database:
        code = chosen_plan(database, _plan(args)).code
        expected, unit = target_of(database, code, args.indicator)
        PlanService(database, _user(args)).set_target(
            code, args.indicator, value, expected=expected
        )
    shown = "待定" if value is None else f"{format_figure(value)} {unit}".strip()
    out.write(f"{code} {args.indicator}: target {shown}\n")
    return EXIT_OK


def cmd_archived(args: argparse.Namespace, out: TextIO) -> int:
    """What the plan's editor archived, with each indicator's figures (its history, kept)."""
    from desktop.models.plan_editor import archived_items  # noqa: PLC0415 (when used)
    from desktop.models.plan_reads import chosen_plan  # noqa: PLC0415 (when used)

    with _opened(args) as database:
        plan = chosen_plan(database, _plan(args))
        items = archived_items(database, plan.id)
    if args.json:
        listed = [
            {
                "kind": item.entity,
                "code": item.code,
                "name": item.name,
                "unit": item.unit,
                "figures": [{"period": p, "figure": f} for p, f in item.figures],
            }
            for item in items
        ]
        _write_json({"plan": plan.code, "archived": listed}, out)
        return EXIT_OK
    if not items:
        out.write(f"{plan.code}: nothing is archived\n")
    for item in items:
        figures = "; ".join(f"{p} {f}{item.unit}" for p, f in item.figures) or "no figures"
        out.write(f"{item.code} {item.name} ({item.entity}): {figures}\n")
    return EXIT_OK


def _figure(text: str) -> float:
    try:
        return float(text.replace(",", ""))
    except ValueError:
        raise TargetMonitorError(f"'{text}' is not a number") from None


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def cmd_report(args: argparse.Namespace, out: TextIO) -> int:
    from desktop.exchange.report import write_report  # noqa: PLC0415

    output = Path(args.output)
    suffix = output.suffix.lower()
    if suffix not in (".xlsx", ".pdf"):
        raise TargetMonitorError(f"{output}: the report is written as .xlsx or .pdf")
    if suffix == ".xlsx" and (args.department or args.node or args.documents != "all"):
        raise TargetMonitorError(
            "--department, --node and --documents choose what the PDF prints; "
            "the workbook always covers the whole plan"
        )
    with _opened(args, reading=True) as database:
        workspace = PlanWorkspace(database, plan_code=_plan(args), as_of=args.period)
        if suffix == ".xlsx":
            info = write_report(workspace, output)
            out.write(
                f"{info.path}: status as of {info.as_of}, {info.indicators} indicators, "
                f"{info.sheets} sheets\n"
            )
            return EXIT_OK
        documents = build_documents(
            workspace,
            node_id=workspace.node_coded(args.node).id if args.node else None,
            department=workspace.department_named(args.department) if args.department else None,
            sheet=args.documents in ("all", "sheet"),
            notices=args.documents in ("all", "notices"),
        )
        if not documents:
            out.write(f"nothing to print: no indicator is behind as of {workspace.as_of}\n")
            return EXIT_OK
        # Qt only here, and only now: the other commands start without it.
        from desktop.ui.printing import headless_application, write_pdf  # noqa: PLC0415

        headless_application()
        pdf = write_pdf(output, documents)
    notices = sum(1 for d in documents if isinstance(d, SupervisionNotice))
    out.write(
        f"{pdf.path}: status as of {workspace.as_of}, {_count(pdf.pages, 'page')} "
        f"({_count(pdf.documents - notices, 'status sheet')}, "
        f"{_count(notices, 'supervision notice')})\n"
    )
    return EXIT_OK


def cmd_backup(args: argparse.Namespace, out: TextIO) -> int:
    from desktop.models.backup import (  # noqa: PLC0415 (when used)
        backup_before,
        copy_verified,
    )

    with _opened(args) as database:
        if args.output:
            target = copy_verified(database, Path(args.output))
        else:
            target = backup_before(database, "manual")
    out.write(f"{target}: backup checked ({target.stat().st_size // 1024} KB)\n")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace, out: TextIO) -> int:
    from desktop.models.backup import (  # noqa: PLC0415 (when used)
        put_in_place,
        set_aside,
    )
    from desktop.models.opening import (  # noqa: PLC0415 (when used)
        checked_backup,
        open_database,
        restore,
    )

    path = args.resolved_db = _file_location(args).path
    source = Path(args.file)
    database = None
    if path.exists():
        _warn_if_shared(path)
        with suppress(DatabaseDamagedError):  # nothing usable to back up first
            database = open_database(path)
    if database is None:
        with checked_backup(source, path) as ready:  # a refused file changes nothing
            if path.exists():  # a damaged file is moved aside, never overwritten
                out.write(f"{path}: the database file is damaged; moved to {set_aside(path)}\n")
            put_in_place(path, ready)
        out.write(f"{path}: restored from {args.file}\n")
        return EXIT_OK
    try:
        saved = restore(database, source)
    finally:
        database.close()
    out.write(
        f"{database.path}: restored from {args.file}; the content it replaced is kept in {saved}\n"
    )
    return EXIT_OK


def cmd_init(args: argparse.Namespace, out: TextIO) -> int:
    location = _file_location(args)
    path = args.resolved_db = location.path
    if path.exists():
        raise TargetMonitorError(f"{path}: the file exists already; init never overwrites it")
    ensure_database_file(DatabaseLocation(path, explicit=False))
    out.write(f"{path}: created from the plan\n")
    return EXIT_OK


def _server_named(args: argparse.Namespace) -> ServerAddress | None:
    """The server database --db (else TARGET_MONITOR_DB) names; None when it names a file."""
    return server_address_in(args.db or os.environ.get(DATABASE_ENV))


def _file_location(args: argparse.Namespace) -> DatabaseLocation:
    """The database file --db (or TARGET_MONITOR_DB, or the data folder) names; a server address
    is refused here, by the commands that work on a file only (not one's password shown)."""
    if (address := _server_named(args)) is not None:
        shown = address.shown
        raise TargetMonitorError(
            f"{shown}: this command works on a database file, not on a server; "
            f'copy the server\'s database to a file first: {PROG} copy-db "{shown}" FILE.sqlite'
        )
    return resolve_location(args.db)


def _server_address_of(args: argparse.Namespace) -> ServerAddress:
    """The server database --db (or TARGET_MONITOR_DB) names; refused when it names a file."""
    address = _server_named(args)
    if address is None:
        raise TargetMonitorError(
            "this command works on a server database: "
            "--db postgresql://USER@HOST:PORT/DATABASE (the password from PGPASSWORD or ~/.pgpass)"
        )
    return address


def cmd_server_init(args: argparse.Namespace, out: TextIO) -> int:
    from desktop.models.copying import init_server  # noqa: PLC0415 (when used)

    report = init_server(_server_address_of(args), bundled_seed_path())
    out.write(
        f"{report.target}: this program's tables made and the built-in plans copied in "
        f"({report.rows['plans']} plans, {report.rows['indicators']} indicators; every table "
        "compared); you are its first 管理员: add the others with `server add-user`\n"
    )
    return EXIT_OK


def cmd_server_add_user(args: argparse.Namespace, out: TextIO) -> int:
    from desktop.models.permissions import add_user  # noqa: PLC0415 (when used)

    address = _server_address_of(args)
    password = _new_password(args.password_stdin, args.name)
    person = add_user(address, args.name, args.role, args.department or [], password)
    where = f" of {'、'.join(person.departments)}" if person.departments else ""
    out.write(f"{address.shown}: {person.name} added, {person.role}{where}\n")
    return EXIT_OK


def _new_password(from_stdin: bool, name: str) -> str:
    """A new login's password: one line of standard input, or typed twice at a prompt (never a
    command-line argument, which other users of the PC can see)."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"password for {name}: ")
    if getpass.getpass("the same again: ") != first:
        raise TargetMonitorError("the two passwords differ; nothing was changed")
    return first


def cmd_server_list_users(args: argparse.Namespace, out: TextIO) -> int:
    from desktop.models.permissions import list_users  # noqa: PLC0415 (when used)

    for person in list_users(_server_address_of(args)):
        state = "" if person.active else "  (disabled)"
        departments = "、".join(person.departments) or "all departments"
        out.write(f"{person.name}\t{person.role}\t{departments}{state}\n")
    return EXIT_OK


def cmd_server_disable_user(args: argparse.Namespace, out: TextIO) -> int:
    from desktop.models.permissions import disable_user  # noqa: PLC0415 (when used)

    address = _server_address_of(args)
    disable_user(address, args.name)
    out.write(f"{address.shown}: {args.name} can no longer log in (their history stays)\n")
    return EXIT_OK


def cmd_copy_db(args: argparse.Namespace, out: TextIO) -> int:
    from desktop.models.copying import copy_database  # noqa: PLC0415 (when used)

    report = copy_database(args.source, args.target)
    counted = ", ".join(f"{table} {rows}" for table, rows in report.rows.items() if rows)
    out.write(f"{report.target}: copied and compared, table by table ({counted})\n")
    return EXIT_OK


def cmd_build_seed(args: argparse.Namespace, out: TextIO) -> int:
    from desktop.models.plan_source import build_seed  # noqa: PLC0415 (when used)

    if args.source:
        sources = [Path(source) for source in args.source]
    else:
        sources = sorted(source_checkout_path("data").glob("plan_*.toml"))
    output = Path(args.output) if args.output else source_checkout_path("data", "seed.sqlite")
    specs = build_seed(sources, output)
    out.write(f"built {output}:\n")
    for source, spec in zip(sources, specs, strict=True):
        out.write(
            f"  {spec.code} from {source.name}: {len(spec.nodes)} nodes, "
            f"{len(spec.indicators)} indicators\n"
        )
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    from desktop.models.demo import DEFAULT_SEED, create_demo  # noqa: PLC0415 (when used)

    if not args.db:
        raise TargetMonitorError(
            "demo needs --db FILE, a new file: demo figures never go into your own database"
        )
    path = _file_location(args).path
    args.resolved_db = path
    seed = DEFAULT_SEED if args.seed is None else args.seed
    info = create_demo(path, through=args.period, seed=seed)
    out.write(
        f"wrote {path}: {DEMO_LABEL}, {info.entries} monthly reports of {info.indicators} "
        f"indicators, {info.first} to {info.through}\n"
        f'open it with: {PROG} --db "{path}"\n'
    )
    return EXIT_OK


def cmd_gui(args: argparse.Namespace, out: TextIO) -> int:
    """The window (Qt is imported only here, so the other commands start fast)."""
    from desktop.ui.app import run  # noqa: PLC0415

    where = _server_named(args) or _file_location(args)
    return run(where, exit_after_ms=args.exit_after, screenshot=args.screenshot)


# --- parsing -------------------------------------------------------------------------------


def _period(text: str) -> str:
    try:
        parse_period(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def _add_plan_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    made = commands.add_parser(
        "next-plan",
        parents=[common],
        help="next year's plan from a plan (--plan): its structure, targets 待定, as a draft",
    )
    made.add_argument("--code", metavar="CODE", help="its code (default: the year replaced)")
    made.add_argument("--user", metavar="NAME", help="recorded as who made it")
    made.set_defaults(handler=cmd_next_plan)
    state = commands.add_parser(
        "plan-state", parents=[common], help="make a plan (--plan) active, closed or a draft"
    )
    state.add_argument("state", choices=sorted(_STATES), metavar="STATE")
    state.add_argument("--user", metavar="NAME", help="recorded as who changed it")
    state.set_defaults(handler=cmd_plan_state)
    target = commands.add_parser(
        "set-target", parents=[common], help="a draft plan's target (--plan), or 待定"
    )
    target.add_argument("indicator", metavar="CODE")
    target.add_argument("value", metavar="VALUE")
    target.add_argument("--user", metavar="NAME", help="recorded as who set it")
    target.set_defaults(handler=cmd_set_target)
    _add_plan_workbook(commands, common)
    archived = commands.add_parser(
        "archived", parents=[common], help="the plan's archived parts and their figures"
    )
    archived.add_argument("--json", action="store_true", help="machine-readable output")
    archived.set_defaults(handler=cmd_archived)


def _add_export_template(commands: Any, common: argparse.ArgumentParser) -> None:
    export = commands.add_parser(
        "export-template", parents=[common], help="a department's Excel template for a month"
    )
    whose = export.add_mutually_exclusive_group()
    whose.add_argument("--department", metavar="NAME", help="full or short name")
    whose.add_argument(
        "--all-departments",
        action="store_true",
        help="one template per department; -o names a folder",
    )
    export.add_argument("--period", type=_period, required=True, metavar="YYYY-MM")
    export.add_argument("-o", "--output", required=True, metavar="FILE.xlsx|FOLDER")
    export.set_defaults(handler=cmd_export_template)


def _add_plan_workbook(commands: Any, common: argparse.ArgumentParser) -> None:
    plan_export = commands.add_parser(
        "export-plan",
        parents=[common],
        help="the plan as a workbook a planning office fills in (计划, 结构, 填写说明, 部门)",
    )
    plan_export.add_argument("-o", "--output", required=True, metavar="FILE.xlsx")
    plan_export.set_defaults(handler=cmd_export_plan)

    plan_import = commands.add_parser(
        "import-plan", parents=[common], help="check a plan workbook and add it as a draft plan"
    )
    plan_import.add_argument("file", metavar="FILE.xlsx")
    target = plan_import.add_mutually_exclusive_group(required=True)
    target.add_argument("--code", metavar="NEW", help="add it as a new draft plan of this code")
    target.add_argument("--into", metavar="DRAFT", help="replace the content of this draft plan")
    plan_import.add_argument("--dry-run", action="store_true", help="check and list, add nothing")
    plan_import.add_argument("--user", metavar="NAME", help="recorded as who imported")
    plan_import.set_defaults(handler=cmd_import_plan)


def _add_backup_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """`backup` and `restore`."""
    backup = commands.add_parser(
        "backup", parents=[common], help="a checked copy of the database (default: backups/)"
    )
    backup.add_argument("-o", "--output", metavar="FILE", help="write the copy here instead")
    backup.set_defaults(handler=cmd_backup)

    restoring = commands.add_parser(
        "restore",
        parents=[common],
        help="replace the database's content with a backup (the current one is backed up)",
    )
    restoring.add_argument("file", metavar="FILE")
    restoring.set_defaults(handler=cmd_restore)


def _add_server_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """`server init`, `server add-user`, `list-users`, `disable-user` and `copy-db`: a database
    on the shared server, its people, and moving a database there and back."""
    server = commands.add_parser("server", help="a shared PostgreSQL server database: set-up")
    server_commands = server.add_subparsers(title="server commands", metavar="COMMAND")
    server_commands.required = True
    server_init = server_commands.add_parser(
        "init",
        parents=[common],
        help="this program's tables and the built-in plans in a new, empty server database "
        "(--db postgresql://ADMIN@HOST:PORT/DATABASE)",
    )
    server_init.set_defaults(handler=cmd_server_init)
    adding = server_commands.add_parser(
        "add-user",
        parents=[common],
        help="a login of its own for a person: 管理员, 管理者 or 填报员 of departments",
    )
    adding.add_argument("name", metavar="NAME")
    adding.add_argument("--role", required=True, choices=("管理员", "管理者", "填报员"))
    adding.add_argument(
        "--department",
        action="append",
        metavar="NAME",
        help="a 填报员's department, full or short name (again for several)",
    )
    adding.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input instead of asking for it",
    )
    adding.set_defaults(handler=cmd_server_add_user)
    listing = server_commands.add_parser(
        "list-users", parents=[common], help="every person, their role and departments"
    )
    listing.set_defaults(handler=cmd_server_list_users)
    disabling = server_commands.add_parser(
        "disable-user", parents=[common], help="a person can no longer log in or write"
    )
    disabling.add_argument("name", metavar="NAME")
    disabling.set_defaults(handler=cmd_server_disable_user)

    copying = commands.add_parser(
        "copy-db",
        help="copy a whole database (file or postgresql://…) into a new file or an empty "
        "server database; every table compared before it is kept",
    )
    copying.add_argument("source", metavar="SOURCE")
    copying.add_argument("target", metavar="TARGET")
    copying.set_defaults(handler=cmd_copy_db)


def build_parser() -> argparse.ArgumentParser:
    # --db is accepted before and after the sub-command; SUPPRESS keeps a later default from
    # overwriting an earlier value.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help="database file (default: TARGET_MONITOR_DB, else the user's data folder); the "
        "server commands take a server's postgresql://USER@HOST:PORT/DATABASE",
    )
    common.add_argument(
        "--plan",
        metavar="CODE",
        default=argparse.SUPPRESS,
        help="the plan to work on (default: the one whose period holds today, else the newest; "
        "`tree --json` lists them)",
    )
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="目标任务监测 — Target Monitor",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    # Closes the window after that many milliseconds: for smoke tests of builds, not for users.
    parser.add_argument("--exit-after", type=int, metavar="MS", help=argparse.SUPPRESS)
    # Saves a PNG of the window once shown, then closes it: the same, proving it is drawn.
    parser.add_argument("--screenshot", type=Path, metavar="FILE.png", help=argparse.SUPPRESS)
    parser.set_defaults(handler=cmd_gui)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    tree = commands.add_parser(
        "tree", parents=[common], help="the plan's hierarchy with targets, latest values, status"
    )
    tree.add_argument("--json", action="store_true", help="machine-readable output")
    tree.add_argument("--period", type=_period, metavar="YYYY-MM", help="evaluate as of a month")
    tree.set_defaults(handler=cmd_tree)

    check = commands.add_parser(
        "check", parents=[common], help="integrity and domain invariants of the database"
    )
    check.set_defaults(handler=cmd_check)

    init = commands.add_parser(
        "init", parents=[common], help="a new database file from the plan (no figures yet)"
    )
    init.set_defaults(handler=cmd_init)

    _add_export_template(commands, common)

    importing = commands.add_parser(
        "import", parents=[common], help="check and import a returned template"
    )
    importing.add_argument("file", metavar="FILE.xlsx")
    importing.add_argument("--dry-run", action="store_true", help="check and list, change nothing")
    importing.add_argument("--user", metavar="NAME", help="recorded as who imported")
    importing.add_argument(
        "--prefer-file",
        action="store_true",
        help="on a conflict, take the file's value over the database's",
    )
    importing.set_defaults(handler=cmd_import)

    _add_backup_commands(commands, common)

    _add_plan_commands(commands, common)
    _add_server_commands(commands, common)

    undo = commands.add_parser("undo-import", parents=[common], help="take back an import")
    undo.add_argument("batch", type=int, metavar="BATCH")
    undo.add_argument("--user", metavar="NAME", help="recorded as who undid it")
    undo.set_defaults(handler=cmd_undo_import)

    report = commands.add_parser(
        "report",
        parents=[common],
        help="the status workbook (.xlsx) or the printed status sheet and notices (.pdf)",
    )
    report.add_argument("-o", "--output", required=True, metavar="FILE.xlsx|FILE.pdf")
    report.add_argument("--period", type=_period, metavar="YYYY-MM", help="status as of a month")
    report.add_argument(
        "--department", metavar="NAME", help="PDF: only this department's indicators"
    )
    report.add_argument(
        "--node", metavar="CODE", help="PDF: only this project, task or measure (e.g. 2 or 2.1)"
    )
    report.add_argument(
        "--documents",
        choices=("all", "sheet", "notices"),
        default="all",
        help="PDF: the status sheet (进度情况表), the supervision notices (督办单), or both",
    )
    report.set_defaults(handler=cmd_report)

    demo = commands.add_parser(
        "demo",
        parents=[common],
        help="a new database with generated demo figures (--db names the new file)",
    )
    demo.add_argument(
        "--period", type=_period, metavar="YYYY-MM", help="last month (default: this month)"
    )
    demo.add_argument("--seed", type=int, default=None, help=argparse.SUPPRESS)
    demo.set_defaults(handler=cmd_demo)

    seed = commands.add_parser(
        "build-seed", help="rebuild data/seed.sqlite from data/plan_*.toml (developers)"
    )
    seed.add_argument(
        "--source",
        metavar="FILE.toml",
        action="append",
        help="a plan source file (again for each plan; default: every data/plan_*.toml)",
    )
    seed.add_argument("-o", "--output", metavar="FILE.sqlite", help="database to write")
    seed.set_defaults(handler=cmd_build_seed)
    return parser


def _utf8(stream: TextIO) -> TextIO:
    """Chinese output must survive a redirect to a file on a non-UTF-8 Windows code page."""
    reconfigure: Callable[..., None] | None = getattr(stream, "reconfigure", None)
    if reconfigure is not None and not stream.isatty():
        reconfigure(encoding="utf-8")
    return stream


def _database_error(error: BaseException) -> bool:
    """Whether the driver or SQLAlchemy raised `error` (SQLAlchemy's errors exist only once it
    has loaded: a command that never needed it raised none)."""
    loaded = sys.modules.get("sqlalchemy.exc")
    return isinstance(error, sqlite3.Error) or (
        loaded is not None and isinstance(error, loaded.DBAPIError)
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "db"):
        args.db = None
    out = _utf8(sys.stdout)
    err = _utf8(sys.stderr)
    try:
        code: int = args.handler(args, out)
    except TargetMonitorError as error:
        err.write(f"{PROG}: {error}\n")
        return EXIT_REFUSED
    except BrokenPipeError:
        # The reader went away (`target-monitor tree | head`): not an error worth a message.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the interpreter's final flush
        return EXIT_OK
    except OSError as error:
        err.write(f"{PROG}: {error}\n")
        return EXIT_REFUSED
    except KeyboardInterrupt:
        err.write(f"{PROG}: interrupted\n")
        return 130
    except Exception as error:  # last: the clauses above come first whatever it is
        if not _database_error(error):
            raise
        path = getattr(args, "resolved_db", None) or Path(args.db or "database")
        err.write(f"{PROG}: {describe_failure(path, error)}\n")
        return EXIT_REFUSED
    return code
