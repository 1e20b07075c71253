"""Searchable text of a PDF, page by page, within a bound on the work.

pypdf interprets every drawing instruction of a page to find its text, at about a megabyte
of content a second: a 12 KB file whose 12 pages share a content stream inflating to 4 MB
took a minute, and pages add nothing to the character budget. So the content each page
decodes (its streams and the forms it draws) is measured before it is read, and the
instructions pypdf interprets (forms drawn again and again included) are counted as it
reads. A page over its limit, and every page once the file's budget is spent, keeps no
text: the document is still stored whole and viewable, only its search text is cut, and
`PdfText.note` says so.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, BinaryIO

from hmip_desktop.domain.errors import Cancelled, ValidationError

MAX_PDF_PAGES = 20_000
MAX_PAGE_CONTENT_BYTES = 1024 * 1024  # decoded content of one page (a dense map: ~300 KB)
MAX_CONTENT_BYTES = 32 * 1024 * 1024  # of the whole file: some 40 s of pypdf's work
MAX_PAGE_OPERATIONS = 250_000  # drawing instructions interpreted for one page
MAX_OPERATIONS = 4_000_000  # for the whole file
_CANCEL_EVERY = 10_000  # instructions between two looks at the Cancel button

DAMAGED = ("the PDF is damaged or password-protected; open it, save an unprotected copy "
           "(or print it to PDF) and add that instead")


class PdfText(list[str]):
    """Text per page; `note` says when some pages' text was not read (and why)."""

    note: str = ""


class _OverBudget(Exception):
    """Raised from pypdf's visitor to stop reading a page."""


def _check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled("reading the document was cancelled")


def _streams(page: Any) -> list[Any]:
    """The page's content streams and the forms its resources name (one level)."""
    from pypdf.generic import ArrayObject

    out = []
    contents = page.get("/Contents")
    contents = contents.get_object() if contents is not None else None
    for item in contents if isinstance(contents, ArrayObject) else [contents]:
        if item is not None:
            out.append(item.get_object())
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else None
    xobjects = resources.get("/XObject") if hasattr(resources, "get") else None
    xobjects = xobjects.get_object() if xobjects is not None else None
    for ref in (xobjects.values() if hasattr(xobjects, "values") else []):
        form = ref.get_object()
        if hasattr(form, "get") and form.get("/Subtype") == "/Form":
            out.append(form)
    return out


def _content_bytes(page: Any, limit: int) -> int:
    """Decoded bytes of the page's streams (each decoded once: pypdf keeps the result), a
    stream shared by several pages counted on each, as pypdf reads it for each."""
    total = 0
    for stream in _streams(page):
        total += len(stream.get_data()) if hasattr(stream, "get_data") else 0
        if total > limit:
            break
    return total


def pdf_text(stream: BinaryIO, cancel: threading.Event | None,
             progress: Callable[[int, int], None] | None, max_chars: int) -> PdfText:
    """One string per page, `max_chars` in all; pages whose text was not read are kept as
    empty strings."""
    # Imported here so that code reading only data extracts does not load the PDF library.
    from pypdf import PdfReader

    try:
        reader = PdfReader(stream, strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError(DAMAGED)
        count = len(reader.pages)
        if count > MAX_PDF_PAGES:
            raise ValidationError(f"the PDF has {count:,} pages; at most {MAX_PDF_PAGES:,} can be "
                                  "added (limit: pages)")
        pages = list(reader.pages)
    except ValidationError:
        raise
    except Exception as exc:  # pypdf raises many types for a broken file
        raise ValidationError(DAMAGED) from exc
    texts = PdfText()
    chars, content, operations = max_chars, MAX_CONTENT_BYTES, MAX_OPERATIONS
    failures = 0
    skipped: list[int] = []  # pages over their own limit
    spent_at: int | None = None  # the first page past the file's budget
    for number, page in enumerate(pages):
        _check_cancel(cancel)
        if progress is not None:
            progress(number, len(pages))
        if chars <= 0 or spent_at is not None:
            texts.append("")
            continue
        page_ops = 0

        def count(*_args: Any, limit: int = min(MAX_PAGE_OPERATIONS, operations)) -> None:
            nonlocal page_ops
            page_ops += 1
            if page_ops % _CANCEL_EVERY == 0:
                _check_cancel(cancel)
            if page_ops > limit:
                raise _OverBudget

        text = ""
        try:
            size = _content_bytes(page, MAX_PAGE_CONTENT_BYTES)
            if size > MAX_PAGE_CONTENT_BYTES:
                skipped.append(number)
            elif size > content:
                spent_at = number
            else:
                content -= size
                text = page.extract_text(visitor_operand_before=count) or ""
        except Cancelled:
            raise
        except _OverBudget:
            if page_ops > operations:
                spent_at = number
            else:
                skipped.append(number)
        except Exception:
            # One unreadable page should not lose the others' text.
            failures += 1
        operations -= page_ops
        text = text[:chars]
        chars -= len(text)
        texts.append(text)
    if pages and failures == len(pages):
        raise ValidationError(DAMAGED)
    texts.note = _note(skipped, spent_at)
    return texts


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):g} MiB"


def _note(skipped: list[int], spent_at: int | None) -> str:
    """What was not read, in words, naming the limits; "" when every page was read."""
    parts = []
    if skipped:
        pages = ", ".join(str(n + 1) for n in skipped[:5]) + (", …" if len(skipped) > 5 else "")
        one = len(skipped) == 1
        parts.append(f"page{'' if one else 's'} {pages} {'has' if one else 'have'} too much "
                     f"drawing to read for search (limit: {_mib(MAX_PAGE_CONTENT_BYTES)} "
                     f"or {MAX_PAGE_OPERATIONS:,} drawing instructions a page)")
    if spent_at is not None:
        parts.append(f"pages from {spent_at + 1} on were not read for search (limit: "
                     f"{_mib(MAX_CONTENT_BYTES)} or {MAX_OPERATIONS:,} drawing "
                     "instructions a file)")
    if not parts:
        return ""
    return "; ".join(parts) + "; the document is stored whole and can be viewed, only its " \
                              "search text is cut"
