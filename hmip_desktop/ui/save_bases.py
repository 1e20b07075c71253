"""The stored state each record's editor started from, for saves that say so.

An editor's save names the state its fields were loaded from (`based_on`,
services/edit_base.py), so that a teammate's change merged meanwhile is kept, not written
over. This is the bookkeeping both editors (notes; concerns and notable positive practice)
share: the state shown when a record is loaded, advanced by each save's result on the DB lane
(saves run there in order), and the saves of each record still on the lane, while which a
freshly read state is older than what the save will return. No Qt.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hmip_desktop.domain.changes import Saved

# edit(record_id, *, based_on=..., **fields): a service's edit (NoteService.edit, ...).
Edit = Callable[..., Any]


class SaveBases:
    """By record id: the state its next save starts from, and its saves on the DB lane."""

    def __init__(self) -> None:
        self._based_on: dict[str, str] = {}
        self._saving: dict[str, int] = {}

    def shown(self, record_id: str, updated_hlc: str) -> None:
        """The editor shows this stored state of the record: its next save starts from it,
        unless a save of the record is still on the lane (its result is newer, and sets it)."""
        if not self._saving.get(record_id):
            self._based_on[record_id] = updated_hlc

    def saving(self, record_id: str) -> bool:
        """True while a save of the record is on the DB lane."""
        return bool(self._saving.get(record_id))

    def started(self, record_id: str) -> None:
        """A save of the record was queued (call `landed` once it succeeded or failed)."""
        self._saving[record_id] = self._saving.get(record_id, 0) + 1

    def landed(self, record_id: str) -> None:
        """A save of the record is over, however it ended."""
        self._saving[record_id] = max(self._saving.get(record_id, 0) - 1, 0)

    def write(self, edit: Edit, record_id: str, fields: dict[str, Any]) -> Callable[[], Any]:
        """The DB-lane work of saving `fields`: from the state known when it runs, and the
        state after it is then known."""

        def work() -> Any:
            result = edit(record_id, based_on=self._based_on.get(record_id), **fields)
            if isinstance(result, Saved):
                self._based_on[record_id] = result.now_at
            return result

        return work
