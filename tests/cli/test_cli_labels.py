"""Text output shows the labels people read; --json keeps the keys (in-process: fast)."""

from __future__ import annotations

import json

from hmip_desktop.cli.main import main
from hmip_desktop.services import labels
from hmip_desktop.services.notes import NoteService


def _run(capsys, *args: str) -> str:  # type: ignore[no-untyped-def]
    assert main(list(args)) == 0
    return capsys.readouterr().out


def test_text_shows_labels_and_json_keeps_keys(store, capsys) -> None:
    """`info` and `note list` say "Men's prison" and "Prisoner interview"."""
    NoteService(store).add(source_kind="prisoner_interview", title="Reception", body="x")
    path = str(store.path)
    store.close()
    info = _run(capsys, "info", path)
    assert "(Men's prison)" in info and "mens_prison" not in info
    assert "Full inspection" in info and "status Fieldwork" in info
    notes = _run(capsys, "note", "list", path)
    assert "Prisoner interview" in notes and "prisoner_interview" not in notes
    assert "detainee" not in notes
    facts = json.loads(_run(capsys, "info", path, "--json"))
    assert facts["establishment_type"] == "mens_prison" and facts["kind"] == "full"
    listed = json.loads(_run(capsys, "note", "list", path, "--json"))
    assert listed[0]["source_kind"] == "prisoner_interview"


def test_one_lookup_per_vocabulary() -> None:
    """Each vocabulary has its label lookup; unknown keys show as themselves."""
    assert labels.establishment_type_label("mens_prison") == "Men's prison"
    assert labels.source_kind_label("prisoner_interview", "mens_prison") == "Prisoner interview"
    assert labels.source_kind_label("observation", "irc") == "Observation"
    assert labels.source_kind_label(None, "mens_prison") == "Unknown source"
    assert labels.inspection_kind_label("irp") == "Independent review of progress"
    assert labels.inspection_status_label("ready_for_report") == "Ready for report"
    assert labels.coverage_status_label("thin") == "Not yet triangulated"
    assert labels.record_type_label("npp") == "Notable positive practice"
    assert labels.establishment_type_label("new_kind") == "new_kind"


def test_record_fields_read_as_words() -> None:
    """Field names and values as the conflict cards and `hmip conflicts` show them."""
    from hmip_desktop.domain.payload_rules import FIELD_TYPES
    from hmip_desktop.services.field_text import field_line, short_value

    assert field_line("interpreter_used", False, "note") == "Interpreter used: No"
    assert field_line("priority", True, "concern") == "Priority concern: Yes"
    assert field_line("body", "Open daily.", "npp") == "Description: Open daily."
    assert field_line("location", None, "note") == "Where: (empty)"
    assert field_line("subject_ref", "", "note") == "Subject: (empty)"
    assert field_line("source_kind", "staff_interview", "note") == "Source: Staff interview"
    assert field_line("kind", "irp", "inspection") == "Kind of inspection: Independent review " \
        "of progress"
    assert field_line("sections", [], "concern") == "Sections: (none)"
    assert labels.field_label("some_new_field") == "Some new field"
    long = short_value("body", "word " * 100)
    assert len(long) <= 60 and long.endswith("word…"), long
    assert short_value("title", "ok\x1b[2J\u202eevil") == "ok[2Jevil"
    # Every field a record may hold has a label of its own (none falls back to its name).
    unlabelled = {k for fields in FIELD_TYPES.values() for k in fields
                  if k not in labels.FIELD_LABELS}
    assert not unlabelled, unlabelled
