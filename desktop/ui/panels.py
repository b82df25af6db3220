"""Side panels of the grid: the selected month's notes, and its history of changes."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.models.changes import Changes
from desktop.models.edits import NOTE_MAX_LENGTH, EntryEdit
from desktop.models.text import clean

from desktop.ui.controller import PlanController
from desktop.ui.i18n import recorded_text
from desktop.ui.row_model import RowListModel

if TYPE_CHECKING:
    from desktop.models.history import HistoryEvent

AnyIndex = QModelIndex | QPersistentModelIndex


class HistoryModel(RowListModel["HistoryEvent"]):
    """The audit events of one indicator's month, newest first."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows = []

    def set_events(self, events: list[HistoryEvent]) -> None:
        self.set_rows(events)

    def headers(self) -> tuple[str, ...]:
        return (
            self.tr("When"),
            self.tr("Who"),
            self.tr("What"),
            self.tr("Old → new"),
            self.tr("Source"),
        )

    def _field_text(self, name: str) -> str:
        return {
            "value": self.tr("value"),
            "milestone_state": self.tr("state"),
            "progress_note": self.tr("progress"),
            "problems": self.tr("problems and next steps"),
        }.get(name, name)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # QAbstractTableModel.data
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        event = self.row_at(index.row())
        column = index.column()
        if column == 0:  # this year's times without the year (in the tooltip, with it)
            if role == Qt.ItemDataRole.DisplayRole and event.at.year == dt.date.today().year:
                return f"{event.at:%m-%d %H:%M}"
            return f"{event.at:%Y-%m-%d %H:%M}"
        if column == 1:
            return event.user
        if column == 2:
            return self._field_text(event.field)
        if column == 3:
            return f"{recorded_text(event.old_value)} → {recorded_text(event.new_value)}"
        if event.batch_id is None:
            return self.tr("typed in")
        return (
            self.tr("import #%1 %2")
            .replace("%1", str(event.batch_id))
            .replace("%2", event.batch_file or "")
        )


class FittedTableView(QTableView):
    """A table whose columns all stand in its width: each at least as wide as its header, the
    room left shared out by what the cells want; a cell too long elides (its tooltip holds it)."""

    PADDING = 16  # the style's margins around a header's text

    def fit_columns(self) -> None:
        header, model = self.horizontalHeader(), self.model()
        columns = range(model.columnCount())
        least = [
            header.fontMetrics().horizontalAdvance(
                str(model.headerData(c, Qt.Orientation.Horizontal))
            )
            + self.PADDING
            for c in columns
        ]
        wanted = [max(least[c], self.sizeHintForColumn(c)) for c in columns]
        # The room left goes to the columns that want least first (a date, a name), so that
        # only the longest (a note's old and new text) elide.
        room = max(0, self.viewport().width() - sum(least))
        widths = list(least)
        waiting = sorted(columns, key=lambda c: wanted[c] - least[c])
        for place, column in enumerate(waiting):
            more = min(wanted[column] - least[column], room // (len(waiting) - place))
            widths[column] += more
            room -= more
        for column, width in enumerate(widths):
            header.resizeSection(column, width)

    def resizeEvent(self, event: QResizeEvent) -> None:  # QWidget.resizeEvent
        super().resizeEvent(event)
        self.fit_columns()


class HistoryPanel(QWidget):
    """Who changed the selected month, when, from what to what."""

    def __init__(self, controller: PlanController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyPanel")
        self._controller = controller
        self._key: tuple[int, str] | None = None
        self.model = HistoryModel(self)
        self.view = FittedTableView(self)
        self.view.setObjectName("historyView")
        self.view.setModel(self.model)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setWordWrap(False)
        self.model.modelReset.connect(self.view.fit_columns)
        self.view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.title = QLabel(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.view)
        controller.changed.connect(self._on_changed)
        self._show_no_cell()

    def _show_no_cell(self) -> None:
        self.title.setText(self.tr("History: select a month cell"))
        self.model.set_events([])

    def show_entry(self, key: tuple[int, str] | None) -> None:
        if key is None and self._key is None and self.model.rowCount() == 0:
            return  # no cell before and none now (a filter changed the grid): nothing to do
        self._key = key
        if key is None:
            self._show_no_cell()
            return
        from desktop.models.history import entry_history  # noqa: PLC0415 (when first used)

        indicator = self._controller.workspace.indicators[key[0]]
        self.title.setText(
            self.tr("History of %1 %2").replace("%1", indicator.code).replace("%2", key[1])
        )
        self.model.set_events(entry_history(self._controller.database, *key))

    def _on_changed(self, changes: Changes) -> None:
        if self._key is not None and (changes.rebuilt or self._key[0] in changes.indicator_ids):
            self.show_entry(self._key)


class NotesPanel(QWidget):
    """进展情况 and 存在问题及下步措施 of the selected month, saved as one undoable step."""

    def __init__(self, controller: PlanController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notesPanel")
        self._controller = controller
        self._key: tuple[int, str] | None = None
        self.title = QLabel(self)
        self.title.setWordWrap(True)
        self.reporter = QLabel(self)
        self.progress = QPlainTextEdit(self)
        self.progress.setObjectName("progressNote")
        self.problems = QPlainTextEdit(self)
        self.problems.setObjectName("problemsNote")
        for editor in (self.progress, self.problems):
            editor.setTabChangesFocus(True)
            editor.textChanged.connect(self._update_buttons)
        self.save_button = QPushButton(self.tr("Save notes"), self)
        self.save_button.setObjectName("saveNotes")
        self.save_button.setShortcut(QKeySequence.StandardKey.Save)
        self.save_button.setToolTip(self.tr("Save the notes of this month (Ctrl+S)"))
        self.save_button.clicked.connect(self.save)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)  # labels above the boxes
        form.addRow(self.tr("Progress"), self.progress)
        form.addRow(self.tr("Problems and next steps"), self.problems)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.reporter)
        layout.addLayout(form)
        layout.addWidget(self.save_button, alignment=Qt.AlignmentFlag.AlignRight)
        controller.changed.connect(self._on_changed)
        self._saved = ("", "")
        self.show_entry(None)

    def show_entry(self, key: tuple[int, str] | None) -> None:
        self._key = key
        enabled = key is not None
        for widget in (self.progress, self.problems):
            widget.setEnabled(enabled)
        if key is None:
            self.title.setText(self.tr("Notes: select a month cell"))
            self.reporter.clear()
            self._set_texts("", "")
            return
        from desktop.models.history import entry_details  # noqa: PLC0415 (when first used)

        indicator = self._controller.workspace.indicators[key[0]]
        self.title.setText(f"{indicator.code} {indicator.name} · {key[1]}")
        details = entry_details(self._controller.database, *key)
        if details is None:
            self.reporter.setText(self.tr("Nothing reported for this month yet"))
            self._set_texts("", "")
        else:
            self.reporter.setText(
                self.tr("Last saved by %1 at %2")
                .replace("%1", details.reported_by)
                .replace("%2", f"{details.reported_at:%Y-%m-%d %H:%M}")
            )
            self._set_texts(details.progress_note, details.problems)

    def _set_texts(self, progress: str, problems: str) -> None:
        self._saved = (progress, problems)
        self.progress.setPlainText(progress)
        self.problems.setPlainText(problems)
        self._update_buttons()

    def _texts(self) -> tuple[str, str]:
        """The notes as they will be kept (the service keeps pasted text clean)."""
        return (
            clean(self.progress.toPlainText()).strip(),
            clean(self.problems.toPlainText()).strip(),
        )

    @property
    def dirty(self) -> bool:
        return self._key is not None and self._texts() != self._saved

    def _update_buttons(self) -> None:
        too_long = any(len(t) > NOTE_MAX_LENGTH for t in self._texts())
        self.save_button.setEnabled(self.dirty and not too_long)
        self.save_button.setToolTip(
            self.tr("A note holds at most %1 characters").replace("%1", str(NOTE_MAX_LENGTH))
            if too_long
            else self.tr("Save the notes of this month (Ctrl+S)")
        )

    def save(self) -> bool:
        """Save the notes as one undoable step. Refused (someone else saved notes here
        meanwhile: both are shown), the typed text stays, and saving again saves over theirs."""
        from desktop.models.history import entry_details  # noqa: PLC0415 (when first used)

        if not self.dirty or self._key is None:
            return False
        progress, problems = self._texts()
        indicator = self._controller.workspace.indicators[self._key[0]]
        cell = EntryEdit(
            *self._key,
            {"progress_note": progress, "problems": problems},
            {"progress_note": self._saved[0], "problems": self._saved[1]},
        )
        description = (
            self.tr("Edit notes of %1 %2").replace("%1", indicator.code).replace("%2", self._key[1])
        )
        saved = self._controller.edit([cell], description)
        if saved:
            self.show_entry(self._key)  # who saved it and when, from the database
        else:
            details = entry_details(self._controller.database, *self._key)
            self._saved = ("", "") if details is None else (details.progress_note, details.problems)
        self._update_buttons()
        return saved

    def _on_changed(self, changes: Changes) -> None:
        # Text being typed is never replaced behind the user's back.
        touched = changes.rebuilt or (
            self._key is not None and self._key[0] in changes.indicator_ids
        )
        if self._key is not None and touched and not self.dirty:
            self.show_entry(self._key)
