"""The app shell: create an inspection, close it, reopen it; navigation; status bar."""

from __future__ import annotations

from pathlib import Path

import keyring
import keyring.backends.fail
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from hmip_desktop.ui.opening.new_inspection_dialog import NewInspectionDialog
from hmip_desktop.ui.opening.passphrase_dialog import PassphraseDialog


def _fill_new_dialog(path: Path, name: str) -> None:
    """Fill and accept the New inspection dialog when it appears."""
    def act() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, NewInspectionDialog)
        dialog.establishment.setText(name)
        index = dialog.etype.findData("mens_prison")
        dialog.etype.setCurrentIndex(index)
        assert dialog.framework.count() >= 1
        dialog.path.setText(str(path))
        dialog.buttons.accepted.emit()
    QTimer.singleShot(0, act)


def test_create_close_reopen(window, tmp_path: Path) -> None:
    """New inspection through the dialog, close, reopen from the recent list."""
    path = tmp_path / "gui.hmip"
    _fill_new_dialog(path, "HMP Guitest")
    window.on_new_inspection()
    assert window.ctx.store is not None and path.exists()
    overview = window.pages["Overview"]
    assert overview.values["establishment"].text() == "HMP Guitest"
    assert "keyring" in window.key_label.text()
    assert "not yet exported" in window.unexported_label.text()
    window.close_inspection()
    assert window.ctx.store is None and overview.values["establishment"].text() == ""
    window._fill_recent_menu()
    actions = [a for a in window.recent_menu.actions() if a.text() == "gui.hmip"]
    assert actions, "the new file is in the recent list"
    actions[0].trigger()
    assert window.ctx.store is not None
    assert overview.values["establishment"].text() == "HMP Guitest"


def test_every_page_is_reachable_by_keyboard_shortcut(window, qtbot) -> None:
    """Ctrl+1 … Ctrl+7 switch pages; each page has an accessible name."""
    titles = list(window.pages)
    assert titles == ["Overview", "Evidence", "Expectations", "Scoring", "Concerns",
                      "Team & sync", "Reports"]
    for i, title in enumerate(titles):
        window.show_page(title)
        assert window.stack.currentIndex() == i
        assert window.pages[title].accessibleName() == title


def test_passphrase_path_in_the_gui(window, tmp_path: Path) -> None:
    """With no secure keyring, creating and reopening asks for the passphrase."""
    keyring.set_keyring(keyring.backends.fail.Keyring())
    path = tmp_path / "pp.hmip"
    _fill_new_dialog(path, "HMP Passphrase")

    def answer_passphrase(text: str, repeat: bool) -> None:
        def act() -> None:
            dialog = QApplication.activeModalWidget()
            if dialog is None or isinstance(dialog, NewInspectionDialog):  # not ours yet
                QTimer.singleShot(10, act)
                return
            assert isinstance(dialog, PassphraseDialog)
            dialog.first.setText(text)
            if repeat:
                dialog.second.setText(text)
            dialog._on_ok()
        QTimer.singleShot(50, act)

    answer_passphrase("a long enough passphrase", True)
    window.on_new_inspection()
    assert window.ctx.store is not None
    assert "passphrase" in window.key_label.text()
    window.close_inspection()
    answer_passphrase("a long enough passphrase", False)
    window.open_path(path)
    assert window.ctx.store is not None


def test_expectations_page_opens_evidence_in_the_main_window(window, tmp_path: Path) -> None:
    """Asking to open evidence from another page switches to the Evidence page on it."""
    from hmip_desktop.services.inspections import create_inspection
    from hmip_desktop.services.notes import NoteService
    from tests.factories import minimal_framework

    store = create_inspection(tmp_path / "w.hmip", establishment_name="HMP W",
                              establishment_type="mens_prison", framework=minimal_framework())
    nid = NoteService(store).add(source_kind="observation", title="t",
                                 body="passage here", expectations=["1"])
    window._set_store(store)
    window.pages["Expectations"].open_evidence_requested.emit(nid, 0, 7, None)
    assert window.stack.currentWidget() is window.pages["Evidence"]
    editor = window.pages["Evidence"].notes.editor
    assert editor.note_id == nid and editor.body.textCursor().selectedText() == "passage"


def test_new_full_inspection_after_an_older_report_judges_recommendations(
        window, tmp_path: Path) -> None:
    """File ▸ New: a full inspection whose last report was written before May 2022 follows
    its recommendations up as achieved / partially / not achieved."""
    from hmip_desktop.services.inspections import facts
    from hmip_desktop.services.previous import PreviousService

    def act() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, NewInspectionDialog)
        dialog.establishment.setText("HMP Lewes")
        dialog.etype.setCurrentIndex(dialog.etype.findData("mens_prison"))
        dialog.follow_up.setCurrentIndex(dialog.follow_up.findData("recommendations"))
        dialog.path.setText(str(tmp_path / "full.hmip"))
        dialog.buttons.accepted.emit()

    QTimer.singleShot(0, act)
    window.on_new_inspection()
    store = window.ctx.store
    assert store is not None and facts(store).kind == "full"
    assert PreviousService(store).progress_scale().levels[0].key == "achieved"
    kind = window.pages["Overview"].values["kind"].text()
    assert kind.startswith("Full inspection; follow-up: Recommendations") and "partially" in kind


def test_new_review_dialog_choices_reach_the_file(window, tmp_path: Path) -> None:
    """Nation, notice and (for a review) the follow-up scale chosen in File ▸ New reach the
    new file: a Welsh, announced review of a pre-2022 report judges recommendations."""
    from hmip_desktop.services.inspections import facts
    from hmip_desktop.services.previous import PreviousService

    path = tmp_path / "review.hmip"

    def act() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, NewInspectionDialog)
        dialog.establishment.setText("HMP Parc")
        dialog.etype.setCurrentIndex(dialog.etype.findData("mens_prison"))
        assert dialog.follow_up.isEnabled()  # a full inspection follows items up too
        dialog.kind.setCurrentIndex(dialog.kind.findData("irp"))
        dialog.follow_up.setCurrentIndex(dialog.follow_up.findData("recommendations"))
        dialog.nation.setCurrentIndex(dialog.nation.findData("wales"))
        dialog.announced.setChecked(True)
        dialog.path.setText(str(path))
        dialog.buttons.accepted.emit()

    QTimer.singleShot(0, act)
    window.on_new_inspection()
    store = window.ctx.store
    assert store is not None
    f = facts(store)
    assert (f.kind, f.nation, f.announced) == ("irp", "wales", True)
    assert PreviousService(store).progress_scale().levels[0].key == "achieved"
