"""The plan editor's forms: a project, task or measure; an indicator with every field; where
to move one; the departments; what was archived. A form checks what it holds with the editor's
rules before it closes (`check`), marks each field in trouble and says why in the window's
language, so that nothing typed is lost to a refusal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.models.errors import EditProblem, PlanEditError
from desktop.models.figures import FigureError, format_figure, parse_figure
from desktop.models.kinds import DepartmentBasis, Direction, IndicatorKind, NodeKind, TextBasis
from desktop.models.plan_parts import NO_FIGURES
from desktop.models.records import DepartmentInfo

from desktop.ui.i18n import fill, kind_text
from desktop.ui.plan_editor_words import field_label, problems_text
from desktop.ui.theme import PROBLEM_INK

if TYPE_CHECKING:
    from desktop.models.plan_editor import ArchivedItem

translate = QCoreApplication.translate
Values = dict[str, object]
Check = Callable[[Values], list[EditProblem]]
_TROUBLE = f"border: 1px solid {PROBLEM_INK};"


class _FormDialog(QDialog):
    """A form whose fields are checked by the editor's rules before it closes."""

    def __init__(self, check: Check, parent: QWidget | None) -> None:
        super().__init__(parent)
        self._check = check
        self._widgets: dict[str, QWidget] = {}
        self._pages: dict[str, int] = {}
        self.tabs: QTabWidget | None = None
        self.problem = QLabel(self)
        self.problem.setObjectName("editorProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(f"color: {PROBLEM_INK};")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def _row(self, form: QFormLayout, name: str, widget: QWidget, page: int = 0) -> None:
        widget.setObjectName(f"editor_{name}")
        form.addRow(field_label(name), widget)
        self._widgets[name] = widget
        self._pages[name] = page

    def values(self) -> Values:
        raise NotImplementedError

    def problems(self) -> list[EditProblem]:
        """What keeps the form from closing: a figure or date that is none, or a rule."""
        try:
            values = self.values()
        except _Unreadable as unreadable:
            return [unreadable.problem]
        return self._check(values)

    def accept(self) -> None:  # QDialog.accept: a form breaking a rule stays open
        problems = self.problems()
        for widget in self._widgets.values():
            widget.setStyleSheet("")
        if problems:
            self.problem.setText(problems_text(problems))
            marked = [p.field for p in problems if p.field in self._widgets]
            for name in marked:
                self._widgets[name].setStyleSheet(_TROUBLE)
            if marked:
                if self.tabs is not None:
                    self.tabs.setCurrentIndex(self._pages[marked[0]])
                self._widgets[marked[0]].setFocus()
            return
        super().accept()


class _Unreadable(Exception):
    def __init__(self, problem: EditProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _figure(edit: QLineEdit, name: str, *, percent: bool = False) -> float | None:
    text = edit.text().strip()
    if not text:
        return None
    try:
        return parse_figure(text, percent=percent)
    except FigureError as error:
        raise _Unreadable(
            EditProblem(
                name,
                PlanEditError.FIGURE,
                str(error),
                {"problem": error.problem.value, "text": error.text},
            )
        ) from None


def _date(edit: QLineEdit, name: str) -> dt.date | None:
    text = edit.text().strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _Unreadable(
            EditProblem(name, PlanEditError.DATE, f"{text!r} is no date", {"text": text})
        ) from None


def _text_box(text: str, parent: QWidget) -> QPlainTextEdit:
    box = QPlainTextEdit(text, parent)
    box.setTabChangesFocus(True)
    box.setFixedHeight(box.fontMetrics().lineSpacing() * 4 + 12)
    return box


def _departments_box(
    departments: Mapping[int, DepartmentInfo], chosen: object, parent: QWidget
) -> QComboBox:
    box = QComboBox(parent)
    for department in departments.values():
        box.addItem(f"{department.name}({department.short_name})", department.id)
    if chosen is not None:
        box.setCurrentIndex(max(0, box.findData(chosen)))
    return box


def _choice(pairs: Sequence[tuple[str, object]], chosen: object, parent: QWidget) -> QComboBox:
    box = QComboBox(parent)
    for text, value in pairs:
        box.addItem(text, value)
    box.setCurrentIndex(max(0, box.findData(chosen)))
    return box


class NodeDialog(_FormDialog):
    """A project, task or measure: its code, title, lead department and texts."""

    def __init__(
        self,
        kind: NodeKind,
        values: Mapping[str, object],
        departments: Mapping[int, DepartmentInfo],
        check: Check,
        parent: QWidget | None = None,
        *,
        new: bool,
    ) -> None:
        super().__init__(check, parent)
        self.setObjectName("nodeDialog")
        titles = {
            NodeKind.PROJECT: (self.tr("New project"), self.tr("Project %1")),
            NodeKind.TASK: (self.tr("New key task"), self.tr("Key task %1")),
            NodeKind.MEASURE: (self.tr("New measure"), self.tr("Measure %1")),
        }
        new_title, title = titles[kind]
        self.setWindowTitle(new_title if new else fill(title, str(values.get("code", ""))))
        self.code = QLineEdit(str(values.get("code", "")), self)
        self.title = QLineEdit(str(values.get("title", "")), self)
        self.department = _departments_box(
            departments,
            values.get("department_id"),
            self,
        )
        self.editor_title = QCheckBox(self)
        self.editor_title.setChecked(bool(values.get("editor_title", True)))
        self.quote = _text_box(str(values.get("quote", "")), self)
        self.source = QLineEdit(str(values.get("source", "")), self)
        self.note = _text_box(str(values.get("note", "")), self)
        form = QFormLayout()
        for name, widget in (
            ("code", self.code),
            ("title", self.title),
            ("department_id", self.department),
            ("editor_title", self.editor_title),
            ("quote", self.quote),
            ("source", self.source),
            ("note", self.note),
        ):
            self._row(form, name, widget)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)

    def values(self) -> Values:
        return {
            "code": self.code.text().strip(),
            "title": self.title.text().strip(),
            "department_id": self.department.currentData(),
            "editor_title": self.editor_title.isChecked(),
            "quote": self.quote.toPlainText().strip(),
            "source": self.source.text().strip(),
            "note": self.note.toPlainText().strip(),
        }


_UNITS = ("个", "户", "家", "项", "人", "套", "条", "亿元", "万个", "%", "P")


class IndicatorDialog(_FormDialog):
    """An indicator with every field: what it is, its target and baseline, its source."""

    def __init__(
        self,
        values: Mapping[str, object],
        departments: Mapping[int, DepartmentInfo],
        check: Check,
        parent: QWidget | None = None,
        *,
        new: bool,
        has_figures: bool = False,
    ) -> None:
        super().__init__(check, parent)
        self.setObjectName("indicatorDialog")
        code = str(values.get("code", ""))
        self.setWindowTitle(
            self.tr("New indicator") if new else fill(self.tr("Indicator %1"), code)
        )
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("indicatorTabs")
        self._build_what(values, departments, has_figures)
        self._build_figures(values)
        self._build_source(values)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.kind.currentIndexChanged.connect(self._follow_kind)
        self._follow_kind()
        self.setMinimumWidth(560)

    def _page(self) -> QFormLayout:
        assert self.tabs is not None
        page = QWidget(self.tabs)
        form = QFormLayout(page)
        self.tabs.addTab(page, "")
        return form

    def _build_what(
        self,
        values: Mapping[str, object],
        departments: Mapping[int, DepartmentInfo],
        has_figures: bool,
    ) -> None:
        form = self._page()
        assert self.tabs is not None
        self.tabs.setTabText(0, self.tr("Indicator"))
        self.code = QLineEdit(str(values.get("code", "")), self)
        self.name = QLineEdit(str(values.get("name", "")), self)
        self.kind = _choice(
            [(kind_text(kind), kind.value) for kind in IndicatorKind],
            str(values.get("kind", IndicatorKind.CUMULATIVE.value)),
            self,
        )
        if has_figures:
            self.kind.setEnabled(False)
            self.kind.setToolTip(self.tr("It holds figures: its kind stays as it is"))
        self.direction = _choice(
            [
                (self.tr("at least"), Direction.AT_LEAST.value),
                (self.tr("at most"), Direction.AT_MOST.value),
            ],
            str(values.get("direction", Direction.AT_LEAST.value)),
            self,
        )
        self.unit = QComboBox(self)
        self.unit.setEditable(True)
        self.unit.addItems(list(_UNITS))
        self.unit.setCurrentText(str(values.get("unit", "")))
        self.department = _departments_box(
            departments,
            values.get("department_id"),
            self,
        )
        self.department_basis = _choice(
            [
                (self.tr("inferred by the editor"), DepartmentBasis.INFERRED.value),
                (self.tr("named by the source"), DepartmentBasis.NAMED.value),
            ],
            str(values.get("department_basis", DepartmentBasis.INFERRED.value)),
            self,
        )
        self.department_quote = QLineEdit(str(values.get("department_quote", "")), self)
        self.weight = QLineEdit(format_figure(float(values.get("weight", 1.0) or 0.0)), self)  # type: ignore[arg-type]
        for name, widget in (
            ("code", self.code),
            ("name", self.name),
            ("kind", self.kind),
            ("direction", self.direction),
            ("unit", self.unit),
            ("department_id", self.department),
            ("department_basis", self.department_basis),
            ("department_quote", self.department_quote),
            ("weight", self.weight),
        ):
            self._row(form, name, widget, 0)

    def _build_figures(self, values: Mapping[str, object]) -> None:
        form = self._page()
        assert self.tabs is not None
        self.tabs.setTabText(1, self.tr("Target and baseline"))

        def figure(name: str) -> QLineEdit:
            value = values.get(name)
            edit = QLineEdit("" if value is None else format_figure(float(value)), self)  # type: ignore[arg-type]
            return edit

        self.target = figure("target")
        self.target.setPlaceholderText(self.tr("empty: pending (待定), in a draft plan"))
        self.stretch_target = figure("stretch_target")
        self.baseline = figure("baseline")
        baseline_date = values.get("baseline_date")
        self.baseline_date = QLineEdit(
            baseline_date.isoformat() if isinstance(baseline_date, dt.date) else "", self
        )
        self.baseline_date.setPlaceholderText("YYYY-MM-DD")
        self.baseline_date_inferred = QCheckBox(self)
        self.baseline_date_inferred.setChecked(bool(values.get("baseline_date_inferred")))
        self.baseline_source = QLineEdit(str(values.get("baseline_source") or ""), self)
        due = values.get("due")
        self.due = QDateEdit(self)
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("yyyy-MM-dd")
        if isinstance(due, dt.date):
            self.due.setDate(QDate(due.year, due.month, due.day))
        self.yellow_threshold = figure("yellow_threshold")
        self.red_threshold = figure("red_threshold")
        for edit in (self.yellow_threshold, self.red_threshold):
            edit.setPlaceholderText(self.tr("empty: the plan's"))
        self.done_when = QLineEdit(str(values.get("done_when", "")), self)
        self.done_when_basis = _choice(
            [
                (self.tr("the source's words"), TextBasis.TEXT.value),
                (self.tr("the editor's words"), TextBasis.EDITOR.value),
            ],
            str(values.get("done_when_basis", TextBasis.EDITOR.value)),
            self,
        )
        for name, widget in (
            ("target", self.target),
            ("stretch_target", self.stretch_target),
            ("baseline", self.baseline),
            ("baseline_date", self.baseline_date),
            ("baseline_date_inferred", self.baseline_date_inferred),
            ("baseline_source", self.baseline_source),
            ("due", self.due),
            ("yellow_threshold", self.yellow_threshold),
            ("red_threshold", self.red_threshold),
            ("done_when", self.done_when),
            ("done_when_basis", self.done_when_basis),
        ):
            self._row(form, name, widget, 1)

    def _build_source(self, values: Mapping[str, object]) -> None:
        form = self._page()
        assert self.tabs is not None
        self.tabs.setTabText(2, self.tr("Source and notes"))
        self.quote = _text_box(str(values.get("quote", "")), self)
        self.source = QLineEdit(str(values.get("source", "")), self)
        self.note = _text_box(str(values.get("note", "")), self)
        self.quantity = QLineEdit(str(values.get("quantity") or ""), self)
        for name, widget in (
            ("quote", self.quote),
            ("source", self.source),
            ("note", self.note),
            ("quantity", self.quantity),
        ):
            self._row(form, name, widget, 2)

    def _follow_kind(self) -> None:
        """A milestone has a date, no figures: its figure fields are off, its 'done when' on."""
        milestone = self.kind.currentData() == IndicatorKind.MILESTONE.value
        for widget in (
            self.target,
            self.stretch_target,
            self.baseline,
            self.baseline_date,
            self.baseline_date_inferred,
            self.baseline_source,
            self.unit,
            self.direction,
        ):
            widget.setEnabled(not milestone)
        self.done_when.setEnabled(milestone)
        self.done_when_basis.setEnabled(milestone)

    def values(self) -> Values:
        milestone = self.kind.currentData() == IndicatorKind.MILESTONE.value
        percent = self.unit.currentText().strip() == "%"
        due = self.due.date()
        values: Values = {
            "code": self.code.text().strip(),
            "name": self.name.text().strip(),
            "kind": self.kind.currentData(),
            "direction": Direction.AT_LEAST.value if milestone else self.direction.currentData(),
            "unit": "" if milestone else self.unit.currentText().strip(),
            "department_id": self.department.currentData(),
            "department_basis": self.department_basis.currentData(),
            "department_quote": self.department_quote.text().strip(),
            "weight": _figure(self.weight, "weight") if self.weight.text().strip() else 1.0,
            "due": dt.date(due.year(), due.month(), due.day()),
            "yellow_threshold": _figure(self.yellow_threshold, "yellow_threshold"),
            "red_threshold": _figure(self.red_threshold, "red_threshold"),
            "quote": self.quote.toPlainText().strip(),
            "source": self.source.text().strip(),
            "note": self.note.toPlainText().strip(),
            "quantity": self.quantity.text().strip() or None,
            "done_when": self.done_when.text().strip() if milestone else "",
            "done_when_basis": self.done_when_basis.currentData(),
        }
        if milestone:
            values |= NO_FIGURES
        else:
            values |= {
                "target": _figure(self.target, "target", percent=percent),
                "stretch_target": _figure(self.stretch_target, "stretch_target", percent=percent),
                "baseline": _figure(self.baseline, "baseline", percent=percent),
                "baseline_date": _date(self.baseline_date, "baseline_date"),
                "baseline_source": self.baseline_source.text().strip() or None,
                "baseline_date_inferred": self.baseline_date_inferred.isChecked(),
            }
        return values


class MoveDialog(QDialog):
    """Where to move a node or an indicator: one of the places of the right kind."""

    def __init__(
        self,
        what: str,
        places: Sequence[tuple[int, str]],
        current: int | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("moveDialog")
        self.setWindowTitle(fill(self.tr("Move %1"), what))
        self.place = QComboBox(self)
        self.place.setObjectName("movePlace")
        for place_id, text in places:
            if place_id != current:
                self.place.addItem(text, place_id)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(fill(self.tr("Move %1 under:"), what), self))
        layout.addWidget(self.place)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def chosen(self) -> int | None:
        data = self.place.currentData()
        return None if data is None else int(data)


class DepartmentDialog(_FormDialog):
    """A department's full and short name (a new one, or renamed)."""

    def __init__(
        self, values: Mapping[str, object], check: Check, parent: QWidget | None = None
    ) -> None:
        super().__init__(check, parent)
        self.setObjectName("departmentDialog")
        self.setWindowTitle(
            self.tr("Rename a department") if values.get("name") else self.tr("New department")
        )
        self.name = QLineEdit(str(values.get("name", "")), self)
        self.name.setPlaceholderText("市数据局")
        self.short_name = QLineEdit(str(values.get("short_name", "")), self)
        self.short_name.setPlaceholderText("数据局")
        form = QFormLayout()
        self._row(form, "name", self.name)
        self._row(form, "short_name", self.short_name)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)

    def values(self) -> Values:
        return {"name": self.name.text().strip(), "short_name": self.short_name.text().strip()}


class DepartmentsDialog(QDialog):
    """The city's departments: add, rename, merge one into another."""

    def __init__(
        self,
        rows: Callable[[], list[tuple[int, str, str, int | None]]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("departmentsDialog")
        self.setWindowTitle(self.tr("Departments"))
        self._rows = rows
        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("departmentsTable")
        self.table.setHorizontalHeaderLabels(
            [field_label("name"), field_label("short_name"), self.tr("State")]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.add_button = QPushButton(self.tr("&New…"), self)
        self.rename_button = QPushButton(self.tr("&Rename…"), self)
        self.merge_button = QPushButton(self.tr("&Merge into…"), self)
        for button, name in (
            (self.add_button, "addDepartment"),
            (self.rename_button, "renameDepartment"),
            (self.merge_button, "mergeDepartment"),
        ):
            button.setObjectName(name)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.rename_button, self.merge_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addWidget(close)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.refresh()
        self.resize(560, 420)

    def refresh(self) -> None:
        """The departments as the file holds them now."""
        chosen = self.chosen()
        rows = self._rows()
        names = {row[0]: row[1] for row in rows}
        self.table.setRowCount(len(rows))
        for row, (department_id, name, short, merged_into) in enumerate(rows):
            state = (
                self.tr("in use")
                if merged_into is None
                else fill(self.tr("merged into %1"), names.get(merged_into, "?"))
            )
            for column, text in enumerate((name, short, state)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, department_id)
                item.setData(Qt.ItemDataRole.UserRole + 1, merged_into)
                self.table.setItem(row, column, item)
            if department_id == chosen:
                self.table.selectRow(row)
        self.table.resizeColumnToContents(1)
        self._update_buttons()

    def chosen(self) -> int | None:
        items = self.table.selectedItems()
        return None if not items else int(items[0].data(Qt.ItemDataRole.UserRole))

    def select(self, department_id: int) -> None:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and item.data(Qt.ItemDataRole.UserRole) == department_id:
                self.table.selectRow(row)

    def _update_buttons(self) -> None:
        items = self.table.selectedItems()
        merged = bool(items) and items[0].data(Qt.ItemDataRole.UserRole + 1) is not None
        self.rename_button.setEnabled(bool(items))
        self.merge_button.setEnabled(bool(items) and not merged)


class MergeDialog(QDialog):
    """Which department another is merged into."""

    def __init__(
        self, name: str, others: Sequence[tuple[int, str]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mergeDialog")
        self.setWindowTitle(fill(self.tr("Merge %1"), name))
        explanation = QLabel(
            fill(
                self.tr(
                    "Every project, task, measure and indicator of %1 in the plans that are not "
                    "closed passes to the department chosen. Closed plans and past imports keep "
                    "the name %1. Undo takes the merge back."
                ),
                name,
            ),
            self,
        )
        explanation.setWordWrap(True)
        self.into = QComboBox(self)
        self.into.setObjectName("mergeInto")
        for department_id, text in others:
            self.into.addItem(text, department_id)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addWidget(self.into)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def chosen(self) -> int:
        return int(self.into.currentData())


class ArchivedDialog(QDialog):
    """What the plan's editor archived, with the figures each indicator had; one restored."""

    def __init__(self, items: Sequence[ArchivedItem], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("archivedDialog")
        self.setWindowTitle(self.tr("Archived parts of the plan"))
        self.table = QTableWidget(len(items), 3, self)
        self.table.setObjectName("archivedTable")
        self.table.setHorizontalHeaderLabels(
            [field_label("code"), field_label("name"), self.tr("Figures reported")]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self._items = list(items)
        for row, item in enumerate(items):
            figures = "; ".join(f"{month}: {figure}{item.unit}" for month, figure in item.figures)
            if item.entity != "indicator":
                figures = self.tr("(a part of the tree, with everything below it)")
            elif item.restored_with != ("indicator", item.record_id):
                figures = fill(self.tr("(below an archived part) %1"), figures or self.tr("none"))
            for column, text in enumerate((item.code, item.name, figures or self.tr("none"))):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                self.table.setItem(row, column, cell)
        self.table.resizeColumnToContents(0)
        self.table.setColumnWidth(1, 260)
        self.empty = QLabel(self.tr("Nothing of this plan is archived."), self)
        self.empty.setVisible(not items)
        self.restore_button = QPushButton(self.tr("&Restore"), self)
        self.restore_button.setObjectName("restoreArchived")
        self.restore_button.setEnabled(False)
        self.table.itemSelectionChanged.connect(
            lambda: self.restore_button.setEnabled(bool(self.table.selectedItems()))
        )
        self.restore_button.clicked.connect(self.accept)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.restore_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.resize(760, 420)

    def chosen(self) -> ArchivedItem | None:
        rows = {index.row() for index in self.table.selectedIndexes()}
        return self._items[min(rows)] if rows else None
