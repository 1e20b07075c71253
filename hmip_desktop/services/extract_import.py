"""Import a data extract in one transaction, and rebuild extract rows from snapshots.

Order of an import: the file is encrypted into the blob store (its SHA-256 is the snapshot's
identity), then a write transaction creates a staging row table and streams every row into
it; the same transaction renames the table to the extract's, adds the blob row and appends
the EXTRACT revision, so the rows appear with their record or not at all.

Other writers during a long import (issue 11 §4): when the caller's `yield_to()` says another
writer is waiting (the GUI's DB lane has work: a note autosave), the rows loaded so far are
committed into the staging table, the lock is released until that work is done, and loading
goes on in a new transaction. No reader looks at a staging table. A malformed row, a cancel
or any error rolls back the open transaction, drops the staging table and removes a blob
file nothing refers to, so nothing is half-imported; staging tables of an import that was
killed are dropped by `drop_stale_staging` (at the next import, after a merge, and by
`services.mending` when it calls it). Rows never travel between laptops: after a merge,
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
from typing import TYPE_CHECKING, Any, BinaryIO

from hmip_desktop.domain import records as R
from hmip_desktop.domain.entity import EntityView
from hmip_desktop.domain.errors import Cancelled, HmipError, ImportFormatError, ValidationError
from hmip_desktop.domain.ids import new_id
from hmip_desktop.domain.wording import plural
from hmip_desktop.ingest import csvread, xlsx
from hmip_desktop.ingest.coltypes import COLUMN_TYPES, ColumnSpec, TableSniff
from hmip_desktop.ingest.documents import MIME_CSV, MIME_XLSX
from hmip_desktop.ingest.rawcsv import (
    CLEAN,
    PLAIN,
    QUICK,
    NotForFastPath,
    PlainCells,
    raw_batches,
)
from hmip_desktop.ingest.tabular import Primed, iter_rows
from hmip_desktop.services.attachments import remove_unreferenced
from hmip_desktop.services.import_journals import ImportJournal, live_names
from hmip_desktop.storage import extract_tables as T

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore

log = logging.getLogger(__name__)

BATCH_ROWS = 2_000  # small enough that no C call holds the GIL for long (GUI stalls)
ProgressFn = Callable[[int, int], None]
Careful = Callable[[ProgressFn | None], Iterator[list[tuple]]]
# Called between batches with the raw cursor: may commit and take the write lock again.
PauseFn = Callable[[Any], None]
# How often (at most) an import looks whether another writer waits: every this many rows.
YIELD_EVERY_ROWS = 20_000
_LOCK_POLL_S = 0.005


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
              cancel: threading.Event | None, pause: PauseFn | None = None) -> int:
    """Create the table and fill it: SQL-converted raw CSV first, the ingest reader otherwise.
    `pause(cursor)` is called every YIELD_EVERY_ROWS rows (it may commit what is loaded)."""
    types = [c.type for c in found.columns]
    if fast_source is not None and found.kind == "csv":
        try:
            T.create(cursor, table, types)
            # Indexed by what PlainCells says of a batch: the less SQL checks, the faster.
            statements = {QUICK: T.quick_insert_sql(table, types),
                          PLAIN: T.quick_insert_sql(table, types, plain=True),
                          CLEAN: T.clean_insert_sql(table, types)}
            exact = T.exact_insert_sql(table, types)
            cells = PlainCells(found.columns)
            count = since = 0
            with fast_source() as stream, gc_paused():
                for batch in raw_batches(stream, found, total=size, progress=progress,
                                         cancel=cancel, batch_size=BATCH_ROWS):
                    added = T.insert_fast(cursor, statements[cells(batch)], exact, batch)
                    count, since = count + added, since + added
                    if pause is not None and since >= YIELD_EVERY_ROWS:
                        since = 0
                        pause(cursor)
                    time.sleep(0)  # hand the GIL to the GUI thread between batches
            if count == 0:
                raise NotForFastPath  # the careful reader words the "no data rows" message
            return count
        except (T.FastLoadRejected, NotForFastPath):
            # Not a savepoint: chunks may have been committed. The table is ours alone.
            T.drop_raw(cursor, table)
            log.info("extract rows need the careful reader")
    T.create(cursor, table, types)
    sql = T.plain_insert_sql(table, len(types))
    count = since = 0
    with gc_paused():
        for batch in careful(progress):
            added = T.insert_converted(cursor, sql, batch)
            count, since = count + added, since + added
            if pause is not None and since >= YIELD_EVERY_ROWS:
                since = 0
                pause(cursor)
            time.sleep(0)
    return count


def give_way(yield_to: Callable[[], bool], cancel: threading.Event | None) -> None:
    """Wait while `yield_to()` is true (another writer has work); a cancel raises Cancelled."""
    while yield_to():
        if cancel is not None and cancel.is_set():
            raise Cancelled("the import was cancelled")
        time.sleep(_LOCK_POLL_S)


def yielding_pause(yield_to: Callable[[], bool] | None,
                   cancel: threading.Event | None) -> PauseFn | None:
    """A `pause` for load_rows that lets other writers in while `yield_to()` is true: it
    commits the rows loaded so far (into the staging table), waits until nobody else needs
    the lock, and takes it again. A cancel while waiting raises Cancelled."""
    if yield_to is None:
        return None

    def between() -> None:
        give_way(yield_to, cancel)
        time.sleep(0)

    def pause(cursor: Any) -> None:
        if yield_to():
            T.commit_and_begin(cursor, between=between)

    return pause


_staging_lock = threading.Lock()
_staging_active: set[str] = set()  # staging tables of imports running in this process


def drop_stale_staging(store: InspectionStore) -> int:
    """Drop staging tables no running import owns (left by an import that was killed
    before publishing); returns how many. Imports of this process are known here, those of
    other programs by their journals (services.import_journals)."""
    if store.read_only:
        return 0
    with store.uow() as tx:
        present = tx.extract_tables.staging()
    with _staging_lock:
        stale = present - _staging_active
    if stale:
        # An import of another program (the CLI beside the app) may own one: its journal
        # names it while it runs, and its committed chunks must not vanish under it.
        stale -= live_names(store, "staging")
    if stale:
        with store.uow(write=True) as tx:
            cursor = tx.extract_tables.cursor()
            for name in sorted(stale):
                T.drop_raw(cursor, name)
        log.info("dropped %s of an import that did not finish",
                 plural(len(stale), "staging table"))
    return len(stale)


def _drop_staging(store: InspectionStore, staging: str) -> None:
    """Remove what a failed import committed (its staging table), if anything."""
    try:
        with store.uow(write=True) as tx:
            T.drop_raw(tx.extract_tables.cursor(), staging)
    except Exception:  # noqa: BLE001 - the next import or open drops it (drop_stale_staging)
        log.warning("a failed import's staging table could not be dropped yet")


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
    """Encrypt a file into the blob store; (sha256, size). A cancel raises Cancelled. The
    file is held until `store.blobs.release` (its row committed) or forget_unreferenced_blob."""
    try:
        return store.blobs.put_file(path, cancel=cancel, progress=progress, hold=True)
    except Exception:
        # age wraps the Cancelled raised by the reading side in its own error type.
        if cancel is not None and cancel.is_set():
            raise Cancelled("the import was cancelled") from None
        raise


def forget_unreferenced_blob(store: InspectionStore, sha256: str) -> None:
    """Let go of a blob file a failed import stored (encrypt_file), and remove it unless a
    row refers to it or another running operation holds it (a merge bringing the same file)."""
    store.blobs.release(sha256)
    remove_unreferenced(store, sha256)


def import_extract(store: InspectionStore, path: Path, found: TableSniff, *, name: str,
                   description: str, progress: ProgressFn | None,
                   cancel: threading.Event | None,
                   yield_to: Callable[[], bool] | None = None) -> str:
    """Snapshot and load one CSV/XLSX file; returns the new extract id. While `yield_to()`
    is true another writer is waiting: the rows loaded so far are committed into the staging
    table and the write lock is released until it is false again (see the module docstring).
    """
    path = Path(path)
    store.ensure_writable()
    drop_stale_staging(store)
    before = path.stat()
    steps = _Steps(progress, before.st_size)
    sha, size = encrypt_file(store, path, cancel=cancel, progress=steps.snapshot)
    extract_id = new_id()
    table = T.table_name(extract_id)
    staging = T.staging_name(extract_id)
    payload = {
        "name": name, "description": description, "filename": path.name,
        "source_kind": "data", "sha256": sha, "size": size,
        "columns": [{"name": c.name, "type": c.type} for c in found.columns],
        "format": {"kind": found.kind, "encoding": found.encoding,
                   "delimiter": found.delimiter, "has_header": found.has_header,
                   "sheet": found.sheet},
    }
    with _staging_lock:
        _staging_active.add(staging)
    journal: ImportJournal | None = None
    workbook: Primed | None = None
    try:
        journal = ImportJournal(store)  # tells other programs the staging table is in use
        journal.staging(staging)

        def careful(p: ProgressFn | None) -> Iterator[list[tuple]]:
            if workbook is not None:
                return workbook
            return iter_rows(path, found, progress=p, cancel=cancel, batch_size=BATCH_ROWS)

        if found.kind != "csv":
            # Opening a workbook (its shared strings, the merged-cell scan of the whole
            # sheet) takes seconds on a large one: done before the write lock is taken, so
            # an autosave is not kept waiting (and failing as "busy") meanwhile.
            workbook = Primed(careful(steps.rows))
        if yield_to is not None:
            # The DB lane may hold the lock for long (a merge appending a big bundle):
            # waiting for the lock instead gives up after QUIET_LOCK_WAIT_S, as if another
            # program held the file.
            give_way(yield_to, cancel)
        with store.bulk_uow() as tx:
            cursor = tx.extract_tables.cursor()
            count = load_rows(
                cursor, staging, found,
                fast_source=lambda: open(path, "rb"), size=size, progress=steps.rows,
                careful=careful, cancel=cancel, pause=yielding_pause(yield_to, cancel))
            T.publish(cursor, staging, table)
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
        _drop_staging(store, staging)
        forget_unreferenced_blob(store, sha)
        raise
    else:
        store.blobs.release(sha)  # its row is committed
    finally:
        if workbook is not None:
            workbook.close()
        if journal is not None:
            journal.close()
        with _staging_lock:
            _staging_active.discard(staging)
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

    with store.bulk_uow() as tx:
        if tx.extract_tables.exists(table):
            return True
        count = load_rows(tx.extract_tables.cursor(), table, found,
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
    drop_stale_staging(store)
    with store.uow() as tx:
        every = tx.records.list(R.EXTRACT, include_deleted=True)
        present = tx.extract_tables.existing()
    todo = [e for e in every if not e.deleted and T.table_name(e.id) not in present]
    stale = [T.table_name(e.id) for e in every if e.deleted and T.table_name(e.id) in present]
    if stale:
        with store.uow(write=True) as tx:
            for table in stale:
                tx.extract_tables.drop(table)
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
