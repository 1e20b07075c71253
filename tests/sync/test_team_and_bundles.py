"""Team set-up by invite, bundle export and import, repeats, undo, removal and trust."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from hmip_desktop.domain import records as R
from hmip_desktop.domain.errors import BundleError, Cancelled, UserError, ValidationError
from hmip_desktop.services import bundles, join, team
from hmip_desktop.services.attachments import add_bytes
from hmip_desktop.services.inspections import inspection_payload, pinned_framework
from tests.sync.conftest import TeamKit, acting


def _sync_all(kit: TeamKit, devs) -> None:  # type: ignore[no-untyped-def]
    """Everyone exports; the leader merges all; everyone merges the leader's bundle."""
    lead, *others = devs
    kit.import_(lead, [kit.export(d) for d in others])
    merged = kit.export(lead)
    for d in others:
        kit.import_(d, [merged])


def test_invite_gives_each_member_the_same_inspection(trio) -> None:
    """Joined files share the inspection id, framework, roster and state digest."""
    lead, alice, bob = trio
    assert alice.store.inspection_id == lead.store.inspection_id == bob.store.inspection_id
    assert pinned_framework(alice.store) == pinned_framework(lead.store)
    assert inspection_payload(bob.store)["establishment_name"] == "HMP Testfield"
    view = team.roster_view(alice.store)
    assert [m.name for m in view.members] == ["Lead", "Alice", "Bob"]
    assert view.me is not None and view.me.name == "Alice"
    assert view.anchor_fingerprint == lead.keys.public.fingerprint
    assert len({d.store.path for d in trio}) == 3


def test_edits_converge_and_concurrent_edits_conflict(kit: TeamKit, trio) -> None:
    """After a full exchange all three files have the same digest; a real clash conflicts."""
    lead, alice, bob = trio
    note = alice.notes.add(source_kind="observation", title="Wing visit", body="first")
    _sync_all(kit, trio)
    alice.notes.edit(note, body="alice's version")
    bob.notes.edit(note, body="bob's version")
    _sync_all(kit, trio)
    digests = {kit.digest(d) for d in trio}
    assert len(digests) == 1
    with lead.store.uow() as tx:
        assert tx.records.get(note).conflicted


def test_attachments_travel_once_unless_full(kit: TeamKit, trio) -> None:
    """A blob goes out in the first bundle only; --full sends it again; the lead stores it."""
    lead, alice, _bob = trio
    sha, _size, _ = add_bytes(alice.store, b"%PDF scanned policy" * 500, "application/pdf")
    first, second = kit.export(alice), kit.export(alice)
    full = kit.export(alice, full=True)
    with acting(alice):
        sizes = [bundles.inspect_bundle_file(p, keys=alice.keys).blobs
                 for p in (first, second, full)]
    assert sizes == [1, 0, 1]
    report = kit.import_(lead, [second])
    assert report.blobs_new == 0
    report = kit.import_(lead, [first])
    assert report.blobs_new == 1 and lead.store.blobs.read_bytes(sha).startswith(b"%PDF")


def test_an_attachment_from_the_leader_is_not_sent_back(kit: TeamKit, trio) -> None:
    """What arrives in the leader's merged bundle, the leader holds: a member's next bundle
    leaves it out (--full still sends it). The leader relays what members send, and a member
    relays what a teammate sent directly."""
    lead, alice, bob = trio
    add_bytes(alice.store, b"%PDF scanned policy" * 500, "application/pdf")

    def blobs(dev, **kw) -> int:  # type: ignore[no-untyped-def]
        path = kit.export(dev, **kw)
        with acting(dev):
            return bundles.inspect_bundle_file(path, keys=dev.keys).blobs

    from_alice = kit.export(alice)
    kit.import_(lead, [from_alice])
    merged = kit.export(lead)
    with acting(lead):
        assert bundles.inspect_bundle_file(merged, keys=lead.keys).blobs == 1
    kit.import_(bob, [merged])
    assert blobs(bob) == 0
    assert blobs(bob, full=True) == 1
    second_sha, _, _ = add_bytes(alice.store, b"second scan" * 300, "application/pdf")
    kit.import_(bob, [kit.export(alice)])  # straight from a teammate: Bob relays it
    assert blobs(bob) == 1
    assert bob.store.blobs.read_bytes(second_sha).startswith(b"second scan")


def test_changes_not_yet_exported_are_a_members_own(kit: TeamKit, trio) -> None:
    """A member's count of changes not yet exported is what they have to send: what the
    leader's bundle brought is not (the leader holds it); the leader's merge is (the team
    needs it back); a member's own change still counts after an import."""
    lead, alice, bob = trio
    alice.notes.add(source_kind="observation", title="Wing", body="first")
    kit.import_(lead, [kit.export(alice)])
    assert lead.store.unexported_count() > 0  # the leader relays Alice's note
    merged = kit.export(lead)
    assert bob.store.unexported_count() == 0 or kit.export(bob)
    kit.import_(bob, [merged])
    assert bob.store.unexported_count() == 0
    bob.notes.add(source_kind="observation", title="Yard", body="mine")
    assert bob.store.unexported_count() == 1
    alice.notes.add(source_kind="observation", title="Gym", body="second")
    kit.import_(lead, [kit.export(alice)])
    kit.import_(bob, [kit.export(lead)])
    assert bob.store.unexported_count() >= 1  # his own note is still to send


def test_reimport_changes_nothing_and_says_so(kit: TeamKit, trio) -> None:
    """Importing the same bundle twice (or twice in one go) is recognised by the import log."""
    lead, alice, _ = trio
    alice.notes.add(source_kind="observation", title="t", body="b")
    path = kit.export(alice)
    first = kit.import_(lead, [path, path])
    assert first.imported == 1 and first.changed
    again = kit.import_(lead, [path])
    assert [o.status for o in again.outcomes] == ["already_imported"]
    assert not again.changed and again.digest_before == again.digest_after


def test_import_order_and_grouping_do_not_matter(kit: TeamKit, trio) -> None:
    """The lead's state after importing a set of bundles is the same however it is split."""
    lead, alice, bob = trio
    a = alice.notes.add(source_kind="observation", title="a", body="a")
    bob.notes.add(source_kind="observation", title="b", body="b")
    pa1 = kit.export(alice)
    alice.notes.edit(a, body="a2")
    pa2, pb = kit.export(alice), kit.export(bob)
    kit.import_(lead, [pb, pa1])
    kit.import_(lead, [pa2, pa1])
    one = kit.digest(lead)
    # A second copy of the lead's file, fed the same bundles grouped and ordered differently.
    late = kit.device("late", "team_leader")
    late.keys = lead.keys
    with acting(late):
        from hmip_desktop.services.join import create_store_for
        late.store = create_store_for(kit.root / "late.hmip", lead.store.inspection_id,
                                      provider=None)
    with late.store.uow(write=True) as tx:
        tx.meta.set("team_anchor", lead.keys.public.signer)
    kit.import_(late, [pa2, kit.root / "invite.hmipbundle"])
    kit.import_(late, [pa1, pb, pa2])
    assert kit.digest(late) == one


def test_undo_last_merge_restores_the_state(kit: TeamKit, trio) -> None:
    """Undo puts the file back exactly; a second undo has nothing to do."""
    lead, alice, _ = trio
    alice.notes.add(source_kind="observation", title="t", body="b")
    add_bytes(alice.store, b"attachment", "text/plain")
    before = kit.digest(lead)
    report = kit.import_(lead, [kit.export(alice)])
    assert report.changed and report.snapshot
    assert bundles.import_history(lead.store)[0].undoable
    undo = bundles.undo_last_merge(lead.store)
    assert undo.digest_after == before == kit.digest(lead)
    assert bundles.import_history(lead.store) == []
    with pytest.raises(UserError, match="no merge to undo"):
        bundles.undo_last_merge(lead.store)
    again = kit.import_(lead, [alice.bundles_written[0]])
    assert again.imported == 1


def test_undo_cancelled_inside_a_table_copy_leaves_the_file_merged(
        kit: TeamKit, trio, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cancel pressed while SQLite is copying a table back interrupts the statement; the
    transaction is rolled back, the file stays merged, and undo still works after."""
    import sys

    from hmip_desktop.domain.errors import Cancelled
    from hmip_desktop.storage import sync_repo

    class PressedMidStatement:
        """Cancel that turns on the first time SQLite's progress handler asks."""

        def __init__(self) -> None:
            self.pressed = False

        def is_set(self) -> bool:
            if sys._getframe(1).f_code.co_name == "<lambda>":  # the handler, mid-statement
                self.pressed = True
            return self.pressed

    lead, alice, _ = trio
    for n in range(30):
        alice.notes.add(source_kind="observation", title=f"t{n}", body="b" * 200)
    before = kit.digest(lead)
    kit.import_(lead, [kit.export(alice)])
    merged = kit.digest(lead)
    monkeypatch.setattr(sync_repo, "_HANDLER_STEPS", 50)  # the handler asks very often
    seen: list[tuple[int, int]] = []
    cancel = PressedMidStatement()
    with pytest.raises(Cancelled):
        bundles.undo_last_merge(lead.store, progress=lambda d, t: seen.append((d, t)),
                                cancel=cancel)  # type: ignore[arg-type]
    assert cancel.pressed and seen and seen[-1][0] < seen[-1][1]
    assert kit.digest(lead) == merged
    assert bundles.undo_last_merge(lead.store).digest_after == before


def test_undo_refused_after_later_edits(kit: TeamKit, trio) -> None:
    """Undo never throws away work done after the merge."""
    lead, alice, _ = trio
    alice.notes.add(source_kind="observation", title="t", body="b")
    kit.import_(lead, [kit.export(alice)])
    lead.notes.add(source_kind="observation", title="lead's own", body="x")
    digest = kit.digest(lead)
    with pytest.raises(UserError, match="no longer be undone"):
        bundles.undo_last_merge(lead.store)
    assert kit.digest(lead) == digest


def test_removed_member_is_not_a_recipient_and_is_refused(kit: TeamKit, trio) -> None:
    """After removal, bundles skip Bob; his later bundles and relayed edits are refused."""
    lead, alice, bob = trio
    early = kit.export(bob)  # written before the removal: still accepted
    team.remove_member(lead.store, bob.card.fingerprint, keys=lead.keys)
    roster = team.roster_view(lead.store)
    assert [m.status for m in roster.members if m.name == "Bob"] == ["removed"]
    from_lead = kit.export(lead)
    with pytest.raises(BundleError, match="not encrypted to you"), acting(bob):
        bundles.inspect_bundle_file(from_lead, keys=bob.keys)
    assert kit.import_(lead, [early]).outcomes[0].status == "imported"
    bob.notes.add(source_kind="observation", title="after removal", body="x")
    late = kit.export(bob)
    before = kit.digest(lead)
    with pytest.raises(BundleError, match="had not received when they were removed") as why:
        kit.import_(lead, [late])
    # Said to the team leader too: what to do, not "ask the team leader".
    assert "a current member enters it again" in str(why.value)
    assert "ask the team leader" not in str(why.value)
    # Alice has not heard of the removal yet and takes Bob's bundle; the lead refuses hers.
    kit.import_(alice, [late])
    with pytest.raises(BundleError, match="had not received when they were removed"):
        kit.import_(lead, [kit.export(alice)])
    assert kit.digest(lead) == before


def test_new_member_trusted_once_the_roster_arrives_in_any_order(kit: TeamKit, trio) -> None:
    """Carol's bundle is refused alone, accepted together with the lead's roster update."""
    lead, alice, _ = trio
    carol = kit.device("carol")
    team.add_members(lead.store, [carol.card], keys=lead.keys)
    invite = kit.root / "invite2.hmipbundle"
    team.write_invite(lead.store, invite, keys=lead.keys)
    with acting(carol):
        carol.store, result = join.join_open(invite, kit.root / "carol.hmip", keys=carol.keys,
                                             expect_fingerprint=lead.keys.public.fingerprint)
    assert result.members == 4
    carol.notes.add(source_kind="observation", title="c", body="c")
    from_carol, from_lead = kit.export(carol), kit.export(lead)
    with pytest.raises(BundleError, match="not on this inspection's team roster"):
        kit.import_(alice, [from_carol])
    report = kit.import_(alice, [from_carol, from_lead])
    assert report.imported == 2


def test_only_the_leader_changes_the_roster(trio) -> None:
    """A member cannot add people; roster changes they forge are refused elsewhere."""
    lead, alice, bob = trio
    with pytest.raises(UserError, match="Only the team leader"):
        team.add_members(alice.store, [bob.card], keys=alice.keys)
    with pytest.raises(UserError, match="Only the team leader"):
        team.remove_member(alice.store, "Bob", keys=alice.keys)
    with pytest.raises(ValidationError, match="cannot be removed"):
        team.remove_member(lead.store, "Lead", keys=lead.keys)


def test_join_checks_the_fingerprint_and_membership(kit: TeamKit, trio) -> None:
    """A wrong leader fingerprint, or an invite not listing this device, creates no file."""
    lead, *_ = trio
    stranger = kit.device("stranger")
    invite = kit.root / "invite.hmipbundle"
    out = kit.root / "x.hmip"
    with acting(stranger), pytest.raises(BundleError, match="not encrypted to you"):
        join.join(invite, out, keys=stranger.keys)
    dave = kit.device("dave")
    team.add_members(lead.store, [dave.card], keys=lead.keys)
    team.write_invite(lead.store, invite, keys=lead.keys)
    with acting(dave), pytest.raises(BundleError, match="fingerprint does not match"):
        join.join(invite, out, keys=dave.keys, expect_fingerprint="AAAA-BBBB-CCCC-DDDD-EEEE")
    assert not out.exists() and not Path(str(out) + ".key").exists()
    with acting(dave), pytest.raises(ValidationError, match="not an invite"):
        join.join(kit.export(lead), out, keys=dave.keys)


def test_export_watermark_and_cancel(kit: TeamKit, trio) -> None:
    """Export clears 'not exported'; a cancelled export or import writes nothing."""
    lead, alice, _ = trio
    alice.notes.add(source_kind="observation", title="t", body="b")
    assert alice.store.unexported_count() > 0
    path = kit.export(alice)
    assert alice.store.unexported_count() == 0
    stop = threading.Event()
    stop.set()
    with acting(alice), pytest.raises(Cancelled):
        bundles.export_bundle(alice.store, kit.root / "c.hmipbundle", keys=alice.keys,
                              cancel=stop)
    assert not (kit.root / "c.hmipbundle").exists()
    before = kit.digest(lead)
    with pytest.raises(Cancelled):
        kit.import_(lead, [path], cancel=stop)
    assert kit.digest(lead) == before and bundles.import_history(lead.store) == []


def test_preview_reports_trust_and_repeats(kit: TeamKit, trio) -> None:
    """The preview reads only manifests: ready, already imported, refused."""
    lead, alice, _ = trio
    outsider = kit.device("outsider")
    path = kit.export(alice)
    kit.import_(lead, [path])
    fresh = kit.export(alice)
    with acting(lead):
        previews = bundles.preview_bundles(lead.store, [path, fresh], keys=lead.keys)
    assert [p.status for p in previews] == ["already_imported", "ready"]
    assert previews[1].summary is not None and previews[1].summary.author_name == "Alice"
    with acting(outsider):
        bad = bundles.preview_bundles(lead.store, [fresh], keys=outsider.keys)
    assert bad[0].status == "refused" and "not encrypted to you" in bad[0].message


def test_progress_is_reported(kit: TeamKit, trio) -> None:
    """Import and export call progress(done, total) ending at total."""
    lead, alice, _ = trio
    add_bytes(alice.store, b"x" * (3 << 20), "application/octet-stream")
    seen: list[tuple[int, int]] = []
    with acting(alice):
        bundles.export_bundle(alice.store, kit.root / "p.hmipbundle", keys=alice.keys,
                              progress=lambda d, t: seen.append((d, t)))
    assert seen and seen[-1][0] == seen[-1][1]
    seen.clear()
    kit.import_(lead, [kit.root / "p.hmipbundle"], progress=lambda d, t: seen.append((d, t)))
    assert seen and seen[-1][0] == seen[-1][1] and len(seen) > 2
    with lead.store.uow() as tx:
        assert tx.records.count(R.TEAM_MEMBER) == 3


def test_snapshot_is_encrypted_and_only_the_last_is_kept(kit: TeamKit, trio) -> None:
    """The undo snapshot is a SQLCipher copy (no plaintext header); older ones are removed."""
    lead, alice, _ = trio
    for title in ("one", "two"):
        alice.notes.add(source_kind="observation", title=title, body="b")
        kit.import_(lead, [kit.export(alice)])
    snaps = sorted(lead.store.path.parent.glob(lead.store.path.name + ".undo-*"))
    assert len(snaps) == 1
    assert not snaps[0].read_bytes()[:16].startswith(b"SQLite format 3")
    assert bundles.undo_last_merge(lead.store).bundle_ids
    assert not list(lead.store.path.parent.glob(lead.store.path.name + ".undo-*"))
    assert [n.title for n in lead.notes.list()] == ["one"]
