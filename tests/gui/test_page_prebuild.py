"""Issue 11 §2: pages made without freezing the window (modules loaded off the GUI thread,
pages built one at a time), evidence pickers that take thousands of choices at once, and
progress reports coalesced."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Qt

from hmip_desktop.services.inspections import create_inspection
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.evidence.evidence_picker import EvidencePicker
from hmip_desktop.ui.main_window import MainWindow
from hmip_desktop.ui.page_base import Page, TitleOnlyPage
from hmip_desktop.ui.tasks import PROGRESS_S, TaskControl, TaskRunner
from tests.factories import minimal_framework


class _SlowPage(TitleOnlyPage):
    title = "Slow"
    purpose = "A page whose module takes a while to import."


class _SlowFactory:
    """A lazy factory whose 'import' waits until the test lets it finish."""

    title = "Slow"

    def __init__(self) -> None:
        self.release = threading.Event()
        self.threads: list[str] = []
        self._class: type[Page] | None = None

    @property
    def loaded(self) -> bool:
        return self._class is not None

    def page_class(self) -> type[Page]:
        if self._class is None:  # the import (LazyPage caches the class, as here)
            self.threads.append(threading.current_thread().name)
            self.release.wait(10)
            self._class = _SlowPage
        return self._class

    def __call__(self, ctx: UiContext) -> Page:
        return self.page_class()(ctx)


class _First(TitleOnlyPage):
    title = "First"


def test_a_page_is_built_once_its_modules_are_loaded_off_the_gui_thread(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Visiting a page whose module is not loaded does not import on the GUI thread: its
    stand-in shows, and the page replaces it once a helper thread has loaded it."""
    slow = _SlowFactory()
    window = MainWindow(UiContext(tasks=TaskRunner()), [_First, slow])  # type: ignore[list-item]
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.pages.is_built("First"))
    window.nav.setCurrentRow(1)
    assert not window.pages.is_built("Slow")  # the GUI thread went on
    slow.release.set()
    qtbot.waitUntil(lambda: window.pages.is_built("Slow"))
    assert window.stack.currentWidget() is window.pages["Slow"]
    assert slow.threads and all(name.startswith("page-import") for name in slow.threads)
    window.prebuilder.shutdown()
    window.ctx.tasks.shutdown()


class _BrokenFactory(_SlowFactory):
    """A lazy factory whose module fails to import."""

    title = "Broken"

    def page_class(self) -> type[Page]:
        self.threads.append(threading.current_thread().name)
        raise ImportError("no such module")


def test_a_page_whose_module_fails_to_load_reports_it_on_the_gui_thread(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The helper thread's failure is not swallowed: the build, on the GUI thread, raises
    it (to the app's error handler), and the other visited pages still get built."""
    broken, slow = _BrokenFactory(), _SlowFactory()
    slow.release.set()
    window = MainWindow(UiContext(tasks=TaskRunner()), [_First, broken, slow])  # type: ignore[list-item]
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.pages.is_built("First"))
    with qtbot.captureExceptions() as raised:
        window.nav.setCurrentRow(1)
        window.nav.setCurrentRow(2)
        qtbot.waitUntil(lambda: window.pages.is_built("Slow"))
        qtbot.waitUntil(lambda: bool(raised))
    assert isinstance(raised[0][1], ImportError)
    assert not window.pages.is_built("Broken")
    assert broken.threads[0].startswith("page-import") and "MainThread" in broken.threads
    window.prebuilder.shutdown()
    window.ctx.tasks.shutdown()


def test_pages_not_visited_are_loaded_not_built_in_idle_time_once_a_file_is_open(
        qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """With a threaded lane, opening a file loads the other pages' modules, one by one, and
    builds none of them (a built page would reload on every autosave)."""
    from hmip_desktop.app import build_window

    window = build_window()
    qtbot.addWidget(window)
    window.show()
    store = create_inspection(tmp_path / "idle.hmip", establishment_name="HMP Idle",
                              establishment_type="mens_prison", framework=minimal_framework())
    window._set_store(store)
    qtbot.waitUntil(lambda: all(window.pages.factory(t).loaded for t in window.pages),
                    timeout=30000)
    qtbot.waitUntil(lambda: not window.prebuilder.active, timeout=5000)  # stops at its next step
    assert not window.pages.is_built("Reports") and not window.pages.is_built("Scoring")
    qtbot.waitUntil(lambda: window.ctx.tasks._running == 0, timeout=30000)
    window.close()  # closes the file and finishes the lane


def test_an_evidence_picker_takes_thousands_of_choices_and_keeps_ticks(  # type: ignore[no-untyped-def]
        qtbot, qtmodeltester) -> None:
    """10,000 choices at once; ticks survive new choices, a vanished tick stays visible,
    Space ticks the current row and says so, setting choices does not."""
    picker = EvidencePicker("Evidence")
    qtbot.addWidget(picker)
    edited: list[bool] = []
    picker.selection_edited.connect(lambda: edited.append(True))
    items = [(f"id{i:05d}", f"Note {i}") for i in range(10_000)]
    picker.set_items(items, ["id00003", "gone"])  # one model reset (was an item per choice)
    assert picker.count() == 10_001
    assert picker.selected_ids() == ["id00003", "gone"]
    model = picker.model()
    assert model.index(10_000, 0).data() == "gone (no longer linked)"
    assert edited == []
    picker.show()
    picker.setFocus()
    picker.setCurrentIndex(model.index(1, 0))
    qtbot.keyClick(picker, Qt.Key.Key_Space)
    assert picker.selected_ids() == ["id00001", "id00003", "gone"]
    assert edited == [True]
    picker.set_items(items[:5], picker.selected_ids())
    assert picker.selected_ids() == ["id00001", "id00003", "gone"]
    picker.set_selected(["id00004"])
    assert picker.selected_ids() == ["id00004"]
    qtmodeltester.check(model)


def test_worker_progress_reaches_the_gui_thread_at_most_ten_times_a_second(qtbot) -> None:  # type: ignore[no-untyped-def]
    """A worker reporting 500 times in a few ms: a handful of reports, the last one 'done'."""
    runner = TaskRunner()
    seen: list[tuple[int, int]] = []
    results: list[object] = []

    def work(control: TaskControl) -> str:
        for i in range(1, 501):
            control.progress(i, 500)
        return "ok"

    runner.submit(work, results.append, on_progress=lambda d, t: seen.append((d, t)),
                  control=TaskControl())
    qtbot.waitUntil(lambda: bool(results))
    qtbot.waitUntil(lambda: seen[-1:] == [(500, 500)])
    assert len(seen) <= 2 + int(1 / PROGRESS_S)
    runner.shutdown()
