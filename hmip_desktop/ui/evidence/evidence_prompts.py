"""Small prompts of the Evidence tabs, as module functions so tests can replace them.

Each one is the only place its modal dialog is shown.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, Qt
from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

from hmip_desktop.services.documents import DocumentView

FILE_FILTER = ("Documents (*.pdf *.docx *.xlsx *.csv *.txt *.png *.jpg *.jpeg);;"
               "All files (*)")


def choose_document_files(parent: QWidget) -> list[Path]:
    """Ask which files to import (tests replace this)."""
    chosen, _ = QFileDialog.getOpenFileNames(parent, "Import documents", "", FILE_FILTER)
    return [Path(p) for p in chosen]


def confirm_plaintext_export(parent: QWidget, view: DocumentView) -> bool:
    """Warn that an exported copy leaves the encrypted store (tests replace this)."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Export a copy",
                      f"'{view.filename}' will be saved as an ordinary, UNENCRYPTED file "
                      "outside the inspection. Anyone with access to that folder can read "
                      "it, and it will not be deleted with the inspection.\n\n"
                      "Export a copy anyway?",
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                      parent)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setAccessibleName("Export warning")
    box.setTextFormat(Qt.TextFormat.PlainText)  # it names the file
    return box.exec() == QMessageBox.StandardButton.Yes


def choose_export_path(parent: QWidget, suggested: str) -> Path | None:
    """Ask where to save the copy (tests replace this); the dialog confirms overwriting."""
    chosen, _ = QFileDialog.getSaveFileName(parent, "Export a copy", suggested)
    return Path(chosen) if chosen else None


def local_paths(mime: QMimeData) -> list[Path]:
    """Local files among dragged URLs (folders and web links are ignored)."""
    if not mime.hasUrls():
        return []
    return [Path(u.toLocalFile()) for u in mime.urls()
            if u.isLocalFile() and Path(u.toLocalFile()).is_file()]


EXTRACT_FILTER = "Data extracts (*.csv *.xlsx);;All files (*)"


def choose_extract_file(parent: QWidget) -> Path | None:
    """Ask which CSV or XLSX file to import (tests replace this)."""
    chosen, _ = QFileDialog.getOpenFileName(parent, "Import a data extract", "", EXTRACT_FILTER)
    return Path(chosen) if chosen else None


def ask_caption(parent: QWidget, suggested: str) -> str | None:
    """Ask for a figure's caption (tests replace this); None when cancelled."""
    text, ok = QInputDialog.getText(parent, "Pin figure",
                                    "Caption (what the figure shows, as in the report):",
                                    QLineEdit.EchoMode.Normal, suggested)
    return text.strip() if ok and text.strip() else None
