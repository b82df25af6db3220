"""The plan editor in the window, a manager's mode: projects, tasks, measures and indicators
added, edited, moved and archived, departments added, renamed and merged. Each change is one
operation of the undo history (desktop.ui.operations), audited by the plan editor's writes
(desktop.models.plan_editor). The mode shows its toolbar and the tree's and grid's context
menus; it acts on the part chosen in the area in use (the grid's indicator when the grid has
the focus, else the tree's node)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QMenu, QToolBar

from desktop.models.kinds import NodeKind, PlanState
from desktop.models.plan_parts import DEPARTMENT, INDICATOR, NODE
from desktop.models.records import DepartmentInfo, NodeInfo

from desktop.ui.commands import CommandContext, window_action
from desktop.ui.i18n import fill
from desktop.ui.plan_editor_dialogs import (
    ArchivedDialog,
    Check,
    DepartmentDialog,
    DepartmentsDialog,
    IndicatorDialog,
    MergeDialog,
    MoveDialog,
    NodeDialog,
)
from desktop.ui.plan_editor_words import part_name
from desktop.ui.theme import action_icon

_CHILD_KIND = {NodeKind.PROJECT: NodeKind.TASK, NodeKind.TASK: NodeKind.MEASURE}
_PARENT_KIND = {NodeKind.TASK: NodeKind.PROJECT, NodeKind.MEASURE: NodeKind.TASK}


class PlanEditorCommands(QObject):
    """编辑计划结构: the editor's mode, its actions, toolbar and context menus."""

    def __init__(
        self,
        context: CommandContext,
        *,
        tree: QAbstractItemView,
        grid: QAbstractItemView,
        current_node: Callable[[], int | None],
        current_indicator: Callable[[], int | None],
        show_node: Callable[[int], None],
        show_indicator: Callable[[int], None],
    ) -> None:
        super().__init__(context.parent)
        self._context = context
        self._tree, self._grid = tree, grid
        self._current_node, self._current_indicator = current_node, current_indicator
        self._show_node, self._show_indicator = show_node, show_indicator
        self._area = NODE  # where the last context menu was asked for, or the focus is
        self._build_actions()
        self.menu = QMenu(self.tr("Plan &structure"), context.parent)
        self.menu.setObjectName("planStructureMenu")
        self.menu.setIcon(action_icon("edit-part"))
        self.toolbar = QToolBar(self.tr("Plan editor"), context.parent)
        self.toolbar.setObjectName("planEditorBar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar.hide()
        for action in self.actions:
            self.menu.addAction(action)
            if action not in (self.departments_action, self.archived_action):
                self.toolbar.addAction(action)
        self.menu.addSeparator()
        self.menu.addActions([self.archived_action, self.departments_action])
        self.toolbar.addSeparator()
        self.toolbar.addActions([self.archived_action, self.departments_action])
        for view, area in ((tree, NODE), (grid, INDICATOR)):
            view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            view.customContextMenuRequested.connect(
                lambda point, view=view, area=area: self._context_menu(view, area, point)
            )
        self.update()

    def _build_actions(self) -> None:
        action = partial(window_action, self._context.parent)

        self.mode_action = action(
            "edit-plan", self.tr("&Edit the plan's structure"), self._toggle, "Ctrl+Shift+E"
        )
        self.mode_action.setCheckable(True)
        self.add_project_action = action("add-node", self.tr("New &project…"), self.add_project)
        self.add_child_action = action("add-node", self.tr("New &part below…"), self.add_child)
        self.add_indicator_action = action(
            "add-indicator", self.tr("New &indicator…"), self.add_indicator
        )
        self.edit_action = action("edit-part", self.tr("&Edit…"), self.edit)
        self.up_action = action("move-up", self.tr("Move &up"), lambda: self.swap(-1), "Alt+Up")
        self.down_action = action(
            "move-down", self.tr("Move &down"), lambda: self.swap(1), "Alt+Down"
        )
        self.move_action = action("move-to", self.tr("&Move to…"), self.move)
        self.archive_action = action("archive", self.tr("&Archive"), self.archive)
        self.archived_action = action("archived", self.tr("Archi&ved parts…"), self.show_archived)
        self.departments_action = action(
            "departments", self.tr("De&partments…"), self.show_departments
        )
        self.actions = [
            self.add_project_action,
            self.add_child_action,
            self.add_indicator_action,
            self.edit_action,
            self.up_action,
            self.down_action,
            self.move_action,
            self.archive_action,
        ]

    # --- the mode ---------------------------------------------------------------------------

    @property
    def on(self) -> bool:
        return self.mode_action.isChecked()

    def _toggle(self) -> None:
        self.toolbar.setVisible(self.on)
        self.update()
        if self.on:
            self._context.note(
                self.tr(
                    "Editing the plan's structure: each change is saved at once; Ctrl+Z undoes it"
                )
            )

    def _editable(self) -> bool:
        return self._context.controller.workspace.plan.state is not PlanState.CLOSED

    def update(self) -> None:
        """The actions the plan shown and the part chosen allow."""
        editable = self._editable()
        self.mode_action.setEnabled(editable or self.on)
        self.mode_action.setToolTip(
            self.tr("Add, edit, move and archive the plan's parts")
            if editable
            else self.tr("The plan is closed: reopen it to edit its structure")
        )
        active = self.on and editable
        node = self._node()
        kind = None if node is None else node.kind
        for part in self.actions:
            part.setEnabled(active)
        self.add_child_action.setEnabled(active and kind in _CHILD_KIND)
        self.add_indicator_action.setEnabled(active and kind is NodeKind.MEASURE)
        chosen = self._chosen() is not None
        for part in (self.edit_action, self.up_action, self.down_action, self.archive_action):
            part.setEnabled(active and chosen)
        entity = self._chosen_entity()
        self.move_action.setEnabled(
            active and chosen and (entity == INDICATOR or kind in _PARENT_KIND)
        )
        self.archived_action.setEnabled(self.on)
        self.departments_action.setEnabled(self.on)

    def _context_menu(self, view: QAbstractItemView, area: str, point: QPoint) -> None:
        if not self.on:
            return
        self._area = area
        self.update()
        menu = QMenu(view)
        if area == NODE:
            menu.addActions(
                [self.add_project_action, self.add_child_action, self.add_indicator_action]
            )
        else:
            menu.addAction(self.add_indicator_action)
        menu.addSeparator()
        menu.addActions(
            [
                self.edit_action,
                self.up_action,
                self.down_action,
                self.move_action,
                self.archive_action,
            ]
        )
        menu.exec(view.viewport().mapToGlobal(point))

    # --- what is chosen ---------------------------------------------------------------------

    def _chosen_entity(self) -> str:
        focus = QApplication.focusWidget()
        if focus is not None and (focus is self._grid or self._grid.isAncestorOf(focus)):
            self._area = INDICATOR
        elif focus is not None and (focus is self._tree or self._tree.isAncestorOf(focus)):
            self._area = NODE
        if self._area == INDICATOR and self._current_indicator() is not None:
            return INDICATOR
        return NODE

    def _chosen(self) -> tuple[str, int] | None:
        entity = self._chosen_entity()
        chosen = self._current_indicator() if entity == INDICATOR else self._current_node()
        return None if chosen is None else (entity, chosen)

    def _node(self) -> NodeInfo | None:
        node_id = self._current_node()
        workspace = self._context.controller.workspace
        return None if node_id is None else workspace.nodes.get(node_id)

    def set_area(self, area: str) -> None:
        """The area the user works in (a double-click in the tree or the grid)."""
        self._area = area

    # --- adding -----------------------------------------------------------------------------

    def _departments(self) -> dict[int, DepartmentInfo]:
        """The departments a part may be given: every one not merged into another."""
        from desktop.models import plan_editor  # noqa: PLC0415 (when first used)

        rows = plan_editor.departments(self._context.controller.database)
        return {
            i: DepartmentInfo(i, name, short) for i, name, short, merged in rows if merged is None
        }

    def add_project(self) -> None:
        workspace = self._context.controller.workspace
        codes = [workspace.nodes[n].code for n in workspace.root_ids]
        lead = workspace.plan.lead_department_id
        self._add_node(NodeKind.PROJECT, None, _next_code(codes, "", "."), lead)

    def add_child(self) -> None:
        node = self._node()
        if node is None or node.kind not in _CHILD_KIND:
            return
        workspace = self._context.controller.workspace
        codes = [workspace.nodes[n].code for n in node.child_ids]
        self._add_node(
            _CHILD_KIND[node.kind], node.id, _next_code(codes, node.code, "."), node.department_id
        )

    def _add_node(
        self, kind: NodeKind, parent_id: int | None, code: str, department_id: int | None
    ) -> None:
        controller = self._context.controller
        plan_id = controller.workspace.plan.id
        values: dict[str, object] = {
            "plan_id": plan_id,
            "kind": kind.value,
            "parent_id": parent_id,
            "code": code,
            "department_id": department_id,
            "editor_title": True,
        }
        self._add(
            NODE,
            values,
            lambda check: NodeDialog(
                kind, values, self._departments(), check, self._context.parent, new=True
            ),
            lambda code: fill(self.tr("New %1 %2"), part_name(kind.value), code),
            self._show_node,
        )

    def add_indicator(self) -> None:
        node = self._node()
        if node is None or node.kind is not NodeKind.MEASURE:
            return
        controller = self._context.controller
        workspace = controller.workspace
        codes = [workspace.indicators[i].code for i in node.indicator_ids]
        values: dict[str, object] = {
            "measure_id": node.id,
            "code": _next_code(codes, node.code, "-"),
            "department_id": node.department_id,
            "due": workspace.plan.end,
            "kind": "cumulative",
            "unit": "个",
        }
        self._add(
            INDICATOR,
            values,
            lambda check: IndicatorDialog(
                values, self._departments(), check, self._context.parent, new=True
            ),
            lambda code: fill(self.tr("New indicator %1"), code),
            self._show_indicator,
        )

    def _add(
        self,
        entity: str,
        values: dict[str, object],
        form: Callable[[Check], NodeDialog | IndicatorDialog],
        label: Callable[[str], str],
        show: Callable[[int], None],
    ) -> None:
        """A new part's form, checked as the editor checks it; added, then shown."""
        controller = self._context.controller
        dialog = form(lambda typed: controller.editor.problems(entity, None, {**values, **typed}))
        if not self._context.prompts.confirm(dialog):
            return
        fields = {**values, **dialog.values()}
        made = controller.add_to_plan(entity, fields, label(str(fields["code"])))
        if made is not None:
            show(made.record_id)

    # --- changing ---------------------------------------------------------------------------

    def edit(self) -> None:
        from desktop.models import plan_editor  # noqa: PLC0415 (when first used)

        chosen = self._chosen()
        if chosen is None:
            return
        entity, record_id = chosen
        controller = self._context.controller
        seen = plan_editor.record_fields(controller.database, entity, record_id)
        check = lambda typed: controller.editor.problems(entity, record_id, typed)  # noqa: E731
        if entity == NODE:
            dialog: NodeDialog | IndicatorDialog = NodeDialog(
                NodeKind(str(seen["kind"])),
                seen,
                self._departments(),
                check,
                self._context.parent,
                new=False,
            )
        else:
            figures = bool(controller.workspace.reported(record_id)[0])
            dialog = IndicatorDialog(
                seen,
                self._departments(),
                check,
                self._context.parent,
                new=False,
                has_figures=figures,
            )
        if not self._context.prompts.confirm(dialog):
            return
        edits = plan_editor.form_edits(entity, record_id, seen, dialog.values())
        controller.edit_plan(edits, fill(self.tr("Edit %1"), str(seen["code"])))

    def swap(self, step: int) -> None:
        from desktop.models import plan_editor  # noqa: PLC0415 (when first used)

        chosen = self._chosen()
        if chosen is None:
            return
        entity, record_id = chosen
        controller = self._context.controller
        edits = plan_editor.swap_edits(controller.database, entity, record_id, step)
        name = self._name(entity, record_id)
        label = self.tr("Move %1 up") if step < 0 else self.tr("Move %1 down")
        if controller.edit_plan(edits, fill(label, name)):
            self._reveal(entity, record_id)

    def move(self) -> None:
        from desktop.models import plan_editor  # noqa: PLC0415 (when first used)

        chosen = self._chosen()
        if chosen is None:
            return
        entity, record_id = chosen
        workspace = self._context.controller.workspace
        current: int | None
        if entity == INDICATOR:
            wanted, current = NodeKind.MEASURE, workspace.indicators[record_id].measure_id
        else:
            node = workspace.nodes[record_id]
            if node.kind not in _PARENT_KIND:
                return
            wanted, current = _PARENT_KIND[node.kind], node.parent_id
        places = [
            (node_id, f"{node.code} {node.title}")
            for node_id in workspace.nodes_in_tree_order()
            if (node := workspace.nodes[node_id]).kind is wanted
        ]
        name = self._name(entity, record_id)
        dialog = MoveDialog(name, places, current, self._context.parent)
        if not self._context.prompts.confirm(dialog) or dialog.chosen() is None:
            return
        place = dialog.chosen()
        assert place is not None
        controller = self._context.controller
        edit = plan_editor.move_edit(controller.database, entity, record_id, place)
        target = workspace.nodes[place]
        if controller.edit_plan([edit], fill(self.tr("Move %1 to %2"), name, target.code)):
            self._reveal(entity, record_id)

    def archive(self) -> None:
        from desktop.models import plan_editor  # noqa: PLC0415 (when first used)

        chosen = self._chosen()
        if chosen is None:
            return
        entity, record_id = chosen
        controller = self._context.controller
        name = self._name(entity, record_id)
        edit = plan_editor.archive_edit(entity, record_id, archived=True)
        if controller.edit_plan([edit], fill(self.tr("Archive %1"), name)):
            self._context.note(
                fill(self.tr("Archived %1: its figures are kept (Ctrl+Z takes it back)"), name)
            )

    def show_archived(self) -> None:
        """What was archived, with its figures; one part restored."""
        from desktop.models import plan_editor  # noqa: PLC0415 (when first used)

        controller = self._context.controller
        items = plan_editor.archived_items(controller.database, controller.workspace.plan.id)
        dialog = ArchivedDialog(items, self._context.parent)
        if not self._context.prompts.confirm(dialog):
            return
        item = dialog.chosen()
        if item is None:
            return
        entity, record_id = item.restored_with  # itself, or the archived node above it
        edit = plan_editor.archive_edit(entity, record_id, archived=False)
        name = self._name(entity, record_id)
        if controller.edit_plan([edit], fill(self.tr("Restore %1"), name)):
            self._reveal(item.entity, item.record_id)

    # --- departments ------------------------------------------------------------------------

    def show_departments(self) -> None:
        from desktop.models import plan_editor  # noqa: PLC0415 (when first used)

        controller = self._context.controller
        dialog = DepartmentsDialog(
            lambda: plan_editor.departments(controller.database), self._context.parent
        )
        dialog.add_button.clicked.connect(lambda: self._add_department(dialog))
        dialog.rename_button.clicked.connect(lambda: self._rename_department(dialog))
        dialog.merge_button.clicked.connect(lambda: self._merge_department(dialog))
        self._context.prompts.show(dialog)

    def _add_department(self, dialog: DepartmentsDialog) -> None:
        controller = self._context.controller
        form = DepartmentDialog(
            {}, lambda typed: controller.editor.problems(DEPARTMENT, None, typed), dialog
        )
        if not self._context.prompts.confirm(form):
            return
        fields = form.values()
        made = controller.add_to_plan(
            DEPARTMENT, fields, fill(self.tr("New department %1"), str(fields["name"]))
        )
        dialog.refresh()
        if made is not None:
            dialog.select(made.record_id)

    def _rename_department(self, dialog: DepartmentsDialog) -> None:
        from desktop.models import plan_editor  # noqa: PLC0415 (when first used)

        chosen = dialog.chosen()
        if chosen is None:
            return
        controller = self._context.controller
        seen = plan_editor.record_fields(controller.database, DEPARTMENT, chosen)
        form = DepartmentDialog(
            seen, lambda typed: controller.editor.problems(DEPARTMENT, chosen, typed), dialog
        )
        if not self._context.prompts.confirm(form):
            return
        edits = plan_editor.form_edits(DEPARTMENT, chosen, seen, form.values())
        controller.edit_plan(edits, fill(self.tr("Rename %1"), str(seen["name"])))
        dialog.refresh()

    def _merge_department(self, dialog: DepartmentsDialog) -> None:
        from desktop.models import plan_editor  # noqa: PLC0415 (when first used)

        chosen = dialog.chosen()
        if chosen is None:
            return
        controller = self._context.controller
        names = {i: name for i, name, _, _ in plan_editor.departments(controller.database)}
        others = [(i, d.name) for i, d in self._departments().items() if i != chosen]
        form = MergeDialog(names[chosen], others, dialog)
        if not self._context.prompts.confirm(form):
            return
        into = form.chosen()
        edits = plan_editor.merge_edits(controller.database, chosen, into)
        label = fill(self.tr("Merge %1 into %2"), names[chosen], names[into])
        controller.edit_plan(edits, label)
        dialog.refresh()

    # --- helpers ----------------------------------------------------------------------------

    def _name(self, entity: str, record_id: int) -> str:
        from desktop.models import plan_editor  # noqa: PLC0415 (when first used)

        workspace = self._context.controller.workspace
        if entity == INDICATOR and record_id in workspace.indicators:
            return workspace.indicators[record_id].code
        if entity == NODE and record_id in workspace.nodes:
            return workspace.nodes[record_id].code
        return str(
            plan_editor.record_fields(self._context.controller.database, entity, record_id)["code"]
        )

    def _reveal(self, entity: str, record_id: int) -> None:
        workspace = self._context.controller.workspace
        if entity == INDICATOR and record_id in workspace.indicators:
            self._show_indicator(record_id)
        elif entity == NODE and record_id in workspace.nodes:
            self._show_node(record_id)


def _next_code(codes: list[str], prefix: str, joint: str) -> str:
    """The next free code below `prefix` ("1.2" → "1.2.4"; "1.2.1" → "1.2.1-3")."""
    numbers = []
    for code in codes:
        tail = code[len(prefix) + len(joint) :] if prefix else code
        head = tail.split("-")[0].split(".")[0]
        if head.isdigit():
            numbers.append(int(head))
    number = max(numbers, default=0) + 1
    return f"{prefix}{joint}{number}" if prefix else str(number)
