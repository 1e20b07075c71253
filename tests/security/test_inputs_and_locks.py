"""Findings 10-13: inputs that crashed (exit 70) are refused in one line naming the limit;
a writer waits for another writer's lock and says so; a full disk is one clear line; every
CSV the app writes neutralises formulas."""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import os
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from tests.cli.conftest import PASSPHRASE
from tests.security.helpers import runner


@contextlib.contextmanager
def holding_write_lock(store):  # type: ignore[no-untyped-def]
    """Another thread holds the file's write lock (an uncommitted meta write) until the block
    ends or the yielded event is set, as a long import would."""
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with store.uow(write=True) as tx:
            tx.meta.set("lock_test", "1")
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(10)
        yield release
    finally:
        release.set()
        holder.join()


@pytest.fixture
def cli(tmp_path: Path):  # type: ignore[no-untyped-def]
    """`hmip` in-process (the same entry point, without a new interpreter per call)."""
    return runner(tmp_path, "inspector")


def _new(hmip, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    f = tmp_path / "i.hmip"
    hmip("new", str(f), "--establishment", "HMP Limits", "--type", "mens_prison")
    return f


def _refusal(proc: subprocess.CompletedProcess, match: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and match in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr


def test_csv_extract_limits(cli, tmp_path: Path) -> None:
    """1,000 columns, an unclosed quote, a huge cell: refused, naming the problem; a long
    but legitimate cell (140,000 characters) is imported."""
    f = _new(cli, tmp_path)
    wide = tmp_path / "wide.csv"
    wide.write_text("\n".join(",".join(f"c{i}" if r == 0 else str(i) for i in range(1000))
                              for r in range(3)) + "\n", encoding="utf-8")
    _refusal(cli("extract", "import", str(f), str(wide), check=False), "limit: columns")
    quote = tmp_path / "quote.csv"
    quote.write_text('a,b\n1,"unclosed\n2,3\n4,5\n', encoding="utf-8")
    _refusal(cli("extract", "import", str(f), str(quote), check=False), "quote is not closed")
    long_cell = tmp_path / "long.csv"
    long_cell.write_text("a,b\n1," + "x" * 140_000 + "\n2,y\n", encoding="utf-8")
    cli("extract", "import", str(f), str(long_cell))
    huge = tmp_path / "huge.csv"
    huge.write_text("a,b\n1," + "x" * 1_100_000 + "\n2,y\n", encoding="utf-8")
    _refusal(cli("extract", "import", str(f), str(huge), check=False), "limit: cell size")


def test_xlsx_bomb_is_refused_before_inflating(cli, tmp_path: Path) -> None:
    """Shared strings that expand far beyond the file's size are refused at once."""
    import openpyxl

    f = _new(cli, tmp_path)
    small = tmp_path / "small.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["name", "n"])
    wb.active.append(["a", 1])
    wb.save(small)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(small) as zin, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info))
        with zout.open("xl/sharedStrings.xml", "w") as member:
            member.write(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/'
                         b'spreadsheetml/2006/main">')
            chunk = (b"<si><t>" + b"A" * 100 + b"</t></si>") * 10_000
            for _ in range(70):
                member.write(chunk)
            member.write(b"</sst>")
    assert bomb.stat().st_size < 2_000_000
    start = time.monotonic()
    _refusal(cli("extract", "import", str(f), str(bomb), check=False),
             "limit: shared strings size")
    assert time.monotonic() - start < 10


def test_deep_framework_json_is_refused(cli, tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    _refusal(cli("frameworks", "import", str(deep), check=False), "limit: depth 32")


def test_framework_csv_export_neutralises_formulas(cli, tmp_path: Path) -> None:
    """Cells beginning with =, +, -, @ are written with a leading apostrophe; importing the
    export gives back the original text."""
    src = tmp_path / "evil.csv"
    rows = [["test", "area", "sub-area", "number", "title", "outcome", "indicators"],
            ["Safety [safety]", "Early days [early]", "", "1", "=HYPERLINK(\"http://x\")",
             "+cmd|' /C calc'!A0", "-2+3 | @SUM(A1:A9)"],
            ["Safety [safety]", "Early days [early]", "", "2", "@evil", "=1+1", "plain"]]
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    src.write_text(buf.getvalue(), encoding="utf-8")
    cli("frameworks", "import", str(src), "--id", "evil", "--title", "Evil",
         "--type", "mens_prison")
    out = tmp_path / "out.csv"
    cli("frameworks", "export", "evil", "--out", str(out))
    cells = [c for row in csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig")))
             for c in row]
    assert [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")] == []
    assert "'=HYPERLINK(\"http://x\")" in cells and "'@evil" in cells
    again = tmp_path / "again.csv"
    again.write_bytes(out.read_bytes())
    cli("frameworks", "import", str(again), "--id", "evil2", "--title", "Evil again",
         "--type", "mens_prison")
    shown = cli("frameworks", "show", "evil2", "--json").stdout
    assert "=HYPERLINK" in shown and "'=HYPERLINK" not in shown and "'@evil" not in shown


def test_a_writer_waits_for_a_long_import_and_readers_do_not(hmip, tmp_path: Path,
                                                             monkeypatch) -> None:
    """The lock held for longer than the busy timeout: `note add` waits, saying so, then
    succeeds; `note list` (a reader) does not wait at all."""
    f = _new(hmip, tmp_path)
    monkeypatch.setenv("HMIP_KEY_SOURCE", "passphrase")
    from hmip_desktop.services.inspection_store import InspectionStore

    store = InspectionStore.open(f, provider=lambda _purpose: PASSPHRASE)
    with holding_write_lock(store) as release:
        body = tmp_path / "body.txt"
        body.write_text("words", encoding="utf-8")
        env = {**os.environ, "HMIP_HOME": os.environ["HMIP_HOME"], "HMIP_PASSPHRASE": PASSPHRASE}
        start = time.monotonic()
        assert hmip("note", "list", str(f)).returncode == 0
        assert time.monotonic() - start < 2.0 + 3  # no lock wait (start-up only)
        writer = subprocess.Popen(
            [sys.executable, "-m", "hmip_desktop.cli.main", "note", "add", str(f), "--source",
             "observation", "--title", "t", "--body-file", str(body)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        # Release only once the writer says it is waiting: a fixed sleep raced the writer's
        # start-up on a loaded machine (it found the lock already free and never waited).
        lines: list[str] = []
        waiting = threading.Event()

        def read_stderr() -> None:
            assert writer.stderr is not None
            for line in writer.stderr:
                lines.append(line)
                if "waiting for another program" in line:
                    waiting.set()

        reader = threading.Thread(target=read_stderr)
        reader.start()
        assert waiting.wait(90), "".join(lines)
        release.set()
        writer.wait(timeout=60)
        reader.join(timeout=10)
        err = "".join(lines)
        assert writer.returncode == 0, err
        assert "locked" not in err
    store.close()


@pytest.mark.parametrize("where", ["note", "doc", "bundle"])
def test_full_disk_is_one_clear_line(tmp_path: Path, monkeypatch, capsys, where) -> None:
    """ENOSPC (from SQLite or from a file write) is a refusal, and the file is unchanged."""
    from sqlalchemy.exc import OperationalError

    from hmip_desktop.cli.main import main
    from hmip_desktop.storage import unit_of_work

    # main() installs the command line's lock listener; put the old one back afterwards
    monkeypatch.setattr(unit_of_work, "_lock_wait_listener", None)
    monkeypatch.setenv("HMIP_KEY_SOURCE", "passphrase")
    monkeypatch.setenv("HMIP_PASSPHRASE", PASSPHRASE)
    f = tmp_path / "d.hmip"
    assert main(["new", str(f), "--establishment", "HMP Full", "--type", "mens_prison"]) == 0
    doc = tmp_path / "d.txt"
    doc.write_text("text", encoding="utf-8")
    if where == "note":
        from hmip_desktop.storage import records_repo

        def full(*_a, **_k):  # type: ignore[no-untyped-def]
            raise OperationalError("INSERT", {}, Exception("database or disk is full"))

        monkeypatch.setattr(records_repo.RecordsRepository, "append", full)
        args = ["note", "add", str(f), "--source", "observation", "--title", "t", "--body", "b"]
    elif where == "doc":
        from hmip_desktop.storage import blobs

        def nospace(*_a, **_k):  # type: ignore[no-untyped-def]
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(blobs.BlobStore, "put_stream", nospace)
        args = ["doc", "add", str(f), str(doc)]
    else:
        import hmip_desktop.bundle.writer as bw

        def nospace_open(*_a, **_k):  # type: ignore[no-untyped-def]
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(bw, "open_private", nospace_open)
        args = ["bundle", "export", str(f), "--out", str(tmp_path / "b.hmipbundle")]
    capsys.readouterr()
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal error" not in err
    assert "disk is full" in err or "free space" in err, err


def test_a_writer_without_a_listener_gives_up_with_a_clear_error(store, monkeypatch) -> None:
    """With nobody to show the wait (a GUI thread), a writer gives up after a short wait with
    a refusal, never 'database is locked'."""
    from hmip_desktop.storage import unit_of_work as U

    monkeypatch.setattr(U, "_lock_wait_listener", None)
    monkeypatch.setattr(U, "QUIET_LOCK_WAIT_S", 1)
    with holding_write_lock(store):
        with pytest.raises(U.FileBusyError, match="limit: lock wait"), \
                store.uow(write=True) as tx:
            tx.meta.set("other", "1")
        with store.uow() as tx:  # a reader is never kept waiting
            assert tx.meta.get("lock_test") is None
    with store.uow(write=True) as tx:
        tx.meta.set("other", "2")


def test_docx_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    """A Word document whose body inflates past the limit is refused from the ZIP directory."""
    from hmip_desktop.domain.errors import ValidationError
    from hmip_desktop.ingest.documents import MIME_DOCX, extract_text

    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w") as member:
            block = b" " * (1 << 20)
            for _ in range(65):
                member.write(block)
    with pytest.raises(ValidationError, match="limit: document size"):
        extract_text(bomb, MIME_DOCX)
