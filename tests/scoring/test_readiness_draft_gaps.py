"""Readiness warns of what the draft will print as "[to be completed …]", names it in words and
counts it the way the draft does: "ready" never hides the draft's gaps."""

from __future__ import annotations

from hmip_desktop.domain import records as R
from hmip_desktop.domain import scoring as S
from hmip_desktop.domain.concerns import ConcernLimits, check_concerns
from hmip_desktop.domain.readiness import Item, ReadinessReport
from hmip_desktop.services.readiness import readiness_report
from hmip_desktop.services.report import ExportOptions, ReportService
from hmip_desktop.services.report_writing import ReportWritingService
from hmip_desktop.services.scoring import ScoringService
from tests.scoring.conftest import make_ready
from tests.scoring.support import write_as


def _gaps(store) -> tuple[ReadinessReport, int]:  # type: ignore[no-untyped-def]
    """Readiness and how many gaps the draft built now shows."""
    return readiness_report(store), ReportService(store).build(ExportOptions()).gaps()


def test_ready_names_and_counts_what_the_draft_leaves_to_be_completed(full_store) -> None:
    make_ready(full_store)
    report, shown = _gaps(full_store)
    assert report.ready, report.blockers  # a draft is still allowed with gaps
    messages = [w.message for w in report.warnings]
    assert "Introduction: no text written yet." in messages
    assert ("Fact page: no text yet on the establishment's role, population and operator."
            in messages)
    assert "Fact page: no team leader on the team roster (Team & sync)." in messages
    assert "Inspection team: no team members on the roster (Team & sync)." in messages
    assert shown == report.to_complete == 4
    assert report.verdict == "Ready: nothing blocks a draft; 4 parts still to be completed."


def test_written_text_parts_stop_warning(full_store) -> None:
    make_ready(full_store)
    writing = ReportWritingService(full_store)
    writing.set_text("introduction", "HMP Testfield holds adult men.")
    writing.set_text("fact_page", "A category C prison.")
    writing.set_text("summary", "")  # optional: the draft leaves it out, nothing to complete
    report, shown = _gaps(full_store)
    codes = {w.code for w in report.warnings}
    assert not codes & {"text_part_empty", "fact_page_text_empty"}
    assert shown == report.to_complete == 2  # the team leader and the team list


def test_areas_without_findings_are_named_and_counted(full_store) -> None:
    make_ready(full_store)
    scoring = ScoringService(full_store)
    scoring.set_findings("safety", "early_days", "")          # one area emptied
    scoring.set_findings("safety", None, "Safety as a whole.")
    report, shown = _gaps(full_store)
    item = next(w for w in report.warnings if w.code == "area_findings_missing")
    assert item.message == "Safety: no findings yet for: Early days in custody." and item.gaps == 1
    assert shown == report.to_complete == 5


def test_findings_of_several_inspectors_to_merge_are_counted(full_store) -> None:
    make_ready(full_store)
    fid = S.findings_id(full_store.inspection_id, "safety", "early_days", "bob")
    write_as(full_store, author="bob", device="dev-bob", entity_type=R.FINDINGS, entity_id=fid,
             payload={"section_key": "safety", "area_key": "early_days", "author_id": "bob",
                      "author_name": "Bob", "text": "Bob's view."})
    report, shown = _gaps(full_store)
    item = next(w for w in report.warnings if w.code == "findings_to_merge")
    assert "Early days in custody" in item.message and item.gaps == 1
    assert shown == report.to_complete == 5


def test_verdict_wording() -> None:
    nothing = ReadinessReport("full", (), 7, 4, 0, 0, ())
    assert nothing.verdict == "Ready: nothing blocks a draft report."
    assert nothing.concerns_summary == "7 key concerns, of which 4 priority"
    one = ReadinessReport("full", (), 1, 1, 0, 0, (
        Item("x", "warning", "Introduction: no text written yet.", gaps=1),
        Item("y", "blocking", "Safety: no agreed score.")))
    assert one.verdict == ("Not ready: 1 thing still blocks a draft report; 1 part still to be "
                           "completed.")


def test_concern_rule_messages_say_one_in_the_singular() -> None:
    limits = ConcernLimits(max_key=15, priority_min=3, priority_max=6)
    assert [i.message for i in check_concerns(2, 1, limits)] == [
        "1 priority concern: a report needs 3 to 6."]
    assert check_concerns(1, 1, ConcernLimits(max_key=0, priority_min=1, priority_max=6))[0] \
        .message == "1 key concern: a report has at most 0."
