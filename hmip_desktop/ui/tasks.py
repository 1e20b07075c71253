"""Run work off the GUI thread and deliver results back on it.

Rules: every write and anything touching files goes through `TaskRunner.submit`; DB tasks
share one single-worker lane, so the app never has two SQLite writers. Callbacks (`on_ok`,
`on_error`, `on_progress`) always run on the GUI thread. Long tasks receive a `TaskControl`
with `progress(done, total)` and a cancellation `Event`. Tests inject a synchronous executor.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

PROGRESS_S = 0.1  # at most ten progress reports a second reach the GUI thread


@dataclass
class TaskControl:
    """Handed to long work: report progress, check for cancellation."""

    cancel: threading.Event = field(default_factory=threading.Event)
    _emit: Callable[[int, int], None] | None = None

    def progress(self, done: int, total: int) -> None:
        """Report progress (marshalled to the GUI thread)."""
        if self._emit is not None:
            self._emit(done, total)


class SyncExecutor(Executor):
    """Runs work immediately on the calling thread (tests; Picard's FakeThreadPool idea)."""

    def submit(self, fn, /, *args, **kwargs) -> Future:  # type: ignore[no-untyped-def, override]
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - delivered to on_error
            future.set_exception(exc)
        return future


class TaskRunner(QObject):
    """Bridges executor threads and the GUI thread with a queued signal."""

    _deliver = Signal(object)
    _progress = Signal(object)
    busy_changed = Signal(bool)

    def __init__(self, executor: Executor | None = None) -> None:
        super().__init__()
        self._executor = executor or ThreadPoolExecutor(max_workers=1,
                                                        thread_name_prefix="db-lane")
        self._deliver.connect(self._on_deliver)
        self._progress.connect(self._on_progress)
        self._running = 0

    @property
    def busy(self) -> bool:
        """True while submitted work has not yet been delivered (an int read: safe to ask
        from another thread)."""
        return self._running > 0

    @property
    def synchronous(self) -> bool:
        """True when work runs inline (tests)."""
        return isinstance(self._executor, SyncExecutor)

    def submit(self, work: Callable[..., Any], on_ok: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException], None] | None = None, *,
               on_progress: Callable[[int, int], None] | None = None,
               control: TaskControl | None = None) -> TaskControl:
        """Run `work()` (or `work(control)` when a control is given) on the DB lane."""
        if control is not None:
            control._emit = self._progress_emitter(on_progress)
            call: Callable[[], Any] = lambda: work(control)  # noqa: E731
        else:
            control = TaskControl()
            call = work
        self._running += 1
        self.busy_changed.emit(True)
        future = self._executor.submit(call)
        if self.synchronous:
            self._on_deliver((future, on_ok, on_error))
        else:
            future.add_done_callback(lambda f: self._deliver.emit((f, on_ok, on_error)))
        return control

    def _progress_emitter(self, on_progress: Callable[[int, int], None] | None
                          ) -> Callable[[int, int], None]:
        """Progress reports, at most one per PROGRESS_S on a worker (a fast import reports
        a hundred times a second; each report is a GUI-thread slot, and a GIL hand-over with
        the worker, for a bar that cannot show the difference). "Done" always goes."""
        if self.synchronous:
            return lambda d, t: self._progress.emit((on_progress, d, t))
        last = [0.0]

        def emit(done: int, total: int) -> None:
            now = time.monotonic()
            if done >= total or now - last[0] >= PROGRESS_S:
                last[0] = now
                self._progress.emit((on_progress, done, total))

        return emit

    @Slot(object)
    def _on_deliver(self, item: tuple) -> None:
        future, on_ok, on_error = item
        self._running -= 1
        self.busy_changed.emit(self._running > 0)
        exc = future.exception()
        if exc is not None:
            if on_error is not None:
                on_error(exc)
            else:
                from hmip_desktop.ui.errors import present_error

                present_error(None, exc)
        elif on_ok is not None:
            on_ok(future.result())

    @Slot(object)
    def _on_progress(self, item: tuple) -> None:
        callback, done, total = item
        if callback is not None:
            callback(done, total)

    def shutdown(self) -> None:
        """Finish queued work (writes must land) and stop the lane."""
        self._executor.shutdown(wait=True)
