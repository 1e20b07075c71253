"""Expectation links of one documents/extract/figure item: the list, and undoable add/remove."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QUndoStack
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.domain.changes import NewId
from hmip_desktop.domain.framework import Framework
from hmip_desktop.services.links import LinkService, LinkView
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.errors import present_error
from hmip_desktop.ui.expectations.expectation_picker_dialog import (
    ExpectationPickerDialog,
    expectation_choices,
)
from hmip_desktop.ui.undo_commands import WriteStep

LINK_ROLE = Qt.ItemDataRole.UserRole + 1


def choose_expectations(parent: QWidget, framework: Framework) -> list[str]:
    """Ask which expectations to link to (tests replace this to skip the modal dialog)."""
    dialog = ExpectationPickerDialog(parent, expectation_choices(framework))
    if dialog.exec() != ExpectationPickerDialog.DialogCode.Accepted:
        return []
    return dialog.selected()


def link_label(link: LinkView, page_word: str = "page") -> str:
    """How a link reads in the list."""
    where = f"{page_word} {link.page}" if link.page is not None else "whole item"
    return f"{link.target or link.expectation_ref} — {where}"


class EvidenceLinksList(QWidget):
    """The expectations an item is linked to, with Remove (Delete key or button)."""

    unlink_wanted = Signal(str)  # link id

    def __init__(self, name: str = "Linked expectations") -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.list = QListWidget()
        self.list.setAccessibleName(name)
        self.list.setMaximumHeight(110)
        self.remove_button = QPushButton("Remove lin&k")
        self.remove_button.setAccessibleName("Remove the selected link")
        row = QHBoxLayout()
        label = QLabel("Linked to:")
        label.setBuddy(self.list)
        row.addWidget(label)
        row.addStretch(1)
        row.addWidget(self.remove_button)
        layout.addLayout(row)
        layout.addWidget(self.list)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.list)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self._on_remove_button_clicked)
        self.set_links(None)

    def set_links(self, links: list[LinkView] | None, page_word: str = "page") -> None:
        """Show the links of the current item; None when no item is chosen (the list is
        then empty: "not linked" would be said of nothing)."""
        self.list.clear()
        for link in sorted(links or (), key=lambda lk: (lk.expectation_ref, lk.page or 0)):
            item = QListWidgetItem(link_label(link, page_word))
            item.setData(LINK_ROLE, link.id)
            self.list.addItem(item)
        if links is not None and not links:
            self.list.addItem("(not linked to any expectation yet)")
            self.list.item(0).setFlags(Qt.ItemFlag.NoItemFlags)
        self.remove_button.setEnabled(bool(links))

    def link_ids(self) -> list[str]:
        """Ids of the links shown."""
        return [i for i in (self.list.item(r).data(LINK_ROLE) for r in range(self.list.count()))
                if i]

    def _on_remove_button_clicked(self) -> None:
        item = self.list.currentItem()
        link_id = item.data(LINK_ROLE) if item is not None else None
        if link_id:
            self.unlink_wanted.emit(link_id)


class LinkHelper:
    """Adds and removes links on the DB lane, each as an undoable step."""

    def __init__(self, ctx: UiContext, undo_stack: QUndoStack, parent: QWidget) -> None:
        self.ctx, self.undo_stack, self.parent = ctx, undo_stack, parent
        self.framework: Framework | None = None

    def _links(self) -> LinkService:
        assert self.ctx.store is not None
        return LinkService(self.ctx.store)

    def known_refs(self) -> set[str] | None:
        """Expectation numbers of the framework (None until it is read)."""
        return set(self.framework.expectation_numbers()) if self.framework else None

    def run(self, work: Callable[[], object]) -> None:
        """Run an undo/redo write; it tells the views what it changed."""
        self.ctx.write(work, on_error=lambda e: present_error(self.parent, e))

    def pick_and_link(self, link_one: Callable[[str], NewId]) -> None:
        """Ask for expectations, then write `link_one(ref)` for each (one undo step each)."""
        if self.framework is None or self.ctx.store is None:
            return
        refs = choose_expectations(self.parent, self.framework)
        if not refs:
            return
        links = self._links()

        def added(ids: object) -> None:
            for link_id in list(ids):  # type: ignore[call-overload]
                self.undo_stack.push(WriteStep("Link to expectation", self.run,
                                               partial(links.restore, link_id),
                                               partial(links.remove, link_id)))

        self.ctx.write(lambda: [link_one(ref) for ref in refs],
                       on_error=lambda e: present_error(self.parent, e), before_broadcast=added)

    def unlink(self, link_id: str) -> None:
        """Remove a link (a tombstone revision), undoably."""
        if self.ctx.store is None:
            return
        links = self._links()

        def removed(_r: object) -> None:
            self.undo_stack.push(WriteStep("Remove link", self.run,
                                           lambda: links.remove(link_id),
                                           lambda: links.restore(link_id)))

        self.ctx.write(lambda: links.remove(link_id),
                       on_error=lambda e: present_error(self.parent, e), before_broadcast=removed)
