"""Findings 3, 4, 5 and 8: a team member's hostile bundle (crafted with the project's own
writer and the member's real keys) is refused with one clear line and changes nothing."""

from __future__ import annotations

import json

import pytest

from hmip_desktop.bundle.format import REVISIONS_MEMBER
from hmip_desktop.domain import records as R
from hmip_desktop.domain.errors import BundleError, UserError
from hmip_desktop.domain.hlc import (
    MAX_COUNTER,
    MAX_MILLIS,
    ClockExhausted,
    HlcStamp,
    HybridLogicalClock,
)
from hmip_desktop.domain.ids import new_id
from hmip_desktop.domain.revision import make_revision
from tests.export.conftest import flip_bit, member_data_offset
from tests.sync.test_hostile_import import _craft, _lines, _refused


@pytest.fixture
def team(kit, trio):  # type: ignore[no-untyped-def]
    lead, alice, bob = trio
    alice.notes.add(source_kind="observation", title="t", body="b")
    return kit, lead, alice


def _note(alice, payload, *, hlc=None, entity_type=R.NOTE):  # type: ignore[no-untyped-def]
    """A revision by Alice, signed with her own key (as a member crafting a bundle could)."""
    from hmip_desktop.bundle.revision_signatures import sign_revision

    rev = make_revision(entity_type=entity_type, entity_id=new_id(), parents=[],
                        hlc=hlc or alice.store.clock.now(),
                        device_id=alice.store.device.device_id,
                        author_id=alice.store.device.author_id, payload=payload)
    return rev.signed(sign_revision(rev.rev_id, alice.keys.signing_key))


def _craft_raw(kit, signer, lines, name, **fields):  # type: ignore[no-untyped-def]
    """Like _craft, for lines Python's own json cannot read (hlc range given)."""
    import uuid

    from hmip_desktop.bundle.writer import write_bundle

    manifest = {
        "schema": 1, "app": "test", "inspection_id": signer.store.inspection_id,
        "bundle_id": str(uuid.uuid4()), "device_id": signer.store.device.device_id,
        "author": {"id": signer.store.device.author_id, "name": signer.name},
        "full_state": True, "extra": {"kind": "sync"}, **fields,
    }
    path = kit.root / name
    write_bundle(path, manifest_fields=manifest, revision_lines=lines, blobs=[],
                 recipients=[d.keys.public.recipient for d in kit.devices.values()],
                 signing_key=signer.keys.signing_key)
    return path


NOTE = {"source_kind": "observation", "title": "x", "body": "y"}


# --- 3: bounded clocks -----------------------------------------------------------------------

def test_a_stamp_far_ahead_is_refused_and_the_leader_keeps_working(team) -> None:
    """The largest clock value used to make the leader's next stamp overflow its encoding,
    so the team refused every later leader bundle as damaged."""
    kit, lead, alice = team
    device = alice.store.device.device_id
    for hlc in (f"{MAX_MILLIS:012x}-{MAX_COUNTER:04x}-{device}",
                f"{MAX_MILLIS // 2:012x}-0000-{device}"):
        rev = _note(alice, NOTE, hlc=hlc)
        path = _craft(kit, alice, [*_lines(alice), rev.to_json_line()], f"clock{hlc[:3]}.hmip")
        _refused(kit, lead, path, "ahead of this computer's clock")
    lead.notes.add(source_kind="observation", title="after", body="z")
    report = kit.import_(alice, [kit.export(lead)])
    assert report.imported == 1


def test_a_clock_a_little_ahead_is_accepted(team) -> None:
    """Ordinary clock drift (an hour) is not refused."""
    import time

    kit, lead, alice = team
    soon = int(time.time() * 1000) + 3600 * 1000
    rev = _note(alice, NOTE, hlc=f"{soon:012x}-0000-{alice.store.device.device_id}")
    path = _craft(kit, alice, [*_lines(alice), rev.to_json_line()], "drift.hmipbundle")
    assert kit.import_(lead, [path]).imported == 1


def test_clock_encoding_cannot_overflow() -> None:
    """At the limits the clock never writes a stamp its own decoder refuses."""
    clock = HybridLogicalClock("d", f"{MAX_MILLIS:012x}-{MAX_COUNTER - 1:04x}-x",
                               wall=lambda: 0)
    last = clock.now()
    assert HlcStamp.decode(last) == HlcStamp(MAX_MILLIS, MAX_COUNTER, "d")
    with pytest.raises(ClockExhausted) as info:
        clock.now()
    assert isinstance(info.value, UserError)
    # counter overflow below the limit moves the millis on
    clock = HybridLogicalClock("d", f"{MAX_MILLIS - 1:012x}-{MAX_COUNTER:04x}-x",
                               wall=lambda: 0)
    assert HlcStamp.decode(clock.now()) == HlcStamp(MAX_MILLIS, 0, "d")
    # a wall clock beyond the encoding is clamped
    clock = HybridLogicalClock("d", wall=lambda: MAX_MILLIS + 10)
    assert HlcStamp.decode(clock.now()).millis == MAX_MILLIS
    clock.observe(f"{MAX_MILLIS:012x}-{MAX_COUNTER:04x}-e")
    with pytest.raises(ClockExhausted):
        clock.now()
    for bad in ("+00000000000a-0000-x", "00000000000A-0000-x", "1000000000000-0000-x",
                "000000000001-00001-x", "00000000000 1-0000-x", "000000000001-0000"):
        with pytest.raises(ValueError):
            HlcStamp.decode(bad)
    with pytest.raises(ValueError):
        HlcStamp(MAX_MILLIS + 1, 0, "d").encode()


# --- 4: payloads checked against their record type -----------------------------------------

@pytest.mark.parametrize(("payload", "kind", "match"), [
    ({**NOTE, "title": {"a": 1}}, R.NOTE, "wrongly typed field 'title'"),
    ({**NOTE, "interpreter_used": "yes"}, R.NOTE, "wrongly typed field 'interpreter_used'"),
    ({"evidence_id": 5, "evidence_type": "note", "expectation_ref": "1"}, R.LINK,
     "wrongly typed field 'evidence_id'"),
    ({"title": "d", "filename": "f", "mime": "m", "sha256": "../../etc", "size": 1},
     R.DOCUMENT, "malformed field 'sha256'"),
    ({"x": 1}, "shell_command", "unknown record type"),
    ({"body": "x" * (8 * 1024 * 1024 + 1)}, R.NOTE, "limit: 8,388,608 characters"),
])
def test_wrongly_typed_or_unknown_payloads_are_refused(team, payload, kind, match) -> None:
    kit, lead, alice = team
    rev = _note(alice, payload, entity_type=kind)
    path = _craft(kit, alice, [*_lines(alice), rev.to_json_line()], "typed.hmipbundle")
    _refused(kit, lead, path, match)


# --- 5: deep nesting is a refusal, not a crash ---------------------------------------------

def test_deep_nesting_is_refused_before_parsing(team) -> None:
    kit, lead, alice = team
    deep: object = "leaf"
    for _ in range(40):
        deep = [deep]
    rev = _note(alice, {**NOTE, "extra": deep})
    path = _craft(kit, alice, [*_lines(alice), rev.to_json_line()], "deep40.hmipbundle")
    _refused(kit, lead, path, r"nested too deeply \(limit: depth 32\)")
    # 100,000 levels: the line cannot even be hashed by Python's json, so it is written raw
    good = json.loads(rev.to_json_line())
    text = json.dumps({**good, "payload": {}}).replace(
        '"payload": {}', '"payload": {"x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    lines = [*_lines(alice), rev.to_json_line()]
    hlcs = [json.loads(line)["hlc"] for line in lines]
    path = _craft_raw(kit, alice, [*lines[:-1], text.encode()], "deep100k.hmipbundle",
                      hlc_min=min(hlcs), hlc_max=max(hlcs))
    _refused(kit, lead, path, "nested too deeply")


# --- 8: verify before "already imported" ----------------------------------------------------

def test_a_damaged_copy_of_an_imported_bundle_is_damaged_not_a_repeat(team) -> None:
    kit, lead, alice = team
    good = kit.export(alice)
    assert kit.import_(lead, [good]).imported == 1
    bad = kit.root / "copy.hmipbundle"
    bad.write_bytes(good.read_bytes())
    flip_bit(bad, member_data_offset(bad, REVISIONS_MEMBER) + 100, 2)
    with pytest.raises(BundleError, match="damaged|altered"):
        kit.import_(lead, [bad])
    report = kit.import_(lead, [good])
    assert [o.status for o in report.outcomes] == ["already_imported"]
