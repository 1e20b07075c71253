"""What the previous-items panel shows (follow-up of the previous report), in one call.

Qt-free, run on the DB lane in ONE read transaction; the GUI applies the frozen result. The
pinned framework comes from the per-file cache (services.inspection_record), the evidence on
offer from the evidence snapshot (set-based over the evidence_link projection) and the notes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hmip_desktop.domain import action_plan as AP
from hmip_desktop.domain import records as R
from hmip_desktop.domain.framework_elements import Scale
from hmip_desktop.services.evidence_choices import EvidenceChoice, all_choices
from hmip_desktop.services.evidence_snapshot import evidence_snapshot_in
from hmip_desktop.services.inspection_record import pinned_framework_in
from hmip_desktop.services.previous import (
    PreviousItemView,
    PreviousScores,
    PreviousService,
    plan_summary,
    previous_scores_of,
    progress_scale_of,
)

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore


@dataclass(frozen=True)
class PreviousSnapshot:
    """The items, the progress scale, the evidence on offer, section labels and each item's
    action plan in a few words."""

    items: tuple[PreviousItemView, ...]
    scale: Scale
    evidence: tuple[EvidenceChoice, ...]
    sections: tuple[tuple[str, str], ...]
    scores: PreviousScores | None = None  # the previous inspection's agreed scores
    # This visit's first day (YYYY-MM-DD) or None: an action-plan step due before it is shown
    # as overdue, since that is what the team checks progress against.
    start_date: str | None = None
    # (item id, services.previous.plan_summary) per item: 'Agreed, 2 steps, 1 overdue'.
    plans: tuple[tuple[str, str], ...] = ()


def previous_snapshot(store: InspectionStore) -> PreviousSnapshot:
    """Everything the panel shows (DB lane)."""
    with store.uow() as tx:
        framework = pinned_framework_in(tx, store).model
        record = tx.records.get(store.inspection_id)
        items = PreviousService(store).list_in(tx)
        snap = evidence_snapshot_in(tx, store)
        notes = [(e.id, str(e.payload.get("title", ""))) for e in tx.records.list(R.NOTE)]
    payload = record.payload if record is not None else {}
    start = AP.visit_start(payload)
    return PreviousSnapshot(items, progress_scale_of(framework, payload),
                            tuple(all_choices(snap, notes)),
                            tuple((s.key, s.label) for s in framework.sections),
                            previous_scores_of(framework, payload), start,
                            tuple((i.id, plan_summary(i, start)) for i in items))
