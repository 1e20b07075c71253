"""Migration 0002 (bundle format 2): a file made by the previous version upgrades in place,
keeps its data, and its attachment identity becomes its first team attachment key."""

from __future__ import annotations

from pathlib import Path

from hmip_desktop.services import attachments
from hmip_desktop.services.inspections import open_inspection
from hmip_desktop.services.notes import NoteService
from hmip_desktop.storage import db, keys, migrate


def _downgrade_to_0001(path: Path) -> None:
    from alembic import command

    key, _source, _fid = keys.load_file_key(path, provider=None)
    engine = db.make_engine(path, key)
    try:
        with engine.connect() as conn, conn.begin():
            cfg = migrate._config()
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0001")
    finally:
        engine.dispose()


def test_a_0001_file_upgrades_and_its_attachments_travel(store) -> None:
    note_id = NoteService(store).add(source_kind="observation", title="kept", body="b")
    sha, _size, _new = attachments.add_bytes(store, b"evidence bytes", "text/plain")
    with store.uow() as tx:
        identity = tx.meta.get("blob_identity")
    path = store.path
    store.close()
    _downgrade_to_0001(path)
    with open_inspection(path, provider=None) as upgraded:
        assert upgraded.info.upgraded_from == "0001"
        assert upgraded.info.schema_revision == migrate.head_revision() == "0002"
        with upgraded.uow() as tx:
            assert list(tx.attachment_keys.all().values()) == [identity]
            assert tx.records.get(getattr(note_id, "id", note_id)) is not None
        assert attachments.read_bytes(upgraded, sha) == b"evidence bytes"
    assert path.with_name(f"{path.name}.backup-0001").exists()
