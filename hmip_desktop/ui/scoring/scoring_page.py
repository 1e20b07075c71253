"""Scoring: the guided walkthrough per judged section, progress on previous items, readiness.

An independent review of progress gives no section scores: its page hides the walkthrough
and opens on the previous items and their progress judgements.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout

from hmip_desktop.domain import records as R
from hmip_desktop.domain import scoring as S
from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.services.inspections import inspection_payload
from hmip_desktop.services.scoring import ScoringService
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.overview.readiness_panel import ReadinessPanel
from hmip_desktop.ui.page_base import Page, PageKey, heading
from hmip_desktop.ui.scoring.previous_panel import PreviousPanel
from hmip_desktop.ui.scoring.walkthrough import WalkthroughWidget

# What each tab shows. Evidence and links move coverage and the evidence on offer; concerns
# only count in the readiness report.
EVIDENCE_TYPES = (R.LINK, R.NOTE, R.DOCUMENT, R.EXTRACT, R.FIGURE)
WALKTHROUGH_TYPES = (R.SCORE, R.FINDINGS, *EVIDENCE_TYPES)
PREVIOUS_TYPES = (R.PREVIOUS_ITEM, R.PROGRESS, *EVIDENCE_TYPES)
WATCHED_TYPES = (*WALKTHROUGH_TYPES, R.PREVIOUS_ITEM, R.PROGRESS, R.CONCERN, R.INSPECTION)

TAB_WALKTHROUGH, TAB_PREVIOUS, TAB_READINESS = range(3)


class ScoringPage(Page):
    """The scoring walkthrough, previous items and readiness, in tabs."""

    title = PageKey.SCORING

    # The Evidence page opens the passage: (evidence_id, start, end, page); None when unset.
    open_evidence_requested = Signal(str, object, object, object)

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.title))
        self.kind_note = QLabel("No inspection is open.")
        self.kind_note.setAccessibleName("What this inspection judges")
        self.kind_note.setWordWrap(True)
        layout.addWidget(self.kind_note)
        self.walkthrough = WalkthroughWidget(ctx)
        self.walkthrough.open_evidence_requested.connect(self.open_evidence_requested)
        self.previous = PreviousPanel(ctx)
        self.readiness = ReadinessPanel(ctx)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Scoring views")
        self.tabs.addTab(self.walkthrough, "&Walkthrough")
        self.tabs.addTab(self.previous, "Pre&vious inspection")
        self.tabs.addTab(self.readiness, "Rea&diness")
        layout.addWidget(self.tabs, 1)
        self.kind = "full"

    def wants(self, changes: ChangeSet) -> bool:
        """Scores, findings, evidence links, previous items, progress and concerns."""
        return changes.everything or any(changes.touches(t) for t in WATCHED_TYPES)

    def _on_changes(self, changes: ChangeSet) -> None:
        # Refresh only the tabs a change touches: a findings autosave every few seconds must
        # not re-read the previous items and their evidence.
        if self.ctx.store is None or not self.wants(changes):
            return
        if changes.everything or changes.touches(R.INSPECTION):
            self.reload()
            return
        if any(changes.touches(t) for t in WALKTHROUGH_TYPES):
            self.walkthrough.refresh()
        if any(changes.touches(t) for t in PREVIOUS_TYPES):
            self.previous.reload()
        self.readiness.reload()

    def reload(self) -> None:
        """Read the inspection kind, then let each tab read what it shows."""
        store = self.ctx.store
        if store is None:
            return
        self.ctx.tasks.submit(lambda: (str(inspection_payload(store).get("kind", "full")),
                                       bool(ScoringService(store).judged_sections())),
                              self._on_kind_read)

    def _on_kind_read(self, facts: tuple[str, bool]) -> None:
        kind, graded = facts  # graded: some section receives a score (not police custody…)
        changed = kind != self.kind
        self.kind = kind
        gives_scores = S.KIND_GIVES_SECTION_SCORES.get(kind, True)
        self.tabs.setTabVisible(TAB_WALKTHROUGH, gives_scores)
        self.tabs.setTabText(TAB_PREVIOUS, "Pre&vious inspection" if gives_scores
                             else "Progress on pre&vious concerns")
        if changed or (not gives_scores and self.tabs.currentIndex() == TAB_WALKTHROUGH):
            self.tabs.setCurrentIndex(TAB_WALKTHROUGH if gives_scores else TAB_PREVIOUS)
        self.kind_note.setText(
            "Walk through each judged section: overview, area by area, your judgement, then "
            "the team's view and the agreed score. Alt+Left and Alt+Right move between steps."
            if gives_scores and graded else
            "This establishment type is not graded: no section gets a score. Walk through "
            "each section's overview, then its findings area by area. Alt+Left and Alt+Right "
            "move between steps."
            if gives_scores else
            "Independent review of progress: no section scores are given. Judge progress on "
            "each followed-up concern or recommendation of the previous inspection.")
        self.previous.set_kind(kind)
        self.walkthrough.reload()
        self.previous.reload()
        self.readiness.reload()

    def clear(self) -> None:
        """Forget the closed inspection."""
        self.kind_note.setText("No inspection is open.")
        self.walkthrough.clear()
        self.previous.clear()
        self.readiness.clear()

    def flush(self) -> None:
        """Write pending findings (the window calls this before it closes)."""
        self.walkthrough.flush()

    def unsaved(self) -> list[str]:
        """Judgements, progress judgements and the previous score changed and not saved."""
        return [*self.walkthrough.unsaved(), *self.previous.unsaved()]

    def save_unsaved(self) -> str | None:
        """Save each through its form; stop, on its tab, at the first refused."""
        for tab in (self.walkthrough, self.previous):
            if tab.unsaved():
                self.tabs.setCurrentWidget(tab)  # its refused field can take the focus
                refusal = tab.save_unsaved()
                if refusal is not None:
                    return refusal
        return None
