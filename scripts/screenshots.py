"""`make screenshots`: a PNG of every page (and every tab of it) of the main window, with demo
data, at the two screen sizes the app must fit (for review).

Writes to screenshots/1366x768/ and screenshots/1280x720/ (ignored by git). The second size is
a 1920×1080 laptop at 150 % scaling, so text is 1.5 times larger in pixels. Each size runs in
its own offscreen Qt process on a screen of that size, with a throwaway data directory and an
in-memory keyring, so it never touches the real home directory or keyring.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# name: (screen width, height in device pixels, scale factor)
SIZES = {"1366x768": (1366, 768, 1.0), "1280x720": (1920, 1080, 1.5)}

from bench.common import isolated_environment  # noqa: E402

DEMO_NOTES = [
    ("observation", "Night visit, C wing", "Cell bells on C wing went unanswered for up to "
     "**20 minutes** between 21:00 and 22:00. Two men said this was usual.", ["1"]),
    ("prisoner_interview", "Interview, reception", "He said reception was *rushed* and he "
     "was not asked about his medication until the next day.", ["2"]),
    ("staff_interview", "Officer, segregation unit", "Staffing on the unit is often two "
     "officers below the profile; reviews happen late.", []),
    ("document_review", "Use of force log", "Use of force incidents rose from 31 to 52 a "
     "month over the last quarter.", ["1"]),
    ("group_discussion", "Group discussion with men on the induction wing about their first "
     "night, cell bells and access to a phone call home", "Most had not been offered a call "
     "home on the first night.", ["2"]),
]


def demo_store(folder: Path):  # type: ignore[no-untyped-def]
    """An inspection on the men's framework with a few notes and links."""
    from hmip_desktop.services.frameworks import FrameworkService
    from hmip_desktop.services.inspections import create_inspection
    from hmip_desktop.services.notes import NoteService

    fw = FrameworkService().resolve_for_new("mens_prison")
    store = create_inspection(folder / "demo.hmip", establishment_name="HMP Demonstration",
                              establishment_type="mens_prison", framework=fw,
                              start_date="2026-11-16", end_date="2026-11-27")
    notes = NoteService(store)
    for kind, title, body, refs in DEMO_NOTES:
        notes.add(source_kind=kind, title=title, body=body, expectations=refs,
                  location="C wing" if "C wing" in title else None)
    from hmip_desktop.services.documents import DocumentService
    from hmip_desktop.services.extracts import ExtractService

    policy = folder / "segregation-policy.txt"
    policy.write_text("Segregation reviews must take place daily.\n\nThe governor signs "
                      "each review.", encoding="utf-8")
    DocumentService(store).import_files([policy], expectations=["1"])
    extract = folder / "use-of-force.csv"
    rows = ["date,wing,incidents"] + [f"2026-{m:02d}-01,{w},{(m * 7 + len(w) * 3) % 40 + 5}"
                                      for m in range(1, 11) for w in ("A", "B", "C")]
    extract.write_text("\n".join(rows) + "\n", encoding="utf-8")
    ExtractService(store).import_file(extract, name="Use of force by month")
    from hmip_desktop.services.concerns import ConcernService, NppService

    concerns = ConcernService(store)
    sections = [key for key, _label in concerns.sections()][:2]
    concerns.add(title="Cell bells on the induction and segregation units were not answered "
                 "promptly at night, leaving men at risk", body="Observed on three nights.",
                 sections=sections[:1], priority=True)
    concerns.add(title="Use of force had risen sharply without governance", body="See the log.",
                 sections=sections)
    NppService(store).add(title="Peer mentors met every new arrival in reception", body="…")
    return store


def _slug(text: str) -> str:
    return (text.replace("&", "").replace(" ", "-").replace(",", "").lower()
            .replace("--", "-").strip("-"))


def shoot(size: str) -> int:
    """In an offscreen Qt whose screen has this size: open the demo and grab every page."""
    from PySide6.QtWidgets import QApplication, QTabWidget

    from hmip_desktop.app import build_window
    from hmip_desktop.ui import ui_state
    from hmip_desktop.ui.tasks import SyncExecutor, TaskRunner

    isolated_environment()
    out = ROOT / "screenshots" / size
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    window = build_window(TaskRunner(SyncExecutor()))
    window.show()
    app.processEvents()
    # What a window manager leaves a maximised window: the screen less a title bar and frame.
    avail = window.screen().availableGeometry().size()
    window.resize(avail - ui_state.FRAME_GUESS)
    app.processEvents()
    written = 0
    with tempfile.TemporaryDirectory(prefix="hmip-shots-") as tmp:
        window._set_store(demo_store(Path(tmp)))
        for title, page in window.pages.items():
            window.show_page(title)
            if title == "Evidence":
                notes = getattr(page, "notes", None)
                if notes is not None and notes.model.rowCount():
                    notes.table.selectRow(0)
            tabs = getattr(page, "tabs", None)
            count = tabs.count() if isinstance(tabs, QTabWidget) else 1
            for i in range(count):
                name = _slug(title)
                if isinstance(tabs, QTabWidget):
                    tabs.setCurrentIndex(i)
                    if i:
                        name += "-" + _slug(tabs.tabText(i))
                app.processEvents()
                path = out / f"{name}.png"
                window.grab().save(str(path))
                written += 1
                print(f"wrote {path.relative_to(ROOT)}")
            if isinstance(tabs, QTabWidget):
                tabs.setCurrentIndex(0)
        window.close_inspection()
    return 0 if written else 1


def main() -> int:
    """One offscreen process per screen size (the screen is fixed when Qt starts)."""
    if len(sys.argv) == 3 and sys.argv[1] == "--size":
        return shoot(sys.argv[2])
    with tempfile.TemporaryDirectory(prefix="hmip-screens-") as tmp:
        for name, (width, height, scale) in SIZES.items():
            config = Path(tmp) / f"{name}.json"
            config.write_text(json.dumps({"screens": [{
                "name": f"Screen{name}", "x": 0, "y": 0, "width": width, "height": height,
                "logicalDpi": 96, "logicalBaseDpi": 96}]}), encoding="utf-8")
            env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
                   "QT_SCALE_FACTOR": str(scale)}
            done = subprocess.run([sys.executable, __file__, "--size", name], env=env,
                                  check=False)
            if done.returncode:
                return done.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
