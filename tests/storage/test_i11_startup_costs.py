"""Issue 11, start-up costs: keyring imported only where used (insecure backends still
refused), the key found early on a helper thread (taken only for the same file, record and
passphrase), the newest notes read through an index, the clock's starting point read from an
index (never behind a merged revision), and mending cheap when nothing was left behind."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail, null

from hmip_desktop.domain import records as R
from hmip_desktop.domain.errors import WrongKeyError
from hmip_desktop.domain.revision import make_revision
from hmip_desktop.services import mending, startup
from hmip_desktop.services.inspections import create_inspection, open_inspection
from hmip_desktop.services.notes import NoteService
from hmip_desktop.storage import db, keys, passphrase_wrap
from tests.factories import minimal_framework

ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "a long enough passphrase"


def _passphrase_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str = "p.hmip"):
    monkeypatch.setenv("HMIP_KEY_SOURCE", keys.KEY_SOURCE_PASSPHRASE)
    return create_inspection(tmp_path / name, establishment_name="HMP Early",
                             establishment_type="mens_prison", framework=minimal_framework(),
                             start_date="2026-11-16", end_date="2026-11-27",
                             provider=lambda _p: PASSPHRASE)


def test_reading_a_key_record_imports_no_keyring_nor_crypto() -> None:
    code = ("import sys; from hmip_desktop.storage import keys; "
            "bad = [m for m in ('keyring', 'jaraco', 'backports.tarfile', 'cryptography', "
            "'pyrage', 'sqlalchemy') if m in sys.modules]; print(bad); sys.exit(bool(bad))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()])
def test_insecure_keyrings_are_still_refused(backend: keyring.backend.KeyringBackend) -> None:
    keyring.set_keyring(backend)
    assert not keys.secure_keyring_available()


def test_a_plaintext_keyring_is_still_refused() -> None:
    class PlaintextKeyring(keyring.backend.KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def get_password(self, service: str, username: str) -> str | None:
            return None

        def set_password(self, service: str, username: str, password: str) -> None:
            raise AssertionError("never used")

        def delete_password(self, service: str, username: str) -> None:
            pass

    keyring.set_keyring(PlaintextKeyring())
    assert not keys.secure_keyring_available()


def test_key_found_early_is_taken_and_the_derivation_not_repeated(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _passphrase_store(tmp_path, monkeypatch)
    path = store.path
    store.close()
    expected, _source, _fid = keys.load_file_key(path, provider=lambda _p: PASSPHRASE)
    calls: list[int] = []
    real = passphrase_wrap.kek
    monkeypatch.setattr(passphrase_wrap, "kek", lambda *a: calls.append(1) or real(*a))
    keys.begin_unlock(path, PASSPHRASE)
    key, source, _fid = keys.load_file_key(path, provider=lambda _p: PASSPHRASE)
    assert (key, source) == (expected, keys.KEY_SOURCE_PASSPHRASE)
    assert calls == [1]  # derived once, on the helper thread
    assert keys._early is None  # taken: nothing kept for later


def test_an_early_key_with_another_passphrase_is_never_used(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = _passphrase_store(tmp_path, monkeypatch)
    path = store.path
    store.close()
    keys.begin_unlock(path, PASSPHRASE)  # the right key, found early...
    with pytest.raises(WrongKeyError):  # ...but the open is asked with a wrong passphrase
        keys.load_file_key(path, provider=lambda _p: "not the passphrase at all")
    keys.begin_unlock(path, "not the passphrase at all")  # a wrong one early, right one later
    key, _source, _fid = keys.load_file_key(path, provider=lambda _p: PASSPHRASE)
    assert len(key) == db.KEY_BYTES


def test_an_early_key_of_another_file_is_dropped(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _passphrase_store(tmp_path, monkeypatch, "a.hmip")
    second = _passphrase_store(tmp_path, monkeypatch, "b.hmip")
    first.close()
    second.close()
    keys.begin_unlock(first.path, PASSPHRASE)
    key_b, _s, fid_b = keys.load_file_key(second.path, provider=lambda _p: PASSPHRASE)
    assert fid_b == second.inspection_id
    assert keys._early is None
    with open_inspection(second.path, provider=lambda _p: PASSPHRASE) as again:
        assert again.inspection_id == second.inspection_id


def test_keyring_key_found_early(store, memory_keyring) -> None:
    path = store.path
    store.close()
    expected, _source, _fid = keys.load_file_key(path, provider=None)
    startup.begin_unlock(path)
    key, source, _fid = keys.load_file_key(path, provider=None)
    assert (key, source) == (expected, keys.KEY_SOURCE_KEYRING)
    startup.begin_unlock(path.with_name("x.hmipbundle"))  # a bundle: nothing started
    assert keys._early is None


def test_newest_notes_through_the_index(store) -> None:
    notes = NoteService(store)
    ids = [getattr(n, "id", n) for n in
           (notes.add(source_kind="observation", title=f"n{i}") for i in range(5))]
    notes.edit(ids[1], title="edited last")
    notes.delete(ids[4])
    assert [n.id for n in notes.newest(3)] == [ids[1], ids[3], ids[2]]
    assert [n.id for n in notes.newest(10)] == [ids[1], ids[3], ids[2], ids[0]]
    with store.uow() as tx:
        assert [e.id for e in tx.records.list(R.NOTE)] == ids[:4]  # still oldest first
        newest = tx.records.newest(R.NOTE, 2, include_deleted=True)
        assert [e.id for e in newest] == [ids[4], ids[1]]
    with store.read_connection() as conn:
        plan = " ".join(str(r) for r in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT id, payload FROM entity WHERE type = 'note' AND "
            "deleted IS 0 ORDER BY updated_hlc DESC LIMIT 100"))
        assert "ix_entity_type_deleted_updated" in plan and "TEMP B-TREE" not in plan
        plan = " ".join(str(r) for r in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT max(hlc) FROM revision"))
        assert "ix_revision_hlc" in plan


def test_the_0002_downgrade_drops_the_indexes(store) -> None:
    from tests.storage.test_migration_0002 import _downgrade_to_0001

    path = store.path
    store.close()
    _downgrade_to_0001(path)
    key, _s, _f = keys.load_file_key(path, provider=None)
    engine = db.make_engine(path, key)
    try:
        with engine.connect() as conn:
            names = {r[0] for r in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index'")}
    finally:
        engine.dispose()
    assert not names & {"ix_entity_type_deleted_updated", "ix_revision_hlc"}
    with open_inspection(path, provider=None) as upgraded:  # and the upgrade makes them
        with upgraded.read_connection() as conn:
            names = {r[0] for r in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"ix_entity_type_deleted_updated", "ix_revision_hlc"} <= names


def test_clock_starts_after_a_merged_revision_the_meta_never_saw(store) -> None:
    """A revision that arrived with a stamp ahead of everything (and of meta hlc_last) still
    sets the clock's starting point at the next open: it never goes backwards."""
    ahead_ms = int(time.time() * 1000) + 3_600_000  # an hour ahead of this computer
    ahead = f"{ahead_ms:012x}-0005-otherdevice"
    rev = make_revision(entity_type=R.NOTE, entity_id="00000000-0000-4000-8000-000000000001",
                        parents=[], hlc=ahead, device_id="otherdevice", author_id="someone",
                        payload={"source_kind": "observation", "title": "from a bundle",
                                 "body": "", "interpreter_used": False}, deleted=False)
    with store.uow(write=True) as tx:
        tx.records.append([rev])  # as a merge does, without touching meta hlc_last
    path = store.path
    store.close()
    with open_inspection(path, provider=None) as again:
        stamp = again.clock.now()
        assert (int(stamp.split("-")[0], 16), int(stamp.split("-")[1], 16)) > (ahead_ms, 5)


def test_mending_with_nothing_left_behind(store) -> None:
    report = mending.mend(store)
    assert report == mending.MendReport()
    root = store.blobs.root
    root.mkdir(parents=True, exist_ok=True)
    stale, fresh, hidden = root / "a.part", root / "b.part", root / ".c.part"
    for p in (stale, fresh, hidden):
        p.write_bytes(b"x")
    old = time.time() - 2 * 24 * 3600
    os.utime(stale, (old, old))
    os.utime(hidden, (old, old))
    assert mending.mend(store).files_removed == 1
    assert not stale.exists() and fresh.exists() and hidden.exists()


def test_the_same_early_unlock_is_not_started_twice(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The entry point begins it before Qt loads and app.run asks again: one derivation.
    store = _passphrase_store(tmp_path, monkeypatch)
    store.close()
    keys.begin_unlock(store.path, PASSPHRASE)
    first = keys._early
    keys.begin_unlock(store.path, PASSPHRASE)
    assert keys._early is first
    keys.begin_unlock(store.path, "another passphrase entirely")  # typed later: a new one
    assert keys._early is not first
    key, _source, _fid = keys.load_file_key(store.path, provider=lambda _p: PASSPHRASE)
    assert len(key) == db.KEY_BYTES


def test_summary_counts_in_one_read(store) -> None:
    notes = NoteService(store)
    ids = [notes.add(source_kind="observation", title=f"n{i}") for i in range(3)]
    notes.delete(getattr(ids[0], "id", ids[0]))
    with store.uow() as tx:
        summary = tx.records.summary_counts(after_seq=tx.records.max_seq() - 1)
        assert summary.live[R.NOTE] == tx.records.count(R.NOTE) == 2
        assert summary.live == {t: tx.records.count(t) for t in summary.live}
        assert summary.revisions == tx.records.revision_count()
        assert summary.revisions_after == 1
        assert summary.conflicted == len(tx.records.conflicted()) == 0


def test_first_screen_reads_go_through_indexes(store) -> None:
    """The text() statements of the first screen: the newest page and max(hlc) by their
    indexes (no sort), the counts from covering indexes."""
    from hmip_desktop.storage import first_screen as first
    from hmip_desktop.storage import records_repo as rr

    def plan(sql: str) -> str:
        sql = sql.replace(":type", "'note'").replace(":limit", "100").replace(":after", "0")
        with store.read_connection() as conn:
            return " ".join(str(r) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))

    newest = plan(first.NEWEST_SQL[False])
    assert "ix_entity_type_deleted_updated" in newest and "TEMP B-TREE" not in newest
    assert "ix_revision_hlc" in plan(str(rr._MAX_HLC))
    assert "COVERING INDEX ix_entity_type_deleted" in plan(first.LIVE_COUNTS_SQL)
    assert "ix_entity_conflicted" in plan(first.SUMMARY_SQL)
    assert "ix_entity_type_deleted" in plan(first.SCORED_SQL)
