"""Cells and a DOCTYPE that openpyxl cannot read, for the XLSX readers' tests (extracts,
documents, returned action plans): each must be refused as a damaged workbook, with exit 2,
and nothing of the cell in a message or the log."""

from __future__ import annotations

CELL = "Hostile-Cell-Text"  # never to appear in a message or the log
_REF = "&lol{};"
_ENTITIES = "".join(f'<!ENTITY lol{i} "{_REF.format(i - 1 or "") * 10}">' for i in range(1, 10))
LOL = f'<!DOCTYPE lolz [<!ENTITY lol "lol">{_ENTITIES}]>'  # "billion laughs"


def bad_cells(column: str) -> dict[str, str]:
    """Each kind of bad cell in `column`, with "{r}" for the row number."""
    c = column
    return {
        "date_garbage": f'<c r="{c}{{r}}" t="d"><v>{CELL}</v></c>',
        "date_out_of_range": f'<c r="{c}{{r}}" t="d"><v>2020-13-45</v></c>',
        "missing_shared_string": f'<c r="{c}{{r}}" t="s"><v>99999</v></c>',
        "reference_past_excel": f'<c r="ZZZZ{{r}}" t="inlineStr"><is><t>{CELL}</t></is></c>',
        "number_not_a_number": f'<c r="{c}{{r}}" t="n"><v>{CELL}</v></c>',
        "boolean_not_a_boolean": f'<c r="{c}{{r}}" t="b"><v>x</v></c>',
        "number_too_big": f'<c r="{c}{{r}}" t="n"><v>1e999</v></c>',
        "broken_xml": f'<c r="{c}{{r}}"><v>1</v></c><bad>',
        "entity_expansion": f'<c r="{c}{{r}}" t="inlineStr"><is><t>&lol9;</t></is></c>',
    }
