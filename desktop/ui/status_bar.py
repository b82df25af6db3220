"""The window's status bar: passing notes, and who is typing into which database, whether the
figures are demo figures and when they were last saved."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from desktop.presentation.wording import DEMO_COLOUR

from desktop.ui.i18n import fill

NOTE_MILLISECONDS = 8000
# What the status bar warns of (demo figures, a lost server), in the demo mark's colour.
WARNING_STYLE = f"color: {DEMO_COLOUR}; font-weight: bold;"


class WindowStatusBar(QStatusBar):
    """Notes on the left; on the right the demo mark, the user, the last save, the database."""

    def __init__(self, database: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.demo_label = QLabel(self.tr("DEMO figures"), self)
        self.demo_label.setObjectName("statusDemo")
        self.demo_label.setStyleSheet(WARNING_STYLE)
        self.demo_label.setToolTip(
            self.tr(
                "This database was filled with generated demo figures (target-monitor demo); "
                "its figures were not reported by any department."
            )
        )
        self.demo_label.hide()
        self.user_label = QLabel(self)
        self.user_label.setObjectName("statusUser")
        self.saved_label = QLabel(self.tr("Nothing saved in this session"), self)
        self.saved_label.setObjectName("statusSaved")
        self.database_label = QLabel(fill(self.tr("Database: %1"), database), self)
        self.database_label.setObjectName("statusDatabase")
        self.server_label = QLabel(self.tr("Server connection lost, reconnecting…"), self)
        self.server_label.setObjectName("statusServer")
        self.server_label.setStyleSheet(WARNING_STYLE)
        self.server_label.hide()
        for label in (
            self.server_label,
            self.demo_label,
            self.user_label,
            self.saved_label,
            self.database_label,
        ):
            self.addPermanentWidget(label)

    def show_server(self, lost: str | None) -> None:
        """Whether the server can be heard: nothing when it can, else that the connection is
        lost and being tried again (why, in the tooltip)."""
        self.server_label.setVisible(lost is not None)
        self.server_label.setToolTip(lost or "")

    def note(self, message: str) -> None:
        """A passing note."""
        self.showMessage(message, NOTE_MILLISECONDS)

    def show_user(self, name: str) -> None:
        self.user_label.setText(fill(self.tr("User: %1"), name))

    def show_saved(self, when: dt.datetime) -> None:
        self.saved_label.setText(fill(self.tr("Saved at %1"), f"{when:%H:%M:%S}"))

    def show_demo(self, demo: bool) -> None:
        self.demo_label.setVisible(demo)
