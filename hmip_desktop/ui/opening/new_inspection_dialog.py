"""New inspection: establishment, type, framework (newest first for the type), kind, dates.

For a review of progress the notice starts as announced and the dates as a short visit, and
what is out of the usual (days on site, notice, and the months after the inspection it follows
when that file is chosen) is shown before the file is created, worded as `hmip new` warns
(services/review_process.py): guidance, so OK still creates it. A review can follow an
inspection file (ui/opening/followed_file.py): its establishment, type, framework and nation
are then shown as they are and cannot be changed, as `hmip new --follows` takes them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.domain.framework_nation import NATION_LABELS
from hmip_desktop.domain.records import INSPECTION_KINDS, MAX_ESTABLISHMENT_NAME
from hmip_desktop.services import review_process
from hmip_desktop.ui.opening.followed_file import FollowsRow
from hmip_desktop.ui.widgets.forms import buddy_label, plain_label

# Days after the first day that the last day on site starts at (a full inspection spans
# about two weeks; a review's usual length is data).
FULL_DEFAULT_SPAN_DAYS = 11

if TYPE_CHECKING:
    from hmip_desktop.services.frameworks import FrameworkService
    from hmip_desktop.services.review_follow import Followed
    from hmip_desktop.ui.tasks import TaskRunner


class NewInspectionDialog(QDialog):
    """Collects what `create_inspection` needs; validation happens in the service."""

    def __init__(self, parent: QWidget | None, frameworks: FrameworkService,
                 default_dir: Path, *, tasks: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New inspection")
        self.setMinimumWidth(520)
        self._frameworks = frameworks
        self._followed_end: str | None = None  # the last day of the inspection followed
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.establishment = QLineEdit()
        self.establishment.setAccessibleName("Establishment name")
        self.establishment.setPlaceholderText("e.g. HMP Wandsworth")
        self.establishment.setMaxLength(MAX_ESTABLISHMENT_NAME)
        form.addRow("&Establishment:", self.establishment)
        self.etype = QComboBox()
        self.etype.setAccessibleName("Establishment type")
        for key, label in frameworks.establishment_types():
            self.etype.addItem(label, key)
        form.addRow("&Type:", self.etype)
        self.framework = QComboBox()
        self.framework.setAccessibleName("Framework")
        form.addRow("&Framework:", self.framework)
        self.framework_note = QLabel("")
        self.framework_note.setWordWrap(True)
        form.addRow("", self.framework_note)
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind of inspection")
        for key, label in INSPECTION_KINDS.items():
            self.kind.addItem(label, key)
        form.addRow("&Kind:", self.kind)
        # A review's inspection file (the DB lane reads it: without one, no such row).
        self.follows = FollowsRow(tasks, default_dir) if tasks is not None else None
        if self.follows is not None:
            form.addRow("Follo&ws:", self.follows)
            self.follows.changed.connect(self._on_followed_changed)
            self.follows.refused.connect(self.problem_text)
        self._form = form
        # The previous report's items: one written before May 2022 made recommendations
        # (achieved / partially achieved / not achieved), a later one key concerns (the
        # framework's progress scale). Reviews and full inspections alike follow them up.
        self.follow_up = QComboBox()
        self.follow_up.setAccessibleName("Follow-up scale of the previous report's items")
        self.follow_up.addItem("Progress scale (key concerns, since May 2022)", None)
        self.follow_up.addItem("Recommendations (reports before May 2022)", "recommendations")
        for index, tip in enumerate(("The framework's progress scale: good, reasonable, "
                                     "insufficient or no meaningful progress.",
                                     "Recommendations followed up as achieved, partially "
                                     "achieved or not achieved.")):
            self.follow_up.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)
        # Long framework titles and these choices must not squeeze the labels' column.
        for combo in (self.framework, self.follow_up):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(30)
        form.addRow("Follow-&up scale:", self.follow_up)
        self.nation = QComboBox()
        self.nation.setAccessibleName("Nation")
        self.nation.setToolTip("Education is inspected by Ofsted in England and Estyn in Wales")
        for key, label in NATION_LABELS.items():
            self.nation.addItem(label, key)
        form.addRow("Nat&ion:", self.nation)
        self.announced = QCheckBox("&Announced (the establishment was told in advance)")
        self.announced.setAccessibleName("Announced inspection")
        form.addRow("", self.announced)
        today = QDate.currentDate()
        self.use_dates = QCheckBox("&Dates on site are known")
        self.use_dates.setChecked(True)
        form.addRow("", self.use_dates)
        self.start = QDateEdit(today)
        self.start.setCalendarPopup(True)
        self.start.setDisplayFormat("yyyy-MM-dd")
        self.start.setAccessibleName("First day on site")
        self.end = QDateEdit(today.addDays(FULL_DEFAULT_SPAN_DAYS))
        self.end.setCalendarPopup(True)
        self.end.setDisplayFormat("yyyy-MM-dd")
        self.end.setAccessibleName("Last day on site")
        form.addRow("&Start:", self.start)
        form.addRow("E&nd:", self.end)
        self.use_dates.toggled.connect(self.start.setEnabled)
        self.use_dates.toggled.connect(self.end.setEnabled)
        row = QHBoxLayout()
        stamp = today.toString("yyyy-MM-dd")
        self.path = QLineEdit(str(default_dir / f"inspection-{stamp}.hmip"))
        self.path.setAccessibleName("File location")
        browse = QPushButton("&Browse…")
        browse.clicked.connect(self._on_browse_clicked)
        row.addWidget(self.path)
        row.addWidget(browse)
        # Every letter of "File" is another field's: named as the Join dialog names its file.
        form.addRow(buddy_label("Sa&ve as:", self.path), row)
        layout.addLayout(form)
        # Below the form, beside the warnings: a form row's wrapped label is not given the
        # height of its lines.
        self.review_note = QLabel(review_process.guidance_text())
        self.review_note.setWordWrap(True)
        self.review_note.setAccessibleName("About reviews of progress")
        layout.addWidget(self.review_note)
        self.warning = QLabel("")
        self.warning.setObjectName("new_inspection_warning")
        self.warning.setAccessibleName("Out of the usual")
        self.warning.setStyleSheet("color: #8a5a00;")
        self.warning.setWordWrap(True)
        layout.addWidget(self.warning)
        self.problem = plain_label("")  # a refusal may name a file
        self.problem.setStyleSheet("color: #a00;")
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._on_ok)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.etype.currentIndexChanged.connect(self._on_type_changed)
        self.start.dateChanged.connect(self._on_start_changed)
        self.use_dates.toggled.connect(self._on_start_changed)
        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        for signal in (self.start.dateChanged, self.end.dateChanged, self.use_dates.toggled,
                       self.announced.toggled):
            signal.connect(self._update_warnings)
        self._on_type_changed()
        self._on_kind_changed()

    def _on_type_changed(self) -> None:
        self.framework.clear()
        options = self._frameworks.frameworks_for_type(self.etype.currentData())
        for fw in options:  # newest first
            self.framework.addItem(f"{fw.title} — version {fw.version}", (fw.id, fw.version))
        self.framework_note.setText("" if options else
                                    "No framework applies to this type; import one first.")
        self.framework_note.setVisible(not options)  # no blank row between the fields
        self._on_start_changed()

    def _on_start_changed(self, *_args: object) -> None:
        # The version in force on the first day on site (today without dates) is chosen;
        # any other version can still be picked.
        if self.framework.count() < 2:
            return
        start = (self.start.date().toString("yyyy-MM-dd") if self.use_dates.isChecked()
                 else None)
        current = self._frameworks.in_force_for_type(self.etype.currentData(), start)
        for index in range(self.framework.count()):
            if self.framework.itemData(index) == (current.id, current.version):
                self.framework.setCurrentIndex(index)
                break

    def _on_browse_clicked(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(self, "Inspection file", self.path.text(),
                                                "Inspection files (*.hmip)")
        if chosen:
            self.path.setText(chosen)

    def _on_ok(self) -> None:
        if not self.establishment.text().strip():
            self.problem.setText("Type the establishment name.")
            return
        if self.follows is not None and self.follows.busy:
            self.problem.setText("Wait: the inspection this review follows is being read.")
            return
        if self.framework.currentData() is None:
            self.problem.setText("Choose a framework.")
            return
        if self.use_dates.isChecked() and self.end.date() < self.start.date():
            self.problem.setText("The last day is before the first day.")
            return
        self.accept()

    def _on_kind_changed(self, *_args: object) -> None:
        kind = self.kind.currentData()
        review = kind == "irp"
        self.review_note.setVisible(review)
        if self.follows is not None:
            self._form.setRowVisible(self.follows, review)
            if not review:
                self.follows.clear()  # an inspection follows no file here
        # Each kind starts from its own notice and usual length; either can still be changed.
        self.announced.setChecked(review_process.default_announced(kind))
        span = (review_process.load_process().longest_usual_days - 1 if review
                else FULL_DEFAULT_SPAN_DAYS)
        self.end.setDate(self.start.date().addDays(span))
        self._update_warnings()
        self.adjustSize()  # room for the note's lines, or none once it is hidden

    def _update_warnings(self, *_args: object) -> None:
        dates = self.use_dates.isChecked()
        found = review_process.visit_warnings(
            self.kind.currentData(),
            start=self.start.date().toString("yyyy-MM-dd") if dates else None,
            end=self.end.date().toString("yyyy-MM-dd") if dates else None,
            announced=self.announced.isChecked(), followed_end=self._followed_end)
        changed = self.warning.text() != "\n".join(found)
        self.warning.setText("\n".join(found))
        self.warning.setVisible(bool(found))
        if changed:
            self.adjustSize()

    def problem_text(self, text: str) -> None:
        """Say why OK cannot go on, or why a choice was refused."""
        self.problem.setText(text)

    def _on_followed_changed(self, followed: Followed | None) -> None:
        # The followed file's facts replace what was typed, and cannot be changed: `hmip new
        # --follows` takes them from it. Cleared, they can be typed and chosen again.
        locked = followed is not None
        self.problem.setText("")
        for field in (self.establishment, self.etype, self.framework, self.nation):
            field.setEnabled(not locked)
        if followed is None:
            self._followed_end = None
            self._on_type_changed()  # the frameworks of the type, the one in force chosen
            self._update_warnings()
            return
        self.establishment.setText(followed.establishment_name)
        index = self.etype.findData(followed.establishment_type)
        if index < 0:  # a type no installed framework covers: shown all the same
            self.etype.addItem(followed.establishment_type, followed.establishment_type)
            index = self.etype.count() - 1
        self.etype.setCurrentIndex(index)
        self.framework.clear()  # the followed file's pinned framework, installed or not
        self.framework.addItem(f"{followed.framework_title} — version "
                               f"{followed.framework_version}",
                               (followed.framework_id, followed.framework_version))
        self.framework_note.setText("As pinned in the inspection this review follows.")
        self.framework_note.setVisible(True)
        self.nation.setCurrentIndex(max(0, self.nation.findData(followed.nation)))
        self.follow_up.setCurrentIndex(max(0, self.follow_up.findData(
            followed.follow_up_scale)))
        self._followed_end = followed.end_date
        self._update_warnings()

    def values(self) -> dict:
        """The choices, ready for services.inspections.create_inspection."""
        fw_id, fw_version = self.framework.currentData()
        dates = self.use_dates.isChecked()
        return {
            "path": Path(self.path.text()).expanduser(),
            "establishment_name": self.establishment.text().strip(),
            "establishment_type": self.etype.currentData(),
            "framework_id": fw_id,
            "framework_version": fw_version,
            "kind": self.kind.currentData(),
            "start_date": self.start.date().toString("yyyy-MM-dd") if dates else None,
            "end_date": self.end.date().toString("yyyy-MM-dd") if dates else None,
            "nation": self.nation.currentData(),
            "announced": self.announced.isChecked(),
            "follow_up_scale": self.follow_up.currentData(),
            "follows": self.follows.path if self.follows is not None else None,
        }
