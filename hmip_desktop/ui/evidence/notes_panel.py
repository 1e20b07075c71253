"""Notes tab of the Evidence page: filters, the sortable list, the editor, undo/redo."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.domain import records as R
from hmip_desktop.domain.changes import NewId
from hmip_desktop.domain.ids import short_id
from hmip_desktop.domain.records import NoteView
from hmip_desktop.services.labels import source_kind_labels
from hmip_desktop.services.notes import NoteService
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.errors import present_error
from hmip_desktop.ui.evidence.notes_filters import NotesFilters
from hmip_desktop.ui.evidence.notes_table_model import NotesFilterProxy, NotesTableModel
from hmip_desktop.ui.save_bases import SaveBases
from hmip_desktop.ui.undo_commands import WriteStep
from hmip_desktop.ui.widgets.tables import make_readable

if TYPE_CHECKING:
    from hmip_desktop.domain.framework import Framework
    from hmip_desktop.services.first_screen import FirstScreen
    from hmip_desktop.services.inspection_store import InspectionStore
    from hmip_desktop.services.links import LinkService
    from hmip_desktop.ui.evidence.note_editor import NoteEditor


# Said after a failed note save: why the list no longer moves off the note.
STAYS_OPEN = ("The note stays open until it is saved: to leave it without saving, press "
              "“Discard my changes”.")
# Said when a save met a teammate's change to the same text (services.edit_base).
KEPT_BOTH = ("Saved beside a teammate's change to this note: both versions are kept, "
             "to be resolved under Team & sync › Conflicts")


def _link_service() -> type[LinkService]:
    """services.links, imported once a file's store is open (a start's first screen shows no
    links)."""
    from hmip_desktop.services.links import LinkService

    return LinkService


class NotesPanel(QWidget):
    """Everything about notes; every write goes through the DB lane."""

    notes_changed = Signal()

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.undo_stack = QUndoStack(self)
        self._framework: Framework | None = None
        self._links_by_ref: dict[str, set[str]] = {}
        self._pending_select: tuple[str, int | None, int | None] | None = None
        self._pending_query: str | None = None
        # The file whose notes are shown: a save lands there even while it closes.
        self._store: InspectionStore | None = None
        self._saves_in_flight = 0
        self._bases = SaveBases()  # the state each note's next save starts from
        self._after_saves: Callable[[], None] | None = None  # an undo or redo waiting on them
        # True once the list shows the open file's notes (its first page at least): what
        # --quit-when-ready waits for.
        self.first_rows_shown = False
        layout = QVBoxLayout(self)
        self.filters = NotesFilters()
        f = self.filters  # the panel's names for them (tests and callers use these)
        self.search, self.kind, self.author, self.expectation, self.date = (
            f.search, f.kind, f.author, f.expectation, f.date)
        layout.addWidget(self.filters)
        buttons = QHBoxLayout()
        self.new_button = QPushButton("&New note")
        self.new_button.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.delete_button = QPushButton("&Delete note")
        self.undo_button = QPushButton("&Undo")
        self.redo_button = QPushButton("&Redo")
        self.history_button = QPushButton("Hist&ory…")
        self.undo_stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self.undo_stack.canRedoChanged.connect(self.redo_button.setEnabled)
        self.undo_button.setEnabled(False)
        self.redo_button.setEnabled(False)
        for b in (self.new_button, self.delete_button, self.undo_button, self.redo_button,
                  self.history_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.model = NotesTableModel()
        self.proxy = NotesFilterProxy()
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setAccessibleName("Notes")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        make_readable(self.table, title=NotesTableModel.COL_TITLE, key="Notes",
                      sort=(NotesTableModel.COL_UPDATED, Qt.SortOrder.DescendingOrder))
        # The editor is made at its first use (self.editor): a start's first screen shows
        # the list only, on a page not yet visited (~10 ms of imports and widgets).
        self._editor: NoteEditor | None = None
        self._split = QSplitter(Qt.Orientation.Horizontal)
        self._split.addWidget(self.table)
        self._split.addWidget(QWidget())  # the editor's place
        self._split.setChildrenCollapsible(False)
        self._split.setSizes([560, 540])
        layout.addWidget(self._split, 1)
        self.filters.changed.connect(self._apply_filters)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_row_changed)
        self.new_button.clicked.connect(self._on_new_button_clicked)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.undo_button.clicked.connect(lambda: self._when_saved(self.undo_stack.undo))
        self.redo_button.clicked.connect(lambda: self._when_saved(self.undo_stack.redo))
        self.history_button.clicked.connect(self._on_history_button_clicked)
        self._update_buttons()

    def _update_buttons(self) -> None:
        """New needs an open file; Delete and History a chosen note (they did nothing
        otherwise, and said nothing)."""
        is_open = self.ctx.store is not None
        self.new_button.setEnabled(is_open)
        chosen = is_open and self._editor is not None and self._editor.note_id is not None
        self.delete_button.setEnabled(chosen)
        self.history_button.setEnabled(chosen)

    @property
    def editor(self) -> NoteEditor:
        """The note editor beside the list, made on first use, in the list's tab order."""
        if self._editor is None:
            from hmip_desktop.ui.evidence.note_editor import NoteEditor

            editor = NoteEditor()
            editor.save_wanted.connect(self._on_editor_save_wanted)
            editor.link_wanted.connect(self._on_editor_link_wanted)
            editor.unlink_wanted.connect(self._on_editor_unlink_wanted)
            self._split.replaceWidget(1, editor).deleteLater()
            QWidget.setTabOrder(self.table, editor)  # Tab from the list goes into it
            self._editor = editor
        return self._editor

    # -- helpers -----------------------------------------------------------------------------
    def _write(self, work: Callable[[], object],
               first: Callable[[object], None] | None = None) -> None:
        # `first` runs before the views reload, so they reload with its effects.
        self.ctx.write(work, on_error=lambda e: present_error(self, e), before_broadcast=first)

    def _notes(self) -> NoteService:
        assert self.ctx.store is not None
        return NoteService(self.ctx.store)

    def _links(self) -> LinkService:
        assert self.ctx.store is not None
        return _link_service()(self.ctx.store)

    # -- loading -----------------------------------------------------------------------------
    def reload(self) -> None:
        """Read every note, the links and the framework on the DB lane, then show them
        (right after an open the list already shows the newest notes of the first screen:
        `show_first_screen`)."""
        store = self.ctx.store
        if store is None:
            return
        if store is not self._store:  # the file just opened
            self._store = store
            if self._editor is not None and self._editor.has_unsaved():
                self._editor.flush()  # typed on its first screen, before it could be saved

        def read() -> tuple:
            from hmip_desktop.services import inspections  # the store is open: loaded

            fw = inspections.pinned_framework(store)  # cached per open file
            return (NoteService(store).listing(), _link_service()(store).all(), fw,
                    store.device.author_id, store.device.author_name)

        self.ctx.tasks.submit(read, self._show, lambda e: present_error(self, e))

    def show_first_screen(self, screen: FirstScreen) -> None:
        """The newest notes, read before the store opened, until the whole list arrives."""
        if self.ctx.store is None and not self.first_rows_shown:
            self.model.set_rows(list(screen.notes), screen.facts.establishment_type)
            self.filters.fill(self.kind, "All sources",
                             list(source_kind_labels(screen.facts.establishment_type).items()))
            self.first_rows_shown = True

    def _show(self, data: tuple) -> None:
        listing, links, fw, me, my_name = data
        notes = listing.notes
        self.first_rows_shown = True
        self._update_buttons()
        self._framework = fw
        current = self.current_note_id()
        self._links_by_ref = {}
        for link in links:
            self._links_by_ref.setdefault(link.expectation_ref, set()).add(link.evidence_id)
        self.model.set_rows(notes, listing.establishment_type)
        words = listing.source_kind_labels()
        self.filters.fill(self.kind, "All sources", list(words.items()))
        self.editor.set_source_labels(words)
        self.filters.fill(self.author, "All authors",
                         [(a, "Me" if a == me else f"Author {short_id(a)}")
                          for a in sorted({n.author_id for n in notes})])
        self.filters.fill(self.expectation, "All expectations",
                         [(ref, f"Expectation {ref}") for ref in sorted(
                             self._links_by_ref, key=lambda r: [int(p) if p.isdigit() else 0
                                                                for p in r.split(".")])])
        self._apply_filters()
        target = self._pending_select[0] if self._pending_select else current
        if target:
            self.select_note(target)
        shown = next((n for n in notes if n.id == self.editor.note_id), None)
        # A read delivered while a save is on the DB lane may predate it: showing it would put
        # older text over the typing (the lane delivers in order, so none is stale after).
        if shown is not None and not self.editor.has_unsaved() and not self._saves_in_flight:
            self._bases.shown(shown.id, shown.updated_hlc)
            stored = {f: getattr(shown, f) for f in R.NOTE_FIELDS}
            if stored != self.editor._saved:  # changed by undo/redo or a merge
                self.editor.apply_payload(stored)
        note_links = [lk for lk in links if lk.evidence_id == self.editor.note_id]
        self.editor.set_links(note_links)
        if self._pending_select and self._pending_select[1] is not None:
            self.editor.select_passage(self._pending_select[1], self._pending_select[2] or 0)
        elif self._pending_query and self.editor.note_id:
            self._select_query(self._pending_query)
        self._pending_select = None
        self._pending_query = None
        self.notes_changed.emit()

    def _apply_filters(self) -> None:
        ref = self.expectation.currentData()
        self.proxy.set_filters(**self.filters.values(),
                               note_ids=self._links_by_ref.get(ref, set()) if ref else None)

    def current_note_id(self) -> str | None:
        """Id of the note in the editor."""
        return self.editor.note_id

    def select_note(self, note_id: str, start: int | None = None, end: int | None = None
                    ) -> bool:
        """Show a note (and a passage of it); False when it is not in the list."""
        row = self.model.row_of(note_id)
        if row < 0:
            self._pending_select = (note_id, start, end)
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():  # filtered out: clear filters so the note can be shown
            self.filters.clear()
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        if start is not None and end is not None:
            self.editor.select_passage(start, end)
        return True

    def show_note(self, note_id: str, start: int | None = None, end: int | None = None,
                  query: str | None = None) -> None:
        """Show a note and a passage (by offsets, or the first words of a search query),
        reloading the list first when the note is not in it yet."""
        if self.select_note(note_id, start, end):
            if query and start is None:
                self._select_query(query)
            self.editor.body.setFocus()
            return
        self._pending_query = query
        self.reload()

    def _select_query(self, query: str) -> None:
        import re

        body = self.editor.body.toPlainText()
        for word in re.findall(r"\w+", query):
            m = re.search(re.escape(word), body, re.IGNORECASE)
            if m:
                self.editor.select_passage(m.start(), m.end())
                return

    def _on_table_row_changed(self, current, _previous) -> None:  # type: ignore[no-untyped-def]
        note: NoteView | None = current.data(NotesTableModel.NOTE_ROLE) if current.isValid() \
            else None
        if note is not None and note.id == self.editor.note_id:
            return
        if not self.editor.load(note):  # its typing could not be saved: stay on it
            if self.editor.note_id is not None:
                self.select_note(self.editor.note_id)
            return
        if note is not None:
            self._bases.shown(note.id, note.updated_hlc)
        self._update_buttons()
        if note is not None and self.ctx.store is not None:
            store = self.ctx.store
            self.ctx.tasks.submit(lambda: _link_service()(store).for_evidence(note.id),
                                  self.editor.set_links)

    # -- writes ------------------------------------------------------------------------------
    def _on_new_button_clicked(self) -> None:
        if self.ctx.store is None:
            return
        self.editor.flush()
        notes = self._notes()

        def created(note_id: object) -> None:
            self._pending_select = (str(note_id), None, None)
            self.undo_stack.push(WriteStep(
                "New note", self._run,
                lambda: notes.restore(str(note_id), {"source_kind": "observation",
                                                     "title": "New note", "body": ""}),
                lambda: notes.delete(str(note_id))))
            self.editor.title.setFocus()
            self.editor.title.selectAll()

        self._write(lambda: notes.add(source_kind="observation", title="New note", body=""),
                    created)

    def _on_delete_button_clicked(self) -> None:
        note_id = self.editor.note_id
        if note_id is None:
            return
        self.editor.flush()
        notes = self._notes()
        before = self.editor.payload()
        self.editor.load(None, force=True)  # what was typed is in `before`, for undo
        self._write(lambda: notes.delete(note_id), lambda _r: self.undo_stack.push(WriteStep(
            "Delete note", self._run, lambda: notes.delete(note_id),
            lambda: notes.restore(note_id, before))))

    def _rebased_write(self, store: InspectionStore, note_id: str,
                       fields: dict) -> Callable[[], object]:
        """A write of the note's fields from the state its editor knows (on the DB lane)."""
        return self._bases.write(NoteService(store).edit, note_id, fields)

    # -- unsaved on leaving (ui/unsaved.py) -----------------------------------------------------
    def unsaved(self) -> list[str]:
        """The note whose save failed, if any: typing that has not failed saves itself as the
        window goes on, without a question."""
        editor = self._editor
        if editor is None or not editor.save_failed:
            return []
        from hmip_desktop.ui.unsaved import quoted

        return [f"your changes to the note {quoted(editor.title.text() or 'without a title')}"]

    def save_unsaved(self) -> str | None:
        """Try the failed save again and wait for it; '' when it failed again (the error
        box said why)."""
        from hmip_desktop.ui.unsaved import wait_for

        editor = self.editor
        note_id = editor.note_id
        editor.flush()
        if not wait_for(lambda: not self._bases.saving(note_id or "")):
            return "the save is still waiting for other work to finish; try again in a moment."
        return "" if editor.save_failed else None

    def discard_unsaved(self) -> None:
        """Drop the failed save's text: the person chose Discard."""
        if self._editor is not None and self._editor.save_failed:
            self._editor.discard()

    def _on_editor_save_wanted(self, note_id: str, before: dict, after: dict) -> None:
        store = self._store  # the file the note was typed in, even while it is closing
        if store is None:  # its first screen: the file is not open yet; `reload` saves it
            self.editor.mark_failed(before)
            self.editor.status.setText("Not saved yet: the file is still opening")
            return

        def saved(result: object) -> None:
            if store is not self._store:  # the file closed meanwhile: so did its undo steps
                return
            if self.editor.note_id == note_id:
                self.editor.mark_saved(after)
                if getattr(result, "kept_both", False):
                    self.editor.status.setText(KEPT_BOTH)
            # Undo and redo write from the state the person last saw too: a teammate's change
            # merged since stays (it was written over by restoring the whole payload).
            # Only the fields this save changed go back and forth, so a field the person did
            # not touch keeps whatever it holds by then.
            changed = [k for k in after if after.get(k) != before.get(k)]
            self.undo_stack.push(WriteStep(
                "Edit note", self._run,
                self._rebased_write(store, note_id, {k: after.get(k) for k in changed}),
                self._rebased_write(store, note_id, {k: before.get(k) for k in changed})))

        def failed(exc: BaseException) -> None:
            self._bases.landed(note_id)
            self._save_landed(ok=False)
            if store is self._store:
                if self.editor.note_id == note_id:
                    self.editor.mark_failed(before)
                elif self.select_note(note_id) and self.editor.note_id == note_id:
                    self.editor.show_unsaved(after)  # the person had moved on: bring it back
            present_error(self, exc, more=STAYS_OPEN if self.editor.note_id == note_id else "")

        def landed(_r: object) -> None:
            self._bases.landed(note_id)
            self._save_landed(ok=True)

        self._saves_in_flight += 1
        self._bases.started(note_id)
        self.ctx.write(self._rebased_write(store, note_id, after), on_error=failed,
                       before_broadcast=saved, on_done=landed)

    def _save_landed(self, *, ok: bool) -> None:
        self._saves_in_flight -= 1
        step, self._after_saves = self._after_saves, None
        if ok and self._saves_in_flight:
            self._after_saves = step  # wait for the last save
        elif ok and step is not None:
            step()  # a failed save drops it: undo would skip past the typing on screen

    def _when_saved(self, step: Callable[[], None]) -> None:
        """Undo or redo once the editor's typing is saved and its undo step pushed: undoing
        while that save is still on the DB lane would undo the step before it, and the late
        step would then wipe redo."""
        self.editor.flush()
        if self.editor.has_unsaved():  # its save failed (the person was told): keep it
            return
        if self._saves_in_flight:
            self._after_saves = step
        else:
            step()

    def _run(self, work: Callable[[], object]) -> None:
        """Run an undo/redo write, then refresh (the editor shows the restored text)."""
        self.editor.flush()
        self._write(work)

    def _on_editor_link_wanted(self, note_id: str, start: object, end: object) -> None:
        if self._framework is None:
            return
        # Dialogs are imported when first used: the notes list is on a start's first screen.
        from hmip_desktop.ui.expectations.expectation_picker_dialog import (
            ExpectationPickerDialog,
            expectation_choices,
        )

        dialog = ExpectationPickerDialog(self, expectation_choices(self._framework))
        if dialog.exec() != ExpectationPickerDialog.DialogCode.Accepted:
            return
        refs = dialog.selected()
        known = set(self._framework.expectation_numbers())
        links = self._links()

        def add_all() -> list[NewId]:
            return [links.add(note_id, ref, start=start, end=end, known_refs=known)  # type: ignore[arg-type]
                    for ref in refs]

        def added(ids: object) -> None:
            for link_id in list(ids):  # type: ignore[call-overload]
                self.undo_stack.push(WriteStep("Link passage", self._run,
                                               lambda i=link_id: links.restore(i),
                                               lambda i=link_id: links.remove(i)))

        self._write(add_all, added)

    def _on_editor_unlink_wanted(self, link_id: str) -> None:
        links = self._links()
        self._write(lambda: links.remove(link_id), lambda _r: self.undo_stack.push(WriteStep(
            "Remove link", self._run, lambda: links.remove(link_id),
            lambda: links.restore(link_id))))

    def _on_history_button_clicked(self) -> None:
        note_id, store = self.editor.note_id, self.ctx.store
        if note_id is None or store is None:
            return
        self.editor.flush()
        me = store.device.author_id
        from hmip_desktop.services.history import history
        from hmip_desktop.ui.history_dialog import HistoryDialog

        self.ctx.tasks.submit(lambda: history(store, note_id),
                              lambda entries: HistoryDialog(self, entries, me).exec(),
                              lambda e: present_error(self, e))

    def clear(self) -> None:
        """Forget the closed inspection (the window flushed the editor before closing it)."""
        self.editor.load(None, force=True)
        self._store = None
        self.model.set_rows([])
        self.first_rows_shown = False
        self.undo_stack.clear()
        self._update_buttons()
