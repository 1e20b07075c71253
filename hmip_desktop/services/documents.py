"""Documents from the establishment: import into the encrypted store, index, preview, link.

An import checks every file first (a mislabelled or unsupported file is refused before
anything is written), extracts the text, encrypts the content into the blob store
(deduplicated by hash) and then writes every DOCUMENT record, page index and link in one
transaction. Plaintext never reaches the disk except through `export_copy`, the explicit
"Export a copy…" action.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hmip_desktop.domain import records as R
from hmip_desktop.domain.changes import ChangeSet, NewId
from hmip_desktop.domain.entity import EntityView
from hmip_desktop.domain.errors import Cancelled, HmipError, NotFoundError, ValidationError
from hmip_desktop.domain.ids import new_id
from hmip_desktop.domain.wording import plural
from hmip_desktop.ingest.documents import MIME_JPEG, MIME_PNG, detect_mime, extract_text
from hmip_desktop.private_files import open_private
from hmip_desktop.services.extract_import import encrypt_file, forget_unreferenced_blob
from hmip_desktop.services.links import LinkService

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore

log = logging.getLogger(__name__)

IMAGE_MIMES = frozenset({MIME_PNG, MIME_JPEG})
ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True)
class DocumentView:
    """A document as the GUI and command line see it."""

    id: str
    title: str
    filename: str
    mime: str
    sha256: str
    size: int
    pages: int
    description: str
    source_kind: str
    created_hlc: str
    created_by: str
    conflicted: bool
    available: bool  # the encrypted content is on this computer

    @property
    def changes(self) -> ChangeSet:
        """What writing this document (an import) touched."""
        return ChangeSet.of(R.DOCUMENT, self.id)

    @property
    def is_image(self) -> bool:
        """True for PNG and JPEG (previewed as a picture, no text)."""
        return self.mime in IMAGE_MIMES


class ImportedDocuments(list[DocumentView]):
    """The documents an import wrote or reused (a list, as before), with its changes and
    `notes`: one line per file whose search text was cut (a PDF past its work limits)."""

    changes: ChangeSet = ChangeSet()
    notes: tuple[str, ...] = ()


@dataclass
class _Prepared:
    path: Path
    mime: str
    size: int
    texts: list[str]
    sha256: str = ""


def _view(store: InspectionStore, e: EntityView) -> DocumentView:
    p = e.payload
    sha = str(p.get("sha256", ""))
    return DocumentView(e.id, str(p.get("title", "")), str(p.get("filename") or ""),
                        str(p.get("mime", "")), sha, int(p.get("size") or 0),
                        int(p.get("pages") or 0), str(p.get("description") or ""),
                        str(p.get("source_kind") or "document_review"), e.created_hlc,
                        e.created_by, e.conflicted, bool(sha) and store.blobs.has(sha))


def _clean_refs(refs: Iterable[str] | None, known: set[str] | None) -> list[str]:
    out = list(dict.fromkeys(r.strip() for r in refs or [] if r and r.strip()))
    for ref in out:
        if known is not None and ref not in known:
            raise ValidationError(f"Expectation {ref} is not in this inspection's framework.")
    return out


class _Bar:
    """Bytes extracted plus bytes encrypted, as one progress bar."""

    def __init__(self, progress: ProgressFn | None, total: int) -> None:
        self._progress, self.total, self.done = progress, max(total, 1), 0

    def add(self, n: int) -> None:
        self.set(self.done + n)

    def set(self, done: int) -> None:
        self.done = done
        if self._progress is not None:
            self._progress(min(self.done, self.total), self.total)


def _check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled("the copy was cancelled; nothing was written")


class DocumentService:
    """Import, list, preview, export and link the documents of one open inspection."""

    def __init__(self, store: InspectionStore) -> None:
        self._store = store

    # -- importing ---------------------------------------------------------------------------
    def import_files(self, paths: Iterable[Path | str], *,
                     expectations: Iterable[str] | None = None,
                     known_refs: set[str] | None = None, progress: ProgressFn | None = None,
                     cancel: threading.Event | None = None) -> ImportedDocuments:
        """Import files (a file already imported is reused, not duplicated); all or nothing."""
        files = [Path(p) for p in paths]
        if not files:
            return ImportedDocuments()
        self._store.ensure_writable()
        refs = _clean_refs(expectations, known_refs)
        prepared = []
        for path in files:  # every check before anything is written
            if path.is_dir():
                raise ValidationError(f"'{path.name}' is a folder: choose the files in it.")
            if not path.is_file():
                raise NotFoundError(f"There is no file '{path.name}'.")
            try:
                prepared.append(_Prepared(path, detect_mime(path), path.stat().st_size, []))
            except ValidationError as exc:
                raise ValidationError(f"'{path.name}': {exc}") from None
        bar = _Bar(progress, 2 * sum(p.size for p in prepared))
        notes: list[str] = []
        for item in prepared:
            start = bar.done

            def read(done: int, pages: int, start: int = start, size: int = item.size) -> None:
                bar.set(start + size * done // max(pages, 1))  # a long PDF moves the bar

            try:
                item.texts = extract_text(item.path, item.mime, cancel=cancel, progress=read)
            except ValidationError as exc:
                raise ValidationError(f"'{item.path.name}': {exc}") from None
            if getattr(item.texts, "note", ""):
                notes.append(f"'{item.path.name}': {item.texts.note}")  # type: ignore[attr-defined]
            bar.set(start + item.size)
        try:
            for item in prepared:
                item.sha256, _ = encrypt_file(self._store, item.path, cancel=cancel,
                                              progress=bar.add)
            ids, link_ids = self._write(prepared, refs, cancel)
        except BaseException:
            for item in prepared:
                if item.sha256:
                    forget_unreferenced_blob(self._store, item.sha256)
            raise
        for item in prepared:
            self._store.blobs.release(item.sha256)  # their rows are committed
        log.info("%s imported", plural(len(prepared), "document"))
        out = ImportedDocuments(self.get(i) for i in dict.fromkeys(ids))
        out.changes = ChangeSet.of(R.DOCUMENT, *ids)
        out.notes = tuple(notes)
        if link_ids:
            out.changes |= ChangeSet.of(R.LINK, *link_ids)
        return out

    def _write(self, prepared: list[_Prepared], refs: list[str],
               cancel: threading.Event | None) -> tuple[list[str], list[str]]:
        store = self._store
        ids, link_ids = [], []
        with store.uow(write=True) as tx:
            by_sha = {str(e.payload.get("sha256")): e.id for e in tx.records.list(R.DOCUMENT)}
            linked = {(str(v.payload.get("evidence_id")), str(v.payload.get("expectation_ref")))
                      for v in tx.records.list(R.LINK) if v.payload.get("page") is None
                      and v.payload.get("start") is None}
            for item in prepared:
                tx.blobs.add(item.sha256, item.size, item.mime,
                             store.blobs.stored_name(item.sha256))
                doc_id = by_sha.get(item.sha256)
                if doc_id is None:
                    doc_id = by_sha[item.sha256] = new_id()
                    pages = 1 if item.mime in IMAGE_MIMES else len(item.texts)
                    store.put(tx, R.DOCUMENT, doc_id, {
                        "title": item.path.stem or item.path.name,
                        "filename": item.path.name, "mime": item.mime,
                        "sha256": item.sha256, "size": item.size, "pages": pages,
                        "description": "", "source_kind": "document_review",
                    })
                    tx.document_text.write_pages(doc_id, item.texts)
                for ref in refs:
                    if (doc_id, ref) not in linked:
                        linked.add((doc_id, ref))
                        link_ids.append(new_id())
                        store.put(tx, R.LINK, link_ids[-1], {
                            "evidence_id": doc_id, "evidence_type": R.DOCUMENT,
                            "expectation_ref": ref, "start": None, "end": None, "page": None,
                            "quote": None})
                ids.append(doc_id)
            if cancel is not None and cancel.is_set():
                raise Cancelled("the import was cancelled")
        return ids, link_ids

    # -- reading -----------------------------------------------------------------------------
    def _entity(self, document_id: str, *, include_deleted: bool = False) -> EntityView:
        with self._store.uow() as tx:
            e = tx.records.get(document_id)
        if e is None or e.type != R.DOCUMENT or (e.deleted and not include_deleted):
            raise NotFoundError("No such document.")
        return e

    def get(self, document_id: str) -> DocumentView:
        """One live document."""
        return _view(self._store, self._entity(document_id))

    def list(self) -> list[DocumentView]:
        """Every live document, oldest first."""
        with self._store.uow() as tx:
            entities = tx.records.list(R.DOCUMENT)
        return [_view(self._store, e) for e in entities]

    def text_pages(self, document_id: str) -> list[str]:
        """Extracted text per page (PDF page, XLSX sheet; one for DOCX/TXT/CSV; none for images)."""
        view = self.get(document_id)
        with self._store.uow() as tx:
            pages = tx.document_text.page_texts(document_id)
        if pages or view.is_image or not view.available or view.pages == 0:
            return pages
        return extract_text(self.read_bytes(document_id), view.mime)  # not indexed yet

    def read_bytes(self, document_id: str) -> bytes:
        """The decrypted content, in memory only (for the in-app preview)."""
        view = self.get(document_id)
        if not view.available:
            raise NotFoundError("This document's content is not on this computer yet: it "
                                "arrives with the colleague's next bundle.")
        data = self._store.blobs.read_bytes(view.sha256)
        if hashlib.sha256(data).hexdigest() != view.sha256:
            raise HmipError("the stored document is damaged (its content does not match its hash)")
        return data

    def export_copy(self, document_id: str, dest: Path, *, overwrite: bool = False,
                    progress: ProgressFn | None = None,
                    cancel: threading.Event | None = None) -> Path:
        """Write a plaintext copy outside the encrypted store (the explicit "Export a copy…").

        A scanned PDF can be hundreds of megabytes: `progress` hears the bytes written, and
        `cancel` stops the copy with nothing left at `dest` (nor its `.part`)."""
        view = self.get(document_id)
        dest = Path(dest)
        if not view.available:
            raise NotFoundError("This document's content is not on this computer yet.")
        if dest.exists() and not overwrite:
            raise ValidationError(f"'{dest.name}' already exists; choose another name.")
        part = dest.with_name(dest.name + ".part")
        digest = hashlib.sha256()
        bar = _Bar(progress, view.size)
        try:
            with self._store.blobs.open_plaintext(view.sha256) as src, \
                    open_private(part, "wb") as out:
                for chunk in iter(lambda: src.read(1 << 20), b""):
                    _check_cancel(cancel)
                    digest.update(chunk)
                    out.write(chunk)
                    bar.add(len(chunk))
                out.flush()
                os.fsync(out.fileno())
            if digest.hexdigest() != view.sha256:
                raise HmipError("the stored document is damaged; no copy was written")
            _check_cancel(cancel)  # the last chance: after this the copy is in place
            os.replace(part, dest)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        log.info("a plaintext copy of a document was exported at the user's request")
        return dest

    # -- editing -----------------------------------------------------------------------------
    def edit(self, document_id: str, *, title: str | None = None,
             description: str | None = None) -> ChangeSet:
        """Change the title or description (a new revision)."""
        with self._store.uow(write=True) as tx:
            e = tx.records.get(document_id)
            if e is None or e.type != R.DOCUMENT or e.deleted:
                raise NotFoundError("No such document.")
            payload = dict(e.payload)
            if title is not None:
                if not title.strip():
                    raise ValidationError("A document needs a title.")
                payload["title"] = title.strip()
            if description is not None:
                payload["description"] = description
            if payload == dict(e.payload):
                return ChangeSet()
            self._store.put(tx, R.DOCUMENT, document_id, payload)
        return ChangeSet.of(R.DOCUMENT, document_id)

    def delete(self, document_id: str) -> ChangeSet:
        """Tombstone a document (its page index goes; the encrypted content stays)."""
        e = self._entity(document_id)
        with self._store.uow(write=True) as tx:
            self._store.put(tx, R.DOCUMENT, document_id, dict(e.payload), deleted=True)
        return ChangeSet.of(R.DOCUMENT, document_id)

    def restore(self, document_id: str) -> ChangeSet:
        """Bring a deleted document back (undo); its pages are indexed again."""
        e = self._entity(document_id, include_deleted=True)
        with self._store.uow(write=True) as tx:
            self._store.put(tx, R.DOCUMENT, document_id, dict(e.payload))
        reindex_missing_document_text(self._store)
        return ChangeSet.of(R.DOCUMENT, document_id)

    def link(self, document_id: str, expectation_ref: str, *, page: int | None = None,
             known_refs: set[str] | None = None) -> NewId:
        """Link the whole document, or one page of it, to an expectation; returns the link id
        with the changes."""
        view = self.get(document_id)
        if page is not None and not 1 <= page <= max(view.pages, 1):
            raise ValidationError(f"The document has {plural(view.pages, 'page')}; page {page} "
                                  "does not exist.")
        return LinkService(self._store).add(document_id, expectation_ref, page=page,
                                            known_refs=known_refs)


def reindex_missing_document_text(store: InspectionStore, *, progress: ProgressFn | None = None,
                                  cancel: threading.Event | None = None) -> int:
    """Index the page text of live documents whose pages are missing (after a merge brought
    the record and its blob, or an undo of a delete); returns how many were indexed."""
    if store.read_only:
        return 0
    with store.uow() as tx:
        live = tx.records.list(R.DOCUMENT)
        indexed = tx.document_text.indexed_documents()
    todo = [e for e in live if e.id not in indexed and e.payload.get("mime") not in IMAGE_MIMES
            and int(e.payload.get("pages") or 0) > 0
            and store.blobs.has(str(e.payload.get("sha256", "")))]
    done = 0
    for number, e in enumerate(todo):
        if progress is not None:
            progress(number, len(todo))
        try:
            data = store.blobs.read_bytes(str(e.payload["sha256"]))
            texts = extract_text(data, str(e.payload.get("mime", "")), cancel=cancel)
        except ValidationError:
            log.warning("a document's text could not be extracted for the index")
            continue
        with store.uow(write=True) as tx:
            current = tx.records.get(e.id)
            if current is not None and not current.deleted:
                tx.document_text.write_pages(e.id, texts)
                done += 1
    if progress is not None:
        progress(len(todo), len(todo))
    return done
