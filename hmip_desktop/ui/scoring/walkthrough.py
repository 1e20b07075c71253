"""The guided scoring walkthrough: choose a section, then four steps the inspector can leave and
resume at any point (the step and area of each section are remembered while the app runs)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.services.scoring import ScoreView, ScoringService
from hmip_desktop.services.walkthrough_snapshot import (
    Outline,
    SectionChoice,
    SectionSnapshot,
    walkthrough_outline,
    walkthrough_section,
)
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.errors import present_error
from hmip_desktop.ui.scoring.judgement_form import JudgementForm, may_leave
from hmip_desktop.ui.scoring.walkthrough_judgement import JudgementStep, TeamStep, score_values
from hmip_desktop.ui.scoring.walkthrough_overview import AreaStep, OverviewStep
from hmip_desktop.ui.unsaved import refused
from hmip_desktop.ui.widgets.forms import add_shortcuts, buddy_label, scrolled

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore

STEP_OVERVIEW, STEP_AREA, STEP_JUDGEMENT, STEP_TEAM = range(4)
STEP_TITLES = ("Overview", "Area by area", "Judgement", "Team view")


class WalkthroughWidget(QWidget):
    """Section chooser, step buttons, the four steps, and the writes they trigger."""

    open_evidence_requested = Signal(str, object, object, object)

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setAccessibleName("Scoring walkthrough")
        layout = QVBoxLayout(self)
        self.section = QComboBox()
        self.section.setAccessibleName("Section")
        self.section.activated.connect(self._on_section_activated)
        top = QHBoxLayout()
        top.addWidget(buddy_label("&Section:", self.section))
        top.addWidget(self.section, 1)
        layout.addLayout(top)
        self.step_buttons: list[QPushButton] = []
        self._step_group = QButtonGroup(self)
        steps_row = QHBoxLayout()
        for i, title in enumerate(STEP_TITLES):
            button = QPushButton(f"&{i + 1} {title}")
            button.setCheckable(True)
            button.setAccessibleName(f"Step {i + 1}: {title}")
            self._step_group.addButton(button, i)
            self.step_buttons.append(button)
            steps_row.addWidget(button)
        self._step_group.idClicked.connect(self._on_step_group_clicked)
        self.previous_step = QPushButton("‹ Previous step")
        self.previous_step.setToolTip("Alt+Left")
        self.previous_step.clicked.connect(self._on_previous_step_clicked)
        self.next_step = QPushButton("Next step ›")
        self.next_step.setToolTip("Alt+Right")
        self.next_step.clicked.connect(self._on_next_step_clicked)
        steps_row.addStretch(1)
        steps_row.addWidget(self.previous_step)
        steps_row.addWidget(self.next_step)
        layout.addLayout(steps_row)
        self.overview = OverviewStep()
        self.area = AreaStep()
        self.judgement = JudgementStep()
        self.team = TeamStep()
        self.stack = QStackedWidget()
        for step in (self.overview, self.area, self.judgement, self.team):
            self.stack.addWidget(scrolled(step))  # steps 3 and 4 are taller than a laptop
        layout.addWidget(self.stack, 1)
        self.empty = QLabel("No inspection is open.")
        layout.addWidget(self.empty)
        # Window-wide while the walkthrough is on screen (hidden widgets' shortcuts sleep), so
        # the keys work from the tab bar or the navigation list too.
        window = Qt.ShortcutContext.WindowShortcut
        add_shortcuts(self, ["Alt+Left"], self._on_previous_step_clicked, context=window)
        add_shortcuts(self, ["Alt+Right"], self._on_next_step_clicked, context=window)
        self.overview.area_chosen.connect(self._on_overview_area_chosen)
        self.area.area_changed.connect(self._on_area_area_changed)
        self.area.open_evidence.connect(self.open_evidence_requested)
        self.area.findings_save.connect(self._on_area_findings_save)
        self.judgement.form.save_requested.connect(self._on_judgement_save_requested)
        self.judgement.form.withdraw_requested.connect(self._on_withdraw_requested)
        self.team.form.save_requested.connect(self._on_team_save_requested)
        self._outline: Outline | None = None
        self._current: SectionChoice | None = None
        self._snapshot: SectionSnapshot | None = None
        self._store: InspectionStore | None = None  # the file whose data is shown
        self._steps: dict[str, int] = {}  # remembered step per section key
        self._areas: dict[str, str] = {}  # remembered area per section key
        self._set_enabled(False)

    # -- loading -----------------------------------------------------------------------------
    @property
    def outline(self) -> Outline | None:
        """The sections on offer (None until loaded)."""
        return self._outline

    @property
    def current_step(self) -> int:
        """The step shown."""
        return self.stack.currentIndex()

    def reload(self) -> None:
        """Read the sections, then the current section."""
        store = self.ctx.store
        self._store = store
        if store is not None:
            self.ctx.tasks.submit(lambda: walkthrough_outline(store), self._on_outline_read)

    def refresh(self) -> None:
        """Re-read the current section (something it shows changed)."""
        store, section = self.ctx.store, self._current
        if store is None or section is None:
            return
        area = self._areas.get(section.key)
        self.ctx.tasks.submit(lambda: walkthrough_section(store, section, area),
                              self._show_snapshot)

    def _on_outline_read(self, outline: Outline) -> None:
        self._outline = outline
        keep = self._current.key if self._current else None
        self.section.blockSignals(True)
        self.section.clear()
        for choice in outline.sections:
            label = choice.label if choice.judged else f"{choice.label} — findings only"
            self.section.addItem(label, choice.key)
        self.section.blockSignals(False)
        self._set_enabled(bool(outline.sections))
        if not outline.sections:
            self.empty.setText("This inspection has no scored sections: see the Previous "
                               "inspection and Readiness tabs.")
            self._current = None
            return
        index = max(self.section.findData(keep), 0) if keep else 0
        self.section.setCurrentIndex(index)
        self._current = outline.sections[index]
        self.refresh()

    def _show_snapshot(self, snap: SectionSnapshot) -> None:
        if self._current is None or snap.section.key != self._current.key:
            return  # the person moved to another section meanwhile
        self._snapshot = snap
        self._areas[snap.section.key] = snap.area_key
        self.overview.show_snapshot(snap)
        self.area.show_snapshot(snap)
        self.judgement.show_snapshot(snap)
        self.team.show_snapshot(snap)
        for step in (STEP_JUDGEMENT, STEP_TEAM):
            # A findings-only section has no judgement step at all: not offered, not shown.
            self.step_buttons[step].setEnabled(snap.section.judged)
            self.step_buttons[step].setVisible(snap.section.judged)
        self._go(self._steps.get(snap.section.key, STEP_OVERVIEW), focus=False)

    def _set_enabled(self, enabled: bool) -> None:
        for w in (self.section, self.stack, self.previous_step, self.next_step,
                  *self.step_buttons):
            w.setEnabled(enabled)
        self.empty.setVisible(not enabled)

    def clear(self) -> None:
        """Forget the closed inspection, writing pending findings to it first.

        The window queues the file's close on the DB lane after this signal, so a save
        queued here still lands in the file it was typed for.
        """
        self.area.findings.flush()
        self._store = None
        self.area.findings.load(None, "")
        self._outline = self._current = self._snapshot = None
        self._steps.clear()
        self._areas.clear()
        self.section.clear()
        self.empty.setText("No inspection is open.")
        self._set_enabled(False)

    def flush(self) -> None:
        """Write pending findings now."""
        self.area.findings.flush()

    def _judgements(self) -> list[tuple[int, JudgementForm, str]]:
        """(step, form, what it is in words) of the section's two judgements."""
        label = self._current.label if self._current is not None else "this section"
        return [(STEP_JUDGEMENT, self.judgement.form, f"your provisional score for {label}"),
                (STEP_TEAM, self.team.form, f"the agreed score for {label}")]

    def unsaved(self) -> list[str]:
        """The section's judgements changed and not saved."""
        return [what for _step, form, what in self._judgements() if form.dirty]

    def save_unsaved(self) -> str | None:
        """Save each through its form, stopping (on its step) at the first refused."""
        for step, form, what in self._judgements():
            if form.dirty:
                self._go(step, focus=False)  # shown, so a refused field can take the focus
                refusal = form.save_now()
                if refusal is not None:
                    return refused(what, refusal)
        return None

    # -- navigation --------------------------------------------------------------------------
    def _max_step(self) -> int:
        judged = self._current is not None and self._current.judged
        return STEP_TEAM if judged else STEP_AREA

    def _go(self, step: int, *, focus: bool) -> None:
        step = max(STEP_OVERVIEW, min(step, self._max_step()))
        if self.stack.currentIndex() == STEP_AREA and step != STEP_AREA:
            self.area.findings.flush()
        self.stack.setCurrentIndex(step)
        self.step_buttons[step].setChecked(True)
        self.previous_step.setEnabled(step > STEP_OVERVIEW)
        self.next_step.setEnabled(step < self._max_step())
        if self._current is not None:
            self._steps[self._current.key] = step
        if focus:
            self._focus_step(step)

    def _focus_step(self, step: int) -> None:
        # Land where the step's work starts, so keyboard users need no extra Tabs.
        target: QWidget = {STEP_OVERVIEW: self.overview.table, STEP_AREA: self.area.table,
                           STEP_JUDGEMENT: self.judgement.form.picker,
                           STEP_TEAM: self.team.table}[step]
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_step_group_clicked(self, step: int) -> None:
        self._go(step, focus=True)

    def _on_previous_step_clicked(self) -> None:
        if self._current is not None:
            self._go(self.stack.currentIndex() - 1, focus=True)

    def _on_next_step_clicked(self) -> None:
        if self._current is not None:
            self._go(self.stack.currentIndex() + 1, focus=True)

    def _on_section_activated(self, index: int) -> None:
        if self._outline is None or not 0 <= index < len(self._outline.sections):
            return
        chosen = self._outline.sections[index]
        if self._current is not None and chosen.key != self._current.key and not may_leave(
                (self.judgement.form, self.team.form)):
            self.section.setCurrentIndex(self.section.findData(self._current.key))
            return
        self.area.findings.flush()
        self._current = chosen
        self.refresh()

    def _on_overview_area_chosen(self, area_key: str) -> None:
        if self._current is None:
            return
        self._areas[self._current.key] = area_key
        self._steps[self._current.key] = STEP_AREA
        self.refresh()
        self._focus_step(STEP_AREA)

    def _on_area_area_changed(self, area_key: str) -> None:
        if self._current is not None:
            self._areas[self._current.key] = area_key
            self.refresh()

    # -- writes ------------------------------------------------------------------------------
    def _on_area_findings_save(self, key: Any, text: str) -> None:
        store = self._store  # the file the text was typed in, even while it is closing
        if store is None:
            return
        section_key, area_key = key
        self.area.set_findings_status("Saving findings…")

        def saved(_changes: ChangeSet) -> None:
            self.area.set_findings_status("Findings saved.")

        def failed(exc: BaseException) -> None:
            self.area.findings.save_failed(key)
            self.area.set_findings_status("Findings NOT saved.")
            present_error(self, exc)

        self.ctx.write(
            lambda: ScoringService(store).set_findings(section_key, area_key or None, text),
            on_error=failed, before_broadcast=saved)

    def _on_judgement_save_requested(self, level: str, rationale: str,
                                     evidence: list[str]) -> None:
        store, section = self.ctx.store, self._current
        if store is None or section is None:
            return
        form = self.judgement.form
        self.ctx.write(
            lambda: ScoringService(store).set_provisional(section.key, level, rationale,
                                                          evidence),
            on_error=form.save_failed,
            before_broadcast=lambda view: self._saved(form, view, "Provisional score saved"))

    def _on_withdraw_requested(self, section_key: str) -> None:
        store, form = self.ctx.store, self.judgement.form
        if store is None:
            return

        self.ctx.write(
            lambda: ScoringService(store).withdraw_provisional(section_key),
            on_error=form.withdraw_failed,
            before_broadcast=lambda _r: form.withdraw_succeeded("Provisional score withdrawn."))

    def _on_team_save_requested(self, level: str, rationale: str, evidence: list[str]) -> None:
        store, section = self.ctx.store, self._current
        if store is None or section is None:
            return
        form, resolve = self.team.form, self.team.resolve
        self.ctx.write(
            lambda: ScoringService(store).set_agreed(section.key, level, rationale, evidence,
                                                     resolve=resolve),
            on_error=form.save_failed,
            before_broadcast=lambda view: self._saved(form, view, "Agreed score recorded"))

    def _saved(self, form: Any, view: ScoreView, message: str) -> None:
        form.save_succeeded(score_values(view), f"{message}: {view.level_label}.")
