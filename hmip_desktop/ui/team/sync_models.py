"""Table models and wording for the Team & sync page: roster, bundle previews, import history
and the conflict queue.

Each table is a `RowsTableModel` over the services' frozen views, described as columns; the
highlighted rows (a removed member, a refused bundle, a conflict that needs a person) also say
so in words in a column, so colour is never the only signal.
"""

from __future__ import annotations

import datetime as dt
import secrets

from hmip_desktop.domain.wording import plural
from hmip_desktop.services.bundles import (
    BUNDLE_SUFFIX,
    BundlePreview,
    ExportReport,
    ImportLogEntry,
    ImportReport,
)
from hmip_desktop.services.conflicts import ConflictView
from hmip_desktop.services.field_text import field_names
from hmip_desktop.services.labels import record_type_label
from hmip_desktop.services.roster_access import MemberView
from hmip_desktop.ui.widgets.rows_model import Column, RowsTableModel
from hmip_desktop.ui.widgets.times import approx_time

PREVIEW_STATUS = {
    "ready": "Trusted — ready to merge",
    "already_imported": "Already imported — nothing new",
    "refused": "Refused",
}


def size_text(n: int) -> str:
    """Bytes as a person reads them."""
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return f"{n} bytes"


def bundle_file_name(today: dt.date | None = None, short: str | None = None) -> str:
    """A bundle name that reveals neither the establishment nor a person."""
    day = (today or dt.date.today()).isoformat()
    return f"hmip-{day}-{short or secrets.token_hex(3)}{BUNDLE_SUFFIX}"


def invite_file_name(today: dt.date | None = None) -> str:
    """An invite name with no establishment or person in it."""
    return f"hmip-invite-{(today or dt.date.today()).isoformat()}{BUNDLE_SUFFIX}"


# -- roster --------------------------------------------------------------------------------------
def _member_name(m: MemberView) -> str:
    return m.name + (" (you)" if m.is_me else "")


def _member_status(m: MemberView) -> str:
    if m.status == "active":
        return "active"
    return f"removed {approx_time(m.removed_at)}" if m.removed_at else "removed"


ROSTER_COLUMNS = (
    Column("Name", _member_name),
    Column("Role", lambda m: m.role_label + (" (sets up the team)" if m.is_anchor else "")),
    Column("Fingerprint", lambda m: m.fingerprint,
           lambda m: "Compare this aloud with the member in person."),
    Column("Status", _member_status),
)


def roster_model() -> RowsTableModel:
    """Team members; removed members are highlighted."""
    return RowsTableModel(ROSTER_COLUMNS, highlight=lambda m: m.status != "active")


# -- bundle previews -----------------------------------------------------------------------------
def _preview_changes(p: BundlePreview) -> str:
    return str(p.summary.revisions) if p.summary else "—"


def _preview_attachments(p: BundlePreview) -> str:
    s = p.summary
    return f"{s.blobs} ({size_text(s.blob_bytes)})" if s else "—"


PREVIEW_COLUMNS = (
    Column("File", lambda p: p.file),
    Column("From", lambda p: p.summary.author_name if p.summary else "unknown"),
    Column("Written", lambda p: approx_time(p.summary.created_at) if p.summary else "—"),
    Column("Changes", _preview_changes, lambda p: "Every change the sender holds; only the "
           "ones new to this file are added."),
    Column("Attachments", _preview_attachments),
    Column("Status", lambda p: PREVIEW_STATUS.get(p.status, p.status)),
    Column("Reason", lambda p: p.message or ("Signed by a team member" if p.status == "ready"
                                             else "")),
)


def preview_model() -> RowsTableModel:
    """Bundles about to be merged; refused ones are highlighted."""
    return RowsTableModel(PREVIEW_COLUMNS, highlight=lambda p: p.status == "refused")


# -- import history ------------------------------------------------------------------------------
HISTORY_COLUMNS = (
    Column("Imported", lambda e: approx_time(e.imported_at)),
    Column("From", lambda e: e.author_name or "unknown"),
    Column("Changes", lambda e: f"{e.revisions_new} new of {e.revisions_total}"),
    Column("New attachments", lambda e: str(e.blobs_new)),
    Column("Undo", lambda e: "can be undone" if e.undoable else ""),
    Column("Bundle", lambda e: e.bundle_id[-8:], lambda e: e.bundle_id),
)


def history_model() -> RowsTableModel:
    """Bundles merged into this file, newest first."""
    return RowsTableModel(HISTORY_COLUMNS)


# -- conflicts -----------------------------------------------------------------------------------
def type_label(record_type: str) -> str:
    """'urgent_notification' -> 'Urgent Notification', 'npp' -> 'Notable positive practice'."""
    return record_type_label(record_type)


def _what_differs(c: ConflictView) -> str:
    if c.overlapping:
        return "both changed: " + field_names(c.overlapping, c.record_type)
    if any(v.deleted for v in c.versions):
        return "deleted on one side"
    return "different fields" if c.proposal is not None else c.reason or "—"


CONFLICT_COLUMNS = (
    Column("Record", lambda c: c.label),
    Column("Kind", lambda c: type_label(c.record_type)),
    Column("Versions", lambda c: ", ".join(v.author_name or "unknown" for v in c.versions)),
    Column("What differs", _what_differs),
    Column("Needs", lambda c: "can merge field by field" if c.proposal is not None
           else "your decision", lambda c: c.reason),
)


def conflicts_model() -> RowsTableModel:
    """Conflicted records; those that need a person's decision are highlighted."""
    return RowsTableModel(CONFLICT_COLUMNS, highlight=lambda c: c.proposal is None)


# -- summaries -----------------------------------------------------------------------------------
def export_summary(report: ExportReport) -> str:
    """What a written bundle holds, in words."""
    return (f"Bundle written: {report.path.name} in {report.path.parent} — "
            f"{plural(report.revisions, 'change')}, {plural(report.blobs, 'attachment')} "
            f"({size_text(report.blob_bytes)}), readable by "
            f"{plural(report.recipients, 'recipient')}.")


def import_summary(report: ImportReport) -> str:
    """What a merge did, in words: new changes, new conflicts, refusals and clock warnings."""
    parts = [f"Merged {plural(report.imported, 'bundle')}: "
             f"{plural(report.revisions_new, 'new change')}, "
             f"{plural(report.blobs_new, 'new attachment')}, "
             f"{plural(len(report.new_conflicts), 'new conflict')} "
             f"({report.conflicts} in all)."]
    for o in report.outcomes:
        if o.status == "already_imported":
            parts.append(f"{o.file} was already imported: nothing new.")
        elif o.status == "refused":
            parts.append(f"{o.file} was refused: {o.message}")
        if o.clock_ahead:
            parts.append(f"{o.file} is dated ahead of this computer's clock; check the "
                         "sender's clock (the times shown are approximate).")
    if not report.changed and report.imported:
        parts.append("Nothing changed: everything in these bundles was already here.")
    return " ".join(parts)


def history_undoable(entries: list[ImportLogEntry]) -> bool:
    """True when the last merge can still be undone."""
    return any(e.undoable for e in entries)

