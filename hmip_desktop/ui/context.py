"""What every page and dialog is handed: the task runner, app signals and the open file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hmip_desktop.ui.signals import AppSignals
from hmip_desktop.ui.tasks import TaskRunner

if TYPE_CHECKING:  # the store loads SQLAlchemy: not before the window is shown (issue 11)
    from hmip_desktop.services.store import InspectionStore


@dataclass
class UiContext:
    """Shared by the window's pages; `store` is None until an inspection is open."""

    tasks: TaskRunner
    signals: AppSignals = field(default_factory=AppSignals)
    store: InspectionStore | None = None
