"""Words and colours the UI shows for domain values, and loading the translations."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QColor

from desktop.models.figures import FigureError, FigureProblem, format_figure
from desktop.models.kinds import IndicatorKind, MilestoneState, ParentLight, PlanState
from desktop.models.locations import bundled_file
from desktop.models.periods import parse_period
from desktop.models.status_rule import Rollup, Status
from desktop.presentation.wording import STATUS_INKS, percent_text

STATUS_COLOURS = {status: QColor(ink) for status, ink in STATUS_INKS.items()}


def fill(text: str, *values: str) -> str:
    """A translated text with its %1, %2 … filled in one pass (a value holding "%2" stays)."""

    def value(match: re.Match[str]) -> str:
        number = int(match.group(1))
        return values[number - 1] if 1 <= number <= len(values) else match.group(0)

    return re.sub(r"%(\d)", value, text)


def status_text(status: Status) -> str:
    """The light's word, e.g. 严重滞后."""
    texts = {
        Status.COMPLETED: QCoreApplication.translate("Status", "Completed"),
        Status.NOT_REPORTED: QCoreApplication.translate("Status", "Not reported"),
        Status.GREEN: QCoreApplication.translate("Status", "On track"),
        Status.YELLOW: QCoreApplication.translate("Status", "Lagging"),
        Status.RED: QCoreApplication.translate("Status", "Far behind"),
    }
    return texts[status]


def children_lights_text(children: Mapping[Status, int]) -> str:
    """A parent's red and yellow children counted, e.g. "红 2 · 黄 3" ("" for none)."""
    words = {
        Status.RED: QCoreApplication.translate("Status", "red %1"),
        Status.YELLOW: QCoreApplication.translate("Status", "yellow %1"),
    }
    return " · ".join(
        fill(word, str(children[status])) for status, word in words.items() if children.get(status)
    )


def parent_status_text(rollup: Rollup) -> str:
    """A parent's light with its red and yellow children counted: "正常 · 红 2 · 黄 3" (not
    for a parent of one part: a measure of one indicator is that indicator's light)."""
    single = sum(rollup.children.values()) <= 1
    counted = "" if single else children_lights_text(rollup.children)
    return f"{status_text(rollup.status)} · {counted}" if counted else status_text(rollup.status)


def lagging_children_text(lagging: Mapping[Status, Sequence[str]]) -> str:
    """The red and yellow children by name, one line per light ("" for none)."""
    words = {
        Status.RED: QCoreApplication.translate("Status", "Red: %1"),
        Status.YELLOW: QCoreApplication.translate("Status", "Yellow: %1"),
    }
    separator = QCoreApplication.translate("Status", ", ")
    return "\n".join(
        fill(word, separator.join(lagging[status]))
        for status, word in words.items()
        if lagging.get(status)
    )


def parent_light_tooltip(
    rollup: Rollup, lagging: Mapping[Status, Sequence[str]], rule: ParentLight
) -> str:
    """Why a parent shows its light, and which of its children are red or yellow."""
    if rule is ParentLight.WORST:
        why = QCoreApplication.translate("Status", "%1: the worst light among its parts")
        lines = [fill(why, status_text(rollup.status))]
    else:
        why = QCoreApplication.translate(
            "Status", "%1: its own completion %2 against its planned progress %3"
        )
        lines = [
            fill(
                why,
                status_text(rollup.status),
                percent_text(rollup.completion),
                percent_text(rollup.expected),
            )
        ]
    named = lagging_children_text(lagging)
    if named:
        lines.append(named)
    return "\n".join(lines)


def plan_state_text(state: PlanState) -> str:
    """A plan's state: 草稿, 执行中 or 已结束."""
    texts = {
        PlanState.DRAFT: QCoreApplication.translate("PlanState", "draft"),
        PlanState.ACTIVE: QCoreApplication.translate("PlanState", "active"),
        PlanState.CLOSED: QCoreApplication.translate("PlanState", "closed"),
    }
    return texts[state]


def state_text(state: MilestoneState) -> str:
    texts = {
        MilestoneState.NOT_STARTED: QCoreApplication.translate("MilestoneState", "Not started"),
        MilestoneState.IN_PROGRESS: QCoreApplication.translate("MilestoneState", "In progress"),
        MilestoneState.DONE: QCoreApplication.translate("MilestoneState", "Done"),
    }
    return texts[state]


def kind_text(kind: IndicatorKind) -> str:
    texts = {
        IndicatorKind.CUMULATIVE: QCoreApplication.translate("IndicatorKind", "cumulative"),
        IndicatorKind.LEVEL: QCoreApplication.translate("IndicatorKind", "level"),
        IndicatorKind.MILESTONE: QCoreApplication.translate("IndicatorKind", "milestone"),
    }
    return texts[kind]


def recorded_text(text: str | None, nothing: str = "—") -> str:
    """A value as the audit trail records it ("128.0", "推进中", a note), shown as the grid
    shows it; `nothing` for no value."""
    if text is None or text == "":
        return nothing
    if text in {state.value for state in MilestoneState}:
        return state_text(MilestoneState(text))
    try:
        return format_figure(float(text))
    except ValueError:
        return text


def month_label(period: str) -> str:
    """A month as the UI's language writes it: 2025年6月, or 6/2025."""
    year, month = parse_period(period)
    return (
        QCoreApplication.translate("Month", "%2/%1")
        .replace("%1", str(year))
        .replace("%2", str(month))
    )


def system_prefers_chinese() -> bool:
    return QLocale.system().language() == QLocale.Language.Chinese


def install_translators(app: QCoreApplication, language: str) -> list[QTranslator]:
    """Load the application's and Qt's own translations for `language` ("en" loads none),
    and make the language's locale Qt's default, so that Qt's own dialogs write dates and file
    types in it too (a file dialog's 修改日期 and 类型, not "28 11 2026" and "PDF document")."""
    QLocale.setDefault(QLocale(language))
    if language == "en":
        return []
    installed: list[QTranslator] = []
    sources = (
        (str(bundled_file("resources", "translations")), f"target_monitor_{language}"),
        (QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath), f"qtbase_{language}"),
    )
    for folder, name in sources:
        translator = QTranslator(app)
        if translator.load(name, folder):
            app.installTranslator(translator)
            installed.append(translator)
    return installed


def figure_problem_text(error: FigureError, unit: str) -> str:
    """Why a typed or pasted figure was refused, in the user's language."""
    translate = QCoreApplication.translate
    texts = {
        FigureProblem.NOT_A_NUMBER: translate("Figure", "'%1' is not a number"),
        FigureProblem.NEGATIVE: translate("Figure", "'%1' is negative; figures are 0 or more"),
        FigureProblem.TOO_LARGE: translate("Figure", "'%1' is too large"),
        FigureProblem.PERCENT_SIGN: translate(
            "Figure", "'%1' is a percentage, but this indicator is counted in %2"
        ),
        FigureProblem.NOT_A_STATE: translate(
            "Figure", "'%1' is not a milestone state (not started, in progress or done)"
        ),
    }
    return texts[error.problem].replace("%1", error.text.strip()).replace("%2", unit)
