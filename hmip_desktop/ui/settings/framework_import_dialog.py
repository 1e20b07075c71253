"""Import framework: choose a CSV or JSON file, preview what it adds and every bad row, then
import it as a new framework version for NEW inspections (an open inspection keeps its pinned
framework)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.domain.errors import UserError
from hmip_desktop.domain.framework import Framework
from hmip_desktop.services.frameworks import (
    ADDED,
    CHANGED,
    UNCHANGED,
    FrameworkService,
    ImportPreview,
)
from hmip_desktop.ui.errors import present_error
from hmip_desktop.ui.tasks import TaskRunner
from hmip_desktop.ui.widgets.forms import plain_label
from hmip_desktop.ui.widgets.tips import literal_tip

# The registry names the command line's options; the dialog names its own fields instead.
OPTION_NAMES = {"--id": "Framework id", "--title": "Title", "--type": "Establishment types"}
CHANGE_LABELS = {ADDED: "Added", CHANGED: "Changed", UNCHANGED: "Unchanged"}
KIND_LABELS = {"section": "Test", "area": "Area", "expectation": "Expectation"}


def _table(headers: tuple[str, ...], name: str) -> QTableWidget:
    """A read-only table for the preview."""
    table = QTableWidget(0, len(headers))
    table.setAccessibleName(name)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setTabKeyNavigation(False)
    table.setWordWrap(True)
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return table


def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text)
            item.setToolTip(literal_tip(text))
            table.setItem(r, c, item)


class FrameworkImportDialog(QDialog):
    """Preview first; Import is enabled only while the preview of these options is clean."""

    framework_imported = Signal(object)  # the imported Framework

    def __init__(self, parent: QWidget | None, tasks: TaskRunner, *,
                 service: FrameworkService | None = None,
                 pinned: Framework | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import framework")
        self.resize(820, 620)
        self._tasks = tasks
        self._service = service or FrameworkService()
        self._pinned = pinned
        self.preview: ImportPreview | None = None
        self.imported: Framework | None = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.path = QLineEdit()
        self.path.setAccessibleName("Framework file")
        self.path.setPlaceholderText("a .csv or .json file")
        self.browse = QPushButton("&Browse…")
        self.browse.clicked.connect(self._on_browse_clicked)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        form.addRow(self._label("&File:", self.path), row)
        self.framework_id = QLineEdit()
        self.framework_id.setAccessibleName("Framework id")
        self.framework_id.setPlaceholderText("e.g. men-prisons (required for a CSV file)")
        form.addRow(self._label("Framework &id:", self.framework_id), self.framework_id)
        self.title = QLineEdit()
        self.title.setAccessibleName("Framework title")
        self.title.setPlaceholderText("required for a new framework from CSV")
        form.addRow(self._label("&Title:", self.title), self.title)
        self.version = QLineEdit()
        self.version.setAccessibleName("Framework version")
        self.version.setPlaceholderText("optional; a version already taken gets a suffix")
        form.addRow(self._label("&Version:", self.version), self.version)
        self.types = QListWidget()
        self.types.setAccessibleName("Establishment types")
        self.types.setMaximumHeight(110)
        form.addRow(self._label("Establishment t&ypes:", self.types), self.types)
        layout.addLayout(form)
        hint = QLabel("A CSV file under the id of an existing framework becomes a new version "
                      "of it (areas it names are replaced, the rest kept). For a new framework "
                      "from CSV give an id, a title and at least one establishment type. A JSON "
                      "file carries its own; fill these only to override them.")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.status = plain_label("Choose a file, then Preview.")  # file, framework title
        self.status.setAccessibleName("Import status")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.status)
        self.additions = _table(("Change", "Kind", "Test", "Area", "Number", "Title"),
                                "What the import adds or changes")
        self.problems = _table(("Row", "Column", "Problem"), "Problems found in the file")
        self.tabs = QTabWidget()
        self.tabs.addTab(self.additions, "&Additions")
        self.tabs.addTab(self.problems, "P&roblems")
        layout.addWidget(self.tabs, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.preview_button = QPushButton("&Preview")
        self.import_button = QPushButton("I&mport")
        self.import_button.setEnabled(False)
        self.buttons.addButton(self.preview_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)
        self.preview_button.clicked.connect(self._on_preview_button_clicked)
        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.preview_button.setDefault(True)
        layout.addWidget(self.buttons)
        for edit in (self.path, self.framework_id, self.title, self.version):
            edit.textChanged.connect(self._on_options_changed)
        self.types.itemChanged.connect(self._on_options_changed)
        self._tasks.submit(self._service.establishment_types, self._on_types_loaded,
                           lambda e: present_error(self, e))

    @staticmethod
    def _label(text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(buddy)
        return label

    # -- options -----------------------------------------------------------------------------
    def _on_types_loaded(self, types: list[tuple[str, str]]) -> None:
        self.types.blockSignals(True)
        for key, label in types:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.types.addItem(item)
        self.types.blockSignals(False)

    def set_types(self, keys: list[str]) -> None:
        """Tick exactly these establishment types."""
        for i in range(self.types.count()):
            item = self.types.item(i)
            ticked = item.data(Qt.ItemDataRole.UserRole) in keys
            item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

    def options(self) -> dict[str, Any]:
        """The import options as FrameworkService takes them (blank means "not given")."""
        types = [self.types.item(i).data(Qt.ItemDataRole.UserRole)
                 for i in range(self.types.count())
                 if self.types.item(i).checkState() == Qt.CheckState.Checked]
        return {"framework_id": self.framework_id.text().strip() or None,
                "title": self.title.text().strip() or None,
                "version": self.version.text().strip() or None,
                "establishment_types": types or None}

    def _on_options_changed(self, *_args: object) -> None:
        # A preview describes one file with one set of options; any change voids it.
        if self.preview is not None or self.import_button.isEnabled():
            self.preview = None
            self.import_button.setEnabled(False)
            self.status.setText("The file or options changed: Preview again before importing.")

    def _on_browse_clicked(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(self, "Framework file", self.path.text(),
                                                "Framework files (*.csv *.json)")
        if chosen:
            self.path.setText(chosen)
            self._on_preview_button_clicked()

    # -- preview -----------------------------------------------------------------------------
    def _on_preview_button_clicked(self) -> None:
        text = self.path.text().strip()
        if not text:
            self.status.setText("Choose a .csv or .json file first.")
            self.path.setFocus()
            return
        path, options = Path(text).expanduser(), self.options()
        self.preview_button.setEnabled(False)
        self.import_button.setEnabled(False)
        self.status.setText("Checking the file…")
        self._tasks.submit(lambda: self._service.import_preview(path, **options),
                           self._on_preview_ready, self._on_preview_failed)

    def _on_preview_ready(self, preview: ImportPreview) -> None:
        self.preview_button.setEnabled(True)
        self.preview = preview
        changed = [ln for ln in preview.lines if ln.change != UNCHANGED]
        _fill(self.additions, [(CHANGE_LABELS.get(ln.change, ln.change),
                                KIND_LABELS.get(ln.kind, ln.kind), ln.test, ln.area,
                                ln.number, ln.title) for ln in changed])
        _fill(self.problems, [("—" if row is None else str(row), column or "—", message)
                              for row, column, message in preview.bad_rows])
        n_bad = len(preview.problems)
        self.tabs.setTabText(0, f"&Additions ({len(changed)})")
        self.tabs.setTabText(1, f"P&roblems ({n_bad})")
        self.import_button.setEnabled(preview.ok)
        if not preview.ok:
            self.tabs.setCurrentWidget(self.problems)
            self.status.setText(
                f"{n_bad} problem{'s' if n_bad != 1 else ''} found in {preview.path.name}. "
                "Nothing can be imported until every one is fixed.")
            return
        self.tabs.setCurrentWidget(self.additions)
        self.status.setText(self._summary(preview))
        self.import_button.setFocus()

    @staticmethod
    def _summary(p: ImportPreview) -> str:
        fw = p.framework
        assert fw is not None
        counts = {c: sum(1 for ln in p.lines if ln.change == c and ln.kind == "expectation")
                  for c in (ADDED, CHANGED, UNCHANGED)}
        text = f"Ready to import “{fw.title}” as {fw.id} version {fw.version}"
        if p.renamed:
            text += f" (version {p.requested_version} is taken, so it gets its own version)"
        if p.base is not None:
            text += f", based on {p.base.id} version {p.base.version}"
        return (text + f". Expectations: {counts[ADDED]} added, {counts[CHANGED]} changed, "
                f"{counts[UNCHANGED]} unchanged.")

    def _on_preview_failed(self, exc: BaseException) -> None:
        self.preview_button.setEnabled(True)
        if isinstance(exc, UserError):  # an option or the file itself: say so in place
            message = str(exc)
            for flag, name in OPTION_NAMES.items():
                message = message.replace(flag, name)
            self.status.setText(message[:1].upper() + message[1:])
            return
        present_error(self, exc)

    # -- import ------------------------------------------------------------------------------
    def _on_import_button_clicked(self) -> None:
        if self.preview is None or not self.preview.ok:
            return
        path, options = self.preview.path, self.options()
        self.import_button.setEnabled(False)
        self.preview_button.setEnabled(False)
        self.status.setText("Importing…")
        self._tasks.submit(lambda: self._service.import_file(path, **options),
                           self._on_import_done, self._on_import_failed)

    def _on_import_done(self, framework: Framework) -> None:
        self.imported = framework
        self.preview_button.setEnabled(True)
        text = (f"Imported “{framework.title}” as {framework.id} version {framework.version}. "
                "It is available for NEW inspections.")
        if self._pinned is not None:
            text += (f" The open inspection keeps its pinned framework ({self._pinned.id} "
                     f"version {self._pinned.version}); importing never changes it.")
        self.status.setText(text)
        self.framework_imported.emit(framework)

    def _on_import_failed(self, exc: BaseException) -> None:
        self.preview_button.setEnabled(True)
        if isinstance(exc, UserError):
            self.status.setText(f"Nothing was imported: {exc}")
            return
        present_error(self, exc)
