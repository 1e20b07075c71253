"""Low-level WordprocessingML that python-docx has no API for, used by `docx_writer`.

Fields (TOC, PAGE, NUMPAGES), bookmarks, per-list numbering restarts, repeating table
header rows, the document language, and a ZIP rewrite with fixed member dates so the same
document gives the same bytes. Nothing here knows about reports.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime

from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Length
from docx.table import Table, _Row
from docx.text.paragraph import Paragraph as DocxParagraph

from hmip_desktop.domain.steps import Steps
from hmip_desktop.report.xml_text import xml_text

_BOOKMARK_UNSAFE = re.compile(r"[^A-Za-z0-9_]")
# The date DOS/ZIP can represent first: every member gets it so output is reproducible.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def clean(text: str) -> str:
    """`text` without characters XML cannot carry, with Windows line ends made plain."""
    return xml_text(text.replace("\r\n", "\n"))


def creation_time(created: str) -> datetime:
    """An aware datetime for an ISO date or date-time (naive values are taken as UTC)."""
    try:
        value = datetime.fromisoformat(created.strip())
    except ValueError:
        return datetime(1980, 1, 1, tzinfo=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _run_with(paragraph: DocxParagraph, child: BaseOxmlElement) -> None:
    run = paragraph.add_run()
    run._r.append(child)


def add_simple_field(paragraph: DocxParagraph, instruction: str, placeholder: str) -> None:
    """A w:fldSimple (PAGE, NUMPAGES…) whose shown result is `placeholder` until updated."""
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), f" {instruction} ")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = placeholder
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)


def add_complex_field(paragraph: DocxParagraph, instruction: str, placeholder: str) -> None:
    """begin / instrText / separate / placeholder result / end: Word recomputes the result."""
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    _run_with(paragraph, begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    _run_with(paragraph, instr)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    _run_with(paragraph, separate)
    paragraph.add_run(placeholder)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    _run_with(paragraph, end)


class Bookmarks:
    """Unique, valid bookmark names (letter first, ≤ 40 chars) for heading keys."""

    def __init__(self) -> None:
        self._used: set[str] = set()
        self._next_id = 0

    def name_for(self, key: str) -> str:
        base = ("h_" + _BOOKMARK_UNSAFE.sub("_", key))[:36]
        name, n = base, 1
        while name.lower() in self._used:
            n += 1
            name = f"{base}_{n}"
        self._used.add(name.lower())
        return name

    def wrap(self, paragraph: DocxParagraph, key: str) -> str:
        """Put the paragraph's content inside a bookmark named after `key`; returns the name."""
        name = self.name_for(key)
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), str(self._next_id))
        start.set(qn("w:name"), name)
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), str(self._next_id))
        self._next_id += 1
        p = paragraph._p
        ppr = p.pPr
        if ppr is not None:
            ppr.addnext(start)
        else:
            p.insert(0, start)
        p.append(end)
        return name


def restarted_numbering(document: DocxDocument, style_name: str, start: int) -> int:
    """A new w:num sharing the list style's abstract numbering, starting again at `start`.

    Returns its numId; paragraphs that carry it count 1, 2, 3… from `start` independently
    of every other list in the document.
    """
    style_numpr = document.styles[style_name].element.pPr.numPr
    numbering = document.part.numbering_part.element
    base = numbering.num_having_numId(style_numpr.numId.val)
    num = numbering.add_num(base.abstractNumId.val)
    override = num.add_lvlOverride(ilvl=0)
    override.add_startOverride(max(int(start), 0))
    return int(num.numId)


def set_numbering(paragraph: DocxParagraph, num_id: int, level: int = 0) -> None:
    numpr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    numpr.get_or_add_ilvl().val = level
    numpr.get_or_add_numId().val = num_id


_W_R, _W_BR, _W_TAB, _W_T = (qn(t) for t in ("w:r", "w:br", "w:tab", "w:t"))
_XML_SPACE = qn("xml:space")


def _sub(parent: BaseOxmlElement, tag: str) -> BaseOxmlElement:
    """Append a bare child element (cheaper than OxmlElement, which rebuilds namespaces)."""
    child = parent.makeelement(tag, {})
    parent.append(child)
    return child


def _text_run(parent: BaseOxmlElement, text: str) -> None:
    """A w:r for `text` under `parent`, line feeds as w:br and tabs as w:tab (as python-docx)."""
    run = _sub(parent, _W_R)
    for i, line in enumerate(text.split("\n")):
        if i:
            _sub(run, _W_BR)
        for j, piece in enumerate(line.split("\t")):
            if j:
                _sub(run, _W_TAB)
            if piece:
                t = _sub(run, _W_T)
                t.set(_XML_SPACE, "preserve")
                t.text = piece


def append_row(table: Table, texts: list[str], widths: list[Length], *,
               right_align_last: bool = False) -> None:
    """Append a body row of plain-text cells straight as XML.

    python-docx's cell API costs ~0.2 ms a cell; appendix tables run to thousands of rows.
    """
    tr = _sub(table._tbl, qn("w:tr"))
    last = len(texts) - 1
    for c, text in enumerate(texts):
        tc = _sub(tr, qn("w:tc"))
        tcw = _sub(_sub(tc, qn("w:tcPr")), qn("w:tcW"))
        tcw.set(qn("w:w"), str(int(widths[c]) // 635))  # EMU to twips
        tcw.set(qn("w:type"), "dxa")
        p = _sub(tc, qn("w:p"))
        if right_align_last and c == last:
            jc = _sub(_sub(p, qn("w:pPr")), qn("w:jc"))
            jc.set(qn("w:val"), "right")
        if text:
            _text_run(p, text)


def repeat_as_header(row: _Row) -> None:
    """Mark a table row as a header row Word repeats at the top of every page."""
    trpr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)
    cant_split = OxmlElement("w:cantSplit")
    trpr.insert(0, cant_split)


def set_language(document: DocxDocument, language: str) -> None:
    """Proofing language of every style (docDefaults) and the theme fonts."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), language)
    theme_lang = document.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), language)


# Elements that follow w:updateFields in CT_Settings; it must be inserted before the first.
_AFTER_UPDATE_FIELDS = ("w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat",
                        "w:docVars", "w:rsids", "m:mathPr", "w:attachedSchema",
                        "w:themeFontLang", "w:clrSchemeMapping")


def update_fields_on_open(document: DocxDocument) -> None:
    """Ask Word to refresh fields (the table of contents, page counts) when it opens the file."""
    settings = document.settings.element
    if settings.find(qn("w:updateFields")) is not None:
        return
    flag = OxmlElement("w:updateFields")
    flag.set(qn("w:val"), "true")
    for tag in _AFTER_UPDATE_FIELDS:
        follower = settings.find(qn(tag))
        if follower is not None:
            follower.addprevious(flag)
            return
    settings.append(flag)


def drop_thumbnail(document: DocxDocument) -> None:
    """Remove the template's stock preview picture (it shows a page that is not this one)."""
    rels = document.part.package.rels
    for rid, rel in list(rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            rels.pop(rid)


def docx_bytes(document: DocxDocument, steps: Steps | None = None) -> bytes:
    """The saved package with every ZIP member dated 1980-01-01, in python-docx's order.

    python-docx stamps members with the current time; fixing it (with fixed core
    properties) makes the same document give byte-identical files. `steps` moves half way
    once python-docx has saved, then member by member (each a Cancel check): the two take
    about the same time.
    """
    steps = steps or Steps()
    raw = io.BytesIO()
    document.save(raw)
    steps.at(1, 2)
    rewrite = steps.part(0.5, 1)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        members = src.infolist()
        for n, info in enumerate(members):
            rewrite.at(n, len(members))
            member = zipfile.ZipInfo(info.filename, date_time=_ZIP_EPOCH)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o600 << 16
            member.create_system = 0
            dst.writestr(member, src.read(info.filename))
    return out.getvalue()
