"""What the Reports page shows before an export: the preview (readiness and disclosure hits)
and the inspection's protective marking, read in one call on the DB lane."""

from __future__ import annotations

from dataclasses import dataclass

from hmip_desktop.services.inspection_store import InspectionStore
from hmip_desktop.services.report import ExportOptions, ReportPreview, ReportService
from hmip_desktop.services.report_writing import ReportWritingService


@dataclass(frozen=True)
class ReportState:
    """What the page shows before exporting: the preview and the inspection's marking."""

    preview: ReportPreview
    marking: str


def report_state(store: InspectionStore, options: ExportOptions) -> ReportState:
    """Readiness, disclosure hits and the marking (DB lane)."""
    return ReportState(ReportService(store).preview(options),
                       ReportWritingService(store).marking())
