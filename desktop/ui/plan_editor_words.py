"""The plan editor's words: its fields' names and why a change of the plan was refused, in the
window's language (desktop.models.errors.PlanEditError's problems)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication

from desktop.models.errors import EditProblem, PlanEditError
from desktop.models.figures import FigureError, FigureProblem
from desktop.models.kinds import IndicatorKind

from desktop.ui.i18n import figure_problem_text, fill, kind_text

translate = QCoreApplication.translate


def field_label(name: str) -> str:
    """A field's name in the window's language."""
    labels = {
        "code": translate("PlanEditor", "Code"),
        "title": translate("PlanEditor", "Title"),
        "name": translate("PlanEditor", "Name"),
        "unit": translate("PlanEditor", "Unit"),
        "kind": translate("PlanEditor", "Kind"),
        "direction": translate("PlanEditor", "Direction"),
        "target": translate("PlanEditor", "Target"),
        "stretch_target": translate("PlanEditor", "Stretch target"),
        "baseline": translate("PlanEditor", "Baseline"),
        "baseline_date": translate("PlanEditor", "Baseline date"),
        "baseline_source": translate("PlanEditor", "Baseline source"),
        "baseline_date_inferred": translate("PlanEditor", "Baseline date inferred"),
        "due": translate("PlanEditor", "Due"),
        "department_id": translate("PlanEditor", "Responsible department"),
        "department_basis": translate("PlanEditor", "Department named by"),
        "department_quote": translate("PlanEditor", "Clause naming it"),
        "weight": translate("PlanEditor", "Weight"),
        "yellow_threshold": translate("PlanEditor", "Yellow threshold"),
        "red_threshold": translate("PlanEditor", "Red threshold"),
        "quote": translate("PlanEditor", "Source sentence"),
        "source": translate("PlanEditor", "Source document"),
        "note": translate("PlanEditor", "Notes"),
        "quantity": translate("PlanEditor", "Same quantity in other plans"),
        "done_when": translate("PlanEditor", "Done when"),
        "done_when_basis": translate("PlanEditor", "Done when worded by"),
        "editor_title": translate("PlanEditor", "Title is the editor's"),
        "parent_id": translate("PlanEditor", "Place"),
        "measure_id": translate("PlanEditor", "Measure"),
        "short_name": translate("PlanEditor", "Short name"),
        "merged_into_id": translate("PlanEditor", "Merged into"),
        "lead_department_id": translate("PlanEditor", "Lead department"),
    }
    return labels.get(name, name)


def part_name(kind: str) -> str:
    """A part of a plan by its kind's value: 工程, 重点任务, 具体举措, 指标."""
    names = {
        "project": translate("PlanEditor", "project"),
        "task": translate("PlanEditor", "key task"),
        "measure": translate("PlanEditor", "measure"),
        "indicator": translate("PlanEditor", "indicator"),
        "plan": translate("PlanEditor", "the plan itself"),
    }
    return names.get(kind, kind)


def problem_text(problem: EditProblem) -> str:
    """One broken rule of the plan editor, in the window's language."""
    facts = problem.facts
    reason = problem.reason
    if reason == PlanEditError.FIGURE:
        error = FigureError(FigureProblem(str(facts["problem"])), str(facts["text"]))
        return f"{field_label(problem.field)}: {figure_problem_text(error, '')}"
    texts = {
        PlanEditError.REQUIRED: translate("PlanEditor", "%1 is required"),
        PlanEditError.TOO_LONG: translate("PlanEditor", "%1 holds at most %2 characters"),
        PlanEditError.DUPLICATE: translate(
            "PlanEditor", "the plan has the code %2 already; codes are unique within a plan"
        ),
        PlanEditError.NAME_TAKEN: translate("PlanEditor", "another department is called %2"),
        PlanEditError.TARGET_IS_BASELINE: translate(
            "PlanEditor", "the target equals the baseline: there would be nothing to achieve"
        ),
        PlanEditError.DUE_OUTSIDE: translate(
            "PlanEditor", "the due date lies outside the plan (%2 to %3)"
        ),
        PlanEditError.BASELINE_AFTER_DUE: translate(
            "PlanEditor", "the baseline's date must lie before the due date"
        ),
        PlanEditError.UNIT_KIND: translate(
            "PlanEditor", "the unit “%2” does not fit a %3 indicator"
        ),
        PlanEditError.PLACE: translate("PlanEditor", "a %2 cannot be placed under a %3"),
        PlanEditError.ARCHIVED_PLACE: translate("PlanEditor", "%2 is archived: restore it first"),
        PlanEditError.THRESHOLDS: translate(
            "PlanEditor",
            "the own thresholds contradict the plan's: yellow must not exceed red, both from 0 "
            "to 100 points",
        ),
        PlanEditError.MILESTONE_FIGURE: translate(
            "PlanEditor", "a milestone has a due date, no numeric target or baseline"
        ),
        PlanEditError.PENDING: translate(
            "PlanEditor", "the plan is active: the target cannot be left pending"
        ),
        PlanEditError.KIND_WITH_FIGURES: translate(
            "PlanEditor",
            "%2 holds figures: its kind cannot change, or they would lose their meaning",
        ),
        PlanEditError.HOLDS: translate(
            "PlanEditor", "%2 already holds figures or parts of its own: archive it instead"
        ),
        PlanEditError.CLOSED: translate(
            "PlanEditor", "plan %2 is closed: reopen it to edit its structure"
        ),
        PlanEditError.MERGED: translate(
            "PlanEditor", "%2 was merged into another department; choose that one"
        ),
        PlanEditError.SELF_MERGE: translate("PlanEditor", "a department cannot merge into itself"),
        PlanEditError.DATE: translate("PlanEditor", "“%2” is no date: write it as 2025-12-31"),
    }
    if reason == PlanEditError.FACT:
        facts_words = {
            "stretch_target": translate(
                "PlanEditor", "the stretch target must lie beyond the target"
            ),
            "baseline": translate(
                "PlanEditor", "an “at most” indicator needs a baseline above its target"
            ),
            "department_quote": translate(
                "PlanEditor",
                "a department named by the source needs the clause that names it, and only "
                "such a department has one",
            ),
        }
        return facts_words.get(str(facts.get("fact")), problem.message)
    text = texts.get(reason)
    if text is None:
        return problem.message
    values = {
        PlanEditError.TOO_LONG: (str(facts.get("most", "")),),
        PlanEditError.DUPLICATE: (str(facts.get("code", "")),),
        PlanEditError.NAME_TAKEN: (str(facts.get("name", "")),),
        PlanEditError.DUE_OUTSIDE: (str(facts.get("start", "")), str(facts.get("end", ""))),
        PlanEditError.UNIT_KIND: (
            str(facts.get("unit", "")),
            kind_text(IndicatorKind(str(facts.get("kind", "cumulative")))),
        ),
        PlanEditError.PLACE: (
            part_name(str(facts.get("kind", ""))),
            part_name(str(facts.get("under", ""))),
        ),
        PlanEditError.ARCHIVED_PLACE: (str(facts.get("code", "")),),
        PlanEditError.KIND_WITH_FIGURES: (str(facts.get("code", "")),),
        PlanEditError.HOLDS: (str(facts.get("name", "")),),
        PlanEditError.CLOSED: (str(facts.get("code", "")),),
        PlanEditError.MERGED: (str(facts.get("name", "")),),
        PlanEditError.DATE: (str(facts.get("text", "")),),
    }.get(reason, ())
    return fill(text, field_label(problem.field), *values)


def problems_text(problems: Sequence[EditProblem]) -> str:
    """Each broken rule on its line, led by its field's name unless it names it itself."""
    lines = []
    for problem in problems:
        text = problem_text(problem)
        label = field_label(problem.field) if problem.field else ""
        lines.append(text if not label or label in text else f"{label}: {text}")
    return "\n".join(lines)
