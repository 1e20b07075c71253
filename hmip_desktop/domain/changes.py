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

    @property
    def empty(self) -> bool:
        """True when nothing changed (an unchanged save)."""
        return not (self.everything or self.types)

    def __or__(self, other: ChangeSet) -> ChangeSet:
        return ChangeSet(self.types | other.types, self.ids | other.ids,
                         self.everything or other.everything)


class Saved(ChangeSet):
    """What an edit made from a known state of its record changed (services.edit_base), with
    the state the record is in now: an editor's next save starts from `now_at`. `kept_both`:
    a teammate's change to the same text arrived while this edit was being made, and both
    versions are kept, as a conflict a person resolves (nothing is overwritten).

    Compares as the changes it carries. Not a dataclass of its own: making one costs a start
    about half a millisecond (issue 11), for two attributes."""

    now_at: str
    kept_both: bool

    def __init__(self, types: frozenset[str] = frozenset(), ids: frozenset[str] = frozenset(),
                 everything: bool = False, *, now_at: str = "", kept_both: bool = False) -> None:
        super().__init__(types, ids, everything)
        object.__setattr__(self, "now_at", now_at)  # frozen, as the changes are
        object.__setattr__(self, "kept_both", kept_both)


class NewId(str):
    """The id of a record an `add` just wrote, carrying that write's changes.

    Still a plain id everywhere an id is expected (CLI output, JSON, SQL parameters).
    """

    changes: ChangeSet

    def __new__(cls, value: str, changes: ChangeSet) -> NewId:
        self = super().__new__(cls, value)
        self.changes = changes
        return self

    def __getnewargs__(self) -> tuple[str, ChangeSet]:  # type: ignore[override]
        return str(self), self.changes


def changes_of(result: object) -> ChangeSet | None:
    """The changes a write returned: a ChangeSet, anything with `.changes`, or a list of them.

    None when the result does not say (a bundle export's report, for one).
    """
    if isinstance(result, ChangeSet):
        return result
    changes = getattr(result, "changes", None)
    if isinstance(changes, ChangeSet):
        return changes
    if isinstance(result, (list, tuple)):
        out = ChangeSet()
        for item in result:
            out = out | (changes_of(item) or ChangeSet())
        return out
    return None
