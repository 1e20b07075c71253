"""My identity card: name and role (editable), the fingerprint in large type, Export my card…

The card holds public facts only. Members send it to the team leader, who adds them from it;
both then read the fingerprint aloud to check that the card was not swapped on the way.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.domain.errors import PassphraseRequired
from hmip_desktop.domain.roster import ROLES
from hmip_desktop.services import identity
from hmip_desktop.services.identity import IdentityCard
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.errors import present_error
from hmip_desktop.ui.opening.key_gate import KeyGate
from hmip_desktop.ui.widgets.forms import buddy_label, status_label

CARD_SUFFIX = ".hmipcard"
NO_KEYS_YET = ("Your sync keys are made the first time you export your card; the fingerprint "
               "shows here then.")


class IdentityPanel(QGroupBox):
    """This device's public card."""

    card_changed = Signal(object)  # the IdentityCard shown

    def __init__(self, ctx: UiContext, gate: KeyGate, parent: QWidget | None = None) -> None:
        super().__init__("My identity card", parent)
        self.ctx = ctx
        self.gate = gate
        self.card: IdentityCard | None = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setAccessibleName("My name")
        self.name.setMaxLength(120)
        self.name.setPlaceholderText("Your name as the team knows it")
        self.role = QComboBox()
        self.role.setAccessibleName("My role")
        for key, label in ROLES.items():
            self.role.addItem(label, key)
        form.addRow(buddy_label("&Name:", self.name), self.name)
        form.addRow(buddy_label("R&ole:", self.role), self.role)
        layout.addLayout(form)
        self.fingerprint = QLabel("—")
        self.fingerprint.setAccessibleName("My fingerprint")
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSizeF(self.font().pointSizeF() * 1.8)
        font.setBold(True)
        self.fingerprint.setFont(font)
        layout.addWidget(QLabel("Fingerprint (compare it aloud, in person):"))
        layout.addWidget(self.fingerprint)
        self.device = QLabel("")
        self.device.setAccessibleName("This device")
        layout.addWidget(self.device)
        buttons = QHBoxLayout()
        self.save_button = QPushButton("Sa&ve name and role")  # Alt+S: the Conflicts tab
        self.save_button.setAccessibleName("Save name and role")
        self.export_button = QPushButton("Export my ca&rd…")
        self.export_button.setAccessibleName("Export my identity card")
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.status = status_label("Identity card status")
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.name.returnPressed.connect(self._on_save_button_clicked)

    # -- loading -----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the card (profile and public keys) on the DB lane."""
        def work() -> IdentityCard | None:
            try:
                return identity.my_card(None)
            except PassphraseRequired:
                return None  # no keys yet and no keyring: made when the card is exported

        self.ctx.tasks.submit(work, self._show, lambda e: present_error(self.window(), e))

    def _show(self, card: IdentityCard | None) -> None:
        if card is None:
            self.fingerprint.setText("—")
            self.status.setText(NO_KEYS_YET)
            return
        self.card = card
        self.name.setText(card.name)
        self.role.setCurrentIndex(max(0, self.role.findData(card.role)))
        self.fingerprint.setText(card.fingerprint)
        self.fingerprint.setAccessibleDescription(" ".join(card.fingerprint))
        self.device.setText(f"This device: …{card.device_id[-8:]}")
        self.card_changed.emit(card)

    # -- actions -----------------------------------------------------------------------------
    def save_profile(self, name: str | None = None, role: str | None = None) -> None:
        """Change the name and role shown on my card."""
        name = self.name.text() if name is None else name
        role = str(self.role.currentData()) if role is None else role

        def saved(_: object) -> None:
            self.status.setText("Saved. Your card shows it now; inspection files already "
                                "open use it after they are reopened.")
            self.refresh()

        self.ctx.tasks.submit(lambda: identity.set_profile(name=name, role=role), saved,
                              lambda e: present_error(self.window(), e))

    def export_card_to(self, path: Path) -> None:
        """Write my card to a file (keys are made first when there are none yet)."""
        path = Path(path)
        if not path.suffix:
            path = path.with_name(path.name + CARD_SUFFIX)

        def write(_keys: object) -> None:
            self.ctx.tasks.submit(lambda: identity.export_card(path), self._on_card_written,
                                  lambda e: present_error(self.window(), e))

        self.gate.with_keys(write)

    def _on_card_written(self, card: IdentityCard) -> None:
        self._show(card)
        self.status.setText(f"Card written. Send it to the team leader, then read your "
                            f"fingerprint {card.fingerprint} aloud to them.")

    def _on_save_button_clicked(self) -> None:
        self.save_profile()

    def _on_export_button_clicked(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(self, "Export my identity card",
                                                str(Path.home() / f"identity-card{CARD_SUFFIX}"),
                                                f"Identity cards (*{CARD_SUFFIX})")
        if chosen:
            self.export_card_to(Path(chosen))
