"""A step of a previous item's action plan due before the visit began and not reported
complete is called overdue in the same words in the PDF, the DOCX and `hmip previous list`,
by the one rule the Scoring screen uses (domain.action_plan.Step.due_before); a complete step
and a step due later are not."""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pypdf
import pytest

from hmip_desktop.cli.common import open_store
from hmip_desktop.domain import action_plan as AP
from hmip_desktop.services.concerns import ConcernService
from tests.report.support import cli_runner, full_inspection

START = "2027-09-06"  # the review's first day
PLAN = {"response": "agreed", "steps": [
    {"action": "Paint the cells", "owner": "Head of works", "target_date": "2027-06-30",
     "status": "Not started"},                      # due before the visit, not done: overdue
    {"action": "Fix the cell bells", "owner": "Governor", "target_date": "2027-07-31",
     "status": "Complete"},                         # due before, but reported complete
    {"action": "Audit cleanliness", "owner": "Governor", "target_date": "2027-11-30",
     "status": ""}]}                                # due after the visit began
OVERDUE = f"— {AP.OVERDUE_WORDS}"
STEPS = ["Step 1: Paint the cells (owner Head of works, by 30 June 2027 " + OVERDUE + ")",
         "Step 2: Fix the cell bells (owner Governor, by 31 July 2027)",
         "Step 3: Audit cleanliness (owner Governor, by 30 November 2027)"]


@pytest.fixture
def run(capsys):  # type: ignore[no-untyped-def]
    return cli_runner(capsys)


@pytest.fixture
def review(run, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """A review following an inspection whose one concern has the three-step plan."""
    first = full_inspection(run, tmp_path)
    with open_store(str(first)) as store:
        concerns = ConcernService(store)
        cells = concerns.add(title="Cells were dirty", body="Many cells were dirty.",
                             sections=["respect"])
        concerns.edit(cells, action_plan=PLAN)
    path = tmp_path / "review.hmip"
    done = run("new", path, "--kind", "irp", "--follows", first, "--start", START,
               "--end", "2027-09-08")
    assert done.code == 0, done.err
    return path


def _words(text: str) -> str:
    """Whitespace as one space: a PDF line may break anywhere a space was."""
    return " ".join(text.split())


def _pdf_text(path: Path) -> str:
    return _words(" ".join(page.extract_text() for page in pypdf.PdfReader(str(path)).pages))


def _docx_text(path: Path) -> str:
    return _words(" ".join(p.text for p in docx.Document(str(path)).paragraphs))


@pytest.mark.parametrize(("suffix", "read"), [(".pdf", _pdf_text), (".docx", _docx_text)])
def test_the_report_marks_exactly_the_overdue_step(run, review: Path, tmp_path: Path,
                                                   suffix: str, read) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / f"review{suffix}"
    done = run("report", suffix[1:], review, "--out", out)
    assert done.code == 0, done.err
    text = read(out)
    for line in STEPS:
        assert line in text
    assert text.count(AP.OVERDUE_WORDS) == 1


def test_previous_list_marks_the_same_step(run, review: Path) -> None:  # type: ignore[no-untyped-def]
    lines = run("previous", "list", review).out.splitlines()
    assert [x for x in lines if AP.OVERDUE_WORDS in x] == [
        f"    step 1: target date 2027-06-30 {OVERDUE}"]
    # Scripts read the same: the summary the Scoring page shows and each step's mark.
    (item,) = json.loads(run("previous", "list", review, "--json").out)
    assert item["action_plan_summary"] == "Agreed, 3 steps, 1 overdue"
    assert [s["overdue"] for s in item["action_plan"]["steps"]] == [True, False, False]


def test_one_rule_for_screen_report_and_list() -> None:
    """The rule itself: before the day and not complete (any casing of a done status); no
    start date or no target date is never overdue."""
    steps = [AP.Step(**s) for s in PLAN["steps"]]
    assert [s.due_before(START) for s in steps] == [True, False, False]
    assert not AP.Step("x", "y", "2027-06-30", " DONE ").due_before(START)
    assert not steps[0].due_before(None) and not AP.Step("x").due_before(START)
    assert not AP.Step("x", "y", START).due_before(START)  # due on the first day: not yet
    assert AP.visit_start({"start_date": START}) == START
    assert AP.visit_start({"start_date": "soon"}) is None and AP.visit_start({}) is None
