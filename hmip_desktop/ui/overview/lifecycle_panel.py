"""The Overview's life-cycle controls: status (moved forward only), publication (and, for a
review of progress, when its report is due), reopening with a reason, nation and notice; and
Ofsted's or Estyn's own education judgement beside the purposeful activity agreed score.

Each panel listens to the app signals itself, so the Overview page only adds it to its layout.
Writes go through services.lifecycle on the DB lane and broadcast what they changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from hmip_desktop.domain import lifecycle as L
from hmip_desktop.domain import records as R
from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.domain.framework_nation import NATION_LABELS
from hmip_desktop.domain.review_of_progress import publication_due_text
from hmip_desktop.domain.wording import plural
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.errors import ask_yes_no, present_error
from hmip_desktop.ui.unsaved import save_form
from hmip_desktop.ui.widgets.forms import buddy_label, error_label, show_error, status_label

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore
    from hmip_desktop.services.lifecycle import EducationView, LifecycleService, LifecycleView

NOT_LEADER_NOTE = ("Only the team leader publishes or reopens the inspection; you can move it "
                   "through the earlier stages.")
DATED = (L.PUBLISHED, L.ACTION_PLAN_RECEIVED)


def _service(store: InspectionStore) -> LifecycleService:
    """The life-cycle use cases, imported on the DB lane at the first read: the module
    brings the roster checks and the bundle format (~60 ms of imports) that the first screen
    of a start-up does not need on the GUI thread."""
    from hmip_desktop.services.lifecycle import LifecycleService

    return LifecycleService(store)


def status_text(v: LifecycleView) -> str:
    """'Published on 2024-08-06; action plan received on …'."""
    text = v.status_label
    if v.publication_date:
        text += f" (published on {v.publication_date})"
    if v.action_plan_received_date:
        text += f"; action plan received on {v.action_plan_received_date}"
    return text + "."


def reopenings_text(v: LifecycleView) -> str:
    """Each reopening with its date, who and why."""
    return "\n".join(f"Reopened on {r.get('on')} from {L.status_label(r.get('from'))} to "
                     f"{L.status_label(r.get('to'))} by {r.get('by') or 'unknown'}: "
                     f"{r.get('reason')}" for r in v.reopenings)


class _ListeningBox(QGroupBox):
    """A group box that reloads when the inspection record changes."""

    def __init__(self, title: str, ctx: UiContext, *, read_on_open: bool = True) -> None:
        super().__init__(title)
        self.ctx = ctx
        self.setAccessibleName(title)
        if read_on_open:  # else its owner calls reload() once its own first read is shown
            ctx.signals.inspection_opened.connect(lambda _store: self.reload())
        ctx.signals.inspection_closed.connect(self.clear)
        ctx.signals.changes_applied.connect(self._on_changes_applied)

    def _on_changes_applied(self, changes: ChangeSet) -> None:
        # The record itself, the agreed score shown beside the education judgement, and the
        # roster (who leads decides what may be published or reopened here).
        if self.ctx.store is not None and any(changes.touches(t) for t in
                                              (R.INSPECTION, R.SCORE, R.TEAM_MEMBER)):
            self.reload()

    def reload(self) -> None:
        """Read on the DB lane."""

    def clear(self) -> None:
        """No inspection open."""

    def _run(self, work: Callable[[], ChangeSet], done_text: str,
             on_fail: Callable[[BaseException], None] | None = None,
             on_saved: Callable[[], None] | None = None) -> None:
        def ok(changes: ChangeSet) -> None:
            self._set_busy(False)
            self.status.setText(done_text if changes.types else "No changes to save.")
            if on_saved is not None:
                on_saved()

        def failed(exc: BaseException) -> None:
            self._set_busy(False)
            self.status.setText("Not saved.")
            if on_fail is not None and isinstance(exc, ValidationError):
                on_fail(exc)
            else:
                present_error(self, exc)

        self._set_busy(True)
        self.status.setText("Saving…")
        self.ctx.write(work, on_error=failed, before_broadcast=ok)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.setEnabled(not busy)

    busy = False  # a write of this panel is on the DB lane

    status: QLabel  # each panel's "saved" line


class LifecyclePanel(_ListeningBox):
    """Status, its dates, reopenings; nation and announced or unannounced."""

    def __init__(self, ctx: UiContext, *, read_on_open: bool = True) -> None:
        super().__init__("Life cycle", ctx, read_on_open=read_on_open)
        self.current = status_label("Current status")
        self.report_due = status_label("Report due")
        self.read_only_note = status_label("Why the inspection is read-only")
        self.next_status = QComboBox()
        self.next_status.setAccessibleName("Next status")
        self.next_status.currentIndexChanged.connect(self._on_next_status_changed)
        self.status_date = QLineEdit()
        self.status_date.setAccessibleName("Date of the status (YYYY-MM-DD)")
        self.status_date.setPlaceholderText("YYYY-MM-DD (publication: today if empty)")
        self.date_error = error_label("Status date problem")
        self.move_button = QPushButton("&Move to this status")
        self.move_button.clicked.connect(self._on_move_button_clicked)
        self.reopen_button = QPushButton("&Reopen…")
        self.reopen_button.setAccessibleName("Reopen the inspection with a reason")
        self.reopen_button.clicked.connect(self._on_reopen_button_clicked)
        self.leader_note = status_label("Who may publish or reopen")
        self.history = status_label("Reopenings")
        self.nation = QComboBox()
        self.nation.setAccessibleName("Nation")
        self.nation.setToolTip("Education is inspected by Ofsted in England and Estyn in Wales")
        for key, label in NATION_LABELS.items():
            self.nation.addItem(label, key)
        self.announced = QCheckBox("Announced (the establishment was told in advance)")
        self.announced.setAccessibleName("Announced inspection")
        self.save_facts = QPushButton("Save nation and no&tice")
        self.save_facts.clicked.connect(self._on_save_facts_clicked)
        self.status = status_label("Life cycle save status")
        form = QFormLayout()
        form.addRow("Status:", self.current)
        form.addRow("Report due:", self.report_due)  # shown for a kind with a deadline
        self._form = form
        form.addRow(buddy_label("Ne&xt status:", self.next_status), self.next_status)
        form.addRow(buddy_label("Status &date:", self.status_date), self.status_date)
        form.addRow("", self.date_error)
        buttons = QHBoxLayout()
        buttons.addWidget(self.move_button)
        buttons.addWidget(self.reopen_button)
        buttons.addStretch(1)
        facts = QFormLayout()
        facts.addRow(buddy_label("Nat&ion:", self.nation), self.nation)
        facts.addRow("", self.announced)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.read_only_note)
        layout.addWidget(self.leader_note)
        layout.addWidget(self.history)
        layout.addLayout(facts)
        layout.addWidget(self.save_facts)
        layout.addWidget(self.status)
        self._view: LifecycleView | None = None
        # A seam for tests: the reason for reopening and the status to go back to, or None.
        self.ask_reason: Callable[[LifecycleView], tuple[str, str] | None] = self._ask_reason
        # Replaceable in tests: move on although readiness blocks the report?
        self.ask_despite: Callable[[L.NotReadyForStatus], bool] = self._ask_despite
        self._facts_stored: tuple[str | None, bool] | None = None  # as read or last saved
        self.clear()

    # -- loading -----------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the status on the DB lane."""
        store = self.ctx.store
        if store is not None:
            self.ctx.tasks.submit(lambda: _service(store).view(), self._show,
                                  lambda e: present_error(self, e))

    def clear(self) -> None:
        """No inspection: nothing to show or change."""
        self._view = None
        self._facts_stored = None
        self.current.setText("")
        self.report_due.setText("")
        self._form.setRowVisible(self.report_due, False)
        self.read_only_note.setText("")
        self.leader_note.setText("")
        self.history.setText("")
        self.next_status.clear()
        self.setEnabled(False)

    def _show(self, v: LifecycleView) -> None:
        self._view = v
        self.setEnabled(True)
        self.current.setText(status_text(v))
        self.report_due.setText(publication_due_text(v.publication_due)
                                if v.publication_due is not None else "")
        self._form.setRowVisible(self.report_due, v.publication_due is not None)
        self.read_only_note.setText(v.message)
        self.read_only_note.setVisible(bool(v.message))
        self.history.setText(reopenings_text(v))
        self.history.setVisible(bool(v.reopenings))
        chosen = self.next_status.currentData()  # kept across a reload when still on offer
        self.next_status.blockSignals(True)
        self.next_status.clear()
        for key in v.next_statuses:
            self.next_status.addItem(L.status_label(key), key)
        self.next_status.setCurrentIndex(max(0, self.next_status.findData(chosen)))
        self.next_status.blockSignals(False)
        if not self.facts_dirty:  # a reload (a merge) does not undo the person's choice
            self.nation.setCurrentIndex(max(0, self.nation.findData(v.nation)))
            self.announced.setChecked(v.announced)
        self._facts_stored = (v.nation, v.announced)
        # Published: only action-plan tracking may change, so nation and notice are locked.
        for w in (self.nation, self.announced, self.save_facts):
            w.setEnabled(not v.read_only)
        self.reopen_button.setEnabled(v.leads_here and bool(v.reopen_targets))
        self.reopen_button.setToolTip("" if v.leads_here else NOT_LEADER_NOTE)
        self._on_next_status_changed()

    def _on_next_status_changed(self, *_: object) -> None:
        v = self._view
        target = self.next_status.currentData()
        dated = target in DATED
        self.status_date.setEnabled(dated)
        if not dated:
            self.status_date.setText("")
        blocked = target == L.PUBLISHED and v is not None and not v.leads_here
        self.move_button.setEnabled(target is not None and not blocked)
        self.leader_note.setText(NOT_LEADER_NOTE if v is not None and not v.leads_here else "")
        self.leader_note.setVisible(bool(self.leader_note.text()))

    # -- writes ------------------------------------------------------------------------------
    def _set_busy(self, busy: bool) -> None:
        for w in (self.move_button, self.reopen_button, self.save_facts):
            w.setEnabled(not busy)
        if not busy and self._view is not None:
            self._show(self._view)

    def _on_move_button_clicked(self) -> None:
        store, target = self.ctx.store, self.next_status.currentData()
        if store is None or target is None:
            return
        show_error(self.date_error, None)
        day = self.status_date.text().strip() or None
        try:
            L.parse_date(day, "The date")
        except ValidationError as exc:
            show_error(self.date_error, str(exc))
            return
        self._move(store, target, day, despite=False)

    def _move(self, store: InspectionStore, target: str, day: str | None, *,
              despite: bool) -> None:
        def refused(exc: BaseException) -> None:
            if isinstance(exc, L.NotReadyForStatus) and self.ask_despite(exc):
                self._move(store, target, day, despite=True)
            elif not isinstance(exc, L.NotReadyForStatus):
                show_error(self.date_error, str(exc))
            else:
                self.status.setText("Not moved: readiness still blocks the report.")

        self._run(lambda: _service(store).set_status(target, day, despite_readiness=despite),
                  f"Status moved to {L.status_label(target)}.", refused)

    def _ask_despite(self, exc: L.NotReadyForStatus) -> bool:
        shown = "\n".join(f"• {b}" for b in exc.blockers[:10])
        more = f"\n… and {len(exc.blockers) - 10} more" if len(exc.blockers) > 10 else ""
        return ask_yes_no(
            self, f"Readiness still reports {plural(len(exc.blockers), 'item')} blocking the "
            "report:\n\n"
            f"{shown}{more}\n\nMove to {L.status_label(exc.target)} anyway? (Choose No to "
            "resolve them first; the Reports page lists them.)",
            title="The report is not ready")

    def _ask_reason(self, v: LifecycleView) -> tuple[str, str] | None:
        labels = [L.status_label(k) for k in v.reopen_targets]
        default = labels.index(L.status_label(L.DRAFTING)) if L.DRAFTING in v.reopen_targets \
            else len(labels) - 1
        label, ok = QInputDialog.getItem(self, "Reopen the inspection",
                                         "Go back to the status:", labels, default, False)
        if not ok:
            return None
        reason, ok = QInputDialog.getMultiLineText(
            self, "Reopen the inspection",
            "Why is it reopened? (kept in the inspection's history)")
        if not ok or not reason.strip():
            return None
        return reason, v.reopen_targets[labels.index(label)]

    def _on_reopen_button_clicked(self) -> None:
        store, v = self.ctx.store, self._view
        if store is None or v is None:
            return
        answer = self.ask_reason(v)
        if answer is None:
            return
        reason, to = answer
        self._run(lambda: _service(store).reopen(reason, to),
                  f"Reopened: the status is back to {L.status_label(to)}.")

    def _on_save_facts_clicked(self) -> None:
        store = self.ctx.store
        if store is None:
            return
        nation, announced = self.nation.currentData(), self.announced.isChecked()

        def saved() -> None:
            self._facts_stored = (nation, announced)

        self._run(lambda: _service(store).set_facts(nation=nation, announced=announced),
                  "Nation and notice saved.", on_saved=saved)

    @property
    def facts_dirty(self) -> bool:
        """True when the nation or the notice differs from what is stored."""
        chosen = (self.nation.currentData(), self.announced.isChecked())
        return self._facts_stored is not None and chosen != self._facts_stored

    def save_facts_now(self) -> str | None:
        """Save the nation and notice as the button does and wait: None once saved."""
        return save_form(self._on_save_facts_clicked, lambda: self.busy,
                         lambda: self.facts_dirty, ())


class EducationPanel(_ListeningBox):
    """Ofsted's or Estyn's own judgement of education, beside the purposeful activity score."""

    def __init__(self, ctx: UiContext, *, read_on_open: bool = True) -> None:
        super().__init__("Education judgement (with purposeful activity)", ctx,
                         read_on_open=read_on_open)
        self.agreed = status_label("Purposeful activity agreed score")
        self.grade = QComboBox()
        self.grade.setAccessibleName("Education judgement")
        self.note = status_label("About the education judgement")
        self.save = QPushButton("Save education &judgement")
        self.save.clicked.connect(self._on_save_clicked)
        self.status = status_label("Education judgement save status")
        form = QFormLayout()
        form.addRow("Agreed score:", self.agreed)
        self.grade_label = buddy_label("Judg&ement:", self.grade)
        form.addRow(self.grade_label, self.grade)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(self.save)
        layout.addWidget(self.status)
        self._view: EducationView | None = None
        self._grade_stored: tuple[str | None] | None = None  # as read or last saved
        self.clear()

    @property
    def dirty(self) -> bool:
        """True when the judgement chosen differs from the one stored."""
        return self._grade_stored is not None and (self.grade.currentData(),) != \
            self._grade_stored

    def save_now(self) -> str | None:
        """Save the judgement as the button does and wait: None once saved."""
        return save_form(self._on_save_clicked, lambda: self.busy, lambda: self.dirty, ())

    def reload(self) -> None:
        """Read the judgement and the agreed score on the DB lane."""
        store = self.ctx.store
        if store is not None:
            self.ctx.tasks.submit(lambda: _service(store).education(), self._show,
                                  lambda e: present_error(self, e))

    def clear(self) -> None:
        """No inspection open."""
        self._view = None
        self._grade_stored = None
        self.agreed.setText("")
        self.note.setText("")
        self.grade.clear()
        self.setEnabled(False)

    def _show(self, v: EducationView) -> None:
        self._view = v
        has_section = v.section_label is not None
        self.setVisible(has_section)
        self.setEnabled(has_section)
        self.setTitle(f"{v.inspectorate_label}'s education judgement (with "
                      f"{(v.section_label or 'purposeful activity').lower()})")
        self.agreed.setText(f"{v.section_label}: {v.agreed_label or 'not agreed yet'}"
                            if has_section else "")
        chosen = self.grade.currentData() if self.dirty else v.grade  # a reload keeps a choice
        self.grade.clear()
        self.grade.addItem("Not recorded", None)
        for key, label in v.grades:
            self.grade.addItem(label, key)
        self.grade.setCurrentIndex(max(0, self.grade.findData(chosen)))
        self._grade_stored = (v.grade,)
        notes = [f"{v.inspectorate_label}'s own judgement of education, skills and work; the "
                 "report gives it beside the healthy prison score."]
        if not v.verified:
            notes.append(L.NOT_VERIFIED_NOTE)
        if v.other:
            notes.append(f"A judgement by another inspectorate is recorded "
                         f"({L.education_text({'education_judgement': v.other})}); saving "
                         "replaces it.")
        self.note.setText(" ".join(notes))

    def _on_save_clicked(self) -> None:
        store = self.ctx.store
        if store is None:
            return
        grade = self.grade.currentData()

        def saved() -> None:
            self._grade_stored = (grade,)

        self._run(lambda: _service(store).set_education_judgement(grade),
                  "Education judgement saved." if grade else "Education judgement removed.",
                  on_saved=saved)
