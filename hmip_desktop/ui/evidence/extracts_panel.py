"""Data extracts tab of the Evidence page: import with progress, a lazy table, group, pin.

The table reads pages of rows from SQL on demand (see ExtractTableModel); deletes, groupings,
sort indexes and filtered counts run on the DB lane. An import runs on its own lane, so the
DB lane stays free for note autosaves meanwhile: the import gives way (commits what it has
loaded and waits) whenever the DB lane has work (see services.extract_import).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.domain.errors import UserError
from hmip_desktop.services.extracts import ExtractService, ExtractView, FilterSpec
from hmip_desktop.services.inspection_record import pinned_framework
from hmip_desktop.services.links import LinkService
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.errors import present_error
from hmip_desktop.ui.evidence import evidence_prompts as prompts
from hmip_desktop.ui.evidence.evidence_links import EvidenceLinksList, LinkHelper
from hmip_desktop.ui.evidence.extract_filters import ExtractFilterBar
from hmip_desktop.ui.evidence.extract_grouping import ExtractGrouping
from hmip_desktop.ui.evidence.extract_import_dialog import (
    ExtractImportDialog,
    ExtractImportRequest,
)
from hmip_desktop.ui.evidence.extract_table_model import ExtractTableModel
from hmip_desktop.ui.tasks import TaskRunner
from hmip_desktop.ui.undo_commands import delete_with_undo
from hmip_desktop.ui.widgets.file_drops import FileDrops
from hmip_desktop.ui.widgets.forms import plain_label
from hmip_desktop.ui.widgets.task_progress import TaskProgress
from hmip_desktop.ui.widgets.tips import literal_tip

EXTRACT_ROLE = Qt.ItemDataRole.UserRole + 1
INDEX_FROM_ROWS = 20_000  # below this a sort without an index is already instant


def extract_label(view: ExtractView) -> str:
    """An extract in the list."""
    rows = f"{view.row_count:,} row{'s' if view.row_count != 1 else ''}"
    waiting = "" if view.available else " — rows arrive with the next bundle"
    return f"{'⚠ ' if view.conflicted else ''}{view.name} ({rows}, {len(view.columns)} columns)" \
        f"{waiting}"


class ExtractsPanel(FileDrops, QWidget):
    """The extracts list, the rows of the chosen one with filters, and grouping."""

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setAcceptDrops(True)
        self.undo_stack = QUndoStack(self)
        self.linker = LinkHelper(ctx, self.undo_stack, self)
        self._pending: str | None = None
        layout = QVBoxLayout(self)
        buttons = QHBoxLayout()
        self.import_button = QPushButton("&Import…")
        self.import_button.setAccessibleName("Import a data extract")
        self.link_button = QPushButton("&Link extract…")
        self.delete_button = QPushButton("&Delete extract")
        self.undo_button = QPushButton("&Undo")
        self.redo_button = QPushButton("&Redo")
        for b in (self.import_button, self.link_button, self.delete_button, self.undo_button,
                  self.redo_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self._import_tasks = self._import_lane()
        self.progress = TaskProgress(dataclasses.replace(ctx, tasks=self._import_tasks), self)
        layout.addWidget(self.progress)
        # Undo of a delete rebuilds the extract's rows on the DB lane (1-2 s for a big one).
        self.undo_progress = TaskProgress(ctx, self)
        layout.addWidget(self.undo_progress)
        self.status = plain_label("")  # it names extracts
        self.status.setAccessibleName("Extracts status")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.list = QListWidget()
        self.list.setAccessibleName("Data extracts")
        self.list.setWordWrap(True)
        self.links = EvidenceLinksList("Expectations this extract is linked to")
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.list, 1)
        left_layout.addWidget(self.links)
        self.filters = ExtractFilterBar()
        self.model = ExtractTableModel()
        self.model.sort_preparer = self._prepare_sort
        # Counting filtered rows scans the table: on the DB lane, never the GUI thread.
        self.model.count_runner = lambda work, ok, failed: self.ctx.tasks.submit(work, ok, failed)
        self.model.counted.connect(self._update_count)
        self.table = QTableView()
        self.table.setAccessibleName("Extract rows")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSortIndicatorClearable(True)  # a third click goes back to file order
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.count = plain_label("")  # a failed count says why, quoting a filter
        self.count.setAccessibleName("Rows shown")
        rows_tab = QWidget()
        rows_layout = QVBoxLayout(rows_tab)
        rows_layout.addWidget(self.filters)
        rows_layout.addWidget(self.table, 1)
        rows_layout.addWidget(self.count)
        self.grouping = ExtractGrouping(ctx)
        self.views = QTabWidget()
        self.views.addTab(rows_tab, "R&ows")
        self.views.addTab(self.grouping, "Group a&nd chart")
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.views)
        split.setSizes([300, 800])
        layout.addWidget(split, 1)
        self.filters.apply = self._apply_filters
        self.list.currentItemChanged.connect(self._on_list_item_changed)
        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.link_button.clicked.connect(self._on_link_button_clicked)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.undo_button.clicked.connect(self.undo_stack.undo)
        self.redo_button.clicked.connect(self.undo_stack.redo)
        self.undo_stack.canUndoChanged.connect(lambda _c: self._update_buttons())
        self.undo_stack.canRedoChanged.connect(lambda _c: self._update_buttons())
        self.links.unlink_wanted.connect(self.linker.unlink)
        self.progress.running_changed.connect(lambda _r: self._update_buttons())
        self.undo_progress.running_changed.connect(lambda _r: self._update_buttons())
        self._update_buttons()

    # -- helpers -----------------------------------------------------------------------------
    def _import_lane(self) -> TaskRunner:
        """A one-thread lane for imports (the DB lane itself when work runs inline: tests)."""
        if self.ctx.tasks.synchronous:
            return self.ctx.tasks
        return TaskRunner(ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-lane"))

    def _db_lane_busy(self) -> bool:
        """True while the DB lane has work queued or running (read from the import lane)."""
        return self.ctx.tasks.busy

    def _service(self) -> ExtractService:
        assert self.ctx.store is not None
        return ExtractService(self.ctx.store)

    def _error(self, exc: BaseException) -> None:
        present_error(self, exc)

    def current_extract(self) -> ExtractView | None:
        """The extract chosen in the list."""
        item = self.list.currentItem()
        return item.data(EXTRACT_ROLE) if item is not None else None

    def _update_buttons(self) -> None:
        current, idle = self.current_extract(), not self._busy()
        self.import_button.setEnabled(self.ctx.store is not None and idle)
        self.link_button.setEnabled(current is not None and idle)
        self.delete_button.setEnabled(current is not None and idle)
        self.undo_button.setEnabled(self.undo_stack.canUndo() and idle)
        self.redo_button.setEnabled(self.undo_stack.canRedo() and idle)

    def _busy(self) -> bool:
        return self.progress.running or self.undo_progress.running

    def _run_restore(self, work: Callable[..., object]) -> None:
        """Undo of a delete, with a progress bar while the rows are rebuilt."""
        # No Cancel: the extract's record is live again (committed) before its rows are
        # rebuilt, so stopping midway could not leave the file as it was before the undo.
        self.undo_progress.run("Bringing the extract back…", work, lambda _r: None,
                               self._error, write=True, cancellable=False)

    def _run(self, work: Callable[[], object]) -> None:
        """Run an undo/redo write, then refresh."""
        self.ctx.write(work, on_error=self._error)

    # -- loading -----------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the extracts and the framework on the DB lane, then list them."""
        store = self.ctx.store
        if store is None:
            return
        self.ctx.tasks.submit(lambda: (ExtractService(store).list(), pinned_framework(store)),
                              self._show, self._error)

    def _show(self, data: tuple) -> None:
        extracts, self.linker.framework = data
        keep = self._pending or getattr(self.current_extract(), "id", None)
        self._pending = None
        self.list.blockSignals(True)
        self.list.clear()
        for view in extracts:
            item = QListWidgetItem(extract_label(view))
            item.setToolTip(literal_tip(f"{view.filename}: " + ", ".join(
                f"{c.name} ({c.type})" for c in view.columns)))
            item.setData(EXTRACT_ROLE, view)
            self.list.addItem(item)
        self.list.blockSignals(False)
        if not self.select_extract(keep or "") and self.list.count() == 0:
            self._show_extract(None)
        self._update_buttons()

    def select_extract(self, extract_id: str) -> bool:
        """Choose an extract in the list; False when it is not there."""
        for row in range(self.list.count()):
            view: ExtractView = self.list.item(row).data(EXTRACT_ROLE)
            if view.id == extract_id:
                if self.list.currentRow() == row:
                    self._on_list_item_changed(self.list.item(row), None)
                else:
                    self.list.setCurrentRow(row)
                return True
        if self.list.count():
            self.list.setCurrentRow(0)
        return False

    def show_extract(self, extract_id: str) -> None:
        """Show an extract, loading the list first when needed."""
        if not self.select_extract(extract_id):
            self._pending = extract_id
            self.reload()

    def _on_list_item_changed(self, current: QListWidgetItem | None, _previous: object) -> None:
        view = current.data(EXTRACT_ROLE) if current is not None else None
        if view != self.model.extract or view is None:
            self._show_extract(view)
        self._load_links()
        self._update_buttons()

    def _show_extract(self, view: ExtractView | None) -> None:
        if view is not None and not view.available:
            self.status.setText("The rows of this extract are not on this computer yet: its "
                                "snapshot arrives with the colleague's next bundle.")
        service = ExtractService(self.ctx.store) if self.ctx.store and view else None
        usable = view if view is not None and view.available else None
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.model.set_extract(service if usable else None, usable)
        self.filters.set_extract(usable)
        self.grouping.set_extract(view)
        self._update_count()

    def _update_count(self) -> None:
        view = self.model.extract
        if view is None:
            self.count.setText("")
            return
        if self.model.counting:
            self.count.setText(f"Counting the matching rows of {view.row_count:,}…")
            return
        shown = self.model.rowCount()
        of = f" of {view.row_count:,}" if self.model.filters else ""
        self.count.setText(f"{shown:,}{of} rows" + (f" — {self.model.failed}"
                                                     if self.model.failed else ""))

    def _load_links(self) -> None:
        view, store = self.current_extract(), self.ctx.store
        if view is None or store is None:
            self.links.set_links(None)
            return

        def shown(links: list) -> None:
            if getattr(self.current_extract(), "id", None) == view.id:
                self.links.set_links(links)

        self.ctx.tasks.submit(lambda: LinkService(store).for_evidence(view.id), shown,
                              self._error)

    # -- filtering and sorting ---------------------------------------------------------------
    def _apply_filters(self, filters: list[FilterSpec]) -> bool:
        try:
            self.model.set_filters(filters)
        except UserError as exc:
            present_error(self, exc)
            return False
        self.grouping.set_filters(filters)
        self._update_count()
        return True

    def _prepare_sort(self, column: int, then: Callable[[], None]) -> None:
        """Index a big extract's column on the DB lane before sorting by it."""
        view, store = self.model.extract, self.ctx.store
        if view is None or store is None or view.row_count < INDEX_FROM_ROWS or store.read_only:
            then()
            return
        self.status.setText("Preparing the sort…")

        def done(_r: object) -> None:
            self.status.setText("")
            if self.model.extract is not None and self.model.extract.id == view.id:
                then()

        def failed(exc: BaseException) -> None:
            self.status.setText("")
            then()  # an index only makes it faster; sort anyway

        self.ctx.tasks.submit(lambda: ExtractService(store).prepare_sort(view.id, column),
                              done, failed)

    # -- importing ---------------------------------------------------------------------------
    def _on_import_button_clicked(self) -> None:
        self.open_import_dialog(prompts.choose_extract_file(self))

    def open_import_dialog(self, path: Path | None = None) -> None:
        """Ask how to import a file, then import it."""
        if self.ctx.store is None or self._busy():
            return
        # The file is read on the import lane: detecting how a big workbook reads takes
        # seconds, and the DB lane must stay free for note autosaves meanwhile.
        dialog = ExtractImportDialog(self, dataclasses.replace(self.ctx, tasks=self._import_tasks),
                                     path)
        if dialog.exec() == ExtractImportDialog.DialogCode.Accepted:
            request = dialog.request()
            if request is not None:
                self.start_import(request)

    def start_import(self, request: ExtractImportRequest) -> None:
        """Import on the DB lane with progress and Cancel; all or nothing."""
        store = self.ctx.store
        if store is None or self.progress.running:
            return

        yield_to = None if self._import_tasks is self.ctx.tasks else self._db_lane_busy

        def work(control):  # type: ignore[no-untyped-def]
            return ExtractService(store).import_file(
                request.path, name=request.name, column_types=request.column_types,
                sniff=request.sniff, progress=control.progress, cancel=control.cancel,
                yield_to=yield_to)

        def done(view: ExtractView) -> None:
            self.status.setText(f"'{view.name}' imported: {view.row_count:,} rows.")
            self._pending = view.id

        def failed(exc: BaseException) -> None:
            self.status.setText("Nothing was imported.")
            self._error(exc)

        self.progress.run(f"Importing {request.path.name}…", work, lambda _r: None, failed,
                          write=True, before_broadcast=done)

    def dropped_files(self, mime: QMimeData) -> list[Path]:
        """One dragged CSV or XLSX file, while a file is open."""
        paths = prompts.local_paths(mime)
        return paths if self.ctx.store is not None and len(paths) == 1 else []

    def files_dropped(self, paths: list[Path]) -> None:
        """Open the import dialog on the dropped file."""
        self.open_import_dialog(paths[0])

    # -- links and delete --------------------------------------------------------------------
    def _on_link_button_clicked(self) -> None:
        view = self.current_extract()
        if view is not None and self.ctx.store is not None:
            links = LinkService(self.ctx.store)
            self.linker.pick_and_link(lambda ref: links.add(
                view.id, ref, known_refs=self.linker.known_refs()))

    def _on_delete_button_clicked(self) -> None:
        view = self.current_extract()
        if view is None or self._busy():
            return
        service = self._service()
        delete_with_undo(self.ctx, self.undo_stack, self, label="Delete extract",
                         delete=lambda: service.delete(view.id),
                         restore=lambda c: service.restore(view.id, progress=c.progress),
                         run_restore=self._run_restore,
                         then=lambda: self.status.setText(
                             f"'{view.name}' deleted (Undo brings it back)."))

    def clear(self) -> None:
        """Forget the closed inspection (a running import is cancelled and the DB lane waits
        for it before the file closes: nothing of it stays)."""
        if self.progress.running and self._import_tasks is not self.ctx.tasks:
            self.progress.cancel()  # the import stops at its next batch or wait
            stopping, self._import_tasks = self._import_tasks, self._import_lane()
            stopping.setParent(self)  # alive until it has delivered the outcome
            # Waited for on the DB lane, before the file's close queued there after this:
            # removing what the import wrote needs the write lock, which a merge ahead on
            # the lane may hold for long, and the window must not freeze meanwhile.
            self.ctx.tasks.submit(stopping.shutdown)
            self.progress.ctx = dataclasses.replace(self.ctx, tasks=self._import_tasks)
        self.list.clear()
        self._show_extract(None)
        self.links.set_links(None)
        self.undo_stack.clear()
        self.linker.framework = None
        self.status.setText("")
        self._update_buttons()
