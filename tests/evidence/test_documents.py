"""Documents: every supported kind, detection, dedupe, page text search, preview, export, links."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest

from hmip_desktop.domain import records as R
from hmip_desktop.domain.errors import Cancelled, NotFoundError, ReadOnlyError, ValidationError
from hmip_desktop.ingest.documents import (
    MIME_CSV,
    MIME_DOCX,
    MIME_JPEG,
    MIME_PDF,
    MIME_PNG,
    MIME_TXT,
    MIME_XLSX,
)
from hmip_desktop.services.documents import DocumentService, reindex_missing_document_text
from hmip_desktop.services.links import LinkService
from hmip_desktop.services.search import search
from hmip_desktop.services.search_targets import search_targets
from tests.evidence.conftest import (
    JPEG_BYTES,
    blob_files,
    make_docx,
    make_jpeg,
    make_pdf,
    make_png,
    make_xlsx,
)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """One small file of every supported kind."""
    d = tmp_path / "in"
    d.mkdir()
    (d / "log.txt").write_text("Night patrol: the landing was quiet.", encoding="utf-8")
    (d / "roll.csv").write_text("wing,count\nA,112\nB,98\n", encoding="utf-8")
    return {
        "pdf": make_pdf(d / "Use of force policy.pdf", ["Scope of the policy",
                                                        "Body-worn cameras must record"]),
        "docx": make_docx(d / "minutes.docx", ["Safer custody meeting", "ACCT reviews late"]),
        "xlsx": make_xlsx(d / "staffing.xlsx", {"Rota": [["day", "officers"], ["Mon", 14]],
                                                "Sick": [["name", "days"], ["x", 3]]}),
        "txt": d / "log.txt",
        "csv": d / "roll.csv",
        "png": make_png(d / "cell.png"),
        "jpeg": make_jpeg(d / "yard.jpeg"),
    }


def test_each_kind_is_detected_stored_encrypted_and_indexed(store, files) -> None:
    """Every kind imports with the right MIME type and page count; text is searchable."""
    views = DocumentService(store).import_files(list(files.values()))
    by_name = {v.filename: v for v in views}
    expected = {
        "Use of force policy.pdf": (MIME_PDF, 2), "minutes.docx": (MIME_DOCX, 1),
        "staffing.xlsx": (MIME_XLSX, 2), "log.txt": (MIME_TXT, 1), "roll.csv": (MIME_CSV, 1),
        "cell.png": (MIME_PNG, 1), "yard.jpeg": (MIME_JPEG, 1),
    }
    assert {n: (v.mime, v.pages) for n, v in by_name.items()} == expected
    pdf = by_name["Use of force policy.pdf"]
    assert pdf.title == "Use of force policy" and pdf.source_kind == "document_review"
    assert pdf.sha256 == hashlib.sha256(files["pdf"].read_bytes()).hexdigest()
    # The blob store holds ciphertext only: no file contains the plaintext bytes.
    for stored in store.blobs.root.iterdir():
        assert files["txt"].read_bytes() not in stored.read_bytes()
    # Page text of the PDF, sheets of the workbook, the docx body are all found.
    hits = search_targets(store, "cameras")
    assert [(h.entity_id, h.kind, h.page) for h in hits] == [(pdf.id, "document", 2)]
    assert hits[0].title == "Use of force policy"
    page_text = DocumentService(store).text_pages(pdf.id)[1]
    assert page_text[hits[0].offset:].startswith("cameras")
    assert {h.entity_id for h in search_targets(store, "ACCT")} == {by_name["minutes.docx"].id}
    assert [h.page for h in search_targets(store, "officers")] == [1]
    assert search_targets(store, "landing")[0].entity_id == by_name["log.txt"].id
    assert DocumentService(store).text_pages(by_name["cell.png"].id) == []


def test_same_content_is_stored_once_and_reused(store, files, tmp_path) -> None:
    """A second import of the same bytes (any name) reuses the record and the blob."""
    service = DocumentService(store)
    first = service.import_files([files["pdf"]])[0]
    copy = tmp_path / "copy of policy.pdf"
    copy.write_bytes(files["pdf"].read_bytes())
    again = service.import_files([copy, files["pdf"]])
    assert [v.id for v in again] == [first.id]
    assert len(service.list()) == 1
    with store.uow() as tx:
        assert tx.blobs.count() == 1
    assert len([p for p in blob_files(store) if p.endswith(".age")]) == 1


def test_mismatched_extension_is_refused_with_nothing_written(store, files, tmp_path,
                                                             snapshot) -> None:
    """A PDF named .docx is refused before anything is written, even with good files first."""
    liar = tmp_path / "report.docx"
    liar.write_bytes(files["pdf"].read_bytes())
    before = snapshot()
    with pytest.raises(ValidationError) as err:
        DocumentService(store).import_files([files["txt"], liar])
    assert "report.docx" in str(err.value) and "PDF" in str(err.value)
    assert snapshot() == before
    unsupported = tmp_path / "notes.odt"
    unsupported.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ValidationError, match="not supported"):
        DocumentService(store).import_files([unsupported])
    assert snapshot() == before


def test_damaged_pdf_and_missing_file_write_nothing(store, files, tmp_path, snapshot) -> None:
    """Text extraction failures and missing files also leave the store untouched."""
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + b"\x00" * 200)
    before = snapshot()
    with pytest.raises(ValidationError, match="broken.pdf"):
        DocumentService(store).import_files([files["docx"], broken])
    with pytest.raises(NotFoundError):
        DocumentService(store).import_files([tmp_path / "nope.pdf"])
    assert snapshot() == before


def test_cancel_writes_nothing(store, files, snapshot) -> None:
    """A cancel during the import leaves no record, no blob row and no blob file."""
    before = snapshot()
    cancel = threading.Event()
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(done)
        if done * 2 > total:  # in the encrypting phase
            cancel.set()

    with pytest.raises(Cancelled):
        DocumentService(store).import_files(list(files.values()), progress=progress,
                                            cancel=cancel)
    assert seen and snapshot() == before


def test_read_bytes_and_export_copy(store, files, tmp_path) -> None:
    """The preview bytes match the file; the explicit export writes an identical copy."""
    service = DocumentService(store)
    view = service.import_files([files["jpeg"]])[0]
    assert service.read_bytes(view.id) == JPEG_BYTES
    dest = tmp_path / "out" / "yard copy.jpeg"
    dest.parent.mkdir()
    assert service.export_copy(view.id, dest) == dest
    assert dest.read_bytes() == JPEG_BYTES
    with pytest.raises(ValidationError, match="already exists"):
        service.export_copy(view.id, dest)
    service.export_copy(view.id, dest, overwrite=True)
    assert sorted(p.name for p in dest.parent.iterdir()) == ["yard copy.jpeg"]


def test_links_whole_and_by_page_and_at_import(store, files) -> None:
    """Link a whole document at import, a page later; a page past the end is refused."""
    service = DocumentService(store)
    view = service.import_files([files["pdf"]], expectations=["1", " 2 ", "1"])[0]
    links = LinkService(store).for_evidence(view.id)
    assert sorted((v.expectation_ref, v.page) for v in links) == [("1", None), ("2", None)]
    link_id = service.link(view.id, "3", page=2)
    assert LinkService(store).for_evidence(view.id)[-1].page == 2
    with pytest.raises(ValidationError, match="page 3"):
        service.link(view.id, "3", page=3)
    with pytest.raises(ValidationError, match="not in this inspection"):
        service.import_files([files["txt"]], expectations=["99"], known_refs={"1", "2", "3"})
    assert LinkService(store).remove(link_id).ids == frozenset({link_id})
    # Importing the same file again with the same expectation adds no duplicate link.
    service.import_files([files["pdf"]], expectations=["1"])
    assert len(LinkService(store).for_evidence(view.id)) == 2


def test_delete_restore_and_reindex_after_merge(store, files) -> None:
    """Deleting drops page hits; restoring (or a merge) re-derives them from the blob."""
    service = DocumentService(store)
    view = service.import_files([files["pdf"]])[0]
    service.delete(view.id)
    assert search(store, "cameras") == [] and service.list() == []
    service.restore(view.id)
    assert [h.entity_id for h in search(store, "cameras")] == [view.id]
    # A merge brings the record but not the derived page index: drop it, then re-derive.
    with store.uow(write=True) as tx:
        tx.document_text.clear_pages(view.id)
    assert search(store, "cameras") == []
    assert reindex_missing_document_text(store) == 1
    assert [h.page for h in search_targets(store, "cameras")] == [2]
    assert reindex_missing_document_text(store) == 0


def test_missing_blob_is_reported_not_crashed(store, files) -> None:
    """A record whose blob has not arrived lists as unavailable; preview says why."""
    service = DocumentService(store)
    view = service.import_files([files["txt"]])[0]
    store.blobs.path_of(view.sha256).unlink()
    assert service.get(view.id).available is False
    with pytest.raises(NotFoundError, match="not on this computer"):
        service.read_bytes(view.id)


def test_edit_and_read_only_file(store, files) -> None:
    """Title edits are revisions; a read-only file refuses imports before any work."""
    service = DocumentService(store)
    view = service.import_files([files["txt"]])[0]
    assert service.edit(view.id, title="Night log").ids == frozenset({view.id})
    assert service.edit(view.id, title="Night log").ids == frozenset()
    with store.uow() as tx:
        assert len(tx.records.revisions_of(view.id)) == 2
        assert tx.records.get(view.id).type == R.DOCUMENT
    store.read_only = True
    with pytest.raises(ReadOnlyError):
        service.import_files([files["pdf"]])
