"""Refusing data extracts whose bytes contradict their name, and file fingerprints."""

from __future__ import annotations

import hashlib
import threading

import pytest

from hmip_desktop.domain.errors import Cancelled, ImportFormatError
from hmip_desktop.ingest.tabular import (
    FileFingerprint,
    file_fingerprint,
    iter_rows,
    sha256_file,
    sniff,
    table_kind,
)


def test_pdf_renamed_csv(tmp_path):
    path = tmp_path / "uof.csv"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    with pytest.raises(ImportFormatError, match="named .csv but it is really a PDF document"):
        sniff(path)


def test_xlsx_renamed_csv(write_xlsx, tmp_path):
    source = write_xlsx("real.xlsx", {"S": [["a"], [1]]})
    path = tmp_path / "fake.csv"
    path.write_bytes(source.read_bytes())
    with pytest.raises(ImportFormatError, match="rename it to end in .xlsx"):
        sniff(path)


def test_text_renamed_xlsx(write_text):
    path = write_text("fake.xlsx", "a,b\n1,2\n")
    with pytest.raises(ImportFormatError, match="really a text file.*rename it to end in .csv"):
        sniff(path)


def test_old_xls_is_refused(tmp_path):
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(ImportFormatError, match="save it as .xlsx"):
        sniff(path)


def test_binary_renamed_csv(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ImportFormatError, match="binary data"):
        sniff(path)


def test_unsupported_extension(tmp_path):
    path = tmp_path / "data.json"
    path.write_text("{}")
    with pytest.raises(ImportFormatError, match="only CSV files and Excel workbooks"):
        sniff(path)


def test_tsv_and_txt_are_csv(write_text):
    assert table_kind(write_text("a.tsv", "a\tb\n1\t2\n")) == "csv"
    assert sniff(write_text("a.txt", "a|b\n1|2\n")).delimiter == "|"


def test_file_replaced_by_other_kind_after_sniff(write_text, write_xlsx, tmp_path):
    found = sniff(write_xlsx("a.xlsx", {"S": [["a"], [1]]}))
    path = write_text("b.csv", "a\n1\n")
    with pytest.raises(ImportFormatError, match="changed since it was checked"):
        next(iter_rows(path, found))


def test_sha256_and_fingerprint(tmp_path):
    path = tmp_path / "f.bin"
    data = b"x" * (3 * 1024 * 1024 + 5)
    path.write_bytes(data)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()
    fingerprint = file_fingerprint(path)
    assert fingerprint == FileFingerprint(hashlib.sha256(data).hexdigest(), len(data))
    assert str(fingerprint) == f"sha256:{fingerprint.sha256}:{len(data)}"
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        sha256_file(path, cancel=cancel)


@pytest.mark.parametrize("name", ["uof.xlsx", "uof.csv"])
def test_a_workbook_cut_short_is_called_damaged_not_binary(write_xlsx, tmp_path, name):
    """A copy cut short still starts like a ZIP archive: say it is damaged, not "binary"."""
    from hmip_desktop.domain.errors import ValidationError
    from hmip_desktop.ingest.documents import detect_mime

    whole = write_xlsx("whole.xlsx", {"S": [["a"], *[[i] for i in range(500)]]}).read_bytes()
    path = tmp_path / name
    path.write_bytes(whole[:len(whole) // 2])
    with pytest.raises(ImportFormatError, match="damaged or incomplete"):
        table_kind(path)
    with pytest.raises(ValidationError, match="damaged or incomplete"):
        detect_mime(path)
