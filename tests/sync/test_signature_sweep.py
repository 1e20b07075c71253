"""The one-time sweep of stored signatures (services/signature_sweep): a file used with the
release that stored signatures for held-unsigned revisions unchecked may hold a bad one on a
teammate's revision; it is cleared before the first export, once, and self-check says so."""

from __future__ import annotations

import base64

from sqlalchemy import text

from hmip_desktop.bundle.revision_signatures import sign_revision
from hmip_desktop.cli.json_out import to_plain
from hmip_desktop.domain import records as R
from hmip_desktop.services import selfcheck
from hmip_desktop.services.signature_sweep import SWEEP_KEY
from tests.sync.conftest import Device, TeamKit, acting
from tests.sync.test_held_signatures import _held, _legacy_note

GARBAGE = base64.b64encode(b"\x02" * 64).decode("ascii")


def _plant(dev: Device, rev_id: str, signature: str) -> None:
    """What the previous release could leave: a signature stored unchecked, and no record
    of the sweep (the file predates it)."""
    with dev.store.uow(write=True) as tx:
        session = tx._session  # the test writes the file as the old release did
        session.execute(text("UPDATE revision SET signature = :s WHERE rev_id = :r"),
                        {"s": signature, "r": rev_id})
        session.execute(text("DELETE FROM meta WHERE key = :k"), {"k": SWEEP_KEY})


def _swept(dev: Device) -> str | None:
    with dev.store.uow() as tx:
        return tx.meta.get(SWEEP_KEY)


def _signed_note(kit: TeamKit, lead: Device, alice: Device, bob: Device) -> str:
    """A note Alice signed, relayed by the leader: Bob stores her genuine signature."""
    alice.notes.add(source_kind="observation", title="signed", body="s")
    kit.import_(lead, [kit.export(alice)])
    kit.import_(bob, [kit.export(lead)])
    with bob.store.uow() as tx:
        note = next(e for e in tx.records.list(R.NOTE) if e.payload["title"] == "signed")
    assert _held(bob, note.winner_rev).signature
    return note.winner_rev


def test_a_planted_signature_is_cleared_before_export_and_the_bundle_imports(
        kit: TeamKit, trio) -> None:
    """Bob's file holds a garbage signature on Alice's legacy note (held unsigned by the
    leader): his first export clears it, so the leader imports his bundle instead of
    refusing it as forged; Alice's genuine signature on another note survives."""
    lead, alice, bob = trio
    genuine = _signed_note(kit, lead, alice, bob)
    kept = _held(bob, genuine).signature
    legacy = _legacy_note(kit, lead, alice, bob)
    _plant(bob, legacy, GARBAGE)
    relay = kit.export(bob)
    assert not _held(bob, legacy).signature
    assert _held(bob, genuine).signature == kept
    assert _swept(bob) == "1"
    assert kit.import_(lead, [relay]).outcomes[0].status == "imported"
    assert not _held(lead, legacy).signature


def test_a_signature_by_the_wrong_member_is_cleared(kit: TeamKit, trio) -> None:
    """A well-formed signature, but Bob's, on Alice's revision: it does not verify against
    any key the roster attests for Alice's device, so it is cleared too."""
    lead, alice, bob = trio
    legacy = _legacy_note(kit, lead, alice, bob)
    _plant(bob, legacy, sign_revision(legacy, bob.keys.signing_key))
    kit.export(bob)
    assert not _held(bob, legacy).signature


def test_the_sweep_runs_once_per_file(kit: TeamKit, trio) -> None:
    """Once recorded in the file's meta, later exports do not verify again: a signature
    stored afterwards (only verified ones can be, since the previous release) is left."""
    lead, alice, bob = trio
    legacy = _legacy_note(kit, lead, alice, bob)
    _plant(bob, legacy, GARBAGE)
    kit.export(bob)
    assert _swept(bob) == "1"
    with bob.store.uow(write=True) as tx:
        tx._session.execute(text("UPDATE revision SET signature = :s WHERE rev_id = :r"),
                            {"s": GARBAGE, "r": legacy})
    kit.export(bob)
    assert _held(bob, legacy).signature == GARBAGE  # not swept again
    assert _swept(bob) == "1"


def test_self_check_reports_the_cleared_signatures(kit: TeamKit, trio) -> None:
    """`self-check FILE` runs the sweep if no export has, and reports what it cleared, in
    text and JSON, then and on every later run; the change counts as unsigned."""
    lead, alice, bob = trio
    _signed_note(kit, lead, alice, bob)
    legacy = _legacy_note(kit, lead, alice, bob)
    _plant(bob, legacy, GARBAGE)
    path = bob.store.path
    bob.store.close()
    bob.store = None
    for _ in range(2):
        with acting(bob):
            checks = selfcheck.check_file(path, provider=None)
        swept = next(c for c in checks if c.name == "stored signatures")
        assert swept.ok and swept.detail.startswith("1 stored signature ")
        assert to_plain(swept)["count"] == 1
        unsigned = next(c for c in checks if c.name == "unsigned changes")
        assert unsigned.detail.startswith("1 change ")


def test_self_check_of_a_clean_file_reports_none(kit: TeamKit, trio) -> None:
    lead, alice, bob = trio
    _signed_note(kit, lead, alice, bob)
    path = bob.store.path
    bob.store.close()
    bob.store = None
    with acting(bob):
        checks = selfcheck.check_file(path, provider=None)
    swept = next(c for c in checks if c.name == "stored signatures")
    assert swept.detail.startswith("every stored signature") and swept.count == 0


def test_a_demoted_scores_genuine_signature_survives_the_sweep(kit: TeamKit) -> None:
    """A demoted agreed score is signed over its original's id: the sweep verifies it as an
    import does (via the original) and keeps it."""
    from tests.sync.test_leader_only_agreed import _scored_team, _sneak_agreed

    lead, alice, bob, _carol = _scored_team(kit, "lead", "alice", "bob", "carol")
    _sneak_agreed(alice, "poor", 1, "I think it is poor")
    kit.import_(lead, [kit.export(alice)])
    kit.import_(bob, [kit.export(lead)])
    with bob.store.uow() as tx:
        demoted = [r for r in tx.records.iter_revisions()
                   if r.entity_type == R.SCORE and "demoted_from" in r.payload]
    assert len(demoted) == 1 and demoted[0].signature
    _plant(bob, demoted[0].rev_id, demoted[0].signature)  # only forgets the sweep ran
    kit.export(bob)
    assert _swept(bob) == "0"
    assert _held(bob, demoted[0].rev_id).signature == demoted[0].signature
