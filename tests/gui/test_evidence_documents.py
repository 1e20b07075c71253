"""Evidence page, documents: drag-and-drop import, preview, page links, export, delete, search."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QTimer, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from hmip_desktop.services.documents import DocumentService
from hmip_desktop.services.inspections import create_inspection
from hmip_desktop.services.links import LinkService
from hmip_desktop.ui.evidence import evidence_links, evidence_prompts
from hmip_desktop.ui.evidence.search_dialog import SearchDialog
from tests.evidence.conftest import make_pdf, make_png
from tests.factories import minimal_framework
from tests.gui.conftest import cancel_at_first_progress


def _open(window, tmp_path: Path):  # type: ignore[no-untyped-def]
    store = create_inspection(tmp_path / "docs.hmip", establishment_name="HMP Documents",
                              establishment_type="mens_prison", framework=minimal_framework())
    window._set_store(store)
    page = window.show_page("Evidence")
    page.tabs.setCurrentWidget(page.documents)
    return store, page.documents


def _mime(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def _drop(panel, *paths: Path) -> bool:  # type: ignore[no-untyped-def]
    """Drag files over the panel and drop them; True when the drag was accepted."""
    mime = _mime(*paths)
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(panel, enter)
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(panel, drop)
    return enter.isAccepted()


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    """A two-page PDF made with reportlab."""
    return make_pdf(tmp_path / "Use of force policy.pdf",
                    ["Scope of the policy", "Body-worn cameras must record every incident"])


def test_drop_a_text_file_imports_and_previews_it(window, tmp_path: Path, shown_errors) -> None:
    """Dropping a file imports it into the encrypted store and shows its text."""
    store, panel = _open(window, tmp_path)
    log = tmp_path / "night log.txt"
    log.write_text("Night patrol: the landing was quiet.", encoding="utf-8")
    assert _drop(panel, log)
    [doc] = DocumentService(store).list()
    assert doc.filename == "night log.txt"
    assert panel.model.rowCount() == 1
    assert panel.current_document().id == doc.id
    assert panel.preview.text.toPlainText() == "Night patrol: the landing was quiet."
    assert panel.preview.page_count == 1
    assert "1 document imported" in panel.status.text()
    assert shown_errors == []


def test_refused_files_show_the_service_message_and_import_nothing(
        window, tmp_path: Path, shown_errors, pdf: Path) -> None:
    """An unsupported or mislabelled file is refused with a clear message; nothing is kept."""
    store, panel = _open(window, tmp_path)
    odt = tmp_path / "notes.odt"
    odt.write_bytes(b"PK\x03\x04 not really")
    _drop(panel, pdf, odt)
    assert len(shown_errors) == 1 and "notes.odt" in shown_errors[0]
    assert "not supported" in shown_errors[0]
    liar = tmp_path / "report.docx"
    liar.write_bytes(pdf.read_bytes())
    _drop(panel, liar)
    assert "report.docx" in shown_errors[1] and "PDF" in shown_errors[1]
    assert DocumentService(store).list() == [] and panel.model.rowCount() == 0
    assert panel.status.text() == "Nothing was imported."


def test_png_preview_shows_the_picture(window, tmp_path: Path) -> None:
    """A picture is decoded from the decrypted bytes in memory and shown."""
    _store, panel = _open(window, tmp_path)
    _drop(panel, make_png(tmp_path / "cell.png"))
    image = panel.preview.rendered_image()
    assert not image.isNull() and (image.width(), image.height()) == (1, 1)
    assert panel.preview.stack.currentWidget() is panel.preview.picture_scroll
    assert not panel.link_page_button.isEnabled()  # a picture has no pages to link


def test_pdf_pages_render_and_show_their_text(window, tmp_path: Path, monkeypatch,
                                              pdf: Path) -> None:
    """Import… picks a 2-page PDF; each page renders; the text view shows the page text."""
    _store, panel = _open(window, tmp_path)
    monkeypatch.setattr(evidence_prompts, "choose_document_files", lambda _p: [pdf])
    panel.import_button.click()
    preview = panel.preview
    assert preview.is_pdf and preview.page_count == 2
    first = preview.rendered_image()
    assert not first.isNull() and first.width() > 500
    preview.set_page(2)
    assert preview.current_page() == 2 and not preview.rendered_image().isNull()
    preview.show_text.setChecked(True)
    assert "Body-worn cameras" in preview.text.toPlainText()
    panel.table.clearSelection()
    panel.table.setCurrentIndex(panel.proxy.index(-1, -1))
    assert preview.document is None and not preview.is_pdf  # decrypted bytes dropped


def test_link_a_page_and_the_whole_document(window, tmp_path: Path, monkeypatch,
                                            pdf: Path) -> None:
    """Link the current page, then the whole document; both show; undo removes a link."""
    store, panel = _open(window, tmp_path)
    _drop(panel, pdf)
    doc = panel.current_document()
    panel.preview.set_page(2)
    monkeypatch.setattr(evidence_links, "choose_expectations", lambda _p, _fw: ["2"])
    panel.link_page_button.click()
    monkeypatch.setattr(evidence_links, "choose_expectations", lambda _p, _fw: ["1", "3"])
    panel.link_button.click()
    links = LinkService(store).for_evidence(doc.id)
    assert sorted((lk.expectation_ref, lk.page) for lk in links) == [
        ("1", None), ("2", 2), ("3", None)]
    shown = [panel.links.list.item(i).text() for i in range(panel.links.list.count())]
    assert shown == ["Expectation 1 — whole item", "Expectation 2 — page 2",
                     "Expectation 3 — whole item"]
    panel.undo_stack.undo()
    assert len(LinkService(store).for_evidence(doc.id)) == 2
    panel.links.list.setCurrentRow(0)
    panel.links.remove_button.click()
    assert [lk.expectation_ref for lk in LinkService(store).for_evidence(doc.id)] == ["2"]


def test_link_picker_dialog_is_keyboard_driven(window, qtbot, tmp_path: Path,
                                               pdf: Path) -> None:
    """The real picker: type to filter, Enter links the document to that expectation."""
    from hmip_desktop.ui.expectations.expectation_picker_dialog import ExpectationPickerDialog

    store, panel = _open(window, tmp_path)
    _drop(panel, pdf)

    def pick() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ExpectationPickerDialog)
        qtbot.keyClicks(dialog.filter, "reception")
        qtbot.keyClick(dialog.filter, Qt.Key.Key_Return)
    QTimer.singleShot(0, pick)
    panel.link_button.click()
    [link] = LinkService(store).for_evidence(panel.current_document().id)
    assert (link.expectation_ref, link.page) == ("2", None)


def test_export_copy_warns_first_and_writes_the_file(window, tmp_path: Path, monkeypatch,
                                                     pdf: Path) -> None:
    """Export a copy… warns that the file leaves the encrypted store; only then writes it."""
    _store, panel = _open(window, tmp_path)
    _drop(panel, pdf)
    warned: list[str] = []
    answer = {"yes": False}

    def warn(_parent, view) -> bool:  # type: ignore[no-untyped-def]
        warned.append(view.filename)
        return answer["yes"]

    dest = tmp_path / "out" / "copy.pdf"
    dest.parent.mkdir()
    monkeypatch.setattr(evidence_prompts, "confirm_plaintext_export", warn)
    monkeypatch.setattr(evidence_prompts, "choose_export_path", lambda _p, _s: dest)
    panel.export_button.click()
    assert warned == ["Use of force policy.pdf"] and not dest.exists()
    answer["yes"] = True
    panel.export_button.click()
    assert dest.read_bytes() == pdf.read_bytes()
    assert "unencrypted copy" in panel.status.text()
    assert sorted(p.name for p in dest.parent.iterdir()) == ["copy.pdf"]


def test_export_copy_shows_progress_and_cancel_leaves_no_file(
        window, tmp_path: Path, monkeypatch, shown_errors) -> None:
    """A copy of a big document runs with a progress bar; Cancel leaves nothing at the chosen
    path (nor its .part), and the controls come back."""
    _store, panel = _open(window, tmp_path)
    big = tmp_path / "scan.png"  # 3 MiB: the copy goes a megabyte at a time
    big.write_bytes(make_png(tmp_path / "cell.png").read_bytes() + os.urandom(3 << 20))
    _drop(panel, big)
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setattr(evidence_prompts, "confirm_plaintext_export", lambda _p, _v: True)
    monkeypatch.setattr(evidence_prompts, "choose_export_path",
                        lambda _p, _s: out / "copy.png")
    seen = cancel_at_first_progress(panel.progress, panel.export_button)
    panel.export_button.click()
    assert seen == [False]  # the bar showed, the controls were disabled while it ran
    assert list(out.iterdir()) == [] and shown_errors == []
    assert panel.status.text() == "Export cancelled: no copy was written."
    assert panel.export_button.isEnabled() and not panel.progress.isVisible()
    panel.export_button.click()
    assert (out / "copy.png").read_bytes() == big.read_bytes()
    assert sorted(p.name for p in out.iterdir()) == ["copy.png"]


def test_delete_and_undo(window, tmp_path: Path, pdf: Path) -> None:
    """Deleting a document can be undone (both are revisions)."""
    store, panel = _open(window, tmp_path)
    _drop(panel, pdf)
    doc_id = panel.current_document().id
    panel.delete_button.click()
    assert DocumentService(store).list() == [] and panel.model.rowCount() == 0
    assert panel.preview.document is None
    panel.undo_button.click()
    assert [d.id for d in DocumentService(store).list()] == [doc_id]
    assert panel.model.rowCount() == 1


def test_cancel_during_import_keeps_nothing(window, tmp_path: Path, shown_errors,
                                            pdf: Path) -> None:
    """Cancel while importing: no document, no message box, the controls come back."""
    store, panel = _open(window, tmp_path)
    seen = cancel_at_first_progress(panel.progress, panel.import_button)
    _drop(panel, pdf, make_png(tmp_path / "cell.png"))
    assert seen == [False]  # controls were disabled while it ran
    assert DocumentService(store).list() == [] and shown_errors == []
    assert panel.status.text() == "Nothing was imported."
    assert panel.import_button.isEnabled() and not panel.progress.isVisible()


def test_a_long_pdf_moves_the_bar_while_its_text_is_read(window, tmp_path: Path) -> None:
    """Reading a long PDF's text is most of its import: the bar moves page by page, not only
    once the whole text has been read."""
    _store, panel = _open(window, tmp_path)
    long_pdf = make_pdf(tmp_path / "Long policy.pdf", [f"Page {n}" for n in range(1, 9)])
    seen: list[tuple[int, int]] = []
    panel.progress.progressed.connect(lambda done, total: seen.append((done, total)))
    _drop(panel, long_pdf)
    assert panel.model.rowCount() == 1
    reading = sorted({done for done, total in seen if 0 < done < total // 2})
    assert len(reading) >= 4  # the first half of the bar is the text, in page steps


def test_search_hit_opens_the_document_page(window, qtbot, tmp_path: Path, pdf: Path) -> None:
    """Ctrl+K: a word on page 2 opens the PDF at page 2 with the word selected."""
    _store, panel = _open(window, tmp_path)
    _drop(panel, pdf)
    page = window.pages["Evidence"]
    page.tabs.setCurrentWidget(page.notes)
    window.show_page("Overview")

    def type_query() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, SearchDialog)
        qtbot.keyClicks(dialog.query, "cameras")
        qtbot.keyClick(dialog.query, Qt.Key.Key_Return)
    QTimer.singleShot(0, type_query)
    window.on_search()
    assert window.stack.currentWidget() is page
    assert page.tabs.currentWidget() is panel
    assert panel.preview.current_page() == 2
    assert panel.preview.text.textCursor().selectedText() == "cameras"


def test_open_evidence_from_another_page_goes_to_the_page(window, tmp_path: Path,
                                                          pdf: Path) -> None:
    """Opening a linked document page (as the Expectations page does) shows that page."""
    _store, panel = _open(window, tmp_path)
    _drop(panel, pdf)
    doc_id = panel.current_document().id
    window.show_page("Overview")
    window._on_open_evidence_requested(doc_id, None, None, 2)
    page = window.pages["Evidence"]
    assert window.stack.currentWidget() is page and page.tabs.currentWidget() is panel
    assert panel.preview.current_page() == 2


def test_documents_model_passes_qt_model_tester(qtmodeltester, window, tmp_path: Path,
                                                pdf: Path) -> None:
    """The documents table model follows Qt's model rules."""
    _store, panel = _open(window, tmp_path)
    log = tmp_path / "log.txt"
    log.write_text("x", encoding="utf-8")
    _drop(panel, pdf, log)
    assert panel.model.rowCount() == 2
    qtmodeltester.check(panel.model)
