"""A table model over a plain list of rows, for the small read-only tables of the window; and
the answer to a view's many roles per cell in one call, for any model."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any, Generic, TypeVar, cast

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    QPersistentModelIndex,
    Qt,
)

Row = TypeVar("Row")
AnyIndex = QModelIndex | QPersistentModelIndex


def answer_roles(
    model: QAbstractItemModel,
    index: AnyIndex,
    roles: QModelRoleDataSpan | QModelRoleData,
    answered: Collection[int] | None = None,
) -> None:
    """QAbstractItemModel.multiData for a model whose data() answers `answered` (None: any
    role): an item delegate asks for seven roles of every cell it paints at once, and Qt's
    default asks data() for each from C++ (seven calls into Python per cell instead of one)."""
    if not index.isValid():
        return
    # a span is a sequence at run time (its stubs do not say so)
    asked = (
        (roles,) if isinstance(roles, QModelRoleData) else cast("Iterable[QModelRoleData]", roles)
    )
    for role_data in asked:
        role = role_data.role()
        if answered is None or role in answered:
            value = model.data(index, role)
            if value is not None:
                role_data.setData(value)


class RowListModel(QAbstractTableModel, Generic[Row]):
    """Rows from a list, columns from `headers()`; subclasses implement data()."""

    _rows: list[Row]
    _headers_kept: tuple[str, ...] | None = None  # the headers' words, once asked

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> Row:
        return self._rows[row]

    def headers(self) -> tuple[str, ...]:
        raise NotImplementedError

    def multiData(self, index: AnyIndex, roleDataSpan: QModelRoleDataSpan | QModelRoleData) -> None:
        answer_roles(self, index, roleDataSpan)  # QAbstractTableModel.multiData

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # QAbstractTableModel
        return 0 if parent.isValid() else len(getattr(self, "_rows", ()))

    def _kept_headers(self) -> tuple[str, ...]:
        # asked for every cell and header painted: translated once (the language is chosen
        # before the window opens)
        if self._headers_kept is None:
            self._headers_kept = self.headers()
        return self._headers_kept

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # QAbstractTableModel
        return 0 if parent.isValid() else len(self._kept_headers())

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:  # QAbstractTableModel.headerData
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        headers = self._kept_headers()
        return headers[section] if 0 <= section < len(headers) else None
