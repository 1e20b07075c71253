"""Search highlights travel as plain text plus spans; no sentinel character leaves storage."""

from __future__ import annotations

import html

from hmip_desktop.domain.search_query import Highlighted
from hmip_desktop.services.notes import NoteService
from hmip_desktop.services.search import search
from hmip_desktop.services.search_targets import search_targets
from hmip_desktop.storage.search_locate import highlighted

CONTROL = ("\x02", "\x03")


def test_marks_become_spans() -> None:
    """FTS5's sentinel marks turn into spans over the plain text."""
    assert highlighted("…the \x02cell\x03 bells and \x02cell\x03s…") == Highlighted(
        "…the cell bells and cells…", ((5, 9), (20, 24)))
    assert highlighted("no match here") == Highlighted("no match here")
    assert highlighted(None) == Highlighted("")


def test_stray_sentinels_in_the_text_are_dropped() -> None:
    """Text that itself holds a sentinel character never fails nor leaks it; the real match
    is still found."""
    got = highlighted("a\x02b \x03c \x02seg\x03 d\x03 e\x02")
    assert got.text == "ab c seg d e"
    assert [got.text[s:e] for s, e in got.spans] == ["seg"]


def test_wrap_escapes_text_not_wrappers() -> None:
    """Readers render spans their own way; escaping applies to the text only."""
    text = Highlighted("<a> & cell", ((6, 10),))
    assert text.wrap("[", "]") == "<a> & [cell]"
    assert text.wrap("<b>", "</b>", html.escape) == "&lt;a&gt; &amp; <b>cell</b>"
    assert text.first() == (6, 10) and Highlighted("x").first() is None


def test_note_text_with_control_characters(store) -> None:  # type: ignore[no-untyped-def]
    """A note whose title and body hold \\x02/\\x03 searches and opens like any other."""
    body = "Pasted \x03junk\x02 then \x02more \x03text. The segregation unit was calm."
    note_id = NoteService(store).add(source_kind="observation", title="Seg\x02ment \x03segregation",
                                     body=body)
    [hit] = search(store, "segregation")
    assert hit.entity_id == note_id
    for part in (hit.title, hit.snippet):
        assert not any(c in part.text for c in CONTROL)
        assert [part.text[s:e].lower() for s, e in part.spans] == ["segregation"]
    [target] = search_targets(store, "segregation")
    assert not any(c in target.snippet.text for c in CONTROL)
    assert target.offset == body.index("segregation")


def test_a_document_page_hit_names_its_document_and_page(store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A word on page 2 of a PDF finds a hit titled with the document and the page (pages
    are indexed untitled, which used to leave a blank title in Ctrl+K and `hmip search`)."""
    from hmip_desktop.services.documents import DocumentService
    from tests.evidence.conftest import make_pdf

    pdf = make_pdf(tmp_path / "Safer custody minutes.pdf", ["Minutes", "Governance lapsed"])
    [doc] = DocumentService(store).import_files([pdf])
    [hit] = search(store, "governance")
    assert (hit.kind, hit.entity_id) == ("document_page", doc.id)
    assert hit.title.text == f"{doc.title}, page 2"
    assert [hit.snippet.text[s:e] for s, e in hit.snippet.spans] == ["Governance"]
