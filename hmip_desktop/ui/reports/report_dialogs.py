"""The questions the Reports page asks (where to write, what to do about disclosure hits) and
the small helpers around an exported file. Tests replace the questions."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from hmip_desktop import paths
from hmip_desktop.domain.date_words import long_date
from hmip_desktop.domain.disclosure import Hit
from hmip_desktop.domain.mime import MIME_PDF
from hmip_desktop.domain.plan_received import ReceivedStatus
from hmip_desktop.domain.wording import plural
from hmip_desktop.private_files import private_dir
from hmip_desktop.services.documents import DocumentView
from hmip_desktop.ui.errors import ask_yes_no
from hmip_desktop.ui.reports.report_choices import ALLOW, REDACT, ExportChoice

MAX_HITS_LISTED = 12


def exports_folder() -> Path:
    """`<data dir>/exports`: where exports go until the person picks another folder."""
    return private_dir(paths.data_dir() / "exports")


def with_suffix(path: Path, suffix: str) -> Path:
    """The path ending in `suffix` (added when the person typed another or none)."""
    if path.suffix.lower() == suffix:
        return path
    return path.with_name(path.name + suffix)


def choose_target(parent: QWidget, folder: Path, choice: ExportChoice) -> Path | None:
    """Ask where to write the file (the dialog confirms overwriting); None when cancelled."""
    chosen, _ = QFileDialog.getSaveFileName(parent, f"Export {choice.label}",
                                            str(folder / choice.default_name),
                                            choice.file_filter)
    return with_suffix(Path(chosen), choice.suffix) if chosen else None


def choose_workbook(parent: QWidget, folder: Path) -> Path | None:
    """Ask which returned action plan workbook to import."""
    chosen, _ = QFileDialog.getOpenFileName(parent, "Import action plan responses",
                                            str(folder), "Excel workbooks (*.xlsx)")
    return Path(chosen) if chosen else None


def hits_lines(hits: Sequence[Hit]) -> str:
    """The hits, one a line (the first few; the page lists them all)."""
    lines = [f"• {h.describe()}" for h in hits[:MAX_HITS_LISTED]]
    if len(hits) > MAX_HITS_LISTED:
        lines.append(f"…and {len(hits) - MAX_HITS_LISTED} more (listed on the Reports page).")
    return "\n".join(lines)


def ask_disclosure_choice(parent: QWidget, hits: Sequence[Hit]) -> str | None:
    """Nothing was written; ask: redact and export, export as they are, or cancel.

    Returns REDACT, ALLOW or None (cancel).
    """
    from hmip_desktop.ui.widgets.choice_box import Answer, ask_choice

    role = QMessageBox.ButtonRole
    return ask_choice(
        parent, icon=QMessageBox.Icon.Warning, title="Disclosure check",
        text=f"The disclosure check found {plural(len(hits), 'item')} that must not leave the "
             "inspection. Nothing was written.\n\n" + hits_lines(hits),
        name="Disclosure check found items",
        answers=(Answer(REDACT, "&Redact and export",
                        "Replace each item with [redacted] and export", role.AcceptRole),
                 Answer(ALLOW, "Export &as they are", "Export the items as they are",
                        role.DestructiveRole)),
        cancel_spoken="Cancel: write nothing")


def ask_mark_received(parent: QWidget, received: ReceivedStatus) -> bool:
    """After importing the plan of a published inspection: move the status on? (default Yes:
    the returned plan is what the status records)."""
    return ask_yes_no(
        parent, "The establishment's action plan answers the published report. Mark the inspection "
        f"“Action plan received” on {long_date(received.on)} ({received.basis})?\n\nIf not "
        "now, the Overview page's life cycle can do it later.",
        title="Action plan received", default_yes=True)


def show_in_folder(path: Path) -> bool:
    """Open the folder holding an exported file in the desktop's file manager."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(path).parent)))


def exported_pdf_view(path: Path, data: bytes) -> DocumentView:
    """How the in-app viewer names an exported PDF (it reads the bytes from memory)."""
    return DocumentView(id="", title="Exported document", filename=path.name, mime=MIME_PDF,
                        sha256="", size=len(data), pages=0, description="",
                        source_kind="", created_hlc="", created_by="", conflicted=False,
                        available=True)
