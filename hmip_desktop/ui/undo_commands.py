"""Undo steps for evidence edits. Undo and redo each write a NEW revision; none is removed.

The first redo() that QUndoStack.push() calls is skipped for steps whose change was already
written (autosave, link added), so pushing never writes twice. Each step's `run` is expected to
write through `UiContext.write`, so the changes an undo or redo broadcasts are the ones its
service call returned.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QWidget

from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.errors import present_error

Runner = Callable[[Callable[[], object]], None]


class WriteStep(QUndoCommand):
    """A step made of two writes: `do` (already done when pushed) and `undo`."""

    def __init__(self, text: str, run: Runner, do: Callable[[], object],
                 undo: Callable[..., object], *, already_done: bool = True,
                 undo_run: Callable[[Callable[..., object]], None] | None = None) -> None:
        super().__init__(text)
        self._run, self._do, self._undo = run, do, undo
        self._undo_run = undo_run or run  # a long undo may run with a progress bar
        self._skip_first = already_done

    def redo(self) -> None:
        """Write the change (again)."""
        if self._skip_first:
            self._skip_first = False
            return
        self._run(self._do)

    def undo(self) -> None:
        """Write the inverse change."""
        self._undo_run(self._undo)


def delete_with_undo(ctx: UiContext, stack: QUndoStack, parent: QWidget, *, label: str,
                     delete: Callable[[], object], restore: Callable[..., object],
                     then: Callable[[], None] | None = None,
                     run_restore: Callable[[Callable[..., object]], None] | None = None) -> None:
    """Delete a record on the DB lane, then push an undo step; each write broadcasts its changes.

    Undo restores (a new live revision); redo deletes again (a new tombstone). `then` runs
    after the delete succeeded, before views reload (for a status line). `run_restore`, when
    given, runs the restore instead of a plain write (a long one, with a progress bar).
    """
    def run(work: Callable[[], object]) -> None:
        ctx.write(work, on_error=lambda e: present_error(parent, e))

    def deleted(_r: object) -> None:
        stack.push(WriteStep(label, run, delete, restore, undo_run=run_restore))
        if then is not None:
            then()

    ctx.write(delete, on_error=lambda e: present_error(parent, e), before_broadcast=deleted)
