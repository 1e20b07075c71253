"""Urgent Notification rules from data: where a UN may be used (and to whom it goes), the
letter date against the inspection's start, a late letter, and the recorded response.

Wandsworth 2024 (hmip-method.md §10): inspection 22 Apr–2 May 2024, letter 9 May 2024,
response and action plan due 6 Jun 2024."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from hmip_desktop.cli.json_out import to_plain
from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.paths import resource_path
from hmip_desktop.services.inspections import create_inspection
from hmip_desktop.services.urgent_notification import (
    UrgentNotificationService,
    establishment_type_labels,
    load_process,
)
from tests.factories import scored_framework
from tests.report.support import cli_runner

D = dt.date.fromisoformat


def _store(tmp_path: Path, etype: str, name: str = "HMP Wandsworth"):  # type: ignore[no-untyped-def]
    return create_inspection(tmp_path / f"{etype}.hmip", establishment_name=name,
                             establishment_type=etype, framework=scored_framework(),
                             start_date="2024-04-22", end_date="2024-05-02")


@pytest.fixture
def wandsworth(tmp_path: Path):  # type: ignore[no-untyped-def]
    s = _store(tmp_path, "mens_prison")
    yield s
    s.close()


def test_scope_is_data_and_names_known_types() -> None:
    """Prisons, YOIs and STCs; every key is an establishment type; STCs need Ofsted."""
    process = load_process()
    keys = {s.establishment_type for s in process.scopes}
    assert keys == {"mens_prison", "womens_prison", "young_adults_yoi", "children_yoi", "stc"}
    known = {t["key"] for t in json.loads(resource_path("frameworks", "establishment_types.json")
                                          .read_text(encoding="utf-8"))["establishment_types"]}
    assert keys <= known
    stc = process.scope_for("stc")
    assert stc is not None and any("Ofsted" in who for who in stc.needs_agreement_of)
    assert process.scope_for("irc") is None


def test_wandsworth_dates(wandsworth) -> None:  # type: ignore[no-untyped-def]
    """Letter 9 May 2024 (on time) → response due 6 Jun 2024; the addressee from the data."""
    service = UrgentNotificationService(wandsworth)
    service.set(reasons=["Safety and respect were poor"], letter_date="2024-05-09")
    status = service.status(today=D("2024-05-13"))
    assert status.allowed and status.addressee == "The Secretary of State for Justice"
    assert status.dates is not None
    assert (status.dates.letter_due, status.dates.response_due) == (D("2024-05-09"),
                                                                    D("2024-06-06"))
    assert status.late is False and to_plain(status)["late"] is False
    assert status.dates.response_days_remaining == 24


def test_un_refused_for_an_irc(tmp_path: Path) -> None:
    """Not used after inspections of immigration removal centres: the message names the type."""
    store = _store(tmp_path, "irc", "Heathrow IRC")
    try:
        service = UrgentNotificationService(store)
        with pytest.raises(ValidationError, match="Immigration removal centre"):
            service.set(reasons=["Poor outcomes"])
        status = service.status()
        assert not status.active and not status.allowed and status.addressee is None
        assert status.establishment_type_label == establishment_type_labels()["irc"]
    finally:
        store.close()


def test_stc_needs_ofsted(tmp_path: Path) -> None:
    """A UN is allowed for an STC, and the status says whose agreement it needs."""
    store = _store(tmp_path, "stc", "Oakhill STC")
    try:
        service = UrgentNotificationService(store)
        service.set(reasons=["Profound and systemic failures"])
        status = service.status()
        assert status.active and status.allowed
        assert "Ofsted's Chief Inspector" in status.needs_agreement_of
    finally:
        store.close()


def test_letter_before_the_start_is_refused(wandsworth) -> None:  # type: ignore[no-untyped-def]
    service = UrgentNotificationService(wandsworth)
    with pytest.raises(ValidationError, match="cannot be before the inspection's start date"):
        service.set(reasons=["r"], letter_date="2024-04-21")
    assert not service.status().active  # nothing written
    service.set(reasons=["r"], letter_date="2024-04-22")  # the first day is fine


def test_late_letter_is_flagged(wandsworth) -> None:  # type: ignore[no-untyped-def]
    """Dated after its due date (9 May) the letter is late; the response counts from it."""
    service = UrgentNotificationService(wandsworth)
    service.set(reasons=["r"], letter_date="2024-05-10")
    status = service.status(today=D("2024-05-10"))
    assert status.late is True and to_plain(status)["late"] is True
    assert status.dates is not None and status.dates.response_due == D("2024-06-07")


def test_response_date_stops_the_countdown(wandsworth) -> None:  # type: ignore[no-untyped-def]
    """Recorded in the payload; no days remaining after it; not before the letter."""
    service = UrgentNotificationService(wandsworth)
    service.set(reasons=["r"], letter_date="2024-05-09")
    with pytest.raises(ValidationError, match="cannot be before the letter date"):
        service.set(response_date="2024-05-08")
    service.set(response_date="2024-06-06")
    status = service.status(today=D("2024-07-01"))
    assert status.dates is not None and status.dates.response_date == D("2024-06-06")
    assert status.dates.response_days_remaining is None
    assert to_plain(status)["dates"]["response_date"] == "2024-06-06"
    with pytest.raises(ValidationError, match="cannot be before the letter date"):
        service.set(letter_date="2024-06-07")  # the letter may not move past the response
    service.set(reasons=["r", "s"])  # other edits keep the response date
    assert service.status().dates.response_date == D("2024-06-06")  # type: ignore[union-attr]
    service.set(response_date=None)
    assert service.status().dates.response_date is None  # type: ignore[union-attr]


def test_old_records_without_response_date(wandsworth) -> None:  # type: ignore[no-untyped-def]
    """A payload written before response_date existed still reads, and re-saving it unchanged
    writes no revision."""
    service = UrgentNotificationService(wandsworth)
    with wandsworth.uow(write=True) as tx:
        wandsworth.put(tx, "urgent_notification", service.record_id,
                       {"reasons": ["r"], "criteria": [], "letter_date": "2024-05-09"})
    status = service.status(today=D("2024-05-20"))
    assert status.active and status.dates is not None and status.dates.response_date is None
    assert status.dates.response_days_remaining == 17
    assert service.set(reasons=["r"]).ids == frozenset()


# -- the same rules through `hmip un` (in-process) ---------------------------------------------

@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    return cli_runner(capsys)


def _new(run, folder: Path, etype: str, name: str) -> Path:  # type: ignore[no-untyped-def]
    path = folder / f"{etype}-cli.hmip"
    result = run("new", path, "--establishment", name, "--type", etype, "--start", "2024-04-22",
                 "--end", "2024-05-02")
    assert result.code == 0, result.err
    return path


def test_cli_wandsworth_late_and_response(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _new(run, tmp_path, "mens_prison", "HMP Wandsworth")
    refused = run("un", "set", path, "--reason", "Poor safety", "--letter-date", "2024-04-01")
    assert refused.code == 2 and "cannot be before the inspection's start date" in refused.err
    assert run("un", "set", path, "--reason", "Poor safety", "--letter-date",
               "2024-05-09").code == 0
    shown = run("un", "show", path)
    assert "to: The Secretary of State for Justice" in shown.out
    assert "sent 2024-05-09 (was due 2024-05-09)" in shown.out and "late" not in shown.out
    assert "due 2024-06-06" in shown.out
    assert run("un", "set", path, "--letter-date", "2024-05-11").code == 0
    shown = run("un", "show", path)
    assert "(was due 2024-05-09; late by 2 days)" in shown.out
    data = json.loads(run("un", "show", path, "--json").out)
    assert data["late"] is True and data["addressee"] == "The Secretary of State for Justice"
    assert run("un", "set", path, "--response-date", "2024-06-05").code == 0
    shown = run("un", "show", path)
    assert "received on 2024-06-05" in shown.out and "left" not in shown.out
    data = json.loads(run("un", "show", path, "--json").out)
    assert data["dates"]["response_date"] == "2024-06-05"
    assert data["dates"]["response_days_remaining"] is None
    bad = run("un", "set", path, "--response-date", "2024-05-01")
    assert bad.code == 2 and "cannot be before the letter date" in bad.err


def test_cli_refuses_an_irc(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _new(run, tmp_path, "irc", "Heathrow IRC")
    refused = run("un", "set", path, "--reason", "Poor outcomes")
    assert refused.code == 2
    assert "not used after inspections" in refused.err
    assert "Immigration removal centre" in refused.err
    assert "Traceback" not in refused.err
    shown = run("un", "show", path)
    assert "not used after inspections" in shown.out
    assert json.loads(run("un", "show", path, "--json").out)["allowed"] is False
