"""Help ▸ About: version and build, where data and the log live, where keys live, licences."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QUrl, qVersion
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop import APP_DISPLAY_NAME
from hmip_desktop.services import startup
from hmip_desktop.ui.widgets.forms import plain_label

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore

_KEY_PLACES = {"keyring": "the OS keyring", "passphrase": "its key file, wrapped with a passphrase"}


def _value(text: str, name: str) -> QLabel:
    label = plain_label(text)  # folder and file names
    label.setWordWrap(True)
    label.setAccessibleName(name)
    label.setTextInteractionFlags(label.textInteractionFlags()
                                  | label.textInteractionFlags().TextSelectableByMouse)
    return label


class AboutDialog(QDialog):
    """Facts about this installation; the open inspection's key location when one is open."""

    def __init__(self, parent: QWidget | None, store: InspectionStore | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"About {APP_DISPLAY_NAME}")
        self.setMinimumWidth(600)
        facts = startup.about_facts()
        layout = QVBoxLayout(self)
        title = QLabel(f"<b>{APP_DISPLAY_NAME}</b> — offline evidence, scoring and reports for "
                       "HM Inspectorate of Prisons inspection teams")
        title.setWordWrap(True)
        layout.addWidget(title)
        form = QFormLayout()
        self.values: dict[str, QLabel] = {}
        keys_text = facts.key_storage.explanation
        if store is not None:
            place = _KEY_PLACES.get(store.info.key_source, store.info.key_source)
            keys_text = (f"The key of {store.path.name} lives in {place} (key record "
                         f"{store.path.name}.key beside the file). New inspections: "
                         + keys_text)
        rows = (
            ("version", "Version", f"{facts.version} ({facts.build})"),
            ("runtime", "Runtime", f"Python {facts.python}, Qt {qVersion()}"),
            ("data", "Data directory", str(facts.data_dir)),
            ("inspections", "New inspections", str(facts.inspections_dir)),
            ("log", "Log file", str(facts.log_file)),
            ("keyring", "Keyring", facts.key_storage.backend),
            ("keys", "Where the key lives", keys_text),
            ("licenses", "Licences", str(facts.licenses_dir) if facts.licenses_dir else
             "Run from source: each library's licence is in its installed package metadata."),
        )
        for key, label, text in rows:
            self.values[key] = _value(text, label)
            form.addRow(label + ":", self.values[key])
        layout.addLayout(form)
        index = startup.licence_index()
        self.licences = QPlainTextEdit(index or "The packaged app lists every bundled library "
                                       "and font with its licence here.")
        self.licences.setReadOnly(True)
        self.licences.setAccessibleName("Third-party licences")
        self.licences.setMinimumHeight(160)
        layout.addWidget(self.licences)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.open_licences = QPushButton("Open licences &folder")
        self.open_licences.setEnabled(bool(facts.licenses_dir and facts.licenses_dir.is_dir()))
        self.open_licences.clicked.connect(lambda: QDesktopServices.openUrl(
            QUrl.fromLocalFile(str(facts.licenses_dir))))
        self.open_data = QPushButton("Open &data folder")
        self.open_data.clicked.connect(lambda: QDesktopServices.openUrl(
            QUrl.fromLocalFile(str(facts.data_dir))))
        buttons.addButton(self.open_licences, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.open_data, QDialogButtonBox.ButtonRole.ActionRole)
        layout.addWidget(buttons)
