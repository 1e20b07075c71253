"""The team roster: who is on the team, their fingerprints and status; the leader's set-up
actions (add members from their cards, remove a member, write the invite)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.domain.errors import Cancelled
from hmip_desktop.services import identity, inspections, team
from hmip_desktop.services.bundles import ExportReport
from hmip_desktop.services.roster_access import MemberView
from hmip_desktop.services.team import RosterView
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.errors import ask_yes_no, present_error
from hmip_desktop.ui.opening.key_gate import KeyGate
from hmip_desktop.ui.team.sync_models import invite_file_name, roster_model
from hmip_desktop.ui.widgets.forms import current_row, plain_label, status_label, table_view
from hmip_desktop.ui.widgets.task_progress import TaskProgress

if TYPE_CHECKING:
    from hmip_desktop.services.identity_keys import DeviceKeys

CARD_FILTER = "Identity cards (*.hmipcard *.card *.json);;All files (*)"


def fit_columns(view: QTableView) -> None:
    """Columns as wide as their text (fingerprints stay whole); the last one stretches."""
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)


class RosterPanel(QGroupBox):
    """Members table and the team leader's buttons."""

    def __init__(self, ctx: UiContext, gate: KeyGate, progress: TaskProgress,
                 parent: QWidget | None = None) -> None:
        super().__init__("Team", parent)
        self.ctx = ctx
        self.gate = gate
        self.progress = progress
        self.view: RosterView | None = None
        self.confirm: Callable[[str], bool] = lambda q: ask_yes_no(self, q)  # tests replace
        layout = QVBoxLayout(self)
        self.leader = plain_label("No team set up yet.")  # then the roster's fingerprint
        self.leader.setAccessibleName("Team leader's fingerprint")
        self.leader.setWordWrap(True)
        layout.addWidget(self.leader)
        self.model = roster_model()
        self.table = table_view(self.model, "Team members")
        fit_columns(self.table)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("&Add members from cards…")
        self.add_button.setAccessibleName("Add members from identity cards")
        self.remove_button = QPushButton("Re&move member…")
        self.remove_button.setAccessibleName("Remove the selected member")
        self.invite_button = QPushButton("&Write invite…")
        self.invite_button.setAccessibleName("Write the team invite")
        for b in (self.add_button, self.remove_button, self.invite_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.status = status_label("Team status")
        layout.addWidget(self.status)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self.invite_button.clicked.connect(self._on_invite_button_clicked)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_row_changed)
        self.set_enabled_state(False)

    # -- loading -----------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the roster on the DB lane."""
        store = self.ctx.store
        if store is not None:
            self.ctx.tasks.submit(lambda: team.roster_screen(store), self._show,
                                  lambda e: present_error(self.window(), e))

    def _show(self, view: RosterView) -> None:
        self.view = view
        self.model.set_rows(view.members)
        if view.anchor_fingerprint is None:
            self.leader.setText("No team set up yet. The first person to add members from "
                                "their cards becomes the team leader for this file.")
        else:
            who = "You lead this team." if self.leads() else (
                "You are a member of this team." if view.me else "This device is not on "
                "the team.")
            self.leader.setText(f"{who} Team leader's fingerprint: {view.anchor_fingerprint}")
        self.set_enabled_state(not self.progress.running)

    def clear(self) -> None:
        """Forget the closed inspection."""
        self.view = None
        self.model.set_rows([])
        self.leader.setText("No inspection is open.")
        self.status.setText("")
        self.set_enabled_state(False)

    def leads(self) -> bool:
        """True when this device may change the roster (or the team is not set up yet)."""
        v = self.view
        if v is None:
            return False
        me = v.me
        return v.can_manage or (me is not None and me.status == "active"
                                and (me.is_anchor or me.role == "team_leader"))

    def selected_member(self) -> MemberView | None:
        """The member on the current row."""
        row = current_row(self.table)
        return self.model.row_at(row) if 0 <= row < self.model.rowCount() else None

    def set_enabled_state(self, idle: bool) -> None:
        """Enable the leader's buttons when idle, an inspection is open and this device leads."""
        can = idle and self.ctx.store is not None and self.leads()
        self.add_button.setEnabled(can)
        m = self.selected_member()
        self.remove_button.setEnabled(can and m is not None and m.status == "active"
                                      and not m.is_anchor and not m.is_me)
        anchor = self.view is not None and self.view.me is not None and self.view.me.is_anchor
        self.invite_button.setEnabled(can and anchor)

    # -- actions -----------------------------------------------------------------------------
    def add_member_cards(self, paths: list[Path]) -> None:
        """Add (or update) members from their identity card files."""
        store = self.ctx.store
        if store is None or not paths:
            return

        def work(keys: DeviceKeys) -> tuple[ChangeSet, list[identity.IdentityCard]]:
            cards = [identity.read_card(Path(p)) for p in paths]
            return team.add_members(store, cards, keys=keys), cards

        def added(result: tuple[ChangeSet, list[identity.IdentityCard]]) -> None:
            names = "; ".join(f"{c.name} ({c.fingerprint})" for c in result[1])
            self.status.setText(f"On the team: {names}. Check each fingerprint with the member "
                                "in person, then write the invite.")

        self.gate.with_keys(lambda keys: self.ctx.write(
            lambda: work(keys), lambda _r: self.reload(),
            lambda e: present_error(self.window(), e), before_broadcast=added))

    def remove_member(self, member_id: str) -> None:
        """Remove a member after a confirmation."""
        store = self.ctx.store
        member = next((m for m in self.model.rows() if m.member_id == member_id), None)
        if store is None or member is None:
            return
        if not self.confirm(f"Remove {member.name} from the team? Later bundles are not "
                            "encrypted to them, and anything they sign from now on is refused. "
                            "They can only rejoin with a new identity on a new installation."):
            return
        self.gate.with_keys(lambda keys: self.ctx.write(
            lambda: team.remove_member(store, member_id, keys=keys), lambda _r: self.reload(),
            lambda e: present_error(self.window(), e),
            before_broadcast=lambda _r: self.status.setText(
                f"{member.name} was removed from the team.")))

    def write_invite_to(self, path: Path) -> None:
        """Write the invite (a folder gets a file name that reveals nothing)."""
        store = self.ctx.store
        if store is None:
            return
        path = Path(path)
        if path.is_dir():
            path = path / invite_file_name()

        def run(keys: DeviceKeys) -> None:
            self.progress.run(
                "Writing the invite…",
                lambda c: team.write_invite(store, path, keys=keys, progress=c.progress,
                                            cancel=c.cancel),
                self._on_invite_written, self._on_invite_failed)

        self.gate.with_keys(run)

    def _on_invite_written(self, report: ExportReport) -> None:
        fp = self.view.anchor_fingerprint if self.view else report.fingerprint
        self.status.setText(f"Invite written: {report.path.name} in {report.path.parent}. "
                            f"Give it to each member with your fingerprint {fp} to compare.")

    def _on_invite_failed(self, exc: BaseException) -> None:
        if isinstance(exc, Cancelled):
            self.status.setText("Invite cancelled; no invite was written.")
        else:
            present_error(self.window(), exc)

    # -- slots -------------------------------------------------------------------------------
    def _on_table_row_changed(self, *_: object) -> None:
        self.set_enabled_state(not self.progress.running)

    def _on_add_button_clicked(self) -> None:
        chosen, _ = QFileDialog.getOpenFileNames(self, "Add members from identity cards",
                                                 str(Path.home()), CARD_FILTER)
        if chosen:
            self.add_member_cards([Path(p) for p in chosen])

    def _on_remove_button_clicked(self) -> None:
        member = self.selected_member()
        if member is not None:
            self.remove_member(member.member_id)

    def _on_invite_button_clicked(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Folder or USB stick for the invite",
                                                  str(inspections.default_folder()))
        if chosen:
            self.write_invite_to(Path(chosen))
