"""Merged cells of an XLSX sheet, found by streaming the sheet XML inside the ZIP."""

from __future__ import annotations

import posixpath
import re
import zipfile
from typing import BinaryIO
from xml.etree import ElementTree

from hmip_desktop.domain.errors import ImportFormatError


def _local(tag: str) -> str:
    """An XML tag without its namespace (transitional and strict OOXML differ only there)."""
    return tag.rsplit("}", 1)[-1]


def _sheet_part(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """The ZIP member holding a sheet's XML, found through workbook.xml and its relationships."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rel_id = None
    for element in workbook.iter():
        if _local(element.tag) == "sheet" and element.get("name") == sheet:
            rel_id = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
            break
    if rel_id is None:
        return None
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for element in rels.iter():
        if _local(element.tag) == "Relationship" and element.get("Id") == rel_id:
            target = element.get("Target", "")
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join("xl", target))
    return None


_ROOT_TAG = re.compile(rb"<(?:[\w.-]+:)?worksheet\b[^>]*>")
# '<' cannot appear unescaped in cell text, so these byte patterns only match real tags.
_END_OF_SHEET_DATA = re.compile(rb"</(?:[\w.-]+:)?sheetData\s*>|<(?:[\w.-]+:)?sheetData\b[^>]*/>")
_CHUNK = 1024 * 1024


def merged_ranges(stream: BinaryIO, sheet: str) -> list[str]:
    """The merged ranges ("A1:C1") of a sheet, read without parsing the (huge) cell data.

    The bytes of <sheetData> are skipped by a plain search; what follows it (where
    <mergeCells> lives) is fed to a streaming XML parser under the original root tag, so
    namespaces resolve as in the file.
    """
    with zipfile.ZipFile(stream) as archive:
        part = _sheet_part(archive, sheet)
        if part is None:
            raise ImportFormatError("the workbook is damaged (a sheet is missing)")
        refs: list[str] = []
        parser: ElementTree.XMLPullParser | None = None
        pending = b""
        root: bytes | None = None
        with archive.open(part) as member:
            for chunk in iter(lambda: member.read(_CHUNK), b""):
                if parser is not None:
                    parser.feed(chunk)
                else:
                    pending += chunk
                    if root is None:
                        found = _ROOT_TAG.search(pending)
                        if found is None:
                            continue
                        root = found.group(0)
                        pending = pending[found.end() :]
                    # bytes.find is far quicker than a regex over megabytes of cells.
                    end = _END_OF_SHEET_DATA.search(pending) if b"sheetData" in pending else None
                    if end is None:
                        pending = pending[-256:]  # keep enough to catch a tag split by the cut
                        continue
                    parser = ElementTree.XMLPullParser(events=("end",))
                    parser.feed(root)
                    parser.feed(pending[end.end() :])
                for _event, element in parser.read_events():
                    if _local(element.tag) == "mergeCell" and element.get("ref"):
                        refs.append(element.get("ref", ""))
    return refs


def _first_row(ref: str) -> int:
    """The top row of a range such as "B1:D2"."""
    digits = re.search(r"\d+", ref)
    return int(digits.group(0)) if digits else 0


def check_merged(stream: BinaryIO, sheet: str) -> None:
    """Refuse a sheet with merged cells, naming them (a merge leaves all but one cell empty)."""
    refs = merged_ranges(stream, sheet)
    if not refs:
        return
    shown = ", ".join(refs[:10]) + (f" and {len(refs) - 10} more" if len(refs) > 10 else "")
    if any(_first_row(ref) == 1 for ref in refs):
        raise ImportFormatError(
            f"the header row has merged cells ({shown}); unmerge them in Excel so that every "
            "column has its own heading in the first row, then save and import again",
            row=1,
        )
    raise ImportFormatError(
        f"the sheet has merged cells ({shown}); unmerge them in Excel so that every cell "
        "holds its own value, then save and import again"
    )
