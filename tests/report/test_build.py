"""The report document built from a real inspection: parts in order, variants by report model
and kind, markers for gaps, evidence references and the disclosure check (no renderer)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hmip_desktop.cli.common import open_store
from hmip_desktop.domain import report_doc as D
from hmip_desktop.domain.errors import UserError
from hmip_desktop.services.concerns import ConcernService, NppService
from hmip_desktop.services.figures import FigureService
from hmip_desktop.services.previous import PreviousService
from hmip_desktop.services.report import (
    UN_LETTER,
    DisclosureBlocked,
    ExportOptions,
    NotReady,
    ReportService,
)
from hmip_desktop.services.report_writing import ReportWritingService
from hmip_desktop.services.scoring import ScoringService
from tests.report.support import cli_runner, full_inspection


@pytest.fixture
def run(capsys):  # type: ignore[no-untyped-def]
    return cli_runner(capsys)


def _headings(doc: D.ReportDocument, level: int | None = None) -> list[str]:
    return [h.text for h in doc.headings() if level is None or h.level == level]


def _texts(doc: D.ReportDocument) -> list[str]:
    return [t for _w, t in doc.located_texts()]


def test_full_inspection_parts_in_order(run, tmp_path: Path) -> None:
    path = full_inspection(run, tmp_path)
    with open_store(str(path)) as store:
        concerns = ConcernService(store)
        concerns.add(title="Cells were dirty", body="Many cells were dirty.",
                     sections=["respect"])
        concerns.add(title="Violence was high", body="Violence was high.", sections=["safety"],
                     priority=True, addressee="hmpps")
        NppService(store).add(title="Peer mentors", body="Mentors met every arrival.")
        ScoringService(store).set_agreed("safety", "not_sufficiently_good", "Violence high")
        ScoringService(store).set_findings("safety", "early_days_in_custody",
                                           "Reception was calm.\n\nStaff were kind.")
        ReportWritingService(store).set_text("introduction", "This is the introduction.")
        doc = ReportService(store).build(ExportOptions(invariant=True))

    top = _headings(doc, 1)
    assert top[:4] == ["Introduction", "Fact page", "What needs to improve",
                       "Notable positive practice"]
    assert top.index("Healthy prison outcomes") < top.index("Section 2: Safety")
    for test in ("Safety", "Respect", "Purposeful activity"):
        assert any(h.endswith(test) for h in top), test
    assert top[-4:] == ["Appendix I: About this inspection and report",
                        "Appendix II: Inspection team", "Appendix III: Evidence index",
                        "Appendix IV: Glossary"]
    concern_blocks = [b for b in doc.blocks if isinstance(b, D.Concern)]
    assert [(c.number, c.kind_label) for c in concern_blocks[:2]] == [
        ("1", "Priority concern"), ("2", "Key concern")]
    assert concern_blocks[0].addressed_to == "HM Prison and Probation Service (HMPPS)"
    assert isinstance(doc.blocks[0], D.Contents)
    assert doc.cover.establishment == "HMP Ŵrexham" and doc.cover.status_line == "DRAFT"
    assert doc.marking == "OFFICIAL-SENSITIVE"
    texts = _texts(doc)
    assert "Score: Not sufficiently good" in texts
    assert "Reception was calm." in texts and "Staff were kind." in texts
    assert "[to be completed: agreed score for Respect]" in texts
    assert any(n.startswith("Respect: no agreed score") for n in doc.cover.notes)
    # Evidence linked to expectation 1 is cited under its area and listed in the index.
    assert "Evidence: E1, E2" in texts
    index = next(b for b in doc.blocks if isinstance(b, D.Table) and b.header[0] == "Ref")
    assert [r[0] for r in index.rows] == ["E1", "E2"]
    assert index.rows[0][2] == "Prisoner interview"  # a men's prison holds prisoners
    chart = next(b for b in doc.blocks if isinstance(b, D.ScoreChart))
    assert ("Safety", 2, None) in chart.rows


def test_invariant_build_is_repeatable_and_marking_is_per_inspection(run, tmp_path) -> None:
    path = full_inspection(run, tmp_path)
    with open_store(str(path)) as store:
        ReportWritingService(store).set_marking("OFFICIAL")
        service = ReportService(store)
        first = service.build(ExportOptions(invariant=True))
        assert first == service.build(ExportOptions(invariant=True))
    assert first.marking == "OFFICIAL"


def test_children_report_uses_care(run, tmp_path: Path) -> None:
    path = full_inspection(run, tmp_path, etype="children_yoi", name="HMYOI Example")
    with open_store(str(path)) as store:
        doc = ReportService(store).build(ExportOptions())
    assert any(h.endswith("Care") for h in _headings(doc, 1))
    assert any(h.endswith("Resettlement") for h in _headings(doc, 1))


@pytest.mark.parametrize(("etype", "label"), [
    ("mens_prison", "Prisoner interview"),
    ("irc", "Detainee interview"),
    ("children_yoi", "Interview with a child"),
])
def test_evidence_sources_name_the_people_the_establishment_holds(
        run, tmp_path: Path, etype: str, label: str) -> None:
    """Appendix I's table by source and Appendix III's index say prisoners, detainees or
    children as the establishment's type does, never "prisoner or detainee"."""
    path = full_inspection(run, tmp_path, etype=etype, name="Example")
    with open_store(str(path)) as store:
        doc = ReportService(store).build(ExportOptions(invariant=True))
    index = next(b for b in doc.blocks if isinstance(b, D.Table) and b.header[0] == "Ref")
    assert [r[2] for r in index.rows] == [label, "Observation"]
    by_source = next(b for b in doc.blocks if isinstance(b, D.Table)
                     and b.header[0] == "Source of evidence")
    assert (label, "1") in by_source.rows
    assert not any("or detainee" in t.lower() for t in _texts(doc))


def test_police_custody_is_ungraded_recommendation_model(run, tmp_path: Path) -> None:
    path = tmp_path / "pc.hmip"
    assert run("new", path, "--establishment", "Example custody suite", "--type",
               "police_custody", "--start", "2026-11-16", "--end", "2026-11-20").code == 0
    with open_store(str(path)) as store:
        ConcernService(store).add(title="Cells unclean", body="Cells were unclean.",
                                  sections=["in_the_custody_cell"])
        doc = ReportService(store).build(ExportOptions())
    assert not any(isinstance(b, D.ScoreChart) for b in doc.blocks)
    assert not any(t.startswith("Score:") for t in _texts(doc))
    assert "Summary of recommendations and housekeeping points" in _headings(doc, 1)
    assert "Appendix II: Progress on recommendations from the last report" in _headings(doc, 1)
    concern = next(b for b in doc.blocks if isinstance(b, D.Concern))
    assert concern.kind_label == "Recommendation"


def test_irp_reports_progress_not_scores(run, tmp_path: Path) -> None:
    path = tmp_path / "irp.hmip"
    assert run("new", path, "--establishment", "HMP Example", "--type", "mens_prison",
               "--kind", "irp", "--start", "2027-09-01", "--end", "2027-09-03").code == 0
    with open_store(str(path)) as store:
        prev = PreviousService(store)
        prev.add(ref="1", title="Violence", text="Violence was too high.", section="safety")
        prev.add(ref="2", title="Cells", text="Cells were dirty.", section="respect")
        prev.set_progress("1", "reasonable_progress", "Violence had fallen.")
        doc = ReportService(store).build(ExportOptions())
    assert "Progress on concerns from the last inspection" in _headings(doc, 1)
    assert not any(isinstance(b, D.ScoreChart) for b in doc.blocks)
    texts = _texts(doc)
    assert "Judgement: Reasonable progress" in texts
    assert "[to be completed: progress judgement]" in texts
    assert doc.cover.kind_label == "Independent review of progress"


def test_pinned_figure_is_drawn_where_cited(run, tmp_path: Path) -> None:
    path = full_inspection(run, tmp_path)
    csv = tmp_path / "uof.csv"
    csv.write_text("wing,count\nA,3\nB,5\nA,2\n", encoding="utf-8")
    assert run("extract", "import", path, csv, "--name", "Use of force").code == 0
    with open_store(str(path)) as store:
        from hmip_desktop.services.extracts import ExtractService

        eid = ExtractService(store).list()[0].id
        fig = FigureService(store).pin(eid, caption="Use of force by wing",
                                       spec={"group_by": 0, "agg": "count"})
        concern = ConcernService(store).add(title="Force", body="Force was used often.",
                                            sections=["safety"], evidence_ids=[fig.id])
        assert concern
        doc = ReportService(store).build(ExportOptions())
    chart = next(b for b in doc.blocks if isinstance(b, D.FigureChart))
    assert chart.labels == ("A", "B") and chart.values == (2.0, 1.0)
    assert "Use of force by wing" in chart.title


def test_disclosure_blocks_then_redacts(run, tmp_path: Path) -> None:
    path = full_inspection(run, tmp_path)
    out = tmp_path / "draft.pdf"
    with open_store(str(path)) as store:
        ConcernService(store).add(title="Escort delays", sections=["safety"],
                                  body="A1234BC waited; ring 020 7946 0018 or a.b@x.org. "
                                       "Mr Pryce agreed.")
        ReportWritingService(store).add_terms(["Pryce"])
        service = ReportService(store)
        with pytest.raises(DisclosureBlocked) as caught:
            service.export(out, ExportOptions())
        kinds = sorted(h.kind for h in caught.value.hits)
        assert kinds == ["email", "phone", "prison_number", "term"]
        assert all("Key concern 1" in h.where for h in caught.value.hits)
        assert not out.exists()
        docx_out = tmp_path / "draft.docx"
        result = service.export(docx_out, ExportOptions(redact=True))
    assert result.redacted and len(result.hits) == 4
    import docx

    written = docx.Document(str(docx_out))
    joined = "\n".join(p.text for p in written.paragraphs)
    for secret in ("A1234BC", "7946", "a.b@x.org", "Pryce"):
        assert secret not in joined
    assert "[redacted] waited" in joined
    assert oct(docx_out.stat().st_mode & 0o777) == "0o600"


def test_subject_references_on_notes_are_hits(run, tmp_path: Path) -> None:
    path = full_inspection(run, tmp_path)
    with open_store(str(path)) as store:
        from hmip_desktop.services.notes import NoteService

        NoteService(store).add(source_kind="staff_interview", title="Officer", body="x",
                                subject_ref="S-014")
        ConcernService(store).add(title="Staffing", body="S-014 said shifts were short.",
                                  sections=["safety"])
        hits = ReportService(store).preview().hits
    assert [(h.kind, h.text) for h in hits] == [("subject_ref", "S-014")]


def test_require_ready_refuses_and_un_letter_needs_a_flag(run, tmp_path: Path) -> None:
    path = full_inspection(run, tmp_path)
    with open_store(str(path)) as store:
        service = ReportService(store)
        with pytest.raises(NotReady):
            service.export(tmp_path / "r.pdf", ExportOptions(require_ready=True))
        with pytest.raises(UserError, match="no Urgent Notification"):
            service.build(ExportOptions(document=UN_LETTER))
    assert not list(tmp_path.glob("*.pdf"))


def test_recommendations_of_an_older_report_are_named_so(run, tmp_path: Path) -> None:
    """A full inspection or a review following up a pre-2022 report's recommendations heads
    the part "Progress on recommendations…" and judges on achieved / not achieved."""
    for kind, heading in (("full", "Progress on recommendations from the last report"),
                          ("irp", "Progress on recommendations from the last inspection")):
        path = tmp_path / f"{kind}.hmip"
        assert run("new", path, "--establishment", "HMP Example", "--type", "mens_prison",
                   "--kind", kind, "--start", "2027-09-01", "--end", "2027-09-03",
                   "--follow-up-scale", "recommendations").code == 0
        with open_store(str(path)) as store:
            prev = PreviousService(store)
            prev.add(ref="S47", title="Violence", text="A strategy.", section="safety")
            prev.set_progress("S47", "achieved", "In place.")
            doc = ReportService(store).build(ExportOptions())
        assert heading in _headings(doc, 1), kind
        assert "Progress on concerns from the last inspection" not in _headings(doc, 1)
        assert any("Achieved" in t for t in _texts(doc)), kind


def test_previous_items_keep_the_previous_reports_order(run, tmp_path: Path) -> None:
    """Priority concerns first, then references in natural order (2 before 10), lettered
    summary recommendations before numbered ones: in the report and in the list (GUI, CLI)."""
    from hmip_desktop.domain import records as R

    path = tmp_path / "irp.hmip"
    assert run("new", path, "--establishment", "HMP Example", "--type", "mens_prison",
               "--kind", "irp", "--start", "2027-09-01", "--end", "2027-09-03").code == 0
    with open_store(str(path)) as store:
        prev = PreviousService(store)
        for ref in ("10", "2", "1.02", "S1", "1"):
            prev.add(ref=ref, title=f"Item {ref}", text="Text.", section="safety")
        with store.uow(write=True) as tx:  # the review of a post-2022 report: 10 was priority
            item = tx.records.get(prev.item_id("10"))
            store.put(tx, R.PREVIOUS_ITEM, item.id, {**item.payload, "priority": True})
        listed = [i.ref for i in prev.list()]
        doc = ReportService(store).build(ExportOptions())
    assert listed == ["10", "S1", "1", "1.02", "2"]
    headings = [h for h in _headings(doc, 2) if h.startswith(tuple(listed))]
    assert headings == [f"{ref} Item {ref}" for ref in listed]


def test_about_text_comes_from_the_data_and_survives_a_bad_template() -> None:
    """The appendix wording is outlines.json's, per kind; an edited template with a stray
    brace or an unknown placeholder is printed as written, never a failed export."""
    from hmip_desktop.report.build_outcomes import DEFAULT_ABOUT, fill

    values = {"kind": "independent review of progress", "dates": "1–3 June 2024",
              "framework": "Expectations", "edition": "6", "evidence": "4"}
    assert fill("This is an {kind}; {evidence} pieces, {unknown}.", values) == \
        "This is an independent review of progress; 4 pieces, {unknown}."
    assert fill("Broken {kind", values) == "Broken {kind"
    assert "a independent" not in fill(DEFAULT_ABOUT, values)


def test_un_letter_words_the_visit_dates_as_a_range(run, tmp_path: Path) -> None:
    """'which we inspected on 16–27 November 2026': a dash range after 'between' read
    'between 16–27 November' (between … and … is the only English for that)."""
    path = full_inspection(run, tmp_path)
    assert run("un", "set", path, "--reason", "Poor safety").code == 0
    with open_store(str(path)) as store:
        letter = ReportService(store).build(ExportOptions(document=UN_LETTER))
    texts = _texts(letter)
    assert any("which we inspected on 16–27 November 2026." in t for t in texts)
    assert not any("between 16–27" in t for t in texts)


@pytest.mark.parametrize(("etype", "people"), [("mens_prison", "prisoners"),
                                              ("children_yoi", "children")])
def test_un_letter_criteria_name_the_people_held(run, tmp_path: Path, etype: str,
                                                 people: str) -> None:
    """The criteria considered say "How vulnerable the prisoners are" for a men's prison,
    "the children" for a children's YOI: never "prisoners or detainees"."""
    path = full_inspection(run, tmp_path, etype=etype, name="Example")
    assert run("un", "set", path, "--reason", "Poor safety", "--criterion",
               "vulnerability").code == 0
    with open_store(str(path)) as store:
        letter = ReportService(store).build(ExportOptions(document=UN_LETTER))
    criteria = [b for b in letter.blocks if isinstance(b, D.ItemList)
                and b.where == "Criteria"]
    assert [list(b.items) for b in criteria] == [[f"How vulnerable the {people} are"]]
    assert not any("detainee" in t for t in _texts(letter))
    shown = run("un", "show", path).out
    assert f"How vulnerable the {people} are" in shown


def test_a_review_reports_the_action_plan_each_followed_concern_was_given(run, tmp_path) -> None:
    """Under each previous item, the establishment's response and every step (owner, date in
    words) as `new --follows` copied them; an item without a plan gets no such lines."""
    first = full_inspection(run, tmp_path)
    with open_store(str(first)) as store:
        concerns = ConcernService(store)
        cells = concerns.add(title="Cells were dirty", body="Many cells were dirty.",
                             sections=["respect"])
        concerns.add(title="Violence was high", body="Violence was high.",
                     sections=["safety"], priority=True)
        concerns.edit(cells, action_plan={
            "response": "partly_agreed", "explanation": "Wing C only", "steps": [
                {"action": "Paint the cells", "owner": "Head of works",
                 "target_date": "2027-06-30", "status": "Not started"},
                {"action": "Audit cleanliness", "owner": "Governor",
                 "target_date": "2027-09-30"}]})
    review = tmp_path / "review.hmip"
    assert run("new", review, "--kind", "irp", "--follows", first, "--start", "2027-09-06",
               "--end", "2027-09-08").code == 0
    with open_store(str(review)) as store:
        doc = ReportService(store).build(ExportOptions())
    under: dict[str, list[str]] = {}
    for where, text in doc.located_texts():
        if where.endswith(("Previous item 1", "Previous item 2")):
            under.setdefault(where.rsplit(" ", 1)[-1], []).append(text)
    assert under["1"] == ["Violence was high."]
    assert under["2"][1:] == [
        "Action plan response: Partly agreed. Part agreed: Wing C only",
        # Due before the review began on 6 September and not started: overdue, in words.
        "Step 1: Paint the cells (owner Head of works, by 30 June 2027 — overdue at the "
        "start of this visit)",
        "Step 2: Audit cleanliness (owner Governor, by 30 September 2027)"]


def test_several_inspectors_findings_on_one_area_are_attributed(run, tmp_path: Path) -> None:
    """A published report speaks with one voice: where two inspectors wrote on one area the
    draft asks for one text and says whose each draft is; one author's prints as it is."""
    from hmip_desktop.domain import records as R
    from hmip_desktop.domain import scoring as S
    from tests.scoring.support import write_as

    path = full_inspection(run, tmp_path)
    with open_store(str(path)) as store:
        scoring = ScoringService(store)
        scoring.set_findings("safety", "early_days_in_custody", "Reception was calm.")
        scoring.set_findings("safety", None, "Safety overall was weak.")
        other = "0190f000-0000-7000-8000-00000000abcd"
        fid = S.findings_id(store.inspection_id, "safety", "early_days_in_custody", other)
        write_as(store, author=other, device="dev-other", entity_type=R.FINDINGS,
                 entity_id=fid, payload={"section_key": "safety",
                                         "area_key": "early_days_in_custody",
                                         "author_id": other, "author_name": "Ann Other",
                                         "text": "Induction was late."})
        me = store.device.author_name
        doc = ReportService(store).build(ExportOptions(invariant=True))
    texts = _texts(doc)
    names = sorted([me, "Ann Other"], key=str.casefold)
    start = texts.index(f"[to be completed: one text from the findings of {names[0]} and "
                        f"{names[1]}]")
    mine = [f"Drafted by {me}:", "Reception was calm."]
    theirs = ["Drafted by Ann Other:", "Induction was late."]
    expected = mine + theirs if names[0] == me else theirs + mine
    assert texts[start + 1:start + 5] == expected
    # The section's own findings have one author: printed as written, no marker.
    at = texts.index("Safety overall was weak.")
    assert not texts[at - 1].startswith(("Drafted by", "[to be completed: one text"))
    # An author saved without a name is told apart by the end of their id.
    with open_store(str(path)) as store:
        nameless = "0190f000-0000-7000-8000-0000000fedcb"
        fid = S.findings_id(store.inspection_id, "safety", None, nameless)
        write_as(store, author=nameless, device="dev-nameless", entity_type=R.FINDINGS,
                 entity_id=fid, payload={"section_key": "safety", "area_key": "",
                                         "author_id": nameless, "author_name": "",
                                         "text": "Cells were cold."})
        texts = _texts(ReportService(store).build(ExportOptions(invariant=True)))
    assert "Drafted by an inspector (…0fedcb):" in texts


def test_a_hit_in_a_table_names_its_row_and_column() -> None:
    """A disclosure hit in a table of hundreds of rows (the evidence index) says which row
    and column, not only which table."""
    from hmip_desktop.domain.disclosure import DisclosureRules, check

    index = D.Table(("Ref", "Evidence", "Subject reference"),
                    (("E1", "Kitchen visit", ""), ("E2", "Interview on B wing", "P-A1")),
                    where="Evidence index")
    cover = D.Cover("Draft", "HMP A", "Men's prison", "1 May 2026", "Inspection")
    doc = D.ReportDocument("Draft", "HMIP", "", "en-GB", "OFFICIAL", "HMP A", "2026-05-01",
                           cover, (D.Heading(1, "Appendix III", "appendix-3"), index))
    (hit,) = check(doc, DisclosureRules(subject_refs=["P-A1"]))
    assert hit.where == "Appendix III › Evidence index, row E2, Subject reference"
