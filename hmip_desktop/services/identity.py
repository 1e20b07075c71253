"""This installation's sync identity: its keys and the public card shared with the team leader.

The card holds only public facts (name, role, device id, signing key, encryption key and a
fingerprint short enough to read aloud); the team leader adds members from their cards and
both sides compare the fingerprint in person.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from hmip_desktop import paths
from hmip_desktop.bundle.identity_keys import DeviceKeys, PublicIdentity
from hmip_desktop.domain.errors import NotFoundError, ValidationError, plain_text
from hmip_desktop.domain.roster import ROLES
from hmip_desktop.private_files import write_private_text
from hmip_desktop.storage import device_keys, profile
from hmip_desktop.storage.json_file import DamagedJson, read_json
from hmip_desktop.storage.keys import PassphraseProvider

CARD_KIND = "hmip-identity-card"
CARD_FORMAT = 1
_MAX_CARD_BYTES = 64 * 1024
_BAD_CARD = ("This identity card is damaged or not an identity card. Ask the team member to "
             "export it again with 'hmip identity export'.")
_UNSAFE_NAME_CARD = ("The name on this identity card holds control or invisible characters "
                     "(terminal codes, text-direction marks), which a name may not. Ask the "
                     "team member to set their name again with 'hmip identity set --name' and "
                     "export the card again.")

_cache: dict[tuple[str, str], DeviceKeys] = {}
_lock = threading.Lock()


@dataclass(frozen=True)
class IdentityCard:
    """The public identity of one device, as exchanged at kick-off."""

    name: str
    role: str
    device_id: str
    author_id: str
    signer: str
    recipient: str
    fingerprint: str

    def to_json(self) -> dict[str, Any]:
        """The card file's content."""
        return {"kind": CARD_KIND, "format": CARD_FORMAT, **asdict(self)}

    @classmethod
    def from_json(cls, data: object) -> IdentityCard:
        """Parse and check a card (the fingerprint must match the keys it lists)."""
        if not isinstance(data, dict) or data.get("kind") != CARD_KIND:
            raise ValidationError(_BAD_CARD)
        fmt = data.get("format")
        if type(fmt) is not int or fmt < CARD_FORMAT:  # not "newer": damaged or hand-made
            raise ValidationError(_BAD_CARD)
        if fmt != CARD_FORMAT:
            raise ValidationError("This identity card was made by a newer version of the app. "
                                  "Update the app, then add the card again.")
        fields = ("name", "role", "device_id", "author_id", "signer", "recipient", "fingerprint")
        if not all(isinstance(data.get(f), str) and data.get(f) for f in fields):
            raise ValidationError(_BAD_CARD)
        if any(len(str(data[f])) > 200 for f in fields):
            raise ValidationError(_BAD_CARD)
        if not _printable(data["name"]):  # it is shown in rosters, lists and terminals
            raise ValidationError(_UNSAFE_NAME_CARD)
        public = PublicIdentity.from_dict({"signer": data["signer"],
                                           "recipient": data["recipient"]})
        if public.fingerprint != data["fingerprint"]:
            raise ValidationError(_BAD_CARD)
        role = data["role"] if data["role"] in ROLES else "inspector"
        return cls(str(data["name"]).strip(), role, str(data["device_id"]),
                   str(data["author_id"]), public.signer, public.recipient, public.fingerprint)

    @property
    def public(self) -> PublicIdentity:
        """The keys on this card."""
        return PublicIdentity(self.signer, self.recipient)


def _printable(name: str) -> bool:
    """True when a name holds no control, bidirectional or invisible character (those
    domain.errors.plain_text removes)."""
    return plain_text(name) == name


def _generate() -> tuple[str, dict[str, str]]:
    keys = DeviceKeys.generate()
    return keys.to_secret_text(), keys.public.to_dict()


def load_keys(provider: PassphraseProvider | None = None) -> DeviceKeys:
    """This device's sync keys, created on first use (cached for the process)."""
    device = profile.load_device()
    cache_key = (str(paths.data_dir()), device.device_id)
    with _lock:
        cached = _cache.get(cache_key)
        if cached is not None:
            return cached
        secret = device_keys.load_or_create(device.device_id, provider=provider,
                                            generate=_generate)
        keys = DeviceKeys.from_secret_text(secret)
        _cache[cache_key] = keys
        return keys


def forget_cached_keys() -> None:
    """Drop keys held in memory (tests, or after locking the app)."""
    with _lock:
        _cache.clear()


def _public(provider: PassphraseProvider | None) -> PublicIdentity:
    device = profile.load_device()
    stored = device_keys.stored_public(device.device_id)
    if stored is not None:  # passphrase path: the public half is readable without unlocking
        try:
            return PublicIdentity.from_dict(stored)
        except ValidationError:  # its message blames the team roster: this is our own file
            raise device_keys.damaged("its public keys are malformed") from None
    return load_keys(provider).public


def my_card(provider: PassphraseProvider | None = None) -> IdentityCard:
    """This device's identity card (keys are created on first use)."""
    device = profile.load_device()
    public = _public(provider)
    role = device.role if device.role in ROLES else "inspector"
    return IdentityCard(device.author_name, role, device.device_id, device.author_id,
                        public.signer, public.recipient, public.fingerprint)


def card_for(keys: DeviceKeys, device: profile.DeviceProfile) -> IdentityCard:
    """The card of given keys and device profile (several simulated devices in one process)."""
    public = keys.public
    role = device.role if device.role in ROLES else "inspector"
    return IdentityCard(device.author_name, role, device.device_id, device.author_id,
                        public.signer, public.recipient, public.fingerprint)


def export_card(out_path: Path, provider: PassphraseProvider | None = None) -> IdentityCard:
    """Write this device's card as JSON (atomic); returns it."""
    card = my_card(provider)
    write_card(card, out_path)
    return card


def write_card(card: IdentityCard, out_path: Path) -> None:
    """Write a card file atomically."""
    out_path = Path(out_path)
    tmp = out_path.with_name(out_path.name + ".part")
    write_private_text(tmp, json.dumps(card.to_json(), indent=1, sort_keys=True))
    os.replace(tmp, out_path)


def read_card(path: Path) -> IdentityCard:
    """Read and check a card file."""
    path = Path(path)
    try:
        data = read_json(path, max_bytes=_MAX_CARD_BYTES)  # size and depth before parsing
    except FileNotFoundError:
        raise NotFoundError(f"There is no identity card at '{path.name}'.") from None
    except DamagedJson as exc:
        raise ValidationError(f"'{path.name}' is damaged or not an identity card ({exc}). "
                              "Ask the team member to export it again with 'hmip identity "
                              "export'.") from None
    except OSError:
        raise ValidationError(_BAD_CARD) from None
    return IdentityCard.from_json(data)


def set_profile(*, name: str | None = None, role: str | None = None) -> None:
    """Change the name or role shown on this device's card."""
    device = profile.load_device()
    if name is not None:
        if not name.strip() or len(name) > 120:
            raise ValidationError("The name must be between 1 and 120 characters.")
        if not _printable(name):  # a card carrying it would be refused by the team leader
            raise ValidationError("The name cannot hold control or invisible characters "
                                  "(terminal codes, text-direction marks).")
        device.author_name = name.strip()
    if role is not None:
        if role not in ROLES:
            raise ValidationError(f"Role must be one of: {', '.join(ROLES)}")
        device.role = role
    profile.save_device(device)
