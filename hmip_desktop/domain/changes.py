"""What an operation changed, as data, so every view reloads only what it shows."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ChangeSet:
    """Entity types and ids touched by one operation."""

    types: frozenset[str] = field(default_factory=frozenset)
    ids: frozenset[str] = field(default_factory=frozenset)
    everything: bool = False

    def touches(self, entity_type: str) -> bool:
        """True when views of this entity type should reload."""
        return self.everything or entity_type in self.types

    @classmethod
    def of(cls, entity_type: str, *ids: str) -> ChangeSet:
        """A change of some records of one type."""
        return cls(frozenset({entity_type}), frozenset(ids))

    @classmethod
    def all(cls) -> ChangeSet:
        """Everything may have changed (a merge, a file opened)."""
        return cls(everything=True)

    def __or__(self, other: ChangeSet) -> ChangeSet:
        return ChangeSet(self.types | other.types, self.ids | other.ids,
                         self.everything or other.everything)
