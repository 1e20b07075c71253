"""Cancel reaches the report build, not only the renderer: an export cancelled while the
document is being built stops there (nothing rendered, nothing written), and progress moves
during the build instead of waiting for layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from hmip_desktop.cli.common import open_store
from hmip_desktop.domain.errors import Cancelled
from hmip_desktop.domain.steps import SCALE, Steps
from hmip_desktop.report import build as build_module
from hmip_desktop.services import report as report_service
from hmip_desktop.services.report import ExportOptions, ReportService
from tests.report.support import cli_runner, full_inspection


@pytest.fixture
def inspection(capsys, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    folder = tmp_path / "i"
    folder.mkdir()
    return full_inspection(cli_runner(capsys), folder)


@pytest.mark.parametrize("suffix", [".pdf", ".docx"])
def test_cancel_inside_the_sections_part_stops_before_rendering(
        inspection: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str) -> None:
    pressed = {"cancel": False}
    reached: list[str] = []
    sections = build_module.sections_part

    def sections_then_cancel(*args, **kwargs):  # type: ignore[no-untyped-def]
        pressed["cancel"] = True  # the person presses Cancel as the sections start
        return sections(*args, **kwargs)

    monkeypatch.setattr(build_module, "sections_part", sections_then_cancel)
    monkeypatch.setattr(build_module, "_glossary_of_used_terms",
                        lambda blocks, *a: reached.append("glossary") or blocks)
    monkeypatch.setattr(report_service, "_render", lambda *a: reached.append("render"))
    out = tmp_path / "out"
    out.mkdir()
    with open_store(str(inspection)) as store, pytest.raises(Cancelled):
        ReportService(store).export(out / f"d{suffix}", ExportOptions(),
                                    progress=lambda d, t: None,
                                    cancel=lambda: pressed["cancel"])
    assert reached == []  # stopped inside the build: neither its last step nor the renderer
    assert list(out.iterdir()) == []


def test_cancel_while_reading_the_snapshot_writes_nothing(
        inspection: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(report_service, "build_report", lambda *a: pytest.fail("built"))

    def cancel() -> bool:
        calls.append(1)
        return len(calls) > 2  # the third check: still reading the snapshot

    out = tmp_path / "out"
    out.mkdir()
    with open_store(str(inspection)) as store, pytest.raises(Cancelled):
        ReportService(store).export(out / "d.pdf", ExportOptions(), cancel=cancel)
    assert len(calls) == 3
    assert list(out.iterdir()) == []


def test_progress_moves_during_the_build_then_finishes(inspection: Path,
                                                       tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    built: list[int] = []
    build = build_module.build_report

    def watched(*args, **kwargs):  # type: ignore[no-untyped-def]
        built.append(len(seen))  # how many reports came before the build started
        doc = build(*args, **kwargs)
        built.append(len(seen))
        return doc

    with pytest.MonkeyPatch.context() as mp, open_store(str(inspection)) as store:
        mp.setattr(report_service, "build_report", watched)
        ReportService(store).export(tmp_path / "d.pdf", ExportOptions(),
                                    progress=lambda d, t: seen.append((d, t)))
    before, after = built
    assert before >= 1 and after > before  # the bar moved while reading and building
    assert all(t == SCALE for _d, t in seen)
    assert [d for d, _t in seen] == sorted({d for d, _t in seen})
    assert seen[-1] == (SCALE, SCALE)


def test_steps_share_one_bar_and_check_cancel() -> None:
    seen: list[int] = []
    cancelled = {"now": False}
    steps = Steps(lambda d, _t: seen.append(d), lambda: cancelled["now"])
    first, second = steps.part(0, 0.5), steps.part(0.5, 1)
    for n in range(100):
        first.at(n, 100)
    second.at(0, 1)
    first.at(10, 100)  # never backwards
    assert seen[0] == 0 and seen[-1] == 500
    assert len(seen) <= 51  # at most one report per percent
    cancelled["now"] = True
    with pytest.raises(Cancelled):
        second.at(1, 2)
    second.done()  # reporting what is already done never raises
    assert seen[-1] == SCALE


@pytest.mark.parametrize("suffix", [".pdf", ".docx"])
def test_the_bar_ends_only_once_the_file_is_in_place(inspection: Path, tmp_path: Path,
                                                     suffix: str) -> None:
    """Through the service too: the DOCX bar sat at its end while the save still ran."""
    target = tmp_path / f"d{suffix}"
    seen: list[tuple[int, bool]] = []
    with open_store(str(inspection)) as store:
        ReportService(store).export(target, ExportOptions(),
                                    progress=lambda d, _t: seen.append((d, target.exists())))
    assert seen[-1] == (SCALE, True)
    assert all(d < SCALE and not there for d, there in seen[:-1])
