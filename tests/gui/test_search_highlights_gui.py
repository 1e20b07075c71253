"""The search dialog renders a hit's matched spans in bold and escapes its text."""

from __future__ import annotations

from hmip_desktop.domain.search_query import Highlighted
from hmip_desktop.ui.evidence.search_dialog import snippet_html


def test_snippet_html_bolds_spans_and_escapes_text() -> None:
    assert snippet_html(Highlighted("<x> & cell bells", ((6, 10),))) == \
        "&lt;x&gt; &amp; <b>cell</b> bells"
    assert snippet_html(Highlighted("plain")) == "plain"
