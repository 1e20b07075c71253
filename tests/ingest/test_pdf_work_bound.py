"""PDF text extraction is bounded in work: pages whose content would take pypdf seconds each
keep no search text, and the result says so, naming the limit (the file is still stored)."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest

from hmip_desktop.domain.mime import MIME_PDF
from hmip_desktop.ingest import pdftext
from hmip_desktop.ingest.documents import extract_text

LINE = b"BT /F1 12 Tf 72 712 Td (Hello world) Tj ET\n"


def _pdf(path: Path, lines: int, pages: int) -> Path:
    """`pages` pages sharing one compressed content stream of `lines` text lines."""
    data = zlib.compress(LINE * lines, 9)
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data
            + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    objs += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R "
             b"/Resources << /Font << /F1 4 0 R >> >> >>"] * pages
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1,
                                                                              xref)
    path.write_bytes(bytes(out))
    return path


def test_a_small_pdf_reads_whole(tmp_path):
    texts = extract_text(_pdf(tmp_path / "ok.pdf", 3, 2), MIME_PDF)
    assert [t.count("Hello world") for t in texts] == [3, 3]
    assert getattr(texts, "note", "") == ""


def test_a_page_with_too_much_content_keeps_no_text(tmp_path, monkeypatch):
    # 12 pages sharing a 4 MB stream took a minute: each page interprets all of it.
    monkeypatch.setattr(pdftext, "MAX_PAGE_CONTENT_BYTES", 20 * len(LINE))
    texts = extract_text(_pdf(tmp_path / "dense.pdf", 40, 3), MIME_PDF)
    assert texts == ["", "", ""]
    assert "pages 1, 2, 3 have too much drawing" in texts.note
    assert "limit:" in texts.note and "stored whole" in texts.note


def test_drawing_instructions_are_counted_per_page(tmp_path, monkeypatch):
    monkeypatch.setattr(pdftext, "MAX_PAGE_OPERATIONS", 50)  # 5 a line
    texts = extract_text(_pdf(tmp_path / "ops.pdf", 40, 2), MIME_PDF)
    assert texts == ["", ""]
    assert "250,000" not in texts.note and "50 drawing instructions a page" in texts.note


def test_the_file_budget_cuts_the_later_pages(tmp_path, monkeypatch):
    monkeypatch.setattr(pdftext, "MAX_CONTENT_BYTES", 25 * len(LINE))
    texts = extract_text(_pdf(tmp_path / "long.pdf", 10, 4), MIME_PDF)
    assert [t.count("Hello world") for t in texts] == [10, 10, 0, 0]
    assert "pages from 3 on were not read for search" in texts.note


def test_cancel_is_heard_inside_a_page(tmp_path, monkeypatch):
    import threading

    from hmip_desktop.domain.errors import Cancelled

    monkeypatch.setattr(pdftext, "_CANCEL_EVERY", 10)
    cancel = threading.Event()
    calls = []

    def progress(done: int, total: int) -> None:
        calls.append(done)
        cancel.set()  # pressed while page 1 is read

    with pytest.raises(Cancelled):
        extract_text(_pdf(tmp_path / "c.pdf", 40, 1), MIME_PDF, cancel=cancel, progress=progress)
    assert calls == [0]
