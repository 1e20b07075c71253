"""Pinned figures, coverage by source kind and triangulation, and openable search results."""

from __future__ import annotations

import pytest

from hmip_desktop.cli.json_out import to_plain
from hmip_desktop.domain import records as R
from hmip_desktop.domain.errors import NotFoundError, ValidationError
from hmip_desktop.domain.search_query import Highlighted
from hmip_desktop.services.coverage import coverage, framework_refs
from hmip_desktop.services.documents import DocumentService
from hmip_desktop.services.extracts import ExtractService
from hmip_desktop.services.figures import FigureService, FigureSpec
from hmip_desktop.services.links import LinkService
from hmip_desktop.services.notes import NoteService
from hmip_desktop.services.search_targets import first_match_offset, search_targets
from hmip_desktop.storage import extract_tables as T

CSV = ("date,wing,cost\n2024-01-05,A,12.50\n2024-01-20,B,3.10\n2024-02-01,A,0.20\n"
       "2024-02-11,A,0.10\n")


@pytest.fixture
def extract(store, write_csv):  # type: ignore[no-untyped-def]
    """An imported incidents extract."""
    return ExtractService(store).import_file(write_csv("incidents.csv", CSV))


def test_pin_figure_stores_spec_and_result(store, extract) -> None:
    """The FIGURE record holds the spec and the computed result (numbers as int/text)."""
    service = FigureService(store)
    fig = service.pin(extract.id, caption="Use of force cost per month", spec={
        "group_by": "date", "agg": "sum", "value_column": "cost", "granularity": "month",
        "chart": "line", "filters": [("wing", "=", "A")]})
    assert fig.rows == (("2024-01", "12.5"), ("2024-02", "0.3"))
    assert fig.values() == [12.5, 0.3] and fig.chart == "line"
    assert fig.spec == FigureSpec(0, "sum", 2, "month", "line", ((1, "=", "A"),))
    assert fig.key_label == "date (month)" and fig.value_label == "Sum of cost"
    with store.uow() as tx:
        payload = tx.records.get(fig.id).payload
    assert payload["result"]["rows"] == [["2024-01", "12.5"], ["2024-02", "0.3"]]
    assert payload["source_kind"] == "data" and payload["extract_sha256"] == extract.sha256
    # The result needs no rows: it still shows after the local table is gone.
    with store.uow(write=True) as tx:
        tx.extract_tables.drop(T.table_name(extract.id))
    assert service.list() == [fig]
    assert service.list(extract.id) == [fig] and service.list("x") == []
    assert [h.entity_id for h in search_targets(store, "force")] == [fig.id]


def test_figure_refusals_and_edits(store, extract) -> None:
    """Caption, grouping and chart are checked; caption edits and deletes are revisions."""
    figures = FigureService(store)
    with pytest.raises(ValidationError, match="caption"):
        figures.pin(extract.id, caption=" ", spec={"group_by": "wing"})
    with pytest.raises(ValidationError, match="group by"):
        figures.pin(extract.id, caption="c", spec={})
    with pytest.raises(ValidationError, match="bar' or 'line"):
        figures.pin(extract.id, caption="c", spec={"group_by": "wing", "chart": "pie"})
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("hmip_desktop.services.figures.MAX_FIGURE_GROUPS", 1)
        with pytest.raises(ValidationError, match="at most 1 groups"):
            figures.pin(extract.id, caption="c", spec={"group_by": "wing"})
    fig = figures.pin(extract.id, caption="Incidents per wing", spec={"group_by": "wing"})
    assert fig.rows == (("A", 3), ("B", 1))
    assert figures.set_caption(fig.id, "Incidents by wing").ids == frozenset({fig.id})
    assert figures.get(fig.id).caption == "Incidents by wing"
    figures.delete(fig.id)
    with pytest.raises(NotFoundError):
        figures.get(fig.id)
    figures.restore(fig.id)
    assert figures.get(fig.id).rows == fig.rows


def test_coverage_counts_triangulation_and_gaps(store, extract, tmp_path) -> None:
    """Distinct evidence per source kind; three kinds triangulate; gaps and unknown refs."""
    notes = NoteService(store)
    links = LinkService(store)
    body = "Staff said the review was late. Prisoners agreed."
    interview = notes.add(source_kind="staff_interview", title="Officer", body=body)
    links.add(interview, "1", start=0, end=10)
    links.add(interview, "1", start=11, end=20)  # a second passage: still one item
    notes.add(source_kind="prisoner_interview", title="Group", body="x", expectations=["1"])
    (tmp_path / "log.txt").write_text("review log", encoding="utf-8")
    doc = DocumentService(store).import_files([tmp_path / "log.txt"], expectations=["2"])[0]
    fig = FigureService(store).pin(extract.id, caption="Per wing", spec={"group_by": "wing"})
    links.add(fig.id, "1")
    links.add(extract.id, "2")
    gone = notes.add(source_kind="observation", title="Gone", body="y", expectations=["2"])
    notes.delete(gone)
    removed = links.add(doc.id, "3")
    links.remove(removed)
    notes.add(source_kind="survey", title="Old ref", body="z", expectations=["99.9"])

    report = coverage(store)
    one, two, three = (report.expectation(r) for r in ("1", "2", "3"))
    assert dict(one.counts) == {"prisoner_interview": 1, "staff_interview": 1, "data": 1}
    assert one.evidence == 3 and one.links == 4
    assert one.triangulated and one.status == "triangulated"
    assert dict(two.counts) == {"document_review": 1, "data": 1} and two.status == "thin"
    assert three.evidence == 0 and three.status == "gap"
    assert report.unknown_refs == ("99.9",)
    safety = report.sections[0]
    assert (safety.key, safety.total, safety.covered, safety.triangulated) == ("safety", 2, 2, 1)
    area = safety.areas[0]
    assert area.counts == {"prisoner_interview": 1, "staff_interview": 1, "document_review": 1,
                           "data": 2}
    assert report.sections[1].areas[0].gaps == ("3",)
    data = to_plain(report)
    assert data["sections"][0]["areas"][0]["expectations"][0]["status"] == "triangulated"
    assert [k["key"] for k in data["source_kinds"]][:2] == ["prisoner_interview",
                                                           "group_discussion"]
    assert framework_refs(store) == {"1", "2", "3"}


def test_search_targets_point_into_notes(store) -> None:
    """A note hit opens at the first match, even with repeated words and ellipses."""
    body = ("Cell bells were slow on C wing. " * 30) + "Segregation unit staff were calm. " + \
        "The segregation review board met weekly."
    note_id = NoteService(store).add(source_kind="observation", title="Night", body=body)
    [hit] = search_targets(store, "segregation")
    assert hit.entity_id == note_id and hit.kind == R.NOTE and hit.page is None
    assert body[hit.offset:].lower().startswith("segregation")
    assert hit.offset == body.index("Segregation")
    assert search_targets(store, "night")[0].offset is None  # matched the title only
    assert first_match_offset("abc", Highlighted("no marks")) is None
    assert first_match_offset("Alpha beta", Highlighted("alpha beta", ((0, 5),))) == 0
