"""One progress bar and one Cancel check shared by the phases of a long task.

A document export reads a snapshot, builds the document, checks it for disclosure, then
lays it out; the phases differ a lot in cost and live in different layers. Each phase gets
a share of one bar (`part(start, end)`, fractions of the share it is cut from) and reports
its own `at(done, total)` inside it, so the bar moves forward as one from the first step.
`check()` raises Cancelled once the person pressed Cancel: phases call it between parts and
in their loops, so Cancel is honoured within a fraction of a second wherever the task is.
"""

from __future__ import annotations

from collections.abc import Callable

from hmip_desktop.domain.errors import Cancelled

SCALE = 1000  # a whole task reports (value, SCALE)
# One report per percent at most: a bar cannot show less, and every report costs the GUI
# thread a slot (the export of a large report would otherwise send thousands).
_STEP = SCALE // 100

Progress = Callable[[int, int], None]
CancelCheck = Callable[[], bool]


class Steps:
    """Progress and Cancel for one task (or one share of it); inert when given neither."""

    def __init__(self, progress: Progress | None = None, cancel: CancelCheck | None = None,
                 *, message: str = "Cancelled; nothing was written.") -> None:
        self._progress = progress
        self._cancel = cancel
        self._message = message
        self._low, self._high = 0, SCALE
        self._last = [-1]  # the last value reported, shared by every share of the task

    def check(self) -> None:
        """Raise Cancelled when the person pressed Cancel."""
        if self._cancel is not None and self._cancel():
            raise Cancelled(self._message)

    def at(self, done: int, total: int) -> None:
        """Check for Cancel, then report `done` of `total` of this share."""
        self.check()
        self.report(done, total)

    def report(self, done: int, total: int) -> None:
        """Report `done` of `total` of this share without checking for Cancel: the callback
        for a writer that checks Cancel itself and reports once its file is in place."""
        fraction = min(max(done / total, 0.0), 1.0) if total > 0 else 1.0
        self._report(self._low + int((self._high - self._low) * fraction))

    def done(self) -> None:
        """Report this share complete (no Cancel check: the work it reports is done)."""
        self._report(self._high)

    def part(self, start: float, end: float) -> Steps:
        """The share from `start` to `end` (fractions, 0 to 1) of this one."""
        share = Steps(self._progress, self._cancel, message=self._message)
        width = self._high - self._low
        share._low = self._low + int(width * start)
        share._high = self._low + int(width * end)
        share._last = self._last
        return share

    def _report(self, value: int) -> None:
        last = self._last[0]
        if self._progress is None or value <= last:
            return  # never backwards, never the same value twice
        # The first report goes at once: it turns the busy bar into one that shows how far.
        if last < 0 or value - last >= _STEP or value == SCALE:
            self._last[0] = value
            self._progress(value, SCALE)
