"""The faster revision phase of a merge (issue 11 §3) keeps every check and the same result:
parsing without the payload walk refuses what it refused, the batched signature check
answers as one check at a time, and notes merged in bulk are indexed for search."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import text

from hmip_desktop.bundle.revision_signatures import RevisionVerifier, sign_revision
from hmip_desktop.domain import records as R
from hmip_desktop.domain.errors import BundleError
from hmip_desktop.domain.revision import (
    make_revision,
    revision_from_checked_json,
    revision_from_json,
)
from hmip_desktop.services import search
from hmip_desktop.storage.fts import TRIGGERS
from hmip_desktop.storage.projections import _BULK_MIN


def _line(**change: object) -> bytes:
    rev = make_revision(entity_type=R.NOTE, entity_id="n1", parents=["b" * 64, "a" * 64],
                        hlc="0001", device_id="d", author_id="a",
                        payload={"title": "T", "body": "x", "n": [1, {"k": None}]})
    data = json.loads(rev.to_json_line())
    data.update(change)
    return json.dumps(data).encode()


def test_parsing_refuses_what_it_refused() -> None:
    good = revision_from_json(_line())
    assert revision_from_checked_json(_line()) == good
    assert revision_from_json(_line().decode()) == good
    for bad in ({"payload": {"title": 1.5}}, {"payload": {"title": float("nan")}},
                {"payload": [[1, "x"]]}, {"payload": {"title": "changed"}}):
        with pytest.raises(BundleError):
            revision_from_json(_line(**bad))
    # A float outside the payload is read as before (and then fails the id check here).
    with pytest.raises(BundleError, match="does not match"):
        revision_from_json(_line(schema=1.0, entity_id="other"))
    assert revision_from_json(_line(schema=1.0)) == good
    deep = _line(payload={"a": json.loads("[" * 40 + "]" * 40)})
    with pytest.raises(BundleError, match="nested too deeply"):
        revision_from_json(deep)


def test_batched_verification_matches_one_by_one() -> None:
    keys = [Ed25519PrivateKey.generate() for _ in range(2)]
    raw = [k.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw) for k in keys]
    jobs = []
    for i in range(3 * 256 + 7):  # above the size that uses threads
        rid = f"{i:064x}"
        sig = sign_revision(rid, keys[i % 2])
        if i % 97 == 5:
            sig = sign_revision(f"{i + 1:064x}", keys[i % 2])  # signs another revision
        if i % 131 == 7:
            sig = base64.b64encode(b"short").decode()
        candidates = (raw[i % 2],) if i % 89 != 3 else (raw[(i + 1) % 2], b"bad key")
        jobs.append((rid, sig, candidates))
    verifier = RevisionVerifier()
    one_by_one = [any(verifier.verify(rid, sig, k) for k in cands) for rid, sig, cands in jobs]
    assert RevisionVerifier().verify_many(jobs) == one_by_one
    assert sum(one_by_one) < len(jobs) and sum(one_by_one) > len(jobs) // 2


def test_notes_merged_in_bulk_are_searchable(kit) -> None:  # type: ignore[no-untyped-def]
    lead, member = kit.team("lead", "member")
    edited = lead.notes.add(source_kind="observation", title="Kitchen", body="oldword")
    kit.import_(member, [kit.export(lead)])
    member.notes.edit(edited, body="newword")
    for i in range(_BULK_MIN + 5):
        member.notes.add(source_kind="observation", title=f"Visit {i}", body=f"bulkterm n{i}")
    report = kit.import_(lead, [kit.export(member)])
    assert report.revisions_new == _BULK_MIN + 6
    assert len(search.search(lead.store, "bulkterm", limit=1000)) == _BULK_MIN + 5
    assert [h.entity_id for h in search.search(lead.store, "newword")] == [str(edited)]
    assert search.search(lead.store, "oldword") == []
    with lead.store.uow(write=True) as tx:
        conn = tx._session.connection()
        conn.exec_driver_sql("INSERT INTO search_fts(search_fts, rank) "
                             "VALUES ('integrity-check', 1)")
        names = set(conn.execute(text("SELECT name FROM sqlite_master WHERE type='trigger'"))
                    .scalars())
    assert set(TRIGGERS) <= names
    later = lead.notes.add(source_kind="observation", title="After", body="laterterm")
    assert [h.entity_id for h in search.search(lead.store, "laterterm")] == [str(later)]


def test_a_forged_signature_found_while_attachments_copy_leaves_nothing(
        kit, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Signatures are checked while attachments are copied: when one fails, the copied files
    go and nothing is merged, as when the check ran first."""
    from hmip_desktop.bundle import revision_signatures
    from hmip_desktop.services.documents import DocumentService

    lead, member = kit.team("lead", "member")
    doc = tmp_path / "policy.txt"
    doc.write_text("The segregation policy requires daily reviews.", encoding="utf-8")
    DocumentService(member.store).import_files([doc])
    member.notes.add(source_kind="observation", title="Wing", body="visit")
    bundle = kit.export(member)
    files_before = sorted(p.name for p in lead.store.blobs.root.iterdir()) \
        if lead.store.blobs.root.exists() else []
    digest = kit.digest(lead)
    monkeypatch.setattr(revision_signatures, "_verify_any", lambda *_a: False)
    with pytest.raises(BundleError, match="did not sign"):
        kit.import_(lead, [bundle])
    assert kit.digest(lead) == digest
    files_after = sorted(p.name for p in lead.store.blobs.root.iterdir()) \
        if lead.store.blobs.root.exists() else []
    assert files_after == files_before
    monkeypatch.undo()
    assert kit.import_(lead, [bundle]).blobs_new == 1
