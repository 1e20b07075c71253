"""A review of progress in the GUI: the New inspection dialog starts it announced and short and
shows, before creating, the warnings `hmip new` prints (guidance: OK still creates it); the
Overview shows when its report is due and offers no Urgent Notification."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QTimer
from PySide6.QtWidgets import QApplication

from hmip_desktop.services.frameworks import FrameworkService
from hmip_desktop.ui.opening.new_inspection_dialog import NewInspectionDialog
from hmip_desktop.ui.overview.overview_page import OverviewPage
from hmip_desktop.ui.overview.urgent_notification_panel import UrgentNotificationPanel
from tests.gui.keyboard import make_store, open_page


def _choose(combo, data) -> None:  # type: ignore[no-untyped-def]
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def test_new_dialog_shows_the_review_warnings_before_creating(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    dialog = NewInspectionDialog(None, FrameworkService(), tmp_path)
    qtbot.addWidget(dialog)
    assert dialog.warning.isHidden() and dialog.review_note.isHidden()
    assert not dialog.announced.isChecked()
    dialog.start.setDate(QDate(2025, 2, 3))
    _choose(dialog.kind, "irp")
    # Announced and a three-day visit to begin with: nothing out of the usual.
    assert dialog.announced.isChecked() and dialog.end.date() == QDate(2025, 2, 5)
    assert dialog.warning.isHidden()
    assert not dialog.review_note.isHidden() and "not an inspection" in \
        dialog.review_note.text()
    dialog.end.setDate(QDate(2025, 2, 22))
    assert not dialog.warning.isHidden()
    assert "on site for 20 days" in dialog.warning.text() and "2.5 days" in \
        dialog.warning.text()
    dialog.announced.setChecked(False)
    assert "recorded as unannounced" in dialog.warning.text()
    _choose(dialog.kind, "full")  # a full inspection has neither
    assert dialog.warning.isHidden() and not dialog.announced.isChecked()


def test_a_long_review_is_still_created_from_the_dialog(window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from hmip_desktop.services.inspections import facts

    path = tmp_path / "review.hmip"
    seen: list[str] = []

    def act() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, NewInspectionDialog)
        dialog.establishment.setText("HMP Long")
        _choose(dialog.etype, "mens_prison")
        try:  # the dialog is always answered, so a failure here cannot leave it waiting
            _choose(dialog.kind, "irp")
            dialog.start.setDate(QDate(2025, 2, 3))
            dialog.end.setDate(QDate(2025, 2, 22))
            seen.append(dialog.warning.text() if not dialog.warning.isHidden() else "")
        finally:
            dialog.path.setText(str(path))
            dialog.buttons.accepted.emit()

    QTimer.singleShot(0, act)
    window.on_new_inspection()
    assert seen and "on site for 20 days" in seen[0]
    store = window.ctx.store
    assert store is not None and path.exists()
    f = facts(store)
    assert (f.kind, f.announced, f.end_date) == ("irp", True, "2025-02-22")


@pytest.mark.parametrize("kind", ["irp", "full"])
def test_urgent_notification_not_offered_on_a_review(qtbot, tmp_path, kind) -> None:  # type: ignore[no-untyped-def]
    store = make_store(tmp_path, kind=kind)
    try:
        panel = open_page(qtbot, UrgentNotificationPanel, store)
        assert isinstance(panel, UrgentNotificationPanel)
        qtbot.waitUntil(panel.isEnabled)
        if kind == "full":
            assert panel.flag.isEnabled()
            return
        assert not panel.flag.isEnabled()
        assert "not an inspection" in panel.scope.text() and not panel.scope.isHidden()
    finally:
        store.close()


@pytest.mark.parametrize("kind", ["irp", "full"])
def test_overview_shows_when_a_review_report_is_due(qtbot, tmp_path, kind) -> None:  # type: ignore[no-untyped-def]
    store = make_store(tmp_path, kind=kind)  # ends Wednesday 28 January 2026
    try:
        page = open_page(qtbot, OverviewPage, store)
        assert isinstance(page, OverviewPage)
        lifecycle = page.lifecycle
        assert lifecycle is not None
        qtbot.waitUntil(lifecycle.isEnabled)
        shown = lifecycle._form.isRowVisible(lifecycle.report_due)
        assert shown == (kind == "irp")
        if kind == "irp":
            assert "published by 2026-03-04 (25 working days after the visit ended on " \
                "2026-01-28)" in lifecycle.report_due.text()
    finally:
        store.close()
