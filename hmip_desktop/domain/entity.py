"""The materialised view of one record, as services hand it to the UI and command line."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class EntityView:
    """Current state of a record: the winner's payload plus provenance and conflict state."""

    id: str
    type: str
    payload: Mapping[str, Any]
    deleted: bool
    head_count: int
    winner_rev: str
    created_hlc: str
    updated_hlc: str
    created_by: str
    updated_by: str

    @property
    def conflicted(self) -> bool:
        """True when two or more heads exist (a person must decide)."""
        return self.head_count > 1
