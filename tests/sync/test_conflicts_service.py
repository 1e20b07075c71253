"""The conflict queue: versions side by side, take / text / payload resolution, auto-merge."""

from __future__ import annotations

import pytest

from hmip_desktop.cli.json_out import to_plain
from hmip_desktop.domain import records as R
from hmip_desktop.domain.errors import ConflictError, NotFoundError, ValidationError
from hmip_desktop.domain.merge import analyse_conflict
from hmip_desktop.domain.revision import make_revision
from hmip_desktop.services import conflicts
from tests.sync.conftest import TeamKit


def _clash(kit: TeamKit, trio, alice_change: dict, bob_change: dict) -> str:  # type: ignore[no-untyped-def]
    """A note both Alice and Bob changed without seeing each other's change, at the lead."""
    lead, alice, bob = trio
    note = alice.notes.add(source_kind="observation", title="Wing visit", body="first",
                           location="A wing")
    kit.import_(bob, [kit.export(alice)])
    alice.notes.edit(note, **alice_change)
    bob.notes.edit(note, **bob_change)
    kit.import_(lead, [kit.export(alice), kit.export(bob)])
    return note


def test_conflict_lists_versions_with_author_time_and_bundle(kit: TeamKit, trio) -> None:
    """Each head shows who wrote it, when, and which bundle brought it."""
    lead, *_ = trio
    note = _clash(kit, trio, {"body": "alice says"}, {"body": "bob says"})
    [view] = conflicts.list_conflicts(lead.store)
    assert view.record_id == note and view.record_type == R.NOTE and view.label == "Wing visit"
    assert {v.author_name for v in view.versions} == {"Alice", "Bob"}
    assert {v.bundle_author for v in view.versions} == {"Alice", "Bob"}
    assert all(v.changed_fields == ("body",) for v in view.versions)
    assert view.overlapping == ("body",) and not view.auto_mergeable
    assert sum(v.is_default for v in view.versions) == 1
    assert to_plain(view)["versions"][0]["payload"]["title"] == "Wing visit"


def test_take_text_and_payload_resolutions_close_the_conflict(kit: TeamKit, trio) -> None:
    """A resolution names every head as parent; all versions stay in history."""
    lead, *_ = trio
    note = _clash(kit, trio, {"body": "alice says"}, {"body": "bob says"})
    view = conflicts.get_conflict(lead.store, note)
    bob_rev = next(v.rev_id for v in view.versions if v.author_name == "Bob")
    result = conflicts.resolve_take(lead.store, note, bob_rev[:10])
    with lead.store.uow() as tx:
        rev = tx.records.revision(result.rev_id)
        assert set(rev.parents) == {v.rev_id for v in view.versions}
        assert tx.records.get(note).payload["body"] == "bob says"
        assert not tx.records.get(note).conflicted
    with pytest.raises(ConflictError):
        conflicts.resolve_take(lead.store, note, bob_rev)


def test_text_resolution_and_validation(kit: TeamKit, trio) -> None:
    """Combined text goes into the field; an invalid payload is refused."""
    lead, *_ = trio
    note = _clash(kit, trio, {"body": "alice says"}, {"body": "bob says"})
    with pytest.raises(ValidationError):
        conflicts.resolve_payload(lead.store, note, {"title": ""})
    conflicts.resolve_text(lead.store, note, "alice says; bob says")
    with lead.store.uow() as tx:
        assert tx.records.get(note).payload["body"] == "alice says; bob says"
    with pytest.raises(NotFoundError):
        conflicts.get_conflict(lead.store, note)


def test_auto_resolve_merges_disjoint_fields_only(kit: TeamKit, trio) -> None:
    """Disjoint structured changes merge; two edits of prose wait for a person."""
    lead, alice, bob = trio
    structured = _clash(kit, trio, {"location": "B wing"}, {"title": "Wing visit (night)"})
    prose = alice.notes.add(source_kind="observation", title="Another", body="x")
    kit.import_(bob, [kit.export(alice)])
    alice.notes.edit(prose, body="alice prose")
    bob.notes.edit(prose, body="bob prose")
    kit.import_(lead, [kit.export(alice), kit.export(bob)])
    report = conflicts.auto_resolve(lead.store)
    assert report.resolved == (structured,) and report.remaining == (prose,)
    with lead.store.uow() as tx:
        merged = tx.records.get(structured).payload
    assert merged["location"] == "B wing" and merged["title"] == "Wing visit (night)"
    assert merged["body"] == "first"


def test_delete_against_edit_is_a_conflict_for_a_person(kit: TeamKit, trio) -> None:
    """A delete concurrent with an edit is never auto-merged."""
    lead, alice, bob = trio
    note = alice.notes.add(source_kind="observation", title="t", body="b")
    kit.import_(bob, [kit.export(alice)])
    alice.notes.delete(note)
    bob.notes.edit(note, location="C wing")
    kit.import_(lead, [kit.export(alice), kit.export(bob)])
    [view] = conflicts.list_conflicts(lead.store)
    assert "deletes" in view.reason and any(v.deleted for v in view.versions)
    assert conflicts.auto_resolve(lead.store).remaining == (note,)
    keep = next(v.rev_id for v in view.versions if not v.deleted)
    conflicts.resolve_take(lead.store, note, keep)
    with lead.store.uow() as tx:
        assert not tx.records.get(note).deleted


def test_analysis_without_common_base_and_roster_records(trio) -> None:
    """Two unrelated first versions have no base; roster conflicts go to the team page."""
    a = make_revision(entity_type=R.SCORE, entity_id="s", parents=[], hlc="000000000001-0000-a",
                      device_id="a", author_id="a", payload={"rating": "good"})
    b = make_revision(entity_type=R.SCORE, entity_id="s", parents=[], hlc="000000000001-0000-b",
                      device_id="b", author_id="b", payload={"rating": "poor"})
    analysis = analyse_conflict([a, b])
    assert analysis.base is None and not analysis.auto_mergeable
    lead, *_ = trio
    with lead.store.uow() as tx:
        member = tx.records.list(R.TEAM_MEMBER)[0]
    with pytest.raises(ValidationError, match="Team roster"):
        conflicts.resolve_take(lead.store, member.id, member.winner_rev)


def test_history_names_authors_and_what_each_revision_changed(kit: TeamKit, trio) -> None:
    """Edits made side by side each changed only their own field, whatever their clock
    order; each names its author as the roster does (and "(me)" on the lead's laptop)."""
    from hmip_desktop.services.history import author_label, history

    lead, *_ = trio
    note = _clash(kit, trio, {"body": "alice says"}, {"location": "B wing"})
    entries = history(lead.store, note)
    first, *edits = entries
    assert first.author_name == "Alice" and "title" in first.changed
    assert sorted((e.author_name, e.changed) for e in edits) == [
        ("Alice", ("body",)), ("Bob", ("location",))]
    resolved = conflicts.auto_resolve(lead.store)
    assert resolved.remaining == ()
    last = history(lead.store, note)[-1]
    assert author_label(last, lead.store.device.author_id) == "Lead (me)"
    assert author_label(first, lead.store.device.author_id) == "Alice"
