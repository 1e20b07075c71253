"""The two records every inspection file holds: the inspection and its pinned framework.

Kept apart from `inspections` (which creates and opens files, and so reaches mending and
the services it calls) so that any service can read them without an import cycle.
"""

from __future__ import annotations

from typing import Any

from hmip_desktop.domain.errors import NotFoundError
from hmip_desktop.services.store import InspectionStore, framework_record_id


def inspection_payload(store: InspectionStore) -> dict[str, Any]:
    """The current inspection record."""
    with store.uow() as tx:
        view = tx.records.get(store.inspection_id)
    if view is None:
        raise NotFoundError("This file holds no inspection record.")
    return dict(view.payload)


def pinned_framework(store: InspectionStore) -> dict[str, Any]:
    """The framework copied into this inspection when it was created."""
    with store.uow() as tx:
        view = tx.records.get(framework_record_id(store.inspection_id))
    if view is None:
        raise NotFoundError("This inspection has no pinned framework.")
    return dict(view.payload)
