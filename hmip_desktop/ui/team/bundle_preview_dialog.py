"""Before merging: each chosen bundle, who wrote it, when, how much, and whether it is trusted.

Only the signed manifests were read, so nothing has changed yet. Merge takes the bundles that
are ready; refused and already-imported ones are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.services.bundles import BundlePreview
from hmip_desktop.ui.team.roster_panel import fit_columns
from hmip_desktop.ui.team.sync_models import plural, preview_model
from hmip_desktop.ui.widgets.forms import table_view


class BundlePreviewDialog(QDialog):
    """The bundles about to be merged; Merge is enabled when at least one is ready."""

    def __init__(self, parent: QWidget | None,
                 items: Sequence[tuple[Path, BundlePreview]]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import bundles")
        self.resize(900, 360)
        self._items = list(items)
        layout = QVBoxLayout(self)
        ready = len(self.ready_paths())
        refused = sum(1 for _p, b in self._items if b.status == "refused")
        repeats = sum(1 for _p, b in self._items if b.status == "already_imported")
        text = f"{ready} of {plural(len(self._items), 'bundle')} ready to merge."
        if refused:
            text += f" {plural(refused, 'bundle')} refused: they will be left out."
        if repeats:
            text += f" {plural(repeats, 'bundle')} already imported: nothing new in them."
        self.summary = QLabel(text + " Nothing has been changed yet.")
        self.summary.setAccessibleName("Import preview summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.model = preview_model()
        self.model.set_rows([b for _p, b in self._items])
        self.table = table_view(self.model, "Bundles to import")
        fit_columns(self.table)
        layout.addWidget(self.table, 1)
        self.buttons = QDialogButtonBox()
        self.merge_button = self.buttons.addButton("&Merge",
                                                   QDialogButtonBox.ButtonRole.AcceptRole)
        self.merge_button.setAccessibleName("Merge the ready bundles")
        self.merge_button.setEnabled(ready > 0)
        self.merge_button.setDefault(ready > 0)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.table.setFocus()

    def previews(self) -> list[BundlePreview]:
        """Every bundle shown, in the order chosen."""
        return [b for _p, b in self._items]

    def ready_paths(self) -> list[Path]:
        """The bundles Merge will import."""
        return [p for p, b in self._items if b.status == "ready"]
