"""Bounds on an Office file (XLSX, DOCX) checked from its ZIP directory and a byte scan of
its XML, before a library inflates or parses anything (a "ZIP bomb")."""

from __future__ import annotations

import zipfile
import zlib
from typing import BinaryIO

from hmip_desktop.domain.errors import ImportFormatError

# Bounds checked on the ZIP directory before anything is inflated. Python's zipfile never
# yields more than a member's declared size (a lie fails its CRC check), so declared sizes
# are a sound bound. openpyxl streams the sheets but reads every other part it uses whole
# (shared strings, styles, the theme, a chart sheet's images); python-docx reads every part
# the document relates to whole. Those parts are bounded one by one and together.
MAX_PART_BYTES = 64 * 1024 * 1024  # one part read whole
MAX_SHARED_STRINGS_BYTES = MAX_PART_BYTES  # openpyxl keeps every shared string in memory
MAX_HELD_BYTES = 256 * 1024 * 1024  # all the parts read whole, together
MAX_DECOMPRESSED_BYTES = 2 * 1024 * 1024 * 1024
MAX_MEMBERS = 10_000
MAX_RATIO = 200  # XML compresses 5-50 times; a bomb, thousands of times
RATIO_FLOOR_BYTES = 1024 * 1024  # a part this small may compress as it likes
# The XML parts read whole become trees of some 300 bytes an element: a 16 MB body of
# empty paragraphs took 666 MB and half a minute. A 1,000-page report has some 600,000.
MAX_ELEMENTS = 1_000_000
_CHUNK = 1024 * 1024


def _mib(n: int) -> str:
    """A limit in words: "64 MiB", "2 GiB"."""
    return f"{n / (1024 * 1024):g} MiB" if n < 1024 ** 3 else f"{n / 1024 ** 3:g} GiB"


def check_zip_bounds(raw: BinaryIO, what: str, held_part: str, held_limit: int,
                     held_label: str, *, streamed: str | None = None) -> None:
    """Refuse an Office file whose parts would inflate beyond the limits. `held_part` is the
    part named by its own limit (shared strings, a Word document's body); parts whose name
    starts with `streamed` are read piece by piece, every other part whole."""
    if not raw.seekable():
        return

    def refuse(problem: str) -> ImportFormatError:
        return ImportFormatError(f"the {what} {problem}; it cannot be imported safely")

    try:
        with zipfile.ZipFile(raw) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # openpyxl reports a damaged file in its own words
    finally:
        raw.seek(0)
    if len(infos) > MAX_MEMBERS:
        raise refuse(f"has more than {MAX_MEMBERS:,} parts (limit: parts)")
    total = packed = held = 0
    for info in infos:
        size = info.file_size
        total += size
        packed += info.compress_size
        name = info.filename.lower()
        if name.endswith(held_part) and size > held_limit:
            raise refuse(f"holds more than {_mib(held_limit)} of text (limit: {held_label})")
        if streamed is None or not name.startswith(streamed):
            if size > MAX_PART_BYTES:
                raise refuse(f"has a part that unpacks to more than {_mib(MAX_PART_BYTES)} "
                             "(limit: part size)")
            held += size
        if size > RATIO_FLOOR_BYTES and size > MAX_RATIO * max(info.compress_size, 1):
            raise refuse(f"has a part that expands more than {MAX_RATIO} times when unpacked "
                         "(limit: compression ratio)")
    if held > MAX_HELD_BYTES:
        whole = "its parts" if streamed is None else "its parts other than the sheets"
        raise refuse(f"is too big to read: {whole} unpack to more than {_mib(MAX_HELD_BYTES)} "
                     "(limit: unpacked size of the parts read whole)")
    if total > MAX_DECOMPRESSED_BYTES:
        raise refuse(f"unpacks to more than {_mib(MAX_DECOMPRESSED_BYTES)} "
                     "(limit: decompressed size)")
    if total > RATIO_FLOOR_BYTES and total > MAX_RATIO * max(packed, 1):
        raise refuse(f"expands more than {MAX_RATIO} times when unpacked "
                     "(limit: compression ratio)")
    # Shared strings are read as a list of strings, not a tree: their size limit covers them.
    trees = [i for i in infos if i.filename.lower().endswith((".xml", ".rels"))
             and (streamed is None or not i.filename.lower().startswith(streamed)
                  and not i.filename.lower().endswith(held_part))]
    if _elements(raw, trees, MAX_ELEMENTS) > MAX_ELEMENTS:
        where = " outside the sheets" if streamed else ""
        raise refuse(f"holds more than {MAX_ELEMENTS:,} XML elements{where} (limit: elements)")


def _elements(raw: BinaryIO, infos: list[zipfile.ZipInfo], limit: int) -> int:
    """About how many elements the XML parts hold (start tags), counted up to past `limit`
    by scanning bytes, so no tree is built; every part is within the size limits already."""
    count = 0
    try:
        with zipfile.ZipFile(raw) as archive:
            for info in infos:
                tail = b""
                with archive.open(info) as member:
                    for chunk in iter(lambda m=member: m.read(_CHUNK), b""):
                        # A "</" cut by the chunk boundary is counted once, with its "<".
                        count += chunk.count(b"<") - (tail + chunk).count(b"</")
                        tail = chunk[-1:]
                        if count > limit:
                            return count
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error):
        return 0  # the library reports a damaged file in its own words
    finally:
        raw.seek(0)
    return count


