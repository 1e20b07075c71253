"""Bundle format 2, trust between members: each revision is signed by its author's device,
a removed member is held to the history the leader knew (no clock decides), and format-1
bundles still import (issue 13 findings 1-2)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from hmip_desktop.bundle.reader import BundleReader
from hmip_desktop.bundle.revision_signatures import sign_revision
from hmip_desktop.bundle.writer import write_bundle
from hmip_desktop.domain import records as R
from hmip_desktop.domain.errors import BundleError
from hmip_desktop.domain.hlc import HlcStamp
from hmip_desktop.domain.revision import Revision, make_revision
from hmip_desktop.services import bundles, team
from tests.sync.conftest import Device, TeamKit, acting


def _lines(dev: Device) -> list[bytes]:
    """The device's revisions as its export would sign them."""
    from hmip_desktop.services.bundle_export import _signed

    with dev.store.uow() as tx:
        return [_signed(r, dev.store, dev.keys).to_json_line()
                for r in tx.records.iter_revisions()]


def _craft(kit: TeamKit, signer: Device, lines: list[bytes], name: str,
           format_version: int = 2) -> Path:
    """A bundle written by the project's own writer with a member's real keys."""
    hlcs = [json.loads(line)["hlc"] for line in lines]
    manifest: dict[str, Any] = {
        "schema": 1, "app": "test", "inspection_id": signer.store.inspection_id,
        "bundle_id": str(uuid.uuid4()), "device_id": signer.store.device.device_id,
        "author": {"id": signer.store.device.author_id, "name": signer.name},
        "hlc_min": min(hlcs), "hlc_max": max(hlcs), "full_state": True,
        "extra": {"kind": "sync"},
    }
    path = kit.root / name
    write_bundle(path, manifest_fields=manifest, revision_lines=lines, blobs=[],
                 recipients=[d.keys.public.recipient for d in kit.devices.values()],
                 signing_key=signer.keys.signing_key, format_version=format_version)
    return path


def _note_as(victim: Device, title: str, *, hlc: str | None = None) -> Revision:
    """A note revision claiming the victim's device and author."""
    d = victim.store.device
    return make_revision(entity_type=R.NOTE, entity_id=str(uuid.uuid4()), parents=(),
                         hlc=hlc or victim.store.clock.now(), device_id=d.device_id,
                         author_id=d.author_id,
                         payload={"source_kind": "observation", "title": title, "body": "x"})


def _refused(kit: TeamKit, dev: Device, path: Path, match: str) -> None:
    before = bundles.state_digest(dev.store)
    with pytest.raises(BundleError, match=match):
        kit.import_(dev, [path])
    assert bundles.state_digest(dev.store) == before


def test_exported_revisions_carry_their_authors_signatures(kit: TeamKit, trio) -> None:
    """Own revisions are signed on export; a relayed revision keeps its author's signature."""
    lead, alice, bob = trio
    alice.notes.add(source_kind="observation", title="wing visit", body="b")
    kit.import_(lead, [kit.export(alice)])
    relay = kit.export(lead)
    with acting(bob), BundleReader(relay, [bob.keys.age_identity]) as reader:
        assert reader.format == 2
        revs = [json.loads(line) for line in reader.iter_revision_lines()]
    assert revs and all(r.get("sig") for r in revs)
    kit.import_(bob, [relay])
    with bob.store.uow() as tx:
        held = [r for r in tx.records.iter_revisions()
                if r.device_id == alice.store.device.device_id]
        assert held and all(r.signature for r in held)
        assert tx.records.unsigned_count(except_device=bob.store.device.device_id) == 0


def test_a_member_cannot_attribute_a_change_to_another(kit: TeamKit, trio) -> None:
    """Finding 1: Alice's bundle claiming a note by Bob, or an inspection edit by the leader,
    is refused naming who it claims, whether she signs it herself or leaves it unsigned."""
    lead, alice, bob = trio
    forged = _note_as(bob, "not mine")
    signed_by_alice = forged.signed(sign_revision(forged.rev_id, alice.keys.signing_key))
    base = _lines(alice)
    _refused(kit, lead, _craft(kit, alice, [*base, signed_by_alice.to_json_line()], "f1"),
             "attributed to 'Bob' that they did not sign")
    _refused(kit, lead, _craft(kit, alice, [*base, forged.to_json_line()], "f2"),
             "unsigned change attributed to 'Bob'")
    with lead.store.uow() as tx:
        record = tx.records.get(lead.store.inspection_id)
    d = lead.store.device
    edit = make_revision(entity_type=R.INSPECTION, entity_id=lead.store.inspection_id,
                         parents=(record.winner_rev,), hlc=alice.store.clock.now(),
                         device_id=d.device_id, author_id=d.author_id,
                         payload={**record.payload, "establishment_name": "HMP Elsewhere"})
    edit = edit.signed(sign_revision(edit.rev_id, alice.keys.signing_key))
    _refused(kit, bob, _craft(kit, alice, [*base, edit.to_json_line()], "f3"),
             "attributed to 'Lead' that they did not sign")
    # Her own device with someone else's author id is refused too.
    mine = make_revision(entity_type=R.NOTE, entity_id=str(uuid.uuid4()), parents=(),
                         hlc=alice.store.clock.now(), device_id=alice.store.device.device_id,
                         author_id=bob.store.device.author_id,
                         payload={"source_kind": "observation", "title": "t", "body": "x"})
    mine = mine.signed(sign_revision(mine.rev_id, alice.keys.signing_key))
    _refused(kit, lead, _craft(kit, alice, [*base, mine.to_json_line()], "f4"),
             "attributed to 'Alice' that they did not sign")


def test_a_removed_member_cannot_back_date(kit: TeamKit, trio) -> None:
    """Finding 2: after removal, Bob's note stamped (and signed) before the removal is
    refused: the removal names the history the leader held, and no clock decides."""
    lead, alice, bob = trio
    bob.notes.add(source_kind="observation", title="before", body="x")
    kit.import_(lead, [kit.export(bob)])
    with lead.store.uow() as tx:
        first = min(r.hlc for r in tx.records.iter_revisions())
    team.remove_member(lead.store, bob.card.fingerprint, keys=lead.keys)
    stamp = HlcStamp.decode(first)
    old = HlcStamp(stamp.millis, stamp.counter, bob.store.device.device_id).encode()
    rev = _note_as(bob, "back-dated", hlc=old)
    rev = rev.signed(sign_revision(rev.rev_id, bob.keys.signing_key))
    path = _craft(kit, bob, [*_lines(bob), rev.to_json_line()], "backdated")
    _refused(kit, lead, path, "had not received when they were removed")
    # What the leader held of Bob's before the removal still travels: a relay by Alice of
    # the leader's state (Bob's earlier note included) is accepted everywhere.
    kit.import_(alice, [kit.export(lead)])
    assert kit.import_(lead, [kit.export(alice)]).outcomes[0].status == "imported"


def _unsigned_lines(dev: Device) -> list[bytes]:
    """The device's revisions as an older app wrote them (no signatures)."""
    with dev.store.uow() as tx:
        return [r.signed("").to_json_line() for r in tx.records.iter_revisions()]


def test_format_1_bundles_still_import(kit: TeamKit, trio) -> None:
    """An older app's bundle (format 1, unsigned revisions) imports when every new revision
    is the sender's own; an unsigned change relayed by anyone but the leader is refused."""
    lead, alice, bob = trio
    alice.notes.add(source_kind="observation", title="old app", body="b")
    lines = _unsigned_lines(alice)
    assert not any(b'"sig"' in line for line in lines)
    report = kit.import_(lead, [_craft(kit, alice, lines, "v1.hmipbundle", format_version=1)])
    assert report.outcomes[0].status == "imported" and report.revisions_new >= 1
    # The leader's relay vouches for Alice's unsigned change: Bob accepts it, and it is
    # marked unsigned in his file.
    kit.import_(bob, [kit.export(lead)])
    with bob.store.uow() as tx:
        assert tx.records.unsigned_count(except_device=bob.store.device.device_id) >= 1
    assert bundles.state_digest(bob.store) == bundles.state_digest(lead.store)
    # A second unsigned note reaches Bob straight from Alice's older app; Bob may not pass
    # it on to the leader, who has never seen it: only its author's signature would do.
    alice.notes.add(source_kind="observation", title="old app again", body="c")
    kit.import_(bob, [_craft(kit, alice, _unsigned_lines(alice), "v1b", format_version=1)])
    _refused(kit, lead, kit.export(bob), "unsigned change attributed to 'Alice'")


def _member_bytes(path: Path, reader_keys: Device) -> list[bytes]:
    import zipfile

    with zipfile.ZipFile(path) as zf:
        return [zf.read(n) for n in sorted(zf.namelist()) if n.startswith("blobs/")]


def test_attachments_travel_as_stored_and_are_never_decrypted_on_import(
        kit: TeamKit, trio, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 11 §3: the bundle carries the stored ciphertext; import copies and checks it
    against the signed listing without decrypting; the file then opens on the leader's."""
    from hmip_desktop.bundle import reader as bundle_reader
    from hmip_desktop.services.attachments import add_bytes

    lead, alice, _bob = trio
    data = b"%PDF use of force log " * 5000
    sha, _size, _new = add_bytes(alice.store, data, "application/pdf")
    stored = alice.store.blobs.path_of(sha).read_bytes()
    path = kit.export(alice)
    assert _member_bytes(path, lead) == [stored]

    def no_decrypt(*_a: object, **_k: object) -> None:
        raise AssertionError("an attachment was decrypted during the import")

    monkeypatch.setattr(bundle_reader.BundleReader, "copy_blob_to", no_decrypt)
    monkeypatch.setattr(bundle_reader.BundleReader, "open_blob", no_decrypt)
    report = kit.import_(lead, [path])
    monkeypatch.undo()
    assert report.blobs_new == 1
    assert lead.store.blobs.path_of(sha).read_bytes() == stored
    assert lead.store.blobs.read_bytes(sha) == data


def test_attachments_added_after_a_removal_use_a_key_the_removed_member_lacks(
        kit: TeamKit, trio) -> None:
    """A removal makes a new team attachment key current; the others adopt it from the
    leader's next bundle; the removed member, who receives no later bundle, cannot read
    attachments added afterwards."""
    import pyrage

    from hmip_desktop.services.attachments import add_bytes

    lead, alice, bob = trio
    before = lead.store.blobs.current_recipient
    assert alice.store.blobs.current_recipient == before  # adopted from the invite
    team.remove_member(lead.store, bob.card.fingerprint, keys=lead.keys)
    assert lead.store.blobs.current_recipient != before
    sha, _size, _new = add_bytes(lead.store, b"after the removal", "text/plain")
    kit.import_(alice, [kit.export(lead)])
    assert alice.store.blobs.current_recipient == lead.store.blobs.current_recipient
    assert alice.store.blobs.read_bytes(sha) == b"after the removal"
    ciphertext = lead.store.blobs.path_of(sha).read_bytes()
    with bob.store.uow() as tx:
        bob_keys = [pyrage.x25519.Identity.from_str(k)
                    for k in tx.attachment_keys.all().values()]
    with pytest.raises(pyrage.DecryptError):
        pyrage.decrypt(ciphertext, bob_keys)


def test_history_and_self_check_mark_unsigned_changes(kit: TeamKit, trio) -> None:
    """A change an older app sent unsigned (vouched for by the leader) is marked unsigned in
    history, GUI and command line, and counted by self-check."""
    from hmip_desktop.services import history, selfcheck

    lead, alice, bob = trio
    alice.notes.add(source_kind="observation", title="old app", body="b")
    kit.import_(lead, [_craft(kit, alice, _unsigned_lines(alice), "v1", format_version=1)])
    kit.import_(bob, [kit.export(lead)])
    with bob.store.uow() as tx:
        note = next(e for e in tx.records.list(R.NOTE) if e.payload["title"] == "old app")
    entries = history.history(bob.store, note.id)
    assert [e.signed for e in entries] == [False]
    path = bob.store.path
    bob.store.close()
    bob.store = None
    with acting(bob):
        checks = selfcheck.check_file(path, provider=None)
    unsigned = next(c for c in checks if c.name == "unsigned changes")
    assert unsigned.detail.startswith("1 change ")


def test_a_demoted_agreed_score_keeps_its_authors_signature_when_relayed(
        kit: TeamKit) -> None:
    """A non-leader's agreed score becomes their provisional score on import; that derived
    revision carries the original and its signature, so a member who relays it (not the
    leader) is believed, and a tampered derivation is refused."""
    from tests.sync.test_leader_only_agreed import _scored_team, _sneak_agreed

    lead, alice, bob, carol = _scored_team(kit, "lead", "alice", "bob", "carol")
    _sneak_agreed(alice, "poor", 1, "I think it is poor")
    kit.import_(lead, [kit.export(alice)])
    kit.import_(bob, [kit.export(lead)])
    with bob.store.uow() as tx:
        demoted = [r for r in tx.records.iter_revisions()
                   if r.entity_type == R.SCORE and "demoted_from" in r.payload]
    assert len(demoted) == 1 and demoted[0].signature
    relay = kit.export(bob)
    report = kit.import_(carol, [relay])
    assert report.outcomes[0].status == "imported"
    # The same derived revision claiming another rationale no longer matches its original.
    fake = make_revision(
        entity_type=R.SCORE, entity_id=demoted[0].entity_id, parents=(),
        hlc=demoted[0].hlc, device_id=demoted[0].device_id, author_id=demoted[0].author_id,
        payload={**demoted[0].payload, "rationale": "words put in her mouth"})
    fake = fake.signed(demoted[0].signature)
    lines = [*_lines(bob), fake.to_json_line()]
    _refused(kit, lead, _craft(kit, bob, lines, "tampered"), "attributed to 'Alice'")
