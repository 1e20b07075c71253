"""Undo steps for evidence edits. Undo and redo each write a NEW revision; none is removed.

The first redo() that QUndoStack.push() calls is skipped for steps whose change was already
written (autosave, link added), so pushing never writes twice.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

Runner = Callable[[Callable[[], object]], None]


class WriteStep(QUndoCommand):
    """A step made of two writes: `do` (already done when pushed) and `undo`."""

    def __init__(self, text: str, run: Runner, do: Callable[[], object],
                 undo: Callable[[], object], *, already_done: bool = True) -> None:
        super().__init__(text)
        self._run, self._do, self._undo = run, do, undo
        self._skip_first = already_done

    def redo(self) -> None:
        """Write the change (again)."""
        if self._skip_first:
            self._skip_first = False
            return
        self._run(self._do)

    def undo(self) -> None:
        """Write the inverse change."""
        self._run(self._undo)
