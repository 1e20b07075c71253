"""Recognising what a file really is from its bytes; the encoding and CSV dialect of text."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections import Counter
from typing import BinaryIO

from charset_normalizer import from_bytes

# Kinds that `content_kind` reports; documents.py maps them to MIME types.
PDF, DOCX, XLSX, PNG, JPEG, TEXT = "pdf", "docx", "xlsx", "png", "jpeg", "text"
ZIP, OLE, GIF, BINARY = "zip", "ole", "gif", "binary"
# A ZIP-based file (.xlsx, .docx) whose archive cannot be read: most often a copy cut short.
DAMAGED_ZIP = "damaged_zip"
DAMAGED_ZIP_MESSAGE = ("the file is damaged or incomplete (perhaps a copy that was cut short); "
                       "copy it again from where it came from, or open it and save it again")

# Plain words for messages ("it is really ...").
KIND_LABELS = {
    PDF: "a PDF document",
    DOCX: "a Word document (.docx)",
    XLSX: "an Excel workbook (.xlsx)",
    PNG: "a PNG image",
    JPEG: "a JPEG image",
    TEXT: "a text file",
    ZIP: "a ZIP archive",
    OLE: "an old-style Office file (.xls or .doc, from Office 2003 or earlier)",
    GIF: "a GIF image",
    BINARY: "not a text file (it contains binary data)",
    DAMAGED_ZIP: "a damaged or incomplete ZIP-based file (.xlsx, .docx)",
}

HEAD_BYTES = 64 * 1024
DELIMITERS = ",;\t|"

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: FF FE 00 00 starts with FF FE too
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def read_head(stream: BinaryIO, size: int = HEAD_BYTES) -> bytes:
    """Read the first `size` bytes of a seekable stream and rewind it."""
    stream.seek(0)
    head = stream.read(size)
    stream.seek(0)
    return head


def _zip_kind(stream: BinaryIO) -> str:
    """Tell an .xlsx from a .docx from any other ZIP by the parts it holds."""
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return DAMAGED_ZIP  # it starts as a ZIP archive does
    finally:
        stream.seek(0)
    if "xl/workbook.xml" in names:
        return XLSX
    if "word/document.xml" in names:
        return DOCX
    return ZIP


def content_kind(stream: BinaryIO) -> str:
    """Classify a seekable binary stream by its magic bytes (one of the kind constants)."""
    head = read_head(stream)
    if head.startswith(b"%PDF"):
        return PDF
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(stream)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if detect_encoding(head, at_eof=len(head) < HEAD_BYTES) is None:
        return BINARY
    return TEXT


# ---------------------------------------------------------------- encodings


def _utf16_without_bom(sample: bytes) -> str | None:
    """Spot BOM-less UTF-16 by its pattern of zero bytes (ASCII text has one per character)."""
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_zeros, odd_zeros = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_zeros > 0.3 and even_zeros < 0.05:
        return "utf-16-le"
    if even_zeros > 0.3 and odd_zeros < 0.05:
        return "utf-16-be"
    return None


def _decodes(sample: bytes, encoding: str, at_eof: bool) -> bool:
    """True if the sample decodes cleanly (an incomplete character at a cut-off end is fine)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        decoder.decode(sample, final=at_eof)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(sample: bytes, *, at_eof: bool) -> str | None:
    """Python codec name for a text sample, or None when the bytes are not text at all."""
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name if _decodes(sample, name, at_eof) else None
    utf16 = _utf16_without_bom(sample[:4096])
    if utf16 is not None:
        return utf16 if _decodes(sample, utf16, at_eof) else None
    if b"\x00" in sample:
        return None
    if _decodes(sample, "utf-8", at_eof):
        return "utf-8"
    # Not UTF-8: UK exports are almost always Windows-1252. Ask charset-normalizer only between
    # the Western encodings, because on small samples it can pick an exotic code page.
    best = from_bytes(sample, cp_isolation=["cp1252", "latin_1"]).best()
    if best is not None:
        name = "cp1252" if best.encoding == "cp1252" else "latin-1"
        if _decodes(sample, name, at_eof):
            return name
    # latin-1 maps every byte, so a file that is not cp1252 still reads (5 bytes differ).
    return "cp1252" if _decodes(sample, "cp1252", at_eof) else "latin-1"


def later_text_sample(stream: BinaryIO, start: int, size: int = HEAD_BYTES) -> bytes | None:
    """Bytes from the first non-ASCII byte at or after `start`, or None if the rest is ASCII.

    A file whose first megabyte is plain ASCII says nothing about its encoding; the first
    accented name or pound sign further on does. bytes.isascii() makes the scan cheap.
    """
    stream.seek(start)
    while chunk := stream.read(1024 * 1024):
        if not chunk.isascii():
            # Everything before the first non-ASCII byte is ASCII, so cutting there cannot
            # split a multi-byte character.
            first = next(i for i, byte in enumerate(chunk) if byte >= 0x80)
            return (chunk[first:] + stream.read(size))[:size]
    return None


def decode_sample(sample: bytes, encoding: str, *, at_eof: bool) -> str:
    """Decode a sample cut from the start of a file, dropping a trailing partial character."""
    decoder = codecs.getincrementaldecoder(encoding)()
    return decoder.decode(sample, final=at_eof)


# ---------------------------------------------------------------- CSV dialect


def _width_score(text: str, delimiter: str) -> tuple[float, int]:
    """How consistently a delimiter splits the sample: share of rows at the common width."""
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
                if row]  # newline="": a lone CR ends a line, as it does for the reader
    except csv.Error:
        return (0.0, 0)
    if not rows:
        return (0.0, 0)
    widths = Counter(len(row) for row in rows)
    width, count = widths.most_common(1)[0]
    if width < 2:
        return (0.0, 0)
    return (count / len(rows), width)


def detect_delimiter(text: str) -> str:
    """Comma, semicolon, tab or pipe: csv.Sniffer first, checked against row widths."""
    lines = text.splitlines(keepends=True)[:50]
    snippet = "".join(lines)
    scores = {d: _width_score(snippet, d) for d in DELIMITERS}
    try:
        sniffed = csv.Sniffer().sniff(snippet, delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = None
    best = max(DELIMITERS, key=lambda d: scores[d])
    # The Sniffer is easily fooled by punctuation inside text; trust it only when its choice
    # splits the rows as consistently, and into as many columns, as the best candidate does.
    if sniffed in scores and scores[sniffed] >= scores[best] and scores[sniffed][1] > 1:
        return sniffed
    if scores[best][1] > 1:
        return best
    return ","  # a single-column file: any delimiter reads it the same
