"""What every page and dialog is handed: the task runner, app signals and the open file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hmip_desktop.domain.changes import ChangeSet, changes_of
from hmip_desktop.ui.signals import AppSignals
from hmip_desktop.ui.tasks import TaskControl, TaskRunner

if TYPE_CHECKING:  # the store loads SQLAlchemy: not before the window is shown (issue 11)
    from hmip_desktop.services.first_screen import FirstScreen
    from hmip_desktop.services.inspection_store import InspectionStore


@dataclass
class UiContext:
    """Shared by the window's pages; `store` is None until an inspection is open."""

    tasks: TaskRunner
    signals: AppSignals = field(default_factory=AppSignals)
    store: InspectionStore | None = None
    # While a file opens: its first screen, shown before its store is open (then None).
    first_screen: FirstScreen | None = None

    def write(self, work: Callable[..., Any], on_done: Callable[[Any], None] | None = None,
              on_error: Callable[[BaseException], None] | None = None, *,
              before_broadcast: Callable[[Any], None] | None = None,
              on_progress: Callable[[int, int], None] | None = None,
              control: TaskControl | None = None) -> TaskControl:
        """Run a write on the DB lane, then broadcast the changes it returned.

        The one way the UI writes (Anki's CollectionOp): `work` returns a ChangeSet, a result
        carrying `.changes`, or a list of those; on the GUI thread `before_broadcast(result)`
        runs first (to say what the reloaded views should select), then
        `signals.changes_applied` carries the changes (none when nothing changed), then
        `on_done(result)`. Errors go to `on_error` and broadcast nothing.
        """
        def ok(result: Any) -> None:
            if before_broadcast is not None:
                before_broadcast(result)
            changes = changes_of(result)
            if changes is None:  # the result does not say (a bundle export): counts may move
                self.signals.changes_applied.emit(ChangeSet())
            elif not changes.empty:  # an unchanged save reloads nothing
                self.signals.changes_applied.emit(changes)
            if on_done is not None:
                on_done(result)

        return self.tasks.submit(work, ok, on_error, on_progress=on_progress, control=control)
