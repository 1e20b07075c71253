"""An edit made from an earlier state of a record (services.edit_base): a teammate's change
merged while the editor was open is kept, never silently undone by the editor's save."""

from __future__ import annotations

from hmip_desktop.domain.changes import ChangeSet, Saved
from hmip_desktop.services.concerns import ConcernService
from hmip_desktop.services.conflicts import list_conflicts
from hmip_desktop.services.notes import NoteService
from tests.sync.conftest import Device, TeamKit, acting


def _shared_concern(kit: TeamKit, trio: list[Device]) -> str:
    lead, alice, _bob = trio
    with acting(lead):
        cid = str(ConcernService(lead.store).add(title="Keys", body="Keys were lost.",
                                                 sections=["safety"]))
    kit.import_(alice, [kit.export(lead)])
    return cid


def _editor_fields(view) -> dict:  # type: ignore[no-untyped-def]
    """What the concern editor sends on Save: every field, as it shows them."""
    return {"title": view.title, "body": view.body, "sections": list(view.sections),
            "priority": view.priority}


def test_a_save_after_a_merge_keeps_the_teammates_other_fields(kit, trio) -> None:
    lead, alice, _bob = trio
    cid = _shared_concern(kit, trio)
    loaded = ConcernService(lead.store).get(cid)  # the lead's editor opens it
    with acting(alice):
        ConcernService(alice.store).edit(cid, title="Keys at night", priority=True)
    kit.import_(lead, [kit.export(alice)])  # merged while the lead types
    typed = {**_editor_fields(loaded), "body": "Keys were lost twice."}
    with acting(lead):
        result = ConcernService(lead.store).edit(cid, based_on=loaded.updated_hlc, **typed)
    now = ConcernService(lead.store).get(cid)
    assert (now.title, now.priority, now.body) == ("Keys at night", True,
                                                   "Keys were lost twice.")
    assert not now.conflicted
    assert isinstance(result, Saved) and not result.kept_both
    assert result.now_at == now.updated_hlc and not result.empty


def test_the_same_text_changed_on_both_sides_is_kept_twice_as_a_conflict(kit, trio) -> None:
    lead, alice, _bob = trio
    cid = _shared_concern(kit, trio)
    loaded = ConcernService(lead.store).get(cid)
    with acting(alice):
        ConcernService(alice.store).edit(cid, body="Alice: keys were lost on B wing.")
    kit.import_(lead, [kit.export(alice)])
    typed = {**_editor_fields(loaded), "body": "Lead: keys were lost at night."}
    with acting(lead):
        result = ConcernService(lead.store).edit(cid, based_on=loaded.updated_hlc, **typed)
    assert isinstance(result, Saved) and result.kept_both
    assert ConcernService(lead.store).get(cid).conflicted
    with lead.store.uow() as tx:
        bodies = {h.payload["body"] for h in tx.records.heads(cid)}
    assert bodies == {"Alice: keys were lost on B wing.", "Lead: keys were lost at night."}
    (conflict,) = list_conflicts(lead.store)
    assert conflict.record_id == cid and conflict.overlapping == ("body",)


def test_an_editors_own_saves_follow_each_other_without_conflict(kit, trio) -> None:
    lead, _alice, _bob = trio
    with acting(lead):
        notes = NoteService(lead.store)
        nid = str(notes.add(source_kind="observation", title="Wing", body="a"))
        base = notes.get(nid).updated_hlc
        for body in ("ab", "abc", "abcd"):
            result = notes.edit(nid, based_on=base, body=body)
            assert isinstance(result, Saved) and not result.kept_both
            base = result.now_at
        again = notes.edit(nid, based_on=base, body="abcd")  # unchanged: nothing written
        assert again.empty and again.now_at == base
        assert not notes.get(nid).conflicted and notes.get(nid).body == "abcd"
        # Callers that do not say where they started (the command line) get what they had.
        assert notes.edit(nid, body="abcde") == ChangeSet.of("note", nid)


def test_a_note_typed_over_a_teammates_retitle_keeps_both(kit, trio) -> None:
    lead, alice, _bob = trio
    with acting(lead):
        nid = str(NoteService(lead.store).add(source_kind="observation", title="Wing",
                                              body="Start", location="B wing"))
    kit.import_(alice, [kit.export(lead)])
    loaded = NoteService(lead.store).get(nid)
    with acting(alice):
        NoteService(alice.store).edit(nid, title="B wing at night", location="B3")
    kit.import_(lead, [kit.export(alice)])
    with acting(lead):
        NoteService(lead.store).edit(nid, based_on=loaded.updated_hlc, title=loaded.title,
                                     body="Start, then the alarm", location=loaded.location)
    now = NoteService(lead.store).get(nid)
    assert (now.title, now.location, now.body) == ("B wing at night", "B3",
                                                   "Start, then the alarm")
