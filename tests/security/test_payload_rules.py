"""Payload rules in isolation: depth measured without parsing, bounds without recursion."""

from __future__ import annotations

import pytest

from hmip_desktop.domain import records as R
from hmip_desktop.domain.csv_safety import neutralise_cell, restore_cell
from hmip_desktop.domain.payload_rules import (
    MAX_DEPTH,
    PayloadProblem,
    check_bounds,
    check_payload,
    json_depth,
)


@pytest.mark.parametrize(("text", "depth"), [
    ("1", 0), ('"[[[["', 0), ("[]", 1), ('{"a": [1, {"b": "]]]}\\\\"}]}', 3),
    ('["\\"[[[", [[]]]', 3), ("[" * 50_000 + "]" * 50_000, 50_000),
])
def test_json_depth(text: str, depth: int) -> None:
    assert json_depth(text) == depth
    assert json_depth(text.encode()) == depth


def test_bounds_are_iterative_and_named() -> None:
    deep: object = 1
    for _ in range(MAX_DEPTH + 5):
        deep = {"k": deep}
    with pytest.raises(PayloadProblem, match=f"limit: depth {MAX_DEPTH}"):
        check_bounds(deep)
    with pytest.raises(PayloadProblem, match="limit: 200,000"):
        check_bounds({"a": list(range(200_001))})
    check_bounds({"a": [[1, 2], {"b": "c"}]})


def test_known_types_accept_what_the_app_writes() -> None:
    check_payload(R.NOTE, 1, {"source_kind": "observation", "title": "t", "body": "b",
                              "occurred_at": None, "interpreter_used": False, "extra": [1]})
    check_payload(R.LINK, 1, {"evidence_id": "e", "evidence_type": "note",
                              "expectation_ref": "1", "start": None, "end": 4, "page": None})
    check_payload(R.DOCUMENT, 1, {"title": "d", "filename": "d.pdf", "mime": "application/pdf",
                                  "sha256": "a" * 64, "size": 3, "pages": 1})
    with pytest.raises(PayloadProblem, match="'size'"):
        check_payload(R.DOCUMENT, 1, {"size": True})
    with pytest.raises(PayloadProblem, match="negative field 'start'"):
        check_payload(R.LINK, 1, {"start": -1})
    with pytest.raises(PayloadProblem, match="unknown record type"):
        check_payload("nope", 1, {})


@pytest.mark.parametrize("cell", ["=1+1", "+44 1234", "-3", "@SUM(A1)", "\tx", "plain", ""])
def test_csv_cells_round_trip(cell: str) -> None:
    written = neutralise_cell(cell)
    assert not str(written).startswith(("=", "+", "-", "@", "\t", "\r"))
    assert restore_cell(str(written)) == cell
