"""Counts in words everywhere, through domain.wording.plural: "1 document imported",
"3 documents imported", never "document(s)" — in logs, messages and screens alike."""

from __future__ import annotations

import logging
import re
import tokenize
from pathlib import Path

import pytest

import hmip_desktop
from hmip_desktop.domain import lifecycle as L
from hmip_desktop.services.documents import DocumentService
from hmip_desktop.services.readiness import readiness_report

# "document(s)", "match(es)", "entr(ies)" inside a string: a count left to the reader.
_MAYBE_PLURAL = re.compile(r"[A-Za-z]\((s|es|ies)\)")
_TEXT_TOKENS = {tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}


def _strings(path: Path):  # type: ignore[no-untyped-def]
    with path.open("rb") as f:
        for tok in tokenize.tokenize(f.readline):
            if tok.type in _TEXT_TOKENS:
                yield tok.start[0], tok.string


def test_no_text_leaves_the_plural_to_the_reader() -> None:
    """Every log line, message and label says '1 bundle' or '2 bundles' (wording.plural)."""
    root = Path(hmip_desktop.__file__).parent
    found = [f"{path.relative_to(root)}:{line}: {text}"
             for path in sorted(root.rglob("*.py")) for line, text in _strings(path)
             if _MAYBE_PLURAL.search(text)]
    assert not found, "\n".join(found)


def test_document_import_logs_the_count_in_words_and_nothing_else(
        store, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:  # type: ignore[no-untyped-def]
    secret = "Interview with Zebediah Quartermaine"
    files = []
    for i in range(3):
        path = tmp_path / f"zebediah-{i}.txt"
        path.write_text(f"{secret} part {i}", encoding="utf-8")
        files.append(path)
    with caplog.at_level(logging.INFO, logger="hmip_desktop"):
        DocumentService(store).import_files(files[:1])
        DocumentService(store).import_files(files[1:])
    lines = [r.getMessage() for r in caplog.records if r.name.endswith("documents")]
    assert lines == ["1 document imported", "2 documents imported"], lines
    assert not any(word in caplog.text.lower() for word in ("zebediah", "quartermaine"))


def test_readiness_and_status_refusal_count_in_words(store) -> None:  # type: ignore[no-untyped-def]
    items = [i.message for i in readiness_report(store).items]
    counted = [m for m in items if re.search(r"\d+ expectations? without evidence", m)]
    assert counted and not any("(s)" in m for m in items), items
    assert all(re.search(r"\b1 expectation without|\b([02-9]|\d\d+) expectations without", m)
               for m in counted), counted
    one = str(L.NotReadyForStatus(L.PUBLISHED, ["No agreed score for Safety."]))
    assert "1 item still blocks the report" in one and "Resolve it " in one, one
    two = str(L.NotReadyForStatus(L.PUBLISHED, ["a", "b"]))
    assert "2 items still block the report" in two and "Resolve them " in two, two

