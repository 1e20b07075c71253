"""Documents tab of the Evidence page: import (button or drag and drop), list, preview, link.

Decrypted content is read on the DB lane into memory for the preview only; the one way a
plaintext copy leaves the encrypted store is "Export a copy…", after a warning.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QMimeData, QSortFilterProxyModel, Qt
from PySide6.QtGui import (
    QImage,
    QKeySequence,
    QShortcut,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.domain.errors import Cancelled
from hmip_desktop.domain.mime import MIME_PDF, MIME_XLSX, SUPPORTED_KINDS
from hmip_desktop.services.documents import DocumentService, DocumentView
from hmip_desktop.services.inspection_record import pinned_framework
from hmip_desktop.services.links import LinkService
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.errors import present_error
from hmip_desktop.ui.evidence import evidence_prompts as prompts
from hmip_desktop.ui.evidence.document_preview import DocumentPreview, decode_picture
from hmip_desktop.ui.evidence.documents_table_model import DocumentsTableModel
from hmip_desktop.ui.evidence.evidence_links import EvidenceLinksList, LinkHelper
from hmip_desktop.ui.undo_commands import delete_with_undo
from hmip_desktop.ui.widgets.file_drops import FileDrops
from hmip_desktop.ui.widgets.forms import plain_label
from hmip_desktop.ui.widgets.tables import make_readable
from hmip_desktop.ui.widgets.task_progress import TaskProgress


class DocumentsPanel(FileDrops, QWidget):
    """Everything about documents; every write and decryption goes through the DB lane."""

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setAcceptDrops(True)
        self.undo_stack = QUndoStack(self)
        self.linker = LinkHelper(ctx, self.undo_stack, self)
        self._pending: tuple[str, int | None, int | None, int] | None = None
        layout = QVBoxLayout(self)
        buttons = QHBoxLayout()
        self.import_button = QPushButton("&Import…")
        self.import_button.setAccessibleName("Import documents")
        self.link_button = QPushButton("&Link document…")
        self.link_page_button = QPushButton("Link this p&age…")
        self.export_button = QPushButton("Export a cop&y…")
        self.delete_button = QPushButton("&Delete document")
        self.undo_button = QPushButton("&Undo")
        self.redo_button = QPushButton("&Redo")
        self.undo_stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self.undo_stack.canRedoChanged.connect(self.redo_button.setEnabled)
        for b in (self.import_button, self.link_button, self.link_page_button,
                  self.export_button, self.delete_button, self.undo_button, self.redo_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.hint = QLabel(f"Drop files here to import them ({SUPPORTED_KINDS}). They are "
                           "kept encrypted inside the inspection.")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self.progress = TaskProgress(ctx, self)
        layout.addWidget(self.progress)
        self.status = plain_label("")  # it may name a file
        self.status.setAccessibleName("Documents status")
        layout.addWidget(self.status)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter documents by title…")
        self.filter.setAccessibleName("Filter documents")
        self.filter.setAcceptDrops(False)  # a dropped file imports; it is not filter text
        self.model = DocumentsTableModel()
        self.proxy = QSortFilterProxyModel()
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(DocumentsTableModel.SORT_ROLE)
        self.proxy.setFilterKeyColumn(DocumentsTableModel.COL_TITLE)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.table = QTableView()
        self.table.setAccessibleName("Documents")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        make_readable(self.table, title=DocumentsTableModel.COL_TITLE, key="Documents",
                      sort=(DocumentsTableModel.COL_ADDED, Qt.SortOrder.DescendingOrder))
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.filter)
        left_layout.addWidget(self.table, 1)
        self.preview = DocumentPreview()
        self.links = EvidenceLinksList("Expectations this document is linked to")
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.preview, 1)
        right_layout.addWidget(self.links)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setChildrenCollapsible(False)
        split.setSizes([520, 580])
        layout.addWidget(split, 1)
        delete_key = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table)
        delete_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete_key.activated.connect(self._on_delete_button_clicked)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_row_changed)
        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.link_button.clicked.connect(self._on_link_button_clicked)
        self.link_page_button.clicked.connect(self._on_link_page_button_clicked)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.undo_button.clicked.connect(self.undo_stack.undo)
        self.redo_button.clicked.connect(self.undo_stack.redo)
        self.links.unlink_wanted.connect(self.linker.unlink)
        self.preview.page_changed.connect(lambda _n: self._update_buttons())
        self.progress.running_changed.connect(lambda _r: self._update_buttons())
        self._update_buttons()

    # -- helpers -----------------------------------------------------------------------------
    def _docs(self) -> DocumentService:
        assert self.ctx.store is not None
        return DocumentService(self.ctx.store)

    def _error(self, exc: BaseException) -> None:
        present_error(self, exc)

    def _run(self, work: Callable[[], object]) -> None:
        """Run an undo/redo write, then refresh."""
        self.ctx.write(work, on_error=self._error)

    def current_document(self) -> DocumentView | None:
        """The selected document."""
        index = self.table.currentIndex()
        return index.data(DocumentsTableModel.DOCUMENT_ROLE) if index.isValid() else None

    def _update_buttons(self) -> None:
        doc, idle = self.current_document(), not self.progress.running
        has_store = self.ctx.store is not None
        self.import_button.setEnabled(has_store and idle)
        for b in (self.link_button, self.export_button, self.delete_button):
            b.setEnabled(doc is not None and idle)
        self.link_page_button.setEnabled(doc is not None and idle and not doc.is_image
                                         and self.preview.current_page() is not None)
        self.undo_button.setEnabled(self.undo_stack.canUndo() and idle)
        self.redo_button.setEnabled(self.undo_stack.canRedo() and idle)

    # -- loading -----------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the documents and the framework on the DB lane, then show them."""
        store = self.ctx.store
        if store is None:
            return
        self.ctx.tasks.submit(lambda: (DocumentService(store).list(), pinned_framework(store)),
                              self._show, self._error)

    def _show(self, data: tuple) -> None:
        docs, self.linker.framework = data
        keep = self._pending[0] if self._pending else getattr(self.current_document(), "id",
                                                               None)
        self.model.set_rows(docs)
        if keep is None or not self.select_document(keep):
            self.preview.clear()
            self.links.set_links(None)
        else:
            self._load_links()
        self._update_buttons()

    def select_document(self, document_id: str) -> bool:
        """Select a document in the list; False when it is not there."""
        row = self.model.row_of(document_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():  # hidden by the filter: clear it so the document shows
            self.filter.clear()
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        if self.preview.document is not None and self.preview.document.id == document_id:
            self._apply_pending()
        return True

    def show_document(self, document_id: str, page: int | None = None,
                      offset: int | None = None, length: int = 0) -> None:
        """Show a document at a page (and a passage of its text), loading the list if needed."""
        self._pending = (document_id, page, offset, length)
        if not self.select_document(document_id):
            self.reload()

    def _apply_pending(self) -> None:
        if self._pending is None or self.preview.document is None \
                or self._pending[0] != self.preview.document.id:
            return
        _id, page, offset, length = self._pending
        self._pending = None
        if offset is not None and page is not None:
            self.preview.select_text(page, offset, length)
        elif page is not None:
            self.preview.set_page(page)
        self._update_buttons()

    def _on_table_row_changed(self, current, _previous) -> None:  # type: ignore[no-untyped-def]
        view = current.data(DocumentsTableModel.DOCUMENT_ROLE) if current.isValid() else None
        self._update_buttons()
        if view is None:
            self.preview.clear()
            self.links.set_links(None)
            return
        if view == self.preview.document:
            return
        self._load_preview(view)
        self._load_links()

    def _load_preview(self, view: DocumentView) -> None:
        store = self.ctx.store
        if store is None:
            return
        if not view.available:
            self.preview.clear("This document's content is not on this computer yet: it "
                               "arrives with the colleague's next bundle.")
            return
        self.preview.clear("Opening…")

        def read() -> tuple[list[str], bytes | QImage | None]:
            docs = DocumentService(store)
            if view.is_image:  # decoded here, on the lane: a big photo would freeze the window
                return [], decode_picture(docs.read_bytes(view.id))
            pdf = docs.read_bytes(view.id) if view.mime == MIME_PDF else None
            return docs.text_pages(view.id), pdf

        def shown(result: tuple[list[str], bytes | QImage | None]) -> None:
            current = self.current_document()
            if current is None or current.id != view.id:
                return  # the person moved on while this was decrypting
            self.preview.show_document(view, *result)
            self._apply_pending()
            self._update_buttons()

        def failed(exc: BaseException) -> None:
            self.preview.clear("This document cannot be shown.")
            self._error(exc)

        self.ctx.tasks.submit(read, shown, failed)

    def _load_links(self) -> None:
        doc, store = self.current_document(), self.ctx.store
        if doc is None or store is None:
            return
        word = "sheet" if doc.mime == MIME_XLSX else "page"

        def shown(links: list) -> None:
            if getattr(self.current_document(), "id", None) == doc.id:
                self.links.set_links(links, word)

        self.ctx.tasks.submit(lambda: LinkService(store).for_evidence(doc.id), shown,
                              self._error)

    # -- importing ---------------------------------------------------------------------------
    def _on_import_button_clicked(self) -> None:
        paths = prompts.choose_document_files(self)
        if paths:
            self.import_paths(paths)

    def import_paths(self, paths: list[Path]) -> None:
        """Import files on the DB lane with progress and Cancel; all or nothing."""
        store = self.ctx.store
        if store is None or not paths:
            return
        if self.progress.running:
            self.status.setText("Wait for the current import to finish.")
            return

        def done(views: list[DocumentView]) -> None:
            n = len(views)
            notes = " ".join(f"Note: {t}." for t in getattr(views, "notes", ()))
            self.status.setText(f"{n} document{'s' if n != 1 else ''} imported. {notes}".strip())
            if views:
                self._pending = (views[0].id, None, None, 0)

        def failed(exc: BaseException) -> None:
            self.status.setText("Nothing was imported.")
            self._error(exc)

        label = f"Importing {len(paths)} file{'s' if len(paths) != 1 else ''}…"
        self.progress.run(label, lambda control: DocumentService(store).import_files(
            paths, progress=control.progress, cancel=control.cancel), lambda _r: None, failed,
            write=True, before_broadcast=done)

    def dropped_files(self, mime: QMimeData) -> list[Path]:
        """Any dragged local files, while a file is open."""
        return prompts.local_paths(mime) if self.ctx.store is not None else []

    def files_dropped(self, paths: list[Path]) -> None:
        """Import them."""
        self.import_paths(paths)

    # -- links, export, delete ---------------------------------------------------------------
    def _on_link_button_clicked(self) -> None:
        doc = self.current_document()
        if doc is not None:
            docs = self._docs()
            self.linker.pick_and_link(lambda ref: docs.link(
                doc.id, ref, known_refs=self.linker.known_refs()))

    def _on_link_page_button_clicked(self) -> None:
        doc, page = self.current_document(), self.preview.current_page()
        if doc is not None and page is not None:
            docs = self._docs()
            self.linker.pick_and_link(lambda ref: docs.link(
                doc.id, ref, page=page, known_refs=self.linker.known_refs()))

    def _on_export_button_clicked(self) -> None:
        doc = self.current_document()
        if doc is None or not prompts.confirm_plaintext_export(self, doc):
            return
        dest = prompts.choose_export_path(self, doc.filename or doc.title)
        if dest is None:
            return
        self.export_copy(doc, dest)

    def export_copy(self, doc: DocumentView, dest: Path) -> None:
        """Write the plaintext copy with progress and Cancel (a cancelled copy leaves no file)."""
        if self.progress.running:
            return
        docs = self._docs()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, Cancelled):
                self.status.setText("Export cancelled: no copy was written.")
            else:
                self._error(exc)

        # The save dialog already asked before replacing an existing file.
        self.progress.run("Exporting a copy…", lambda control: docs.export_copy(
            doc.id, dest, overwrite=True, progress=control.progress, cancel=control.cancel),
            lambda path: self.status.setText(f"An unencrypted copy was saved as {path}."),
            failed)

    def _on_delete_button_clicked(self) -> None:
        doc = self.current_document()
        if doc is None or self.progress.running:
            return
        docs = self._docs()
        self.preview.clear()
        delete_with_undo(self.ctx, self.undo_stack, self, label="Delete document",
                         delete=lambda: docs.delete(doc.id),
                         restore=lambda: docs.restore(doc.id),
                         then=lambda: self.status.setText(
                             f"'{doc.title}' deleted (Undo brings it back)."))

    def clear(self) -> None:
        """Forget the closed inspection (and drop decrypted bytes)."""
        self.preview.clear()
        self.links.set_links(None)
        self.model.set_rows([])
        self.undo_stack.clear()
        self.linker.framework = None
        self.status.setText("")
        self._update_buttons()
