"""Import a data extract: choose the file, name it, check the sampled rows and correct types."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.domain.errors import UserError
from hmip_desktop.domain.wording import plural
from hmip_desktop.services.extracts import (
    ExtractService,
    ExtractView,
    TableSniff,
    same_content_text,
)
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.errors import error_text, present_error
from hmip_desktop.ui.evidence import evidence_prompts as prompts
from hmip_desktop.ui.widgets.forms import buddy_label, error_label, plain_label, show_error

TYPE_CHOICES = (("integer", "Whole number"), ("decimal", "Decimal"), ("date", "Date"),
                ("text", "Text"))
SHOWN_SAMPLE_ROWS = 50


@dataclass(frozen=True)
class ExtractImportRequest:
    """What the dialog settled: the file, its name, how to read it, corrected types."""

    path: Path
    name: str
    sniff: TableSniff
    column_types: dict[int, str]


class ExtractImportDialog(QDialog):
    """Detects how the file reads (off the GUI thread, on the lane of `ctx.tasks`) and lets the
    person correct column types."""

    def __init__(self, parent: QWidget | None, ctx: UiContext, path: Path | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Import a data extract")
        self.resize(820, 560)
        self._sniff: TableSniff | None = None
        self._loaded = ""  # the path last read, so editing the field re-reads only on change
        self._reading = 0  # which read the shown sample answers (a later one replaces it)
        self.type_combos: list[QComboBox] = []
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.path = QLineEdit()
        self.path.setAccessibleName("File to import")
        self.path.setPlaceholderText("A CSV or XLSX file")
        self.browse_button = QPushButton("&Browse…")
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.browse_button)
        form.addRow(buddy_label("&File:", self.path), row)
        self.name = QLineEdit()
        self.name.setAccessibleName("Extract name")
        form.addRow("&Name:", self.name)
        # A workbook often opens on a cover sheet: the data may be on another one.
        self.sheet = QComboBox()
        self.sheet.setAccessibleName("Sheet holding the data")
        self.sheet_label = buddy_label("S&heet:", self.sheet)
        form.addRow(self.sheet_label, self.sheet)
        self.header = QCheckBox("First &row holds the column names")
        self.header.setAccessibleName("First row holds the column names")
        form.addRow("", self.header)
        layout.addLayout(form)
        self.summary = plain_label("")  # it names the file
        self.summary.setAccessibleName("How the file reads")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.problem = error_label("Problem with the file")
        layout.addWidget(self.problem)
        hint = QLabel("The first row below sets each column's type; correct any that were "
                      "guessed wrong (a code such as 007 is text, not a number).")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.table = QTableWidget()
        self.table.setAccessibleName("Sample rows and column types")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        layout.addWidget(self.table, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.import_button.setText("&Import")
        self.import_button.setEnabled(False)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.browse_button.clicked.connect(self._on_browse_button_clicked)
        self.path.editingFinished.connect(self._on_path_editing_finished)
        self.header.toggled.connect(self._on_header_toggled)
        self.sheet.activated.connect(self._on_sheet_activated)
        self._show_sheets([])
        if path is not None:
            self.load(path)

    # -- reading the file --------------------------------------------------------------------
    def load(self, path: Path, *, has_header: bool | None = None,
             sheet: str | None = None) -> None:
        """Detect how a file reads (a workbook: its first sheet unless `sheet` is given);
        the sample and types show when it does, and a workbook's sheets to choose from."""
        store = self.ctx.store
        if store is None:
            return
        path = Path(path)
        if self.path.text() != str(path):
            self.path.setText(str(path))
        previous = Path(self._loaded).stem if self._loaded else ""
        if self.name.text().strip() in ("", previous):  # keep a name the person typed
            self.name.setText(path.stem)
        self._loaded = str(path)
        self._sniff = None
        self.import_button.setEnabled(False)
        show_error(self.problem, None)
        self.summary.setText(f"Reading {path.name}…")  # a big workbook takes seconds
        self._reading += 1
        reading = self._reading
        overrides: dict[str, object] = {} if has_header is None else {"has_header": has_header}
        if sheet is not None:
            overrides["sheet"] = sheet

        def read() -> tuple[list[str], TableSniff | UserError, ExtractView | None]:
            service = ExtractService(store)
            names = service.sheet_names(path)
            try:
                found: TableSniff | UserError = service.preview(path, **overrides)
            except UserError as exc:  # another sheet may hold the data: still list them
                return names, exc, None
            return names, found, service.imported_before(path)

        def shown(answer: tuple[list[str], TableSniff | UserError, ExtractView | None]) -> None:
            if reading != self._reading:  # an earlier file's, answered late
                return
            names, found, earlier = answer
            self._show_sheets(names, found.sheet if isinstance(found, TableSniff) else sheet)
            if isinstance(found, TableSniff):
                self._show(found, earlier)
            else:
                self._failed(found)

        def failed(exc: BaseException) -> None:
            if reading == self._reading:
                self._show_sheets([])
                self._failed(exc)

        self.ctx.tasks.submit(read, shown, failed)

    def _show_sheets(self, names: list[str], current: str | None = None) -> None:
        """The sheet choice: shown for a workbook of more than one sheet."""
        self.sheet.clear()
        self.sheet.addItems(names)
        if current in names:
            self.sheet.setCurrentIndex(names.index(current))
        several = len(names) > 1
        self.sheet.setVisible(several)
        self.sheet_label.setVisible(several)

    def _failed(self, exc: BaseException) -> None:
        self.table.clear()
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        self.summary.setText("")
        if not isinstance(exc, UserError):
            present_error(self, exc)  # a bug: logged with its traceback
            return
        # Stay open: the person can pick another file, or another sheet of this one.
        text = error_text(exc).rstrip(".")
        text = text[:1].upper() + text[1:] + "."
        if self.sheet.count() > 1:
            text += " Choose the sheet that holds the data under Sheet."
        show_error(self.problem, text)

    def _show(self, found: TableSniff, earlier: ExtractView | None = None) -> None:
        self._sniff = found
        show_error(self.problem, None)
        if found.kind == "xlsx":
            how = f"Excel workbook, sheet '{found.sheet}'" if found.sheet else "Excel workbook"
        else:
            delim = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(
                found.delimiter or "", repr(found.delimiter))
            how = f"CSV file, {found.encoding} text, {delim}-separated"
        again = ""
        if earlier is not None:  # said before Import is pressed; importing again is allowed
            text = same_content_text(earlier)
            again = f" Note: {text}; importing makes a second extract."
        # A workbook's first sheet is often a cover page that reads as a small table: say
        # there are others, whatever the first one looks like.
        others = (f" The workbook has {self.sheet.count()} sheets: check that this one holds "
                  "the data (Sheet)." if self.sheet.count() > 1 else "")
        self.summary.setText(f"{how}; {plural(len(found.columns), 'column')}.{others}{again}")
        self.header.blockSignals(True)
        self.header.setChecked(found.has_header)
        self.header.blockSignals(False)
        sample = found.sample[:SHOWN_SAMPLE_ROWS]
        self.table.clear()
        self.table.setColumnCount(len(found.columns))
        self.table.setRowCount(1 + len(sample))
        self.table.setHorizontalHeaderLabels([c.name for c in found.columns])
        self.table.setVerticalHeaderLabels(["Type"] + [str(i + 1) for i in range(len(sample))])
        self.type_combos = []
        for col, spec in enumerate(found.columns):
            combo = QComboBox()
            combo.setAccessibleName(f"Type of column {spec.name}")
            for key, label in TYPE_CHOICES:
                combo.addItem(label, key)
            combo.setCurrentIndex(combo.findData(spec.type))
            self.table.setCellWidget(0, col, combo)
            self.type_combos.append(combo)
        for r, values in enumerate(sample, start=1):
            for c, value in enumerate(values[:len(found.columns)]):
                self.table.setItem(r, c, QTableWidgetItem("" if value is None else str(value)))
        self.table.resizeColumnsToContents()
        self.import_button.setEnabled(True)
        if self.type_combos:
            self.type_combos[0].setFocus()

    # -- results -----------------------------------------------------------------------------
    def set_column_type(self, column: int | str, kind: str) -> None:
        """Correct a column's type (by index or name), as choosing in its combo does."""
        if isinstance(column, str):
            assert self._sniff is not None
            column = [c.name for c in self._sniff.columns].index(column)
        combo = self.type_combos[column]
        combo.setCurrentIndex(combo.findData(kind))

    def column_types(self) -> dict[int, str]:
        """The types the person changed, by column index."""
        if self._sniff is None:
            return {}
        return {i: combo.currentData() for i, (combo, spec) in enumerate(
            zip(self.type_combos, self._sniff.columns, strict=True))
            if combo.currentData() != spec.type}

    def request(self) -> ExtractImportRequest | None:
        """The import to run (None until the file reads)."""
        if self._sniff is None:
            return None
        return ExtractImportRequest(Path(self.path.text()), self.name.text().strip(),
                                    self._sniff, self.column_types())

    def accept(self) -> None:
        """Accept only once the file reads and has a name."""
        if self._sniff is None:
            return
        if not self.name.text().strip():
            show_error(self.problem, "An extract needs a name.")
            self.name.setFocus()
            return
        super().accept()

    def _on_browse_button_clicked(self) -> None:
        chosen = prompts.choose_extract_file(self)
        if chosen is not None:
            self.load(chosen)

    def _on_path_editing_finished(self) -> None:
        text = self.path.text().strip()
        if text and text != self._loaded:
            self.load(Path(text))

    def _on_header_toggled(self, checked: bool) -> None:
        if self.path.text().strip():
            self.load(Path(self.path.text().strip()), has_header=checked,
                      sheet=self.sheet.currentText() or None)

    def _on_sheet_activated(self, _index: int) -> None:
        if self.path.text().strip() and self.sheet.currentText():
            self.load(Path(self.path.text().strip()), sheet=self.sheet.currentText())
