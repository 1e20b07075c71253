"""The document kinds the app accepts, by MIME type: one list for ingest, services, UI and CLI.

Pure constants, so the UI can label and filter documents without importing the ingest
readers (the import contracts forbid ui and cli importing ingest or export directly).
"""

from __future__ import annotations

MIME_PDF = "application/pdf"
MIME_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MIME_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIME_PNG = "image/png"
MIME_JPEG = "image/jpeg"
MIME_CSV = "text/csv"
MIME_TXT = "text/plain"
SUPPORTED_KINDS = "PDF, DOCX, XLSX, CSV, TXT, PNG, JPEG"

# A document kind as an inspector names it (documents list, `hmip doc list`).
KIND_LABELS = {MIME_PDF: "PDF", MIME_DOCX: "Word", MIME_XLSX: "Spreadsheet", MIME_CSV: "CSV",
               MIME_TXT: "Text", MIME_PNG: "PNG picture", MIME_JPEG: "JPEG picture"}


def kind_label(mime: str) -> str:
    """A document kind as an inspector names it (the MIME type for any other)."""
    return KIND_LABELS.get(mime, mime)
