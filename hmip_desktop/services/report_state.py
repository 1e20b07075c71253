"""What the Reports page shows before an export: the preview (readiness and disclosure hits)
and the inspection's protective marking, read from one snapshot (one read transaction) on
the DB lane."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hmip_desktop.services.report import ExportOptions, ReportPreview, ReportService
from hmip_desktop.services.report_snapshot import read_snapshot
from hmip_desktop.services.report_writing import marking_of

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore


@dataclass(frozen=True)
class ReportState:
    """What the page shows before exporting: the preview and the inspection's marking."""

    preview: ReportPreview
    marking: str


def report_state(store: InspectionStore, options: ExportOptions) -> ReportState:
    """Readiness, disclosure hits and the marking, from one snapshot (DB lane)."""
    snap = read_snapshot(store)
    return ReportState(ReportService(store).preview(options, snap=snap),
                       marking_of(snap.inspection))
