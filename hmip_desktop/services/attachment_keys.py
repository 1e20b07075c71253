"""The team's attachment keys: learnt from bundles, adopted from the leader, rotated on removal.

Attachments are encrypted once, to the team's current attachment key, and travel in bundles
as stored. Every format-2 bundle carries the keys its sender knows, inside the manifest (so
encrypted to the team's members and the recovery key only). A member adopts as current the
key named by a bundle from the team leader; when the leader removes a member, a new key
becomes current, so attachments added afterwards cannot be read by the removed member, who
receives no later bundle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

import pyrage

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore
    from hmip_desktop.storage.unit_of_work import UnitOfWork

CURRENT_KEY = "blob_identity"


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def recipient_of(identity: str) -> str:
    """The public half of an attachment key."""
    return str(pyrage.x25519.Identity.from_str(identity).to_public())


def known_keys(tx: UnitOfWork) -> list[str]:
    """Every attachment key this file knows (secrets), current first."""
    current = tx.meta.get(CURRENT_KEY)
    others = sorted(k for k in tx.attachment_keys.all().values() if k != current)
    return [current, *others] if current else others


def learn(tx: UnitOfWork, identities: Iterable[str], *, adopt: str | None = None) -> bool:
    """Remember keys from a bundle; make `adopt` (a recipient) current when it is known.

    Returns True when the current key changed.
    """
    for identity in identities:
        tx.attachment_keys.add(recipient_of(identity), identity, _now())
    if adopt is None:
        return False
    identity = tx.attachment_keys.all().get(adopt)
    if identity is None or identity == tx.meta.get(CURRENT_KEY):
        return False
    tx.meta.set(CURRENT_KEY, identity)
    return True


def rotate(tx: UnitOfWork) -> str:
    """A new current key (after a removal); returns its recipient."""
    identity = str(pyrage.x25519.Identity.generate())
    recipient = recipient_of(identity)
    tx.attachment_keys.add(recipient, identity, _now())
    tx.meta.set(CURRENT_KEY, identity)
    return recipient


def reload(store: InspectionStore) -> None:
    """Point the open attachment store at the file's keys (after an import or a rotation)."""
    with store.uow() as tx:
        keys = known_keys(tx)
    if keys:
        store.blobs.set_keys(keys[0], keys)
