"""Reports and letters name the Expectations by title and edition as published: never the
framework's working note on its edition ("'6' is this app's numbering ..."), also for a file
pinned before frameworks kept that note apart ('edition_note')."""

from __future__ import annotations

from pathlib import Path

import docx
import pypdf
import pytest

from hmip_desktop.cli.common import open_store
from hmip_desktop.cli.frameworks_cmds import describe
from hmip_desktop.domain import records as R
from hmip_desktop.domain.framework_pinned import read_pinned
from hmip_desktop.services.framework_naming import with_shipped_naming
from hmip_desktop.services.frameworks import FrameworkService
from hmip_desktop.services.inspection_record import pinned_framework_data
from hmip_desktop.services.report import UN_LETTER, ExportOptions, ReportService
from tests.report.support import cli_runner, full_inspection

TITLE = "Expectations: criteria for assessing the treatment of and conditions for men in prisons"
NAMED = f"{TITLE} (Current edition)"
OLD_EDITION = ("Current Expectations for men in prison (version 6 not confirmed: '6' is this "
               "app's numbering of the version that uses 'Preparation for release')")
WORKING_WORDS = ("numbering", "not confirmed", "version 6")


@pytest.fixture
def run(capsys):  # type: ignore[no-untyped-def]
    return cli_runner(capsys)


def _pdf_text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(str(path)).pages)


def _docx_text(path: Path) -> str:
    word = docx.Document(str(path))
    cells = [c.text for t in word.tables for r in t.rows for c in r.cells]
    return " ".join([p.text for p in word.paragraphs] + cells)


def _no_working_note(text: str) -> None:
    for words in WORKING_WORDS:
        assert words not in text


def test_report_and_letter_name_the_expectations_by_title_and_edition(run, tmp_path) -> None:
    path = full_inspection(run, tmp_path)  # a men's prison in 2026: the current version
    assert run("un", "set", path, "--reason", "Poor safety").code == 0
    for args in (("pdf", "--out", tmp_path / "r.pdf"), ("docx", "--out", tmp_path / "r.docx"),
                 ("un-letter", "--out", tmp_path / "un.pdf"),
                 ("un-letter", "--out", tmp_path / "un.docx")):
        assert run("report", *args[:1], path, *args[1:]).code == 0, args
    report_pdf, report_docx = _pdf_text(tmp_path / "r.pdf"), _docx_text(tmp_path / "r.docx")
    for text in (report_pdf, report_docx):
        assert NAMED in text  # the fact page's "Inspected against" row
        assert f"judged the establishment against {NAMED}." in text
        _no_working_note(text)
    for text in (_pdf_text(tmp_path / "un.pdf"), _docx_text(tmp_path / "un.docx")):
        _no_working_note(text)


def test_a_file_pinned_with_the_old_edition_text_is_named_as_published(run, tmp_path) -> None:
    """The pinned data keeps the note in 'edition' (files made before the split): the report
    takes the naming of the shipped framework of the same id and version."""
    path = full_inspection(run, tmp_path)
    assert run("un", "set", path, "--reason", "Poor safety").code == 0
    with open_store(str(path)) as store:
        old = {k: v for k, v in pinned_framework_data(store).items()
               if k not in ("edition_verified", "edition_note")}
        assert (old["id"], old["version"]) == ("men-prisons", "6")
        with store.uow(write=True) as tx:
            store.put(tx, R.FRAMEWORK, R.framework_record_id(store.inspection_id),
                      {**old, "edition": OLD_EDITION})
        doc = ReportService(store).build(ExportOptions())
        letter = ReportService(store).build(ExportOptions(document=UN_LETTER))
    texts = [t for _w, t in doc.located_texts()]
    assert NAMED in texts  # the fact page's "Inspected against" row
    assert any(f"against {NAMED}." in t for t in texts)  # Appendix: about this inspection
    _no_working_note(" ".join(texts + [t for _w, t in letter.located_texts()]))


def test_shipped_naming_leaves_imported_and_current_data_alone() -> None:
    data = FrameworkService().resolve_for_new("mens_prison", "men-prisons", "6")
    fw = read_pinned(data)
    assert fw.edition == "Current edition" and not fw.edition_verified
    assert "numbering" in fw.edition_note  # the note stays with the framework
    assert f"  edition note: {OLD_EDITION}" in describe(fw)  # hmip frameworks show
    assert fw.published_name == NAMED
    old = {k: v for k, v in data.items() if k not in ("edition_verified", "edition_note")}
    old["edition"] = OLD_EDITION
    assert with_shipped_naming(read_pinned(old), old).published_name == NAMED
    imported = {**old, "status": "imported"}  # a user's framework is never renamed
    assert with_shipped_naming(read_pinned(imported), imported).edition == OLD_EDITION
    own = {**data, "edition": "As the team wrote it"}  # new data names itself
    assert with_shipped_naming(read_pinned(own), own).edition == "As the team wrote it"
    odd = {**old, "id": "../../etc", "version": "6"}  # never a path outside the resources
    assert with_shipped_naming(read_pinned(odd), odd).edition == OLD_EDITION
