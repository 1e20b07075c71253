"""Who changed what, when: every revision of a record, from the log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hmip_desktop.domain.errors import NotFoundError
from hmip_desktop.domain.hlc import hlc_millis

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


def history(store: InspectionStore, record_id: str) -> list[HistoryEntry]:
    """Every revision of a record in clock order; raises NotFoundError when unknown."""
    with store.uow() as tx:
        return history_in(tx, store, record_id)


def history_in(tx: UnitOfWork, store: InspectionStore, record_id: str) -> list[HistoryEntry]:
    """history() read inside the caller's transaction (a screen's one read)."""
    own = store.device.device_id
    revs = tx.records.revisions_of(record_id)
    heads = {r.rev_id for r in tx.records.heads(record_id)} if revs else set()
    if not revs:
        raise NotFoundError("No record has that id in this inspection.")
    out = []
    for r in revs:
        when = dt.datetime.fromtimestamp(hlc_millis(r.hlc) / 1000, dt.UTC)
        out.append(HistoryEntry(r.rev_id, r.parents, when.isoformat(timespec="seconds"),
                                r.device_id, r.author_id, r.deleted, r.rev_id in heads,
                                dict(r.payload), bool(r.signature) or r.device_id == own))
    return out
