"""Small generated files for the evidence tests, and helpers to inspect what was written."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import docx
import openpyxl
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from sqlalchemy import text

from tests.cli.conftest import hmip  # noqa: F401 - the `hmip` subprocess fixture, shared

JPEG_BYTES = (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
              b"\xff\xd9")


def make_pdf(path: Path, pages: list[str]) -> Path:
    """A PDF with one line of known text per page."""
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for line in pages:
        pdf.drawString(72, 720, line)
        pdf.showPage()
    pdf.save()
    return path


def make_docx(path: Path, paragraphs: list[str]) -> Path:
    """A Word document with the given paragraphs."""
    document = docx.Document()
    for para in paragraphs:
        document.add_paragraph(para)
    document.save(path)
    return path


def make_xlsx(path: Path, sheets: dict[str, list[list[object]]],
              merges: tuple[str, ...] = ()) -> Path:
    """A workbook; `sheets` maps sheet name to rows; merges apply to the first sheet."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for index, (title, rows) in enumerate(sheets.items()):
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if index == 0:
            for ref in merges:
                sheet.merge_cells(ref)
    workbook.save(path)
    return path


def make_png(path: Path) -> Path:
    """A valid 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    body = (chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
            + chunk(b"IEND", b""))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + body)
    return path


def make_jpeg(path: Path) -> Path:
    """Bytes a JPEG starts and ends with (enough for detection and storage)."""
    path.write_bytes(JPEG_BYTES)
    return path


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    """Write text to tmp_path/name in an encoding (newlines as written)."""

    def write(name: str, body: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(body.encode(encoding))
        return path

    return write


def extract_tables(store) -> set[str]:  # type: ignore[no-untyped-def]
    """Names of the extract row tables in the file."""
    with store.read_connection() as conn:
        return {r[0] for r in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'x\\_%' "
            "ESCAPE '\\'"))}


def revision_count(store) -> int:  # type: ignore[no-untyped-def]
    """Revisions in the log."""
    with store.uow() as tx:
        return tx.records.revision_count()


def blob_files(store) -> set[str]:  # type: ignore[no-untyped-def]
    """Encrypted files in the attachment folder (temporary ones included)."""
    root = store.blobs.root
    return {p.name for p in root.iterdir()} if root.exists() else set()


@pytest.fixture
def snapshot(store):  # type: ignore[no-untyped-def]
    """A function returning (tables, revisions, blob files, blob rows): 'nothing written'."""

    def take() -> tuple[set[str], int, set[str], int]:
        with store.uow() as tx:
            blob_rows = tx.blobs.count()
        return extract_tables(store), revision_count(store), blob_files(store), blob_rows

    return take
