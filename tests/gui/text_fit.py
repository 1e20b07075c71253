"""Finding texts a screen cuts: a label or button narrower than its text, or one a scroll
area clips sideways (a column with no horizontal scroll bar hides what sticks out)."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QLabel, QWidget

# The smallest window the app supports (a small laptop screen less its panels).
SMALLEST = (1024, 640)


def _clip_area(widget: QWidget, root: QWidget) -> QWidget | None:
    """The viewport of the nearest scroll area between `widget` and `root`, if any."""
    parent = widget.parentWidget()
    while parent is not None and parent is not root:
        if isinstance(parent, QAbstractScrollArea):
            return parent.viewport()
        parent = parent.parentWidget()
    return None


def cut_texts(root: QWidget) -> list[str]:
    """Every shown label, check box or button under `root` whose text is not readable in
    full: narrower than its size hint (unless it wraps), or reaching past the left or right
    edge of the scroll area it sits in. Cut vertically by a scroll area is fine: it scrolls."""
    cut: list[str] = []
    for w in root.findChildren(QWidget):
        if not isinstance(w, QLabel | QAbstractButton) or not w.isVisibleTo(root) \
                or not w.text():
            continue
        wraps = isinstance(w, QLabel) and w.wordWrap()
        if not wraps and w.width() < w.sizeHint().width():
            cut.append(f"{w.text()!r}: {w.width()} < {w.sizeHint().width()} px")
        viewport = _clip_area(w, root)
        if viewport is not None:
            # A one-line text starts at the left and needs its size hint; wrapped text uses
            # the widget's whole width.
            used = w.width() if wraps else min(w.width(), w.sizeHint().width())
            left = w.mapTo(viewport, QPoint(0, 0)).x()
            if left < 0 or left + used > viewport.width():
                cut.append(f"{w.text()!r}: x {left}..{left + used} outside "
                           f"0..{viewport.width()} of its scroll area")
    return cut
