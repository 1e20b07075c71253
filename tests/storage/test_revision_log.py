"""The revision log: ids, round trips, heads, conflicts, history."""

from __future__ import annotations

import pytest

from hmip_desktop.domain import records as R
from hmip_desktop.domain.errors import BundleError
from hmip_desktop.domain.heads import field_merge, record_state
from hmip_desktop.domain.ids import deterministic_id, new_id
from hmip_desktop.domain.revision import make_revision, revision_from_json
from hmip_desktop.services import history
from hmip_desktop.services.notes import NoteService


def _rev(entity_id: str, parents: list[str], hlc: str, value: str, device: str = "d1"):
    return make_revision(entity_type=R.NOTE, entity_id=entity_id, parents=parents, hlc=hlc,
                         device_id=device, author_id="a1",
                         payload={"title": value, "source_kind": "observation", "body": value})


def test_revision_round_trips_through_its_json_line() -> None:
    """A revision serialised for a bundle parses back identical, id checked."""
    rev = _rev(new_id(), [], "000000000001-0000-d1", "Wing visit — ünïcode")
    assert revision_from_json(rev.to_json_line()) == rev


def test_tampered_revision_is_detected() -> None:
    """Changing content without changing the id is refused."""
    rev = _rev(new_id(), [], "000000000001-0000-d1", "original")
    line = rev.to_json_line().replace(b"original", b"forged!!")
    with pytest.raises(BundleError):
        revision_from_json(line)


def test_floats_are_refused_in_payloads() -> None:
    """Floats have no canonical text; payloads must use decimal strings."""
    with pytest.raises(TypeError):
        make_revision(entity_type=R.NOTE, entity_id="x", parents=[], hlc="1", device_id="d",
                      author_id="a", payload={"n": 1.5})


def test_uuid7_ids_are_time_ordered_and_unique() -> None:
    """Ids made in sequence sort in creation order."""
    ids = [new_id() for _ in range(2000)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert all(i[14] == "7" for i in ids)


def test_deterministic_ids_match_across_calls() -> None:
    """The score of test T by inspector X has the same id on every laptop."""
    assert deterministic_id("score", "i", "safety", "x") == deterministic_id("score", "i",
                                                                             "safety", "x")
    assert deterministic_id("score", "i", "safety", "x") != deterministic_id("score", "i",
                                                                             "safety", "y")


def test_concurrent_edits_give_two_heads_and_resolution_closes_them() -> None:
    """Two edits of the same parent conflict; a revision naming both heads resolves it."""
    eid = new_id()
    base = _rev(eid, [], "000000000001-0000-d1", "base")
    a = _rev(eid, [base.rev_id], "000000000002-0000-d1", "mine", "d1")
    b = _rev(eid, [base.rev_id], "000000000002-0000-d2", "theirs", "d2")
    state = record_state([base, a, b])
    assert state.conflicted and state.winner == b  # deterministic default: device order
    fix = _rev(eid, [a.rev_id, b.rev_id], "000000000003-0000-d1", "combined")
    assert not record_state([base, a, b, fix]).conflicted


def test_field_merge_takes_disjoint_changes_and_refuses_free_text() -> None:
    """Structured fields merge when disjoint; two changes of prose never auto-merge."""
    base = {"title": "t", "location": "A wing", "body": "x"}
    mine = {**base, "location": "B wing"}
    theirs = {**base, "title": "t2"}
    assert field_merge(base, mine, theirs, free_text_fields=R.FREE_TEXT_FIELDS) == {
        "title": "t2", "location": "B wing", "body": "x"}
    assert field_merge(base, {**base, "body": "y"}, {**base, "body": "z"},
                       free_text_fields=R.FREE_TEXT_FIELDS) is None


def test_store_history_records_every_change(store) -> None:
    """Each save appends a revision; history lists them with the last one as head."""
    notes = NoteService(store)
    nid = notes.add(source_kind="observation", title="Night visit", body="first")
    notes.edit(nid, body="second")
    notes.edit(nid, body="third")
    entries = history.history(store, nid)
    assert [e.payload["body"] for e in entries] == ["first", "second", "third"]
    assert [e.is_head for e in entries] == [False, False, True]
    assert entries[1].parents == (entries[0].rev_id,)
    assert all(e.author_id == store.device.author_id for e in entries)


def test_delete_is_a_tombstone_and_undo_restores(store) -> None:
    """Deleting keeps history; restoring writes a new live revision."""
    notes = NoteService(store)
    nid = notes.add(source_kind="observation", title="To delete", body="keep me")
    old = notes.get(nid)
    notes.delete(nid)
    assert notes.list() == []
    notes.restore(nid, {"source_kind": old.source_kind, "title": old.title, "body": old.body})
    assert notes.get(nid).body == "keep me"
    assert len(history.history(store, nid)) == 3


def test_appending_the_same_revisions_twice_changes_nothing(store) -> None:
    """The log is a set: re-appending existing revisions is a no-op."""
    NoteService(store).add(source_kind="observation", title="n", body="b")
    with store.uow() as tx:
        revs = list(tx.records.iter_revisions())
    with store.uow(write=True) as tx:
        assert tx.records.append(revs) == []
    with store.uow() as tx:
        assert tx.records.revision_count() == len(revs)


def test_conflict_surfaces_in_the_store(store) -> None:
    """Two revisions on the same parent from two devices leave the record conflicted."""
    notes = NoteService(store)
    nid = notes.add(source_kind="observation", title="shared", body="base")
    with store.uow() as tx:
        parent = tx.records.get(nid).winner_rev
    other = make_revision(entity_type=R.NOTE, entity_id=nid, parents=[parent],
                          hlc="ffffffffffff-0000-other", device_id="other", author_id="b",
                          payload={"source_kind": "observation", "title": "shared",
                                   "body": "theirs"})
    notes.edit(nid, body="mine")
    with store.uow(write=True) as tx:
        tx.records.append([other])
    with store.uow() as tx:
        assert [e.id for e in tx.records.conflicted()] == [nid]
        assert len(tx.records.heads(nid)) == 2
