"""Documents from the establishment: recognise the kind by its bytes and extract searchable text."""

from __future__ import annotations

import codecs
import io
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from hmip_desktop.domain.errors import Cancelled, ValidationError
from hmip_desktop.domain.mime import (  # their home; still importable from here
    MIME_CSV,
    MIME_DOCX,
    MIME_JPEG,
    MIME_PDF,
    MIME_PNG,
    MIME_TXT,
    MIME_XLSX,
    SUPPORTED_KINDS,
)
from hmip_desktop.ingest import sniffing
from hmip_desktop.ingest.pdftext import pdf_text

if TYPE_CHECKING:
    from docx.table import Table

# Extracted text feeds search and previews; a cap keeps a giant log file or workbook from
# filling memory and the index.
MAX_TEXT_CHARS = 2_000_000
MAX_SHEET_CHARS = 500_000

Source = Path | str | bytes | BinaryIO

_EXTENSIONS = {
    ".pdf": sniffing.PDF,
    ".docx": sniffing.DOCX,
    ".xlsx": sniffing.XLSX,
    ".png": sniffing.PNG,
    ".jpg": sniffing.JPEG,
    ".jpeg": sniffing.JPEG,
    ".csv": sniffing.TEXT,
    ".txt": sniffing.TEXT,
}
_MIMES = {
    sniffing.PDF: MIME_PDF,
    sniffing.DOCX: MIME_DOCX,
    sniffing.XLSX: MIME_XLSX,
    sniffing.PNG: MIME_PNG,
    sniffing.JPEG: MIME_JPEG,
}


@contextmanager
def _binary(source: Source) -> Iterator[BinaryIO]:
    """A seekable binary stream for a path, bytes or an open stream (which is left open)."""
    if isinstance(source, (str, Path)):
        with Path(source).open("rb") as stream:
            yield stream
    elif isinstance(source, bytes):
        yield io.BytesIO(source)
    else:
        source.seek(0)
        yield source


def _check_cancel(cancel: threading.Event | None) -> None:
    """Stop when the user pressed Cancel."""
    if cancel is not None and cancel.is_set():
        raise Cancelled("reading the document was cancelled")


def detect_mime(source: Source, *, name: str | None = None) -> str:
    """MIME type of a document from its bytes, refusing unsupported kinds and lying extensions.

    `name` supplies the file name (for its extension) when `source` is bytes or a stream.
    """
    if name is None and isinstance(source, (str, Path)):
        name = Path(source).name
    extension = Path(name).suffix.lower() if name else ""
    if extension and extension not in _EXTENSIONS:
        raise ValidationError(
            f"files of type '{extension}' are not supported; supported kinds are {SUPPORTED_KINDS}"
        )
    with _binary(source) as stream:
        if not stream.read(1):
            raise ValidationError("the file is empty")
        kind = sniffing.content_kind(stream)
    if kind == sniffing.DAMAGED_ZIP:
        raise ValidationError(sniffing.DAMAGED_ZIP_MESSAGE)
    if kind not in _MIMES and kind != sniffing.TEXT:
        raise ValidationError(
            f"this file is {sniffing.KIND_LABELS[kind]}, which is not supported; "
            f"supported kinds are {SUPPORTED_KINDS}"
        )
    if extension and _EXTENSIONS[extension] != kind:
        raise ValidationError(
            f"this file is named {extension} but it is really {sniffing.KIND_LABELS[kind]}; "
            "rename it with the right extension or export it again"
        )
    if kind == sniffing.TEXT:
        return MIME_CSV if extension == ".csv" else MIME_TXT
    return _MIMES[kind]


def extract_text(source: Source, mime: str, *, cancel: threading.Event | None = None,
                 progress: Callable[[int, int], None] | None = None) -> list[str]:
    """Text per PDF page or XLSX sheet; one entry for DOCX/TXT/CSV; none for images.

    `progress` hears (pages read, pages) of a PDF, whose text can take many seconds to read
    (a thousand pages: about five); the other kinds read in one go.
    """
    _check_cancel(cancel)
    if mime in (MIME_PNG, MIME_JPEG):
        return []
    readers = {
        MIME_PDF: _pdf_text,
        MIME_DOCX: _docx_text,
        MIME_XLSX: _xlsx_text,
        MIME_CSV: _plain_text,
        MIME_TXT: _plain_text,
    }
    reader = readers.get(mime)
    if reader is None:
        raise ValidationError(
            f"documents of type {mime} are not supported; supported kinds are {SUPPORTED_KINDS}"
        )
    with _binary(source) as stream:
        if mime == MIME_PDF:
            return _pdf_text(stream, cancel, progress)
        return reader(stream, cancel)


# ---------------------------------------------------------------- per kind


def _pdf_text(stream: BinaryIO, cancel: threading.Event | None,
              progress: Callable[[int, int], None] | None = None) -> list[str]:
    """One string per page (see ingest.pdftext: its work is bounded, and `note` says when
    some pages' text was not read)."""
    return pdf_text(stream, cancel, progress, MAX_TEXT_CHARS)


def _docx_text(stream: BinaryIO, cancel: threading.Event | None) -> list[str]:
    """Paragraphs and tables of the body, in document order, as one string."""
    import docx
    from docx.table import Table

    from hmip_desktop.ingest.zipbounds import MAX_PART_BYTES, check_zip_bounds

    check_zip_bounds(stream, "Word document", "word/document.xml", MAX_PART_BYTES,
                     "document size")
    try:
        document = docx.Document(stream)
        parts: list[str] = []
        size = 0
        for index, block in enumerate(document.iter_inner_content()):
            if index % 200 == 0:
                _check_cancel(cancel)
            if isinstance(block, Table):
                text = _table_text(block)
            else:
                text = block.text
            parts.append(text)
            size += len(text) + 1
            if size >= MAX_TEXT_CHARS:
                break
    except Cancelled:
        raise
    except Exception as exc:  # python-docx raises many types for a broken file
        raise ValidationError(
            "the Word document is damaged or is not a .docx file; open it in Word and save it "
            "again as .docx"
        ) from exc
    return ["\n".join(parts)[:MAX_TEXT_CHARS]]


def _table_text(table: Table) -> str:
    """A table as tab-separated lines; a merged cell is written once, not once per grid cell."""
    lines = []
    for row in table.rows:
        cells, previous = [], None
        for cell in row.cells:
            if cell._tc is not previous:
                cells.append(cell.text)
            previous = cell._tc
        lines.append("\t".join(cells))
    return "\n".join(lines)


def _xlsx_text(stream: BinaryIO, cancel: threading.Event | None) -> list[str]:
    """One string per worksheet: rows as lines, cells separated by tabs."""
    import openpyxl

    from hmip_desktop.ingest.xlsx import check_workbook_bounds, to_text
    from hmip_desktop.xlsx_cells import DamagedSheet, last_column, sheet_rows, spread

    check_workbook_bounds(stream)
    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:
        raise ValidationError(
            "the workbook is damaged or cannot be read; open it in Excel and save it again"
        ) from exc
    texts: list[str] = []
    budget = MAX_TEXT_CHARS
    try:
        for sheet in workbook.worksheets:
            lines: list[str] = []
            size, limit = 0, min(MAX_SHEET_CHARS, budget)
            rows = sheet_rows(sheet, None if cancel is None else cancel.is_set)
            for _number, cells in rows:
                if size >= limit:
                    break
                end = last_column(cells, lambda v: not to_text(v))
                if end:
                    # A line is as long as its last filled column: the budget counts the tabs.
                    line = "\t".join(to_text(value) or "" for value in spread(cells, end))
                    lines.append(line)
                    size += len(line) + 1
            text = "\n".join(lines)[:limit]
            budget -= len(text)
            texts.append(text)
    except DamagedSheet as exc:
        raise ValidationError(str(exc)) from None
    except Exception as exc:
        raise ValidationError(
            "the workbook is damaged or cannot be read; open it in Excel and save it again"
        ) from exc
    finally:
        workbook.close()
    return texts


def _plain_text(stream: BinaryIO, cancel: threading.Event | None) -> list[str]:
    """Decoded text, capped; bytes that do not decode become U+FFFD (this is for search only)."""
    head = sniffing.read_head(stream)
    at_eof = len(head) < sniffing.HEAD_BYTES
    encoding = sniffing.detect_encoding(head, at_eof=at_eof) or "cp1252"
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    parts: list[str] = []
    size = 0
    while size < MAX_TEXT_CHARS:
        _check_cancel(cancel)
        chunk = stream.read(1024 * 1024)
        text = decoder.decode(chunk, final=not chunk)
        parts.append(text)
        size += len(text)
        if not chunk:
            break
    return ["".join(parts)[:MAX_TEXT_CHARS].lstrip("\ufeff")]
