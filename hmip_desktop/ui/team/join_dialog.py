"""Join an inspection from the team leader's invite: a new encrypted file for the same inspection.

The team leader reads their fingerprint aloud at kick-off; typing it here makes the join refuse
an invite written by anyone else. The join runs on the DB lane with progress and Cancel, and a
cancelled or refused join leaves no file behind.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.services import inspections, join
from hmip_desktop.services.bundles import BUNDLE_SUFFIX
from hmip_desktop.services.inspection_store import FILE_SUFFIX, InspectionStore
from hmip_desktop.services.join import JoinResult
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.errors import error_text
from hmip_desktop.ui.opening.key_gate import KeyGate
from hmip_desktop.ui.widgets.forms import buddy_label, error_label, show_error
from hmip_desktop.ui.widgets.task_progress import TaskProgress

if TYPE_CHECKING:
    from hmip_desktop.services.identity_keys import DeviceKeys


class JoinDialog(QDialog):
    """Invite file, new inspection file, the leader's fingerprint; Join."""

    def __init__(self, parent: QWidget | None, ctx: UiContext,
                 on_joined: Callable[[InspectionStore], None]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Join inspection from invite")
        self.resize(640, 260)
        self.ctx = ctx
        self.on_joined = on_joined
        self.joined: JoinResult | None = None
        self.gate = KeyGate(self, ctx)
        layout = QVBoxLayout(self)
        intro = QLabel("Choose the invite the team leader gave you and where to keep your copy "
                       "of the inspection. Type the fingerprint the team leader read aloud so "
                       "that only their invite is accepted.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.invite = QLineEdit()
        self.invite.setAccessibleName("Invite file")
        self.invite_browse = QPushButton("&Browse…")
        self.invite_browse.setAccessibleName("Choose the invite file")
        self.path = QLineEdit(str(inspections.default_folder()
                                  / f"inspection-{dt.date.today().isoformat()}{FILE_SUFFIX}"))
        self.path.setAccessibleName("New inspection file")
        self.path_browse = QPushButton("Br&owse…")
        self.path_browse.setAccessibleName("Choose where to save the inspection file")
        self.fingerprint = QLineEdit()
        self.fingerprint.setAccessibleName("Team leader's fingerprint")
        self.fingerprint.setPlaceholderText("as the team leader read it aloud (recommended)")
        form.addRow(buddy_label("&Invite:", self.invite), _row(self.invite, self.invite_browse))
        form.addRow(buddy_label("&Save as:", self.path), _row(self.path, self.path_browse))
        form.addRow(buddy_label("Leader's &fingerprint:", self.fingerprint), self.fingerprint)
        layout.addLayout(form)
        self.problem = error_label("Join problem")
        layout.addWidget(self.problem)
        self.progress = TaskProgress(ctx)
        layout.addWidget(self.progress)
        self.buttons = QDialogButtonBox()
        self.join_button = self.buttons.addButton("&Join",
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        self.join_button.setAccessibleName("Join the inspection")
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        # Named here: the KDE and GNOME themes call it "&Cancel", the progress bar's Alt+C.
        cancel.setText("Ca&ncel")
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.invite_browse.clicked.connect(self._on_invite_browse_clicked)
        self.path_browse.clicked.connect(self._on_path_browse_clicked)
        self.progress.running_changed.connect(self._on_progress_running_changed)

    def start_join(self) -> None:
        """Check the fields, unlock the keys, ask for the new file's passphrase, then join."""
        invite = Path(self.invite.text().strip()) if self.invite.text().strip() else None
        out = Path(self.path.text().strip()) if self.path.text().strip() else None
        if invite is None or not invite.is_file():
            show_error(self.problem, "Choose the invite file the team leader gave you.")
            return
        if out is None:
            show_error(self.problem, "Choose where to save the inspection file.")
            return
        show_error(self.problem, None)
        self.gate.with_keys(lambda keys: self._join(keys, invite, out),
                            lambda e: show_error(self.problem, error_text(e)))

    def _join(self, keys: DeviceKeys, invite: Path, out: Path) -> None:
        passphrase: str | None = None
        if inspections.needs_passphrase_to_create():  # the new file's own key needs one
            passphrase = self.gate.ask(True)
            if not passphrase:
                return
        expect = self.fingerprint.text().strip() or None
        self.progress.run(
            "Joining the inspection…",
            lambda c: join.join_open(invite, out, keys=keys, provider=lambda _p: passphrase,
                                     expect_fingerprint=expect, progress=c.progress,
                                     cancel=c.cancel),
            self._on_joined, self._on_join_failed)

    def _on_joined(self, result: tuple[InspectionStore, JoinResult]) -> None:
        store, self.joined = result
        self.accept()
        self.on_joined(store)

    def _on_join_failed(self, exc: BaseException) -> None:
        show_error(self.problem, error_text(exc))

    def reject(self) -> None:
        """Escape or Cancel: stop a running join first; close when idle."""
        if self.progress.running:
            self.progress.cancel()
            return
        super().reject()

    def _on_buttons_accepted(self) -> None:
        self.start_join()

    def _on_progress_running_changed(self, running: bool) -> None:
        for w in (self.invite, self.invite_browse, self.path, self.path_browse,
                  self.fingerprint, self.join_button):
            w.setEnabled(not running)

    def _on_invite_browse_clicked(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(self, "Choose the invite", str(Path.home()),
                                                f"Invites (*{BUNDLE_SUFFIX});;All files (*)")
        if chosen:
            self.invite.setText(chosen)

    def _on_path_browse_clicked(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(self, "Save the inspection as",
                                                self.path.text(),
                                                f"Inspection files (*{FILE_SUFFIX})")
        if chosen:
            self.path.setText(chosen)


def _row(field: QLineEdit, button: QPushButton) -> QWidget:
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(field, 1)
    row.addWidget(button)
    return holder


def join_inspection_from_invite(parent: QWidget, ctx: UiContext,
                                on_joined: Callable[[InspectionStore], None]) -> JoinDialog:
    """File ▸ Join inspection from invite…: open the dialog (window-modal, not blocking)."""
    dialog = JoinDialog(parent, ctx, on_joined)
    dialog.open()
    return dialog
