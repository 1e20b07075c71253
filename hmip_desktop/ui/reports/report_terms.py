"""The names and terms the disclosure check looks for (besides prison numbers, subject
references, e-mail addresses and phone numbers, which it always finds): add and remove."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hmip_desktop.domain.changes import ChangeSet
from hmip_desktop.services.report_writing import MAX_TERM_LENGTH, ReportWritingService
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.errors import error_text, present_error
from hmip_desktop.ui.widgets.forms import buddy_label, status_label

if TYPE_CHECKING:
    from hmip_desktop.services.inspection_store import InspectionStore

INTRO = ("The disclosure check always looks for prison numbers, subject references recorded on "
         "notes, e-mail addresses and phone numbers. Add names and other terms that must not "
         "leave the inspection (staff or prisoner names, wing nicknames). The list travels "
         "with the team's sync bundles.")


class ReportTerms(QWidget):
    """The disclosure terms list with Add and Remove."""

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setAccessibleName("Disclosure terms")
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        intro.setAccessibleName("About disclosure terms")
        self.term = QLineEdit()
        self.term.setAccessibleName("New name or term")
        self.term.setMaxLength(MAX_TERM_LENGTH)
        self.term.setPlaceholderText("A name or term, e.g. a member of staff's surname")
        self.add_button = QPushButton("Add term")
        self.add_button.setAccessibleName("Add the name or term to the list")
        self.terms = QListWidget()
        self.terms.setAccessibleName("Names and terms the check looks for")
        self.remove_button = QPushButton("Remove selected term")
        self.remove_button.setAccessibleName("Remove the selected name or term")
        self.status = status_label("Disclosure terms status")
        add_row = QHBoxLayout()
        add_row.addWidget(self.term, 1)
        add_row.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(buddy_label("New name or te&rm:", self.term))
        layout.addLayout(add_row)
        layout.addWidget(buddy_label("Names and terms on the list:", self.terms))
        layout.addWidget(self.terms, 1)
        remove_row = QHBoxLayout()
        remove_row.addWidget(self.remove_button)
        remove_row.addStretch(1)
        layout.addLayout(remove_row)
        layout.addWidget(self.status)
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.term.returnPressed.connect(self._on_add_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        self.terms.currentRowChanged.connect(self._on_terms_current_row_changed)
        self._update_buttons()

    def reload(self) -> None:
        """Read the list on the DB lane."""
        store = self.ctx.store
        if store is not None:
            self.ctx.tasks.submit(lambda: ReportWritingService(store).terms(), self._show,
                                  lambda e: present_error(self.window(), e))

    def _show(self, terms: list[str]) -> None:
        current = self.terms.currentItem().text() if self.terms.currentItem() else None
        self.terms.clear()
        self.terms.addItems(terms)
        if current in terms:
            self.terms.setCurrentRow(terms.index(current))
        self._update_buttons()

    def current_terms(self) -> list[str]:
        """The terms shown."""
        return [self.terms.item(i).text() for i in range(self.terms.count())]

    def clear(self) -> None:
        """Forget the closed inspection."""
        self.terms.clear()
        self.term.clear()
        self.status.setText("")
        self._update_buttons()

    def add(self, text: str) -> None:
        """Add a term (what the field holds when Add is pressed)."""
        store = self.ctx.store
        if store is None or not text.strip():
            return
        self._run(store, lambda: ReportWritingService(store).add_terms([text]),
                  "Added to the list.", clear_field=True)

    def remove(self, term: str) -> None:
        """Remove a term from the list."""
        store = self.ctx.store
        if store is not None:
            self._run(store, lambda: ReportWritingService(store).remove_term(term),
                      "Removed from the list.")

    def _run(self, store: InspectionStore, work: Callable[[], ChangeSet], done: str, *,
             clear_field: bool = False) -> None:
        def ok(changes: ChangeSet) -> None:
            self.status.setText(done if changes.types else "Already on the list.")
            if clear_field:
                self.term.clear()

        def failed(exc: BaseException) -> None:
            self.status.setText(error_text(exc))
            present_error(self.window(), exc)

        # The page reloads the list and the disclosure check.
        self.ctx.write(work, on_error=failed, before_broadcast=ok)

    def _update_buttons(self) -> None:
        has = self.ctx.store is not None
        self.add_button.setEnabled(has)
        self.remove_button.setEnabled(has and self.terms.currentItem() is not None)

    def _on_add_button_clicked(self) -> None:
        self.add(self.term.text())

    def _on_remove_button_clicked(self) -> None:
        item = self.terms.currentItem()
        if item is not None:
            self.remove(item.text())

    def _on_terms_current_row_changed(self, _row: int) -> None:
        self._update_buttons()
