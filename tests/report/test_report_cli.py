"""`hmip finding` and `hmip report …` in-process: text parts, terms, marking, disclosure
refusals naming each hit, redaction, and the Urgent Notification letter."""

from __future__ import annotations

import io
import json
from pathlib import Path

import docx
import pytest

from tests.report.support import cli_runner, full_inspection


@pytest.fixture
def run(capsys):  # type: ignore[no-untyped-def]
    return cli_runner(capsys)


def _docx_text(path: Path) -> str:
    d = docx.Document(str(path))
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in d.paragraphs] + cells)


def test_findings_from_the_command_line(run, tmp_path: Path, monkeypatch) -> None:
    path = full_inspection(run, tmp_path)
    assert run("finding", "set", path, "--section", "safety", "--area",
               "early-days-in-custody", "--text", "Reception was calm.").out.strip() == "saved"
    monkeypatch.setattr("sys.stdin", io.StringIO("Violence was high."))
    assert run("finding", "set", path, "--section", "safety", "--area", "managing_behaviour",
               "--text-file", "-").code == 0
    rows = json.loads(run("finding", "list", path, "--json").out)
    assert [(r["area_key"], r["text"]) for r in rows] == [
        ("early_days_in_custody", "Reception was calm."),
        ("managing_behaviour", "Violence was high.")]
    bad = run("finding", "set", path, "--section", "nonsense", "--text", "x")
    assert bad.code == 2


def test_text_parts_terms_and_marking(run, tmp_path: Path, monkeypatch) -> None:
    path = full_inspection(run, tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO("First paragraph.\n\nSecond paragraph."))
    assert run("report", "text", "set", path, "--part", "introduction",
               "--text-file", "-").code == 0
    assert run("report", "text", "set", path, "--part", "fact-page", "--text",
               "A category B reception prison.").code == 0
    parts = {p["key"]: p["text"] for p in json.loads(run("report", "text", "show", path,
                                                         "--json").out)}
    assert parts["introduction"] == "First paragraph.\n\nSecond paragraph."
    assert parts["fact_page"] == "A category B reception prison."
    assert run("report", "text", "set", path, "--part", "nope", "--text", "x").code == 2

    assert run("report", "terms", "add", path, "Mr Pryce", "Dr Jones").code == 0
    assert run("report", "terms", "add", path, "mr pryce").out.strip() == "0 terms added"
    assert json.loads(run("report", "terms", "list", path, "--json").out) == [
        "Dr Jones", "Mr Pryce"]
    assert run("report", "terms", "remove", path, "Dr Jones").code == 0
    assert run("report", "terms", "remove", path, "Dr Jones").code == 2
    assert run("report", "marking", path).out.strip() == "OFFICIAL-SENSITIVE"
    assert run("report", "marking", path, "--set", "OFFICIAL").out.strip() == "OFFICIAL"


def test_export_refuses_on_disclosure_naming_each_hit(run, tmp_path: Path) -> None:
    path = full_inspection(run, tmp_path)
    run("concern", "add", path, "--title", "Delays", "--test", "safety", "--body",
        "A1234BC waited for hours; Mr Pryce agreed.")
    run("report", "terms", "add", path, "Mr Pryce")
    out = tmp_path / "draft.docx"
    checked = json.loads(run("report", "check", path, "--json").out)
    assert sorted(h["kind"] for h in checked["disclosure"]) == ["prison_number", "term"]
    refused = run("report", "docx", path, "--out", out)
    assert refused.code == 2 and not out.exists()
    assert 'prison number "A1234BC"' in refused.err and 'Mr Pryce' in refused.err
    assert "Key concern 1" in refused.err
    assert list(tmp_path.glob(".hmip-export-*")) == []
    done = run("report", "docx", path, "--out", out, "--redact")
    assert done.code == 0 and "2 disclosure hits replaced" in done.out
    text = _docx_text(out)
    assert "A1234BC" not in text and "Pryce" not in text and "[redacted] waited" in text
    assert "not encrypted" in done.err


def test_require_ready_refuses_with_blockers(run, tmp_path: Path) -> None:
    path = full_inspection(run, tmp_path)
    out = tmp_path / "draft.docx"
    refused = run("report", "docx", path, "--out", out, "--require-ready")
    assert refused.code == 2 and "blocks: " in refused.err and not out.exists()


def test_un_letter(run, tmp_path: Path) -> None:
    path = full_inspection(run, tmp_path)
    out = tmp_path / "un.docx"
    missing = run("report", "un-letter", path, "--out", out)
    assert missing.code == 2 and "no Urgent Notification" in missing.err
    run("score", "set", path, "--test", "safety", "--score", "1", "--rationale", "Unsafe",
        "--agreed")
    assert run("un", "set", path, "--reason", "Violence had risen sharply",
               "--criterion", "healthy_prison_scores", "--letter-date", "2026-12-01").code == 0
    assert run("report", "un-letter", path, "--out", out).code == 0
    text = _docx_text(out)
    assert "The Secretary of State for Justice" in text
    assert "HMP Ŵrexham" in text and "16–27 November 2026" in text
    assert "Violence had risen sharply" in text
    assert "29 December 2026" in text      # 28 days after the letter
    assert "Poor" in text                  # the agreed Safety score
    assert "Previous inspection" not in text  # none recorded: no column for them


def test_un_letter_gives_the_previous_inspections_scores(run, tmp_path: Path) -> None:
    """The letter gives context from previous inspections: their scores, when recorded."""
    path = full_inspection(run, tmp_path)
    run("score", "set", path, "--test", "safety", "--score", "1", "--rationale", "Unsafe",
        "--agreed")
    assert run("previous", "score", "set", path, "--test", "safety", "--score", "2",
               "--year", "2021").code == 0
    assert run("un", "set", path, "--reason", "Violence had risen sharply").code == 0
    out = tmp_path / "un.docx"
    assert run("report", "un-letter", path, "--out", out).code == 0
    text = _docx_text(out)
    assert "Previous inspection 2021" in text and "This inspection 2026" in text
    assert "Not sufficiently good" in text and "Poor" in text
    assert "Not recorded" in text  # respect's previous score was not entered


def test_review_follows_an_inspection_with_its_concerns_and_responses(run, tmp_path) -> None:
    from hmip_desktop.cli.common import open_store
    from hmip_desktop.services.concerns import ConcernService
    from hmip_desktop.services.previous import PreviousService

    first = full_inspection(run, tmp_path)
    with open_store(str(first)) as store:
        concerns = ConcernService(store)
        concerns.add(title="Dirty cells", body="Cells were dirty.", sections=["respect"])
        violence = concerns.add(title="Violence", body="Violence was high.",
                                sections=["safety"], priority=True)
        concerns.edit(violence, action_plan={"response": "agreed", "action": "Body cameras",
                                             "owner": "Governor", "target_date": "2027-03-01",
                                             "status": "In progress"})
    review = tmp_path / "irp.hmip"
    assert run("new", review, "--kind", "full", "--follows", first).code == 2
    done = run("new", review, "--kind", "irp", "--follows", first, "--start", "2027-09-01",
               "--end", "2027-09-03")
    assert done.code == 0, done.err
    info = json.loads(run("info", review, "--json").out)
    assert info["kind"] == "irp" and info["establishment_name"] == "HMP Ŵrexham"
    with open_store(str(review)) as store:
        items = PreviousService(store).list()
    assert [(i.ref, i.title) for i in items] == [("1", "Violence"), ("2", "Dirty cells")]
    out = tmp_path / "irp.docx"
    assert run("report", "docx", review, "--out", out).code == 0
    text = _docx_text(out)
    assert "Independent review of progress at HMP Ŵrexham" in text
    assert "1 Violence" in text and "[to be completed: progress judgement]" in text
    assert "Action plan response: Agreed. Action: Body cameras (owner Governor, by 1 March " \
        "2027 — overdue at the start of this visit)" in text  # in progress, due before


def test_key_values_accept_kebab_case(run, tmp_path: Path) -> None:
    path = tmp_path / "k.hmip"
    assert run("new", path, "--establishment", "HMP K", "--type", "mens-prison").code == 0
    assert run("note", "add", path, "--source", "prisoner-interview", "--title", "t",
               "--body", "b").code == 0
    assert run("concern", "add", path, "--title", "t", "--body", "b", "--test",
               "purposeful-activity", "--to", "establishment-leaders").code == 0
    assert run("score", "set", path, "--test", "purposeful-activity", "--score", "2",
               "--rationale", "x").code == 0
    assert run("finding", "set", path, "--section", "purposeful-activity", "--area",
               "time-out-of-cell", "--text", "x").code == 0


def test_previous_scores_feed_the_outcomes_chart(run, tmp_path: Path) -> None:
    from hmip_desktop.cli.common import open_store
    from hmip_desktop.domain import report_doc as D
    from hmip_desktop.services.report import ExportOptions, ReportService

    path = full_inspection(run, tmp_path)
    done = run("previous", "score", "set", path, "--test", "safety", "--score",
               "not-sufficiently-good", "--year", "2021")
    assert done.code == 0 and "Not sufficiently good" in done.out
    assert run("previous", "score", "set", path, "--test", "leadership", "--score", "2",
               "--year", "2021").code == 2          # leadership is not scored
    run("score", "set", path, "--test", "safety", "--score", "poor", "--rationale", "x",
        "--agreed")
    with open_store(str(path)) as store:
        doc = ReportService(store).build(ExportOptions())
    chart = next(b for b in doc.blocks if isinstance(b, D.ScoreChart))
    assert ("Safety", 1, 2) in chart.rows and chart.previous_label == "Previous inspection 2021"


def test_readiness_text_for_sections_without_areas(run, tmp_path: Path) -> None:
    path = tmp_path / "pc.hmip"
    run("new", path, "--establishment", "Eg suite", "--type", "police-custody")
    run("finding", "set", path, "--section", "leadership", "--text", "Leaders were visible.")
    out = run("readiness", path).out
    line = next(x for x in out.splitlines() if x.startswith("Leadership"))
    assert line.endswith(" section as a whole: drafted") and "0/0 " not in line


def test_pdf_export_says_where_text_is_not_shown_as_written(run, tmp_path: Path) -> None:
    path = full_inspection(run, tmp_path)
    run("concern", "add", path, "--title", "Interpreting for Mr 王", "--test", "safety",
        "--body", "No interpreter was booked.")
    pdf, word = tmp_path / "draft.pdf", tmp_path / "draft.docx"
    done = run("report", "pdf", path, "--out", pdf)
    assert done.code == 0
    assert "cannot show some text as written in 1 place:" in done.err
    assert "hmip: not as written: What needs to improve › Key concerns › Key concern 1" \
        in done.err
    assert "王" not in done.err                     # places, never the text
    done = run("report", "docx", path, "--out", word)
    assert done.code == 0 and "not as written" not in done.err
    assert "Interpreting for Mr 王" in _docx_text(word)


def test_redaction_reaches_the_running_header_and_file_properties(run, tmp_path: Path) -> None:
    import zipfile

    import pypdf

    # A listed term inside the establishment name was redacted on the cover only: every
    # page's header and the PDF/DOCX title and subject still carried it.
    path = full_inspection(run, tmp_path, name="HMP Pryce Hill")
    run("report", "terms", "add", path, "Pryce")
    pdf, word = tmp_path / "r.pdf", tmp_path / "r.docx"
    assert run("report", "pdf", path, "--out", pdf, "--redact").code == 0
    assert run("report", "docx", path, "--out", word, "--redact").code == 0
    reader = pypdf.PdfReader(str(pdf))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "HMP [redacted] Hill" in text and "Pryce" not in text
    assert "Pryce" not in f"{reader.metadata.title} {reader.metadata.subject}"
    with zipfile.ZipFile(word) as z:
        assert [n for n in z.namelist() if b"Pryce" in z.read(n)] == []


def test_a_folder_as_the_output_is_refused_clearly(run, tmp_path: Path) -> None:
    path = full_inspection(run, tmp_path)
    for command, name in (("pdf", "exports.pdf"), ("action-plan", "exports.xlsx")):
        folder = tmp_path / name
        folder.mkdir()
        done = run("report", command, path, "--out", folder)
        assert done.code == 2, done.err          # was 70: os.replace onto a folder
        assert f"'{name}' is a folder" in done.err
        assert list(folder.iterdir()) == []
    assert list(tmp_path.glob(".hmip-export-*")) == []


def test_readiness_and_export_say_what_is_still_to_be_completed(run, tmp_path: Path) -> None:
    """`hmip readiness` words findings and concerns as the Readiness tab does, and gives the
    verdict with the parts the draft marks "[to be completed]"; the export counts the same."""
    path = full_inspection(run, tmp_path)
    run("finding", "set", path, "--section", "leadership", "--text", "Leaders were visible.")
    run("concern", "add", path, "--title", "Nights", "--body", "b", "--test", "safety",
        "--priority")
    out = run("readiness", path).out.splitlines()
    assert out[0].startswith("Not ready: ") and out[0].endswith(" parts still to be completed.")
    line = next(x for x in out if x.startswith("Leadership"))
    assert line.endswith(" 0 of 4 areas; section as a whole")
    assert "concerns: 1 key concern, of which 1 priority" in out
    assert "warning: Introduction: no text written yet." in out
    data = json.loads(run("readiness", path, "--json").out)
    assert data["verdict"] == out[0] and data["to_complete"] > 0
    done = run("report", "docx", path, "--out", tmp_path / "d.docx")
    gaps = _docx_text(tmp_path / "d.docx").count("[to be completed")
    assert f"draft: {gaps} parts still marked '[to be completed]'" in done.out


def test_evidence_totals_agree_between_appendices_and_overview(run, tmp_path: Path) -> None:
    """One definition of evidence: Appendix I's count, Appendix III's cited-plus-not-cited and
    the Overview's counts by type add up to the same; scores are said as tests scored."""
    path = full_inspection(run, tmp_path)      # two notes, both linked to expectation 1
    run("note", "add", path, "--source", "observation", "--title", "Unlinked", "--body", "b")
    csv = tmp_path / "sh.csv"
    csv.write_text("wing,count\nA,3\nB,4\n", encoding="utf-8")
    extract = run("extract", "import", path, csv, "--name", "Self-harm").out.strip()
    run("figure", "pin", path, extract, "--caption", "By wing", "--chart", "bar",
        "--group-by", "wing")                  # pinned, cited nowhere
    run("link", "add", path, extract, "--expectation", "1")
    run("score", "set", path, "--test", "safety", "--score", "poor", "--rationale", "x")
    run("score", "set", path, "--test", "safety", "--score", "poor", "--rationale", "x",
        "--agreed")
    assert run("report", "docx", path, "--out", tmp_path / "d.docx").code == 0
    text = _docx_text(tmp_path / "d.docx")
    assert "They gathered 5 pieces of evidence" in text
    assert ("This report cites 3 of the 5 pieces of evidence gathered; not cited: 1 figure "
            "and 1 note.") in text
    info = run("info", path).out
    assert "3 notes, 0 documents, 1 data extract, 1 figure," in info
    assert "Scoring:         1 test scored, 1 agreed" in info
    data = json.loads(run("info", path, "--json").out)
    assert (data["tests_scored"], data["tests_agreed"], data["counts"]["figure"]) == (1, 1, 1)
    from hmip_desktop.cli.common import open_store
    from hmip_desktop.services import inspections

    with open_store(str(path)) as store:
        facts = inspections.facts(store)       # what the Overview shows
    assert facts.evidence_text == "3 notes, 0 documents, 1 data extract, 1 figure, 3 links"
    assert facts.scoring_text == "1 test scored, 1 agreed"


def test_cli_names_sections_and_lists_the_keys_it_takes(run, tmp_path: Path, capsys) -> None:
    """`hmip finding list` shows the framework's titles (keys stay in --json); the keys
    `hmip new --type` and `hmip un set --criterion` take are listed where help points."""
    path = full_inspection(run, tmp_path)
    run("finding", "set", path, "--section", "safety", "--area", "early-days-in-custody",
        "--text", "Reception was calm.")
    run("finding", "set", path, "--section", "safety", "--text", "Safe enough.")
    heads = [x for x in run("finding", "list", path).out.splitlines() if x.startswith("== ")]
    assert [h.rsplit(" — ", 1)[0] for h in heads] == ["== Safety",
                                                      "== Safety › Early days in custody"]
    assert "mens_prison: Men's prison" in run("frameworks", "list").out
    assert run("new", tmp_path / "k.hmip", "--establishment", "HMP K", "--type",
               "mens-prison").code == 0
    from hmip_desktop.cli import main as cli_main

    with pytest.raises(SystemExit):
        cli_main.main(["un", "set", "--help"])
    helptext = " ".join(capsys.readouterr().out.split())
    assert "Keys: healthy_prison_scores (The healthy prison scores" in helptext
    assert "capacity_to_change" in helptext
