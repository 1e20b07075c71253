"""Team set-up from the GUI: identity cards, adding and removing members, the invite, joining
from it (File ▸ Join inspection from invite…), and the passphrase path for sync keys."""

from __future__ import annotations

from pathlib import Path

import keyring
import keyring.backends.fail

from hmip_desktop.services import identity, team
from hmip_desktop.services.inspections import create_inspection
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.tasks import SyncExecutor, TaskRunner
from hmip_desktop.ui.team.join_dialog import JoinDialog, join_inspection_from_invite
from hmip_desktop.ui.widgets.forms import select_row
from tests.factories import minimal_framework
from tests.gui.sync_pages import GuiKit, gkit, page_for  # noqa: F401
from tests.sync.conftest import acting


def _card(qtbot, dev, folder: Path) -> Path:  # type: ignore[no-untyped-def]
    """Export a device's card through its identity panel (no inspection open)."""
    page = page_for(qtbot, dev)
    out = folder / f"{dev.name}"
    with acting(dev):
        page.identity.export_card_to(out)
    written = out.with_suffix(".hmipcard")
    assert written.exists()
    assert page.identity.fingerprint.text() == dev.card.fingerprint
    assert "Card written" in page.identity.status.text()
    assert not page.export_button.isEnabled(), "no inspection open: no bundle export"
    return written


def test_leader_sets_up_the_team_and_a_member_joins(qtbot, gkit: GuiKit,  # noqa: F811
                                                    tmp_path: Path, shown_errors) -> None:
    """Cards in, invite out, join with the leader's fingerprint, remove a member."""
    lead = gkit.device("lead", "team_leader")
    alice, bob = gkit.device("alice"), gkit.device("bob")
    with acting(lead):
        lead.store = create_inspection(tmp_path / "lead.hmip", establishment_name="HMP Guitest",
                                       establishment_type="mens_prison",
                                       framework=minimal_framework())
    cards = [_card(qtbot, d, tmp_path) for d in (alice, bob)]
    page = page_for(qtbot, lead)
    roster = page.roster
    assert roster.add_button.isEnabled() and not roster.invite_button.isEnabled()
    assert "No team set up yet" in roster.leader.text()
    with acting(lead):
        roster.add_member_cards(cards)
    names = [roster.model.data(roster.model.index(r, 0)) for r in range(roster.model.rowCount())]
    assert names == ["Lead (you)", "Alice", "Bob"]
    assert roster.leader.text().startswith("You lead this team.")
    assert alice.card.fingerprint in roster.status.text()
    assert roster.invite_button.isEnabled()
    folder = tmp_path / "usb"
    folder.mkdir()
    with acting(lead):
        roster.write_invite_to(folder)
    [invite] = list(folder.iterdir())
    assert invite.name.startswith("hmip-invite-") and "guitest" not in invite.name.lower()
    assert lead.card.fingerprint in roster.status.text()

    joined: list = []
    ctx = UiContext(tasks=TaskRunner(SyncExecutor()))
    with acting(alice):
        dialog = join_inspection_from_invite(None, ctx, joined.append)  # type: ignore[arg-type]
        qtbot.addWidget(dialog)
        dialog.invite.setText(str(invite))
        dialog.path.setText(str(tmp_path / "alice.hmip"))
        dialog.fingerprint.setText("AAAA-BBBB-CCCC")
        dialog.join_button.click()
        assert "fingerprint does not match" in dialog.problem.text()
        assert not joined and not (tmp_path / "alice.hmip").exists()
        dialog.fingerprint.setText(lead.card.fingerprint.lower())
        dialog.join_button.click()
    assert len(joined) == 1 and not dialog.isVisible()
    alice.store = joined[0]
    assert dialog.joined is not None and dialog.joined.leader_name == "Lead"
    view = team.roster_view(alice.store)
    assert view.me is not None and view.me.name == "Alice"
    member_page = page_for(qtbot, alice)
    assert not member_page.roster.add_button.isEnabled(), "only the leader changes the team"
    assert member_page.roster.leader.text().startswith("You are a member of this team.")

    bob_row = roster.model.row_of(lambda m: m.name == "Bob")
    select_row(roster.table, bob_row)
    assert roster.remove_button.isEnabled()
    roster.confirm = lambda q: "Remove Bob" in q
    with acting(lead):
        roster.remove_button.click()
    assert roster.status.text() == "Bob was removed from the team."
    bob_row = roster.model.row_of(lambda m: m.name == "Bob")
    assert roster.model.data(roster.model.index(bob_row, 3)).startswith("removed")
    assert roster.model.is_highlighted(bob_row)
    select_row(roster.table, bob_row)
    assert not roster.remove_button.isEnabled()
    lead_row = roster.model.row_of(lambda m: m.is_me)
    select_row(roster.table, lead_row)
    assert not roster.remove_button.isEnabled(), "the leader cannot remove themselves"
    assert shown_errors == []


def test_identity_profile_is_editable(qtbot, gkit: GuiKit, shown_errors) -> None:  # noqa: F811
    """Name and role saved from the panel show on the card."""
    dan = gkit.device("dan")
    page = page_for(qtbot, dan)
    panel = page.identity
    assert panel.name.text() == "Dan"
    with acting(dan):
        panel.name.setText("Dan Inspector")
        panel.role.setCurrentIndex(panel.role.findData("specialist"))
        panel.save_button.click()
        card = identity.my_card()
    assert (card.name, card.role) == ("Dan Inspector", "specialist")
    assert panel.card is not None and panel.card.name == "Dan Inspector"
    assert "Saved" in panel.status.text()
    with acting(dan):
        panel.save_profile(name="  ")
    assert shown_errors and "between 1 and 120" in shown_errors[-1]


def test_sync_keys_behind_a_passphrase(qtbot, tmp_path: Path, shown_errors) -> None:
    """No secure keyring: the passphrase is asked before the work, again after a wrong one."""
    keyring.set_keyring(keyring.backends.fail.Keyring())
    identity.forget_cached_keys()
    ctx = UiContext(tasks=TaskRunner(SyncExecutor()))
    from hmip_desktop.ui.team.team_sync_page import TeamSyncPage

    page = TeamSyncPage(ctx)
    qtbot.addWidget(page)
    page.show()
    assert page.identity.fingerprint.text() == "—"
    answers = ["a long enough passphrase"]
    asked: list[bool] = []
    page.gate.ask = lambda creating: asked.append(creating) or answers.pop(0)  # type: ignore[func-returns-value]
    page.identity.export_card_to(tmp_path / "me.hmipcard")
    assert asked == [True] and (tmp_path / "me.hmipcard").exists()
    fingerprint = page.identity.fingerprint.text()
    assert fingerprint != "—"
    identity.forget_cached_keys()  # as after a restart: the keys are locked again
    answers[:] = ["the wrong passphrase!", "a long enough passphrase"]
    page.identity.export_card_to(tmp_path / "again.hmipcard")
    assert asked == [True, False, False]
    assert shown_errors and "passphrase is wrong" in shown_errors[-1]
    assert identity.read_card(tmp_path / "again.hmipcard").fingerprint == fingerprint
    identity.forget_cached_keys()
    answers[:] = [None]  # type: ignore[list-item]
    page.identity.export_card_to(tmp_path / "cancelled.hmipcard")
    assert not (tmp_path / "cancelled.hmipcard").exists()


def test_join_dialog_checks_its_fields(qtbot, tmp_path: Path) -> None:
    """A missing invite is reported beside the fields; nothing runs."""
    ctx = UiContext(tasks=TaskRunner(SyncExecutor()))
    dialog = JoinDialog(None, ctx, lambda _s: None)
    qtbot.addWidget(dialog)
    dialog.invite.setText(str(tmp_path / "missing.hmipbundle"))
    dialog.start_join()
    assert "Choose the invite" in dialog.problem.text() and dialog.problem.isVisibleTo(dialog)
