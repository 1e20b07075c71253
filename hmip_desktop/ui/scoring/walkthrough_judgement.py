"""Walkthrough steps 3 and 4: this inspector's provisional score, then the team view."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from hmip_desktop.domain.wording import plural
from hmip_desktop.services.history import HistoryEntry
from hmip_desktop.services.scoring import ScoreView, TeamView
from hmip_desktop.services.walkthrough_snapshot import SectionSnapshot
from hmip_desktop.ui.scoring.judgement_form import EMPTY, JudgementForm, Values
from hmip_desktop.ui.scoring.walkthrough_overview import step_heading
from hmip_desktop.ui.widgets.forms import buddy_label, status_label, table_view
from hmip_desktop.ui.widgets.rows_model import Column, RowsTableModel


def score_values(view: ScoreView | None) -> Values:
    """The form values of a stored score."""
    if view is None:
        return EMPTY
    return (view.level_key, view.rationale, view.evidence_ids)


class JudgementStep(QWidget):
    """Step 3: the scale's levels side by side; this inspector's provisional score."""

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.heading = step_heading("Step 3 of 4 — Judgement")
        intro = QLabel("Choose the level that fits the evidence (digit keys or arrows), write "
                       "the rationale and tick the evidence it rests on. Ctrl+Enter saves. "
                       "Your score is provisional: the team agrees the final one in step 4.")
        intro.setWordWrap(True)
        self.form = JudgementForm(
            what="Your provisional score", level_label="Your &provisional score:",
            rationale_label="&Rationale (required):",
            evidence_label="&Evidence it rests on (Space ticks):",
            save_text="Save provisional score",
            withdraw_text="Withdraw m&y provisional score")
        self.unscored = QLabel("This section is not scored: record findings in step 2.")
        self.unscored.setWordWrap(True)
        layout.addWidget(self.heading)
        layout.addWidget(intro)
        layout.addWidget(self.unscored)
        layout.addWidget(self.form)
        layout.addStretch(1)

    def show_snapshot(self, snap: SectionSnapshot) -> None:
        """Offer the scale and show this inspector's stored provisional score."""
        self.heading.setText(f"Step 3 of 4 — Judgement: {snap.section.label}")
        self.unscored.setVisible(not snap.section.judged)
        self.form.setVisible(snap.section.judged)
        if snap.section.judged:
            self.form.load(snap.section.key, snap.scale, score_values(snap.mine), snap.evidence)
            self.form.picker.set_verification(snap.verified_descriptors, snap.unverified_labels)


def _who(view: ScoreView) -> str:
    return view.inspector_name or view.inspector_id


TM_INSPECTOR, TM_SCORE, TM_RATIONALE, TM_EVIDENCE, TM_DIFFERS = range(5)
HS_WHEN, HS_SCORE, HS_RATIONALE, HS_BY, HS_STATE = range(5)


def _history_score(e: HistoryEntry) -> str:
    if e.deleted:
        return "(removed)"
    return str(e.payload.get("level_label") or e.payload.get("level_key") or "")


HISTORY_COLUMNS = (
    Column("When (UTC)", lambda e: e.when.replace("T", " ").replace("+00:00", "")),
    Column("Agreed score", _history_score),
    Column("Rationale", lambda e: str(e.payload.get("rationale", ""))),
    Column("Recorded by", lambda e: str(e.payload.get("inspector_name") or e.author_id)),
    Column("State", lambda e: "current" if e.is_head else "earlier"),
)


class TeamStep(QWidget):
    """Step 4: every inspector's provisional score side by side, and the agreed score."""

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        self.heading = step_heading("Step 4 of 4 — Team view")
        self.summary = status_label("Team agreement summary")
        self._highlighted: set[str] = set()
        self._reference = "the most common score"
        self.model = RowsTableModel((
            Column("Inspector", _who),
            Column("Provisional score", lambda v: v.level_label),
            Column("Rationale", lambda v: v.rationale),
            Column("Evidence", lambda v: str(len(v.evidence_ids))),
            Column("Differs", lambda v: f"differs from {self._reference}"
                   if v.inspector_id in self._highlighted else ""),
        ), highlight=lambda v: v.inspector_id in self._highlighted)
        self.table = table_view(self.model, "Provisional scores of the team",
                                stretch=TM_RATIONALE)
        self.table.setMinimumHeight(110)
        self.agreed_label = status_label("Agreed score")
        self.form = JudgementForm(
            what="Agreed score", level_label="Agreed sc&ore (recorded by the team leader):",
            rationale_label="Agreed &rationale (required):",
            evidence_label="&Evidence it rests on (Space ticks):",
            save_text="Record agreed score")
        self.history_model = RowsTableModel(HISTORY_COLUMNS)
        self.history = table_view(self.history_model, "History of the agreed score",
                                  stretch=HS_RATIONALE)
        self.history.setMaximumHeight(130)
        self.unscored = QLabel("This section is not scored.")
        layout.addWidget(self.heading)
        layout.addWidget(self.unscored)
        layout.addWidget(self.summary)
        layout.addWidget(buddy_label("Provisional scores of the tea&m:", self.table))
        layout.addWidget(self.table, 1)
        layout.addWidget(self.agreed_label)
        layout.addWidget(self.form)
        layout.addWidget(buddy_label("H&istory of the agreed score:", self.history))
        layout.addWidget(self.history)
        self._resolve = False

    @property
    def resolve(self) -> bool:
        """True when the agreed score has conflicting edits the next save closes."""
        return self._resolve

    def show_snapshot(self, snap: SectionSnapshot) -> None:
        """Show the team's scores, who differs, the agreed score and its history."""
        self.heading.setText(f"Step 4 of 4 — Team view: {snap.section.label}")
        team = snap.team
        judged = team is not None
        for w in (self.summary, self.table, self.agreed_label, self.form, self.history):
            w.setVisible(judged)
        self.unscored.setVisible(not judged)
        if team is None:
            self.model.set_rows([])
            self.history_model.set_rows([])
            return
        self._highlighted = set(team.highlighted)
        self._reference = "the agreed score" if team.agreed else "the most common score"
        self.model.set_rows(team.rows)
        self.summary.setText(team_summary(team))
        self.agreed_label.setText(agreed_text(team) + ("" if team.can_record_agreed else (
            " Only the team leader records the agreed score; record your view as your "
            "provisional score in step 3.")))
        self._resolve = bool(team.agreed and team.agreed.conflicted)
        self.form.load(snap.section.key, snap.scale, score_values(team.agreed), snap.evidence)
        self.form.picker.set_verification(snap.verified_descriptors, snap.unverified_labels)
        self.form.setEnabled(team.can_record_agreed)
        self.history_model.set_rows(snap.agreed_history)


def team_summary(team: TeamView) -> str:
    """In words: who scored, whether they disagree and what is highlighted."""
    n = len(team.rows)
    if not n:
        return ("No provisional scores yet. Each inspector's score arrives here when their "
                "changes are merged.")
    if n == 1:
        return "One inspector has given a provisional score so far."
    if not team.disagreement:
        return ("Both inspectors gave the same provisional score." if n == 2 else
                f"All {n} inspectors gave the same provisional score.")
    spread = f", a spread of {plural(team.spread, 'level')}" if team.spread is not None else ""
    against = "the agreed score" if team.agreed else "the most common score"
    levels = len({r.level_key for r in team.rows})
    return (f"The inspectors disagree: {n} scores over {levels} levels{spread}. "
            f"Highlighted rows differ from {against}.")


def agreed_text(team: TeamView) -> str:
    """The agreed score in words, with a warning when edits of it conflict."""
    agreed = team.agreed
    if agreed is None:
        return "No agreed score recorded yet."
    text = (f"Agreed score: {agreed.level_label} — recorded by "
            f"{agreed.inspector_name or agreed.inspector_id}.")
    if agreed.conflicted:
        text += (" Conflicting edits of the agreed score arrived by merge; recording the "
                 "agreed score now resolves them.")
    return text
