"""`make screenshots`: a PNG of every page of the main window, with demo data (for review).

Writes to screenshots/ (ignored by git). Runs offscreen with a throwaway data directory and
an in-memory keyring, so it never touches the real home directory or keyring.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

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
    return store


def main() -> int:
    """Open the demo inspection in the real window and grab each page."""
    from PySide6.QtWidgets import QApplication

    from hmip_desktop.app import build_window
    from hmip_desktop.ui.tasks import SyncExecutor, TaskRunner

    isolated_environment()
    out = ROOT / "screenshots"
    out.mkdir(exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv)
    window = build_window(TaskRunner(SyncExecutor()))
    window.resize(1280, 820)
    window.show()
    with tempfile.TemporaryDirectory(prefix="hmip-shots-") as tmp:
        window._set_store(demo_store(Path(tmp)))
        for title in window.pages:
            window.show_page(title)
            if title == "Evidence":
                page = window.pages[title]
                notes = getattr(page, "notes", None)
                if notes is not None and notes.model.rowCount():
                    notes.table.selectRow(0)
            app.processEvents()
            name = title.lower().replace(" & ", "-").replace(" ", "-")
            path = out / f"{name}.png"
            window.grab().save(str(path))
            print(f"wrote {path.relative_to(ROOT)}")
        window.close_inspection()
    return 0


if __name__ == "__main__":
    sys.exit(main())
