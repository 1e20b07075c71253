"""ZIP bombs in the parts openpyxl and python-docx read whole: a theme, images, a body of
empty paragraphs. Each is refused from the ZIP directory (or a byte scan), naming its limit."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest

from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.domain.mime import MIME_DOCX, MIME_XLSX
from hmip_desktop.ingest import zipbounds
from hmip_desktop.ingest.documents import extract_text
from hmip_desktop.ingest.tabular import sniff

MIB = 1024 * 1024


def _noise(size: int) -> bytes:
    """XML-ish bytes that compress about 2 times (under any ratio limit)."""
    return os.urandom(size // 2).hex().encode()


def _office(path: Path, base: bytes, extra: dict[str, bytes]) -> Path:
    """The Office file `base` with the parts in `extra` added or replaced."""
    with zipfile.ZipFile(io.BytesIO(base)) as zin, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename not in extra:
                zout.writestr(info.filename, zin.read(info))
        for name, data in extra.items():
            zout.writestr(name, data)
    return path


def _xlsx(path: Path, **extra: bytes) -> Path:
    wb = openpyxl.Workbook()
    wb.active.append(["name", "count"])
    wb.active.append(["a", 1])
    buf = io.BytesIO()
    wb.save(buf)
    return _office(path, buf.getvalue(), {k.replace("__", "/"): v for k, v in extra.items()})


def _docx(path: Path, paragraphs: int = 1, **extra: bytes) -> Path:
    document = docx.Document()
    for k in range(paragraphs):
        document.add_paragraph(f"p{k}")
    buf = io.BytesIO()
    document.save(buf)
    return _office(path, buf.getvalue(), {k.replace("__", "/"): v for k, v in extra.items()})


def test_a_theme_read_whole_is_bounded(tmp_path, monkeypatch):
    # openpyxl reads the theme whole: 1.5 GB of it at a ratio of 190 used 3 GB.
    monkeypatch.setattr(zipbounds, "MAX_PART_BYTES", MIB)
    path = _xlsx(tmp_path / "theme.xlsx", xl__theme__theme1__xml=b"<!--" + _noise(2 * MIB))
    with pytest.raises(ValidationError, match=r"more than 1 MiB \(limit: part size\)"):
        sniff(path)
    with pytest.raises(ValidationError, match=r"limit: part size"):
        extract_text(path, MIME_XLSX)


def test_a_big_sheet_is_streamed_not_bounded_as_a_part(tmp_path, monkeypatch):
    rows = "".join(f'<row r="{k}"><c r="A{k}" t="n"><v>{k}</v></c></row>' for k in range(3, 9000))
    path = _xlsx(tmp_path / "rows.xlsx")
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").replace(b"</sheetData>",
                                                          rows.encode() + b"</sheetData>")
    path = _xlsx(tmp_path / "rows.xlsx", xl__worksheets__sheet1__xml=sheet)
    monkeypatch.setattr(zipbounds, "MAX_PART_BYTES", len(sheet) // 10)
    assert sniff(path).columns[0].name == "name"


def test_small_parts_that_inflate_hugely_are_refused(tmp_path):
    # python-docx reads every related part: 100 images of 16 MiB zeros used 1.7 GB.
    path = _docx(tmp_path / "images.docx", word__media__a__png=b"\0" * (2 * MIB))
    with pytest.raises(ValidationError, match=r"200 times .*\(limit: compression ratio\)"):
        extract_text(path, MIME_DOCX)


def test_many_tiny_parts_that_inflate_hugely_are_refused(tmp_path):
    parts = {f"word__media__i{k}__png": b"\0" * (MIB - 1) for k in range(16)}
    path = _docx(tmp_path / "images.docx", **parts)
    with pytest.raises(ValidationError, match=r"limit: compression ratio"):
        extract_text(path, MIME_DOCX)


def test_the_parts_read_whole_are_bounded_together(tmp_path, monkeypatch):
    monkeypatch.setattr(zipbounds, "MAX_HELD_BYTES", 2 * MIB)
    parts = {f"word__media__i{k}__png": _noise(MIB) for k in range(3)}
    path = _docx(tmp_path / "images.docx", **parts)
    with pytest.raises(ValidationError,
                       match=r"more than 2 MiB \(limit: unpacked size of the parts read whole\)"):
        extract_text(path, MIME_DOCX)


def test_a_body_of_countless_elements_is_refused(tmp_path, monkeypatch):
    # 16 MB of <w:p/> took 666 MB and 32 s: python-docx builds a tree of the whole body.
    few = _docx(tmp_path / "few.docx", paragraphs=20)
    with zipfile.ZipFile(few) as z:
        infos = [i for i in z.infolist() if i.filename.endswith((".xml", ".rels"))]
    with few.open("rb") as raw:
        limit = zipbounds._elements(raw, infos, 10 ** 9) + 1000  # the template has thousands
    monkeypatch.setattr(zipbounds, "MAX_ELEMENTS", limit)
    path = _docx(tmp_path / "many.docx", paragraphs=1500)
    with pytest.raises(ValidationError, match=rf"{limit:,} XML elements \(limit: elements\)"):
        extract_text(path, MIME_DOCX)
    assert extract_text(few, MIME_DOCX) == ["\n".join(f"p{k}" for k in range(20))]


def test_element_count_spans_chunk_boundaries(tmp_path, monkeypatch):
    monkeypatch.setattr(zipbounds, "_CHUNK", 7)
    path = _docx(tmp_path / "few.docx", paragraphs=3)
    with zipfile.ZipFile(path) as z:
        body = z.read("word/document.xml")
        infos = [z.getinfo("word/document.xml")]
    with path.open("rb") as raw:
        counted = zipbounds._elements(raw, infos, 10 ** 9)
    assert counted == body.count(b"<") - body.count(b"</")
