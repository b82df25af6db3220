"""Long work (import, export, report, backup) off the UI thread, with a progress dialog and
Cancel; and quiet start-up chores without a dialog."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    SIGNAL,
    SLOT,
    QCoreApplication,
    QEvent,
    QEventLoop,
    QObject,
    Qt,
    QThread,
    QTimer,
    Signal,
)
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QProgressDialog, QWidget

from desktop.models.changes import Progress
from desktop.models.errors import TargetMonitorError

T = TypeVar("T")


class BackgroundError(TargetMonitorError):
    """The background job failed unexpectedly (a bug); the message is for the user."""


class _Worker(QObject, Generic[T]):
    """Runs the job in its thread and reports back through signals."""

    progressed = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(object)  # the TargetMonitorError the job raised

    def __init__(self, job: Callable[[Progress], T]) -> None:
        super().__init__()
        self._job = job
        self.cancelled = False

    def _progress(self, done: int, total: int) -> bool:
        self.progressed.emit(done, total)
        return not self.cancelled

    def run(self) -> None:
        try:
            self.succeeded.emit(self._job(self._progress))
        except TargetMonitorError as error:
            self.failed.emit(error)
        except Exception as error:  # a bug must not leave the window waiting forever
            traceback.print_exc()
            self.failed.emit(BackgroundError(f"{type(error).__name__}: {error}"))


class ProgressDialog(QProgressDialog):
    """Stays up until the job has ended, so nothing else can start meanwhile: Cancel (the
    button, Esc or closing) asks the job to stop at its next step; it does not hide the dialog.
    Without `cancellable` there is no Cancel: the job cannot stop half-way."""

    def __init__(self, label: str, parent: QWidget | None, *, cancellable: bool) -> None:
        text = QCoreApplication.translate("Background", "Cancel")
        super().__init__(label, text if cancellable else "", 0, 0, parent)
        self.setObjectName("progressDialog")
        if not cancellable:
            self.setCancelButton(None)  # no button at all, not a hidden one
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAutoReset(False)
        self.setAutoClose(False)
        self._cancellable = cancellable
        self.cancel_requested = False
        # QProgressDialog hides itself on cancel(); this dialog waits for the job instead.
        QObject.disconnect(self, SIGNAL("canceled()"), self, SLOT("cancel()"))
        self.canceled.connect(self._request_cancel)

    def _request_cancel(self) -> None:
        if not self._cancellable or self.cancel_requested:
            return
        self.cancel_requested = True
        self.setLabelText(QCoreApplication.translate("Background", "Cancelling…"))

    def reject(self) -> None:  # QDialog.reject: Esc
        self.canceled.emit()

    def closeEvent(self, event: QCloseEvent) -> None:  # QWidget.closeEvent
        event.ignore()
        self.canceled.emit()


class _Relay(QObject):
    """Lives in the UI thread, so the worker's signals reach the dialog through the queue."""

    def __init__(self, dialog: QProgressDialog, thread: QThread, outcome: dict[str, Any]) -> None:
        super().__init__(dialog)
        self._dialog = dialog
        self._thread = thread
        self._outcome = outcome

    def progressed(self, done: int, total: int) -> None:
        self._dialog.setMaximum(total)
        self._dialog.setValue(done)

    def succeeded(self, result: object) -> None:
        self._outcome["result"] = result
        self._thread.quit()

    def failed(self, error: TargetMonitorError) -> None:
        self._outcome["error"] = error
        self._thread.quit()


def run_in_background(
    parent: QWidget | None,
    label: str,
    job: Callable[[Progress], T],
    *,
    cancellable: bool = True,
) -> T:
    """Run `job` in a worker thread while a progress dialog keeps the window responsive (and
    the user from starting anything else until it has ended).

    Returns the job's result; raises the project's error the job raised (a cancelled job
    raises OperationCancelled), or BackgroundError for anything unforeseen.
    """
    thread = QThread(parent)
    worker: _Worker[T] = _Worker(job)
    worker.moveToThread(thread)
    dialog = ProgressDialog(label, parent, cancellable=cancellable)
    outcome: dict[str, Any] = {}
    loop = QEventLoop()
    relay = _Relay(dialog, thread, outcome)
    worker.progressed.connect(relay.progressed)
    worker.succeeded.connect(relay.succeeded)
    worker.failed.connect(relay.failed)
    dialog.canceled.connect(lambda: setattr(worker, "cancelled", dialog.cancel_requested))
    thread.started.connect(worker.run)
    thread.finished.connect(loop.quit)
    dialog.show()  # at once: until the job ends, the window takes no input (no second job)
    thread.start()
    loop.exec()
    thread.wait()
    dialog.hide()
    dialog.deleteLater()
    worker.deleteLater()
    thread.deleteLater()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]  # type: ignore[no-any-return]


class _Bridge(QObject):
    """Lives in the UI thread and hands a quiet job's outcome to its callbacks there."""

    def __init__(
        self,
        parent: QObject,
        worker: _Worker[Any],
        done: Callable[[Any], None],
        failed: Callable[[str], None],
    ) -> None:
        super().__init__(parent)
        self.worker = worker  # kept alive until the thread has finished
        self._done = done
        self._failed = failed

    def succeeded(self, result: object) -> None:
        self._done(result)

    def failed(self, error: TargetMonitorError) -> None:
        self._failed(str(error))


def run_quietly(
    parent: QObject,
    job: Callable[[], T],
    done: Callable[[T], None],
    failed: Callable[[str], None],
) -> QThread:
    """Run `job` in a worker thread without a dialog (start-up chores such as the daily
    backup); `done` or `failed` is called in the UI thread. Wait for the returned thread
    before closing what the job uses."""
    thread = QThread(parent)
    worker: _Worker[T] = _Worker(lambda _progress: job())
    worker.moveToThread(thread)
    bridge = _Bridge(parent, worker, done, failed)
    worker.succeeded.connect(bridge.succeeded)
    worker.failed.connect(bridge.failed)
    thread.started.connect(worker.run)
    # Quit from the worker's own thread: the UI thread may be waiting for it (finish_chores).
    worker.succeeded.connect(thread.quit, Qt.ConnectionType.DirectConnection)
    worker.failed.connect(thread.quit, Qt.ConnectionType.DirectConnection)
    # The bridge holds the only reference to the worker: deleting the bridge once the thread
    # has finished lets Python delete the worker. Qt must not delete it as well (deleteLater in
    # the worker's thread): the two deletions raced and crashed the program now and then.
    thread.finished.connect(bridge.deleteLater)
    thread.start()
    return thread


# What the window does while it is in use: a key, a click, the wheel, or a repaint (a change
# being shown). Pointer moves alone do not count.
_BUSY_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.Wheel,
        QEvent.Type.Paint,
    }
)


class _WhenQuiet(QObject):
    """Watches the application's events until it has been left alone for `quiet` seconds,
    then runs `start` once and goes."""

    def __init__(self, quiet: float, start: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self._quiet, self._start = quiet, start
        self._last = time.monotonic()
        application = QCoreApplication.instance()
        assert application is not None
        application.installEventFilter(self)
        self._timer = QTimer(self)
        self._timer.setInterval(max(1, round(quiet * 1000 / 4)))
        self._timer.timeout.connect(self._check)
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # QObject.eventFilter
        if event.type() in _BUSY_EVENTS:
            self._last = time.monotonic()
        return False

    def _check(self) -> None:
        if time.monotonic() - self._last < self._quiet:
            return
        self._timer.stop()
        application = QCoreApplication.instance()
        if application is not None:
            application.removeEventFilter(self)
        self.deleteLater()
        self._start()


def when_quiet(parent: QObject, quiet_ms: int, start: Callable[[], None]) -> None:
    """Run `start` once the application has had no key, click, wheel or repaint for
    `quiet_ms` (on the UI thread): work that would slow what the user is doing (a thread
    loading modules holds Python's lock, and the window calls into Python for every row it
    paints) waits for a pause, as a user's reading is one."""
    _WhenQuiet(quiet_ms / 1000, start, parent)
