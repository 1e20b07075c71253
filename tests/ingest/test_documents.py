"""Documents: kind detection by magic bytes and text extraction for every supported kind."""

from __future__ import annotations

import io
import struct
import threading
import zlib
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from hmip_desktop.domain.errors import Cancelled, ValidationError
from hmip_desktop.ingest.documents import (
    MIME_CSV,
    MIME_DOCX,
    MIME_JPEG,
    MIME_PDF,
    MIME_PNG,
    MIME_TXT,
    MIME_XLSX,
    detect_mime,
    extract_text,
)


def _pdf(path: Path, pages: list[str]) -> Path:
    """A PDF with one line of known text per page."""
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for text in pages:
        pdf.drawString(72, 720, text)
        pdf.showPage()
    pdf.save()
    return path


def _docx(path: Path) -> Path:
    """A Word document with paragraphs around a table that has a merged cell."""
    document = docx.Document()
    document.add_paragraph("Segregation review policy")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "Unit"
    table.cell(0, 2).text = "Beds"
    table.cell(1, 0).text = "CSU"
    table.cell(1, 1).text = "North"
    table.cell(1, 2).text = "12"
    document.add_paragraph("Reviewed monthly")
    document.save(path)
    return path


def _png(path: Path) -> Path:
    """A valid 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    body = (
        chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + body)
    return path


def test_detect_each_supported_kind(tmp_path, write_xlsx, write_text):
    assert detect_mime(_pdf(tmp_path / "a.pdf", ["x"])) == MIME_PDF
    assert detect_mime(_docx(tmp_path / "a.docx")) == MIME_DOCX
    assert detect_mime(write_xlsx("a.xlsx", {"S": [["a"]]})) == MIME_XLSX
    assert detect_mime(_png(tmp_path / "a.png")) == MIME_PNG
    (tmp_path / "a.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100)
    assert detect_mime(tmp_path / "a.jpg") == MIME_JPEG
    assert detect_mime(write_text("a.csv", "a,b\n1,2\n")) == MIME_CSV
    assert detect_mime(write_text("a.txt", "Notes £", "cp1252")) == MIME_TXT
    assert detect_mime(write_text("noext", "plain words")) == MIME_TXT


def test_detect_from_bytes_and_stream(tmp_path):
    data = _pdf(tmp_path / "a.pdf", ["x"]).read_bytes()
    assert detect_mime(data, name="report.pdf") == MIME_PDF
    assert detect_mime(io.BytesIO(data)) == MIME_PDF
    with pytest.raises(ValidationError, match="named .docx"):
        detect_mime(io.BytesIO(data), name="report.docx")


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        (
            "policy.pdf",
            b"\x89PNG\r\n\x1a\n" + b"\x00" * 50,
            "named .pdf but it is really a PNG image",
        ),
        ("scan.jpg", b"%PDF-1.4\n", "named .jpg but it is really a PDF document"),
        ("notes.txt", bytes(range(256)) * 8, "binary data"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "'.doc' are not supported"),
        ("pic.gif", b"GIF89a....", "'.gif' are not supported"),
        ("noext", b"GIF89a" + b"\x00" * 20, "a GIF image, which is not supported"),
        ("empty.txt", b"", "the file is empty"),
    ],
)
def test_refusals(tmp_path, name, content, match):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ValidationError, match=match) as caught:
        detect_mime(path)
    if "supported" in str(caught.value):
        assert "PDF, DOCX, XLSX, CSV, TXT, PNG, JPEG" in str(caught.value)


def test_pdf_text_one_entry_per_page(tmp_path):
    path = _pdf(
        tmp_path / "two.pdf", ["Use of force review page one", "Second page about segregation"]
    )
    pages = extract_text(path, MIME_PDF)
    assert len(pages) == 2
    assert "Use of force review page one" in pages[0]
    assert "Second page about segregation" in pages[1]
    assert extract_text(path.read_bytes(), MIME_PDF) == pages


def test_corrupt_pdf(tmp_path):
    good = _pdf(tmp_path / "good.pdf", ["text"]).read_bytes()
    path = tmp_path / "bad.pdf"
    path.write_bytes(good[:20] + b"\x00garbage" * 50)
    with pytest.raises(ValidationError, match="damaged or password-protected"):
        extract_text(path, MIME_PDF)


def test_encrypted_pdf(tmp_path):
    source = _pdf(tmp_path / "plain.pdf", ["secret text"])
    writer = PdfWriter()
    writer.append(PdfReader(source))
    writer.encrypt("letmein", algorithm="AES-256")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as out:
        writer.write(out)
    with pytest.raises(ValidationError, match="damaged or password-protected"):
        extract_text(path, MIME_PDF)


def test_owner_password_only_pdf_still_reads(tmp_path):
    source = _pdf(tmp_path / "plain.pdf", ["printable text"])
    writer = PdfWriter()
    writer.append(PdfReader(source))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    path = tmp_path / "restricted.pdf"
    with path.open("wb") as out:
        writer.write(out)
    assert "printable text" in extract_text(path, MIME_PDF)[0]


def test_docx_paragraphs_and_tables(tmp_path):
    [text] = extract_text(_docx(tmp_path / "p.docx"), MIME_DOCX)
    assert text.splitlines() == [
        "Segregation review policy",
        "Unit\tBeds",
        "CSU\tNorth\t12",
        "Reviewed monthly",
    ]


def test_damaged_docx(tmp_path):
    path = tmp_path / "bad.docx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(ValidationError, match="Word document is damaged"):
        extract_text(path, MIME_DOCX)


def test_xlsx_one_entry_per_sheet(write_xlsx):
    path = write_xlsx("w.xlsx", {"Pop": [["Wing", "Count"], ["A", 120], ["B", 12.5]], "Empty": []})
    assert extract_text(path, MIME_XLSX) == ["Wing\tCount\nA\t120\nB\t12.5", ""]


def test_text_and_csv(write_text):
    assert extract_text(write_text("n.txt", "Café £3\nline two", "cp1252"), MIME_TXT) == [
        "Café £3\nline two"
    ]
    assert extract_text(write_text("n.csv", "a,b\n1,2\n", "utf-8-sig"), MIME_CSV) == ["a,b\n1,2\n"]
    assert extract_text(write_text("u.txt", "wide text", "utf-16"), MIME_TXT) == ["wide text"]


def test_text_is_capped(tmp_path, monkeypatch):
    from hmip_desktop.ingest import documents

    monkeypatch.setattr(documents, "MAX_TEXT_CHARS", 1000)
    path = tmp_path / "big.txt"
    path.write_text("x" * 5000)
    assert extract_text(path, MIME_TXT) == ["x" * 1000]


def test_images_have_no_text(tmp_path):
    assert extract_text(_png(tmp_path / "a.png"), MIME_PNG) == []


def test_cancel(tmp_path):
    path = _pdf(tmp_path / "a.pdf", ["one", "two"])
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        extract_text(path, MIME_PDF, cancel=cancel)


def test_unknown_mime(tmp_path):
    with pytest.raises(ValidationError, match="not supported"):
        extract_text(b"x", "application/zip")
