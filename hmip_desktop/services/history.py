"""Who changed what, when: every revision of a record, from the log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hmip_desktop.domain.errors import NotFoundError
from hmip_desktop.domain.hlc import hlc_millis
from hmip_desktop.domain.ids import short_id

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore
    from hmip_desktop.storage.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class HistoryEntry:
    """One revision as shown to a person."""

    rev_id: str
    parents: tuple[str, ...]
    when: str  # approximate wall time from the hybrid clock, UTC
    device_id: str
    author_id: str
    deleted: bool
    is_head: bool
    payload: dict[str, Any]
    # Signed by its author's device (as received, or this device's own, signed on export);
    # False for changes an older app sent unsigned.
    signed: bool = True
    # The author as the team's roster names them ("" when the roster does not know them).
    author_name: str = ""
    # Fields whose value differs from the revision it was made from (its first parent); every
    # field of the first revision. Not "the previous in time": two people's edits made side by
    # side each changed only what their author changed.
    changed: tuple[str, ...] = ()


def history(store: InspectionStore, record_id: str) -> list[HistoryEntry]:
    """Every revision of a record in clock order; raises NotFoundError when unknown."""
    with store.uow() as tx:
        return history_in(tx, store, record_id)


def history_in(tx: UnitOfWork, store: InspectionStore, record_id: str) -> list[HistoryEntry]:
    """history() read inside the caller's transaction (a screen's one read)."""
    from hmip_desktop.services.roster_access import load_roster

    own = store.device.device_id
    revs = tx.records.revisions_of(record_id)
    heads = {r.rev_id for r in tx.records.heads(record_id)} if revs else set()
    if not revs:
        raise NotFoundError("No record has that id in this inspection.")
    roster = load_roster(tx, store.inspection_id)
    payloads = {r.rev_id: r.payload for r in revs}
    out = []
    for r in revs:
        when = dt.datetime.fromtimestamp(hlc_millis(r.hlc) / 1000, dt.UTC)
        member = roster.by_author(r.author_id) or roster.by_device(r.device_id)
        name = member.name if member else (store.device.author_name
                                           if r.author_id == store.device.author_id else "")
        before = payloads.get(r.parents[0], {}) if r.parents else {}
        changed = tuple(sorted(k for k in set(r.payload) | set(before)
                               if r.payload.get(k) != before.get(k)))
        out.append(HistoryEntry(r.rev_id, r.parents, when.isoformat(timespec="seconds"),
                                r.device_id, r.author_id, r.deleted, r.rev_id in heads,
                                dict(r.payload), bool(r.signature) or r.device_id == own,
                                name, changed))
    return out


def author_label(entry: HistoryEntry, own_author_id: str) -> str:
    """'Ann Inspector', 'Lee Leader (me)', or 'author 01a24007' when nobody named them."""
    name = entry.author_name or f"author {short_id(entry.author_id)}"
    return f"{name} (me)" if entry.author_id == own_author_id else name
