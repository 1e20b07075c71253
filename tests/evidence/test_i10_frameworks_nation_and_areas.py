"""Issue 10: education counts by nation (Ofsted in England, Estyn in Wales) in coverage,
readiness and the report; an area without expectation numbers reads "expectations not
loaded" (never 0 of 0) and takes evidence linked to the area itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hmip_desktop.cli.common import open_store
from hmip_desktop.cli.json_out import to_plain
from hmip_desktop.domain.errors import NotFoundError, ValidationError
from hmip_desktop.domain.framework_nation import (
    area_ref,
    inspection_nation,
    parse_area_ref,
)
from hmip_desktop.domain.framework_pinned import read_pinned
from hmip_desktop.services.coverage import NOT_LOADED, coverage, framework_refs
from hmip_desktop.services.evidence_snapshot import evidence_snapshot
from hmip_desktop.services.frameworks import FrameworkService
from hmip_desktop.services.inspection_store import InspectionStore
from hmip_desktop.services.inspections import create_inspection
from hmip_desktop.services.links import LinkService, evidence_items
from hmip_desktop.services.notes import NoteService
from hmip_desktop.services.readiness import readiness_report
from hmip_desktop.services.report import ExportOptions, ReportService
from tests.report.support import cli_runner

OFSTED = ("purposeful_activity", "education_skills_and_work_ofsted")
ESTYN = ("purposeful_activity", "education_skills_and_work_estyn")


@pytest.fixture
def run(capsys):  # type: ignore[no-untyped-def]
    return cli_runner(capsys)


def _prison(tmp_path: Path, nation: str | None, name: str = "p") -> InspectionStore:
    fw = FrameworkService().resolve_for_new("mens_prison", start_date="2024-04-22")
    extra = {"nation": nation} if nation else {}
    return create_inspection(tmp_path / f"{name}.hmip", establishment_name="HMP Cardiff",
                             establishment_type="mens_prison", framework=fw,
                             start_date="2024-04-22", end_date="2024-05-03", **extra)


@pytest.fixture
def wales(tmp_path: Path):  # type: ignore[no-untyped-def]
    s = _prison(tmp_path, "wales", "wales")
    yield s
    s.close()


@pytest.fixture
def england(tmp_path: Path):  # type: ignore[no-untyped-def]
    s = _prison(tmp_path, None, "england")  # no nation recorded: England
    yield s
    s.close()


def _areas(report) -> dict[tuple[str, str], object]:  # type: ignore[no-untyped-def]
    return {(s.key, a.key): a for s in report.sections for a in s.areas}


# -- the helper -----------------------------------------------------------------------------------
def test_inspection_nation_defaults_to_england() -> None:
    """Absent, empty or unknown means England; Wales is read whatever its case."""
    assert inspection_nation({}) == "england"
    assert inspection_nation(None) == "england"
    assert inspection_nation({"nation": None}) == "england"
    assert inspection_nation({"nation": "Wales"}) == "wales"
    assert inspection_nation({"nation": "atlantis"}) == "england"


def test_applicable_framework_leaves_out_the_other_nation() -> None:
    """Pure data filter; the framework itself is unchanged and an area ref round-trips."""
    fw = read_pinned(FrameworkService().resolve_for_new("mens_prison", start_date="2024-04-22"))
    wales_fw = fw.for_nation("wales")
    pa = wales_fw.section("purposeful_activity")
    assert [a.key for a in pa.areas] == ["time_out_of_cell",
                                         "education_skills_and_work_estyn"]
    assert fw.excluded_numbers("wales") == {"72", "72.1"}
    assert fw.excluded_numbers("england") == {"73", "73.1"}
    assert len(fw.section("purposeful_activity").areas) == 3
    assert parse_area_ref(area_ref("safety", "security")) == ("safety", "security")
    assert parse_area_ref("12") is None and parse_area_ref("area:x") is None


# -- nation counting ------------------------------------------------------------------------------
def test_welsh_prison_counts_estyn_not_ofsted(wales: InspectionStore) -> None:
    """Coverage and readiness of a Welsh prison count 73/73.1 (Estyn), never 72 (Ofsted)."""
    notes = NoteService(wales)
    notes.add(source_kind="observation", title="Classroom visit", body="Busy.",
              expectations=["73"])
    report = coverage(wales)
    areas = _areas(report)
    assert ESTYN in areas and OFSTED not in areas
    assert report.nation == "wales"
    assert [e.ref for e in areas[ESTYN].expectations] == ["73", "73.1"]
    assert areas[ESTYN].covered == 1
    pa = next(s for s in readiness_report(wales).sections if s.key == "purposeful_activity")
    assert pa.expectations_total == 2 and pa.expectations_covered == 1
    assert "72" not in pa.uncovered and "73.1" in pa.uncovered
    assert "72" not in framework_refs(wales) and "73" in framework_refs(wales)


def test_english_prison_counts_ofsted_and_sets_estyn_links_aside(
        england: InspectionStore) -> None:
    """In England 72/72.1 count; a link to Estyn's 73 is not counted nor called unknown."""
    LinkService(england).add(
        NoteService(england).add(source_kind="observation", title="Workshop", body="x"), "73")
    report = coverage(england)
    areas = _areas(report)
    assert OFSTED in areas and ESTYN not in areas
    assert report.not_applicable_refs == ("73",) and report.unknown_refs == ()
    snap = evidence_snapshot(england)
    assert "72" in snap.expectations and "73" not in snap.expectations
    pa = next(s for s in readiness_report(england).sections if s.key == "purposeful_activity")
    assert pa.expectations_total == 2 and set(pa.uncovered) == {"72", "72.1"}


def test_report_sections_follow_the_nation(wales: InspectionStore,
                                           england: InspectionStore) -> None:
    """The report has Estyn's education area for Wales and Ofsted's for England."""
    def areas(store: InspectionStore) -> list[str]:
        doc = ReportService(store).build(ExportOptions())
        return [h.text for h in doc.headings() if h.level == 2]

    welsh, english = areas(wales), areas(england)
    assert any("(Estyn)" in h for h in welsh) and not any("(Ofsted)" in h for h in welsh)
    assert any("(Ofsted)" in h for h in english) and not any("(Estyn)" in h for h in english)


def test_cli_welsh_link_to_ofsted_is_refused(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`hmip link add` refuses an Ofsted expectation in a Welsh inspection, saying why."""
    path = tmp_path / "w.hmip"
    assert run("new", path, "--establishment", "HMP Parc", "--type", "mens_prison",
               "--nation", "wales", "--start", "2024-04-22").code == 0
    note = run("note", "add", path, "--source", "observation", "--title", "Class",
               "--body", "x").out.strip()
    refused = run("link", "add", path, note, "--expectation", "72")
    assert refused.code != 0 and "Wales" in refused.err
    assert run("link", "add", path, note, "--expectation", "73").code == 0
    data = json.loads(run("coverage", path, "--json").out)
    assert data["nation"] == "wales"
    keys = [a["key"] for s in data["sections"] for a in s["areas"]]
    assert "education_skills_and_work_estyn" in keys
    assert "education_skills_and_work_ofsted" not in keys


# -- areas without expectation numbers -----------------------------------------------------------
def test_area_without_numbers_reads_not_loaded_never_zero_of_zero(
        england: InspectionStore) -> None:
    """Coverage says "expectations not loaded" for an area without numbers."""
    report = coverage(england)
    security = _areas(report)[("safety", "security")]
    assert not security.expectations_loaded and security.summary() == NOT_LOADED
    assert to_plain(security)["status"] == NOT_LOADED
    leadership = next(s for s in report.sections if s.key == "leadership")
    assert leadership.summary() == NOT_LOADED
    safety = next(s for s in report.sections if s.key == "safety")
    assert "0/0" not in safety.summary() and NOT_LOADED in safety.summary()


def test_evidence_linked_to_an_area_counts_for_it(england: InspectionStore) -> None:
    """A whole record linked to an area without numbers is that area's evidence."""
    note = NoteService(england).add(source_kind="observation", title="Gate search", body="x")
    links = LinkService(england)
    link_id = links.add_to_area(note, "safety", "security")
    assert links.all()[0].expectation_ref == "area:safety/security" and link_id
    security = _areas(coverage(england))[("safety", "security")]
    assert security.area_evidence == 1 and security.area_evidence_ids == (note,)
    assert security.summary() == f"{NOT_LOADED}; 1 evidence item linked to the area"
    snap = evidence_snapshot(england)
    assert [r.evidence_id for r in snap.area_evidence_refs("safety", "security")] == [note]
    overview = {a.key: a for a in snap.section_overview("safety")}
    assert overview["security"].area_evidence == 1
    assert not overview["security"].expectations_loaded
    assert snap.unknown_refs == ()
    assert any(i.id == note for i in evidence_items(england))


def test_area_links_are_checked(england: InspectionStore) -> None:
    """Only an existing area without numbers, applying in the nation, takes area links."""
    note = NoteService(england).add(source_kind="observation", title="x", body="x")
    links = LinkService(england)
    with pytest.raises(ValidationError, match="lists expectations"):
        links.add_to_area(note, "safety", "early_days_in_custody")
    with pytest.raises(NotFoundError):
        links.add_to_area(note, "safety", "kitchens")
    with pytest.raises(ValidationError, match="does not count"):
        links.add_to_area(note, *ESTYN)
    assert links.all() == []


def test_cli_area_link_and_coverage_text(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`hmip link add --area` links to an area; `hmip coverage` never prints 0/0."""
    path = tmp_path / "a.hmip"
    assert run("new", path, "--establishment", "HMP A", "--type", "mens_prison").code == 0
    note = run("note", "add", path, "--source", "observation", "--title", "Gate",
               "--body", "x").out.strip()
    added = run("link", "add", path, note, "--area", "safety/security")
    assert added.code == 0 and added.out.strip()
    text = run("coverage", path).out
    assert "0/0" not in text
    assert f"  Security: {NOT_LOADED}; 1 evidence item linked to the area" in text
    assert f"Leadership: {NOT_LOADED}" in text
    listing = run("link", "list", path).out
    assert "Safety › Security" in listing and "safety/security" not in listing
    bad = run("link", "add", path, note, "--area", "safety/early-days-in-custody")
    assert bad.code != 0 and "lists expectations" in bad.err
    assert run("link", "add", path, note, "--area", "security").code != 0
    unknown = run("link", "add", path, note, "--area", "respect/health")
    assert unknown.code == 2  # names the keys: `frameworks show` prints area labels only
    assert "has no area 'health'" in unknown.err
    assert "health_well_being_and_social_care" in unknown.err
    assert run("link", "add", path, note).code != 0  # neither --expectation nor --area
    with open_store(str(path)) as store:
        assert len(LinkService(store).all()) == 1


def test_report_cites_evidence_linked_to_an_area(england: InspectionStore) -> None:
    """The report's area cites evidence linked to the area itself."""
    note = NoteService(england).add(source_kind="observation", title="Gate search seen",
                                    body="x")
    LinkService(england).add_to_area(note, "safety", "security")
    doc = ReportService(england).build(ExportOptions())
    texts = " ".join(t for _w, t in doc.located_texts())
    assert "Gate search seen" in texts


def test_readiness_says_expectations_not_loaded_never_0_of_0(tmp_path, capsys) -> None:
    """`hmip readiness` (and the readiness panel's columns) read "not loaded" for a section
    without expectation numbers, never "0/0"."""
    from hmip_desktop.ui.overview.readiness_panel import SECTION_COLUMNS
    from tests.report.support import cli_runner

    run = cli_runner(capsys)
    path = tmp_path / "escort.hmip"
    assert run("new", path, "--establishment", "Escorts", "--type",
               "uk-in-country-escort").code == 0
    out = run("readiness", path).out
    assert "not loaded" in out and " 0/0 " not in out.replace("   ", " ")
    from hmip_desktop.services.inspections import open_inspection
    from hmip_desktop.services.readiness import readiness_report

    with open_inspection(path, provider=None) as store:
        report = readiness_report(store)
    empty = [s for s in report.sections if not s.expectations_total]
    assert empty
    assert SECTION_COLUMNS[1].text(empty[0]) == "expectations not loaded"
