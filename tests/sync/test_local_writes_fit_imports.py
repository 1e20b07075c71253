"""A record written here is held to the rules every teammate's import applies: one that they
would refuse (a pasted text over the limit) is refused when it is saved, nothing written,
instead of travelling in every later bundle and having each of those refused."""

from __future__ import annotations

import pytest

from hmip_desktop.domain.errors import ValidationError
from hmip_desktop.domain.payload_rules import MAX_STRING_CHARS
from tests.sync.conftest import TeamKit


def test_a_text_over_the_import_limit_is_refused_when_saved(kit: TeamKit, trio) -> None:
    lead, alice, _bob = trio
    before = alice.store.unexported_count()
    with pytest.raises(ValidationError, match=f"limit: {MAX_STRING_CHARS:,} characters"):
        alice.notes.add(source_kind="observation", title="Pasted log",
                        body="x" * (MAX_STRING_CHARS + 1))
    assert alice.store.unexported_count() == before
    alice.notes.add(source_kind="observation", title="Pasted log", body="x" * 1000)
    report = kit.import_(lead, [kit.export(alice)])  # the leader takes the bundle as sent
    assert report.imported == 1 and report.revisions_new > 0


def test_a_record_an_earlier_version_let_through_can_still_be_deleted(
        kit: TeamKit, trio, monkeypatch) -> None:
    """Deleting is the way out for an over-limit record saved before the check existed."""
    from hmip_desktop.services import inspection_store

    _lead, alice, _bob = trio
    monkeypatch.setattr(inspection_store, "check_payload", lambda *a, **k: None)
    nid = alice.notes.add(source_kind="observation", title="Pasted log",
                          body="x" * (MAX_STRING_CHARS + 1))
    monkeypatch.undo()
    alice.notes.delete(nid)
    with alice.store.uow() as tx:
        assert tx.records.get(nid).deleted


def test_a_record_too_large_to_travel_is_refused(kit: TeamKit, trio) -> None:
    """Texts each within the limit can add up to more than a bundle carries in one line
    (64 MiB): refused on save, so no later export fails on it."""
    _lead, alice, _bob = trio
    wide = "\N{GRINNING FACE}" * (MAX_STRING_CHARS - 1)  # 4 bytes each in UTF-8
    with pytest.raises(ValidationError, match="limit: 64 MiB"):
        alice.notes.add(source_kind="observation", title="Pasted", body=wide, location=wide)
    kit.export(alice)  # the file still exports
