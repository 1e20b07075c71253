"""`hmip doc | extract | figure | link | coverage` end to end through subprocesses."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import as_json
from tests.evidence.conftest import make_pdf


def _new(hmip, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    f = tmp_path / "ev.hmip"
    hmip("new", str(f), "--establishment", "HMP Evidence", "--type", "mens_prison")
    return f


def test_documents_links_and_coverage(hmip, tmp_path: Path) -> None:
    """Add documents with a link, page links, passage links, removal and coverage."""
    f = _new(hmip, tmp_path)
    pdf = make_pdf(tmp_path / "policy.pdf", ["Reception screening", "First night checks"])
    txt = tmp_path / "log.txt"
    txt.write_text("Night log", encoding="utf-8")
    ids = hmip("doc", "add", str(f), str(pdf), str(txt), "--expectation", "1").stdout.split()
    assert len(ids) == 2
    assert hmip("doc", "add", str(f), str(pdf)).stdout.split() == ids[:1]  # deduplicated
    docs = as_json(hmip("doc", "list", str(f), "--json"))
    assert [(d["title"], d["pages"]) for d in docs] == [("policy", 2), ("log", 1)]
    listed = hmip("doc", "list", str(f)).stdout.splitlines()
    assert "PDF" in listed[0] and "policy" in listed[0]  # kinds as the documents list names them
    assert "Text" in listed[1] and "log" in listed[1]
    page_link = hmip("link", "add", str(f), ids[0], "--expectation", "2", "--page", "2")
    note = hmip("note", "add", str(f), "--source", "staff_interview", "--title", "Officer",
                "--body", "Reception was calm and quick").stdout.strip()
    passage = hmip("link", "add", str(f), note, "--expectation", "1", "--start", "0",
                   "--end", "9").stdout.strip()
    links = as_json(hmip("link", "list", str(f), "--json"))
    assert {(v["expectation_ref"], v["page"], v["start"]) for v in links} == {
        ("1", None, None), ("2", 2, None), ("1", None, 0)}
    report = as_json(hmip("coverage", str(f), "--json"))
    safety = next(s for s in report["sections"] if s["key"] == "safety")
    first = safety["areas"][0]["expectations"][0]
    assert first["ref"] == "1"
    assert first["counts"] == {"staff_interview": 1, "document_review": 2}
    assert first["status"] == "thin" and not first["triangulated"]
    assert hmip("link", "remove", str(f), passage).stdout.strip() == "removed"
    assert "No evidence" in hmip("coverage", str(f)).stdout  # the label; --json keeps "gap"
    assert page_link.stdout.strip() in hmip("link", "list", str(f)).stdout
    copy = tmp_path / "out.pdf"
    out = hmip("doc", "export", str(f), ids[0], str(copy))
    assert copy.read_bytes() == pdf.read_bytes() and "NOT encrypted" in out.stderr


def test_extract_query_figure(hmip, tmp_path: Path) -> None:
    """Import with a type override, query rows and groups, pin a figure."""
    f = _new(hmip, tmp_path)
    csv = tmp_path / "incidents.csv"
    csv.write_text("date,wing,cost,code\n2024-01-05,A,12.50,007\n2024-01-20,B,3,008\n"
                   "2024-02-01,A,1.25,009\n", encoding="utf-8")
    xid = hmip("extract", "import", str(f), str(csv), "--name", "Incidents",
               "--type", "code=integer").stdout.strip()
    again = hmip("extract", "import", str(f), str(csv), check=False).stderr
    # No progress without a terminal; only the note that this content was imported before.
    assert again.startswith("hmip: note: an extract with the same content was already "
                            "imported as 'Incidents'") and again.count("\n") == 1
    listed = as_json(hmip("extract", "list", str(f), "--json"))
    assert listed[0]["name"] == "Incidents" and listed[0]["row_count"] == 3
    assert listed[0]["columns"][3] == {"index": 3, "name": "code", "type": "integer"}
    rows = as_json(hmip("extract", "query", str(f), xid, "--json"))
    assert rows["row_count"] == 3 and rows["rows"][0] == ["2024-01-05", "A", "12.5", 7]
    groups = as_json(hmip("extract", "query", str(f), xid, "--group-by", "date", "--sum",
                          "cost", "--month", "--json"))
    assert groups == [{"key": "2024-01", "value": 15.5}, {"key": "2024-02", "value": 1.25}]
    filtered = hmip("extract", "query", str(f), xid, "--group-by", "wing", "--where", "cost",
                    ">", "2").stdout
    assert filtered.splitlines() == ["A\t1", "B\t1"]
    fig = hmip("figure", "pin", str(f), xid, "--caption", "Cost per month", "--group-by",
               "date", "--sum", "cost", "--month").stdout.strip()
    figs = as_json(hmip("figure", "list", str(f), "--json"))
    assert figs[0]["id"] == fig and figs[0]["rows"] == [["2024-01", "15.5"], ["2024-02", "1.25"]]
    hmip("link", "add", str(f), fig, "--expectation", "1")
    hits = as_json(hmip("search", str(f), "cost", "--json"))
    assert fig in {h["entity_id"] for h in hits}


def test_evidence_errors_are_one_line(hmip, tmp_path: Path) -> None:
    """User mistakes exit 2 with one line on stderr and change nothing."""
    f = _new(hmip, tmp_path)
    liar = tmp_path / "scan.pdf"
    liar.write_text("just text", encoding="utf-8")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a,b\n1,2\n3,4,5\n", encoding="utf-8")
    note = hmip("note", "add", str(f), "--source", "observation", "--title", "t", "--body",
                "b").stdout.strip()
    cases = [
        ("doc", "add", str(f), str(liar)),
        ("extract", "import", str(f), str(ragged)),
        ("extract", "import", str(f), str(ragged), "--type", "nonsense"),
        ("link", "add", str(f), note, "--expectation", "999"),
        ("link", "add", str(f), note, "--expectation", "1", "--page", "1", "--start", "1"),
        ("link", "remove", str(f), "00000000-0000-7000-8000-000000000000"),
        ("extract", "query", str(f), "no-such-extract"),
    ]
    for args in cases:
        proc = hmip(*args, check=False)
        assert proc.returncode == 2, (args, proc.stderr)
        assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "row 3" in hmip(*cases[1], check=False).stderr
    assert as_json(hmip("doc", "list", str(f), "--json")) == []
    assert as_json(hmip("extract", "list", str(f), "--json")) == []



def test_extract_import_picks_a_sheet(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A data request that opens on a cover sheet: the refusal names the sheet read, and
    --sheet imports the one holding the data (there was no way to choose it)."""
    import json

    import openpyxl

    from tests.report.support import cli_runner

    run = cli_runner(capsys)
    f = tmp_path / "ev.hmip"
    assert run("new", f, "--establishment", "HMP Evidence", "--type", "mens_prison").code == 0
    book = openpyxl.Workbook()
    book.active.title = "Cover"
    book.active.append(["Data request 14: segregation"])
    data = book.create_sheet("Data")
    data.append(["Date", "Days"])
    for day in range(1, 6):
        data.append([f"2026-10-0{day}", day])
    path = tmp_path / "seg.xlsx"
    book.save(path)
    refused = run("extract", "import", f, path)
    assert refused.code == 2 and "sheet 'Cover' has a header row" in refused.err
    wrong = run("extract", "import", f, path, "--sheet", "Dat")
    assert wrong.code == 2 and "its sheets are 'Cover', 'Data'" in wrong.err
    assert run("extract", "import", f, path, "--sheet", "Data").code == 0
    [extract] = json.loads(run("extract", "list", f, "--json").out)
    assert extract["row_count"] == 5
    csv_file = tmp_path / "a.csv"
    csv_file.write_text("a,b\n1,2\n", encoding="utf-8")
    not_xlsx = run("extract", "import", f, csv_file, "--sheet", "Data")
    assert not_xlsx.code == 2 and "is a CSV file" in not_xlsx.err
    assert len(json.loads(run("extract", "list", f, "--json").out)) == 1
