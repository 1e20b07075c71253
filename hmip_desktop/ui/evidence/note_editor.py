"""The note editor: structured fields, a body with light emphasis, linked passages.

Autosave (ui.widgets.autosave): after a pause in typing, every few seconds of steady typing,
when focus leaves the editor, when another note is chosen and when the file or window closes,
`flush()` emits `save_wanted` with the payload before and after. The page writes it (a new
revision) and pushes an undo step. Typed text is never dropped: a note whose save failed is
not left (`load` refuses) until it is saved or the person discards it; an empty title keeps
the stored one, so the text is saved meanwhile.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.domain.records import NOTE_FIELDS, SOURCE_KINDS, NoteView
from hmip_desktop.ui import errors
from hmip_desktop.ui.widgets.autosave import AUTOSAVE_IDLE_MS, Autosave
from hmip_desktop.ui.widgets.emphasis_highlighter import EmphasisHighlighter

if TYPE_CHECKING:
    from hmip_desktop.services.links import LinkView

AUTOSAVE_MS = AUTOSAVE_IDLE_MS
UNTITLED = "Untitled note"  # only for a stored note without a title (none is written so)
PASSAGE_COLOUR = QColor("#fff2a8")


def locate_passage(body: str, link: LinkView) -> tuple[int, int] | None:
    """Where a linked passage is now: its offsets if the text still matches, else its quote."""
    if link.start is None or link.end is None:
        return None
    if link.quote is None or body[link.start:link.end] == link.quote:
        return (link.start, min(link.end, len(body)))
    found = body.find(link.quote) if link.quote else -1
    return (found, found + len(link.quote)) if found >= 0 and link.quote else None


class NoteEditor(QWidget):
    """Edits one note; knows nothing about storage."""

    save_wanted = Signal(str, dict, dict)  # note id, payload before, payload after
    link_wanted = Signal(str, object, object)  # note id, start or None, end or None
    unlink_wanted = Signal(str)  # link id

    def __init__(self) -> None:
        super().__init__()
        self.note_id: str | None = None
        self._saved: dict[str, Any] = {}
        self._loading = False
        self._failed = False  # the last save of what is on screen did not land
        self.links: list[LinkView] = []
        self.autosave = Autosave(self, self.flush)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.title = QLineEdit()
        self.title.setAccessibleName("Note title")
        # Shown when the field is emptied: the note keeps its stored title (flush saves the
        # text meanwhile), so nothing typed waits on a title.
        self.title.setPlaceholderText("a note needs a title: until you type one, it keeps "
                                      "its old one")
        form.addRow("&Title:", self.title)
        self.source = QComboBox()
        self.source.setAccessibleName("Source kind")
        for key, label in SOURCE_KINDS.items():
            self.source.addItem(label, key)
        form.addRow("&Source:", self.source)
        self.when = QLineEdit()
        self.when.setAccessibleName("When")
        self.when.setPlaceholderText("e.g. 2026-11-25 21:00")
        self.where = QLineEdit()
        self.where.setAccessibleName("Where")
        self.where.setPlaceholderText("wing, unit, room")
        row = QHBoxLayout()
        row.addWidget(self.when)
        row.addWidget(QLabel("Where:"))
        row.addWidget(self.where)
        when_label = QLabel("&When:")
        when_label.setBuddy(self.when)  # a layout as the field gets no buddy by itself
        form.addRow(when_label, row)
        self.subject = QLineEdit()
        self.subject.setAccessibleName("Anonymised subject reference")
        self.subject.setPlaceholderText("anonymised reference — never a name")
        self.interpreter = QCheckBox("&Interpreter used")
        row2 = QHBoxLayout()
        row2.addWidget(self.subject)
        row2.addWidget(self.interpreter)
        subject_label = QLabel("Su&bject:")
        subject_label.setBuddy(self.subject)
        form.addRow(subject_label, row2)
        layout.addLayout(form)
        self.body = QPlainTextEdit()
        self.body.setAccessibleName("Note text")
        self.body.setPlaceholderText("Type the note. **bold** and *italic* are kept.")
        self.highlighter = EmphasisHighlighter(self.body.document())
        layout.addWidget(self.body, 1)
        links_row = QHBoxLayout()
        self.link_button = QPushButton("&Link to expectation…")
        self.link_button.setToolTip("Link the selected passage (or the whole note) — Ctrl+L")
        self.unlink_button = QPushButton("Remove lin&k")
        links_row.addWidget(self.link_button)
        links_row.addWidget(self.unlink_button)
        links_row.addStretch(1)
        self.discard_button = QPushButton("Discard my c&hanges")
        self.discard_button.setToolTip("Drop what was typed since the last save (it could not "
                                       "be saved)")
        self.discard_button.hide()  # only while a save failed
        self.discard_button.clicked.connect(self._on_discard_button_clicked)
        links_row.addWidget(self.discard_button)
        self.status = QLabel("")
        self.status.setAccessibleName("Save status")
        links_row.addWidget(self.status)
        layout.addLayout(links_row)
        self.link_list = QListWidget()
        self.link_list.setAccessibleName("Linked expectations")
        self.link_list.setMaximumHeight(110)
        layout.addWidget(self.link_list)
        QShortcut(QKeySequence("Ctrl+L"), self, activated=self._on_link_button_clicked)
        QShortcut(QKeySequence("Ctrl+B"), self.body, activated=lambda: self._wrap("**"))
        QShortcut(QKeySequence("Ctrl+I"), self.body, activated=lambda: self._wrap("*"))
        self.link_button.clicked.connect(self._on_link_button_clicked)
        self.unlink_button.clicked.connect(self._on_unlink_button_clicked)
        self.link_list.currentRowChanged.connect(self._on_link_list_row_changed)
        for signal in (self.title.textEdited, self.when.textEdited, self.where.textEdited,
                       self.subject.textEdited, self.body.textChanged,
                       self.source.currentIndexChanged, self.interpreter.toggled):
            signal.connect(self._on_any_field_changed)
        app = QApplication.instance()
        if app is not None:
            app.focusChanged.connect(self._on_app_focus_changed)
        self.setEnabled(False)

    # -- loading and reading -----------------------------------------------------------------
    def load(self, note: NoteView | None, *, force: bool = False) -> bool:
        """Show a note, saving the previous one first; False (nothing changes) when that save
        failed, unless `force` (the file closes, the note is deleted): the typing stays."""
        self.flush()
        if self._failed and self.has_unsaved() and not force:
            return False
        self._loading = True
        self._saved = {}  # payload() must not take an empty title from the previous note
        self._set_failed(False)
        try:
            self.note_id = note.id if note else None
            self.setEnabled(note is not None)
            n = note
            self.title.setText(n.title if n else "")
            self.source.setCurrentIndex(max(0, self.source.findData(n.source_kind if n else "")))
            self.when.setText((n.occurred_at or "") if n else "")
            self.where.setText((n.location or "") if n else "")
            self.subject.setText((n.subject_ref or "") if n else "")
            self.interpreter.setChecked(bool(n.interpreter_used) if n else False)
            self.body.setPlainText(n.body if n else "")
            self._saved = self.payload() if n else {}
            self.status.setText("")
            self.set_links([])
        finally:
            self._loading = False
        return True

    def set_source_labels(self, labels: Mapping[str, str]) -> None:
        """Name the Source choices in the open inspection's words ("Prisoner interview",
        "Detainee interview"); the keys and the choice made stay as they are."""
        for i in range(self.source.count()):
            label = labels.get(self.source.itemData(i))
            if label and label != self.source.itemText(i):
                self.source.setItemText(i, label)

    def payload(self) -> dict[str, Any]:
        """The fields as a note payload (what a save writes). An empty title field keeps the
        stored title: a note needs one, and the text must not wait for it to be saved."""
        values = {
            "source_kind": self.source.currentData(),
            "title": self.title.text() if self.title.text().strip()
            else self._saved.get("title") or UNTITLED,
            "body": self.body.toPlainText(),
            "occurred_at": self.when.text().strip() or None,
            "location": self.where.text().strip() or None,
            "subject_ref": self.subject.text().strip() or None,
            "interpreter_used": self.interpreter.isChecked(),
        }
        assert set(values) == set(NOTE_FIELDS)
        return values

    def mark_saved(self, payload: dict[str, Any]) -> None:
        """Remember what is now stored (after a save or an undo)."""
        self._saved = dict(payload)
        self._set_failed(False)
        self.status.setText("Editing…" if self.has_unsaved() else "Saved")

    def apply_payload(self, payload: dict[str, Any]) -> None:
        """Show a payload restored by undo/redo without triggering another save."""
        self._loading = True
        try:
            cursor_pos = self.body.textCursor().position()
            self.title.setText(str(payload.get("title", "")))
            self.source.setCurrentIndex(max(0, self.source.findData(payload.get("source_kind"))))
            self.when.setText(payload.get("occurred_at") or "")
            self.where.setText(payload.get("location") or "")
            self.subject.setText(payload.get("subject_ref") or "")
            self.interpreter.setChecked(bool(payload.get("interpreter_used")))
            self.body.setPlainText(str(payload.get("body", "")))
            cursor = self.body.textCursor()
            cursor.setPosition(min(cursor_pos, len(self.body.toPlainText())))
            self.body.setTextCursor(cursor)
            self._saved = self.payload()
            self._set_failed(False)
        finally:
            self._loading = False
        self._highlight_passages()

    def show_unsaved(self, payload: dict[str, Any]) -> None:
        """Put back typing whose save failed after the person had moved to another note (it
        is on screen again, unsaved, until it is saved or discarded)."""
        stored = dict(self._saved)
        self.apply_payload(payload)
        self._saved = stored
        self._set_failed(True)

    # -- autosave ----------------------------------------------------------------------------
    def _on_any_field_changed(self, *_args: object) -> None:
        if self._loading or self.note_id is None:
            return
        self.status.setText("Editing…")
        self.autosave.changed()
        self._highlight_passages()

    def _on_app_focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        if old is not None and self.isAncestorOf(old) and (new is None
                                                            or not self.isAncestorOf(new)):
            self.flush()

    @property
    def save_failed(self) -> bool:
        """True while the text on screen is there because its save did not land."""
        return self._failed and self.has_unsaved()

    def has_unsaved(self) -> bool:
        """True when the fields differ from what is stored."""
        return self.note_id is not None and self.payload() != self._saved

    def flush(self) -> None:
        """Save now if anything changed (autosave timer, focus change, switch, close)."""
        self.autosave.stop()
        if not self.has_unsaved():
            return
        before, after = dict(self._saved), self.payload()
        self._saved = after  # optimistic: a failed save restores it through mark_failed
        self.status.setText("Saving…")
        self.save_wanted.emit(self.note_id, before, after)

    def mark_failed(self, before: dict[str, Any]) -> None:
        """A save failed: keep the text on screen, try again on the next change; the note
        is not left until it is saved or discarded."""
        self._saved = before
        self._set_failed(True)

    def _set_failed(self, failed: bool) -> None:
        self._failed = failed
        self.discard_button.setVisible(failed)
        if failed:
            self.status.setText("NOT saved — see the message")

    def _on_discard_button_clicked(self) -> None:
        if errors.ask_yes_no(self, "Discard what you typed in this note since it was last "
                             "saved? It cannot be brought back."):
            self.discard()

    def discard(self) -> None:
        """Put the stored text back (the person chose to drop what did not save)."""
        self.apply_payload(self._saved)
        self.status.setText("Changes discarded")

    # -- links -------------------------------------------------------------------------------
    def set_links(self, links: list[LinkView]) -> None:
        """Show the note's links and highlight its passages."""
        self.links = links
        self.link_list.clear()
        body = self.body.toPlainText()
        for link in links:
            where = locate_passage(body, link)
            target = link.target or link.expectation_ref
            if link.start is None:
                text = f"{target} — whole note"
            elif where is None:
                text = f"{target} — passage no longer in the text"
            else:
                excerpt = body[where[0]:where[1]].replace("\n", " ")
                more = "…" if len(excerpt) > 60 else ""
                text = f"{target} — “{excerpt[:60]}{more}”"
            item = QListWidgetItem(text)
            item.setData(256, link.id)
            self.link_list.addItem(item)
        self._highlight_passages()

    def _highlight_passages(self) -> None:
        body = self.body.toPlainText()
        selections = []
        for link in self.links:
            where = locate_passage(body, link)
            if where is None:
                continue
            sel = QTextEdit.ExtraSelection()
            fmt = QTextCharFormat()
            fmt.setBackground(PASSAGE_COLOUR)
            sel.format = fmt
            cursor = QTextCursor(self.body.document())
            cursor.setPosition(where[0])
            cursor.setPosition(where[1], QTextCursor.MoveMode.KeepAnchor)
            sel.cursor = cursor
            selections.append(sel)
        self.body.setExtraSelections(selections)

    def _on_link_button_clicked(self) -> None:
        if self.note_id is None:
            return
        self.flush()
        cursor = self.body.textCursor()
        if cursor.hasSelection():
            self.link_wanted.emit(self.note_id, cursor.selectionStart(), cursor.selectionEnd())
        else:
            self.link_wanted.emit(self.note_id, None, None)

    def _on_unlink_button_clicked(self) -> None:
        item = self.link_list.currentItem()
        if item is not None:
            self.unlink_wanted.emit(item.data(256))

    def _on_link_list_row_changed(self, row: int) -> None:
        if not 0 <= row < len(self.links):
            return
        where = locate_passage(self.body.toPlainText(), self.links[row])
        if where is not None:
            self.select_passage(*where)

    def select_passage(self, start: int, end: int) -> None:
        """Scroll to and select a passage (search results and evidence links jump here)."""
        length = len(self.body.toPlainText())
        cursor = self.body.textCursor()
        cursor.setPosition(min(start, length))
        cursor.setPosition(min(end, length), QTextCursor.MoveMode.KeepAnchor)
        self.body.setTextCursor(cursor)
        self.body.ensureCursorVisible()

    def _wrap(self, marker: str) -> None:
        cursor = self.body.textCursor()
        text = cursor.selectedText()
        cursor.insertText(f"{marker}{text}{marker}")
