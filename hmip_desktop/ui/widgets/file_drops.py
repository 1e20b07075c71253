"""Files dropped on a widget: the one way the panels and pages that take dropped files accept
them (documents, an extract, sync bundles). A widget says which of the dragged files it
takes now (`dropped_files`: none refuses the drag) and what to do with them
(`files_dropped`); the drag events are handled here the same way for all."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QDragMoveEvent, QDropEvent


class FileDrops:
    """Mixin for a QWidget (list it before the Qt class) that calls setAcceptDrops(True)."""

    def dropped_files(self, mime: QMimeData) -> list[Path]:
        """The dragged files this widget takes now; empty refuses the drag."""
        raise NotImplementedError

    def files_dropped(self, paths: list[Path]) -> None:
        """Do what a drop of `paths` (as `dropped_files` returned them) means here."""
        raise NotImplementedError

    def dragEnterEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 - Qt override
        """Accept a drag carrying files this widget takes."""
        if self.dropped_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 - Qt override
        """Keep accepting while the files move over it (the same test)."""
        self.dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt override
        """Take the dropped files."""
        paths = self.dropped_files(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.files_dropped(paths)
