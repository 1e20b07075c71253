"""The two records every inspection file holds: the inspection and its pinned framework.

Kept apart from `inspections` (which creates and opens files, and so reaches mending and
the services it calls) so that any service can read them without an import cycle.

The pinned framework is read into the ONE typed model (domain.framework.Framework) once per
open file and reused until the framework record's winner revision changes: it changes only
in a merge (or an undo of one), so services never re-read or re-parse it per call.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from hmip_desktop.domain.errors import NotFoundError, ValidationError
from hmip_desktop.domain.records import framework_record_id

if TYPE_CHECKING:
    from hmip_desktop.domain.framework import Framework
    from hmip_desktop.services.inspection_store import InspectionStore
    from hmip_desktop.storage.unit_of_work import UnitOfWork


def inspection_payload(store: InspectionStore) -> dict[str, Any]:
    """The current inspection record."""
    with store.uow() as tx:
        view = tx.records.get(store.inspection_id)
    if view is None:
        raise NotFoundError("This file holds no inspection record.")
    return dict(view.payload)


@dataclass(frozen=True)
class PinnedFramework:
    """The framework record at one winner revision: its raw payload (for writing it on, e.g.
    into a new inspection), the typed model every reader uses, and whether the strict parser
    accepts it (`parse_error` None) for the screens that need a valid framework."""

    rev: str
    data: Mapping[str, Any]
    model: Framework
    parse_error: str | None

    @property
    def parsed(self) -> Framework | None:
        """The model when the strict parser accepts the data, else None."""
        return self.model if self.parse_error is None else None


_PINNED: WeakKeyDictionary[InspectionStore, PinnedFramework] = WeakKeyDictionary()
_PINNED_LOCK = threading.Lock()


def forget_pinned_frameworks() -> None:
    """Drop every cached framework (benchmarks measure a cold read with it)."""
    with _PINNED_LOCK:
        _PINNED.clear()


def pinned_framework_in(tx: UnitOfWork, store: InspectionStore) -> PinnedFramework:
    """The pinned framework read in the caller's transaction, cached per open file.

    The cache key is the framework record's winner revision: a merge that changes the record
    (or an undo of that merge) gives a new winner, so the next read parses again.
    """
    record_id = framework_record_id(store.inspection_id)
    rev = tx.records.winner_rev(record_id)
    if rev is None:
        raise NotFoundError("This inspection has no pinned framework.")
    with _PINNED_LOCK:
        cached = _PINNED.get(store)
    if cached is not None and cached.rev == rev:
        return cached
    view = tx.records.get(record_id)
    if view is None:
        raise NotFoundError("This inspection has no pinned framework.")
    data = dict(view.payload)
    # Imported at the first parse: the framework's model (about 20 ms of dataclasses) is not
    # loaded by commands that open a file and never read its framework (`hmip note list`).
    from hmip_desktop.domain.framework import Framework
    from hmip_desktop.domain.framework_pinned import read_pinned
    from hmip_desktop.services.framework_naming import with_shipped_naming

    try:
        Framework.from_dict(data)  # the strict parser only judges validity
        error = None
    except ValidationError as exc:  # kept: screens that need a valid framework raise it
        error = str(exc)
    # One tolerant reading for every file, valid or not, so that a valid framework and a
    # loose one are walked by the same rules (defaults, a top-level leadership object).
    pinned = PinnedFramework(view.winner_rev, MappingProxyType(data),
                             with_shipped_naming(read_pinned(data), data), error)
    with _PINNED_LOCK:
        _PINNED[store] = pinned
    return pinned


def pinned(store: InspectionStore) -> PinnedFramework:
    """The cached pinned framework in its own read transaction."""
    with store.uow() as tx:
        return pinned_framework_in(tx, store)


def pinned_framework(store: InspectionStore) -> Framework:
    """The framework copied into this inspection when it was created, as the typed model."""
    return pinned(store).model


def pinned_framework_data(store: InspectionStore) -> dict[str, Any]:
    """The pinned framework's raw data: only for writing it on (a new inspection, a bundle)."""
    return dict(pinned(store).data)
