"""Import a data extract in one transaction, and rebuild extract rows from snapshots.

Order of an import: the file is encrypted into the blob store (its SHA-256 is the snapshot's
identity), then one write transaction creates the row table, streams every row into it, adds
the blob row and appends the EXTRACT revision. A malformed row, a cancel or any error rolls
the transaction back (the table included) and removes a blob file nothing refers to, so
nothing is half-imported. Rows never travel between laptops: after a merge,
`materialise_missing_extracts` rebuilds them from the snapshot blobs.
"""

from __future__ import annotations

import gc
import io
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

from hmip_desktop.domain import records as R
from hmip_desktop.domain.entity import EntityView
from hmip_desktop.domain.errors import Cancelled, HmipError, ImportFormatError, ValidationError
from hmip_desktop.domain.ids import new_id
from hmip_desktop.ingest import csvread, xlsx
from hmip_desktop.ingest.coltypes import COLUMN_TYPES, ColumnSpec, TableSniff
from hmip_desktop.ingest.documents import MIME_CSV, MIME_XLSX
from hmip_desktop.ingest.rawcsv import NotForFastPath, PlainCells, raw_batches
from hmip_desktop.ingest.tabular import iter_rows
from hmip_desktop.services.store import InspectionStore
from hmip_desktop.storage import bulk
from hmip_desktop.storage import extract_tables as T
from hmip_desktop.storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

BATCH_ROWS = 2_000  # small enough that no C call holds the GIL for long (GUI stalls)
ProgressFn = Callable[[int, int], None]
Careful = Callable[[ProgressFn | None], Iterator[list[tuple]]]


@dataclass(frozen=True)
class MaterialiseReport:
    """What `materialise_missing_extracts` did."""

    rebuilt: tuple[str, ...]
    waiting_for_snapshot: tuple[str, ...]
    failed: tuple[str, ...]
    dropped: int


def apply_column_types(found: TableSniff, overrides: Mapping[str | int, str] | None) -> TableSniff:
    """A copy of the sniff with the user's column types (by column name or 0-based index)."""
    columns = list(found.columns)
    for key, kind in (overrides or {}).items():
        if kind not in COLUMN_TYPES:
            raise ValidationError(f"Column type must be one of: {', '.join(COLUMN_TYPES)}.")
        if isinstance(key, int) and not isinstance(key, bool):
            if not 0 <= key < len(columns):
                raise ValidationError(f"There is no column number {key + 1} in the file.")
            index = key
        else:
            names = [c.name for c in columns]
            if key not in names:
                raise ValidationError(f"There is no column '{key}' in the file.")
            index = names.index(key)
        columns[index] = ColumnSpec(columns[index].name, kind)  # type: ignore[arg-type]
    return replace(found, columns=columns)


def sniff_from_payload(payload: Mapping[str, Any]) -> TableSniff:
    """The reading settings an extract was imported with (to re-read its snapshot)."""
    fmt = payload.get("format") or {}
    columns = [ColumnSpec(str(c["name"]), c["type"]) for c in payload.get("columns") or []]
    return TableSniff(kind=fmt.get("kind", "csv"), encoding=fmt.get("encoding"),
                      delimiter=fmt.get("delimiter"), has_header=bool(fmt.get("has_header")),
                      columns=columns, sheet=fmt.get("sheet"))


class _Steps:
    """Maps the two phases (encrypt the snapshot, load the rows) onto one 0..1000 bar."""

    TOTAL = 1000
    SNAPSHOT = 50

    def __init__(self, progress: ProgressFn | None, size: int) -> None:
        self._progress, self._size, self._bytes, self._last = progress, max(size, 1), 0, -1

    def _emit(self, value: int) -> None:
        if self._progress is not None and value != self._last:
            self._last = value
            self._progress(value, self.TOTAL)

    def snapshot(self, increment: int) -> None:
        """Blob-store callback: bytes encrypted since the last call."""
        self._bytes += increment
        self._emit(min(self.SNAPSHOT, self.SNAPSHOT * self._bytes // self._size))

    def rows(self, done: int, total: int) -> None:
        """Reader callback: bytes read of the source."""
        share = (self.TOTAL - self.SNAPSHOT) * done // max(total, 1)
        self._emit(min(self.TOTAL, self.SNAPSHOT + share))


def load_rows(cursor: Any, table: str, found: TableSniff, *,
              fast_source: Callable[[], AbstractContextManager[BinaryIO]] | None,
              careful: Careful, size: int, progress: ProgressFn | None,
              cancel: threading.Event | None) -> int:
    """Create the table and fill it: SQL-converted raw CSV first, the ingest reader otherwise."""
    types = [c.type for c in found.columns]
    if fast_source is not None and found.kind == "csv":
        T.savepoint(cursor, "extract_fast")
        try:
            T.create(cursor, table, types)
            quick = T.quick_insert_sql(table, types)
            plain = T.quick_insert_sql(table, types, plain=True)
            exact = T.exact_insert_sql(table, types)
            is_plain = PlainCells(found.columns)
            count = 0
            with fast_source() as stream, gc_paused():
                for batch in raw_batches(stream, found, total=size, progress=progress,
                                         cancel=cancel, batch_size=BATCH_ROWS):
                    count += T.insert_fast(cursor, plain if is_plain(batch) else quick,
                                           exact, batch)
                    time.sleep(0)  # hand the GIL to the GUI thread between batches
            if count == 0:
                raise NotForFastPath  # the careful reader words the "no data rows" message
            T.release(cursor, "extract_fast")
            return count
        except (T.FastLoadRejected, NotForFastPath):
            T.rollback_to(cursor, "extract_fast")
            log.info("extract rows need the careful reader")
    T.create(cursor, table, types)
    sql = T.plain_insert_sql(table, len(types))
    count = 0
    with gc_paused():
        for batch in careful(progress):
            count += T.insert_converted(cursor, sql, batch)
            time.sleep(0)
    return count


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_was_enabled = True


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cycle collector while reading many rows (a bulk load, a sniff).

    Row lists are alive when collections trigger, so without this a full collection every
    few batches walks them and every object of the app (measured: about a tenth of a large
    import's time, and a 50-60 ms GUI stall during a sniff). Rows hold no cycles; reference
    counting frees them. The collector is process-wide, hence the counter.
    """
    global _gc_pauses, _gc_was_enabled
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_was_enabled:
                gc.enable()


def encrypt_file(store: InspectionStore, path: Path, *, cancel: threading.Event | None,
                 progress: Callable[[int], None] | None) -> tuple[str, int]:
    """Encrypt a file into the blob store; (sha256, size). A cancel raises Cancelled."""
    try:
        return store.blobs.put_file(path, cancel=cancel, progress=progress)
    except Exception:
        # age wraps the Cancelled raised by the reading side in its own error type.
        if cancel is not None and cancel.is_set():
            raise Cancelled("the import was cancelled") from None
        raise


@contextmanager
def bulk_uow(store: InspectionStore) -> Iterator[UnitOfWork]:
    """A write unit of work on a fresh connection (see storage.bulk for why)."""
    with store.uow() as probe:
        engine = probe.session.get_bind()
    with bulk.fresh_sessions(engine) as sessions:  # type: ignore[arg-type]
        with UnitOfWork(sessions, write=True, read_only_file=store.read_only) as tx:
            yield tx


def forget_unreferenced_blob(store: InspectionStore, sha256: str) -> None:
    """Remove a blob file no row refers to (written by a failed import, or a crash orphan)."""
    with store.uow() as tx:
        known = tx.blobs.get(sha256) is not None
    if not known:
        store.blobs.path_of(sha256).unlink(missing_ok=True)


def import_extract(store: InspectionStore, path: Path, found: TableSniff, *, name: str,
                   description: str, progress: ProgressFn | None,
                   cancel: threading.Event | None) -> str:
    """Snapshot and load one CSV/XLSX file; returns the new extract id."""
    path = Path(path)
    store.ensure_writable()
    before = path.stat()
    steps = _Steps(progress, before.st_size)
    sha, size = encrypt_file(store, path, cancel=cancel, progress=steps.snapshot)
    extract_id = new_id()
    table = T.table_name(extract_id)
    payload = {
        "name": name, "description": description, "filename": path.name,
        "source_kind": "data", "sha256": sha, "size": size,
        "columns": [{"name": c.name, "type": c.type} for c in found.columns],
        "format": {"kind": found.kind, "encoding": found.encoding,
                   "delimiter": found.delimiter, "has_header": found.has_header,
                   "sheet": found.sheet},
    }
    try:
        with bulk_uow(store) as tx:
            count = load_rows(
                T.raw_cursor(tx.session), table, found,
                fast_source=lambda: open(path, "rb"), size=size, progress=steps.rows,
                careful=lambda p: iter_rows(path, found, progress=p, cancel=cancel,
                                            batch_size=BATCH_ROWS),
                cancel=cancel)
            after = path.stat()
            if (after.st_size, after.st_mtime_ns) != (before.st_size, before.st_mtime_ns) \
                    or size != before.st_size:
                raise ImportFormatError("the file changed while it was being imported; "
                                        "import it again")
            mime = MIME_XLSX if found.kind == "xlsx" else MIME_CSV
            tx.blobs.add(sha, size, mime, store.blobs.stored_name(sha))
            store.put(tx, R.EXTRACT, extract_id, {**payload, "row_count": count})
            if cancel is not None and cancel.is_set():
                raise Cancelled("the import was cancelled")
    except BaseException:
        forget_unreferenced_blob(store, sha)
        raise
    log.info("extract imported (%d rows, %d columns)", count, len(found.columns))
    return extract_id


# -- rebuilding rows from snapshots ----------------------------------------------------------
class _CountingReader(io.RawIOBase):
    """A decrypted snapshot stream that knows its position (the readers report progress)."""

    def __init__(self, context: AbstractContextManager[BinaryIO]) -> None:
        self._context = context
        self._inner = context.__enter__()
        self._pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._inner.readinto(buffer)  # type: ignore[attr-defined]
        self._pos += n or 0
        return n or 0

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        if not self.closed:
            super().close()
            self._context.__exit__(None, None, None)


class _SnapshotFile:
    """The few Path methods the ingest readers use, served from a snapshot blob (no disk)."""

    def __init__(self, store: InspectionStore, sha256: str, size: int, kind: str) -> None:
        self._store, self._sha, self._size, self._kind = store, sha256, size, kind

    def stat(self) -> os.stat_result:
        return os.stat_result((0, 0, 0, 0, 0, 0, self._size, 0, 0, 0))

    def open(self, mode: str = "rb") -> BinaryIO:
        if self._kind == "xlsx":  # zip members need seeking: decrypt into memory
            return io.BytesIO(self._store.blobs.read_bytes(self._sha))
        raw = _CountingReader(self._store.blobs.open_plaintext(self._sha))
        return io.BufferedReader(raw, 1 << 20)  # type: ignore[return-value]


def rebuild_extract(store: InspectionStore, view: EntityView, *,
                    progress: ProgressFn | None = None,
                    cancel: threading.Event | None = None) -> bool:
    """Rebuild one extract's rows from its snapshot; False when the blob is not here yet."""
    payload = view.payload
    sha, size = str(payload.get("sha256", "")), int(payload.get("size") or 0)
    if not sha or not store.blobs.has(sha):
        return False
    found = sniff_from_payload(payload)
    snapshot = _SnapshotFile(store, sha, size, found.kind)
    table = T.table_name(view.id)

    def careful(p: ProgressFn | None) -> Iterator[list[tuple]]:
        reader = xlsx.iter_xlsx if found.kind == "xlsx" else csvread.iter_csv
        return reader(snapshot, found, progress=p, cancel=cancel,  # type: ignore[arg-type]
                      batch_size=BATCH_ROWS)

    with bulk_uow(store) as tx:
        if T.exists(tx.session, table):
            return True
        count = load_rows(T.raw_cursor(tx.session), table, found,
                          fast_source=snapshot.open, careful=careful, size=size,
                          progress=progress, cancel=cancel)
        if count != int(payload.get("row_count") or 0):
            raise HmipError("an extract's snapshot gave a different number of rows")
    return True


def materialise_missing_extracts(store: InspectionStore, *, progress: ProgressFn | None = None,
                                 cancel: threading.Event | None = None) -> MaterialiseReport:
    """Rebuild row tables missing locally (after a merge) and drop those of deleted extracts.

    Each extract is rebuilt in its own transaction; a cancel rolls back the one in progress
    (tables already rebuilt are complete and kept: they are derived data).
    """
    if store.read_only:
        return MaterialiseReport((), (), (), 0)
    with store.uow() as tx:
        every = tx.records.list(R.EXTRACT, include_deleted=True)
        present = T.existing_tables(tx.session)
    todo = [e for e in every if not e.deleted and T.table_name(e.id) not in present]
    stale = [T.table_name(e.id) for e in every if e.deleted and T.table_name(e.id) in present]
    if stale:
        with store.uow(write=True) as tx:
            for table in stale:
                T.drop(tx.session, table)
    rebuilt, waiting, failed = [], [], []
    for number, view in enumerate(todo):
        if cancel is not None and cancel.is_set():
            raise Cancelled("rebuilding extracts was cancelled")
        if progress is not None:
            progress(number, len(todo))
        try:
            done = rebuild_extract(store, view, cancel=cancel)
        except (Cancelled, KeyboardInterrupt):
            raise
        except HmipError as exc:
            # The type only: a message may name a column of the extract.
            log.warning("an extract could not be rebuilt from its snapshot (%s)",
                        type(exc).__name__)
            failed.append(view.id)
            continue
        (rebuilt if done else waiting).append(view.id)
    if progress is not None:
        progress(len(todo), len(todo))
    return MaterialiseReport(tuple(rebuilt), tuple(waiting), tuple(failed), len(stale))
