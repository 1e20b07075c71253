"""Ungraded establishments (a scale without levels: police and court custody, escorts, close
supervision and separation centres, service custody) reach readiness on findings alone; `hmip
info` names the sections; concern limits block only where the report model is confirmed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hmip_desktop.domain import concerns as C
from hmip_desktop.domain import readiness as RD
from hmip_desktop.domain.framework_pinned import read_pinned
from hmip_desktop.services.concerns import ConcernService
from hmip_desktop.services.frameworks import FrameworkService
from hmip_desktop.services.inspections import create_inspection
from hmip_desktop.services.readiness import readiness_report
from hmip_desktop.services.scoring import ScoringService
from tests.factories import scored_framework
from tests.report.support import cli_runner

POLICE_SECTIONS = ["leadership", "pre_custody", "in_the_custody_suite", "in_the_custody_cell",
                   "release_and_transfer"]
UNGRADED_TYPES = ["police_custody", "court_custody", "csc", "separation_centre",
                  "service_custody", "overseas_escort"]


@pytest.fixture
def run(capsys):  # type: ignore[no-untyped-def]
    return cli_runner(capsys)


def _store(tmp_path: Path, etype: str, framework: dict | None = None):  # type: ignore[no-untyped-def,type-arg]
    fw = framework if framework is not None else FrameworkService().resolve_for_new(etype)
    return create_inspection(tmp_path / f"{etype}.hmip", establishment_name="Eg",
                             establishment_type=etype, framework=fw)


@pytest.mark.parametrize("etype", UNGRADED_TYPES)
def test_every_ungraded_type_judges_no_section(etype: str) -> None:
    """The shipped frameworks for these types have no grades, so no section is judged."""
    fw = FrameworkService().resolve_for_new(etype)
    assert not read_pinned(fw).scale.graded
    assert read_pinned(fw).sections and read_pinned(fw).judged_sections == ()


def test_police_custody_is_ready_with_findings_only(tmp_path: Path) -> None:
    """No agreed score is asked for; a section without findings blocks until it has them."""
    store = _store(tmp_path, "police_custody")
    try:
        before = readiness_report(store)
        assert not before.ready
        assert {(b.code, b.section_key) for b in before.blockers} == {
            ("no_findings", k) for k in POLICE_SECTIONS}
        scoring = ScoringService(store)
        assert scoring.judged_sections() == []
        for key in POLICE_SECTIONS:
            scoring.set_findings(key, None, f"What we found in {key}.")
        after = readiness_report(store)
        assert after.ready, after.blockers
        assert [s.key for s in after.sections] == POLICE_SECTIONS
        assert not any(s.judged or s.agreed for s in after.sections)
        assert all(s.findings_drafted for s in after.sections)
        assert not any(i.code == "no_agreed_score" for i in after.items)
    finally:
        store.close()


def test_police_custody_readiness_and_info_through_the_cli(run, tmp_path: Path) -> None:
    """`hmip readiness` passes on findings only; `hmip info` lists the section keys."""
    path = tmp_path / "pc.hmip"
    assert run("new", path, "--establishment", "Eg Custody Suite", "--type",
               "police_custody").code == 0
    blocked = run("readiness", path, "--json")
    assert blocked.code != 0
    assert json.loads(blocked.out)["ready"] is False

    info = json.loads(run("info", path, "--json").out)
    assert [s["key"] for s in info["sections"]] == POLICE_SECTIONS
    assert all(s["scored"] is False for s in info["sections"])
    assert info["sections"][1]["label"] == "Pre-custody: first point of contact"
    text = run("info", path).out
    assert "Sections:" in text
    assert "pre_custody" in text and "Pre-custody: first point of contact" in text
    assert "findings only" in text

    for key in POLICE_SECTIONS:
        assert run("finding", "set", path, "--section", key, "--text", "Seen.").code == 0
    ready = run("readiness", path, "--json")
    assert ready.code == 0, ready.out
    data = json.loads(ready.out)
    assert data["ready"] is True and data["blockers"] == []
    assert run("readiness", path).out.startswith("Ready: nothing blocks a draft")


def test_info_marks_scored_sections(run, tmp_path: Path) -> None:
    """A graded framework's tests are scored; its leadership section is findings only."""
    path = tmp_path / "men.hmip"
    assert run("new", path, "--establishment", "HMP Eg", "--type", "mens_prison").code == 0
    sections = {s["key"]: s["scored"] for s in json.loads(run("info", path, "--json").out)[
        "sections"]}
    assert sections["leadership"] is False
    assert sections["safety"] is True


def _unverified() -> dict:  # type: ignore[type-arg]
    fw = scored_framework()
    fw["report_model"]["verified"] = False
    return fw


def test_limits_of_an_unverified_report_model_only_warn() -> None:
    """Asked to block, a rule of an unconfirmed model still warns and says why."""
    limits = C.limits_from(_unverified())
    assert limits is not None and not limits.confirmed
    issues = C.check_concerns(16, 0, limits, severity=C.BLOCKING)
    assert {i.code for i in issues} == {"too_many_key_concerns", "priority_count"}
    assert {i.severity for i in issues} == {C.WARNING}
    assert all("not confirmed" in i.message for i in issues)
    confirmed = C.limits_from(scored_framework())  # no "verified" key: confirmed
    assert confirmed is not None and confirmed.confirmed
    assert {i.severity for i in C.check_concerns(16, 0, confirmed, severity=C.BLOCKING)} == {
        C.BLOCKING}


def test_unverified_report_model_gives_concern_warnings_at_readiness(tmp_path: Path) -> None:
    """No priority concerns: a warning, not a blocker (agreed scores still block here)."""
    store = _store(tmp_path, "mens_prison", _unverified())
    try:
        report = readiness_report(store)
        assert ("priority_count", C.WARNING) in {(w.code, w.severity) for w in report.warnings}
        assert "priority_count" not in {b.code for b in report.blockers}
        assert {b.code for b in report.blockers} == {"no_agreed_score", "no_findings"}
        at_readiness = ConcernService(store).check(at_readiness=True)
        assert [(i.code, i.severity) for i in at_readiness] == [("priority_count", C.WARNING)]
    finally:
        store.close()


@pytest.mark.parametrize(("etype", "blocks"), [
    ("court_custody", True),        # report_model verified: the limits are confirmed
    ("separation_centre", False),   # not confirmed: warnings only
    ("csc", False),
    ("police_custody", None),       # recommendation model: no concern limits at all
])
def test_shipped_ungraded_frameworks_concern_severity(tmp_path: Path, etype: str,
                                                      blocks: bool | None) -> None:
    """With findings everywhere, only a confirmed concern model keeps readiness blocked."""
    store = _store(tmp_path, etype)
    try:
        scoring = ScoringService(store)
        for sec in scoring.framework().sections:
            scoring.set_findings(sec.key, None, "Found.")
        report = readiness_report(store)
        codes = {(i.code, i.severity) for i in report.items}
        if blocks is None:
            assert report.ready and not any(c == "priority_count" for c, _ in codes)
        elif blocks:
            assert ("priority_count", C.BLOCKING) in codes and not report.ready
            assert [b.code for b in report.blockers] == ["priority_count"]
        else:
            assert ("priority_count", C.WARNING) in codes and report.ready
    finally:
        store.close()


def test_build_report_keeps_each_issue_severity() -> None:
    """The domain rule: confirmed limits block, unconfirmed ones warn."""
    fw = read_pinned(scored_framework())
    for confirmed, severity in ((True, C.BLOCKING), (False, C.WARNING)):
        report = RD.build_report(
            fw, "full", links=[], findings=[], scores=[], key_concerns=0, priority_concerns=0,
            limits=C.ConcernLimits(15, 3, 6, confirmed=confirmed), previous=[])
        assert [i.severity for i in report.items if i.code == "priority_count"] == [severity]
