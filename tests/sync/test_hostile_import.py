"""Hostile bundles at the service level: each is refused with a clear message, and the
inspection's state digest, import log and attachment folder are unchanged."""

from __future__ import annotations

import base64
import json
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pyrage
import pytest

from hmip_desktop.bundle.format import (
    BUNDLE_JSON,
    MANIFEST_MEMBER,
    REVISIONS_MEMBER,
    serialise_manifest,
    sign_envelope,
)
from hmip_desktop.bundle.writer import write_bundle
from hmip_desktop.domain import records as R
from hmip_desktop.domain import roster as RS
from hmip_desktop.domain.errors import BundleError, NewerVersionError
from hmip_desktop.domain.revision import make_revision
from hmip_desktop.services import bundles
from hmip_desktop.services.attachments import add_bytes
from hmip_desktop.storage.blobs import blob_dir_for
from tests.export.conftest import flip_bit, member_data_offset, rewrite_zip
from tests.sync.conftest import Device, TeamKit


@pytest.fixture
def setup(kit: TeamKit, trio):  # type: ignore[no-untyped-def]
    """The team, plus a genuine bundle from Alice with a note and an attachment."""
    lead, alice, bob = trio
    alice.notes.add(source_kind="observation", title="t", body="b")
    add_bytes(alice.store, b"%PDF evidence" * 1000, "application/pdf")
    return kit, lead, alice, bob, kit.export(alice)


def _state(dev: Device) -> tuple[str, int, list[str]]:
    blob_dir = blob_dir_for(dev.store.path)
    files = sorted(p.name for p in blob_dir.iterdir()) if blob_dir.exists() else []
    return bundles.state_digest(dev.store), len(bundles.import_history(dev.store)), files


def _refused(kit: TeamKit, dev: Device, path: Path, match: str,
             kind: type[Exception] = BundleError) -> None:
    before = _state(dev)
    with pytest.raises(kind, match=match) as info:
        kit.import_(dev, [path])
    assert path.name in str(info.value) and "Nothing was imported" in str(info.value)
    assert _state(dev) == before


def _lines(dev: Device) -> list[bytes]:
    """The device's revisions as its own export writes them (its own signed)."""
    from hmip_desktop.services.bundle_export import _signed

    with dev.store.uow() as tx:
        return [_signed(r, dev.store, dev.keys).to_json_line()
                for r in tx.records.iter_revisions()]


def _craft(kit: TeamKit, signer: Device, lines: list[bytes], name: str, **fields: Any) -> Path:
    """A bundle written by the real writer with chosen lines and manifest fields."""
    hlcs = [json.loads(line)["hlc"] for line in lines]
    manifest = {
        "schema": 1, "app": "test", "inspection_id": signer.store.inspection_id,
        "bundle_id": str(uuid.uuid4()),
        "device_id": signer.store.device.device_id,
        "author": {"id": signer.store.device.author_id, "name": signer.name},
        "hlc_min": min(hlcs), "hlc_max": max(hlcs), "full_state": True,
        "extra": {"kind": "sync"},
    }
    manifest.update(fields)
    path = kit.root / name
    recipients = [d.keys.public.recipient for d in kit.devices.values()]
    write_bundle(path, manifest_fields=manifest, revision_lines=lines, blobs=[],
                 recipients=recipients, signing_key=signer.keys.signing_key)
    return path


def test_flipped_bits_in_each_member(setup) -> None:
    """A flipped bit in the revisions, an attachment or the manifest is damage."""
    kit, lead, *_rest, good = setup
    with zipfile.ZipFile(good) as zf:
        members = [n for n in zf.namelist() if n != BUNDLE_JSON]
    for i, member in enumerate(members):
        bad = kit.root / f"flip{i}.hmipbundle"
        bad.write_bytes(good.read_bytes())
        flip_bit(bad, member_data_offset(bad, member) + 200, 3)
        _refused(kit, lead, bad, "damaged|altered")


def test_truncated_bundle(setup) -> None:
    """A bundle cut short (copy interrupted) is damage."""
    kit, lead, *_rest, good = setup
    bad = kit.root / "cut.hmipbundle"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size * 2 // 3])
    _refused(kit, lead, bad, "damaged")


@pytest.mark.parametrize("name", ["../../x", "blobs/../../x.age", "/etc/passwd", "blobs/1.age"])
def test_member_names_outside_the_whitelist(setup, name: str) -> None:
    """Names climbing out of a folder, absolute or unexpected names are refused."""
    kit, lead, *_rest, good = setup
    bad = rewrite_zip(good, kit.root / "names.hmipbundle", add=[(name, b"x")])
    _refused(kit, lead, bad, "unexpected member name")


def test_compression_bomb_is_refused_without_inflating(setup) -> None:
    """A deflated member (64 MiB of zeros in a few KiB) is refused before any reading."""
    kit, lead, *_rest, good = setup
    bad = kit.root / "bomb.hmipbundle"
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == REVISIONS_MEMBER:
                zout.writestr(info.filename, b"\0" * (64 << 20), zipfile.ZIP_DEFLATED)
            else:
                zout.writestr(zipfile.ZipInfo(info.filename), data)
    assert bad.stat().st_size < 2 * good.stat().st_size + (1 << 20)
    _refused(kit, lead, bad, "compressed")


def test_duplicate_members(setup) -> None:
    """Two members with one name are refused (which one would count?)."""
    kit, lead, *_rest, good = setup
    with zipfile.ZipFile(good) as zf:
        data = zf.read(REVISIONS_MEMBER)
    bad = rewrite_zip(good, kit.root / "dup.hmipbundle", add=[(REVISIONS_MEMBER, data)])
    _refused(kit, lead, bad, "repeated")


def _reseal(kit: TeamKit, src: Path, dst: Path, reader: Device, mutate, resign=None) -> Path:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(src) as zf:
        sealed = zf.read(MANIFEST_MEMBER)
    env = json.loads(pyrage.decrypt(sealed, [pyrage.x25519.Identity.from_str(
        reader.keys.age_identity)]))
    manifest = json.loads(base64.b64decode(env["manifest"]))
    mutate(manifest, env)
    data = serialise_manifest(manifest)
    if resign is not None:
        env = json.loads(sign_envelope(data, resign.signing_key))
    else:
        env["manifest"] = base64.b64encode(data).decode()
    recipients = [pyrage.x25519.Recipient.from_str(d.keys.public.recipient)
                  for d in kit.devices.values()]
    new = pyrage.encrypt(json.dumps(env).encode(), recipients)
    return rewrite_zip(src, dst, replace={MANIFEST_MEMBER: new})


def test_forged_signer(setup) -> None:
    """Re-signed by an outsider: not on the roster. Swapped signer key: bad signature."""
    kit, lead, alice, _bob, good = setup
    outsider = kit.device("outsider")

    def swap_key(_m, env):  # type: ignore[no-untyped-def]
        env["signer"] = lead.keys.public.signer

    def claim(m, _env):  # type: ignore[no-untyped-def]
        m["signer"] = outsider.keys.public.signer

    resigned = _reseal(kit, good, kit.root / "resigned.hmipbundle", alice, claim,
                       resign=outsider.keys)
    _refused(kit, lead, resigned, "not on this inspection's team roster")
    swapped = _reseal(kit, good, kit.root / "swapped.hmipbundle", alice, swap_key)
    _refused(kit, lead, swapped, "signature does not match")


def test_signer_not_on_roster(setup) -> None:
    """An outsider who knows every recipient still cannot get a bundle imported."""
    kit, lead, alice, *_ = setup
    outsider = kit.device("outsider")
    outsider.store = alice.store  # only to name the inspection and a device in the manifest
    path = _craft(kit, outsider, _lines(alice), "outsider.hmipbundle",
                  device_id="outsider-device")
    outsider.store = None
    _refused(kit, lead, path, "not on this inspection's team roster")


def test_member_signing_as_another_device(setup) -> None:
    """Alice's key with Bob's device id in the manifest is refused."""
    kit, lead, alice, bob, _ = setup
    path = _craft(kit, alice, _lines(alice), "otherdev.hmipbundle",
                  device_id=bob.store.device.device_id)
    _refused(kit, lead, path, "names another device")


def test_another_inspections_bundle(setup) -> None:
    """A genuine member's bundle for a different inspection is refused."""
    kit, lead, alice, *_ = setup
    path = _craft(kit, alice, _lines(alice), "other.hmipbundle",
                  inspection_id="01990000-0000-7000-8000-000000000001")
    _refused(kit, lead, path, "another inspection")


def test_future_format(setup) -> None:
    """bundle.json from a newer app says: update the app."""
    kit, lead, *_rest, good = setup
    header = json.dumps({"magic": "hmip-bundle", "format": 99}).encode()
    bad = rewrite_zip(good, kit.root / "future.hmipbundle", replace={BUNDLE_JSON: header})
    _refused(kit, lead, bad, "newer version of the app", NewerVersionError)


def test_newer_payload_schema(setup) -> None:
    """A revision written by a newer payload schema is refused, not misread."""
    kit, lead, alice, *_ = setup
    rev = make_revision(entity_type=R.NOTE, entity_id="n-future", parents=[],
                        hlc=alice.store.clock.now(), device_id=alice.store.device.device_id,
                        author_id=alice.store.device.author_id, payload={"x": "y"}, schema=2)
    path = _craft(kit, alice, [*_lines(alice), rev.to_json_line()], "schema.hmipbundle")
    _refused(kit, lead, path, "newer version of the app", NewerVersionError)


def test_tampered_revision_by_a_member(setup) -> None:
    """A revision whose content no longer matches its id is refused even when signed."""
    kit, lead, alice, *_ = setup
    lines = _lines(alice)
    note_line = next(i for i, line in enumerate(lines) if b'"entity_type":"note"' in line)
    lines[note_line] = lines[note_line].replace(b'"body":"b"', b'"body":"forged"')
    _refused(kit, lead, _craft(kit, alice, lines, "tampered.hmipbundle"), "altered")


def test_missing_parent_and_lying_dates(setup) -> None:
    """A full-state bundle must hold every parent, and its declared dates must be true."""
    kit, lead, alice, *_ = setup
    lines = _lines(alice)
    dropped = [line for line in lines if b'"entity_type":"inspection"' not in line]
    orphan = make_revision(entity_type=R.INSPECTION, entity_id=alice.store.inspection_id,
                           parents=["0" * 64], hlc=alice.store.clock.now(),
                           device_id=alice.store.device.device_id,
                           author_id=alice.store.device.author_id, payload={})
    _refused(kit, lead, _craft(kit, alice, [*dropped, orphan.to_json_line()],
                               "orphan.hmipbundle"), "earlier version is missing")
    _refused(kit, lead, _craft(kit, alice, lines, "dates.hmipbundle",
                               hlc_max="000000000001-0000-x"), "dates do not match")


def test_roster_change_forged_by_a_member(setup) -> None:
    """Alice signs a sock puppet into the roster herself: the bundle is refused."""
    kit, lead, alice, *_ = setup
    puppet = kit.device("puppet")
    payload = {"device_id": puppet.store.device.device_id if puppet.store else "puppet-dev",
               "author_id": "puppet", "name": "Puppet", "role": "team_leader",
               "signer": puppet.keys.public.signer, "recipient": puppet.keys.public.recipient,
               "status": "active", "removed_hlc": None}
    member_id = RS.member_id_for(alice.store.inspection_id, str(payload["device_id"]))
    hlc = alice.store.clock.now()
    msg = RS.attestation_message(inspection_id=alice.store.inspection_id, entity_id=member_id,
                                 parents=[], hlc=hlc, device_id=alice.store.device.device_id,
                                 author_id=alice.store.device.author_id, deleted=False,
                                 payload=payload)
    payload["attestation"] = {"signer": alice.keys.public.signer,
                              "signature": base64.b64encode(alice.keys.signing_key.sign(msg))
                              .decode()}
    rev = make_revision(entity_type=R.TEAM_MEMBER, entity_id=member_id, parents=[], hlc=hlc,
                        device_id=alice.store.device.device_id,
                        author_id=alice.store.device.author_id, payload=payload)
    path = _craft(kit, alice, [*_lines(alice), rev.to_json_line()], "puppet.hmipbundle")
    _refused(kit, lead, path, "team roster without the team leader's signature")


def test_removed_signer(setup) -> None:
    """Bob, removed, cannot get a new bundle in."""
    kit, lead, _alice, bob, _ = setup
    from hmip_desktop.services import team

    team.remove_member(lead.store, "Bob", keys=lead.keys)
    bob.notes.add(source_kind="observation", title="x", body="y")
    _refused(kit, lead, kit.export(bob), "had not received when they were removed")


def test_skip_refused_merges_the_good_ones(setup) -> None:
    """With skip_refused, a bad bundle is reported and the good one still merges."""
    kit, lead, *_rest, good = setup
    bad = kit.root / "cut2.hmipbundle"
    bad.write_bytes(good.read_bytes()[:1000])
    report = kit.import_(lead, [bad, good], skip_refused=True)
    assert [o.status for o in report.outcomes] == ["refused", "imported"]
    assert "damaged" in report.outcomes[0].message
