"""Record ids: UUIDv7 text made without the uuid module, and deterministic ids that never
change (two laptops must make the same id for the same natural key, in every version)."""

from __future__ import annotations

import uuid

from hmip_desktop.domain import ids


def test_uuid7_is_canonical_uuid_text_of_version_7() -> None:
    made = [ids.uuid7() for _ in range(2000)]
    for text in made:
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 7 and parsed.variant == uuid.RFC_4122
    assert made == sorted(made)  # time-ordered within one process
    assert len(set(made)) == len(made)


def test_deterministic_ids_are_pinned() -> None:
    # Values made by earlier versions: a change here splits records across laptops.
    assert ids.deterministic_id("score", "a", "b") == "08d46b1c-ce4e-59df-82fc-80e35e181ce9"
    assert ids.deterministic_id("score", "a", "b") == str(
        uuid.uuid5(uuid.UUID(ids.HMIP_NAMESPACE), "score\x1fa\x1fb"))
