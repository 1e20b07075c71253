"""Fixture builders for the ingest tests: every file is written into tmp_path by the test."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from hmip_desktop.ingest.tabular import iter_rows, sniff


@pytest.fixture
def write_text(tmp_path: Path) -> Callable[..., Path]:
    """Write text to tmp_path/name in the given encoding (newlines kept as written)."""

    def write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return write


@pytest.fixture
def write_xlsx(tmp_path: Path) -> Callable[..., Path]:
    """Write rows (and optional merges) to a workbook; `sheets` maps sheet name to rows."""

    def write(
        name: str, sheets: dict[str, list[list[object]]], merges: tuple[str, ...] = ()
    ) -> Path:
        workbook = openpyxl.Workbook()
        workbook.remove(workbook.active)
        for index, (title, rows) in enumerate(sheets.items()):
            sheet = workbook.create_sheet(title)
            for row in rows:
                sheet.append(row)
            if index == 0:
                for ref in merges:
                    sheet.merge_cells(ref)
        path = tmp_path / name
        workbook.save(path)
        return path

    return write


@pytest.fixture
def read_all() -> Callable[..., list[tuple]]:
    """Sniff and read a whole file into one list of row tuples."""

    def read(path: Path, **kwargs: object) -> list[tuple]:
        found = sniff(path)
        return [row for batch in iter_rows(path, found, **kwargs) for row in batch]  # type: ignore[arg-type]

    return read
