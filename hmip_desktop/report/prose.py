"""Prose helpers shared by the report parts."""

from __future__ import annotations

from hmip_desktop.domain import report_doc as D


def marker(what: str) -> D.Paragraph:
    """The visible gap marker every renderer shows highlighted."""
    return D.Paragraph(f"{D.GAP_PREFIX}: {what}]", style="marker")


def paragraphs(text: str, missing: str | None, where: str = "") -> list[D.Block]:
    """Prose split on blank lines; a marker naming `missing` when there is none."""
    chunks = [c.strip() for c in str(text).replace("\r\n", "\n").split("\n\n") if c.strip()]
    if not chunks:
        return [marker(missing)] if missing else []
    return [D.Paragraph(c, where=where) for c in chunks]
