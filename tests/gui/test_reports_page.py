"""The Reports page: readiness and disclosure hits, report text autosave, terms, marking, and
exports (stop on hits, redact, cancel, DOCX, letter, action plan) with the PDF shown in-app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pypdf
import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget

from hmip_desktop.report import action_plan_xlsx as X
from hmip_desktop.services.concerns import ConcernService
from hmip_desktop.services.report import NOT_ENCRYPTED
from hmip_desktop.services.report_writing import ReportWritingService, TextPartView
from hmip_desktop.services.urgent_notification import UrgentNotificationService
from hmip_desktop.ui.reports import report_dialogs
from hmip_desktop.ui.reports.report_choices import ACTION_PLAN, REDACT
from hmip_desktop.ui.reports.reports_page import ReportsPage
from tests.gui.conftest import cancel_at_first_progress
from tests.gui.keyboard import make_store, open_page
from tests.gui.text_fit import SMALLEST, cut_texts

PRISON_NUMBER = "A1234BC"


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A full inspection with one key concern that names a prisoner by number."""
    s = make_store(tmp_path)
    ConcernService(s).add(title="Healthcare waits",
                          body=f"Prisoner {PRISON_NUMBER} waited hours; Officer Smith said so.",
                          sections=["safety"], priority=False)
    yield s
    s.close()


@pytest.fixture
def page(qtbot, store) -> ReportsPage:  # type: ignore[no-untyped-def]
    """The Reports page on the store, shown, on a synchronous DB lane."""
    p = open_page(qtbot, ReportsPage, store)
    assert isinstance(p, ReportsPage)
    return p


@pytest.fixture
def save_as(monkeypatch, tmp_path: Path) -> dict[str, Any]:
    """Answer the save dialog with a file in tmp_path/out (set `name`); records the call."""
    out = tmp_path / "out"
    out.mkdir()
    asked: dict[str, Any] = {"name": "report.pdf", "calls": []}

    def fake(_parent: QWidget, _caption: str, suggested: str, _filter: str) -> tuple[str, str]:
        asked["calls"].append(suggested)
        return (str(out / asked["name"]) if asked["name"] else "", "")

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake)
    asked["out"] = out
    return asked


class Answers:
    """Queued answers to the disclosure question (none left: Cancel) and the hits asked about."""

    def __init__(self) -> None:
        self.answers: list[str] = []
        self.asked: list[list[str]] = []

    def __call__(self, _parent: QWidget, hits: Any) -> str | None:
        self.asked.append([h.text for h in hits])
        return self.answers.pop(0) if self.answers else None


@pytest.fixture
def disclosure(monkeypatch) -> Answers:  # type: ignore[no-untyped-def]
    """Replace the disclosure question (a QMessageBox) with queued answers."""
    answers = Answers()
    monkeypatch.setattr(report_dialogs, "ask_disclosure_choice", answers)
    return answers


def pdf_text(path: Path) -> str:
    """All the text of a PDF."""
    return "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(str(path)).pages)


def test_lists_readiness_and_a_disclosure_hit(page) -> None:  # type: ignore[no-untyped-def]
    """Blockers are listed in words, the prison number is a hit, the letter is explained."""
    assert page.not_encrypted.text() == NOT_ENCRYPTED and page.not_encrypted.isVisible()
    assert page.checks.readiness.text().startswith("Not ready:")
    assert page.checks.items_model.rowCount() > 0
    hits = page.checks.hits_model.rows()
    assert [(h.text, h.kind_label) for h in hits] == [(PRISON_NUMBER, "prison number")]
    assert "Key concern" in hits[0].where
    assert "1 item found" in page.checks.hits_summary.text()
    assert not page.choices.radios["un_pdf"].isEnabled() and page.choices.un_note.isVisible()
    assert page.choices.marking.text() == "OFFICIAL-SENSITIVE"


def test_letter_choice_follows_the_urgent_notification(page, store) -> None:  # type: ignore[no-untyped-def]
    """Setting an Urgent Notification enables the letter and explains nothing any more."""
    changes = UrgentNotificationService(store).set(reasons=["Poor outcomes"])
    page.ctx.signals.changes_applied.emit(changes)
    assert page.choices.radios["un_pdf"].isEnabled()
    assert not page.choices.un_note.isVisible()


def test_editing_the_introduction_saves_a_revision(qtbot, page, store) -> None:  # type: ignore[no-untyped-def]
    """Typing saves the part (autosave); the check then finds a number typed there."""
    parts = page.text_parts
    parts.select_part("introduction")
    assert parts.editor.isEnabled()
    parts.editor.setFocus()
    qtbot.keyClicks(parts.editor, "We met prisoner B9876ZZ on the wing.")
    parts.flush()
    saved = {p.key: p.text for p in ReportWritingService(store).text_parts()}
    assert saved["introduction"] == "We met prisoner B9876ZZ on the wing."
    assert parts.status.text() == "Saved."
    assert "B9876ZZ" in [h.text for h in page.checks.hits_model.rows()]
    assert not parts.parts.currentItem().text().endswith("(empty)")


def test_a_conflicted_part_says_so_in_words(page, store) -> None:  # type: ignore[no-untyped-def]
    """A part in conflict carries a note and '(conflict)' in the list, not only a colour."""
    page.text_parts._show(store, [TextPartView("introduction", "Introduction", "hint", "x",
                                               True)])
    assert page.text_parts.conflict.isVisible()
    assert page.text_parts.conflict.text().startswith("Conflict:")
    assert page.text_parts.parts.item(0).text() == "Introduction (conflict)"


def test_generate_pdf_stop_on_hits_writes_nothing(page, save_as,
                                                  disclosure) -> None:  # type: ignore[no-untyped-def]
    """Stop on hits: the hits are shown and asked about; Cancel writes nothing."""
    page.generate_button.click()
    suggested = Path(save_as["calls"][0])
    assert suggested.name == "draft-report.pdf" and suggested.parent.name == "exports"
    assert disclosure.asked == [[PRISON_NUMBER]]
    assert not (save_as["out"] / "report.pdf").exists()
    assert page.status.text().startswith("Nothing was written")
    assert not page.progress.running and page.generate_button.isEnabled()


def test_redact_from_the_question_writes_a_redacted_pdf(page, save_as, disclosure,
                                                        monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Answering 'Redact and export' writes a PDF without the number, shown in the app."""
    disclosure.answers.append(REDACT)
    page.generate_button.click()
    target = save_as["out"] / "report.pdf"
    text = pdf_text(target)
    assert "[redacted]" in text and PRISON_NUMBER not in text
    assert "1 item replaced with [redacted]" in page.status.text()
    assert page.preview.is_pdf and page.preview.page_count >= 1
    assert page.tabs.currentWidget() is page.preview
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    page.folder_button.click()
    assert [Path(u.toLocalFile()) for u in opened] == [save_as["out"]]
    # The next export starts where the last one went.
    page.generate_button.click()
    assert Path(save_as["calls"][-1]).parent == save_as["out"]


def test_redact_option_then_cancel_leaves_no_file(page, save_as) -> None:  # type: ignore[no-untyped-def]
    """Cancel during the export stops it with nothing written."""
    page.choices.disclosure_radios[REDACT].setChecked(True)
    page.progress.progressed.connect(lambda _d, _t: page.progress.cancel())
    page.generate_button.click()
    assert not (save_as["out"] / "report.pdf").exists()
    assert list(save_as["out"].iterdir()) == []
    assert page.status.text() == "Cancelled. Nothing was written."


def test_cancel_during_the_build_stops_before_layout(page, save_as,  # type: ignore[no-untyped-def]
                                                     monkeypatch) -> None:
    """The bar moves while the document is built, and Cancel pressed then stops the export
    before any page is laid out: nothing is written, not even a temporary file."""
    from hmip_desktop.report import pdf

    laid_out: list[bool] = []
    layout = pdf.ReportTemplate.build
    monkeypatch.setattr(pdf.ReportTemplate, "build",
                        lambda self, *a, **k: laid_out.append(True) or layout(self, *a, **k))
    page.choices.disclosure_radios["allow"].setChecked(True)
    seen = cancel_at_first_progress(page.progress, page.generate_button)
    page.generate_button.click()
    assert seen == [False]  # Generate was disabled while the export ran
    assert laid_out == []
    assert list(save_as["out"].iterdir()) == []
    assert page.status.text() == "Cancelled. Nothing was written."
    assert not page.progress.running and page.generate_button.isEnabled()


def test_docx_export_as_they_are(page, save_as) -> None:  # type: ignore[no-untyped-def]
    """'Export them as they are' writes the DOCX (suffix added) and says what it kept."""
    page.choices.radios["report_docx"].setChecked(True)
    page.choices.disclosure_radios["allow"].setChecked(True)
    save_as["name"] = "draft"
    page.generate_button.click()
    target = save_as["out"] / "draft.docx"
    assert target.read_bytes()[:2] == b"PK"
    assert "exported as they are" in page.status.text()
    assert Path(save_as["calls"][0]).name == "draft-report.docx"


def test_action_plan_export_and_import(page, save_as, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The action plan choice writes the workbook; importing it back unchanged stores nothing."""
    page.choices.radios["action_plan"].setChecked(True)
    assert not page.choices.evidence_index.isEnabled()
    assert page.checks.scope_note.isVisible()
    # The workbook is disclosure-checked too: the fixture's concern holds a prison number.
    page.choices.disclosure_radios["redact"].setChecked(True)
    save_as["name"] = "plan.xlsx"
    page.generate_button.click()
    assert (save_as["out"] / "plan.xlsx").read_bytes()[:2] == b"PK"
    assert "1 concern" in page.status.text()
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *_a: (str(save_as["out"] / "plan.xlsx"), ""))
    page.export.import_button.click()
    assert page.status.text() == "Action plan imported: nothing had changed."


def test_action_plan_cancel_writes_and_stores_nothing(page, save_as, store, monkeypatch,  # type: ignore[no-untyped-def]
                                                      shown_errors) -> None:
    """Cancel during the action plan's export leaves no workbook; during its import, no
    response is stored (the Cancel button is not just a label)."""
    page.choices.radios["action_plan"].setChecked(True)
    page.choices.disclosure_radios["allow"].setChecked(True)
    save_as["name"] = "plan.xlsx"
    cancel = lambda _d, _t: page.progress.cancel()  # noqa: E731
    page.progress.progressed.connect(cancel)
    page.generate_button.click()
    assert list(save_as["out"].iterdir()) == []
    assert page.status.text() == "Cancelled. Nothing was changed." and shown_errors == []
    page.progress.progressed.disconnect(cancel)
    page.generate_button.click()
    plan = save_as["out"] / "plan.xlsx"
    book = openpyxl.load_workbook(plan)
    sheet = book[X.SHEET_PLAN]
    headers = [c.value for c in sheet[X.HEADER_ROW]]
    sheet.cell(X.HEADER_ROW + 1, headers.index("Response") + 1, "Agreed")
    book.save(plan)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a: (str(plan), ""))
    page.progress.progressed.connect(cancel)
    page.export.import_button.click()
    assert page.status.text() == "Cancelled. Nothing was changed." and shown_errors == []
    assert [c.action_plan for c in ConcernService(store).list()] == [None]
    page.progress.progressed.disconnect(cancel)
    page.export.import_button.click()
    assert [c.action_plan["response"] for c in ConcernService(store).list()] == ["agreed"]


def test_terms_add_and_remove(page, store) -> None:  # type: ignore[no-untyped-def]
    """An added term is stored, listed and found by the check; removing it undoes all three."""
    page.terms.term.setText("Smith")
    page.terms.add_button.click()
    assert ReportWritingService(store).terms() == ["Smith"]
    assert page.terms.current_terms() == ["Smith"] and page.terms.term.text() == ""
    kinds = {h.text: h.kind_label for h in page.checks.hits_model.rows()}
    assert kinds.get("Smith") == "name or term on the list"
    page.terms.terms.setCurrentRow(0)
    page.terms.remove_button.click()
    assert ReportWritingService(store).terms() == [] and page.terms.current_terms() == []
    assert "Smith" not in [h.text for h in page.checks.hits_model.rows()]


def test_saving_the_marking(page, store) -> None:  # type: ignore[no-untyped-def]
    """Save marking stores the inspection's protective marking."""
    page.choices.marking.setText("OFFICIAL")
    page.choices.marking.setModified(True)
    page.choices.save_marking.click()
    assert ReportWritingService(store).marking() == "OFFICIAL"
    assert page.status.text() == "Protective marking saved."


def test_names_and_tab_order(page) -> None:  # type: ignore[no-untyped-def]
    """Every control has an accessible name; Tab goes down the left column, then right."""
    unnamed = [w for w in page.findChildren(QWidget)
               if w.focusPolicy() & Qt.FocusPolicy.TabFocus and not w.accessibleName()
               and not w.objectName().startswith("qt_")]  # parts of a spin box, a scroll area
    assert unnamed == []
    chain: list[QWidget] = []
    w = page.nextInFocusChain()
    while w is not page and len(chain) < 500:
        chain.append(w)
        w = w.nextInFocusChain()
    order = [page.choices.radios["report_pdf"], page.choices.marking, page.generate_button,
             page.folder_button, page.checks.hits, page.tabs, page.text_parts.parts,
             page.text_parts.editor]
    positions = [chain.index(x) for x in order]
    assert positions == sorted(positions)


def test_fits_a_1280_by_720_window(window, store) -> None:  # type: ignore[no-untyped-def]
    """In the main window at 1280×720 the page needs no more room than the window has."""
    window._set_store(store)
    window.resize(1280, 720)
    page = window.show_page("Reports")
    assert isinstance(page, ReportsPage)
    hint = page.minimumSizeHint()
    area = window.page_scroll.viewport().size()
    assert hint.width() <= area.width() and hint.height() <= area.height()
    assert page.checks.hits_model.rowCount() == 1  # loaded once shown


def test_require_ready_refuses_with_nothing_written(page, save_as,
                                                    shown_errors) -> None:  # type: ignore[no-untyped-def]
    """With 'only when nothing blocks' ticked, an unready inspection writes nothing."""
    page.choices.require_ready.setChecked(True)
    page.choices.disclosure_radios["allow"].setChecked(True)
    page.generate_button.click()
    assert list(save_as["out"].iterdir()) == []
    assert page.status.text().startswith("Nothing was written: 10 things still block")
    assert len(shown_errors) == 1 and "not ready" in shown_errors[0]


def test_export_on_the_real_db_lane(qtbot, store, save_as) -> None:  # type: ignore[no-untyped-def]
    """On a worker thread the export, its progress and the PDF view arrive on the GUI thread."""
    from hmip_desktop.ui.context import UiContext
    from hmip_desktop.ui.tasks import TaskRunner

    ctx = UiContext(tasks=TaskRunner())
    ctx.store = store
    page = ReportsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    ctx.signals.inspection_opened.emit(store)
    try:
        qtbot.waitUntil(lambda: page.checks.hits_model.rowCount() == 1, timeout=10_000)
        page.choices.disclosure_radios[REDACT].setChecked(True)
        steps: list[int] = []
        page.progress.progressed.connect(lambda done, _total: steps.append(done))
        page.generate_button.click()
        assert not page.generate_button.isEnabled()  # disabled while it runs
        qtbot.waitUntil(lambda: page.preview.is_pdf, timeout=15_000)
        assert steps and page.generate_button.isEnabled()
        assert (save_as["out"] / "report.pdf").exists()
    finally:
        ctx.tasks.shutdown()


def test_overview_draft_letter_opens_the_reports_page(window, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The Urgent Notification panel's "Draft the letter" goes to Reports with the letter."""
    store = make_store(tmp_path)
    UrgentNotificationService(store).set(reasons=["Violence had risen sharply"])
    window._set_store(store)
    overview = window.show_page("Overview")
    assert overview.urgent.draft_letter.isEnabled()
    overview.urgent.draft_letter.click()
    reports = window.pages["Reports"]
    assert window.stack.currentWidget() is reports
    assert reports.choices.radios["un_pdf"].isChecked()


def test_action_plan_import_names_incomplete_answers(page, store, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Steps, the date submitted and what is incomplete are said after the import."""
    import openpyxl

    from hmip_desktop.report import action_plan_xlsx as X
    from hmip_desktop.services.action_plan import ActionPlanService

    plan = tmp_path / "returned.xlsx"
    ActionPlanService(store).export(plan, redact=True)
    wb = openpyxl.load_workbook(plan)
    ws = wb[X.SHEET_PLAN]
    col = {c.value: c.column for c in ws[X.HEADER_ROW]}
    first = X.HEADER_ROW + 1
    ws.cell(X.SUBMITTED_ROW, X.DATE_VALUE_COLUMN).value = "2027-04-02"
    for r, values in ((first, ("Agreed", "Hire nurses", "Head of healthcare", "2027-06-01")),
                      (first + 1, (None, "Triage clinic", None, "2027-07-01"))):
        for heading, value in zip(("Response", "Action", "Owner", "Target date"), values,
                                  strict=True):
            ws.cell(r, col[heading]).value = value
    wb.save(plan)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_a: (str(plan), ""))
    page.export.import_button.click()
    assert page.status.text().splitlines() == [
        "Action plan imported: responses stored for 1 concern. Date submitted: 2 April 2027.",
        "Incomplete, stored as sent (1 gap; ask the establishment for what is missing):",
        f"row {first + 1}: concern 1 (Agreed) has a step with no owner; fill in Owner"]
    steps = ConcernService(store).list()[0].action_plan["steps"]
    assert [s["action"] for s in steps] == ["Hire nurses", "Triage clinic"]


def test_every_text_reads_in_full_at_the_smallest_window(window, store) -> None:  # type: ignore[no-untyped-def]
    """At 1024×640 no label, check box or button of the page is cut ("Refuse incomplete a…"),
    whichever document is chosen and whichever tab is open on the right."""
    window._set_store(store)
    window.resize(*SMALLEST)
    page = window.show_page("Reports")
    assert isinstance(page, ReportsPage)
    cut: list[str] = []
    for key in ("report_pdf", ACTION_PLAN):
        page.choices.radios[key].setChecked(True)
        for tab in range(page.tabs.count()):
            page.tabs.setCurrentIndex(tab)
            QApplication.processEvents()
            cut += cut_texts(page)
    assert not cut, "\n".join(sorted(set(cut)))
    # The column's width is found in the window, not by scrolling the page sideways.
    assert page.minimumSizeHint().width() <= window.page_scroll.viewport().width()


def test_alt_p_reaches_the_chosen_document_and_arrows_choose(qtbot, page) -> None:  # type: ignore[no-untyped-def]
    """One mnemonic for "What to export" (the choices have none): Alt+P puts the focus on
    the chosen document, the arrow keys move the choice."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from tests.gui.keyboard import focused, press

    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page.window())
    qtbot.mouseClick(page.choices.radios["report_docx"], Qt.MouseButton.LeftButton)
    page.choices.marking.setFocus()
    press(qtbot, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: focused() is page.choices.radios["report_docx"])
    press(qtbot, Qt.Key.Key_Up)
    assert page.choices.radios["report_pdf"].isChecked()
