"""Export the inspection's documents: the draft report (PDF, DOCX) and the Urgent Notification
letter, each built from one snapshot and checked for disclosure before it is written.

The same call serves the Reports page and `hmip report`, so both refuse, redact and report
hits the same way. Exported files are not encrypted: the person exporting is told so.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hmip_desktop.domain import records as R
from hmip_desktop.domain.disclosure import DisclosureRules, Hit, check, redact
from hmip_desktop.domain.errors import UserError, ValidationError
from hmip_desktop.domain.readiness import ReadinessReport
from hmip_desktop.domain.report_doc import ReportDocument
from hmip_desktop.domain.report_snapshot import InspectionSnapshot
from hmip_desktop.domain.steps import Steps
from hmip_desktop.domain.wording import plural
from hmip_desktop.report.build import BuildOptions, build_report
from hmip_desktop.report.un_letter import build_un_letter
from hmip_desktop.services.report_snapshot import read_snapshot
from hmip_desktop.services.report_writing import marking_of, report_layouts
from hmip_desktop.services.urgent_notification import load_process

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore

log = logging.getLogger(__name__)

REPORT = "report"
UN_LETTER = "un_letter"
DOCUMENTS = {REPORT: "draft report", UN_LETTER: "Urgent Notification letter"}
FORMATS = (".pdf", ".docx")
NOT_ENCRYPTED = ("Exported files are not encrypted: keep them on the inspectorate's secure "
                 "storage and delete local copies when they are no longer needed.")

Progress = Callable[[int, int], None]

# Shares of the progress bar, from the phases' cost on a large inspection (6,000 notes, a
# 736-page PDF: snapshot 0.17 s, build 0.15 s, disclosure check 0.12 s, redaction 0.12 s,
# render 7 s): the bar moves, and Cancel is checked, from the first step, not only once
# layout starts.
_SNAPSHOT, _BUILD, _CHECK, _REDACT = (0.0, 0.03), (0.03, 0.06), (0.06, 0.08), (0.08, 0.1)
_RENDER = (0.1, 1.0)


class DisclosureBlocked(UserError):
    """Text that must not leave the inspection was found; nothing was written."""

    def __init__(self, hits: list[Hit]) -> None:
        super().__init__(f"The disclosure check found {plural(len(hits), 'item')} that must "
                         "not leave the inspection. Edit the text, add --redact to replace them "
                         "with [redacted], or --allow-disclosure to export them as they are.")
        self.hits = hits


class NotReady(UserError):
    """--require-ready and readiness still reports blockers."""

    def __init__(self, blockers: list[str]) -> None:
        super().__init__(f"The inspection is not ready for a draft report "
                         f"({plural(len(blockers), 'item')} block"
                         f"{'s' if len(blockers) == 1 else ''} it; see 'hmip readiness'). "
                         "Nothing was written.")
        self.blockers = blockers


@dataclass(frozen=True)
class ExportOptions:
    """What to export and how."""

    document: str = REPORT
    marking: str | None = None          # None: the inspection's own marking
    evidence_index: bool = True
    redact: bool = False
    allow_disclosure: bool = False
    require_ready: bool = False
    invariant: bool = False             # same inspection → same bytes (tests)


@dataclass(frozen=True)
class ReportPreview:
    """What the Reports page shows before exporting: readiness and disclosure hits."""

    readiness: ReadinessReport
    hits: tuple[Hit, ...]
    marking: str
    un_set: bool


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote and what it found."""

    path: Path
    hits: tuple[Hit, ...]
    redacted: bool
    blockers: tuple[str, ...]
    # Where a PDF cannot show the text as written (characters its fonts lack, printed as
    # [U+…] codes, or right-to-left script); always empty for .docx, which keeps it.
    not_as_written: tuple[str, ...] = ()
    gaps: int = 0  # the "[to be completed …]" gaps the document shows


class ReportService:
    """Build, check and write the deliverables of one open inspection."""

    def __init__(self, store: InspectionStore) -> None:
        self._store = store

    def build(self, options: ExportOptions, *, today: dt.date | None = None,
              snap: InspectionSnapshot | None = None,
              steps: Steps | None = None) -> ReportDocument:
        """The document, built from one snapshot of the inspection; `steps` moves through
        the build and raises Cancelled when it is cancelled."""
        if options.document not in DOCUMENTS:
            raise ValidationError(f"Unknown document '{options.document}'; use one of: "
                                  f"{', '.join(DOCUMENTS)}.")
        steps = steps or Steps()
        if snap is None:  # half the bar for reading it, half for the build
            snap = read_snapshot(self._store, today=today, steps=steps.part(0, 0.5))
            steps = steps.part(0.5, 1)
        marking = (options.marking or "").strip() or marking_of(snap.inspection)
        insp = snap.inspection
        created = (str(insp.get("end_date") or insp.get("start_date") or "2000-01-01")
                   if options.invariant else (today or dt.date.today()).isoformat())
        build = BuildOptions(marking=marking, evidence_index=options.evidence_index,
                             invariant=options.invariant, created=created)
        if options.document == UN_LETTER:
            steps.check()  # a one-page letter: nothing to cancel inside its build
            return build_un_letter(snap, report_layouts(), build,
                                   response_days=load_process().response_days)
        return build_report(snap, report_layouts(), build, steps)

    def preview(self, options: ExportOptions | None = None, *,
                snap: InspectionSnapshot | None = None) -> ReportPreview:
        """Readiness and disclosure hits of the document as it would be exported now."""
        options = options or ExportOptions()
        snap = snap or read_snapshot(self._store)
        doc = self.build(options, snap=snap)
        return ReportPreview(snap.readiness, tuple(check(doc, _rules(snap))), doc.marking,
                             snap.urgent_notification is not None)

    def export(self, target: Path, options: ExportOptions, *, progress: Progress | None = None,
               cancel: Callable[[], bool] | None = None) -> ExportResult:
        """Write the document to `target` (.pdf or .docx); nothing is written on refusal."""
        target = Path(target)
        suffix = target.suffix.lower()
        if suffix not in FORMATS:
            raise ValidationError("Export to a file ending in .pdf or .docx.")
        steps = Steps(progress, cancel)
        snap = read_snapshot(self._store, steps=steps.part(*_SNAPSHOT))
        blockers = [i.message for i in snap.readiness.blockers]
        if options.require_ready and options.document == REPORT and blockers:
            raise NotReady(blockers)
        doc = self.build(options, snap=snap, steps=steps.part(*_BUILD))
        rules = _rules(snap)
        checking = steps.part(*_CHECK)
        hits = check(doc, rules, checking.check)
        checking.done()
        if hits and not (options.redact or options.allow_disclosure):
            raise DisclosureBlocked(hits)
        if hits and options.redact:
            doc = redact(doc, rules, steps.check)
        steps.part(*_REDACT).at(1, 1)  # the last Cancel before anything is written
        render = steps.part(*_RENDER)
        not_as_written = _render(doc, target, suffix,
                                 render.report if progress is not None else None, cancel)
        log.info("exported a %s (%s, %s, redacted %s)", DOCUMENTS[options.document], suffix,
                 plural(len(hits), "disclosure hit"), options.redact)
        return ExportResult(target, tuple(hits), bool(hits and options.redact), tuple(blockers),
                            tuple(not_as_written), doc.gaps())


def _rules(snap: InspectionSnapshot) -> DisclosureRules:
    refs = [str(e.payload.get("subject_ref") or "") for e in snap.of(R.NOTE)]
    terms = [str(e.payload.get("term") or "") for e in snap.of(R.DISCLOSURE_TERM)]
    return DisclosureRules(refs, terms)


def disclosure_rules(store: InspectionStore) -> DisclosureRules:
    """The disclosure rules of an open inspection (its subject references and terms)."""
    with store.uow() as tx:
        refs = [str(e.payload.get("subject_ref") or "") for e in tx.records.list(R.NOTE)]
        terms = [str(e.payload.get("term") or "")
                 for e in tx.records.list(R.DISCLOSURE_TERM)]
    return DisclosureRules(refs, terms)


def _render(doc: ReportDocument, target: Path, suffix: str, progress: Progress | None,
            cancel: Callable[[], bool] | None) -> list[str]:
    """Write the file; returns where it cannot show the text as written."""
    # Imported here: ReportLab and python-docx cost ~0.3 s to import and most commands never
    # write a document.
    if suffix == ".pdf":
        from hmip_desktop.report.pdf import not_shown_as_written, render_pdf

        render_pdf(doc, target, progress=progress, cancel=cancel)
        return not_shown_as_written(doc)
    from hmip_desktop.report.docx_writer import render_docx

    render_docx(doc, target, progress=progress, cancel=cancel)
    return []
