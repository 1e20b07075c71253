"""Tooltips that show their text as it is.

Qt renders a tooltip as rich text when it looks like HTML, so a note title, a file name or a
cell that came in another laptop's bundle (or an imported extract) could bring headings,
colours or images into it. Every tooltip that carries data goes through `literal_tip`: the
text escaped inside <qt>…</qt>, which Qt shows literally (and word-wraps when long).
"""

from __future__ import annotations

from html import escape


def literal_tip(text: object) -> str:
    """`text` as a tooltip shown literally; "" for no text (no tooltip)."""
    plain = "" if text is None else str(text)
    if not plain:
        return ""
    return "<qt>" + escape(plain, quote=False).replace("\n", "<br>") + "</qt>"
