"""A manager's commands for a plan's life from the window: next year's plan, its targets, its
state (草稿 / 执行中 / 已结束), and the plan exchanged as a workbook."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox

from desktop.models.kinds import PlanState

from desktop.ui.commands import CommandContext
from desktop.ui.i18n import fill, plan_state_text
from desktop.ui.plan_dialogs import ImportPlanDialog, NextPlanDialog, TargetDialog
from desktop.ui.prompts import FileKind
from desktop.ui.settings import LAST_PLAN


class PlanCommands(QObject):
    """新建下一年度计划, 设定目标, 启用 / 结束 / 重新打开计划, 导出 / 导入计划工作簿."""

    def __init__(
        self, context: CommandContext, current_indicator: Callable[[], int | None]
    ) -> None:
        super().__init__(context.parent)
        self._context = context
        self._current_indicator = current_indicator

    def make_next_plan(self) -> None:
        """Next year's plan from the one shown, as a draft, then shown."""
        dialog = NextPlanDialog(self._context.controller.workspace.plan, self._context.parent)
        if not self._context.prompts.confirm(dialog):
            return
        self._context.save_pending_notes()
        made = self._context.controller.next_year_plan(dialog.code.text().strip() or None)
        if made is not None:
            self._context.settings.set(LAST_PLAN, made)
            self._context.note(fill(self.tr("Made %1: set its targets, then make it active"), made))

    def move_plan(self, state: PlanState) -> None:
        """Make the plan shown active, closed or reopened, after the manager confirms."""
        plan = self._context.controller.workspace.plan
        questions = {
            PlanState.ACTIVE: self.tr(
                "Make “%1” active? Departments then enter its figures; its structure changes "
                "only in the plan editor."
            ),
            PlanState.CLOSED: self.tr(
                "Close “%1”? Its figures can then be read and printed, not changed, until a "
                "manager reopens it."
            ),
        }
        if plan.state is PlanState.CLOSED:
            question = self.tr("Reopen “%1”? Its figures can then be changed again.")
        else:
            question = questions[state]
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Plan"),
            fill(question, plan.title),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self._context.parent,
        )
        if self._context.prompts.ask_yes(box) and self._context.controller.set_plan_state(state):
            self._context.note(fill(self.tr("%1 is %2 now"), plan.title, plan_state_text(state)))

    def edit_target(self, indicator_id: int | None = None) -> None:
        """A draft plan's target of the indicator chosen in the grid."""
        workspace = self._context.controller.workspace
        if indicator_id is None:
            indicator_id = self._current_indicator()
        if indicator_id is None:
            self._context.tell(self.tr("Choose an indicator in the grid first."))
            return
        indicator = workspace.indicators[indicator_id]
        if workspace.plan.state is not PlanState.DRAFT or indicator.is_milestone:
            return
        dialog = TargetDialog(indicator, self._context.parent)
        if self._context.prompts.confirm(dialog):
            self._context.controller.set_target(indicator_id, dialog.value())

    def export_plan(self) -> None:
        """The plan shown as a workbook a planning office fills in."""
        from desktop.exchange.plan_workbook import export_plan  # noqa: PLC0415 - on demand

        workspace = self._context.controller.workspace
        path = self._context.prompts.save_path(
            self._context.parent, FileKind.WORKBOOK, f"{workspace.plan.code}.xlsx"
        )
        if path is None:
            return
        done = self._context.background(
            fill(self.tr("Writing %1…"), path.name), lambda _progress: export_plan(workspace, path)
        )
        if done is not None:
            self._context.note(fill(self.tr("Wrote %1"), str(path)))

    def import_plan(self) -> None:
        """A plan workbook, checked cell by cell, added as a new draft plan after a preview."""
        from desktop.exchange.plan_workbook import read_plan_workbook  # noqa: PLC0415
        from desktop.models.plan_import import draft_changes, known_departments, preview  # noqa: PLC0415 (when first used)
        from desktop.models.plan_service import next_code  # noqa: PLC0415 (when first used)

        path = self._context.prompts.open_path(self._context.parent, FileKind.WORKBOOK)
        if path is None:
            return
        database = self._context.controller.database
        draft = self._context.background(
            fill(self.tr("Checking %1…"), path.name),
            lambda _progress: read_plan_workbook(
                path, known_departments=known_departments(database)
            ),
        )
        if draft is None:
            return
        controller = self._context.controller
        codes = {plan.code for plan in controller.workspace.plans}
        code = draft.spec.code
        while code in codes:
            code = next_code(code, draft.spec.year)
        shown = controller.workspace.plan
        replaceable = None  # the draft shown may take the workbook's content
        if shown.state is PlanState.DRAFT:
            replaceable = (shown.code, draft_changes(database, shown.code, draft).lines())
        dialog = ImportPlanDialog(
            path.name,
            preview(database, draft).lines(),
            code,
            self._context.parent,
            draft=replaceable,
        )
        if not self._context.prompts.confirm(dialog):
            return
        self._context.save_pending_notes()
        if dialog.replace.isChecked():
            controller.replace_draft(draft)
        elif controller.import_plan(draft, dialog.code.text().strip()):
            self._context.settings.set(LAST_PLAN, controller.workspace.plan.code)
