"""Issue 10 through `hmip`: status set/reopen, a published file refusing edits but taking
action-plan tracking, nation and notice at `new` and in `info`, the education judgement and
where the report puts it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.report.support import cli_runner


@pytest.fixture
def run(capsys):  # type: ignore[no-untyped-def]
    return cli_runner(capsys)


def _new(run, folder: Path, *extra: str) -> Path:  # type: ignore[no-untyped-def]
    path = folder / "wandsworth.hmip"
    result = run("new", path, "--establishment", "HMP Wandsworth", "--type", "mens_prison",
                 "--start", "2024-04-22", "--end", "2024-05-02", *extra)
    assert result.code == 0, result.err
    return path


def test_new_records_nation_and_notice_and_info_shows_them(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """--nation wales --announced are recorded; the defaults are England and unannounced."""
    wales = _new(run, tmp_path / "w", "--nation", "wales", "--announced")
    info = json.loads(run("info", wales, "--json").out)
    assert (info["nation"], info["announced"], info["status"]) == ("wales", True, "fieldwork")
    text = run("info", wales).out
    assert "Nation:          Wales" in text and "Notice:          Announced" in text
    england = _new(run, tmp_path / "e")
    info = json.loads(run("info", england, "--json").out)
    assert (info["nation"], info["announced"]) == ("england", False)
    assert "Unannounced" in run("info", england).out
    with pytest.raises(SystemExit) as refused:  # argparse refuses an unknown nation
        run("new", tmp_path / "x.hmip", "--establishment", "HMP X", "--type", "mens_prison",
            "--nation", "scotland")
    assert refused.value.code == 2


def test_status_life_cycle_publish_refuse_track_reopen(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Wandsworth 2024: published 6 August 2024; edits refused, action plan tracked, reopened."""
    path = _new(run, tmp_path)
    assert run("concern", "add", path, "--title", "Violence", "--body", "Too high.",
               "--test", "safety", "--priority").code == 0
    assert run("status", "set", path, "drafting").code == 0
    not_ready = run("status", "set", path, "factual-accuracy-check")  # nothing scored yet
    assert not_ready.code == 2 and "still block the report" in not_ready.err \
        and "--despite-readiness" in not_ready.err
    assert json.loads(run("info", path, "--json").out)["status"] == "drafting"
    assert run("status", "set", path, "factual-accuracy-check",
               "--despite-readiness").code == 0
    back = run("status", "set", path, "drafting")
    assert back.code == 2 and "only moves forward" in back.err and "reopen" in back.err
    early = run("status", "set", path, "published", "--date", "2024-04-30")
    assert early.code == 2 and "before the inspection ended" in early.err
    assert run("status", "set", path, "published", "--date", "2024-08-06",
               "--despite-readiness").code == 0
    info = json.loads(run("info", path, "--json").out)
    assert (info["status"], info["publication_date"]) == ("published", "2024-08-06")
    assert "Published:       2024-08-06" in run("info", path).out
    refused = run("note", "add", path, "--source", "observation", "--title", "Late",
                  "--body", "A late note.")
    assert refused.code == 2
    assert "published on 6 August 2024" in refused.err
    assert "hmip status reopen FILE --reason" in refused.err
    # Action-plan tracking is still accepted.
    assert run("status", "set", path, "action-plan-received", "--date", "2024-09-10").code == 0
    shown = json.loads(run("status", "show", path, "--json").out)
    assert shown["status"] == "action_plan_received" and shown["read_only"]
    with pytest.raises(SystemExit):  # --reason is required
        run("status", "reopen", path)
    blank = run("status", "reopen", path, "--reason", "  ")
    assert blank.code == 2 and "reason" in blank.err
    done = run("status", "reopen", path, "--reason", "Correction to the Respect section")
    assert done.code == 0, done.err
    assert "Drafting" in done.out
    info = run("info", path).out
    assert "Reopened:" in info and "Correction to the Respect section" in info
    iid = json.loads(run("info", path, "--json").out)["inspection_id"]
    log = json.loads(run("history", path, iid, "--json").out)
    assert any((e["payload"].get("status_change") or {}).get("reason")
               == "Correction to the Respect section" for e in log)
    assert run("note", "add", path, "--source", "observation", "--title", "Late",
               "--body", "Now allowed.").code == 0


def test_action_plan_import_accepted_on_a_published_file(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A concern's action-plan response is the tracking a published file still takes."""
    from hmip_desktop.services.concerns import ConcernService
    from hmip_desktop.services.inspections import open_inspection

    path = _new(run, tmp_path)
    assert run("concern", "add", path, "--title", "Violence", "--body", "Too high.",
               "--test", "safety").code == 0
    assert run("status", "set", path, "published", "--date", "2024-08-06",
               "--despite-readiness").code == 0
    with open_inspection(path, provider=lambda _p: None) as store:
        service = ConcernService(store)
        cid = service.list()[0].id
        plan = {"response": "agreed", "action": "More staff", "owner": "Governor",
                "target_date": "2024-12-01", "status": ""}
        assert service.edit(cid, action_plan=plan).ids == {cid}
        assert service.get(cid).action_plan["owner"] == "Governor"


def test_education_judgement_set_show_and_in_the_report(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Ofsted's judgement is recorded by `hmip education set` and reported with the scores."""
    from hmip_desktop.domain import report_doc as D
    from hmip_desktop.report.build_outcomes import with_education_judgement
    from hmip_desktop.services.inspections import inspection_payload, open_inspection

    path = _new(run, tmp_path)
    bad = run("education", "set", path, "excellent")  # an Estyn grade, not Ofsted's
    assert bad.code == 2 and "Unknown Ofsted grade" in bad.err
    ok = run("education", "set", path, "requires-improvement")
    assert ok.code == 0 and "Ofsted's judgement: Requires improvement" in ok.out
    shown = json.loads(run("education", "show", path, "--json").out)
    assert shown["grade"] == "requires_improvement" and shown["inspectorate"] == "ofsted"
    assert "Education:       Ofsted's judgement of education, skills and work: Requires " \
           "improvement" in run("info", path).out
    with open_inspection(path, provider=lambda _p: None) as store:
        payload = inspection_payload(store)

    class Snap:  # the one field the helper reads
        inspection = payload

    blocks: list[D.Block] = [D.Heading(1, "Purposeful activity", "section-purposeful_activity"),
                             D.Paragraph("Score: Poor", style="lead"),
                             D.Paragraph("Findings.")]
    out = with_education_judgement(blocks, Snap())  # type: ignore[arg-type]
    assert [b.text for b in out if isinstance(b, D.Paragraph)] == [
        "Score: Poor", "Ofsted's judgement of education, skills and work: Requires improvement",
        "Findings."]
    assert run("education", "clear", path).code == 0
    assert json.loads(run("education", "show", path, "--json").out)["grade"] is None


def test_report_carries_the_education_judgement(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The built report shows the judgement with the outcomes chart and beside the purposeful
    activity section's healthy prison score."""
    from hmip_desktop.services.inspections import open_inspection
    from hmip_desktop.services.report import ExportOptions, ReportService

    path = _new(run, tmp_path)
    assert run("education", "set", path, "good").code == 0
    with open_inspection(path, provider=lambda _p: None) as store:
        doc = ReportService(store).build(ExportOptions(invariant=True))
    texts = [t for b in doc.blocks for t in b.texts()]
    line = "Ofsted's judgement of education, skills and work: Good"
    assert texts.count(line) == 2
