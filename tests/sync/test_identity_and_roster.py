"""Device keys at rest, identity cards, and the pure roster rules (trust, recipients)."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from hmip_desktop.bundle.identity_keys import DeviceKeys
from hmip_desktop.domain import records as R
from hmip_desktop.domain import roster as RS
from hmip_desktop.domain.errors import PassphraseRequired, ValidationError, WrongKeyError
from hmip_desktop.domain.revision import make_revision
from hmip_desktop.services import identity
from hmip_desktop.services.roster_access import member_view, verify_signature
from hmip_desktop.storage import device_keys, profile

PASS = "a long enough passphrase"


@pytest.fixture(autouse=True)
def _fresh_cache():  # type: ignore[no-untyped-def]
    identity.forget_cached_keys()
    yield
    identity.forget_cached_keys()


def test_keys_live_in_the_keyring_and_are_stable(memory_keyring) -> None:
    """First use creates the keys in the keyring; later uses read the same keys."""
    keys = identity.load_keys()
    device = profile.load_device()
    stored = memory_keyring.store[("hmip_desktop", f"device-keys:{device.device_id}")]
    assert DeviceKeys.from_secret_text(stored).public == keys.public
    identity.forget_cached_keys()
    assert identity.load_keys().public == keys.public
    assert not device_keys.key_file().exists()


def test_passphrase_wrapped_key_file(monkeypatch, memory_keyring) -> None:
    """Without a secure keyring the keys are wrapped with the passphrase, never plaintext."""
    monkeypatch.setenv("HMIP_KEY_SOURCE", "passphrase")
    with pytest.raises(PassphraseRequired):
        identity.load_keys(None)
    with pytest.raises(ValidationError, match="at least"):
        identity.load_keys(lambda _p: "short")
    keys = identity.load_keys(lambda _p: PASS)
    text = device_keys.key_file().read_text()
    assert "AGE-SECRET-KEY" not in text and keys.to_secret_text() not in text
    assert not memory_keyring.store
    identity.forget_cached_keys()
    card = identity.my_card(None)  # public half readable without the passphrase
    assert card.fingerprint == keys.public.fingerprint
    with pytest.raises(WrongKeyError):
        identity.load_keys(lambda _p: "the wrong passphrase")
    assert identity.load_keys(lambda _p: PASS).public == keys.public


def test_card_round_trip_and_tampering(tmp_path: Path) -> None:
    """A card re-reads identically; a changed key or a non-card is refused."""
    identity.set_profile(name="Ann Inspector", role="specialist")
    card = identity.export_card(tmp_path / "ann.card")
    again = identity.read_card(tmp_path / "ann.card")
    assert again == card and again.role == "specialist" and again.name == "Ann Inspector"
    data = json.loads((tmp_path / "ann.card").read_text())
    data["recipient"] = DeviceKeys.generate().public.recipient
    (tmp_path / "bad.card").write_text(json.dumps(data))
    with pytest.raises(ValidationError, match="damaged"):
        identity.read_card(tmp_path / "bad.card")
    (tmp_path / "junk.card").write_text("not json")
    with pytest.raises(ValidationError, match="damaged"):
        identity.read_card(tmp_path / "junk.card")
    with pytest.raises(ValidationError, match="Role must be"):
        identity.set_profile(role="governor")


HOSTILE_NAME = "Evil\x1b[2J\x1b[31mName\u202e"


def test_a_name_with_terminal_codes_is_refused_on_a_card_and_cleaned_in_a_roster(
        tmp_path: Path) -> None:
    """A card's name reaches terminals and lists: one holding ESC sequences or a
    text-direction override is refused (without echoing it); a roster from an older app
    that already holds one shows it cleaned."""
    identity.set_profile(name="Ann Inspector")
    identity.export_card(tmp_path / "ann.card")
    data = json.loads((tmp_path / "ann.card").read_text())
    data["name"] = HOSTILE_NAME
    (tmp_path / "evil.card").write_text(json.dumps(data))
    with pytest.raises(ValidationError, match="control or invisible characters") as caught:
        identity.read_card(tmp_path / "evil.card")
    assert "Evil" not in str(caught.value)
    with pytest.raises(ValidationError, match="control or invisible characters"):
        identity.set_profile(name=HOSTILE_NAME)
    member = RS.Member("m1", "dev-1", "author-1", HOSTILE_NAME, "inspector",
                       data["signer"], data["recipient"], "active", None, "0")
    view = member_view(member, my_device="dev-2", anchor_signer=None)
    assert view.name == "Evil[2J[31mName"


# --- pure roster rules ---------------------------------------------------------------------

INSP = "insp-1"


def _member_rev(leader: DeviceKeys, keys: DeviceKeys, device: str, *, role: str = "inspector",
                status: str = "active", removed: str | None = None, hlc: str,
                parents: list[str] | None = None, attester: DeviceKeys | None = None):  # type: ignore[no-untyped-def]
    payload = {"device_id": device, "author_id": f"author-{device}", "name": device,
               "role": role, "signer": keys.public.signer, "recipient": keys.public.recipient,
               "status": status, "removed_hlc": removed}
    mid = RS.member_id_for(INSP, device)
    msg = RS.attestation_message(inspection_id=INSP, entity_id=mid, parents=parents or [],
                                 hlc=hlc, device_id="lead-dev", author_id="lead",
                                 deleted=False, payload=payload)
    signer = attester or leader
    payload["attestation"] = {"signer": signer.public.signer,
                              "signature": base64.b64encode(signer.signing_key.sign(msg))
                              .decode()}
    return make_revision(entity_type=R.TEAM_MEMBER, entity_id=mid, parents=parents or [],
                         hlc=hlc, device_id="lead-dev", author_id="lead", payload=payload)


def test_roster_trust_rules() -> None:
    """Anchor-attested members are trusted; removal dates and devices are checked."""
    lead, ann, bo, eve = (DeviceKeys.generate() for _ in range(4))
    revs = [
        _member_rev(lead, lead, "lead-dev", role="team_leader", hlc="000000000010-0000-l"),
        _member_rev(lead, ann, "ann-dev", hlc="000000000011-0000-l"),
        _member_rev(lead, bo, "bo-dev", hlc="000000000012-0000-l"),
        _member_rev(lead, eve, "eve-dev", hlc="000000000013-0000-l", attester=ann),
    ]
    removal = _member_rev(lead, bo, "bo-dev", status="removed", removed="000000000100-0000-l",
                          hlc="000000000100-0000-l", parents=[revs[2].rev_id])
    roster = RS.build_roster([*revs, removal], inspection_id=INSP,
                             anchor=lead.public.signer, verify=verify_signature)
    assert [m.name for m in roster.members] == ["lead-dev", "ann-dev", "bo-dev"]
    assert roster.invalid_revisions == {revs[3].rev_id}  # Eve, attested by a non-leader
    ok = roster.trust(ann.public.signer, device_id="ann-dev", hlc_max="000000000200-0000-a",
                      created_ms=None)
    assert ok.trusted
    assert not roster.trust(ann.public.signer, device_id="bo-dev", hlc_max=None,
                            created_ms=None).trusted
    assert not roster.trust(eve.public.signer, device_id="eve-dev", hlc_max=None,
                            created_ms=None).trusted
    early = roster.trust(bo.public.signer, device_id="bo-dev", hlc_max="000000000050-0000-b",
                         created_ms=0x50)
    late = roster.trust(bo.public.signer, device_id="bo-dev", hlc_max="000000000050-0000-b",
                        created_ms=0x200)
    assert early.trusted and not late.trusted
    assert RS.written_after_removal(roster, "bo-dev", "000000000100-0001-b")
    assert not RS.written_after_removal(roster, "bo-dev", "000000000099-0000-b")
    assert roster.recipients(own=ann.public.recipient, recovery="age1recovery") == sorted(
        {lead.public.recipient, ann.public.recipient, "age1recovery"})


def test_roster_without_anchor_trusts_nobody() -> None:
    """A file whose team was never set up trusts no signer (only its own bundles)."""
    lead, ann = DeviceKeys.generate(), DeviceKeys.generate()
    revs = [_member_rev(lead, ann, "ann-dev", hlc="000000000011-0000-l")]
    roster = RS.build_roster(revs, inspection_id=INSP, anchor=None, verify=verify_signature)
    assert roster.members == () and roster.invalid_revisions == {revs[0].rev_id}
    assert not roster.trust(ann.public.signer, device_id="ann-dev", hlc_max=None,
                            created_ms=None).trusted
