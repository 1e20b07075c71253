"""Findings 3, 4, 5 and 8 through `hmip bundle import`: a member crafts bundles with the
project's own writer and their real keys; each is one refusal line, exit 2, never 70."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest

from hmip_desktop.bundle.writer import write_bundle
from hmip_desktop.domain import records as R
from hmip_desktop.domain.hlc import MAX_COUNTER, MAX_MILLIS
from hmip_desktop.domain.ids import new_id
from hmip_desktop.domain.revision import make_revision
from tests.security.helpers import PASSPHRASE, runner


@pytest.fixture(scope="module")
def team(tmp_path_factory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("hostile")
    lead, alice = runner(root, "lead"), runner(root, "alice")
    alice("identity", "export", "--out", "alice.card")
    lead("identity", "export", "--out", "lead.card")
    lead("new", "lead.hmip", "--establishment", "HMP Hostile", "--type", "mens_prison")
    lead("team", "add", "lead.hmip", "alice.card")
    lead("team", "invite", "lead.hmip", "--out", "invite.hmipbundle")
    alice("join", "invite.hmipbundle", "--out", "alice.hmip")
    alice("note", "add", "alice.hmip", "--source", "observation", "--title", "t", "--body",
          "b")
    good = alice("bundle", "export", "alice.hmip", "--out", "good.hmipbundle")
    assert good.returncode == 0
    return root, lead, _attacker(root)


def _attacker(root: Path):  # type: ignore[no-untyped-def]
    """Alice's keys, device and revisions, as a member writing her own bundle would have."""
    from hmip_desktop.services import identity
    from hmip_desktop.services.inspections import open_inspection

    saved = {k: os.environ.get(k) for k in ("HMIP_HOME", "HMIP_KEY_SOURCE", "HMIP_PASSPHRASE")}
    os.environ.update({"HMIP_HOME": str(root / "homes" / "alice"),
                       "HMIP_KEY_SOURCE": "passphrase", "HMIP_PASSPHRASE": PASSPHRASE})
    try:
        keys = identity.load_keys(lambda _p: PASSPHRASE)
        with open_inspection(root / "alice.hmip", provider=lambda _p: PASSPHRASE) as store:
            with store.uow() as tx:
                from hmip_desktop.services.bundle_export import _signed

                lines = [_signed(r, store, keys).to_json_line()
                         for r in tx.records.iter_revisions()]
            device, author, inspection = (store.device.device_id, store.device.author_id,
                                          store.inspection_id)
    finally:
        for k, v in saved.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
    cards = [json.loads((root / n).read_text())["recipient"] for n in ("lead.card", "alice.card")]
    return {"keys": keys, "lines": lines, "device": device, "author": author,
            "inspection": inspection, "recipients": cards}


def _bundle(root: Path, a: dict, extra_lines: list[bytes], name: str,
            hlc_max: str | None = None) -> Path:
    lines = [*a["lines"], *extra_lines]
    hlcs = [json.loads(x)["hlc"] for x in a["lines"]]
    if hlc_max:
        hlcs.append(hlc_max)
    path = root / name
    write_bundle(path, manifest_fields={
        "schema": 1, "app": "x", "inspection_id": a["inspection"],
        "bundle_id": str(uuid.uuid4()), "device_id": a["device"],
        "author": {"id": a["author"], "name": "Alice"}, "hlc_min": min(hlcs),
        "hlc_max": max(hlcs), "full_state": True, "extra": {"kind": "sync"}},
        revision_lines=lines, blobs=[], recipients=a["recipients"],
        signing_key=a["keys"].signing_key)
    return path


def _rev(a: dict, payload: dict, *, hlc: str | None = None, kind: str = R.NOTE) -> bytes:
    last = max(json.loads(x)["hlc"] for x in a["lines"])
    from hmip_desktop.bundle.revision_signatures import sign_revision

    rev = make_revision(entity_type=kind, entity_id=new_id(), parents=[],
                        hlc=hlc or last[:-len(a["device"])] + a["device"],
                        device_id=a["device"], author_id=a["author"], payload=payload)
    return rev.signed(sign_revision(rev.rev_id, a["keys"].signing_key)).to_json_line()


NOTE = {"source_kind": "observation", "title": "x", "body": "y"}


def _forged_as_leader(a: dict) -> bytes:
    """Finding 1: a note Alice signs but attributes to the leader's device and author."""
    from hmip_desktop.bundle.revision_signatures import sign_revision

    leader = next(json.loads(x) for x in a["lines"] if json.loads(x)["device_id"] != a["device"])
    last = max(json.loads(x)["hlc"] for x in a["lines"])
    rev = make_revision(entity_type=R.NOTE, entity_id=new_id(), parents=[],
                        hlc=last[:-len(a["device"])] + leader["device_id"],
                        device_id=leader["device_id"], author_id=leader["author_id"],
                        payload=NOTE)
    return rev.signed(sign_revision(rev.rev_id, a["keys"].signing_key)).to_json_line()


def test_hostile_bundles_are_one_line_refusals(team) -> None:
    root, lead, a = team
    device = a["device"]
    far = f"{MAX_MILLIS:012x}-{MAX_COUNTER:04x}-{device}"
    deep = ("[" * 100_000 + "]" * 100_000)
    raw_deep = _rev(a, {**NOTE, "x": 0}).replace(b'"x":0', b'"x":' + deep.encode())
    forged = _forged_as_leader(a)
    cases = [
        (_bundle(root, a, [_rev(a, NOTE, hlc=far)], "clock.hmipbundle", far),
         "ahead of this computer's clock"),
        (_bundle(root, a, [_rev(a, {**NOTE, "title": ["not", "text"]})], "typed.hmipbundle"),
         "wrongly typed field 'title'"),
        (_bundle(root, a, [_rev(a, {"x": 1}, kind="macro")], "kind.hmipbundle"),
         "unknown record type"),
        (_bundle(root, a, [raw_deep], "deep.hmipbundle"), "nested too deeply"),
        (_bundle(root, a, [forged], "forged.hmipbundle", json.loads(forged)["hlc"]),
         "attributed to 'Inspector' that they did not sign"),
    ]
    for path, match in cases:
        proc = lead("bundle", "import", "lead.hmip", str(path), check=False)
        assert proc.returncode == 2, (path.name, proc.stderr)
        assert proc.stderr.count("\n") == 1 and match in proc.stderr, proc.stderr
        assert "Nothing was imported" in proc.stderr
    # the team is not stopped: the genuine bundle still merges, the leader still writes
    lead("bundle", "import", "lead.hmip", "good.hmipbundle")
    lead("note", "add", "lead.hmip", "--source", "observation", "--title", "after",
         "--body", "z")


def test_damaged_copy_of_an_imported_bundle_is_not_a_repeat(team) -> None:
    root, lead, _a = team
    lead("bundle", "import", "lead.hmip", "good.hmipbundle")
    data = bytearray((root / "good.hmipbundle").read_bytes())
    data[len(data) // 2] ^= 0x10
    (root / "copy.hmipbundle").write_bytes(bytes(data))
    proc = lead("bundle", "import", "lead.hmip", "copy.hmipbundle", check=False)
    assert proc.returncode == 2 and "already" not in proc.stderr, proc.stderr
    assert "damaged" in proc.stderr or "altered" in proc.stderr, proc.stderr


def test_a_removed_member_cannot_back_date_a_change(tmp_path_factory) -> None:
    """Finding 2 through the command line: after `hmip team remove`, a note Alice signs and
    stamps before the removal is refused: only what the leader held of hers is accepted."""
    root = tmp_path_factory.mktemp("backdate")
    lead, alice = runner(root, "lead"), runner(root, "alice")
    alice("identity", "export", "--out", "alice.card")
    lead("new", "lead.hmip", "--establishment", "HMP Hostile", "--type", "mens-prison")
    lead("team", "add", "lead.hmip", "alice.card")
    lead("team", "invite", "lead.hmip", "--out", "invite.hmipbundle")
    alice("join", "invite.hmipbundle", "--out", "alice.hmip")
    alice("note", "add", "alice.hmip", "--source", "observation", "--title", "t", "--body", "b")
    alice("bundle", "export", "alice.hmip", "--out", "a1.hmipbundle")
    lead("bundle", "import", "lead.hmip", "a1.hmipbundle")
    lead("identity", "export", "--out", "lead.card")  # _attacker reads it for a recipient
    a = _attacker(root)
    members = json.loads(lead("team", "list", "lead.hmip", "--json").stdout)["members"]
    alice_id = next(m["member_id"] for m in members if not m["is_me"])
    lead("team", "remove", "lead.hmip", alice_id)
    listed = json.loads(lead("team", "list", "lead.hmip", "--json").stdout)
    assert "removed" in [m["status"] for m in listed["members"]]
    first = min(json.loads(x)["hlc"] for x in a["lines"] if json.loads(x)["device_id"] ==
                a["device"])
    backdated = _rev(a, NOTE, hlc=first[:-len(a["device"])] + a["device"])
    path = _bundle(root, a, [backdated], "backdated.hmipbundle")
    proc = lead("bundle", "import", "lead.hmip", str(path), check=False)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "had not received when they were removed" in proc.stderr


def test_a_planted_signature_on_the_leaders_own_change_is_not_kept(team) -> None:
    """A member's bundle giving the leader's own new note a garbage signature merges (own
    revisions are never signed from a bundle: the leader signs them on export), and the
    leader's next bundle still carries his genuine signatures, so the team is not made to
    refuse it."""
    from hmip_desktop.bundle.format import parse_signer
    from hmip_desktop.bundle.reader import BundleReader
    from hmip_desktop.bundle.revision_signatures import RevisionVerifier
    from hmip_desktop.domain.revision import revision_from_json

    root, lead, a = team

    def lead_revisions(name: str) -> tuple[str, list[bytes]]:
        with BundleReader(root / name, [a["keys"].age_identity]) as reader:
            return reader.manifest["device_id"], list(reader.iter_revision_lines())

    lead("note", "add", "lead.hmip", "--source", "observation", "--title", "own",
         "--body", "o")
    lead("bundle", "export", "lead.hmip", "--out", "lead-own.hmipbundle")
    lead_device, lines = lead_revisions("lead-own.hmipbundle")
    known = {json.loads(x)["rev_id"] for x in a["lines"]}
    fresh = [x for x in lines if json.loads(x)["rev_id"] not in known
             and json.loads(x)["device_id"] == lead_device]
    assert fresh
    planted = [revision_from_json(x).signed("AQ" * 43 + "==").to_json_line() for x in fresh]
    path = _bundle(root, a, planted, "planted.hmipbundle",
                   max(json.loads(x)["hlc"] for x in fresh))
    proc = lead("bundle", "import", "lead.hmip", str(path), check=False)
    assert proc.returncode == 0, proc.stderr
    lead("bundle", "export", "lead.hmip", "--out", "after-plant.hmipbundle")
    signer = parse_signer(json.loads((root / "lead.card").read_text())["signer"])
    _device, sent = lead_revisions("after-plant.hmipbundle")
    own = [json.loads(x) for x in sent if json.loads(x)["device_id"] == lead_device]
    assert own and all(RevisionVerifier().verify(r["rev_id"], r["sig"], signer) for r in own)
