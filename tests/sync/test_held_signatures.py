"""Signatures that arrive for revisions a device already holds unsigned (its own, or a
legacy change a leader vouched for): stored only once verified against the roster, never
for the device's own, so no member can plant a bad signature that the team then refuses."""

from __future__ import annotations

import base64
import json

from hmip_desktop.bundle.format import parse_signer
from hmip_desktop.bundle.reader import BundleReader
from hmip_desktop.bundle.revision_signatures import RevisionVerifier, sign_revision
from hmip_desktop.domain import records as R
from hmip_desktop.domain.revision import Revision, revision_from_json
from hmip_desktop.services import bundles
from tests.sync.conftest import Device, TeamKit, acting
from tests.sync.test_signed_revisions import _craft, _lines, _refused, _unsigned_lines

GARBAGE = base64.b64encode(b"\x01" * 64).decode("ascii")


def _held(dev: Device, rev_id: str) -> Revision:
    with dev.store.uow() as tx:
        return next(r for r in tx.records.iter_revisions() if r.rev_id == rev_id)


def _replaced(lines: list[bytes], rev_id: str, signature: str) -> list[bytes]:
    """The lines with one revision carrying another signature."""
    out = []
    for line in lines:
        data = json.loads(line)
        if data["rev_id"] == rev_id:
            line = revision_from_json(line).signed(signature).to_json_line()
        out.append(line)
    return out


def _legacy_note(kit: TeamKit, lead: Device, alice: Device, bob: Device) -> str:
    """An unsigned note of Alice's (older app), vouched for by the leader and relayed to
    Bob: both hold it unsigned. Returns its revision id."""
    alice.notes.add(source_kind="observation", title="old app", body="b")
    kit.import_(lead, [_craft(kit, alice, _unsigned_lines(alice), "v1", format_version=1)])
    kit.import_(bob, [kit.export(lead)])
    with alice.store.uow() as tx:
        note = next(e for e in tx.records.list(R.NOTE) if e.payload["title"] == "old app")
    rev_id = note.winner_rev
    assert not _held(lead, rev_id).signature and not _held(bob, rev_id).signature
    return rev_id


def test_a_forged_signature_on_the_leaders_own_revision_is_never_stored(
        kit: TeamKit, trio) -> None:
    """Alice sends the leader's own inspection record with a signature that is not his: the
    leader keeps his revision unsigned (he signs it afresh on export) and his next bundle
    still carries his genuine signature, so the team does not refuse it."""
    lead, alice, _bob = trio
    with lead.store.uow() as tx:
        own = tx.records.get(lead.store.inspection_id).winner_rev
    lines = _lines(alice)
    forged_by_alice = sign_revision(own, alice.keys.signing_key)
    for sig, name in ((GARBAGE, "garbage"), (forged_by_alice, "alice-signed")):
        path = _craft(kit, alice, _replaced(lines, own, sig), name)
        assert kit.import_(lead, [path]).outcomes[0].status == "imported"
        assert not _held(lead, own).signature
    relay = kit.export(lead)
    with acting(alice), BundleReader(relay, [alice.keys.age_identity]) as reader:
        sig = next(json.loads(x)["sig"] for x in reader.iter_revision_lines()
                   if json.loads(x)["rev_id"] == own)
    assert sig == sign_revision(own, lead.keys.signing_key)
    assert RevisionVerifier().verify(own, sig, parse_signer(lead.keys.public.signer))


def test_a_genuine_relayed_signature_of_an_own_revision_is_not_stored(
        kit: TeamKit, trio) -> None:
    """Own revisions stay unsigned in their own file even when a teammate relays them with
    their genuine signature (nothing changes for the team: the export signs them)."""
    lead, alice, _bob = trio
    lead.notes.add(source_kind="observation", title="mine", body="m")
    kit.import_(alice, [kit.export(lead)])
    kit.import_(lead, [kit.export(alice)])
    with lead.store.uow() as tx:
        own = [r for r in tx.records.iter_revisions()
               if r.device_id == lead.store.device.device_id]
    assert own and not any(r.signature for r in own)


def test_a_forged_signature_on_a_held_unsigned_revision_refuses_the_bundle(
        kit: TeamKit, trio) -> None:
    """Bob relays Alice's legacy unsigned note with a signature that is not hers (his own,
    or garbage): the leader refuses the bundle naming Alice, as for a new revision, and the
    note stays unsigned."""
    lead, alice, bob = trio
    rev_id = _legacy_note(kit, lead, alice, bob)
    lines = _lines(bob)
    for sig, name in ((sign_revision(rev_id, bob.keys.signing_key), "bob-signed"),
                      (GARBAGE, "garbage"), ("not base64!", "malformed")):
        path = _craft(kit, bob, _replaced(lines, rev_id, sig), name)
        _refused(kit, lead, path, "attributed to 'Alice' that they did not sign")
        assert not _held(lead, rev_id).signature
    # Bob's genuine bundle (the note unsigned, as he holds it) still imports.
    assert kit.import_(lead, [kit.export(bob)]).outcomes[0].status == "imported"
    with lead.store.uow() as tx:
        assert tx.records.unsigned_count(except_device=lead.store.device.device_id) == 1


def test_a_genuine_signature_for_a_held_unsigned_revision_is_stored_and_relayed(
        kit: TeamKit, trio) -> None:
    """Alice updates her app: her next bundle signs the note the others hold unsigned. Bob
    stores her signature; Bob (not the leader) relays it and the leader stores it too."""
    lead, alice, bob = trio
    rev_id = _legacy_note(kit, lead, alice, bob)
    kit.import_(bob, [kit.export(alice)])
    assert _held(bob, rev_id).signature == sign_revision(rev_id, alice.keys.signing_key)
    kit.import_(lead, [kit.export(bob)])
    assert _held(lead, rev_id).signature == sign_revision(rev_id, alice.keys.signing_key)
    for dev in (lead, bob):
        with dev.store.uow() as tx:
            assert tx.records.unsigned_count(except_device=dev.store.device.device_id) == 0
    assert bundles.state_digest(lead.store) == bundles.state_digest(bob.store)


def test_one_import_bringing_a_change_unsigned_then_signed_keeps_the_signature(
        kit: TeamKit, trio) -> None:
    """Two bundles in one import, the first with Alice's note unsigned (format 1), the
    second with it signed: the signature, checked as the second bundle's, is kept."""
    lead, alice, _bob = trio
    alice.notes.add(source_kind="observation", title="both", body="b")
    old = _craft(kit, alice, _unsigned_lines(alice), "v1", format_version=1)
    new = kit.export(alice)
    kit.import_(lead, [old, new])
    with lead.store.uow() as tx:
        assert tx.records.unsigned_count(except_device=lead.store.device.device_id) == 0
