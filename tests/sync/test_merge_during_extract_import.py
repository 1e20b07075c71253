"""A merge, and its undo, while a long extract import has committed chunks of its rows.

The import runs beside the DB lane (issue 11 §4): between its chunks the lane may merge
bundles and undo that merge. The undo puts back every table as the merge's snapshot had it,
which once included the import's staging table: the rows loaded between the snapshot and the
undo vanished, and the import then published an extract whose record counted rows that were
not there.
"""

from __future__ import annotations

from pathlib import Path

from hmip_desktop.services import bundles, extract_import
from hmip_desktop.services.extracts import ExtractService
from tests.sync.conftest import Device, TeamKit, acting

ROWS = 6_000


def _csv(tmp_path: Path) -> Path:
    path = tmp_path / "use-of-force.csv"
    lines = ["n,wing,minutes"] + [f"{i},{'ABC'[i % 3]},{i % 90}" for i in range(ROWS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_undoing_a_merge_mid_import_keeps_every_imported_row(
        kit: TeamKit, trio: list[Device], tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    lead, alice, _ = trio
    alice.notes.add(source_kind="observation", title="Wing B at night", body="b")
    bundle = kit.export(alice)
    monkeypatch.setattr(extract_import, "YIELD_EVERY_ROWS", 500)
    monkeypatch.setattr(extract_import, "BATCH_ROWS", 250)
    steps = iter(["merge", "load more", "undo", "load more"])
    done: list[str] = []

    def yield_to() -> bool:
        """Called at each pause (True: commit the chunk) and then while waiting (the lane's
        work runs here, with the import's rows committed and its lock released)."""
        if len(done) % 2 == 0:  # at a pause: let the lane in
            done.append("paused")
            return True
        step = next(steps, "load more")
        done.append(step)
        if step == "merge":
            assert kit.import_(lead, [bundle]).snapshot
        elif step == "undo":
            bundles.undo_last_merge(lead.store)
        return False

    assert lead.store is not None
    with acting(lead):
        view = ExtractService(lead.store).import_file(_csv(tmp_path), yield_to=yield_to)
        assert "undo" in done  # the undo did run while the import had rows committed
        assert view.row_count == ROWS
        assert ExtractService(lead.store).row_count(view.id) == ROWS
