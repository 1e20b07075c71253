"""Migrations, newer-version files, wrong keys, attachments."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from hmip_desktop.domain.errors import ReadOnlyError, WrongKeyError
from hmip_desktop.services import attachments
from hmip_desktop.services.inspections import open_inspection
from hmip_desktop.services.notes import NoteService
from hmip_desktop.storage import db, fts, keys, migrate


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_migrations_from_empty_reach_head_with_fts_intact(tmp_path: Path) -> None:
    """A brand-new file migrates to head with its triggers and FTS index healthy."""
    path, key = tmp_path / "m.hmip", os.urandom(32)
    engine = db.make_engine(path, key)
    outcome = migrate.upgrade(engine, path, key)
    assert outcome.revision == migrate.head_revision()
    with engine.connect() as conn:
        assert fts.check(conn) == []
    engine.dispose()


def test_fts_self_check_repairs_dropped_triggers(tmp_path: Path) -> None:
    """If a batch migration dropped the triggers, check() notices and they can be rebuilt."""
    path, key = tmp_path / "m.hmip", os.urandom(32)
    engine = db.make_engine(path, key)
    migrate.upgrade(engine, path, key)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER search_item_ai")
        assert any("missing" in p for p in fts.check(conn))
        fts.create_triggers(conn)
        fts.rebuild(conn)
        assert fts.check(conn) == []
    engine.dispose()


def test_file_from_newer_version_opens_read_only(store) -> None:
    """A schema revision this app does not know: readable, every write refused."""
    path = store.path
    nid = NoteService(store).add(source_kind="observation", title="t", body="b")
    with store.raw_write_engine().begin() as conn:
        conn.execute(__import__("sqlalchemy").text(
            "UPDATE alembic_version SET version_num = '9999_future'"))
    store.close()
    reopened = open_inspection(path)
    try:
        assert reopened.read_only
        assert NoteService(reopened).get(nid).title == "t"
        with pytest.raises(ReadOnlyError):
            NoteService(reopened).edit(nid, title="changed")
    finally:
        reopened.close()


def test_wrong_key_is_refused_and_changes_nothing(store, memory_keyring) -> None:
    """A wrong key in the keyring gives a clear error; the file's bytes are untouched."""
    path = store.path
    store.close()
    before = _digest(path)
    memory_keyring.store[(keys.KEYRING_SERVICE, store.inspection_id)] = os.urandom(32).hex()
    with pytest.raises(WrongKeyError) as err:
        open_inspection(path)
    assert "Nothing was changed" in str(err.value)
    assert _digest(path) == before
    assert not path.with_name(path.name + "-wal").exists()


def test_attachments_are_deduplicated(store, tmp_path: Path) -> None:
    """The same content stored twice is one encrypted file and one row."""
    src = tmp_path / "doc.txt"
    src.write_bytes(b"use of force log\n" * 1000)
    sha1, size, added1 = attachments.add_file(store, src, "text/plain")
    sha2, _, added2 = attachments.add_file(store, src, "text/plain")
    assert sha1 == sha2 == hashlib.sha256(src.read_bytes()).hexdigest()
    assert (added1, added2) == (True, False)
    assert len(list(store.blobs.root.iterdir())) == 1
    assert attachments.read_bytes(store, sha1) == src.read_bytes()
    assert sha1 not in os.listdir(store.blobs.root)[0]


def test_migration_of_an_older_file_takes_an_encrypted_backup(tmp_path: Path) -> None:
    """Opening a file at an older schema backs it up first (the backup needs the same key)."""
    path, key = tmp_path / "old.hmip", os.urandom(32)
    engine = db.make_engine(path, key)
    migrate.upgrade(engine, path, key)
    with engine.begin() as conn:  # pretend it is at a previous revision
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0000_old'")
    engine.dispose()
    # 0000_old is unknown, so it must open read-only and must not be migrated or backed up
    engine = db.make_engine(path, key)
    assert migrate.upgrade(engine, path, key).read_only
    engine.dispose()
    db.backup(path, key, tmp_path / "copy.hmip")
    with pytest.raises(WrongKeyError):
        db.check_key(tmp_path / "copy.hmip", os.urandom(32))
    db.check_key(tmp_path / "copy.hmip", key)
    assert not (tmp_path / "copy.hmip").read_bytes().startswith(b"SQLite format 3")


def test_schema_head_constant_matches_the_migration_scripts() -> None:
    """The fast-path constant must name Alembic's real head (update it with each migration)."""
    from hmip_desktop.storage.migrations import SCHEMA_HEAD

    assert SCHEMA_HEAD == migrate.head_revision()
