"""The previous inspection's concerns or recommendations and the progress judged on each.

At an independent review of progress this is the whole judgement (no section scores); at a
full inspection it records follow-up on the previous report.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.domain import scoring as S
from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.services.previous import (
    ImportResult,
    PreviousItemView,
    PreviousScores,
    PreviousScoreSaved,
    PreviousService,
)
from hmip_desktop.services.previous_snapshot import PreviousSnapshot, previous_snapshot
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.errors import present_error
from hmip_desktop.ui.scoring.action_plan_box import ActionPlanBox
from hmip_desktop.ui.scoring.judgement_form import EMPTY, JudgementForm, Values, may_leave
from hmip_desktop.ui.scoring.previous_item_dialog import PreviousItemDialog
from hmip_desktop.ui.unsaved import quoted, refused, save_form
from hmip_desktop.ui.widgets.forms import (
    buddy_label,
    current_row,
    error_label,
    scrolled,
    select_row,
    show_error,
    status_label,
    table_view,
)
from hmip_desktop.ui.widgets.rows_model import Column, RowsTableModel


def previous_scores_text(scores: PreviousScores) -> str:
    """'Previous inspection (2021): Safety Not sufficiently good; Respect not recorded …'."""
    parts = [f"{label} {level_label or 'not recorded'}"
             for _key, label, _level, level_label in scores.rows]
    year = f" ({scores.year})" if scores.year else ""
    return f"Previous inspection{year}: " + "; ".join(parts) + "."


def progress_values(item: PreviousItemView | None) -> Values:
    """The form values of an item's stored progress judgement."""
    if item is None or item.progress is None:
        return EMPTY
    p = item.progress
    return (p.level_key, p.rationale, p.evidence_ids)


def _progress_name(item: PreviousItemView) -> str:
    """The progress judgement on an item, as a question about unsaved work names it."""
    return f"the progress judgement on {quoted(f'{item.ref} {item.title}')}"


PREV_SCORES_NAME = "the previous inspection's score and year"
PV_REF, PV_TITLE, PV_SECTION, PV_FOLLOWED, PV_PROGRESS, PV_RATIONALE, PV_PLAN = range(7)
# Characters a column fits before eliding (tables.CAP_CHARS is 24; average character widths
# run short of real text): "No meaningful progress", "Partly agreed, 2 steps, 1 overdue".
PROGRESS_CHARS, PLAN_CHARS = 30, 40


class PreviousPanel(QWidget):
    """Import or type in previous items; judge progress on each with rationale and evidence."""

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setAccessibleName("Previous inspection")
        self._labels: dict[str, str] = {}
        self._plans: dict[str, str] = {}  # item id: its action plan in words (the snapshot's)
        self.intro = QLabel("")
        self.intro.setWordWrap(True)
        self.import_button = QPushButton("Import previous concerns (&CSV)…")
        self.import_button.setToolTip("A CSV file with the columns ref, title, text and "
                                      "optionally section")
        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.add_button = QPushButton("&Add previous concern…")
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.import_error = error_label("Import problem")
        self.import_status = status_label("Import result")
        self.model = RowsTableModel((
            Column("Ref", lambda i: i.ref),
            Column("Title", lambda i: i.title, lambda i: i.text),
            Column("Section", lambda i: self._labels.get(i.section or "", i.section or "")),
            Column("Followed up", lambda i: "yes" if i.followed_up else "no"),
            Column("Progress", lambda i: i.progress.level_label if i.progress else
                   ("not judged yet" if i.followed_up else "")),
            Column("Rationale", lambda i: i.progress.rationale if i.progress else ""),
            # Last, so widths remembered for the columns before it still fit them.
            Column("Action plan", lambda i: self._plans.get(i.id, "")),
        ), highlight=lambda i: i.followed_up and i.progress is None)
        # The rationale (prose, elided anyway: the form below shows it whole) narrows first.
        self.table = table_view(self.model, "Previous concerns and recommendations",
                                stretch=PV_TITLE, give_way=(PV_RATIONALE,),
                                caps={PV_PROGRESS: PROGRESS_CHARS, PV_PLAN: PLAN_CHARS})
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_changed)
        self.item_text = status_label("Text of the previous item")
        self.action_plan = ActionPlanBox()
        self.followed_up = QCheckBox("Followed &up at this inspection")
        self.followed_up.setAccessibleName("Followed up at this inspection")
        self.followed_up.clicked.connect(self._on_followed_up_clicked)
        self.form = JudgementForm(
            what="Progress judgement", level_label="&Progress on this item:",
            rationale_label="&Rationale (required):",
            evidence_label="&Evidence it rests on (Space ticks):",
            save_text="Save progress judgement")
        self.form.save_requested.connect(self._on_form_save_requested)
        self.scores_box = self._build_scores_box()
        buttons = QHBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.scores_box)
        layout.addLayout(buttons)
        layout.addWidget(self.import_error)
        layout.addWidget(self.import_status)
        layout.addWidget(buddy_label("Previous &items:", self.table))
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.item_text)
        lower_layout.addWidget(self.action_plan)
        lower_layout.addWidget(self.followed_up)
        lower_layout.addWidget(self.form)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.table)
        splitter.addWidget(scrolled(lower))
        splitter.setChildrenCollapsible(False)
        layout.addWidget(splitter, 1)
        self._snapshot: PreviousSnapshot | None = None
        self._select_after: str | None = None  # an item just added: select it once it shows
        self._loading = False  # a reload selects the row: no question, it loads the form
        # Seams for tests and for a later, richer chooser.
        self.ask_csv_path: Callable[[], Path | None] = self._ask_csv_path
        self.ask_item: Callable[[], dict[str, Any] | None] = self._ask_item
        self.set_kind("full")

    def _build_scores_box(self) -> QGroupBox:
        """The previous inspection's agreed score per test and its year (outcomes chart)."""
        box = QGroupBox("Previous inspection's agreed scores (for the outcomes chart)")
        box.setAccessibleName("Previous inspection's agreed scores")
        self.prev_test = QComboBox()
        self.prev_test.setAccessibleName("Test of the previous score")
        self.prev_test.currentIndexChanged.connect(self._on_prev_test_changed)
        self.prev_score = QComboBox()
        self.prev_score.setAccessibleName("Previous agreed score")
        self.prev_year = QLineEdit()
        self.prev_year.setAccessibleName("Year of the previous inspection")
        self.prev_year.setPlaceholderText("YYYY")
        # The person's own choice of score or year, until it is saved (prev_dirty).
        self._prev_touched = False
        self.prev_score.activated.connect(self._on_prev_touched)
        self.prev_year.textEdited.connect(self._on_prev_touched)
        self.prev_year.setMaximumWidth(70)
        self.prev_save = QPushButton("Save previous &score")
        self.prev_save.clicked.connect(self._on_prev_save_clicked)
        self.prev_error = error_label("Previous score problem")
        self.prev_status = status_label("Previous scores")
        row = QHBoxLayout()
        row.addWidget(buddy_label("&Test:", self.prev_test))
        row.addWidget(self.prev_test, 1)
        row.addWidget(buddy_label("Sc&ore:", self.prev_score))
        row.addWidget(self.prev_score, 1)
        row.addWidget(buddy_label("&Year:", self.prev_year))
        row.addWidget(self.prev_year)
        row.addWidget(self.prev_save)
        inner = QVBoxLayout(box)
        inner.addLayout(row)
        inner.addWidget(self.prev_error)
        inner.addWidget(self.prev_status)
        return box

    def _show_scores(self, scores: PreviousScores | None) -> None:
        self.scores_box.setEnabled(scores is not None and bool(scores.rows))
        if scores is None:
            self.prev_status.setText("")
            return
        chosen = self.prev_test.currentData()
        self.prev_test.blockSignals(True)
        self.prev_test.clear()
        for key, label, _level, _level_label in scores.rows:
            self.prev_test.addItem(label, key)
        self.prev_test.setCurrentIndex(max(0, self.prev_test.findData(chosen)))
        self.prev_test.blockSignals(False)
        self.prev_score.clear()
        for key, label in scores.levels:
            self.prev_score.addItem(label, key)
        if scores.year and not self.prev_year.text().strip():
            self.prev_year.setText(scores.year)
        self.prev_status.setText(previous_scores_text(scores) if scores.rows else
                                 "This framework gives no section scores.")
        self._on_prev_test_changed()

    def _on_prev_test_changed(self, *_: object) -> None:
        scores = self._snapshot.scores if self._snapshot else None
        key = self.prev_test.currentData()
        stored = next((r[2] for r in (scores.rows if scores else ()) if r[0] == key), None)
        if stored is not None:
            self.prev_score.setCurrentIndex(max(0, self.prev_score.findData(stored)))

    def _on_prev_touched(self, *_: object) -> None:
        self._prev_touched = True

    @property
    def prev_dirty(self) -> bool:
        """True when the score or year chosen differs from what is stored."""
        scores = self._snapshot.scores if self._snapshot else None
        if not self._prev_touched or scores is None:
            return False
        stored = next((r[2] for r in scores.rows if r[0] == self.prev_test.currentData()), None)
        return (self.prev_year.text().strip() != (scores.year or "")
                or self.prev_score.currentData() != stored)

    def unsaved(self) -> list[str]:
        """The progress judgement and the previous score, when changed and not saved."""
        item = self._selected()
        return ([_progress_name(item)] if item is not None and self.form.dirty else []) + \
            ([PREV_SCORES_NAME] if self.prev_dirty else [])

    def save_unsaved(self) -> str | None:
        """Save each through its own Save; None once both landed, else why not."""
        item = self._selected()
        if item is not None and self.form.dirty and (refusal := self.form.save_now()) is not None:
            return refused(_progress_name(item), refusal)
        if self.prev_dirty and (refusal := save_form(
                self._on_prev_save_clicked, lambda: not self.prev_save.isEnabled(),
                lambda: self.prev_dirty, ((self.prev_error, self.prev_year),))) is not None:
            return refused(PREV_SCORES_NAME, refusal)
        return None

    def _on_prev_save_clicked(self) -> None:
        store = self.ctx.store
        test, level = self.prev_test.currentData(), self.prev_score.currentData()
        if store is None or test is None or level is None:
            return
        year = self.prev_year.text().strip()
        if not (year.isdigit() and len(year) == 4):
            show_error(self.prev_error, "Give the previous inspection's year, e.g. 2021.")
            self.prev_year.setFocus()
            return
        show_error(self.prev_error, None)
        self.prev_save.setEnabled(False)

        # The Scoring page reloads every tab (this panel too) on an inspection change.
        def done(saved: PreviousScoreSaved) -> None:
            self._prev_touched = False
            self.import_status.setText(f"Previous score saved: {saved.label} ({year}).")

        def failed(exc: BaseException) -> None:
            self.prev_save.setEnabled(True)
            if isinstance(exc, ValidationError):
                show_error(self.prev_error, str(exc))
            else:
                present_error(self, exc)

        self.ctx.write(
            lambda: PreviousService(store).set_previous_score(test, level, int(year)),
            done, failed, before_broadcast=lambda _r: self.prev_save.setEnabled(True))

    def set_kind(self, kind: str) -> None:
        """Explain what the panel is for at this kind of inspection."""
        # A review of progress gives no section scores, so it has no previous scores to chart.
        self.scores_box.setVisible(S.KIND_GIVES_SECTION_SCORES.get(kind, True))
        self.action_plan.visit = "inspection" if S.KIND_GIVES_SECTION_SCORES.get(kind, True) \
            else "review"
        if S.KIND_GIVES_SECTION_SCORES.get(kind, True):
            self.intro.setText("Progress on the previous inspection's concerns or "
                               "recommendations: judge each followed-up item on the progress "
                               "scale, with a rationale and the evidence it rests on.")
        else:
            self.intro.setText("Independent review of progress: this review gives no section "
                               "scores. Judge progress on each followed-up concern or "
                               "recommendation of the previous inspection instead.")

    # -- loading -----------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the items on the DB lane."""
        store = self.ctx.store
        if store is not None:
            self.ctx.tasks.submit(lambda: previous_snapshot(store), self._show)

    def _show(self, snap: PreviousSnapshot) -> None:
        self._snapshot = snap
        self._labels = dict(snap.sections)
        self._plans = dict(snap.plans)
        chosen = self._selected()
        wanted = self._select_after or (chosen.id if chosen is not None else None)
        self.model.set_rows(snap.items)
        self._show_scores(snap.scores)
        row = self.model.row_of(lambda i: i.id == wanted)
        if row >= 0:
            self._select_after = None
        self._loading = True
        select_row(self.table, row if row >= 0 else 0)
        self._loading = False
        self._load_form()

    def clear(self) -> None:
        """Forget the closed inspection."""
        self._snapshot = None
        self._plans = {}
        self.model.set_rows([])
        self.prev_year.setText("")
        self._prev_touched = False
        self._show_scores(None)
        self._load_form()

    def _selected(self) -> PreviousItemView | None:
        row = current_row(self.table)
        return self.model.row_at(row) if 0 <= row < self.model.rowCount() else None

    def _load_form(self) -> None:
        item, snap = self._selected(), self._snapshot
        self.form.setEnabled(item is not None and item.followed_up)
        self.followed_up.setEnabled(item is not None)
        if item is None or snap is None:
            self.item_text.setText("No previous items yet: import them from a CSV file or "
                                   "add them one by one.")
            self.action_plan.show_plan(None, None)
            return
        self.item_text.setText(f"{item.ref} — {item.title}: {item.text}")
        self.action_plan.show_plan(item.action_plan, snap.start_date)
        self.followed_up.setChecked(item.followed_up)
        self.form.load(item.id, snap.scale, progress_values(item), snap.evidence)

    def _on_table_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        # Focus arriving by Tab makes a row current without selecting it: select it too.
        if current.isValid() and not self.table.selectionModel().isRowSelected(current.row()):
            self.table.selectRow(current.row())
        if self._loading:
            return
        item, shown = self._selected(), self.form.key
        if item is not None and shown not in (None, item.id) and not may_leave([self.form]):
            # Put the judged item back once the view has finished its own move.
            QTimer.singleShot(0, lambda: self._reselect(shown))
            return
        self._load_form()

    def _reselect(self, item_id: str) -> None:
        self._loading = True
        row = self.model.row_of(lambda i: i.id == item_id)
        if row >= 0:
            select_row(self.table, row)
        self._loading = False

    # -- writes ------------------------------------------------------------------------------
    def _on_form_save_requested(self, level: str, rationale: str, evidence: list[str]) -> None:
        store, item = self.ctx.store, self._selected()
        if store is None or item is None:
            self.form.save_failed(ValidationError("Choose a previous item first."))
            return

        def saved(view: Any) -> None:
            self.form.save_succeeded((view.level_key, view.rationale, view.evidence_ids),
                                     f"Progress saved: {view.level_label}.")

        self.ctx.write(
            lambda: PreviousService(store).set_progress(item.id, level, rationale, evidence),
            on_error=self.form.save_failed, before_broadcast=saved)

    def _on_followed_up_clicked(self, checked: bool) -> None:
        store, item = self.ctx.store, self._selected()
        if store is None or item is None:
            return
        self.followed_up.setEnabled(False)

        def done(_changes: ChangeSet) -> None:
            self.followed_up.setEnabled(True)

        def failed(exc: BaseException) -> None:
            self.followed_up.setEnabled(True)
            present_error(self, exc)

        self.ctx.write(lambda: PreviousService(store).set_followed_up(item.id, checked),
                       on_error=failed, before_broadcast=done)

    def _ask_csv_path(self) -> Path | None:
        chosen, _ = QFileDialog.getOpenFileName(self, "Import previous concerns", "",
                                                "CSV files (*.csv);;All files (*)")
        return Path(chosen) if chosen else None

    def _on_import_button_clicked(self) -> None:
        store = self.ctx.store
        path = self.ask_csv_path() if store is not None else None
        if store is None or path is None:
            return
        self.import_button.setEnabled(False)
        show_error(self.import_error, None)

        def done(result: ImportResult) -> None:
            self.import_button.setEnabled(True)
            self.import_status.setText(f"Imported from {path.name}: {result.added} added, "
                                       f"{result.updated} updated, {result.unchanged} "
                                       "unchanged.")

        def failed(exc: BaseException) -> None:
            self.import_button.setEnabled(True)
            self.import_status.setText("Nothing was imported.")
            if isinstance(exc, ValidationError):
                show_error(self.import_error, str(exc))  # names the row and column
            else:
                present_error(self, exc)

        self.ctx.write(lambda: PreviousService(store).import_csv(path), on_error=failed,
                       before_broadcast=done)

    def _ask_item(self) -> dict[str, Any] | None:
        sections = self._snapshot.sections if self._snapshot else ()
        dialog = PreviousItemDialog(self, sections)
        if dialog.exec() != PreviousItemDialog.DialogCode.Accepted:
            return None
        return dialog.values()

    def _on_add_button_clicked(self) -> None:
        store = self.ctx.store
        if store is not None and not may_leave([self.form]):  # the new item gets selected
            return
        values = self.ask_item() if store is not None else None
        if store is None or values is None:
            return
        self.add_button.setEnabled(False)

        def done(item_id: str) -> None:
            self.add_button.setEnabled(True)
            self._select_after = item_id

        def failed(exc: BaseException) -> None:
            self.add_button.setEnabled(True)
            present_error(self, exc)

        self.ctx.write(lambda: PreviousService(store).add(**values), on_error=failed,
                       before_broadcast=done)
