"""The Urgent Notification on the Overview page: the flag, the criteria checklist, the reasons,
the letter date, the date the response arrived, and the due dates that follow with the days
remaining. Where the data does not allow a UN for the establishment type the flag is off and
says why; it names the addressee and whose agreement is needed (an STC: Ofsted's).

The panel listens to the app signals itself, so a page only has to add it to its layout.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from hmip_desktop.domain import records as R
from hmip_desktop.domain import urgent_notification as U
from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.domain.date_words import day_and_date
from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.services.urgent_notification import UnStatus, UrgentNotificationService
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.errors import present_error
from hmip_desktop.ui.unsaved import save_form
from hmip_desktop.ui.widgets.forms import (
    SAVE_KEYS,
    add_shortcuts,
    buddy_label,
    error_label,
    prose_editor,
    show_error,
    status_label,
)

# (flagged, ticked criteria, reasons text, letter date text, response date text): the form.
Values = tuple[bool, tuple[str, ...], str, str, str]


def remaining(days: int | None) -> str:
    """Days remaining in words; negative is overdue."""
    if days is None:
        return ""
    if days == 0:
        return "due today"
    if days > 0:
        return f"{days} day{'s' if days != 1 else ''} remaining"
    return f"{-days} day{'s' if days != -1 else ''} overdue"


def letter_text(status: UnStatus) -> str:
    """The letter's due date, or when it was sent."""
    d = status.dates
    if d is None or d.letter_due is None:
        return f"{status.letter_label}: set the inspection's end date to work out the due date."
    if d.letter_date is not None:
        late = (f" — late by {(d.letter_date - d.letter_due).days} "
                f"day{'s' if (d.letter_date - d.letter_due).days != 1 else ''}"
                if status.late else "")
        return (f"{status.letter_label}: sent {day_and_date(d.letter_date)} (was due "
                f"{day_and_date(d.letter_due)}){late}.")
    return (f"{status.letter_label}: due {day_and_date(d.letter_due)} — "
            f"{remaining(d.letter_days_remaining)}.")


def response_text(status: UnStatus) -> str:
    """The public response's due date and what it is counted from."""
    d = status.dates
    if d is not None and d.response_date is not None:
        due = f" (was due {day_and_date(d.response_due)})" if d.response_due else ""
        return f"{status.response_label}: received on {day_and_date(d.response_date)}{due}."
    if d is None or d.response_due is None:
        return f"{status.response_label}: not known until the letter's due date is."
    base = d.letter_date or d.letter_due
    days = (d.response_due - base).days if base else 0
    basis = ("after the letter" if d.response_basis == U.RESPONSE_FROM_LETTER else
             "after the letter's due date, until the date it was sent is recorded")
    return (f"{status.response_label}: due {day_and_date(d.response_due)} ({days} days {basis}) "
            f"— {remaining(d.response_days_remaining)}.")


def scope_text(status: UnStatus) -> str:
    """Where the data does not allow a UN, why; else the addressee and any agreement needed."""
    if not status.allowed:  # the service's own refusal: a review, or a type never followed
        return status.refusal
    parts = [f"The letter goes to {status.addressee}."] if status.addressee else []
    if status.needs_agreement_of:
        parts.append("For this type of establishment "
                     f"({status.establishment_type_label}) an Urgent Notification needs the "
                     f"agreement of {' and '.join(status.needs_agreement_of)}.")
    return " ".join(parts)


class UrgentNotificationPanel(QGroupBox):
    """Flag, criteria, reasons, letter date; the due dates with days remaining."""

    letter_requested = Signal()  # "Draft the letter": the Reports page writes it

    def __init__(self, ctx: UiContext, *, read_on_open: bool = True) -> None:
        super().__init__("Urgent Notification")
        self.ctx = ctx
        self.setAccessibleName("Urgent Notification")
        self.today: Callable[[], dt.date] = dt.date.today  # a seam for tests
        self.flag = QCheckBox("&Urgent Notification for this inspection")
        self.flag.setAccessibleName("Urgent Notification for this inspection")
        self.flag.toggled.connect(self._on_flag_toggled)
        self.criteria_box = QGroupBox("Criteria weighed")
        self.criteria_box.setAccessibleName("Criteria weighed")
        self._criteria_layout = QVBoxLayout(self.criteria_box)
        self.criteria: dict[str, QCheckBox] = {}
        self.reasons = prose_editor("Reasons, one per line",
                                    "One reason per line, as the letter will give them.")
        self.reasons.setMaximumHeight(100)
        self.reasons_error = error_label("Reasons problem")
        self.letter_date = QLineEdit()
        self.letter_date.setAccessibleName("Letter sent on (YYYY-MM-DD)")
        self.letter_date.setPlaceholderText("YYYY-MM-DD, once the letter is sent")
        self.letter_error = error_label("Letter date problem")
        self.response_date = QLineEdit()
        self.response_date.setAccessibleName("Response and action plan received on "
                                             "(YYYY-MM-DD)")
        self.response_date.setPlaceholderText("YYYY-MM-DD, once the response has arrived")
        self.response_error = error_label("Response date problem")
        self.save = QPushButton("Save Urgent &Notification (Ctrl+Enter)")
        self.save.clicked.connect(self._on_save_clicked)
        self.status = status_label("Urgent Notification save status")
        self.letter_due = status_label("Letter due")
        self.response_due = status_label("Response due")
        self.conflict = status_label("Urgent Notification conflict")
        self.scope = status_label("Where Urgent Notifications are used")
        self.draft_letter = QPushButton("Draft the letter on the Reports page…")
        self.draft_letter.setAccessibleName("Draft the Urgent Notification letter")
        self.draft_letter.setToolTip("Opens the Reports page with the letter chosen; it is "
                                     "written from what is saved here.")
        self.draft_letter.setEnabled(False)
        self.draft_letter.clicked.connect(self.letter_requested)
        form = QFormLayout()
        form.addRow(buddy_label("Rea&sons (one per line):", self.reasons), self.reasons)
        form.addRow("", self.reasons_error)
        form.addRow(buddy_label("&Letter sent on:", self.letter_date), self.letter_date)
        form.addRow("", self.letter_error)
        form.addRow(buddy_label("Res&ponse received on:", self.response_date),
                    self.response_date)
        form.addRow("", self.response_error)
        layout = QVBoxLayout(self)
        layout.addWidget(self.flag)
        layout.addWidget(self.scope)
        layout.addWidget(self.criteria_box)
        layout.addLayout(form)
        layout.addWidget(self.save)
        layout.addWidget(self.status)
        layout.addWidget(self.letter_due)
        layout.addWidget(self.response_due)
        layout.addWidget(self.conflict)
        layout.addWidget(self.draft_letter)
        add_shortcuts(self, SAVE_KEYS, self._on_save_clicked)
        self._loaded: Values | None = None
        self._status: UnStatus | None = None
        if read_on_open:  # else its owner calls reload() once its own first read is shown
            ctx.signals.inspection_opened.connect(self._on_inspection_opened)
        ctx.signals.inspection_closed.connect(self.clear)
        ctx.signals.changes_applied.connect(self._on_changes_applied)
        self.clear()

    # -- loading -----------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the flag and dates on the DB lane."""
        store = self.ctx.store
        if store is not None:
            today = self.today()
            self.ctx.tasks.submit(lambda: UrgentNotificationService(store).status(today),
                                  self._show)

    def _on_inspection_opened(self, _store: object) -> None:
        self.reload()

    def _on_changes_applied(self, changes: ChangeSet) -> None:
        # The end date lives on the inspection record, so its changes move the dates too.
        if self.ctx.store is not None and (changes.touches(R.URGENT_NOTIFICATION)
                                           or changes.touches(R.INSPECTION)):
            self.reload()

    def clear(self) -> None:
        """No inspection: nothing to show or edit."""
        self._status = None
        self._loaded = None
        self.flag.setChecked(False)
        self.reasons.setPlainText("")
        self.letter_date.setText("")
        self.response_date.setText("")
        self.scope.setText("")
        for box in self.criteria.values():
            box.setChecked(False)
        self.setEnabled(False)
        self.letter_due.setText("")
        self.response_due.setText("")
        self.conflict.setText("")

    def _ensure_criteria(self, criteria: tuple[U.Criterion, ...]) -> None:
        if list(self.criteria) == [c.key for c in criteria]:
            # The same checklist: only the words may differ (another file's establishment
            # holds children, not prisoners).
            for c in criteria:
                if self.criteria[c.key].text() != c.label:
                    self.criteria[c.key].setText(c.label)
                    self.criteria[c.key].setAccessibleName(c.label)
            return
        for box in self.criteria.values():
            self._criteria_layout.removeWidget(box)
            box.setParent(None)  # leaves the tab order at once
            box.deleteLater()
        self.criteria = {}
        for c in criteria:
            box = QCheckBox(c.label)
            box.setAccessibleName(c.label)
            self._criteria_layout.addWidget(box)
            self.criteria[c.key] = box
        # New boxes go last in the tab order: put them between the flag and the reasons.
        previous = self.flag
        for box in self.criteria.values():
            self.setTabOrder(previous, box)
            previous = box
        self.setTabOrder(previous, self.reasons)

    def values(self) -> Values:
        """What the form holds now."""
        return (self.flag.isChecked(),
                tuple(k for k, box in self.criteria.items() if box.isChecked()),
                self.reasons.toPlainText().strip(), self.letter_date.text().strip(),
                self.response_date.text().strip())

    @property
    def dirty(self) -> bool:
        """True when the form differs from what was last read or saved (in any order of
        criteria: the stored order need not be the checklist's)."""
        def same_order(v: Values) -> Values:
            return (v[0], tuple(sorted(v[1])), *v[2:])

        return self._loaded is not None and same_order(self.values()) != same_order(
            self._loaded)

    def save_now(self) -> str | None:
        """Save as the button does and wait for the write: None once saved, else why not."""
        return save_form(self._on_save_clicked, lambda: not self.save.isEnabled(),
                         lambda: self.dirty,
                         ((self.reasons_error, self.reasons), (self.letter_error,
                                                               self.letter_date),
                          (self.response_error, self.response_date)))

    def _show(self, status: UnStatus) -> None:
        self.setEnabled(True)
        self._status = status
        self.draft_letter.setEnabled(status.active)
        self._ensure_criteria(status.criteria)
        d = status.dates
        stored: Values = (status.active, tuple(status.ticked), "\n".join(status.reasons),
                          d.letter_date.isoformat() if d and d.letter_date else "",
                          d.response_date.isoformat() if d and d.response_date else "")
        if self._loaded is None or self.values() in (self._loaded, stored):
            self.flag.setChecked(stored[0])
            for key, box in self.criteria.items():
                box.setChecked(key in stored[1])
            if self.reasons.toPlainText().strip() != stored[2]:
                self.reasons.setPlainText(stored[2])
            self.letter_date.setText(stored[3])
            self.response_date.setText(stored[4])
        self._loaded = stored
        # Where a UN is not used the flag cannot be ticked (an existing one can be removed).
        self.flag.setEnabled(status.allowed or status.active)
        self.scope.setText(scope_text(status))
        self.scope.setVisible(bool(self.scope.text()))
        self._on_flag_toggled(self.flag.isChecked())
        self.letter_due.setText(letter_text(status) if status.active else "")
        self.response_due.setText(response_text(status) if status.active else "")
        self.letter_due.setVisible(status.active)
        self.response_due.setVisible(status.active)
        self.conflict.setText("Conflicting edits of the Urgent Notification arrived by merge: "
                              "saving it now records one version." if status.conflicted else "")

    def _on_flag_toggled(self, checked: bool) -> None:
        for w in (self.criteria_box, self.reasons, self.letter_date, self.response_date):
            w.setEnabled(checked)

    # -- saving ------------------------------------------------------------------------------
    def _on_save_clicked(self) -> None:
        store = self.ctx.store
        if store is None or not self.save.isEnabled():
            return
        show_error(self.reasons_error, None)
        show_error(self.letter_error, None)
        show_error(self.response_error, None)
        flagged, ticked, reasons, letter, response = self.values()
        service = UrgentNotificationService(store)
        if not flagged:
            work: Callable[[], ChangeSet] = service.clear
        else:
            lines = [line for line in reasons.splitlines() if line.strip()]
            if not lines:
                show_error(self.reasons_error, "An Urgent Notification needs at least one "
                                               "reason.")
                self.reasons.setFocus()
                return
            try:
                U.parse_date(letter or None, "Letter date")
            except ValidationError as exc:
                show_error(self.letter_error, str(exc))
                self.letter_date.setFocus()
                return
            try:
                U.parse_date(response or None, "Response date")
            except ValidationError as exc:
                show_error(self.response_error, str(exc))
                self.response_date.setFocus()
                return

            def work() -> ChangeSet:
                return service.set(reasons=lines, criteria=list(ticked),
                                   letter_date=letter or None, response_date=response or None)

        self.save.setEnabled(False)
        self.status.setText("Saving…")
        self.ctx.write(work, on_error=self._on_save_failed, before_broadcast=self._on_saved)

    def _on_saved(self, changes: ChangeSet) -> None:
        self.save.setEnabled(True)
        flagged = self.flag.isChecked()
        self.status.setText(("Urgent Notification saved." if flagged else
                             "Urgent Notification removed.") if changes.types
                            else "No changes to save.")
        self._loaded = self.values()

    def _on_save_failed(self, exc: BaseException) -> None:
        self.save.setEnabled(True)
        self.status.setText("Not saved.")
        if isinstance(exc, ValidationError):
            text = str(exc).casefold()
            target = (self.response_error if "response date" in text else
                      self.letter_error if "date" in text else self.reasons_error)
            show_error(target, str(exc))
        else:
            present_error(self, exc)
