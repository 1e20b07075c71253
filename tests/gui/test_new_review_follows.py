"""File ▸ New can start a review of progress from the inspection file it follows, as `hmip new
--kind irp --follows` does: the followed file's establishment, type, framework and nation are
shown and kept, its concerns become the previous items, a pre-May-2022 inspection's are
judged as recommendations, the 8–12-month timing is warned of (never refused), and a file no
review can follow is refused with nothing created."""

from __future__ import annotations

from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
from PySide6.QtCore import QDate, QTimer
from PySide6.QtWidgets import QApplication

from hmip_desktop.services.concerns import ConcernService
from hmip_desktop.services.frameworks import FrameworkService
from hmip_desktop.services.inspections import create_inspection, facts
from hmip_desktop.services.previous import PreviousService
from hmip_desktop.ui.opening import followed_file
from hmip_desktop.ui.opening.new_inspection_dialog import NewInspectionDialog
from hmip_desktop.ui.tasks import SyncExecutor, TaskRunner

FOLLOWED_PASSPHRASE = "the followed file's passphrase"
NEW_PASSPHRASE = "the new file's passphrase"


def _followed(folder: Path, *, kind: str = "full", provider=None) -> Path:  # type: ignore[no-untyped-def]
    """A Welsh inspection of men's prison HMP Old, 1–12 March 2021, with two concerns."""
    path = folder / f"followed-{kind}.hmip"
    fw = FrameworkService().resolve_for_new("mens_prison", start_date="2021-03-01")
    with create_inspection(path, establishment_name="HMP Old", establishment_type="mens_prison",
                           framework=fw, kind=kind, start_date="2021-03-01",
                           end_date="2021-03-12", nation="wales", provider=provider) as store:
        concerns = ConcernService(store)
        concerns.add(title="Dirty cells", body="Cells were dirty.", sections=["respect"])
        concerns.add(title="Violence", body="Violence was high.", sections=["safety"],
                     priority=True)
    return path


def _choose(combo, data) -> None:  # type: ignore[no-untyped-def]
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def _answer_new_dialog(fill) -> list[BaseException]:  # type: ignore[no-untyped-def]
    """Run `fill(dialog)` on the New dialog when it shows; it is always answered (a failed
    check cannot leave it waiting) and the failure kept for the test to raise."""
    failures: list[BaseException] = []

    def act() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, NewInspectionDialog)
        try:
            if fill(dialog) is False:
                dialog.reject()
                return
        except BaseException as exc:  # noqa: BLE001 - raised by the test afterwards
            failures.append(exc)
            dialog.reject()
            return
        dialog.buttons.accepted.emit()

    QTimer.singleShot(0, act)
    return failures


def test_a_review_made_from_its_followed_file_takes_its_facts_and_concerns(
        window, tmp_path: Path, monkeypatch, shown_errors) -> None:  # type: ignore[no-untyped-def]
    followed = _followed(tmp_path)
    monkeypatch.setattr(followed_file, "choose_followed_file", lambda *_a: followed)
    path = tmp_path / "review.hmip"

    def fill(dialog: NewInspectionDialog) -> None:
        assert dialog.follows is not None and dialog.follows.isHidden()  # not for a full one
        dialog.establishment.setText("HMP Typed")
        _choose(dialog.kind, "irp")
        assert not dialog.follows.isHidden()
        dialog.follows.choose.click()
        assert dialog.follows.name.text() == followed.name
        assert dialog.establishment.text() == "HMP Old"
        assert dialog.etype.currentData() == "mens_prison"
        assert dialog.framework.count() == 1
        assert dialog.framework.currentData() == ("men-prisons", "5")
        assert dialog.nation.currentData() == "wales"
        assert dialog.follow_up.currentData() == "recommendations"  # began before May 2022
        for field in (dialog.establishment, dialog.etype, dialog.framework, dialog.nation):
            assert not field.isEnabled()
        dialog.start.setDate(QDate(2022, 1, 10))  # ten months after: as usual
        dialog.end.setDate(QDate(2022, 1, 12))
        assert dialog.warning.isHidden()
        dialog.path.setText(str(path))

    failures = _answer_new_dialog(fill)
    window.on_new_inspection()
    if failures:
        raise failures[0]
    store = window.ctx.store
    assert store is not None and path.exists()
    f = facts(store)
    assert (f.kind, f.establishment_name, f.establishment_type, f.nation) == (
        "irp", "HMP Old", "mens_prison", "wales")
    assert (f.framework_id, f.framework_version) == ("men-prisons", "5")
    assert (f.start_date, f.end_date) == ("2022-01-10", "2022-01-12")
    items = PreviousService(store).list()
    assert [(i.ref, i.title) for i in items] == [("1", "Violence"), ("2", "Dirty cells")]
    assert PreviousService(store).progress_scale().levels[0].key == "achieved"
    assert shown_errors == []  # nothing out of the usual, so nothing shown after


def test_a_review_two_months_after_is_warned_of_in_the_dialog_and_once_created(
        window, tmp_path: Path, monkeypatch, shown_errors) -> None:  # type: ignore[no-untyped-def]
    followed = _followed(tmp_path)
    monkeypatch.setattr(followed_file, "choose_followed_file", lambda *_a: followed)
    path = tmp_path / "soon.hmip"
    seen: list[str] = []

    def fill(dialog: NewInspectionDialog) -> None:
        dialog.start.setDate(QDate(2021, 5, 12))
        _choose(dialog.kind, "irp")
        assert dialog.warning.isHidden()  # no followed file: the timing is not known
        dialog.follows.choose.click()
        dialog.end.setDate(QDate(2021, 5, 14))
        seen.append("" if dialog.warning.isHidden() else dialog.warning.text())
        dialog.path.setText(str(path))

    failures = _answer_new_dialog(fill)
    window.on_new_inspection()
    if failures:
        raise failures[0]
    assert "starts 2 months after the inspection it follows ended (2021-03-12)" in seen[0]
    assert "8–12 months" in seen[0]
    assert window.ctx.store is not None and path.exists()  # guidance: created all the same
    assert len(shown_errors) == 1 and "2 months after" in shown_errors[0]


def test_the_timing_warning_follows_the_dates_and_goes_when_cleared(
        qtbot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    followed = _followed(tmp_path)
    monkeypatch.setattr(followed_file, "choose_followed_file", lambda *_a: followed)
    dialog = NewInspectionDialog(None, FrameworkService(), tmp_path,
                                 tasks=TaskRunner(SyncExecutor()))
    qtbot.addWidget(dialog)
    _choose(dialog.kind, "irp")
    dialog.follows.choose.click()
    dialog.start.setDate(QDate(2021, 5, 12))
    dialog.end.setDate(QDate(2021, 5, 14))
    assert "2 months after" in dialog.warning.text() and not dialog.warning.isHidden()
    dialog.start.setDate(QDate(2022, 1, 10))
    dialog.end.setDate(QDate(2022, 1, 12))
    assert dialog.warning.isHidden()
    dialog.start.setDate(QDate(2021, 5, 12))
    dialog.end.setDate(QDate(2021, 5, 14))
    dialog.follows.clear_button.click()
    assert dialog.warning.isHidden() and dialog.follows.path is None
    assert dialog.establishment.isEnabled() and dialog.framework.isEnabled()
    assert dialog.framework.count() >= 2  # the type's frameworks again, to choose from
    dialog.follows.choose.click()
    _choose(dialog.kind, "full")  # an inspection follows no file here
    assert dialog.follows.isHidden() and dialog.follows.path is None
    assert dialog.establishment.isEnabled()


def _irc_inspection(folder: Path) -> Path:
    path = folder / "irc.hmip"
    fw = FrameworkService().resolve_for_new("irc", start_date="2024-01-08")
    create_inspection(path, establishment_name="IRC Old", establishment_type="irc",
                      framework=fw, start_date="2024-01-08", end_date="2024-01-19").close()
    return path


def _not_an_inspection(folder: Path) -> Path:
    """A file beside a real key record that is not an inspection file."""
    real = _followed(folder)
    path = folder / "notes.hmip"
    path.write_bytes(b"not an inspection file\n" * 100)
    Path(f"{path}.key").write_bytes(Path(f"{real}.key").read_bytes())
    return path


@pytest.mark.parametrize(("make", "why"), [
    (lambda folder: _followed(folder, kind="irp"), "itself a review"),
    (_irc_inspection, "prisons and young offender institutions only"),
    (_not_an_inspection, "not an inspection file"),
])
def test_a_file_no_review_can_follow_is_refused_and_nothing_is_created(
        window, tmp_path: Path, monkeypatch, make, why) -> None:  # type: ignore[no-untyped-def]
    chosen = make(tmp_path)
    monkeypatch.setattr(followed_file, "choose_followed_file", lambda *_a: chosen)
    path = tmp_path / "review.hmip"
    seen: list[str] = []

    def fill(dialog: NewInspectionDialog) -> bool:
        _choose(dialog.kind, "irp")
        dialog.follows.choose.click()
        seen.append(dialog.problem.text())
        assert dialog.follows.path is None and dialog.establishment.isEnabled()
        dialog.path.setText(str(path))
        return False  # refused: the person cancels

    failures = _answer_new_dialog(fill)
    window.on_new_inspection()
    if failures:
        raise failures[0]
    assert why in seen[0]
    assert window.ctx.store is None and not path.exists()


def test_a_followed_file_that_became_a_review_is_refused_at_ok(
        window, tmp_path: Path, monkeypatch, shown_errors) -> None:  # type: ignore[no-untyped-def]
    """Checked again when the review is made: the file chosen may have been replaced since."""
    inspection, review = _followed(tmp_path), _followed(tmp_path, kind="irp")
    monkeypatch.setattr(followed_file, "choose_followed_file", lambda *_a: inspection)
    path = tmp_path / "review.hmip"

    def fill(dialog: NewInspectionDialog) -> None:
        _choose(dialog.kind, "irp")
        dialog.follows.choose.click()
        assert dialog.follows.path == inspection
        dialog.follows.path = review
        dialog.path.setText(str(path))

    failures = _answer_new_dialog(fill)
    window.on_new_inspection()
    if failures:
        raise failures[0]
    assert len(shown_errors) == 1 and "itself a review" in shown_errors[0]
    assert window.ctx.store is None and not path.exists()


@pytest.mark.parametrize("first_try", [FOLLOWED_PASSPHRASE, "a mistyped passphrase"])
def test_a_passphrase_kept_followed_file_is_asked_its_own_passphrase(
        window, tmp_path: Path, monkeypatch, first_try) -> None:  # type: ignore[no-untyped-def]
    keyring.set_keyring(keyring.backends.fail.Keyring())
    followed = _followed(tmp_path, provider=lambda _p: FOLLOWED_PASSPHRASE)
    monkeypatch.setattr(followed_file, "choose_followed_file", lambda *_a: followed)
    answers = [first_try, FOLLOWED_PASSPHRASE]
    asked: list[str] = []

    def ask(_parent, path: Path) -> str:  # type: ignore[no-untyped-def]
        asked.append(path.name)
        return answers.pop(0)

    monkeypatch.setattr(followed_file, "ask_passphrase", ask)

    class NewFilePassphrase:  # the new file's passphrase, as File ▸ New asks it now
        DialogCode = NewInspectionDialog.DialogCode

        def __init__(self, _parent, *, creating: bool) -> None:  # type: ignore[no-untyped-def]
            assert creating

        def exec(self):  # type: ignore[no-untyped-def]
            return self.DialogCode.Accepted

        def passphrase(self) -> str:
            return NEW_PASSPHRASE

    from hmip_desktop.ui import main_window

    monkeypatch.setattr(main_window, "PassphraseDialog", NewFilePassphrase, raising=False)
    path = tmp_path / "review.hmip"
    problems: list[str] = []

    def fill(dialog: NewInspectionDialog) -> None:
        _choose(dialog.kind, "irp")
        dialog.follows.refused.connect(problems.append)  # shown until the retry succeeds
        dialog.follows.choose.click()
        assert dialog.establishment.text() == "HMP Old" and dialog.problem.text() == ""
        dialog.path.setText(str(path))

    failures = _answer_new_dialog(fill)
    window.on_new_inspection()
    if failures:
        raise failures[0]
    mistyped = first_try != FOLLOWED_PASSPHRASE
    assert asked == [followed.name] * (2 if mistyped else 1)
    assert len(problems) == mistyped and all("passphrase is wrong" in p for p in problems)
    store = window.ctx.store
    assert store is not None and facts(store).establishment_name == "HMP Old"
    assert store.info.key_source == "passphrase"
    window.close_inspection()
    from hmip_desktop.services.inspections import open_inspection

    with open_inspection(path, provider=lambda _p: NEW_PASSPHRASE) as again:
        assert len(PreviousService(again).list()) == 2


def test_no_passphrase_dialog_outlives_its_question(window) -> None:  # type: ignore[no-untyped-def]
    """A passphrase dialog is deleted once answered and its fields are emptied: kept as the
    window's child it would hold what was typed for the rest of the session."""
    from PySide6.QtCore import QCoreApplication, QEvent

    from hmip_desktop.ui.opening.passphrase_dialog import PassphraseDialog

    dialog = PassphraseDialog(window, creating=False, file_label="insp.hmip")

    def answer() -> None:
        dialog.first.setText("correct horse battery staple")
        dialog._on_ok()

    QTimer.singleShot(0, answer)
    assert dialog.exec() == PassphraseDialog.DialogCode.Accepted
    assert dialog.passphrase() == "correct horse battery staple"
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert window.findChildren(PassphraseDialog) == []
