"""After a merge, extracts and documents that arrived are usable: rows and text are rebuilt."""

from __future__ import annotations

from pathlib import Path

from hmip_desktop.services import bundles, search
from hmip_desktop.services.documents import DocumentService
from hmip_desktop.services.extracts import ExtractService


def test_extract_rows_and_document_text_are_rebuilt_after_merge(kit, tmp_path: Path) -> None:
    """Rows never travel as revisions; the receiving file rebuilds them from the snapshot."""
    lead, member = kit.team("lead", "member")
    csv = tmp_path / "uof.csv"
    csv.write_text("month,count\n2026-01-01,31\n2026-02-01,52\n", encoding="utf-8")
    extract = ExtractService(member.store).import_file(csv, name="Use of force")
    doc = tmp_path / "policy.txt"
    doc.write_text("The segregation policy requires daily reviews.", encoding="utf-8")
    DocumentService(member.store).import_files([doc])
    out = tmp_path / "m.hmipbundle"
    bundles.export_bundle(member.store, out, keys=member.keys)
    bundles.import_bundles(lead.store, [out], keys=lead.keys)
    assert ExtractService(lead.store).row_count(extract.id) == 2
    assert [h.kind for h in search.search(lead.store, "daily reviews")] == ["document_page"]
