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
