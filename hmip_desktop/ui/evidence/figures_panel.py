"""Figures tab of the Evidence page: pinned figures, their frozen result, links, delete."""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.domain.wording import plural
from hmip_desktop.services.figures import FigureService, FigureView
from hmip_desktop.services.inspection_record import pinned_framework
from hmip_desktop.services.links import LinkService
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.errors import present_error
from hmip_desktop.ui.evidence.evidence_links import EvidenceLinksList, LinkHelper
from hmip_desktop.ui.evidence.extract_chart import ExtractChart, key_text
from hmip_desktop.ui.undo_commands import delete_with_undo
from hmip_desktop.ui.widgets.forms import plain_label
from hmip_desktop.ui.widgets.tips import literal_tip

FIGURE_ROLE = Qt.ItemDataRole.UserRole + 1


class FiguresPanel(QWidget):
    """Pinned figures are evidence: shown as saved, linkable to expectations."""

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.undo_stack = QUndoStack(self)
        self.linker = LinkHelper(ctx, self.undo_stack, self)
        self._pending: str | None = None
        self._known: set[str] | None = None  # ids listed last time, to select a new figure
        buttons = QHBoxLayout()
        self.link_button = QPushButton("&Link figure…")
        self.delete_button = QPushButton("&Delete figure")
        self.undo_button = QPushButton("&Undo")
        self.redo_button = QPushButton("&Redo")
        for b in (self.link_button, self.delete_button, self.undo_button, self.redo_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.list = QListWidget()
        self.list.setAccessibleName("Pinned figures")
        self.list.setWordWrap(True)
        self.empty = QLabel("No figures yet: group an extract on the Data extracts tab and "
                            "press Pin figure….")
        self.empty.setWordWrap(True)
        self.caption = QLabel("")
        self.caption.setAccessibleName("Figure caption")
        self.caption.setWordWrap(True)
        self.source = plain_label("")  # it names the extract
        self.source.setAccessibleName("Figure source")
        self.source.setWordWrap(True)
        self.values = QTableWidget(0, 2)
        self.values.setAccessibleName("Figure values")
        self.values.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.values.verticalHeader().hide()
        self.chart = ExtractChart()
        self.links = EvidenceLinksList("Expectations this figure is linked to")
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.caption)
        right_layout.addWidget(self.source)
        inner = QSplitter(Qt.Orientation.Horizontal)
        inner.addWidget(self.values)
        inner.addWidget(self.chart)
        inner.setSizes([240, 560])
        right_layout.addWidget(inner, 1)
        right_layout.addWidget(self.links)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.empty)
        left_layout.addWidget(self.list, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([320, 780])
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(split, 1)
        self.list.currentItemChanged.connect(self._on_list_item_changed)
        self.link_button.clicked.connect(self._on_link_button_clicked)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.undo_button.clicked.connect(self.undo_stack.undo)
        self.redo_button.clicked.connect(self.undo_stack.redo)
        self.undo_stack.canUndoChanged.connect(self.undo_button.setEnabled)
        self.undo_stack.canRedoChanged.connect(self.redo_button.setEnabled)
        self.links.unlink_wanted.connect(self.linker.unlink)
        self.undo_button.setEnabled(False)
        self.redo_button.setEnabled(False)
        self._show_figure(None)

    def current_figure(self) -> FigureView | None:
        """The figure chosen in the list."""
        item = self.list.currentItem()
        return item.data(FIGURE_ROLE) if item is not None else None

    def _run(self, work: Callable[[], object]) -> None:
        """Run an undo/redo write, then refresh."""
        self.ctx.write(work, on_error=lambda e: present_error(self, e))

    # -- loading -----------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the figures and the framework on the DB lane, then list them."""
        store = self.ctx.store
        if store is None:
            return
        self.ctx.tasks.submit(lambda: (FigureService(store).list(), pinned_framework(store)),
                              self._show, lambda e: present_error(self, e))

    def _show(self, data: tuple) -> None:
        figures, self.linker.framework = data
        new = [f.id for f in figures if self._known is not None and f.id not in self._known]
        self._known = {f.id for f in figures}
        # A figure just pinned on the Data extracts tab is the one to show next.
        keep = self._pending or (new[-1] if new else None) or getattr(
            self.current_figure(), "id", None)
        self._pending = None
        self.list.blockSignals(True)
        self.list.clear()
        for fig in figures:
            item = QListWidgetItem(f"{'⚠ ' if fig.conflicted else ''}{fig.caption}")
            item.setToolTip(literal_tip(f"From {fig.extract_name}"))
            item.setData(FIGURE_ROLE, fig)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self.empty.setVisible(not figures)
        if not self.select_figure(keep or ""):
            if self.list.count():
                self.list.setCurrentRow(self.list.count() - 1)
            else:
                self._show_figure(None)

    def select_figure(self, figure_id: str) -> bool:
        """Choose a figure; False when it is not listed."""
        for row in range(self.list.count()):
            if self.list.item(row).data(FIGURE_ROLE).id == figure_id:
                if self.list.currentRow() == row:
                    self._on_list_item_changed(self.list.item(row), None)
                self.list.setCurrentRow(row)
                return True
        return False

    def show_figure(self, figure_id: str) -> None:
        """Show a figure, loading the list first when needed."""
        if not self.select_figure(figure_id):
            self._pending = figure_id
            self.reload()

    def _on_list_item_changed(self, current: QListWidgetItem | None, _previous: object) -> None:
        self._show_figure(current.data(FIGURE_ROLE) if current is not None else None)

    def _show_figure(self, fig: FigureView | None) -> None:
        self.link_button.setEnabled(fig is not None)
        self.delete_button.setEnabled(fig is not None)
        self.values.setRowCount(0)
        if fig is None:
            self.caption.setText("")
            self.source.setText("")
            self.chart.show_rows([])
            self.links.set_links(None)
            return
        self.caption.setText(f"<b>{html.escape(fig.caption)}</b>")
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        filters = f"; {plural(len(fig.spec.filters), 'filter')}" if fig.spec.filters else ""
        self.source.setText(f"From the extract '{fig.extract_name}'{filters}. The values are "
                            "kept as they were when the figure was pinned.")
        self.values.setHorizontalHeaderLabels([fig.key_label, fig.value_label])
        self.values.setRowCount(len(fig.rows))
        for r, (key, value) in enumerate(fig.rows):
            self.values.setItem(r, 0, QTableWidgetItem(key_text(key)))
            item = QTableWidgetItem(str(value))
            item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.values.setItem(r, 1, item)
        self.chart.show_rows(list(zip([k for k, _ in fig.rows], fig.values(), strict=True)),
                             kind=fig.chart, title="", key_label=fig.key_label,
                             value_label=fig.value_label)
        store = self.ctx.store
        if store is not None:
            self.ctx.tasks.submit(lambda: LinkService(store).for_evidence(fig.id),
                                  lambda links: self.links.set_links(links)
                                  if getattr(self.current_figure(), "id", None) == fig.id
                                  else None)

    # -- writes ------------------------------------------------------------------------------
    def _on_link_button_clicked(self) -> None:
        fig = self.current_figure()
        if fig is not None and self.ctx.store is not None:
            links = LinkService(self.ctx.store)
            self.linker.pick_and_link(lambda ref: links.add(
                fig.id, ref, known_refs=self.linker.known_refs()))

    def _on_delete_button_clicked(self) -> None:
        fig, store = self.current_figure(), self.ctx.store
        if fig is None or store is None:
            return
        figures = FigureService(store)
        delete_with_undo(self.ctx, self.undo_stack, self, label="Delete figure",
                         delete=lambda: figures.delete(fig.id),
                         restore=lambda: figures.restore(fig.id))

    def clear(self) -> None:
        """Forget the closed inspection."""
        self.list.clear()
        self._known = None
        self._show_figure(None)
        self.undo_stack.clear()
        self.linker.framework = None
