"""The window reaches its pages by PageKey and through typed hooks, never by probing them."""

from __future__ import annotations

from hmip_desktop.app import page_factories
from hmip_desktop.domain.search_query import Highlighted, SearchHit
from hmip_desktop.ui.context import UiContext
from hmip_desktop.ui.main_window import MainWindow
from hmip_desktop.ui.page_base import Page, PageKey
from hmip_desktop.ui.tasks import SyncExecutor, TaskRunner


class _Recorder(Page):
    """A page that records the hooks the window calls."""

    title = PageKey.OVERVIEW
    calls: list[str] = []

    def flush(self) -> None:
        self.calls.append("flush")


class _Evidence(Page):
    title = PageKey.EVIDENCE
    calls: list[tuple] = []

    def open_evidence(self, evidence_id: str, start: int | None = None,
                      end: int | None = None, page: int | None = None) -> None:
        self.calls.append(("open", evidence_id, start, end, page))

    def open_search_hit(self, hit: SearchHit, query: str) -> None:
        self.calls.append(("hit", hit.entity_id, query))


def test_the_app_has_a_page_for_every_key() -> None:
    """Navigation order is the key order; the keys are the titles."""
    assert [f.title for f in page_factories()] == list(PageKey)
    assert list(PageKey)[0] == "Overview" and PageKey.TEAM_SYNC == "Team & sync"


def test_hooks_reach_the_pages_that_support_them(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Requests go to the Evidence page's hooks; closing flushes every built page; a window
    without an Evidence or Reports page ignores such requests."""
    window = MainWindow(UiContext(tasks=TaskRunner(SyncExecutor())), [_Recorder, _Evidence])
    qtbot.addWidget(window)
    overview = window.pages[PageKey.OVERVIEW]
    overview.open_evidence_requested.emit("n1", 0, 4, None)
    assert _Evidence.calls == [("open", "n1", 0, 4, None)]
    assert window.stack.currentWidget() is window.pages[PageKey.EVIDENCE]
    window._on_search_open_requested(
        SearchHit("n2", "note", "n2", Highlighted("t"), Highlighted("s"), 0.0), "s")
    assert _Evidence.calls[-1] == ("hit", "n2", "s")
    overview.un_letter_requested.emit()  # no Reports page here: nothing to do
    window.close()
    assert _Recorder.calls == ["flush"]

    alone = MainWindow(UiContext(tasks=TaskRunner(SyncExecutor())), [_Recorder])
    qtbot.addWidget(alone)
    alone.pages[PageKey.OVERVIEW].open_evidence_requested.emit("n1", None, None, None)
    alone._on_search_open_requested(
        SearchHit("n2", "note", "n2", Highlighted("t"), Highlighted("s"), 0.0), "s")
    assert len(_Evidence.calls) == 2
