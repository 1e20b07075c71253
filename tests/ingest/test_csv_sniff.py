"""Sniffing CSV extracts: encodings, delimiters, header detection and type inference."""

from __future__ import annotations

import pytest

from hmip_desktop.domain.errors import ImportFormatError
from hmip_desktop.ingest.coltypes import infer_str_column, str_to_date, str_to_decimal, str_to_int
from hmip_desktop.ingest.tabular import ColumnSpec, sniff

TABLE = "Name,Wing,Count,Date\nAbel,A,3,31/01/2024\nBéla £5,B,,01/02/2024\n"


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),
        ("cp1252", "cp1252"),
    ],
)
def test_encodings_are_detected(write_text, encoding, expected):
    path = write_text("data.csv", TABLE, encoding)
    found = sniff(path)
    assert found.kind == "csv"
    assert found.encoding == expected
    assert found.has_header
    assert [c.name for c in found.columns] == ["Name", "Wing", "Count", "Date"]
    assert found.sample[1][0] == "Béla £5"


def test_utf16_without_bom_is_detected(write_text):
    path = write_text("data.csv", TABLE, "utf-16-le")
    assert sniff(path).encoding == "utf-16-le"


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_delimiters_are_detected(write_text, delimiter):
    rows = [
        ["Prison number", "Location", "Minutes"],
        ["A1234BC", "Wing A, cell 3", "12.5"],
        ["A2345CD", "Seg; unit", "7"],
        ["A3456DE", "Healthcare", ""],
    ]
    text = "".join(
        delimiter.join(f'"{c}"' if ("," in c or ";" in c) else c for c in row) + "\r\n"
        for row in rows
    )
    found = sniff(write_text("data.csv", text))
    assert found.delimiter == delimiter
    assert [c.type for c in found.columns] == ["text", "text", "decimal"]
    assert found.sample[0][1] == "Wing A, cell 3"


def test_single_column_file(write_text):
    found = sniff(write_text("ids.csv", "Prison number\nA1\nA2\n"))
    assert [c.name for c in found.columns] == ["Prison number"]


def test_headerless_file_gets_numbered_columns(write_text):
    found = sniff(write_text("data.csv", "1,31/01/2024,Wing A\n2,01/02/2024,Wing B\n"))
    assert not found.has_header
    assert found.columns == [
        ColumnSpec("column_1", "integer"),
        ColumnSpec("column_2", "date"),
        ColumnSpec("column_3", "text"),
    ]
    assert len(found.sample) == 2


def test_header_can_be_overridden(write_text):
    path = write_text("data.csv", "Smith,Jones\nBrown,Green\n")
    assert sniff(path).has_header
    found = sniff(path, has_header=False)
    assert [c.name for c in found.columns] == ["column_1", "column_2"]
    assert found.sample[0] == ["Smith", "Jones"]


def test_type_inference_with_nulls_and_uk_dates(write_text):
    text = (
        "id,amount,uk,dashed,iso,named,stamp,midnight,code,big,mixed\n"
        "1,1.5,31/12/2023,31-12-2023,2023-12-31,3 Jan 2024,"
        "2024-01-03 14:05,2024-01-03 00:00:00,007,1,1\n"
        ",,,,,,,,,,\n"
        '"1,234",2,01/02/2024,01-02-2024,2024-02-01,15 September 2024,'
        "2024-01-04 09:00,2024-01-04 00:00,010,99999999999999999999,x\n"
        "3,-0.25,  ,,,,,,,2,2\n"
    )
    found = sniff(write_text("types.csv", text))
    types = {c.name: c.type for c in found.columns}
    assert types == {
        "id": "integer",
        "amount": "decimal",
        "uk": "date",
        "dashed": "date",
        "iso": "date",
        "named": "date",
        "stamp": "text",
        "midnight": "date",
        "code": "text",  # leading zeros would be lost as a number
        "big": "decimal",  # beyond 64-bit integers
        "mixed": "text",
    }
    assert len(found.sample) == 3  # the all-empty row is skipped, as when reading
    assert found.sample[2][2] is None  # whitespace only is null
    assert found.sample[2][3] is None


def test_us_dates_are_not_read_as_dates(write_text):
    found = sniff(write_text("d.csv", "when\n12/31/2024\n01/02/2024\n"))
    assert found.columns[0].type == "text"


def test_all_null_column_is_text(write_text):
    found = sniff(write_text("d.csv", "a,b\n1,\n2,\n"))
    assert [c.type for c in found.columns] == ["integer", "text"]


def test_sample_rows_limit(write_text):
    text = "n\n" + "".join(f"{i}\n" for i in range(500))
    assert len(sniff(write_text("n.csv", text), sample_rows=50).sample) == 50


def test_string_converters():
    assert str_to_int(" 12 ") == 12
    assert str_to_int("-1,234,567") == -1234567
    assert str_to_int("") is None
    assert str_to_decimal("+1,234.50") == "1234.50"
    assert str_to_decimal("007.5") == "7.5"
    assert str_to_decimal(".5") == "0.5"
    assert str_to_date("3 Jan 2024") == "2024-01-03"
    assert str_to_date("03-Jan-2024") == "2024-01-03"
    assert str_to_date("1/2/2024") == "2024-02-01"
    assert str_to_date("2024-01-03T00:00:00") == "2024-01-03"
    assert infer_str_column(["29/02/2023"]) == "text"  # not a real day
    assert infer_str_column(["1", "2.5", None]) == "decimal"
    assert infer_str_column(["1,5"]) == "text"  # a decimal comma is not a UK number


def test_encoding_and_delimiter_overrides(write_text):
    path = write_text("d.csv", "a;b\n1;é\n", "cp1252")
    found = sniff(path, encoding="latin-1", delimiter=",")
    assert (found.encoding, found.delimiter) == ("iso8859-1", ",")
    assert [c.name for c in found.columns] == ["a;b"]
    assert found.sample == [["1;é"]]
    with pytest.raises(ImportFormatError, match="not a known text encoding"):
        sniff(path, encoding="klingon")
    with pytest.raises(ImportFormatError, match="delimiter"):
        sniff(path, delimiter=":")


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"])
def test_old_mac_line_endings_read_as_windows_ones_do(write_text, read_all, newline):
    """A lone CR ends a row (csv.reader says so): a CR-only file is no unclosed quote."""
    path = write_text("m.csv", newline.join(["name,count", "a,1", "b,2", ""]))
    found = sniff(path)
    assert [c.name for c in found.columns] == ["name", "count"]
    assert found.delimiter == ","
    assert read_all(path) == [("a", 1), ("b", 2)]


def test_a_header_longer_than_the_sample_is_not_counted_as_its_width(write_text, monkeypatch):
    """Only the part of a too-wide header inside the sample was seen: say 'more than'."""
    from hmip_desktop.ingest import csvread

    monkeypatch.setattr(csvread, "SAMPLE_BYTES", 4096)
    path = write_text("w.csv", ",".join(f"c{i}" for i in range(5000)) + "\n" +
                      ",".join("1" * 5000) + "\n")
    with pytest.raises(ImportFormatError) as caught:
        sniff(path)
    message = str(caught.value)
    assert "more than 500 columns" in message and "limit: columns" in message
