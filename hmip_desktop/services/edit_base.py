"""Edits made from an earlier state of a record: nobody's change is overwritten unseen.

An editor shows a record as it was when loaded; a teammate's bundle merged meanwhile (or the
same file changed by another window or by `hmip`) may have changed it since. Writing the
editor's fields over the newer state would silently undo that change. So an editor says
which state it started from (the record's clock stamp then, `based_on`), and the edit is
rebased on it:

- nothing happened meanwhile: the edit as usual;
- the changes touch different fields (a teammate retitled, this person typed in the body):
  both are kept, as one new state (domain.heads.field_merge, the rule merges use);
- both changed the same field, or any free text: this edit is written beside the other as a
  second head, from the state it started from — a conflict, shown on the record and
  resolved by a person (sync-and-security.md §1.3: free text is never combined by itself);
- the record was deleted meanwhile: the same, this edit beside the deletion.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hmip_desktop.domain.changes import ChangeSet, Saved
from hmip_desktop.domain.entity import EntityView
from hmip_desktop.domain.heads import field_merge
from hmip_desktop.domain.records import FREE_TEXT_FIELDS

if TYPE_CHECKING:
    from hmip_desktop.storage.unit_of_work import UnitOfWork


def rebase(tx: UnitOfWork, current: EntityView, payload: Mapping[str, Any],
           based_on: str | None) -> tuple[dict[str, Any], list[str] | None]:
    """The payload to write and its parents (None: the current winner, as usual)."""
    if not based_on or based_on == current.updated_hlc:
        return dict(payload), None
    base = next((r for r in tx.records.revisions_of(current.id) if r.hlc == based_on), None)
    if base is None:  # a state this file never had: nothing to rebase on
        return dict(payload), None
    if current.deleted:
        # Deleted meanwhile (a teammate's delete merged, `hmip note delete`) while this
        # person typed in it: their text is kept beside the deletion, for a person to decide.
        return dict(payload), [base.rev_id]
    merged = field_merge(base.payload, payload, current.payload,
                         free_text_fields=FREE_TEXT_FIELDS)
    if merged is not None:
        return merged, None
    return dict(payload), [base.rev_id]


def saved(changes: ChangeSet, now_at: str, parents: list[str] | None) -> Saved:
    """What an edit with `based_on` returns: its changes and the record's state after it."""
    return Saved(changes.types, changes.ids, changes.everything, now_at=now_at,
                 kept_both=parents is not None)
