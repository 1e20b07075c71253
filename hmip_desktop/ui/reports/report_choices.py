"""What to export and how: the document and format, the protective marking, the evidence index,
what to do when the disclosure check finds something, and whether to insist on readiness."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.services.report import REPORT, UN_LETTER, ExportOptions
from hmip_desktop.ui.widgets.forms import buddy_label

ACTION_PLAN = "action_plan"
STOP, REDACT, ALLOW = "stop", "redact", "allow"
NO_UN = ("No Urgent Notification is set for this inspection, so there is no letter to export "
         "(set one on the Overview page first).")
NO_ACTION_PLAN = "Exporting the action plan is not available in this version."


@dataclass(frozen=True)
class ExportChoice:
    """One thing the page can write: a document in one format."""

    key: str
    label: str  # no mnemonic: the group's title has one (ReportChoices)
    document: str  # REPORT, UN_LETTER or ACTION_PLAN
    suffix: str
    default_name: str  # says nothing about the establishment or anyone in it
    file_filter: str

    @property
    def is_pdf(self) -> bool:
        """True when the file is a PDF (shown in the app once written)."""
        return self.suffix == ".pdf"


_PDF = "PDF files (*.pdf)"
_DOCX = "Word documents (*.docx)"
CHOICES = (
    ExportChoice("report_pdf", "Draft report (PDF, to read)", REPORT, ".pdf",
                 "draft-report.pdf", _PDF),
    ExportChoice("report_docx", "Draft report (DOCX, to edit)", REPORT, ".docx",
                 "draft-report.docx", _DOCX),
    ExportChoice("un_pdf", "Urgent Notification letter (PDF)", UN_LETTER, ".pdf",
                 "urgent-notification-letter.pdf", _PDF),
    ExportChoice("un_docx", "Urgent Notification letter (DOCX)", UN_LETTER, ".docx",
                 "urgent-notification-letter.docx", _DOCX),
    ExportChoice("action_plan", "Action plan (XLSX, for the establishment)", ACTION_PLAN,
                 ".xlsx", "action-plan.xlsx", "Excel workbooks (*.xlsx)"),
)


class ReportChoices(QWidget):
    """The document to write and the options of the export."""

    choice_changed = Signal()
    options_changed = Signal()  # options that change what the preview shows
    marking_save_requested = Signal(str)

    def __init__(self, *, action_plan_available: bool = True) -> None:
        super().__init__()
        self._busy = False
        self._un_available = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # One mnemonic for the group, none per choice: Alt+P puts the focus on the chosen
        # document and the arrow keys move between the five (the page already shows over 20
        # Alt+keys: options, checks, tabs, Cancel, the menu bar).
        what = QGroupBox("What to ex&port")
        what.setAccessibleName("What to export")
        what_layout = QVBoxLayout(what)
        self.documents = QButtonGroup(self)
        self.radios: dict[str, QRadioButton] = {}
        for i, choice in enumerate(CHOICES):
            radio = QRadioButton(choice.label)
            radio.setAccessibleName(choice.label)
            self.documents.addButton(radio, i)
            self.radios[choice.key] = radio
            what_layout.addWidget(radio)
        self.radios["report_pdf"].setChecked(True)
        self.un_note = QLabel(NO_UN)
        self.un_note.setAccessibleName("Why the letter cannot be exported")
        self.un_note.setWordWrap(True)
        what_layout.insertWidget(4, self.un_note)  # under the letter's choices
        self.action_plan_available = action_plan_available
        if not action_plan_available:
            self.radios[ACTION_PLAN].setEnabled(False)
            self.radios[ACTION_PLAN].setToolTip(NO_ACTION_PLAN)
        layout.addWidget(what)

        how = QGroupBox("Options")
        how.setAccessibleName("Export options")
        how_layout = QVBoxLayout(how)
        self.marking = QLineEdit()
        self.marking.setAccessibleName("Protective marking")
        self.marking.setAccessibleDescription("Printed on every page of the exported document")
        self.marking.setMaxLength(80)
        self.marking.setMinimumWidth(120)  # the column stays narrow at 1280x720
        self.save_marking = QPushButton("Save &marking")
        self.save_marking.setAccessibleName("Save the protective marking for this inspection")
        marking_row = QHBoxLayout()
        marking_row.addWidget(self.marking, 1)
        marking_row.addWidget(self.save_marking)
        how_layout.addWidget(buddy_label("Protective marking (on ever&y page):", self.marking))
        how_layout.addLayout(marking_row)
        self.evidence_index = QCheckBox("Include the &evidence index")
        self.evidence_index.setAccessibleName("Include the evidence index")
        self.evidence_index.setChecked(True)
        how_layout.addWidget(self.evidence_index)
        when_found = QLabel("If the disclosure check finds something that must not leave the "
                            "inspection:")
        when_found.setWordWrap(True)
        how_layout.addWidget(when_found)
        self.disclosure = QButtonGroup(self)
        self.disclosure_radios: dict[str, QRadioButton] = {}
        for i, (key, text, name) in enumerate((
                (STOP, "&Stop and show me what was found", "Stop when the check finds items"),
                (REDACT, "Replace each item &with [redacted]", "Redact what the check finds"),
                (ALLOW, "Export them &as they are (I have checked)",
                 "Export found items as they are"))):
            radio = QRadioButton(text)
            radio.setAccessibleName(name)
            self.disclosure.addButton(radio, i)
            self.disclosure_radios[key] = radio
            how_layout.addWidget(radio)
        self.disclosure_radios[STOP].setChecked(True)
        self.require_ready = QCheckBox("Only export when nothing &blocks the draft report")
        self.require_ready.setAccessibleName("Require the inspection to be ready")
        how_layout.addWidget(self.require_ready)
        layout.addWidget(how)
        self._report_only = [self.marking, self.save_marking, self.evidence_index,
                             self.require_ready, *self.disclosure_radios.values()]

        self.documents.idToggled.connect(self._on_documents_id_toggled)
        self.evidence_index.toggled.connect(self._on_evidence_index_toggled)
        self.save_marking.clicked.connect(self._on_save_marking_clicked)
        self.marking.returnPressed.connect(self._on_save_marking_clicked)
        self.set_un_available(False)

    # -- reading -----------------------------------------------------------------------------
    def choice(self) -> ExportChoice:
        """The document and format chosen."""
        return CHOICES[max(self.documents.checkedId(), 0)]

    def disclosure_mode(self) -> str:
        """STOP, REDACT or ALLOW."""
        return next(k for k, r in self.disclosure_radios.items() if r.isChecked())

    def options(self, *, mode: str | None = None) -> ExportOptions:
        """The export options as chosen (`mode` overrides the disclosure choice)."""
        mode = mode or self.disclosure_mode()
        choice = self.choice()
        return ExportOptions(
            document=choice.document if choice.document != ACTION_PLAN else REPORT,
            marking=self.marking.text().strip() or None,
            evidence_index=self.evidence_index.isChecked(), redact=mode == REDACT,
            allow_disclosure=mode == ALLOW, require_ready=self.require_ready.isChecked())

    # -- showing -----------------------------------------------------------------------------
    def set_marking(self, marking: str) -> None:
        """Show the inspection's marking (typing not yet saved is kept)."""
        if not self.marking.isModified():
            self.marking.setText(marking)

    def marking_saved(self) -> None:
        """The marking typed is now the inspection's."""
        self.marking.setModified(False)

    def set_un_available(self, available: bool) -> None:
        """Enable the letter only when an Urgent Notification is set."""
        for key in ("un_pdf", "un_docx"):
            radio = self.radios[key]
            radio.setEnabled(available and not self._busy)
            radio.setToolTip("" if available else NO_UN)
            radio.setAccessibleDescription("" if available else NO_UN)
        self.un_note.setVisible(not available)
        self._un_available = available
        if not available and self.choice().document == UN_LETTER:
            self.radios["report_pdf"].setChecked(True)

    def set_busy(self, busy: bool) -> None:
        """Disable every control while an export runs."""
        self._busy = busy
        for radio in self.radios.values():
            radio.setEnabled(not busy)
        if not busy:
            self.set_un_available(self._un_available)
            self.radios[ACTION_PLAN].setEnabled(self.action_plan_available)
        self._update_report_only(busy)

    def _update_report_only(self, busy: bool = False) -> None:
        report = self.choice().document != ACTION_PLAN
        for w in self._report_only:
            w.setEnabled(report and not busy)
        for radio in self.disclosure_radios.values():   # the action plan is checked too
            radio.setEnabled(not busy)
        self.require_ready.setEnabled(self.choice().document == REPORT and not busy)

    # -- slots -------------------------------------------------------------------------------
    def _on_documents_id_toggled(self, _id: int, checked: bool) -> None:
        if checked:
            self._update_report_only()
            self.choice_changed.emit()

    def _on_evidence_index_toggled(self, _checked: bool) -> None:
        self.options_changed.emit()

    def _on_save_marking_clicked(self) -> None:
        self.marking_save_requested.emit(self.marking.text())
