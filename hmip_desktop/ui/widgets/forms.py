"""Small building blocks shared by the scoring, concerns and Urgent Notification forms."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from PySide6.QtCore import QAbstractItemModel, QEvent, QObject, QSize, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QTableView,
    QWidget,
)

from hmip_desktop.ui.widgets.tables import make_readable

# Ctrl+Enter saves a form: both Return keys, since laptops differ in which one they have.
SAVE_KEYS = ("Ctrl+Return", "Ctrl+Enter")


def plain_label(text: str) -> QLabel:
    """A label that shows its text as it is: never read as rich text (a title or a name that
    came in another laptop's bundle could otherwise bring headings, colours or images)."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def buddy_label(text: str, buddy: QWidget) -> QLabel:
    """A label whose mnemonic moves focus to its field."""
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


def error_label(name: str) -> QLabel:
    """A hidden label shown beside a field when its value is refused (plain: a message may
    quote the refused value)."""
    label = plain_label("")
    label.setAccessibleName(name)
    label.setWordWrap(True)
    label.setStyleSheet("color: #a50e0e; font-weight: bold;")
    label.hide()
    return label


def show_error(label: QLabel, text: str | None) -> None:
    """Show a message beside a field, or hide it when text is empty."""
    label.setText(text or "")
    label.setVisible(bool(text))


def status_label(name: str) -> QLabel:
    """A label for what the last action did (saved, saving, failed); plain, since what it
    says often names a record, a person or a file."""
    label = plain_label("")
    label.setAccessibleName(name)
    label.setWordWrap(True)
    return label


def prose_editor(name: str, placeholder: str = "") -> QPlainTextEdit:
    """A multi-line field where Tab moves focus on (keyboard-only use needs this)."""
    edit = QPlainTextEdit()
    edit.setAccessibleName(name)
    edit.setTabChangesFocus(True)
    edit.setPlaceholderText(placeholder)
    return edit


def add_shortcuts(parent: QWidget, keys: Iterable[str], slot: Callable[[], None], *,
                  context: Qt.ShortcutContext = Qt.ShortcutContext.WidgetWithChildrenShortcut
                  ) -> list[QShortcut]:
    """Key sequences that run a slot while focus is inside `parent` (synchronously: unlike a
    button's own shortcut, which animates a click on a timer)."""
    out = []
    for key in keys:
        sc = QShortcut(QKeySequence(key), parent)
        sc.setContext(context)
        sc.activated.connect(slot)
        out.append(sc)
    return out


def table_view(model: QAbstractItemModel, name: str, *, stretch: int | None = None,
               caps: Mapping[int, int] | None = None,
               give_way: Iterable[int] = ()) -> QTableView:
    """A read-only, row-selecting table that Tab leaves (arrows move within it).

    `stretch` names the title column, which takes the spare width (the first by default);
    the others fit their contents (`caps`: up to more characters for some; `give_way`: the
    ones that narrow first; see tables.make_readable), long text is elided with a tooltip,
    widths are remembered under `name`. Rows keep the order the service gives them (the
    list's natural order).
    """
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setTabKeyNavigation(False)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    make_readable(view, title=0 if stretch is None else stretch, key=name, caps=caps,
                  give_way=give_way)
    return view


def current_row(view: QTableView) -> int:
    """The current row of a table view, or -1."""
    index = view.currentIndex()
    return index.row() if index.isValid() else -1


def select_row(view: QTableView, row: int) -> None:
    """Make a row current and selected (no-op when out of range)."""
    model = view.model()
    if 0 <= row < model.rowCount():
        view.setCurrentIndex(model.index(row, 0))
        view.selectRow(row)


def scrolled(widget: QWidget) -> QScrollArea:
    """A tall form inside a frameless scroll area (focus moving in scrolls it into view)."""
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the first field inside
    return area


class ColumnScrollArea(QScrollArea):
    """A column that scrolls up and down, never sideways, and so is never narrower than what
    it holds needs: a narrower column would cut its labels and buttons at its right edge."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.setWidget(widget)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the first field inside
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        """The content's minimum width, plus room for the vertical scroll bar."""
        hint = super().minimumSizeHint()
        widget = self.widget()
        if widget is None:
            return hint
        need = widget.minimumSizeHint().expandedTo(widget.minimumSize()).width()
        extra = self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth()
        return QSize(max(hint.width(), need + extra), hint.height())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """The content's layout changed (a wider text shown): ask the parent layout again."""
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
        return super().eventFilter(watched, event)
