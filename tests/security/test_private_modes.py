"""Finding 9: every file and folder the app creates is private (0600 files, 0700 folders)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from hmip_desktop.services.attachments import add_bytes
from hmip_desktop.services.inspections import create_inspection
from hmip_desktop.services.notes import NoteService
from tests.factories import minimal_framework

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def _loose(*roots: Path) -> list[str]:
    """Every path under the roots (roots included) readable by group or others."""
    bad = []
    for root in roots:
        for p in [root, *root.rglob("*")]:
            mode = stat.S_IMODE(p.lstat().st_mode)
            if mode & 0o077:
                bad.append(f"{p.relative_to(root.parent)} {oct(mode)}")
    return bad


def test_cli_session_leaves_only_private_files(hmip, tmp_path: Path, isolated_home: Path) -> None:
    """A session of commands: new file, notes, a document, an extract, a framework import and
    export, an identity card and a bundle export; then walk everything."""
    work = tmp_path / "work"
    work.mkdir()
    folder = tmp_path / "inspections"  # made by the app: must be private
    f = folder / "s.hmip"
    hmip("new", str(f), "--establishment", "HMP Modes", "--type", "mens_prison")
    hmip("note", "add", str(f), "--source", "observation", "--title", "t", "--body-file", "-",
         input="private words")
    doc = work / "policy.txt"
    doc.write_text("a policy\n", encoding="utf-8")
    hmip("doc", "add", str(f), str(doc))
    csv = work / "uof.csv"
    csv.write_text("date,count\n2026-01-01,3\n2026-01-02,4\n", encoding="utf-8")
    hmip("extract", "import", str(f), str(csv), "--name", "Use of force")
    hmip("frameworks", "export", "men-prisons", "--out", str(folder / "men.csv"))
    hmip("identity", "export", "--out", str(folder / "me.card"))
    hmip("bundle", "export", str(f), "--out", str(folder / "day1.hmipbundle"))
    hmip("info", str(f))
    assert _loose(isolated_home, folder) == []


def test_services_create_private_files_whatever_the_umask(tmp_path: Path) -> None:
    """The helpers, not only the process umask, make files private (library callers)."""
    old = os.umask(0o022)
    try:
        store = create_inspection(tmp_path / "new-folder" / "u.hmip",
                                  establishment_name="HMP Umask",
                                  establishment_type="mens_prison",
                                  framework=minimal_framework())
        try:
            NoteService(store).add(source_kind="observation", title="t", body="b")
            add_bytes(store, b"attachment bytes" * 100, "application/pdf")
            from hmip_desktop.storage.sync_repo import take_snapshot
            take_snapshot(store.raw_write_engine(), tmp_path / "new-folder" / "u.hmip.undo-x")
        finally:
            store.close()
        home = Path(os.environ["HMIP_HOME"])
        assert _loose(tmp_path / "new-folder", home) == []
    finally:
        os.umask(old)


def test_opening_tightens_files_made_by_an_earlier_version(tmp_path: Path) -> None:
    """0644 / 0755 files from before this fix become 0600 / 0700 when opened; read-only
    copies are never made writable."""
    from hmip_desktop.services.inspection_store import InspectionStore

    store = create_inspection(tmp_path / "o.hmip", establishment_name="HMP Old",
                              establishment_type="mens_prison", framework=minimal_framework())
    add_bytes(store, b"x" * 100, "application/pdf")
    store.close()
    paths = [tmp_path / "o.hmip", tmp_path / "o.hmip.key"]
    blob_dir = tmp_path / "o.hmip.blobs"
    for p in paths:
        p.chmod(0o644)
    blob_dir.chmod(0o755)
    InspectionStore.open(tmp_path / "o.hmip", provider=None).close()
    assert [stat.S_IMODE(p.stat().st_mode) for p in paths] == [0o600, 0o600]
    assert stat.S_IMODE(blob_dir.stat().st_mode) == 0o700
