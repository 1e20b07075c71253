"""An open inspection file: engines, unit of work, attachment store, clock and author.

This is the one object every service receives. It owns the rule that every write goes
through `put()`, which stamps a revision with this device's clock and author, appends it to
the log and re-materialises the record in the caller's transaction.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyrage
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import sessionmaker

from hmip_desktop.domain import records as R
from hmip_desktop.domain.errors import NotFoundError, ReadOnlyError, ValidationError
from hmip_desktop.domain.hlc import HybridLogicalClock
from hmip_desktop.domain.ids import new_id
from hmip_desktop.domain.lifecycle import guard_write
from hmip_desktop.domain.payload_rules import (
    MAX_REVISION_LINE_BYTES,
    PayloadProblem,
    check_payload,
)
from hmip_desktop.domain.revision import PAYLOAD_SCHEMA, Revision, make_revision
from hmip_desktop.private_files import create_private, is_private, private_dir, restrict
from hmip_desktop.storage import bulk, connection, db, keys, migrate, profile
from hmip_desktop.storage.blobs import BlobStore, blob_dir_for
from hmip_desktop.storage.open_lock import OpenLock
from hmip_desktop.storage.unit_of_work import (  # noqa: F401 - listener re-exported for the CLI
    READ_ONLY_MESSAGE,
    UnitOfWork,
    set_lock_wait_listener,
)

NOT_UNICODE = ("A text holds bytes that are not UTF-8 text (typed in a terminal, or read from a "
               "file, in another encoding). Retype it, or save the file as UTF-8, and try "
               "again; nothing was saved.")

log = logging.getLogger(__name__)

FILE_SUFFIX = ".hmip"


def _now_text() -> str:
    import datetime as dt

    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class StoreInfo:
    """Facts about the open file for the status bar and `hmip info`."""

    path: Path
    inspection_id: str
    key_source: str
    read_only: bool
    schema_revision: str | None
    upgraded_from: str | None


class InspectionStore:
    """An open, keyed, migrated inspection file."""

    def __init__(self, path: Path, key: bytes, key_source: str, *, read_only: bool,
                 schema_revision: str | None, upgraded_from: str | None,
                 read_engine: Engine | None = None) -> None:
        """`read_engine`: an engine of this file with deferred BEGIN and the same read-only
        mode that has already checked the key (open's), kept instead of making another."""
        self.path = path
        # The key was checked by the caller's engine: no extra connection to check it again.
        self._write_engine = db.make_engine(path, key, read_only=read_only, check=False)
        self._read_engine = read_engine or db.make_engine(path, key, read_only=read_only,
                                                          immediate=False, check=False)
        self._writes = sessionmaker(self._write_engine, expire_on_commit=False)
        self._reads = sessionmaker(self._read_engine, expire_on_commit=False)
        self.read_only = read_only
        # The GUI window's lock on the file (storage/open_lock.py), set by the opening that
        # took it; the command line holds none.
        self.open_lock: OpenLock | None = None
        self.device = profile.load_device()
        with self.uow() as tx:
            self.inspection_id = tx.meta.get("inspection_id") or ""
            identity = tx.meta.get("blob_identity")
            known_keys = list(tx.attachment_keys.all().values())
            name_key = bytes.fromhex(tx.meta.get("blob_name_key") or "")
            last = max(filter(None, [tx.meta.get("hlc_last"), tx.records.max_hlc()]),
                       default=None)
        settings = profile.load_settings()
        extra = [settings.recovery_recipient] if settings.recovery_recipient else []
        self.blobs = BlobStore(blob_dir_for(path), identity or "", name_key, extra, known_keys)
        self.clock = HybridLogicalClock(self.device.device_id, _own_last(last))
        self.info = StoreInfo(path, self.inspection_id, key_source, read_only, schema_revision,
                              upgraded_from)

    # -- lifecycle ---------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path, *, provider: keys.PassphraseProvider | None,
             found_key: tuple[bytes, str] | None = None) -> InspectionStore:
        """Open an existing file: find its key (unless `found_key` gives it and its source:
        a GUI start found it to read the first screen), check it, migrate (after a backup)."""
        path = Path(path)
        if not path.exists():
            raise NotFoundError(f"There is no inspection file at '{path.name}'.")
        connection.check_existing(path)  # empty or a folder: refused before it is written
        if found_key is None:
            key, source, _file_id = keys.load_file_key(path, provider=provider)
        else:
            key, source = found_key
        restrict_inspection_files(path)
        # Reading the schema version must not take the write lock (another program may be
        # in the middle of a long import); an upgrade takes it on its own connection.
        engine = db.make_engine(path, key, immediate=False)
        try:
            outcome = migrate.upgrade(engine, path, key)
        except BaseException:
            engine.dispose()
            raise
        log.info("opened inspection file (key source %s, read-only %s)", source,
                 outcome.read_only)
        # The engine that read the schema version becomes the store's read engine (its
        # connection is open and keyed already), unless the file must be opened read-only.
        read_engine: Engine | None = engine
        if outcome.read_only:
            engine.dispose()
            read_engine = None
        try:
            return cls(path, key, source, read_only=outcome.read_only,
                       schema_revision=outcome.revision, upgraded_from=outcome.upgraded_from,
                       read_engine=read_engine)
        except BaseException:
            if read_engine is not None:
                read_engine.dispose()
            raise

    @classmethod
    def create_empty(cls, path: Path, *, inspection_id: str, file_id: str,
                     provider: keys.PassphraseProvider | None) -> InspectionStore:
        """A new encrypted, migrated file for an inspection id, holding no records yet.

        Used for a new inspection and for joining one from an invite; a failure removes
        everything it made (file, key record, attachment folder, keyring entry).
        """
        path = normalise_path(path)
        if path.exists():
            raise ValidationError(f"'{path.name}' already exists; choose another file name.")
        if keys.key_record_path(path).exists():
            # The file itself was deleted or moved, its key record left behind: overwriting it
            # would lose the only way into that file if it turns up again.
            raise ValidationError(
                f"A key record '{keys.key_record_path(path).name}' from an earlier file of "
                f"that name is still in the folder (the file '{path.name}' itself is not): "
                "choose another file name, or move that key record away first if you are "
                "sure its file is gone.")
        if not path.parent.exists():
            private_dir(path.parent)  # a folder we make is private; the user's is left alone
        settings = profile.load_settings()
        key, source = keys.create_file_key(path, file_id, provider=provider,
                                           recovery_recipient=settings.recovery_recipient)
        try:
            # Made empty and private first: SQLite gives its WAL and shared-memory files the
            # database file's mode.
            create_private(path, exclusive=True)
            engine = db.make_engine(path, key)
            try:
                outcome = migrate.upgrade(engine, path, key)
                identity = pyrage.x25519.Identity.generate()
                with engine.begin() as conn:
                    for k, v in {"inspection_id": inspection_id, "file_id": file_id,
                                 "blob_identity": str(identity),
                                 "blob_name_key": os.urandom(32).hex(),
                                 "exported_seq": "0"}.items():
                        conn.exec_driver_sql("INSERT INTO meta(key, value) VALUES (?, ?)",
                                             (k, v))
                    # The file's attachment identity is its first team attachment key.
                    conn.exec_driver_sql(
                        "INSERT INTO attachment_key(recipient, identity, added_at) "
                        "VALUES (?, ?, ?)", (str(identity.to_public()), str(identity),
                                             _now_text()))
            finally:
                engine.dispose()
            return cls(path, key, source, read_only=False, schema_revision=outcome.revision,
                       upgraded_from=None)
        except BaseException:
            remove_partial(path, file_id)
            raise

    @classmethod
    def create(cls, path: Path, *, inspection: Mapping[str, Any], framework: Mapping[str, Any],
               provider: keys.PassphraseProvider | None) -> InspectionStore:
        """Create a new encrypted file holding an inspection record and its pinned framework."""
        R.validate_inspection(inspection)
        inspection_id = new_id()
        store = cls.create_empty(path, inspection_id=inspection_id, file_id=inspection_id,
                                 provider=provider)
        try:
            with store.uow(write=True) as tx:
                store.put(tx, R.INSPECTION, inspection_id, dict(inspection))
                store.put(tx, R.FRAMEWORK, R.framework_record_id(inspection_id), dict(framework))
            return store
        except BaseException:
            store.close()
            remove_partial(store.path, inspection_id)
            raise

    def close(self) -> None:
        """Release connections (the file stays consistent at every commit), and the GUI's
        lock on the file if this store holds it (storage/open_lock.py)."""
        self._write_engine.dispose()
        self._read_engine.dispose()
        hold, self.open_lock = self.open_lock, None
        if hold is not None:
            hold.release()

    def __enter__(self) -> InspectionStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- transactions and writes -------------------------------------------------------------
    def uow(self, *, write: bool = False) -> UnitOfWork:
        """A unit of work; writes take the file's write lock at BEGIN."""
        return UnitOfWork(self._writes if write else self._reads, write=write,
                          read_only_file=self.read_only)

    @contextmanager
    def bulk_uow(self) -> Iterator[UnitOfWork]:
        """A write unit of work on a brand-new connection, for bulk loads such as extract
        rows (storage.bulk says why); takes the write lock at BEGIN like `uow(write=True)`."""
        with bulk.fresh_sessions(self._write_engine) as sessions:
            with UnitOfWork(sessions, write=True, read_only_file=self.read_only) as tx:
                yield tx

    def ensure_writable(self) -> None:
        """Raise ReadOnlyError before long work on a file opened read-only."""
        if self.read_only:
            raise ReadOnlyError(READ_ONLY_MESSAGE)

    def read_connection(self) -> Connection:
        """A plain read connection (no ORM session) for hot read paths such as search."""
        return self._read_engine.connect()

    def raw_write_engine(self) -> Engine:
        """The write engine, for work that must run outside a transaction (snapshots)."""
        return self._write_engine

    def put(self, tx: UnitOfWork, entity_type: str, entity_id: str,
            payload: Mapping[str, Any], *, deleted: bool = False,
            parents: list[str] | None = None) -> Revision:
        """Append one revision of a record; parents default to the current winner only.

        Editing a conflicted record keeps the other heads (the conflict stays until someone
        resolves it by passing all heads as parents). A published inspection refuses all
        but action-plan tracking (domain.lifecycle.guard_write: the one place for that rule).
        """
        guard_write(tx.records.get, self.inspection_id, entity_type, entity_id, payload, deleted)
        if not deleted:
            # The rules every teammate's import holds this revision to: a record one of them
            # would refuse (a pasted text over the limit) must not be written here, where it
            # would travel in every later bundle and have each of them refused. A deletion is
            # not refused: it is the way out for a record an earlier version let through.
            try:
                check_payload(entity_type, PAYLOAD_SCHEMA, payload, deleted=deleted)
            except PayloadProblem as exc:
                raise ValidationError(f"This cannot be saved: {exc}. Nothing was changed.") \
                    from None
        if parents is None:
            current = tx.records.get(entity_id)
            parents = [current.winner_rev] if current else []
        try:
            rev = make_revision(entity_type=entity_type, entity_id=entity_id, parents=parents,
                                hlc=self.clock.now(), device_id=self.device.device_id,
                                author_id=self.device.author_id, payload=payload,
                                deleted=deleted)
        except UnicodeEncodeError:
            # Lone surrogates: bytes that were not UTF-8 (a terminal or file in another
            # encoding, passed on by Python's surrogateescape) cannot be written as text.
            raise ValidationError(NOT_UNICODE) from None
        if not deleted and _may_exceed_a_line(payload):
            size = len(rev.to_json_line())
            if size > MAX_LINE:  # bundles carry a revision as one line of at most this
                raise ValidationError(
                    f"This cannot be saved: the record is {size / MIB:,.0f} MiB as it travels "
                    f"to the team (limit: {MAX_LINE // MIB} MiB). Nothing was changed.")
        tx.records.append([rev])
        tx.meta.set("hlc_last", self.clock.last)
        return rev

    def unexported_count(self) -> int:
        """Revisions that arrived (written or merged) since the last bundle export."""
        with self.uow() as tx:
            return tx.records.revision_count(after_seq=int(tx.meta.get("exported_seq") or 0))



MAX_LINE = MAX_REVISION_LINE_BYTES
MIB = 1024 * 1024
# Past this many characters of text a record could, escaped and encoded, reach MAX_LINE (a
# character is at most 6 bytes of JSON: "\\u0001"); below it the line is not measured.
_SAFE_CHARS = (MAX_LINE - MIB) // 6


def _may_exceed_a_line(payload: Mapping[str, Any]) -> bool:
    """True when a payload's texts are long enough that its bundle line must be measured
    (every string and key counted; numbers and the like are short)."""
    total, stack = 0, [payload]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, Mapping):
            total += sum(len(str(k)) for k in item)
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
        if total > _SAFE_CHARS:
            return True
    return False


def _own_last(last: str | None) -> str | None:
    # The clock restarts from the latest stamp seen, whoever's device wrote it.
    if last is None:
        return None
    millis, counter, _ = last.split("-", 2)
    return f"{millis}-{counter}-x"


def restrict_inspection_files(path: Path) -> None:
    """Tighten the modes of a file made by an earlier version (0644 -> 0600, 0755 -> 0700);
    write bits are never added, so a read-only copy stays read-only."""
    blob_dir = blob_dir_for(path)
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"),
              keys.key_record_path(path)):
        if p.exists():
            restrict(p)
    # Attachments are written private into a private folder, and earlier versions made the
    # folder and its files under the same umask: so the folder's mode says whether its files
    # need tightening, and a private folder is not walked at every open (one stat per
    # attachment was on the start-up path, issue 11). The folder is tightened last, so an
    # interrupted pass is resumed at the next open.
    if blob_dir.is_dir() and not is_private(blob_dir):
        for child in blob_dir.iterdir():
            restrict(child)
        restrict(blob_dir)


def normalise_path(path: Path) -> Path:
    """The path with the .hmip suffix added when missing."""
    path = Path(path)
    return path if path.suffix == FILE_SUFFIX else path.with_name(path.name + FILE_SUFFIX)


def remove_partial(path: Path, file_id: str | None) -> None:
    """Delete a half-made file, its key record, attachments and keyring entry."""
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"),
              keys.key_record_path(path)):
        p.unlink(missing_ok=True)
    shutil.rmtree(blob_dir_for(path), ignore_errors=True)
    if file_id:
        keys.forget_file_key(file_id)
