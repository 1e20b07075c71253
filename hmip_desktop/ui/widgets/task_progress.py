"""A progress bar with a Cancel button for one long task at a time (export, import, invite, join).

The owner disables its controls while `running_changed(True)`; Cancel sets the task's cancel
event, and the service stops with nothing written. Closing the inspection (or the window)
cancels the running task too: its work is on the file being closed, and the window's close
waits for the DB lane, so an import left running would freeze the window until it ended.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QWidget

from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.errors import present_error
from hmip_desktop.ui.tasks import TaskControl
from hmip_desktop.ui.widgets.forms import plain_label

Work = Callable[[TaskControl], Any]


class TaskProgress(QWidget):
    """Hidden while idle; shows what runs, how far it got, and a Cancel button."""

    running_changed = Signal(bool)
    progressed = Signal(int, int)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._control: TaskControl | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = plain_label("")  # a task may name its file
        self.label.setAccessibleName("Task in progress")
        self.bar = QProgressBar()
        self.bar.setAccessibleName("Progress")
        self.bar.setMinimumWidth(200)
        self.cancel_button = QPushButton("&Cancel")  # Alt+C: no page that shows the bar uses C
        self.cancel_button.setAccessibleName("Cancel the task in progress")
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        row.addWidget(self.label, 1)
        row.addWidget(self.bar)
        row.addWidget(self.cancel_button)
        ctx.signals.inspection_closed.connect(self._on_inspection_closed)
        self.hide()

    @property
    def running(self) -> bool:
        """True while a task runs."""
        return self._control is not None

    @property
    def control(self) -> TaskControl | None:
        """The running task's control (tests cancel through it too)."""
        return self._control

    def run(self, text: str, work: Work, on_ok: Callable[[Any], None],
            on_error: Callable[[BaseException], None] | None = None, *, write: bool = False,
            before_broadcast: Callable[[Any], None] | None = None,
            cancellable: bool = True) -> TaskControl | None:
        """Start `work(control)` on the DB lane; None when another task is still running.

        With `write`, the task goes through `UiContext.write`: the changes it returns are
        broadcast (after `before_broadcast`, before `on_ok`). Without `cancellable` the bar
        shows no Cancel button: for work that cannot stop midway and leave the file as it was.
        """
        if self._control is not None:
            return None
        control = TaskControl()
        self._control = control
        self.label.setText(text)
        self.bar.setRange(0, 0)  # busy until the first progress report says how far
        self.cancel_button.setEnabled(cancellable)
        self.cancel_button.setVisible(cancellable)
        self.show()
        self.running_changed.emit(True)

        def ok(result: Any) -> None:
            self._finish()
            on_ok(result)

        def failed(exc: BaseException) -> None:
            self._finish()
            if on_error is not None:
                on_error(exc)
            else:
                present_error(self.window(), exc)

        if write:
            def first(result: Any) -> None:
                self._finish()
                if before_broadcast is not None:
                    before_broadcast(result)

            self.ctx.write(work, on_ok, failed, before_broadcast=first,
                           on_progress=self._on_task_progress, control=control)
        else:
            self.ctx.tasks.submit(work, ok, failed, on_progress=self._on_task_progress,
                                  control=control)
        return control

    def cancel(self) -> None:
        """Ask the running task to stop."""
        if self._control is not None:
            self._control.cancel.set()
            self.label.setText("Cancelling…")
            self.cancel_button.setEnabled(False)

    def _on_cancel_button_clicked(self) -> None:
        self.cancel()

    def _on_inspection_closed(self) -> None:
        if self._control is not None:
            self.cancel()

    def _on_task_progress(self, done: int, total: int) -> None:
        if self._control is None:
            return
        # QProgressBar holds ints: scale byte counts into a range it can show.
        self.bar.setRange(0, 1000)
        self.bar.setValue(int(1000 * done / total) if total > 0 else 0)
        self.progressed.emit(done, total)

    def _finish(self) -> None:
        self._control = None
        self.hide()
        self.running_changed.emit(False)
